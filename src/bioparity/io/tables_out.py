"""The one table writer of bioparity: CSV and Parquet through Apache Arrow, in blocks, atomically.

Every CSV the product writes (command outputs, web downloads, derived datasets) goes through
:func:`write_table` or :func:`csv_bytes`, so that two properties hold everywhere:

* **Numbers round-trip.** Floats are written by Arrow's shortest round-trip formatting (``1.12``, not
  ``1.1200000000000001``; ``-5`` for -5.0); reading the CSV back gives the same float64 values. NaN and
  missing values are empty cells; booleans are ``True``/``False``.
* **No formula injection.** A text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
  return is prefixed with a single quote, as recommended by OWASP ("CSV Injection",
  https://owasp.org/www-community/attacks/CSV_Injection), so that a spreadsheet shows it as text instead of
  evaluating it. Cells that are numbers (``-5``, ``+1.5e-3``, ``-inf``) are left as they are, and number
  columns are never touched. Column names get the same treatment. Parquet keeps types and is not altered.

Long tables are converted and written in blocks of :data:`BLOCK_ROWS` rows, so memory stays close to the
size of the frame itself.
"""

from __future__ import annotations

import base64
import io
import itertools
import math
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd

from bioparity.errors import BioparityError

#: Rows converted and written per block.
BLOCK_ROWS = 262_144

#: First characters that make a spreadsheet evaluate a cell (OWASP CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_RISKY = r"^[=+\-@\t\r]"
_NUMBER = r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$|^[+-]?(?i:inf|infinity|nan)$"
_NUMBER_RE = re.compile(_NUMBER)

PARQUET_SUFFIXES = (".parquet", ".pq")


class OutputFileError(BioparityError):
    """An output file cannot be written (missing folder, no permission, a folder in its place, ...)."""


def neutralise_cell(text: str) -> str:
    """``text`` made safe for a spreadsheet: a leading ``'`` if it starts like a formula and is no number."""
    if text.startswith(FORMULA_START) and not _NUMBER_RE.match(text):
        return "'" + text
    return text


def _cell_text(value: Any) -> str | None:
    """One cell of a mixed (object) column as text; numbers in shortest round-trip form."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, bool | np.bool_):
        return "True" if value else "False"
    if isinstance(value, float | np.floating):
        number = float(value)
        return None if math.isnan(number) else repr(number)
    if isinstance(value, int | np.integer):
        return str(int(value))
    return str(value)


def _text_array(series: pd.Series) -> Any:
    import pyarrow as pa  # type: ignore[import-untyped]

    try:
        return pa.array(series, type=pa.string(), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return pa.array([_cell_text(v) for v in series.tolist()], type=pa.string())


def _neutralise_array(array: Any) -> Any:
    import pyarrow.compute as pc  # type: ignore[import-untyped]

    risky = pc.fill_null(pc.match_substring_regex(array, _RISKY), False)
    if not pc.any(risky).as_py():
        return array
    number = pc.fill_null(pc.match_substring_regex(array, _NUMBER), False)
    mask = pc.and_(risky, pc.invert(number))
    return pc.if_else(mask, pc.utf8_replace_slice(array, start=0, stop=0, replacement="'"), array)


def _column(series: pd.Series, *, for_csv: bool) -> Any:
    """One column as an Arrow array: numbers as numbers, booleans and text as text (CSV) or booleans."""
    import pyarrow as pa

    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        if _text_categories(dtype):
            return _categorical_text(series, for_csv=for_csv)
        series = series.astype(object)
        dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        flags = pa.array(series, type=pa.bool_(), from_pandas=True)
        if not for_csv:
            return flags
        import pyarrow.compute as pc

        return pc.if_else(flags, pa.scalar("True"), pa.scalar("False"))  # as pandas writes them
    if dtype.kind in "iuf" or (isinstance(dtype, pd.api.extensions.ExtensionDtype) and dtype.kind in "iuf"):
        return pa.array(series, from_pandas=True)
    if dtype.kind == "M":
        return pa.array(series, from_pandas=True)
    text = _text_array(series)
    return _neutralise_array(text) if for_csv else text


def _categorical_text(series: pd.Series, *, for_csv: bool) -> Any:
    """A text categorical with each category converted (and, for CSV, neutralised) once, so that the cells
    are the ones the object column would give: for CSV a plain Arrow string array (taken by code), for
    Parquet a dictionary array (the file stores it as the plain string column, see
    :func:`_write_parquet_blocks`)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    categories = _text_array(pd.Series(np.asarray(series.cat.categories, dtype=object), dtype=object))
    if for_csv:
        categories = _neutralise_array(categories)
    codes = series.cat.codes.to_numpy()
    indices = pa.array(codes.astype(np.int32), mask=codes < 0, type=pa.int32())
    if not for_csv:
        return pa.DictionaryArray.from_arrays(indices, categories)
    return pc.take(categories, indices)


