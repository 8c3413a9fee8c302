"""How refusals become HTTP responses: one JSON shape ``{"detail": ...}`` for every error."""

from __future__ import annotations

import math
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from bioparity.api.schemas import ErrorOut
from bioparity.errors import BioparityError, DataFileError
from bioparity.workspace.errors import (
    AuthenticationError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    ThrottledError,
)

ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorOut, "description": "Not authenticated"},
    403: {"model": ErrorOut, "description": "Your role does not allow this"},
    404: {"model": ErrorOut, "description": "Not found (or not visible to you)"},
    409: {"model": ErrorOut, "description": "Conflicts with the current state"},
    422: {"model": ErrorOut, "description": "Invalid input; the message says where and what was expected"},
    429: {"model": ErrorOut, "description": "Too many failed password attempts; see Retry-After"},
    503: {
        "model": ErrorOut,
        "description": "The store is busy or unreachable; retry after Retry-After seconds",
    },
}
#: Seconds a client is asked to wait when the store is busy.
RETRY_AFTER_SECONDS = 2

_STATUS: list[tuple[type[BioparityError], int]] = [
    (ThrottledError, 429),
    (NotFoundError, 404),
    (PermissionDeniedError, 403),
    (AuthenticationError, 401),
    (ConflictError, 409),
    (BioparityError, 422),
]


def _body(detail: str, **extra: Any) -> dict[str, Any]:
    return ErrorOut(detail=detail, **extra).model_dump(exclude_none=True)


async def _bioparity_error(request: Request, exc: Exception) -> JSONResponse:
    status = next(code for cls, code in _STATUS if isinstance(exc, cls))
    extra: dict[str, Any] = {}
    if isinstance(exc, DataFileError):
        extra = {
            "file": exc.file,
            "row": exc.row,
            "line": exc.line,
            "column": exc.column,
            "key": exc.key,  # the place in a JSON file (rows[0][8]), which has no rows or lines
            "expected": exc.expected,
        }
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    if isinstance(exc, ThrottledError):
        headers = {"Retry-After": str(max(1, math.ceil(exc.retry_after)))}
    return JSONResponse(_body(str(exc), **extra), status_code=status, headers=headers)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    problems = [
        {
            "loc": [str(p) for p in err.get("loc", ())],
            "msg": str(err.get("msg", "")),
            "type": str(err.get("type", "")),
        }
        for err in exc.errors()
    ]
    summary = "; ".join(f"{'.'.join(p['loc'])}: {p['msg']}" for p in problems[:5])
    return JSONResponse(_body(f"invalid request: {summary}", problems=problems), status_code=422)


async def _integrity_error(request: Request, exc: Exception) -> JSONResponse:
    return JSONResponse(_body("the change conflicts with a concurrent change; retry"), status_code=409)


#: PostgreSQL SQLSTATE classes and codes meaning "not now": connection exceptions (08), insufficient
#: resources (53), lock not available, query canceled by a timeout, serialization failure, deadlock.
_PG_TRANSIENT = ("08", "53", "55P03", "57014", "57P01", "40001", "40P01")


def store_busy_detail(exc: Exception) -> str | None:
    """What to tell the user when the database refused the work for now (locked, timed out, unreachable);
    None when the error is not transient (then it is a defect and answered 500)."""
    if isinstance(exc, PoolTimeoutError):
        return "the workspace store is busy (all connections in use); nothing was changed; retry shortly"
    orig = getattr(exc, "orig", None)
    sqlstate = str(getattr(orig, "sqlstate", "") or "")
    text = str(orig if orig is not None else exc).lower()
    if "database is locked" in text or "database is busy" in text or sqlstate.startswith(("55P03", "40")):
        return "the workspace store is busy with other changes; nothing was changed; retry shortly"
    if sqlstate.startswith(_PG_TRANSIENT) or getattr(exc, "connection_invalidated", False):
        return "the workspace store is not reachable right now; nothing was changed; retry shortly"
    if "unable to open database" in text or ("connection" in text and "refused" in text):
        return "the workspace store is not reachable right now; nothing was changed; retry shortly"
    return None


async def _store_busy(request: Request, exc: Exception) -> JSONResponse:
    """SQLite "database is locked", PostgreSQL lock or statement timeouts, an exhausted connection pool or
    an unreachable server: 503 with Retry-After (RFC 9110 section 15.6.4), never 500."""
    detail = store_busy_detail(exc)
    if detail is None:
        raise exc
    return JSONResponse(
        _body(detail),
        status_code=503,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(BioparityError, _bioparity_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(IntegrityError, _integrity_error)
    app.add_exception_handler(OperationalError, _store_busy)
    app.add_exception_handler(PoolTimeoutError, _store_busy)
