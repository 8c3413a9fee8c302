"""Organisations, users, memberships and invitations, login sessions, API tokens and the account
lifecycle (21 CFR Part 11 §11.300).

Controls for identification codes and passwords (21 CFR 11.300):

* (b) passwords are changed by their user (:func:`change_password`) and reset by an administrator with a
  forced change at the next sign-in (:func:`admin_reset_password`); accounts are deactivated and
  reactivated (:func:`set_active`), every session and API token of a deactivated account revoked at once;
  sessions end after ``idle_minutes`` without use besides their absolute lifetime; API tokens need the
  password re-entered and never live longer than ``token_max_days``.
* (d) safeguards against unauthorized use: failed passwords (sign-in, electronic signature, token
  creation, password change) are counted per account and per client address. After ``free_attempts``
  failures each further attempt must wait ``backoff_base_seconds * 2**(failures - free_attempts)``
  seconds (at most ``backoff_max_seconds``); after ``lockout_after`` consecutive failures the account is
  locked, its sessions and tokens revoked, until an administrator unlocks it. Every failure, lock and
  unlock is in the audit trail. The backoff follows NIST SP 800-63B §5.2.2 (rate limiting); the lock
  count is configurable because guidance differs between organisations.

Locked accounts: every sign-in attempt on a locked account (wrong password or right, user name existing
or not) is refused before any password is checked and is an attempt at unauthorized use (11.300(d):
"detect and report in an immediate and urgent manner any attempts at their unauthorized use"), so it is
in the trail as ``login_locked`` (the user name as typed, the client address). Recording each one would
let anyone who knows a user name fill the trail (and its storage) by flooding a locked account, so the
rows are rate-limited: at most one per account per ``LOCKED_AUDIT_SECONDS`` (60 s). The attempts in
between are counted (a counter row, not an audit row) and folded into the next row: its ``attempts`` is
the number of attempts since the previous ``login_locked`` row (``since``), this one included. Attempts
still pending when an administrator unlocks the account (or resets its password) are written into that
row as ``unrecorded_login_locked_attempts``, so every attempt is accounted for in the trail; the first
attempt after a new lock is recorded at once.

Accounts are counted by the user name as typed, whether or not it exists, so that the answers (including
"locked") never reveal which user names exist. Memberships are invitations the invited user accepts, and
the invitation is recorded in the same way whether or not the user name exists.
"""

from __future__ import annotations

import hashlib
import math
import os
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, fields, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import InstrumentedAttribute, Session

from bioparity.audit import append_event
from bioparity.errors import InputError
from bioparity.i18n import DEFAULT_LANGUAGE, normalise_language
from bioparity.i18n import gettext as _
from bioparity.store.lookup import joined_pairs
from bioparity.store.models import (
    AuditEvent,
    AuthThrottle,
    AuthToken,
    Membership,
    MembershipInvitation,
    Organisation,
    User,
)
from bioparity.workspace.access import Actor, require_org
from bioparity.workspace.errors import (
    AccountLockedError,
    AuthenticationError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    ThrottledError,
)
from bioparity.workspace.events import Scope, record, record_change, scope_audit
from bioparity.workspace.passwords import hash_password, verify_password
from bioparity.workspace.roles import Permission, Role
from bioparity.workspace.snapshots import snapshot
from bioparity.workspace.text import optional_reason_text, reason_text

SESSION_HOURS = 12
SESSION_PREFIX = "bps_"
API_TOKEN_PREFIX = "bpt_"
#: Actor recorded for administrative commands run on the server's machine (``bioparity user create``).
SYSTEM = Actor(user_id="", username="system", display_name="bioparity command line")


def command_line_actor() -> Actor:
    """The administrator running a ``bioparity`` command, as the audit trail names them: ``system`` with
    the operating-system account and host that ran it, e.g. ``system (root@db-host)`` (21 CFR 11.10(e):
    who did it; an unlock or a deactivation recorded as plain ``system`` named nobody)."""
    import getpass
    import socket

    try:
        account = getpass.getuser()
    except (KeyError, OSError):  # no user name in the environment nor the password database
        account = "unknown account"
    return replace(SYSTEM, username=f"system ({account}@{socket.gethostname()})"[:100])


@dataclass(frozen=True)
class AccountPolicy:
    """Throttling, lockout and lifetimes of the workspace's credentials (see the module docstring).

    ``from_environment`` reads ``BIOPARITY_<FIELD>`` (e.g. ``BIOPARITY_LOCKOUT_AFTER=5``,
    ``BIOPARITY_IDLE_MINUTES=15``); the API app keeps its policy in ``session.info`` so that every
    service of a request applies the same one.
    """

    lockout_after: int = 10
    free_attempts: int = 3
    client_free_attempts: int = 20
    backoff_base_seconds: float = 1.0
    backoff_max_seconds: float = 900.0
    client_window_minutes: float = 60.0
    idle_minutes: float = 30.0
    session_hours: float = SESSION_HOURS
    token_max_days: int = 90
    invitation_days: int = 14

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            minimum = 0 if f.name in {"free_attempts", "client_free_attempts", "backoff_base_seconds"} else 1
            if not math.isfinite(value) or value < minimum:
                raise InputError(f"account policy {f.name} must be at least {minimum}, got {value!r}")

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> AccountPolicy:
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in fields(cls):
            name = f"BIOPARITY_{f.name.upper()}"
            text = env.get(name, "").strip()
            if not text:
                continue
            try:
                values[f.name] = int(text) if f.type in ("int", int) else float(text)
            except ValueError:
                raise InputError(f"environment variable {name}={text!r} is not a number") from None
        return cls(**values)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


