"""Issue 16, item 10: reports and readiness use the latest *approved* result; a newer unsigned run (here
with limits 50-200 %, which turns failing comparisons into passes) is shown as a draft and used nowhere;
the author of a run may not review or approve it unless the program switches segregation of duties off.

The PK similarity numbers themselves are tested against R elsewhere (tests/workspace/test_pk_chain.py);
here the point is which stored result is chosen, checked on the HTML a real ``bioparity serve`` process
returns (SQLite and PostgreSQL). On the main of the issue the dashboard and the report showed the unsigned
50-200 % run."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import select

from bioparity.report.evidence import collect, readiness
from bioparity.report.html import RUN_ID_CHARS, shortened
from bioparity.store import make_sessionmaker
from bioparity.store.models import Program
from bioparity.workspace import PermissionDeniedError, programs
from tests.security.conftest import LiveServer, form_token
from tests.workspace.conftest import PASSWORD, Company, make_company
from tests.workspace.helpers import run_and_wait, sign
from tests.workspace.test_pk_chain import _three_arm_concentrations

Client = Any  # an httpx.Client on the live server (the helpers are typed for the in-process client)


def _pk_run(client: Client, a: Company, dataset_id: str, **options: Any) -> str:
    run = run_and_wait(client, dataset_id, a.auth("statistician"), "pk-similarity", options)
    assert run["status"] == "succeeded", run
    return str(run["id"])


def _pp_dataset(client: Client, a: Company) -> str:
    csv = _three_arm_concentrations().to_csv(index=False)
    body = {"name": "conc", "filename": "conc.csv", "content": csv, "analysis_kind": "nca"}
    up = client.post(f"/studies/{a.study.id}/datasets", headers=a.auth("analyst"), json=body)
    assert up.status_code == 201, up.text
    nca = run_and_wait(client, up.json()["id"], a.auth("analyst"), "nca")
    assert nca["status"] == "succeeded", nca
    pp = client.post(
        f"/runs/{nca['id']}/datasets",
        headers=a.auth("analyst"),
        json={"analysis_kind": "pk-similarity"},
    )
    assert pp.status_code == 201, pp.text
    return str(pp.json()["id"])


def _browser(live: LiveServer, a: Company, role: str) -> httpx.Client:
    """A browser-like client signed in through the login form (CSRF token, same origin)."""
    browser = live.client(headers={"Origin": live.url})
    token = form_token(browser)
    response = browser.post(
        "/ui/login", data={"username": a.users[role].username, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code in (302, 303), response.text
    return browser


def _company(live: LiveServer, label: str) -> tuple[Company, Any]:
    sessions = make_sessionmaker(live.engine)
    return make_company(sessions, label), sessions


def test_the_approved_result_wins_over_a_newer_unsigned_rerun(live: LiveServer) -> None:
    a, sessions = _company(live, "Signed")
    client = live.client()
    pp = _pp_dataset(client, a)
    approved = _pk_run(client, a, pp)
    # The statistician ran it: segregation of duties refuses their own approval (403); the reviewer
    # reviews and the owner approves.
    own = sign(client, a, approved, "statistician", "approved")
    assert own.status_code == 403 and "segregation of duties" in own.text
    assert sign(client, a, approved, "statistician", "authored").status_code == 201  # the author first
    assert sign(client, a, approved, "reviewer", "reviewed").status_code == 201
    assert sign(client, a, approved, "owner", "approved").status_code == 201
    widened = _pk_run(client, a, pp, theta1=0.5)
    assert sign(client, a, widened, "statistician", "authored").status_code == 201  # authored is not approved

    with sessions() as s:
        program = s.scalar(select(Program).where(Program.id == a.program.id))
        assert program is not None
        evidence = collect(s, program)
        (study,) = evidence.studies
        assert study.approved("pk-similarity").id == approved  # type: ignore[union-attr]
        assert [r.id for r in study.drafts("pk-similarity")] == [widened]
        _, notes = readiness(evidence)
    assert any(f"the latest approved run {approved} is used" in n for n in notes)

    client = _browser(live, a, "viewer")  # the web pages use the session cookie
    report = client.get(f"/ui/programs/{a.program.id}/report.html")
    assert report.status_code == 200, report.text
    html = report.text
    pk_section = html.split("<h2>PK similarity</h2>")[1].split("<h2>")[0]
    assert approved in pk_section and widened not in pk_section
    assert "50.00-200.00" not in pk_section and "80.00-125.00" in pk_section
    listing = html.split("<h2>Analyses and signatures</h2>")[1]
    # the run's ID shortened in the table, whole in the appendix after it
    for status, run in (("draft", widened), ("approved", approved)):
        assert (
            f'<td>{status}</td><td><span class="hash short">{shortened(run, RUN_ID_CHARS)}</span>' in listing
        )
        assert f'<td class="hash">{run}</td>' in listing

    draft_report = client.get(f"/ui/runs/{widened}/report.html")
    assert draft_report.status_code == 200 and "(DRAFT: not approved)</h1>" in draft_report.text
    approved_report = client.get(f"/ui/runs/{approved}/report.html")
    assert approved_report.status_code == 200 and "DRAFT" not in approved_report.text
    dashboard = client.get(f"/ui/programs/{a.program.id}")
    assert dashboard.status_code == 200
    assert "approved, used in reports" in dashboard.text and "draft, not approved" in dashboard.text


def test_without_an_approval_nothing_is_reported_and_the_setting_can_be_switched_off(
    live: LiveServer,
) -> None:
    a, sessions = _company(live, "Unsigned")
    client = live.client()
    pp = _pp_dataset(client, a)
    run = _pk_run(client, a, pp)
    with sessions() as s:
        program = s.get(Program, a.program.id)
        assert program is not None
        evidence = collect(s, program)
        assert evidence.studies[0].approved("pk-similarity") is None
        _, notes = readiness(evidence)
    assert any("no approved pk-similarity result yet" in n for n in notes)
    with sessions.begin() as s, pytest.raises(PermissionDeniedError):  # not by the would-be approver
        programs.update_program(s, a.actor("statistician"), a.program.id, {"segregation_of_duties": False})
    lifted = client.patch(
        f"/programs/{a.program.id}",
        headers=a.auth("owner"),
        json={"segregation_of_duties": False, "reason": "one statistician on site this month"},
    )
    assert lifted.status_code == 200 and lifted.json()["segregation_of_duties"] is False
    # Without segregation of duties one person may review and approve what they ran (review first).
    assert sign(client, a, run, "statistician", "authored").status_code == 201
    assert sign(client, a, run, "statistician", "reviewed").status_code == 201
    assert sign(client, a, run, "statistician", "approved").status_code == 201
    with sessions() as s:
        program = s.get(Program, a.program.id)
        assert program is not None and program.segregation_of_duties is False
        assert collect(s, program).studies[0].approved("pk-similarity").id == run  # type: ignore[union-attr]
