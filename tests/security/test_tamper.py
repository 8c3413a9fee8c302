"""Tamper drills (issue 16, item 3): someone with full database access but without the audit key edits,
deletes, renumbers, inserts, re-seals, invents or swaps records, recomputing every SHA-256 a careful
forger would; ``bioparity audit verify`` must report each drill, naming the row or object.

The workspace is built through the same services the server runs, anchored with ``bioparity audit
anchor`` and verified with ``bioparity audit verify`` in a separate process (the real command). On
today's main each forged state verifies as intact (the chain was plain SHA-256 with its head in the same
database), so every drill below fails there.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Connection, Engine, text
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from bioparity.audit import canonical_json, row_hash, sha256_hex
from bioparity.cli.main import app
from bioparity.errors import DataFileError
from bioparity.store import make_sessionmaker
from bioparity.store.models import AnalysisRun, Dataset, Signature
from bioparity.workspace import accounts, analyses, datasets, programs, signatures
from tests.live_server import serve
from tests.workspace.conftest import PASSWORD, Company, database, make_company, url_of
from tests.workspace.helpers import SAMPLESIZE_CSV

FORGED_CSV = SAMPLESIZE_CSV.replace("0.3,0.95", "0.1,0.95")


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    with database(str(request.param), tmp_path) as eng:
        yield eng


@dataclass
class Evidence:
    """A signed analysis in a fresh workspace, and the anchor file that recorded its trail."""

    engine: Engine
    sessions: sessionmaker[Session]
    company: Company
    dataset_id: str
    run_id: str
    reviewed_id: str
    approved_id: str
    anchor: Path


def _cli(*args: str) -> tuple[int, str]:
    """Run a ``bioparity`` command (in this process, as the console script would); exit code and output."""
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output


def _cli_process(*args: str) -> tuple[int, str]:
    """Run the real ``bioparity`` command in its own process; exit code and stdout+stderr."""
    done = subprocess.run(
        [sys.executable, "-m", "bioparity.cli.main", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=os.environ.copy(),
        check=False,
    )
    return done.returncode, done.stdout + done.stderr


def _verify(ev: Evidence, *, anchor: bool = True) -> tuple[int, str]:
    extra = ["--anchor", str(ev.anchor)] if anchor else []
    return _cli("audit", "verify", "--database-url", url_of(ev.engine), *extra)


@pytest.fixture
def ev(engine: Engine, tmp_path: Path) -> Evidence:
    sessions = make_sessionmaker(engine)
    company = make_company(sessions, "Tamper")
    with sessions.begin() as s:
        dataset = datasets.upload_dataset(
            s,
            company.actor("analyst"),
            company.study.id,
            name="grid",
            filename="grid.csv",
            content=SAMPLESIZE_CSV.encode(),
            analysis_kind="samplesize",
        )
        run = analyses.run_analysis(s, company.actor("analyst"), dataset.id, "samplesize")
        signatures.sign_run(  # signed in order: authored, reviewed, approved
            s,
            company.actor("analyst"),
            run.id,
            username=company.users["analyst"].username,
            password=PASSWORD,
            meaning="authored",
        )
        reviewed = signatures.sign_run(
            s,
            company.actor("reviewer"),
            run.id,
            username=company.users["reviewer"].username,
            password=PASSWORD,
            meaning="reviewed",
        )
        approved = signatures.sign_run(
            s,
            company.actor("statistician"),
            run.id,
            username=company.users["statistician"].username,
            password=PASSWORD,
            meaning="approved",
        )
    anchor = tmp_path / "anchors.jsonl"
    code, out = _cli("audit", "anchor", "--to", str(anchor), "--database-url", url_of(engine))
    assert code == 0, out
    evidence = Evidence(engine, sessions, company, dataset.id, run.id, reviewed.id, approved.id, anchor)
    code, out = _verify(evidence)
    assert code == 0 and "intact" in out, out
    return evidence


# --- what a forger with full database access (but no key) does ----------------------------------


def _unguard(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":
        conn.execute(text("ALTER TABLE audit_events DISABLE TRIGGER USER"))
    else:
        conn.execute(text("DROP TRIGGER IF EXISTS audit_events_no_update"))
        conn.execute(text("DROP TRIGGER IF EXISTS audit_events_no_delete"))


_HASHED = (
    "seq, at, actor_id, actor, org_id, program_id, action, object_type, object_id, before_json, after_json, "
    "reason"
)


def _rechain(conn: Connection) -> None:
    """Recompute every prev_hash/row_hash and move the chain head to the last row (the public algorithm)."""
    rows = conn.execute(text(f"SELECT {_HASHED}, mac FROM audit_events ORDER BY seq")).mappings().all()
    prev = "0" * 64
    for row in rows:
        digest = row_hash(prev, dict(row))
        conn.execute(
            text("UPDATE audit_events SET prev_hash = :p, row_hash = :h WHERE seq = :s"),
            {"p": prev, "h": digest, "s": row["seq"]},
        )
        prev = digest
    last_mac = rows[-1]["mac"] if rows else None
    conn.execute(
        text("UPDATE audit_head SET seq = :n, hash = :h, mac = :m WHERE id = 1"),
        {"n": len(rows), "h": prev, "m": last_mac},
    )


def _seq_of(conn: Connection, action: str, object_id: str) -> int:
    seq: int = conn.execute(
        text("SELECT seq FROM audit_events WHERE action = :a AND object_id = :o"),
        {"a": action, "o": object_id},
    ).scalar_one()
    return seq


def _broken(ev: Evidence, *, anchor: bool = True) -> str:
    code, out = _verify(ev, anchor=anchor)
    assert code == 1, out
    assert "BROKEN" in out, out
    return out


# --- the drills -------------------------------------------------------------------------------------


def test_untouched_workspace_verifies_and_extends_its_anchor(ev: Evidence) -> None:
    code, out = _cli_process(
        "audit", "verify", "--database-url", url_of(ev.engine), "--anchor", str(ev.anchor)
    )
    assert code == 0, out
    assert "1 datasets" in out and "1 analysis runs" in out and "3 signatures" in out and "1 anchors" in out


def test_edit_a_row_and_recompute_the_chain(ev: Evidence) -> None:
    with ev.engine.begin() as conn:
        _unguard(conn)
        seq = _seq_of(conn, "run", ev.run_id)
        conn.execute(
            text("UPDATE audit_events SET actor = 'mallory@rival' WHERE seq = :s"),
            {"s": seq},
        )
        _rechain(conn)
    out = _broken(ev, anchor=False)
    assert f"BROKEN at row {seq}: its MAC does not verify" in out


def test_delete_the_last_rows_and_move_the_head_back(ev: Evidence) -> None:
    with ev.engine.begin() as conn:
        _unguard(conn)
        first = _seq_of(conn, "sign", ev.reviewed_id)
        conn.execute(text("DELETE FROM audit_events WHERE seq >= :s"), {"s": first})
        # and the signatures they recorded (the author's, signed before, stays with its row)
        conn.execute(text("DELETE FROM signatures WHERE meaning <> 'authored'"))
        _rechain(conn)
    # The chain, the head and the objects are consistent again: only the anchor taken before tells,
    # and a verification without one says that it could not tell.
    code, out = _verify(ev, anchor=False)
    assert code == 0 and "intact" in out, out
    assert "no anchor checked: rows deleted from the end of the trail" in out
    assert "bioparity audit anchor --to FILE" in out
    out = _broken(ev)
    assert f"audit row {first + 1} is missing: rows were deleted from the trail after this anchor" in out


def test_delete_the_last_rows_but_keep_their_objects(ev: Evidence) -> None:
    with ev.engine.begin() as conn:
        _unguard(conn)
        first = _seq_of(conn, "sign", ev.reviewed_id)
        conn.execute(text("DELETE FROM audit_events WHERE seq >= :s"), {"s": first})
        _rechain(conn)
    out = _broken(ev, anchor=False)
    for sig in (ev.reviewed_id, ev.approved_id):
        assert f"signature {sig} (" in out and "has no audit row recording its creation" in out


def test_delete_all_rows_of_one_action_and_renumber(ev: Evidence) -> None:
    """Every 'upload' row goes, the rows after it close the gap, and all hashes are recomputed."""
    with ev.engine.begin() as conn:
        _unguard(conn)
        seqs = [r[0] for r in conn.execute(text("SELECT seq FROM audit_events WHERE action = 'upload'"))]
        conn.execute(text("DELETE FROM audit_events WHERE action = 'upload'"))
        rest = conn.execute(text("SELECT seq FROM audit_events WHERE seq > :s ORDER BY seq"), {"s": seqs[0]})
        for new, old in enumerate([r[0] for r in rest], start=seqs[0]):
            conn.execute(text("UPDATE audit_events SET seq = :n WHERE seq = :o"), {"n": new, "o": old})
        _rechain(conn)
    out = _broken(ev)
    assert f"BROKEN at row {seqs[0]}: its MAC does not verify" in out
    assert f"dataset {ev.dataset_id} (" in out and "has no audit row recording its creation" in out


@pytest.mark.parametrize("mac", ["none", "random"])
def test_insert_a_forged_row_and_move_the_head(ev: Evidence, mac: str) -> None:
    with ev.engine.begin() as conn:
        head_seq, head_hash = conn.execute(text("SELECT seq, hash FROM audit_head")).one()
        row: dict[str, Any] = {
            "seq": head_seq + 1,
            "at": "2026-12-05T12:00:00.000000Z",
            "actor_id": ev.company.users["statistician"].id,
            "actor": ev.company.users["statistician"].username,
            "org_id": ev.company.org.id,
            "program_id": ev.company.program.id,
            "action": "sign",
            "object_type": "signature",
            "object_id": "forged-signature",
            "before_json": None,
            "after_json": canonical_json({"meaning": "approved"}),
            "reason": None,
        }
        row["prev_hash"] = head_hash
        row["row_hash"] = row_hash(head_hash, row)
        row["mac"] = None if mac == "none" else secrets.token_hex(32)
        conn.execute(
            text(
                f"INSERT INTO audit_events ({_HASHED}, prev_hash, row_hash, mac) "
                "VALUES (:seq, :at, :actor_id, :actor, :org_id, :program_id, :action, :object_type, "
                ":object_id, :before_json, :after_json, :reason, "
                ":prev_hash, :row_hash, :mac)"
            ),
            row,
        )
        conn.execute(
            text("UPDATE audit_head SET seq = :s, hash = :h, mac = :m WHERE id = 1"),
            {"s": row["seq"], "h": row["row_hash"], "m": row["mac"]},
        )
    out = _broken(ev, anchor=False)
    assert f"BROKEN at row {head_seq + 1}" in out
    assert ("has no MAC" in out) if mac == "none" else ("MAC does not verify" in out)


def _manifest(sig: dict[str, Any]) -> str:
    """The manifest hash a forger with the source recomputes (the signing rules and the signer's role are in
    it when recorded)."""
    fields = ("id", "run_id", "user_id", "username", "display_name", "meaning", "signed_at", "content_sha256")
    manifest = {k: sig[k] for k in fields}
    for later in ("rules", "signer_role"):
        if sig.get(later) is not None:
            manifest[later] = sig[later]
    return sha256_hex(canonical_json(manifest))


def test_reseal_a_signature(ev: Evidence) -> None:
    """The reviewer's 'reviewed' becomes 'approved', with its SHA-256 recomputed."""
    with ev.engine.begin() as conn:
        sig = dict(
            conn.execute(text("SELECT * FROM signatures WHERE id = :i"), {"i": ev.reviewed_id})
            .mappings()
            .one()
        )
        sig["meaning"] = "approved"
        conn.execute(
            text("UPDATE signatures SET meaning = 'approved', signature_sha256 = :h WHERE id = :i"),
            {"h": _manifest(sig), "i": ev.reviewed_id},
        )
    out = _broken(ev, anchor=False)
    assert f"signature {ev.reviewed_id} (" in out
    assert "does not carry the workspace's seal" in out
    assert "differs from its audit row" in out and "meaning" in out
    with ev.sessions() as s:
        run = s.get(AnalysisRun, ev.run_id)
        stored = s.get(Signature, ev.reviewed_id)
        assert run is not None and stored is not None
        assert not signatures.check_signature(run, stored).valid  # the UI shows it invalid too


