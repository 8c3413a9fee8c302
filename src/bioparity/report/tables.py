"""The report tables as HTML, and the tables of a stored run (built by its analysis kind).

The table model and cell formatting are in :mod:`bioparity.analyses.tables`; this module only renders
them (the HTML page, the HTML report and the PDF print the same text).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
from markupsafe import Markup, escape

from bioparity.analyses.registry import all_analyses
from bioparity.analyses.tables import NO_TABLES, ReportTables, Table, generic_tables
from bioparity.analyses.terms import verdict_words
from bioparity.i18n import current_language
from bioparity.i18n.printing import listing
from bioparity.memo import Memo


def _cell_class(text: str, numeric: bool, good: frozenset[str], bad: frozenset[str]) -> str:
    word = text.split(":")[0].strip().lower()
    if word in good:
        return "ok"
    if word in bad:
        return "bad"
    return "num" if numeric else "txt"


def _heading_class(text: str, numeric: bool) -> str:
    """A number column's heading sits over its right-aligned numbers (``num``); a heading of words
    (``geometric CV%``) breaks between them, not inside one (``words``; an identifier-like heading may
    break anywhere so that a wide table still fits)."""
    classes = [c for c, on in (("num", numeric), ("words", " " in text.strip())) if on]
    return f' class="{" ".join(classes)}"' if classes else ""


#: Longest text of a cell printed on one line (``nowrap``); a longer one wraps (class ``long``).
SHORT_CELL = 24
#: A word longer than a short cell (a digest, an identifier, a guideline's reference number).
_LONG_WORD = re.compile(rf"(\S{{{SHORT_CELL + 1},}})")
#: Where a long word may break: after a separator of its parts (``caa:`` ``afucosylated_`` ``glycans-``
#: ``EU``, ``program:`` ``modality=`` ``fusion_`` ``protein``, ``q5e:`` ``CAA-`` ``01-`` ``post-``...), a
#: hyphen between two digits excepted (a date, ``2014-12-18``, stays whole).
_PART_END = re.compile(r"(?<=[:=/_;,])(?=[^:=/_;,-])|(?<=-)(?=[^:=/_;,\d-])|(?<=\D-)(?=\d)")


def _long_word(word: str) -> str:
    """A word longer than a short cell as HTML: a break opportunity (``<wbr>``) after each separator of its
    parts; a part still longer than a short cell (a digest) in a ``<span class="word">``, which may break
    anywhere, and so a word with other than ASCII characters (a Chinese line breaks between characters).

    >>> _long_word("q5e:CAA-01-post-change-vs-pre-change")
    'q5e:<wbr>CAA-<wbr>01-<wbr>post-<wbr>change-<wbr>vs-<wbr>pre-<wbr>change'
    >>> _long_word("source:EMA/CHMP/BWP/42832/2005,2014-12-18")
    'source:<wbr>EMA/<wbr>CHMP/<wbr>BWP/<wbr>42832/<wbr>2005,<wbr>2014-12-18'
    """
    if not word.isascii():
        return f'<span class="word">{escape(word)}</span>'
    return "<wbr>".join(
        f'<span class="word">{escape(p)}</span>' if len(p) > SHORT_CELL else str(escape(p))
        for p in _PART_END.split(word)
    )


def _cell_text(text: str) -> tuple[str, str]:
    """A cell's wrap class and its text as HTML: ``" long"`` for a cell longer than a short one, which
    wraps between its words, each word longer than a short cell breaking between its parts (an evidence
    code after ``:``, ``=``, ``/``, ``_``, ``-``: :func:`_long_word`), and only a part longer than a short
    cell anywhere.

    Only such a part needs ``overflow-wrap: anywhere`` to fit its column: the other words and parts are
    no wider than a short cell, which never wraps. ``anywhere`` lets the column shrink to one character
    (CSS Text Module Level 3, section 5.5): on a whole code (``program:modality=fusion_protein``) the
    program report's narrow evidence column printed it a few characters a line (``program:mo`` /
    ``dality=fusio`` / ``n_protein``), on a whole cell WeasyPrint also measured that width by laying the
    rest of the text out again at every character (seconds for the long cells of an appendix).
    ``<wbr>`` adds no character to the PDF's text (a copied code is the code).
    """
    if len(text) <= SHORT_CELL:
        return "", str(escape(text))
    parts = _LONG_WORD.split(text)  # split on a group: every second part is a long word
    html = "".join(_long_word(p) if i % 2 else str(escape(p)) for i, p in enumerate(parts))
    return " long", html


#: HTML of tables (frozen values: the table itself is the key) in the language of their verdict words.
_HTML = Memo(256)


def table_html(table: Table, caption: bool = True) -> Markup:
    """The table as HTML (``thead`` repeats on every printed page); verdict cells are classed ok/bad.

    ``caption=False`` leaves the title out (when the page prints it as a heading)."""
    key = (table, caption, current_language())
    try:
        hash(key)
    except TypeError:  # a table built with lists rather than tuples: not kept
        return _table_html(table, caption)
    html: Markup = _HTML.get(key, lambda: _table_html(table, caption))
    return html


#: Lines of a listing (:attr:`Table.listing`) in one table cell. WeasyPrint lays a table out cell by cell
#: (each cell's widths, then its lines): the PDF step of a 504-profile NCA report took 18.2 s of CPU with a
#: cell per value (19,000 cells in its per-subject tables), 6.7 s with one line a cell, 5.2 s with ten,
#: 5.8 s with forty (3.8 s without those tables). Ten lines stay together on a page; the header repeats.
LISTING_LINES = 10


def _listing_html(table: Table, title: str, note: str) -> Markup:
    """The table as a listing: its header lines and a rule in the head, ``LISTING_LINES`` rows a cell."""
    right = [i for i, numeric in enumerate(table.numeric) if numeric]
    lines = listing([str(c) for c in table.columns], table.rows, right, split_heads=True)
    head = "\n".join(lines[: len(lines) - len(table.rows)])
    body = lines[len(lines) - len(table.rows) :]
    cells = "".join(
        f"<tr><td>{escape(chr(10).join(body[i : i + LISTING_LINES]))}</td></tr>"
        for i in range(0, len(body), LISTING_LINES)
    )
    return Markup(
        f'<table class="listing">{title}<thead><tr><th scope="col">{escape(head)}</th></tr></thead>'
        f"<tbody>{cells}</tbody></table>{note}"
    )


def _table_html(table: Table, caption: bool) -> Markup:
    title = f"<caption>{escape(table.title)}</caption>" if table.title and caption else ""
    note = f'<p class="note">{escape(table.note)}</p>' if table.note else ""
    if table.listing:
        return _listing_html(table, title, note)
    head = "".join(
        f'<th scope="col"{_heading_class(str(c), bool(num))}>{escape(c)}</th>'
        for c, num in zip(table.columns, table.numeric, strict=True)
    )
    body = []
    good, bad = verdict_words(True), verdict_words(False)  # in English and in the reader's language
    for i, row in enumerate(table.rows):
        cells = "".join(
            f'<td class="{_cell_class(v, num, good, bad)}{wrap}">{html}</td>'
            for v, num in zip(row, table.numeric, strict=True)
            for wrap, html in (_cell_text(v),)
        )
        css = f' class="{table.css[i]}"' if table.css and table.css[i] else ""
        body.append(f"<tr{css}>{cells}</tr>")
    return Markup(
        f'<table class="data">{title}<thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>{note}"
    )


def run_tables(
    kind: str,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    options: Mapping[str, Any] | None = None,
) -> ReportTables:
    """The report tables of a run's result table, laid out by its analysis kind (empty without a table;
    a kind no longer registered gets the generic layout)."""
    if not columns:
        return NO_TABLES
    frame = pd.DataFrame([list(r) for r in rows], columns=list(columns))
    analysis = all_analyses().get(kind)
    return generic_tables(frame) if analysis is None else analysis.tables(frame, options or {})
