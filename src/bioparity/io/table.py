"""Reading a user's CSV table with checked columns and cell-level error messages.

Every problem is reported before any computation starts, with the file, the data row (and the file
line) and the column, what was found and what was expected.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from bioparity.errors import DataFileError, require_columns_found
from bioparity.io.limits import check_csv_limits
from bioparity.io.readers import parse_number, read_csv_cells, require_file
from bioparity.problems import (
    A_NUMBER,
    A_TEXT_VALUE,
    A_WHOLE_NUMBER,
    AN_EXISTING_CSV,
    AT_LEAST_ONE_SCENARIO,
    COLUMNS,
    EMPTY_CELL,
    HEADER_ONLY,
    INVALID_VALUE,
    NOT_A_NUMBER,
    NOT_FINITE,
    NOT_FINITE_WHOLE,
    WHOLE_TOO_LARGE,
)

#: The largest whole number a float holds exactly (2**53); an "integer" cell beyond it is refused.
_MAX_EXACT_INTEGER = 2**53


@dataclass(frozen=True)
class ColumnSpec:
    """One expected column.

    ``kind`` is ``"number"``, ``"integer"`` or ``"text"``. ``required`` columns must exist; ``allow_blank``
    lets a cell be empty (it then reads as NaN / None, meaning "use the default"). ``check`` returns an
    error text (what was expected) for a bad value, or None; ``expected`` replaces the kind's "a number"
    in the message of a cell that does not parse.
    """

    name: str
    kind: str = "number"
    required: bool = True
    allow_blank: bool = False
    check: Callable[[object], str | None] | None = None
    #: What a bad cell should have been, in the column's own words (default: by ``kind``).
    expected: str | None = None


def read_table(path: str | os.PathLike[str], columns: Sequence[ColumnSpec]) -> pd.DataFrame:
    """Read a CSV file and validate it against ``columns``; extra columns are kept as text.

    Returns a frame with numeric columns as float (integers as int64 where no blanks) and text columns
    stripped. Raises :class:`DataFileError` at the first bad cell, scanning rows in file order.
    """
    file = Path(path)
    label = str(path)
    require_file(file, label, AN_EXISTING_CSV)
    check_csv_limits(file, label)
    raw = read_csv_cells(file, label)
    raw.columns = [str(c).strip() for c in raw.columns]
    required = [c.name for c in columns if c.required]
    require_columns_found(
        raw.columns, required, file=label, expected=COLUMNS.format(columns=", ".join(required))
    )
    if raw.empty:
        raise DataFileError(HEADER_ONLY, file=label, expected=AT_LEAST_ONE_SCENARIO)
    out = raw.copy()
    for spec in columns:
        if spec.name not in raw.columns:
            continue
        values = [_parse_cell(spec, cell, label, i + 1) for i, cell in enumerate(raw[spec.name].str.strip())]
        if spec.kind == "text":
            out[spec.name] = pd.Series(values, index=raw.index, dtype=object)
        else:
            series = pd.Series(values, index=raw.index, dtype=float)
            if spec.kind == "integer" and not series.isna().any():
                series = series.astype(np.int64)
            out[spec.name] = series
    return out


def _parse_cell(spec: ColumnSpec, cell: str, label: str, row: int) -> object:
    """One checked cell value; blank cells are NaN (numbers) or None (text) where allowed."""

    def fail(problem: str, expected: str, value: str | None = cell) -> DataFileError:
        return DataFileError(
            problem, file=label, row=row, line=row + 1, column=spec.name, value=value, expected=expected
        )

    if cell == "" or cell.upper() in {"NA", "NAN"}:
        if not spec.allow_blank:
            raise fail(EMPTY_CELL, _expected(spec), value=None)
        return np.nan if spec.kind != "text" else None
    value: object = cell
    if spec.kind in {"number", "integer"}:
        try:
            number = parse_number(cell)
        except ValueError:
            raise fail(NOT_A_NUMBER, _expected(spec)) from None
        if not np.isfinite(number) or (spec.kind == "integer" and number != round(number)):
            raise fail(NOT_FINITE_WHOLE if spec.kind == "integer" else NOT_FINITE, _expected(spec))
        if spec.kind == "integer" and abs(number) > _MAX_EXACT_INTEGER:
            # beyond 2**53 a float is no longer an exact count, and beyond 2**63 int64 wraps to a negative
            raise fail(WHOLE_TOO_LARGE, f"a whole number of at most {_MAX_EXACT_INTEGER:,}")
        value = number
    problem = spec.check(value) if spec.check is not None else None
    if problem:
        raise fail(INVALID_VALUE, problem)
    return value


def _expected(spec: ColumnSpec) -> str:
    if spec.expected is not None:
        return spec.expected
    return {"number": A_NUMBER, "integer": A_WHOLE_NUMBER, "text": A_TEXT_VALUE}.get(spec.kind, spec.kind)
