"""Click's own usage messages (``Invalid value for '--cv': ...``, ``Missing option '--sd1'.``) in the
command's language.

Typer 0.2x vendors Click (``typer._click``) with its messages as plain f-strings: they cannot go through
gettext (Click's own ``gettext`` marks are gone), so a zh-CN user read Click's English around bioparity's
Chinese reason (``Invalid value for '--cv': 30% 是百分数``). :meth:`bioparity.cli.main.LazyGroup.invoke`
therefore words the usage errors a user meets (:data:`CLICK_MESSAGES`: the formatted English message is
matched and said again from the catalogue) while the command's language is still chosen; Typer prints
the error after the command's context has closed. Typer's panel title ("Error") and its "Try ... for help"
line are module constants set at import, and stay English.
"""

from __future__ import annotations

import re

from typer._click.exceptions import UsageError

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
    return again
