"""Reading a CAA measurement file: the long table of :mod:`bioparity.caa.inputs`, cell by cell checked.

The long table has one row per measurement: ``attribute, source, lot, value`` and optionally ``unit,
tier, replicate, date, method``; every problem is reported before any computation with the file, row
and column (:func:`bioparity.caa.inputs.check_long_table` then checks the table as a whole).
"""

from __future__ import annotations

import os

import pandas as pd

from bioparity.caa.inputs import SOURCE_EXPECTED, SOURCE_PATTERN, check_long_table
from bioparity.io.table import ColumnSpec, read_table


def _check_source(value: object) -> str | None:
    return None if SOURCE_PATTERN.match(str(value).strip().lower()) else SOURCE_EXPECTED


def _check_tier(value: object) -> str | None:
    return None if float(value) in (1.0, 2.0, 3.0) else "a tier 1, 2 or 3"  # type: ignore[arg-type]


_SPECS = (
    ColumnSpec("attribute", "text"),
    ColumnSpec("source", "text", check=_check_source),
    ColumnSpec("lot", "text"),
    ColumnSpec("value", "number", allow_blank=True),
    ColumnSpec("unit", "text", required=False, allow_blank=True),
    ColumnSpec("tier", "number", required=False, allow_blank=True, check=_check_tier),
    ColumnSpec("replicate", "text", required=False, allow_blank=True),
    ColumnSpec("date", "text", required=False, allow_blank=True),
    ColumnSpec("method", "text", required=False, allow_blank=True),
)


def read_long_table(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read and check a CAA measurement CSV (see :mod:`bioparity.caa.inputs`); returns the checked frame."""
    return check_long_table(read_table(path, _SPECS), file=str(path))
