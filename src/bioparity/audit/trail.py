"""Appending to and verifying the audit trail stored in the database.

Appends are serialised through the single chain-head row: each appender increments it with an
``UPDATE ... RETURNING`` that takes the row lock (PostgreSQL) or the write lock (SQLite) until its
transaction ends, so concurrent writers get consecutive sequence numbers and each links to the true
previous row. Nothing here commits: the audit row belongs to the caller's transaction and is rolled back
with it.

Every row gets a MAC with the audit key (:mod:`bioparity.audit.keys`); appending without the key is
refused, so a workspace never silently writes rows nobody can verify.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from bioparity.audit.chain import (
    GENESIS_MAC,
    HASHED_FIELDS,
    OPTIONAL_HASHED_FIELDS,
    ChainVerification,
    canonical_json,
    row_hash,
    row_mac,
    verify_chain,
)
from bioparity.audit.keys import AuditKey, load_key
from bioparity.store.models import AuditEvent, AuditHead


def utc_timestamp() -> str:
    """Now in UTC as ISO 8601 with microseconds and a ``Z`` (the form stored in audit rows)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def append_event(
    session: Session,
    *,
    actor_id: str | None,
    actor: str,
    action: str,
    object_type: str,
    object_id: str | None = None,
    org_id: str | None = None,
    program_id: str | None = None,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    key: AuditKey | None = None,
    reason: str | None = None,
) -> AuditEvent:
    """Add one audit row to the session's transaction, chained and MACed to the current head.

    ``key`` defaults to the configured audit key (:func:`bioparity.audit.keys.load_key`). ``reason``: why
    the change was made, as the user gave it (EU GMP Annex 11 section 9), hashed with the row.
    """
    key = key or load_key()
    session.flush()
    seq, prev_hash, prev_mac = session.execute(
        update(AuditHead)
        .where(AuditHead.id == 1)
        .values(seq=AuditHead.seq + 1)
        .returning(AuditHead.seq, AuditHead.hash, AuditHead.mac)
        .execution_options(synchronize_session=False)
    ).one()
    event = AuditEvent(
        seq=seq,
        at=utc_timestamp(),
        actor_id=actor_id,
        actor=actor,
        org_id=org_id,
        program_id=program_id,
        action=action,
        object_type=object_type,
        object_id=object_id,
        before_json=None if before is None else canonical_json(before),
        after_json=None if after is None else canonical_json(after),
        reason=reason,
        prev_hash=prev_hash,
    )
    hashed = (*HASHED_FIELDS, *OPTIONAL_HASHED_FIELDS)
    event.row_hash = row_hash(prev_hash, {name: getattr(event, name) for name in hashed})
    event.mac = row_mac(key, prev_mac or GENESIS_MAC, event.row_hash)
    session.add(event)
    session.execute(
        update(AuditHead)
        .where(AuditHead.id == 1)
        .values(hash=event.row_hash, mac=event.mac)
        .execution_options(synchronize_session=False)
    )
    return event


def verify_session(session: Session, key: AuditKey | None = None) -> ChainVerification:
    """Verify every row in sequence order against the chain head, inside the session's transaction.

    ``key`` defaults to the configured audit key; rows' MACs are then checked too.
    """
    key = key or load_key()
    head = session.execute(
        select(AuditHead.seq, AuditHead.hash, AuditHead.mac).where(AuditHead.id == 1)
    ).one_or_none()
    table = AuditEvent.__table__
    rows = session.execute(select(table).order_by(table.c.seq).execution_options(yield_per=1000)).mappings()
    return verify_chain(
        rows,
        head_seq=None if head is None else head[0],
        head_hash=None if head is None else head[1],
        key=key,
        head_mac=None if head is None else head[2],
    )


def verify_trail(engine: Engine, key: AuditKey | None = None) -> ChainVerification:
    """Verify the whole trail from one consistent snapshot of the database."""
    options = {"isolation_level": "REPEATABLE READ"} if engine.dialect.name == "postgresql" else {}
    with engine.connect().execution_options(**options) as connection, Session(bind=connection) as session:
        return verify_session(session, key)
