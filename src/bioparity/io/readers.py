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


def _arrow_csv_text(file: Path) -> pd.DataFrame | None:
    """Every cell as text, read by Arrow's multi-threaded parser; None when the file needs pandas' reader.

    Same result as ``pd.read_csv(dtype=str, keep_default_na=False, skipinitialspace=True)`` for a plain
    rectangular CSV with unique column names; anything else (quoted line breaks, ragged rows, duplicate or
    empty names, undecodable bytes) is left to pandas so that its error messages and rules apply unchanged.
    """
    import csv
    import mmap

    import pyarrow as pa  # type: ignore[import-untyped]
    import pyarrow.compute as pc  # type: ignore[import-untyped]
    import pyarrow.csv as pacsv  # type: ignore[import-untyped]

    with open(file, "rb") as raw:
        if file.stat().st_size == 0:
            return None
        with mmap.mmap(raw.fileno(), 0, access=mmap.ACCESS_READ) as data:
            if data.find(b'"') != -1:
                return None  # quoted fields (spaces, separators, line breaks inside): pandas' rules
    with open(file, encoding="utf-8-sig", newline="") as fh:
        header = [name.lstrip(" ") for name in next(csv.reader(fh), [])]
    if not header or len(set(header)) != len(header) or any(not name.strip() for name in header):
        return None
    try:
        table = pacsv.read_csv(
            file,
            read_options=pacsv.ReadOptions(column_names=header, skip_rows=1),
            parse_options=pacsv.ParseOptions(newlines_in_values=False),
            convert_options=pacsv.ConvertOptions(
                # large_string: what pandas' "str" dtype holds, so that no column is cast (copied) again
                column_types={name: pa.large_string() for name in header},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, UnicodeDecodeError, OSError):
        return None
    # skipinitialspace: trim the columns that have a cell starting with a space (trimming copies them)
    columns = [
        pc.utf8_ltrim(column, characters=" ") if pc.any(pc.starts_with(column, " ")).as_py() else column
        for column in table.columns
    ]
    frame = pa.Table.from_arrays(columns, names=header).to_pandas()
    return frame.astype({name: "str" for name in header}) if len(frame) else None


def read_csv_text(file: Path) -> pd.DataFrame:
    """A CSV file with every cell as text (Arrow's parser when the file is plain, else pandas')."""
    frame = _arrow_csv_text(file)
    if frame is None:
        frame = pd.read_csv(file, dtype=str, keep_default_na=False, skipinitialspace=True)
    return frame


def _repeated_csv_column(file: Path) -> str | None:
    """The first name the CSV header gives twice (pandas would read the second as ``name.1``, so an
    analysis would silently use one of the two columns)."""
    import csv

    with open(file, encoding="utf-8-sig", errors="replace", newline="") as fh:
        header = [name.strip() for name in next(csv.reader(fh), [])]
    seen: set[str] = set()
    for name in header:
        if name and name in seen:
            return name
        seen.add(name)
    return None


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
            frame = read_csv_text(file)
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
    repeated = _repeated_csv_column(file) if fmt == "csv" else None
    if repeated is not None:
        raise DataFileError(
            "the header names a column twice",
            file=label,
            line=1,
            column=repeated,
            expected="each column named once",
        )
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