def test_invent_a_signature(ev: Evidence) -> None:
    """An 'approved' by the viewer, with a correct manifest hash and content hash."""
    with ev.sessions() as s:
        run = s.get(AnalysisRun, ev.run_id)
        assert run is not None
        content = sha256_hex(signatures.signed_content(run))
    viewer = ev.company.users["viewer"]
    sig = {
        "id": "0f0f0f0f-0000-4000-8000-000000000001",
        "run_id": ev.run_id,
        "user_id": viewer.id,
        "username": viewer.username,
        "display_name": viewer.display_name,
        "meaning": "approved",
        "signed_at": "2026-12-05T12:00:00.000000Z",
        "content_sha256": content,
    }
    sig["signature_sha256"] = _manifest(sig)
    with ev.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO signatures (id, run_id, user_id, username, display_name, meaning, signed_at, "
                "content_sha256, signature_sha256) VALUES (:id, :run_id, :user_id, :username, :display_name, "
                ":meaning, :signed_at, :content_sha256, :signature_sha256)"
            ),
            sig,
        )
    code, out = _cli_process(
        "audit", "verify", "--database-url", url_of(ev.engine), "--anchor", str(ev.anchor)
    )
    assert code == 1, out
    assert f"signature {sig['id']} (" in out
    assert "has no audit row recording its creation" in out and "does not carry the workspace's seal" in out


