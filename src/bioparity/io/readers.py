"""Reading tabular input files of any supported format into a DataFrame, for row-level validation.

CSV cells are read as text (so that "BLQ" or "1,5" can be reported exactly as written); XLSX (the one
sheet with data, :func:`data_sheet`), Parquet and SAS transport (XPT, via pyreadstat) keep their stored
types. ``line_offset`` maps a
data row to the file's line for CSV; other formats are located by data row (row 1 = first data row).
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from bioparity import delimited
from bioparity.delimited import require_file as require_file
from bioparity.delimited import require_unique_header as require_unique_header
from bioparity.errors import DataFileError
from bioparity.io.limits import check_input_limits
from bioparity.problems import (
    A_KNOWN_FILE_TYPE,
    AN_EXISTING_TABLE,
    AN_EXISTING_TEXT_FILE,
    CANNOT_READ,
    ONE_SHEET,
    SEVERAL_SHEETS,
    UNKNOWN_FILE_TYPE,
)

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
class SheetChoice:
    """The worksheet of a workbook that is read (``name``) and every worksheet, in the workbook's order."""

    name: str
    sheets: tuple[str, ...]


@dataclass(frozen=True)
class LoadedTable:
    """A table read from a file, with what is needed to point at one of its rows (``sheet``: the
    worksheet of a workbook it was read from, else None)."""

    frame: pd.DataFrame
    file: str
    format: str
    line_offset: int | None
    sheet: SheetChoice | None = None


def data_sheet(book: pd.ExcelFile, label: str) -> SheetChoice:
    """The worksheet of ``book`` (file ``label``) that holds the data: the only one with a cell that is not
    blank (the first sheet when none has one).

    A workbook has no "current" sheet that a reader could honour, and reading the first sheet silently
    analyses a cover or notes sheet, or ignores a second table. So a workbook with data on more than one
    sheet is refused, naming them: the user keeps the sheet to analyse (or saves it as CSV).
    """
    names = tuple(str(n) for n in book.sheet_names)
    filled = [name for name in names if _has_cells(book.book[name])]
    if len(filled) > 1:
        raise DataFileError(
            SEVERAL_SHEETS.format(n=len(filled), sheets=", ".join(map(repr, filled))),
            file=label,
            expected=ONE_SHEET,
        )
    return SheetChoice(filled[0] if filled else names[0], names)


def _has_cells(sheet: object) -> bool:
    """Whether an openpyxl worksheet (read-only) has a cell that is not blank; stops at the first."""
    rows = getattr(sheet, "iter_rows", None)
    if rows is None:  # a chart sheet holds no cells
        return False
    return any(value is not None and str(value).strip() for row in rows(values_only=True) for value in row)


def _arrow_csv_text(file: Path) -> pd.DataFrame | None:
    """Every cell as text, read by Arrow's multi-threaded parser; None when the file needs pandas' reader.

    Same result as ``pd.read_csv(dtype=str, keep_default_na=False, skipinitialspace=True)`` for a plain
    rectangular CSV with unique column names; anything else (quoted line breaks, ragged rows, duplicate or
    empty names, undecodable bytes) is left to pandas so that its error messages and rules apply unchanged.
    """
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
    """A CSV file with every cell as text (Arrow's parser when the file is plain, else pandas':
    :func:`bioparity.delimited.parse_csv_text`)."""
    frame = _arrow_csv_text(file)
    return delimited.parse_csv_text(file) if frame is None else frame


def parse_number(text: str) -> float:
    """``float(text)`` for a cell of a data file: Python also reads ``1_000`` and non-ASCII digits
    (``'١٢'``, full-width), which no data file means as a number; those raise ValueError like float."""
    if "_" in text or not text.isascii():
        raise ValueError(f"could not convert string to float: {text!r}")
    return float(text)


def read_csv_cells(file: Path, label: str) -> pd.DataFrame:
    """:func:`read_csv_text` with errors naming the file: empty, semicolon- or tab-separated, not UTF-8
    (line and byte), not parseable as CSV, data rows longer than the header, or a column name given twice
    (the rules of :func:`bioparity.delimited.read_csv_cells`, which the cores' readers use too)."""
    return delimited.read_csv_cells(file, label, read_csv_text)


def read_any_table(path: str | os.PathLike[str], *, label: str | None = None) -> LoadedTable:
    """Read CSV, XLSX, Parquet or SAS XPT by file extension; errors name the file and what was expected.

    ``label`` is how messages and the table name the file (default: the path as given), e.g. a stored
    dataset's file name for its temporary copy.
    """
    file = Path(path)
    label = str(path) if label is None else label
    require_file(file, label, AN_EXISTING_TABLE)
    fmt = FORMATS.get(file.suffix.lower())
    if fmt is None:
        raise DataFileError(
            UNKNOWN_FILE_TYPE.format(suffix=repr(file.suffix)), file=label, expected=A_KNOWN_FILE_TYPE
        )
    check_input_limits(file, fmt, label)
    sheet: SheetChoice | None = None
    try:
        if fmt == "csv":
            frame = read_csv_cells(file, label)
            offset: int | None = 1
        elif fmt == "xlsx":
            with pd.ExcelFile(file, engine="openpyxl") as book:
                sheet = data_sheet(book, label)
                frame = pd.read_excel(book, sheet_name=sheet.name, dtype=object)
                header = pd.read_excel(book, sheet_name=sheet.name, header=None, nrows=1).to_numpy().ravel()
            require_unique_header(["" if pd.isna(name) else name for name in header], label)
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
        raise DataFileError(CANNOT_READ.format(format=fmt.upper(), reason=exc), file=label) from exc
    if fmt != "csv":  # read_csv_cells checked the cells of a CSV file
        delimited.require_short_cells(frame, label, line_offset=None)
    frame.columns = [str(c).strip() for c in frame.columns]
    return LoadedTable(frame, label, fmt, offset, sheet)


def require_utf8_text(path: str | os.PathLike[str], label: str | None = None) -> None:
    """Fail with the file (``label``, default the path), line and byte offset when a file is not UTF-8."""
    file = Path(path)
    label = str(path) if label is None else label
    require_file(file, label, AN_EXISTING_TEXT_FILE)
    delimited.require_utf8(file.read_bytes(), label)
