"""The packaged migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine

from bioparity.errors import InputError
from bioparity.store import current_revision, head_revision, make_engine
from bioparity.store.engine import database_url, default_sqlite_path
from bioparity.store.models import Base


def test_migrated_schema_matches_the_models(engine: Engine) -> None:
    assert current_revision(engine) == head_revision()
    with engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert differences == []


def test_database_url_defaults_and_postgres_spelling(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("BIOPARITY_DATABASE_URL", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert database_url() == f"sqlite:///{tmp_path / 'bioparity' / 'workspace.sqlite3'}"
    assert default_sqlite_path().parent.is_dir()
    monkeypatch.setenv("BIOPARITY_DATABASE_URL", "postgres://u@h:5432/db")
    assert database_url() == "postgresql+psycopg://u@h:5432/db"
    assert database_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    with pytest.raises(InputError, match="unsupported database"):
        make_engine("mysql://u@h/db")
