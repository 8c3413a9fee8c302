"""Organisations, users, memberships, login sessions and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bioparity.audit import append_event
from bioparity.errors import InputError
from bioparity.store.models import AuditEvent, AuthToken, Membership, Organisation, User
from bioparity.workspace.access import Actor, require_org
from bioparity.workspace.errors import AuthenticationError, ConflictError, NotFoundError
from bioparity.workspace.passwords import hash_password, verify_password
from bioparity.workspace.roles import Permission, Role
from bioparity.workspace.snapshots import snapshot

SESSION_HOURS = 12
SESSION_PREFIX = "bps_"
API_TOKEN_PREFIX = "bpt_"
#: Actor recorded for administrative commands run on the server's machine (``bioparity user create``).
SYSTEM = Actor(user_id="", username="system", display_name="bioparity command line")


def _actor_id(actor: Actor) -> str | None:
    return actor.user_id or None


def _role(role: str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise InputError(f"unknown role {role!r}; expected one of {', '.join(Role)}") from None


def _flush_unique(session: Session, what: str) -> None:
    try:
        session.flush()
    except IntegrityError as exc:
        raise ConflictError(f"{what} already exists") from exc


def create_user(
    session: Session, username: str, password: str, *, display_name: str = "", actor: Actor = SYSTEM
) -> User:
    username = username.strip()
    if not username:
        raise InputError("username must not be empty")
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise ConflictError(f"user {username!r} already exists")
    user = User(username=username, display_name=display_name.strip() or username, password_hash="")
    user.password_hash = hash_password(password)
    session.add(user)
    _flush_unique(session, f"user {username!r}")
    append_event(
        session,
        actor_id=_actor_id(actor),
        actor=actor.username,
        action="create",
        object_type="user",
        object_id=user.id,
        after=snapshot(user),
    )
    return user


def get_user_by_name(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFoundError("user", username)
    return user


def create_org(
    session: Session, name: str, *, owner: User | None = None, actor: Actor = SYSTEM
) -> Organisation:
    name = name.strip()
    if not name:
        raise InputError("organisation name must not be empty")
    if session.scalar(select(Organisation.id).where(Organisation.name == name)) is not None:
        raise ConflictError(f"organisation {name!r} already exists")
    org = Organisation(name=name)
    session.add(org)
    _flush_unique(session, f"organisation {name!r}")
    append_event(
        session,
        actor_id=_actor_id(actor),
        actor=actor.username,
        action="create",
        object_type="organisation",
        object_id=org.id,
        org_id=org.id,
        after=snapshot(org),
    )
    if owner is not None:
        _add_membership(session, actor, org, owner, Role.owner)
    return org


def _add_membership(session: Session, actor: Actor, org: Organisation, user: User, role: Role) -> Membership:
    exists = session.scalar(
        select(Membership.id).where(Membership.org_id == org.id, Membership.user_id == user.id)
    )
    if exists is not None:
        raise ConflictError(f"user {user.username!r} is already a member of {org.name!r}")
    membership = Membership(org_id=org.id, user_id=user.id, role=role.value)
    session.add(membership)
    _flush_unique(session, "membership")
    append_event(
        session,
        actor_id=_actor_id(actor),
        actor=actor.username,
        action="grant",
        object_type="membership",
        object_id=membership.id,
        org_id=org.id,
        after=snapshot(membership) | {"username": user.username},
    )
    return membership


def add_member_as_admin(session: Session, org_name: str, username: str, role: str) -> Membership:
    """Command-line path (server administrator): add a user to an organisation at a role."""
    org = session.scalar(select(Organisation).where(Organisation.name == org_name))
    if org is None:
        raise NotFoundError("organisation", org_name)
    return _add_membership(session, SYSTEM, org, get_user_by_name(session, username), _role(role))


def add_member(session: Session, actor: Actor, org_id: str, username: str, role: str) -> Membership:
    org, _ = require_org(session, actor, org_id, Permission.manage_members)
    return _add_membership(session, actor, org, get_user_by_name(session, username), _role(role))


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


def change_member_role(session: Session, actor: Actor, org_id: str, user_id: str, role: str) -> Membership:
    org, _ = require_org(session, actor, org_id, Permission.manage_members)
    new_role = _role(role)
    membership = _membership(session, org.id, user_id)
    if membership.role == Role.owner and new_role != Role.owner and _owners(session, org.id) <= 1:
        raise ConflictError(f"{org.name!r} would have no owner left; make another member owner first")
    before = snapshot(membership)
    membership.role = new_role.value
    session.flush()
    append_event(
        session,
        actor_id=_actor_id(actor),
        actor=actor.username,
        action="update",
        object_type="membership",
        object_id=membership.id,
        org_id=org.id,
        before=before,
        after=snapshot(membership),
    )
    return membership


def remove_member(session: Session, actor: Actor, org_id: str, user_id: str) -> None:
    org, _ = require_org(session, actor, org_id, Permission.manage_members)
    membership = _membership(session, org.id, user_id)
    if membership.role == Role.owner and _owners(session, org.id) <= 1:
        raise ConflictError(f"{org.name!r} would have no owner left; make another member owner first")
    before = snapshot(membership)
    session.delete(membership)
    session.flush()
    append_event(
        session,
        actor_id=_actor_id(actor),
        actor=actor.username,
        action="revoke",
        object_type="membership",
        object_id=before["id"],
        org_id=org.id,
        before=before,
    )


def list_members(session: Session, actor: Actor, org_id: str) -> Sequence[tuple[Membership, User]]:
    org, _ = require_org(session, actor, org_id, Permission.read)
    rows = session.execute(
        select(Membership, User)
        .join(User, User.id == Membership.user_id)
        .where(Membership.org_id == org.id)
        .order_by(User.username)
    )
    return [(m, u) for m, u in rows]


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
    session: Session, actor: Actor, org_id: str, *, after_seq: int = 0, limit: int = 1000
) -> Sequence[AuditEvent]:
    """The organisation's audit rows in order, ``limit`` at a time after sequence number ``after_seq``."""
    org, _ = require_org(session, actor, org_id, Permission.view_org_audit)
    query = (
        select(AuditEvent)
        .where(AuditEvent.org_id == org.id, AuditEvent.seq > after_seq)
        .order_by(AuditEvent.seq)
        .limit(limit)
    )
    return list(session.scalars(query))


