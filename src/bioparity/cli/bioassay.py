"""``bioparity ada-cutpoint``, ``ada-sensitivity``, ``ada-drug-tolerance`` and ``isr``.

Contract:

* ``ada-cutpoint IN.csv|xlsx --fpr 0.05 [--confirm-fpr 0.01] [--titration-fpr 0.001] --out RESULTS.csv
  [--outliers OUTLIERS.csv]`` writes one row per tier and estimate (parametric, robust,
  nonparametric, parametric LCL) with ``selected`` marking the reported cut point, every setting and
  decision (transform, outliers removed, fixed/floating, normalisation factor, variance components);
* ``ada-sensitivity IN --cut-point CP [--method linear|4pl] [--conc-unit ng/mL] --out RESULTS.csv``: one row
  per run, the concentrations in ``--conc-unit`` (``concentration_unit`` column); without ``--cut-point`` the
  data give each run's own (floating) cut point in a ``cut_point`` column;
* ``ada-drug-tolerance IN --cut-point CP [--ada-unit ng/mL] [--drug-unit ug/mL] --out RESULTS.csv``: one
  row per ADA level, the units in the ``ada_unit`` and ``drug_unit`` columns; without ``--cut-point`` the data
  give each run's own (floating) cut point in a ``cut_point`` column (with ``run``);
* ``ada-cutpoint ... --format json`` also prints the result on stdout as one strict JSON object
  (:mod:`bioparity.strict_json`), the shape a workspace run of the kind stores (``columns``, ``rows``,
  ``n_rows``, ``removed_values``, ``notes``; a non-finite number ``null``, named in ``non_finite``);
* both take ``--cut-points CUTPOINTS.csv|json`` (what ``ada-cutpoint --out`` wrote, or its JSON result in a
  ``.json`` file) instead of ``--cut-point``: its
  reported screening cut point, or, when it floats, each run's cut point from the data's negative control
  ``nc`` and the result's normalisation factor (``NC x NF``, ``NC x exp(NF)`` on the log scale, ``NC + NF``
  when the result stores ``additive``); the
  provenance records the file with its SHA-256;
* ``isr IN --assay ligand-binding|chromatographic --out RESULTS.csv``: one row per sample, the ICH M10
  verdict printed (exit code 0 either way; the verdict is in the output and the provenance).

Each ``--out`` gets a provenance sidecar. Bad input stops before any output with an error naming the
file, row and column; exit code 2. The cores are imported inside the command bodies (fast start-up).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Protocol, TypeVar

import typer

from bioparity.cli.common import (
    OutputFormat,
    check_outputs,
    note_line,
    print_json,
    user_errors,
    write_result,
    wrote_rows,
)
from bioparity.cli.options import Format, fraction_option, input_argument
from bioparity.i18n import gettext as _
from bioparity.i18n import gettext_noop

if TYPE_CHECKING:
    import pandas as pd
    from rich.console import Console

    from bioparity.bioassay import CutPointResult, SensitivityResult

#: ``--method``: the auto rule stated (Shankar et al. 2008, J Pharm Biomed Anal 48:1267, Appendix 1 section 4:
#: parametric for normal values, the empirical percentile otherwise; robust only when asked).
METHOD_HELP = gettext_noop(
    "Reported estimate. auto (default): parametric mean + z SD (z = qnorm(1 - FPR): 1.645 at FPR 0.05) when "
    "the donor means across runs are normal (Shapiro-Wilk p >= 0.05), else the nonparametric (1 - FPR) "
    "percentile (the 95th at FPR 0.05; Shankar et al. 2008, Appendix 1 section 4); robust (median + z x "
    "1.4826 MAD) only when asked. Or: parametric, robust, nonparametric, parametric_lcl."
)

CutPointsFile = Annotated[
    Path | None,
    typer.Option(
        help=gettext_noop(
            "'bioparity ada-cutpoint' results CSV, or its JSON result (a .json file: --format json, or a "
            "stored ada-cutpoint run's result): its screening cut point (floating: each run's from the "
            "data's nc column and the normalisation factor) instead of --cut-point."
        )
    ),
]
ConcUnit = Annotated[
    str,
    typer.Option(
        help=gettext_noop("Unit of the positive-control concentrations (FDA 2019 ADA guidance: ng/mL).")
    ),
]
ScreeningFpr = Annotated[
    float, fraction_option(gettext_noop("Screening false-positive rate, a fraction (0.05 for 5%)."))
]
ConfirmFpr = Annotated[
    float | None,
    fraction_option(
        gettext_noop("Confirmatory FPR, a fraction (e.g. 0.01); needs a signal_drug column (% inhibition).")
    ),
]
TitrationFpr = Annotated[
    float | None, fraction_option(gettext_noop("Titration FPR, a fraction (e.g. 0.001)."))
]

app = typer.Typer()


class _Tabulated(Protocol):
    def to_frame(self) -> pd.DataFrame: ...


_ResultT = TypeVar("_ResultT", bound=_Tabulated)


def _result_table(out: Path, analyse: Callable[[], _ResultT]) -> tuple[_ResultT, pd.DataFrame]:
    """Check that ``--out`` can be written, then run ``analyse()``: its result and the result's table."""
    check_outputs(("--out", out))
    result = analyse()
    return result, result.to_frame()


