"""Issue #16 item 2: one upload must not lock everyone out of a SQLite store. Reads are read-only, parsing
happens outside the write transaction, and a store that stays busy is answered 503 + Retry-After."""

from __future__ import annotations

import sqlite3
import statistics
import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.security.conftest import LiveServer
from tests.workspace.conftest import PASSWORD

#: The issue's bound on a login made while a 1M-row upload is being processed.
LOGIN_BOUND_S = 1.0
#: A login during the upload may take this many times a quiet login's time (see the test) before it counts
#: as waiting for the writer.
QUIET_FACTOR = 10.0


def _sqlite_only(live: LiveServer) -> str:
    if live.backend != "sqlite":
        pytest.skip("not applicable: the SQLite write lock; PostgreSQL locks rows")
    path = live.engine.url.database
    assert path
    return path


def test_reads_do_not_wait_for_a_writer_and_a_busy_store_answers_503(live: LiveServer) -> None:
    path = _sqlite_only(live)
    auth = live.company.auth("owner")
    holder = sqlite3.connect(path, isolation_level=None, timeout=30)
    try:
        holder.execute("BEGIN IMMEDIATE")  # another process holds the write lock
        with live.client() as client:
            assert client.get("/programs", headers=auth).status_code == 200
            assert client.get(f"/studies/{live.company.study.id}/datasets", headers=auth).status_code == 200
            assert client.get("/me", headers=auth).status_code == 200
            busy = client.post(
                "/auth/login",
                json={"username": live.company.users["viewer"].username, "password": PASSWORD},
            )
            assert busy.status_code == 503, busy.text
            assert busy.headers["retry-after"] == "2"
            assert "busy" in busy.json()["detail"]
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    with live.client() as client:
        again = client.post(
            "/auth/login", json={"username": live.company.users["viewer"].username, "password": PASSWORD}
        )
        assert again.status_code == 200


def test_a_login_during_a_million_row_upload_answers_within_one_second(live: LiveServer) -> None:
    _sqlite_only(live)
    rows = "\n".join(f"{i},{i * 0.5},S{i % 97}" for i in range(1_000_000))
    body = httpx.Request(
        "POST",
        "/",
        json={"name": "million", "filename": "million.csv", "content": f"id,value,label\n{rows}\n"},
    ).read()
    with live.client() as client:  # how long a login takes on this machine now, with no upload running
        quiet = []
        for _ in range(5):
            start = time.monotonic()
            answer = client.post(
                "/auth/login", json={"username": live.company.users["viewer"].username, "password": PASSWORD}
            )
            assert answer.status_code == 200, answer.text
            quiet.append(time.monotonic() - start)
    sent = threading.Event()

    def stream() -> Iterator[bytes]:
        step = 1 << 20
        for start in range(0, len(body), step):
            yield body[start : start + step]
        sent.set()  # the whole body is on its way: from now on the server is parsing or storing

    result: dict[str, object] = {}

    def upload() -> None:
        with live.client() as client:
            answer = client.post(
                f"/studies/{live.company.study.id}/datasets",
                content=stream(),
                headers={
                    "Content-Type": "application/json",
                    "Content-Length": str(len(body)),
                    **live.company.auth("analyst"),
                },
                timeout=300,
            )
        result["status"] = answer.status_code
        result["rows"] = answer.json().get("n_rows")
        result["done"] = time.monotonic()

    worker = threading.Thread(target=upload)
    worker.start()
    assert sent.wait(timeout=120), "the upload body was not sent"
    latencies: list[tuple[float, float]] = []
    with live.client() as client:
        while worker.is_alive():
            start = time.monotonic()
            answer = client.post(
                "/auth/login", json={"username": live.company.users["viewer"].username, "password": PASSWORD}
            )
            assert answer.status_code == 200, answer.text
            latencies.append((start, time.monotonic()))
    worker.join()
    assert result["status"] == 201 and result["rows"] == 1_000_000
    done = float(result["done"])  # type: ignore[arg-type]
    during = [end - start for start, end in latencies if end < done]
    assert during, "no login completed while the upload was in progress"
    # The 1 s, on a machine as busy as it was when the bound was set; a machine loaded by other
    # work slows every login alike (1.5 s seen at load 13 on two cores), so the bound grows with the
    # quiet login time measured just before. A login waiting for the upload's write lock waits for the
    # whole store of a million rows (seconds) and fails either way.
    bound = max(LOGIN_BOUND_S, QUIET_FACTOR * statistics.median(quiet))
    assert max(during) < bound, f"login latencies during the upload: {during}; quiet: {quiet}"
