"""Analyses computed in the background: the job records, their states and their progress.

A server answers a run request at once (HTTP 202) with the id the run will have: it checks the request
in the store (permission, kind, options: :func:`create_job`) and records a job ``queued``. The server's
runner (:mod:`bioparity.workspace.runner`) then reads the dataset in a short read transaction, computes
outside any transaction (in a worker process, or on a Dask cluster), and stores the run in a short write
transaction exactly as a run computed at once (:func:`bioparity.workspace.analyses.store_run`: the same
record, provenance and audit row, so signatures and reports are unchanged), marking the job ``done``.

States: ``queued`` (waiting for a worker) -> ``running`` (``progress`` from 0 to 1 with a ``message``)
-> ``done`` (the run is stored) or ``failed`` (``error`` says why and what to do; nothing is stored,
except the attempt of an analysis that stopped with an internal error, kept as a failed run as before).

A job is held by one server process, which renews its ``heartbeat_at`` every :data:`HEARTBEAT_SECONDS`.
A job whose heartbeat is older than :data:`STALE_SECONDS` lost its server (stopped, killed, crashed):
:func:`fail_stale_jobs` (every server at start and then periodically) marks it failed, and a server that
stops cleanly fails the jobs it holds at once. Such jobs are never re-queued: the request was checked
with the requester's rights at that time and no credentials are kept to act for them later; a job that
brought its worker down (e.g. out of memory) would bring the next one down at every start; and the
computation is deterministic, so running it again gives the identical result (same ``run_key``).
Jobs are operational records, not evidence: the audit trail records the stored run, as before.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bioparity.audit import canonical_json
from bioparity.errors import InputError
from bioparity.i18n import gettext as _
from bioparity.store.models import AnalysisJob, AnalysisRun, utc_now
from bioparity.workspace.access import Actor, require_job, require_run
from bioparity.workspace.analyses import ComputedRun, check_options, store_run
from bioparity.workspace.errors import NotFoundError

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
#: States of a job that a server still holds.
ACTIVE = (QUEUED, RUNNING)
#: How often the server holding a job renews its heartbeat.
HEARTBEAT_SECONDS = 10.0
#: A job whose heartbeat is older than this lost its server.
STALE_SECONDS = 60.0
#: Where a run stands while its result is written (after :data:`bioparity.workspace.analyses.SERIALISING`).
STORING = 0.95
STOPPED = (
    "the server stopped while this analysis was {state} ({reason}); nothing was stored: run it again "
    "(the same dataset and options give the same result)"
)

#: Work done in the transaction that stores the run (e.g. an extra audit row), given the stored run.
AfterStore = Callable[[Session, AnalysisRun], None]


@dataclass(frozen=True)
class JobStatus:
    """Where a requested run stands (what ``GET /runs/{id}/status`` answers and the run page polls).

    Attributes
    ----------
    run_id : str
        The run's id (also the job's).
    study_id, dataset_id, kind : str
        What is analysed, and how.
    status : {"queued", "running", "done", "failed"}
        The job's state.
    progress : float
        From 0 to 1.
    message : str
        What the job does now (e.g. ``"computing nca on 540 rows"``); empty when finished.
    error : str or None
        Why it failed and what to do.
    run_stored : bool
        Whether the run record exists (done, or a failed attempt kept as evidence).
    created_at, started_at, finished_at : datetime or None
        When it was requested, started computing and finished (UTC).
    """

    run_id: str
    study_id: str
    dataset_id: str
    kind: str
    status: str
    progress: float
    message: str
    error: str | None
    run_stored: bool
    created_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None

    @property
    def finished(self) -> bool:
        """Done or failed: nothing will change any more."""
        return self.status in (DONE, FAILED)


class RunNotStoredError(NotFoundError):
    """The run was requested but its analysis failed before anything was stored."""

    def __init__(self, run_id: str, error: str) -> None:
        super().__init__("analysis run", run_id)
        self.args = (f"analysis run {run_id!r} was not stored: {error}",)

    def __str__(self) -> str:
        return str(self.args[0])


def _status(
    record: AnalysisJob | AnalysisRun,
    status: str,
    progress: float,
    message: str,
    run_stored: bool,
    times: tuple[datetime | None, datetime | None, datetime | None],
) -> JobStatus:
    """The state of the job or run ``record`` and its times (requested, started, finished; aware UTC as
    every stored time, :class:`bioparity.store.types.UTCDateTime`)."""
    created_at, started_at, finished_at = times
    return JobStatus(
        run_id=record.id, study_id=record.study_id, dataset_id=record.dataset_id, kind=record.kind,
        status=status, progress=progress, message=message, error=record.error, run_stored=run_stored,
        created_at=created_at, started_at=started_at, finished_at=finished_at,
    )  # fmt: skip


def status_of(job: AnalysisJob) -> JobStatus:
    """The state of a job record."""
    times = (job.created_at, job.started_at, job.finished_at)
    return _status(job, job.status, float(job.progress), job.message, job.run_id is not None, times)


def _status_of_run(run: AnalysisRun) -> JobStatus:
    """A run stored without a job (computed at once, or before jobs existed) is finished."""
    status = DONE if run.status == "succeeded" else FAILED
    return _status(run, status, 1.0, "", True, (run.created_at,) * 3)


#: Longest idempotency key accepted (a run form's token has 32 characters; API clients choose theirs).
REQUEST_KEY_MAX = 200


@dataclass(frozen=True)
class RequestedJob:
    """What a run request recorded: its job, and whether it is new (False: the same request was sent
    before with the same idempotency key, and ``job`` is the job it recorded then)."""

    job: AnalysisJob
    new: bool


def request_key_digest(key: str) -> str:
    """The SHA-256 (hex) of an idempotency key, as stored (fixed width, whatever the client sent).

    Raises :class:`~bioparity.errors.InputError` when the key is blank or longer than
    :data:`REQUEST_KEY_MAX` characters.
    """
    if not key.strip() or len(key) > REQUEST_KEY_MAX:
        raise InputError(
            _("an idempotency key must have 1 to %(max)d characters; got %(n)d")
            % {"max": REQUEST_KEY_MAX, "n": len(key.strip())}
        )
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _earlier_request(session: Session, actor: Actor, digest: str) -> AnalysisJob | None:
    query = select(AnalysisJob).where(
        AnalysisJob.created_by == actor.user_id, AnalysisJob.request_key == digest
    )
    return session.scalar(query)


def _same_request(earlier: AnalysisJob, dataset_id: str, kind: str, options_json: str) -> RequestedJob:
    """The earlier job of a key sent again: the same request, or a refusal (one key, one request)."""
    if (earlier.dataset_id, earlier.kind, earlier.options_json) != (dataset_id, kind, options_json):
        raise InputError(
            _(
                "this request was already sent with another dataset, kind or options (run %(run)s); a new "
                "request needs a new idempotency key (on a page: reload it and submit the form again)"
            )
            % {"run": earlier.id}
        )
    return RequestedJob(earlier, new=False)


def create_job(
    session: Session,
    actor: Actor,
    dataset_id: str,
    kind: str,
    options: Mapping[str, Any] | None = None,
    *,
    executor: str = "",
    request_key: str | None = None,
) -> RequestedJob:
    """Check the request like a run computed at once (permission, kind, options; the dataset's bytes
    are not read) and record it ``queued``; invalid requests raise and record nothing.

    ``request_key`` (the one-time token of a run form, or the API's ``Idempotency-Key``) makes the
    request idempotent: sent again by the same user with the same key, it records nothing and answers
    the job recorded the first time (``new`` False); the same key with another dataset, kind or options
    is refused. Two copies racing each other: the second's insert breaks the unique index on (requester,
    key) and its write transaction is retried (:func:`bioparity.api.deps.write_unit`), finding the first.
    """
    dataset, effective = check_options(session, actor, dataset_id, kind, options)
    options_json = canonical_json(effective)
    digest = None if request_key is None else request_key_digest(request_key)
    if digest is not None and (earlier := _earlier_request(session, actor, digest)) is not None:
        return _same_request(earlier, dataset.id, kind, options_json)
    now = utc_now()
    job = AnalysisJob(
        study_id=dataset.study_id,
        dataset_id=dataset.id,
        kind=kind,
        options_json=options_json,
        status=QUEUED,
        progress=0.0,
        message="waiting for a worker",
        executor=executor[:200],
        created_by=actor.user_id,
        created_at=now,
        heartbeat_at=now,
        request_key=digest,
    )
    session.add(job)
    session.flush()
    return RequestedJob(job, new=True)


def job_options(job: AnalysisJob) -> dict[str, Any]:
    """The effective options recorded with the job."""
    options: dict[str, Any] = json.loads(job.options_json)
    return options


def job_status(session: Session, actor: Actor, run_id: str) -> JobStatus:
    """Where run ``run_id`` stands: its job's state, or ``done``/``failed`` for a run stored without a
    job. A run the caller may not see is reported missing (:class:`~bioparity.workspace.NotFoundError`)."""
    if session.get(AnalysisJob, run_id) is not None:
        return status_of(require_job(session, actor, run_id)[0])
    return _status_of_run(require_run(session, actor, run_id)[0])


def active_jobs(session: Session, dataset_id: str) -> list[JobStatus]:
    """The dataset's queued and running jobs, oldest first (the caller has checked that it may read
    the dataset)."""
    query = (
        select(AnalysisJob)
        .where(AnalysisJob.dataset_id == dataset_id, AnalysisJob.status.in_(ACTIVE))
        .order_by(AnalysisJob.created_at)
    )
    return [status_of(job) for job in session.scalars(query)]


def start_job(session: Session, job_id: str) -> AnalysisJob | None:
    """Mark a queued job running; None when it is no longer queued (failed meanwhile)."""
    job = session.get(AnalysisJob, job_id, with_for_update=True)
    if job is None or job.status != QUEUED:
        return None
    now = utc_now()
    job.status, job.started_at, job.heartbeat_at = RUNNING, now, now
    job.progress, job.message = 0.0, "starting"
    return job


def record_progress(session: Session, job_id: str, fraction: float, message: str) -> None:
    """Keep a running job's progress (ignored once it is no longer running)."""
    session.execute(
        update(AnalysisJob)
        .where(AnalysisJob.id == job_id, AnalysisJob.status == RUNNING)
        .values(progress=min(max(float(fraction), 0.0), 1.0), message=message[:500], heartbeat_at=utc_now())
    )