def _write(
    table: pd.DataFrame, out: Path, data: Path, options: dict[str, Any], cut_points: Path | None = None
) -> Console:
    """Write the result table and its provenance sidecar (``cut_points``, the cut-point results file read,
    hashed beside the data); the console (stderr) for the summary."""
    from rich.console import Console

    write_result(table, out, {"data": data, "cut_points": cut_points}, options)
    return Console(stderr=True)


def _cut_point_from(
    frame: pd.DataFrame, cut_point: float | None, cut_points: Path | None
) -> tuple[pd.DataFrame, float | None, dict[str, Any]]:
    """The data and cut point to analyse them at: ``--cut-point`` as given, or the validated screening cut
    point of ``--cut-points`` (:func:`bioparity.bioassay.with_validated_cut_point`); the options recording
    which (the results file's provenance label, type and normalisation factor)."""
    if cut_points is None:
        return frame, cut_point, {"cut_point": cut_point}
    from bioparity.analyses.ada_sensitivity import validated_screening
    from bioparity.errors import InputError

    if cut_point is not None:
        raise InputError("give --cut-point or --cut-points, not both")
    return validated_screening(frame, cut_points)


def _print_source(console: Console, recorded: dict[str, Any]) -> None:
    """Which cut-point result was applied, when one was (``--cut-points``)."""
    if "cut_points" in recorded:
        console.print(
            _("screening cut point from %(file)s: %(type)s")
            % {"file": recorded["cut_points"], "type": recorded["cut_point_type"]},
            highlight=False,
        )


def _finish(console: Console, notes: Any, table: pd.DataFrame, out: Path) -> None:
    """Print each note of the result in the command's language, then where the rows went."""
    for note in notes:
        console.print(note_line(note), highlight=False)
    console.print(wrote_rows(len(table), out))


QuantileType = Annotated[
    int, typer.Option(help=gettext_noop("R quantile type (1-9) of the nonparametric estimate."))
]
RemoveOutliers = Annotated[
    bool,
    typer.Option(
        "--remove-outliers/--keep-outliers", help=gettext_noop("Boxplot-rule outlier removal (listed).")
    ),
]
Normalization = Annotated[
    str,
    typer.Option(
        "--normalization",
        "--normalisation",  # the earlier spelling, kept as an alias
        help=gettext_noop(
            "Normalisation factor of a floating cut point (needs nc; stored as normalization): auto "
            "(additive on the log scale, multiplicative on the raw scale: bioparity's convention, its "
            "source not verified), multiplicative (plate cut point NC x NF) or additive (NC + NF, raw "
            "scale only: with --transform none). --normalisation is the same option."
        ),
    ),
]
OutlierQuartiles = Annotated[
    str,
    typer.Option(
        help=gettext_noop(
            "Quartiles of the boxplot rule: type7 (R quantile type 7), tukey (Tukey's hinges, as R "
            "boxplot.stats) or type1-type9."
        )
    ),
]
OutliersOut = Annotated[Path | None, typer.Option(help=gettext_noop("Also write the removed values here."))]


