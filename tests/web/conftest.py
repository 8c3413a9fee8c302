"""Fixtures of the web tests: a real server (uvicorn in a thread) on a temporary SQLite store with the demo
program loaded, and headless Chromium (Debian's /usr/bin/chromium) driven by Playwright.

Nothing is downloaded here: ``make test`` runs scripts/system-deps.sh, which installs chromium and the
axe-core npm package when missing. Without them these tests skip locally and fail under CI.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bioparity.analyses.registry import all_analyses
from bioparity.demo import DEMO_USERS, DemoSummary, load_demo
from bioparity.demo.load import DEVELOPER, PROGRAM, UNSHARED_PROGRAM
from bioparity.server import create_app
from bioparity.store import make_engine, make_sessionmaker
from bioparity.store.models import Organisation, Program
from bioparity.workspace import analyses, datasets
from bioparity.workspace.access import Actor
from bioparity.workspace.passwords import configure_hasher

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / ".web-test-deps" / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts" / "web"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]

# Argon2 at full cost takes ~0.1 s per hash; the same algorithm at a low cost keeps the suite fast.
configure_hasher(time_cost=1, memory_cost=1024, parallelism=1)


CSRF_INPUT = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')


class FormClient(TestClient):
    """A test client that posts to pages like a browser does: with the CSRF token of a form it was shown
    (read from the sign-in page, or from the sign-out form of a page when signed in)."""

    def post(self, url: Any, *args: Any, **kwargs: Any) -> Any:
        data = kwargs.get("data")
        if str(url).startswith("/ui/") and (data is None or "csrf_token" not in data):
            page = self.get("/ui/login", follow_redirects=True).text
            found = CSRF_INPUT.search(page)
            assert found is not None, "no form with a CSRF token on the page"
            kwargs["data"] = {**(data or {}), "csrf_token": found.group(1)}
        return super().post(url, *args, **kwargs)


def missing(what: str) -> None:
    """Skip locally, fail under CI (where scripts/system-deps.sh must have installed it)."""
    message = f"{what} is missing: run `bash scripts/system-deps.sh` (make test does)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@dataclass(frozen=True)
class Server:
    url: str
    database_url: str
    program_id: str
    unshared_program_id: str
    runs: dict[str, str]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class DemoStore:
    engine: Engine
    url: str
    summary: DemoSummary


@contextmanager
def new_demo_store(tmp_path_factory: pytest.TempPathFactory, folder: str) -> Iterator[DemoStore]:
    """A new SQLite store in a new temporary folder named after ``folder``, with the demo program loaded."""
    url = f"sqlite:///{tmp_path_factory.mktemp(folder) / 'workspace.sqlite3'}"
    engine = make_engine(url)
    try:
        yield DemoStore(engine, url, load_demo(engine))
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoStore]:
    """A SQLite store with the demo program loaded (shared by the session's web tests)."""
    with new_demo_store(tmp_path_factory, "web") as store:
        yield store


def own_demo_store(folder: str) -> Any:
    """A module-scoped fixture of a demo store of the module's own, in a new temporary folder named after
    ``folder``. Bound to ``demo_store`` in a test module (``demo_store = own_demo_store("signing-rules")``)
    it overrides the session's store for that module, whose fixtures then use it too.

    The session's store is changed by the test files that ran before on the same worker (the slowest files
    first): their runs and signatures (a later approved PK-similarity run supersedes the demo's, hiding its
    signing form and refusing its review and approval; more runs, more statements per page). A module that
    checks the demo as it loads, or changes it, takes a store of its own.
    """

    @pytest.fixture(scope="module")
    def own(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoStore]:
        with new_demo_store(tmp_path_factory, folder) as store:
            yield store

    return own


def run_example(session: Session, actor: Actor, study_id: str, kind: str, folder: Path) -> str:
    """The id of a run of ``kind`` on its example file (written to ``folder``), uploaded to the study
    ``study_id`` with the example's options (the caller rolls the session back to leave the store as it
    was)."""
    example = all_analyses()[kind].example
    assert example is not None
    path = example.write(folder)
    dataset = datasets.upload_dataset(
        session,
        actor,
        study_id,
        name=f"example-{kind}",
        filename=path.name,
        content=path.read_bytes(),
        analysis_kind=kind,
    )
    return analyses.run_analysis(session, actor, dataset.id, kind, dict(example.options)).id


@pytest.fixture(scope="session")
def server(demo_store: DemoStore) -> Iterator[Server]:
    engine, url, summary = demo_store.engine, demo_store.url, demo_store.summary
    with make_sessionmaker(engine)() as session:
        unshared = session.scalar(
            select(Program.id)
            .join(Organisation)
            .where(Organisation.name == DEVELOPER, Program.name == UNSHARED_PROGRAM)
        )
        shared = session.scalar(select(Program.id).where(Program.name == PROGRAM))
    assert unshared is not None and shared == summary.program_id
    with serving(create_app(engine=engine)) as address:
        yield Server(address, url, shared, unshared, summary.runs)


@contextmanager
def serving(app: Any) -> Iterator[str]:
    """Serve ``app`` (uvicorn in a thread, lifespan included) on a free loopback port; yields its URL."""
    port = _free_port()
    uv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not uv.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the web server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        uv.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        missing("Debian's chromium (/usr/bin/chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("the playwright Python package")
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        p.selectors.set_test_id_attribute("id")
        yield chromium
        chromium.close()


def sign_in(page: Any, server: Server, username: str, password: str) -> None:
    page.goto(f"{server.url}/ui/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("#login-submit")
    page.wait_for_url("**/ui/programs")


#: How long a test waits for a run computed in the background: generous, since a loaded machine is slow
#: and the first run of the session also starts the worker process.
RUN_TIMEOUT_S = 300
#: The status section of a run page while the run is queued or running (static/job-status.js reloads the
#: page once it is finished: the section is then gone, or says why the run failed).
RUN_IN_PROGRESS = "#job-status[data-status=queued], #job-status[data-status=running]"


def wait_for_run(page: Any) -> None:
    """After a run form was submitted: wait for the run's page, then for the run to be finished."""
    page.wait_for_url("**/ui/runs/**")
    page.wait_for_selector(RUN_IN_PROGRESS, state="detached", timeout=RUN_TIMEOUT_S * 1000)
    page.wait_for_load_state()


@contextmanager
def demo_client(demo_store: DemoStore, username: str) -> Iterator[FormClient]:
    """A test client of the demo store's app signed in as the demo user ``username`` (closed on leaving)."""
    client = FormClient(create_app(engine=demo_store.engine, run_migrations=False))
    password = next(u.password for u in DEMO_USERS if u.username == username)
    try:
        assert client.post("/ui/login", data={"username": username, "password": password}).status_code == 200
        yield client
    finally:
        client.close()


def finished_run_page(client: TestClient, page: Any) -> Any:
    """The run page ``page`` (a response of the test client) once the run is finished, polled like the
    page's script does (a page still saying queued or running is fetched again)."""
    deadline = time.monotonic() + RUN_TIMEOUT_S
    while re.search(r'id="job-status"[^>]*data-status="(queued|running)"', page.text):
        assert time.monotonic() < deadline, f"run not finished after {RUN_TIMEOUT_S} s"
        time.sleep(0.02)
        page = client.get(page.url.path)
    return page


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Serious and critical axe-core violations of the current page."""
    if not AXE.is_file():
        missing("axe-core (npm package, in .web-test-deps)")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"][:3]]}
        for v in result["violations"]
        if v["impact"] in {"serious", "critical"}
    ]
