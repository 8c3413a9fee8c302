"""Issue #16 item 5: forged cross-site requests are refused (synchronizer token + Origin/Referer check),
including login CSRF, against a real server on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from contextlib import closing

from sqlalchemy import select

from bioparity.store import make_sessionmaker
from bioparity.store.models import Program
from tests.security.conftest import LiveServer, form_token, sign_in
from tests.workspace.conftest import PASSWORD


def _program_form(live: LiveServer, name: str) -> dict[str, str]:
    return {
        "org_id": live.company.org.id,
        "name": name,
        "inn": "adalimumab",
        "reference_product": "Humira",
        "modality": "monoclonal antibody",
        "target_regions": "EU",
    }


def _stored(live: LiveServer, name: str) -> bool:
    with make_sessionmaker(live.engine)() as session:
        return session.scalar(select(Program.id).where(Program.name == name)) is not None


def test_login_form_without_its_token_is_refused_and_opens_no_session(live: LiveServer) -> None:
    username = live.company.users["viewer"].username
    with live.client() as client:
        refused = client.post("/ui/login", data={"username": username, "password": PASSWORD})
        assert refused.status_code == 403
        assert "security token" in refused.text
        assert "bioparity_session" not in refused.headers.get("set-cookie", "")
        # A token from another browser (its own pre-sign-in cookie) does not fit this one either.
        with live.client() as other:
            foreign_token = form_token(other)
        form_token(client)  # this browser's cookie
        wrong = client.post(
            "/ui/login", data={"username": username, "password": PASSWORD, "csrf_token": foreign_token}
        )
        assert wrong.status_code == 403 and "bioparity_session" not in wrong.headers.get("set-cookie", "")
        ok = client.post(
            "/ui/login", data={"username": username, "password": PASSWORD, "csrf_token": form_token(client)}
        )
        assert ok.status_code == 303 and "bioparity_session=" in ok.headers["set-cookie"]


def test_login_posted_from_another_origin_is_refused(live: LiveServer) -> None:
    username = live.company.users["viewer"].username
    with live.client() as client:
        token = form_token(client)
        attacker = (
            f"http://127.0.0.1:{live.port + 1}"  # another port of the same host: same site, other origin
        )
        refused = client.post(
            "/ui/login",
            data={"username": username, "password": PASSWORD, "csrf_token": token},
            headers={"Origin": attacker},
        )
        assert refused.status_code == 403 and "cross-origin" in refused.text
        by_referer = client.post(
            "/ui/login",
            data={"username": username, "password": PASSWORD, "csrf_token": token},
            headers={"Referer": f"{attacker}/evil.html"},
        )
        assert by_referer.status_code == 403


def test_forms_of_a_signed_in_user_need_the_token_and_the_same_origin(live: LiveServer) -> None:
    with closing(sign_in(live, "owner")) as client:
        name = f"csrf-{uuid.uuid4().hex[:8]}"
        no_token = client.post("/ui/programs", data=_program_form(live, name))
        assert no_token.status_code == 403 and not _stored(live, name)

        token = form_token(client, "/ui/programs")
        forged_origin = client.post(
            "/ui/programs",
            data={**_program_form(live, name), "csrf_token": token},
            headers={"Origin": f"http://localhost:{live.port + 1}"},
        )
        assert forged_origin.status_code == 403 and not _stored(live, name)
        null_origin = client.post(
            "/ui/programs",
            data={**_program_form(live, name), "csrf_token": token},
            headers={"Origin": "null"},
        )
        assert null_origin.status_code == 403 and not _stored(live, name)

        # The pre-sign-in token no longer fits once the session exists (it is bound to the session).
        stale = client.post("/ui/programs", data={**_program_form(live, name), "csrf_token": "0" * 64})
        assert stale.status_code == 403 and not _stored(live, name)

        done = client.post("/ui/programs", data={**_program_form(live, name), "csrf_token": token})
        assert done.status_code == 303 and _stored(live, name)

        # Sign-out is a form too: without the token the session survives.
        assert client.post("/ui/logout").status_code == 403
        assert client.get("/ui/programs").status_code == 200
        assert client.post("/ui/logout", data={"csrf_token": token}).status_code == 303


def test_api_requests_with_the_session_cookie_from_another_origin_are_refused(live: LiveServer) -> None:
    with closing(sign_in(live, "owner")) as client:
        name = f"csrf-api-{uuid.uuid4().hex[:8]}"
        body = {
            "org_id": live.company.org.id,
            "name": name,
            "inn": "adalimumab",
            "reference_product": "Humira",
            "modality": "monoclonal antibody",
            "target_regions": ["EU"],
        }
        forged = client.post("/programs", json=body, headers={"Origin": f"http://127.0.0.1:{live.port + 1}"})
        assert forged.status_code == 403 and not _stored(live, name)
        same = client.post("/programs", json=body, headers={"Origin": live.url})
        assert same.status_code == 201 and _stored(live, name)