@app.command(
    "ada-cutpoint",
    help=gettext_noop(
        "ADA cut points (screening, confirmatory, titration) from validation data; --format json also "
        "prints the result as JSON on stdout (--cut-points of ada-sensitivity and ada-drug-tolerance "
        "reads it)."
    ),
)
def ada_cutpoint_command(
    data: Annotated[
        Path,
        input_argument(
            gettext_noop("CSV/XLSX: donor,run,signal[,signal_drug,nc,analyst,plate] (one row per well).")
        ),
    ],
    out: Annotated[Path, typer.Option(help=gettext_noop("Results CSV: one row per tier and estimate."))],
    fpr: ScreeningFpr = 0.05,
    confirm_fpr: ConfirmFpr = None,
    titration_fpr: TitrationFpr = None,
    transform: Annotated[
        str,
        typer.Option(
            help=gettext_noop(
                "Screening scale: auto (log when every donor x run value, before the outlier steps, is "
                "right-skewed and the log lowers the absolute skewness), none or log."
            )
        ),
    ] = "auto",
    method: Annotated[
        str,
        typer.Option(help=METHOD_HELP),
    ] = "auto",
    quantile_type: QuantileType = 7,
    remove_outliers: RemoveOutliers = True,
    outlier_quartiles: OutlierQuartiles = "type7",
    normalization: Normalization = "auto",
    outliers: OutliersOut = None,
    fmt: Format = OutputFormat.table,
) -> None:
    with user_errors():
        import pandas as pd

        check_outputs(("--out", out), ("--outliers", outliers))  # both or neither: check before any work
        settings: dict[str, Any] = {
            "fpr": fpr, "confirm_fpr": confirm_fpr, "titration_fpr": titration_fpr, "transform": transform,
            "method": method, "quantile_type": quantile_type, "remove_outliers": remove_outliers,
            "outlier_quartiles": outlier_quartiles, "normalization": normalization,
        }  # fmt: skip
        results = _cut_points_of(data, settings)
        table = pd.concat([r.to_frame() for r in results], ignore_index=True)
        console = _write(table, out, data, {"command": "ada-cutpoint"} | settings)
        if outliers is not None:
            from bioparity.io import write_frame_atomic

            listing = pd.concat([r.outlier_frame().assign(tier=r.tier) for r in results], ignore_index=True)
            write_frame_atomic(listing, outliers)
        _print_cut_points(console, results)
        console.print(wrote_rows(len(table), out))
        if fmt is OutputFormat.json:
            from bioparity.analyses.ada_cutpoint import cut_point_result

            print_json(cut_point_result(results))  # the run's stored result, strict JSON


def _cut_points_of(data: Path, settings: dict[str, Any]) -> list[CutPointResult]:
    """The cut-point results of the validation data in ``data``; an error about the data's values (no
    residual scatter) names the file."""
    from bioparity.bioassay import screening_and_confirmatory
    from bioparity.errors import DataFileError, InputError
    from bioparity.io.bioassay import read_cutpoint_data

    frame = read_cutpoint_data(data)
    if settings["confirm_fpr"] is not None and "signal_drug" not in frame.columns:
        raise InputError(
            _(
                "%(file)s: --confirm-fpr needs a 'signal_drug' column (the signal with excess drug); "
                "columns found: %(found)s"
            )
            % {"file": data, "found": ", ".join(map(str, frame.columns))}
        )
    try:
        return screening_and_confirmatory(frame, **settings)
    except DataFileError as exc:
        if exc.file is not None:
            raise
        raise exc.relocated(str(data), row=None, line=None) from exc


def status_from_cut_points(
    listing: pd.DataFrame, ada: Path, cut_points: Path, result: str
) -> tuple[pd.DataFrame, str]:
    """``bioparity ada-summary --cut-points``: the listing's ``result`` column from the validated cut
    points (:func:`bioparity.bioassay.ada_status`) and the provenance label of the results file."""
    from bioparity.analyses.ada_sensitivity import validated_cut_point_file
    from bioparity.bioassay import ada_status

    validated, provenance = validated_cut_point_file(cut_points)
    return ada_status(listing, validated, cut_point_run=provenance, result=result, file=str(ada)), provenance


