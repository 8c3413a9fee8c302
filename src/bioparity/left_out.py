"""The rows an analysis left out, named one way wherever they are shown.

``2 rows left out: row 3 (line 4) subject=1 time=2; row 7 (line 8) subject=2 time=1 (all in
pk.csv.provenance.json)``: how many, the first :data:`SHOWN_LEFT_OUT` by data row (1-based, as the readers'
error messages count them), file line when known and the fields that say which observation each was
(profile and time; subject, period and treatment), how many more, and where the full list is: the caller's
destination (``missing_cells of --format json`` for ``bioparity be``, the provenance file of ``bioparity
nca``, :data:`STORED_RESULT` for a workspace run). A regulator asks which samples an analysis did not use
(ICH E3 section 11.4.2.2, handling of missing data; EMA Guideline on the investigation of bioequivalence,
CPMP/EWP/QWP/1401/98 Rev. 1, section 4.1.8, exclusion of data).

The command line and the run pages show it in the reader's language (``translate=True``: the catalogue
through :func:`~bioparity.i18n.gettext`); a stored note (the ``notes`` of a ``be`` run) is stored in English
and translated where it is shown (:mod:`bioparity.i18n.notes`: the texts here are note templates, the
count's two forms those of :func:`~bioparity.i18n.notes.note_plural`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from itertools import islice
from typing import Any

from bioparity.i18n import gettext, ngettext
from bioparity.i18n.notes import note_plural, note_template

__all__ = ["SHOWN_LEFT_OUT", "STORED_RESULT", "left_out_rows"]

#: Rows named one by one (the others are counted).
SHOWN_LEFT_OUT = 5

LEFT_OUT = note_plural(
    "{n:d} row left out: {rows} (all in {where})", "{n:d} rows left out: {rows} (all in {where})"
)
LEFT_OUT_MORE = note_plural(
    "{n:d} row left out: {rows} and {more:d} more (all in {where})",
    "{n:d} rows left out: {rows} and {more:d} more (all in {where})",
)
#: One row: its data row, file line and the fields naming the observation (``subject=1 time=2``).
ROW_LINE_FIELDS = note_template("row {row:d} (line {line:d}) {fields}")
#: One row of a table without file lines (a stored data set, a data frame).
ROW_FIELDS = note_template("row {row:d} {fields}")
#: Where a workspace run keeps every row it left out.
STORED_RESULT = note_template("the stored result")


def _same(text: str) -> str:
    return text


def _english(singular: str, plural: str, n: int) -> str:
    return singular if n == 1 else plural


def _shown(value: object) -> str:
    """A field's value as written: ``168`` for the float 168.0 (JSON and pandas give times as floats)."""
    return f"{value:g}" if isinstance(value, float) else str(value)


def _known(line: object) -> bool:
    return line is not None and not (isinstance(line, float) and math.isnan(line))


def left_out_rows(
    records: Iterable[Mapping[Any, Any]], total: int, where: str, *, translate: bool = False
) -> str:
    """``3 rows left out: row 3 (line 4) subject=1 time=2; ... and 1 more (all in WHERE)``.

    Parameters
    ----------
    records : iterable of mappings
        The rows left out, in the order of the table: ``row`` (1-based data row), ``line`` (file line;
        absent, None or NaN when not known) and the fields that name the observation, in order. Only the
        first :data:`SHOWN_LEFT_OUT` are read.
    total : int
        How many rows were left out (the records may be only the first of them).
    where : str
        Where the full list is, in the reader's words (``missing_cells of --format json``,
        ``pk.csv.provenance.json``, :data:`STORED_RESULT`).
    translate : bool, default False
        In the current language (the command line, a page); False: the English note to store, translated
        where it is shown (:func:`bioparity.i18n.notes.note_text`).

    Returns
    -------
    str
        The text (with no leading separator).

    Examples
    --------
    >>> left_out_rows([{"row": 3, "line": 4, "subject": "7", "time": 2.0}], 1, "out.provenance.json")
    '1 row left out: row 3 (line 4) subject=7 time=2 (all in out.provenance.json)'
    >>> rows = [{"row": r, "subject": "A", "time": float(r)} for r in range(1, 9)]
    >>> left_out_rows(rows, 8, STORED_RESULT)  # doctest: +NORMALIZE_WHITESPACE
    '8 rows left out: row 1 subject=A time=1; row 2 subject=A time=2; row 3 subject=A time=3;
    row 4 subject=A time=4; row 5 subject=A time=5 and 3 more (all in the stored result)'
    """
    word = gettext if translate else _same
    forms = ngettext if translate else _english
    shown = []
    for record in islice(records, SHOWN_LEFT_OUT):
        fields = dict(record)
        row, line = int(fields.pop("row")), fields.pop("line", None)
        named = " ".join(f"{name}={_shown(value)}" for name, value in fields.items())
        shown.append(
            word(ROW_LINE_FIELDS).format(row=row, line=int(line), fields=named)
            if _known(line)
            else word(ROW_FIELDS).format(row=row, fields=named)
        )
    more = total - len(shown)
    text = forms(*(LEFT_OUT_MORE if more > 0 else LEFT_OUT), total)
    # the list's separator in the reader's words (zh-CN full-width "；", as a stored note is shown)
    return text.format(n=total, rows=word("; ").join(shown), more=more, where=where)
