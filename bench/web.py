"""Page response times of the web workspace under 20 concurrent users (loopback only, bounded).

Starts ``bioparity serve`` (one server process by default, access log off) on a free 127.0.0.1 port with a
throwaway store holding the demo program: a temporary SQLite file, or a PostgreSQL database
``bench_web_<pid>`` created on 127.0.0.1:5432 (user postgres, trust authentication) and dropped after.
Signs 20 users in and lets 20 threads request the program dashboard and the PK similarity result page in
turn (a fixed number of requests each, about 1,000 in all). Prints p50, p95 and max per page, the
throughput, and the server's CPU time per page view (user + system time of the server process over the
requests: independent of the load others put on the machine). The target is p95 < 200 ms.

    python bench/web.py [--store sqlite|postgresql] [--users 20] [--requests 25] [--workers 1] [--quick]
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import numpy as np

from _figures import Figure, emit, machine
from bioparity.api.deps import SESSION_COOKIE
from bioparity.demo import DEMO_USERS, load_demo
from bioparity.store import make_engine

# Developer-side members see every demo page; partners see the shared program too.
USERS = [u for u in DEMO_USERS if u.username in {"sam", "ana", "rita", "olivia", "paula", "victor"}]
STORES = ("sqlite", "postgresql")
#: The PostgreSQL server the benchmark creates its throwaway database on (trust authentication).
POSTGRES = "postgresql://postgres@127.0.0.1:5432"
TARGET_MS = 200.0
CSRF_INPUT = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')


@dataclass(frozen=True)
class Run:
    """Seconds per request for each page, the wall time, and the server's CPU seconds over the requests."""

    times: dict[str, list[float]]
    wall: float
    server_cpu: float


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(url: str, deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/health", timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise SystemExit("the server did not start")


@contextmanager
def store(kind: str) -> Iterator[str]:
    """A database URL of an empty throwaway store of ``kind``, removed afterwards."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="bioparity-bench-") as folder:
            yield f"sqlite:///{Path(folder) / 'workspace.sqlite3'}"
        return
    import psycopg

    name = f"bench_web_{os.getpid()}"
    admin = f"{POSTGRES}/postgres"
    try:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as exc:
        raise SystemExit(f"PostgreSQL at {POSTGRES} (user postgres, trust) is not reachable: {exc}") from exc
    try:
        yield f"{POSTGRES}/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _processes(pid: int) -> list[int]:
    """``pid`` and its descendants (Linux ``/proc``: the worker processes of ``--workers N``)."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*"):
            try:
                todo.extend(int(c) for c in (task / "children").read_text().split())
            except OSError:
                continue
    return found


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of the server and its worker processes so far (Linux ``/proc``)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for p in _processes(pid):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime (fields 14, 15 of stat)
    return total


def _sign_in(url: str, username: str, password: str) -> httpx.Client:
    """A client signed in through the sign-in form (with its CSRF token, as a browser)."""
    client = httpx.Client(base_url=url, timeout=30.0)
    form = CSRF_INPUT.search(client.get("/ui/login").text)
    assert form is not None, "no CSRF token on the sign-in page"
    data = {"username": username, "password": password, "csrf_token": form.group(1)}
    r = client.post("/ui/login", data=data)
    assert r.status_code in (200, 303), (r.status_code, r.text[:300])
    return client


