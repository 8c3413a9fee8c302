"""The audit trail: hash chain, append-only guard, and detection of edited, deleted and reordered rows."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from bioparity.audit import GENESIS_HASH, append_event, canonical_json, row_hash, verify_chain, verify_trail
from bioparity.store import make_sessionmaker
from bioparity.store.models import AuditEvent
from tests.workspace.conftest import make_company


def _rows(n: int) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    prev = GENESIS_HASH
    for seq in range(1, n + 1):
        row: dict[str, Any] = {
            "seq": seq,
            "at": f"2026-01-01T00:00:{seq:02d}.000000Z",
            "actor_id": "u1",
            "actor": "alice",
            "org_id": "o1",
            "program_id": None,
            "action": "create",
            "object_type": "study",
            "object_id": f"s{seq}",
            "before_json": None,
            "after_json": canonical_json({"name": f"study {seq}"}),
            "prev_hash": prev,
        }
        row["row_hash"] = prev = row_hash(prev, row)
        rows.append(row)
    return rows


def test_canonical_json_does_not_depend_on_key_order() -> None:
    assert canonical_json({"b": 1, "a": [1.5, None, "é"]}) == canonical_json({"a": [1.5, None, "é"], "b": 1})
    assert canonical_json({"b": 1, "a": 2}) == '{"a":2,"b":1}'
    assert canonical_json({"x": float("nan"), "y": float("inf")}) == '{"x":null,"y":"Infinity"}'


def test_row_hash_is_sha256_of_previous_hash_and_canonical_fields() -> None:
    import hashlib

    row = _rows(1)[0]
    payload = canonical_json({k: row[k] for k in row if k not in {"prev_hash", "row_hash"}})
    assert row["row_hash"] == hashlib.sha256(f"{GENESIS_HASH}\n{payload}".encode()).hexdigest()


def test_an_intact_chain_verifies() -> None:
    rows = _rows(5)
    result = verify_chain(rows, head_seq=5, head_hash=rows[-1]["row_hash"])
    assert result.intact and result.rows_checked == 5 and result.first_broken_seq is None


@pytest.mark.parametrize("seq", [1, 3, 5])
def test_pure_chain_names_the_edited_row(seq: int) -> None:
    rows = _rows(5)
    rows[seq - 1]["actor"] = "mallory"
    result = verify_chain(rows, head_seq=5, head_hash=rows[-1]["row_hash"])
    assert not result.intact and result.first_broken_seq == seq and "edited" in result.problem


def test_pure_chain_names_deleted_moved_and_truncated_rows() -> None:
    rows = _rows(5)
    head = {"head_seq": 5, "head_hash": rows[-1]["row_hash"]}
    assert verify_chain(rows[:2] + rows[3:], **head).first_broken_seq == 3
    swapped = [dict(r) for r in rows]
    swapped[1]["seq"], swapped[2]["seq"] = 3, 2
    swapped[1], swapped[2] = swapped[2], swapped[1]
    assert verify_chain(swapped, **head).first_broken_seq == 2
    truncated = verify_chain(rows[:4], **head)
    assert truncated.first_broken_seq == 5 and "deleted" in truncated.problem


# --- on the real databases ------------------------------------------------------------------------


def _seed(engine: Engine) -> sessionmaker[Session]:
    sessions = make_sessionmaker(engine)
    make_company(sessions, "T")  # users, organisation, memberships, program, study, tokens: 18 audit rows
    return sessions


def _disable_guard(engine: Engine) -> None:
    """What an administrator with direct database access could do; the chain must still tell."""
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("ALTER TABLE audit_events DISABLE TRIGGER USER"))
        else:
            conn.execute(text("DROP TRIGGER audit_events_no_update"))
            conn.execute(text("DROP TRIGGER audit_events_no_delete"))


def test_the_trail_of_real_operations_verifies(fresh_engine: Engine) -> None:
    sessions = _seed(fresh_engine)
    result = verify_trail(fresh_engine)
    with sessions() as s:
        count = s.scalar(select(func.count()).select_from(AuditEvent))
    assert result.intact, result.message()
    assert result.rows_checked == count and count >= 15


def test_the_database_refuses_to_update_or_delete_audit_rows(fresh_engine: Engine) -> None:
    _seed(fresh_engine)
    for statement in (
        "UPDATE audit_events SET actor = 'mallory' WHERE seq = 2",
        "DELETE FROM audit_events WHERE seq = 2",
    ):
        with pytest.raises(DBAPIError, match="append-only"), fresh_engine.begin() as conn:
            conn.execute(text(statement))
    assert verify_trail(fresh_engine).intact


TAMPERING = {
    "edit": ["UPDATE audit_events SET actor = 'mallory' WHERE seq = 7"],
    "edit-after-json": ['UPDATE audit_events SET after_json = \'{"role":"owner"}\' WHERE seq = 7'],
    "delete": ["DELETE FROM audit_events WHERE seq = 7"],
    "reorder": [
        "UPDATE audit_events SET seq = -1 WHERE seq = 7",
        "UPDATE audit_events SET seq = 7 WHERE seq = 8",
        "UPDATE audit_events SET seq = 8 WHERE seq = -1",
    ],
}


@pytest.mark.parametrize("how", sorted(TAMPERING))
def test_tampering_with_one_row_is_detected_and_the_row_is_named(fresh_engine: Engine, how: str) -> None:
    _seed(fresh_engine)
    assert verify_trail(fresh_engine).intact
    _disable_guard(fresh_engine)
    with fresh_engine.begin() as conn:
        for statement in TAMPERING[how]:
            conn.execute(text(statement))
    result = verify_trail(fresh_engine)
    assert not result.intact
    assert result.first_broken_seq == 7, result.message()
    expected = {"edit": "edited", "edit-after-json": "edited", "delete": "deleted", "reorder": "moved"}[how]
    assert expected in result.problem


def test_deleting_the_last_rows_is_detected_through_the_chain_head(fresh_engine: Engine) -> None:
    sessions = _seed(fresh_engine)
    with sessions() as s:
        last = s.scalar(select(func.max(AuditEvent.seq)))
    assert last is not None
    _disable_guard(fresh_engine)
    with fresh_engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_events WHERE seq >= :s"), {"s": last - 1})
    result = verify_trail(fresh_engine)
    assert not result.intact and result.first_broken_seq == last - 1


def test_an_audit_row_is_rolled_back_with_its_transaction(fresh_engine: Engine) -> None:
    sessions = _seed(fresh_engine)
    before = verify_trail(fresh_engine)
    with pytest.raises(RuntimeError), sessions.begin() as s:
        append_event(s, actor_id=None, actor="x", action="create", object_type="thing")
        raise RuntimeError("the change failed after its audit row was written")
    after = verify_trail(fresh_engine)
    assert after.intact and after.rows_checked == before.rows_checked and after.last_hash == before.last_hash
    with sessions.begin() as s:
        append_event(s, actor_id=None, actor="x", action="create", object_type="thing")
    assert verify_trail(fresh_engine).rows_checked == before.rows_checked + 1


def test_before_and_after_snapshots_give_times_in_utc_with_the_zone(sessions: sessionmaker[Session]) -> None:
    """A change's before and after write the same stored time the same way, with ``+00:00`` (SQLite gives
    stored times back without a zone: the before of an update said ``...41.455405`` and the create row
    ``...41.455405+00:00`` for the same ``created_at``)."""
    import json

    from bioparity.workspace import programs

    company = make_company(sessions, "utc")
    with sessions.begin() as s:
        programs.update_program(s, company.actor("owner"), company.program.id, {"description": "changed"})
    with sessions() as s:
        rows = s.scalars(
            select(AuditEvent)
            .where(AuditEvent.object_id == company.program.id, AuditEvent.object_type == "program")
            .order_by(AuditEvent.seq)
        ).all()
    created, updated = json.loads(rows[0].after_json or ""), rows[-1]
    before, after = json.loads(updated.before_json or ""), json.loads(updated.after_json or "")
    assert before["created_at"] == after["created_at"] == created["created_at"]
    assert after["created_at"].endswith("+00:00")
    assert (before["description"], after["description"]) == ("", "changed")
