"""Clinical equivalence and immunogenicity commands.

Contract (relied on by later tooling):

* ``ci-diff --x1 56 --n1 70 --x2 48 --n2 80 --method newcombe --conf 0.95 --format json`` prints one JSON
  object starting with ``diff``, ``lower``, ``upper``; ``--method wald|newcombe|newcombe-cc|mn|fm``; a
  degenerate Wald interval (a group with 0 or all responders) is flagged (``degenerate``, ``notes`` and a
  warning on stderr). With margins
  (``--margin 0.15`` or ``--margin-lower/--margin-upper``) it adds ``equivalent`` and ``ci_statement``;
* ``ci-ratio`` (``ratio``, ``lower``, ``upper``; ``--method koopman|mn|katz``) and ``ci-means``
  (``diff``, ``lower``, ``upper``, ``df``; ``--method welch|pooled``) likewise;
* ``samplesize-prop`` / ``samplesize-means`` print ``n1``, ``n2``, ``n_total``, ``power``
  (``samplesize-prop --method normal|fm|exact``);
* ``ada-summary --ada ADA.csv --reference-arm R --out OUT.csv`` writes incidence per arm and timepoint
  and the differences to the reference arm (one CSV, a ``table`` column says which; ``--method`` any
  ``ci-diff`` method, a degenerate Wald difference flagged in ``degenerate`` with a warning). By default the
  summary is treatment-emergent ADA (rows ``TREATMENT-EMERGENT`` and ``BASELINE-PREVALENCE``); the old
  any-visit ``OVERALL`` row with ``--incidence any-visit``. With ``--cut-points RESULTS.csv`` (the output of
  ``bioparity ada-cutpoint``) the status is derived from the listing's ``SIGNAL``, ``SIGNAL_DRUG`` [and
  ``NC``] by the validated screening and confirmatory cut points, and every row records the results file
  and its SHA-256 in ``cut_point_run`` (the provenance sidecar names both inputs);
* ``ci-diff-stratified --strata STRATA.csv`` (columns ``stratum,x1,n1,x2,n2``): stratified Newcombe,
  stratified Miettinen-Nurminen or Mantel-Haenszel interval of the common difference.

Confidence level: ``--region ema|fda`` (default ema: 95% two-sided; fda: 90%) sets the level of the
interval commands and of the sample-size commands alike; an explicit ``--conf`` / ``--alpha`` wins. Every
output states its level (``ci_level`` and ``level``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import pandas as pd
import typer

from bioparity.cli.common import (
    OutputFormat,
    check_outputs,
    print_record,
    user_errors,
    warn_note,
    write_result,
)
from bioparity.cli.options import Format, TargetPower, fraction_option
from bioparity.clinical import (
    StratifiedDifferenceCI,
    ci_difference,
    ci_mean_difference,
    ci_ratio,
    equivalence_decision,
    sample_size_equivalence_means,
    sample_size_equivalence_proportions,
)
from bioparity.clinical.equivalence import equivalence_margins
from bioparity.clinical.presets import DEFAULT_REGION, canonical_region, region_alpha, region_level
from bioparity.clinical.proportions import canonical_difference_method
from bioparity.clinical.stratified import ci_difference_stratified
from bioparity.errors import DataFileError, InputError
from bioparity.i18n import gettext as _
from bioparity.i18n import gettext_noop, ngettext
from bioparity.io import ColumnSpec, read_table
from bioparity.nca.samples import Where
from bioparity.power.scenarios import check


def _count(value: object) -> str | None:
    """A count cell's problem (negative), None when it is one."""
    return None if float(value) >= 0 else "a count >= 0"  # type: ignore[arg-type]


STRATA_COLUMNS = (
    ColumnSpec("stratum", "text"),
    ColumnSpec("x1", "integer", check=_count),
    ColumnSpec("n1", "integer", check=_count),
    ColumnSpec("x2", "integer", check=_count),
    ColumnSpec("n2", "integer", check=_count),
)
#: How the messages of :func:`~bioparity.clinical.equivalence.equivalence_margins` name the margins.
MARGIN_OPTIONS = ("--margin", "--margin-lower", "--margin-upper")
INCIDENCE_DEFINITIONS = ("treatment-emergent", "any-visit")

