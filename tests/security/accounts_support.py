"""A real workspace server process for the account, throttling and consent tests (SQLite and PostgreSQL).

The server runs ``bioparity serve`` on a fresh database with the account policy given through the
``BIOPARITY_*`` environment variables it reads in production. Tests talk to it over HTTP; each test may
use its own loopback source address (127.0.0.x) so that per-client throttling of one test never touches
another. Users are created in the test process with the suite's low Argon2 cost (the parameters travel
in the hash, so the server verifies them quickly too).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from bioparity.cli.main import app
from bioparity.store import make_sessionmaker
from bioparity.store.models import AuditEvent
from tests.live_server import serve
from tests.workspace.conftest import database, url_of


@dataclass
class LiveServer:
    url: str
    engine: Engine
    sessions: sessionmaker[Session]

    @property
    def database_url(self) -> str:
        return url_of(self.engine)

    def client(self, source: str = "127.0.0.1", token: str | None = None) -> httpx.Client:
        headers = {} if token is None else {"Authorization": f"Bearer {token}"}
        transport = httpx.HTTPTransport(local_address=source)
        return httpx.Client(base_url=self.url, transport=transport, headers=headers, timeout=60)

    def login(self, username: str, password: str, source: str = "127.0.0.1") -> httpx.Response:
        with self.client(source) as c:
            return c.post("/auth/login", json={"username": username, "password": password})

    def actions(self, **where: Any) -> list[str]:
        """Audit actions in order, filtered by column values (e.g. object_id=...)."""
        with self.sessions() as s:
            query = select(AuditEvent.action).order_by(AuditEvent.seq)
            for column, value in where.items():
                query = query.where(getattr(AuditEvent, column) == value)
            return list(s.scalars(query))


@dataclass(frozen=True)
class CommandResult:
    returncode: int
    stdout: str
    stderr: str


def bioparity(*args: str, stdin: str = "") -> CommandResult:
    """Run a ``bioparity`` command as an administrator would (in this process: the same code path as
    the console script, without a second interpreter start-up under load)."""
    result = CliRunner().invoke(app, list(args), input=stdin)
    return CommandResult(result.exit_code, result.stdout, result.stderr if result.stderr_bytes else "")


@contextmanager
def live_server(backend: str, folder: Path, policy_env: dict[str, str]) -> Iterator[LiveServer]:
    with database(backend, folder) as engine:
        env = policy_env | {"PYTHONPATH": os.pathsep.join(sys.path)}
        with serve(url_of(engine), "--no-access-log", "--database-url", url_of(engine), env=env) as served:
            yield LiveServer(served.url, engine, make_sessionmaker(engine))
