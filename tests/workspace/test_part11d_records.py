"""QA audit of the workspace's records (part11d), each test failing on the main before:

1. ``bioparity audit verify`` checked that a signature's recorded role allows its meaning, but not that the
   role was the signer's then: it now rebuilds the signer's roles on the program from the trail's
   membership and share rows before the signature's ``sign`` row (21 CFR 11.10(d), 11.10(g)).
2. The API's run and signature listings carried no notice that a run is superseded (a later approved run
   of its kind in its study is what the reports use; the run page says "Superseded", signing answers 409):
   ``superseded_by`` names that run, documented in the OpenAPI schema.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from bioparity.store.models import AnalysisRun, Program, User
from bioparity.workspace import accounts, signatures
from bioparity.workspace.events import record_change
from bioparity.workspace.integrity import verify_session_integrity
from bioparity.workspace.roles import Meaning
from tests.workspace.conftest import Company, actor_of
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
    run_id = _run(sessions, a, "analyst")
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
    run_id = _run(sessions, a, "analyst")
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
    newer = _run(sessions, a, "analyst")
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