Region = Annotated[
    str,
    typer.Option(
        help=gettext_noop(
            "Preset of the confidence level: ema (95% two-sided, default) or fda (90% two-sided). "
            "An explicit --conf overrides it."
        )
    ),
]
PlanningRegion = Annotated[
    str,
    typer.Option(
        help=gettext_noop(
            "Preset of the confidence level of the planned analysis: ema (95% two-sided, alpha 0.025 "
            "per side; default) or fda (90% two-sided, alpha 0.05). An explicit --alpha overrides it."
        )
    ),
]
Conf = Annotated[
    float | None,
    fraction_option(
        gettext_noop(
            "Two-sided confidence level, a fraction (0.95 for 95%); default from --region (EMA 0.95, "
            "FDA 0.90)."
        )
    ),
]
OneSidedAlpha = Annotated[
    float | None,
    fraction_option(
        gettext_noop(
            "One-sided level per test, a fraction (0.05: 90% CI; 0.025: 95% CI); default from --region."
        )
    ),
]
DiffMargin = Annotated[
    float | None,
    fraction_option(
        gettext_noop(
            "Symmetric equivalence margin m of p1 - p2, a fraction (0.15, not 15): equivalent if the CI "
            "lies inside (-m, m)."
        )
    ),
]
DiffMarginLower = Annotated[
    float | None,
    fraction_option(gettext_noop("Lower equivalence margin of p1 - p2, a fraction (-0.15, not -15).")),
]
DiffMarginUpper = Annotated[
    float | None,
    fraction_option(gettext_noop("Upper equivalence margin of p1 - p2, a fraction (0.15, not 15).")),
]
MeanMargin = Annotated[
    float | None,
    typer.Option(
        help=gettext_noop(
            "Symmetric equivalence margin m of the difference of means, in the unit of the means: "
            "equivalent if the CI lies inside (-m, m)."
        )
    ),
]
MeanMarginLower = Annotated[
    float | None,
    typer.Option(help=gettext_noop("Lower equivalence margin of the difference, in the unit of the means.")),
]
MeanMarginUpper = Annotated[
    float | None,
    typer.Option(help=gettext_noop("Upper equivalence margin of the difference, in the unit of the means.")),
]
RatioMarginLower = Annotated[
    float | None,
    fraction_option(gettext_noop("Lower equivalence margin of p1 / p2 (a ratio > 0, e.g. 0.8).")),
]
RatioMarginUpper = Annotated[
    float | None, fraction_option(gettext_noop("Upper equivalence margin of p1 / p2 (a ratio, e.g. 1.25)."))
]
N1 = Annotated[int, typer.Option(help=gettext_noop("Subjects in group 1."))]
N2 = Annotated[int, typer.Option(help=gettext_noop("Subjects in group 2."))]
Allocation = Annotated[float, typer.Option(help=gettext_noop("Allocation n1/n2."))]

app = typer.Typer()


@dataclass(frozen=True)
class _Level:
    """The confidence level of a command's output: region preset (or explicit value) and its sentence."""

    region: str
    ci_level: float
    text: str

    @classmethod
    def two_sided(cls, region: str, conf: float | None) -> _Level:
        key = canonical_region(region, name="--region")
        return cls(key, *region_level(key, conf))

    def stated(self, record: dict[str, Any]) -> dict[str, Any]:
        """``record`` with the region, the level and the sentence stating it."""
        return record | {"region": self.region, "ci_level": self.ci_level, "level": self.text}


def _one_sided(region: str, alpha: float | None) -> tuple[float, _Level]:
    """One-sided level per test of a sample-size command, and the two-sided level it corresponds to."""
    key = canonical_region(region, name="--region")
    one_sided, text = region_alpha(key, alpha)
    return one_sided, _Level(key, round(1.0 - 2.0 * one_sided, 12), text)