# --- authentication -------------------------------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _issue(
    session: Session, user: User, kind: str, name: str, lifetime: timedelta | None
) -> tuple[AuthToken, str]:
    secret = (SESSION_PREFIX if kind == "session" else API_TOKEN_PREFIX) + secrets.token_urlsafe(32)
    token = AuthToken(
        user_id=user.id,
        token_sha256=_token_hash(secret),
        kind=kind,
        name=name,
        expires_at=None if lifetime is None else datetime.now(UTC) + lifetime,
    )
    session.add(token)
    session.flush()
    return token, secret


def login(session: Session, username: str, password: str) -> tuple[AuthToken, str]:
    """Check the password and open a session; failures are audited and committed before raising."""
    user = session.scalar(select(User).where(User.username == username))
    if not verify_password(None if user is None else user.password_hash, password) or user is None:
        append_event(
            session,
            actor_id=None if user is None else user.id,
            actor=username[:100],
            action="login_failed",
            object_type="user",
            object_id=None if user is None else user.id,
        )
        session.commit()
        raise AuthenticationError("invalid username or password")
    if not user.is_active:
        raise AuthenticationError("invalid username or password")
    token, secret = _issue(session, user, "session", "login", timedelta(hours=SESSION_HOURS))
    append_event(
        session, actor_id=user.id, actor=user.username, action="login", object_type="user", object_id=user.id
    )
    return token, secret


def authenticate(session: Session, secret: str) -> Actor:
    """The user behind a session or API token; raises AuthenticationError when missing, revoked or expired."""
    token = session.scalar(select(AuthToken).where(AuthToken.token_sha256 == _token_hash(secret)))
    if token is None or token.revoked_at is not None:
        raise AuthenticationError("not authenticated: invalid or revoked token")
    if token.expires_at is not None and _aware(token.expires_at) <= datetime.now(UTC):
        raise AuthenticationError("not authenticated: the token has expired; log in again")
    user = session.get(User, token.user_id)
    if user is None or not user.is_active:
        raise AuthenticationError("not authenticated: invalid or revoked token")
    return Actor(user_id=user.id, username=user.username, display_name=user.display_name)


def _aware(value: datetime) -> datetime:
    # SQLite returns naive datetimes; everything is stored in UTC.
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def logout(session: Session, actor: Actor, secret: str) -> None:
    token = session.scalar(select(AuthToken).where(AuthToken.token_sha256 == _token_hash(secret)))
    if token is not None and token.user_id == actor.user_id and token.revoked_at is None:
        token.revoked_at = datetime.now(UTC)
        append_event(
            session,
            actor_id=actor.user_id,
            actor=actor.username,
            action="logout",
            object_type="user",
            object_id=actor.user_id,
        )


def create_api_token(session: Session, actor: Actor, name: str, days: int | None) -> tuple[AuthToken, str]:
    user = session.get(User, actor.user_id)
    if user is None:
        raise AuthenticationError("not authenticated")
    if days is not None and not 1 <= days <= 3650:
        raise InputError("expires_in_days must be between 1 and 3650 (or null for no expiry)")
    token, secret = _issue(session, user, "api", name, None if days is None else timedelta(days=days))
    append_event(
        session,
        actor_id=actor.user_id,
        actor=actor.username,
        action="create",
        object_type="api_token",
        object_id=token.id,
        after=snapshot(token),
    )
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
        append_event(
            session,
            actor_id=actor.user_id,
            actor=actor.username,
            action="revoke",
            object_type="api_token",
            object_id=token.id,
            before=before,
            after=snapshot(token),
        )
