"""Validation of a long sample table (one row per sample), shared by every NCA of a table.

Checks run on whole columns (no loop over rows or profiles) and the first problem is reported with the
data row (1-based, the first row after the header is row 1), the column and what was expected:
non-numeric or negative concentrations, missing or non-numeric times, duplicated or unsorted times within
a profile, values that change within a profile. A missing concentration is a NaN; a BLQ marker (``BLQ``,
``BQL``, ``BLOQ``, ``<LLOQ``, ``<`` followed by a number) is a BLQ sample handled by the BLQ rule.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

import numpy as np
import numpy.typing as npt
import pandas as pd

from bioparity.errors import DataFileError, require_columns_found
from bioparity.nca.profiles import pad_profiles
from bioparity.problems import (
    A_FINITE_NUMBER,
    A_NONNEGATIVE_CONCENTRATION,
    A_NUMBER,
    AN_IDENTIFIER_ON_EVERY_ROW,
    COLUMNS_MAPPED,
    DUPLICATED_TIME,
    EMPTY_CELL,
    EMPTY_IDENTIFIER,
    NEGATIVE_CONCENTRATION,
    NO_DATA_ROWS,
    NOT_A_NUMBER,
    NOT_FINITE,
    ONE_ROW_PER_SAMPLE,
    ONE_SAMPLE_PER_TIME,
    ONE_VALUE_PER_PROFILE,
    OR_BLQ,
    TIME_BACKWARDS,
    TIMES_SORTED,
    VALUE_DIFFERS_IN_PROFILE,
)

_T = TypeVar("_T")

_MISSING = {"", "NA", "NAN", ".", "NULL", "NONE"}
_BLQ_TOKENS = {"BLQ", "BQL", "BLOQ", "<LLOQ", "<LOQ", "LLOQ", "<LOD", "NQ"}


@dataclass(frozen=True)
class Where:
    """Where a table came from, for error messages: file name and how data rows map to file lines.

    Attributes
    ----------
    file : str or None
        The file named in errors (``None``: no file, e.g. a frame built in memory).
    line_offset : int or None
        ``line = row + line_offset`` for text files (header on line 1: offset 1); ``None`` when rows
        have no line numbers (XLSX, Parquet, XPT).
    """

    file: str | None = None
    line_offset: int | None = 1

    def error(
        self,
        problem: str,
        pos: int | None,
        column: str | None,
        value: object = None,
        expected: str | None = None,
    ) -> DataFileError:
        row = None if pos is None else int(pos) + 1
        line = None if row is None or self.line_offset is None else row + self.line_offset
        return DataFileError(
            problem, file=self.file, row=row, line=line, column=column, value=value, expected=expected
        )

    def reject(
        self,
        bad: npt.ArrayLike,
        problem: str,
        column: str | None,
        cells: pd.Series | None,
        expected: str,
        *,
        rows: npt.NDArray[np.intp] | None = None,
    ) -> None:
        """Raise :meth:`error` at the first row where ``bad`` is true (nothing when none is).

        ``cells`` are the column's cells, the one of that row shown as the value (None: no value shown);
        ``rows`` maps the positions of ``bad`` to table rows when ``bad`` is in another order.
        """
        flags = np.asarray(bad, dtype=bool)
        if flags.any():
            i = _row(rows, int(np.argmax(flags)))
            raise self.error(problem, i, column, None if cells is None else cells.iloc[i], expected)


def text_cells(series: pd.Series) -> pd.Series:
    """The cells of a column as stripped text (missing -> "")."""
    return series.astype("string").str.strip().fillna("")


def _arrow_finite_numbers(series: pd.Series) -> npt.NDArray[np.float64] | None:
    """All cells of an Arrow-backed text column as float64 when every one is a finite decimal number.

    Arrow's cast (correctly rounded, like Python's ``float``) on the whitespace-trimmed text; ``None`` as
    soon as any cell is empty, missing, a marker, non-finite or not a number, so that the general path
    below parses, flags and reports that column exactly as before. This only makes clean columns fast.
    """
    if not (isinstance(series.dtype, pd.StringDtype) and series.dtype.storage == "pyarrow"):
        return None
    import pyarrow as pa  # type: ignore[import-untyped]
    import pyarrow.compute as pc  # type: ignore[import-untyped]

    if not len(series):
        return None
    text = pa.array(series.array)  # the column's own Arrow data, no copy (a ChunkedArray)
    if text.null_count:
        return None
    try:
        # a cell with surrounding whitespace is no number to the cast: only then trim (a copy) and retry
        numbers = _cast_float(text)
    except pa.ArrowInvalid:
        try:
            numbers = _cast_float(pc.utf8_trim_whitespace(text))
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            return None
    except pa.ArrowNotImplementedError:
        return None
    values = np.asarray(numbers.to_numpy(), dtype=np.float64)
    if not np.isfinite(values).all():
        return None
    return values


def reject_empty_identifiers(frame: pd.DataFrame, keys: Sequence[str], where: Where) -> None:
    """Refuse a missing, empty or blank subject or group cell, naming the first such row and column: the
    analysis would otherwise make it a profile (or subject) of its own. Columns absent from ``frame`` are
    skipped (the caller's column check names them)."""
    for k in keys:
        if k not in frame.columns:
            continue
        col = frame[k]
        empty = col.isna().to_numpy() if pd.api.types.is_numeric_dtype(col.dtype) else _blank(col)
        where.reject(empty, EMPTY_IDENTIFIER, k, None, AN_IDENTIFIER_ON_EVERY_ROW)


def _blank(series: pd.Series) -> npt.NDArray[np.bool_]:
    """``text_cells(series) == ""`` per cell: missing, empty or only whitespace. An Arrow-backed text
    column is classified by Arrow's own predicates (the whitespace of ``str.strip``), without stripping
    (a copy of every cell)."""
    if not (isinstance(series.dtype, pd.StringDtype) and series.dtype.storage == "pyarrow"):
        return np.asarray(text_cells(series).eq("").to_numpy(), dtype=bool)
    import pyarrow as pa
    import pyarrow.compute as pc

    text = pa.array(series.array)
    blank = pc.or_kleene(pc.equal(pc.binary_length(text), 0), pc.utf8_is_space(text))
    return np.asarray(pc.fill_null(blank, True).to_numpy(zero_copy_only=False), dtype=bool)


def _cast_float(text: Any) -> Any:
    import pyarrow as pa
    import pyarrow.compute as pc

    return pc.cast(text, pa.float64())


def parse_numbers(
    series: pd.Series,
    column: str,
    where: Where,
    *,
    allow_missing: bool,
    blq_tokens: bool = False,
    expected: str = A_NUMBER,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
    """Numbers of a column (NaN = missing); with ``blq_tokens`` also a BLQ mask. Errors name the row;
    ``expected`` says what a cell that is not a number should hold."""
    if pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype):
        values = series.to_numpy(dtype=float, na_value=np.nan)
        blq = np.zeros(values.size, dtype=bool)
    elif (fast := _arrow_finite_numbers(series)) is not None:
        values = fast
        blq = np.zeros(values.size, dtype=bool)
    else:
        text = text_cells(series)
        upper = text.str.upper()
        missing = upper.isin(_MISSING).to_numpy()
        blq = np.zeros(len(text), dtype=bool)
        if blq_tokens:
            blq = (upper.isin(_BLQ_TOKENS) | upper.str.match(r"^<\s*[0-9.]+").fillna(False)).to_numpy(
                dtype=bool
            )
        values = pd.to_numeric(text.where(~(missing | blq), None), errors="coerce").to_numpy(
            dtype=float, na_value=np.nan
        )
        bad = np.isnan(values) & ~missing & ~blq
        values[blq] = 0.0  # a BLQ sample is a concentration of 0 flagged BLQ (PKNCA convention)
        wanted = OR_BLQ.format(expected=expected) if blq_tokens else expected
        where.reject(bad, NOT_A_NUMBER, column, text, wanted)
    where.reject(np.isinf(values), NOT_FINITE, column, series, A_FINITE_NUMBER)
    if not allow_missing:
        where.reject(np.isnan(values), EMPTY_CELL, column, None, A_NUMBER)
    return values, blq


def profile_codes(frame: pd.DataFrame, keys: Sequence[str]) -> tuple[npt.NDArray[np.int64], pd.DataFrame]:
    """Profile number of every row (in order of first appearance) and the key values of each profile."""
    codes = _single_key_codes(frame, keys)
    if codes is None:
        grouped = frame.groupby(list(keys), sort=False, dropna=False)
        codes = np.asarray(grouped.ngroup().to_numpy(), dtype=np.int64)
        first = pd.Series(np.arange(len(frame))).groupby(codes).min().to_numpy()
    else:
        # numbers in order of first appearance: a row opens a profile when its number exceeds all before
        opens = np.empty(codes.size, dtype=bool)
        opens[0] = True
        np.greater(codes[1:], np.maximum.accumulate(codes[:-1]), out=opens[1:])
        first = np.flatnonzero(opens)
    ids = frame[list(keys)].iloc[first].reset_index(drop=True)
    return codes, ids


def matched_profiles(
    ids: pd.DataFrame, table: pd.DataFrame, *, how: Literal["inner", "right"]
) -> pd.DataFrame:
    """Pair the rows of ``table`` with the profiles whose keys they hold: the key columns are those of
    ``table``, compared as text (a subject ``1`` read as a number matches ``"1"``).

    Parameters
    ----------
    ids : pandas.DataFrame
        The profile keys, one row per profile (row ``p`` is profile ``p``: :func:`profile_codes`).
    table : pandas.DataFrame
        The key columns of a table keyed like the profiles (dose records, lambda_z choices).
    how : {"inner", "right"}
        ``inner``: the matched pairs only; ``right``: every row of ``table``, its profile missing (NaN)
        where no profile has its keys.

    Returns
    -------
    pandas.DataFrame
        One row per pair: ``_profile`` (row of ``ids``) and ``_row`` (row of ``table``), with the keys.
    """
    keys = list(table.columns)
    left = ids[keys].astype("string").reset_index().rename(columns={"index": "_profile"})
    right = table.astype("string").assign(_row=np.arange(len(table)))
    return left.merge(right, on=keys, how=how)


def _single_key_codes(frame: pd.DataFrame, keys: Sequence[str]) -> npt.NDArray[np.int64] | None:
    """The group numbers of ``groupby(key, sort=False).ngroup()`` for one text or number key without
    missing values (the factorisation groupby itself does, without its other work); None otherwise."""
    if len(keys) != 1 or not len(frame):
        return None
    column = frame[keys[0]]
    if not (isinstance(column.dtype, pd.StringDtype) or column.dtype.kind in "iuf"):
        return None
    codes = np.asarray(pd.factorize(column, sort=False)[0], dtype=np.int64)
    return None if (codes < 0).any() else codes


@dataclass(frozen=True)
class PreparedSamples:
    """A validated long table as padded profiles: row data, profile codes and keys, padded arrays."""

    frame: pd.DataFrame
    codes: npt.NDArray[np.int64]
    ids: pd.DataFrame
    t: npt.NDArray[np.float64]
    T: npt.NDArray[np.float64]
    C: npt.NDArray[np.float64]
    B: npt.NDArray[np.bool_]


#: The cells of a BLQ flag column that flag a sample BLQ (any letter case, blanks stripped).
BLQ_FLAGS = frozenset({"1", "Y", "YES", "TRUE", "T", "BLQ"})


def flagged_blq(
    frame: pd.DataFrame,
    conc: npt.NDArray[np.float64],
    *,
    blq: str | None,
    lloq: str | None,
    where: Where,
) -> npt.NDArray[np.bool_]:
    """The samples of ``frame`` flagged BLQ by its columns: a BLQ flag column (``blq``: a cell of
    :data:`BLQ_FLAGS`) or a concentration below the LLOQ of its row (``lloq``), as the NCA reads them
    (:func:`prepare_samples`) and the figures of a run draw them
    (:func:`bioparity.analyses.figures.profile_plot`). ``conc``: the concentrations as parsed (NaN:
    missing, never below a LLOQ). An LLOQ that is not a number is an error naming its row."""
    mask = np.zeros(len(frame), dtype=bool)
    if blq is not None:
        mask |= text_cells(frame[blq]).str.upper().isin(BLQ_FLAGS).to_numpy()
    if lloq is not None:
        limit, _ = parse_numbers(frame[lloq], lloq, where, allow_missing=True)
        mask |= ~np.isnan(limit) & ~np.isnan(conc) & (conc < limit)
    return mask


def prepare_samples(
    frame: pd.DataFrame,
    *,
    keys: Sequence[str],
    time: str,
    conc: str,
    blq: str | None = None,
    lloq: str | None = None,
    extra: Sequence[str] = (),
    where: Where,
) -> PreparedSamples:
    """Validate a long sample table (columns, identifiers, numbers, sorted unique times per profile)
    and pad it into ``(profiles x samples)`` arrays. Errors name the data row and column."""
    keys = list(keys)
    w = where
    needed = [*keys, time, conc] + [c for c in (blq, lloq) if c] + [c for c in extra if c not in keys]
    expected = COLUMNS_MAPPED.format(columns=", ".join(needed))
    require_columns_found(frame.columns, needed, file=w.file, expected=expected)
    if frame.empty:
        raise DataFileError(NO_DATA_ROWS, file=w.file, expected=ONE_ROW_PER_SAMPLE)
    frame = frame.reset_index(drop=True)
    with _column_workers(len(frame)) as pool:
        # independent column work in two threads (Arrow's casts and hashing release the GIL); results and
        # errors are taken in the order of the checks, so the first problem reported is the same
        codes_ids = _start(pool, profile_codes, frame, keys)
        times = _start(pool, parse_numbers, frame[time], time, w, allow_missing=False)
        concs = _start(pool, parse_numbers, frame[conc], conc, w, allow_missing=True, blq_tokens=True)
        reject_empty_identifiers(frame, keys, w)
        t, _ = times.result()
        c, blq_mask = concs.result()
    w.reject(
        c < 0,
        NEGATIVE_CONCENTRATION,
        conc,
        frame[conc],
        A_NONNEGATIVE_CONCENTRATION,
    )
    blq_mask |= flagged_blq(frame, c, blq=blq, lloq=lloq, where=w)
    codes, ids = codes_ids.result()
    order = None  # rows grouped by profile (the usual file) are already in profile order
    sc, st = codes, t
    if not np.all(codes[1:] >= codes[:-1]):
        order = np.argsort(codes, kind="stable")
        sc, st = codes[order], t[order]
    same = np.concatenate(([False], sc[1:] == sc[:-1]))
    dup = same & np.concatenate(([False], st[1:] == st[:-1]))
    w.reject(
        dup,
        DUPLICATED_TIME,
        time,
        frame[time],
        ONE_SAMPLE_PER_TIME,
        rows=order,
    )
    unsorted = same & np.concatenate(([False], st[1:] < st[:-1]))
    w.reject(
        unsorted,
        TIME_BACKWARDS,
        time,
        frame[time],
        TIMES_SORTED,
        rows=order,
    )
    P = len(ids)
    _, (T, C, B) = pad_profiles(codes, t, c, blq_mask.astype(float), n_profiles=P)
    return PreparedSamples(frame, codes, ids, t, T, C, B == 1.0)


#: Rows from which :func:`prepare_samples` checks columns in two threads (below, a thread costs more).
THREADED_ROWS = 200_000


def _column_workers(rows: int) -> AbstractContextManager[ThreadPoolExecutor | None]:
    """Two worker threads for a large table, none (work done in the calling thread) for a small one."""
    return (
        ThreadPoolExecutor(max_workers=2, thread_name_prefix="checks")
        if rows >= THREADED_ROWS
        else nullcontext()
    )


def _start(pool: ThreadPoolExecutor | None, fn: Callable[..., _T], *args: Any, **kwargs: Any) -> Future[_T]:
    """``fn(*args, **kwargs)`` in ``pool``, or now in this thread without one; its error is raised by
    ``result()``, when the caller reaches that check."""
    if pool is not None:
        return pool.submit(fn, *args, **kwargs)
    done: Future[_T] = Future()
    try:
        done.set_result(fn(*args, **kwargs))
    except Exception as exc:
        done.set_exception(exc)
    return done


def _row(order: npt.NDArray[np.intp] | None, position: int) -> int:
    """The table row at ``position`` of the profile-ordered rows."""
    return position if order is None else int(order[position])


def constant_per_profile(
    values: npt.NDArray[np.float64],
    codes: npt.NDArray[np.int64],
    P: int,
    column: str,
    w: Where,
    frame: pd.DataFrame,
) -> npt.NDArray[np.float64]:
    """The one value of each profile (NaN if all blank); a profile with two different values is an error."""
    first = _first_valid(values, codes, P)
    ref = first[codes]
    differs = ~np.isnan(values) & ~np.isnan(ref) & (values != ref)
    w.reject(differs, VALUE_DIFFERS_IN_PROFILE, column, frame[column], ONE_VALUE_PER_PROFILE)
    return np.asarray(first, dtype=np.float64)


def _first_valid(
    values: npt.NDArray[np.float64], codes: npt.NDArray[np.int64], P: int
) -> npt.NDArray[np.float64]:
    """Per profile the first value that is not NaN (NaN if none): ``groupby(codes).first()``."""
    valid = np.flatnonzero(~np.isnan(values))
    owner = codes[valid]
    if owner.size and not np.all(owner[1:] >= owner[:-1]):  # rows not grouped by profile: the general way
        first = pd.Series(values).groupby(codes).first().reindex(range(P)).to_numpy(dtype=float)
        return np.asarray(first, dtype=np.float64)
    out = np.full(P, np.nan)
    starts = np.ones(owner.size, dtype=bool)
    np.not_equal(owner[1:], owner[:-1], out=starts[1:])
    out[owner[starts]] = values[valid[starts]]
    return out