#: Result fields -> the names the command-line output has always used (JSON keys and CSV columns).
_OUTPUT_NAMES = {
    "ci_lower": "lower",
    "ci_upper": "upper",
    "conf_level": "conf",
    "passed": "equivalent",
    "prevalence_ci_lower": "prevalence_lower",
    "prevalence_ci_upper": "prevalence_upper",
}


def _output(res: Any) -> dict[str, Any]:
    """``res.plain_dict()`` (NaN kept, as printed before) named as in :data:`_OUTPUT_NAMES`."""
    return {_OUTPUT_NAMES.get(k, k): v for k, v in res.plain_dict().items()}


def _record(first: dict[str, Any], rest: dict[str, Any]) -> dict[str, Any]:
    return {**first, **{k: v for k, v in rest.items() if k not in first}}


def _print_interval(
    res: Any,
    estimate: str,
    margins: tuple[float, float] | None,
    measure: str,
    level: _Level,
    fmt: OutputFormat,
) -> None:
    """An interval result, the estimate and its limits first (and the decision, when margins are given)."""
    d = _output(res)
    record = _record({estimate: d[estimate], "lower": d["lower"], "upper": d["upper"]}, d)
    if margins is not None:
        decision = _output(
            equivalence_decision(
                res, getattr(res, estimate), margin_lower=margins[0], margin_upper=margins[1], measure=measure
            )
        )
        for key in ("equivalent", "margin_lower", "margin_upper", "alpha_per_side", "ci_statement"):
            record[key] = decision[key]
    notes = getattr(res, "notes", ())  # a degenerate Wald interval of ci-diff (DifferenceCI.notes)
    if notes and fmt is OutputFormat.json:
        record["notes"] = list(notes)
    print_record(level.stated(record), fmt, f"{measure[0].upper()}{measure[1:]}, {level.text}")
    for note in notes:
        warn_note(note)  # stderr, in the command's language; stdout keeps the result


def _interval(
    compute: Callable[..., Any],
    estimate: str,
    measure: str,
    region: str,
    conf: float | None,
    margins: tuple[float | None, float | None, float | None],
    fmt: OutputFormat,
) -> None:
    """The level and the margins (:func:`_level_and_margins`), ``compute(conf=level)`` printed."""
    with user_errors():
        level, checked = _level_and_margins(region, conf, margins)
        _print_interval(compute(conf=level.ci_level), estimate, checked, measure, level, fmt)


def _level_and_margins(
    region: str, conf: float | None, margins: tuple[float | None, float | None, float | None]
) -> tuple[_Level, tuple[float, float] | None]:
    """The level of an interval command from the region preset (or --conf), and its equivalence margins
    (--margin, or --margin-lower and --margin-upper) checked: none, or both limits."""
    return _Level.two_sided(region, conf), equivalence_margins(*margins, names=MARGIN_OPTIONS)


def _print_sample_size(res: Any, level: _Level, fmt: OutputFormat, what: str) -> None:
    """A sample-size result with the group sizes and power first."""
    d = level.stated(res.plain_dict())
    first = {k: d[k] for k in ("n1", "n2", "n_total", "power")}
    print_record(_record(first, d), fmt, f"Sample size: equivalence of two {what}, {level.text}")


@app.command(
    "ci-diff",
    help=gettext_noop(
        "Confidence interval for a difference of two proportions p1 - p2 (and an equivalence decision)."
    ),
)
def ci_diff_command(
    x1: Annotated[int, typer.Option(help=gettext_noop("Responders in group 1 (e.g. biosimilar)."))],
    n1: N1,
    x2: Annotated[int, typer.Option(help=gettext_noop("Responders in group 2 (e.g. reference)."))],
    n2: N2,
    method: Annotated[
        str,
        typer.Option(
            help=gettext_noop(
                "newcombe (hybrid score), newcombe-cc (the same with continuity correction, Newcombe's "
                "method 11), mn (Miettinen-Nurminen score), fm (Farrington-Manning score) or wald (too "
                "narrow when a group has 0 or all responders, zero width when both do: flagged in the output "
                "as 'degenerate' with a warning; avoid with small or extreme counts)."
            )
        ),
    ] = "newcombe",
    region: Region = DEFAULT_REGION,
    conf: Conf = None,
    margin: DiffMargin = None,
    margin_lower: DiffMarginLower = None,
    margin_upper: DiffMarginUpper = None,
    fmt: Format = OutputFormat.table,
) -> None:
    compute = partial(ci_difference, x1, n1, x2, n2, method=method)
    _interval(
        compute, "diff", "difference of proportions", region, conf, (margin, margin_lower, margin_upper), fmt
    )


