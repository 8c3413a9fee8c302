"""Who is signed in: the session cookie of the API, read for page requests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from bioparity.api.deps import SESSION_COOKIE, unit_of_work
from bioparity.workspace.access import Actor
from bioparity.workspace.accounts import authenticate, session_touch_due, touch_session
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


class PasswordChangeRedirectError(Exception):
    """The password was reset by an administrator: every page leads to the account page until changed."""


#: Pages a user whose password was reset may still open.
PASSWORD_CHANGE_PAGES = frozenset(
    {"/ui/account", "/ui/account/password", "/ui/account/language", "/ui/logout"}
)


def optional_actor(request: Request) -> Actor | None:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    try:
        with read_unit(request) as session:
            actor = authenticate(session, token, touch=False)
            due = session_touch_due(session, actor.token_id)
    except AuthenticationError:
        return None
    if due:  # record the use for the idle timeout (at most every TOUCH_SECONDS; a short write)
        try:
            with unit_of_work(request) as session:
                touch_session(session, actor.token_id)
        except OperationalError:  # a busy store: the idle clock then runs from the previous use
            pass
    return actor


def page_actor(request: Request) -> Actor:
    actor = optional_actor(request)
    if actor is None:
        raise LoginRequiredError()
    if actor.must_change_password and request.url.path not in PASSWORD_CHANGE_PAGES:
        raise PasswordChangeRedirectError()
    request.state.actor = actor
    return actor


PageActor = Annotated[Actor, Depends(page_actor)]
