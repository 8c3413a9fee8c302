"""How values are printed in pages and reports (one definition for both)."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

from bioparity.i18n import gettext as _


def fmt_value(value: Any, digits: int = 6) -> str:
    """A table cell: numbers to ``digits`` significant digits, missing as an em dash."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, float):
        if math.isnan(value):
            return "—"
        if math.isinf(value):
            return "∞" if value > 0 else "−∞"
        return f"{value:.{digits}g}"
    if value == "Infinity":
        return "∞"
    if value == "-Infinity":
        return "−∞"
    return str(value)


def fmt_time(value: Any) -> str:
    """A stored time (datetime or ISO text) as ``YYYY-MM-DD HH:MM UTC``."""
    if value is None:
        return "—"
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return str(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return str(value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC"))
