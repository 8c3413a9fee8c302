"""Per-request plumbing: units of work, the authenticated caller and the session cookie.

Transactions are kept short so that one slow request cannot hold the store (on SQLite the write lock is
one per database): requests that do not change anything (GET, HEAD) read in a read-only transaction
(``BEGIN DEFERRED`` on SQLite, see :func:`bioparity.store.engine.read_sessionmaker`), authentication only
reads, and long work (parsing an upload, computing an analysis) runs between a read-only unit that checks
permissions and a short write unit (:func:`write_unit`) that stores the outcome.
"""

from __future__ import annotations

import ipaddress
import random
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Path, Query, Request, Response
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bioparity.api.schemas import UUID_PATTERN, AuditEventOut
from bioparity.store.engine import read_sessionmaker
from bioparity.store.models import AuditEvent
from bioparity.workspace import jobs
from bioparity.workspace.access import Actor
from bioparity.workspace.accounts import SESSION_HOURS, authenticate, session_touch_due, touch_session
from bioparity.workspace.errors import AuthenticationError, PasswordChangeRequiredError
from bioparity.workspace.jobs import AfterStore, RequestedJob
from bioparity.workspace.runner import JobRunner

SESSION_COOKIE = "bioparity_session"

#: Paging of audit rows (query parameters): the rows after a sequence number, at most so many at a time.
AfterSeq = Annotated[
    int, Query(ge=0, le=2_147_483_647, description="Return rows after this sequence number.")
]
Limit = Annotated[int, Query(ge=1, le=10_000, description="At most this many rows.")]
#: A service reading one scope's audit rows (:func:`~bioparity.workspace.accounts.org_audit`):
#: ``(session, actor, scope_id, after_seq=, limit=)``.
AuditReader = Callable[..., Sequence[AuditEvent]]
#: An object's id in a path (``/programs/{program_id}``): a UUID.
PathId = Annotated[str, Path(pattern=UUID_PATTERN)]

bearer_scheme = HTTPBearer(auto_error=False, description="A login session token or an API token.")
cookie_scheme = APIKeyCookie(name=SESSION_COOKIE, auto_error=False, description="Set by POST /auth/login.")


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
T = TypeVar("T")
#: How often a write that lost a race on a unique key (e.g. two new versions of one dataset) is retried.
WRITE_ATTEMPTS = 8


def _sessions(request: Request) -> sessionmaker[Session]:
    maker: sessionmaker[Session] = request.app.state.sessionmaker
    return maker


def read_sessions(request: Request) -> sessionmaker[Session]:
    """Read-only sessions on the app's engine (created once per app)."""
    maker: sessionmaker[Session] | None = getattr(request.app.state, "read_sessionmaker", None)
    if maker is None:
        maker = read_sessionmaker(request.app.state.engine)
        request.app.state.read_sessionmaker = maker
    return maker


@contextmanager
def read_unit(request: Request) -> Iterator[Session]:
    """A read-only transaction (no write lock on SQLite); nothing is committed."""
    # Closing the session (at the end of the block) ends the transaction; loaded objects stay readable
    # (detached, not expired).
    with read_sessions(request)() as session:
        yield session


@contextmanager
def unit_of_work(request: Request) -> Iterator[Session]:
    """One transaction: committed when the block ends normally, rolled back on any exception.

    For GET and HEAD requests it is read-only (see :func:`read_unit`).
    """
    if request.method in SAFE_METHODS:
        with read_unit(request) as session:
            yield session
        return
    with _write_transaction(request) as session:
        yield session


@contextmanager
def _write_transaction(request: Request) -> Iterator[Session]:
    """A write session: committed when the block ends normally, rolled back on any exception, closed."""
    with _sessions(request)() as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def audit_rows(
    request: Request, actor: Actor, read: AuditReader, scope_id: str, after_seq: int, limit: int
) -> list[AuditEventOut]:
    """One page of a scope's audit rows (``limit`` after sequence number ``after_seq``), read by ``read``
    (which also checks that ``actor`` may see them), as the API returns them."""
    with unit_of_work(request) as session:
        return [AuditEventOut.of(e) for e in read(session, actor, scope_id, after_seq=after_seq, limit=limit)]


def job_runner(request: Request) -> JobRunner:
    """The app's runner of background analyses (``bioparity.server.create_app`` sets it up)."""
    runner: JobRunner = request.app.state.jobs
    return runner


