"""Who is signed in: the session cookie of the API, read for page requests.

A page request reads the store through one session at a time: who is signed in (with their language, see
:mod:`bioparity.web.language`) is read once, at the start of the request, and the page's own reads,
including those of the templates' helpers (the menu), share the page's unit of work (:func:`read_unit`
nests). Two sessions held at once by one request would let concurrent requests exhaust the connection
pool while each waits for its second connection (SQLAlchemy pool timeout, then 503).

A GET (or HEAD) page view checks a connection out once: the read-only session that found who is signed in
is kept open for the page's reads (the same transaction, so on SQLite the same snapshot), and closed when
the page's outermost :func:`read_unit` ends, or at the end of the request (:func:`release`) when the page
read nothing. Other requests close it at once: their body (an upload) is received and their write units
opened without a read connection held. So does a view whose session's last use is due to be recorded
(a write, see :func:`optional_actor`), and one without a signed-in user (nothing to read for them).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, replace
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool
from starlette.requests import HTTPConnection

from bioparity.api.deps import SAFE_METHODS, SESSION_COOKIE, write_unit
from bioparity.workspace.access import Actor
from bioparity.workspace.accounts import authenticate_page, session_language, touch_session
from bioparity.workspace.errors import AuthenticationError


class LoginRequiredError(Exception):
    """No valid session: the page redirects to the sign-in form."""


#: The request's open read-only session (``request.state``), shared by nested :func:`read_unit` blocks.
_OPEN = "bioparity_read_session"
#: What :func:`signed_in` found for the request (``request.state``): read once per request.
_SIGNED_IN = "bioparity_signed_in"


@dataclass
class _Held:
    """The request's read-only session and how many :func:`read_unit` blocks use it now (0: kept open
    by :func:`signed_in` for the page's reads)."""

    session: Session
    depth: int = 0


def _held(connection: HTTPConnection) -> _Held:
    """The request's open read-only session, opened now when there is none."""
    held: _Held | None = getattr(connection.state, _OPEN, None)
    if held is None:
        maker: sessionmaker[Session] = connection.app.state.web_read_sessions
        held = _Held(maker())
        setattr(connection.state, _OPEN, held)
    return held


def release(connection: HTTPConnection) -> None:
    """Close the request's read-only session, if open: its connection goes back to the pool (loaded
    objects stay readable: detached, not expired). The next :func:`read_unit` opens a new one."""
    held: _Held | None = getattr(connection.state, _OPEN, None)
    if held is not None:
        setattr(connection.state, _OPEN, None)
        held.session.close()


def holds_session(connection: HTTPConnection) -> bool:
    """Whether the request still has its read-only session open (see :func:`release`)."""
    return getattr(connection.state, _OPEN, None) is not None


@contextmanager
def read_unit(request: HTTPConnection) -> Iterator[Session]:
    """A read-only unit of work for page views (no write lock on SQLite; nothing is committed).

    Inside another ``read_unit`` of the same request (e.g. the menu rendered while the page's unit is
    open) the open session is reused: a request holds at most one connection at a time. The session
    :func:`signed_in` kept open is used too; the outermost block closes it when it ends.
    """
    held = _held(request)
    held.depth += 1
    try:
        yield held.session
    finally:
        held.depth -= 1
        if held.depth == 0:
            release(request)


@dataclass(frozen=True)
class SignedIn:
    """Who sent a page request: the user (None: not signed in), whether their session's last use is due to
    be recorded (idle timeout), their stored language (None: none, or no valid session) and their roles in
    their organisations (read with them: the menu's entries depend on them)."""

    actor: Actor | None
    touch_due: bool
    language: str | None
    roles: frozenset[str] = frozenset()


NOBODY = SignedIn(None, False, None)


def _read_signed_in(session: Session, token: str) -> SignedIn:
    try:
        found = authenticate_page(session, token)
    except AuthenticationError:
        # An expired or idle session still names the language of its user (the sign-in page keeps it).
        return SignedIn(None, False, session_language(session, token))
    return SignedIn(found.actor, found.touch_due, found.language, found.roles)


def _keep_open(connection: HTTPConnection, found: SignedIn) -> bool:
    """Whether the session that read ``found`` stays open for the page's reads (see the module)."""
    return found.actor is not None and not found.touch_due and connection.scope.get("method") in SAFE_METHODS


def signed_in(connection: HTTPConnection) -> SignedIn:
    """Who sent the request (by its session cookie), read once per request in the request's read-only
    session; kept open for the page's reads when :func:`_keep_open` says so, closed otherwise.

    Blocking: call it from a worker thread (the language middleware does, before the page runs)."""
    found: SignedIn | None = getattr(connection.state, _SIGNED_IN, None)
    if found is not None:
        return found
    token = connection.cookies.get(SESSION_COOKIE)
    if not token:
        found = NOBODY
    else:
        held = _held(connection)
        try:
            found = _read_signed_in(held.session, token)
        finally:
            if held.depth == 0 and (found is None or not _keep_open(connection, found)):
                release(connection)
    setattr(connection.state, _SIGNED_IN, found)
    return found


def signed_in_roles(connection: HTTPConnection, actor: Actor) -> frozenset[str] | None:
    """The roles of ``actor`` read with who is signed in, for a GET (or HEAD) page view, which changes
    nothing they depend on; None otherwise (read them now: e.g. a form post may just have changed them)."""
    found: SignedIn | None = getattr(connection.state, _SIGNED_IN, None)
    if found is None or found.actor is not actor or connection.scope.get("method") not in SAFE_METHODS:
        return None
    return found.roles


class PasswordChangeRedirectError(Exception):
    """The password was reset by an administrator: every page leads to the account page until changed."""


#: Pages a user whose password was reset may still open.
PASSWORD_CHANGE_PAGES = frozenset(
    {"/ui/account", "/ui/account/password", "/ui/account/language", "/ui/logout"}
)


def optional_actor(request: Request) -> Actor | None:
    found = signed_in(request)
    actor = found.actor
    if actor is not None and found.touch_due:
        # Record the use for the idle timeout (at most every TOUCH_SECONDS; a short write), once.
        setattr(request.state, _SIGNED_IN, replace(found, touch_due=False))
        with suppress(OperationalError):  # a busy store: the idle clock then runs from the previous use
            write_unit(request, lambda session: touch_session(session, actor.token_id))
    return actor


async def page_actor(request: Request) -> Actor:
    found: SignedIn | None = getattr(request.state, _SIGNED_IN, None)
    if found is None or found.touch_due:  # reads or writes the store: in a worker thread
        actor = await run_in_threadpool(optional_actor, request)
    else:  # read before the page by the language middleware: no thread hop
        actor = found.actor
    if actor is None:
        raise LoginRequiredError()
    if actor.must_change_password and request.url.path not in PASSWORD_CHANGE_PAGES:
        raise PasswordChangeRedirectError()
    request.state.actor = actor
    return actor


PageActor = Annotated[Actor, Depends(page_actor)]
