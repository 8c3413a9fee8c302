"""CSV rows assembled with Arrow compute: the bytes of Arrow's CSV writer, with each distinct text once.

Arrow's CSV writer (``pyarrow.csv``, ``quoting_style="needed"``) renders every cell of every row: a text
cell is quoted (``"`` doubled inside), a number, date or time is cast to text unquoted, a missing value is
empty, cells are joined with ``,`` and rows end with ``\\n``. Long tables repeat the same few texts on every
row (a subject on each of its parameters, a parameter code, review flags, reasons), so most of that work is
repeated. Here a column is either

* **dense**: an Arrow array, each row rendered by the writer's rules (:func:`dense_cells`: the same cast to
  text, the same quoting), or
* **coded**: a code per row into a table of cells rendered once (:class:`Coded`); adjacent coded columns
  with small tables share one code whose cells are their cells concatenated (:func:`combined_cells`), so
  that a run of flags and texts costs one look-up per row.

:func:`encode_rows` renders :data:`CHUNK_ROWS` rows at a time and concatenates the pieces of each row with
Arrow's element-wise join; separators travel inside coded cells where they can, so that few pieces are
joined. The bytes are those ``pyarrow.csv.write_csv`` gives for the same table
(``tests/io/test_csv_encode.py`` compares both on tables with quotes, line breaks, missing values,
infinities, signed zeros and tricky floats).

References
----------
Shafranovich Y. Common Format and MIME Type for Comma-Separated Values (CSV) Files. RFC 4180, 2005,
section 2 (quoting and escaping). Apache Arrow C++, ``cpp/src/arrow/csv/writer.cc`` (the rules reproduced:
text quoted with quotes doubled, numbers and temporal values cast by ``arrow::compute::Cast`` and left
unquoted, missing values as the empty null string).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

#: Rows rendered per step: small enough for the temporaries of a step to be reused by the allocator
#: (large ones are returned to the system and cost a page fault per page when touched again).
CHUNK_ROWS = 65_536

#: Coded columns with at most this many cells are combined with their coded neighbours.
SMALL_TABLE = 256

#: Largest number of combinations of adjacent coded columns looked up as one code.
COMBINED_LIMIT = 1 << 16


@dataclass(frozen=True)
class Coded:
    """A column as codes into rendered cells: row ``i`` is ``cells[codes[i]]`` (no code is negative).

    Attributes
    ----------
    codes : numpy.ndarray
        One integer per row.
    cells : tuple of str
        The rendered cells (:func:`quote` for text, ``""`` for a missing value).
    """

    codes: npt.NDArray[np.integer[Any]]
    cells: tuple[str, ...]


def quote(text: str) -> str:
    """One text cell as Arrow's CSV writer renders it: quoted, with every ``"`` doubled.

    Parameters
    ----------
    text : str
        The cell's text.

    Returns
    -------
    str
        The rendered cell.

    Examples
    --------
    >>> print(quote('a "b" c'))
    "a ""b"" c"
    """
    return '"' + text.replace('"', '""') + '"'


def coded_text(codes: npt.NDArray[np.integer[Any]], texts: Sequence[str | None]) -> Coded:
    """A text column given as codes into ``texts``: code -1 or a None text is missing (an empty cell).

    Parameters
    ----------
    codes : numpy.ndarray
        Per row, the index of its text (-1: missing).
    texts : sequence of str or None
        The distinct texts.

    Returns
    -------
    Coded
        The column with its cells rendered (one more cell, empty, for the missing rows).

    Examples
    --------
    >>> import numpy as np
    >>> column = coded_text(np.array([1, -1, 0]), ["a", "b"])
    >>> [column.cells[i] for i in column.codes]
    ['"b"', '', '"a"']
    """
    cells = (*("" if text is None else quote(text) for text in texts), "")
    index = np.asarray(codes, dtype=np.int64)
    return Coded(np.where(index < 0, len(texts), index), cells)


def renders(kind: Any) -> bool:
    """Whether :func:`dense_cells` renders values of the Arrow type ``kind`` (text, numbers, decimals,
    dates, timestamps and the null type; not nested or binary types).

    Parameters
    ----------
    kind : pyarrow.DataType
        A column's type.

    Returns
    -------
    bool
        True when the writer's rules for the type are reproduced here.

    Examples
    --------
    >>> import pyarrow as pa
    >>> renders(pa.float64()), renders(pa.list_(pa.int8()))
    (True, False)
    """
    import pyarrow as pa  # type: ignore[import-untyped]

    checks = (pa.types.is_string, pa.types.is_large_string, pa.types.is_integer, pa.types.is_floating)
    more = (pa.types.is_decimal, pa.types.is_timestamp, pa.types.is_date, pa.types.is_null)
    return any(check(kind) for check in (*checks, *more))


def dense_cells(array: Any) -> Any:
    """The rendered cell of every row of an Arrow array of a type :func:`renders` accepts.

    Text is quoted (``"`` doubled), other values are cast to text as the writer casts them
    (``arrow::compute::Cast`` to UTF-8: shortest round-trip floats, ``inf``, ISO dates), missing values
    are empty.

    Parameters
    ----------
    array : pyarrow.Array or pyarrow.ChunkedArray
        The column.

    Returns
    -------
    pyarrow.Array or pyarrow.ChunkedArray
        Text without missing values.

    Examples
    --------
    >>> import pyarrow as pa
    >>> dense_cells(pa.array([1.5, None, 1e-300])).to_pylist()
    ['1.5', '', '1e-300']
    >>> dense_cells(pa.array(['a"b', None])).to_pylist()
    ['"a""b"', '']
    """
    import pyarrow as pa
    import pyarrow.compute as pc  # type: ignore[import-untyped]

    if pa.types.is_string(array.type) or pa.types.is_large_string(array.type):
        text = array
        if pc.any(pc.match_substring(array, pattern='"')).as_py():
            text = pc.replace_substring(array, pattern='"', replacement='""')
        cells = pc.binary_join_element_wise('"', text, '"', "")
    else:
        try:
            cells = pc.cast(array, pa.string())
        except pa.ArrowCapacityError:  # as the writer does: more text than 32-bit offsets hold
            cells = pc.cast(array, pa.large_string())
    return pc.fill_null(cells, "")


def combined_cells(columns: Sequence[Coded]) -> list[Coded]:
    """Adjacent coded columns as few coded columns: neighbours share one code as long as their
    combinations stay within :data:`COMBINED_LIMIT`; a shared cell is their cells concatenated (in
    :func:`encode_rows` a cell ends with its separator), numbered over the combinations that occur.

    Parameters
    ----------
    columns : sequence of Coded
        Adjacent columns of equal length.

    Returns
    -------
    list of Coded
        Columns whose cells, concatenated per row, give the cells of ``columns``.

    Examples
    --------
    >>> import numpy as np
    >>> flag = Coded(np.array([0, 1, 1]), ('"False",', '"True",'))
    >>> code = Coded(np.array([0, 0, 1]), ('"A"\\n', '"B"\\n'))
    >>> (one,) = combined_cells([flag, code])
    >>> [one.cells[i] for i in one.codes]
    ['"False","A"\\n', '"True","A"\\n', '"True","B"\\n']
    """
    out: list[Coded] = []
    i = 0
    while i < len(columns):
        code = columns[i].codes.astype(np.int64)
        size = len(columns[i].cells)
        j = i + 1
        while j < len(columns) and size * len(columns[j].cells) <= COMBINED_LIMIT:
            code = code * len(columns[j].cells) + columns[j].codes
            size *= len(columns[j].cells)
            j += 1
        out.append(columns[i] if j == i + 1 else _present(code, size, columns[i:j]))
        i = j
    return out


def _present(code: npt.NDArray[np.int64], size: int, columns: Sequence[Coded]) -> Coded:
    """The combined code renumbered over the combinations that occur, with their concatenated cells."""
    present = np.flatnonzero(np.bincount(code, minlength=size))
    renumber = np.zeros(size, dtype=np.int64)
    renumber[present] = np.arange(present.size)
    digits = []
    rest = present
    for column in reversed(columns):
        rest, digit = np.divmod(rest, len(column.cells))
        digits.append(digit.tolist())
    digits.reverse()
    cells = tuple(
        "".join(column.cells[d] for column, d in zip(columns, combo, strict=True))
        for combo in zip(*digits, strict=True)
    )
    return Coded(renumber[code], cells)


def _constant(array: Any, end: str) -> Coded | None:
    """A number column whose rows all hold the same bits (e.g. an interval start) as its one rendered
    cell followed by ``end``; None otherwise."""
    import pyarrow as pa

    kind = array.type
    if array.null_count or not len(array) or not (pa.types.is_floating(kind) or pa.types.is_integer(kind)):
        return None
    values = array.to_numpy()
    bits = values.view(f"u{values.dtype.itemsize}")
    if not bool((bits == bits[0]).all()):
        return None
    cell = dense_cells(array.slice(0, 1))[0].as_py()
    return Coded(np.zeros(len(array), dtype=np.int8), (str(cell) + end,))


class ByteBuffer:
    """A growable byte buffer that keeps its memory between uses (:meth:`clear`).

    Examples
    --------
    >>> buffer = ByteBuffer()
    >>> buffer.append(b"a,b\\n")
    >>> bytes(buffer.view())
    b'a,b\\n'
    """

    def __init__(self) -> None:
        self._data = np.empty(0, dtype=np.uint8)
        self.size = 0

    def clear(self) -> None:
        """Forget the bytes held (the memory is kept)."""
        self.size = 0

    def append(self, chunk: Any) -> None:
        """Copy the bytes of ``chunk`` (anything with the buffer protocol) to the end."""
        data = np.frombuffer(chunk, dtype=np.uint8)
        end = self.size + data.size
        if end > self._data.size:
            grown = np.empty(max(end, self._data.size * 3 // 2), dtype=np.uint8)
            grown[: self.size] = self._data[: self.size]
            self._data = grown
        self._data[self.size : end] = data
        self.size = end

    def view(self) -> memoryview:
        """The bytes held (valid until the next :meth:`clear` or :meth:`append`)."""
        return memoryview(self._data.data)[: self.size]


def encode_rows(columns: Sequence[Any], out: ByteBuffer, chunk_rows: int | None = None) -> None:
    """Append the CSV rows (each ended by ``\\n``) of ``columns`` to ``out``.

    Each column is a :class:`Coded` or an Arrow array of a type :func:`renders` accepts, all of one
    length. Per step of :data:`CHUNK_ROWS` rows: a number column constant over the step is coded with its
    one cell, coded columns with small tables are combined with their coded neighbours
    (:func:`combined_cells`), coded cells are taken from their table, other cells are rendered
    (:func:`dense_cells`), and the pieces of each row are concatenated.

    Parameters
    ----------
    columns : sequence of Coded or pyarrow.Array
        The table's columns, in order.
    out : ByteBuffer
        Where the rows are appended.
    chunk_rows : int, optional
        Rows per step (default :data:`CHUNK_ROWS`).

    Examples
    --------
    >>> import numpy as np, pyarrow as pa
    >>> buffer = ByteBuffer()
    >>> encode_rows([coded_text(np.array([0, 0]), ["s1"]), pa.array([0.5, None])], buffer)
    >>> bytes(buffer.view())
    b'"s1",0.5\\n"s1",\\n'
    """
    import pyarrow.compute as pc

    step = chunk_rows or CHUNK_ROWS
    n = len(columns[0].codes) if isinstance(columns[0], Coded) else len(columns[0])
    ends = [*([","] * (len(columns) - 1)), "\n"]
    columns = [_ended(column, end) for column, end in zip(columns, ends, strict=True)]
    tables = [_table(column.cells) if isinstance(column, Coded) else None for column in columns]
    for lo in range(0, n, step):
        hi = min(lo + step, n)
        pieces = _row_pieces(columns, tables, ends, lo, hi)
        rows = pc.binary_join_element_wise(*pieces, "")
        for chunk in rows.chunks if hasattr(rows, "chunks") else [rows]:
            out.append(_text_bytes(chunk))


def _ended(column: Any, end: str) -> Any:
    """A coded column whose cells end with the separator that follows them (dense columns unchanged)."""
    if not isinstance(column, Coded):
        return column
    return Coded(column.codes, tuple(cell + end for cell in column.cells))


def _row_pieces(
    columns: Sequence[Any], tables: Sequence[Any], ends: Sequence[str], lo: int, hi: int
) -> list[Any]:
    """The pieces whose element-wise concatenation gives rows ``lo:hi``: cell arrays, and separators (as
    text) after rendered cells where no small coded piece follows to carry them."""
    import pyarrow as pa
    import pyarrow.compute as pc

    pieces: list[Any] = []
    run: list[Coded] = []  # small coded pieces waiting to be combined
    carried = ""  # the separator after a rendered piece, put in front of the next small coded cells
    for column, table, end in [*zip(columns, tables, ends, strict=True), (None, None, "")]:
        piece: Any = None
        if isinstance(column, Coded):
            piece = Coded(column.codes[lo:hi], column.cells)
        elif column is not None:
            piece = column.slice(lo, hi - lo)
            piece = _constant(piece, end) or piece
        if isinstance(piece, Coded) and len(piece.cells) <= SMALL_TABLE:
            run.append(piece)
            continue
        for coded in combined_cells(run):
            cells = [carried + cell for cell in coded.cells] if carried else coded.cells
            pieces.append(pc.take(_table(cells), pa.array(coded.codes)))
            carried = ""
        run = []
        if carried:
            pieces.append(carried)
            carried = ""
        if isinstance(piece, Coded):  # a large table (e.g. the subjects): built once, not per step
            pieces.append(pc.take(table, pa.array(piece.codes)))
        elif piece is not None:
            pieces.append(dense_cells(piece))
            carried = end
    return pieces


def _table(cells: Sequence[str]) -> Any:
    import pyarrow as pa

    return pa.array(cells, type=pa.string())


def _text_bytes(array: Any) -> Any:
    """The concatenated values of a text array without nulls: a slice of its data buffer (no copy)."""
    import pyarrow as pa

    width = np.int64 if pa.types.is_large_string(array.type) else np.int32
    offsets = np.frombuffer(array.buffers()[1], dtype=width)[array.offset : array.offset + len(array) + 1]
    start, end = (int(offsets[0]), int(offsets[-1])) if len(offsets) else (0, 0)
    return array.buffers()[2].slice(start, end - start) if end > start else b""