@app.command("ci-ratio", help=gettext_noop("Confidence interval for a ratio of two proportions p1 / p2."))
def ci_ratio_command(
    x1: Annotated[int, typer.Option(help=gettext_noop("Responders in group 1."))],
    n1: N1,
    x2: Annotated[int, typer.Option(help=gettext_noop("Responders in group 2."))],
    n2: N2,
    method: Annotated[str, typer.Option(help=gettext_noop("koopman (score), mn or katz."))] = "koopman",
    region: Region = DEFAULT_REGION,
    conf: Conf = None,
    margin_lower: RatioMarginLower = None,
    margin_upper: RatioMarginUpper = None,
    fmt: Format = OutputFormat.table,
) -> None:
    compute = partial(ci_ratio, x1, n1, x2, n2, method=method)
    _interval(compute, "ratio", "ratio of proportions", region, conf, (None, margin_lower, margin_upper), fmt)


@app.command(
    "ci-means",
    help=gettext_noop("Confidence interval for a difference of two means (Welch or pooled t)."),
)
def ci_means_command(
    mean1: Annotated[float, typer.Option(help=gettext_noop("Mean of group 1."))],
    sd1: Annotated[float, typer.Option(help=gettext_noop("Standard deviation of group 1 (divisor n - 1)."))],
    n1: N1,
    mean2: Annotated[float, typer.Option(help=gettext_noop("Mean of group 2."))],
    sd2: Annotated[float, typer.Option(help=gettext_noop("Standard deviation of group 2."))],
    n2: N2,
    method: Annotated[str, typer.Option(help=gettext_noop("welch or pooled."))] = "welch",
    region: Region = DEFAULT_REGION,
    conf: Conf = None,
    margin: MeanMargin = None,
    margin_lower: MeanMarginLower = None,
    margin_upper: MeanMarginUpper = None,
    fmt: Format = OutputFormat.table,
) -> None:
    compute = partial(ci_mean_difference, mean1, sd1, n1, mean2, sd2, n2, method=method)
    _interval(compute, "diff", "difference of means", region, conf, (margin, margin_lower, margin_upper), fmt)


@app.command(
    "samplesize-prop",
    help=gettext_noop(
        "Sample size per group to show equivalence of two proportions (difference within margins)."
    ),
)
def samplesize_prop_command(
    p1: Annotated[float, fraction_option(gettext_noop("True response rate in group 1, a fraction (0.6)."))],
    p2: Annotated[float, fraction_option(gettext_noop("True response rate in group 2, a fraction (0.6)."))],
    margin: DiffMargin = None,
    margin_lower: DiffMarginLower = None,
    margin_upper: DiffMarginUpper = None,
    region: PlanningRegion = DEFAULT_REGION,
    alpha: OneSidedAlpha = None,
    target_power: TargetPower = 0.80,
    ratio: Allocation = 1.0,
    method: Annotated[
        str,
        typer.Option(
            help=gettext_noop(
                "normal (approximation, unpooled variance), fm (Farrington-Manning: variance under each "
                "margin at the restricted MLE, as the score test of the analysis) or exact (enumeration, "
                "small n)."
            )
        ),
    ] = "normal",
    ci_method: Annotated[
        str,
        typer.Option(
            help=gettext_noop(
                "Interval used by the analysis (for --method exact): newcombe, newcombe-cc, mn, fm or wald "
                "(not advised: "
                "its zero-width intervals at 0 or all responders make very small groups look powerful)."
            )
        ),
    ] = "newcombe",
    fmt: Format = OutputFormat.table,
) -> None:
    compute = partial(
        sample_size_equivalence_proportions,
        p1=p1, p2=p2, target_power=target_power, ratio=ratio, method=method, ci_method=ci_method,
    )  # fmt: skip
    _sample_size(compute, "proportions", region, alpha, (margin, margin_lower, margin_upper), fmt)


