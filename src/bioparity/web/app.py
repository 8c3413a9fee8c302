"""Mounting the pages, the static files and the HTML error pages on the API's FastAPI app."""

from __future__ import annotations

import importlib.util
import inspect
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from bioparity.errors import BioparityError
from bioparity.i18n import gettext as _
from bioparity.store.engine import read_sessionmaker
from bioparity.web import (
    pages_account,
    pages_admin,
    pages_auth,
    pages_data,
    pages_market,
    pages_programs,
    pages_review,
)
from bioparity.web.csrf import require_csrf_token
from bioparity.web.language import LanguageMiddleware
from bioparity.web.notices import notice_redirect
from bioparity.web.session import LoginRequiredError, PasswordChangeRedirectError
from bioparity.web.templating import compile_templates, render_error

STATIC = Path(__file__).parent / "static"
UI = "/ui"


def _plotly_bundle() -> Path | None:
    """plotly.js as shipped inside the ``plotly`` Python package (nothing vendored in this repository)."""
    spec = importlib.util.find_spec("plotly")
    if spec is None or spec.origin is None:  # pragma: no cover - plotly is a dependency
        return None
    path = Path(spec.origin).parent / "package_data" / "plotly.min.js"
    return path if path.is_file() else None


async def _delegate(handler: Any, request: Request, exc: Exception) -> Response:
    """Call an exception handler that may be sync or async."""
    result = handler(request, exc)
    if inspect.isawaitable(result):
        result = await result
    assert isinstance(result, Response)
    return result


def install_web(app: FastAPI) -> None:
    """Add the pages under ``/ui``, static files, ``/``, ``/ui`` and ``/ui/`` redirecting to the programs,
    HTML error pages."""
    app.state.web_read_sessions = read_sessionmaker(app.state.engine)
    compile_templates()
    app.add_middleware(LanguageMiddleware)  # every page in its reader's language (see bioparity.web.language)
    app.mount(f"{UI}/static", StaticFiles(directory=STATIC), name="ui-static")
    bundle = _plotly_bundle()

    @app.get(f"{UI}/vendor/plotly.min.js", include_in_schema=False)
    def plotly_js() -> Response:
        if bundle is None:
            return Response("/* plotly is not installed */", media_type="text/javascript", status_code=404)
        return FileResponse(
            bundle, media_type="text/javascript", headers={"Cache-Control": "public, max-age=86400"}
        )

    @app.get("/", include_in_schema=False)
    @app.get(UI, include_in_schema=False)  # a typed-in /ui or /ui/ lands on the programs too, not on a 404
    @app.get(f"{UI}/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse(f"{UI}/programs", status_code=303)

    # Every page route checks the CSRF token of unsafe requests (forms write it with {{ csrf_field() }}).
    for module in (
        pages_auth,
        pages_programs,
        pages_data,
        pages_market,
        pages_admin,
        pages_account,
        pages_review,
    ):
        app.include_router(
            module.router, prefix=UI, include_in_schema=False, dependencies=[Depends(require_csrf_token)]
        )

    json_handler = app.exception_handlers.get(BioparityError)
    http_handler = app.exception_handlers.get(StarletteHTTPException)
    validation_handler = app.exception_handlers.get(RequestValidationError)

    async def bioparity_error(request: Request, exc: Exception) -> Response:
        if request.url.path.startswith(UI) and isinstance(exc, BioparityError):
            return render_error(request, exc)
        return await _delegate(json_handler, request, exc)

    async def login_required(request: Request, exc: Exception) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        from urllib.parse import quote

        return RedirectResponse(f"{UI}/login?next={quote(target, safe='')}", status_code=303)

    async def password_change(request: Request, exc: Exception) -> Response:
        notice = _("Your password was reset: choose a new one.")
        return notice_redirect(request, f"{UI}/account", notice)

    async def http_error(request: Request, exc: Exception) -> Response:
        if request.url.path.startswith(UI) and isinstance(exc, StarletteHTTPException):
            return render_error(request, exc)
        return await _delegate(http_handler, request, exc)

    async def invalid_request(request: Request, exc: Exception) -> Response:
        # A page form sent with a required field empty (browsers send "", FastAPI reads it as missing):
        # the error page naming the fields, not the API's JSON.
        if request.url.path.startswith(UI):
            return render_error(request, exc)
        return await _delegate(validation_handler, request, exc)

    app.add_exception_handler(BioparityError, bioparity_error)
    app.add_exception_handler(RequestValidationError, invalid_request)
    app.add_exception_handler(LoginRequiredError, login_required)
    app.add_exception_handler(PasswordChangeRedirectError, password_change)
    app.add_exception_handler(StarletteHTTPException, http_error)
