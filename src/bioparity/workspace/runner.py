"""The job runner of a server process: computes requested runs in the background, keeps their progress,
stores their results, and fails the jobs whose server stopped (see :mod:`bioparity.workspace.jobs`).

Each job goes through three short units of work, none held while computing: a read transaction
(permission checked again, the dataset's bytes read), the computation on the executor
(:mod:`bioparity.workspace.executors`, outside any transaction), and one write transaction storing the
run and finishing the job. Progress reports and heartbeats are short writes of the job row only.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from bioparity.errors import BioparityError
from bioparity.workspace import jobs
from bioparity.workspace.access import Actor
from bioparity.workspace.analyses import ComputedRun, PendingRun, check_run
from bioparity.workspace.executors import ComputeExecutor, InProcessExecutor, WorkerOutcome, is_builtin
from bioparity.workspace.jobs import AfterStore

logger = logging.getLogger(__name__)
T = TypeVar("T")

INTERNAL_ERROR = (
    "the server could not finish this analysis because of an internal error; nothing was stored: run it "
    "again, and if it fails again report run {run_id} to your administrator (the server log has the details)"
)


@dataclass(frozen=True)
class _Held:
    actor: Actor
    after_store: AfterStore | None


class JobRunner:
    """Runs the jobs submitted to one server process.

    Parameters
    ----------
    sessions : sessionmaker
        Write sessions of the workspace store.
    read_sessions : sessionmaker
        Read-only sessions (no write lock on SQLite).
    executor : ComputeExecutor
        Where the analyses are computed; its ``slots`` jobs compute at once, the others wait queued.
    heartbeat_seconds, stale_seconds : float
        How often the held jobs' heartbeats are renewed and stale jobs looked for, and the age of a
        heartbeat that means its server stopped.
    """

    def __init__(
        self,
        sessions: sessionmaker[Session],
        read_sessions: sessionmaker[Session],
        executor: ComputeExecutor,
        *,
        heartbeat_seconds: float = jobs.HEARTBEAT_SECONDS,
        stale_seconds: float = jobs.STALE_SECONDS,
    ) -> None:
        self.sessions = sessions
        self.read_sessions = read_sessions
        self.executor = executor
        self.in_process = InProcessExecutor()
        self.heartbeat_seconds = heartbeat_seconds
        self.stale_seconds = stale_seconds
        self._held: dict[str, _Held] = {}
        self._lock = threading.Lock()
        self._dispatch = ThreadPoolExecutor(
            max_workers=max(executor.slots, 1), thread_name_prefix="bioparity-job"
        )
        self._stop = threading.Event()
        self._keeper: threading.Thread | None = None
        self._closed = False

    def executor_for(self, kind: str) -> ComputeExecutor:
        """Where a run of ``kind`` is computed: the executor, or this process for a kind registered at
        run time (worker processes and Dask workers know the built-in kinds only)."""
        return self.executor if is_builtin(kind) else self.in_process

    def description(self, kind: str) -> str:
        """Where a run of ``kind`` is computed (kept with its job); an unknown kind is refused by the
        request's check, after its permission check."""
        try:
            return self.executor_for(kind).description
        except BioparityError:
            return self.executor.description

    def _write(self, work: Callable[[Session], T]) -> T:
        with self.sessions.begin() as session:
            return work(session)

    def start(self) -> None:
        """Fail the jobs left by a server that stopped, and start renewing the held jobs' heartbeats."""
        with self._lock:
            if self._keeper is not None or self._closed:
                return
            self._keeper = threading.Thread(target=self._keep, name="bioparity-job-keeper", daemon=True)
        self.sweep()
        self._keeper.start()

    def sweep(self) -> list[str]:
        """Fail the queued and running jobs whose server stopped (heartbeat older than ``stale_seconds``)."""
        try:
            # Read first: the write lock (SQLite) is taken only when a job has to be failed, so that the
            # periodic sweep never queues behind, or delays, an upload or a sign-in.
            with self.read_sessions() as session:
                if not jobs.stale_job_ids(session, stale_after=self.stale_seconds):
                    return []
            failed = self._write(lambda s: jobs.fail_stale_jobs(s, stale_after=self.stale_seconds))
        except SQLAlchemyError:
            logger.exception("looking for jobs whose server stopped failed; trying again later")
            return []
        if failed:
            logger.warning("failed %d analysis jobs whose server stopped: %s", len(failed), ", ".join(failed))
        return failed

    def _keep(self) -> None:
        while not self._stop.wait(self.heartbeat_seconds):
            self.beat()
            self.sweep()

    def beat(self) -> None:
        """Renew the heartbeat of the jobs this runner holds."""
        with self._lock:
            held = list(self._held)
        if not held:  # no write transaction for nothing
            return
        try:
            self._write(lambda s: jobs.renew_heartbeats(s, held))
        except SQLAlchemyError:
            logger.exception("renewing the heartbeat of %d jobs failed; trying again", len(held))

    def submit(self, job_id: str, actor: Actor, after_store: AfterStore | None = None) -> None:
        """Compute the queued job ``job_id`` (recorded by :func:`bioparity.workspace.jobs.create_job`)
        for ``actor``; ``after_store`` runs in the transaction that stores the run."""
        self.start()
        with self._lock:
            closed = self._closed
            if not closed:
                self._held[job_id] = _Held(actor, after_store)
                self._dispatch.submit(self._run, job_id)
        if closed:
            self._fail(job_id, jobs.stopped_message(jobs.QUEUED, "server shutting down"))

    def _run(self, job_id: str) -> None:
        try:
            self._run_job(job_id)
        except BioparityError as exc:  # the request cannot be done as asked: the message says why
            self._fail(job_id, str(exc))
        except Exception:
            logger.exception("analysis job %s failed", job_id)
            self._fail(job_id, INTERNAL_ERROR.format(run_id=job_id))
        finally:
            with self._lock:
                self._held.pop(job_id, None)

    def _fail(self, job_id: str, error: str) -> None:
        try:
            self._write(lambda s: jobs.fail_job(s, job_id, error))
        except SQLAlchemyError:  # the sweep fails it once its heartbeat is old
            logger.exception("could not record that job %s failed: %s", job_id, error)

    def _run_job(self, job_id: str) -> None:
        held = self._held[job_id]
        job = self._write(lambda s: jobs.start_job(s, job_id))
        if job is None or self._closed:
            return
        options = jobs.job_options(job)
        with self.read_sessions() as session:  # permission checked again, the dataset's bytes read
            pending = check_run(session, held.actor, job.dataset_id, job.kind, options)
        executor = self.executor_for(job.kind)
        outcome = executor.compute(job_id, pending, lambda f, m: self._progress(job_id, f, m))
        if outcome.status == "refused":  # the dataset does not fit the kind: where and why
            self._fail(job_id, outcome.error or "the dataset does not fit this analysis")
            return
        if outcome.status == "error":
            logger.error("analysis job %s failed in its worker: %s", job_id, outcome.error)
            self._fail(job_id, INTERNAL_ERROR.format(run_id=job_id))
            return
        self._progress(job_id, jobs.STORING, "storing the result")
        computed = _computed(pending, outcome)
        self._write(lambda s: jobs.store_job_run(s, held.actor, job_id, computed, held.after_store))

    def _progress(self, job_id: str, fraction: float, message: str) -> None:
        try:
            self._write(lambda s: jobs.record_progress(s, job_id, fraction, message))
        except SQLAlchemyError:  # progress is a courtesy: the computation goes on
            logger.exception("recording the progress of job %s failed", job_id)

    def close(self, reason: str = "server shut down", *, wait: bool = False) -> None:
        """Stop: the jobs still held are failed at once (they will not finish in this process; a
        computation still going on is not stored). ``wait``: return only once the threads computing
        have ended (else at once)."""
        with self._lock:
            self._closed = True
            held = list(self._held)
        self._stop.set()
        self._dispatch.shutdown(wait=False, cancel_futures=True)
        if held:
            try:
                self._write(lambda s: jobs.fail_stopped_jobs(s, held, reason))
            except SQLAlchemyError:  # the next server's sweep fails them once their heartbeat is old
                logger.exception("could not record that %d jobs stopped with the server", len(held))
        self.executor.abandon(held)
        if wait:
            self._dispatch.shutdown(wait=True)
        self.executor.release()


def _computed(pending: PendingRun, outcome: WorkerOutcome) -> ComputedRun:
    return ComputedRun(pending, outcome.status, outcome.result_json, outcome.error, outcome.software_version)