@app.command(
    "samplesize-means",
    help=gettext_noop("Sample size per group to show equivalence of two means (difference within margins)."),
)
def samplesize_means_command(
    *,
    diff: Annotated[
        float, typer.Option(help=gettext_noop("True difference of means (group 1 - group 2), in their unit."))
    ] = 0.0,
    sd: Annotated[
        float, typer.Option(help=gettext_noop("Common standard deviation, in the unit of the means."))
    ],
    margin: MeanMargin = None,
    margin_lower: MeanMarginLower = None,
    margin_upper: MeanMarginUpper = None,
    region: PlanningRegion = DEFAULT_REGION,
    alpha: OneSidedAlpha = None,
    target_power: TargetPower = 0.80,
    ratio: Allocation = 1.0,
    method: Annotated[str, typer.Option(help=gettext_noop("exact (t, Owen's Q) or normal."))] = "exact",
    fmt: Format = OutputFormat.table,
) -> None:
    compute = partial(
        sample_size_equivalence_means,
        diff=diff, sd=sd, target_power=target_power, ratio=ratio, method=method,
    )  # fmt: skip
    _sample_size(compute, "means", region, alpha, (margin, margin_lower, margin_upper), fmt)


def _sample_size(
    compute: Callable[..., Any],
    what: str,
    region: str,
    alpha: float | None,
    margins: tuple[float | None, float | None, float | None],
    fmt: OutputFormat,
) -> None:
    """The one-sided level from the region preset (or --alpha), the margins (required: a sample size cannot
    be planned without them), ``compute(margin_lower=, margin_upper=, alpha=)`` printed."""
    with user_errors():
        one_sided, level = _one_sided(region, alpha)
        checked = equivalence_margins(*margins, required=True, names=MARGIN_OPTIONS)
        assert checked is not None  # required=True raises instead
        res = compute(margin_lower=checked[0], margin_upper=checked[1], alpha=one_sided)
        _print_sample_size(res, level, fmt, what)


AdaListing = Annotated[
    Path, typer.Option(help=gettext_noop("CSV with USUBJID, ARM, VISIT and ADA (POS/NEG) columns."))
]
ReferenceArm = Annotated[str | None, typer.Option(help=gettext_noop("Arm to compare the others with."))]
AdaDifferenceMethod = Annotated[
    str,
    typer.Option(
        help=gettext_noop(
            "Interval for differences: wald, newcombe, newcombe-cc, mn, fm (wald: flagged 'degenerate' "
            "with a warning when an arm has 0 or all positive)."
        )
    ),
]
Incidence = Annotated[
    str,
    typer.Option(
        help=gettext_noop(
            "treatment-emergent (induced + >= boost-fold titre rise; baseline prevalence separate; "
            "default) or any-visit (positive at any visit, baseline included: the old OVERALL row)."
        )
    ),
]
TitreColumn = Annotated[
    str,
    typer.Option(
        help=gettext_noop(
            "Titre column: reciprocal dilutions >= 1 (40 for 1:40), blank for none; needed for "
            "baseline-positive subjects."
        )
    ),
]
BoostFold = Annotated[
    float,
    typer.Option(
        help=gettext_noop(
            "Titre rise over a positive baseline that counts, a fold (4: 4-fold; Shankar 2014)."
        )
    ),
]
AdaCutPoints = Annotated[
    Path | None,
    typer.Option(
        help=gettext_noop(
            "'bioparity ada-cutpoint' results: the status comes from the validated cut points applied "
            "to the listing's SIGNAL, SIGNAL_DRUG [and NC] columns (tiered: screen, confirm), the "
            "results file recorded with every row."
        )
    ),
]


