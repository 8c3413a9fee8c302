"""``bioparity demo``: the demonstration program (and the planning tables of a PK similarity study).

* ``bioparity demo`` prints the planning tables (sample sizes over CV x ratio, a power curve) and what the
  demo program contains;
* ``--out FOLDER`` also writes the synthetic data files (same seed, same bytes);
* ``--load`` puts the demo program into the workspace store (idempotent) and prints the demo users and
  their passwords; ``make run`` does this and then starts ``bioparity serve``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import numpy as np
import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from bioparity import __version__
from bioparity.cli.common import user_errors
from bioparity.cli.options import DatabaseUrl
from bioparity.i18n import gettext as _
from bioparity.i18n import gettext_noop
from bioparity.power import power_tost, sample_size_tost

app = typer.Typer()


def _planning(console: Console) -> None:
    console.rule(_("bioparity %(version)s: planning a PK similarity study") % {"version": __version__})
    console.print(
        _(
            "Parallel design (mAb, long half-life), pairwise comparisons test vs EU-ref, test vs US-ref and\n"
            "EU-ref vs US-ref; 90% CI of the GMR within 80.00-125.00%; exact TOST power (Owen's Q).\n"
        )
    )
    cvs = np.array([0.20, 0.25, 0.30, 0.35, 0.40, 0.45])
    ratios = np.array([0.95, 0.975, 1.0, 1.05])
    res = sample_size_tost(design="parallel", cv=cvs[:, None], theta0=ratios[None, :], target_power=0.90)
    table = Table(title=_("Total subjects per pairwise comparison for 90% power (parallel, total CV)"))
    table.add_column(_("total CV"))
    for r in ratios:
        table.add_column(f"GMR {r:.3f}", justify="right")
    for i, cv in enumerate(cvs):
        table.add_row(
            f"{cv:.0%}", *[f"{int(res.n[i, j])} ({res.power[i, j]:.3f})" for j in range(len(ratios))]
        )
    console.print(table)
    from bioparity.power.multi_arm import sample_size_pk_similarity

    joint = sample_size_pk_similarity(cv=0.35, ratios=(0.95, 1.0, 1.0), target_power=0.90, dropout=0.10)
    console.print(
        "\n"
        + _(
            "At CV 35%% and GMR 0.95: %(single)d subjects per single comparison. With all three "
            "comparisons required to pass (true test/ref 0.95, EU-ref/US-ref 1.00; Welch intervals; joint "
            "power %(power)s, Monte Carlo SE %(se)s, %(n_sim)s simulated studies, seed %(seed)s): "
            "%(per_arm)d completers per arm (%(total)d in total), %(enrolled)d enrolled per arm "
            "(%(enrolled_total)d in total) for %(dropout)s dropout; 90%% CI within 80.00-125.00%%."
        )
        % {
            "single": int(res.n[3, 0]),
            "power": f"{joint.power:.3f}",
            "se": f"{joint.power_se:.4f}",
            "n_sim": f"{joint.n_sim:,}",
            "seed": joint.seed,
            "per_arm": joint.n_per_arm,
            "total": joint.n_total,
            "enrolled": joint.enrolled_per_arm,
            "enrolled_total": joint.enrolled_total,
            "dropout": f"{joint.dropout:.0%}",
        }
        + "\n"
    )
    ns = np.arange(40, 241, 40)
    curve = power_tost(design="parallel", cv=0.35, theta0=0.95, n=ns)
    table = Table(title=_("Power curve, CV 35%, GMR 0.95"))
    table.add_column(_("total n"), justify="right")
    table.add_column(_("power"), justify="right")
    for n, p in zip(ns, curve.power, strict=True):
        table.add_row(str(n), f"{p:.4f}")
    console.print(table)


def _users_table() -> Table:
    from bioparity.demo import DEMO_USERS

    table = Table(title=_("Demo users (local demonstration only; change nothing real with these passwords)"))
    for col in (_("user"), _("password"), _("organisation"), _("role")):
        table.add_column(col, no_wrap=True)
    table.add_column(_("can"))
    for u in DEMO_USERS:
        table.add_row(u.username, u.password, u.organisation, u.role, u.does)
    return table


@app.command(
    "demo",
    help=gettext_noop(
        "The demo program: an IgG1 mAb biosimilar with EU and US reference (synthetic, seeded)."
    ),
)
def demo(
    load: Annotated[
        bool, typer.Option("--load", help=gettext_noop("Load the demo program into the workspace store."))
    ] = False,
    out: Annotated[
        Path | None, typer.Option(help=gettext_noop("Also write the synthetic data files into this folder."))
    ] = None,
    database_url: DatabaseUrl = None,
    quiet: Annotated[bool, typer.Option(help=gettext_noop("Skip the planning tables."))] = False,
) -> None:
    from bioparity.demo import SEED

    console = Console()
    if not quiet:
        _planning(console)
    console.print(
        "\n"
        + _(
            "Demo program (seed %(seed)s): MB-201, IgG1 mAb candidate vs EU and US reference; developer "
            "Meridian Biosimilars and CMC partner Castor CMC Services; three-arm PK study PK-101 "
            "(201 subjects, one-compartment model) -> NCA -> PK similarity; CAA of 26 attributes; "
            "a power calculation."
        )
        % {"seed": SEED}
    )
    if out is not None:
        _write_files(console, out)
    if not load:
        console.print(_("Load it into the workspace with: bioparity demo --load  (then: bioparity serve)"))
        return
    _load(console, database_url)
    console.print(_users_table())
    console.print(_("Start the workspace with `bioparity serve` and open http://127.0.0.1:8000/ ."))


def _write_files(console: Console, out: Path) -> None:
    """The synthetic data files of the demo program (same seed, same bytes)."""
    from bioparity.demo import pk_concentrations, power_grid
    from bioparity.io import atomic_write_text

    out.mkdir(parents=True, exist_ok=True)
    atomic_write_text(out / "pk101-concentrations.csv", pk_concentrations().to_csv(index=False))
    atomic_write_text(out / "planning-grid.csv", power_grid().to_csv(index=False))
    console.print(
        _("wrote %(first)s and %(second)s")
        % {"first": out / "pk101-concentrations.csv", "second": out / "planning-grid.csv"}
    )


def _load(console: Console, database_url: str | None) -> None:
    """Put the demo program into the workspace store (idempotent), with a spinner while it loads."""
    from bioparity.demo import load_demo
    from bioparity.store import make_engine

    with user_errors():
        engine = make_engine(database_url)
        with Progress(
            SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=console
        ) as progress:
            task = progress.add_task(_("loading the demo program"), total=None)

            def step(message: str) -> None:
                progress.update(task, description=_("loading the demo program: %(step)s") % {"step": message})

            summary = load_demo(engine, progress=step)
        engine.dispose()
    where = engine.url.render_as_string(hide_password=True)
    if summary.already_loaded:
        console.print(_("The demo program is already in %(where)s; nothing changed.") % {"where": where})
    else:
        console.print(
            _("Loaded the demo program into %(where)s (%(n)d analyses).")
            % {"where": where, "n": len(summary.runs)}
        )
