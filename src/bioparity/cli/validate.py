"""``bioparity validate``: operational qualification of the installed build, with a report for QA."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from bioparity.cli.common import user_errors
from bioparity.cli.progress import progress_bar
from bioparity.errors import InputError
from bioparity.validation import ValidationRun, run_validation, write_report


@contextmanager
def _quiet() -> Iterator[None]:
    yield


#: Exit status when any validation case fails (input errors exit with 2).
EXIT_VALIDATION_FAILED = 1

Areas = Annotated[
    str | None, typer.Option(help="Comma-separated areas (power,nca,be,caa,clinical); default all.")
]
ReferenceDir = Annotated[
    Path | None,
    typer.Option(help="Reference data to validate against (default: the installed copy).", hidden=True),
]

app = typer.Typer()


@app.command("validate")
def validate(
    out: Annotated[
        Path | None, typer.Option(help="Write the report here: .html (deterministic) or .pdf.")
    ] = None,
    area: Areas = None,
    reference_dir: ReferenceDir = None,
) -> None:
    """Re-run every reference case on this installation; exit 1 if any case fails."""
    with user_errors():
        if out is not None and out.suffix.lower() not in {".html", ".htm", ".pdf"}:
            raise InputError(f"--out must end in .html or .pdf; got {out.name!r}")
        with progress_bar("validating") as tick:
            run = run_validation(area.split(",") if area else None, reference_dir, progress=tick)
        console = Console()
        _print_summary(console, run)
        if out is not None:
            status = console.status(f"writing {out.name}") if console.is_terminal else _quiet()
            with status:
                write_report(run, out)
            console.print(f"report written to {out}")
        console.print("[green]PASS[/]" if run.passed else f"[red]FAIL[/]: {len(run.failures)} case(s) failed")
    if not run.passed:
        raise typer.Exit(EXIT_VALIDATION_FAILED)


def _print_summary(console: Console, run: ValidationRun) -> None:
    """Cases, passes, failures and time per area, then the first 20 failures."""
    table = Table(title=f"bioparity {run.software_version} validation")
    for column in ("area", "cases", "passed", "failed", "seconds"):
        table.add_column(column, justify="left" if column == "area" else "right")
    for s in run.summary:
        style = "green" if s.failed == 0 else "red"
        table.add_row(s.area, str(s.cases), str(s.passed), f"[{style}]{s.failed}[/]", f"{s.seconds:.2f}")
    console.print(table)
    for c in run.failures[:20]:
        console.print(
            f"[red]FAIL[/] {c.area} / {c.reference} / {c.case} / {c.quantity}: "
            f"expected {c.expected!r}, observed {c.observed!r} ({c.comparison} {c.tolerance:g})"
        )
