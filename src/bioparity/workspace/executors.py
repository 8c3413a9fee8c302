"""Where background analyses are computed: worker processes of the server (default), the server process
itself, or a Dask cluster.

* ``BIOPARITY_DASK_SCHEDULER=tcp://host:8786``: on that Dask cluster (its workers need the same
  bioparity installed), connected with :func:`bioparity.scale.cluster.dask_client` as ``bioparity
  simulate --scheduler`` and ``nca-batch --scheduler`` are;
* otherwise ``BIOPARITY_JOB_WORKERS`` worker processes (default 1) started with the ``spawn`` method
  (a fresh interpreter: nothing of the server's threads or database connections is inherited) and
  kept for the life of the server process; ``BIOPARITY_JOB_WORKERS=0`` computes in a thread of the
  server process instead.

``BIOPARITY_JOB_WORKERS`` is also how many analyses one server process computes at once (on Dask too);
the others wait, ``queued``. A worker only computes (:func:`compute_in_worker`: no database, no audit
key): it receives the dataset's bytes and options and returns the result text, reporting its stages
back (through a queue of the process pool, or Dask's event topics) for the job's progress.

Kinds registered at run time by a plug-in (:func:`bioparity.analyses.register`) are computed in the
server process: worker processes and Dask workers know the built-in kinds only.
"""

from __future__ import annotations

import atexit
import importlib
import logging
import multiprocessing
import os
import queue
import signal
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Collection
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from bioparity.analyses.registry import BUILTIN_MODULES, get_analysis
from bioparity.environment import env_number
from bioparity.errors import BioparityError
from bioparity.progress import StageCallback
from bioparity.workspace.analyses import PendingRun, compute_run
from bioparity.workspace.worker_lifetime import exit_with_parent

if TYPE_CHECKING:
    from multiprocessing.queues import Queue

    from distributed import Client

JOB_WORKERS_ENV = "BIOPARITY_JOB_WORKERS"
DASK_SCHEDULER_ENV = "BIOPARITY_DASK_SCHEDULER"
DEFAULT_JOB_WORKERS = 1
MAX_JOB_WORKERS = 64
#: The Dask event topic that workers report the stages of a job on.
PROGRESS_TOPIC = "bioparity-job-progress"
#: How much lower a worker process's CPU priority is than the server's (a ``nice`` increment).
WORKER_NICENESS = 10
#: How often a waiting server thread looks for progress and for the end of the computation.
POLL_SECONDS = 0.2

logger = logging.getLogger(__name__)


class WorkerLostError(BioparityError):
    """The worker computing an analysis stopped or could not be reached (nothing was stored)."""


@dataclass(frozen=True)
class WorkerOutcome:
    """What a worker sends back: the run's outcome without the dataset's bytes.

    ``status`` is ``succeeded`` or ``failed`` (as :class:`~bioparity.workspace.analyses.ComputedRun`),
    ``refused`` (the dataset does not fit the kind: ``error`` says where, nothing is stored) or
    ``error`` (an unexpected error outside the kind's computation).
    """

    status: str
    result_json: str | None
    error: str | None
    software_version: str


def outcome_of(pending: PendingRun, stage: StageCallback | None) -> WorkerOutcome:
    """Compute a run (:func:`~bioparity.workspace.analyses.compute_run`) and describe its outcome in
    plain values that any executor can send back."""
    try:
        computed = compute_run(pending, stage)
    except BioparityError as exc:
        return WorkerOutcome("refused", None, str(exc), "")
    except Exception as exc:  # a defect outside the kind's compute; the traceback goes to the worker's log
        logger.exception("analysis %s of %s failed outside its computation", pending.kind, pending.filename)
        return WorkerOutcome("error", None, f"{type(exc).__name__}: {exc}", "")
    return WorkerOutcome(computed.status, computed.result_json, computed.error, computed.software_version)


_POOL_QUEUE: list[Queue[Any]] = []


