"""The reason column of audit rows (revision 0009, EU GMP Annex 11 section 9) and the hash chain, on SQLite
and PostgreSQL: rows written before it verify unchanged after the upgrade, rows with a reason verify, and a
reason edited, added or removed afterwards breaks the chain at that row."""

from __future__ import annotations

import hashlib
import json

from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner

from bioparity.audit import row_hash
from bioparity.audit.chain import GENESIS_HASH, HASHED_FIELDS
from bioparity.cli.main import app
from bioparity.store import current_revision, head_revision, make_sessionmaker, upgrade_schema
from bioparity.workspace import accounts, programs
from bioparity.workspace.integrity import upgrade
from tests.workspace.conftest import PASSWORD, actor_of, url_of
from tests.workspace.test_audit import _rows as unkeyed_rows

#: One audit row as revision 0008 wrote it (no reason column): the first of the test trail.
OLD_ROW = {name: unkeyed_rows(1)[0][name] for name in HASHED_FIELDS}


def _old_hash(prev: str, row: dict[str, object]) -> str:
    """The row hash as the chain always computed it (bioparity.audit.chain before revision 0009), written
    out: SHA-256 of the previous hash, a newline and the sorted compact JSON of the eleven fields."""
    payload = json.dumps(row, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256((prev + "\n" + payload).encode()).hexdigest()


def test_a_row_without_a_reason_hashes_as_before_and_a_reason_is_hashed() -> None:
    old = _old_hash(GENESIS_HASH, OLD_ROW)
    assert row_hash(GENESIS_HASH, OLD_ROW) == old
    assert row_hash(GENESIS_HASH, OLD_ROW | {"reason": None}) == old
    with_reason = row_hash(GENESIS_HASH, OLD_ROW | {"reason": "ticket 7"})
    assert with_reason == _old_hash(GENESIS_HASH, OLD_ROW | {"reason": "ticket 7"}) != old
    assert with_reason != row_hash(GENESIS_HASH, OLD_ROW | {"reason": "ticket 8"})


def _switch_segregation_off(engine: Engine, tag: str, reason: str) -> None:
    """A new owner, organisation and program (rows without a reason), then segregation of duties switched
    off for ``reason``."""
    with make_sessionmaker(engine).begin() as s:
        owner = accounts.create_user(s, f"owner@{tag}", PASSWORD)
        org = accounts.create_org(s, f"{tag} org", owner=owner)
        program = programs.create_program(
            s, actor_of(owner), org.id, name="P", inn="x", reference_product="y", modality="mAb",
            target_regions=["EU"],
        )  # fmt: skip
        programs.update_program(
            s, actor_of(owner), program.id, {"segregation_of_duties": False}, reason=reason
        )


def _verify(engine: Engine) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["audit", "verify", "--database-url", url_of(engine)])
    return result.exit_code, result.output


def test_rows_from_before_revision_0009_verify_after_it_with_new_rows_that_have_reasons(
    empty_engine: Engine,
) -> None:
    engine = empty_engine
    upgrade_schema(engine, "0008_study_name_unique")
    with engine.begin() as conn:  # the trail of a workspace at 0008: one row, never keyed
        digest = _old_hash(GENESIS_HASH, OLD_ROW)
        conn.execute(
            text(
                f"INSERT INTO audit_events ({', '.join(OLD_ROW)}, prev_hash, row_hash, mac) "
                f"VALUES ({', '.join(':' + name for name in OLD_ROW)}, :prev, :hash, NULL)"
            ),
            OLD_ROW | {"prev": GENESIS_HASH, "hash": digest},
        )
        conn.execute(text("UPDATE audit_head SET seq = 1, hash = :h WHERE id = 1"), {"h": digest})
    upgrade(engine)  # to 0009 and keyed, as `bioparity db upgrade` does
    assert current_revision(engine) == head_revision()
    _switch_segregation_off(engine, "reason", "CC-1")
    code, out = _verify(engine)
    assert code == 0 and "intact" in out, out
    with engine.connect() as conn:
        reasons = [r[0] for r in conn.execute(text("SELECT reason FROM audit_events ORDER BY seq"))]
    assert reasons[0] is None and reasons[-1] == "CC-1"
    # the append-only guard holds on the new column too
    with engine.begin() as conn:
        try:
            conn.execute(text("UPDATE audit_events SET reason = 'x' WHERE seq = 1"))
        except DBAPIError:
            pass
        else:
            raise AssertionError("an audit row's reason was updated")


def test_a_reason_edited_added_or_removed_breaks_the_chain_at_that_row(empty_engine: Engine) -> None:
    engine = empty_engine
    upgrade(engine)
    _switch_segregation_off(engine, "tamper", "CC-2")
    with engine.connect() as conn:
        changed = conn.execute(text("SELECT seq FROM audit_events WHERE reason = 'CC-2'")).scalar_one()
        plain = conn.execute(text("SELECT MIN(seq) FROM audit_events WHERE reason IS NULL")).scalar_one()
    assert _verify(engine)[0] == 0
    guard = (
        ["ALTER TABLE audit_events DISABLE TRIGGER USER"]
        if engine.dialect.name == "postgresql"
        else ["DROP TRIGGER audit_events_no_update", "DROP TRIGGER audit_events_no_delete"]
    )
    with engine.begin() as conn:
        for statement in guard:
            conn.execute(text(statement))
    for seq, value in ((changed, "approved by QA"), (changed, None), (plain, "backfilled")):
        with engine.begin() as conn:
            before = conn.execute(text("SELECT reason FROM audit_events WHERE seq = :s"), {"s": seq}).scalar()
            conn.execute(text("UPDATE audit_events SET reason = :r WHERE seq = :s"), {"r": value, "s": seq})
        code, out = _verify(engine)
        assert code == 1 and f"BROKEN at row {seq}: its content does not match its hash" in out, out
        with engine.begin() as conn:
            conn.execute(text("UPDATE audit_events SET reason = :r WHERE seq = :s"), {"r": before, "s": seq})
        assert _verify(engine)[0] == 0