def test_swap_a_dataset_blob_and_repoint_its_hash(ev: Evidence) -> None:
    forged = FORGED_CSV.encode()
    digest = sha256_hex(forged)
    with ev.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO blobs (sha256, size, content, created_at) VALUES (:h, :n, :c, CURRENT_TIMESTAMP)"
            ),
            {"h": digest, "n": len(forged), "c": forged},
        )
        conn.execute(text("UPDATE datasets SET sha256 = :h WHERE id = :i"), {"h": digest, "i": ev.dataset_id})
    out = _broken(ev)
    assert f"dataset {ev.dataset_id} (" in out
    assert "does not carry the audit-key seal" in out
    assert "differs from its audit row" in out and "sha256" in out
    assert f"analysis run {ev.run_id} (samplesize): its input hash" in out
    with ev.sessions() as s:  # and the swapped bytes are not served as the dataset
        dataset = s.get(Dataset, ev.dataset_id)
        assert dataset is not None
        with pytest.raises(DataFileError, match="seal"):
            datasets.dataset_content(s, dataset)


def test_swap_blob_bytes_in_place(ev: Evidence) -> None:
    with ev.engine.begin() as conn:
        sha = conn.execute(
            text("SELECT sha256 FROM datasets WHERE id = :i"), {"i": ev.dataset_id}
        ).scalar_one()
        conn.execute(
            text("UPDATE blobs SET content = :c WHERE sha256 = :h"), {"c": FORGED_CSV.encode(), "h": sha}
        )
    out = _broken(ev, anchor=False)
    assert f"dataset {ev.dataset_id} (" in out and "do not match their SHA-256" in out


