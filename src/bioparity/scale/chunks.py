"""Splitting ``K`` items into contiguous chunks (the unit of work sent to one Dask task)."""

from __future__ import annotations

import math

from bioparity.errors import InputError

#: Chunks per worker when the chunk size is chosen automatically (load balance vs task overhead).
CHUNKS_PER_WORKER = 4


def chunk_ranges(n_items: int, chunk_size: int) -> list[tuple[int, int]]:
    """``[(0, c), (c, 2c), ...]`` covering ``0 .. n_items - 1``; the last chunk may be shorter.

    Parameters
    ----------
    n_items : int
        Number of items (e.g. simulated studies), >= 1.
    chunk_size : int
        Items per chunk (one Dask task each), >= 1.

    Returns
    -------
    list of (int, int)
        Half-open ranges ``(lo, hi)`` of item numbers, in order.

    Raises
    ------
    bioparity.errors.InputError
        When ``n_items`` or ``chunk_size`` is below 1.

    Examples
    --------
    >>> chunk_ranges(10, 4)
    [(0, 4), (4, 8), (8, 10)]
    """
    if n_items < 1:
        raise InputError(f"number of items = {n_items}; expected >= 1")
    if chunk_size < 1:
        raise InputError(f"chunk size = {chunk_size}; expected a whole number >= 1")
    return [(lo, min(lo + chunk_size, n_items)) for lo in range(0, n_items, chunk_size)]


def auto_chunk_size(n_items: int, n_workers: int, *, multiple: int = 1, maximum: int = 20_000) -> int:
    """About ``CHUNKS_PER_WORKER`` chunks per worker, a multiple of ``multiple``, at most ``maximum``.

    Several chunks per worker balance the load when tasks take unequal time; fewer, larger chunks
    keep the per-task overhead of the scheduler small.

    Parameters
    ----------
    n_items : int
        Number of items to split.
    n_workers : int
        Workers sharing them (values below 1 count as 1).
    multiple : int, default 1
        The chunk size is rounded up to a multiple of this (e.g. the seeding block size, so a chunk
        never splits a block).
    maximum : int, default 20000
        Upper bound before rounding (bounds the memory of one task).

    Returns
    -------
    int
        Items per chunk, >= ``multiple``.

    Examples
    --------
    >>> auto_chunk_size(10_000, 4, multiple=100)  # ceil(10000 / 16) = 625, rounded up to 700
    700
    """
    per = math.ceil(n_items / max(1, n_workers * CHUNKS_PER_WORKER))
    per = min(max(per, 1), maximum)
    return max(multiple, math.ceil(per / multiple) * multiple)