def _blocks(frame: pd.DataFrame, *, for_csv: bool) -> Iterator[Any]:
    import pyarrow as pa

    names = [str(c) for c in frame.columns]
    for start in range(0, max(len(frame), 1), BLOCK_ROWS):
        part = frame.iloc[start : start + BLOCK_ROWS]
        arrays = [_column(part.iloc[:, i], for_csv=for_csv) for i in range(part.shape[1])]
        yield pa.Table.from_arrays(arrays, names=names)


def _row_parts(frames: Iterable[pd.DataFrame]) -> Iterator[pd.DataFrame]:
    """Slices of at most :data:`BLOCK_ROWS` rows of every non-empty frame in turn (same columns)."""
    columns: list[str] | None = None
    for frame in frames:
        names = [str(c) for c in frame.columns]
        if columns is None:
            columns = names
        elif names != columns:
            raise ValueError(f"block columns {names} differ from the first block's {columns}")
        for start in range(0, len(frame), BLOCK_ROWS):
            yield frame.iloc[start : start + BLOCK_ROWS]


def _stream_blocks(frames: Iterable[pd.DataFrame], *, for_csv: bool) -> Iterator[Any]:
    """Arrow blocks of every frame in turn (all frames must have the columns of the first)."""
    for part in _row_parts(frames):
        yield from _blocks(part, for_csv=for_csv)


def _csv_rows(part: pd.DataFrame, out: Any) -> None:
    """Append the CSV rows (no header) of at most one block to ``out`` (a
    :class:`~bioparity.io.csv_encode.ByteBuffer`), as :func:`write_csv_stream` writes them: assembled by
    :mod:`bioparity.io.csv_encode` when every column allows it, else by Arrow's CSV writer."""
    import pyarrow as pa
    import pyarrow.csv as pacsv  # type: ignore[import-untyped]

    from bioparity.io.csv_encode import encode_rows

    columns = _encoded_columns(part)
    if columns is not None:
        try:
            encode_rows(columns, out)
            return
        except pa.ArrowException:  # e.g. more than 2 GB of text in one step: the writer's own path
            out.clear()
    buffer = io.BytesIO()
    options = pacsv.WriteOptions(include_header=False, quoting_style="needed")
    for block in _blocks(part, for_csv=True):
        pacsv.write_csv(block, buffer, write_options=options)
    out.append(buffer.getbuffer())


def _encoded_columns(part: pd.DataFrame) -> list[Any] | None:
    """The columns of ``part`` for :func:`~bioparity.io.csv_encode.encode_rows`: text categoricals and
    booleans coded (each distinct cell rendered once), others converted as :func:`_column` does; None when
    a column has a type only Arrow's CSV writer renders (or there are no rows)."""
    from bioparity.io.csv_encode import renders

    if not len(part):
        return None
    columns: list[Any] = []
    for i in range(part.shape[1]):
        series = part.iloc[:, i]
        column = _coded_column(series)
        if column is None:
            column = _column(series, for_csv=True)
            if not renders(column.type):
                return None
        columns.append(column)
    return columns


