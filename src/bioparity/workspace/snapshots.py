"""Plain-dict pictures of stored objects for the audit trail's before/after (secrets never included)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import inspect

from bioparity.utc import utc_moment

# Secrets never enter the trail; bulky content is represented by its SHA-256 column instead.
_OMITTED_COLUMNS = frozenset({"password_hash", "token_sha256", "content", "result_json"})


def utc_text(moment: datetime) -> str:
    """A stored time as ISO 8601 in UTC with its offset (``2026-12-06T19:17:41.455405+00:00``).

    A timestamp column's value is aware UTC on every database (:class:`bioparity.store.types.UTCDateTime`);
    a naive value is a time parsed from an audit row recorded without its offset (written before the
    snapshots stated it), and is read as UTC, as every stored time is (:func:`bioparity.utc.utc_moment`).
    """
    return utc_moment(moment).isoformat()


def snapshot(obj: Any) -> dict[str, Any]:
    """The object's column values (datetimes as ISO text in UTC with ``+00:00``, however the database
    returns them), without secrets or bulky contents."""
    out: dict[str, Any] = {}
    for column in inspect(obj).mapper.column_attrs:
        if column.key in _OMITTED_COLUMNS:
            continue
        value = getattr(obj, column.key)
        out[column.key] = utc_text(value) if isinstance(value, datetime) else value
    return out
