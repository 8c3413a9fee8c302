"""Cross-organisation isolation: a user of company B can neither list, read, change nor infer anything of
company A's unshared program, through any endpoint of the API (on SQLite and on PostgreSQL)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bioparity.store.models import AuditEvent, AuthToken, ProgramShare
from tests.workspace.conftest import PASSWORD, ROLES, Company
from tests.workspace.helpers import sign, uploaded_run

# A valid body for every endpoint that takes one, so that B's requests reach the authorisation checks.
BODIES: dict[tuple[str, str], Any] = {
    ("POST", "/auth/login"): None,
    ("POST", "/auth/logout"): None,
    ("POST", "/me/tokens"): {"name": "script", "password": PASSWORD},
    ("POST", "/me/password"): {"current_password": "not the password", "new_password": "x" * 12},
    ("POST", "/me/invitations/{invitation_id}/accept"): None,
    ("POST", "/me/invitations/{invitation_id}/decline"): None,
    ("POST", "/orgs/{org_id}/share-invitations/{program_id}/accept"): None,
    ("POST", "/orgs/{org_id}/share-invitations/{program_id}/decline"): {"reason": "intrusion"},
    ("POST", "/orgs/{org_id}/members"): {"username": "{b_user}", "role": "owner"},
    ("PATCH", "/orgs/{org_id}/members/{user_id}"): {"role": "viewer", "reason": "intrusion"},
    ("POST", "/programs"): {
        "org_id": "{org_id}",
        "name": "intrusion",
        "inn": "x",
        "reference_product": "y",
        "modality": "z",
        "target_regions": ["EU"],
    },
    ("PATCH", "/programs/{program_id}"): {"name": "hijacked"},
    ("POST", "/programs/{program_id}/shares"): {"org_id": "{b_org}", "role": "statistician", "reason": "x"},
    ("POST", "/programs/{program_id}/studies"): {"name": "s", "kind": "pk"},
    ("POST", "/studies/{study_id}/datasets"): {
        "name": "d",
        "filename": "d.csv",
        "content": "design,cv,theta0,n\n2x2,0.3,0.95,24\n",
        "analysis_kind": "power",
    },
    ("POST", "/datasets/{dataset_id}/runs"): {"kind": "samplesize"},
    ("POST", "/runs/{run_id}/signatures"): {
        "username": "{b_user}",
        "password": PASSWORD,
        "meaning": "approved",
    },
    ("POST", "/runs/{run_id}/datasets"): {"name": "derived"},
}
# Endpoints that take no identifier of A's: their answers must simply not mention A.
WITHOUT_A_IDS = {
    ("POST", "/auth/login"),
    ("POST", "/auth/logout"),
    ("GET", "/me"),
    ("GET", "/me/tokens"),
    ("POST", "/me/tokens"),
    ("POST", "/me/password"),
    ("GET", "/me/invitations"),
    ("GET", "/orgs"),
    ("GET", "/programs"),
    ("GET", "/analysis-kinds"),
    ("GET", "/health"),
}


def _routes(client: TestClient) -> list[tuple[str, str]]:
    """Every operation of the API, from its OpenAPI schema."""
    paths = client.get("/openapi.json").json()["paths"]
    return sorted((method.upper(), path) for path, operations in paths.items() for method in operations)


@pytest.fixture(scope="module")
def world(client: TestClient, company_factory: Callable[[str], Company]) -> dict[str, Any]:
    a, b = company_factory("A"), company_factory("B")
    dataset_id, run_id = uploaded_run(client, a)
    assert sign(client, a, run_id, "analyst", "authored").status_code == 201
    assert sign(client, a, run_id, "reviewer", "reviewed").status_code == 201
    a_token = client.get("/me/tokens", headers=a.auth("owner")).json()[0]["id"]
    invited = {"username": f"newcomer-{a.org.id}", "role": "viewer"}
    invitation = client.post(f"/orgs/{a.org.id}/members", headers=a.auth("owner"), json=invited)
    assert invitation.status_code == 202
    ids = {
        "org_id": a.org.id,
        "program_id": a.program.id,
        "study_id": a.study.id,
        "dataset_id": dataset_id,
        "run_id": run_id,
        "user_id": a.users["owner"].id,
        "token_id": a_token,
        "invitation_id": invitation.json()["id"],
        "b_org": b.org.id,
        "b_user": b.users["viewer"].username,
    }
    secrets = [a.org.id, a.org.name, a.program.id, a.program.name, a.study.id, dataset_id, run_id, a_token]
    secrets += [invitation.json()["id"]]
    secrets += [u.id for u in a.users.values()] + [u.username for u in a.users.values()]
    return {"a": a, "b": b, "ids": ids, "secrets": secrets}


def _fill(value: Any, ids: dict[str, str]) -> Any:
    if value is None:
        return None
    text = json.dumps(value)
    for key, replacement in ids.items():
        text = text.replace("{" + key + "}", replacement)
    return json.loads(text)


def _call(client: TestClient, method: str, path: str, ids: dict[str, str], headers: dict[str, str]) -> Any:
    url = path.format(**ids)
    return client.request(method, url, headers=headers, json=_fill(BODIES.get((method, path)), ids))


def test_every_endpoint_is_covered_by_this_test(client: TestClient) -> None:
    unknown = [r for r in _routes(client) if "{" in r[1] and r not in BODIES and r[0] in {"POST", "PATCH"}]
    assert not unknown, f"add request bodies for {unknown}"
    assert {r for r in _routes(client) if "{" not in r[1]} <= WITHOUT_A_IDS | {
        r for r in BODIES if "{" not in r[1]
    }, "a new endpoint without path ids must be listed in WITHOUT_A_IDS"


@pytest.mark.parametrize("b_role", ROLES)
def test_company_b_gets_not_found_for_every_object_of_company_a(
    client: TestClient, world: dict[str, Any], b_role: str
) -> None:
    b: Company = world["b"]
    ids: dict[str, str] = world["ids"]
    checked = 0
    for method, path in _routes(client):
        if (method, path) in WITHOUT_A_IDS:
            continue
        response = _call(client, method, path, ids, b.auth(b_role))
        if method == "POST" and path == "/programs":
            # the body names A's organisation: answered like any organisation B is not in
            assert response.status_code == 404, (method, path, response.text)
            continue
        assert response.status_code == 404, (method, path, b_role, response.status_code, response.text)
        # The answer for A's object is the answer for an object that does not exist at all.
        fake = {k: (str(uuid.uuid4()) if v in response.text else v) for k, v in ids.items()}
        fake.update({"b_org": ids["b_org"], "b_user": ids["b_user"]})
        ghost = _call(client, method, path, fake, b.auth(b_role))
        assert ghost.status_code == 404
        text = response.text
        for key, value in ids.items():
            text = text.replace(value, "{" + key + "}")
        ghost_text = ghost.text
        for key, value in fake.items():
            ghost_text = ghost_text.replace(value, "{" + key + "}")
        assert text == ghost_text, (method, path)
        checked += 1
    assert checked >= 25


@pytest.mark.parametrize("b_role", ["owner", "viewer"])
def test_listings_of_company_b_never_mention_company_a(
    client: TestClient, world: dict[str, Any], b_role: str
) -> None:
    b: Company = world["b"]
    for method, path in sorted(WITHOUT_A_IDS - {("POST", "/auth/logout"), ("POST", "/auth/login")}):
        response = _call(client, method, path, world["ids"], b.auth(b_role))
        # the password change is sent with a wrong current password (B's password must stay)
        expected = {403} if path == "/me/password" else {200, 201}
        assert response.status_code in expected, (method, path, response.text)
        for secret in world["secrets"]:
            assert secret not in response.text, (method, path, secret)


def test_company_a_is_unchanged_after_company_b_tried_everything(
    client: TestClient, world: dict[str, Any], sessions: sessionmaker[Session]
) -> None:
    a: Company = world["a"]
    b: Company = world["b"]
    ids: dict[str, str] = world["ids"]
    with sessions() as s:
        before = s.scalar(select(func.count()).where(AuditEvent.program_id == a.program.id))
    for method, path in _routes(client):
        if method != "GET" and (method, path) not in WITHOUT_A_IDS:
            _call(client, method, path, ids, b.auth("owner"))
    program = client.get(f"/programs/{a.program.id}", headers=a.auth("viewer")).json()
    assert program["name"] == a.program.name
    members = client.get(f"/orgs/{a.org.id}/members", headers=a.auth("owner")).json()
    assert {m["username"]: m["role"] for m in members} == {u.username: r for r, u in a.users.items()}
    assert (
        client.get(f"/programs/{a.program.id}/studies", headers=a.auth("viewer")).json()[0]["name"]
        == "PK study 1"
    )
    assert [
        s["valid"] for s in client.get(f"/runs/{ids['run_id']}/signatures", headers=a.auth("viewer")).json()
    ] == [True, True]
    with sessions() as s:
        assert s.scalar(select(func.count()).where(AuditEvent.program_id == a.program.id)) == before
        assert s.scalar(select(func.count()).where(ProgramShare.program_id == a.program.id)) == 0
        token = s.get(AuthToken, ids["token_id"])
        assert token is not None and token.revoked_at is None
