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
import shutil
import subprocess
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import cache

from markupsafe import Markup

from bioparity.i18n import (
    DEFAULT_LANGUAGE,
    current_language,
    gettext_noop,
    pgettext_noop,
    translations,
)
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
    return time_unit_in(unit, current_language())


def time_unit_in(unit: str, language: str) -> str:
    """:func:`time_unit_words` in ``language``: how a note shows the time unit it stores (a note template's
    ``shown``), e.g. a shelf life's "25.17 months" read as "25.17 月" in zh-CN.

    Examples
    --------
    >>> time_unit_in("months", "zh-CN"), time_unit_in("months", "en"), time_unit_in("h", "zh-CN")
    ('月', 'months', 'h')
    """
    words = TIME_UNIT_WORDS.get(unit)
    return str(translations(language).pgettext("time unit", words)) if words else unit


#: A comparison of two sources or arms (a CAA result's stored label ``test vs ref-eu``, PK similarity's
#: arms): the names as stored, the "vs" in the reader's words (zh-CN ``test 对比 ref-eu``).
VERSUS = gettext_noop("%(test)s vs %(reference)s")


def comparison_in(label: str, language: str) -> str:
    """A stored comparison label (``test vs ref-eu``) in ``language``: how a note shows the comparison it
    stores (a note template's ``shown``), as the tables print it
    (:func:`bioparity.analyses.terms.comparison_words`); a label without `` vs `` as stored.

    Examples
    --------
    >>> comparison_in("test vs ref-eu", "zh-CN"), comparison_in("test vs ref-eu", "en")
    ('test 对比 ref-eu', 'test vs ref-eu')
    >>> comparison_in("pooled", "zh-CN")
    'pooled'
    """
    test, found, reference = label.partition(" vs ")
    if not found:
        return label
    return str(translations(language).gettext(VERSUS)) % {"test": test, "reference": reference}


def comparisons_in(labels: str, language: str) -> str:
    """Stored comparison labels joined by ``"; "`` (a note's list), each as :func:`comparison_in` shows it.

    Examples
    --------
    >>> comparisons_in("test vs ref-eu; ref-us vs ref-eu", "zh-CN")
    'test 对比 ref-eu；ref-us 对比 ref-eu'
    """
    return listed_in(labels, language, lambda label: comparison_in(label, language))


def listed_in(text: str, language: str, item: Callable[[str], str]) -> str:
    """A stored ``"; "``-joined list with each item as ``item`` shows it, joined by the list separator in
    ``language``'s words (zh-CN ``；``): the one step of every presenter of a stored list below.

    Examples
    --------
    >>> listed_in("a; b", "zh-CN", str.upper), listed_in("a; b", "en", str.upper)
    ('A；B', 'A; B')
    """
    return str(translations(language).gettext(LIST_SEPARATOR)).join(map(item, text.split("; ")))


#: The separators of a list inside a sentence (zh-CN full-width ``；`` and ``，``), and a label with its value
#: (zh-CN ``：``).
LIST_SEPARATOR, ITEM_SEPARATOR = gettext_noop("; "), gettext_noop(", ")
LABELLED_VALUE = gettext_noop("%(label)s: %(value)s")
#: A CAA comparison's status (:data:`bioparity.caa.results.STATUSES`) in words.
CAA_STATUS_WORDS = {
    "pass": gettext_noop("pass"),
    "fail": gettext_noop("fail"),
    "not-evaluable": gettext_noop("not evaluable"),
    "descriptive": gettext_noop("descriptive"),
}


def bridge_statuses_in(statuses: str, language: str) -> str:
    """The bridges' statuses of a pooled CAA row (stored ``test vs ref-eu: pass, ref-us vs ref-eu: fail``) in
    ``language``: each comparison as :func:`comparison_in` shows it, each status in words; a text of
    another form as stored.

    Examples
    --------
    >>> bridge_statuses_in("test vs ref-eu: pass, ref-us vs ref-eu: fail", "zh-CN")
    'test 对比 ref-eu：通过，ref-us 对比 ref-eu：不通过'
    >>> bridge_statuses_in("ref-us vs ref-eu: not-evaluable", "en")
    'ref-us vs ref-eu: not evaluable'
    """
    words = translations(language)
    parts = []
    for item in statuses.split(", "):
        label, found, status = item.rpartition(": ")
        if not found:
            return statuses
        shown = words.gettext(CAA_STATUS_WORDS[status]) if status in CAA_STATUS_WORDS else status
        label = comparison_in(label, language)
        parts.append(str(words.gettext(LABELLED_VALUE)) % {"label": label, "value": shown})
    return str(words.gettext(ITEM_SEPARATOR)).join(parts)


