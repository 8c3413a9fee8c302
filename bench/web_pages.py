"""Benchmark: the slowest pages and downloads of the web workspace, one user waiting (no concurrency).

Loads the demo (``bioparity demo --load``) into a throwaway SQLite store, or uses ``--db FILE`` (a store
the demo was loaded into, kept between calls), signs sam in through the sign-in form and requests each
page in this process (the application's own ASGI stack, no network): the NCA review page of PK-101 (201
profiles, 23 parameters each), first the page of the first profile and then of the last one. The first
request of each page is not counted (imports, templates, the session); the figures are the median wall
and CPU seconds (user + system of this process) of ``--repeat`` requests that follow.

``--nca-subjects N`` adds the review page of a large NCA run: N subjects and two analytes, 2 x N
profiles (``bench/_big_nca.py``, uploaded to the store first; 1002: 2,004 profiles), its first profile
and a page of its flagged profiles, and the API's list of the study's runs (``GET /studies/{id}/runs``)
with their results (the NCA result of 2,004 profiles is 10.9 MB of JSON) and without
(``?result=false``). Target: <= 0.5 s wall for the review page of 2,004 profiles.

Run: ``.venv/bin/python bench/web_pages.py [--repeat N] [--db FILE] [--quick] [--nca-subjects N] [--json]``
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from _figures import Figure, emit, machine

CSRF_INPUT = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')
ORIGIN = "http://127.0.0.1"


def _pages(
    runs: dict[str, str], programs: dict[str, str], big: str = "", profiles: int = 0, study: str = ""
) -> dict[str, str]:
    """The pages timed, by name: paths of the demo's runs (by kind) and programs (by name), of the
    large NCA run ``big`` of ``profiles`` profiles and of the runs of its ``study``."""
    del programs  # kept for the pages that are per program
    nca = runs["nca"]
    pages = {
        "NCA review page, first profile": f"/ui/runs/{nca}/review",
        "NCA review page, last profile": f"/ui/runs/{nca}/review?profile=200",
    }
    if big:
        pages[f"NCA review page, {profiles:,} profiles"] = f"/ui/runs/{big}/review"
        pages[f"NCA review page, {profiles:,} profiles, flagged"] = (
            f"/ui/runs/{big}/review?profile={profiles - 1}&flag=any"
        )
        pages[f"API runs of a study, {profiles:,}-profile NCA"] = f"/studies/{study}/runs"
        pages[f"API runs of a study, {profiles:,}-profile NCA, result=false"] = (
            f"/studies/{study}/runs?result=false"
        )
    return pages


def _demo_ids(db: str) -> tuple[dict[str, str], dict[str, str], str]:
    """The demo's runs (the latest of each kind) and programs by name, and the id of PK-101."""
    from sqlalchemy import select

    from bioparity.store import make_engine, make_sessionmaker
    from bioparity.store.models import AnalysisRun, Program, Study

    with make_sessionmaker(make_engine(f"sqlite:///{db}"))() as session:
        query = select(AnalysisRun.id, AnalysisRun.kind).order_by(AnalysisRun.created_at.desc())
        runs = {kind: rid for rid, kind in session.execute(query).all()}  # the first run of each kind
        programs = {name: pid for pid, name in session.execute(select(Program.id, Program.name)).all()}
        study = session.scalars(select(Study.id).where(Study.name == "PK-101")).first() or ""
    return runs, programs, study


def _timed(get: Callable[[], object], repeat: int) -> tuple[float, float, float]:
    """Median wall and CPU seconds of ``repeat`` calls of ``get`` after one that is not counted, and the
    wall seconds of that one (a run's first review page reads the run: later ones find it read)."""
    first = time.perf_counter()
    get()
    first = time.perf_counter() - first
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        get()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus), first


def measure(db: str, repeat: int, quick: bool, nca_subjects: int = 0) -> list[Figure]:
    """The figures of each page on the store ``db`` (the demo loaded; ``nca_subjects``: a large NCA run
    of that many subjects added to it first)."""
    from _big_nca import add_run

    big = add_run(db, nca_subjects) if nca_subjects else ""
    os.environ["BIOPARITY_DATABASE_URL"] = f"sqlite:///{db}"
    os.environ.setdefault("BIOPARITY_AUDIT_KEY_FILE", str(Path(db).with_suffix(".audit-key")))
    from fastapi.testclient import TestClient

    from bioparity.server import create_app_from_environment

    client = TestClient(create_app_from_environment(), base_url=ORIGIN, headers={"Origin": ORIGIN})
    form = CSRF_INPUT.search(client.get("/ui/login").text)
    assert form is not None, "no CSRF token on the sign-in page"
    signed = client.post("/ui/login", data={"username": "sam", "password": "demo-sam-2026",
                                             "csrf_token": form.group(1)})  # fmt: skip
    assert signed.status_code in (200, 303), signed.status_code
    runs, programs, study = _demo_ids(db)
    pages = _pages(runs, programs, big, 2 * nca_subjects, study)
    out: list[Figure] = []
    for name, path in list(pages.items())[:1] if quick else pages.items():

        def get(path: str = path) -> object:
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
            return response

        load = os.getloadavg()[0]
        wall, cpu, first = _timed(get, repeat)
        setting = f"demo, SQLite; median of {repeat} after one not counted; load average {load:.1f} before"
        out.append(Figure("web_pages", f"{name} wall", wall, "s", setting))
        out.append(Figure("web_pages", f"{name} CPU", cpu, "s", "user + system of the process"))
        out.append(Figure("web_pages", f"{name}, first request wall", first, "s", "not counted above"))
    return out


def figures(repeat: int = 5, quick: bool = False, db: str = "", nca_subjects: int = 0) -> list[Figure]:
    """The figures on ``db``, or on a throwaway store the demo is loaded into first."""
    if db:
        return measure(db, repeat, quick, nca_subjects)
    from bioparity.demo import load_demo
    from bioparity.store import make_engine

    with tempfile.TemporaryDirectory(prefix="bioparity-bench-") as folder:
        store = str(Path(folder) / "demo.sqlite3")
        os.environ["BIOPARITY_AUDIT_KEY_FILE"] = str(Path(folder) / "audit.key")
        load_demo(make_engine(f"sqlite:///{store}"))
        return measure(store, repeat, quick, nca_subjects)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5, help="requests of each page; the median is reported")
    parser.add_argument("--db", default="", help="a SQLite file the demo was loaded into (else a new one)")
    parser.add_argument("--quick", action="store_true", help="the first page, one request counted")
    parser.add_argument(
        "--nca-subjects", type=int, default=0, help="add an NCA run of N subjects, 2 analytes (to --db too)"
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON (for run_all.py)")
    args = parser.parse_args()
    if not args.json:
        print(machine())
    emit(figures(1 if args.quick else args.repeat, args.quick, args.db, args.nca_subjects), args.json)


if __name__ == "__main__":
    main()
