"""How values are printed in pages and reports (one definition for both)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from markupsafe import Markup

from bioparity.analyses.terms import labelled
from bioparity.i18n import gettext as _
from bioparity.i18n.notes import note_text
from bioparity.utc import utc_moment


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


def fmt_fixed(value: Any, decimals: int) -> str:
    """A number to a fixed number of ``decimals``, trailing zeros kept (``110`` -> ``110.00``) and no
    negative zero; missing and infinite values as :func:`fmt_value` prints them."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return fmt_value(value)
    text = f"{value:.{decimals}f}"
    return text.removeprefix("-") if float(text) == 0 else text


def result_text(value: Any) -> Markup:
    """A stored result value in words for a page or report cell: numbers as in tables (:func:`fmt_value`),
    a list item by item (texts and records on lines of their own), a mapping as ``label: value`` pairs
    (its keys labelled as :func:`~bioparity.analyses.terms.labelled` does; not JSON, whose escapes such as
    ``\\u003e`` for ``>`` a reader cannot read); a text that is a stored note (a BE decision's reasons) in
    the reader's language (:func:`~bioparity.i18n.notes.note_text`)."""
    if isinstance(value, Mapping):
        return Markup(", ").join(Markup("{}: {}").format(k, result_text(v)) for k, v in labelled(value))
    if isinstance(value, list | tuple):
        if not value:
            return Markup("—")
        # numbers side by side (``39, 38``); texts and records each on a line of its own
        plain = all(v is None or isinstance(v, int | float) for v in value)
        return Markup(", " if plain else "<br>").join(result_text(v) for v in value)
    text = fmt_value(value)
    return Markup.escape(note_text(text) if isinstance(value, str) else text)


def fmt_time(value: Any) -> str:
    """A stored time (datetime or ISO text; without an offset: UTC, :func:`bioparity.utc.utc_moment`) as
    ``YYYY-MM-DD HH:MM UTC``."""
    if value is None:
        return "—"
    try:
        return utc_moment(value).strftime("%Y-%m-%d %H:%M UTC")
    except ValueError:
        return str(value)


def utc_second(value: Any) -> str:
    """A stored ISO time (e.g. a signature's ``2026-12-06T07:55:23.193756Z``) to the second in UTC:
    ``2026-12-06 07:55:23 UTC`` (the microseconds only clutter a printed signature); a signature's time as
    the run page and the reports print it (21 CFR 11.50(a)(2): the date and time of signing)."""
    if not value:
        return "—"
    try:
        return utc_moment(str(value)).strftime("%Y-%m-%d %H:%M:%S UTC")  # no offset: UTC
    except ValueError:
        return str(value)


def column_map_text(value: Any) -> str:
    """The column mapping a run read its file with (the ``column_map`` of its stored inputs), in words:
    ``Subject → subject, Time → time; units: conc ng/mL, dose mg; units per row: conc from column PCSTRESU``
    (was printed as a Python dict under "Input SHA-256 (column_map)", though it is not a digest).

    Examples
    --------
    >>> column_map_text({"rename": {"Subject": "subject"}, "units": {"conc_unit": "ng/mL"}})
    'Subject → subject; units: conc ng/mL'
    """
    if not isinstance(value, Mapping):
        return str(value)
    parts = []
    rename = value.get("rename") or {}
    if rename:
        parts.append(", ".join(f"{source} → {target}" for source, target in rename.items()))
    units = value.get("units") or {}
    if units:
        given = ", ".join(f"{str(k).removesuffix('_unit')} {v}" for k, v in units.items())
        parts.append(_("units: %(units)s") % {"units": given})
    per_row = value.get("unit_columns") or {}
    if per_row:
        columns = ", ".join(
            _("%(target)s from column %(source)s") % {"target": t, "source": s} for t, s in per_row.items()
        )
        parts.append(_("units per row: %(columns)s") % {"columns": columns})
    return "; ".join(parts) or "—"
