"""QA audit of the workspace's records (part11d), each test failing on the main before:

1. ``bioparity audit verify`` checked that a signature's recorded role allows its meaning, but not that the
   role was the signer's then: it now rebuilds the signer's roles on the program from the trail's
   membership and share rows before the signature's ``sign`` row (21 CFR 11.10(d), 11.10(g)).
2. The API's run and signature listings carried no notice that a run is superseded (a later approved run
   of its kind in its study is what the reports use; the run page says "Superseded", signing answers 409):
   ``superseded_by`` names that run, documented in the OpenAPI schema.
3. A partner organisation's member read, in the program's audit trail, the program's shares with *other*
   partner organisations and everyone's failed signing attempts (security events): they are withheld from
   them, by one rule for the API, the audit page and its CSV and PDF exports, each stating how many rows
   are withheld (least privilege, EU GMP Annex 11 §12.1; 21 CFR 11.10(d)). A member's failed signing
   attempts are among their organisation's security events (its owners' page, CSV and API; 21 CFR
   11.300(d)), whichever organisation's program they tried to sign in: a partner's owner saw none of them
   before (they are filed under the owner's program, not under the account). The audit page's
   verification tells a partner's member whether the trail is intact, no longer the whole workspace's
   counts of users, memberships, programs and shares.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bioparity.server import create_app
from bioparity.store import make_sessionmaker
from bioparity.store.models import AnalysisRun, Program, User
from bioparity.workspace import accounts, signatures
from bioparity.workspace.events import record_change
from bioparity.workspace.integrity import verify_session_integrity
from bioparity.workspace.roles import Meaning
from tests.workspace.conftest import PASSWORD, Company, actor_of, make_company
from tests.workspace.helpers import authored_run as _authored
from tests.workspace.helpers import sign, uploaded_run
from tests.workspace.helpers import signed_by as _sign
from tests.workspace.helpers import stored_run as _run
from tests.workspace.test_share_scope import _share


def _forged(
    sessions: sessionmaker[Session], c: Company, run_id: str, signer: User, meaning: Meaning, role: str | None
) -> str:
    """A signature sealed with the key and audited, written around the signing rules (as a bug or a script
    calling the store directly would leave it), recording ``role`` as the signer's role at signing."""
    with sessions.begin() as s:
        run = s.get_one(AnalysisRun, run_id)
        sig = signatures.sealed_signature(run, signer, meaning, role=role)
        s.add(sig)
        s.flush()
        actor = actor_of(signer)
        record_change(s, actor, "sign", "signature", sig, s.get_one(Program, c.program.id))
        return sig.id


def _problems(sessions: sessionmaker[Session], sig_id: str) -> list[str]:
    with sessions() as s:
        return [p for p in verify_session_integrity(s).problems if sig_id in p]


def test_audit_verify_replays_the_signers_role_at_signing_from_the_trail(
    sessions: sessionmaker[Session], company_factory: Callable[[str], Company]
) -> None:
    a, outsider = company_factory("Replay"), company_factory("Outsider")
    run_id = _authored(sessions, a, "analyst")
    viewer = a.users["viewer"]
    # a viewer's review recorded as a reviewer's: the recorded role allows it, the trail says viewer
    raised = _forged(
        sessions, a, run_id, viewer, Meaning.reviewed, signatures.roles_text([("reviewer", None)])
    )
    label = f"signature {raised} ({viewer.display_name}, reviewed, run {run_id})"
    (problem,) = _problems(sessions, raised)
    assert problem.startswith(
        f'{label}: its recorded role at signing ([{{"role":"reviewer"}}]) is not the role the audit trail\'s '
        "membership and share rows before its audit row "
    )
    assert problem.endswith('give the signer ([{"role":"viewer"}])'), problem
    # someone of another organisation, the program not shared with it; no role recorded (as before 0012)
    stranger = outsider.users["reviewer"]
    unrecorded = _forged(sessions, a, run_id, stranger, Meaning.reviewed, None)
    (problem,) = _problems(sessions, unrecorded)
    assert (
        "the signer was not a member of the program's organisation nor of a partner organisation" in problem
    )
    # a demotion after signing changes nothing: the role is judged as it was then
    honest = _sign(sessions, a, run_id, "reviewer", "reviewed")
    with sessions.begin() as s:
        accounts.change_member_role(
            s, a.actor("owner"), a.org.id, a.users["reviewer"].id, "viewer", reason="x"
        )
    assert _problems(sessions, honest) == []


