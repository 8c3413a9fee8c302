"""Security events (sign-in, failed and refused sign-in, lock, unlock, password change and reset,
deactivation, reactivation, sign-out) reviewable through the system: 21 CFR 11.300(d) ("report attempts at
unauthorized use ... to the system security unit"), EU GMP Annex 11 §12 (security).

These audit rows concern a user account, not an organisation or a program, so they are filed under neither
and appear in no program's trail. Who sees what:

* an **owner** of an organisation sees the security events of each *current* member of it, from the audit
  row that made them a member onwards (:func:`org_security_events`): the page linked from the
  organisation's page, its CSV export, and ``GET /orgs/{id}/security-events``. Events of other users (and
  failed sign-ins with a user name that does not exist) are not shown: they could tell one company which
  user names or sign-in habits another has;
* the **administrator** of the server (who holds the database) exports the whole trail, security events
  included, with ``bioparity audit export --out FILE.csv [--since DATE]`` (:func:`trail_rows`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bioparity.store.models import AuditEvent, Membership
from bioparity.workspace.access import Actor, require_org
from bioparity.workspace.roles import Permission

#: The audit object type of account events (their ``object_id`` is the user's id).
ACCOUNT = "user"


def org_security_events(
    session: Session, actor: Actor, org_id: str, *, after_seq: int = 0, limit: int = 1000
) -> Sequence[AuditEvent]:
    """Owners: the account events of the organisation's current members since each joined, in order.

    Parameters
    ----------
    session : Session
        The unit of work to read in.
    actor : Actor
        Who asks; must be an owner of ``org_id`` (``view_org_audit``), else 403/404 as for its trail.
    org_id : str
        The organisation.
    after_seq : int
        Only rows after this audit sequence number (paging).
    limit : int
        At most this many rows.

    Returns
    -------
    Sequence[AuditEvent]
        Rows of object type ``user`` filed under no organisation whose user is a member now, each later
        than the ``grant`` row of that membership.
    """
    org, _my_role = require_org(session, actor, org_id, Permission.view_org_audit)
    joined = (
        select(Membership.user_id.label("user_id"), func.min(AuditEvent.seq).label("since"))
        .join(AuditEvent, AuditEvent.object_id == Membership.id)
        .where(
            Membership.org_id == org.id,
            AuditEvent.object_type == "membership",
            AuditEvent.action == "grant",
        )
        .group_by(Membership.user_id)
        .subquery()
    )
    query = (
        select(AuditEvent)
        .join(joined, AuditEvent.object_id == joined.c.user_id)
        .where(
            AuditEvent.object_type == ACCOUNT,
            AuditEvent.org_id.is_(None),
            AuditEvent.seq > joined.c.since,
            AuditEvent.seq > after_seq,
        )
        .order_by(AuditEvent.seq)
        .limit(limit)
    )
    return list(session.scalars(query))


def trail_rows(session: Session, since: date | None = None) -> Sequence[AuditEvent]:
    """Administrator: every audit row (all organisations, programs and account events) in order, from
    the start of ``since`` (UTC) when given. Rows are read as stored; ``bioparity audit verify`` checks
    them."""
    query = select(AuditEvent).order_by(AuditEvent.seq)
    if since is not None:
        # Row times are ISO 8601 text in UTC ("2026-12-06T19:17:41.455405Z"), so they sort as text.
        query = query.where(AuditEvent.at >= datetime.combine(since, time()).isoformat())
    return list(session.scalars(query))
