"""Who is signed in: the session cookie of the API, read for page requests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session, sessionmaker

from bioparity.api.deps import SESSION_COOKIE
from bioparity.workspace.access import Actor
from bioparity.workspace.accounts import authenticate
from bioparity.workspace.errors import AuthenticationError


class LoginRequiredError(Exception):
    """No valid session: the page redirects to the sign-in form."""


@contextmanager
def read_unit(request: Request) -> Iterator[Session]:
    """A read-only unit of work for page views (no write lock on SQLite; nothing is committed)."""
    maker: sessionmaker[Session] = request.app.state.web_read_sessions
    session = maker()
    try:
        yield session
    finally:
        session.close()  # ends the transaction; loaded objects stay readable (detached, not expired)


def optional_actor(request: Request) -> Actor | None:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    try:
        with read_unit(request) as session:
            return authenticate(session, token)
    except AuthenticationError:
        return None


def page_actor(request: Request) -> Actor:
    actor = optional_actor(request)
    if actor is None:
        raise LoginRequiredError()
    request.state.actor = actor
    return actor


PageActor = Annotated[Actor, Depends(page_actor)]
