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
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from bioparity.cli.common import OutputFormat, print_record, user_errors
from bioparity.errors import InputError

# The cores (pandas, SciPy stats, matplotlib) are imported inside the commands, so that
# `bioparity tolerance-factor` starts without them (issue #22).


def _parse_comparison(text: str) -> tuple[str, str]:
    parts = [p.strip().lower() for p in text.replace(" vs ", ":").split(":")]
    if len(parts) != 2 or not all(parts):
        raise InputError(f"--comparison {text!r}: expected TEST_SOURCE:REFERENCE_SOURCE, e.g. test:ref-eu")
    return parts[0], parts[1]


def _oc_table(table: Any) -> Table:
    """One row per distinct plan and lot numbers: its operating characteristics."""
    from bioparity.caa.operating import plan_summary

    oc = Table(title="Operating characteristics: probability of passing (Monte Carlo SE <= shown)")
    for name in (
        "plan",
        "n test/ref",
        "rows",
        "equal",
        "+1 s_R",
        "+2 s_R",
        "2x SD",
        "MC SE",
        "equiv. type I",
    ):
        oc.add_column(name, justify="left" if name == "plan" else "right")
    for r in plan_summary(table).to_dict(orient="records"):
        shown = [float(r[c]) for c in ("oc_equal", "oc_shift_1sd", "oc_shift_2sd", "oc_sd_doubled")]
        type1, limit = float(r["oc_equivalence_type1"]), float(r["oc_equivalence_type1_limit"])
        oc.add_row(
            str(r["plan"]),
            f"{int(r['n_test'])}/{int(r['n_reference'])}",
            str(r["comparisons"]),
            *(f"{v:.3f}" for v in shown),
            f"{float(r['oc_mc_se_max']):.3f}",
            "" if math.isnan(type1) else f"{type1:.3f} (large-n {limit:.3f})",
        )
    return oc


def single_lot_passes(table: Any) -> list[str]:
    """Warnings for quality-range passes that rest on a single test lot (one lot says nothing of the spread).

    A quality range asks that a proportion of the *test lots* fall inside mean_R ± k·s_R (FDA, Development
    of Therapeutic Protein Biosimilars: Comparative Analytical Assessment, 2019, section V.C; EMA
    reflection paper EMA/CHMP/138502/2017, section 4.2): with one lot the proportion is 0 or 100 %.
    """
    rows = table[(table["method"] == "quality-range") & (table["n_test"] == 1) & (table["status"] == "pass")]
    return [
        f"{row.attribute} ({row.comparison}): quality range passed with a single test lot; "
        "the fraction inside the range rests on one lot, add lots before relying on it"
        for row in rows.itertuples()
    ]