def _print_cut_points(console: Console, results: list[CutPointResult]) -> None:
    from bioparity.analyses.ada_cutpoint import (
        cut_point_type_words,
        estimate_words,
        quartiles_words,
        scale_words,
    )
    from bioparity.analyses.terms import term, value_words

    if results and results[0].settings.get("remove_outliers"):
        console.print(
            _("outliers: boxplot rule (outside Q1 - 1.5 IQR, Q3 + 1.5 IQR), quartiles by %(quartiles)s")
            % {"quartiles": quartiles_words(results[0].settings.get("outlier_quartiles"))},
            highlight=False,
        )
    for r in results:
        console.print(
            _(
                "%(tier)s: cut point %(cut)s (%(method)s, %(scale)s, FPR %(fpr)s); %(type)s; "
                "%(donors)d donors x %(runs)d runs; %(outliers)d outlier(s) removed"
            )
            % {  # words, as the report's; the CSV and JSON keep the codes
                "tier": term(r.tier),
                "cut": f"{r.cut_point:.6g}",
                "method": estimate_words(r.method, r.fpr),
                "scale": scale_words(r.transform),
                "fpr": f"{r.fpr:g}",
                "type": cut_point_type_words(r.cut_point_type),
                "donors": r.n_donors,
                "runs": r.n_runs,
                "outliers": len(r.outliers),
            },
            highlight=False,
        )
        if math.isfinite(
            r.normalization_factor
        ):  # what a plate's cut point is made from (Shankar 2008 App. 1)
            factor = math.exp(r.normalization_factor) if r.transform == "log" else r.normalization_factor
            # the stored rule: NC + NF when additive on the raw scale, else NC x factor
            if r.normalization == "additive":
                line = _(
                    "normalisation factor %(nf)s (%(how)s): plate cut point = negative control + %(factor)s"
                )
            else:
                line = _(
                    "normalisation factor %(nf)s (%(how)s): plate cut point = negative control x %(factor)s"
                )
            console.print(
                "  "
                + line
                % {
                    "nf": f"{r.normalization_factor:.6g}",
                    "how": value_words("normalization", r.normalization),
                    "factor": f"{factor:.6g}",
                },
                highlight=False,
            )
        for note in r.notes:
            console.print("  " + note_line(note), highlight=False)  # an outlier's code as donor and run


@app.command(
    "ada-sensitivity",
    help=gettext_noop(
        "Assay sensitivity: concentration at the cut point per run and detected in 95% of runs."
    ),
)
def ada_sensitivity_command(
    data: Annotated[
        Path,
        input_argument(gettext_noop("CSV/XLSX: run,concentration,signal[,cut_point] (dilution curves).")),
    ],
    out: Annotated[Path, typer.Option(help=gettext_noop("Results CSV: one row per run."))],
    cut_point: Annotated[
        float | None,
        typer.Option(
            help=gettext_noop(
                "Screening cut point for every run, in the unit of signal; omit when the data give each "
                "run's cut_point."
            )
        ),
    ] = None,
    method: Annotated[
        str, typer.Option(help=gettext_noop("linear (log-concentration interpolation) or 4pl."))
    ] = "linear",
    conc_unit: ConcUnit = "ng/mL",
    cut_points: CutPointsFile = None,
) -> None:
    from bioparity.bioassay import sensitivity
    from bioparity.io.bioassay import read_sensitivity_data

    with user_errors():
        check_outputs(("--out", out))
        frame, at, recorded = _cut_point_from(read_sensitivity_data(data), cut_point, cut_points)
        result, table = _result_table(
            out,
            lambda: sensitivity(
                frame, at, method=method, concentration_unit=conc_unit, unit_source="--conc-unit"
            ),
        )
        options = {"command": "ada-sensitivity", **recorded, "method": method}
        console = _write(table, out, data, options | {"conc_unit": result.concentration_unit}, cut_points)
        _print_source(console, recorded)
        _print_sensitivity(console, result)
        _finish(console, result.notes, table, out)


def _print_sensitivity(console: Console, result: SensitivityResult) -> None:
    """The sensitivity with its unit and how it was computed; each run's own cut point when it floats."""
    unit = result.concentration_unit
    console.print(
        _(
            "sensitivity (detected in 95%% of runs): %(value)s (mean %(mean)s + t %(t)s x SD %(sd)s, "
            "%(unit)s; %(runs)d runs)"
        )
        % {
            "value": f"{result.sensitivity_95:.6g} {unit}"
            if math.isfinite(result.sensitivity_95)
            else _("not reported (see the notes)"),
            "mean": f"{result.mean:.6g}",
            "t": f"{result.t_factor:.4g}",
            "sd": f"{result.sd:.6g}",
            "unit": unit,
            "runs": result.n_runs,
        },
        highlight=False,
    )
    if not math.isfinite(result.cut_point):
        console.print(_("each run's curve read at its own (floating) cut point: column run_cut_points"))


