"""The table model of run reports: result tables laid out for paper and for a 1,280 px screen.

Every report has main tables (the regulator-style layout of the analysis kind) and an appendix that
prints the complete stored result table, split into panels of columns that fit a landscape A4 page
(the key columns repeated in each panel, as SAS prints wide listings). Columns that other versions of
an analysis add therefore always appear, at least in the appendix: no column is ever lost.

Cells are formatted here, once, so that the HTML page, the HTML report and the PDF print the same text;
:mod:`bioparity.report.tables` turns a :class:`Table` into HTML. An analysis kind builds its main tables
with these pieces (:func:`panels`, :func:`cell`) and falls back to :func:`generic_tables`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from bioparity.analyses.format import fmt_value
from bioparity.analyses.terms import LABELS, VALUE_LABELS, coded_value, key_label, shown_value, value_words
from bioparity.i18n import gettext as _
from bioparity.i18n import ngettext

#: Characters of text that fit across a landscape A4 page at the report's table font size.
PANEL_BUDGET = 150
#: The same on a portrait A4 page (the per-subject NCA tables: more rows per page).
PORTRAIT_BUDGET = 125
#: Widest a single column is counted when packing panels (longer text wraps).
MAX_COLUMN_CHARS = 48
#: Lines a column header may wrap to at its spaces when packing panels (the rows set the width).
HEADER_LINES = 3


@dataclass(frozen=True)
class Table:
    """A printable table: header labels, formatted cells and which columns are numbers.

    Attributes
    ----------
    title : str
        Caption of the table.
    columns : tuple of str
        Header labels (with units where known, e.g. ``CMAX (ng/mL)``).
    rows : tuple of tuple of str
        Cells already formatted as printed (see :func:`cell`), one tuple per row.
    numeric : tuple of bool
        Per column, whether it holds numbers (right-aligned).
    note : str, default ""
        Text printed under the table (e.g. row and column counts).
    wide : bool, default False
        Print on a landscape page.
    css : tuple of str, default ()
        Optional CSS class per row (e.g. to mark failed comparisons); empty for none.
    listing : bool, default False
        Print as a fixed-width listing (aligned lines of text, like a SAS listing, a few lines to a
        cell) rather than a cell per value: the same text, laid out in a PDF about ten times faster (a
        table of thousands of rows; :func:`bioparity.report.tables.table_html`).
    """

    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: tuple[bool, ...]
    note: str = ""
    wide: bool = False
    css: tuple[str, ...] = field(default_factory=tuple)  # optional class per row
    listing: bool = False


def cell(value: Any, digits: int = 6) -> str:
    """A stored value as printed (numbers to ``digits`` significant digits; missing as a dash)."""
    if isinstance(value, (float, np.floating)) and float(value).is_integer() and abs(float(value)) < 1e15:
        return str(int(value))
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, str) and value == "":
        return ""
    return fmt_value(value, digits)


def is_number(value: Any) -> bool:
    """Whether a stored value is a number (``bool`` is not)."""
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)


def header_chars(text: str, lines: int = HEADER_LINES) -> int:
    """Characters of width a header needs when it may wrap at its spaces to at most ``lines`` lines.

    A typesetter breaks a header between words, so its column is as wide as its longest word, or wider
    when the words would otherwise take more than ``lines`` lines (greedy filling, as a browser lays out
    a line: CSS Text Module Level 3, section 5): ``CI lower bound (in unit)`` needs 9 characters, not 24.
    """
    words = text.split()
    if not words:
        return 0
    for chars in range(max(len(w) for w in words), len(text) + 1):
        count, line = 1, len(words[0])
        for word in words[1:]:
            if line + 1 + len(word) <= chars:
                line += 1 + len(word)
            else:
                count, line = count + 1, len(word)
        if count <= lines:
            return chars
    return len(text)


def panels(
    frame: pd.DataFrame,
    keys: Sequence[str],
    title: str,
    *,
    budget: int = PANEL_BUDGET,
    headers: Mapping[str, str] | None = None,
    wide: bool = True,
    numbers: pd.DataFrame | None = None,
    labelled: bool = False,
    level: str = "",
    digits: int = 6,
    column_digits: Mapping[str, int] | None = None,
) -> list[Table]:
    """The frame as tables of columns that fit ``budget`` characters, ``keys`` repeated in each.

    ``numbers`` is the frame as stored when ``frame`` holds some of its numbers as printed text (``94.94``
    for a stored power of 0.949361): a column of numbers there stays right-aligned.

    ``labelled``: a stored code with words (:data:`~bioparity.analyses.terms.VALUE_LABELS`: ``welch``,
    ``completers``) is printed in words; a column that ``headers`` does not head but
    :data:`~bioparity.analyses.terms.LABELS` labels is headed by its label with its unit (``ci_lower``:
    ``90% CI lower bound (%)``, ``level`` naming the interval's confidence level) and its numbers are
    printed as the label says (two decimals for a ratio in percent, as the main tables print them:
    :func:`~bioparity.analyses.terms.shown_value`), so that one column has one precision; other numbers
    to ``digits`` significant digits (:func:`cell`), those of a column in ``column_digits`` to its
    significant digits (a kind's appendix printing a column as its main table does).

    A column counts as wide as its longest printed value or its header wrapped at its spaces to at most
    :data:`HEADER_LINES` lines (:func:`header_chars`), whichever is wider, as a typesetter sets it."""
    headers = dict(headers or {})
    # the columns headed by their label (a column the caller heads keeps its stored numbers' text)
    by_label = [c for c in frame.columns if labelled and c in LABELS and c not in headers]
    headers |= {c: key_label(str(c), level) for c in by_label}
    keys = [k for k in keys if k in frame.columns]

    def shown(c: Any, v: Any) -> Any:  # a labelled column's code in words (value_words), as the main table
        if labelled and _is_code(str(c), v):
            return value_words(str(c), v)
        return shown_value(str(c), v) if c in by_label else v

    places = dict(column_digits or {})
    texts = {
        c: [cell(shown(c, v), places.get(str(c), digits)) for v in frame[c].tolist()] for c in frame.columns
    }
    source = frame if numbers is None else numbers
    numeric = {c: any(is_number(v) for v in source[c].tolist()) for c in frame.columns}

    def width(c: str) -> int:
        longest = max((len(t) for t in texts[c]), default=0)
        return min(max(longest, header_chars(headers.get(c, str(c)))), MAX_COLUMN_CHARS) + 2

    rest = [c for c in frame.columns if c not in keys]
    used = sum(width(k) for k in keys)
    groups: list[list[str]] = []
    current: list[str] = []
    for c in rest:
        if current and used + sum(width(x) for x in current) + width(c) > budget:
            groups.append(current)
            current = []
        current.append(c)
    if current or not groups:
        groups.append(current)
    out = []
    total = len(frame.columns)
    for i, group in enumerate(groups):
        cols = [*keys, *group]
        label = (
            title
            if len(groups) == 1
            else _("%(title)s (part %(part)d of %(parts)d)")
            % {"title": title, "part": i + 1, "parts": len(groups)}
        )
        out.append(
            Table(
                label,
                tuple(headers.get(c, str(c)) for c in cols),
                tuple(zip(*(texts[c] for c in cols), strict=True)) if len(frame) else (),
                tuple(numeric[c] for c in cols),
                note=ngettext(
                    "%(rows)d row; %(columns)d columns in all",
                    "%(rows)d rows; %(columns)d columns in all",
                    len(frame),
                )
                % {"rows": len(frame), "columns": total}
                if i == len(groups) - 1
                else "",
                wide=wide,
            )
        )
    return out


@dataclass(frozen=True)
class ReportTables:
    """The tables of one run's report: main tables and the appendix (the complete result table).

    ``settings`` detail the run's options (printed with them, e.g. a reviewer's choices), ``extra`` are
    further tables printed after the main ones under their own title (e.g. operating characteristics),
    ``appendix_note`` is added to the sentence that introduces the appendix.

    Attributes
    ----------
    main : tuple of Table
        The main tables, in the kind's regulator-style layout.
    appendix : tuple of Table
        The complete stored result table in panels that fit the page (may be empty when the main
        tables already show every column).
    notes : tuple of str, default ()
        Notes printed with the tables (e.g. methods, flags).
    settings : tuple of Table, default ()
        Tables detailing the run's options.
    extra : tuple of Table, default ()
        Further tables printed after the main ones.
    appendix_note : str, default ""
        Text added to the sentence introducing the appendix.
    """

    main: tuple[Table, ...]
    appendix: tuple[Table, ...]
    notes: tuple[str, ...] = ()
    settings: tuple[Table, ...] = ()
    extra: tuple[Table, ...] = ()
    appendix_note: str = ""


#: No tables (a result without a table).
NO_TABLES = ReportTables((), ())


def unit_label(code: str, unit: str) -> str:
    """``CMAX (ng/mL)``, or the code alone without a unit."""
    return f"{code} ({unit})" if unit else code


def percent_text(value: Any) -> str:
    """A percentage to two decimals (``96.58``), a dash when missing or not finite."""
    return f"{float(value):.2f}" if is_number(value) and math.isfinite(float(value)) else "—"


def generic_tables(frame: pd.DataFrame, options: Mapping[str, Any] | None = None) -> ReportTables:
    """Any table: all columns in panels that fit the page (``options`` unused: the contract's signature).

    Columns are headed by their labels (:func:`~bioparity.analyses.terms.key_label`: ``cv`` is printed
    ``CV (%)``, its stored fractions times 100); a column without a label keeps its stored name. When a
    label changed what is printed, the appendix prints the table as stored (the names and numbers of the
    CSV), so that no stored column or value is lost: each column under its stored name (after its words
    where the label states no unit that the stored numbers lack: ``design`` is ``设计（design）``, ``cv``
    stays ``cv``, its numbers fractions), each code in the reader's words with the code
    (:func:`~bioparity.analyses.terms.coded_value`: ``parallel groups (parallel)``)."""
    keys = [c for c in frame.columns[:1]]
    names = [str(c) for c in frame.columns]
    stored = frame.to_numpy().tolist()
    rows = [[_shown_cell(c, v) for c, v in zip(names, row, strict=True)] for row in stored]
    shown = pd.DataFrame(rows, columns=frame.columns)
    headers = {c: key_label(str(c)) for c in frame.columns}
    main = _fitted(shown, keys, headers, frame)
    worded = any(_is_code(c, v) for row in stored for c, v in zip(names, row, strict=True))
    relabelled = worded or any(headers[c] != str(c) for c in frame.columns)
    if not relabelled:
        return ReportTables(main, ())
    coded = pd.DataFrame(
        [[coded_value(c, v) for c, v in zip(names, row, strict=True)] for row in stored],
        columns=frame.columns,
    )
    return ReportTables(main, _fitted(coded, keys, {c: stored_header(str(c)) for c in frame.columns}, frame))


def stored_header(key: str) -> str:
    """The header of a stored column in the appendix: its words with its stored name
    (``设计（design）`` in Chinese; ``design`` when the words are the name), or the stored name alone when it
    has no label or its label states a unit the stored numbers are not in (``cv``: a fraction under
    ``CV (%)``).

    Examples
    --------
    >>> stored_header("design"), stored_header("cv"), stored_header("AUCIFO"), stored_header("n")
    ('design', 'cv', 'AUCIFO', 'subjects (n)')
    >>> from bioparity.i18n import use_language
    >>> with use_language("zh-CN"):
    ...     stored_header("design")
    '设计（design）'
    """
    label = LABELS.get(key)
    if label is None or label.percent:
        return key
    words = key_label(key)
    if re.search(rf"\b{re.escape(key)}\b", words):  # the words name it already: subjects (n)
        return words
    return _("%(value)s (%(detail)s)") % {"value": words, "detail": key}


def _is_code(key: str, value: Any) -> bool:
    """Whether a stored cell is an option or method code that has words (:data:`VALUE_LABELS`)."""
    return isinstance(value, str) and (key, value) in VALUE_LABELS


def _shown_cell(key: str, value: Any) -> Any:
    """A stored cell as the main table prints it: a code in the reader's words (``exact`` -> ``exact,
    Owen's Q``, as the power plot's legend names it), any other value as :func:`shown_value` prints it."""
    return value_words(key, value) if _is_code(key, value) else shown_value(key, value)


def _fitted(
    frame: pd.DataFrame,
    keys: Sequence[str],
    headers: Mapping[str, str],
    numbers: pd.DataFrame | None = None,
) -> tuple[Table, ...]:
    """The table on a portrait page when it fits one (no landscape page for a narrow table), else in
    landscape panels (``numbers``: the stored frame, see :func:`panels`)."""
    title = _("Result table")
    portrait = panels(
        frame, keys, title, budget=PORTRAIT_BUDGET, headers=headers, wide=False, numbers=numbers
    )
    if len(portrait) == 1:
        return tuple(portrait)
    return tuple(panels(frame, keys, title, headers=headers, numbers=numbers))
