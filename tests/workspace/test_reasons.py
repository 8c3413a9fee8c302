"""The reason for a change (EU GMP Annex 11 section 9: "for change or deletion of GMP-relevant data the
reason should be documented") through the API, on SQLite and PostgreSQL (QA audit finding F3).

Required, non-blank, at most 500 characters, kept trimmed in the change's audit row (and in
``GET .../audit`` as ``reason``) for: switching segregation of duties, changing a member's role and removing a
member, sharing, changing a share's role and unsharing, and a new version of a dataset whose earlier version
a signed run used. A missing reason is answered 422 naming the field, and nothing changes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bioparity.store.models import Membership, Program, ProgramShare
from tests.workspace.conftest import Company
from tests.workspace.helpers import SAMPLESIZE_CSV, run_and_wait, sign, upload

LONGEST = "x" * 500


def _last(client: TestClient, company: Company, action: str, object_type: str) -> dict[str, Any]:
    """The program's latest audit row of ``action`` on an ``object_type``."""
    rows = client.get(f"/programs/{company.program.id}/audit", headers=company.auth("owner")).json()
    found: dict[str, Any] = [r for r in rows if r["action"] == action and r["object_type"] == object_type][-1]
    return found


def _org_last(client: TestClient, company: Company, action: str) -> dict[str, Any]:
    rows = client.get(f"/orgs/{company.org.id}/audit", headers=company.auth("owner")).json()
    found: dict[str, Any] = [r for r in rows if r["action"] == action and r["object_type"] == "membership"][
        -1
    ]
    return found


def _names_reason(response: Any) -> bool:
    """422, and the refusal names the ``reason`` field (in pydantic's location or in the message)."""
    body = response.json()
    located = any(p.get("loc", [])[-1:] == ["reason"] for p in body.get("problems", []))
    return response.status_code == 422 and (located or body["detail"].startswith("reason "))


def test_switching_segregation_of_duties_needs_a_reason(
    client: TestClient, company_factory: Callable[[str], Company], sessions: sessionmaker[Session]
) -> None:
    a = company_factory("Sod")
    url = f"/programs/{a.program.id}"
    for body in ({}, {"reason": ""}, {"reason": " \n\t "}, {"reason": LONGEST + "y"}, {"reason": "a\x00b"}):
        refused = client.patch(url, headers=a.auth("owner"), json={"segregation_of_duties": False, **body})
        assert _names_reason(refused), (body, refused.text)
    with sessions() as s:
        assert s.get_one(Program, a.program.id).segregation_of_duties is True  # nothing changed
    done = client.patch(
        url, headers=a.auth("owner"), json={"segregation_of_duties": False, "reason": LONGEST}
    )
    assert done.status_code == 200 and done.json()["segregation_of_duties"] is False
    assert _last(client, a, "update", "program")["reason"] == LONGEST
    again = {"segregation_of_duties": True, "reason": "  CC-12: pilot over \n"}
    assert client.patch(url, headers=a.auth("owner"), json=again).status_code == 200
    assert _last(client, a, "update", "program")["reason"] == "CC-12: pilot over"  # trimmed
    # other fields need none (a reason given with them is kept)
    assert client.patch(url, headers=a.auth("owner"), json={"description": "d"}).status_code == 200
    assert _last(client, a, "update", "program")["reason"] is None


def test_changing_a_role_and_removing_a_member_need_a_reason(
    client: TestClient, company_factory: Callable[[str], Company], sessions: sessionmaker[Session]
) -> None:
    c = company_factory("Members")
    member = f"/orgs/{c.org.id}/members/{c.users['analyst'].id}"
    refused = client.patch(member, headers=c.auth("owner"), json={"role": "reviewer"})
    assert _names_reason(refused) and "Field required" in refused.json()["detail"]
    assert _names_reason(
        client.patch(member, headers=c.auth("owner"), json={"role": "reviewer", "reason": " "})
    )
    changed = client.patch(member, headers=c.auth("owner"), json={"role": "reviewer", "reason": "QC rota"})
    assert changed.status_code == 200 and changed.json()["role"] == "reviewer"
    row = _org_last(client, c, "update")
    assert (row["before"]["role"], row["after"]["role"], row["reason"]) == ("analyst", "reviewer", "QC rota")

    refused = client.delete(member, headers=c.auth("owner"))  # no body at all
    assert refused.status_code == 422 and refused.json()["detail"] == "reason must not be empty"
    blank = client.request("DELETE", member, headers=c.auth("owner"), json={"reason": "   "})
    assert _names_reason(blank)
    with sessions() as s:
        assert (
            s.scalar(select(Membership.role).where(Membership.user_id == c.users["analyst"].id)) == "reviewer"
        )
    gone = client.request("DELETE", member, headers=c.auth("owner"), json={"reason": "left the company"})
    assert gone.status_code == 204
    assert _org_last(client, c, "revoke")["reason"] == "left the company"