def register(app: typer.Typer) -> None:
    """Add the CAA commands to the ``bioparity`` app."""

    @app.command("tolerance-factor")
    def tolerance_factor_command(
        n: int = typer.Option(..., help="Number of lots (observations), >= 2."),
        coverage: float = typer.Option(0.99, help="Proportion of the population covered (0.99 = 99%)."),
        confidence: float = typer.Option(0.95, help="Confidence level (0.95 = 95%)."),
        side: int = typer.Option(2, help="2 for mean ± k·SD, 1 for a one-sided bound."),
        method: str = typer.Option("exact", help="Two-sided: exact (default), howe (R HE2) or he (R HE)."),
        fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="json or table."),
    ) -> None:
        """Normal tolerance factor k (R tolerance::K.factor; exact by default)."""
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
            print_record(record, fmt, "Tolerance factor")

    @app.command("caa")
    def caa_command(
        data: Path = typer.Argument(
            ..., help="Long CSV: attribute,source,lot,value[,unit,tier,replicate,date,method]."
        ),
        catalogue: Path | None = typer.Option(
            None, help="Attribute catalogue (YAML or CSV); defaults when absent."
        ),
        out: Path = typer.Option(..., help="Results CSV: one row per attribute and comparison."),
        plots: Path | None = typer.Option(None, help="Folder for one figure per attribute."),
        plot_format: str = typer.Option("png", help="png or svg."),
        lots: Path | None = typer.Option(
            None, help="Also write the lot-level data (replicates averaged) here."
        ),
        comparison: list[str] | None = typer.Option(
            None, help="TEST:REFERENCE pair, repeatable (default: test vs each ref, then ref vs ref)."
        ),
        plan: str | None = typer.Option(
            None,
            help="qr-2025 (default: quality range, k by tier, spread check, >= 10 lots) or tiered-2017 "
            "(old FDA 2017 tiers: tier 1 equivalence test); overrides the catalogue's plan.",
        ),
        region: str | None = typer.Option(
            None,
            help="Region being filed: ema (other reference lots judged against ref-eu) or fda "
            "(against ref-us); default: alphabetical bridge, with a note.",
        ),
        pool_references: bool = typer.Option(
            False,
            "--pool-references",
            help="Also test vs all reference lots pooled, where the bridge passed.",
        ),
        oc_simulations: int = typer.Option(
            10_000, help="Simulated assessments per plan for the operating characteristics (0 = skip)."
        ),
        seed: int = typer.Option(20250909, help="Seed of the operating-characteristics simulation."),
        potency: Path | None = typer.Option(
            None, help="'bioparity potency' results (samples named SOURCE:LOT): the lots' potency attribute."
        ),
        potency_attribute: str = typer.Option(
            "relative_potency", help="Attribute name for --potency values."
        ),
    ) -> None:
        """Comparative analytical assessment: every attribute, every comparison."""
        with user_errors():
            import pandas as pd

            from bioparity.analyses.figures import PLOT_FORMATS
            from bioparity.caa import assess, read_catalogue
            from bioparity.caa.results import STATUSES
            from bioparity.io import write_frame_atomic
            from bioparity.io.caa import read_long_table
            from bioparity.io.provenance import write_provenance
            from bioparity.io.readers import require_utf8_text
            from bioparity.io.tables_out import check_output_path

            if plot_format not in PLOT_FORMATS:
                raise InputError(f"--plot-format must be one of {', '.join(PLOT_FORMATS)}")
            for option, path in (("--out", out), ("--lots", lots)):
                if path is not None:
                    check_output_path(path, option)
            frame = read_long_table(data)
            if catalogue is not None:
                require_utf8_text(catalogue)
            if potency is not None:
                from bioparity.caa.inputs import check_long_table
                from bioparity.caa.potency import read_potency_lot_values

                extra = read_potency_lot_values(potency, attribute=potency_attribute)
                frame = pd.concat([frame, check_long_table(extra, file=str(potency))], ignore_index=True)
            cat = read_catalogue(catalogue) if catalogue is not None else None
            pairs = [_parse_comparison(c) for c in comparison] if comparison else None
            result = assess(
                frame,
                cat,
                pairs,
                file=str(data),
                plan=plan,
                region=region,
                pool_references=pool_references,
                operating_characteristics=oc_simulations > 0,
                oc_simulations=max(oc_simulations, 100),
                seed=seed,
            )
            write_frame_atomic(result.table, out)
            write_provenance(
                out,
                {"data": data, "catalogue": catalogue, "potency": potency},
                {
                    "command": "caa",
                    "comparisons": [list(c) for c in result.comparisons],
                    "plan": result.plan,
                    "region": result.region,
                    "pool_references": pool_references,
                    "oc_simulations": oc_simulations,
                    "seed": seed,
                },
            )
            if lots is not None:
                write_frame_atomic(result.lots, lots)
            written: list[Path] = []
            if plots is not None:
                from bioparity.report.static import write_caa_plots  # matplotlib only when plotting

                written = write_caa_plots(result, plots, fmt=plot_format)
            console = Console(stderr=True)
            summary = Table(title=f"CAA of {data.name}: {len(result.table)} comparisons")
            summary.add_column("comparison")
            for status in STATUSES:
                summary.add_column(status, justify="right")
            for name, group in result.table.groupby("comparison", sort=False):
                counts = group["status"].value_counts()
                summary.add_row(str(name), *[str(int(counts.get(s, 0))) for s in STATUSES])
            console.print(summary)
            if oc_simulations > 0:
                console.print(_oc_table(result.table))
            failing = result.attributes_with_status("fail")
            console.print(f"failing attributes: {', '.join(failing) if failing else 'none'}")
            for note in result.notes:
                console.print(f"note: {note}", highlight=False)
            for warning in single_lot_passes(result.table):
                console.print(f"warning: {warning}", highlight=False)
            console.print(
                f"wrote {len(result.table)} rows to {out}"
                + (f" and {len(written)} plots to {plots}" if written else "")
            )
