"""Shared command-line plumbing: error reporting, output formats, option parsing and result writers.

Messages for people are in the command's language (``bioparity --lang``, :mod:`bioparity.i18n`); results
(JSON, CSV, column names) are data and never translated.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.table import Table

from bioparity.errors import BioparityError, DataFileError, InputError, RuleFileError
from bioparity.fraction_text import fraction_value, percent_value
from bioparity.i18n import DEFAULT_LANGUAGE, current_language, ngettext
from bioparity.i18n import gettext as _
from bioparity.strict_json import dumps_strict

if TYPE_CHECKING:
    import pandas as pd

#: Exit code for invalid input (usage errors use Typer's 2 as well).
EXIT_INPUT_ERROR = 2


class OutputFormat(StrEnum):
    """How a command prints a single result."""

    json = "json"
    table = "table"


def error_text(exc: BioparityError) -> str:
    """The error as one line in the command's language: the framing (row, line, column, expected, ...)
    and the readers' usual problem texts (:mod:`bioparity.problems`) translated, as a web page shows them;
    the data (file, column names, values) as they are. Another error made from a note template (a unit
    or a design problem) is translated as a whole, as a page shows it."""
    if isinstance(exc, DataFileError):
        message = exc.message(_, _problem_words())
    elif isinstance(exc, RuleFileError):
        message = exc.message(_)
    else:
        message = _problem_words()(str(exc))
    return _("error: %(message)s") % {"message": message}


def _problem_words() -> Callable[[str], str]:
    """The translator of a reader's problem text in the command's language (the note templates; imported
    only for a language other than English, so an English error costs nothing more)."""
    if current_language() == DEFAULT_LANGUAGE:
        return str
    from bioparity.i18n.notes import note_text

    return note_text


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn a :class:`BioparityError` into a one-line message on stderr and exit code 2."""
    try:
        yield
    except BioparityError as exc:
        typer.echo(error_text(exc), err=True)
        raise typer.Exit(EXIT_INPUT_ERROR) from exc
    except Exception as exc:
        reason = _unreachable_database(exc)
        if reason is None:
            raise
        typer.echo(
            _(
                "error: cannot reach the database: %(reason)s; check --database-url or "
                "BIOPARITY_DATABASE_URL and that the database server is running and accepts connections"
            )
            % {"reason": reason},
            err=True,
        )
        raise typer.Exit(EXIT_INPUT_ERROR) from exc


