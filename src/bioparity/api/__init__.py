"""HTTP API of the workspace (FastAPI, JSON, OpenAPI at /openapi.json and /docs).

Authentication: POST /auth/login returns a session token (also an HttpOnly cookie) and POST /me/tokens
issues API tokens for scripts; send either as ``Authorization: Bearer <token>``. Every endpoint is
authorised by organisation and role; objects the caller may not see answer 404 like missing ones.

The application itself (the API plus the browser pages of :mod:`bioparity.web`, which build on this
package's request plumbing) is assembled by :func:`bioparity.server.create_app`.
"""
