"""Engine and sessions: ``BIOPARITY_DATABASE_URL`` when set, else a SQLite file in the user's data folder.

PostgreSQL URLs may be written ``postgresql://...`` or ``postgres://...``; they are driven by psycopg 3.
SQLite connections enforce foreign keys and use write-ahead logging. Writing transactions start with
``BEGIN IMMEDIATE``, so that writers queue (with a busy timeout, 30 s unless
``BIOPARITY_SQLITE_BUSY_TIMEOUT`` says otherwise, in seconds) instead of failing half-way; read-only
units of work (:func:`read_sessionmaker`) start ``BEGIN DEFERRED`` and read a snapshot without the write
lock (SQLite documentation, "Write-Ahead Logging" section 2.2, and "BEGIN TRANSACTION"). A server answers
a write that waited out the timeout with 503 and Retry-After (``bioparity.api.errors``).

A pooled PostgreSQL connection is tested (``SELECT 1``) before it is handed out only when it has been idle
for :data:`PING_IDLE_SECONDS` or more, not on every checkout (SQLAlchemy's ``pool_pre_ping``): under load
connections are back in use within milliseconds and the test was a round trip to the server on every page
view. One that fails the test is replaced before use (SQLAlchemy documentation, "Dealing with
Disconnects", section "Disconnect Handling - Pessimistic", custom checkout event raising
``DisconnectionError``); a connection lost while in use invalidates the pool as before.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import platformdirs
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session, sessionmaker

from bioparity.environment import env_number
from bioparity.errors import InputError

ENV_VAR = "BIOPARITY_DATABASE_URL"
BUSY_TIMEOUT_ENV = "BIOPARITY_SQLITE_BUSY_TIMEOUT"
DEFAULT_BUSY_TIMEOUT_S = 30.0
#: Seconds a pooled PostgreSQL connection may sit idle and still be handed out without a test.
PING_IDLE_SECONDS = 5.0
_CHECKED_IN = "bioparity_checked_in"


def sqlite_busy_timeout() -> float:
    """Seconds a SQLite writer waits for the write lock: ``BIOPARITY_SQLITE_BUSY_TIMEOUT`` or 30."""
    expected = "a number of seconds between 0 and 3600, e.g. 30"
    return env_number(BUSY_TIMEOUT_ENV, DEFAULT_BUSY_TIMEOUT_S, float, lambda s: 0 < s <= 3600, expected)


def default_sqlite_path() -> Path:
    """Where the zero-set-up database lives: ``<user data dir>/bioparity/workspace.sqlite3``."""
    return Path(platformdirs.user_data_dir("bioparity", appauthor=False)) / "workspace.sqlite3"


def database_url(url: str | None = None) -> str:
    """The URL to use: the argument, else ``BIOPARITY_DATABASE_URL``, else the default SQLite file."""
    chosen = url or os.environ.get(ENV_VAR)
    if not chosen:
        path = default_sqlite_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{path}"
    for prefix in ("postgresql://", "postgres://"):
        if chosen.startswith(prefix):
            return "postgresql+psycopg://" + chosen[len(prefix) :]
    return chosen


def make_engine(url: str | None = None, **kwargs: Any) -> Engine:
    """An engine for ``url`` (see :func:`database_url`), configured for SQLite or PostgreSQL."""
    resolved = database_url(url)
    try:
        backend = make_url(resolved).get_backend_name()
    except Exception as exc:
        raise InputError(
            f"database URL {resolved!r} is not valid: {exc}; expected for example "
            "postgresql://user@host:5432/dbname or sqlite:///path/to/file.sqlite3"
        ) from exc
    if backend == "sqlite":
        timeout = sqlite_busy_timeout()
        connect_args = {"check_same_thread": False, "timeout": timeout}
        engine = create_engine(resolved, connect_args=connect_args, **kwargs)
        _configure_sqlite(engine, timeout)
        return engine
    if backend != "postgresql":
        raise InputError(f"unsupported database {backend!r}; expected sqlite or postgresql")
    engine = create_engine(resolved, **kwargs)
    if not kwargs.get("pool_pre_ping"):
        _ping_when_idle(engine)
    return engine


def _ping_when_idle(engine: Engine) -> None:
    """Test a pooled connection before use when it was idle :data:`PING_IDLE_SECONDS` or more (see the
    module); a new connection, or one back in use within that time, is handed out as it is."""

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
        record.info[_CHECKED_IN] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        returned = record.info.pop(_CHECKED_IN, None)
        if returned is None or time.monotonic() - returned < PING_IDLE_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as exc:
            # The pool discards this connection and checks out another (a new one if need be).
            raise DisconnectionError(f"pooled connection failed its test after idling: {exc}") from exc


def _configure_sqlite(engine: Engine, timeout: float) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, issue BEGIN (pysqlite's implicit transactions are unreliable).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(timeout * 1000)}")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Read-only units of work (see read_sessionmaker) begin DEFERRED: under WAL they read a snapshot
        # without taking the write lock, so page views neither wait for writers nor for each other.
        read_only = connection.get_execution_options().get(READ_ONLY_OPTION, False)
        connection.exec_driver_sql("BEGIN DEFERRED" if read_only else "BEGIN IMMEDIATE")


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded values after commit (results are returned after the transaction)."""
    return sessionmaker(bind=engine, expire_on_commit=False)


READ_ONLY_OPTION = "bioparity_read_only"


def read_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    """Sessions for units of work that only read (on SQLite they do not take the write lock).

    Writing through such a session is a programming error: on SQLite it may fail with "database is
    locked" when another writer is active.
    """
    return sessionmaker(bind=engine.execution_options(**{READ_ONLY_OPTION: True}), expire_on_commit=False)
