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
from bioparity.cli.options import Language
from bioparity.cli.progress import progress_bar
from bioparity.errors import InputError
from bioparity.i18n import chosen_language, gettext_noop, ngettext, use_language
from bioparity.i18n import gettext as _
from bioparity.validation import ValidationRun, run_validation, write_report
from bioparity.validation.coverage import FAIL, NO_CASE, PASS, status_words


@contextmanager
def _quiet() -> Iterator[None]:
    yield


#: Exit status when any validation case fails (input errors exit with 2).
EXIT_VALIDATION_FAILED = 1

Areas = Annotated[
    str | None,
    typer.Option(
        help=gettext_noop(
            "Comma-separated areas (power,nca,be,caa,clinical,stability,bioassay,potency); default all."
        )
    ),
]
ReferenceDir = Annotated[
    Path | None,
    typer.Option(
        help=gettext_noop("Reference data to validate against (default: the installed copy)."), hidden=True
    ),
]

app = typer.Typer()


@app.command(
    "validate",
    help=gettext_noop("Re-run every reference case on this installation; exit 1 if any case fails."),
)
def validate(
    out: Annotated[
        Path | None, typer.Option(help=gettext_noop("Write the report here: .html (deterministic) or .pdf."))
    ] = None,
    area: Areas = None,
    reference_dir: ReferenceDir = None,
    lang: Language = None,
) -> None:
    with user_errors(), use_language(chosen_language(lang)) as language:
        if out is not None and out.suffix.lower() not in {".html", ".htm", ".pdf"}:
            raise InputError(_("--out must end in .html or .pdf; got %(name)r") % {"name": out.name})
        with progress_bar(_("validating")) as tick:
            run = run_validation(area.split(",") if area else None, reference_dir, progress=tick)
        console = Console()
        _print_summary(console, run)
        if out is not None:
            status = (
                console.status(_("writing %(name)s") % {"name": out.name})
                if console.is_terminal
                else _quiet()
            )
            with status:
                write_report(run, out, language)
            console.print(
                _("report written to %(path)s (language %(language)s)") % {"path": out, "language": language}
            )
        console.print(
            "[green]" + _("PASS") + "[/]"
            if run.passed
            else "[red]"
            + _("FAIL")
            + "[/]: "
            + ngettext("%(n)d case failed", "%(n)d cases failed", len(run.failures))
            % {"n": len(run.failures)}
        )
    if not run.passed:
        raise typer.Exit(EXIT_VALIDATION_FAILED)


def _print_summary(console: Console, run: ValidationRun) -> None:
    """Cases, passes, failures and time per area, then the first 20 failures."""
    table = Table(title=_("bioparity %(version)s validation") % {"version": run.software_version})
    for column in (_("area"), _("cases"), _("passed"), _("failed"), _("seconds")):
        table.add_column(column, justify="right" if table.columns else "left")
    for s in run.summary:
        style = "green" if s.failed == 0 else "red"
        table.add_row(s.area, str(s.cases), str(s.passed), f"[{style}]{s.failed}[/]", f"{s.seconds:.2f}")
    console.print(table)
    _print_kinds(console, run)
    for c in run.failures[:20]:
        console.print(
            "[red]"
            + _("FAIL")
            + "[/] "
            + _("%(where)s: expected %(expected)r, observed %(observed)r (%(comparison)s %(tolerance)s)")
            % {
                "where": f"{c.area} / {c.reference} / {c.case} / {c.quantity}",
                "expected": c.expected,
                "observed": c.observed,
                "comparison": c.comparison,
                "tolerance": f"{c.tolerance:g}",
            }
        )


def _print_kinds(console: Console, run: ValidationRun) -> None:
    """Per registered analysis kind: the reference sets that cover it, their cases and the result."""
    table = Table(title=_("coverage per analysis kind"))
    for column in (_("kind"), _("reference sets"), _("cases"), _("passed"), _("result")):
        table.add_column(column, justify="right" if column in (_("cases"), _("passed")) else "left")
    for k in run.kinds:
        style = {PASS: "green", FAIL: "red", NO_CASE: "red"}.get(k.status, "yellow")
        table.add_row(
            k.kind,
            ", ".join(k.reference_sets) or "-",
            str(k.cases),
            str(k.passed),
            f"[{style}]{status_words(k.status)}[/]",
        )
    console.print(table)
    for k in run.kinds:
        if k.status == NO_CASE:
            console.print(
                "[red]"
                + _("analysis kind %(kind)s has no reference case: its numbers are not qualified")
                % {"kind": k.kind}
                + "[/]"
            )