def _coded_column(series: pd.Series) -> Any | None:
    """A text categorical (its categories converted and neutralised once, as :func:`_categorical_text`
    does) or a NumPy boolean column (``True``/``False`` text) as codes into rendered cells; else None."""
    from bioparity.io.csv_encode import Coded, coded_text

    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype) and _text_categories(dtype):
        values = pd.Series(np.asarray(dtype.categories, dtype=object), dtype=object)
        texts = _neutralise_array(_text_array(values)).to_pylist()
        return coded_text(series.cat.codes.to_numpy(), texts)
    if dtype == np.bool_:
        return Coded(series.to_numpy().view(np.int8), ('"False"', '"True"'))
    return None


def _text_categories(dtype: pd.CategoricalDtype) -> bool:
    kind = dtype.categories.dtype
    return kind.kind in "OSUT" or isinstance(kind, pd.StringDtype)


def _write_csv_parallel(frames: Iterable[pd.DataFrame], sink: IO[bytes], workers: int) -> None:
    """CSV rows of every frame, blocks formatted in ``workers`` threads (Arrow releases the GIL while
    formatting) and written in order; at most ``2 * workers`` blocks are held at once."""
    from collections import deque
    from concurrent.futures import Future, ThreadPoolExecutor

    from bioparity.io.csv_encode import ByteBuffer

    # one buffer per block in flight, reused: its memory is touched once, not once per block
    free = [ByteBuffer() for _ in range(2 * workers)]
    pending: deque[tuple[Future[None], ByteBuffer]] = deque()

    def write_first() -> None:
        done, buffer = pending.popleft()
        done.result()
        sink.write(buffer.view())
        buffer.clear()
        free.append(buffer)

    with ThreadPoolExecutor(max_workers=workers) as pool:
        for part in _row_parts(frames):
            buffer = free.pop()
            pending.append((pool.submit(_csv_rows, part, buffer), buffer))
            if not free:
                write_first()
        while pending:
            write_first()


