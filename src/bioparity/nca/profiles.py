"""Concentration-time profiles as padded 2-D arrays (profiles x samples, NaN padded at the end).

Every numerical core of :mod:`bioparity.nca` works on this layout, so that one NumPy expression
handles a million profiles at once. Rows are profiles; within a row, samples are sorted by time and
the valid ones come first (``compact_left`` restores that after points are dropped).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]


def pad_profiles(
    codes: npt.ArrayLike, *columns: npt.ArrayLike, n_profiles: int | None = None
) -> tuple[IntArray, list[FloatArray]]:
    """Scatter long data into padded 2-D arrays, one row per profile code (0..P-1).

    ``codes`` gives the profile of each row; rows of one profile keep their order. Returns the number
    of samples per profile and one ``(P, max samples)`` float array per column, NaN where padded.
    """
    code = np.asarray(codes, dtype=np.int64)
    n_rows = code.size
    P = int(code.max()) + 1 if n_profiles is None and n_rows else int(n_profiles or 0)
    if n_rows and np.all(code[1:] >= code[:-1]):
        order = None  # already grouped: the common case, no sort needed
        sorted_code = code
    else:
        order = np.argsort(code, kind="stable")
        sorted_code = code[order]
    counts = np.bincount(sorted_code, minlength=P).astype(np.int64)
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    position = np.arange(n_rows, dtype=np.int64) - starts[sorted_code]
    width = int(counts.max()) if P else 0
    rectangular = order is None and n_rows == P * width  # every profile has ``width`` rows, in order
    flat = None if rectangular else sorted_code * width + position
    out = []
    for col in columns:
        values = np.asarray(col, dtype=float)
        if order is not None:
            values = values[order]
        if rectangular:
            out.append(values.reshape(P, width).copy())
            continue
        grid = np.full((P, width), np.nan)
        grid.ravel()[flat] = values
        out.append(grid)
    return counts, out


def compact_left(keep: BoolArray, *arrays: FloatArray) -> list[FloatArray]:
    """Move the kept entries of each row to the front (order preserved); the rest become NaN."""
    order = np.argsort(~keep, axis=1, kind="stable")
    kept = np.take_along_axis(keep, order, axis=1)
    out = []
    for a in arrays:
        moved = np.take_along_axis(a, order, axis=1)
        moved[~kept] = np.nan
        out.append(moved)
    return out


def compact_right(keep: BoolArray, *arrays: FloatArray) -> list[FloatArray]:
    """Move the kept entries of each row to the end (order preserved); the rest become 0.

    Right alignment puts the last ``k`` kept points of every row in the last ``k`` columns, which lets
    suffix sums give the regression on the last ``k`` points of all profiles at once.
    """
    order = np.argsort(keep, axis=1, kind="stable")
    kept = np.take_along_axis(keep, order, axis=1)
    out = []
    for a in arrays:
        moved = np.take_along_axis(a, order, axis=1)
        moved[~kept] = 0.0
        out.append(moved)
    return out


def row_take(a: FloatArray, index: IntArray, fill: float = np.nan) -> FloatArray:
    """``a[p, index[p]]`` per row; ``fill`` where ``index`` is negative (no such element)."""
    ok = index >= 0
    safe = np.where(ok, index, 0)
    got = np.take_along_axis(a, safe[:, None], axis=1)[:, 0]
    return np.where(ok, got, fill)


def quiet_divide(a: FloatArray, b: FloatArray) -> FloatArray:
    """``a / b`` as floats without warnings: +-inf where only ``b`` is 0, NaN for 0/0 or a NaN operand."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(a / b, dtype=float)


def last_true_index(mask: BoolArray) -> IntArray:
    """Column of the last True per row, -1 when the row has none."""
    n = mask.shape[1]
    rev = np.argmax(mask[:, ::-1], axis=1)
    return np.where(mask.any(axis=1), n - 1 - rev, -1).astype(np.int64)


def first_true_index(mask: BoolArray) -> IntArray:
    """Column of the first True per row, -1 when the row has none."""
    return np.where(mask.any(axis=1), np.argmax(mask, axis=1), -1).astype(np.int64)
