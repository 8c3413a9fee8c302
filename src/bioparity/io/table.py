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

from bioparity.errors import DataFileError


@dataclass(frozen=True)
class ColumnSpec:
    """One expected column.

    ``kind`` is ``"number"``, ``"integer"`` or ``"text"``. ``required`` columns must exist; ``allow_blank``
    lets a cell be empty (it then reads as NaN / None, meaning "use the default"). ``check`` returns an
    error text (what was expected) for a bad value, or None.
    """

    name: str
    kind: str = "number"
    required: bool = True
    allow_blank: bool = False
    check: Callable[[object], str | None] | None = None


def read_table(path: str | os.PathLike[str], columns: Sequence[ColumnSpec]) -> pd.DataFrame:
    """Read a CSV file and validate it against ``columns``; extra columns are kept as text.

    Returns a frame with numeric columns as float (integers as int64 where no blanks) and text columns
    stripped. Raises :class:`DataFileError` at the first bad cell, scanning rows in file order.
    """
    file = Path(path)
    label = str(path)
    if not file.is_file():
        raise DataFileError("file not found", file=label, expected="an existing CSV file")
    try:
        raw = pd.read_csv(file, dtype=str, keep_default_na=False, skipinitialspace=True)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise DataFileError(f"cannot be read as CSV: {exc}", file=label) from exc
    raw.columns = [str(c).strip() for c in raw.columns]
    missing = [c.name for c in columns if c.required and c.name not in raw.columns]
    if missing:
        raise DataFileError(
            f"missing column(s) {', '.join(repr(m) for m in missing)}; "
            f"columns found: {', '.join(raw.columns)}",
            file=label,
            expected=f"columns {', '.join(c.name for c in columns if c.required)}",
        )
    if raw.empty:
        raise DataFileError("has a header but no data rows", file=label, expected="at least one scenario row")
    out = raw.copy()
    for spec in columns:
        if spec.name not in raw.columns:
            continue
        cells = raw[spec.name].str.strip()
        values: list[object] = []
        for i, cell in enumerate(cells.tolist()):
            row = i + 1
            if cell == "" or cell.upper() in {"NA", "NAN"}:
                if not spec.allow_blank:
                    raise DataFileError(
                        "empty cell",
                        file=label,
                        row=row,
                        line=row + 1,
                        column=spec.name,
                        expected=_expected(spec),
                    )
                values.append(np.nan if spec.kind != "text" else None)
                continue
            value: object = cell
            if spec.kind in {"number", "integer"}:
                try:
                    number = float(cell)
                except ValueError:
                    raise DataFileError(
                        "not a number",
                        file=label,
                        row=row,
                        line=row + 1,
                        column=spec.name,
                        value=cell,
                        expected=_expected(spec),
                    ) from None
                if not np.isfinite(number) or (spec.kind == "integer" and number != round(number)):
                    raise DataFileError(
                        "not a finite " + ("whole number" if spec.kind == "integer" else "number"),
                        file=label,
                        row=row,
                        line=row + 1,
                        column=spec.name,
                        value=cell,
                        expected=_expected(spec),
                    )
                value = number
            if spec.check is not None:
                problem = spec.check(value)
                if problem:
                    raise DataFileError(
                        "invalid value",
                        file=label,
                        row=row,
                        line=row + 1,
                        column=spec.name,
                        value=cell,
                        expected=problem,
                    )
            values.append(value)
        if spec.kind == "text":
            out[spec.name] = pd.Series(values, index=raw.index, dtype=object)
        else:
            series = pd.Series(values, index=raw.index, dtype=float)
            if spec.kind == "integer" and not series.isna().any():
                series = series.astype(np.int64)
            out[spec.name] = series
    return out


def _expected(spec: ColumnSpec) -> str:
    return {"number": "a number", "integer": "a whole number", "text": "a text value"}.get(
        spec.kind, spec.kind
    )