def test_a_partner_members_signature_replays_with_the_share_of_its_time(
    sessions: sessionmaker[Session], client: TestClient, company_factory: Callable[[str], Company]
) -> None:
    a, b = company_factory("Replay owner"), company_factory("Replay partner")
    run_id = _authored(sessions, a, "analyst")
    _share(client, a, b, "reviewer", None)
    signed = _sign(sessions, b, run_id, "reviewer", "reviewed")
    # the share is lowered and then ended afterwards: the signature was made under the share of its time
    _share(client, a, b, "viewer", None)
    answer = client.request(
        "DELETE",
        f"/programs/{a.program.id}/shares/{b.org.id}",
        headers=a.auth("owner"),
        json={"reason": "end"},
    )
    assert answer.status_code in {200, 204}, answer.text
    assert _problems(sessions, signed) == []
    # recorded as the partner's member role alone (as if a member of the owning organisation): reported
    forged = _forged(
        sessions, a, _run(sessions, a, "analyst"), b.users["reviewer"], Meaning.reviewed,
        signatures.roles_text([("reviewer", None)]),
    )  # fmt: skip
    (problem,) = _problems(sessions, forged)
    assert "not a member of the program's organisation" in problem  # the share had ended by then


def test_the_api_says_which_later_run_supersedes_a_run_and_its_signatures(
    sessions: sessionmaker[Session], client: TestClient, company_factory: Callable[[str], Company]
) -> None:
    a = company_factory("Superseded api")
    older = _run(sessions, a, "analyst")
    _sign(sessions, a, older, "analyst", "authored")
    newer = _authored(sessions, a, "analyst")
    viewer = a.auth("viewer")
    assert [s["superseded_by"] for s in client.get(f"/runs/{older}/signatures", headers=viewer).json()] == [
        None
    ]  # a later draft does not supersede
    _sign(sessions, a, newer, "reviewer", "reviewed")
    _sign(sessions, a, newer, "statistician", "approved")
    draft = _run(sessions, a, "analyst")  # later still, not approved: the reports keep using the newer run
    listed = client.get(f"/runs/{older}/signatures", headers=viewer).json()
    assert [(s["meaning"], s["valid"], s["superseded_by"]) for s in listed] == [("authored", True, newer)]
    assert client.get(f"/runs/{older}", headers=viewer).json()["superseded_by"] == newer
    assert client.get(f"/runs/{newer}", headers=viewer).json()["superseded_by"] is None
    runs = client.get(f"/studies/{a.study.id}/runs", headers=viewer).json()
    assert {r["id"]: r["superseded_by"] for r in runs} == {older: newer, newer: None, draft: None}
    assert {s["superseded_by"] for s in client.get(f"/runs/{newer}/signatures", headers=viewer).json()} == {
        None
    }
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    for name in ("SignatureOut", "RunOut"):
        assert "reports use instead" in schemas[name]["properties"]["superseded_by"]["description"]


def _browser(sessions: sessionmaker[Session], client: TestClient, c: Company, role: str) -> TestClient:
    """The browser of ``c``'s member of ``role`` (signed in; the app's lifespan left to ``client``)."""
    with sessions.begin() as s:
        _token, secret = accounts.login(s, c.users[role].username, PASSWORD)
    return TestClient(client.app, cookies={"bioparity_session": secret})


def _org_of(row: dict[str, object]) -> object:
    states = [state for state in (row["after"], row["before"]) if isinstance(state, dict)]
    return next((state.get("org_id") for state in states if state.get("org_id")), None)


