"""Page response times of the web workspace under 20 concurrent users (loopback only, bounded).

Starts ``bioparity serve`` (2 worker processes by default, access log off) on a free 127.0.0.1 port
with a temporary SQLite store holding the demo program, signs 20 users in, and lets 20 threads request
the program dashboard and the PK similarity result page in turn (a fixed number of requests each, about
1,000 in all). Prints p50, p95 and max per page; the target is p95 < 200 ms.

    python bench/web.py [--users 20] [--requests 25] [--quick] [--json]
"""

from __future__ import annotations

import argparse
import http.client
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import numpy as np

from _figures import Figure, emit, machine
from bioparity.api.deps import SESSION_COOKIE
from bioparity.demo import DEMO_USERS, load_demo
from bioparity.store import make_engine

# Developer-side members see every demo page; partners see the shared program too.
USERS = [u for u in DEMO_USERS if u.username in {"sam", "ana", "rita", "olivia", "paula", "victor"}]


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


def measure(
    users: int = 20, requests: int = 25, workers: int = 2, access_log: bool = False
) -> tuple[dict[str, list[float]], float]:
    """Seconds per request for each page, and the wall time of the whole run."""
    with tempfile.TemporaryDirectory(prefix="bioparity-bench-") as folder:
        db = f"sqlite:///{Path(folder) / 'workspace.sqlite3'}"
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
        try:
            _wait(url, time.monotonic() + 30)
            pages = {
                "dashboard": f"/ui/programs/{summary.program_id}",
                "pk-similarity result": f"/ui/runs/{summary.runs['pk-similarity']}",
            }
            clients = []
            for i in range(users):
                user = USERS[i % len(USERS)]
                client = httpx.Client(base_url=url, timeout=30.0)
                r = client.post("/ui/login", data={"username": user.username, "password": user.password})
                assert r.status_code in (200, 303), r.text
                clients.append(client)
            for path in pages.values():  # warm-up: imports, templates, caches
                assert clients[0].get(path).status_code == 200
            times: dict[str, list[float]] = {name: [] for name in pages}
            lock = threading.Lock()
            start = threading.Barrier(users)

            def user_loop(cookie: str) -> None:
                # A plain keep-alive HTTP/1.1 connection per user: a light client, so that the figures
                # measure the server rather than the load generator sharing the two cores.
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
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
            wall = time.perf_counter()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            wall = time.perf_counter() - wall
        finally:
            server.terminate()
            server.wait(timeout=10)
            for c in clients:
                c.close()
    return times, wall


def figures(users: int = 20, requests: int = 25, workers: int = 2, access_log: bool = False) -> list[Figure]:
    """p50 and p95 page response (ms) for the dashboard and a result page, and the throughput."""
    times, wall = measure(users, requests, workers, access_log)
    total = sum(len(v) for v in times.values())
    setting = (
        f"{users} concurrent users, {total} requests, SQLite, {workers} server process(es), access log "
        f"{'on' if access_log else 'off'}; target p95 < 200 ms"
    )
    out = [Figure("web", "requests per second", total / wall, "requests/s", setting)]
    for name, values in times.items():
        p50, p95 = np.percentile(np.asarray(values) * 1000, [50, 95])
        out.append(Figure("web", f"{name} p50", float(p50), "ms", setting))
        out.append(Figure("web", f"{name} p95", float(p95), "ms", setting))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--requests", type=int, default=25, help="requests per user and page")
    parser.add_argument("--workers", type=int, default=2, help="server processes (bioparity serve --workers)")
    parser.add_argument("--access-log", action="store_true", help="keep uvicorn's per-request log on")
    parser.add_argument("--quick", action="store_true", help="5 requests per user and page")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON (for run_all.py)")
    args = parser.parse_args()
    found = figures(args.users, 5 if args.quick else args.requests, args.workers, args.access_log)
    if not args.json:
        print(machine())
    emit(found, args.json)


if __name__ == "__main__":
    main()
