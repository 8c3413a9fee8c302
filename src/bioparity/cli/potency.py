"""``bioparity potency IN --model 4pl|5pl|parallel-line|slope-ratio --out RESULTS.csv``: relative potency.

Contract (issue #19):

* IN is CSV or XLSX in long form, one row per response: ``assay,sample,dose,replicate,response``
  (+ optional ``block``/``row``/``column``); other names mapped with ``--assay/--sample/--dose/
  --replicate/--response/--block/--row/--column``. The sample ``standard`` is the reference standard;
  every other sample is a test preparation, analysed against the standard of its own assay.
* OUT has one row per assay and test sample: ``assay, sample, model, relative_potency, ci_lower,
  ci_upper`` (``--conf-level``, 95% by default), ``ci_method``, the fitted parameters (``param_*``),
  the Ph. Eur. 5.3 significance tests (``ph_eur_p_*``, ``similarity_ph_eur``), the USP <1032>
  equivalence measures with their CIs and margins (``equiv_*``, ``similarity_usp1032``), suitability
  and ``flags``. Default fit: unweighted least squares on the response scale, natural-log dose; the
  4PL/5PL parallel model shares the asymptotes and slope (and asymmetry), the test shifted on log dose;
  the parallel-line and slope-ratio CIs are Fieller's. ``--transform log`` analyses ln(response);
  parallel-line fits all test samples of an assay jointly (Ph. Eur. multiple assay) unless ``--pairwise``.
* ``--equivalence-margins FILE``: CSV ``measure,lower,upper`` (measures: slope_ratio,
  lower_asymptote_difference, upper_asymptote_difference, parallelism_ss, intercept_difference).
* ``--combine`` adds one row per test sample with ``assay = combined``: the Ph. Eur. 5.3 section 6
  combination over its assays (weighted when homogeneous, else semi-weighted; all three given).
* The CSV is written with the project's writer and an ``OUT.provenance.json`` sidecar. Bad input stops
  before any output, naming file, row and column (exit code 2).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from bioparity.cli.common import check_outputs, user_errors, write_result
from bioparity.cli.options import fraction_option, input_argument
from bioparity.i18n import gettext as _
from bioparity.i18n import gettext_noop

if TYPE_CHECKING:
    from bioparity.potency import PotencyTable

Margins = Annotated[
    Path | None, typer.Option(help=gettext_noop("CSV measure,lower,upper: USP <1032> equivalence margins."))
]
Pairwise = Annotated[
    bool,
    typer.Option(
        "--pairwise", help=gettext_noop("Parallel-line: fit each test with the standard alone (not jointly).")
    ),
]
In = Annotated[Path, input_argument(gettext_noop("Long CSV/XLSX: assay,sample,dose,replicate,response."))]
Combine = Annotated[
    bool, typer.Option("--combine", help=gettext_noop("Add the combination of assays per sample."))
]
CombineMethod = Annotated[
    str, typer.Option(help=gettext_noop("auto, weighted, semi-weighted or unweighted."))
]
Transform = Annotated[
    str, typer.Option(help=gettext_noop("Response transformation before fitting: none or log."))
]
MinR2 = Annotated[
    float | None,
    typer.Option(help=gettext_noop("Suitability: minimum R2 of the unconstrained model (0 to 1).")),
]
MaxCiRatio = Annotated[
    float | None, typer.Option(help=gettext_noop("Suitability: maximum CI upper/lower ratio."))
]
ConfLevel = Annotated[
    float, fraction_option(gettext_noop("Confidence level of the potency CI (0.95 for 95%)."))
]
TestAlpha = Annotated[
    float, fraction_option(gettext_noop("Level of the Ph. Eur. 5.3 significance tests (0.05 for 5%)."))
]
EquivalenceLevel = Annotated[
    float, fraction_option(gettext_noop("Confidence level of the equivalence CIs (0.90 for 90%)."))
]

AssayColumn = Annotated[str, typer.Option(help=gettext_noop("Assay (plate) column."))]
SampleColumn = Annotated[
    str, typer.Option(help=gettext_noop("Sample column ('standard' = reference standard)."))
]
DoseColumn = Annotated[str, typer.Option(help=gettext_noop("Dose column (nominal, standard's units)."))]
ReplicateColumn = Annotated[str, typer.Option(help=gettext_noop("Replicate column."))]
ResponseColumn = Annotated[str, typer.Option(help=gettext_noop("Response column."))]
BlockColumn = Annotated[
    str, typer.Option(help=gettext_noop("Block column (optional; randomised block design)."))
]
RowColumn = Annotated[
    str, typer.Option(help=gettext_noop("Row column (optional; Latin square with --column)."))
]
ColumnColumn = Annotated[str, typer.Option(help=gettext_noop("Column column (optional; Latin square)."))]

app = typer.Typer()


@app.command(
    "potency",
    help=gettext_noop("Relative potency bioassay: parallel-line, slope-ratio or 4PL/5PL parallel model."),
)
def potency_command(
    infile: In,
    model: Annotated[str, typer.Option(help=gettext_noop("4pl, 5pl, parallel-line or slope-ratio."))],
    out: Annotated[Path, typer.Option(help=gettext_noop("Results CSV: one row per assay and test sample."))],
    conf_level: ConfLevel = 0.95,
    equivalence_margins: Margins = None,
    combine: Combine = False,
    combine_method: CombineMethod = "auto",
    alpha: TestAlpha = 0.05,
    transform: Transform = "none",
    pairwise: Pairwise = False,
    equivalence_level: EquivalenceLevel = 0.90,
    min_r2: MinR2 = None,
    max_ci_ratio: MaxCiRatio = None,
    assay: AssayColumn = "assay",
    sample: SampleColumn = "sample",
    dose: DoseColumn = "dose",
    replicate: ReplicateColumn = "replicate",
    response: ResponseColumn = "response",
    block: BlockColumn = "block",
    row: RowColumn = "row",
    column: ColumnColumn = "column",
) -> None:
    with user_errors():
        import pandas as pd

        from bioparity.io.potency import read_equivalence_margins, read_potency_table

        check_outputs(("--out", out))
        from bioparity.potency import AnalysisOptions, analyse
        from bioparity.potency.suitability import SuitabilityCriteria

        options = AnalysisOptions(
            model=model.lower(), conf_level=conf_level, alpha=alpha, equivalence_level=equivalence_level,
            margins=read_equivalence_margins(equivalence_margins) if equivalence_margins is not None else {},
            suitability=SuitabilityCriteria(min_r_squared=min_r2, max_ci_ratio=max_ci_ratio),
            transform=transform.lower(), joint=not pairwise,
        )  # fmt: skip
        names = {
            "assay": assay, "sample": sample, "dose": dose, "replicate": replicate, "response": response,
            "block": block, "row": row, "column": column,
        }  # fmt: skip
        log_dose = options.model != "slope-ratio"  # a dose 0 is refused at its row for a log-dose model
        table = analyse(read_potency_table(infile, names, log_dose=log_dose), options)
        combined = _combination(table, combine, conf_level, combine_method)
        parts = [table.to_frame(), *([pd.DataFrame(combined)] if combined else [])]
        result = pd.concat(parts, ignore_index=True)
        settings: dict[str, Any] = {
            "model": options.model, "conf_level": conf_level, "alpha": alpha,
            "equivalence_level": equivalence_level, "transform": options.transform,
            "joint": options.settings()["joint"], "combine": combine, "combine_method": combine_method,
            "columns": names, "min_r2": min_r2, "max_ci_ratio": max_ci_ratio,
        }  # fmt: skip
        write_result(result, out, {"data": infile, "equivalence_margins": equivalence_margins}, settings)
        _echo_estimates(table)
        _echo_combined(combined, conf_level)  # nothing without --combine
        typer.echo(_("wrote %(path)s") % {"path": out})


def _combination(table: PotencyTable, combine: bool, conf_level: float, method: str) -> list[dict[str, Any]]:
    """The ``assay = combined`` rows of ``--combine`` (Ph. Eur. 5.3 section 6); none without it."""
    from bioparity.potency.combine import combine_estimates

    return combine_estimates(table.estimates, conf_level=conf_level, method=method) if combine else []


def _echo_estimates(table: PotencyTable) -> None:
    """One line per assay and test sample: potency (a ratio, also as % of the standard), its CI with the
    level, the two similarity verdicts and any flags, in the command's language (the CSV keeps the codes)."""
    from bioparity.analyses.terms import term

    for e in table.estimates:
        typer.echo(
            _(
                "assay %(assay)s sample %(sample)s: RP %(rp)s (test/standard ratio, no unit: "
                "%(percent)s%% of the standard), %(level)s%% CI [%(lower)s, %(upper)s] Ph.Eur. %(ph_eur)s, "
                "USP<1032> %(usp)s"
            )
            % {
                "assay": e.assay,
                "sample": e.sample,
                "rp": f"{e.relative_potency:.4g}",
                "percent": f"{100 * e.relative_potency:.4g}",
                "level": f"{100 * e.conf_level:g}",
                "lower": f"{e.ci_lower:.4g}",
                "upper": f"{e.ci_upper:.4g}",
                "ph_eur": term(e.similarity.significance_verdict),
                "usp": term(e.similarity.equivalence_verdict),
            }
            + _flags(e.flags)
        )


