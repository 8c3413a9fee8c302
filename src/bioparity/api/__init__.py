"""HTTP API of the workspace (FastAPI, JSON, OpenAPI at /openapi.json and /docs).

Authentication: POST /auth/login returns a session token (also an HttpOnly cookie) and POST /me/tokens
issues API tokens for scripts; send either as ``Authorization: Bearer <token>``. Every endpoint is
authorised by organisation and role; objects the caller may not see answer 404 like missing ones.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bioparity.api.app import create_app

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    # Imported on first use, so that light modules of this package (bioparity.api.settings) do not pull
    # in the whole application.
    if name == "create_app":
        from bioparity.api.app import create_app

        return create_app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
