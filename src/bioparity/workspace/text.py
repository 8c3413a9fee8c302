"""The one check of free text that users type (names, descriptions), shared by the API and the pages.

The API's request models (``bioparity.api.schemas``) and the workspace functions the pages call both
use :func:`plain_text`, so a name refused by ``POST /programs`` is refused by the form as well: blank
after trimming, longer than the limit, or containing a control character (NUL cannot be stored by
PostgreSQL; Unicode category Cc other than tab/newline/carriage return) or an unpaired surrogate (Cs).
"""

from __future__ import annotations

import unicodedata

from bioparity.errors import InputError
from bioparity.i18n import gettext as _
from bioparity.i18n import gettext_noop

NAME_MAX = 200
SHORT_NAME_MAX = 100
DESCRIPTION_MAX = 10_000
REGION_MAX = 20
#: The longest reason for a change (EU GMP Annex 11 section 9) kept in an audit row.
REASON_MAX = 500


def control_character(value: str) -> str | None:
    """The first control character or unpaired surrogate in ``value`` (tab, LF and CR allowed)."""
    for ch in value:
        if unicodedata.category(ch) in {"Cc", "Cs"} and ch not in "\t\n\r":
            return ch
    return None


def plain_text(value: str, field: str, *, max_length: int, required: bool = True) -> str:
    """``value`` trimmed; raises InputError naming ``field`` when it is blank (if required), longer than
    ``max_length`` characters or contains a control character. ``field`` is shown translated when it is a
    marked message (e.g. ``gettext_noop("dataset name")``), as it is otherwise (a column or option code)."""
    cleaned = value.strip()
    field = _(field)  # the message around it is translated: so is the field's name
    if required and not cleaned:
        raise InputError(_("%(field)s must not be empty") % {"field": field})
    if len(cleaned) > max_length:
        raise InputError(
            _("%(field)s is %(n)d characters long; at most %(max)d are allowed")
            % {"field": field, "n": len(cleaned), "max": max_length}
        )
    bad = control_character(cleaned)
    if bad is not None:
        raise InputError(
            _("%(field)s contains the control character %(char)r; remove it") % {"field": field, "char": bad}
        )
    return cleaned


def reason_text(value: str | None) -> str:
    """The reason for a change as the audit row keeps it (EU GMP Annex 11 section 9: "for change or
    deletion of GMP-relevant data the reason should be documented"): trimmed, 1 to :data:`REASON_MAX`
    characters, no control characters; InputError naming ``reason`` otherwise (also when not given)."""
    return plain_text(value or "", gettext_noop("reason"), max_length=REASON_MAX)


def optional_reason_text(value: str | None) -> str | None:
    """A reason the caller may give: None when not given, else checked by :func:`reason_text` (so a blank
    one given is refused, as a required one would be)."""
    return None if value is None else reason_text(value)