def renew_heartbeats(session: Session, job_ids: Collection[str]) -> None:
    """The server still holds these jobs."""
    if job_ids:
        session.execute(
            update(AnalysisJob)
            .where(AnalysisJob.id.in_(list(job_ids)), AnalysisJob.status.in_(ACTIVE))
            .values(heartbeat_at=utc_now())
        )


def store_job_run(
    session: Session, actor: Actor, job_id: str, computed: ComputedRun, after_store: AfterStore | None = None
) -> AnalysisRun | None:
    """Store the computed run under the job's id, exactly as a run computed at once, and finish the job
    (one write transaction). None, storing nothing, when the job is no longer running (its server was
    taken for stopped and it was failed meanwhile)."""
    job = session.get(AnalysisJob, job_id, with_for_update=True)
    if job is None or job.status != RUNNING:
        return None
    run = store_run(session, actor, computed, run_id=job.id)
    if after_store is not None:
        after_store(session, run)
    job.run_id = run.id
    job.finished_at = utc_now()
    job.progress, job.message = 1.0, ""
    if run.status == "succeeded":
        job.status = DONE
    else:
        job.status = FAILED
        job.error = (
            f"the analysis stopped with an internal error ({run.error}); the attempt is kept as failed "
            f"run {run.id}: please report it with that id (running it again gives the same error)"
        )
    return run


