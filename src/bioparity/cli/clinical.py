"""Clinical equivalence and immunogenicity commands.

Contract (relied on by later tooling):

* ``ci-diff --x1 56 --n1 70 --x2 48 --n2 80 --method newcombe --conf 0.95 --format json`` prints one JSON
  object starting with ``diff``, ``lower``, ``upper``; ``--method wald|newcombe|mn|fm``. With margins
  (``--margin 0.15`` or ``--margin-lower/--margin-upper``) it adds ``equivalent`` and ``ci_statement``;
* ``ci-ratio`` (``ratio``, ``lower``, ``upper``; ``--method koopman|mn|katz``) and ``ci-means``
  (``diff``, ``lower``, ``upper``, ``df``; ``--method welch|pooled``) likewise;
* ``samplesize-prop`` / ``samplesize-means`` print ``n1``, ``n2``, ``n_total``, ``power``;
* ``ada-summary --ada ADA.csv --reference-arm R --out OUT.csv`` writes incidence per arm and timepoint
  and the differences to the reference arm (one CSV, a ``table`` column says which). By default the
  summary is treatment-emergent ADA (rows ``TREATMENT-EMERGENT`` and ``BASELINE-PREVALENCE``); the old
  any-visit ``OVERALL`` row with ``--incidence any-visit``;
* ``ci-diff-stratified --strata STRATA.csv`` (columns ``stratum,x1,n1,x2,n2``): stratified Newcombe,
  stratified Miettinen-Nurminen or Mantel-Haenszel interval of the common difference.

Confidence level: ``--region ema|fda`` (default ema: 95% two-sided; fda: 90%) sets the level of the
interval commands and of the sample-size commands alike; an explicit ``--conf`` / ``--alpha`` wins. Every
output states its level (``ci_level`` and ``level``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import typer

from bioparity.cli.common import OutputFormat, print_record, user_errors
from bioparity.clinical import (
    ada_incidence,
    ci_difference,
    ci_mean_difference,
    ci_ratio,
    equivalence_decision,
    incidence_difference,
    sample_size_equivalence_means,
    sample_size_equivalence_proportions,
)
from bioparity.clinical.immunogenicity import treatment_emergent_ada
from bioparity.clinical.presets import DEFAULT_REGION, REGION_LEVELS, region_alpha, region_level
from bioparity.clinical.stratified import ci_difference_stratified
from bioparity.errors import DataFileError, InputError
from bioparity.io import ColumnSpec, read_table, write_frame_atomic
from bioparity.io.limits import check_csv_limits

STRATA_COLUMNS = (
    ColumnSpec("stratum", "text"),
    ColumnSpec("x1", "integer"),
    ColumnSpec("n1", "integer"),
    ColumnSpec("x2", "integer"),
    ColumnSpec("n2", "integer"),
)

_REGION_HELP = (
    "Preset of the confidence level: ema (95% two-sided, default) or fda (90% two-sided). "
    + "An explicit --conf/--alpha overrides it."
)
_CONF_HELP = "Two-sided confidence level; default from --region (EMA 0.95, FDA 0.90)."
_ALPHA_HELP = "One-sided level per test (0.05: 90% CI; 0.025: 95% CI); default from --region."


def _check_region(region: str) -> str:
    key = region.strip().lower()
    if key not in REGION_LEVELS:
        raise InputError(f"unknown --region {region!r}; expected one of {', '.join(REGION_LEVELS)}")
    return key


def _state_level(record: dict[str, Any], region: str, level: float, text: str) -> dict[str, Any]:
    record["region"] = region
    record["ci_level"] = level
    record["level"] = text
    return record


def _margins(margin: float | None, lower: float | None, upper: float | None) -> tuple[float, float] | None:
    """Symmetric ``--margin m`` (-m, m) or explicit ``--margin-lower/--margin-upper``; None if not given."""
    if margin is not None:
        if lower is not None or upper is not None:
            raise InputError("give either --margin or --margin-lower/--margin-upper, not both")
        if margin <= 0:
            raise InputError(f"--margin must be > 0 (a symmetric margin, e.g. 0.15); got {margin}")
        return -margin, margin
    if lower is None and upper is None:
        return None
    if lower is None or upper is None:
        raise InputError("give both --margin-lower and --margin-upper (or a symmetric --margin)")
    return lower, upper


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


def _with_decision(
    record: dict[str, Any], res: Any, estimate: Any, margins: tuple[float, float] | None, measure: str
) -> dict[str, Any]:
    if margins is None:
        return record
    decision = _output(
        equivalence_decision(res, estimate, margin_lower=margins[0], margin_upper=margins[1], measure=measure)
    )
    for key in ("equivalent", "margin_lower", "margin_upper", "alpha_per_side", "ci_statement"):
        record[key] = decision[key]
    return record


_MARGIN_HELP = "Symmetric equivalence margin m: equivalent if the CI lies inside (-m, m)."


def _required_margins(margin: float | None, lower: float | None, upper: float | None) -> tuple[float, float]:
    """The margins of a sample-size command, which cannot run without them."""
    margins = _margins(margin, lower, upper)
    if margins is None:
        raise InputError("equivalence margins are required: --margin or --margin-lower/--margin-upper")
    return margins


def _print_sample_size(d: dict[str, Any], fmt: OutputFormat, title: str) -> None:
    """A sample-size result with the group sizes and power first."""
    first = {k: d[k] for k in ("n1", "n2", "n_total", "power")}
    print_record(_record(first, d), fmt, title)


def register(app: typer.Typer) -> None:
    """Add the clinical commands to the ``bioparity`` app."""

    @app.command("ci-diff")
    def ci_diff_command(
        x1: int = typer.Option(..., help="Responders in group 1 (e.g. biosimilar)."),
        n1: int = typer.Option(..., help="Subjects in group 1."),
        x2: int = typer.Option(..., help="Responders in group 2 (e.g. reference)."),
        n2: int = typer.Option(..., help="Subjects in group 2."),
        method: str = typer.Option("newcombe", help="wald, newcombe (hybrid score), mn or fm."),
        region: str = typer.Option(DEFAULT_REGION, help=_REGION_HELP),
        conf: float | None = typer.Option(None, help=_CONF_HELP),
        margin: float | None = typer.Option(None, help=_MARGIN_HELP),
        margin_lower: float | None = typer.Option(None, help="Lower equivalence margin (difference)."),
        margin_upper: float | None = typer.Option(None, help="Upper equivalence margin (difference)."),
        fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="json or table."),
    ) -> None:
        """Confidence interval for a difference of two proportions p1 - p2 (and an equivalence decision)."""
        with user_errors():
            region = _check_region(region)
            level, text = region_level(region, conf)
            margins = _margins(margin, margin_lower, margin_upper)
            res = ci_difference(x1, n1, x2, n2, method=method, conf=level)
            d = _output(res)
            record = _record({"diff": d["diff"], "lower": d["lower"], "upper": d["upper"]}, d)
            record = _with_decision(record, res, res.diff, margins, "difference of proportions")
            print_record(_state_level(record, region, level, text), fmt, f"Difference of proportions, {text}")

    @app.command("ci-ratio")
    def ci_ratio_command(
        x1: int = typer.Option(..., help="Responders in group 1."),
        n1: int = typer.Option(..., help="Subjects in group 1."),
        x2: int = typer.Option(..., help="Responders in group 2."),
        n2: int = typer.Option(..., help="Subjects in group 2."),
        method: str = typer.Option("koopman", help="koopman (score), mn or katz."),
        region: str = typer.Option(DEFAULT_REGION, help=_REGION_HELP),
        conf: float | None = typer.Option(None, help=_CONF_HELP),
        margin_lower: float | None = typer.Option(None, help="Lower equivalence margin (ratio, e.g. 0.8)."),
        margin_upper: float | None = typer.Option(None, help="Upper equivalence margin (ratio, e.g. 1.25)."),
        fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="json or table."),
    ) -> None:
        """Confidence interval for a ratio of two proportions p1 / p2."""
        with user_errors():
            region = _check_region(region)
            level, text = region_level(region, conf)
            margins = _margins(None, margin_lower, margin_upper)
            res = ci_ratio(x1, n1, x2, n2, method=method, conf=level)
            d = _output(res)
            record = _record({"ratio": d["ratio"], "lower": d["lower"], "upper": d["upper"]}, d)
            record = _with_decision(record, res, res.ratio, margins, "ratio of proportions")
            print_record(_state_level(record, region, level, text), fmt, f"Ratio of proportions, {text}")

    @app.command("ci-means")
    def ci_means_command(
        mean1: float = typer.Option(..., help="Mean of group 1."),
        sd1: float = typer.Option(..., help="Standard deviation of group 1 (divisor n - 1)."),
        n1: int = typer.Option(..., help="Subjects in group 1."),
        mean2: float = typer.Option(..., help="Mean of group 2."),
        sd2: float = typer.Option(..., help="Standard deviation of group 2."),
        n2: int = typer.Option(..., help="Subjects in group 2."),
        method: str = typer.Option("welch", help="welch or pooled."),
        region: str = typer.Option(DEFAULT_REGION, help=_REGION_HELP),
        conf: float | None = typer.Option(None, help=_CONF_HELP),
        margin: float | None = typer.Option(None, help=_MARGIN_HELP),
        margin_lower: float | None = typer.Option(None, help="Lower equivalence margin."),
        margin_upper: float | None = typer.Option(None, help="Upper equivalence margin."),
        fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="json or table."),
    ) -> None:
        """Confidence interval for a difference of two means (Welch or pooled t)."""
        with user_errors():
            region = _check_region(region)
            level, text = region_level(region, conf)
            margins = _margins(margin, margin_lower, margin_upper)
            res = ci_mean_difference(mean1, sd1, n1, mean2, sd2, n2, method=method, conf=level)
            d = _output(res)
            record = _record({"diff": d["diff"], "lower": d["lower"], "upper": d["upper"]}, d)
            record = _with_decision(record, res, res.diff, margins, "difference of means")
            print_record(_state_level(record, region, level, text), fmt, f"Difference of means, {text}")

    @app.command("samplesize-prop")
    def samplesize_prop_command(
        p1: float = typer.Option(..., help="True response rate in group 1."),
        p2: float = typer.Option(..., help="True response rate in group 2."),
        margin: float | None = typer.Option(None, help=_MARGIN_HELP),
        margin_lower: float | None = typer.Option(None, help="Lower margin for p1 - p2."),
        margin_upper: float | None = typer.Option(None, help="Upper margin for p1 - p2."),
        region: str = typer.Option(DEFAULT_REGION, help=_REGION_HELP),
        alpha: float | None = typer.Option(None, help=_ALPHA_HELP),
        target_power: float = typer.Option(0.80, help="Power to reach."),
        ratio: float = typer.Option(1.0, help="Allocation n1/n2."),
        method: str = typer.Option("normal", help="normal (approximation) or exact (enumeration, small n)."),
        ci_method: str = typer.Option("newcombe", help="Interval used by the analysis (for --method exact)."),
        fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="json or table."),
    ) -> None:
        """Sample size per group to show equivalence of two proportions (difference within margins)."""
        with user_errors():
            region = _check_region(region)
            one_sided, text = region_alpha(region, alpha)
            margins = _required_margins(margin, margin_lower, margin_upper)
            res = sample_size_equivalence_proportions(
                p1=p1,
                p2=p2,
                margin_lower=margins[0],
                margin_upper=margins[1],
                alpha=one_sided,
                target_power=target_power,
                ratio=ratio,
                method=method,
                ci_method=ci_method,
            )
            record = _state_level(res.plain_dict(), region, round(1.0 - 2.0 * one_sided, 12), text)
            _print_sample_size(record, fmt, f"Sample size: equivalence of two proportions, {text}")

    @app.command("samplesize-means")
    def samplesize_means_command(
        diff: float = typer.Option(0.0, help="True difference of means (group 1 - group 2)."),
        sd: float = typer.Option(..., help="Common standard deviation."),
        margin: float | None = typer.Option(None, help=_MARGIN_HELP),
        margin_lower: float | None = typer.Option(None, help="Lower margin for the difference."),
        margin_upper: float | None = typer.Option(None, help="Upper margin for the difference."),
        region: str = typer.Option(DEFAULT_REGION, help=_REGION_HELP),
        alpha: float | None = typer.Option(None, help=_ALPHA_HELP),
        target_power: float = typer.Option(0.80, help="Power to reach."),
        ratio: float = typer.Option(1.0, help="Allocation n1/n2."),
        method: str = typer.Option("exact", help="exact (t, Owen's Q) or normal."),
        fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="json or table."),
    ) -> None:
        """Sample size per group to show equivalence of two means (difference within margins)."""
        with user_errors():
            region = _check_region(region)
            one_sided, text = region_alpha(region, alpha)
            margins = _required_margins(margin, margin_lower, margin_upper)
            res = sample_size_equivalence_means(
                diff=diff,
                sd=sd,
                margin_lower=margins[0],
                margin_upper=margins[1],
                alpha=one_sided,
                target_power=target_power,
                ratio=ratio,
                method=method,
            )
            record = _state_level(res.plain_dict(), region, round(1.0 - 2.0 * one_sided, 12), text)
            _print_sample_size(record, fmt, f"Sample size: equivalence of two means, {text}")

    @app.command("ada-summary")
    def ada_summary_command(
        ada: Path = typer.Option(..., help="CSV with USUBJID, ARM, VISIT and ADA (POS/NEG) columns."),
        out: Path = typer.Option(..., help="Output CSV: incidence rows and difference rows."),
        reference_arm: str | None = typer.Option(None, help="Arm to compare the others with."),
        result: str = typer.Option("ADA", help="Result column (ADA, NAB, ...)."),
        conf: float = typer.Option(0.95, help="Two-sided confidence level."),
        method: str = typer.Option("newcombe", help="Interval for differences: wald, newcombe, mn, fm."),
        incidence: str = typer.Option(
            "treatment-emergent",
            help="treatment-emergent (induced + >= boost-fold titre rise; baseline prevalence separate; "
            "default) or any-visit (positive at any visit, baseline included: the old OVERALL row).",
        ),
        baseline: str | None = typer.Option(
            None, help="Baseline timepoint label (default: BASELINE/PREDOSE)."
        ),
        titre: str = typer.Option("TITRE", help="Titre column (needed for baseline-positive subjects)."),
        boost_fold: float = typer.Option(
            4.0, help="Titre rise over a positive baseline that counts (Shankar 2014)."
        ),
    ) -> None:
        """ADA (or NAb) incidence per arm (treatment-emergent by default, Wilson CIs) and differences."""
        with user_errors():
            if incidence not in ("treatment-emergent", "any-visit"):
                raise InputError(
                    f"unknown --incidence {incidence!r}; expected treatment-emergent or any-visit"
                )
            if not ada.is_file():
                raise DataFileError("file not found", file=str(ada), expected="an existing CSV file")
            check_csv_limits(ada)
            try:
                frame = pd.read_csv(ada, dtype=str, keep_default_na=False)
            except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
                raise DataFileError(f"cannot be read as CSV: {exc}", file=str(ada)) from exc
            te = None
            try:
                if incidence == "treatment-emergent":
                    te = treatment_emergent_ada(
                        frame, result=result, titre=titre, baseline=baseline, boost_fold=boost_fold, conf=conf
                    )
                    inc = ada_incidence(frame, result=result, conf=conf, overall=False)
                    inc_all = [inc, te.as_incidence()]
                else:
                    inc = ada_incidence(frame, result=result, conf=conf)
                    inc_all = [inc]
            except InputError as exc:
                raise DataFileError(str(exc), file=str(ada)) from exc
            parts = [i.to_frame().assign(table="incidence") for i in inc_all]
            if te is not None:
                parts.append(te.to_frame().assign(table="treatment-emergent"))
            if reference_arm is not None:
                for i in inc_all:
                    diff = incidence_difference(i, reference_arm=reference_arm, method=method, conf=conf)
                    parts.append(diff.to_frame().assign(table="difference"))
            table = pd.concat(parts, ignore_index=True).assign(incidence_definition=incidence)
            table = table.rename(columns=_OUTPUT_NAMES)
            write_frame_atomic(table, out)
            typer.echo(f"wrote {len(table)} rows to {out} ({incidence} ADA incidence)", err=True)

    @app.command("ci-diff-stratified")
    def ci_diff_stratified_command(
        strata: Path = typer.Option(..., help="CSV with columns stratum,x1,n1,x2,n2 (one row per stratum)."),
        method: str = typer.Option(
            "newcombe",
            help="newcombe (stratified Newcombe, CMH weights), mn (stratified Miettinen-Nurminen) or mh.",
        ),
        region: str = typer.Option(DEFAULT_REGION, help=_REGION_HELP),
        conf: float | None = typer.Option(None, help=_CONF_HELP),
        margin: float | None = typer.Option(None, help=_MARGIN_HELP),
        margin_lower: float | None = typer.Option(None, help="Lower equivalence margin (difference)."),
        margin_upper: float | None = typer.Option(None, help="Upper equivalence margin (difference)."),
        fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="json or table."),
    ) -> None:
        """Common difference p1 - p2 over strata (e.g. centres, a stratification factor), with its CI."""
        with user_errors():
            region = _check_region(region)
            level, text = region_level(region, conf)
            margins = _margins(margin, margin_lower, margin_upper)
            frame = read_table(strata, STRATA_COLUMNS)
            res = ci_difference_stratified(
                frame["x1"].to_numpy(), frame["n1"].to_numpy(),
                frame["x2"].to_numpy(), frame["n2"].to_numpy(), method=method, conf=level,
            )  # fmt: skip
            record: dict[str, Any] = {
                "diff": float(np.ravel(res.diff)[0]), "lower": float(np.ravel(res.ci_lower)[0]),
                "upper": float(np.ravel(res.ci_upper)[0]), "method": res.method, "n_strata": res.n_strata,
                "strata": ",".join(frame["stratum"].astype(str)),
                "weights": ",".join(f"{w:.6g}" for w in np.ravel(res.weights)),
            }  # fmt: skip
            if margins is not None:
                lo, hi = margins
                record["equivalent"] = bool(lo < record["lower"] and record["upper"] < hi)
                record["margin_lower"], record["margin_upper"] = lo, hi
            print_record(
                _state_level(record, region, level, text),
                fmt,
                f"Stratified difference of proportions, {text}",
            )
