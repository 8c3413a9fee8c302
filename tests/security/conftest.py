"""A real workspace server for the security tests: ``bioparity serve`` in a subprocess (SQLite or PostgreSQL).

The test session gets one server per backend on a fresh database with one company (see
tests/workspace/conftest.py). Waiting for start-up is generous (a loaded machine may take long to import);
no test asserts how fast the server starts.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine

from bioparity.store import make_sessionmaker
from tests.live_server import serve
from tests.workspace import conftest as _workspace
from tests.workspace.conftest import Company, database, make_company, url_of

# Fixtures shared with the workspace tests (the tamper drills run on SQLite and PostgreSQL).
client = _workspace.client
company_factory = _workspace.company_factory
engine = _workspace.engine
fresh_engine = _workspace.fresh_engine
sessions = _workspace.sessions
CSRF_INPUT = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')


@dataclass
class LiveServer:
    url: str
    port: int
    backend: str
    engine: Engine
    company: Company
    process: subprocess.Popen[bytes]

    def client(self, **kwargs: object) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=60, **kwargs)  # type: ignore[arg-type]


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def live(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    folder: Path = tmp_path_factory.mktemp(f"live-{backend}")
    with database(backend, folder) as engine:
        company = make_company(make_sessionmaker(engine), "sec")
        with serve(url_of(engine), "--no-access-log", env={"BIOPARITY_SQLITE_BUSY_TIMEOUT": "2"}) as served:
            yield LiveServer(served.url, served.port, backend, engine, company, served.process)


def form_token(client: httpx.Client, path: str = "/ui/login") -> str:
    """The CSRF token of the form a browser would be shown at ``path``."""
    page = client.get(path, follow_redirects=True)
    found = CSRF_INPUT.search(page.text)
    assert found is not None, f"no CSRF token in the form at {path}: {page.status_code}"
    return found.group(1)


def sign_in(live: LiveServer, role: str = "owner") -> httpx.Client:
    """A browser-like client signed in through the login form (with its token, from the same origin)."""
    from tests.workspace.conftest import PASSWORD

    client = live.client(headers={"Origin": live.url})
    token = form_token(client)
    done = client.post(
        "/ui/login",
        data={"username": live.company.users[role].username, "password": PASSWORD, "csrf_token": token},
    )
    assert done.status_code == 303, done.text
    return client