@app.command(
    "ada-drug-tolerance",
    help=gettext_noop("Drug tolerance: highest drug level at which each ADA level is still detected."),
)
def ada_drug_tolerance_command(
    data: Annotated[
        Path, input_argument(gettext_noop("CSV/XLSX: ada_level,drug_level,signal[,run,cut_point|nc]."))
    ],
    out: Annotated[Path, typer.Option(help=gettext_noop("Results CSV: one row per ADA level."))],
    cut_point: Annotated[
        float | None,
        typer.Option(
            help=gettext_noop(
                "Screening cut point for every well, in the unit of signal; omit when the data give each "
                "run's cut_point."
            )
        ),
    ] = None,
    ada_unit: Annotated[
        str, typer.Option(help=gettext_noop("Unit of ada_level (positive-control antibody)."))
    ] = "ng/mL",
    drug_unit: Annotated[
        str, typer.Option(help=gettext_noop("Unit of drug_level (and of the tolerance)."))
    ] = "ug/mL",
    cut_points: CutPointsFile = None,
) -> None:
    from bioparity.bioassay import drug_tolerance
    from bioparity.io.bioassay import read_drug_tolerance_data

    with user_errors():
        check_outputs(("--out", out))
        frame, at, recorded = _cut_point_from(read_drug_tolerance_data(data), cut_point, cut_points)
        result, table = _result_table(
            out,
            lambda: drug_tolerance(
                frame,
                at,
                ada_unit=ada_unit,
                drug_unit=drug_unit,
                unit_sources=("--ada-unit", "--drug-unit"),
            ),
        )
        units = {"ada_unit": result.ada_unit, "drug_unit": result.drug_unit}
        options = {"command": "ada-drug-tolerance", **recorded} | units
        console = _write(table, out, data, options, cut_points)
        _print_source(console, recorded)
        if result.run_cut_points:
            console.print(
                _("each run's wells judged at its own (floating) cut point: %(cuts)s")
                % {"cuts": result.run_cut_points},
                highlight=False,
            )
        for ada, drug in zip(result.ada_levels.tolist(), result.drug_tolerance.tolist(), strict=True):
            shown = f"{drug:g} {result.drug_unit}" if math.isfinite(drug) else _("not detected without drug")
            console.print(
                _("ADA %(ada)s: highest drug level detected %(drug)s")
                % {"ada": f"{ada:g} {result.ada_unit}", "drug": shown},
                highlight=False,
            )
        _finish(console, result.notes, table, out)


@app.command(
    "isr",
    help=gettext_noop(
        "Incurred sample reanalysis (ICH M10 section 7): share within limits, >= 2/3 rule, failures."
    ),
)
def isr_command(
    data: Annotated[Path, input_argument(gettext_noop("CSV/XLSX: sample,original,repeat."))],
    assay: Annotated[
        str, typer.Option(help=gettext_noop("ligand-binding (+/-30%) or chromatographic (+/-20%)."))
    ],
    out: Annotated[Path, typer.Option(help=gettext_noop("Results CSV: one row per sample."))],
) -> None:
    from bioparity.bioassay import isr
    from bioparity.io.bioassay import read_isr_data

    with user_errors():
        result, table = _result_table(out, lambda: isr(read_isr_data(data), assay))
        console = _write(table, out, data, {"command": "isr", "assay": assay, "passed": result.passed})
        verdict = _("PASS") if result.passed else _("FAIL")
        console.print(
            _("ISR %(verdict)s: %(within)d/%(n)d (%(share)s%%) within +/-%(limit)s%% (ICH M10: at least 2/3)")
            % {
                "verdict": verdict,
                "within": result.n_within,
                "n": result.n_samples,
                "share": f"{100 * result.share_within:.1f}",
                "limit": f"{result.limit_percent:g}",
            },
            highlight=False,
        )
        for row in result.failures().itertuples():
            console.print(
                _("  outside: %(sample)s original %(original)s repeat %(repeat)s difference %(difference)s%%")
                % {
                    "sample": row.samples,
                    "original": f"{row.original:g}",
                    "repeat": f"{row.repeat:g}",
                    "difference": f"{row.percent_difference:+.1f}",
                },
                highlight=False,
            )
        console.print(wrote_rows(len(table), out))