def fail_job(session: Session, job_id: str, error: str) -> bool:
    """Mark a job that is not finished failed with ``error`` (what happened and what to do); False
    when it had finished already."""
    job = session.get(AnalysisJob, job_id, with_for_update=True)
    if job is None or job.status not in ACTIVE:
        return False
    job.status, job.error, job.finished_at = FAILED, error, utc_now()
    job.message = ""
    return True


def stopped_message(status: str, reason: str) -> str:
    """The error of a job whose server stopped while it was ``status``."""
    return STOPPED.format(state="waiting for a worker" if status == QUEUED else "running", reason=reason)


def _fail_stopped(job: AnalysisJob, reason: str) -> None:
    job.error = stopped_message(job.status, reason)
    job.status, job.finished_at, job.message = FAILED, utc_now(), ""


def fail_stopped_jobs(session: Session, job_ids: Collection[str], reason: str) -> list[str]:
    """Fail these jobs, if not finished, because their server stops (``reason``); returns their ids."""
    held = select(AnalysisJob).where(AnalysisJob.id.in_(list(job_ids)), AnalysisJob.status.in_(ACTIVE))
    failed = list(session.scalars(held.with_for_update()))
    for job in failed:
        _fail_stopped(job, reason)
    return [job.id for job in failed]


def _stale_jobs(
    session: Session, now: datetime | None, stale_after: float, *, lock: bool
) -> list[AnalysisJob]:
    """The queued or running jobs whose heartbeat (else start, else request) is older than ``stale_after``
    seconds; ``lock`` selects them FOR UPDATE (to fail them)."""
    cutoff = (now or utc_now()) - timedelta(seconds=stale_after)
    active = select(AnalysisJob).where(AnalysisJob.status.in_(ACTIVE))
    return [
        job
        for job in session.scalars(active.with_for_update() if lock else active)
        if (beat := job.heartbeat_at or job.started_at or job.created_at) is None or beat < cutoff
    ]


def stale_job_ids(
    session: Session, *, now: datetime | None = None, stale_after: float = STALE_SECONDS
) -> list[str]:
    """The queued or running jobs whose heartbeat is older than ``stale_after`` seconds (a read only)."""
    return [job.id for job in _stale_jobs(session, now, stale_after, lock=False)]


def fail_stale_jobs(
    session: Session,
    *,
    now: datetime | None = None,
    stale_after: float = STALE_SECONDS,
    reason: str = "no sign of life from the server holding it",
) -> list[str]:
    """Fail every queued or running job whose heartbeat is older than ``stale_after`` seconds: its
    server stopped. Returns their ids."""
    failed = _stale_jobs(session, now, stale_after, lock=True)
    for job in failed:
        _fail_stopped(job, reason)
    return [job.id for job in failed]
