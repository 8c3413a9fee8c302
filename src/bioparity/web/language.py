"""The language of each page: chosen once per request, before any page code runs.

The rule, in order:

1. a signed-in user (a valid session cookie) reads their stored preference (the account page sets it);
2. before sign-in, the language chosen with the switch on the sign-in page (the ``bioparity_lang`` cookie,
   also set at sign-in and by the account page, so that the sign-in page after signing out keeps it);
3. otherwise the first offered language of the browser's ``Accept-Language`` header;
4. otherwise English.

Only the pages under ``/ui`` are translated: the JSON API always answers in English with language-neutral
fields, whatever the request says.

References
----------
RFC 9110, HTTP Semantics, section 12.5.4 "Accept-Language"; RFC 4647, Matching of Language Tags,
section 3 (priority list by quality value); W3C, "Declaring language in HTML" (the ``lang`` attribute).
"""

from __future__ import annotations

import anyio
from starlette.concurrency import run_in_threadpool
from starlette.requests import HTTPConnection, Request
from starlette.responses import Response

from bioparity.api.deps import SESSION_COOKIE, cookies_secure
from bioparity.api.middleware import ASGIApp, Receive, Scope, Send
from bioparity.i18n import DEFAULT_LANGUAGE, normalise_language, offered_language, use_language
from bioparity.web.session import holds_session, release, signed_in

LANGUAGE_COOKIE = "bioparity_lang"
#: A year: the choice of a browser outlives its sessions.
LANGUAGE_COOKIE_SECONDS = 365 * 24 * 3600
#: Requests that render no text (static files, the plotting library).
UNTRANSLATED_PREFIXES = ("/ui/static/", "/ui/vendor/")


def accept_language(header: str | None) -> str | None:
    """The offered language a browser prefers most, from its ``Accept-Language`` header (RFC 9110).

    Ranges are tried by descending quality value (``q``; 1 when absent; ties keep the header's order);
    ``*`` and ranges with ``q=0`` are ignored.

    Parameters
    ----------
    header : str or None
        The header value, e.g. ``"zh-CN,zh;q=0.9,en;q=0.8"``.

    Returns
    -------
    str or None
        A tag of :data:`bioparity.i18n.LANGUAGES`, or None when no range is offered.

    Examples
    --------
    >>> accept_language("de-DE,zh-CN;q=0.9,en;q=0.8")
    'zh-CN'
    >>> accept_language("fr, en;q=0") is None
    True
    """
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate((header or "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality > 0 and tag.strip() != "*":
            ranked.append((-quality, index, tag.strip()))
    return next((found for *_, tag in sorted(ranked) if (found := offered_language(tag))), None)


def _stored(connection: HTTPConnection) -> str | None:
    """The stored language of the session's user (read with who is signed in, once per request)."""
    if getattr(connection.app.state, "web_read_sessions", None) is None:
        return None
    return offered_language(signed_in(connection).language)


async def request_language(connection: HTTPConnection) -> str:
    """The language of a page request, by the rule of this module."""
    if connection.cookies.get(SESSION_COOKIE):
        stored = await run_in_threadpool(_stored, connection)
        if stored:
            return stored
    chosen = offered_language(connection.cookies.get(LANGUAGE_COOKIE))
    return chosen or accept_language(connection.headers.get("accept-language")) or DEFAULT_LANGUAGE


def remember_language(request: Request, response: Response, language: str) -> None:
    """Keep ``language`` in this browser (the sign-in page reads it before anyone is signed in)."""
    response.set_cookie(
        LANGUAGE_COOKIE,
        normalise_language(language),
        max_age=LANGUAGE_COOKIE_SECONDS,
        httponly=True,
        samesite="lax",
        secure=cookies_secure(request),
        path="/",
    )


class LanguageMiddleware:
    """Translate every page request under ``/ui`` into the language of :func:`request_language`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = str(scope.get("path", ""))
        if scope["type"] != "http" or not path.startswith("/ui") or path.startswith(UNTRANSLATED_PREFIXES):
            await self.app(scope, receive, send)
            return
        connection = HTTPConnection(scope)
        try:
            language = await request_language(connection)
            with use_language(language):
                await self.app(scope, receive, send)
        finally:
            # The session read who is signed in, kept open for a page that then read nothing (a redirect).
            if holds_session(connection):
                with anyio.CancelScope(shield=True):  # also when the client went away: the connection returns
                    await run_in_threadpool(release, connection)