def test_edit_a_stored_result(ev: Evidence) -> None:
    with ev.engine.begin() as conn:
        result = conn.execute(
            text("SELECT result_json FROM analysis_runs WHERE id = :i"), {"i": ev.run_id}
        ).scalar_one()
        edited = result.replace("0.8", "0.9", 1)
        assert edited != result
        conn.execute(
            text("UPDATE analysis_runs SET result_json = :r, result_sha256 = :h WHERE id = :i"),
            {"r": edited, "h": sha256_hex(edited), "i": ev.run_id},
        )
    out = _broken(ev, anchor=False)
    assert (
        f"analysis run {ev.run_id} (samplesize) differs from its audit row" in out and "result_sha256" in out
    )
    assert f"signature {ev.approved_id} (" in out and "signed result or its provenance changed" in out


@pytest.mark.parametrize("table", ["analysis_runs", "datasets"])
def test_back_date_a_run_or_a_dataset(ev: Evidence, table: str) -> None:
    """The record's time moved a year back (the report prints "Run at" from it); its audit row still
    holds the true time. Before, verify said "intact"."""
    object_id, label = (ev.run_id, "analysis run") if table == "analysis_runs" else (ev.dataset_id, "dataset")
    with ev.engine.begin() as conn:
        conn.execute(
            text(f"UPDATE {table} SET created_at = :t WHERE id = :i"),
            {"t": datetime(2025, 12, 1, 9, 0, tzinfo=UTC), "i": object_id},
        )
    out = _broken(ev, anchor=False)
    assert f"{label} {object_id} (" in out and "differs from its audit row" in out and "created_at" in out


