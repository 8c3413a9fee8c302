"""Dates as the public files write them: ``"May 22, 2025"`` (FDA), ``22/05/2025`` (EMA), ISO 8601."""

from __future__ import annotations

import calendar
import re
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


def period_end(text: str) -> date:
    """The last day of the period ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` (the latest date it can mean).

    Raises ValueError for anything else. ``"2025"`` -> 2025-12-31, ``"2025-02"`` -> 2025-02-28.
    """
    cleaned = text.strip()
    if re.fullmatch(r"\d{4}", cleaned):
        return date(int(cleaned), 12, 31)
    if re.fullmatch(r"\d{4}-\d{2}", cleaned):
        year, month = int(cleaned[:4]), int(cleaned[5:])
        return date(year, month, calendar.monthrange(year, month)[1])
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", cleaned):
        return date.fromisoformat(cleaned)
    raise ValueError(f"not a date like 2025, 2025-06 or 2025-06-30: {text!r}")


def whole_months(earlier: date, later: date) -> int:
    """Whole calendar months from ``earlier`` to ``later`` (negative when ``earlier`` is later).

    2025-06-30 -> 2026-06-29 is 11 months, -> 2026-06-30 is 12.
    """
    months = (later.year - earlier.year) * 12 + later.month - earlier.month
    if later.day < earlier.day and later.day != calendar.monthrange(later.year, later.month)[1]:
        months -= 1
    return months
