"""The audit key (issue 16, item 3): created by ``db upgrade`` with mode 0600 outside the database, never
replaced, required to write, and checked against the trail at start-up; an unkeyed trail from before
this version is sealed on upgrade and stays covered."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner

from bioparity.audit import append_event, row_hash, verify_trail
from bioparity.audit.keys import KEY_ENV, KEY_FILE_ENV, AuditKeyError, default_key_path, load_key
from bioparity.cli.main import app
from bioparity.server import create_app
from bioparity.store import make_sessionmaker, upgrade_schema
from bioparity.workspace.integrity import upgrade, verify_workspace
from tests.workspace.conftest import database, url_of

runner = CliRunner()


@pytest.fixture(params=["sqlite", "postgresql"])
def empty(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    with database(str(request.param), tmp_path, migrate=False) as eng:
        yield eng


@pytest.fixture
def key_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "keys" / "audit.key"
    monkeypatch.setenv(KEY_FILE_ENV, str(path))
    monkeypatch.delenv(KEY_ENV, raising=False)
    return path


def test_db_upgrade_creates_a_private_key_file_once_and_says_where(empty: Engine, key_file: Path) -> None:
    first = runner.invoke(app, ["db", "upgrade", "--database-url", url_of(empty)])
    assert first.exit_code == 0, first.output
    assert f"audit key: created {key_file} (mode 0600)" in first.output
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    secret = key_file.read_text()
    assert len(secret.strip()) == 64 and int(secret, 16) >= 0
    again = runner.invoke(app, ["db", "upgrade", "--database-url", url_of(empty)])
    assert again.exit_code == 0 and f"audit key: {key_file}\n" in again.output
    assert key_file.read_text() == secret  # never replaced
    with empty.connect() as conn:
        first_row = conn.execute(text("SELECT action, mac FROM audit_events WHERE seq = 1")).one()
    assert first_row[0] == "audit_keyed" and first_row[1] is not None
    assert verify_workspace(empty).intact


def test_a_lost_or_wrong_key_stops_the_server_instead_of_writing(
    empty: Engine, key_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    upgrade(empty)
    key_file.unlink()  # lost: a keyed trail never gets a fresh key
    with pytest.raises(AuditKeyError, match="does not exist"):
        create_app(engine=empty, web=False)
    assert not key_file.exists()
    monkeypatch.setenv(KEY_ENV, "ab" * 32)  # the wrong key
    with pytest.raises(AuditKeyError, match="not the key this workspace's audit trail was sealed with"):
        create_app(engine=empty, web=False)
    result = runner.invoke(app, ["db", "upgrade", "--database-url", url_of(empty)])
    assert result.exit_code == 2 and "not the key this workspace" in result.output
    with make_sessionmaker(empty)() as session, pytest.raises(AuditKeyError):
        # and even code that skipped the start-up check cannot append rows that would verify
        monkeypatch.setenv(KEY_ENV, "not hex")
        append_event(session, actor_id=None, actor="x", action="create", object_type="thing")


def test_a_trail_from_before_keying_is_sealed_and_stays_covered(empty: Engine, key_file: Path) -> None:
    upgrade_schema(empty, "0002")  # the schema of the previous release: plain SHA-256 chain
    prev = "0" * 64
    with empty.begin() as conn:
        for seq in (1, 2, 3):
            row: dict[str, str | int | None] = {
                "seq": seq,
                "at": f"2026-01-01T00:00:0{seq}.000000Z",
                "actor_id": None,
                "actor": "system",
                "org_id": None,
                "program_id": None,
                "action": "create",
                "object_type": "organisation",
                "object_id": f"org-{seq}",
                "before_json": None,
                "after_json": '{"name":"Org"}',
            }
            digest = row_hash(prev, row)
            row["prev_hash"], row["row_hash"] = prev, digest
            prev = digest
            conn.execute(
                text(
                    "INSERT INTO audit_events (seq, at, actor_id, actor, org_id, program_id, action, "
                    "object_type, object_id, before_json, after_json, prev_hash, row_hash) "
                    "VALUES (:seq, :at, :actor_id, :actor, :org_id, :program_id, :action, "
                    ":object_type, :object_id, "
                    ":before_json, :after_json, :prev_hash, :row_hash)"
                ),
                row,
            )
        conn.execute(text("UPDATE audit_head SET seq = 3, hash = :h"), {"h": prev})
    upgrade(empty)
    result = verify_trail(empty)
    assert result.intact and result.rows_checked == 4 and result.keyed_rows == 1, result.message()
    # Rewriting an old unkeyed row and every hash after it breaks the seal row's MAC.
    with empty.begin() as conn:
        if empty.dialect.name == "postgresql":
            conn.execute(text("ALTER TABLE audit_events DISABLE TRIGGER USER"))
        else:
            conn.execute(text("DROP TRIGGER audit_events_no_update"))
        rows = conn.execute(text("SELECT * FROM audit_events ORDER BY seq")).mappings().all()
        prev = "0" * 64
        for stored in rows:
            fields = dict(stored) | ({"actor": "mallory"} if stored["seq"] == 2 else {})
            digest = row_hash(prev, fields)
            conn.execute(
                text("UPDATE audit_events SET actor = :a, prev_hash = :p, row_hash = :h WHERE seq = :s"),
                {"a": fields["actor"], "p": prev, "h": digest, "s": stored["seq"]},
            )
            prev = digest
        conn.execute(text("UPDATE audit_head SET hash = :h"), {"h": prev})
    broken = verify_trail(empty)
    assert not broken.intact and broken.first_broken_seq == 4 and "MAC does not verify" in broken.problem


def test_the_key_can_come_from_the_environment(
    empty: Engine, key_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(KEY_ENV, "cd" * 32)
    result = runner.invoke(app, ["db", "upgrade", "--database-url", url_of(empty)])
    assert result.exit_code == 0 and "audit key: from $BIOPARITY_AUDIT_KEY" in result.output
    assert not key_file.exists()
    assert load_key().source == f"${KEY_ENV}" and verify_workspace(empty).intact
    monkeypatch.setenv(KEY_ENV, "cd" * 8)
    with pytest.raises(AuditKeyError, match="at least 32 bytes"):
        load_key()


def test_downgrade_keeps_the_append_only_guard_and_upgrade_reseals(empty: Engine, key_file: Path) -> None:
    from alembic import command

    from bioparity.store.migrate import alembic_config

    upgrade(empty)
    config = alembic_config()
    with empty.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0002")
    with pytest.raises(DBAPIError, match="append-only"), empty.begin() as conn:
        conn.execute(text("UPDATE audit_events SET actor = 'mallory' WHERE seq = 1"))
    upgrade(empty)
    result = verify_workspace(empty)
    assert result.intact and result.chain.rows_checked == 2 and result.chain.keyed_rows == 1, result.message()


def test_the_default_key_file_follows_the_user_config_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The folder is kept per value of the variables it follows (XDG Base Directory Specification), so a
    changed XDG_CONFIG_HOME or HOME still moves the key file."""
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_key_path() == tmp_path / "home" / ".config" / "bioparity" / "audit.key"
    for folder in ("one", "two", "one"):
        monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / folder))
        assert default_key_path() == tmp_path / folder / "bioparity" / "audit.key"
