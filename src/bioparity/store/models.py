"""The workspace's tables (SQLAlchemy 2 declarative models).

Identifiers are random UUIDs (text), never sequential numbers, so that one organisation cannot count or
guess another's objects. Timestamps are UTC. Texts that a hash covers (audit rows, signatures, analysis
results) are stored as canonical JSON text, not as a JSON column type, so that the database never
re-encodes them and the hash can always be recomputed from what is stored.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from bioparity.store.types import UTCDateTime

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def new_id() -> str:
    """A new random identifier (UUID4 text)."""
    return str(uuid.uuid4())


def utc_now() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    # Every timestamp column is ``Mapped[datetime]``: DateTime(timezone=True) in the schema, an aware UTC
    # datetime in Python on both databases (bioparity.store.types.UTCDateTime).
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime()}


_ID = String(36)


class Organisation(Base):
    __tablename__ = "organisations"
    id: Mapped[str] = mapped_column(_ID, primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)


class User(Base):
    __tablename__ = "users"
    id: Mapped[str] = mapped_column(_ID, primary_key=True, default=new_id)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    # Set by an administrator's password reset: the user must choose a new password before anything else.
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    password_changed_at: Mapped[datetime | None]
    # The language of the pages for this user, a BCP 47 tag of bioparity.i18n.LANGUAGES ("en", "zh-CN").
    language: Mapped[str] = mapped_column(String(20), default="en", server_default="en")


class AuthThrottle(Base):
    """Failed authentication attempts of one account (``account:<username>``) or one client address
    (``client:<address>``): the count since the last success and when the last one happened. An account
    row whose ``locked_at`` is set refuses every password until an administrator unlocks it."""

    __tablename__ = "auth_throttle"
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime | None]
    locked_at: Mapped[datetime | None]


class MembershipInvitation(Base):
    """An owner's invitation of a user name into an organisation at a role; a membership exists only once
    the invited user accepts (the invitation is recorded whether or not the user name exists)."""

    __tablename__ = "membership_invitations"
    id: Mapped[str] = mapped_column(_ID, primary_key=True, default=new_id)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    username: Mapped[str] = mapped_column(String(100), index=True)
    role: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default="pending")
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    created_by: Mapped[str] = mapped_column(ForeignKey("users.id"))
    expires_at: Mapped[datetime]
    responded_at: Mapped[datetime | None]


class Membership(Base):
    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("org_id", "user_id", name="uq_memberships_org_user"),)
    id: Mapped[str] = mapped_column(_ID, primary_key=True, default=new_id)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(default=utc_now)


class AuthToken(Base):
    """A login session or a long-lived API token; only the SHA-256 of the secret is stored."""

    __tablename__ = "auth_tokens"
    id: Mapped[str] = mapped_column(_ID, primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    expires_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    # Sessions: when last used (idle timeout). API tokens: the session they were created in when they are
    # bound to it (revoked when that session logs out).
    last_used_at: Mapped[datetime | None]
    session_id: Mapped[str | None] = mapped_column(String(36), nullable=True)


class Program(Base):
    """A biosimilar candidate: INN, reference product, modality and target regions."""

    __tablename__ = "programs"
    __table_args__ = (UniqueConstraint("org_id", "name", name="uq_programs_org_name"),)
    id: Mapped[str] = mapped_column(_ID, primary_key=True, default=new_id)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    inn: Mapped[str] = mapped_column(String(200))
    reference_product: Mapped[str] = mapped_column(String(200))
    modality: Mapped[str] = mapped_column(String(100))
    target_regions: Mapped[list[str]] = mapped_column(JSON)
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    created_by: Mapped[str] = mapped_column(ForeignKey("users.id"))
    # Segregation of duties (21 CFR 11.10(g); EU GMP Annex 11 §2): the author of a run may not approve it.
    segregation_of_duties: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


class ProgramShare(Base):
    """A program shared with a partner organisation, whose members act on it at most at ``role``.

    A share is an invitation until an owner of the partner organisation accepts it: only ``accepted``
    shares grant anything. A higher role offered on an accepted share waits in ``pending_role`` (the
    accepted ``role`` stays in force until the partner accepts the new one).

    ``scope`` is None for the whole program (every share stored before scopes existed), or the study
    kinds (``studies.kind`` codes, comma-separated) in which the partner may create studies, upload, run
    and sign; outside them its members only read (:func:`bioparity.workspace.roles.partner_permissions`).
    """

    __tablename__ = "program_shares"
    __table_args__ = (UniqueConstraint("program_id", "org_id", name="uq_program_shares_program_org"),)
    id: Mapped[str] = mapped_column(_ID, primary_key=True, default=new_id)
    program_id: Mapped[str] = mapped_column(ForeignKey("programs.id"), index=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    pending_role: Mapped[str | None] = mapped_column(String(20), nullable=True)
    invited_by: Mapped[str | None] = mapped_column(String(36), nullable=True)
    responded_by: Mapped[str | None] = mapped_column(String(36), nullable=True)
    responded_at: Mapped[datetime | None]
    scope: Mapped[str | None] = mapped_column(String(100), nullable=True)


class Study(Base):
    __tablename__ = "studies"
    # One study of a name per program, as one program of a name per organisation (reports and the
    # readiness evidence name a study by its name). A unique index, not a table constraint: on SQLite a
    # constraint added later means copying the table, which the datasets and runs referencing it forbid.
    __table_args__ = (Index("uq_studies_program_name", "program_id", "name", unique=True),)
    id: Mapped[str] = mapped_column(_ID, primary_key=True, default=new_id)
    program_id: Mapped[str] = mapped_column(ForeignKey("programs.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    created_by: Mapped[str] = mapped_column(ForeignKey("users.id"))


class Blob(Base):
    """Uploaded bytes, addressed by their SHA-256 (stored once however often uploaded)."""

    __tablename__ = "blobs"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)


class Dataset(Base):
    """One immutable version of a named dataset of a study; a new upload of the same name is a new version."""

    __tablename__ = "datasets"
    __table_args__ = (UniqueConstraint("study_id", "name", "version", name="uq_datasets_study_name_version"),)
    id: Mapped[str] = mapped_column(_ID, primary_key=True, default=new_id)
    study_id: Mapped[str] = mapped_column(ForeignKey("studies.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(ForeignKey("blobs.sha256"))
    filename: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(100))
    validated_for: Mapped[str | None] = mapped_column(String(40))
    n_rows: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    created_by: Mapped[str] = mapped_column(ForeignKey("users.id"))
    # The analysis run whose table this dataset is (e.g. NCA PP feeding PK similarity); None for uploads.
    # No foreign key: runs reference datasets, and a cycle of constraints would complicate both databases.
    derived_from_run: Mapped[str | None] = mapped_column(String(36), nullable=True)
    # HMAC-SHA256 with the audit key of the record (bioparity.workspace.integrity): a blob swapped and
    # re-pointed without the key no longer verifies. None only for a record inserted behind our back.
    mac: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # Chosen at upload (JSON): ``{"rename": {file column: expected column}, "units": {option: unit}}``;
    # the renaming is applied before the kind's reader on every read, the units seed the run options.
    column_map: Mapped[str | None] = mapped_column(Text, nullable=True)


class AnalysisRun(Base):
    """An analysis of a stored dataset with its provenance: kind, input hashes, options, software version."""

    __tablename__ = "analysis_runs"
    id: Mapped[str] = mapped_column(_ID, primary_key=True, default=new_id)
    study_id: Mapped[str] = mapped_column(ForeignKey("studies.id"), index=True)
    dataset_id: Mapped[str] = mapped_column(ForeignKey("datasets.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    inputs_json: Mapped[str] = mapped_column(Text)
    options_json: Mapped[str] = mapped_column(Text)
    software_version: Mapped[str] = mapped_column(String(200))
    run_key: Mapped[str] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(20))
    result_json: Mapped[str | None] = mapped_column(Text)
    result_sha256: Mapped[str | None] = mapped_column(String(64))
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    created_by: Mapped[str] = mapped_column(ForeignKey("users.id"))


class AnalysisJob(Base):
    """An analysis run requested from a server and computed in the background: its state and progress.

    ``id`` is the id the run gets when it is stored (its URL is known from the start). The run, its
    provenance and its audit row are written exactly as for a run computed at once
    (:func:`bioparity.workspace.analyses.store_run`); the job only says where the request stands:
    ``queued`` (waiting for a worker), ``running`` (``progress`` from 0 to 1 and ``message``), ``done``
    (the run is stored: ``run_id``), or ``failed`` (``error`` says why and what to do; ``run_id`` is set
    when the attempt was kept as a failed run). ``heartbeat_at`` is renewed by the server process that
    holds the job, so that a job whose server stopped is found and failed (see
    :func:`bioparity.workspace.jobs.fail_stale_jobs`).
    """

    __tablename__ = "analysis_jobs"
    # One job per requester and idempotency key: the same request sent twice finds the first job.
    __table_args__ = (Index("uq_analysis_jobs_request_key", "created_by", "request_key", unique=True),)
    id: Mapped[str] = mapped_column(_ID, primary_key=True, default=new_id)
    study_id: Mapped[str] = mapped_column(ForeignKey("studies.id"), index=True)
    dataset_id: Mapped[str] = mapped_column(ForeignKey("datasets.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    options_json: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), index=True)
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    message: Mapped[str] = mapped_column(String(500), default="")
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    # The stored run (the job's id), once stored; no foreign key: the run is written after the job.
    run_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    # Where it was computed (a worker process of the server, the server process itself, a Dask cluster).
    executor: Mapped[str] = mapped_column(String(200), default="")
    created_by: Mapped[str] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    heartbeat_at: Mapped[datetime | None]
    # SHA-256 (hex) of the requester's idempotency key: the one-time token of the page's run form or the
    # API's Idempotency-Key header; None for a request sent without one (and for jobs before revision 0007).
    request_key: Mapped[str | None] = mapped_column(String(64), nullable=True)


class Signature(Base):
    """An electronic signature of an analysis result (21 CFR 11.50: printed name, date/time, meaning)."""

    __tablename__ = "signatures"
    id: Mapped[str] = mapped_column(_ID, primary_key=True, default=new_id)
    run_id: Mapped[str] = mapped_column(ForeignKey("analysis_runs.id"), index=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    username: Mapped[str] = mapped_column(String(100))
    display_name: Mapped[str] = mapped_column(String(200))
    meaning: Mapped[str] = mapped_column(String(20))
    signed_at: Mapped[str] = mapped_column(String(40))
    content_sha256: Mapped[str] = mapped_column(String(64))
    signature_sha256: Mapped[str] = mapped_column(String(64))
    # HMAC-SHA256 with the audit key of the signature manifest: re-sealed or invented records fail.
    mac: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # The program's signing rules in force when it was signed (canonical JSON, e.g.
    # {"segregation_of_duties":true}); None for signatures made before revision 0011 recorded them.
    rules: Mapped[str | None] = mapped_column(String(200), nullable=True)
    # The signer's role(s) on the program when they signed (canonical JSON, e.g. [{"role":"reviewer"}]);
    # None for signatures made before revision 0012 recorded them.
    signer_role: Mapped[str | None] = mapped_column(String(200), nullable=True)


class AuditEvent(Base):
    """One append-only audit row; ``row_hash`` chains it to the row before (see bioparity.audit.chain)."""

    __tablename__ = "audit_events"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[str] = mapped_column(String(40))
    actor_id: Mapped[str | None] = mapped_column(String(36))
    actor: Mapped[str] = mapped_column(String(100))
    org_id: Mapped[str | None] = mapped_column(String(36), index=True)
    program_id: Mapped[str | None] = mapped_column(String(36), index=True)
    action: Mapped[str] = mapped_column(String(40))
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[str | None] = mapped_column(String(64))
    before_json: Mapped[str | None] = mapped_column(Text)
    after_json: Mapped[str | None] = mapped_column(Text)
    # Why the change was made (EU GMP Annex 11 section 9); None on rows that need none and on older rows.
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    prev_hash: Mapped[str] = mapped_column(String(64))
    row_hash: Mapped[str] = mapped_column(String(64))
    # HMAC-SHA256 (audit key) of the previous row's MAC and row_hash; None for rows from before keying.
    mac: Mapped[str | None] = mapped_column(String(64), nullable=True)


class AuditHead(Base):
    """The single chain-head row (id 1): last sequence number and hash. Appenders lock it, in turn."""

    __tablename__ = "audit_head"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))
    mac: Mapped[str | None] = mapped_column(String(64), nullable=True)
