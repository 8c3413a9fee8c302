"""Security events reviewable through the system (QA audit F4; 21 CFR 11.300(d), EU GMP Annex 11 §12).

Sign-ins, failed and refused sign-ins, locks, unlocks, password changes and sign-outs are audit rows of
no organisation or program, so before this no page, API or export showed them: reviewing failed sign-ins
took SQL on the database. Now an owner sees those of the organisation's current members since each
joined (page, CSV, API) and nothing of other accounts; the administrator exports the whole trail with
``bioparity audit export``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner, Result

from bioparity.cli.main import app
from bioparity.server import create_app
from bioparity.store import make_sessionmaker
from bioparity.workspace import accounts
from bioparity.workspace.errors import AuthenticationError
from tests.workspace.conftest import PASSWORD, Company, make_company, url_of


@dataclass
class Events:
    """A company whose analyst signed in, mistyped a password and signed out, an outsider (member of
    another company) who mistyped theirs, and a sign-in attempt for a user name that does not exist."""

    engine: Engine
    sessions: sessionmaker[Session]
    company: Company
    outsider: Company
    client: TestClient


def _fail(session: Session, username: str) -> None:
    with pytest.raises(AuthenticationError):
        accounts.login(session, username, "wrong password", client="10.0.0.7")


@pytest.fixture
def events(fresh_engine: Engine) -> Iterator[Events]:
    """On SQLite and PostgreSQL (``fresh_engine``: a database of this test's own)."""
    engine = fresh_engine
    sessions = make_sessionmaker(engine)
    company, outsider = make_company(sessions, "Owner"), make_company(sessions, "Other")
    analyst = company.users["analyst"].username
    for username in (analyst, outsider.users["analyst"].username, "nobody@nowhere"):
        with sessions() as s:
            _fail(s, username)  # committed by login itself
    with sessions.begin() as s:
        _token, secret = accounts.login(s, analyst, PASSWORD, client="10.0.0.8")
        accounts.logout(s, company.actor("analyst"), secret)
    with TestClient(create_app(engine=engine)) as client:
        yield Events(engine, sessions, company, outsider, client)


def _page_client(ev: Events, role: str) -> TestClient:
    with ev.sessions.begin() as s:
        _token, secret = accounts.login(s, ev.company.users[role].username, PASSWORD)
    return TestClient(ev.client.app, cookies={"bioparity_session": secret})


def test_an_owner_sees_the_security_events_of_the_members_through_the_api(events: Events) -> None:
    org = events.company.org.id
    answer = events.client.get(f"/orgs/{org}/security-events", headers=events.company.auth("owner"))
    assert answer.status_code == 200, answer.text
    rows = answer.json()
    analyst = events.company.users["analyst"].id
    mine = [(r["action"], r["after"]) for r in rows if r["object_id"] == analyst]
    assert [a for a, _after in mine] == ["login_failed", "login", "logout"]
    assert mine[0][1]["client"] == "10.0.0.7" and mine[0][1]["failures"] == 1
    # Only members of this organisation, and only from when they joined (the user's creation came first).
    members = {u.id for u in events.company.users.values()}
    assert {r["object_id"] for r in rows} <= members
    assert "create" not in {r["action"] for r in rows}
    assert events.outsider.users["analyst"].id not in {r["object_id"] for r in rows}


def test_only_owners_see_them(events: Events) -> None:
    org = events.company.org.id
    for role in ("statistician", "analyst", "viewer"):
        answer = events.client.get(f"/orgs/{org}/security-events", headers=events.company.auth(role))
        assert answer.status_code == 403, (role, answer.text)
    other = events.client.get(f"/orgs/{org}/security-events", headers=events.outsider.auth("owner"))
    assert other.status_code in {403, 404}


def test_the_organisation_page_links_a_page_and_a_csv_of_them(events: Events) -> None:
    org = events.company.org.id
    with _page_client(events, "owner") as owner:
        assert f'href="/ui/orgs/{org}/security"' in owner.get(f"/ui/orgs/{org}").text
        page = owner.get(f"/ui/orgs/{org}/security")
        assert page.status_code == 200
        analyst = events.company.users["analyst"].username
        assert analyst in page.text and "login_failed" in page.text
        assert "client address: 10.0.0.7" in page.text  # the recorded key in words (the CSV: as recorded)
        assert events.outsider.users["analyst"].username not in page.text
        exported = owner.get(f"/ui/orgs/{org}/security.csv")
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    failed = [r for r in rows if r["action"] == "login_failed"]
    assert [(r["account"], r["by"]) for r in failed] == [(analyst, analyst)]
    assert "client: 10.0.0.7" in failed[0]["details"]
    with _page_client(events, "analyst") as member:
        assert f'href="/ui/orgs/{org}/security"' not in member.get(f"/ui/orgs/{org}").text
        assert member.get(f"/ui/orgs/{org}/security").status_code == 403


def _export(ev: Events, out: Path, *extra: str) -> Result:
    """``bioparity audit export --out OUT [extra]`` on the events' database."""
    return CliRunner().invoke(
        app, ["audit", "export", "--out", str(out), *extra, "--database-url", url_of(ev.engine)]
    )


def test_the_administrator_exports_the_whole_trail(events: Events, tmp_path: Path) -> None:
    out = tmp_path / "trail.csv"
    result = _export(events, out)
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert f"wrote {len(rows)} audit rows to {out}" in result.output
    assert [int(r["seq"]) for r in rows] == list(range(1, len(rows) + 1))
    failed = {r["actor"] for r in rows if r["action"] == "login_failed"}
    assert failed == {
        events.company.users["analyst"].username,
        events.outsider.users["analyst"].username,
        "nobody@nowhere",
    }
    assert {"create", "login", "logout", "grant"} <= {r["action"] for r in rows}
    since = _export(events, out, "--since", "2999-01-01")
    assert since.exit_code == 0 and "wrote 0 audit rows" in since.output
    bad = _export(events, out, "--since", "yesterday")
    assert bad.exit_code != 0 and "--since must be a date YYYY-MM-DD, got 'yesterday'" in bad.output


def test_an_owner_still_sees_a_former_members_events_of_their_membership(events: Events) -> None:
    """Q2 of the GxP audit: removing a member deleted their membership row, and with it every security
    event of theirs from the owner's page, CSV and API (only the administrator's export kept them). Now the
    membership periods come from the organisation's grant and revoke rows: the events of their time in the
    organisation stay reviewable (21 CFR 11.10(e)), those after they left are not shown."""
    org = events.company.org.id
    analyst = events.company.users["analyst"]
    with events.sessions.begin() as s:
        accounts.remove_member(s, events.company.actor("owner"), org, analyst.id, reason="left the project")
    with events.sessions() as s:
        _fail(s, analyst.username)  # after leaving: none of the organisation's business
    answer = events.client.get(f"/orgs/{org}/security-events", headers=events.company.auth("owner"))
    assert answer.status_code == 200, answer.text
    mine = [r["action"] for r in answer.json() if r["object_id"] == analyst.id]
    assert mine == ["login_failed", "login", "logout"]
    with _page_client(events, "owner") as owner:
        exported = owner.get(f"/ui/orgs/{org}/security.csv").text
    failed = [r for r in csv.DictReader(io.StringIO(exported)) if r["account"] == analyst.username]
    assert [r["action"] for r in failed] == ["login_failed", "login", "logout"]
    # Joining again opens a new period: events from then on are shown again.
    with events.sessions.begin() as s:
        accounts.add_member_as_admin(s, events.company.org.name, analyst.username, "analyst")
    with events.sessions() as s:
        _fail(s, analyst.username)
    again = events.client.get(f"/orgs/{org}/security-events", headers=events.company.auth("owner")).json()
    assert [r["action"] for r in again if r["object_id"] == analyst.id] == [
        "login_failed",
        "login",
        "logout",
        "login_failed",
    ]
