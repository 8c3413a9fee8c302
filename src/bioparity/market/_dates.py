"""Dates as the public files write them: ``"May 22, 2025"`` (FDA), ``22/05/2025`` (EMA), ISO 8601."""

from __future__ import annotations

from datetime import date, datetime

# Tried in order; day-first for the slash form because EMA (the only source writing it) is European.
_FORMATS = ("%B %d, %Y", "%b %d, %Y", "%Y-%m-%d", "%d/%m/%Y", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S")


def parse_date(text: str) -> date | None:
    """The date written in ``text``; None for a blank cell. Raises ValueError for anything else."""
    cleaned = " ".join(text.split())
    if not cleaned:
        return None
    for fmt in _FORMATS:
        try:
            return datetime.strptime(cleaned, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"not a date: {text!r}")


DATE_FORMATS_TEXT = "a date like 'May 22, 2025', '22/05/2025' or '2025-05-22', or a blank cell"
