"""Size limits checked *before* an input table is parsed (decompression bombs, runaway files).

A 5 KB XLSX can declare a sheet of 1,048,576 x 16,384 cells, and a spreadsheet reader pads every row to
the declared width: the process then allocates memory until it dies. Each format is therefore inspected
cheaply first, and a file beyond a limit is refused with a message naming the limit:

* XLSX/XLSM: the uncompressed size of the archive members (counted while decompressing, never trusting
  the archive's own size fields), and in every worksheet the declared ``<dimension>`` and the largest row
  and column referenced by ``<row r=...>`` and ``<c r=...>`` (a streaming scan, constant memory).
* Parquet: rows, columns and uncompressed size from the file footer (no data read).
* SAS XPT: columns and row width from the header; rows from the file size.
* CSV: file size, fields in the header line, and lines (a byte count in blocks).

The defaults fit the largest studies (12 million concentration rows, 1,000 columns); an administrator can
change them with the environment variables ``BIOPARITY_MAX_ROWS``, ``BIOPARITY_MAX_COLUMNS``,
``BIOPARITY_MAX_CELLS`` and ``BIOPARITY_MAX_UNCOMPRESSED_BYTES``.
"""

from __future__ import annotations

import os
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import cast
from xml.etree.ElementTree import Element, ParseError, XMLPullParser

from bioparity.errors import DataFileError

_BLOCK = 1 << 20


@dataclass(frozen=True)
class TableLimits:
    """Largest accepted input table: rows, columns, cells (rows x columns) and uncompressed bytes."""

    max_rows: int = 20_000_000
    max_columns: int = 1_000
    max_cells: int = 200_000_000
    max_uncompressed_bytes: int = 4 * 1024**3

    @classmethod
    def from_environment(cls) -> TableLimits:
        """The defaults, each overridable by ``BIOPARITY_MAX_<NAME>`` (a whole number)."""
        values: dict[str, int] = {}
        for name in ("max_rows", "max_columns", "max_cells", "max_uncompressed_bytes"):
            text = os.environ.get(f"BIOPARITY_{name.upper()}")
            if text is None:
                continue
            try:
                values[name] = int(text.replace("_", ""))
            except ValueError:
                raise DataFileError(
                    f"environment variable BIOPARITY_{name.upper()}={text!r} is not a whole number"
                ) from None
        return cls(**values)


def _refuse(
    file: str, what: str, found: int | str, limit: int, name: str, subject: str = ""
) -> DataFileError:
    """The refusal: ``<subject> has <found> <what>, more than the limit of <limit> (<NAME>)``."""
    subject = subject or "the file has"
    return DataFileError(
        f"refused before reading: {subject} {found} {what}, more than the limit of {limit:,} "
        f"(BIOPARITY_{name.upper()})",
        file=file,
        expected=f"at most {limit:,} {what} (an administrator can raise BIOPARITY_{name.upper()})",
    )


def check_shape(file: str, rows: int, columns: int, limits: TableLimits, *, declared: str = "") -> None:
    """Refuse a table of ``rows`` x ``columns`` beyond the row, column or cell limit."""
    if columns > limits.max_columns:
        raise _refuse(file, "columns", f"{columns:,}", limits.max_columns, "max_columns", declared)
    if rows > limits.max_rows:
        raise _refuse(file, "rows", f"{rows:,}", limits.max_rows, "max_rows", declared)
    if rows * columns > limits.max_cells:
        raise _refuse(file, "cells", f"{rows * columns:,}", limits.max_cells, "max_cells", declared)


def check_input_limits(path: Path, fmt: str, label: str, limits: TableLimits | None = None) -> None:
    """Check a table file of format ``fmt`` (csv, xlsx, parquet, xpt) against ``limits`` before parsing."""
    limits = limits or TableLimits.from_environment()
    if fmt == "xlsx":
        _check_xlsx(path, label, limits)
    elif fmt == "parquet":
        _check_parquet(path, label, limits)
    elif fmt == "xpt":
        _check_xpt(path, label, limits)
    else:
        check_csv_limits(path, label, limits)


def _check_size(path: Path, label: str, limits: TableLimits) -> int:
    size = path.stat().st_size
    if size > limits.max_uncompressed_bytes:
        raise _refuse(label, "bytes", f"{size:,}", limits.max_uncompressed_bytes, "max_uncompressed_bytes")
    return size


def check_csv_limits(path: Path, label: str | None = None, limits: TableLimits | None = None) -> None:
    """CSV: file size, header fields and lines (quoted line breaks counted as lines: a safe upper bound)."""
    limits = limits or TableLimits.from_environment()
    label = label or str(path)
    _check_size(path, label, limits)
    lines = 0
    header = b""
    last = b"\n"
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(_BLOCK), b""):
            if not header:
                header = block.split(b"\n", 1)[0]
            lines += block.count(b"\n")
            last = block[-1:]
    if last != b"\n":
        lines += 1
    columns = header.count(b",") + 1 if header else 0
    check_shape(label, max(lines - 1, 0), columns, limits)


