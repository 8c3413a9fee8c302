"""``/docs``: Swagger UI served from the installed ``swagger-ui-bundle`` package, never from a CDN.

The workspace runs on networks without internet access (and its Content-Security-Policy allows only
``'self'``), so the Swagger UI script and stylesheet come from the ``swagger_ui_bundle`` Python package
(Swagger UI, Apache License 2.0, SmartBear Software; the licence ships in that package's dist-info).
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, Response

DOCS_ASSETS = "/docs-assets"
FAVICON = Path(__file__).resolve().parents[1] / "web" / "static" / "favicon.svg"
FAVICON_URL = "/favicon.ico"
_FILES = {
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui.css": "text/css",
    "favicon-32x32.png": "image/png",
}


def swagger_ui_folder() -> Path | None:
    """The folder holding ``swagger-ui-bundle.js`` and ``swagger-ui.css`` in the installed package."""
    try:
        import swagger_ui_bundle
    except ImportError:  # pragma: no cover - a declared dependency
        return None
    folder = Path(str(swagger_ui_bundle.swagger_ui_path))
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
