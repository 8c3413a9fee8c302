"""Reading a CAA measurement file: the long table of :mod:`bioparity.caa.inputs`, cell by cell checked.

The long table has one row per measurement: ``attribute, source, lot, value`` and optionally ``unit,
tier, replicate, date, method``; every problem is reported before any computation with the file, row
and column (:func:`bioparity.caa.inputs.check_long_table` then checks the table as a whole).
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pandas as pd

from bioparity.caa.inputs import SOURCE_EXPECTED, SOURCE_PATTERN, check_long_table
from bioparity.caa.potency import potency_lot_values
from bioparity.io.limits import check_csv_limits
from bioparity.io.readers import read_csv_cells, require_file
from bioparity.io.table import ColumnSpec, read_table
from bioparity.nca.samples import Where
from bioparity.problems import A_MEASURED_VALUE, A_TIER, ONE_ROW_PER_REPLICATE, REPLICATE_TWICE


def _check_source(value: object) -> str | None:
    return None if SOURCE_PATTERN.match(str(value).strip().lower()) else SOURCE_EXPECTED


def _check_tier(value: object) -> str | None:
    return None if float(value) in (1.0, 2.0, 3.0) else A_TIER  # type: ignore[arg-type]


_SPECS = (
    ColumnSpec("attribute", "text"),
    ColumnSpec("source", "text", check=_check_source),
    ColumnSpec("lot", "text"),
    ColumnSpec("value", "number", allow_blank=True, expected=A_MEASURED_VALUE),
    ColumnSpec("unit", "text", required=False, allow_blank=True),
    ColumnSpec("tier", "number", required=False, allow_blank=True, check=_check_tier),
    ColumnSpec("replicate", "text", required=False, allow_blank=True),
    ColumnSpec("date", "text", required=False, allow_blank=True),
    ColumnSpec("method", "text", required=False, allow_blank=True),
)


def read_long_table(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read and check a CAA measurement CSV (see :mod:`bioparity.caa.inputs`); returns the checked frame."""
    frame = read_table(path, _SPECS)
    if "replicate" in frame.columns:
        # the same replicate of a lot twice (a pasted row) would silently weigh in the lot mean twice
        key = frame[["attribute", "source", "lot", "replicate"]]
        Where(file=str(path)).reject(
            key.duplicated() & frame["replicate"].notna(),
            REPLICATE_TWICE,
            "replicate",
            frame["replicate"],
            ONE_ROW_PER_REPLICATE,
        )
    return check_long_table(frame, file=str(path))


def csv_header(path: str | os.PathLike[str]) -> list[str]:
    """The column names of a CSV file (empty when it cannot be read as UTF-8 CSV; its reader says why)."""
    try:
        with Path(path).open(encoding="utf-8-sig", newline="") as fh:
            return [c.strip() for c in next(csv.reader(fh), [])]
    except (OSError, UnicodeDecodeError, csv.Error):
        return []


def read_potency_lots(
    path: str | os.PathLike[str], *, attribute: str = "relative_potency", tier: int | None = None
) -> pd.DataFrame:
    """A ``bioparity potency`` results CSV as checked CAA long rows (one per lot: the combined potency,
    or one replicate per assay; see :func:`bioparity.caa.potency.potency_lot_values`)."""
    file, label = Path(path), str(path)
    require_file(file, label, "a 'bioparity potency' results CSV")
    check_csv_limits(file, label)
    # every cell as written, checked like every CSV (separator, rows longer than the header, a column twice)
    rows = potency_lot_values(read_csv_cells(file, label), attribute=attribute, file=label, tier=tier)
    return check_long_table(rows, file=label)