def _header_field(name: str) -> str:
    text = neutralise_cell(name)
    if any(ch in text for ch in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def _header_line(frame: pd.DataFrame) -> bytes:
    """The header row, names unquoted unless needed (RFC 4180), as the previous writer did."""
    return (",".join(_header_field(str(c)) for c in frame.columns) + "\n").encode("utf-8")


def write_csv_stream(frame: pd.DataFrame, sink: IO[bytes]) -> None:
    """Write ``frame`` as CSV (header, then blocks of rows, ``\\n`` line ends) to a binary stream."""
    sink.write(_header_line(frame))
    if frame.shape[1] == 0:
        return
    _write_csv_blocks(_blocks(frame, for_csv=True), sink)


def _write_csv_blocks(blocks: Iterable[Any], sink: IO[bytes]) -> None:
    import pyarrow.csv as pacsv

    options = pacsv.WriteOptions(include_header=False, quoting_style="needed")
    writer = None
    schema = None
    for block in blocks:
        if writer is None:
            schema = block.schema
            writer = pacsv.CSVWriter(sink, schema, write_options=options)
        elif block.schema != schema:
            block = block.cast(schema)  # only all-missing blocks can differ (null type)
        if block.num_rows:
            writer.write_table(block)
    if writer is not None:
        writer.close()


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """``frame`` as CSV bytes (UTF-8), exactly as :func:`write_table` writes it to a file."""
    buffer = io.BytesIO()
    write_csv_stream(frame, buffer)
    return buffer.getvalue()


def _write_parquet(frame: pd.DataFrame, sink: IO[bytes]) -> None:
    _write_parquet_blocks(_blocks(frame, for_csv=False), sink)


def _write_parquet_blocks(blocks: Iterable[Any], sink: IO[bytes]) -> None:
    """Row groups in order; each is encoded in a worker thread (Arrow releases the GIL) while the next
    block is converted, with at most one block waiting.

    The encoder writes to an Arrow buffer of :data:`PARQUET_BUFFER` bytes in front of ``sink``, so that it
    takes the GIL once per buffer flush instead of once per page (a Python file is written with the GIL
    held, and a thread waiting for it stalls the encoding). Columns are dictionary-encoded except floating
    point columns with many distinct values (measured on the first block), for which the dictionary is a
    wasted hash of every value; pages are compressed with Snappy (Parquet's common default); a row group
    per block. Text categoricals arrive as dictionary arrays, written as dictionary pages without hashing
    every value again; the file then carries the Arrow schema of the plain text columns (the
    ``ARROW:schema`` Arrow stores for string columns), so that it reads back exactly as a string column
    written as such.
    """
    from concurrent.futures import Future, ThreadPoolExecutor

    import pyarrow as pa
    import pyarrow.parquet as pq  # type: ignore[import-untyped]

    writer = None
    schema = plain = None
    stream = None
    pending: Future[None] | None = None
    with ThreadPoolExecutor(max_workers=1) as pool:
        for block in blocks:
            if writer is None:
                schema = block.schema
                plain = _plain_schema(schema)
                stream = pa.BufferedOutputStream(pa.PythonFile(sink, mode="w"), buffer_size=PARQUET_BUFFER)
                writer = pq.ParquetWriter(
                    stream,
                    schema,
                    compression="snappy",
                    use_dictionary=_dictionary_columns(block),
                    store_schema=plain.equals(schema),
                )
            elif block.schema != schema:
                block = block.cast(schema)
            if pending is not None:
                pending.result()
            pending = pool.submit(writer.write_table, block)
        if pending is not None:
            pending.result()
    if writer is not None:
        if plain is not None and not plain.equals(schema):
            # the Arrow schema Arrow itself would store for the plain columns (text, not dictionaries)
            writer.add_key_value_metadata({b"ARROW:schema": base64.b64encode(plain.serialize().to_pybytes())})
        writer.close()
    if stream is not None:
        stream.detach()  # flushed; ``sink`` stays open for its owner


def _plain_schema(schema: Any) -> Any:
    """``schema`` with dictionary columns as their value type."""
    import pyarrow as pa

    fields = [
        field.with_type(field.type.value_type) if pa.types.is_dictionary(field.type) else field
        for field in schema
    ]
    return pa.schema(fields, metadata=schema.metadata)


#: Bytes buffered natively in front of the Python file a Parquet file is written to.
PARQUET_BUFFER = 1 << 24


def _dictionary_columns(block: Any) -> list[str]:
    """Columns worth dictionary encoding: all but floating point columns whose first block holds more
    than 1% distinct values (measured values, not codes: a dictionary would only be discarded)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    names = []
    for name, column in zip(block.column_names, block.columns, strict=True):
        if pa.types.is_floating(column.type) and pc.count_distinct(column).as_py() > len(column) // 100 + 1:
            continue
        names.append(name)
    return names


def check_output_path(path: str | os.PathLike[str], option: str = "output") -> Path:
    """Fail early, with a one-line message, when ``path`` cannot be written as a file.

    Checked: the path is not a folder, its folder exists or can be created, and the folder is writable.
    """
    target = Path(path)
    if target.is_dir():
        raise OutputFileError(f"{option} {str(path)!r} is a folder; expected a file name, e.g. result.csv")
    if target.exists() and not target.is_file():
        return target  # a device such as /dev/stdout
    folder = target.parent
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise OutputFileError(
            f"{option} {str(path)!r} cannot be written: {str(existing)!r} is a file, not a folder"
        )
    if not os.access(existing, os.W_OK | os.X_OK):
        raise OutputFileError(
            f"{option} {str(path)!r} cannot be written: folder {str(existing)!r} is not writable"
        )
    if target.exists() and not os.access(target, os.W_OK):
        raise OutputFileError(f"{option} {str(path)!r} cannot be written: the file is read-only")
    return target


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


#: The files of the active :func:`output_set`: (temporary file, target) as written; None outside one.
_PENDING: ContextVar[list[tuple[Path, Path]] | None] = ContextVar("bioparity_pending_outputs", default=None)


@contextmanager
def output_set() -> Iterator[None]:
    """All the files written in the block (by :func:`atomic_output` and the writers built on it) or none.

    Inside the block each file is written completely to a temporary file beside its target and left there;
    when the block ends without an error every temporary file is renamed onto its target, one after the
    other; when it ends with an error every temporary file is deleted and no target is touched (a command
    with several outputs, such as ``bioparity nca --out OUT --sdtm-pp PP --adpp ADPP``, leaves no new OUT
    when its ADPP cannot be written). A file written twice in the block keeps its last content. Devices
    (``/dev/stdout``) are written through at once. Nested blocks belong to the outermost one.
    """
    if _PENDING.get() is not None:
        yield
        return
    pending: list[tuple[Path, Path]] = []
    token = _PENDING.set(pending)
    try:
        yield
    except BaseException:
        for tmp, _target in pending:
            tmp.unlink(missing_ok=True)
        raise
    finally:
        _PENDING.reset(token)
    for i, (tmp, target) in enumerate(pending):
        try:
            os.replace(tmp, target)
        except OSError as exc:
            for rest, _target in pending[i:]:
                rest.unlink(missing_ok=True)
            raise OutputFileError(f"cannot write {str(target)!r}: {exc.strerror or exc}") from None


def will_be_file(path: str | os.PathLike[str]) -> bool:
    """True when ``path`` is a regular file or is written as one by the active :func:`output_set` (not a
    device such as ``/dev/stdout``): whether files are written beside it (summary, provenance)."""
    target = Path(path)
    pending = _PENDING.get() or []
    return target.is_file() or any(t == target for _tmp, t in pending)


@contextmanager
def atomic_output(path: str | os.PathLike[str]) -> Iterator[IO[bytes]]:
    """A binary stream whose content replaces ``path`` only when the block ends without an error (inside an
    :func:`output_set`: when that set ends without an error).

    A device (``/dev/stdout``) is written through. OS errors become :class:`OutputFileError` naming the path.
    """
    target = Path(path)
    try:
        if target.is_dir():
            raise OutputFileError(f"{str(path)!r} is a folder; expected a file name")
        if target.exists() and not target.is_file():
            with open(target, "wb") as device:
                yield device
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise OutputFileError(f"cannot write {str(path)!r}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp creates 0600; give the file the user's usual mode
        pending = _PENDING.get()
        if pending is None:
            os.replace(tmp, target)
        else:  # renamed when the output set ends; an earlier version of the same target is dropped
            for earlier in [p for p in pending if p[1] == target]:
                pending.remove(earlier)
                earlier[0].unlink(missing_ok=True)
            pending.append((Path(tmp), target))
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise OutputFileError(f"cannot write {str(path)!r}: {exc.strerror or exc}") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_table(frame: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Write ``frame`` atomically: Parquet for ``.parquet``/``.pq``, else CSV (see the module notes)."""
    parquet = str(path).lower().endswith(PARQUET_SUFFIXES)
    with atomic_output(path) as sink:
        if parquet:
            _write_parquet(frame, sink)
        else:
            write_csv_stream(frame, sink)
    return Path(path)


def write_table_blocks(frames: Iterable[pd.DataFrame], path: str | os.PathLike[str]) -> int:
    """Write consecutive frames (same columns) as one table, atomically, as :func:`write_table` would
    write their concatenation; only one frame is held at a time. Returns the number of data rows.

    Parquet for ``.parquet``/``.pq``, else CSV. An empty iterator is an error (no columns to write).
    """
    parquet = str(path).lower().endswith(PARQUET_SUFFIXES)
    rows = 0
    iterator = iter(frames)
    try:
        first = next(iterator)
    except StopIteration:
        raise ValueError("write_table_blocks needs at least one frame (it gives the columns)") from None

    def counted() -> Iterator[pd.DataFrame]:
        nonlocal rows
        for part in itertools.chain((first,), iterator):
            rows += len(part)
            yield part

    with atomic_output(path) as sink:
        if len(first) == 0 or first.shape[1] == 0:
            # same as write_table on the concatenation, including its empty/no-column cases
            frames_list = [first, *iterator]
            whole = pd.concat(frames_list, ignore_index=True) if len(frames_list) > 1 else first
            rows = len(whole)
            if parquet:
                _write_parquet(whole, sink)
            else:
                write_csv_stream(whole, sink)
            return rows
        if parquet:
            _write_parquet_blocks(_stream_blocks(counted(), for_csv=False), sink)
        else:
            sink.write(_header_line(first))
            _write_csv_parallel(counted(), sink, workers=max(1, min(4, os.cpu_count() or 1)))
    return rows