@app.command(
    "ada-summary",
    help=gettext_noop(
        "ADA (or NAb) incidence per arm (treatment-emergent by default, Wilson CIs) and differences."
    ),
)
def ada_summary_command(
    ada: AdaListing,
    out: Annotated[Path, typer.Option(help=gettext_noop("Output CSV: incidence rows and difference rows."))],
    reference_arm: ReferenceArm = None,
    result: Annotated[str, typer.Option(help=gettext_noop("Result column (ADA, NAB, ...)."))] = "ADA",
    conf: Annotated[
        float, fraction_option(gettext_noop("Two-sided confidence level (0.95 for 95%)."))
    ] = 0.95,
    method: AdaDifferenceMethod = "newcombe",
    incidence: Incidence = "treatment-emergent",
    baseline: Annotated[
        str | None, typer.Option(help=gettext_noop("Baseline timepoint label (default: BASELINE/PREDOSE)."))
    ] = None,
    titre: TitreColumn = "TITRE",
    boost_fold: BoostFold = 4.0,
    cut_points: AdaCutPoints = None,
) -> None:
    with user_errors():
        method = _check_ada_options(incidence, conf, boost_fold, method)
        check_outputs(("--out", out))
        table, provenance = _ada_summary_table(
            ada, cut_points, incidence, result, titre, baseline, boost_fold, conf, reference_arm, method
        )
        if cut_points is not None:
            table = table.assign(cut_point_run=provenance)
        settings = {"command": "ada-summary", "incidence": incidence, "result": result, "conf": conf}
        write_result(table, out, {"ada": ada, "cut_points": cut_points}, settings)
        _said_ada_summary(table, out, settings | {"cut_point_run": provenance})


def _said_ada_summary(table: pd.DataFrame, out: Path, settings: dict[str, Any]) -> None:
    """The one-line summary of the ada-summary kind (stdout, as ``bioparity run ada-summary`` prints it:
    each arm's positives of the evaluable subjects), what ``ada-summary`` wrote, then the notes on its
    intervals (stderr)."""
    from bioparity.analyses.ada_summary import ada_summary_line, interval_notes
    from bioparity.analyses.frames import frame_result

    incidence = settings["incidence"]
    typer.echo(ada_summary_line(frame_result(table), settings))

    typer.echo(
        ngettext(
            "wrote %(n)d row to %(path)s (%(definition)s ADA incidence)",
            "wrote %(n)d rows to %(path)s (%(definition)s ADA incidence)",
            len(table),
        )
        % {"n": len(table), "path": out, "definition": incidence},
        err=True,
    )
    for note in interval_notes(table):
        warn_note(note)  # a degenerate Wald interval (an arm at 0 or all positive), as ci-diff warns


def _ada_summary_table(
    ada: Path,
    cut_points: Path | None,
    incidence: str,
    result: str,
    titre: str | None,
    baseline: str | None,
    boost_fold: float,
    conf: float,
    reference_arm: str | None,
    method: str,
) -> tuple[pd.DataFrame, str]:
    """The ADA summary table of a listing (statuses from the cut points when given) and the cut-point
    run's provenance line ("" without cut points)."""
    from bioparity.analyses.ada_summary import incidence_results, read_listing, summary_frame

    frame = read_listing(ada)
    provenance = ""
    if cut_points is not None:
        from bioparity.cli.bioassay import status_from_cut_points

        frame, provenance = status_from_cut_points(frame, ada, cut_points, result)
    try:
        incidences, emergent = incidence_results(
            frame,
            incidence,
            result=result,
            titre=titre,
            baseline=baseline,
            boost_fold=boost_fold,
            conf=conf,
        )
    except DataFileError as exc:  # located by the summary (row, line, column): in the listing
        raise exc.relocated(str(ada), row=exc.row, line=exc.line) from exc
    except InputError as exc:
        raise DataFileError(str(exc), file=str(ada)) from exc
    table = summary_frame(incidences, emergent, reference_arm, method, conf).assign(
        incidence_definition=incidence
    )
    return table, provenance


