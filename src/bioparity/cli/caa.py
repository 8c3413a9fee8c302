"""``bioparity tolerance-factor`` and ``bioparity caa``.

Contract (relied on by later tooling):

* ``tolerance-factor --n 10 --coverage 0.99 --confidence 0.95 [--side 2|1] [--method exact|howe|he]
  --format json`` prints one JSON object whose first key is ``k``;
* ``caa IN.csv [--catalogue attributes.yaml|.csv] --out RESULTS.csv [--plots DIR] [--plot-format png|svg]
  [--plan qr-2025|tiered-2017] [--region ema|fda] [--pool-references] [--oc-simulations N] [--seed S]``
  writes one row per attribute and comparison (method, statistic, limits, status, passed, reasons, plan,
  spread check, sensitivity analysis, lot minimums, operating characteristics, ...) and prints the
  plan, the bridge direction and the operating characteristics of each plan.

Bad input (unknown source label, an attribute with only one lot, a non-numeric value, ...) stops
before any output with an error naming the file, row and column; exit code 2.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from bioparity.cli.common import (
    OutputFormat,
    check_outputs,
    note_line,
    print_record,
    user_errors,
    write_result,
    wrote_rows,
)
from bioparity.cli.options import Format, PlotFormat, Seed, fraction_option, input_argument
from bioparity.errors import InputError
from bioparity.i18n import current_language, gettext_noop, ngettext
from bioparity.i18n import gettext as _
from bioparity.i18n.notes import note_text
from bioparity.i18n.printing import CAA_STATUS_WORDS, comparison_in

if TYPE_CHECKING:
    import pandas as pd

    from bioparity.caa import CAAResult

# The cores (pandas, SciPy stats, matplotlib) are imported inside the commands, so that
# `bioparity tolerance-factor` starts without them (issue #22).

CaaData = Annotated[
    Path,
    input_argument(gettext_noop("Long CSV: attribute,source,lot,value[,unit,tier,replicate,date,method].")),
]
Comparisons = Annotated[
    list[str] | None,
    typer.Option(
        help=gettext_noop("TEST:REFERENCE pair, repeatable (default: test vs each ref, then ref vs ref).")
    ),
]
Plan = Annotated[
    str | None,
    typer.Option(
        help=gettext_noop(
            "qr-2025 (default: quality range, k by tier, spread check, >= 10 lots) or tiered-2017 "
            "(old FDA 2017 tiers: tier 1 equivalence test); overrides the catalogue's plan."
        )
    ),
]
FilingRegion = Annotated[
    str | None,
    typer.Option(
        help=gettext_noop(
            "Region being filed: ema (other reference lots judged against ref-eu) or fda "
            "(against ref-us); default: alphabetical bridge, with a note."
        )
    ),
]
PoolReferences = Annotated[
    bool,
    typer.Option(
        "--pool-references",
        help=gettext_noop("Also test vs all reference lots pooled, where the bridge passed."),
    ),
]
#: Fewest simulated assessments for the operating characteristics (Monte Carlo SE <= 0.05).
MIN_OC_SIMULATIONS = 100
OcSimulations = Annotated[
    int,
    typer.Option(
        help=gettext_noop("Simulated assessments per plan for the operating characteristics (0 = skip).")
    ),
]
PotencyResults = Annotated[
    Path | None,
    typer.Option(
        help=gettext_noop(
            "'bioparity potency' results (samples named SOURCE:LOT): the lots' potency attribute."
        )
    ),
]

app = typer.Typer()


def _parse_comparison(text: str) -> tuple[str, str]:
    parts = [p.strip().lower() for p in text.replace(" vs ", ":").split(":")]
    if len(parts) != 2 or not all(parts):
        raise InputError(
            _("--comparison %(text)r: expected TEST_SOURCE:REFERENCE_SOURCE, e.g. test:ref-eu")
            % {"text": text}
        )
    return parts[0], parts[1]


def _oc_table(table: Any) -> Table:
    """One row per distinct plan and lot numbers: its operating characteristics."""
    from bioparity.caa.operating import plan_summary

    oc = Table(title=_("Operating characteristics: probability of passing (Monte Carlo SE <= shown)"))
    for name in (
        _("plan"),
        _("n test/ref"),
        _("rows"),
        _("equal"),
        _("+1 s_R"),
        _("+2 s_R"),
        _("2x SD"),
        _("MC SE"),
        _("equiv. type I"),
    ):
        oc.add_column(name, justify="right" if oc.columns else "left")
    for r in plan_summary(table).to_dict(orient="records"):
        shown = [float(r[c]) for c in ("oc_equal", "oc_shift_1sd", "oc_shift_2sd", "oc_sd_doubled")]
        type1, limit = float(r["oc_equivalence_type1"]), float(r["oc_equivalence_type1_limit"])
        oc.add_row(
            note_text(r["plan"]),  # the stored plan (note templates) in the reader's words
            f"{int(r['n_test'])}/{int(r['n_reference'])}",
            str(r["comparisons"]),
            *(f"{v:.3f}" for v in shown),
            f"{float(r['oc_mc_se_max']):.3f}",
            ""
            if math.isnan(type1)
            else _("%(type1)s (large-n %(limit)s)") % {"type1": f"{type1:.3f}", "limit": f"{limit:.3f}"},
        )
    return oc


def _spread_table(table: Any) -> Table:
    """Per comparison: how often a truly similar product fails a spread check, and at least one, by chance."""
    from bioparity.caa.operating import spread_familywise

    spread = Table(
        title=_(
            "Spread check failures by chance (test = reference; exact F distribution, attributes independent)"
        )
    )
    for name in (
        _("comparison"),
        _("spread checks"),
        _("P(one fails)"),
        _("expected failures"),
        _("P(>= 1 fails)"),
        _("P(>= 1 criterion fails)"),
    ):
        spread.add_column(name, justify="right" if spread.columns else "left")
    for r in spread_familywise(table).itertuples(index=False):
        rows = table[table["comparison"] == r.comparison]["oc_spread_false_failure"].dropna()
        low, high = f"{float(rows.min()):.3f}", f"{float(rows.max()):.3f}"
        spread.add_row(
            comparison_in(str(r.comparison), current_language()),
            str(r.spread_checks),
            low if low == high else f"{low}-{high}",
            f"{r.spread_expected_failures:.2f}",
            f"{r.spread_familywise:.3f}",
            f"{r.plan_familywise:.3f}",
        )
    return spread


@app.command(
    "tolerance-factor",
    help=gettext_noop("Normal tolerance factor k (R tolerance::K.factor; exact by default)."),
)
def tolerance_factor_command(
    n: Annotated[int, typer.Option(help=gettext_noop("Number of lots (observations), >= 2."))],
    coverage: Annotated[
        float, fraction_option(gettext_noop("Proportion of the population covered (0.99 = 99%)."))
    ] = 0.99,
    confidence: Annotated[float, fraction_option(gettext_noop("Confidence level (0.95 = 95%)."))] = 0.95,
    side: Annotated[int, typer.Option(help=gettext_noop("2 for mean ± k·SD, 1 for a one-sided bound."))] = 2,
    method: Annotated[
        str, typer.Option(help=gettext_noop("Two-sided: exact (default), howe (R HE2) or he (R HE)."))
    ] = "exact",
    fmt: Format = OutputFormat.table,
) -> None:
    with user_errors():
        from bioparity.caa.tolerance import tolerance_factor

        k = float(tolerance_factor(n, coverage, confidence, side=side, method=method))
        record: dict[str, Any] = {
            "k": k,
            "n": n,
            "coverage": coverage,
            "confidence": confidence,
            "side": side,
        }
        record["method"] = "exact (noncentral t)" if side == 1 else method.lower()
        print_record(record, fmt, _("Tolerance factor"))


@app.command(
    "caa",
    help=gettext_noop("Comparative analytical assessment: every attribute, every comparison."),
)
def caa_command(
    data: CaaData,
    catalogue: Annotated[
        Path | None,
        typer.Option(help=gettext_noop("Attribute catalogue (YAML or CSV); defaults when absent.")),
    ] = None,
    *,
    out: Annotated[
        Path, typer.Option(help=gettext_noop("Results CSV: one row per attribute and comparison."))
    ],
    plots: Annotated[
        Path | None, typer.Option(help=gettext_noop("Folder for one figure per attribute."))
    ] = None,
    plot_format: PlotFormat = "png",
    lots: Annotated[
        Path | None,
        typer.Option(help=gettext_noop("Also write the lot-level data (replicates averaged) here.")),
    ] = None,
    comparison: Comparisons = None,
    plan: Plan = None,
    region: FilingRegion = None,
    pool_references: PoolReferences = False,
    oc_simulations: OcSimulations = 10_000,
    seed: Seed = 20250909,
    potency: PotencyResults = None,
    potency_attribute: Annotated[
        str, typer.Option(help=gettext_noop("Attribute name for --potency values."))
    ] = "relative_potency",
) -> None:
    with user_errors():
        from bioparity.caa import assess, read_catalogue
        from bioparity.io import write_frame_atomic

        _check_caa_options(plot_format, oc_simulations)
        check_outputs(("--out", out), ("--lots", lots))
        frame = _caa_data(data, potency, potency_attribute)
        result = assess(
            frame, read_catalogue(catalogue) if catalogue is not None else None,
            [_parse_comparison(c) for c in comparison] if comparison else None, file=str(data), plan=plan,
            region=region, pool_references=pool_references, operating_characteristics=oc_simulations > 0,
            oc_simulations=max(oc_simulations, MIN_OC_SIMULATIONS), seed=seed,
        )  # fmt: skip
        options = {
            "command": "caa", "comparisons": [list(c) for c in result.comparisons], "plan": result.plan,
            "region": result.region, "pool_references": pool_references, "oc_simulations": oc_simulations,
            "seed": seed,
        }  # fmt: skip
        write_result(result.table, out, {"data": data, "catalogue": catalogue, "potency": potency}, options)
        if lots is not None:
            write_frame_atomic(result.lots, lots)
        written: list[Path] = []
        if plots is not None:
            from bioparity.report.static import write_caa_plots  # matplotlib only when plotting

            written = write_caa_plots(result, plots, fmt=plot_format)
        _print_caa_summary(result, data, oc_simulations > 0)
        Console(stderr=True).print(
            wrote_rows(len(result.table), out) + (_plots_note(len(written), plots) if written else "")
        )


def _check_caa_options(plot_format: str, oc_simulations: int) -> None:
    """Refuse an unknown ``--plot-format`` and an ``--oc-simulations`` between 0 and the minimum."""
    from bioparity.analyses.figures import PLOT_FORMATS

    if plot_format not in PLOT_FORMATS:
        raise InputError(_("--plot-format must be one of %(formats)s") % {"formats": ", ".join(PLOT_FORMATS)})
    if oc_simulations != 0 and oc_simulations < MIN_OC_SIMULATIONS:
        # never silently more than asked: the provenance records the number given
        raise InputError(
            _("--oc-simulations must be 0 (skip) or at least %(minimum)d; got %(got)d")
            % {"minimum": MIN_OC_SIMULATIONS, "got": oc_simulations}
        )


def _caa_data(data: Path, potency: Path | None, potency_attribute: str) -> pd.DataFrame:
    """The long table of ``caa``, with the lots' potency from a ``bioparity potency`` result appended."""
    import pandas as pd

    from bioparity.io.caa import read_long_table

    frame = read_long_table(data)
    if potency is None:
        return frame
    from bioparity.io.caa import read_potency_lots

    extra = read_potency_lots(potency, attribute=potency_attribute)
    return pd.concat([frame, extra], ignore_index=True)


