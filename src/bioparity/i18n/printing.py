"""Printing in each language: the fonts of HTML/PDF reports and the page footer's words.

Chinese text is set in Noto Sans CJK SC (SIL Open Font License 1.1; Debian package ``fonts-noto-cjk``,
installed by ``scripts/system-deps.sh``), which WeasyPrint finds through fontconfig and embeds (subset)
in the PDF; Latin text stays in DejaVu Sans as in English reports. Used by the run and program reports
(:mod:`bioparity.report.html`) and the validation report (:mod:`bioparity.validation.report`).

References
----------
W3C, CSS Fonts Module Level 4, section 5 "Font Matching Algorithm" (per-character fallback through the
``font-family`` list); W3C, CSS Generated Content for Paged Media, section 2.4 "Page-based counters"
(``counter(page)``, ``counter(pages)``).
"""

from __future__ import annotations

import re

from markupsafe import Markup

from bioparity.i18n import DEFAULT_LANGUAGE, coded_words, pgettext_noop
from bioparity.i18n import gettext as _

#: The font of Chinese text in plots and PDF reports (Debian package ``fonts-noto-cjk``).
CJK_FONT = "Noto Sans CJK SC"
#: Its monospaced sibling: a CJK character exactly two Latin columns wide (aligned listings).
CJK_MONO_FONT = "Noto Sans Mono CJK SC"

#: CSS ``font-family`` of the reports' text per language.
TEXT_FONTS = {
    DEFAULT_LANGUAGE: '"DejaVu Sans", Arial, sans-serif',
    "zh-CN": f'"{CJK_FONT}", "DejaVu Sans", sans-serif',
}
#: CSS ``font-family`` of fixed-width listings per language.
MONO_FONTS = {
    DEFAULT_LANGUAGE: '"DejaVu Sans Mono", monospace',
    "zh-CN": f'"{CJK_MONO_FONT}", "DejaVu Sans Mono", monospace',
}


def fonts(language: str) -> dict[str, Markup]:
    """The CSS font stacks (``text``, ``mono``) of a report in ``language`` (English ones otherwise).

    Examples
    --------
    >>> str(fonts("zh-CN")["text"]).split(",")[0]
    '"Noto Sans CJK SC"'
    """
    return {
        "text": Markup(TEXT_FONTS.get(language, TEXT_FONTS[DEFAULT_LANGUAGE])),
        "mono": Markup(MONO_FONTS.get(language, MONO_FONTS[DEFAULT_LANGUAGE])),
    }


def page_counter() -> Markup:
    """The CSS ``content`` of a page footer, ``page 3 of 12``, in the current language.

    Examples
    --------
    >>> str(page_counter())
    '"page " counter(page) " of " counter(pages)'
    """
    parts = re.split(r"%\((pages?)\)s", _("page %(page)s of %(pages)s").replace('"', ""))
    # re.split with a group alternates text and counter names: "page ", "page", " of ", "pages", ""
    return Markup(" ".join(f"counter({p})" if i % 2 else f'"{p}"' for i, p in enumerate(parts) if p))


#: The time units written as words (a stability study's ``time_unit``: ICH Q1E states a shelf life in
#: months; the command line's "per month" too), marked with the context "time unit" (the word as a unit of
#: time, 月 not 月份). Unit *symbols* (``h``, ``min``, ``d``, ``ng/mL``) are not here: they are printed as
#: written in every language, as Chinese technical texts print SI symbols (GB 3100-1993, section 3.3).
TIME_UNIT_WORDS: dict[str, str] = {
    "hours": pgettext_noop("time unit", "hours"),
    "hour": pgettext_noop("time unit", "hour"),
    "days": pgettext_noop("time unit", "days"),
    "day": pgettext_noop("time unit", "day"),
    "weeks": pgettext_noop("time unit", "weeks"),
    "week": pgettext_noop("time unit", "week"),
    "months": pgettext_noop("time unit", "months"),
    "month": pgettext_noop("time unit", "month"),
    "years": pgettext_noop("time unit", "years"),
    "year": pgettext_noop("time unit", "year"),
}


def time_unit_words(unit: str) -> str:
    """A time unit's word in the current language, for a header or label that embeds it ("slope (per
    months)", zh-CN "斜率（每月）"); any other unit (a symbol, or one not known) as written.

    Examples
    --------
    >>> time_unit_words("months"), time_unit_words("h")
    ('months', 'h')
    >>> from bioparity.i18n import use_language
    >>> with use_language("zh-CN"):
    ...     time_unit_words("months"), time_unit_words("week"), time_unit_words("h")
    ('月', '周', 'h')
    """
    return coded_words("time unit", TIME_UNIT_WORDS, unit)
