"""Where the work runs: a local Dask cluster of worker processes (default), an existing cluster, or here.

``dask_client(workers=N)`` starts a ``distributed.LocalCluster`` of ``N`` single-threaded worker
processes (NumPy already vectorises inside each task; processes avoid the GIL) and shuts it down on
exit; ``dask_client(scheduler="tcp://host:port")`` connects to a running cluster and leaves it running.
Workers of such a cluster are best started with ``MALLOC_TRIM_THRESHOLD_`` unset (Dask config
``distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_: null``): Dask's default of 65536 slows
the simulation tasks by about 1.7x.
``workers=0`` runs everything in this process without Dask (same results: see :mod:`bioparity.seeding`).
Dask is imported only when a cluster is used.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bioparity.errors import BioparityError, InputError

if TYPE_CHECKING:
    from distributed import Client


#: The Dask setting that makes worker processes trim freed memory eagerly (see :func:`dask_client`).
TRIM_SETTING = "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_"


class ClusterError(BioparityError):
    """The Dask cluster could not be started or reached."""


@dataclass(frozen=True)
class Execution:
    """How a run was executed (not part of its result: results do not depend on it).

    Attributes
    ----------
    backend : {"local-cluster", "scheduler", "in-process"}
        A local Dask cluster started for the run, an existing scheduler, or this process without Dask.
    workers : int
        Number of Dask workers (1 in-process).
    threads_per_worker : int
        Threads of each worker (the largest when they differ).
    address : str or None
        The scheduler's address (``tcp://host:port``); None in-process.
    """

    backend: str  # "local-cluster", "scheduler" or "in-process"
    workers: int
    threads_per_worker: int
    address: str | None


def default_workers() -> int:
    """One worker per CPU."""
    return os.cpu_count() or 1


@contextmanager
def dask_client(
    workers: int | None = None, scheduler: str | None = None, *, threads_per_worker: int = 1
) -> Iterator[Client | None]:
    """A Dask client for the run (``None`` for ``workers=0`` without a scheduler: in-process).

    A context manager: a local cluster it starts is shut down on exit; a client of an existing
    scheduler is closed, the cluster left running.

    Parameters
    ----------
    workers : int or None, default None
        Worker processes of a local cluster (None: one per CPU; 0: no Dask, run in this process).
        Not together with ``scheduler``.
    scheduler : str or None, default None
        Address of a running Dask scheduler (``tcp://host:8786``) to connect to instead.
    threads_per_worker : int, default 1
        Threads of each local worker (NumPy vectorises inside a task; processes avoid the GIL).

    Yields
    ------
    distributed.Client or None
        The client, or None for in-process execution.

    Raises
    ------
    bioparity.errors.InputError
        When both ``workers`` (other than 0) and ``scheduler`` are given, or ``workers < 0``.
    ClusterError
        When the scheduler cannot be reached within 20 s.

    Examples
    --------
    >>> with dask_client(workers=0) as client:
    ...     describe(client).backend
    'in-process'
    """
    if scheduler is not None and workers not in (None, 0):
        raise InputError("give either --workers (a local cluster) or --scheduler (an existing one), not both")
    if scheduler is None and workers == 0:
        yield None
        return
    import dask
    import distributed

    # distributed's constructors and close() carry no annotations: call them through Any.
    dist: Any = distributed
    if scheduler is not None:
        try:
            client = dist.Client(scheduler, timeout="20s")
        except (OSError, TimeoutError) as exc:
            raise ClusterError(
                f"cannot reach the Dask scheduler at {scheduler}: {exc}; expected the address printed by "
                "`dask scheduler` (tcp://host:8786) with workers attached"
            ) from exc
        try:
            yield client
        finally:
            client.close()
        return
    n = default_workers() if workers is None else int(workers)
    if n < 0:
        raise InputError(f"workers = {n}; expected a number >= 0 (0 = run in this process)")
    # Dask's nanny sets MALLOC_TRIM_THRESHOLD_=65536 in its workers to hand memory back to the OS
    # sooner; with the many short-lived NumPy temporaries of a simulation block that makes every task
    # about 1.7x slower (measured here: 0.60 s vs 0.37 s per 400 studies). glibc's default is kept.
    with dask.config.set({TRIM_SETTING: None}):
        cluster = dist.LocalCluster(
            n_workers=n,
            threads_per_worker=threads_per_worker,
            processes=True,
            dashboard_address=":0",  # the scheduler's HTTP server on a free port (8787 may be in use)
            silence_logs=logging.ERROR,
        )
    client = dist.Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()


def describe(client: Client | None) -> Execution:
    """Backend, worker count and threads of a client (or of in-process execution).

    Parameters
    ----------
    client : distributed.Client or None
        The client from :func:`dask_client`; None for in-process execution.

    Returns
    -------
    Execution
        How the work runs, recorded with a run's timings (not with its results).
    """
    if client is None:
        return Execution("in-process", 1, 1, None)
    info = client.scheduler_info()
    workers = info.get("workers", {})
    threads = sorted({int(w.get("nthreads", 1)) for w in workers.values()}) or [1]
    cluster = getattr(client, "cluster", None)
    backend = "local-cluster" if cluster is not None else "scheduler"
    return Execution(backend, len(workers), threads[-1], str(info.get("address")))