DEFAULT_POLICY = AccountPolicy()
POLICY_KEY = "bioparity_account_policy"


def policy_of(session: Session) -> AccountPolicy:
    """The policy of the app the session belongs to (``session.info``), else the defaults."""
    policy = session.info.get(POLICY_KEY)
    return policy if isinstance(policy, AccountPolicy) else DEFAULT_POLICY


def _now(now: datetime | None) -> datetime:
    return datetime.now(UTC) if now is None else now


def _role(role: str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise InputError(
            _("unknown role %(role)r; expected one of %(roles)s") % {"role": role, "roles": ", ".join(Role)}
        ) from None


def _flush_unique(session: Session, what: str) -> None:
    try:
        session.flush()
    except IntegrityError as exc:
        raise ConflictError(_("%(what)s already exists") % {"what": what}) from exc


def _new_name(session: Session, column: InstrumentedAttribute[str], name: str, field: str, what: str) -> str:
    """``name`` without surrounding blanks, refused when empty or already the ``column`` of a ``what``."""
    name = name.strip()
    if not name:
        raise InputError(_("%(field)s must not be empty") % {"field": field})
    if session.scalar(select(column).where(column == name)) is not None:
        raise ConflictError(_("%(what)s %(name)r already exists") % {"what": what, "name": name})
    return name


def _add_new(
    session: Session,
    actor: Actor,
    obj: Any,
    object_type: str,
    what: str,
    scope: Scope = None,
    *,
    reason: str | None = None,
) -> None:
    """Store a new object (a concurrent twin is a ConflictError naming ``what``) and audit its creation
    with the ``reason`` given (already checked)."""
    session.add(obj)
    _flush_unique(session, what)
    record_change(session, actor, "create", object_type, obj, scope, reason=reason)


def create_user(
    session: Session,
    username: str,
    password: str,
    *,
    display_name: str = "",
    actor: Actor = SYSTEM,
    language: str = DEFAULT_LANGUAGE,
    reason: str | None = None,
) -> User:
    """A new account. ``reason``: why the administrator creates it (``bioparity user create --reason``
    always gives one; EU GMP Annex 11 section 12.3: creating an access authorisation is recorded), kept
    in the audit row; checked when given."""
    reason = optional_reason_text(reason)
    username = _new_name(session, User.username, username, "username", "user")
    user = User(
        username=username,
        display_name=display_name.strip() or username,
        password_hash="",
        language=normalise_language(language),
    )
    user.password_hash = hash_password(password)
    _add_new(session, actor, user, "user", f"user {username!r}", reason=reason)
    return user


def get_user_by_name(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFoundError("user", username)
    return user


def create_org(
    session: Session,
    name: str,
    *,
    owner: User | None = None,
    actor: Actor = SYSTEM,
    reason: str | None = None,
) -> Organisation:
    """A new organisation, with ``owner`` as its first owner when given. ``reason`` (checked when given;
    ``bioparity org create --reason`` always gives one) is kept in the creation's and the owner's rows."""
    reason = optional_reason_text(reason)
    name = _new_name(session, Organisation.name, name, "organisation name", "organisation")
    org = Organisation(name=name)
    _add_new(session, actor, org, "organisation", f"organisation {name!r}", org, reason=reason)
    if owner is not None:
        _add_membership(session, actor, org, owner, Role.owner, reason=reason)
    return org


def _add_membership(
    session: Session, actor: Actor, org: Organisation, user: User, role: Role, *, reason: str | None = None
) -> Membership:
    exists = session.scalar(
        select(Membership.id).where(Membership.org_id == org.id, Membership.user_id == user.id)
    )
    if exists is not None:
        raise ConflictError(
            _("user %(user)r is already a member of %(org)r") % {"user": user.username, "org": org.name}
        )
    membership = Membership(org_id=org.id, user_id=user.id, role=role.value)
    session.add(membership)
    _flush_unique(session, "membership")
    extra = {"username": user.username}
    record_change(session, actor, "grant", "membership", membership, org, extra=extra, reason=reason)
    return membership


def add_member_as_admin(
    session: Session,
    org_name: str,
    username: str,
    role: str,
    *,
    actor: Actor = SYSTEM,
    reason: str | None = None,
) -> Membership:
    """Command-line path (server administrator): add a user to an organisation at a role, for ``reason``
    (checked when given, kept in the audit row)."""
    reason = optional_reason_text(reason)
    org = session.scalar(select(Organisation).where(Organisation.name == org_name))
    if org is None:
        raise NotFoundError("organisation", org_name)
    user = get_user_by_name(session, username)
    return _add_membership(session, actor, org, user, _role(role), reason=reason)


def invite_member(
    session: Session, actor: Actor, org_id: str, username: str, role: str, *, now: datetime | None = None
) -> MembershipInvitation:
    """Owners: invite a user name into the organisation at ``role``; the user becomes a member only by
    accepting (:func:`respond_invitation`). Recorded, and answered, alike whether or not the user name
    exists, so that no organisation learns which user names another company has."""
    org, _my_role = require_org(session, actor, org_id, Permission.manage_members)
    new_role = _role(role)
    username = username.strip()
    if not username or len(username) > 100 or "\x00" in username:
        raise InputError(_("username must be 1 to 100 characters without NUL"))
    member = session.scalar(
        select(Membership.id)
        .join(User, User.id == Membership.user_id)
        .where(Membership.org_id == org.id, User.username == username)
    )
    if member is not None:  # the members list shows it anyway
        raise ConflictError(
            _("user %(user)r is already a member of %(org)r") % {"user": username, "org": org.name}
        )
    moment = _now(now)
    invitation = session.scalar(
        select(MembershipInvitation).where(
            MembershipInvitation.org_id == org.id,
            MembershipInvitation.username == username,
            MembershipInvitation.status == "pending",
        )
    )
    before = None if invitation is None else snapshot(invitation)
    if invitation is None:
        invitation = MembershipInvitation(
            org_id=org.id, username=username, role=new_role.value, status="pending", created_by=actor.user_id
        )
        session.add(invitation)
    invitation.role = new_role.value
    invitation.expires_at = moment + timedelta(days=policy_of(session).invitation_days)
    session.flush()
    action = "invite" if before is None else "update"
    record_change(session, actor, action, "membership_invitation", invitation, org, before)
    return invitation


#: The former name: "adding" a member is inviting them.
add_member = invite_member


def _pending(invitation: MembershipInvitation, moment: datetime) -> bool:
    return invitation.status == "pending" and invitation.expires_at > moment


def org_invitations(
    session: Session, actor: Actor, org_id: str, *, now: datetime | None = None
) -> Sequence[MembershipInvitation]:
    """Owners: the organisation's invitations not yet answered (expired ones included, marked by date)."""
    org, _my_role = require_org(session, actor, org_id, Permission.manage_members)
    query = (
        select(MembershipInvitation)
        .where(MembershipInvitation.org_id == org.id, MembershipInvitation.status == "pending")
        .order_by(MembershipInvitation.created_at)
    )
    return list(session.scalars(query))


def withdraw_invitation(session: Session, actor: Actor, org_id: str, invitation_id: str) -> None:
    org, _my_role = require_org(session, actor, org_id, Permission.manage_members)
    invitation = session.get(MembershipInvitation, invitation_id)
    if invitation is None or invitation.org_id != org.id or invitation.status != "pending":
        raise NotFoundError("invitation", invitation_id)
    _answer(session, actor, invitation, "withdrawn", org)


def _answer(
    session: Session, actor: Actor, invitation: MembershipInvitation, status: str, org: Organisation
) -> None:
    before = snapshot(invitation)
    invitation.status = status
    invitation.responded_at = datetime.now(UTC)
    session.flush()
    action = {"accepted": "accept", "declined": "decline", "withdrawn": "withdraw"}[status]
    record_change(session, actor, action, "membership_invitation", invitation, org, before)


def my_invitations(
    session: Session, actor: Actor, *, now: datetime | None = None
) -> Sequence[tuple[MembershipInvitation, Organisation]]:
    """Invitations addressed to the caller's user name that are still open."""
    moment = _now(now)
    rows = joined_pairs(
        session,
        MembershipInvitation,
        Organisation,
        MembershipInvitation.username == actor.username,
        MembershipInvitation.status == "pending",
        order_by=MembershipInvitation.created_at,
    )
    return [(i, o) for i, o in rows if _pending(i, moment)]


def respond_invitation(
    session: Session, actor: Actor, invitation_id: str, *, accept: bool, now: datetime | None = None
) -> Membership | None:
    """The invited user accepts (becoming a member at the invited role) or declines."""
    invitation = session.get(MembershipInvitation, invitation_id)
    if invitation is None or invitation.username != actor.username or not _pending(invitation, _now(now)):
        raise NotFoundError("invitation", invitation_id)
    org = session.get(Organisation, invitation.org_id)
    user = session.get(User, actor.user_id)
    assert org is not None and user is not None
    _answer(session, actor, invitation, "accepted" if accept else "declined", org)
    if not accept:
        return None
    return _add_membership(session, actor, org, user, Role(invitation.role))


def _membership(session: Session, org_id: str, user_id: str) -> Membership:
    membership = session.scalar(
        select(Membership).where(Membership.org_id == org_id, Membership.user_id == user_id)
    )
    if membership is None:
        raise NotFoundError("member", user_id)
    return membership


def _owners(session: Session, org_id: str) -> int:
    return (
        session.scalar(
            select(func.count()).where(Membership.org_id == org_id, Membership.role == Role.owner.value)
        )
        or 0
    )


def change_member_role(
    session: Session, actor: Actor, org_id: str, user_id: str, role: str, *, reason: str | None
) -> Membership:
    """Owners: give a member another role, for ``reason`` (required, kept in the audit row)."""
    org, _my_role = require_org(session, actor, org_id, Permission.manage_members)
    new_role = _role(role)
    membership = _membership(session, org.id, user_id)
    reason = reason_text(reason)
    if membership.role == Role.owner and new_role != Role.owner and _owners(session, org.id) <= 1:
        raise ConflictError(
            _("%(org)r would have no owner left; make another member owner first") % {"org": org.name}
        )
    before = snapshot(membership)
    membership.role = new_role.value
    session.flush()
    record_change(session, actor, "update", "membership", membership, org, before, reason=reason)
    return membership


def remove_member(session: Session, actor: Actor, org_id: str, user_id: str, *, reason: str | None) -> None:
    """Owners: remove a member from the organisation, for ``reason`` (required, kept in the audit row)."""
    org, _my_role = require_org(session, actor, org_id, Permission.manage_members)
    membership = _membership(session, org.id, user_id)
    reason = reason_text(reason)
    if membership.role == Role.owner and _owners(session, org.id) <= 1:
        raise ConflictError(
            _("%(org)r would have no owner left; make another member owner first") % {"org": org.name}
        )
    before = snapshot(membership)
    session.delete(membership)
    session.flush()
    record(session, actor, "revoke", "membership", before["id"], org, before, reason=reason)


def list_members(session: Session, actor: Actor, org_id: str) -> Sequence[tuple[Membership, User]]:
    org, _my_role = require_org(session, actor, org_id, Permission.read)
    return joined_pairs(session, Membership, User, Membership.org_id == org.id, order_by=User.username)


def my_organisations(session: Session, actor: Actor) -> Sequence[tuple[Organisation, str]]:
    rows = session.execute(
        select(Organisation, Membership.role)
        .join(Membership, Membership.org_id == Organisation.id)
        .where(Membership.user_id == actor.user_id)
        .order_by(Organisation.name)
    )
    return [(o, r) for o, r in rows]


def get_org(session: Session, actor: Actor, org_id: str) -> tuple[Organisation, Role]:
    return require_org(session, actor, org_id, Permission.read)


def org_audit(
    session: Session,
    actor: Actor,
    org_id: str,
    *,
    after_seq: int = 0,
    limit: int = 1000,
    without_programs: bool = False,
) -> Sequence[AuditEvent]:
    """The organisation's audit rows in order, ``limit`` at a time after sequence number ``after_seq``
    (``without_programs``: only the organisation's own, its members and invitations)."""
    org, _my_role = require_org(session, actor, org_id, Permission.view_org_audit)
    return scope_audit(session, org, after_seq=after_seq, limit=limit, without_programs=without_programs)


# --- authentication -------------------------------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _issue(
    session: Session,
    user: User,
    kind: str,
    name: str,
    lifetime: timedelta,
    moment: datetime,
    session_id: str | None = None,
) -> tuple[AuthToken, str]:
    secret = (SESSION_PREFIX if kind == "session" else API_TOKEN_PREFIX) + secrets.token_urlsafe(32)
    token = AuthToken(
        user_id=user.id,
        token_sha256=_token_hash(secret),
        kind=kind,
        name=name,
        created_at=moment,
        expires_at=moment + lifetime,
        last_used_at=moment,
        session_id=session_id,
    )
    session.add(token)
    session.flush()
    return token, secret


def account_key(username: str) -> str:
    return "account:" + username.strip().casefold()[:150]


def client_key(client: str) -> str:
    return "client:" + client[:150]


def _throttle_row(session: Session, key: str) -> AuthThrottle:
    """The counter row of ``key``, created if missing and locked for this transaction (PostgreSQL)."""
    locked = (
        select(AuthThrottle)
        .where(AuthThrottle.key == key)
        .with_for_update()
        .execution_options(populate_existing=True)  # the count as of the lock, not as read before
    )
    row = session.scalar(locked)
    if row is not None:
        return row
    try:
        with session.begin_nested():
            session.add(AuthThrottle(key=key, failures=0))
    except IntegrityError:  # created concurrently
        pass
    row = session.scalar(locked)
    assert row is not None
    return row


def backoff_seconds(failures: int, free: int, policy: AccountPolicy) -> float:
    """Seconds to wait after ``failures`` consecutive failures: none for the first ``free``, then
    ``base * 2**(failures - free)`` up to ``backoff_max_seconds``."""
    if failures < free or policy.backoff_base_seconds == 0:
        return 0.0
    return float(
        min(policy.backoff_max_seconds, policy.backoff_base_seconds * 2.0 ** min(failures - free, 60))
    )


def _remaining_wait(row: AuthThrottle | None, free: int, policy: AccountPolicy, moment: datetime) -> float:
    if row is None or row.last_failure_at is None:
        return 0.0
    backoff = backoff_seconds(row.failures, free, policy)
    if backoff == 0:  # (a concurrent request may have recorded its failure "after" this one's clock)
        return 0.0
    due = row.last_failure_at + timedelta(seconds=backoff)
    return max(0.0, (due - moment).total_seconds())


def _client_failures(row: AuthThrottle, policy: AccountPolicy, moment: datetime) -> int:
    # A client's count is forgotten after a quiet hour (its successes do not reset it: a valid account
    # of one's own must not reset the count of guesses at others).
    quiet = row.last_failure_at is None or moment - row.last_failure_at > timedelta(
        minutes=policy.client_window_minutes
    )
    return 0 if quiet else row.failures


#: Attempts on a locked account are audited at most once per account in this many seconds (module
#: docstring, "Locked accounts").
LOCKED_AUDIT_SECONDS = 60


def locked_attempts_key(username: str) -> str:
    """The counter row of the sign-in attempts on a locked account not yet written to the trail."""
    return "locked:" + account_key(username).removeprefix("account:")


def _record_locked_attempt(session: Session, username: str, client: str, moment: datetime) -> None:
    """Audit a sign-in attempt on a locked account as ``login_locked``, at most one row per account per
    :data:`LOCKED_AUDIT_SECONDS`; the attempts in between are counted and folded into the next row (or
    into the unlock row, if none follows). Committed by the caller before it refuses."""
    pending = _throttle_row(session, locked_attempts_key(username))
    pending.failures += 1
    last = pending.last_failure_at
    if last is not None and (moment - last).total_seconds() < LOCKED_AUDIT_SECONDS:
        session.flush()
        return
    user = session.scalar(select(User).where(User.username == username))
    detail: dict[str, Any] = {"attempts": pending.failures}
    if last is not None:
        detail["since"] = last.isoformat()
    if client:
        detail["client"] = client
    append_event(
        session,
        actor_id=None if user is None else user.id,
        actor=username[:100],
        action="login_locked",
        object_type="user",
        object_id=None if user is None else user.id,
        after=detail,
    )
    pending.failures = 0
    pending.last_failure_at = moment
    session.flush()


def _take_unrecorded_locked_attempts(session: Session, username: str) -> int:
    """The attempts on the locked account not yet in the trail (to fold into the unlock row); forgets them,
    so that a new lock audits its first attempt at once."""
    row = session.get(AuthThrottle, locked_attempts_key(username))
    if row is None:
        return 0
    session.delete(row)
    return row.failures


def _check_throttle(
    session: Session, username: str, client: str, moment: datetime, *, sign_in: bool = False
) -> None:
    """Refuse before checking any password when the account is locked or must still wait; a sign-in
    attempt on a locked account is audited (rate-limited) and committed first."""
    policy = policy_of(session)
    account = session.get(AuthThrottle, account_key(username))
    if account is not None and account.locked_at is not None:
        if sign_in:
            _record_locked_attempt(session, username, client, moment)
            session.commit()
        raise AccountLockedError(
            _(
                "account locked after %(n)d failed password attempts; "
                "an administrator must unlock it (bioparity user unlock)"
            )
            % {"n": account.failures}
        )
    wait = _remaining_wait(account, policy.free_attempts, policy, moment)
    if client:
        row = session.get(AuthThrottle, client_key(client))
        if row is not None and _client_failures(row, policy, moment):
            wait = max(wait, _remaining_wait(row, policy.client_free_attempts, policy, moment))
    if wait > 0:
        raise ThrottledError(
            _("too many failed password attempts: try again in %(seconds)d s") % {"seconds": math.ceil(wait)},
            retry_after=wait,
        )


@dataclass(frozen=True)
class FailedPassword:
    """How a failed password is audited: the action, and the object it was entered for (default: the
    user), filed under its organisation and program."""

    action: str = "password_failed"
    object_type: str = "user"
    object_id: str | None = None
    org_id: str | None = None
    program_id: str | None = None


def _record_failure(
    session: Session, username: str, client: str, moment: datetime, user: User | None, audit: FailedPassword
) -> bool:
    """Count a failed password, audit it and lock the account at the limit; True when now locked."""
    policy = policy_of(session)
    account = _throttle_row(session, account_key(username))
    account.failures += 1
    account.last_failure_at = moment
    detail: dict[str, Any] = {"failures": account.failures}
    if client:
        row = _throttle_row(session, client_key(client))
        row.failures = _client_failures(row, policy, moment) + 1
        row.last_failure_at = moment
        detail |= {"client": client, "client_failures": row.failures}
    append_event(
        session,
        actor_id=None if user is None else user.id,
        actor=username[:100],
        action=audit.action,
        object_type=audit.object_type,
        object_id=audit.object_id if audit.object_id is not None else (None if user is None else user.id),
        org_id=audit.org_id,
        program_id=audit.program_id,
        after=detail,
    )
    locked = account.failures >= policy.lockout_after and account.locked_at is None
    if locked:
        account.locked_at = moment
        reason = {"username": username[:100], "failures": account.failures, "reason": audit.action}
        record(session, SYSTEM, "lock", "user", None if user is None else user.id, after=reason)
        if user is not None:
            _revoke_all(session, user.id, moment)
    session.flush()
    return locked


def _reset_failures(session: Session, username: str) -> None:
    account = session.get(AuthThrottle, account_key(username))
    if account is not None and account.locked_at is None:
        account.failures = 0


def _revoke_all(session: Session, user_id: str, moment: datetime, *, keep: str = "") -> int:
    """Revoke every live session and API token of the user (except ``keep``); the number revoked."""
    result = session.execute(
        update(AuthToken)
        .where(AuthToken.user_id == user_id, AuthToken.revoked_at.is_(None), AuthToken.id != keep)
        .values(revoked_at=moment)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def check_password(
    session: Session,
    actor: Actor,
    password: str,
    *,
    client: str = "",
    audit: FailedPassword = FailedPassword(),
    now: datetime | None = None,
    username: str | None = None,
) -> bool:
    """A re-entered password (signature, API token, password change) checked under the same throttling
    and lockout as sign-in. A failure is audited and committed (it must survive the refusal); True when
    the password matches. Raises ThrottledError or AccountLockedError before checking when due.

    ``username``: when given (a signature's first component, 21 CFR 11.200(a)(1)(i)), it must be the
    actor's own user name; any other name fails like a wrong password (audited, counted towards the lock
    of the actor's account), with the password left unchecked."""
    moment = _now(now)
    _check_throttle(session, actor.username, client, moment)
    user = session.get(User, actor.user_id)
    named = username is None or username.strip() == actor.username
    if named and user is not None and verify_password(user.password_hash, password):
        _reset_failures(session, actor.username)
        return True
    locked = _record_failure(session, actor.username, client, moment, user, audit)
    session.commit()
    if locked:
        raise AccountLockedError(
            _(
                "account locked after too many failed password attempts; every session was ended; "
                "an administrator must unlock it (bioparity user unlock)"
            )
        )
    return False


def login(
    session: Session, username: str, password: str, *, client: str = "", now: datetime | None = None
) -> tuple[AuthToken, str]:
    """Check the password and open a session; failures are counted, audited and committed before raising.

    Raises ThrottledError while a backoff runs (no password is checked then), AccountLockedError for a
    locked account (also for a user name that does not exist, so that locking reveals nothing). The right
    password of a deactivated account is refused like a wrong one and recorded as ``login_refused``.
    """
    moment = _now(now)
    policy = policy_of(session)
    _check_throttle(session, username, client, moment, sign_in=True)
    user = session.scalar(select(User).where(User.username == username))
    if not verify_password(None if user is None else user.password_hash, password) or user is None:
        locked = _record_failure(session, username, client, moment, user, FailedPassword("login_failed"))
        session.commit()
        if locked:
            raise AccountLockedError(
                _(
                    "account locked after %(n)d failed password attempts; "
                    "an administrator must unlock it (bioparity user unlock)"
                )
                % {"n": policy.lockout_after}
            )
        raise AuthenticationError(_("invalid username or password"))
    if not user.is_active:  # the right password of a disabled account: an attempt at unauthorized use
        _record_failure(session, username, client, moment, user, FailedPassword("login_refused"))
        session.commit()  # audited (21 CFR 11.300(d)) and throttled like a wrong password, same answer
        raise AuthenticationError(_("invalid username or password"))
    _reset_failures(session, username)
    token, secret = _issue(session, user, "session", "login", timedelta(hours=policy.session_hours), moment)
    me = Actor.of(user)
    record(session, me, "login", "user", user.id, after={"client": client} if client else None)
    return token, secret


#: Sessions record their last use at most this often (each record is a write).
TOUCH_SECONDS = 30


#: A token (by the SHA-256 of its secret) and its user: built once (see :mod:`bioparity.store.lookup`).
_TOKEN_WITH_USER = (
    select(AuthToken, User)
    .outerjoin(User, User.id == AuthToken.user_id)
    .where(AuthToken.token_sha256 == bindparam("token_sha256"))
)
#: The same with the user's role in each of their organisations: a row per membership (one with no role
#: when they have none). A page view reads them with who is signed in (the menu shows entries by role).
_TOKEN_WITH_USER_AND_ROLES = _TOKEN_WITH_USER.add_columns(Membership.role).outerjoin(
    Membership, Membership.user_id == User.id
)


def _signed_in(
    session: Session, secret: str, moment: datetime, *, roles: bool = False
) -> tuple[AuthToken, User, frozenset[str]]:
    """The token and user behind ``secret`` (and, with ``roles``, the user's roles in their organisations;
    otherwise none); AuthenticationError when missing, revoked, expired or idle.

    The rows in one query (every page view and API call asks); outer joins, so that the checks keep their
    order: the token, its expiry, its idle time, then its user."""
    statement = _TOKEN_WITH_USER_AND_ROLES if roles else _TOKEN_WITH_USER
    rows = session.execute(statement, {"token_sha256": _token_hash(secret)}).all()
    token, user = (None, None) if not rows else (rows[0][0], rows[0][1])
    if token is None or token.revoked_at is not None:
        raise AuthenticationError(_("not authenticated: invalid or revoked token"))
    if token.expires_at is not None and token.expires_at <= moment:
        raise AuthenticationError(_("not authenticated: the token has expired; log in again"))
    idle = policy_of(session).idle_minutes
    if token.kind == "session":
        last = token.last_used_at or token.created_at
        if moment - last > timedelta(minutes=idle):
            raise AuthenticationError(
                _("not authenticated: the session was idle for more than %(minutes)s minutes; sign in again")
                % {"minutes": f"{idle:g}"}
            )
    if user is None or not user.is_active:
        raise AuthenticationError(_("not authenticated: invalid or revoked token"))
    return token, user, frozenset(row[2] for row in rows if roles and row[2] is not None)


def authenticate(session: Session, secret: str, *, touch: bool = True, now: datetime | None = None) -> Actor:
    """The user behind a session or API token; raises AuthenticationError when missing, revoked, expired
    or (sessions) idle for longer than the policy's ``idle_minutes``. With ``touch`` the session's last
    use is recorded (needs a writing session); pages read with ``touch=False`` and call
    :func:`touch_session` when :func:`touch_due` says so."""
    moment = _now(now)
    token, user, _roles = _signed_in(session, secret, moment)
    if touch and touch_due(token, moment):
        token.last_used_at = moment
        session.flush()
    return Actor.of(user, token)


@dataclass(frozen=True)
class PageSignIn:
    """Who sent a page request (:func:`authenticate_page`): the user, whether recording the session's use
    is due (:func:`touch_due`), their stored language and their roles in their organisations."""

    actor: Actor
    touch_due: bool
    language: str | None
    roles: frozenset[str]


def authenticate_page(session: Session, secret: str, *, now: datetime | None = None) -> PageSignIn:
    """:func:`authenticate` without recording the use (a read-only page view), with whether recording it
    is due, the user's stored language and roles, read in the same query."""
    moment = _now(now)
    token, user, roles = _signed_in(session, secret, moment, roles=True)
    language = None if user.language is None else str(user.language)
    return PageSignIn(Actor.of(user, token), touch_due(token, moment), language, roles)


def touch_due(token: AuthToken, moment: datetime) -> bool:
    return token.kind == "session" and (
        token.last_used_at is None or moment - token.last_used_at > timedelta(seconds=TOUCH_SECONDS)
    )


def session_touch_due(session: Session, token_id: str, *, now: datetime | None = None) -> bool:
    """Whether :func:`touch_session` would record anything (read-only check for page views)."""
    token = session.get(AuthToken, token_id)
    return token is not None and touch_due(token, _now(now))


def touch_session(session: Session, token_id: str, *, now: datetime | None = None) -> None:
    """Record a session's use now (idle timeout), unless recorded within the last TOUCH_SECONDS."""
    moment = _now(now)
    token = session.get(AuthToken, token_id)
    if token is not None and touch_due(token, moment):
        token.last_used_at = moment


def set_language(session: Session, actor: Actor, language: str) -> str:
    """Store the user's preferred language of the pages (audited); returns the normalised tag.

    Parameters
    ----------
    session : Session
        A writing unit of work.
    actor : Actor
        The signed-in user, who changes their own preference.
    language : str
        A tag of :data:`bioparity.i18n.LANGUAGES` (``"en"``, ``"zh-CN"``; ``zh_CN`` and similar spellings
        are accepted).

    Returns
    -------
    str
        The tag stored.

    Raises
    ------
    InputError
        The language is not offered.
    """
    tag = normalise_language(language)
    user = session.get(User, actor.user_id)
    if user is None:
        raise NotFoundError("user", actor.username)
    before = user.language
    if before != tag:
        user.language = tag
        session.flush()
        record(
            session,
            actor,
            "language_change",
            "user",
            user.id,
            before={"language": before},
            after={"language": tag},
        )
    return tag


def session_language(session: Session, secret: str) -> str | None:
    """The stored language of the user behind a login session or API token (None when the token is
    unknown or revoked). Only chooses the language of a page: :func:`authenticate` still decides access."""
    language = session.scalar(
        select(User.language)
        .join(AuthToken, AuthToken.user_id == User.id)
        .where(AuthToken.token_sha256 == _token_hash(secret), AuthToken.revoked_at.is_(None))
    )
    return None if language is None else str(language)


def logout(session: Session, actor: Actor, secret: str) -> None:
    """Revoke the token of the request and the API tokens created bound to that session."""
    token = session.scalar(select(AuthToken).where(AuthToken.token_sha256 == _token_hash(secret)))
    if token is not None and token.user_id == actor.user_id and token.revoked_at is None:
        moment = datetime.now(UTC)
        token.revoked_at = moment
        bound = session.execute(
            update(AuthToken)
            .where(AuthToken.session_id == token.id, AuthToken.revoked_at.is_(None))
            .values(revoked_at=moment)
            .execution_options(synchronize_session=False)
        )
        revoked = {"bound_tokens_revoked": int(getattr(bound, "rowcount", 0) or 0)}
        record(session, actor, "logout", "user", actor.user_id, after=revoked)


def create_api_token(
    session: Session,
    actor: Actor,
    name: str,
    days: int | None,
    *,
    password: str,
    bound_to_session: bool = False,
    client: str = "",
    now: datetime | None = None,
) -> tuple[AuthToken, str]:
    """A token for scripts, after the password is re-entered; it expires after ``days`` (at most, and by
    default, the policy's ``token_max_days``). ``bound_to_session`` ties it to the caller's session:
    logging out revokes it."""
    moment = _now(now)
    user = session.get(User, actor.user_id)
    if user is None:
        raise AuthenticationError("not authenticated")
    limit = policy_of(session).token_max_days
    if days is not None and not 1 <= days <= limit:
        raise InputError(
            f"expires_in_days must be between 1 and {limit} (the server's maximum token lifetime)"
        )
    if bound_to_session and actor.token_kind != "session":
        raise InputError("bound_to_session needs a request made with a login session, not an API token")
    if not check_password(
        session, actor, password, client=client, audit=FailedPassword("token_password_failed"), now=moment
    ):
        raise PermissionDeniedError(_("API token refused: the password does not match"))
    token, secret = _issue(
        session,
        user,
        "api",
        name,
        timedelta(days=limit if days is None else days),
        moment,
        session_id=actor.token_id if bound_to_session else None,
    )
    record_change(session, actor, "create", "api_token", token)
    return token, secret


def list_api_tokens(session: Session, actor: Actor) -> Sequence[AuthToken]:
    query = (
        select(AuthToken)
        .where(AuthToken.user_id == actor.user_id, AuthToken.kind == "api")
        .order_by(AuthToken.created_at)
    )
    return list(session.scalars(query))


def revoke_api_token(session: Session, actor: Actor, token_id: str) -> None:
    token = session.get(AuthToken, token_id)
    if token is None or token.user_id != actor.user_id or token.kind != "api":
        raise NotFoundError("api token", token_id)
    if token.revoked_at is None:
        before = snapshot(token)
        token.revoked_at = datetime.now(UTC)
        session.flush()
        record_change(session, actor, "revoke", "api_token", token, None, before)


# --- account lifecycle (21 CFR 11.300(b)) ----------------------------------------------------------


def change_password(
    session: Session,
    actor: Actor,
    current_password: str,
    new_password: str,
    *,
    client: str = "",
    now: datetime | None = None,
) -> None:
    """The user changes their password (the current one re-entered, under throttling). Clears a forced
    change; every other session and API token of the user is revoked."""
    moment = _now(now)
    audit = FailedPassword("password_change_failed")
    if not check_password(session, actor, current_password, client=client, audit=audit, now=moment):
        raise PermissionDeniedError(_("password not changed: the current password does not match"))
    if new_password == current_password:
        raise InputError(_("the new password must differ from the current one"))
    user = session.get(User, actor.user_id)
    assert user is not None
    user.password_hash = hash_password(new_password)
    user.must_change_password = False
    user.password_changed_at = moment
    revoked = _revoke_all(session, user.id, moment, keep=actor.token_id)
    session.flush()
    record(session, actor, "password_change", "user", user.id, after={"other_tokens_revoked": revoked})


def admin_reset_password(
    session: Session, username: str, temporary_password: str, *, reason: str | None, actor: Actor = SYSTEM
) -> User:
    """Administrator: set a temporary password that must be changed at the next sign-in; unlocks the
    account and revokes its sessions and tokens. ``reason``: required, kept in the audit row."""
    user = get_user_by_name(session, username)
    reason = reason_text(reason)
    moment = datetime.now(UTC)
    user.password_hash = hash_password(temporary_password)
    user.must_change_password = True
    user.password_changed_at = moment
    revoked = _revoke_all(session, user.id, moment)
    _unlock(session, user)
    unrecorded = _take_unrecorded_locked_attempts(session, user.username)
    session.flush()
    reset: dict[str, Any] = {"must_change_password": True, "tokens_revoked": revoked}
    if unrecorded:
        reset["unrecorded_login_locked_attempts"] = unrecorded
    record(session, actor, "password_reset", "user", user.id, after=reset, reason=reason)
    return user


def _unlock(session: Session, user: User) -> bool:
    row = session.get(AuthThrottle, account_key(user.username))
    if row is None or (row.locked_at is None and row.failures == 0):
        return False
    was_locked = row.locked_at is not None
    row.locked_at = None
    row.failures = 0
    row.last_failure_at = None
    return was_locked


def unlock_account(session: Session, username: str, *, reason: str | None, actor: Actor = SYSTEM) -> bool:
    """Administrator: lift the lock (and the backoff) of an account; True when it was locked.
    ``reason``: required, kept in the audit row."""
    user = get_user_by_name(session, username)
    reason = reason_text(reason)
    was_locked = _unlock(session, user)
    unrecorded = _take_unrecorded_locked_attempts(session, user.username)
    session.flush()
    detail: dict[str, Any] = {"was_locked": was_locked}
    if unrecorded:
        detail["unrecorded_login_locked_attempts"] = unrecorded
    record(session, actor, "unlock", "user", user.id, after=detail, reason=reason)
    return was_locked


def account_status(session: Session, username: str) -> dict[str, Any]:
    """Administrator: what the lifecycle controls say about an account."""
    user = get_user_by_name(session, username)
    row = session.get(AuthThrottle, account_key(username))
    live = session.scalar(
        select(func.count()).where(AuthToken.user_id == user.id, AuthToken.revoked_at.is_(None))
    )
    return {
        "username": user.username,
        "active": user.is_active,
        "locked": row is not None and row.locked_at is not None,
        "failures": 0 if row is None else row.failures,
        "must_change_password": user.must_change_password,
        "live_tokens": live or 0,
    }


def set_active(
    session: Session, username: str, active: bool, *, reason: str | None, actor: Actor = SYSTEM
) -> int:
    """Administrator: deactivate (revoking every session and API token at once) or reactivate an account;
    the number of tokens revoked. ``reason``: required, kept in the audit row."""
    user = get_user_by_name(session, username)
    reason = reason_text(reason)
    before = snapshot(user)
    user.is_active = active
    revoked = 0 if active else _revoke_all(session, user.id, datetime.now(UTC))
    session.flush()
    action = "reactivate" if active else "deactivate"
    extra = {"tokens_revoked": revoked}
    record_change(session, actor, action, "user", user, None, before, extra, reason=reason)
    return revoked
