"""The workspace commands: db upgrade, user create, org create, audit verify and serve (both databases)."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import Engine, text
from typer.testing import CliRunner

from bioparity.cli.main import app
from bioparity.store import current_revision, head_revision
from tests.live_server import serve
from tests.workspace.conftest import PASSWORD, url_of

runner = CliRunner()


def _bioparity(*args: str, input: str | None = None) -> tuple[int, str]:
    result = runner.invoke(app, list(args), input=input)
    return result.exit_code, result.output


def test_db_upgrade_creates_the_schema_and_can_be_repeated(empty_engine: Engine) -> None:
    url = url_of(empty_engine)
    assert current_revision(empty_engine) is None
    code, out = _bioparity("db", "upgrade", "--database-url", url)
    assert code == 0 and f"schema at revision {head_revision()}" in out
    assert _bioparity("db", "upgrade", "--database-url", url)[0] == 0
    assert current_revision(empty_engine) == head_revision()


def test_commands_refuse_a_database_that_was_not_upgraded(empty_engine: Engine) -> None:
    code, out = _bioparity("org", "create", "Acme", "--reason", "r", "--database-url", url_of(empty_engine))
    assert code == 2 and "run `bioparity db upgrade` first" in out


def test_users_and_organisations_from_the_command_line_can_log_in(
    fresh_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BIOPARITY_DATABASE_URL", url_of(fresh_engine))
    code, out = _bioparity(
        "user",
        "create",
        "alice@acme.example",
        "--reason",
        "first user (IT-1)",
        "--display-name",
        "Alice A.",
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert code == 0 and "created user alice@acme.example" in out
    code, out = _bioparity(
        "org", "create", "Acme Biologics", "--owner", "alice@acme.example", "--reason", "IT-1"
    )
    assert code == 0 and "owner alice@acme.example" in out
    bob = [
        "user",
        "create",
        "bob@acme.example",
        "--org",
        "Acme Biologics",
        "--role",
        "analyst",
        "--reason",
        "IT-2",
    ]
    code, out = _bioparity(*bob, "--password-stdin", input=f"{PASSWORD}\n")
    assert code == 0 and "analyst of Acme Biologics" in out
    again = ("user", "create", "bob@acme.example", "--reason", "IT-2", "--password-stdin")
    assert _bioparity(*again, input=f"{PASSWORD}\n")[0] == 2
    code, out = _bioparity("user", "create", "carol", "--reason", "IT-3", "--password-stdin", input="short\n")
    assert code == 2 and "at least 10 characters" in out
    assert _bioparity("org", "create", "Acme Biologics", "--reason", "IT-1")[0] == 2

    from fastapi.testclient import TestClient

    from bioparity.server import create_app

    client = TestClient(create_app(engine=fresh_engine))
    token = client.post("/auth/login", json={"username": "bob@acme.example", "password": PASSWORD}).json()[
        "token"
    ]
    orgs = client.get("/orgs", headers={"Authorization": f"Bearer {token}"}).json()
    assert [(o["name"], o["role"]) for o in orgs] == [("Acme Biologics", "analyst")]

    code, out = _bioparity("audit", "verify")
    assert code == 0 and "audit trail intact" in out


def test_creating_a_user_or_an_organisation_needs_a_reason_kept_in_its_rows(fresh_engine: Engine) -> None:
    """QA audit (EU GMP Annex 11 sections 9 and 12.3): like every administrator's command that changes the
    workspace, ``user create`` and ``org create`` need ``--reason`` (not blank, at most 500 characters);
    without one nothing is created and no row written (the password is not even asked for). The reason is
    kept trimmed in the creation's row and in the membership it grants (``--owner``, ``--org``)."""
    url = url_of(fresh_engine)

    def rows() -> list[tuple[str, str, str | None]]:
        with fresh_engine.connect() as conn:
            found = conn.execute(text("SELECT action, object_type, reason FROM audit_events ORDER BY seq"))
            return [(str(a), str(o), r) for a, o, r in found if a != "audit_keyed"]  # (db upgrade's row)

    user = ("user", "create", "dora@acme.example", "--password-stdin", "--database-url", url)
    code, out = _bioparity(*user, input=f"{PASSWORD}\n")
    assert code == 2 and "Missing option '--reason'" in out
    for blank in ("", "  \t ", "x" * 501):
        code, out = _bioparity(*user, "--reason", blank)  # no password given: refused before it is read
        assert code == 2 and out.startswith("error: reason "), out
    code, out = _bioparity(
        "org", "create", "Dora Labs", "--owner", "dora@acme.example", "--database-url", url
    )
    assert code == 2 and "Missing option '--reason'" in out
    code, out = _bioparity("org", "create", "Dora Labs", "--reason", " ", "--database-url", url)
    assert code == 2 and out.startswith("error: reason must not be empty")
    assert rows() == []  # nothing created, nothing recorded

    assert _bioparity(*user, "--reason", "  hired as QA lead (HR-7) ", input=f"{PASSWORD}\n")[0] == 0
    org = ("org", "create", "Dora Labs", "--owner", "dora@acme.example", "--database-url", url)
    assert _bioparity(*org, "--reason", "x" * 500)[0] == 0
    member = ("user", "create", "eve@acme.example", "--org", "Dora Labs", "--role", "analyst")
    assert _bioparity(*member, "--reason", "CRO analyst (QA-9)", *user[3:], input=f"{PASSWORD}\n")[0] == 0
    assert rows() == [
        ("create", "user", "hired as QA lead (HR-7)"),
        ("create", "organisation", "x" * 500),
        ("grant", "membership", "x" * 500),
        ("create", "user", "CRO analyst (QA-9)"),
        ("grant", "membership", "CRO analyst (QA-9)"),
    ]
    code, out = _bioparity("audit", "verify", "--database-url", url)
    assert code == 0 and "audit trail intact" in out


def test_audit_verify_exits_1_and_names_the_first_broken_row(fresh_engine: Engine) -> None:
    url = url_of(fresh_engine)
    for name in ("Org one", "Org two", "Org three"):
        assert _bioparity("org", "create", name, "--reason", "r", "--database-url", url)[0] == 0
    with fresh_engine.begin() as conn:
        if fresh_engine.dialect.name == "postgresql":
            conn.execute(text("ALTER TABLE audit_events DISABLE TRIGGER USER"))
        else:
            conn.execute(text("DROP TRIGGER audit_events_no_update"))
        conn.execute(text("UPDATE audit_events SET after_json = '{}' WHERE seq = 2"))
    code, out = _bioparity("audit", "verify", "--database-url", url)
    assert code == 1 and "BROKEN at row 2" in out and "edited" in out


@pytest.mark.parametrize(
    "extra", [[], ["--workers", "2", "--no-access-log"]], ids=["one-process", "two-workers"]
)
def test_serve_migrates_at_start_up_and_answers(empty_engine: Engine, extra: list[str]) -> None:
    # The wait for start-up is generous (tests/live_server.py); what is checked is that the server comes
    # up migrated, answers from every path, and never lost a worker on the way.
    with serve(url_of(empty_engine), *extra) as server:
        health = httpx.get(f"{server.url}/health", timeout=30)
        assert health.json() == {"status": "ok", "schema_revision": head_revision()}
        for _ in range(4):  # with two workers, more than one process answers
            assert httpx.get(f"{server.url}/programs", timeout=30).status_code == 401
        assert httpx.get(f"{server.url}/openapi.json", timeout=30).json()["info"]["title"]
        server.process.terminate()
        server.process.wait(timeout=30)
        log = server.log()
    assert "died" not in log and "not ready in time" not in log, log
