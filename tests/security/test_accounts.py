"""Issue 16 item 9: the account lifecycle of 21 CFR Part 11 §11.300(b): password change, administrator
reset with a forced change, deactivation and reactivation revoking sessions and tokens at once, an idle
timeout (default 30 min) besides the absolute lifetime, API tokens only with the password re-entered and
a maximum lifetime, session-bound tokens revoked on logout.

Lifecycle commands run against a real server process (SQLite and PostgreSQL); the idle timeout is
checked with an injected clock.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, func, select

from bioparity.store import make_sessionmaker
from bioparity.store.models import AuditEvent
from bioparity.workspace import accounts
from bioparity.workspace.accounts import DEFAULT_POLICY, POLICY_KEY, AccountPolicy
from bioparity.workspace.errors import AuthenticationError
from tests.security.accounts_support import LiveServer, bioparity, live_server
from tests.workspace.conftest import PASSWORD, backend, engine, make_company  # noqa: F401 (fixtures)

NEW_PASSWORD = "a brand new passphrase"
TEMPORARY = "temporary passphrase 1"
TOKEN_MAX_DAYS = 30


@pytest.fixture(scope="module")
def server(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:  # noqa: F811
    env = {"BIOPARITY_TOKEN_MAX_DAYS": str(TOKEN_MAX_DAYS)}
    with live_server(backend, tmp_path_factory.mktemp("accounts"), env) as live:
        yield live


def test_deactivation_revokes_sessions_and_tokens_at_once_and_reactivation_needs_a_new_login(
    server: LiveServer,
) -> None:
    company = make_company(server.sessions, "deact")
    user = company.users["statistician"]
    session = server.login(user.username, PASSWORD).json()["token"]
    with server.client(token=session) as s, server.client(token=company.tokens["statistician"]) as t:
        assert s.get("/programs").status_code == 200 and t.get("/programs").status_code == 200
        why = ("--reason", "left the company")
        done = bioparity("user", "deactivate", user.username, *why, "--database-url", server.database_url)
        assert done.returncode == 0 and "2 sessions and tokens revoked" in done.stdout, done.stderr
        assert s.get("/programs").status_code == 401 and t.get("/programs").status_code == 401
        assert server.login(user.username, PASSWORD).status_code == 401
        status = bioparity("user", "status", user.username, "--database-url", server.database_url)
        assert "active: False" in status.stdout and "live_tokens: 0" in status.stdout, status.stderr
        again = bioparity("user", "reactivate", user.username, *why, "--database-url", server.database_url)
        assert again.returncode == 0, again.stderr
        assert s.get("/programs").status_code == 401 and t.get("/programs").status_code == 401
    assert server.login(user.username, PASSWORD).status_code == 200
    actions = server.actions(object_id=user.id)
    assert actions.index("deactivate") < actions.index("reactivate")


def test_signing_in_to_a_deactivated_account_is_refused_and_audited(engine: Engine) -> None:  # noqa: F811
    """QA audit F8: the right password of a deactivated account (a former employee's, say) was refused
    without any audit row; now a ``login_refused`` row names the account and the client address, and the
    attempt counts like a wrong password (throttling, lockout), with the same answer."""
    sessions = make_sessionmaker(engine)
    company = make_company(sessions, "disabled")
    user = company.users["analyst"]
    with sessions.begin() as s:
        accounts.set_active(s, user.username, False, reason="left the company")
    with sessions() as s, pytest.raises(AuthenticationError, match="invalid username or password"):
        accounts.login(s, user.username, PASSWORD, client="192.0.2.7")
    with sessions() as s:
        row = s.scalars(
            select(AuditEvent).where(AuditEvent.object_id == user.id).order_by(AuditEvent.seq.desc())
        ).first()
    assert row is not None and (row.action, row.actor, row.actor_id) == (
        "login_refused",
        user.username,
        user.id,
    )
    assert json.loads(row.after_json or "") == {"client": "192.0.2.7", "client_failures": 1, "failures": 1}


def test_administrator_commands_name_the_operating_system_account_in_the_trail(server: LiveServer) -> None:
    """QA audit F5: an unlock, deactivation, password reset, new user or organisation from the command line
    was recorded as plain ``system``; now as ``system (ACCOUNT@HOST)`` of the process that ran it."""
    import getpass
    import socket

    company = make_company(server.sessions, "admin")
    name, url = company.users["viewer"].username, server.database_url
    for command in (("unlock", name), ("deactivate", name), ("reactivate", name)):
        assert bioparity("user", *command, "--reason", "QA drill", "--database-url", url).returncode == 0
    reset = (
        "user",
        "reset-password",
        name,
        "--reason",
        "QA drill",
        "--password-stdin",
        "--database-url",
        url,
    )
    assert bioparity(*reset, stdin=TEMPORARY + "\n").returncode == 0
    why = ("--reason", "QA drill", "--database-url", url)
    assert bioparity("org", "create", "Admin Org QA", *why).returncode == 0
    new = ("user", "create", "qa-new", "--org", "Admin Org QA", "--password-stdin", *why)
    assert bioparity(*new, stdin=TEMPORARY + "\n").returncode == 0
    with server.sessions() as s:
        last = s.scalar(select(func.max(AuditEvent.seq))) or 0
        rows = s.execute(select(AuditEvent.action, AuditEvent.actor).where(AuditEvent.seq > last - 7)).all()
    operator = f"system ({getpass.getuser()}@{socket.gethostname()})"
    assert sorted(rows) == sorted(
        (action, operator)
        for action in ("unlock", "deactivate", "reactivate", "password_reset", "create", "create", "grant")
    )


def test_administrator_commands_require_a_reason_and_keep_it_in_the_trail(server: LiveServer) -> None:
    """QA audit F3 (EU GMP Annex 11 section 9): ``user unlock/deactivate/reactivate/reset-password`` need
    ``--reason`` (not blank, at most 500 characters), kept trimmed in the audit row; without one the
    command changes nothing and writes no row. ``user status`` only reads and takes none."""
    company = make_company(server.sessions, "why")
    name, url = company.users["reviewer"].username, server.database_url

    def last_seq() -> int:
        with server.sessions() as s:
            return s.scalar(select(func.max(AuditEvent.seq))) or 0

    before = last_seq()
    missing = bioparity("user", "deactivate", name, "--database-url", url)
    assert missing.returncode == 2 and "Missing option '--reason'" in missing.stderr
    for blank in ("", "   ", "x" * 501):
        refused = bioparity("user", "deactivate", name, "--reason", blank, "--database-url", url)
        assert refused.returncode == 2 and refused.stderr.startswith("error: reason "), refused
    no_reset = bioparity(
        "user", "reset-password", name, "--password-stdin", "--database-url", url, stdin="t\n"
    )
    assert no_reset.returncode == 2 and "Missing option '--reason'" in no_reset.stderr
    assert last_seq() == before and server.login(name, PASSWORD).status_code == 200  # nothing changed
    before = last_seq()  # after the login's row
    given = {
        "deactivate": " on leave until March (HR-88) ",
        "reactivate": "back from leave (HR-88)",
        "unlock": "x" * 500,
    }
    for command, reason in given.items():
        done = bioparity("user", command, name, "--reason", reason, "--database-url", url)
        assert done.returncode == 0, done.stderr
    reset = ("user", "reset-password", name, "--reason", "forgotten; verified in person", "--password-stdin")
    assert bioparity(*reset, "--database-url", url, stdin=TEMPORARY + "\n").returncode == 0
    assert bioparity("user", "status", name, "--database-url", url).returncode == 0
    assert "--reason" not in bioparity("user", "status", "--help").stdout
    with server.sessions() as s:
        rows = s.execute(
            select(AuditEvent.action, AuditEvent.reason)
            .where(AuditEvent.seq > before)
            .order_by(AuditEvent.seq)
        ).all()
    assert [tuple(r) for r in rows] == [
        ("deactivate", "on leave until March (HR-88)"),
        ("reactivate", "back from leave (HR-88)"),
        ("unlock", "x" * 500),
        ("password_reset", "forgotten; verified in person"),
    ]


def test_admin_reset_forces_a_password_change_before_anything_else(server: LiveServer) -> None:
    company = make_company(server.sessions, "reset")
    user = company.users["analyst"]
    old = server.login(user.username, PASSWORD).json()["token"]
    reset = bioparity(
        "user", "reset-password", user.username, "--reason", "forgotten", "--password-stdin",
        "--database-url", server.database_url, stdin=TEMPORARY + "\n",
    )  # fmt: skip
    assert reset.returncode == 0, reset.stderr
    with server.client(token=old) as c:
        assert c.get("/me").status_code == 401  # the reset revoked the old session
    assert server.login(user.username, PASSWORD).status_code == 401
    temporary = server.login(user.username, TEMPORARY).json()["token"]
    with server.client() as browser:  # every page leads to the account page until the password changed
        browser.cookies.set("bioparity_session", temporary)
        page = browser.get("/ui/programs")
        assert page.status_code == 303 and page.headers["location"].startswith("/ui/account")
        assert "choose a new one before you continue" in browser.get("/ui/account").text
    with server.client(token=temporary) as c:
        assert c.get("/me").json()["user"]["must_change_password"] is True
        blocked = c.get("/programs")
        assert blocked.status_code == 403 and "/me/password" in blocked.json()["detail"]
        change = {"current_password": TEMPORARY, "new_password": NEW_PASSWORD}
        assert c.post("/me/password", json=change).status_code == 204
        assert c.get("/programs").status_code == 200  # the session that changed it goes on
        assert c.get("/me").json()["user"]["must_change_password"] is False
    assert server.login(user.username, NEW_PASSWORD).status_code == 200
    assert "password_reset" in server.actions(object_id=user.id)
    assert "password_change" in server.actions(object_id=user.id)


def test_password_change_needs_the_current_password_and_ends_other_sessions(server: LiveServer) -> None:
    company = make_company(server.sessions, "change")
    user = company.users["reviewer"]
    mine = server.login(user.username, PASSWORD).json()["token"]
    other = server.login(user.username, PASSWORD).json()["token"]
    with server.client(token=mine) as c:
        wrong = c.post(
            "/me/password", json={"current_password": "not it at all", "new_password": NEW_PASSWORD}
        )
        assert wrong.status_code == 403
        short = c.post("/me/password", json={"current_password": PASSWORD, "new_password": "short"})
        assert short.status_code == 422 and "at least 10" in short.json()["detail"]
        ok = c.post("/me/password", json={"current_password": PASSWORD, "new_password": NEW_PASSWORD})
        assert ok.status_code == 204
        assert c.get("/me").status_code == 200
    for token in (other, company.tokens["reviewer"]):
        with server.client(token=token) as c:
            assert c.get("/me").status_code == 401
    assert "password_change_failed" in server.actions(actor_id=user.id)


def test_api_tokens_need_the_password_and_have_a_maximum_lifetime(server: LiveServer) -> None:
    company = make_company(server.sessions, "tokens")
    user = company.users["viewer"]
    session = server.login(user.username, PASSWORD).json()["token"]
    with server.client(token=session) as c:
        assert c.post("/me/tokens", json={"name": "ci"}).status_code == 422  # no password
        assert c.post("/me/tokens", json={"name": "ci", "password": "not it at all"}).status_code == 403
        too_long = c.post(
            "/me/tokens", json={"name": "ci", "password": PASSWORD, "expires_in_days": TOKEN_MAX_DAYS + 1}
        )
        assert too_long.status_code == 422 and str(TOKEN_MAX_DAYS) in too_long.json()["detail"]
        created = c.post("/me/tokens", json={"name": "ci", "password": PASSWORD})
        assert created.status_code == 201
        expires = datetime.fromisoformat(created.json()["expires_at"])
        expected = datetime.now(UTC) + timedelta(days=TOKEN_MAX_DAYS)
        assert abs((expires - expected).total_seconds()) < 600  # the maximum is also the default
        bound = c.post("/me/tokens", json={"name": "tab", "password": PASSWORD, "bound_to_session": True})
        assert bound.status_code == 201 and bound.json()["bound_to_session"] is True
        assert c.post("/auth/logout").status_code == 204
    with server.client(token=bound.json()["token"]) as c:
        assert c.get("/me").status_code == 401  # belonged to the session that logged out
    with server.client(token=created.json()["token"]) as c:
        assert c.get("/me").status_code == 200  # an unbound script token lives on
        no_session = c.post("/me/tokens", json={"name": "x", "password": PASSWORD, "bound_to_session": True})
        assert no_session.status_code == 422


def test_idle_timeout_default_30_minutes_besides_the_absolute_lifetime(engine: Engine) -> None:  # noqa: F811
    assert DEFAULT_POLICY.idle_minutes == 30 and DEFAULT_POLICY.session_hours == 12
    sessions = make_sessionmaker(engine)
    company = make_company(sessions, "idle")
    name = company.users["viewer"].username
    t0 = datetime(2030, 1, 1, tzinfo=UTC)
    with sessions.begin() as s:
        _token, secret = accounts.login(s, name, PASSWORD, now=t0)

    def use(minutes: float, policy: AccountPolicy = DEFAULT_POLICY) -> bool:
        with sessions() as s:
            s.info[POLICY_KEY] = policy
            try:
                accounts.authenticate(s, secret, now=t0 + timedelta(minutes=minutes))
                s.commit()
                return True
            except AuthenticationError:
                return False

    assert use(29)  # used within 30 min: the idle clock restarts
    assert use(58)
    assert not use(58 + 31)  # 31 idle minutes end it
    with sessions.begin() as s:
        _token, secret = accounts.login(s, name, PASSWORD, now=t0)
    for minute in range(25, 12 * 60, 25):
        assert use(minute)
    assert not use(12 * 60 + 1)  # the absolute lifetime holds even for a busy session
    with sessions.begin() as s:
        _token, secret = accounts.login(s, name, PASSWORD, now=t0)
    assert not use(16, AccountPolicy(idle_minutes=15))  # configurable
