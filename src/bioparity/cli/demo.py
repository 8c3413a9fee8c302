"""``bioparity demo``: a guided tour of the engines on a typical biosimilar PK similarity plan."""

from __future__ import annotations

import numpy as np
import typer
from rich.console import Console
from rich.table import Table

from bioparity import __version__
from bioparity.power import power_tost, sample_size_tost


def register(app: typer.Typer) -> None:
    """Add the ``demo`` command."""

    @app.command("demo")
    def demo() -> None:
        """Plan a three-arm mAb PK similarity study: sample sizes over CV x ratio and a power curve."""
        console = Console()
        console.rule(f"bioparity {__version__}: planning a PK similarity study")
        console.print(
            "Parallel design (mAb, long half-life), pairwise comparisons test vs EU-ref, test vs US-ref and\n"
            "EU-ref vs US-ref; 90% CI of the GMR within 80.00-125.00%; exact TOST power (Owen's Q).\n"
        )
        cvs = np.array([0.20, 0.25, 0.30, 0.35, 0.40, 0.45])
        ratios = np.array([0.95, 0.975, 1.0, 1.05])
        res = sample_size_tost(design="parallel", cv=cvs[:, None], theta0=ratios[None, :], target_power=0.90)
        table = Table(title="Total subjects per pairwise comparison for 90% power (parallel, total CV)")
        table.add_column("total CV")
        for r in ratios:
            table.add_column(f"GMR {r:.3f}", justify="right")
        for i, cv in enumerate(cvs):
            table.add_row(
                f"{cv:.0%}", *[f"{int(res.n[i, j])} ({res.power[i, j]:.3f})" for j in range(len(ratios))]
            )
        console.print(table)
        n_per_arm = int(res.n[3, 0]) // 2
        console.print(
            f"\nAt CV 35% and GMR 0.95: {int(res.n[3, 0])} subjects per comparison, i.e. {n_per_arm} per arm "
            f"and {3 * n_per_arm} in a three-arm study (before dropouts).\n"
        )
        ns = np.arange(40, 241, 40)
        curve = power_tost(design="parallel", cv=0.35, theta0=0.95, n=ns)
        table = Table(title="Power curve, CV 35%, GMR 0.95")
        table.add_column("total n", justify="right")
        table.add_column("power", justify="right")
        for n, p in zip(ns, curve.power, strict=True):
            table.add_row(str(n), f"{p:.4f}")
        console.print(table)
        console.print(
            "\nTry: bioparity samplesize --design 2x2 --cv 0.3 --theta0 0.95 --target-power 0.8 --format json"
        )
