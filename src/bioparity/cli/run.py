"""``bioparity run KIND FILE`` and ``bioparity kinds``: any analysis kind through its contract.

The kind's reader checks the file, its options schema converts and checks ``--option name=value``
(the same schema as the web form and the API), and its compute gives the result the workspace stores:
``--json`` prints exactly the stored result text (canonical JSON, the notes in its ``notes``), ``--out``
writes the result table (CSV, or the JSON result for a ``.json`` file). The result's notes (what the run
page lists under "Flags and notes") follow the result on stderr, one ``note: ...`` line each in the
command's language, as the kind-specific commands print them.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from bioparity.cli.common import echo_notes, user_errors, wrote_rows
from bioparity.cli.progress import ProgressBar, progress_bar
from bioparity.i18n import gettext as _
from bioparity.i18n import gettext_noop

if TYPE_CHECKING:
    from rich.table import Table as RichTable

    from bioparity.analyses.tables import Table as ReportTable

KindArg = Annotated[
    str,
    typer.Argument(
        metavar="KIND", help=gettext_noop("Analysis kind (see `bioparity kinds`), e.g. nca or caa.")
    ),
]
FileArg = Annotated[
    Path,
    typer.Argument(
        metavar="FILE",
        exists=True,
        dir_okay=False,
        readable=True,
        help=gettext_noop("Input file the kind reads."),
    ),
]
OptionArg = Annotated[
    list[str] | None,
    typer.Option(
        "--option",
        "-o",
        help=gettext_noop("An option of the kind as name=value (repeat for several; see `bioparity kinds`)."),
    ),
]
OutArg = Annotated[
    Path | None,
    typer.Option(
        "--out", help=gettext_noop("Write the result table as CSV (or the whole result to a .json file).")
    ),
]
JsonArg = Annotated[
    bool, typer.Option("--json", help=gettext_noop("Print the result as the workspace stores it (JSON)."))
]


def option_values(kind: str, items: list[str]) -> dict[str, Any]:
    """``name=value`` texts as the options a run of ``kind`` uses (typed, checked, defaults filled)."""
    from bioparity.analyses.registry import effective_options, get_analysis, parse_options
    from bioparity.errors import InputError

    texts: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise InputError(_("--option %(item)r: expected name=value, e.g. method=exact") % {"item": item})
        texts[name.strip()] = value
    analysis = get_analysis(kind)
    return effective_options(analysis, parse_options(analysis, texts))


def run_kind(
    kind: str, file: Path, options: dict[str, Any], bar: ProgressBar | None = None
) -> dict[str, Any]:
    """Read ``file`` with the kind's reader and compute (the workspace's run, without the store);
    ``bar`` is told of each step."""
    from bioparity.analyses.registry import get_analysis

    analysis = get_analysis(kind)
    frame = analysis.read(file)
    if bar is not None:
        bar.stage(f"computing {kind} on {len(frame):,} rows")
    return dict(analysis.compute(frame, options))


def _print_tables(kind: str, result: dict[str, Any], options: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.measure import Measurement
    from rich.table import Table as RichTable

    from bioparity.analyses.format import fmt_value
    from bioparity.analyses.frames import has_table
    from bioparity.analyses.terms import labelled
    from bioparity.report.tables import run_tables

    console = Console()
    if not has_table(result):  # the record's scalars under their labels, as the reports print them
        for label, value in labelled(result):
            if isinstance(value, (str, int, float, bool)) or value is None:
                console.print(f"{label}: {fmt_value(value)}", markup=False, highlight=False)
        return
    for table in run_tables(kind, result["columns"], result["rows"], options).main:
        shown = RichTable(title=table.title, caption=table.note or None)
        for column, numeric in zip(table.columns, table.numeric, strict=True):
            shown.add_column(column, justify="right" if numeric else "left")
        for row in table.rows:
            shown.add_row(*row)
        # the narrowest it prints with every word whole (measured unbounded: rich clamps to the width)
        fits = Measurement.get(console, console.options.update_width(10**6), shown).minimum <= console.width
        console.print(shown if fits else _vertical(table))


def _vertical(table: ReportTable) -> RichTable:
    """A table too wide for the terminal (a column would be cut to a few characters: "Pur…", "25.…") as
    one block per row, a line per column (``header  value``, as psql's expanded display), every cell whole at
    any width and in any language; a rule between the blocks, the note under the table from the left."""
    from rich.table import Table as RichTable

    shown = RichTable(
        title=table.title, caption=table.note or None, caption_justify="left", show_header=False, expand=True
    )
    shown.add_column(style="bold", overflow="fold")
    shown.add_column(overflow="fold", ratio=1)  # the values take the width the headers leave
    for row in table.rows:
        for i, (column, value) in enumerate(zip(table.columns, row, strict=True)):
            shown.add_row(column, value, end_section=i == len(row) - 1)
    return shown


def _write(out: Path, result: dict[str, Any]) -> str:
    from bioparity.analyses.frames import result_frame
    from bioparity.audit.chain import canonical_json
    from bioparity.io.tables_out import csv_bytes

    if out.suffix.lower() == ".json":
        out.write_text(canonical_json(result) + "\n", encoding="utf-8")
        return _("wrote the result to %(path)s") % {"path": out}
    table = result_frame(result)  # InputError when the result has no table
    out.write_bytes(csv_bytes(table))
    return wrote_rows(len(table), out)


def run_command(
    kind: KindArg, file: FileArg, option: OptionArg = None, out: OutArg = None, json_output: JsonArg = False
) -> None:
    with user_errors():
        from bioparity.analyses.registry import get_analysis
        from bioparity.audit.chain import canonical_json

        options = option_values(kind, option or [])
        with progress_bar(f"reading {file.name}") as bar:
            result = run_kind(kind, file, options, bar)
            if out is not None:
                bar.stage(f"writing {out.name}")
            written = _write(out, result) if out is not None else ""
        if json_output:
            sys.stdout.write(canonical_json(result) + "\n")  # the notes are its ``notes``
        else:
            analysis = get_analysis(kind)
            typer.echo(analysis.summary(result, options))
            statement = analysis.statement(result, options)  # the acceptance rule and its source (be)
            if statement:
                typer.echo(statement)
            _print_tables(kind, result, options)
        echo_notes(result.get("notes") or [])  # decisions, warnings, rows left out: as the run page
        if written:
            typer.echo(written, err=json_output)


def kinds_command(json_output: JsonArg = False) -> None:
    import json

    from bioparity.analyses.registry import all_analyses

    kinds = all_analyses()
    if json_output:
        sys.stdout.write(json.dumps([k.schema() for k in kinds.values()], indent=2) + "\n")
        return
    for k in kinds.values():
        typer.echo(f"{k.name}: {k.description}")
        if k.columns:
            columns = ", ".join(c.name + ("" if c.required else "?") for c in k.columns)
            typer.echo("  " + _("columns: %(columns)s") % {"columns": columns})
        if k.follows:
            typer.echo("  " + _("takes the result table of: %(kinds)s") % {"kinds": ", ".join(k.follows)})
        for o in k.options:
            accepted = o.type if o.choices is None else " | ".join(o.text(c) or "''" for c in o.choices)
            typer.echo(f"  -o {o.name}={o.text(o.default)}  [{accepted}]  {o.help}")
        typer.echo("")


def register(app: typer.Typer) -> None:
    app.command(
        "run",
        help=gettext_noop(
            "Run any analysis kind on a file: the same reader, options and numbers as the workspace."
        ),
    )(run_command)
    app.command(
        "kinds",
        help=gettext_noop(
            "List the analysis kinds with their options (type, default, choices) and input columns."
        ),
    )(kinds_command)
