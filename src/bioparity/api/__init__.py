"""HTTP API of the workspace (FastAPI, JSON, OpenAPI at /openapi.json and /docs).

Authentication: POST /auth/login returns a session token (also an HttpOnly cookie) and POST /me/tokens
issues API tokens for scripts; send either as ``Authorization: Bearer <token>``. Every endpoint is
authorised by organisation and role; objects the caller may not see answer 404 like missing ones.
"""

from bioparity.api.app import create_app

__all__ = ["create_app"]
