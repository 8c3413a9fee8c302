"""Issue 16 item 6: sharing and membership need the receiving side's consent. A share is an invitation an
owner of the partner organisation accepts; the sharing page lists only partner organisations; "add member"
invites, never adds another company's user, and answers alike whether or not the user name exists.

On main before the fix, any owner pushed a program into another organisation, the sharing page listed
every organisation on the server and "add member" added other companies' users (404 for unknown names).
Against a real server process on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.security.accounts_support import LiveServer, live_server
from tests.workspace.conftest import PASSWORD, Company, backend, make_company  # noqa: F401 (fixture)


@pytest.fixture(scope="module")
def server(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:  # noqa: F811
    with live_server(backend, tmp_path_factory.mktemp("consent"), {}) as live:
        yield live


def _visible(server: LiveServer, company: Company, program_id: str) -> bool:
    with server.client(token=company.tokens["viewer"]) as c:
        return program_id in [p["id"] for p in c.get("/programs").json()]


def test_a_share_is_an_invitation_the_partner_accepts_or_declines(server: LiveServer) -> None:
    a, b = make_company(server.sessions, "A"), make_company(server.sessions, "B")
    shares = f"/programs/{a.program.id}/shares"
    offers = f"/orgs/{b.org.id}/share-invitations"
    with server.client(token=a.tokens["owner"]) as a_owner, server.client(token=b.tokens["owner"]) as b_owner:
        invited = a_owner.post(shares, json={"org_name": b.org.name, "role": "analyst", "reason": "partner"})
        assert invited.status_code == 201 and invited.json()["status"] == "pending"
        assert not _visible(server, b, a.program.id)
        with server.client(token=b.tokens["analyst"]) as b_analyst:
            assert b_analyst.get(f"/programs/{a.program.id}").status_code == 404
            assert b_analyst.get(offers).status_code == 403  # only B's owners answer
        listed = b_owner.get(offers).json()
        assert [(o["program_name"], o["from_org_name"], o["role"]) for o in listed] == [
            (a.program.name, a.org.name, "analyst")
        ]
        assert (
            b_owner.post(f"{offers}/{a.program.id}/decline", json={"reason": "no CMC work"}).status_code
            == 204
        )
        assert not _visible(server, b, a.program.id)
        assert a_owner.get(shares).json()[0]["status"] == "declined"

        assert (
            a_owner.post(shares, json={"org_id": b.org.id, "role": "viewer", "reason": "partner"}).status_code
            == 201
        )
        assert b_owner.post(f"{offers}/{a.program.id}/accept").json()["status"] == "accepted"
        assert _visible(server, b, a.program.id)
        # a higher role waits for consent while the accepted one stays; a lower one applies at once
        raised = a_owner.post(
            shares, json={"org_id": b.org.id, "role": "statistician", "reason": "partner"}
        ).json()
        assert (raised["role"], raised["pending_role"]) == ("viewer", "statistician")
        with server.client(token=b.tokens["analyst"]) as b_analyst:
            upload = {"name": "x", "filename": "x.csv", "content": "a,b\n1,2\n"}
            assert b_analyst.post(f"/studies/{a.study.id}/datasets", json=upload).status_code == 403
        assert (
            b_owner.post(f"{offers}/{a.program.id}/decline", json={"reason": "reads only"}).status_code == 204
        )
        assert a_owner.get(shares).json()[0]["role"] == "viewer" and _visible(server, b, a.program.id)
    actions = server.actions(program_id=a.program.id)
    assert actions.count("share_decline") == 2 and actions.count("share_accept") == 1


def test_the_sharing_page_lists_only_partner_organisations(server: LiveServer) -> None:
    # the rival exists on the same server (and is the kind of organisation main listed)
    a, partner, rival = (make_company(server.sessions, label) for label in ("A", "P", "R"))
    with server.client(token=a.tokens["owner"]) as a_owner:
        body = {"org_id": partner.org.id, "role": "viewer", "reason": "partner"}
        assert a_owner.post(f"/programs/{a.program.id}/shares", json=body).status_code == 201
        assert a_owner.get(f"/orgs/{a.org.id}/partners").json() == []  # not a partner before consent
    with server.client(token=partner.tokens["owner"]) as p_owner:
        accept = f"/orgs/{partner.org.id}/share-invitations/{a.program.id}/accept"
        assert p_owner.post(accept).status_code == 200
    session = server.login(a.users["owner"].username, PASSWORD).json()["token"]
    with server.client() as browser:
        browser.cookies.set("bioparity_session", session)
        # a second program of A: its sharing page offers the partner, never the rival
        created = browser.post(
            "/programs",
            json={"org_id": a.org.id, "name": "Second", "inn": "x", "reference_product": "y",
                  "modality": "mAb", "target_regions": ["EU"]},
        )  # fmt: skip
        assert created.status_code == 201, created.text
        page = browser.get(f"/ui/programs/{created.json()['id']}/sharing")
        assert page.status_code == 200
        assert partner.org.name in page.text and rival.org.name not in page.text
        assert a_owner_partners(server, a) == [partner.org.name]


def a_owner_partners(server: LiveServer, a: Company) -> list[str]:
    with server.client(token=a.tokens["owner"]) as c:
        return [p["name"] for p in c.get(f"/orgs/{a.org.id}/partners").json()]


def test_add_member_invites_and_does_not_reveal_whether_a_user_name_exists(server: LiveServer) -> None:
    a, b = make_company(server.sessions, "A"), make_company(server.sessions, "B")
    members = f"/orgs/{a.org.id}/members"
    existing, ghost = b.users["viewer"].username, "ghost-" + b.users["viewer"].username
    with server.client(token=a.tokens["owner"]) as a_owner:
        answers = {
            name: a_owner.post(members, json={"username": name, "role": "analyst"})
            for name in (existing, ghost)
        }
        assert {r.status_code for r in answers.values()} == {202}
        shapes = {
            n: sorted(
                (k, v) for k, v in r.json().items() if k not in {"id", "username", "created_at", "expires_at"}
            )
            for n, r in answers.items()
        }
        assert shapes[existing] == shapes[ghost]
        listed = [m["username"] for m in a_owner.get(members).json()]
        assert existing not in listed and ghost not in listed  # nobody was added
        pending = [i["username"] for i in a_owner.get(f"/orgs/{a.org.id}/invitations").json()]
        assert sorted(pending) == sorted([existing, ghost])
    with server.client(token=b.tokens["viewer"]) as invited:
        mine = invited.get("/me/invitations").json()
        assert [(i["org_name"], i["role"]) for i in mine] == [(a.org.name, "analyst")]
        assert a.program.id not in invited.get("/programs").text
        accepted = invited.post(f"/me/invitations/{mine[0]['id']}/accept")
        assert accepted.status_code == 200 and accepted.json()["role"] == "analyst"
        assert a.program.id in invited.get("/programs").text
    with server.client(token=b.tokens["owner"]) as someone_else:
        # an invitation is answered only by the user it names
        assert someone_else.post(f"/me/invitations/{answers[ghost].json()['id']}/accept").status_code == 404
    actions = server.actions(org_id=a.org.id)
    assert actions.count("invite") == 2 and "accept" in actions and "grant" in actions
