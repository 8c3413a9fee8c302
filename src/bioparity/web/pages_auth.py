"""Sign in and sign out (the same session tokens and cookie as ``POST /auth/login``), and the language
switch of the sign-in page."""

from __future__ import annotations

import math
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from bioparity.api.deps import (
    SESSION_COOKIE,
    clear_session_cookie,
    client_address,
    set_session_cookie,
    unit_of_work,
)
from bioparity.i18n import gettext as _
from bioparity.web.forms import FormText
from bioparity.web.language import remember_language
from bioparity.web.session import optional_actor, read_unit
from bioparity.web.templating import render
from bioparity.workspace import accounts
from bioparity.workspace.errors import AccountLockedError, AuthenticationError, ThrottledError

router = APIRouter()


def _safe_next(target: str) -> str:
    # Only paths of this site (no scheme, no host, no protocol-relative URL).
    return target if target.startswith("/ui/") and not target.startswith("//") else "/ui/programs"


@router.get("/login")
def login_form(request: Request, next: str = "/ui/programs") -> Response:
    if optional_actor(request) is not None:
        return RedirectResponse(_safe_next(next), status_code=303)
    return render(request, "login.html", next=_safe_next(next), actor=None)


@router.post("/login")
def login(
    request: Request,
    username: FormText,
    password: FormText,
    next: FormText = "/ui/programs",
) -> Response:
    try:
        with unit_of_work(request) as session:
            _token, secret = accounts.login(
                session, username.strip(), password, client=client_address(request)
            )
    except (AuthenticationError, ThrottledError) as exc:
        if isinstance(exc, ThrottledError):
            wait = math.ceil(exc.retry_after)
            status, error = (
                429,
                _("Too many failed attempts: try again in %(seconds)d s.") % {"seconds": wait},
            )
        elif isinstance(exc, AccountLockedError):
            status, error = (
                401,
                _("This account is locked after too many failed attempts; ask your administrator."),
            )
        else:
            status, error = 401, _("Invalid user name or password.")
        page: HTMLResponse = render(
            request,
            "login.html",
            status_code=status,
            next=_safe_next(next),
            username=username,
            error=error,
            actor=None,
        )
        if isinstance(exc, ThrottledError):
            page.headers["Retry-After"] = str(max(1, math.ceil(exc.retry_after)))
        return page
    response = RedirectResponse(_safe_next(next), status_code=303)
    set_session_cookie(response, request, secret)
    with read_unit(request) as session:  # the sign-in page after signing out keeps the user's language
        language = accounts.session_language(session, secret)
    if language:
        remember_language(request, response, language)
    return response


@router.post("/language")
def choose_language(request: Request, language: FormText, next: FormText = "/ui/programs") -> Response:
    """The language switch of the sign-in page: kept in this browser (a signed-in user's stored
    preference, set on the account page, still decides the pages after sign-in)."""
    response = RedirectResponse(f"/ui/login?next={quote(_safe_next(next), safe='')}", status_code=303)
    remember_language(request, response, language)
    return response


@router.post("/logout")
def logout(request: Request) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    actor = optional_actor(request)
    if actor is not None and token:
        with unit_of_work(request) as session:
            accounts.logout(session, actor, token)
    response = RedirectResponse("/ui/login", status_code=303)
    clear_session_cookie(response, request)
    return response
