"""Splitting ``K`` items into contiguous chunks (the unit of work sent to one Dask task)."""

from __future__ import annotations

import math

from bioparity.errors import InputError

#: Chunks per worker when the chunk size is chosen automatically (load balance vs task overhead).
CHUNKS_PER_WORKER = 4


def chunk_ranges(n_items: int, chunk_size: int) -> list[tuple[int, int]]:
    """``[(0, c), (c, 2c), ...]`` covering ``0 .. n_items - 1``; the last chunk may be shorter."""
    if n_items < 1:
        raise InputError(f"number of items = {n_items}; expected >= 1")
    if chunk_size < 1:
        raise InputError(f"chunk size = {chunk_size}; expected a whole number >= 1")
    return [(lo, min(lo + chunk_size, n_items)) for lo in range(0, n_items, chunk_size)]


def auto_chunk_size(n_items: int, n_workers: int, *, multiple: int = 1, maximum: int = 20_000) -> int:
    """About ``CHUNKS_PER_WORKER`` chunks per worker, a multiple of ``multiple``, at most ``maximum``."""
    per = math.ceil(n_items / max(1, n_workers * CHUNKS_PER_WORKER))
    per = min(max(per, 1), maximum)
    return max(multiple, math.ceil(per / multiple) * multiple)
