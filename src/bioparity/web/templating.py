"""The Jinja2 environment of the pages: filters for numbers, times and hashes, and the error page."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup
from sqlalchemy.exc import SQLAlchemyError
from starlette.exceptions import HTTPException as StarletteHTTPException

from bioparity import __version__
from bioparity.analyses.format import fmt_time, fmt_value
from bioparity.errors import BioparityError, DataFileError
from bioparity.report.tables import table_html
from bioparity.web.csrf import csrf_field, set_csrf_cookie
from bioparity.workspace.access import Actor
from bioparity.workspace.accounts import my_organisations
from bioparity.workspace.errors import (
    AuthenticationError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
)
from bioparity.workspace.roles import Role

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))


def to_json(value: Any) -> Markup:
    """JSON safe to embed in a ``<script type="application/json">`` element."""
    text = json.dumps(value, separators=(",", ":"), allow_nan=False)
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


TEMPLATES.env.filters["value"] = fmt_value
TEMPLATES.env.filters["time"] = fmt_time
TEMPLATES.env.filters["tojson_script"] = to_json
TEMPLATES.env.filters["short"] = lambda h: (h or "")[:12]
TEMPLATES.env.filters["table_html"] = table_html
TEMPLATES.env.globals["version"] = __version__


@pass_context
def _csrf_field(context: Context) -> Markup:
    """``{{ csrf_field() }}``: the hidden token field every ``<form method="post">`` must contain."""
    return csrf_field(context["request"])


TEMPLATES.env.globals["csrf_field"] = _csrf_field


def menu(request: Request, actor: Actor | None) -> list[tuple[str, str]]:
    """The main menu entries the signed-in user can use: the validation run only for organisation owners,
    organisations only for members of one (everyone else would find an empty or refusing page)."""
    if actor is None:
        return []
    from bioparity.web.session import read_unit

    try:
        with read_unit(request) as session:
            roles = {role for _, role in my_organisations(session, actor)}
    except SQLAlchemyError:  # an error page about the database must still render: the basic entries
        roles = set()
    entries = [("Programs", "/ui/programs"), ("Market scan", "/ui/market")]
    if roles:
        entries.append(("Organisations", "/ui/orgs"))
    if Role.owner.value in roles:
        entries.append(("Validation", "/ui/admin/validation"))
    return [*entries, ("Account", "/ui/account")]


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    context.setdefault("actor", getattr(request.state, "actor", None))
    context.setdefault("menu", menu(request, context["actor"]))
    response = TEMPLATES.TemplateResponse(request, template, context, status_code=status_code)
    set_csrf_cookie(request, response)
    return response


_STATUS: list[tuple[type[BioparityError], int, str]] = [
    (NotFoundError, 404, "Not found"),
    (PermissionDeniedError, 403, "Not allowed"),
    (AuthenticationError, 401, "Not signed in"),
    (ConflictError, 409, "Conflict"),
    (BioparityError, 422, "Invalid input"),
]


def render_error(request: Request, exc: Exception) -> HTMLResponse:
    if isinstance(exc, StarletteHTTPException):
        status, title, detail = exc.status_code, "Error", str(exc.detail)
        if status == 404:
            title, detail = "Not found", "There is no such page (or you may not see it)."
    else:
        status, title = next((code, t) for cls, code, t in _STATUS if isinstance(exc, cls))
        detail = str(exc)
    where = exc if isinstance(exc, DataFileError) else None
    return render(request, "error.html", status_code=status, title=title, detail=detail, where=where)
