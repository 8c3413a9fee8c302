"""A user's language of the pages is stored with the account (issue #25), on SQLite and PostgreSQL:
chosen on the account page (a POST with the CSRF token), kept across sessions and browsers, audited,
added by migration 0005 to databases that existed before (every existing user reads English)."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session, sessionmaker

from bioparity.errors import InputError
from bioparity.server import create_app
from bioparity.store import current_revision, head_revision, upgrade_schema
from bioparity.store.models import AuditEvent, User
from bioparity.workspace import accounts
from tests.workspace.conftest import PASSWORD, Company, actor_of

CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')


def _csrf(client: TestClient, path: str) -> str:
    found = CSRF.search(client.get(path).text)
    assert found is not None, f"no CSRF token on {path}"
    return found.group(1)


def _sign_in(engine: Engine, username: str) -> TestClient:
    client = TestClient(create_app(engine=engine, run_migrations=False))
    token = _csrf(client, "/ui/login")
    done = client.post("/ui/login", data={"username": username, "password": PASSWORD, "csrf_token": token})
    assert done.status_code == 200 and done.url.path == "/ui/programs"
    return client


def test_the_language_chosen_on_the_account_page_persists(
    engine: Engine, sessions: sessionmaker[Session], company_factory: Callable[[str], Company]
) -> None:
    company = company_factory("lang")
    user = company.users["analyst"]
    client = _sign_in(engine, user.username)
    assert '<html lang="en">' in client.get("/ui/account").text
    chosen = client.post(
        "/ui/account/language", data={"language": "zh-CN", "csrf_token": _csrf(client, "/ui/account")}
    )
    assert chosen.status_code == 200 and '<html lang="zh-CN">' in chosen.text
    assert "语言已保存。" in chosen.text and '<option value="zh-CN" lang="zh-CN" selected>' in chosen.text
    with sessions() as session:
        assert session.scalar(select(User.language).where(User.id == user.id)) == "zh-CN"
        change = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "language_change", AuditEvent.actor_id == user.id)
        ).one()
        assert json.loads(change.before_json or "") == {"language": "en"}
        assert json.loads(change.after_json or "") == {"language": "zh-CN"}
    elsewhere = _sign_in(engine, user.username)  # another browser: no cookie of the first one
    assert '<html lang="zh-CN">' in elsewhere.get(f"/ui/programs/{company.program.id}").text
    back = elsewhere.post(
        "/ui/account/language", data={"language": "en", "csrf_token": _csrf(elsewhere, "/ui/account")}
    )
    assert '<html lang="en">' in back.text and "Language saved." in back.text


def test_the_language_form_needs_the_csrf_token(
    engine: Engine, company_factory: Callable[[str], Company]
) -> None:
    company = company_factory("lang-csrf")
    client = _sign_in(engine, company.users["viewer"].username)
    refused = client.post("/ui/account/language", data={"language": "zh-CN"})
    assert refused.status_code == 403
    assert '<html lang="en">' in client.get("/ui/account").text


def test_only_offered_languages_are_stored(
    sessions: sessionmaker[Session], company_factory: Callable[[str], Company]
) -> None:
    company = company_factory("lang-svc")
    actor = actor_of(company.users["reviewer"])
    with sessions.begin() as session:
        assert accounts.set_language(session, actor, "zh_cn") == "zh-CN"
    with sessions.begin() as session:
        try:
            accounts.set_language(session, actor, "tlh")
        except InputError as exc:
            assert "language 'tlh' is not offered" in str(exc)
        else:
            raise AssertionError("an unknown language was stored")
        assert session.get(User, actor.user_id).language == "zh-CN"  # type: ignore[union-attr]


def test_migration_0005_gives_existing_users_english(empty_engine: Engine) -> None:
    upgrade_schema(empty_engine, "0004_column_map")
    user_id = str(uuid.uuid4())
    with empty_engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO users (id, username, display_name, password_hash, is_active, created_at, "
                "must_change_password) VALUES (:id, 'before', 'Before 0005', 'x', :yes, :now, :no)"
            ),
            {"id": user_id, "yes": True, "no": False, "now": datetime(2026, 1, 1, tzinfo=UTC)},
        )
    upgrade_schema(empty_engine)
    assert current_revision(empty_engine) == head_revision()
    with empty_engine.connect() as connection:
        language = connection.execute(text("SELECT language FROM users WHERE id = :id"), {"id": user_id})
        assert language.scalar_one() == "en"
