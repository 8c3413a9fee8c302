"""ASGI middleware of the workspace server: request-body limits, the Origin check, security headers, HEAD.

* **Body limits** are enforced before the application reads anything: a declared ``Content-Length`` above
  the route's limit is answered 413 at once; a body sent without a length (chunked) is counted while it
  streams and cut off at the limit. Upload routes allow a file of :data:`~bioparity.workspace.datasets.
  MAX_UPLOAD_BYTES` (base64 in JSON, or multipart), every other route :data:`DEFAULT_BODY_LIMIT`
  (OWASP ASVS 4.0.3 V12.1.1 "the application will not accept large files that could fill up storage or
  cause a denial of service"; OWASP API Security Top 10 2023, API4 "Unrestricted resource consumption").
* **Origin check**: an unsafe request (POST, PUT, PATCH, DELETE) whose ``Origin`` (or, without one, whose
  ``Referer``) names another origin than the one it was sent to is refused with 403 (OWASP CSRF Prevention
  Cheat Sheet, "Verifying origin with standard headers"). Pages on another port of the same host are
  another origin (RFC 6454 section 4), though the same *site* for SameSite cookies.
* **Headers** on every response: Content-Security-Policy, ``X-Frame-Options: DENY``,
  ``X-Content-Type-Options: nosniff``, ``Referrer-Policy: same-origin`` and, except for static files,
  ``Cache-Control: no-store`` (OWASP Secure Headers Project; OWASP ASVS 4.0.3 V14.4).
* **HEAD** is answered like GET without the body (RFC 9110 section 9.3.2).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import urlsplit

from bioparity.workspace.datasets import MAX_UPLOAD_BYTES

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: Every request body except uploads: JSON objects and form posts are small.
DEFAULT_BODY_LIMIT = 1024 * 1024
#: An upload: the file as base64 inside JSON (4/3 of its size) plus room for the other fields.
UPLOAD_BODY_LIMIT = (MAX_UPLOAD_BYTES * 4) // 3 + 1024 * 1024
#: (method, path pattern, limit in bytes): routes that accept more than DEFAULT_BODY_LIMIT.
BODY_LIMITS: list[tuple[str, re.Pattern[str], int]] = [
    ("POST", re.compile(r"^/studies/[^/]+/datasets/?$"), UPLOAD_BODY_LIMIT),
    ("POST", re.compile(r"^/ui/studies/[^/]+/upload/?$"), UPLOAD_BODY_LIMIT),
]

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)
#: Swagger UI (/docs) loads its script and styles from this server (vendored under web/static/vendor,
#: see bioparity.api.docs) and runs one inline script.
DOCS_CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS: list[tuple[bytes, bytes]] = [
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
]
#: Paths whose responses may be cached (they set their own Cache-Control).
CACHEABLE_PREFIXES = ("/ui/static/", "/ui/vendor/")


def body_limit(method: str, path: str) -> int:
    """The largest request body accepted for ``method path``."""
    for route_method, pattern, limit in BODY_LIMITS:
        if method == route_method and pattern.match(path):
            return limit
    return DEFAULT_BODY_LIMIT


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return bytes(value).decode("latin-1")
    return None


def _default_port(scheme: str) -> int:
    return 443 if scheme in ("https", "wss") else 80


def _netloc(url: str) -> tuple[str, int] | None:
    """(host, port) of an absolute URL, with the scheme's default port filled in; None if not a URL."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if not parts.scheme or not parts.hostname:
        return None
    return parts.hostname.lower(), port or _default_port(parts.scheme)


def _own_netlocs(scope: Scope) -> set[tuple[str, int]]:
    """Where the request was sent: its Host header (with the default ports of http and https, because a
    TLS proxy in front of the server changes the scheme), or the server's own address."""
    host = _header(scope, b"host")
    if host is None:
        server = scope.get("server") or ("", 0)
        return {(str(server[0]).lower(), int(server[1] or 80))}
    parsed = _netloc(f"http://{host}")
    if parsed is None:
        return set()
    if ":" in host.rsplit("]", 1)[-1]:
        return {parsed}
    return {(parsed[0], 80), (parsed[0], 443)}


def cross_origin(scope: Scope) -> str | None:
    """The foreign origin an unsafe request came from, or None if it is same-origin or says nothing.

    ``Origin: null`` (sandboxed frames, some redirects) counts as foreign.
    """
    origin = _header(scope, b"origin")
    source = origin if origin is not None else _header(scope, b"referer")
    if source is None:
        return None
    if source.strip() == "null":
        return "null"
    netloc = _netloc(source.strip())
    if netloc is None or netloc not in _own_netlocs(scope):
        return source
    return None


async def _plain(
    send: Send, status: int, text: str, headers: list[tuple[bytes, bytes]] | None = None
) -> None:
    body = ('{"detail": "' + text.replace('"', "'") + '"}').encode("utf-8")
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
                *SECURITY_HEADERS,
                *(headers or []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class BodyTooLargeError(Exception):
    """Raised inside ``receive`` when a streamed body passes its limit."""


class HardeningMiddleware:
    """Body limits, the Origin check on unsafe methods, security headers and HEAD, in one ASGI layer."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method = str(scope["method"]).upper()
        path = str(scope.get("path", ""))
        if method in UNSAFE_METHODS:
            foreign = cross_origin(scope)
            if foreign is not None:
                await _plain(
                    send,
                    403,
                    f"cross-origin request refused: sent from {foreign[:200]!r}, not from this site",
                )
                return
        limit = body_limit(method, path)
        declared = _header(scope, b"content-length")
        if declared is not None:
            try:
                length = int(declared)
            except ValueError:
                await _plain(send, 400, "Content-Length is not a number")
                return
            if length > limit:
                await _plain(
                    send, 413, f"request body too large: {length} bytes; this route accepts at most {limit}"
                )
                return

        received = 0
        too_large = False

        async def limited_receive() -> Message:
            nonlocal received, too_large
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    too_large = True
                    raise BodyTooLargeError()
            return message

        head = method == "HEAD"
        if head:
            scope = dict(scope, method="GET")
        started = False
        cacheable = path.startswith(CACHEABLE_PREFIXES)
        csp = DOCS_CONTENT_SECURITY_POLICY if path == "/docs" else CONTENT_SECURITY_POLICY

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if too_large:  # the app turned the cut-off body into its own error: answer 413 instead
                if message["type"] == "http.response.start" and not started:
                    started = True
                    await _plain(
                        send, 413, f"request body too large: this route accepts at most {limit} bytes"
                    )
                return
            if message["type"] == "http.response.start":
                started = True
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() not in _REPLACED]
                headers += SECURITY_HEADERS
                headers.append((b"content-security-policy", csp.encode()))
                if not cacheable:
                    headers = [(k, v) for k, v in headers if k.lower() != b"cache-control"]
                    headers.append((b"cache-control", b"no-store"))
                message = dict(message, headers=headers)
            elif message["type"] == "http.response.body" and head:
                message = dict(message, body=b"")
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except BodyTooLargeError:
            if not started:
                await _plain(send, 413, f"request body too large: this route accepts at most {limit} bytes")


_REPLACED = frozenset(
    {
        b"x-frame-options",
        b"x-content-type-options",
        b"referrer-policy",
        b"content-security-policy",
    }
)