#: A data row named inside a listed value (a CAA missing value ``purity/test/L1 (row 134)``).
ROW_REFERENCE = gettext_noop(" (row %(row)s)")
_ROW_REFERENCE = re.compile(r" \(row (\d+)\)")


def row_references_in(text: str, language: str) -> str:
    """A stored ``"; "``-joined list whose items name their data row (`` (row 134)``) with the row and the
    separator in ``language``'s words (zh-CN ``（第 134 行）`` and ``；``), the rest as stored.

    Examples
    --------
    >>> row_references_in("potency/ref-us/US-3513 (row 134); purity/test/T1 (row 7)", "zh-CN")
    'potency/ref-us/US-3513（第 134 行）；purity/test/T1（第 7 行）'
    >>> row_references_in("potency/ref-us/US-3513 (row 134); purity/test/T1 (row 7)", "en")
    'potency/ref-us/US-3513 (row 134); purity/test/T1 (row 7)'
    """
    row = str(translations(language).gettext(ROW_REFERENCE))

    def item(stored: str) -> str:
        return _ROW_REFERENCE.sub(lambda m: row % {"row": m.group(1)}, stored)

    return listed_in(text, language, item)


#: A listed item's trailing parenthesis: a CAA lot with more replicates than the usual count of its attribute
#: and source (``purity/test/T1 (3 vs 2)``), or a lot with its sources (``L1 (ref-eu, ref-us)``).
REPLICATE_COUNTS = gettext_noop(" (%(n)s vs %(usual)s)")
IN_PARENTHESES = gettext_noop(" (%(note)s)")
_REPLICATE_COUNTS = re.compile(r" \((\d+) vs (\d+)\)$")
_IN_PARENTHESES = re.compile(r" \(([^()]*)\)$")


def parenthesised_items_in(text: str, language: str) -> str:
    """A stored ``"; "``-joined list whose items end in a parenthesis (`` (3 vs 2)``, `` (ref-eu, ref-us)``)
    with the parenthesis, its "vs" and ``", "`` and the separator in ``language``'s words (zh-CN
    ``（3 对比 2）``, ``（ref-eu，ref-us）`` and ``；``), the names as stored.

    Examples
    --------
    >>> parenthesised_items_in("purity/test/T1 (3 vs 2); L1 (ref-eu, ref-us)", "zh-CN")
    'purity/test/T1（3 对比 2）；L1（ref-eu，ref-us）'
    >>> parenthesised_items_in("purity/test/T1 (3 vs 2); L1 (ref-eu, ref-us)", "en")
    'purity/test/T1 (3 vs 2); L1 (ref-eu, ref-us)'
    """
    words = translations(language)
    counts, bracket = str(words.gettext(REPLICATE_COUNTS)), str(words.gettext(IN_PARENTHESES))
    comma = str(words.gettext(ITEM_SEPARATOR))

    def item(stored: str) -> str:
        if found := _REPLICATE_COUNTS.search(stored):
            return stored[: found.start()] + counts % {"n": found.group(1), "usual": found.group(2)}
        if found := _IN_PARENTHESES.search(stored):
            inner = found.group(1).replace(", ", comma)
            return stored[: found.start()] + bracket % {"note": inner}
        return stored

    return listed_in(text, language, item)


#: A listed lot with its value (a CAA lot outside the range: ``BS-24007 (110.8)``).
_LOT_VALUE = re.compile(r"(.+?) \(([^()]*)\)")


def lot_values_in(text: str, language: str) -> str:
    """A stored ``", "``-joined list of lots with their values in parentheses (the CAA lots outside a
    range, ``BS-24007 (110.8), EU-U7767 (116)``) with the parentheses and the separator in ``language``'s
    words (zh-CN ``BS-24007（110.8），EU-U7767（116）``), the lots and values as stored; a text of another
    form as stored.

    Examples
    --------
    >>> lot_values_in("BS-24007 (110.8), EU-U7767 (116)", "zh-CN")
    'BS-24007（110.8），EU-U7767（116）'
    >>> lot_values_in("BS-24007 (110.8), EU-U7767 (116)", "en")
    'BS-24007 (110.8), EU-U7767 (116)'
    """
    parts = text.split("), ")
    items = [_LOT_VALUE.fullmatch(part) for part in [p + ")" for p in parts[:-1]] + parts[-1:]]
    if not all(items):
        return text
    words = translations(language)
    bracket = str(words.gettext(IN_PARENTHESES))
    return str(words.gettext(ITEM_SEPARATOR)).join(
        found.group(1) + bracket % {"note": found.group(2)} for found in items if found
    )