def test_a_verification_with_an_anchor_does_not_warn_about_one(ev: Evidence) -> None:
    code, out = _verify(ev)
    assert code == 0 and "no anchor checked" not in out, out


def _share(ev: Evidence) -> str:
    """The drill's program shared with (and accepted by) a partner at role viewer; the share's id."""
    partner = make_company(ev.sessions, "Partner")
    with ev.sessions.begin() as s:
        share = programs.share_program(
            s, ev.company.actor("owner"), ev.company.program.id, partner.org.id, "viewer", reason="drill"
        )
        programs.respond_share(s, partner.actor("owner"), partner.org.id, ev.company.program.id, accept=True)
        return share.id


#: What a database writer changes in a record granting access or setting a GxP control (QA audit F6):
#: (table, column, new value, how the record is found, the value the trail recorded).
_PRIVILEGE_EDITS = {
    "member-role": ("memberships", "role", "owner", "user_id", "analyst"),
    "share-role": ("program_shares", "role", "owner", "id", "viewer"),
    "share-scope": ("program_shares", "scope", "caa", "id", None),  # recorded: the whole program
    "segregation-off": ("programs", "segregation_of_duties", False, "id", True),
    "printed-name": ("users", "display_name", "Dr Fake", "id", None),
    "study-name": ("studies", "name", "PK-999", "id", "PK study 1"),
    "user-reactivated": ("users", "is_active", True, "id", False),
}


@pytest.mark.parametrize("drill", list(_PRIVILEGE_EDITS))
def test_a_changed_role_share_setting_name_or_account_is_reported(ev: Evidence, drill: str) -> None:
    """Each edit verified as intact before: the record now differs from the last audit row that set it,
    and the problem names the table, the record, the column and both values."""
    table, column, value, key, recorded = _PRIVILEGE_EDITS[drill]
    record_id = {
        "memberships": ev.company.users["analyst"].id,
        "program_shares": _share(ev) if table == "program_shares" else "",
        "programs": ev.company.program.id,
        "users": ev.company.users["statistician"].id,
        "studies": ev.company.study.id,
    }[table]
    if drill == "printed-name":
        recorded = ev.company.users["statistician"].display_name
    if drill == "user-reactivated":
        with ev.sessions.begin() as s:
            accounts.set_active(s, ev.company.users["statistician"].username, False, reason="drill")
    assert _verify(ev, anchor=False)[0] == 0
    with ev.engine.begin() as conn:
        found = conn.execute(text(f"SELECT id FROM {table} WHERE {key} = :k"), {"k": record_id}).scalar_one()
        conn.execute(text(f"UPDATE {table} SET {column} = :v WHERE id = :i"), {"v": value, "i": found})
    out = _broken(ev)
    assert f"{table} record {found}: {column} is {value!r} in the database" in out, out
    assert f"recorded {recorded!r}: changed outside the application" in out, out


