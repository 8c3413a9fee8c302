"""Click's own usage messages (``Invalid value for '--cv': ...``, ``Missing option '--sd1'.``) in the
command's language.

Typer 0.2x vendors Click (``typer._click``) with its messages as plain f-strings: they cannot go through
gettext (Click's own ``gettext`` marks are gone), so a zh-CN user read Click's English around bioparity's
Chinese reason (``Invalid value for '--cv': 30% 是百分数``). :meth:`bioparity.cli.main.LazyGroup.invoke`
therefore words the usage errors a user meets (:data:`CLICK_MESSAGES`: the formatted English message is
matched and said again from the catalogue) while the command's language is still chosen; Typer prints
the error after the command's context has closed. Typer's own words around the message (the panel title
"Error", the "Try ... for help." line: :data:`TYPER_WORDS`, constants of ``typer.rich_utils`` that Typer
reads when it prints the error) are set with it (:func:`frame_in_words`), and the "Usage: " line's prefix
(a literal default of the vendored Click's ``HelpFormatter.write_usage``) through the error's context's
``formatter_class``; :meth:`bioparity.cli.main.LazyGroup.main` puts Typer's English back when the command
ends, so that the next command in the same process (tests, one Python session) starts in English.

A help page (``--help``) is in the command's language the same way (:func:`help_in_words`, around Typer's
``format_help``): Typer's headings and notes (:data:`HELP_WORDS`: "Arguments", "Options", "Commands",
"[default: ...]", "[required]"), the help option's own "Show this message and exit." (a literal of the
vendored Click's ``help_option``), the "Usage: " prefix, and the help texts of the command, of its options
and of the commands it lists, each marked with ``gettext_noop`` where it is declared and looked up in the
catalogue while the page is printed; all are put back when the page is printed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from rich.cells import cell_len, chop_cells
from rich.console import Console, JustifyMethod, OverflowMethod
from rich.containers import Lines
from rich.text import Text
from typer import rich_utils
from typer._click.core import Command, Context, Parameter
from typer._click.exceptions import UsageError
from typer._click.formatting import HelpFormatter
from typer.core import TyperGroup

from bioparity.i18n import DEFAULT_LANGUAGE, current_language, gettext, gettext_noop

#: Click's usage messages (as Typer's vendored Click formats them) -> the same in words of the catalogue,
#: their parts by name (an option's hint, the reason, the possible options).
CLICK_MESSAGES: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(r"Invalid value for (?P<option>.+?): (?P<reason>.*)", re.S),
        gettext_noop("Invalid value for %(option)s: %(reason)s"),
    ),
    (re.compile(r"Missing option (?P<option>.+)\.", re.S), gettext_noop("Missing option %(option)s.")),
    (re.compile(r"Missing argument (?P<option>.+)\.", re.S), gettext_noop("Missing argument %(option)s.")),
    (
        re.compile(r"No such option: (?P<option>\S+) \(Possible options: (?P<options>.*)\)", re.S),
        gettext_noop("No such option: %(option)s (possible options: %(options)s)"),
    ),
    (re.compile(r"No such option: (?P<option>\S+)", re.S), gettext_noop("No such option: %(option)s")),
    (
        re.compile(r"Got unexpected extra arguments? \((?P<arguments>.*)\)", re.S),
        gettext_noop("Unexpected extra arguments: %(arguments)s"),
    ),
    (
        re.compile(r"No such command '(?P<command>.+)'\.", re.S),
        gettext_noop("No such command '%(command)s'."),
    ),
    (
        re.compile(r"Option '(?P<option>.+)' requires an argument\.", re.S),
        gettext_noop("Option '%(option)s' requires an argument."),
    ),
)


#: Typer's words around a usage error: constant of ``typer.rich_utils`` -> its text in the catalogue.
TYPER_WORDS: dict[str, str] = {
    "ERRORS_PANEL_TITLE": gettext_noop("Error"),
    "RICH_HELP": gettext_noop("Try [blue]'{command_path} {help_option}'[/] for help."),
}
#: Typer's word for a command stopped at a prompt (end of input, or a confirmation refused).
ABORT_WORDS: dict[str, str] = {"ABORTED_TEXT": gettext_noop("Aborted.")}
#: Typer's words on a help page: constant of ``typer.rich_utils`` -> its text in the catalogue.
HELP_WORDS: dict[str, str] = {
    "ARGUMENTS_PANEL_TITLE": gettext_noop("Arguments"),
    "OPTIONS_PANEL_TITLE": gettext_noop("Options"),
    "COMMANDS_PANEL_TITLE": gettext_noop("Commands"),
    "DEFAULT_STRING": gettext_noop("[default: {}]"),
    "REQUIRED_LONG_STRING": gettext_noop("[required]"),
    "ENVVAR_STRING": gettext_noop("[env var: {}]"),
    "DEPRECATED_STRING": gettext_noop("(deprecated) "),
}
#: Typer's own English of :data:`TYPER_WORDS` and :data:`HELP_WORDS` (as imported), put back by
#: :func:`frame_in_english`.
TYPER_ENGLISH: dict[str, Any] = {
    name: getattr(rich_utils, name) for name in (*TYPER_WORDS, *HELP_WORDS, *ABORT_WORDS)
}
USAGE = gettext_noop("Usage: ")
#: The help of ``--help`` (the vendored Click's ``help_option`` writes it as a literal).
HELP_OPTION = gettext_noop("Show this message and exit.")


class WordedFormatter(HelpFormatter):
    """Click's help formatter with the "Usage: " prefix in the language of the error (fixed when made)."""

    usage = "Usage: "

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, self.usage if prefix is None else prefix)