def _check_parquet(path: Path, label: str, limits: TableLimits) -> None:
    import pyarrow.parquet as pq  # type: ignore[import-untyped]

    try:
        meta = pq.ParquetFile(path).metadata
    except Exception as exc:  # pyarrow raises several types for a damaged footer
        raise DataFileError(f"cannot be read as PARQUET: {exc}", file=label) from exc
    check_shape(label, meta.num_rows, meta.num_columns, limits)
    size = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
    if size > limits.max_uncompressed_bytes:
        raise _refuse(
            label,
            "uncompressed bytes",
            f"{size:,}",
            limits.max_uncompressed_bytes,
            "max_uncompressed_bytes",
            "the row groups hold",
        )


def _check_xpt(path: Path, label: str, limits: TableLimits) -> None:
    import pyreadstat

    size = _check_size(path, label, limits)
    try:
        _frame, meta = pyreadstat.read_xport(str(path), metadataonly=True)
    except Exception as exc:  # pyreadstat raises its own error types
        raise DataFileError(f"cannot be read as XPT: {exc}", file=label) from exc
    columns = len(meta.column_names)
    width = sum(int(w) for w in (meta.variable_storage_width or {}).values()) or 1
    rows = meta.number_rows if meta.number_rows is not None else size // width
    check_shape(label, int(rows), columns, limits)


_CELL_REF = re.compile(r"^\$?([A-Z]{1,4})\$?(\d{1,9})$")


def _column_number(letters: str) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + (ord(ch) - 64)
    return number


def _parse_ref(ref: str) -> tuple[int, int] | None:
    match = _CELL_REF.match(ref.strip().upper())
    if match is None:
        return None
    return int(match.group(2)), _column_number(match.group(1))


def _check_xlsx(path: Path, label: str, limits: TableLimits) -> None:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise DataFileError(f"cannot be read as XLSX: {exc}", file=label) from exc
    with archive:
        budget = limits.max_uncompressed_bytes
        sheets = [i for i in archive.infolist() if re.fullmatch(r"xl/worksheets/[^/]+\.xml", i.filename)]
        others = [i for i in archive.infolist() if i not in sheets]
        for info in others:  # shared strings, styles, ...: count their real uncompressed size
            budget -= _drain(archive, info, budget, label, limits)
        for info in sheets:
            budget -= _scan_sheet(archive, info, budget, label, limits)


def _too_big(label: str, limits: TableLimits) -> DataFileError:
    return _refuse(
        label,
        "uncompressed bytes",
        f"at least {limits.max_uncompressed_bytes + 1:,}",
        limits.max_uncompressed_bytes,
        "max_uncompressed_bytes",
        "the archive inflates to",
    )


def _member_blocks(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: int, label: str, limits: TableLimits
) -> Iterator[bytes]:
    total = 0
    try:
        with archive.open(info) as member:
            for block in iter(lambda: member.read(_BLOCK), b""):
                total += len(block)
                if total > budget:
                    raise _too_big(label, limits)
                yield block
    except (zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError, EOFError) as exc:
        raise DataFileError(f"cannot be read as XLSX: {exc}", file=label) from exc


def _drain(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: int, label: str, limits: TableLimits
) -> int:
    return sum(len(block) for block in _member_blocks(archive, info, budget, label, limits))


def _scan_sheet(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: int, label: str, limits: TableLimits
) -> int:
    """Largest row and column of a worksheet (declared and referenced), checked against the limits."""
    sheet = info.filename.rsplit("/", 1)[-1]
    parser: XMLPullParser[Element] = XMLPullParser(events=("start", "end"))
    max_row = max_col = rows_seen = 0
    row_cols = 0
    size = 0
    container: Element | None = None
    for block in _member_blocks(archive, info, budget, label, limits):
        size += len(block)
        try:
            parser.feed(block)
        except ParseError as exc:
            raise DataFileError(f"cannot be read as XLSX: worksheet {sheet}: {exc}", file=label) from exc
        for pair in parser.read_events():
            event = pair[0]
            elem = cast(Element, pair[-1])  # only start/end events were asked for: always an element
            tag = elem.tag.rsplit("}", 1)[-1]
            if event == "start":
                if tag == "dimension":
                    for ref in str(elem.get("ref", "")).split(":"):
                        cell = _parse_ref(ref)
                        if cell is not None:
                            check_shape(label, cell[0], cell[1], limits, declared=f"sheet {sheet} declares")
                elif tag == "sheetData":
                    container = elem
                elif tag == "row":
                    rows_seen += 1
                    row_cols = 0
                    r = elem.get("r")
                    max_row = max(max_row, int(r) if r and r.isdigit() else rows_seen)
                    rows_seen = max(rows_seen, max_row)
                elif tag == "c":
                    row_cols += 1
                    cell = _parse_ref(str(elem.get("r", "")))
                    col = cell[1] if cell is not None else row_cols
                    row_cols = max(row_cols, col)
                    if cell is not None:
                        max_row = max(max_row, cell[0])
                    max_col = max(max_col, col)
                    if max_col > limits.max_columns or max_row > limits.max_rows:
                        check_shape(label, max_row, max_col, limits, declared=f"sheet {sheet} has")
            elif tag == "row":
                if max_row > limits.max_rows:
                    check_shape(label, max_row, max_col, limits, declared=f"sheet {sheet} has")
                if container is not None:
                    container.clear()  # keep memory flat: rows are not needed once counted
    check_shape(label, max_row, max_col, limits, declared=f"sheet {sheet} has")
    return size
