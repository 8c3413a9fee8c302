"""Security events (sign-in, failed and refused sign-in, lock, unlock, password change and reset,
deactivation, reactivation, sign-out) reviewable through the system: 21 CFR 11.300(d) ("report attempts at
unauthorized use ... to the system security unit"), EU GMP Annex 11 §12 (security).

These audit rows concern a user account, not an organisation or a program, so they are filed under neither
and appear in no program's trail. Who sees what:

* an **owner** of an organisation sees the security events of each member of it while they were a member
  (their failed signing attempts too, ``sign_failed``, filed under the program they tried to sign in),
  from the audit row that made them a member to the one that removed them, if any
  (:func:`org_security_events`). The periods are read from the organisation's own ``grant`` and ``revoke``
  rows of the trail, not from the live memberships: a former member's events of their time in the
  organisation stay reviewable after they leave (21 CFR 11.10(e): records retained and available for
  review), their later ones are not shown. The page linked from the
  organisation's page, its CSV export, and ``GET /orgs/{id}/security-events``. Events of other users (and
  failed sign-ins with a user name that does not exist) are not shown: they could tell one company which
  user names or sign-in habits another has;
* the **administrator** of the server (who holds the database) exports the whole trail, security events
  included, with ``bioparity audit export --out FILE.csv [--since DATE]`` (:func:`trail_rows`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime, time

from sqlalchemy import and_, false, or_, select
from sqlalchemy.orm import Session

from bioparity.store.models import AuditEvent
from bioparity.workspace.access import Actor, require_org
from bioparity.workspace.roles import Permission

#: The audit object type of account events (their ``object_id`` is the user's id).
ACCOUNT = "user"
#: The action of a failed signing attempt (a wrong password; its ``actor_id`` is the user's id): a security
#: event their organisation's owners see, wherever the program signed in belongs (a partner's member signs
#: in the owner's programs; the owner's trail withholds it from other partners,
#: :func:`bioparity.workspace.programs.withheld_audit_rows`).
SIGN_FAILED = "sign_failed"


def org_security_events(
    session: Session, actor: Actor, org_id: str, *, after_seq: int = 0, limit: int = 1000
) -> Sequence[AuditEvent]:
    """Owners: the account events of the organisation's members while they were members, in order.

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
        Rows of object type ``user`` filed under no organisation, and the member's failed signing attempts
        (``sign_failed``, a wrong password when signing, filed under the program signed in, whichever
        organisation owns it), each later than the ``grant`` row of a membership of its user in the
        organisation and earlier than that membership's ``revoke`` row if there is one (current and former
        members alike).
    """
    org, _my_role = require_org(session, actor, org_id, Permission.view_org_audit)
    within = [
        and_(
            or_(
                and_(
                    AuditEvent.object_type == ACCOUNT,
                    AuditEvent.org_id.is_(None),
                    AuditEvent.object_id == user_id,
                ),
                and_(AuditEvent.action == SIGN_FAILED, AuditEvent.actor_id == user_id),
            ),
            AuditEvent.seq > start,
            *(() if end is None else (AuditEvent.seq < end,)),
        )
        for user_id, start, end in membership_periods(session, org.id)
    ]
    query = (
        select(AuditEvent)
        .where(AuditEvent.seq > after_seq, or_(false(), *within))
        .order_by(AuditEvent.seq)
        .limit(limit)
    )
    return list(session.scalars(query))


def membership_periods(session: Session, org_id: str) -> list[tuple[str, int, int | None]]:
    """The periods of membership in an organisation as its audit trail records them.

    Parameters
    ----------
    session : Session
        The unit of work to read in.
    org_id : str
        The organisation.

    Returns
    -------
    list[tuple[str, int, int | None]]
        ``(user id, seq of the grant row, seq of the revoke row or None while a member)`` for each
        membership ever granted, in the order granted.
    """
    rows = session.scalars(
        select(AuditEvent)
        .where(
            AuditEvent.org_id == org_id,
            AuditEvent.object_type == "membership",
            AuditEvent.action.in_(("grant", "revoke")),
        )
        .order_by(AuditEvent.seq)
    )
    periods: dict[str, tuple[str, int, int | None]] = {}
    for row in rows:
        if row.action == "grant" and row.object_id not in periods:
            user_id = json.loads(row.after_json or "{}").get("user_id")
            if user_id is not None and row.object_id is not None:
                periods[row.object_id] = (user_id, row.seq, None)
        elif row.action == "revoke" and row.object_id in periods:
            user_id, start, _end = periods[row.object_id]
            periods[row.object_id] = (user_id, start, row.seq)
    return list(periods.values())


def trail_rows(session: Session, since: date | None = None) -> Sequence[AuditEvent]:
    """Administrator: every audit row (all organisations, programs and account events) in order, from
    the start of ``since`` (UTC) when given. Rows are read as stored; ``bioparity audit verify`` checks
    them."""
    query = select(AuditEvent).order_by(AuditEvent.seq)
    if since is not None:
        # Row times are ISO 8601 text in UTC ("2026-12-06T19:17:41.455405Z"), so they sort as text.
        query = query.where(AuditEvent.at >= datetime.combine(since, time()).isoformat())
    return list(session.scalars(query))