def _worded_formatter() -> type[WordedFormatter]:
    """Click's help formatter whose "Usage: " prefix is in the current language."""
    return type("Formatter", (WordedFormatter,), {"usage": gettext(USAGE)})


def _say_in_words(words: dict[str, str]) -> None:
    """The constants of ``typer.rich_utils`` named in ``words`` in the current language."""
    for name, text in words.items():
        setattr(rich_utils, name, gettext(text))


def frame_in_words(error: UsageError) -> None:
    """Typer's words around ``error`` (:data:`TYPER_WORDS`, the usage prefix) in the current language."""
    _say_in_words(TYPER_WORDS)
    if error.ctx is not None:
        error.ctx.formatter_class = _worded_formatter()


def abort_in_words() -> None:
    """Typer's "Aborted." in the current language: Typer prints it after the command's context has closed
    (:data:`ABORT_WORDS`; put back by :func:`frame_in_english`)."""
    _say_in_words(ABORT_WORDS)


def frame_in_english() -> None:
    """Typer's own English around the next error (:data:`TYPER_ENGLISH`)."""
    for name, words in TYPER_ENGLISH.items():
        setattr(rich_utils, name, words)


def _shown_on_page(command: Command, ctx: Context) -> list[Any]:
    """What a help page of ``command`` prints a help text of: the command, its parameters (``--help``
    included) and, for a group, the commands it lists (their first paragraph)."""
    shown: list[Command | Parameter] = [command, *command.get_params(ctx)]  # Typer's parameters have a help
    if isinstance(command, TyperGroup):
        listed = (command.get_command(ctx, name) for name in command.list_commands(ctx))
        shown += [c for c in listed if c is not None]
    return shown


#: Typer's maker of the help texts' rich Text (put back by :func:`help_in_words`).
_MAKE_RICH_TEXT = rich_utils._make_rich_text

#: Ideographs and kana: a line may break before and after each one (no spaces separate them).
_IDEOGRAPHS = "\u2e80-\u2fdf\u3040-\u30ff\u3100-\u312f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
#: Punctuation a line does not end with (opening) or start with (closing): it stays with its neighbour.
_OPENING = "（［｛「『【《〈“‘"
_CLOSING = "）］｝」』】》〉”’，。、；：！？…"
#: One unit a line is not broken inside: an ideograph or a run of other characters without a space (a
#: Latin word, a number, a file name such as OUT.summary.csv), with the opening punctuation before it, the
#: closing punctuation after it and the spaces that follow; any other character alone.
_UNBROKEN = re.compile(
    rf"\s*(?:[{_OPENING}]*(?P<core>[{_IDEOGRAPHS}]|[^\s{_IDEOGRAPHS}{_OPENING}{_CLOSING}]+)[{_CLOSING}]*|\S)\s*"
)


def line_breaks(text: str, width: int) -> list[int]:
    """Where a line of mixed Chinese and Latin text breaks to fit ``width`` cells (character offsets).

    Rich breaks at spaces only and folds a longer "word" cell by cell, so a Chinese clause with a Latin
    word inside it was cut anywhere, the Latin word too (``OUT.summar`` / ``y.csv``). Here a line breaks
    between two ideographs or at a space, never inside a Latin word unless the word alone is wider than
    the column, and closing punctuation (``，。）``) never starts a line nor opening punctuation (``（``)
    ends one (W3C Group Note *Requirements for Chinese Text Layout* (clreq), "Prohibition Rules for Line
    Start and Line End", 行首行尾禁则).

    Examples
    --------
    >>> text = "另写各组统计量（OUT.summary.csv）。"
    >>> breaks = line_breaks(text, 22)
    >>> [text[a:b] for a, b in zip([0, *breaks], [*breaks, len(text)])]
    ['另写各组统计量', '（OUT.summary.csv）。']
    """
    breaks: list[int] = []
    used = 0  # cells on the current line
    for unit in _UNBROKEN.finditer(text):
        start, words = unit.start(), unit.group()
        length = cell_len(words.rstrip())
        if used + length <= width:
            used += cell_len(words)
            continue
        for number, piece in enumerate([words] if length <= width else _folded(unit, width)):
            if used and (number or used + cell_len(piece.rstrip()) > width):
                breaks.append(start)
                used = 0
            used += cell_len(piece)
            start += len(piece)
    return breaks