def test_a_partner_reads_the_trail_without_other_partners_shares_and_others_failed_signings(
    sessions: sessionmaker[Session],
    client: TestClient,
    company_factory: Callable[[str], Company],
    tmp_path: Path,
) -> None:
    a, b, c = company_factory("Trail owner"), company_factory("Trail B"), company_factory("Trail C")
    _dataset, run_id = uploaded_run(client, a)
    _share(client, a, b, "reviewer", None)
    _share(client, a, c, "viewer", None)
    for company in (a, b):  # a wrong password each: the owner's reviewer and the partner's
        assert sign(client, company, run_id, "reviewer", "reviewed", password="not it").status_code == 403
    trail = f"/programs/{a.program.id}/audit"
    full = client.get(trail, headers=a.auth("viewer"))  # the owning organisation: every row
    assert full.headers["X-Audit-Withheld"] == "0"
    rows = full.json()
    shares = {r["seq"]: _org_of(r) for r in rows if r["object_type"] == "share"}
    failed = {r["seq"]: r["actor"] for r in rows if r["action"] == "sign_failed"}
    assert set(shares.values()) == {b.org.id, c.org.id} and len(failed) == 2
    others = {seq for seq, org in shares.items() if org == c.org.id}

    def visible(company: Company, role: str) -> tuple[set[int], str]:
        answer = client.get(trail, headers=company.auth(role))
        return {r["seq"] for r in answer.json()}, answer.headers["X-Audit-Withheld"]

    everything = {r["seq"] for r in rows}
    own_failure = {seq for seq, who in failed.items() if who == b.users["reviewer"].username}
    assert visible(b, "reviewer") == (everything - others - (set(failed) - own_failure), str(len(others) + 1))
    analyst_sees, said = visible(b, "analyst")
    assert analyst_sees == everything - others - set(failed) and said == str(len(others) + 2)
    assert {seq for seq, org in shares.items() if org == b.org.id} <= analyst_sees  # its own share's rows
    # the audit page, its CSV and its PDF apply the same rule and say how many rows are withheld
    browser = _browser(sessions, client, b, "analyst")
    withheld = f"{len(others) + 2} events of this program are withheld from you"
    assert withheld in browser.get(f"/ui/programs/{a.program.id}/audit").text
    exported = browser.get(f"/ui/programs/{a.program.id}/audit.csv")
    assert set(pd.read_csv(io.BytesIO(exported.content))["seq"]) == analyst_sees
    owner_csv = pd.read_csv(
        io.BytesIO(
            _browser(sessions, client, a, "viewer").get(f"/ui/programs/{a.program.id}/audit.csv").content
        )
    )
    # (and the partner analyst's export just made, an audit row itself: part11e)
    assert set(owner_csv.loc[owner_csv["action"] != "export", "seq"]) == everything
    assert (
        "withheld"
        not in _browser(sessions, client, a, "viewer").get(f"/ui/programs/{a.program.id}/audit").text
    )
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is missing: run scripts/system-deps.sh")
    (tmp_path / "audit.pdf").write_bytes(browser.get(f"/ui/programs/{a.program.id}/audit.pdf").content)
    text = subprocess.run(
        ["pdftotext", "-raw", str(tmp_path / "audit.pdf"), "-"], capture_output=True, check=True
    )
    # the owner's viewer's CSV export above is withheld from the partner too (part11e: others' exports)
    withheld = f"{len(others) + 3} events of this program are withheld from you"
    assert re.sub(r"\s+", " ", text.stdout.decode()).count(withheld) == 1
    assert json.dumps(c.org.name)[1:-1] not in text.stdout.decode()  # the other partner is not named


def test_an_owner_sees_the_failed_signing_attempts_of_its_members_in_any_program(
    sessions: sessionmaker[Session], client: TestClient, company_factory: Callable[[str], Company]
) -> None:
    a, b = company_factory("Security owner"), company_factory("Security partner")
    _dataset, run_id = uploaded_run(client, a)
    _share(client, a, b, "reviewer", None)
    for company in (a, b):
        assert sign(client, company, run_id, "reviewer", "reviewed", password="not it").status_code == 403

    def failed(c: Company) -> list[tuple[object, object]]:
        answer = client.get(f"/orgs/{c.org.id}/security-events", headers=c.auth("owner"))
        assert answer.status_code == 200, answer.text
        return [(r["actor"], r["object_id"]) for r in answer.json() if r["action"] == "sign_failed"]

    assert failed(a) == [(a.users["reviewer"].username, run_id)]  # its own member only
    assert failed(b) == [(b.users["reviewer"].username, run_id)]  # in the owner's program
    page = _browser(sessions, client, b, "owner").get(f"/ui/orgs/{b.org.id}/security.csv")
    table = pd.read_csv(io.BytesIO(page.content))
    assert list(table[table["action"] == "sign_failed"]["account"]) == [b.users["reviewer"].username]


def test_the_verification_on_a_partners_audit_page_does_not_count_the_workspace(fresh_engine: Engine) -> None:
    sessions = make_sessionmaker(fresh_engine)
    a, b = make_company(sessions, "Verify owner"), make_company(sessions, "Verify partner")
    with TestClient(create_app(engine=fresh_engine)) as client:
        _share(client, a, b, "viewer", None)
        page = f"/ui/programs/{a.program.id}/audit?verify=1"
        owner = _browser(sessions, client, a, "viewer").get(page).text
        partner = _browser(sessions, client, b, "analyst").get(page).text
    assert "audit trail intact: " in owner and " users, " in owner  # the owner's auditors: what was checked
    assert "audit trail intact; key " in partner and " users, " not in partner