def test_sharing_changing_the_share_role_and_unsharing_need_a_reason(
    client: TestClient, company_factory: Callable[[str], Company], sessions: sessionmaker[Session]
) -> None:
    a, b = company_factory("Sharer"), company_factory("Partner")
    shares = f"/programs/{a.program.id}/shares"
    invite = {"org_id": b.org.id, "role": "viewer"}
    assert _names_reason(client.post(shares, headers=a.auth("owner"), json=invite))
    assert _names_reason(client.post(shares, headers=a.auth("owner"), json=invite | {"reason": ""}))
    with sessions() as s:
        assert s.scalar(select(ProgramShare).where(ProgramShare.program_id == a.program.id)) is None
    made = client.post(shares, headers=a.auth("owner"), json=invite | {"reason": "CRO for PK bioanalysis"})
    assert made.status_code == 201
    assert _last(client, a, "share", "share")["reason"] == "CRO for PK bioanalysis"
    role = {"org_id": b.org.id, "role": "analyst"}
    assert _names_reason(client.post(shares, headers=a.auth("owner"), json=role))
    assert (
        client.post(shares, headers=a.auth("owner"), json=role | {"reason": "uploads too"}).status_code == 201
    )
    assert _last(client, a, "update", "share")["reason"] == "uploads too"

    partner = f"{shares}/{b.org.id}"
    refused = client.delete(partner, headers=a.auth("owner"))
    assert refused.status_code == 422 and refused.json()["detail"] == "reason must not be empty"
    assert client.get(shares, headers=a.auth("owner")).json()[0]["org_id"] == b.org.id  # still shared
    ended = client.request("DELETE", partner, headers=a.auth("owner"), json={"reason": "contract ended"})
    assert ended.status_code == 204
    assert _last(client, a, "unshare", "share")["reason"] == "contract ended"


def test_a_new_version_of_data_a_signed_run_used_needs_a_reason(
    client: TestClient, company_factory: Callable[[str], Company]
) -> None:
    a = company_factory("Replace")
    # before any signature: a new version needs no reason
    assert upload(client, a).status_code == 201
    second = upload(client, a)
    assert second.status_code == 201 and second.json()["version"] == 2
    assert _last(client, a, "upload", "dataset")["reason"] is None
    dataset_id = second.json()["id"]
    run_id = run_and_wait(client, dataset_id, a.auth("analyst"), "samplesize")["id"]
    assert sign(client, a, run_id, "analyst", "authored").status_code == 201
    assert sign(client, a, run_id, "reviewer", "reviewed").status_code == 201
    changed = SAMPLESIZE_CSV.replace("0.3,0.95", "0.31,0.95")
    refused = upload(client, a, content=changed)
    assert _names_reason(refused)
    assert run_id[:8] in refused.json()["detail"] and "'grid'" in refused.json()["detail"]
    assert _names_reason(upload(client, a, content=changed, reason=" "))
    versions = client.get(f"/studies/{a.study.id}/datasets", headers=a.auth("viewer")).json()
    assert [d["version"] for d in versions if d["name"] == "grid"] == [1, 2]  # nothing stored
    stored = upload(client, a, content=changed, reason="CV corrected after the QC check (DV-3)")
    assert stored.status_code == 201 and stored.json()["version"] == 3
    row = _last(client, a, "upload", "dataset")
    assert (
        row["object_id"] == stored.json()["id"] and row["reason"] == "CV corrected after the QC check (DV-3)"
    )
    # another name, never used by a signed run: none needed
    assert upload(client, a, name="other").status_code == 201
    # a result table stored again under the name a signed run's input has: the same rule
    derive = client.post(f"/runs/{run_id}/datasets", headers=a.auth("analyst"), json={"name": "grid"})
    assert _names_reason(derive)
    body = {"name": "grid", "reason": "the result table kept as the input"}
    assert client.post(f"/runs/{run_id}/datasets", headers=a.auth("analyst"), json=body).status_code == 201
    assert dataset_id  # the signed version stays as it was (datasets are immutable)


