"""The validation pack run from the workspace: the IQ/OQ report stored with the audit trail.

An owner of an organisation runs :func:`bioparity.validation.run_validation` on the server's installed
build; the HTML report is stored content-addressed (like a dataset's bytes) and an audit row of the
organisation records who ran it, when, the outcome and the report's SHA-256, so an inspector can see
that the installation was qualified and read the very report.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from bioparity.audit import append_event, sha256_hex
from bioparity.i18n import current_language
from bioparity.store.models import AuditEvent, Blob, Membership
from bioparity.workspace.access import Actor, require_org
from bioparity.workspace.errors import NotFoundError
from bioparity.workspace.roles import Permission

ACTION = "validate"
OBJECT_TYPE = "validation_report"


@dataclass(frozen=True)
class ValidationRecord:
    seq: int
    at: str
    actor: str
    org_id: str
    report_sha256: str
    passed: bool
    n_cases: int
    n_failed: int
    software_version: str


def run_and_record(session: Session, actor: Actor, org_id: str) -> ValidationRecord:
    """Run every reference case, store the HTML report, audit it (owners of the organisation only)."""
    from bioparity.validation import render_html, run_validation

    org, _ = require_org(session, actor, org_id, Permission.manage_members)
    run = run_validation()
    language = current_language()  # the signed-in user's (set per request); recorded in the report and audit
    html = render_html(run, language).encode("utf-8")
    digest = sha256_hex(html)
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(
        insert(Blob)
        .values(sha256=digest, size=len(html), content=html)
        .on_conflict_do_nothing(index_elements=["sha256"])
    )
    after = {
        "report_sha256": digest,
        "passed": run.passed,
        "n_cases": len(run.cases),
        "n_failed": len(run.failures),
        "software_version": run.software_version,
        "language": language,
    }
    event = append_event(
        session,
        actor_id=actor.user_id,
        actor=actor.username,
        action=ACTION,
        object_type=OBJECT_TYPE,
        object_id=digest,
        org_id=org.id,
        after=after,
    )
    return _record(event)


def _record(event: AuditEvent) -> ValidationRecord:
    after = json.loads(event.after_json or "{}")
    return ValidationRecord(
        seq=event.seq,
        at=event.at,
        actor=event.actor,
        org_id=event.org_id or "",
        report_sha256=str(after.get("report_sha256", event.object_id)),
        passed=bool(after.get("passed")),
        n_cases=int(after.get("n_cases", 0)),
        n_failed=int(after.get("n_failed", 0)),
        software_version=str(after.get("software_version", "")),
    )


def _my_orgs(actor: Actor) -> object:
    return select(Membership.org_id).where(Membership.user_id == actor.user_id)


def list_records(session: Session, actor: Actor) -> Sequence[ValidationRecord]:
    """Validation runs recorded in the caller's organisations, newest first."""
    events = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action == ACTION, AuditEvent.org_id.in_(_my_orgs(actor)))  # type: ignore[arg-type]
        .order_by(AuditEvent.seq.desc())
        .limit(50)
    )
    return [_record(e) for e in events]


def report_html(session: Session, actor: Actor, digest: str) -> bytes:
    """A stored validation report, if one was recorded in one of the caller's organisations."""
    event = session.scalar(
        select(AuditEvent).where(
            AuditEvent.action == ACTION,
            AuditEvent.object_id == digest,
            AuditEvent.org_id.in_(_my_orgs(actor)),  # type: ignore[arg-type]
        )
    )
    blob = None if event is None else session.get(Blob, digest)
    if blob is None or sha256_hex(blob.content) != digest:
        raise NotFoundError("validation report", digest)
    return bytes(blob.content)
