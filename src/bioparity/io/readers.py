"""Reading tabular input files of any supported format into a DataFrame, for row-level validation.

CSV cells are read as text (so that "BLQ" or "1,5" can be reported exactly as written); XLSX (first
sheet), Parquet and SAS transport (XPT, via pyreadstat) keep their stored types. ``line_offset`` maps a
data row to the file's line for CSV; other formats are located by data row (row 1 = first data row).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from bioparity.errors import DataFileError
from bioparity.io.limits import check_input_limits

FORMATS = {
    ".csv": "csv",
    ".txt": "csv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".xpt": "xpt",
}


@dataclass(frozen=True)
class LoadedTable:
    """A table read from a file, with what is needed to point at one of its rows."""

    frame: pd.DataFrame
    file: str
    format: str
    line_offset: int | None


def read_any_table(path: str | os.PathLike[str]) -> LoadedTable:
    """Read CSV, XLSX, Parquet or SAS XPT by file extension; errors name the file and what was expected."""
    file = Path(path)
    label = str(path)
    if not file.is_file():
        raise DataFileError(
            "file not found", file=label, expected="an existing CSV, XLSX, Parquet or XPT file"
        )
    fmt = FORMATS.get(file.suffix.lower())
    if fmt is None:
        raise DataFileError(
            f"unknown file type {file.suffix!r}", file=label, expected="a .csv, .xlsx, .parquet or .xpt file"
        )
    check_input_limits(file, fmt, label)
    try:
        if fmt == "csv":
            frame = pd.read_csv(file, dtype=str, keep_default_na=False, skipinitialspace=True)
            offset: int | None = 1
        elif fmt == "xlsx":
            frame = pd.read_excel(file, sheet_name=0, dtype=object)
            offset = None  # rows are data rows (row 1 = first row under the header); no text lines
        elif fmt == "parquet":
            frame = pd.read_parquet(file)
            offset = None
        else:
            import pyreadstat

            frame, _meta = pyreadstat.read_xport(str(file))
            offset = None
    except DataFileError:
        raise
    except Exception as exc:  # each reader has its own exception types; report them uniformly
        raise DataFileError(f"cannot be read as {fmt.upper()}: {exc}", file=label) from exc
    frame.columns = [str(c).strip() for c in frame.columns]
    return LoadedTable(frame, label, fmt, offset)


def require_utf8_text(path: str | os.PathLike[str]) -> None:
    """Fail with the file, line and byte offset when a text file (catalogue, rules) is not UTF-8."""
    file = Path(path)
    if not file.is_file():
        raise DataFileError("file not found", file=str(path), expected="an existing UTF-8 text file")
    data = file.read_bytes()
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise DataFileError(
            f"is not UTF-8 text: byte 0x{data[exc.start]:02x} at offset {exc.start} (line {line})",
            file=str(path),
            expected="a UTF-8 encoded file (save it as 'UTF-8' / 'CSV UTF-8' in your editor)",
        ) from None
