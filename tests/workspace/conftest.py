"""Fixtures of the workspace tests: every storage and API test runs on SQLite and on a real PostgreSQL.

PostgreSQL is the server at 127.0.0.1:5432 (user postgres, database test, trust authentication; override
with BIOPARITY_TEST_POSTGRES). Each test module (and each test that needs a pristine trail) gets its own
schema, created and dropped here, so runs are isolated and repeatable. When PostgreSQL cannot be reached
the PostgreSQL half fails if the CI environment variable is set, and is skipped otherwise.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bioparity.server import create_app
from bioparity.store import make_engine, make_sessionmaker
from bioparity.store.models import Organisation, Program, Study, User
from bioparity.workspace import Actor, accounts, programs
from bioparity.workspace.integrity import upgrade
from bioparity.workspace.passwords import configure_hasher

PG_CONNINFO = os.environ.get("BIOPARITY_TEST_POSTGRES", "host=127.0.0.1 port=5432 user=postgres dbname=test")
PASSWORD = "correct horse battery"

# Argon2 at full cost takes ~0.1 s per hash; the suite hashes hundreds of times. Same algorithm, lower cost.
configure_hasher(time_cost=1, memory_cost=1024, parallelism=1)


def _postgres_available() -> str | None:
    try:
        with psycopg.connect(PG_CONNINFO, connect_timeout=3):
            return None
    except psycopg.Error as exc:
        return str(exc).strip()


def _pg_url(schema: str) -> str:
    params = dict(item.split("=", 1) for item in PG_CONNINFO.split())
    host, port = params.get("host", "127.0.0.1"), params.get("port", "5432")
    user, dbname = params.get("user", "postgres"), params.get("dbname", "test")
    return f"postgresql+psycopg://{user}@{host}:{port}/{dbname}?options=-csearch_path%3D{schema}"


@contextmanager
def database(backend: str, folder: Path, *, migrate: bool = True) -> Iterator[Engine]:
    """A new database (migrated unless ``migrate`` is False): a SQLite file in ``folder`` or a fresh
    PostgreSQL schema."""
    if backend == "sqlite":
        engine = make_engine(f"sqlite:///{folder / f'ws-{uuid.uuid4().hex[:8]}.sqlite3'}")
        if migrate:
            upgrade(engine)
        try:
            yield engine
        finally:
            engine.dispose()
        return
    problem = _postgres_available()
    if problem is not None:
        message = f"PostgreSQL at {PG_CONNINFO!r} is unreachable: {problem}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    schema = f"bp_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_CONNINFO, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    engine = make_engine(_pg_url(schema), pool_size=25, max_overflow=5)
    try:
        if migrate:
            upgrade(engine)
        yield engine
    finally:
        engine.dispose()
        with psycopg.connect(PG_CONNINFO, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def engine(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """One database per test module and backend (tests in it create uniquely named objects)."""
    with database(backend, tmp_path_factory.mktemp("db")) as eng:
        yield eng


@pytest.fixture
def fresh_engine(backend: str, tmp_path: Path) -> Iterator[Engine]:
    """A database of its own for a test that damages it on purpose."""
    with database(backend, tmp_path) as eng:
        yield eng


@pytest.fixture
def empty_engine(backend: str, tmp_path: Path) -> Iterator[Engine]:
    """A database with no tables yet."""
    with database(backend, tmp_path, migrate=False) as eng:
        yield eng


def url_of(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


@pytest.fixture(scope="module")
def sessions(engine: Engine) -> sessionmaker[Session]:
    return make_sessionmaker(engine)


@pytest.fixture(scope="module")
def client(engine: Engine) -> Iterator[TestClient]:
    with TestClient(create_app(engine=engine)) as c:
        yield c


def actor_of(user: User) -> Actor:
    return Actor(user_id=user.id, username=user.username, display_name=user.display_name)


@dataclass
class Company:
    """An organisation with one member per role, a program and a study."""

    org: Organisation
    users: dict[str, User]
    program: Program
    study: Study
    tokens: dict[str, str] = field(default_factory=dict)

    def actor(self, role: str) -> Actor:
        return actor_of(self.users[role])

    def auth(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}


ROLES = ("owner", "statistician", "analyst", "reviewer", "viewer")


def make_company(sessions: sessionmaker[Session], label: str) -> Company:
    tag = f"{label}-{uuid.uuid4().hex[:8]}"
    with sessions.begin() as s:
        users = {
            r: accounts.create_user(s, f"{r}@{tag}", PASSWORD, display_name=f"{r.title()} of {tag}")
            for r in ROLES
        }
        org = accounts.create_org(s, f"Company {tag}", owner=users["owner"])
        for role in ROLES[1:]:
            accounts.add_member_as_admin(s, org.name, users[role].username, role)
        program = programs.create_program(
            s,
            actor_of(users["owner"]),
            org.id,
            name=f"BP-{tag}",
            inn="adalimumab",
            reference_product="Humira",
            modality="monoclonal antibody",
            target_regions=["EU", "US"],
        )
        study = programs.create_study(s, actor_of(users["owner"]), program.id, name="PK study 1", kind="pk")
        tokens = {
            r: accounts.create_api_token(s, actor_of(u), "tests", 1, password=PASSWORD)[1]
            for r, u in users.items()
        }
    return Company(org=org, users=users, program=program, study=study, tokens=tokens)


@pytest.fixture(scope="module")
def company_factory(sessions: sessionmaker[Session]) -> Callable[[str], Company]:
    return lambda label: make_company(sessions, label)
