"""Role rules: what each role may do in its own organisation and, through a share, in a partner's program."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from bioparity.workspace.roles import GRANTS, Permission, Role, partner_permissions
from tests.workspace.conftest import PASSWORD, ROLES, Company
from tests.workspace.helpers import SAMPLESIZE_CSV, sign, upload, uploaded_run

PROGRAM = {
    "name": "P",
    "inn": "ustekinumab",
    "reference_product": "Stelara",
    "modality": "mAb",
    "target_regions": ["EU"],
}


@pytest.fixture(scope="module")
def a(company_factory: Callable[[str], Company]) -> Company:
    return company_factory("A")


@pytest.fixture(scope="module")
def b(company_factory: Callable[[str], Company]) -> Company:
    return company_factory("B")


def test_partner_share_never_exceeds_either_role() -> None:
    for share_role in ("statistician", "analyst", "reviewer", "viewer"):
        for member_role in Role:
            granted = partner_permissions(share_role, member_role)
            assert granted <= GRANTS[Role(share_role)] & GRANTS[member_role]
            assert Permission.share_program not in granted and Permission.edit_program not in granted


@pytest.mark.parametrize(
    ("role", "status"),
    [("owner", 201), ("statistician", 201), ("analyst", 403), ("reviewer", 403), ("viewer", 403)],
)
def test_who_may_create_a_program(client: TestClient, a: Company, role: str, status: int) -> None:
    body = PROGRAM | {"org_id": a.org.id, "name": f"P-{role}-{uuid.uuid4().hex[:6]}"}
    assert client.post("/programs", headers=a.auth(role), json=body).status_code == status


@pytest.mark.parametrize(
    ("role", "status"),
    [("owner", 201), ("statistician", 201), ("analyst", 201), ("reviewer", 403), ("viewer", 403)],
)
def test_who_may_upload_and_run(client: TestClient, a: Company, role: str, status: int) -> None:
    response = upload(client, a, role=role)
    assert response.status_code == status, response.text
    study = client.post(
        f"/programs/{a.program.id}/studies", headers=a.auth(role), json={"name": f"s-{role}", "kind": "caa"}
    )
    assert study.status_code == status


@pytest.mark.parametrize(
    ("role", "meaning", "status"),
    [
        ("analyst", "authored", 201),
        ("analyst", "approved", 403),
        ("reviewer", "reviewed", 201),
        ("reviewer", "authored", 403),
        ("statistician", "approved", 201),
        ("viewer", "reviewed", 403),
    ],
)
def test_who_may_sign_with_which_meaning(
    client: TestClient, a: Company, role: str, meaning: str, status: int
) -> None:
    _, run_id = uploaded_run(client, a)  # run by the analyst
    if meaning in ("reviewed", "approved"):  # signed in order: authored, reviewed, approved
        assert sign(client, a, run_id, "analyst", "authored").status_code == 201
    if meaning == "approved":  # an approval needs a review by someone else first
        assert sign(client, a, run_id, "reviewer", "reviewed").status_code == 201
    assert sign(client, a, run_id, role, meaning).status_code == status


@pytest.mark.parametrize("role", ["statistician", "analyst", "reviewer", "viewer"])
def test_only_owners_manage_members_share_and_see_the_organisation_audit(
    client: TestClient, a: Company, b: Company, role: str
) -> None:
    members = f"/orgs/{a.org.id}/members"
    assert client.get(members, headers=a.auth(role)).status_code == 200
    new = {"username": b.users["viewer"].username, "role": "viewer"}
    assert client.post(members, headers=a.auth(role), json=new).status_code == 403
    target = f"{members}/{a.users['viewer'].id}"
    assert (
        client.patch(target, headers=a.auth(role), json={"role": "owner", "reason": "test"}).status_code
        == 403
    )
    assert client.request("DELETE", target, headers=a.auth(role), json={"reason": "test"}).status_code == 403
    share = {"org_id": b.org.id, "role": "viewer", "reason": "test"}
    assert (
        client.post(f"/programs/{a.program.id}/shares", headers=a.auth(role), json=share).status_code == 403
    )
    assert client.get(f"/programs/{a.program.id}/shares", headers=a.auth(role)).status_code == 403
    assert client.get(f"/orgs/{a.org.id}/audit", headers=a.auth(role)).status_code == 403
    assert client.get(f"/orgs/{a.org.id}/audit", headers=a.auth("owner")).status_code == 200


def test_only_owning_org_owners_and_statisticians_edit_the_program(client: TestClient, a: Company) -> None:
    url = f"/programs/{a.program.id}"
    assert client.patch(url, headers=a.auth("analyst"), json={"description": "x"}).status_code == 403
    response = client.patch(url, headers=a.auth("statistician"), json={"description": "phase I planned"})
    assert response.status_code == 200 and response.json()["description"] == "phase I planned"
    audit = client.get(f"{url}/audit", headers=a.auth("viewer")).json()
    edit = [e for e in audit if e["action"] == "update" and e["object_type"] == "program"][-1]
    assert edit["before"]["description"] == "" and edit["after"]["description"] == "phase I planned"


def test_the_last_owner_cannot_leave_or_be_demoted(
    client: TestClient, company_factory: Callable[[str], Company]
) -> None:
    c = company_factory("C")
    me = f"/orgs/{c.org.id}/members/{c.users['owner'].id}"
    assert (
        client.patch(me, headers=c.auth("owner"), json={"role": "viewer", "reason": "test"}).status_code
        == 409
    )
    assert client.request("DELETE", me, headers=c.auth("owner"), json={"reason": "test"}).status_code == 409
    other = f"/orgs/{c.org.id}/members/{c.users['statistician'].id}"
    assert (
        client.patch(other, headers=c.auth("owner"), json={"role": "owner", "reason": "test"}).status_code
        == 200
    )
    assert (
        client.patch(me, headers=c.auth("owner"), json={"role": "viewer", "reason": "test"}).status_code
        == 200
    )
    assert client.get(f"/orgs/{c.org.id}/audit", headers=c.auth("owner")).status_code == 403


def test_sharing_grants_the_intersection_of_roles_and_unsharing_hides_again(
    client: TestClient, company_factory: Callable[[str], Company]
) -> None:
    a, b = company_factory("A"), company_factory("B")
    dataset_id, run_id = uploaded_run(client, a)
    shares = f"/programs/{a.program.id}/shares"
    assert client.get(f"/programs/{a.program.id}", headers=b.auth("owner")).status_code == 404

    response = client.post(
        shares, headers=a.auth("owner"), json={"org_id": b.org.id, "role": "viewer", "reason": "CRO"}
    )
    assert response.status_code == 201 and response.json()["org_name"] == b.org.name
    assert response.json()["status"] == "pending"  # an invitation until B's owner accepts
    assert client.get(f"/programs/{a.program.id}", headers=b.auth("owner")).status_code == 404
    accept = f"/orgs/{b.org.id}/share-invitations/{a.program.id}/accept"
    assert client.post(accept, headers=b.auth("owner")).status_code == 200
    for role in ROLES:  # every member of B can now read everything of the program ...
        headers = b.auth(role)
        assert [p["id"] for p in client.get("/programs", headers=headers).json()].count(a.program.id) == 1
        assert client.get(f"/studies/{a.study.id}/datasets", headers=headers).status_code == 200
        assert client.get(f"/datasets/{dataset_id}/content", headers=headers).text == SAMPLESIZE_CSV
        assert client.get(f"/runs/{run_id}/signatures", headers=headers).status_code == 200
    # ... but a viewer share lets nobody of B write, sign, edit, share or see the other partners
    assert upload(client, b, role="owner").status_code == 201  # their own study is unaffected
    assert client.post(f"/studies/{a.study.id}/datasets", headers=b.auth("owner"), json={
        "name": "x", "filename": "x.csv", "content": SAMPLESIZE_CSV}).status_code == 403  # fmt: skip
    assert sign(client, b, run_id, "owner", "approved").status_code == 403
    assert (
        client.patch(f"/programs/{a.program.id}", headers=b.auth("owner"), json={"name": "x"}).status_code
        == 403
    )
    assert client.get(shares, headers=b.auth("owner")).status_code == 403

    # an analyst share: B's analysts and owners may upload and run, B's viewers still only read
    assert (
        client.post(
            shares, headers=a.auth("owner"), json={"org_id": b.org.id, "role": "analyst", "reason": "CRO"}
        ).status_code
        == 201
    )
    assert client.post(accept, headers=b.auth("owner")).status_code == 200  # a higher role needs consent
    body = {"name": "b-data", "filename": "b.csv", "content": SAMPLESIZE_CSV, "analysis_kind": "samplesize"}
    url = f"/studies/{a.study.id}/datasets"
    assert client.post(url, headers=b.auth("analyst"), json=body).status_code == 201
    assert client.post(url, headers=b.auth("viewer"), json=body).status_code == 403
    assert client.post(url, headers=b.auth("reviewer"), json=body).status_code == 403
    assert (
        client.patch(f"/programs/{a.program.id}", headers=b.auth("owner"), json={"name": "x"}).status_code
        == 403
    )

    unshare = client.request(
        "DELETE", f"{shares}/{b.org.id}", headers=a.auth("owner"), json={"reason": "done"}
    )
    assert unshare.status_code == 204
    for role in ROLES:
        assert client.get(f"/programs/{a.program.id}", headers=b.auth(role)).status_code == 404
        assert a.program.id not in client.get("/programs", headers=b.auth(role)).text
    actions = [
        e["action"] for e in client.get(f"/programs/{a.program.id}/audit", headers=a.auth("viewer")).json()
    ]
    assert actions.count("share") == 1 and "unshare" in actions


def test_sharing_at_owner_level_is_refused(client: TestClient, a: Company, b: Company) -> None:
    url = f"/programs/{a.program.id}/shares"
    assert (
        client.post(
            url, headers=a.auth("owner"), json={"org_id": b.org.id, "role": "owner", "reason": "x"}
        ).status_code
        == 422
    )


def test_every_endpoint_but_login_and_health_needs_authentication(client: TestClient, a: Company) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path, operations in paths.items():
        for method in operations:
            if path in {"/auth/login", "/health"}:
                continue
            url = path
            for name in ("org_id", "program_id", "study_id", "dataset_id", "run_id", "user_id", "token_id"):
                url = url.replace("{" + name + "}", a.program.id)
            response = client.request(method.upper(), url, json={})
            assert response.status_code == 401, (method, path, response.status_code)
            bad = client.request(method.upper(), url, json={}, headers={"Authorization": "Bearer bpt_forged"})
            assert bad.status_code == 401


def test_login_cookie_logout_and_token_revocation(client: TestClient, a: Company) -> None:
    username = a.users["viewer"].username
    assert (
        client.post("/auth/login", json={"username": username, "password": "wrong password"}).status_code
        == 401
    )
    assert (
        client.post("/auth/login", json={"username": "nobody-" + username, "password": PASSWORD}).status_code
        == 401
    )
    login = client.post("/auth/login", json={"username": username, "password": PASSWORD})
    assert login.status_code == 200
    token = login.json()["token"]
    session_headers = {"Authorization": f"Bearer {token}"}
    cookie_client = TestClient(client.app, cookies={"bioparity_session": token})
    assert cookie_client.get("/me").json()["user"]["username"] == username
    assert client.get("/me", headers=session_headers).status_code == 200
    assert client.post("/auth/logout", headers=session_headers).status_code == 204
    assert client.get("/me", headers=session_headers).status_code == 401

    created = client.post(
        "/me/tokens",
        headers=a.auth("viewer"),
        json={"name": "ci", "expires_in_days": 30, "password": PASSWORD},
    ).json()
    script = {"Authorization": f"Bearer {created['token']}"}
    assert client.get("/programs", headers=script).status_code == 200
    assert client.delete(f"/me/tokens/{created['id']}", headers=a.auth("viewer")).status_code == 204
    assert client.get("/programs", headers=script).status_code == 401

    audit = client.get(f"/orgs/{a.org.id}/audit", headers=a.auth("owner")).json()
    assert audit, "the organisation's audit lists at least the memberships"


def test_audit_rows_are_paged_by_sequence_number(client: TestClient, a: Company) -> None:
    url = f"/programs/{a.program.id}/audit"
    everything = client.get(url, headers=a.auth("viewer")).json()
    first = client.get(url, headers=a.auth("viewer"), params={"limit": 2}).json()
    rest = client.get(url, headers=a.auth("viewer"), params={"after_seq": first[-1]["seq"]}).json()
    assert [e["seq"] for e in first + rest] == [e["seq"] for e in everything]
    assert len(first) == 2 and len(everything) > 2
