"""Stored times read back in UTC, whatever the layer (store, workspace, web, reports, analyses).

Every time bioparity stores is UTC: an audit row's or a signature's text is written by
:func:`bioparity.audit.trail.utc_timestamp` (ISO 8601 ending in ``Z``), a timestamp column's value is aware
UTC (:class:`bioparity.store.types.UTCDateTime`); older audit rows recorded some times without an offset.
:func:`utc_moment` reads any of them as the same instant: the designator ``Z`` (ISO 8601:2004, section
4.2.4, UTC of day) and an offset such as ``+08:00`` (section 4.2.5.1, difference between local time and
UTC) as written, and a time without either as UTC. ISO 8601 would read such a time as local time; here it
is never the local time of the machine that reads it, which would move an audit trail's times with the
server's time zone (21 CFR 11.10(e): time-stamped audit trails).

This module imports nothing of bioparity, so that every layer may import it.
"""

from __future__ import annotations

from datetime import UTC, datetime


def utc_moment(value: datetime | str) -> datetime:
    """A stored time as an aware datetime in UTC.

    Parameters
    ----------
    value : datetime or str
        A datetime (aware, or naive meaning UTC), or ISO 8601 text ending in ``Z``, with an offset
        (``+08:00``) or with none (UTC).

    Returns
    -------
    datetime
        The same instant, time zone UTC.

    Raises
    ------
    ValueError
        Text that is not an ISO 8601 date-time.

    Examples
    --------
    >>> utc_moment("2026-12-06T07:55:23.193756Z").isoformat()
    '2026-12-06T07:55:23.193756+00:00'
    >>> utc_moment("2026-12-06T15:55:23+08:00").isoformat()
    '2026-12-06T07:55:23+00:00'
    >>> utc_moment("2026-12-06T07:55:23").isoformat()
    '2026-12-06T07:55:23+00:00'
    """
    moment = datetime.fromisoformat(value.replace("Z", "+00:00")) if isinstance(value, str) else value
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
