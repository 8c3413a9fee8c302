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

from bioparity.i18n import DEFAULT_LANGUAGE
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