def test_declining_a_share_needs_a_reason_and_accepting_keeps_one_given(
    client: TestClient, company_factory: Callable[[str], Company], sessions: sessionmaker[Session]
) -> None:
    """The partner's owner declines an offered program for a reason (a decision on access to GMP data the
    offering owner reads in the program's trail); an acceptance may give one (the offer gave its own)."""
    a, b = company_factory("Offering"), company_factory("Answering")
    shares = f"/programs/{a.program.id}/shares"
    offer = {"org_id": b.org.id, "role": "viewer", "reason": "CRO for PK bioanalysis"}
    assert client.post(shares, headers=a.auth("owner"), json=offer).status_code == 201
    answer = f"/orgs/{b.org.id}/share-invitations/{a.program.id}"
    refused = client.post(f"{answer}/decline", headers=b.auth("owner"))  # no body at all
    assert refused.status_code == 422 and refused.json()["detail"] == "reason must not be empty"
    for body in ({}, {"reason": "  "}, {"reason": LONGEST + "y"}):
        assert _names_reason(client.post(f"{answer}/decline", headers=b.auth("owner"), json=body)), body
    with sessions() as s:
        assert s.scalar(select(ProgramShare.status).where(ProgramShare.org_id == b.org.id)) == "pending"
    declined = client.post(f"{answer}/decline", headers=b.auth("owner"), json={"reason": " no CMC scope "})
    assert declined.status_code == 204
    row = _last(client, a, "share_decline", "share")
    assert (row["after"]["status"], row["reason"]) == ("declined", "no CMC scope")

    assert client.post(shares, headers=a.auth("owner"), json=offer).status_code == 201
    assert _names_reason(client.post(f"{answer}/accept", headers=b.auth("owner"), json={"reason": ""}))
    accepted = client.post(f"{answer}/accept", headers=b.auth("owner"), json={"reason": "contract QA-31"})
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    assert _last(client, a, "share_accept", "share")["reason"] == "contract QA-31"
    raised = {"org_id": b.org.id, "role": "analyst", "reason": "uploads too"}
    assert client.post(shares, headers=a.auth("owner"), json=raised).status_code == 201
    assert client.post(f"{answer}/accept", headers=b.auth("owner")).status_code == 200  # none needed
    assert _last(client, a, "share_accept", "share")["reason"] is None


#: Two subjects' concentrations and their doses on the samples' clock (the option ``dosing`` of NCA).
CONCENTRATIONS = "subject,time,conc\n" + "".join(
    f"{s},{t},{c}\n"
    for s in (1, 2)
    for t, c in zip((0, 0.5, 1, 2, 4, 8, 12), (0, 4.1, 6.3, 5.2, 3.4, 1.6, 0.7), strict=True)
)
DOSES = "subject,time,dose\n1,0,100\n2,0,100\n"


def test_a_new_version_of_an_option_dataset_a_signed_run_used_needs_a_reason(
    client: TestClient, company_factory: Callable[[str], Company]
) -> None:
    """The dose records an NCA run read through its option ``dosing`` are evidence behind its signature as
    much as the concentrations: replacing them needs a reason too (before, only the run's main dataset
    was looked at, and a new version of the doses went in without one)."""
    a = company_factory("Dosing")
    conc = upload(client, a, name="pc", filename="pc.csv", content=CONCENTRATIONS, analysis_kind="nca")
    doses = upload(client, a, name="doses", filename="doses.csv", content=DOSES, analysis_kind=None)
    assert conc.status_code == 201 and doses.status_code == 201, (conc.text, doses.text)
    run = run_and_wait(client, conc.json()["id"], a.auth("analyst"), "nca", {"dosing": doses.json()["id"]})
    assert run["status"] == "succeeded", run
    assert (
        upload(client, a, name="doses", filename="d.csv", content=DOSES, analysis_kind=None).status_code
        == 201
    )
    assert sign(client, a, run["id"], "analyst", "authored").status_code == 201
    assert (
        sign(client, a, run["id"], "reviewer", "reviewed").status_code == 201
    )  # now the doses are signed for
    changed = DOSES.replace("2,0,100", "2,0,120")
    refused = upload(client, a, name="doses", filename="d.csv", content=changed, analysis_kind=None)
    assert _names_reason(refused)
    assert run["id"][:8] in refused.json()["detail"] and "'doses'" in refused.json()["detail"]
    stored = upload(
        client,
        a,
        name="doses",
        filename="d.csv",
        content=changed,
        analysis_kind=None,
        reason="subject 2 dose corrected (DV-12)",
    )
    assert stored.status_code == 201 and stored.json()["version"] == 3
    assert _last(client, a, "upload", "dataset")["reason"] == "subject 2 dose corrected (DV-12)"
    # a dataset only another (unsigned) run's option names, or none at all, needs none
    assert upload(client, a, name="grid").status_code == 201