def _plots_note(n: int, folder: Path | None) -> str:
    return ngettext(" and %(n)d plot to %(folder)s", " and %(n)d plots to %(folder)s", n) % {
        "n": n,
        "folder": folder,
    }


def _print_caa_summary(result: CAAResult, data: Path, operating_characteristics: bool) -> None:
    """Counts per comparison and status, the operating characteristics, failures, notes and warnings."""
    from bioparity.caa.results import STATUSES

    console = Console(stderr=True)
    summary = Table(
        title=ngettext(
            "CAA of %(file)s: %(n)d comparison", "CAA of %(file)s: %(n)d comparisons", len(result.table)
        )
        % {"file": data.name, "n": len(result.table)}
    )
    summary.add_column(_("comparison"))
    for status in STATUSES:
        summary.add_column(_(CAA_STATUS_WORDS[status]), justify="right")
    for name, group in result.table.groupby("comparison", sort=False):
        counts = group["status"].value_counts()
        label = comparison_in(str(name), current_language())
        summary.add_row(label, *[str(int(counts.get(s, 0))) for s in STATUSES])
    console.print(summary)
    if operating_characteristics:
        console.print(_oc_table(result.table))
        if result.table["oc_spread_false_failure"].notna().any():
            console.print(_spread_table(result.table))
    failing = result.attributes_with_status("fail")
    console.print(
        _("failing attributes: %(names)s") % {"names": ", ".join(failing) if failing else _("none")}
    )
    for note in result.notes:
        console.print(note_line(note), highlight=False)
