"""The rules every reader of a user's CSV (or text) file applies: comma-separated, UTF-8, a regular file,
each column named once, no data row longer than the header, no cell longer than :data:`MAX_CELL_CHARS`
(:func:`read_csv_cells` applies them all).

Excel saves "CSV" with semicolons between the columns where the decimal mark is a comma (most of
continental Europe), and a text export may be tab-separated. Read as comma-separated, such a file has a
header of one column ``subject;arm;CMAX``: every reader would then report its columns as missing, or,
with decimal commas (``1,5``), the rows as longer than the header, or silently read ``1`` and ``5`` as
two cells. The readers refuse it here instead, saying how to save the file.

A neutral module (no I/O package, no core): the shared CSV reader
(:func:`bioparity.io.readers.read_csv_cells`, which adds Arrow's parser for plain files) and the cores' own
readers (the CAA catalogue, the Purple Book) use the same rules. pandas is imported only by the reader, so
that a core importing this module at start-up stays light.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from bioparity.errors import DataFileError
from bioparity.problems import (
    A_CSV_NOT_WORKBOOK,
    A_CSV_WITH_HEADER,
    A_UTF8_FILE,
    AS_MANY_FIELDS_AS_NAMES,
    CANNOT_PARSE,
    CELL_TOO_LONG,
    CLOSED_QUOTES,
    COMMA_SEPARATED,
    EACH_NAME_ONCE,
    EMPTY_FILE,
    FILE_NOT_FOUND,
    IS_A_FOLDER,
    IS_A_WORKBOOK,
    MORE_FIELDS,
    MORE_FIELDS_ON_LINE,
    NAME_TOO_LONG,
    NAMED_TWICE,
    NOT_UTF8,
    ONE_NAME_PER_FIELD,
    OTHER_SEPARATED,
    SHORT_CELLS,
    UNCLOSED_QUOTE,
)

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

#: Separators of the delimited files that are not comma-separated CSV, as named in the message.
OTHER_SEPARATORS = {";": "semicolon", "\t": "tab"}

#: The first bytes of a spreadsheet workbook, by its format as named in the message: XLSX (an Office Open
#: XML workbook is a ZIP archive; ECMA-376 Part 2, and the ZIP local file header signature of PKWARE's
#: APPNOTE 4.3.7) and the old binary XLS (the Compound File Binary header signature, [MS-CFB] 2.2).
WORKBOOK_SIGNATURES = {b"PK\x03\x04": "XLSX", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1": "XLS"}

#: The longest cell (and column name) a reader accepts, in characters. A cell of a PK, CMC or assay table
#: is a number, an id, a unit or a short comment; a longer one is a mistake (a pasted document, a whole
#: file in one quoted cell) that every page, report and CSV written from the data would carry in full.
MAX_CELL_CHARS = 10_000


def other_separator(header: Sequence[str]) -> str | None:
    """The name of the separator (``semicolon``, ``tab``) of a header row read as comma-separated, when it
    is one cell holding that separator; None for a comma-separated header.

    A one-column file whose name holds no semicolon or tab is comma-separated (one column); a semicolon in
    a data cell is data, so only the header is looked at.

    Examples
    --------
    >>> other_separator(["subject;arm;CMAX"]), other_separator(["subject", "arm"]), other_separator(["x"])
    ('semicolon', None, None)
    """
    if len(header) != 1:
        return None
    return next((name for sep, name in OTHER_SEPARATORS.items() if sep in header[0]), None)


def require_comma_separated_header(header: Sequence[str], label: str, *, line: int | None = None) -> None:
    """Fail when ``header`` (a header row read as comma-separated, on ``line`` of file ``label``) is one
    column holding a semicolon or a tab (:func:`other_separator`), saying how to save the file."""
    name = other_separator(header)
    if name is not None:
        raise DataFileError(
            OTHER_SEPARATED[name].format(header=repr(header[0])),
            file=label,
            line=line,
            expected=COMMA_SEPARATED,
        )


def require_comma_separated(file: Path, label: str) -> None:
    """Fail when the first line of ``file`` is a header of one column holding a semicolon or a tab
    (:func:`require_comma_separated_header`). A first line that is not UTF-8 or not CSV is left to the
    reader's own message (line and byte, or the parser's)."""
    try:
        with open(file, encoding="utf-8-sig", newline="") as fh:
            header = next(csv.reader(fh), [])
    except (UnicodeDecodeError, csv.Error):
        return
    require_comma_separated_header(header, label)


def require_file(file: Path, label: str, expected: str) -> None:
    """Fail with ``file not found`` (or ``is a folder``) unless ``file`` is an existing regular file."""
    if file.is_dir():
        raise DataFileError(IS_A_FOLDER, file=label, expected=expected)
    if not file.is_file():
        raise DataFileError(FILE_NOT_FOUND, file=label, expected=expected)


def require_utf8(data: bytes, label: str) -> str:
    r"""``data`` (the bytes of file ``label``) decoded as UTF-8; else fail with the line and byte offset of
    the first byte that is not UTF-8 (a Latin-1 or Windows-1252 export, a binary file), or, for an Excel
    workbook (:data:`WORKBOOK_SIGNATURES`), saying that it is one and how to save it as CSV: its bytes are
    not text, and "not UTF-8 ... save it as 'UTF-8'" would send the user to the wrong fix.

    Examples
    --------
    >>> require_utf8("5 µg".encode("utf-8"), "u.csv")
    '5 µg'
    >>> try:
    ...     require_utf8("a\n5 µg".encode("latin-1"), "u.csv")
    ... except DataFileError as exc:
    ...     print(exc.problem)
    is not UTF-8 text: byte 0xb5 at offset 4 (line 2)
    >>> try:
    ...     require_utf8(b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00\x87", "lots.csv")
    ... except DataFileError as exc:
    ...     print(exc.problem)
    is an Excel workbook (XLSX), not a CSV text file
    """
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        for signature, name in WORKBOOK_SIGNATURES.items():
            if data.startswith(signature):
                raise DataFileError(
                    IS_A_WORKBOOK.format(format=name), file=label, expected=A_CSV_NOT_WORKBOOK
                ) from None
        line = data.count(b"\n", 0, exc.start) + 1
        raise DataFileError(
            NOT_UTF8.format(byte=f"{data[exc.start]:02x}", offset=exc.start, line=line),
            file=label,
            expected=A_UTF8_FILE,
        ) from None


def require_unique_header(names: Sequence[object], label: str) -> None:
    """Fail when a column name appears twice: pandas would rename the second ``x.1`` and every reader
    would silently use the first one only. Blank names (trailing separators) are left to the readers."""
    seen: set[str] = set()
    for name in names:
        key = str(name).strip()
        if key and key in seen:
            raise DataFileError(NAMED_TWICE, file=label, line=1, column=key, expected=EACH_NAME_ONCE)
        seen.add(key)


def require_short_cells(frame: pd.DataFrame, label: str, *, line_offset: int | None = 1) -> None:
    """Fail at the first column name or cell (in column order) longer than :data:`MAX_CELL_CHARS`
    characters, naming the file (``label``), the data row (its file line ``row + line_offset`` for a text
    file, None for another format), the column and the length.

    Examples
    --------
    >>> import pandas as pd
    >>> try:
    ...     require_short_cells(pd.DataFrame({"subject": ["A", "x" * 12_345]}), "pk.csv")
    ... except DataFileError as exc:
    ...     print(exc)
    pk.csv, row 2 (line 3), column 'subject': a cell of 12,345 characters, more than the limit of 10,000; \
expected at most 10,000 characters in a cell (a number, an id, a unit or a short comment)
    """
    import numpy as np

    limit = f"{MAX_CELL_CHARS:,}"
    expected = SHORT_CELLS.format(limit=limit)
    for name in frame.columns:
        if len(str(name)) > MAX_CELL_CHARS:
            raise DataFileError(
                NAME_TOO_LONG.format(length=f"{len(str(name)):,}", limit=limit),
                file=label,
                line=1 if line_offset is not None else None,
                expected=expected,
            )
    for position, name in enumerate(frame.columns):
        lengths = _text_lengths(frame.iloc[:, position])
        if lengths is None:
            continue
        over = np.flatnonzero(lengths > MAX_CELL_CHARS)
        if over.size:
            row = int(over[0]) + 1
            raise DataFileError(
                CELL_TOO_LONG.format(length=f"{int(lengths[over[0]]):,}", limit=limit),
                file=label,
                row=row,
                line=None if line_offset is None else row + line_offset,
                column=str(name),
                expected=expected,
            )


def _text_lengths(column: pd.Series) -> np.ndarray | None:
    """The length in characters of each cell of ``column`` (0 for a cell that is not text); None when no
    cell can be longer than :data:`MAX_CELL_CHARS` (numbers, dates, or no cell of more bytes: a UTF-8
    character has at least one byte, and Arrow counts bytes of a whole column at once)."""
    import numpy as np

    if column.dtype.kind in "biufcmM":
        return None
    if hasattr(column.array, "__arrow_array__"):  # pandas' string columns: Arrow's kernels, no copy
        import pyarrow as pa  # type: ignore[import-untyped]
        import pyarrow.compute as pc  # type: ignore[import-untyped]

        cells = pa.array(column.array)
        longest = pc.max(pc.binary_length(cells)).as_py()
        if longest is None or longest <= MAX_CELL_CHARS:
            return None
        return np.asarray(pc.fill_null(pc.utf8_length(cells), 0).to_numpy())
    return np.array([len(v) if isinstance(v, str) else 0 for v in column], dtype=np.int64)


#: pandas' C parser's texts that locate a problem (pandas/_libs/src/parser/tokenizer.c): a line with more
#: fields than the header (``line`` 1-based in the file) and a quote left open (``row`` 0-based in the file).
_MORE_FIELDS = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")
_OPEN_QUOTE = re.compile(r"EOF inside string starting at row (\d+)")


def parser_error(
    exc: Exception, file: Path, label: str, header_line: int = 1, sep: str = ","
) -> DataFileError:
    """pandas' refusal of CSV ``file`` (``ParserError``, ``EmptyDataError``) as an error naming the file
    (``label``), the data row, the line and, for a quote left open, the column; pandas' own text is kept in
    parentheses. ``header_line`` is the 1-based line of the header (lines above it skipped).

    Examples
    --------
    >>> said = "Error tokenizing data. C error: Expected 3 fields in line 3, saw 4"
    >>> error = parser_error(ValueError(said), Path("x"), "pk.csv")
    >>> error.row, error.line, error.problem.replace(said, "...")
    (2, 3, '4 fields where the header has 3 (CSV parser: ...)')
    """
    detail = " ".join(str(exc).split())
    found = _MORE_FIELDS.search(detail)
    if found is not None:
        header, line, saw = (int(v) for v in found.groups())
        problem = MORE_FIELDS_ON_LINE.format(saw=saw, header=header, detail=detail)
        row = line - header_line
        return DataFileError(problem, file=label, row=row, line=line, expected=AS_MANY_FIELDS_AS_NAMES)
    found = _OPEN_QUOTE.search(detail)
    if found is not None:
        line = int(found.group(1)) + 1
        problem = UNCLOSED_QUOTE.format(detail=detail)
        column = _quoted_column(file, header_line, line, sep)
        row = line - header_line
        return DataFileError(problem, file=label, row=row, line=line, column=column, expected=CLOSED_QUOTES)
    return DataFileError(CANNOT_PARSE.format(detail=detail), file=label)


def _quoted_column(file: Path, header_line: int, line: int, sep: str) -> str | None:
    """The header name of the field in which a quote opens on ``line`` (None when it cannot be told)."""
    try:
        with open(file, encoding="utf-8-sig", errors="replace", newline="") as fh:
            lines = [text for _, text in zip(range(line), fh, strict=False)]
    except OSError:
        return None
    if len(lines) < line or '"' not in lines[line - 1]:
        return None
    names = next(csv.reader([lines[header_line - 1]], delimiter=sep, skipinitialspace=True), [])
    field = lines[line - 1][: lines[line - 1].index('"')].count(sep)
    return names[field].strip() if field < len(names) else None


def parse_csv_text(file: Path) -> pd.DataFrame:
    """pandas' reading of a CSV file with every cell as text (blank = ``""``), leading spaces trimmed."""
    import pandas as pd

    return pd.read_csv(file, dtype=str, keep_default_na=False, skipinitialspace=True)


def read_csv_cells(
    file: Path, label: str, parse: Callable[[Path], pd.DataFrame] = parse_csv_text
) -> pd.DataFrame:
    """The cells of CSV ``file`` as text, read by ``parse`` (default :func:`parse_csv_text`), with errors
    naming the file (``label``): empty, semicolon- or tab-separated, not UTF-8 (line and byte), not
    parseable as CSV (pandas names the line), data rows longer than the header, a column named twice, or
    a cell longer than :data:`MAX_CELL_CHARS` (:func:`require_short_cells`)."""
    import pandas as pd

    if file.stat().st_size == 0:
        raise DataFileError(EMPTY_FILE, file=label, expected=A_CSV_WITH_HEADER)
    require_comma_separated(file, label)
    try:
        frame = parse(file)
    except UnicodeDecodeError:
        require_utf8(file.read_bytes(), label)  # raises, with the line and offset of the first bad byte
        raise
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise parser_error(exc, file, label) from exc
    if not isinstance(frame.index, pd.RangeIndex):
        # every data row has more fields than the header: pandas then takes the first field(s) as an index
        # and each value silently moves one column to the right
        raise DataFileError(MORE_FIELDS, file=label, row=1, line=2, expected=ONE_NAME_PER_FIELD)
    with open(file, encoding="utf-8-sig", newline="") as fh:
        require_unique_header(next(csv.reader(fh, skipinitialspace=True), []), label)
    require_short_cells(frame, label)
    return frame
