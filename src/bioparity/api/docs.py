"""``/docs``: Swagger UI served from this package, never from a CDN.

The workspace runs on networks without internet access (and its Content-Security-Policy allows only
``'self'``), so the Swagger UI 5 script and stylesheet are vendored under ``web/static/vendor/swagger-ui``
(from the npm package ``swagger-ui-dist``; Apache License 2.0, SmartBear Software; see PROVENANCE.txt,
LICENSE and NOTICE there). Version 5 is needed: FastAPI's schema is OpenAPI 3.1.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, Response

DOCS_ASSETS = "/docs-assets"
STATIC = Path(__file__).resolve().parents[1] / "web" / "static"
SWAGGER_UI = STATIC / "vendor" / "swagger-ui"
FAVICON = STATIC / "favicon.svg"
FAVICON_URL = "/favicon.ico"
_FILES = {
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui.css": "text/css",
}


def swagger_ui_folder() -> Path | None:
    """The folder holding the vendored ``swagger-ui-bundle.js`` and ``swagger-ui.css``."""
    folder = SWAGGER_UI
    return folder if (folder / "swagger-ui-bundle.js").is_file() else None


def install_docs(app: FastAPI) -> None:
    """Add ``/docs`` (Swagger UI with local assets), its assets under ``/docs-assets/`` and the favicon."""
    folder = swagger_ui_folder()

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{app.title} - API",
            swagger_js_url=f"{DOCS_ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{DOCS_ASSETS}/swagger-ui.css",
            swagger_favicon_url=FAVICON_URL,
        )

    @app.get(FAVICON_URL, include_in_schema=False)
    def favicon() -> Response:
        """The workspace icon (SVG) for browsers that ask for ``/favicon.ico`` on their own."""
        return FileResponse(
            FAVICON, media_type="image/svg+xml", headers={"Cache-Control": "public, max-age=86400"}
        )

    @app.get(DOCS_ASSETS + "/{name}", include_in_schema=False)
    def docs_asset(name: str) -> Response:
        if folder is None or name not in _FILES:
            return Response(status_code=404)
        return FileResponse(
            folder / name, media_type=_FILES[name], headers={"Cache-Control": "public, max-age=86400"}
        )
