"""Per-request plumbing: the unit of work (one transaction per request) and the authenticated caller."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session, sessionmaker

from bioparity.workspace.access import Actor
from bioparity.workspace.accounts import authenticate
from bioparity.workspace.errors import AuthenticationError, PasswordChangeRequiredError

SESSION_COOKIE = "bioparity_session"

bearer_scheme = HTTPBearer(auto_error=False, description="A login session token or an API token.")
cookie_scheme = APIKeyCookie(name=SESSION_COOKIE, auto_error=False, description="Set by POST /auth/login.")


def _sessions(request: Request) -> sessionmaker[Session]:
    maker: sessionmaker[Session] = request.app.state.sessionmaker
    return maker


@contextmanager
def unit_of_work(request: Request) -> Iterator[Session]:
    """One transaction: committed when the block ends normally, rolled back on any exception."""
    session = _sessions(request)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


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
    with unit_of_work(request) as session:
        actor = authenticate(session, token)
    if actor.must_change_password and request.url.path not in PASSWORD_CHANGE_PATHS:
        raise PasswordChangeRequiredError(
            "your password was reset by an administrator: change it first (POST /me/password)"
        )
    return actor


#: What a user whose password was reset may still do (21 CFR 11.300(b): the temporary password is
#: replaced before the account is used).
PASSWORD_CHANGE_PATHS = frozenset({"/me/password", "/auth/logout", "/me"})


def client_address(request: Request) -> str:
    """The peer address the throttling counts failures of (the proxy's, behind a reverse proxy)."""
    return request.client.host if request.client is not None else ""


CurrentActor = Annotated[Actor, Depends(current_actor)]
Bearer = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)]
Cookie = Annotated[str | None, Depends(cookie_scheme)]
