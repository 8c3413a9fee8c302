"""Who is signed in: the session cookie of the API, read for page requests."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from bioparity.api.deps import SESSION_COOKIE, unit_of_work
from bioparity.workspace.access import Actor
from bioparity.workspace.accounts import authenticate
from bioparity.workspace.errors import AuthenticationError


class LoginRequiredError(Exception):
    """No valid session: the page redirects to the sign-in form."""


def optional_actor(request: Request) -> Actor | None:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    try:
        with unit_of_work(request) as session:
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
