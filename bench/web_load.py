"""Response time of every page of the web workspace under 20 concurrent signed-in users (loopback only).

``bench/web.py`` times two pages (the dashboard and a result page); this times each page the demo users
reach, so that a slow page shows by name. Starts ``bioparity serve --workers 2`` (access log off) on a free
127.0.0.1 port with a throwaway SQLite store holding the demo program (or uses ``--db FILE``, a store the
demo was loaded into, or ``--url URL``, a server already running on such a store). Signs in the seven
demo users (olivia, sam, rita, ana, carl, paula, victor), each finds the pages they can reach from the
program list by following links (one URL per page: run and dataset pages by their title, one NCA review
page), then 20 users (the seven in turn) request their pages in a random order, with no think time, with
``httpx`` on ``asyncio``. Prints p50 and p95 per page, the overall p95 (the target: < 200 ms), the
throughput and the server's CPU time per page view (Linux ``/proc``; not with ``--url``).

    python bench/web_load.py [--rounds 10] [--users 20] [--workers 2] [--db FILE | --url URL]
        [--quick] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import numpy as np

from _figures import Figure, emit, machine
from bioparity.demo import DEMO_USERS, load_demo
from bioparity.store import make_engine
from web import CSRF_INPUT, TARGET_MS, _cpu_seconds, _free_port, _wait

#: Links not followed: downloads, reports, forms that change something, and the same page with filters.
SKIP = ("logout", "report", ".csv", ".json", ".pdf", "download", "/vendor/", "/static/")
ID = re.compile(r"/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|/[0-9a-f]{16,}")
TITLE = re.compile(r"<title>([^<·]*)")
HREF = re.compile(r'href="(/ui/[^"#?]*)"')


def page_name(path: str, html: str) -> str:
    """The page a URL shows: its route with ids as ``{id}``; a run or dataset page by its title."""
    route = ID.sub("/{id}", path)
    if route in ("/ui/runs/{id}", "/ui/datasets/{id}"):
        found = TITLE.search(html)
        kind = "run" if "/runs/" in route else "dataset"
        return f"{kind}: {found.group(1).strip() if found else route}"
    return route


async def sign_in(url: str, username: str, password: str) -> httpx.AsyncClient:
    """A client signed in through the sign-in form (with its CSRF token, as a browser)."""
    client = httpx.AsyncClient(base_url=url, timeout=120.0)
    form = CSRF_INPUT.search((await client.get("/ui/login")).text)
    assert form is not None, "no CSRF token on the sign-in page"
    response = await client.post(
        "/ui/login", data={"username": username, "password": password, "csrf_token": form.group(1)}
    )
    assert response.status_code in (200, 303), (username, response.status_code)
    return client


async def reachable(client: httpx.AsyncClient, limit: int = 200) -> dict[str, str]:
    """Page name -> the first URL of it that the signed-in user reaches from the program list (the NCA
    review page without a chosen profile)."""
    found: dict[str, str] = {}
    seen: set[str] = set()
    todo = ["/ui/programs"]
    while todo and len(seen) < limit:
        path = todo.pop(0)
        if path in seen:
            continue
        seen.add(path)
        response = await client.get(path)
        if response.status_code != 200 or "text/html" not in response.headers.get("content-type", ""):
            continue
        found.setdefault(page_name(path, response.text), path)
        todo.extend(h for h in HREF.findall(response.text) if h not in seen and not any(s in h for s in SKIP))
    return found


async def user_loop(
    client: httpx.AsyncClient, pages: dict[str, str], rounds: int, seed: int, times: dict[str, list[float]]
) -> None:
    order = random.Random(seed)
    for _ in range(rounds):
        names = list(pages)
        order.shuffle(names)
        for name in names:
            t0 = time.perf_counter()
            response = await client.get(pages[name])
            elapsed = time.perf_counter() - t0
            assert response.status_code == 200, (pages[name], response.status_code)
            times[name].append(elapsed)


async def measure_at(url: str, users: int, rounds: int, server_pid: int | None) -> dict[str, object]:
    """Per page the seconds of each request, the wall time and the server's CPU seconds."""
    accounts = [DEMO_USERS[i % len(DEMO_USERS)] for i in range(users)]
    clients = [await sign_in(url, u.username, u.password) for u in accounts]
    try:
        pages = {}
        for user, client in zip(accounts, clients, strict=True):
            if user.username not in pages:
                pages[user.username] = await reachable(client)
        for user, client in zip(accounts, clients, strict=True):  # warm-up: each page once per user
            for path in pages[user.username].values():
                await client.get(path)
        times: dict[str, list[float]] = defaultdict(list)
        cpu = _cpu_seconds(server_pid) if server_pid else 0.0
        wall = time.perf_counter()
        await asyncio.gather(
            *(
                user_loop(c, pages[u.username], rounds, i, times)
                for i, (u, c) in enumerate(zip(accounts, clients, strict=True))
            )
        )
        wall = time.perf_counter() - wall
        cpu = (_cpu_seconds(server_pid) - cpu) if server_pid else float("nan")
    finally:
        for c in clients:
            await c.aclose()
    return {"times": dict(times), "wall": wall, "cpu": cpu}


