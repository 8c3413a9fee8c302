"""Strict JSON (RFC 8259) for records that may hold NaN or infinities, with the standard library only.

RFC 8259 section 6 has no ``NaN`` or ``Infinity``; Python's :func:`json.dumps` writes those tokens unless
``allow_nan=False``, and most readers (``jq``, JavaScript's ``JSON.parse``) refuse them. The command line's
JSON records and the ``.provenance.json`` sidecars go through :func:`strict_json_record`. (Result objects'
``to_dict()`` has its own convention, :func:`bioparity._results.json_safe`.)
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

__all__ = ["NON_FINITE_KEY", "dumps_strict", "strict_json_record"]

#: Key of a printed JSON record listing the values that are not finite numbers (written as ``null``).
NON_FINITE_KEY = "non_finite"


def strict_json_record(record: Mapping[str, Any]) -> dict[str, Any]:
    """``record`` as strict JSON (RFC 8259 section 6 has no NaN or Infinity): each NaN or infinity, at any
    depth, becomes ``null`` and ``record["non_finite"]`` maps its path (``upper``, ``records[2].ratio``)
    to what it was (``"inf"``, ``"-inf"`` or ``"nan"``), so that a reader can tell an infinite limit from
    a missing value. A record whose numbers are all finite is returned unchanged (no ``non_finite`` key).
    """
    found: dict[str, str] = {}
    out: dict[str, Any] = {key: _finite_or_null(value, str(key), found) for key, value in record.items()}
    if found:
        out[NON_FINITE_KEY] = found
    return out


def _finite_or_null(value: Any, path: str, found: dict[str, str]) -> Any:
    if isinstance(value, float):  # NumPy's float64 too (a subclass); records hold plain values
        if math.isfinite(value):
            return value
        found[path] = "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
        return None
    if isinstance(value, Mapping):
        return {k: _finite_or_null(v, f"{path}.{k}", found) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite_or_null(v, f"{path}[{i}]", found) for i, v in enumerate(value)]
    return value


def dumps_strict(record: Mapping[str, Any], **options: Any) -> str:
    """:func:`json.dumps` of :func:`strict_json_record` with ``allow_nan=False`` (``options`` passed on)."""
    return json.dumps(strict_json_record(record), allow_nan=False, **options)