def _echo_combined(rows: list[dict[str, Any]], conf_level: float) -> None:
    """One line per combined sample (Ph. Eur. 5.3 section 6): the estimator, the number of assays, the
    potency with its CI and the flags (assays left out, heterogeneity); before, only the CSV had it. The
    estimator in the command's language (the CSV keeps its code)."""
    from bioparity.analyses.terms import value_words

    for r in rows:
        flags = tuple(f for f in str(r.get("flags", "")).split("; ") if f)
        if "n_assays" not in r:
            typer.echo(_("combined sample %(sample)s: no estimate") % {"sample": r["sample"]} + _flags(flags))
            continue
        rp = r["relative_potency"]
        typer.echo(
            _(
                "combined sample %(sample)s over %(n)s assays (%(method)s): RP %(rp)s (%(percent)s%% of the "
                "standard), %(level)s%% CI [%(lower)s, %(upper)s]"
            )
            % {
                "sample": r["sample"],
                "n": r["n_assays"],
                "method": value_words("combine_method", r["combination_method"]),
                "rp": f"{rp:.4g}",
                "percent": f"{100 * rp:.4g}",
                "level": f"{100 * conf_level:g}",
                "lower": f"{r['ci_lower']:.4g}",
                "upper": f"{r['ci_upper']:.4g}",
            }
            + _flags(flags)
        )


def _flags(flags: tuple[str, ...]) -> str:
    """`` FLAGS: ...`` with each stored flag in the command's language (the CSV keeps the English)."""
    from bioparity.i18n.notes import note_text

    return " " + _("FLAGS: %(flags)s") % {"flags": "; ".join(note_text(f) for f in flags)} if flags else ""