def lower_priority() -> None:
    """In a worker process: Ctrl-C is the server's to handle, and the CPU priority is lowered by
    :data:`WORKER_NICENESS` (POSIX ``nice``) so that, when the cores are busy, the operating system runs
    the server's interactive requests (pages, sign-ins) before the workers' long computations."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(os, "nice"):
        os.nice(WORKER_NICENESS)


def prepare_worker() -> None:
    """The start of every worker process of the server (the job pool's and the upload parser's): at lower
    priority (:func:`lower_priority`), and ending when the server process ends, even killed
    (:func:`~bioparity.workspace.worker_lifetime.exit_with_parent`)."""
    lower_priority()
    exit_with_parent()


def _init_pool_worker(progress: Queue[Any]) -> None:
    """In each worker process: where to report stages (and :func:`prepare_worker`)."""
    prepare_worker()
    _POOL_QUEUE[:] = [progress]


def _pool_stage(job_id: str) -> StageCallback:
    def stage(fraction: float, message: str) -> None:
        if _POOL_QUEUE:
            _POOL_QUEUE[0].put((job_id, fraction, message))

    return stage


def _dask_stage(job_id: str) -> StageCallback:
    from distributed import get_worker

    worker: Any = get_worker()

    def stage(fraction: float, message: str) -> None:
        worker.log_event(PROGRESS_TOPIC, [job_id, float(fraction), message])

    return stage


def compute_in_worker(job_id: str, pending: PendingRun, channel: str) -> WorkerOutcome:
    """The task a worker runs: compute the run and report its stages on ``channel`` (``"pool"``: the
    process pool's queue; ``"dask"``: the Dask event topic :data:`PROGRESS_TOPIC`)."""
    stage = _dask_stage(job_id) if channel == "dask" else _pool_stage(job_id)
    return outcome_of(pending, stage)


@dataclass
class _Routes:
    """Stage reports arriving for the jobs a server process waits on, by job id."""

    inboxes: dict[str, queue.SimpleQueue[tuple[float, str]]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def open(self, job_id: str) -> queue.SimpleQueue[tuple[float, str]]:
        inbox: queue.SimpleQueue[tuple[float, str]] = queue.SimpleQueue()
        with self.lock:
            self.inboxes[job_id] = inbox
        return inbox

    def close(self, job_id: str) -> None:
        with self.lock:
            self.inboxes.pop(job_id, None)

    def busy_with(self, job_ids: Collection[str]) -> bool:
        """Whether any of these jobs is being computed."""
        with self.lock:
            return any(job_id in self.inboxes for job_id in job_ids)

    def deliver(self, job_id: str, fraction: float, message: str) -> None:
        with self.lock:
            inbox = self.inboxes.get(job_id)
        if inbox is not None:
            inbox.put((float(fraction), str(message)))


def wait_reporting(
    future: Future[WorkerOutcome] | Any, inbox: queue.SimpleQueue[tuple[float, str]], stage: StageCallback
) -> None:
    """Wait for ``future``, passing each stage report to ``stage`` (in the waiting thread)."""
    while True:
        try:
            fraction, message = inbox.get(timeout=POLL_SECONDS)
        except queue.Empty:
            if future.done():
                break
            continue
        stage(fraction, message)
    while not inbox.empty():
        stage(*inbox.get_nowait())


class ComputeExecutor(ABC):
    """Computes analyses for the job runner (:class:`bioparity.workspace.runner.JobRunner`)."""

    #: Where the work runs, for the job record and the logs.
    description: str = ""
    #: How many analyses this executor computes at once for one server process.
    slots: int = 1

    @abstractmethod
    def compute(self, job_id: str, pending: PendingRun, stage: StageCallback) -> WorkerOutcome:
        """Compute ``pending`` (blocking), calling ``stage`` in this thread as the worker reports.

        Raises :class:`WorkerLostError` (or another :class:`~bioparity.errors.BioparityError` naming
        the problem) when the work could not be done."""

    def abandon(self, job_ids: Collection[str]) -> None:  # noqa: B027 - a thread cannot be stopped
        """Stop computing these jobs if the executor can (their server stops; they were failed and their
        results will not be stored)."""

    def release(self) -> None:  # noqa: B027 - most executors hold nothing of an app's
        """The app that used this executor stops (a Dask client is closed; the shared worker processes
        of the server process stay for its other apps and are stopped at exit)."""


class InProcessExecutor(ComputeExecutor):
    """Computes in the calling thread of the server process (``BIOPARITY_JOB_WORKERS=0``, and kinds
    registered at run time)."""

    def __init__(self, slots: int = 1) -> None:
        self.description = "the server process"
        self.slots = slots

    def compute(self, job_id: str, pending: PendingRun, stage: StageCallback) -> WorkerOutcome:
        return outcome_of(pending, stage)


class _Pool:
    """A process pool with the queue its workers report stages on and the thread routing them."""

    def __init__(self, workers: int) -> None:
        context = multiprocessing.get_context("spawn")
        self.queue: Queue[Any] = context.Queue()
        self.routes = _Routes()
        self.executor = ProcessPoolExecutor(
            max_workers=workers, mp_context=context, initializer=_init_pool_worker, initargs=(self.queue,)
        )
        self.closed = threading.Event()
        self.router = threading.Thread(target=self._route, name="bioparity-job-progress", daemon=True)
        self.router.start()

    def _route(self) -> None:
        while not self.closed.is_set():
            try:
                job_id, fraction, message = self.queue.get(timeout=0.5)
            except queue.Empty:
                continue
            except (EOFError, OSError, ValueError):  # the queue was closed
                return
            self.routes.deliver(job_id, fraction, message)

    def close(self) -> None:
        """Stop routing, cancel what waits and end the worker processes now: a computation still going
        on belongs to a job already failed (its server stops), and must not hold the exit."""
        self.closed.set()
        # No public way to end the workers before Python 3.14 (ProcessPoolExecutor.terminate_workers).
        processes = list((getattr(self.executor, "_processes", None) or {}).values())
        self.executor.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            if process.is_alive():
                process.terminate()


#: The pool type of a :class:`KeptPool`.
P = TypeVar("P")


class KeptPool(Generic[P]):
    """A pool of worker processes made at its first use and kept; one that broke (a worker killed, out of
    memory) is forgotten and closed, and the next use makes a new one. Thread-safe: the job pool of
    :class:`LocalProcessExecutor` and the upload parser of :mod:`bioparity.workspace.upload_worker`.

    Parameters
    ----------
    make : callable
        Makes a new pool.
    close : callable
        Closes a pool (its workers end).
    """

    def __init__(self, make: Callable[[], P], close: Callable[[P], None]) -> None:
        self._make = make
        self._close = close
        self._pool: P | None = None
        self._lock = threading.Lock()

    def current(self) -> P:
        """The pool, made now if there is none."""
        with self._lock:
            if self._pool is None:
                self._pool = self._make()
            return self._pool

    def peek(self) -> P | None:
        """The pool if one was made (and not discarded), without making one."""
        with self._lock:
            return self._pool

    def discard(self, pool: P) -> None:
        """Close ``pool``, forgotten first if it is still the current one (another thread may have replaced
        it already)."""
        with self._lock:
            if self._pool is pool:
                self._pool = None
        self._close(pool)

    def close(self) -> None:
        """Close the current pool, if any (at exit)."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            self._close(pool)


class LocalProcessExecutor(ComputeExecutor):
    """Worker processes of the server (``spawn``), started at the first job and kept; a pool whose
    worker died (killed, out of memory) is replaced for the next job (:class:`KeptPool`)."""

    def __init__(self, workers: int = DEFAULT_JOB_WORKERS) -> None:
        self.slots = workers
        self.description = f"{workers} worker process{'es' if workers > 1 else ''} of the server"
        self._pools = KeptPool(lambda: _Pool(self.slots), _Pool.close)

    def _current(self) -> _Pool:
        return self._pools.current()

    def compute(self, job_id: str, pending: PendingRun, stage: StageCallback) -> WorkerOutcome:
        pool = self._current()
        inbox = pool.routes.open(job_id)
        try:
            future = pool.executor.submit(compute_in_worker, job_id, pending, "pool")
            wait_reporting(future, inbox, stage)
            return future.result()
        except BrokenProcessPool as exc:
            self._pools.discard(pool)
            raise WorkerLostError(
                "the worker process computing this analysis stopped unexpectedly (for example, it ran out "
                "of memory or was killed); nothing was stored: run it again, and if it stops again, on a "
                "server with more memory"
            ) from exc
        finally:
            pool.routes.close(job_id)

    def abandon(self, job_ids: Collection[str]) -> None:
        """End the worker processes when they compute any of these jobs (a process pool cannot stop one
        task; another job computing there fails as its worker stopped, and the next gets new ones)."""
        pool = self._pools.peek()
        if pool is not None and pool.routes.busy_with(job_ids):
            self._pools.discard(pool)

    def close(self) -> None:
        """Stop the worker processes (at exit)."""
        self._pools.close()


class DaskExecutor(ComputeExecutor):
    """Computes on the Dask cluster whose scheduler is at ``scheduler`` (connected at the first job)."""

    def __init__(self, scheduler: str, slots: int = DEFAULT_JOB_WORKERS) -> None:
        self.scheduler = scheduler
        self.slots = slots
        self.description = f"the Dask cluster at {scheduler}"
        self._routes = _Routes()
        self._inflight: dict[str, Any] = {}
        self._client: Client | None = None
        self._stack = ExitStack()
        self._lock = threading.Lock()

    def _connect(self) -> Client:
        with self._lock:
            if self._client is None:
                from bioparity.scale.cluster import dask_client

                client = self._stack.enter_context(dask_client(scheduler=self.scheduler))
                assert client is not None
                client.subscribe_topic(PROGRESS_TOPIC, self._on_event)  # type: ignore[no-untyped-call]
                self._client = client
            return self._client

    def _on_event(self, event: tuple[float, list[Any]]) -> None:
        _time, (job_id, fraction, message) = event
        self._routes.deliver(str(job_id), float(fraction), str(message))

    def compute(self, job_id: str, pending: PendingRun, stage: StageCallback) -> WorkerOutcome:
        client: Any = self._connect()
        inbox = self._routes.open(job_id)
        futures: list[Any] = []
        try:
            payload = client.scatter(pending, hash=False)  # the bytes go to a worker, not in the task graph
            futures.append(payload)
            future = client.submit(compute_in_worker, job_id, payload, "dask", pure=False)
            futures.append(future)
            self._inflight[job_id] = future
            wait_reporting(future, inbox, stage)
            outcome: WorkerOutcome = future.result()
            return outcome
        except BioparityError:
            raise
        except Exception as exc:
            raise WorkerLostError(
                f"{self.description} did not finish this analysis ({type(exc).__name__}: {exc}); nothing "
                "was stored: run it again, and check that the cluster's workers are running the same "
                "bioparity version as the server"
            ) from exc
        finally:
            self._routes.close(job_id)
            self._inflight.pop(job_id, None)
            for future in futures:
                future.release()

    def abandon(self, job_ids: Collection[str]) -> None:
        """Cancel these jobs' tasks on the cluster."""
        futures = [f for f in (self._inflight.get(job_id) for job_id in job_ids) if f is not None]
        if futures and self._client is not None:
            client: Any = self._client
            client.cancel(futures)

    def close(self) -> None:
        """Close the client (the cluster keeps running)."""
        with self._lock:
            self._client = None
            self._stack.close()

    def release(self) -> None:
        self.close()


def job_workers() -> int:
    """``BIOPARITY_JOB_WORKERS``: analyses computed at once per server process (default 1; 0 = in the
    server process)."""
    expected = (
        f"a whole number from 0 to {MAX_JOB_WORKERS}: the number of worker processes computing analyses "
        "(0 = in the server process), e.g. 1"
    )
    return env_number(
        JOB_WORKERS_ENV, DEFAULT_JOB_WORKERS, int, lambda n: 0 <= n <= MAX_JOB_WORKERS, expected
    )


_SHARED: dict[int, LocalProcessExecutor] = {}
_SHARED_LOCK = threading.Lock()


def local_executor(workers: int = DEFAULT_JOB_WORKERS) -> LocalProcessExecutor:
    """The worker processes of this server process (one pool per size, shared by its apps, stopped at
    exit): they only compute, so every app on any database can use them."""
    with _SHARED_LOCK:
        if workers not in _SHARED:
            _SHARED[workers] = LocalProcessExecutor(workers)
            atexit.register(_SHARED[workers].close)
        return _SHARED[workers]


def executor_from_environment() -> ComputeExecutor:
    """The executor configured by ``BIOPARITY_DASK_SCHEDULER`` and ``BIOPARITY_JOB_WORKERS``."""
    workers = job_workers()
    scheduler = os.environ.get(DASK_SCHEDULER_ENV, "").strip()
    if scheduler:
        executor = DaskExecutor(scheduler, slots=max(workers, 1))
        atexit.register(executor.close)
        return executor
    if workers == 0:
        return InProcessExecutor()
    return local_executor(workers)


def is_builtin(kind: str) -> bool:
    """Whether ``kind`` is the built-in kind of that name (worker processes know only those)."""
    spec = get_analysis(kind)
    return any(
        candidate is spec
        for module in BUILTIN_MODULES
        for candidate in importlib.import_module(module).ANALYSES
    )