@contextmanager
def served(db: str | None, workers: int) -> Iterator[tuple[str, int]]:
    """The URL and process id of ``bioparity serve`` on ``db`` (a new demo store when None)."""
    with tempfile.TemporaryDirectory(prefix="bioparity-bench-") as folder:
        if db is None:
            db = str(Path(folder) / "workspace.sqlite3")
            engine = make_engine(f"sqlite:///{db}")
            load_demo(engine)
            engine.dispose()
        port = _free_port()
        command = [sys.executable, "-m", "bioparity.cli.main", "serve", "--port", str(port)]
        command += ["--database-url", f"sqlite:///{db}", "--workers", str(workers), "--no-access-log"]
        server = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=os.environ
        )
        try:
            url = f"http://127.0.0.1:{port}"
            _wait(url, time.monotonic() + 120)
            yield url, server.pid
        finally:
            server.terminate()
            server.wait(timeout=20)


def summarise(run: dict[str, object], users: int) -> dict[str, object]:
    """p50/p95/max per page (slowest p95 first) and over all pages, throughput and server CPU per view."""
    times: dict[str, list[float]] = run["times"]  # type: ignore[assignment]
    total = sum(len(v) for v in times.values())
    every = np.concatenate([np.asarray(v) for v in times.values()]) * 1000
    rows = {
        name: dict(
            zip(
                ("p50", "p95", "max"),
                np.percentile(np.asarray(v) * 1000, [50, 95, 100]).round(1),
                strict=True,
            )
        )
        for name, v in sorted(times.items(), key=lambda kv: -np.percentile(kv[1], 95))
    }
    overall = dict(zip(("p50", "p95", "max"), np.percentile(every, [50, 95, 100]).round(1), strict=True))
    return {
        "users": users,
        "requests": total,
        "requests_per_s": round(total / float(run["wall"]), 1),  # type: ignore[arg-type]
        "server_cpu_per_view_ms": round(float(run["cpu"]) / total * 1000, 2),  # type: ignore[arg-type]
        "all pages": overall,
        "pages": rows,
        "counts": {name: len(v) for name, v in times.items()},
    }


def print_table(summary: dict[str, object]) -> None:
    """The per-page table a person reads (slowest p95 first)."""
    overall: dict[str, float] = summary["all pages"]  # type: ignore[assignment]
    rows: dict[str, dict[str, float]] = summary["pages"]  # type: ignore[assignment]
    counts: dict[str, int] = summary["counts"]  # type: ignore[assignment]
    print(machine())
    users, total, per_s = summary["users"], summary["requests"], summary["requests_per_s"]
    print(f"{users} users, {total} requests, {per_s} requests/s, server CPU per view "
          f"{summary['server_cpu_per_view_ms']} ms")  # fmt: skip
    print(f"{'page':<48} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for name, row in {"all pages": overall, **rows}.items():
        n = summary["requests"] if name == "all pages" else counts[name]
        print(f"{name[:48]:<48} {n:>5} {row['p50']:>8.1f} {row['p95']:>8.1f} {row['max']:>8.1f}")
    holds = "holds" if overall["p95"] < TARGET_MS else "MISSED"
    print(f"all pages p95 {overall['p95']:.0f} ms [target < {TARGET_MS:g} ms {holds}]")


def measure(users: int, rounds: int, workers: int, db: str | None, url: str | None) -> dict[str, object]:
    """Serve the demo (or use ``url``), run the users and summarise."""
    if url:
        run = asyncio.run(measure_at(url.rstrip("/"), users, rounds, None))
    else:
        with served(db, workers) as (served_url, pid):
            run = asyncio.run(measure_at(served_url, users, rounds, pid))
    return summarise(run, users)


def to_figures(summary: dict[str, object]) -> list[Figure]:
    """The overall p50/p95, throughput, server CPU per view and the slowest page's p95 as figures; the
    target (p95 < 200 ms over all pages) is judged only at 20 or more users."""
    users = int(summary["users"])  # type: ignore[call-overload]
    overall: dict[str, float] = summary["all pages"]  # type: ignore[assignment]
    rows: dict[str, dict[str, float]] = summary["pages"]  # type: ignore[assignment]
    detail = f"{users} users, {summary['requests']} requests, every page of the demo"
    slowest = next(iter(rows))
    per_s = float(summary["requests_per_s"])  # type: ignore[arg-type]
    cpu = float(summary["server_cpu_per_view_ms"])  # type: ignore[arg-type]
    return [
        Figure("web_load", "every page, p50", float(overall["p50"]), "ms", detail),
        Figure(
            "web_load",
            "every page, p95",
            float(overall["p95"]),
            "ms",
            detail,
            target=f"< {TARGET_MS:g} ms",
            holds=bool(overall["p95"] < TARGET_MS) if users >= 20 else None,
        ),
        Figure("web_load", "throughput", per_s, "requests/s", detail),
        Figure("web_load", "server CPU per page view", cpu, "ms", detail),
        Figure("web_load", f"slowest page p95 ({slowest})", float(rows[slowest]["p95"]), "ms", detail),
    ]


def figures(
    users: int = 20, rounds: int = 10, workers: int = 2, db: str | None = None, url: str | None = None
) -> list[Figure]:
    """The figures of one load run (see :func:`to_figures`)."""
    return to_figures(measure(users, rounds, workers, db, url))


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=10, help="times each user requests each of its pages")
    parser.add_argument("--workers", type=int, default=2, help="server processes (bioparity serve --workers)")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--db", help="a SQLite store the demo was loaded into (served here)")
    where.add_argument("--url", help="a server already running on a demo store (no CPU figure)")
    parser.add_argument("--quick", action="store_true", help="7 users, one round (not for quoting)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON (for run_all.py)")
    args = parser.parse_args()
    users, rounds = (7, 1) if args.quick else (args.users, args.rounds)
    summary = measure(users, rounds, args.workers, args.db, args.url)
    if args.json:
        emit(to_figures(summary), True)
        return
    print_table(summary)


if __name__ == "__main__":
    main()
