"""Plain-dict pictures of stored objects for the audit trail's before/after (secrets never included)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import inspect

# Secrets never enter the trail; bulky content is represented by its SHA-256 column instead.
_OMITTED_COLUMNS = frozenset({"password_hash", "token_sha256", "content", "result_json"})


def snapshot(obj: Any) -> dict[str, Any]:
    """The object's column values (datetimes as ISO text), without secrets or bulky contents."""
    out: dict[str, Any] = {}
    for column in inspect(obj).mapper.column_attrs:
        if column.key in _OMITTED_COLUMNS:
            continue
        value = getattr(obj, column.key)
        out[column.key] = value.isoformat() if isinstance(value, datetime) else value
    return out
