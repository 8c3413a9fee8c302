"""Issue #16 item 4: request bodies are capped in the ASGI layer before they are read, per route; against
a real server on SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import socket
from collections.abc import Iterator

from bioparity.api.middleware import DEFAULT_BODY_LIMIT, UPLOAD_BODY_LIMIT
from tests.security.conftest import LiveServer


def _raw_request(live: LiveServer, head: str, body: bytes = b"") -> bytes:
    """Send a request by hand (declared length without the body) and return what the server answers."""
    with socket.create_connection(("127.0.0.1", live.port), timeout=30) as sock:
        sock.sendall(head.encode("latin-1") + body)
        chunks = []
        while True:
            data = sock.recv(65536)
            if not data:
                break
            chunks.append(data)
            if b"\r\n\r\n" in b"".join(chunks) and b"}" in data:
                break
        return b"".join(chunks)


def test_a_huge_declared_body_is_refused_before_it_is_sent(live: LiveServer) -> None:
    # 500 MB announced, nothing sent: the answer comes at once (the body is never read), before login.
    answer = _raw_request(
        live,
        "POST /auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        "Content-Length: 500000000\r\n\r\n",
    )
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert b"at most 1048576" in answer


def test_a_chunked_body_is_cut_off_at_the_route_limit(live: LiveServer) -> None:
    sent = 0

    def stream() -> Iterator[bytes]:
        nonlocal sent
        block = b" " * 65536
        for _ in range(64):  # 4 MiB without a Content-Length
            sent += len(block)
            yield block

    with live.client() as client:
        answer = client.post(
            "/programs",
            content=stream(),
            headers={"Content-Type": "application/json", **live.company.auth("owner")},
        )
    assert answer.status_code == 413
    assert "too large" in answer.json()["detail"]


def test_uploads_may_be_larger_than_other_requests_but_not_unbounded(live: LiveServer) -> None:
    rows = "\n".join(f"{i},{i * 0.5}" for i in range(200_000))  # about 2.5 MB: above the default limit
    content = f"id,value\n{rows}\n"
    assert len(content) > DEFAULT_BODY_LIMIT
    with live.client() as client:
        url = f"/studies/{live.company.study.id}/datasets"
        auth = live.company.auth("analyst")
        stored = client.post(
            url, headers=auth, json={"name": "big", "filename": "big.csv", "content": content}
        )
        assert stored.status_code == 201, stored.text
        assert stored.json()["n_rows"] == 200_000
        # The same size elsewhere is refused.
        elsewhere = client.post("/programs", headers=auth, json={"name": content})
        assert elsewhere.status_code == 413
    # Past the upload limit the upload route refuses too, from the declared length alone.
    answer = _raw_request(
        live,
        f"POST /studies/{live.company.study.id}/datasets HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Content-Type: application/json\r\nContent-Length: {UPLOAD_BODY_LIMIT + 1}\r\n\r\n",
    )
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert len(base64.b64encode(b"x" * 3)) == 4  # the limit allows base64 (4/3) of the largest file