def measure(
    kind: str = "sqlite", users: int = 20, requests: int = 25, workers: int = 1, access_log: bool = False
) -> Run:
    """Response times of the two pages on a store of ``kind`` (see :func:`store`)."""
    with store(kind) as db:
        engine = make_engine(db)
        summary = load_demo(engine)
        engine.dispose()
        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bioparity.cli.main",
                "serve",
                "--port",
                str(port),
                "--database-url",
                db,
                "--workers",
                str(workers),
                *([] if access_log else ["--no-access-log"]),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        clients: list[httpx.Client] = []
        try:
            _wait(url, time.monotonic() + 60)
            pages = {
                "dashboard": f"/ui/programs/{summary.program_id}",
                "pk-similarity result": f"/ui/runs/{summary.runs['pk-similarity']}",
            }
            for i in range(users):
                user = USERS[i % len(USERS)]
                clients.append(_sign_in(url, user.username, user.password))
            for client in clients[: len(USERS)]:  # warm-up: imports, caches (a page per user)
                for path in pages.values():
                    assert client.get(path).status_code == 200
            times: dict[str, list[float]] = {name: [] for name in pages}
            lock = threading.Lock()
            start = threading.Barrier(users + 1)

            def user_loop(cookie: str) -> None:
                # A plain keep-alive HTTP/1.1 connection per user: a light client, so that the figures
                # measure the server rather than the load generator sharing the two cores.
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                headers = {"Cookie": cookie}
                start.wait()
                for _ in range(requests):
                    for name, path in pages.items():
                        t0 = time.perf_counter()
                        conn.request("GET", path, headers=headers)
                        response = conn.getresponse()
                        response.read()
                        elapsed = time.perf_counter() - t0
                        assert response.status == 200, (path, response.status)
                        with lock:
                            times[name].append(elapsed)
                conn.close()

            cookies = [f"{SESSION_COOKIE}={c.cookies[SESSION_COOKIE]}" for c in clients]
            threads = [threading.Thread(target=user_loop, args=(c,)) for c in cookies]
            for t in threads:
                t.start()
            cpu = _cpu_seconds(server.pid)
            start.wait()
            wall = time.perf_counter()
            for t in threads:
                t.join()
            wall = time.perf_counter() - wall
            cpu = _cpu_seconds(server.pid) - cpu
        finally:
            server.terminate()
            server.wait(timeout=20)
            for c in clients:
                c.close()
    return Run(times, wall, cpu)


def figures(
    users: int = 20,
    requests: int = 25,
    workers: int = 1,
    access_log: bool = False,
    stores: tuple[str, ...] = STORES,
) -> list[Figure]:
    """Per store: p50 and p95 page response (ms) of the dashboard and a result page (target p95 < 200 ms
    at 20 users), the throughput and the server's CPU time per page view."""
    out = []
    for kind in stores:
        run = measure(kind, users, requests, workers, access_log)
        total = sum(len(v) for v in run.times.values())
        setting = (
            f"{users} concurrent users, {total} requests, {kind}, {workers} server process(es), access "
            f"log {'on' if access_log else 'off'}"
        )
        out.append(Figure("web", f"{kind}: requests per second", total / run.wall, "requests/s", setting))
        out.append(
            Figure("web", f"{kind}: server CPU per page view", run.server_cpu / total * 1000, "ms", setting)
        )
        for name, values in run.times.items():
            p50, p95 = np.percentile(np.asarray(values) * 1000, [50, 95])
            out.append(Figure("web", f"{kind}: {name} p50", float(p50), "ms", setting))
            # The target is set for 20 users on one server process.
            sized = users >= 20 and workers == 1
            out.append(
                Figure(
                    "web",
                    f"{kind}: {name} p95",
                    float(p95),
                    "ms",
                    setting,
                    target=f"< {TARGET_MS:g} ms",
                    holds=bool(p95 < TARGET_MS) if sized else None,
                )
            )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--store", choices=STORES, action="append", help="sqlite or postgresql (default: both)"
    )
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--requests", type=int, default=25, help="requests per user and page")
    parser.add_argument("--workers", type=int, default=1, help="server processes (bioparity serve --workers)")
    parser.add_argument("--access-log", action="store_true", help="keep uvicorn's per-request log on")
    parser.add_argument("--quick", action="store_true", help="5 requests per user and page")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON (for run_all.py)")
    args = parser.parse_args()
    stores = tuple(args.store) if args.store else STORES
    if not args.json:
        print(machine())
    found = figures(args.users, 5 if args.quick else args.requests, args.workers, args.access_log, stores)
    emit(found, args.json)


if __name__ == "__main__":
    main()
