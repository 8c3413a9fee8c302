"""Notices passed to the next page through a redirect (``?message=...``, ``?error=...``), signed for the
browser session the redirect answers.

After a form post a page is shown with a notice ("Password changed.", "Not applied: ..."). The notice
travels in the query of the redirect, so anyone can write such a link: ``/ui/account?message=Your account
is locked, call +1 ...`` showed that text on our page, in our notice style (escaped, but believable). A
page now shows a notice only when the query's ``notice_sig`` is the HMAC-SHA256 (RFC 2104) of the notice
texts keyed with this browser's session secret: the session cookie, or before sign-in the random
pre-sign-in cookie (the binding of the CSRF token, :func:`bioparity.web.csrf.session_binding`). Both are
HttpOnly, so neither another site nor a script can learn them, and a link crafted elsewhere shows no
notice. Keying with the session rather than a server-wide secret also means that a signed notice taken from
the author's own session (one that quotes a name they chose, e.g. of a program) is valid in no one
else's. A notice whose signature does not verify is left out silently: the page is shown as without it.

Handlers take the verified notice as ``message: Notice`` (``error: ErrorNotice``) and post-form handlers
redirect with :func:`notice_redirect` (or put :func:`notice_query` in a URL of their own).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Annotated
from urllib.parse import urlencode

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse

from bioparity.web.csrf import session_binding

#: The query parameters a notice travels in, and the one of its signature.
NOTICE_FIELDS = ("message", "error")
SIGNATURE_FIELD = "notice_sig"
#: What the MAC is for (so that it can never stand for a MAC of anything else keyed with the session).
_PURPOSE = "bioparity-notice-v1\n"


def _mac(binding: str, notices: Mapping[str, str]) -> str:
    texts = json.dumps([notices.get(field, "") for field in NOTICE_FIELDS], ensure_ascii=False)
    return hmac.new(binding.encode(), (_PURPOSE + texts).encode(), hashlib.sha256).hexdigest()


def notice_query(request: Request, *, message: str = "", error: str = "") -> dict[str, str]:
    """The query parameters that show ``message`` (and/or ``error``, both given translated) on the next
    page this browser session opens; empty when there is nothing to show or no session to sign for."""
    notices = {field: text for field, text in (("message", message), ("error", error)) if text}
    binding = session_binding(request)
    if not notices or binding is None:
        return {}
    return {**notices, SIGNATURE_FIELD: _mac(binding, notices)}


def notice_redirect(request: Request, path: str, message: str) -> RedirectResponse:
    """After a form post: see ``path`` (303 See Other) showing ``message`` (see :func:`notice_query`)."""
    query = urlencode(notice_query(request, message=message))
    return RedirectResponse(f"{path}{'&' if '?' in path else '?'}{query}" if query else path, status_code=303)


def shown_notices(request: Request) -> dict[str, str]:
    """The notices of this page request (``message``, ``error``) when signed for this browser session;
    empty otherwise."""
    params = request.query_params
    notices = {field: params[field] for field in NOTICE_FIELDS if params.get(field)}
    binding = session_binding(request)
    if not notices or binding is None:
        return {}
    sent = params.get(SIGNATURE_FIELD, "").encode()
    return notices if hmac.compare_digest(sent, _mac(binding, notices).encode()) else {}


def _message(request: Request) -> str:
    return shown_notices(request).get("message", "")


def _error(request: Request) -> str:
    return shown_notices(request).get("error", "")


#: The signed ``message`` of a page request ("" when none, or not signed for this session).
Notice = Annotated[str, Depends(_message)]
#: The signed ``error`` of a page request ("" when none, or not signed for this session).
ErrorNotice = Annotated[str, Depends(_error)]
