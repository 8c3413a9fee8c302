"""A pooled PostgreSQL connection is tested before use only after idling (``bioparity.store.engine``).

Testing it on every checkout (SQLAlchemy's ``pool_pre_ping``) cost a round trip to the server on every
page view; a connection back in use within :data:`~bioparity.store.engine.PING_IDLE_SECONDS` is handed
out as it is, and one idle longer whose server process is gone is replaced before use.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import Engine, text

from bioparity.store import engine as store_engine
from tests.workspace.conftest import PG_CONNINFO, database


@pytest.fixture
def pg_engine(tmp_path: Path) -> Iterator[Engine]:
    with database("postgresql", tmp_path, migrate=False) as eng:
        yield eng


def _backend_pid(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())


def _count_pings(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    pings: list[int] = []
    ping = engine.dialect.do_ping

    def counted(dbapi_connection: Any) -> bool:
        pings.append(1)
        return ping(dbapi_connection)

    monkeypatch.setattr(engine.dialect, "do_ping", counted)
    return pings


def test_a_connection_back_in_use_at_once_is_not_tested(
    pg_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    pings = _count_pings(pg_engine, monkeypatch)
    first = _backend_pid(pg_engine)  # a new connection: not tested
    assert [_backend_pid(pg_engine) for _ in range(5)] == [first] * 5  # the same connection, reused
    assert pings == []


def test_an_idle_connection_is_tested_and_replaced_when_its_server_process_is_gone(
    pg_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    pings = _count_pings(pg_engine, monkeypatch)
    monkeypatch.setattr(store_engine, "PING_IDLE_SECONDS", 0.0)  # every returned connection counts as idle
    first = _backend_pid(pg_engine)
    assert _backend_pid(pg_engine) == first and len(pings) == 1  # tested, alive: handed out
    with psycopg.connect(PG_CONNINFO, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (first,))
    # The test fails; the pool discards the connection and opens another: the statement runs.
    second = _backend_pid(pg_engine)
    assert second != first and len(pings) == 2
