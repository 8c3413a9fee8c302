"""Timestamps are aware UTC datetimes whether read back from the store or made in the session.

SQLite keeps no time zone: ``DateTime(timezone=True)`` alone reads back naive datetimes there, while an
object made in the same session holds the aware ``utc_now()``; comparing the two raised ``TypeError``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import literal, select
from sqlalchemy.exc import StatementError
from sqlalchemy.orm import Session, sessionmaker

from bioparity.store.models import AnalysisRun
from bioparity.store.types import UTCDateTime
from bioparity.workspace import signatures
from tests.workspace.conftest import Company
from tests.workspace.helpers import run_in, signature_in, stored_run


def test_a_run_is_signed_in_the_session_that_made_it_after_an_older_run_of_its_kind(
    sessions: sessionmaker[Session], company_factory: Callable[[str], Company]
) -> None:
    a = company_factory("utc")
    older = stored_run(sessions, a, "analyst")  # committed: read back from the store below
    with sessions.begin() as s:
        run = run_in(s, a, "analyst")
        # later_runs compares the older run's created_at (read back) with this one's (made here)
        sig = signature_in(s, a, run.id, "analyst", "authored")
        assert sig.run_id == run.id
        assert signatures.later_runs(s, s.get_one(AnalysisRun, older), a.program).ids == (run.id,)


def test_timestamps_read_back_are_aware_utc(
    sessions: sessionmaker[Session], company_factory: Callable[[str], Company]
) -> None:
    a = company_factory("utc-read")
    run_id = stored_run(sessions, a, "analyst")
    with sessions() as s:
        created = s.scalars(select(AnalysisRun.created_at).where(AnalysisRun.id == run_id)).one()
    assert created.tzinfo is UTC


def test_an_aware_timestamp_of_another_offset_comes_back_as_the_same_instant_in_utc(
    sessions: sessionmaker[Session],
) -> None:
    beijing = datetime(2026, 12, 7, 18, 30, 15, 123456, tzinfo=timezone(timedelta(hours=8)))
    with sessions() as s:
        back = s.scalar(select(literal(beijing, UTCDateTime())))
    assert back == datetime(2026, 12, 7, 10, 30, 15, 123456, tzinfo=UTC) and back.tzinfo is UTC


def test_a_naive_timestamp_is_refused(sessions: sessionmaker[Session]) -> None:
    with sessions() as s, pytest.raises(StatementError, match="naive datetime 2026-01-01T00:00:00"):
        s.execute(select(AnalysisRun.id).where(AnalysisRun.created_at < datetime(2026, 1, 1)))
