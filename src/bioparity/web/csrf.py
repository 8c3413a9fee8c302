"""Cross-site request forgery protection of the pages: a synchronizer token in every form, checked centrally.

Every unsafe request (POST, PUT, PATCH, DELETE) to a page route must carry the token of the browser
session, as the form field ``csrf_token`` (templates write it with ``{{ csrf_field() }}``) or the header
``X-CSRF-Token``. The token is ``SHA-256("bioparity-csrf-v1:" + binding)`` where the binding is the
session cookie (HttpOnly, so a page of another origin can neither read it nor the token derived from it)
or, before sign-in, a random ``bioparity_csrf`` cookie set with the login form, so the sign-in form is
protected as well (login CSRF). :class:`~bioparity.api.middleware.HardeningMiddleware` in addition refuses
unsafe requests whose Origin or Referer names another origin. Both follow the OWASP Cross-Site Request
Forgery Prevention Cheat Sheet ("Synchronizer token pattern", "Verifying origin with standard headers",
"Login CSRF").

The check is a dependency of every router mounted under ``/ui`` (see :func:`bioparity.web.install_web`),
so a new form only needs ``{{ csrf_field() }}`` inside its ``<form method="post">``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from fastapi import Request
from fastapi.responses import Response
from markupsafe import Markup, escape

from bioparity.api.deps import SESSION_COOKIE, cookies_secure
from bioparity.i18n import gettext as _
from bioparity.workspace.errors import PermissionDeniedError

CSRF_COOKIE = "bioparity_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class CsrfError(PermissionDeniedError):
    """An unsafe page request without the token of this browser session (answered 403)."""


def session_binding(request: Request) -> str | None:
    """The secret this browser session's tokens are bound to: the session cookie, else the pre-sign-in
    cookie (both HttpOnly); None when the browser sent neither."""
    return request.cookies.get(SESSION_COOKIE) or request.cookies.get(CSRF_COOKIE) or None


def _token_for(binding: str) -> str:
    return hashlib.sha256(f"bioparity-csrf-v1:{binding}".encode()).hexdigest()


def csrf_token(request: Request) -> str:
    """The token forms of this page must send back; creates the pre-sign-in cookie when there is none."""
    binding = session_binding(request) or getattr(request.state, "new_csrf_cookie", None)
    if binding is None:
        binding = secrets.token_urlsafe(32)
        request.state.new_csrf_cookie = binding
    return _token_for(binding)


def csrf_field(request: Request) -> Markup:
    """``<input type="hidden" name="csrf_token" value="...">`` for a form of this page."""
    return Markup(f'<input type="hidden" name="{CSRF_FIELD}" value="{escape(csrf_token(request))}">')


def set_csrf_cookie(request: Request, response: Response) -> None:
    """Send the pre-sign-in cookie if :func:`csrf_token` created one while rendering this page."""
    value = getattr(request.state, "new_csrf_cookie", None)
    if value:
        response.set_cookie(
            CSRF_COOKIE, value, httponly=True, samesite="strict", secure=cookies_secure(request), path="/"
        )


async def require_csrf_token(request: Request) -> None:
    """Dependency of the page routers: refuse an unsafe request without this session's token."""
    if request.method not in UNSAFE_METHODS:
        return
    sent = request.headers.get(CSRF_HEADER)
    if sent is None:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            value = (await request.form()).get(CSRF_FIELD)
            sent = value if isinstance(value, str) else None
    binding = session_binding(request)
    if not sent or binding is None or not hmac.compare_digest(sent, _token_for(binding)):
        raise CsrfError(
            _(
                "this form has expired or did not come from this site (missing or wrong security token); "
                "reload the page and submit it again"
            )
        )
