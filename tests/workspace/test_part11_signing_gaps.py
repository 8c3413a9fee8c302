"""Part 11 audit (part11c) of the workspace's e-signatures, gaps 1-3, each test failing on the main before:

1. The signer's role at signing was not recorded: after a member was promoted or demoted, nothing showed the
   authority a signature was made under (21 CFR 11.10(g) authority checks; 11.50 manifestation). It is now
   recorded (``signer_role``, revision 0012), sealed with the signature like its rules, checked by
   ``bioparity audit verify`` against its audit row and shown on the run page, the API and the audit trail.
2. An approval made under segregation of duties could rest on a review by the run's own creator, made while
   segregation of duties was off (EU GMP Annex 11 §2; PIC/S PI 041-1 §9: the review an approval rests on
   must be independent by the rule in force at approval).
3. A superseded run (a later run of its kind in its study is approved, so the reports use that one) could
   still be reviewed and approved, suggesting it is the reported result.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from bioparity.report.evidence import collect
from bioparity.store import current_revision, make_sessionmaker, upgrade_schema
from bioparity.store.models import AnalysisRun, AuditEvent, Program, Signature
from bioparity.workspace import ConflictError, accounts, signatures
from bioparity.workspace.events import record_change
from bioparity.workspace.integrity import upgrade, verify_session_integrity
from bioparity.workspace.roles import Meaning
from tests.workspace.conftest import PASSWORD, Company, make_company
from tests.workspace.helpers import authored_run as _authored
from tests.workspace.helpers import signed_by as _sign
from tests.workspace.helpers import stored_run as _run
from tests.workspace.helpers import uploaded_run
from tests.workspace.test_share_scope import _share
from tests.workspace.test_signature_rules_at_signing import _approved, _switch
from tests.workspace.test_study_names import _downgrade


@pytest.fixture(scope="module")
def a(company_factory: Callable[[str], Company]) -> Company:
    return company_factory("Part11c")


def _owner_client(sessions: sessionmaker[Session], client: TestClient, c: Company) -> TestClient:
    """The owner's browser: the module's app, its lifespan left to ``client`` (not entered here, which
    would stop the app's job workers on leaving)."""
    with sessions.begin() as s:
        _token, secret = accounts.login(s, c.users["owner"].username, PASSWORD)
    return TestClient(client.app, cookies={"bioparity_session": secret})


def _sign_row(sessions: sessionmaker[Session], sig_id: str) -> dict[str, object]:
    with sessions() as s:
        row = s.scalars(
            select(AuditEvent).where(AuditEvent.action == "sign", AuditEvent.object_id == sig_id)
        ).one()
        details: dict[str, object] = json.loads(row.after_json or "{}")
        return details


def _later(sessions: sessionmaker[Session], sig_id: str) -> dict[str, object]:
    """The later runs a signature's audit row recorded."""
    row = _sign_row(sessions, sig_id)
    return {k: row.get(k, "absent") for k in ("later_runs", "superseded_by")}


# --- gap 1: the signer's role at signing --------------------------------------------------------------


def test_the_signers_role_is_recorded_and_stays_as_signed_after_a_demotion(
    sessions: sessionmaker[Session], a: Company
) -> None:
    run_id = _authored(sessions, a, "analyst")
    sig_id = _sign(sessions, a, run_id, "reviewer", "reviewed")
    with sessions.begin() as s:  # the reviewer is demoted to viewer afterwards
        accounts.change_member_role(
            s, a.actor("owner"), a.org.id, a.users["reviewer"].id, "viewer", reason="left QA"
        )
    try:
        with sessions() as s:
            *_, status = signatures.run_signatures(s, s.get_one(AnalysisRun, run_id))
            problems = [p for p in verify_session_integrity(s).problems if sig_id in p]
        assert json.loads(status.signature.signer_role or "null") == [{"role": "reviewer"}]
        assert status.valid and status.role_words == "reviewer" and problems == []
        assert _sign_row(sessions, sig_id)["signer_role"] == status.signature.signer_role  # in its audit row
    finally:
        with sessions.begin() as s:
            accounts.change_member_role(
                s, a.actor("owner"), a.org.id, a.users["reviewer"].id, "reviewer", reason="back in QA"
            )


def test_the_role_is_sealed_with_the_signature_and_checked_against_its_audit_row(
    sessions: sessionmaker[Session], a: Company
) -> None:
    run_id = _authored(sessions, a, "analyst")
    sig_id = _sign(sessions, a, run_id, "reviewer", "reviewed")
    with sessions.begin() as s:  # someone with database access rewrites the authority it was signed under
        s.get_one(Signature, sig_id).signer_role = json.dumps([{"role": "owner"}])
    with sessions() as s:
        *_, status = signatures.run_signatures(s, s.get_one(AnalysisRun, run_id))
        problems = [p for p in verify_session_integrity(s).problems if sig_id in p]
    assert not status.valid and status.problem == "the signature record was altered after signing"
    assert any(p.endswith("the signature record was altered after signing") for p in problems), problems
    assert any("differs from its audit row" in p and "signer_role" in p for p in problems), problems
    with sessions.begin() as s:  # ... and recomputes its SHA-256 (the source is public): the seal fails
        sig = s.get_one(Signature, sig_id)
        sig.signature_sha256 = signatures._manifest_hash(sig)
    with sessions() as s:
        *_, status = signatures.run_signatures(s, s.get_one(AnalysisRun, run_id))
    assert not status.valid and "does not carry the workspace's seal" in status.problem


def test_a_partner_members_role_names_the_share(sessions: sessionmaker[Session], a: Company) -> None:
    with sessions() as s:
        program = s.get_one(Program, a.program.id)
        recorded = signatures.signer_role(s, a.users["statistician"].id, program)
    assert json.loads(recorded) == [{"role": "statistician"}]
    shared = signatures.recorded_roles(json.dumps([{"role": "analyst", "share": "reviewer"}]))
    assert shared == (("analyst", "reviewer"),)
    said = signatures.signer_role_words(json.dumps([{"role": "analyst", "share": "reviewer"}]))
    assert said == "analyst of a partner organisation, program shared at reviewer"
    assert signatures.signer_role_words(None) is None and signatures.recorded_roles("not json") is None


def test_run_page_api_and_audit_trail_show_the_role_at_signing(
    sessions: sessionmaker[Session], client: TestClient, a: Company, tmp_path: Path
) -> None:
    run_id = _run(sessions, a, "analyst")
    with sessions.begin() as s:  # as made before revision 0012: no role recorded, still sealed and valid
        run = s.get_one(AnalysisRun, run_id)
        s.add(signatures.sealed_signature(run, a.users["analyst"], Meaning.authored))
    _sign(sessions, a, run_id, "reviewer", "reviewed")
    answer = client.get(f"/runs/{run_id}/signatures", headers=a.auth("owner"))
    assert answer.status_code == 200, answer.text
    assert [s["signer_role"] for s in answer.json()] == [None, '[{"role":"reviewer"}]']
    assert all(s["valid"] for s in answer.json())
    owner = _owner_client(sessions, client, a)
    page = owner.get(f"/ui/runs/{run_id}").text
    trail = owner.get(f"/ui/programs/{a.program.id}/audit").text
    exported = owner.get(f"/ui/programs/{a.program.id}/audit.csv").text
    pdf = owner.get(f"/ui/programs/{a.program.id}/audit.pdf")
    assert pdf.status_code == 200
    (tmp_path / "audit.pdf").write_bytes(pdf.content)
    printed = subprocess.run(
        ["pdftotext", str(tmp_path / "audit.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "role at signing: reviewer" in " ".join(printed.split())
    cells = [c.split("<")[0] for c in page.split('class="signed-role">')[1:]]
    assert cells == ["not recorded (signed before roles were recorded)", "reviewer"]
    assert (
        f"run {run_id[:8]} meaning &#39;reviewed&#39;; segregation of duties on; role at signing: reviewer"
        in (trail)
    )
    assert f"run {run_id[:8]} meaning 'reviewed'; segregation_of_duties: true; signer_role: " in exported
    # the run report (what a regulator reads) carries the rule and the role under each signature
    report = owner.get(f"/ui/runs/{run_id}/report.html")
    assert report.status_code == 200, report.text
    roles = [c.split("<")[0] for c in report.text.split('class="signed-role">')[1:]]
    assert roles == ["not recorded (signed before roles were recorded)", "reviewer"]
    rules = [c.split("<")[0] for c in report.text.split('class="signed-rules">')[1:]]
    assert rules == [c.split("<")[0] for c in page.split('class="signed-rules">')[1:]]
    assert rules[-1] == "segregation of duties on"


# --- gap 2: an approval rests on a review valid under the rule in force at approval ----------------------


def test_an_approval_under_segregation_of_duties_does_not_rest_on_the_creators_review(
    sessions: sessionmaker[Session], company_factory: Callable[[str], Company]
) -> None:
    c = company_factory("Part11c SoD")
    _switch(sessions, c, on=False)
    run_id = _run(sessions, c, "statistician")
    _sign(sessions, c, run_id, "statistician", "authored")
    _sign(sessions, c, run_id, "statistician", "reviewed")  # allowed then: one person may do everything
    _switch(sessions, c, on=True)
    with pytest.raises(ConflictError) as refused, sessions.begin() as s:
        signatures.sign_run(
            s, c.actor("reviewer"), run_id, username=c.users["reviewer"].username, password=PASSWORD,
            meaning="approved",
        )  # fmt: skip
    said = str(refused.value)
    assert said.startswith("segregation of duties: the only currently valid review is by Statistician of")
    assert "needs a review by a person independent of the analysis" in said
    with sessions() as s:
        rows = s.scalars(
            select(AuditEvent).where(AuditEvent.action == "sign_refused", AuditEvent.object_id == run_id)
        ).all()
    assert [json.loads(r.after_json or "{}")["rule"] for r in rows] == ["order"]
    # an approval stored under SoD that rests on that review (as the main let it be signed) does not count
    with sessions.begin() as s:
        run = s.get_one(AnalysisRun, run_id)
        rules = signatures.program_rules(s.get_one(Program, c.program.id))
        s.add(signatures.sealed_signature(run, c.users["reviewer"], Meaning.approved, rules=rules))
    assert not _approved(sessions, c, run_id)
    with sessions() as s:  # the same approval under the rule it was signed without still counts
        statuses = signatures.run_signatures(s, s.get_one(AnalysisRun, run_id))
    creator = c.users["statistician"].id
    assert not signatures.approval_holds(statuses, creator=creator)
    unruled = [
        signatures.SignatureStatus(replace_rules(st.signature), st.valid, st.problem) for st in statuses
    ]
    assert signatures.approval_holds(unruled, creator=creator, independent=False)


def replace_rules(sig: Signature) -> Signature:
    """A detached copy of ``sig`` recording no rules (judged by the setting given)."""
    return Signature(**{c.key: getattr(sig, c.key) for c in Signature.__table__.columns} | {"rules": None})


# --- gap 3: a superseded run ---------------------------------------------------------------------------


def test_a_superseded_run_is_not_reviewed_or_approved_and_its_page_says_which_run_reports_use(
    sessions: sessionmaker[Session], client: TestClient, a: Company
) -> None:
    older = _run(sessions, a, "analyst")
    newer = _authored(sessions, a, "analyst")  # the same kind in the same study, made later
    _sign(sessions, a, newer, "reviewer", "reviewed")
    _sign(sessions, a, newer, "statistician", "approved")
    assert _approved(sessions, a, newer)
    for role, meaning in (("reviewer", "reviewed"), ("statistician", "approved")):
        with pytest.raises(ConflictError) as refused, sessions.begin() as s:
            signatures.sign_run(
                s, a.actor(role), older, username=a.users[role].username, password=PASSWORD, meaning=meaning
            )
        assert str(refused.value).startswith(
            f"this result is superseded: the reports use the later approved run {newer} of this kind"
        )
    draft = _run(sessions, a, "analyst")  # newer still, not approved
    sig_id = _sign(sessions, a, older, "analyst", "authored")  # authorship stays possible, on record
    assert _later(sessions, sig_id) == {"later_runs": [newer, draft], "superseded_by": newer}
    with sessions() as s:  # consistent with the reports: the newer run is the one they use
        (study,) = collect(s, s.get_one(Program, a.program.id)).studies
        assert study.approved("samplesize") is s.get_one(AnalysisRun, newer)
    owner = _owner_client(sessions, client, a)
    page = owner.get(f"/ui/runs/{older}").text
    trail = owner.get(f"/ui/programs/{a.program.id}/audit").text
    used_page = owner.get(f"/ui/runs/{newer}").text  # the run reports use, with a later draft
    assert f"Later runs of this kind in this study exist ({draft[:8]}), not approved" in used_page
    assert f"Superseded: the reports use the later approved run {newer[:8]} of this kind" in page
    assert f'href="/ui/runs/{newer}"' in page
    assert f"superseded at signing: the reports used the later approved run {newer[:8]}" in trail


def test_a_run_with_a_later_draft_is_signed_with_the_draft_on_record(
    sessions: sessionmaker[Session], client: TestClient, company_factory: Callable[[str], Company]
) -> None:
    c = company_factory("Part11c drafts")
    older = _run(sessions, c, "analyst")
    draft = _run(sessions, c, "analyst")
    _sign(sessions, c, older, "analyst", "authored")
    _sign(sessions, c, older, "reviewer", "reviewed")
    sig_id = _sign(sessions, c, older, "statistician", "approved")  # the draft is not approved: allowed
    assert _approved(sessions, c, older)
    assert _later(sessions, sig_id) == {"later_runs": [draft], "superseded_by": None}
    owner = _owner_client(sessions, client, c)
    page = owner.get(f"/ui/runs/{older}").text
    assert f"Later runs of this kind in this study exist ({draft[:8]}), not approved" in page
    last = _sign(sessions, c, draft, "analyst", "authored")  # the latest run: nothing later on record
    assert "later_runs" not in _sign_row(sessions, last)


# --- migration 0012 ------------------------------------------------------------------------------------


def test_migration_0012_keeps_earlier_signatures_valid_and_records_roles_after(empty_engine: Engine) -> None:
    upgrade(empty_engine)
    sessions = make_sessionmaker(empty_engine)
    c = make_company(sessions, "Mig12")
    run_id = _run(sessions, c, "analyst")
    with sessions.begin() as s:  # signatures as made at revision 0011 (their rules, no role), audited
        run = s.get_one(AnalysisRun, run_id)
        program = s.get_one(Program, c.program.id)
        for role, meaning in (("analyst", Meaning.authored), ("reviewer", Meaning.reviewed)):
            sig = signatures.sealed_signature(
                run, c.users[role], meaning, rules=signatures.program_rules(program)
            )
            s.add(sig)
            s.flush()
            record_change(s, c.actor(role), "sign", "signature", sig, program)
        earlier = sig.id
    _downgrade(empty_engine, "0011_signature_rules")
    assert current_revision(empty_engine) == "0011_signature_rules"
    upgrade_schema(empty_engine)
    assert current_revision(empty_engine) == "0012_signer_role"
    later = _sign(sessions, c, run_id, "statistician", "approved")
    with sessions() as s:
        statuses = {
            st.signature.id: st for st in signatures.run_signatures(s, s.get_one(AnalysisRun, run_id))
        }
        problems = verify_session_integrity(s).problems
    assert statuses[earlier].valid and statuses[earlier].signature.signer_role is None
    assert statuses[earlier].role_words is None
    assert statuses[later].valid and statuses[later].role_words == "statistician"
    assert [p for p in problems if earlier in p or later in p] == []


# --- gap 4 (by design): a scoped partner reads the whole program, its audit rows too ----------------------


def test_a_scoped_partner_reads_the_audit_rows_of_studies_outside_its_scope_as_it_reads_their_data(
    client: TestClient, company_factory: Callable[[str], Company]
) -> None:
    """A share's scope limits writing only (README, "Share scope": "The partner's members still read the
    whole program"; :func:`bioparity.workspace.access._check`: "a scope never hides anything of the
    program"): the audit rows of a study outside the scope are as visible as its datasets and runs."""
    a, b = company_factory("Dev audit"), company_factory("Cmc audit")
    dataset_id, run_id = uploaded_run(client, a)  # in a's PK study
    _share(client, a, b, "analyst", ["caa"])
    analyst = b.auth("analyst")
    assert client.get(f"/datasets/{dataset_id}/content", headers=analyst).status_code == 200
    assert client.get(f"/runs/{run_id}/signatures", headers=analyst).status_code == 200
    rows = client.get(f"/programs/{a.program.id}/audit", headers=analyst)
    assert rows.status_code == 200
    assert {(r["action"], r["object_id"]) for r in rows.json()} >= {("upload", dataset_id), ("run", run_id)}


def test_audit_verify_reports_a_sealed_signature_whose_recorded_role_does_not_allow_its_meaning(
    sessions: sessionmaker[Session], a: Company
) -> None:
    """A signature written with the key but around the signing rules (a viewer's approval, as a bug or a
    script calling the store directly would leave it) is sealed and audited, yet its recorded role
    shows it was not allowed (21 CFR 11.10(g))."""
    run_id = _run(sessions, a, "analyst")
    viewer = a.users["viewer"]
    with sessions.begin() as s:
        run = s.get_one(AnalysisRun, run_id)
        program = s.get_one(Program, a.program.id)
        role = signatures.signer_role(s, viewer.id, program)
        sig = signatures.sealed_signature(run, viewer, Meaning.approved, role=role)
        s.add(sig)
        s.flush()
        record_change(s, a.actor("viewer"), "sign", "signature", sig, program)
        sig_id = sig.id
    with sessions() as s:
        (status,) = signatures.run_signatures(s, s.get_one(AnalysisRun, run_id))
        problems = [p for p in verify_session_integrity(s).problems if sig_id in p]
    assert status.valid and signatures.role_granted(status.signature) is False
    assert problems == [
        f"signature {sig_id} ({viewer.display_name}, approved, run {run_id}): its recorded role at signing "
        '([{"role":"viewer"}]) does not allow signing as approved'
    ]
    _sign(sessions, a, run_id, "analyst", "authored")
    reviewer = _sign(sessions, a, run_id, "reviewer", "reviewed")
    with sessions() as s:
        assert signatures.role_granted(s.get_one(Signature, reviewer)) is True
    partner = Signature(
        meaning="reviewed", signer_role=json.dumps([{"role": "analyst", "share": "reviewer"}])
    )
    assert signatures.role_granted(partner) is False  # an analyst's own role does not review
    assert signatures.role_granted(Signature(meaning="reviewed", signer_role=None)) is None