def _check_ada_options(incidence: str, conf: float, boost_fold: float, method: str) -> str:
    """The options of ada-summary, before the listing is read: an error of an option is not the listing's
    (it was "ADA.csv: conf = 95.0; ..."); the interval method as ci_difference names it (checked against
    :data:`bioparity.clinical.DIFFERENCE_METHODS` even without --reference-arm)."""
    _check_incidence(incidence)
    method = canonical_difference_method(method)
    check(np.isfinite(conf) & (conf > 0) & (conf < 1), "--conf", conf, "a confidence level between 0 and 1")
    check(
        np.isfinite(boost_fold) & (boost_fold > 1), "--boost-fold", boost_fold, "a titre ratio > 1 (e.g. 4)"
    )
    return method


def _check_incidence(incidence: str) -> None:
    if incidence not in INCIDENCE_DEFINITIONS:
        raise InputError(
            _("unknown --incidence %(value)r; expected treatment-emergent or any-visit")
            % {"value": incidence}
        )


@app.command(
    "ci-diff-stratified",
    help=gettext_noop(
        "Common difference p1 - p2 over strata (e.g. centres, a stratification factor), with its CI."
    ),
)
def ci_diff_stratified_command(
    strata: Annotated[
        Path, typer.Option(help=gettext_noop("CSV with columns stratum,x1,n1,x2,n2 (one row per stratum)."))
    ],
    method: Annotated[
        str,
        typer.Option(
            help=gettext_noop(
                "newcombe (stratified Newcombe, CMH weights), mn (stratified Miettinen-Nurminen) or mh "
                "(Mantel-Haenszel estimate, Wald interval with Sato's variance)."
            )
        ),
    ] = "newcombe",
    region: Region = DEFAULT_REGION,
    conf: Conf = None,
    margin: DiffMargin = None,
    margin_lower: DiffMarginLower = None,
    margin_upper: DiffMarginUpper = None,
    fmt: Format = OutputFormat.table,
) -> None:
    with user_errors():
        level, margins = _level_and_margins(region, conf, (margin, margin_lower, margin_upper))
        frame = read_table(strata, STRATA_COLUMNS)
        _check_strata(frame, Where(file=str(strata)))
        res = ci_difference_stratified(
            frame["x1"].to_numpy(), frame["n1"].to_numpy(),
            frame["x2"].to_numpy(), frame["n2"].to_numpy(), method=method, conf=level.ci_level,
        )  # fmt: skip
        record = _stratified_record(res, frame["stratum"], margins)
        print_record(level.stated(record), fmt, f"Stratified difference of proportions, {level.text}")


def _check_strata(frame: pd.DataFrame, where: Where) -> None:
    """One row per stratum, each with subjects in both groups and at most as many responders as subjects:
    the error names the file, row and column (the computation would only know a "scenario")."""
    # two rows of one stratum would enter the weights as two strata
    where.reject(
        frame["stratum"].duplicated(), "stratum listed twice", "stratum", frame["stratum"],
        "one row per stratum (add the counts up)",
    )  # fmt: skip
    for group in ("1", "2"):
        x, n = frame[f"x{group}"], frame[f"n{group}"]
        where.reject(
            n < 1, "a stratum needs subjects in both groups", f"n{group}", n,
            f"n{group} >= 1 (merge the stratum with another or remove it)",
        )  # fmt: skip
        where.reject(x > n, "more responders than subjects", f"x{group}", x, f"x{group} <= n{group}")


def _stratified_record(
    res: StratifiedDifferenceCI, strata: pd.Series, margins: tuple[float, float] | None
) -> dict[str, Any]:
    """The common difference, its limits, the strata and weights (and the equivalence decision)."""
    record: dict[str, Any] = {
        "diff": float(np.ravel(res.diff)[0]), "lower": float(np.ravel(res.ci_lower)[0]),
        "upper": float(np.ravel(res.ci_upper)[0]), "method": res.method, "n_strata": res.n_strata,
        "strata": ",".join(strata.astype(str)),
        "weights": ",".join(f"{w:.6g}" for w in np.ravel(res.weights)),
    }  # fmt: skip
    if margins is not None:
        decision = equivalence_decision(
            res,
            res.diff,
            margin_lower=margins[0],
            margin_upper=margins[1],
            measure="difference of proportions",
        )
        record["equivalent"] = bool(np.ravel(decision.passed)[0])
        record["margin_lower"], record["margin_upper"] = margins
    return record