def _unreachable_database(exc: Exception) -> str | None:
    """The driver's one-line reason when ``exc`` is SQLAlchemy failing to connect or to open the file."""
    if not type(exc).__module__.startswith("sqlalchemy"):
        return None  # sqlalchemy is imported only when a database command ran, so check the module first
    from sqlalchemy.exc import InterfaceError, OperationalError

    if not isinstance(exc, OperationalError | InterfaceError):
        return None
    text = str(exc.orig if exc.orig is not None else exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def missing_count_note(n: int) -> str:
    """``; 3 samples with a missing concentration excluded`` (the count alone: the rows not known)."""
    return ngettext(
        "; %(n)d sample with a missing concentration excluded",
        "; %(n)d samples with a missing concentration excluded",
        n,
    ) % {"n": n}


def wrote_rows(n: int, out: Path | str) -> str:
    """``wrote 12 rows to out.csv`` in the command's language."""
    return ngettext("wrote %(n)d row to %(path)s", "wrote %(n)d rows to %(path)s", n) % {"n": n, "path": out}


def note_line(note: object) -> str:
    """``note: NOTE`` in the command's language: a stored note of a template (:mod:`bioparity.i18n.notes`)
    translated as the web run page shows it, its values (runs, levels, numbers) as stored."""
    from bioparity.i18n.notes import note_text

    return _("note: %(note)s") % {"note": note_text(note)}


def echo_notes(notes: Iterable[object]) -> None:
    """Each note of a result on stderr (:func:`note_line`), after the result: stdout keeps the result."""
    for note in notes:
        typer.echo(note_line(note), err=True)


def warn(where: str, note: str) -> None:
    """``warning: WHERE: NOTE`` on stderr in the command's language (``note`` a stored note of a template,
    :mod:`bioparity.i18n.notes`; ``where`` an option or a file, as written)."""
    from bioparity.i18n.notes import note_text

    _warning(_("%(where)s: %(problem)s") % {"where": where, "problem": note_text(note)})


def warn_note(note: str) -> None:
    """``warning: NOTE`` on stderr in the command's language, for a note that names its source itself."""
    from bioparity.i18n.notes import note_text

    _warning(note_text(note))


def _warning(text: str) -> None:
    typer.echo(_("warning: %(warning)s") % {"warning": text}, err=True)


def warn_cv(option: str, *values: float) -> None:
    """Warn for each CV of ``option`` that looks typed as a percentage (30 for 0.30); the values are
    computed as given (:func:`bioparity.power.cv_check.cv_percent_warning`)."""
    from bioparity.power.cv_check import cv_percent_warning

    for value in values:
        note = cv_percent_warning(value)
        if note is not None:
            warn(option, note)


def fraction(text: str | float) -> float:
    """Typer ``parser`` of an option whose value is a fraction or a ratio (a CV, a limit, an alpha, a power,
    a confidence level, a rate, a margin of proportions): :func:`fraction_value`, its reason a usage error
    (``Invalid value for '--cv': 30% is a percentage; give a fraction: 0.3 for 30%``); the rule is
    :func:`bioparity.fraction_text.fraction_value`, the one of a run's options."""
    if isinstance(text, int | float):
        return float(text)  # a default
    try:
        return fraction_value(text)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None


def fractions(option: str, text: str, example: str = "0.35,0.40") -> list[float]:
    """The fractions of a comma-separated option (``0.35,0.40``), each read by :func:`fraction_value`;
    an :class:`~bioparity.errors.InputError` naming the option and the item otherwise."""
    try:
        return [fraction_value(item) for item in comma_list(text)]
    except ValueError as exc:
        raise InputError(
            _("%(option)s takes comma-separated fractions, e.g. %(example)s: %(reason)s")
            % {"option": option, "example": example, "reason": exc}
        ) from None


def percent(text: str | float) -> float:
    """Typer ``parser`` of an option whose unit is percent (``--max-aucpext 20``): a number, or the same
    number with a ``%`` sign (``20%`` is 20, the option's unit):
    :func:`bioparity.fraction_text.percent_value`, a usage error for anything else."""
    if isinstance(text, int | float):
        return float(text)
    try:
        return percent_value(text)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None


def print_record(record: dict[str, Any], fmt: OutputFormat, title: str) -> None:
    """Print one result as a JSON object or a two-column table."""
    if fmt is OutputFormat.json:
        print_json(record)
        return
    table = Table(title=title, show_header=False)
    table.add_column(_("quantity"), style="bold")
    table.add_column(_("value"))
    for key, value in record.items():
        table.add_row(key, f"{value:.6g}" if isinstance(value, float) else str(value))
    Console().print(table)


def need(value: Any, option: str) -> Any:
    """Fail with a usage message when a required option is missing (commands with a --grid alternative)."""
    if value is None:
        raise typer.BadParameter(
            _("%(option)s is required unless --grid is given") % {"option": option}, param_hint=option
        )
    return value


def print_json(record: Mapping[str, Any]) -> None:
    """Print one result as a single line of strict JSON on standard output: a non-finite number is
    ``null``, named in ``non_finite`` (:func:`~bioparity.strict_json.strict_json_record`)."""
    sys.stdout.write(dumps_strict(record) + "\n")


def comma_list(text: str) -> list[str]:
    """The items of a comma-separated option, stripped, blanks dropped (``"a, b,,c"`` -> a, b, c)."""
    return [item.strip() for item in text.split(",") if item.strip()]


def write_result(
    table: pd.DataFrame, out: Path, inputs: Mapping[str, Path | None], options: Mapping[str, Any]
) -> None:
    """Write a result table with the project's CSV writer and its ``OUT.provenance.json`` sidecar."""
    from bioparity.io import write_frame_atomic
    from bioparity.io.provenance import write_provenance

    write_frame_atomic(table, out)
    write_provenance(out, inputs, options)


def check_outputs(*targets: tuple[str, Path | None]) -> None:
    """Fail before any work when an output cannot be written: ``(option, path)`` pairs, None skipped."""
    from bioparity.io.tables_out import check_output_path

    for option, path in targets:
        if path is not None:
            check_output_path(path, option)


def check_choice(option: str, value: str, choices: Collection[str]) -> None:
    """Fail with ``unknown --option 'value'; expected one of ...`` when ``value`` is not a choice."""
    if value not in choices:
        raise InputError(f"unknown {option} {value!r}; expected one of {', '.join(choices)}")
