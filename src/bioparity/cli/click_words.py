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
"""

from __future__ import annotations

import re
from typing import Any

from typer import rich_utils
from typer._click.exceptions import UsageError
from typer._click.formatting import HelpFormatter

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
#: Typer's own English of :data:`TYPER_WORDS` (as imported), put back by :func:`frame_in_english`.
TYPER_ENGLISH: dict[str, Any] = {name: getattr(rich_utils, name) for name in TYPER_WORDS}
USAGE = gettext_noop("Usage: ")


class WordedFormatter(HelpFormatter):
    """Click's help formatter with the "Usage: " prefix in the language of the error (fixed when made)."""

    usage = "Usage: "

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, self.usage if prefix is None else prefix)


def frame_in_words(error: UsageError) -> None:
    """Typer's words around ``error`` (:data:`TYPER_WORDS`, the usage prefix) in the current language."""
    for name, words in TYPER_WORDS.items():
        setattr(rich_utils, name, gettext(words))
    if error.ctx is not None:
        error.ctx.formatter_class = type("Formatter", (WordedFormatter,), {"usage": gettext(USAGE)})


def frame_in_english() -> None:
    """Typer's own English around the next error (:data:`TYPER_ENGLISH`)."""
    for name, words in TYPER_ENGLISH.items():
        setattr(rich_utils, name, words)


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
