"""Issue #16 item 16: security headers, HEAD, Secure cookies unless on loopback, logout cookie flags."""

from __future__ import annotations

from contextlib import closing
from pathlib import Path

from fastapi import Request
from fastapi.testclient import TestClient

from bioparity.api.deps import cookies_secure
from bioparity.server import create_app
from tests.security.conftest import LiveServer, form_token, sign_in
from tests.workspace.conftest import PASSWORD


def test_pages_and_api_answers_carry_the_security_headers(live: LiveServer) -> None:
    with closing(sign_in(live, "viewer")) as client:
        for path in ("/ui/programs", "/ui/login", f"/programs/{live.company.program.id}", "/health"):
            answer = client.get(path)
            headers = answer.headers
            assert headers["x-frame-options"] == "DENY", path
            assert headers["x-content-type-options"] == "nosniff", path
            assert headers["referrer-policy"] == "same-origin", path
            csp = headers["content-security-policy"]
            assert (
                "frame-ancestors 'none'" in csp and "default-src 'self'" in csp and "script-src 'self'" in csp
            )
            assert "unsafe-eval" not in csp
            assert headers["cache-control"] == "no-store", path
        static = client.get("/ui/static/app.js")
        assert static.status_code == 200 and "no-store" not in static.headers.get("cache-control", "")


def test_head_is_answered_like_get_without_a_body(live: LiveServer) -> None:
    with live.client() as client:
        for path in ("/health", "/ui/login", "/ui/static/app.js"):
            get, head = client.get(path), client.head(path)
            assert head.status_code == get.status_code == 200, path
            assert head.content == b""
            assert head.headers["content-type"] == get.headers["content-type"]
            assert head.headers["x-frame-options"] == "DENY"


def test_cookies_on_loopback_are_not_secure_and_logout_deletes_with_the_same_flags(live: LiveServer) -> None:
    with live.client() as client:
        token = form_token(client)
        login = client.post(
            "/ui/login",
            data={
                "username": live.company.users["viewer"].username,
                "password": PASSWORD,
                "csrf_token": token,
            },
            headers={"Origin": live.url},
        )
        cookie = login.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie and "path=/" in cookie
        assert "secure" not in cookie  # plain http on 127.0.0.1 (development)
        token = form_token(client, "/ui/programs")
        out = client.post("/ui/logout", data={"csrf_token": token}, headers={"Origin": live.url})
        deleted = out.headers["set-cookie"].lower()
        assert "bioparity_session=" in deleted and "max-age=0" in deleted
        for flag in ("httponly", "samesite=strict", "path=/"):
            assert flag in deleted


def _request(app: object, server: tuple[str, int]) -> Request:
    return Request({"type": "http", "app": app, "server": server, "headers": [], "method": "GET"})


def test_cookies_are_secure_by_default_unless_the_server_listens_on_loopback(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cookies.sqlite3'}"
    app = create_app(url, web=False)
    assert cookies_secure(_request(app, ("10.1.2.3", 8000)))
    assert cookies_secure(_request(app, ("0.0.0.0", 8000)))
    assert not cookies_secure(_request(app, ("127.0.0.1", 8000)))
    assert not cookies_secure(_request(app, ("::1", 8000)))
    forced = create_app(url, web=False, secure_cookies=True)
    assert cookies_secure(_request(forced, ("127.0.0.1", 8000)))
    with TestClient(forced) as client:
        answer = client.post("/auth/login", json={"username": "nobody", "password": "x"})
        assert answer.status_code == 401
        assert answer.headers["x-frame-options"] == "DENY"
