"""Map a function over contiguous chunks of items on Dask (or here), results in chunk order."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from bioparity.progress import ProgressCallback, report
from bioparity.scale.chunks import chunk_ranges

if TYPE_CHECKING:
    from distributed import Client

R = TypeVar("R")


def map_chunks(
    func: Callable[[int, int], R],
    n_items: int,
    chunk_size: int,
    client: Client | None,
    *,
    name: str = "chunk",
    progress: ProgressCallback | None = None,
) -> list[R]:
    """``[func(lo, hi) for each chunk]``, on the cluster of ``client`` (in this process when ``None``).

    ``func`` must be picklable (a module-level function or a ``functools.partial`` of one). Every call
    gets fresh task keys (``name-<token>-lo-hi``), so a second run on the same cluster never picks up a
    result of an earlier one; results come back in chunk order whatever order the tasks finish in.
    ``progress(done, total)`` is called as chunks complete (see :mod:`bioparity.progress`).

    Parameters
    ----------
    func : callable
        ``func(lo, hi) -> R`` computing items ``[lo, hi)``; picklable when ``client`` is a cluster.
    n_items : int
        Number of items, >= 1.
    chunk_size : int
        Items per task, >= 1 (see :func:`~bioparity.scale.chunks.auto_chunk_size`).
    client : distributed.Client or None
        Cluster to run on; None runs the chunks one after the other in this process.
    name : str, default "chunk"
        Prefix of the Dask task keys (shown on the dashboard).
    progress : callable or None, default None
        ``progress(done, total)`` in chunks; None reports nothing.

    Returns
    -------
    list
        The value of ``func`` for each chunk, in chunk order.

    Raises
    ------
    bioparity.errors.InputError
        When :func:`~bioparity.scale.chunks.chunk_ranges` refuses ``n_items`` or ``chunk_size`` (below 1).

    Examples
    --------
    >>> map_chunks(lambda lo, hi: sum(range(lo, hi)), 10, 4, None)  # 0+1+2+3, 4+..+7, 8+9
    [6, 22, 17]
    """
    ranges = chunk_ranges(n_items, chunk_size)
    total = len(ranges)
    if client is None:
        out: list[R] = []
        for lo, hi in ranges:
            out.append(func(lo, hi))
            report(progress, len(out), total)
        return out
    token = uuid.uuid4().hex[:12]
    futures = client.map(
        func,
        [lo for lo, _ in ranges],
        [hi for _, hi in ranges],
        key=[f"{name}-{token}-{lo}-{hi}" for lo, hi in ranges],
        pure=False,
    )
    if progress is not None:
        from distributed import as_completed

        for done, _future in enumerate(as_completed(futures), start=1):  # type: ignore[no-untyped-call]
            progress(done, total)
    gather: Any = client.gather  # unannotated in distributed
    results: list[R] = gather(futures)
    return results
