"""Alembic environment of the bioparity workspace (run programmatically by bioparity.store.migrate)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from bioparity.store.engine import make_engine
from bioparity.store.models import Base

config = context.config
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url") or None)
    try:
        with engine.connect() as conn:
            _run(conn)
    finally:
        engine.dispose()


if context.is_offline_mode():  # pragma: no cover - offline SQL generation is not offered
    raise SystemExit("bioparity migrations run online only: use `bioparity db upgrade`")
run_migrations_online()