def write_unit(request: Request, work: Callable[[Session], T], *, attempts: int = WRITE_ATTEMPTS) -> T:
    """Run ``work`` in its own write transaction, retried when it loses a race on a unique key.

    ``work`` must read what it depends on inside the transaction (a retry sees the other writer's row,
    e.g. the next dataset version number). Waits grow from about 10 ms with random jitter; after
    ``attempts`` the IntegrityError propagates (answered 409).
    """
    for attempt in range(attempts):
        try:
            with _write_transaction(request) as session:
                return work(session)
        except IntegrityError:
            if attempt == attempts - 1:
                raise
        time.sleep(random.uniform(0.005, 0.015) * 2 ** min(attempt, 5))
    raise AssertionError("unreachable")  # pragma: no cover


def request_run(
    request: Request,
    actor: Actor,
    dataset_id: str,
    kind: str,
    options: Mapping[str, Any] | None,
    *,
    after_store: AfterStore | None = None,
    request_key: str | None = None,
) -> RequestedJob:
    """Record a run request in its own write transaction (:func:`bioparity.workspace.jobs.create_job`:
    checked at once, a refusal raises and records nothing) and hand a new job to the app's runner;
    ``request_key`` sent before with the same request answers the job it recorded then (nothing new).
    ``after_store`` runs in the transaction that stores the run."""
    runner = job_runner(request)
    requested = write_unit(
        request,
        lambda session: jobs.create_job(
            session,
            actor,
            dataset_id,
            kind,
            options,
            executor=runner.description(kind),
            request_key=request_key,
        ),
    )
    if requested.new:
        runner.submit(requested.job.id, actor, after_store)
    return requested


def cookies_secure(request: Request) -> bool:
    """Whether cookies are marked Secure: as configured (``secure_cookies`` / BIOPARITY_SECURE_COOKIES),
    else yes unless the server listens on a loopback address (plain http://127.0.0.1 development)."""
    configured: bool | None = getattr(request.app.state, "secure_cookies", None)
    if configured is not None:
        return configured
    server = request.scope.get("server")
    host = str(server[0]) if server else ""
    if host in ("localhost", "testserver"):  # "testserver": the in-process test client, no socket
        return False
    try:
        return not ipaddress.ip_address(host).is_loopback
    except ValueError:
        return True


def _session_seconds(request: Request) -> int:
    """The absolute session lifetime of the app's account policy (default SESSION_HOURS)."""
    policy = getattr(request.app.state, "account_policy", None)
    hours = float(policy.session_hours) if policy is not None else float(SESSION_HOURS)
    return int(hours * 3600)


def set_session_cookie(response: Response, request: Request, secret: str) -> None:
    """The session cookie: HttpOnly, SameSite=Strict, Secure (see :func:`cookies_secure`), path /."""
    response.set_cookie(
        SESSION_COOKIE,
        secret,
        httponly=True,
        samesite="strict",
        secure=cookies_secure(request),
        max_age=_session_seconds(request),
        path="/",
    )


def clear_session_cookie(response: Response, request: Request) -> None:
    """Delete the session cookie with the same attributes it was set with (browsers match on them)."""
    response.delete_cookie(
        SESSION_COOKIE, path="/", secure=cookies_secure(request), httponly=True, samesite="strict"
    )


def request_token(bearer: HTTPAuthorizationCredentials | None, cookie: str | None) -> str | None:
    if bearer is not None and bearer.credentials:
        return bearer.credentials
    return cookie or None


def current_actor(
    request: Request,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
    cookie: Annotated[str | None, Depends(cookie_scheme)],
) -> Actor:
    token = request_token(bearer, cookie)
    if token is None:
        raise AuthenticationError(
            "not authenticated: send 'Authorization: Bearer <token>' (POST /auth/login)"
        )
    # Read-only authentication (no SQLite write lock); the idle-timeout clock is recorded in a short write
    # only when due (at most every 30 s per session).
    with read_unit(request) as session:
        actor = authenticate(session, token, touch=False)
        due = session_touch_due(session, actor.token_id)
    if due:
        write_unit(request, lambda s: touch_session(s, actor.token_id))
    if actor.must_change_password and request.url.path not in PASSWORD_CHANGE_PATHS:
        raise PasswordChangeRequiredError(
            "your password was reset by an administrator: change it first (POST /me/password)"
        )
    return actor


#: What a user whose password was reset may still do (21 CFR 11.300(b): the temporary password is
#: replaced before the account is used).
PASSWORD_CHANGE_PATHS = frozenset({"/me/password", "/auth/logout", "/me"})


CurrentActor = Annotated[Actor, Depends(current_actor)]
Bearer = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)]
Cookie = Annotated[str | None, Depends(cookie_scheme)]


def client_address(request: Request) -> str:
    """The peer address the throttling counts failures of (the proxy's, behind a reverse proxy)."""
    return request.client.host if request.client is not None else ""