@cache
def cjk_font() -> str | None:
    """The family name of the CJK font for matplotlib, registered from fontconfig when matplotlib's font
    cache predates the font's installation; None when the font is not installed."""
    from matplotlib import font_manager  # imported here: only figures need it

    if any(f.name == CJK_FONT for f in font_manager.fontManager.ttflist):
        return CJK_FONT
    if shutil.which("fc-match") is None:
        return None
    found = subprocess.run(
        ["fc-match", "--format=%{family}\n%{file}", f"{CJK_FONT}:lang=zh-cn"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.splitlines()
    if len(found) != 2 or CJK_FONT not in found[0].split(","):
        return None
    font_manager.fontManager.addfont(found[1])  # a .ttc: every face, one of them Noto Sans CJK SC
    return CJK_FONT


@contextmanager
def figure_fonts() -> Iterator[None]:
    """matplotlib figures drawn inside set their text in the current language's fonts: Latin glyphs in
    DejaVu Sans as in English, the others (Chinese) in :data:`CJK_FONT` when it is installed (per-glyph
    fallback through ``font.family``, matplotlib 3.6+). English: matplotlib's settings unchanged. Used by
    the report figures (:mod:`bioparity.report.static`) and the command line's figure files (stability,
    profile)."""
    font = None if current_language() == DEFAULT_LANGUAGE else cjk_font()
    if font is None:
        yield
        return
    import matplotlib

    with matplotlib.rc_context({"font.family": ["DejaVu Sans", font]}):
        yield


def display_width(text: str) -> int:
    """Columns ``text`` takes in a monospaced listing: two for a wide (CJK) character, one otherwise
    (Unicode Standard Annex #11, East Asian Width).

    Examples
    --------
    >>> display_width("case"), display_width("病例")
    (4, 4)
    """
    if text.isascii():
        return len(text)
    return sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in text)


def head_lines(header: str, width: int) -> list[str]:
    """A listing column's header: on one line, or on two when it is wider than the column's widest value
    (``width``) and has a space, split at the space that makes the wider line narrowest.

    Examples
    --------
    >>> head_lines("AUCIFO (h*ug/mL)", 7), head_lines("subject", 11), head_lines("R2ADJ", 3)
    (['AUCIFO', '(h*ug/mL)'], ['subject'], ['R2ADJ'])
    """
    if display_width(header) <= width or " " not in header.strip():
        return [header]
    words = header.split(" ")
    splits = [(" ".join(words[:i]), " ".join(words[i:])) for i in range(1, len(words))]
    first, second = min(splits, key=lambda s: max(display_width(s[0]), display_width(s[1])))
    return [first, second]


def listing(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    right: Sequence[int] = (),
    *,
    split_heads: bool = False,
) -> list[str]:
    """Rows as fixed-width text columns (two spaces apart), a header and a rule, like a SAS listing.

    Columns are as wide as their widest cell, so nothing is cut; numbers (columns ``right``) are
    right-aligned. Thousands of cells lay out in a PDF far faster as one preformatted block than as a
    table (one text box per line instead of one per cell), with the same content. ``split_heads``: a
    header wider than its column's values on two lines (:func:`head_lines`), so that it does not widen
    the column (``CMAX`` over ``(ug/mL)``); the header then takes as many lines as its tallest column.

    Examples
    --------
    >>> for line in listing(["subject", "CMAX (ug/mL)"], [["S1", "2.5"], ["S10", "12.25"]], [1],
    ...                     split_heads=True):
    ...     print(line)
                CMAX
    subject  (ug/mL)
    -------  -------
    S1           2.5
    S10        12.25
    """
    values = [max((display_width(r[i]) for r in rows), default=0) for i in range(len(headers))]
    heads = [head_lines(h, w) if split_heads else [h] for h, w in zip(headers, values, strict=True)]
    widths = [max([w, *(display_width(x) for x in h)]) for h, w in zip(heads, values, strict=True)]

    def line(cells: Sequence[str]) -> str:
        padded = (
            " " * (w - display_width(c)) + c if i in right else c + " " * (w - display_width(c))
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        )
        return "  ".join(padded).rstrip()

    tallest = max((len(h) for h in heads), default=1)
    # a header of one line at the foot of a header of two (over its column's values, as a listing prints it)
    head = [line([([""] * (tallest - len(h)) + h)[k] for h in heads]) for k in range(tallest)]
    return [*head, "  ".join("-" * w for w in widths), *(line(r) for r in rows)]
