"""GxP audit Q1, retroactive signature rules: a signature records the program's signing rules in force when
it was made (segregation of duties on or off), sealed with it, and an approval is judged by that rule.

Before, a signature recorded no rule and the dashboard, reports and readiness judged every approval by the
program's *current* ``segregation_of_duties``: a result reviewed and approved by one person while the
setting was off turned back into a draft the moment an owner switched it on, without any signature or
result changing (21 CFR 11.50, 11.70: the manifestation of a signature and its link to the record stay as
signed). Signatures made before the rule was recorded are judged by the program's setting, as before.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from bioparity.report.evidence import collect
from bioparity.store.models import AnalysisRun, Program, Signature
from bioparity.workspace import accounts, programs, signatures
from bioparity.workspace.integrity import verify_session_integrity
from bioparity.workspace.roles import Meaning
from tests.workspace.conftest import PASSWORD, Company
from tests.workspace.helpers import signed_by as _sign
from tests.workspace.helpers import stored_run as _run


@pytest.fixture(scope="module")
def solo(sessions: sessionmaker[Session], company_factory: Callable[[str], Company]) -> Company:
    """A company whose program works without segregation of duties (a one-person lab)."""
    company = company_factory("Solo rules")
    _switch(sessions, company, on=False)
    return company


def _switch(sessions: sessionmaker[Session], c: Company, *, on: bool) -> None:
    with sessions.begin() as s:
        programs.update_program(
            s, c.actor("owner"), c.program.id, {"segregation_of_duties": on}, reason="change control CC-1"
        )


def _approved(sessions: sessionmaker[Session], c: Company, run_id: str) -> bool:
    """Whether the report (and dashboard, readiness) counts the run as approved."""
    with sessions() as s:
        (study,) = collect(s, s.get_one(Program, c.program.id)).studies
        return study.is_approved(s.get_one(AnalysisRun, run_id))


def test_switching_segregation_of_duties_on_does_not_relabel_results_signed_without_it(
    sessions: sessionmaker[Session], solo: Company
) -> None:
    run_id = _run(sessions, solo, "statistician")
    ids = [_sign(sessions, solo, run_id, "statistician", how) for how in ("authored", "reviewed", "approved")]
    assert _approved(sessions, solo, run_id)
    _switch(sessions, solo, on=True)
    try:
        assert _approved(sessions, solo, run_id)  # was a draft from here on
        with sessions() as s:
            recorded = [json.loads(s.get_one(Signature, i).rules or "null") for i in ids]
            run = s.get_one(AnalysisRun, run_id)
            statuses = signatures.run_signatures(s, run)
        assert recorded == [{"segregation_of_duties": False}] * 3
        assert all(st.valid for st in statuses) and [st.independent for st in statuses] == [False] * 3
    finally:
        _switch(sessions, solo, on=False)


def test_the_rule_is_sealed_with_the_signature_and_checked_against_its_audit_row(
    sessions: sessionmaker[Session], solo: Company
) -> None:
    run_id = _run(sessions, solo, "statistician")
    sig_id = _sign(sessions, solo, run_id, "statistician", "authored")
    with sessions() as s:
        problems = [p for p in verify_session_integrity(s).problems if sig_id in p]
    assert problems == []
    with sessions.begin() as s:  # someone with database access rewrites the rule it was signed under
        s.get_one(Signature, sig_id).rules = json.dumps({"segregation_of_duties": True})
    with sessions() as s:
        (status,) = signatures.run_signatures(s, s.get_one(AnalysisRun, run_id))
        problems = [p for p in verify_session_integrity(s).problems if sig_id in p]
    assert not status.valid and status.problem == "the signature record was altered after signing"
    assert any("differs from its audit row" in p and "rules" in p for p in problems), problems


def test_a_signature_without_a_recorded_rule_is_judged_by_the_programs_setting(
    sessions: sessionmaker[Session], company_factory: Callable[[str], Company]
) -> None:
    c = company_factory("Legacy rules")
    run_id = _run(sessions, c, "statistician")
    with sessions.begin() as s:  # as made before revision 0011: no rule recorded, still sealed and valid
        run = s.get_one(AnalysisRun, run_id)
        for how in (Meaning.reviewed, Meaning.approved):
            s.add(signatures.sealed_signature(run, c.users["reviewer"], how))
    with sessions() as s:
        statuses = signatures.run_signatures(s, s.get_one(AnalysisRun, run_id))
    assert all(st.valid and st.independent is None for st in statuses)
    assert not _approved(sessions, c, run_id)  # one person reviewed and approved; the program has SoD on
    _switch(sessions, c, on=False)
    assert _approved(sessions, c, run_id)


def test_the_run_page_shows_the_rule_each_signature_was_made_under(
    sessions: sessionmaker[Session], client: TestClient, solo: Company
) -> None:
    run_id = _run(sessions, solo, "statistician")
    _sign(sessions, solo, run_id, "statistician", "authored")
    _switch(sessions, solo, on=True)
    try:
        _sign(sessions, solo, run_id, "reviewer", "reviewed")
    finally:
        _switch(sessions, solo, on=False)
    with sessions.begin() as s:
        _token, secret = accounts.login(s, solo.users["owner"].username, PASSWORD)
    with TestClient(client.app, cookies={"bioparity_session": secret}) as owner:
        page = owner.get(f"/ui/runs/{run_id}")
    assert page.status_code == 200, page.text
    assert "Rules at signing" in page.text
    cells = page.text.split('class="signed-rules">')[1:]
    assert [c.split("<")[0] for c in cells] == ["segregation of duties off", "segregation of duties on"]


def test_the_api_gives_the_rule_with_each_signature(
    sessions: sessionmaker[Session], client: TestClient, solo: Company
) -> None:
    run_id = _run(sessions, solo, "statistician")
    _sign(sessions, solo, run_id, "statistician", "authored")
    answer = client.get(f"/runs/{run_id}/signatures", headers=solo.auth("owner"))
    assert answer.status_code == 200, answer.text
    assert [json.loads(s["rules"]) for s in answer.json()] == [{"segregation_of_duties": False}]


def test_the_audit_trail_names_the_rule_of_each_signature(
    sessions: sessionmaker[Session], client: TestClient, solo: Company
) -> None:
    """The ``sign`` row says the rule in words on the page and as stored in the CSV export."""
    run_id = _run(sessions, solo, "statistician")
    _sign(sessions, solo, run_id, "statistician", "authored")
    with sessions.begin() as s:
        _token, secret = accounts.login(s, solo.users["owner"].username, PASSWORD)
    with TestClient(client.app, cookies={"bioparity_session": secret}) as owner:
        page = owner.get(f"/ui/programs/{solo.program.id}/audit").text
        exported = owner.get(f"/ui/programs/{solo.program.id}/audit.csv").text
    said = f"signed Sample size (TOST) run {run_id[:8]} meaning &#39;authored&#39;; segregation of duties off"
    assert said in page
    assert f"signed samplesize run {run_id[:8]} meaning 'authored'; segregation_of_duties: false" in exported