def test_a_member_inserted_or_a_removed_share_restored_is_reported(ev: Evidence) -> None:
    share_id = _share(ev)
    with ev.engine.begin() as conn:
        found = conn.execute(text("SELECT * FROM program_shares WHERE id = :i"), {"i": share_id})
        row = dict(found.mappings().one())
    with ev.sessions.begin() as s:
        programs.unshare_program(
            s, ev.company.actor("owner"), ev.company.program.id, row["org_id"], reason="drill"
        )
    outsider = make_company(ev.sessions, "Outsider").users["viewer"]
    with ev.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO memberships (id, org_id, user_id, role, created_at) "
                "VALUES ('0f0f0f0f-0000-4000-8000-000000000002', :o, :u, 'owner', CURRENT_TIMESTAMP)"
            ),
            {"o": ev.company.org.id, "u": outsider.id},
        )
        columns = ", ".join(row)
        conn.execute(
            text(f"INSERT INTO program_shares ({columns}) VALUES ({', '.join(':' + c for c in row)})"), row
        )
    out = _broken(ev)
    assert "memberships record 0f0f0f0f-0000-4000-8000-000000000002 has no audit row recording it" in out, out
    assert f"program_shares record {share_id} is recorded as removed by audit row" in out, out


def test_an_edited_or_forged_anchor_is_reported(ev: Evidence) -> None:
    line = ev.anchor.read_text().splitlines()[0]
    ev.anchor.write_text(line.replace('"seq":', '"seq":1', 1) + "\n")
    out = _broken(ev)
    assert f"anchor file {ev.anchor}, line 1: its signature does not verify" in out


def test_anchor_refuses_to_anchor_a_broken_workspace(ev: Evidence) -> None:
    before = ev.anchor.read_text()
    with ev.engine.begin() as conn:
        conn.execute(text("UPDATE datasets SET filename = 'other.csv' WHERE id = :i"), {"i": ev.dataset_id})
    code, out = _cli("audit", "anchor", "--to", str(ev.anchor), "--database-url", url_of(ev.engine))
    assert code == 1 and f"dataset {ev.dataset_id}" in out and "not anchored" in out
    assert ev.anchor.read_text() == before


# --- the same drills seen through a real server process ---------------------------------------------


@pytest.fixture
def served(ev: Evidence) -> Iterator[str]:
    """``bioparity serve`` in its own process on the drill's database; its base URL."""
    with serve(url_of(ev.engine), "--no-access-log") as server:
        yield server.url


def test_a_running_server_refuses_swapped_bytes_and_shows_forged_signatures_invalid(
    ev: Evidence, served: str
) -> None:
    auth = ev.company.auth("viewer")
    content = httpx.get(f"{served}/datasets/{ev.dataset_id}/content", headers=auth, timeout=30)
    assert content.status_code == 200 and content.content == SAMPLESIZE_CSV.encode()
    sigs = httpx.get(f"{served}/runs/{ev.run_id}/signatures", headers=auth, timeout=30).json()
    assert [s["valid"] for s in sigs] == [True, True, True]

    forged = FORGED_CSV.encode()
    with ev.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO blobs (sha256, size, content, created_at) VALUES (:h, :n, :c, CURRENT_TIMESTAMP)"
            ),
            {"h": sha256_hex(forged), "n": len(forged), "c": forged},
        )
        conn.execute(
            text("UPDATE datasets SET sha256 = :h WHERE id = :i"),
            {"h": sha256_hex(forged), "i": ev.dataset_id},
        )
        sig = dict(
            conn.execute(text("SELECT * FROM signatures WHERE id = :i"), {"i": ev.reviewed_id})
            .mappings()
            .one()
        )
        sig["meaning"] = "approved"
        conn.execute(
            text("UPDATE signatures SET meaning = 'approved', signature_sha256 = :h WHERE id = :i"),
            {"h": _manifest(sig), "i": ev.reviewed_id},
        )

    swapped = httpx.get(f"{served}/datasets/{ev.dataset_id}/content", headers=auth, timeout=30)
    assert swapped.status_code == 422 and "seal" in swapped.text and forged not in swapped.content
    sigs = httpx.get(f"{served}/runs/{ev.run_id}/signatures", headers=auth, timeout=30).json()
    reviewed = next(s for s in sigs if s["id"] == ev.reviewed_id)
    assert reviewed["valid"] is False and "seal" in reviewed["problem"]
    code, out = _verify(ev)
    assert code == 1 and f"dataset {ev.dataset_id} (" in out and f"signature {ev.reviewed_id} (" in out