def _folded(unit: re.Match[str], width: int) -> list[str]:
    """The lines of one unit of :func:`line_breaks` wider than the column: its Latin word whole where the
    word fits (the opening punctuation left on the line before, or the closing punctuation put on the next,
    or both), else folded at the column's edge (the closing punctuation not alone on the last line)."""
    text = unit.group()
    core, end = (at - unit.start() for at in unit.span("core"))
    if core >= 0 and cell_len(text[core:].rstrip()) <= width:
        return [text[:core], text[core:]]
    if core >= 0 and cell_len(text[:end]) <= width:
        return [text[:end], text[end:]]
    if core >= 0 and cell_len(text[core:end]) <= width:
        return [text[:core], text[core:end], text[end:]]
    pieces = chop_cells(text.rstrip(), width)
    pieces[-1] += text[len(text.rstrip()) :]
    if len(pieces) > 1 and pieces[-1][0] in _CLOSING:
        pieces[-2:] = [pieces[-2][:-1], pieces[-2][-1] + pieces[-1]]
    return pieces


class LineBrokenText(Text):
    """A help text whose lines break as :func:`line_breaks` says (Chinese text and the Latin in it)."""

    def wrap(
        self,
        console: Console,
        width: int,
        *,
        justify: JustifyMethod | None = None,
        overflow: OverflowMethod | None = None,
        tab_size: int = 8,
        no_wrap: bool | None = None,
    ) -> Lines:
        if no_wrap or self.no_wrap:
            return super().wrap(console, width, justify=justify, overflow=overflow, tab_size=tab_size)
        lines = Lines()
        for line in self.split(allow_blank=True):
            line.expand_tabs(tab_size)
            pieces = line.divide(line_breaks(line.plain, width))
            for piece in pieces:
                piece.rstrip_end(width)
            pieces.justify(console, width, justify=justify or self.justify or "default", overflow="fold")
            for piece in pieces:
                piece.truncate(width, overflow="fold")
            lines.extend(pieces)
        return lines


def _folded_rich_text(**kwargs: Any) -> Any:
    """Typer's help text, its lines broken between Chinese characters and at spaces (:func:`line_breaks`),
    a word wider than the column folded at its edge (not cut with "…").

    Rich breaks lines at spaces only, and a table column cuts a longer word with an ellipsis: a Chinese
    sentence is one such word (its clauses are not separated by spaces).
    """
    made = _MAKE_RICH_TEXT(**kwargs)
    if not isinstance(made, Text):
        return made
    return LineBrokenText(
        made.plain,
        made.style,
        justify=made.justify,
        overflow="fold",
        no_wrap=made.no_wrap,
        end=made.end,
        tab_size=made.tab_size,
        spans=made.spans,
    )


@contextmanager
def help_in_words(command: Command, ctx: Context) -> Iterator[None]:
    """A help page of ``command`` in the current language inside the block; Typer's English after it.

    Typer's headings (:data:`HELP_WORDS`), the "Usage: " prefix, ``--help``'s own help and the help texts
    of the command, its parameters and the commands a group lists are looked up in the catalogue (a text
    without an entry stays as written) and put back at the end: commands and their options are made once
    per process, and the next page may be English. Nothing changes in English (no catalogue is read).
    A help text longer than its column without a space is folded onto the next lines
    (:func:`_folded_rich_text`).
    """
    if current_language() == DEFAULT_LANGUAGE:
        yield
        return
    english = [(item, item.help) for item in _shown_on_page(command, ctx)]
    formatter = ctx.formatter_class
    _say_in_words(HELP_WORDS)
    ctx.formatter_class = _worded_formatter()
    rich_utils._make_rich_text = _folded_rich_text
    try:
        for item, text in english:
            if text:
                item.help = gettext(text)
        yield
    finally:
        for item, text in english:
            item.help = text
        ctx.formatter_class = formatter
        rich_utils._make_rich_text = _MAKE_RICH_TEXT
        frame_in_english()


def worded_message(message: str) -> str:
    """A usage message of Click in the current language (:data:`CLICK_MESSAGES`); any other as it is.

    Examples
    --------
    >>> from bioparity.i18n import use_language
    >>> with use_language("zh-CN"):
    ...     worded_message("Missing option '--sd1'."), worded_message("anything else")
    ("缺少选项 '--sd1'。", 'anything else')
    """
    for pattern, words in CLICK_MESSAGES:
        found = pattern.fullmatch(message)
        if found is not None:
            return gettext(words) % found.groupdict()
    return message


def worded(error: UsageError) -> UsageError:
    """``error`` with its message fixed in the current language (Typer formats it later, when the command's
    language is no longer chosen); unchanged in English."""
    if current_language() == DEFAULT_LANGUAGE:
        return error
    again = UsageError(worded_message(error.format_message()), error.ctx)
    again.exit_code = error.exit_code
    frame_in_words(again)
    return again
