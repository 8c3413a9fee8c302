"""The one rule for a "CSV" file that is not comma-separated, for every reader of a user's CSV file.

Excel saves "CSV" with semicolons between the columns where the decimal mark is a comma (most of
continental Europe), and a text export may be tab-separated. Read as comma-separated, such a file has a
header of one column ``subject;arm;CMAX``: every reader would then report its columns as missing, or,
with decimal commas (``1,5``), the rows as longer than the header, or silently read ``1`` and ``5`` as
two cells. The readers refuse it here instead, saying how to save the file.

A neutral module (no I/O package, no core): the shared CSV reader
(:func:`bioparity.io.readers.read_csv_cells`) and the cores' own readers (the CAA catalogue, the Purple
Book) use the same rule.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

from bioparity.errors import DataFileError

#: Separators of the delimited files that are not comma-separated CSV, as named in the message.
OTHER_SEPARATORS = {";": "semicolon", "\t": "tab"}


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
            f"the header is one column {header[0]!r}: the file looks {name}-separated",
            file=label,
            line=line,
            expected="a comma-separated file: save it as 'CSV UTF-8 (comma delimited)', with '.' as "
            "the decimal mark (in a decimal-comma locale Excel writes ';' between the columns)",
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
