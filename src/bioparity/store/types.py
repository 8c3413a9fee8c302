"""Column types of the workspace's tables.

:class:`UTCDateTime` is the type of every timestamp column. PostgreSQL keeps the instant of a
``timestamp with time zone``, but SQLite keeps no time zone at all: a ``DateTime(timezone=True)`` read back
from SQLite is naive, while an object made in the same session still holds the aware ``utc_now()``, and
Python refuses to compare the two (``TypeError``). The decorator makes the store hand back what it was
given: an aware datetime in UTC, on both databases, so no caller has to patch a naive value.

A naive datetime given to a timestamp column is refused (``ValueError``, raised by SQLAlchemy as a
``StatementError``) rather than taken as UTC: a naive value in this code base is a programming error (a
local time would be stored shifted without a trace), and timestamps of the workspace are made aware by
``utc_now``. The values SQLite already holds, written before this type as naive UTC wall-clock times, are
read back as UTC: that is how they were always written.

The column DDL is that of ``DateTime(timezone=True)`` (the type's ``impl``): the migrations and the schema
are unchanged.

Reference: SQLAlchemy 2.0 documentation, "Augmenting Existing Types" (``TypeDecorator``) and the recipe
"Store Timezone Aware Timestamps as Timezone Naive UTC"; ISO 8601-1:2019, section 4.3.13 (UTC of day).
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime, Dialect
from sqlalchemy.types import TypeDecorator

from bioparity.utc import utc_moment


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored as ``DateTime(timezone=True)`` and always read back as an aware UTC datetime.

    Aware values of any offset are converted to UTC before they are stored; naive values are refused.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(
                f"naive datetime {value.isoformat()} given to a timestamp column: timestamps are aware "
                "(UTC, e.g. bioparity.store.models.utc_now())"
            )
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        # SQLite returns the naive UTC wall-clock time it was given; PostgreSQL an aware value in the
        # session's time zone: both read as UTC by the one rule of stored times.
        return utc_moment(value)
