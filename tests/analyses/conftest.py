"""Fixtures of the analysis-kind tests: one SQLite workspace for the end-to-end runs (API and web pages)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bioparity.server import create_app
from bioparity.store import make_sessionmaker
from tests.analyses.kinds_support import Workspace
from tests.web.conftest import FormClient
from tests.workspace.conftest import database, make_company


@pytest.fixture(scope="session")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    """One SQLite workspace for the kinds' end-to-end tests."""
    with database("sqlite", tmp_path_factory.mktemp("kinds")) as engine:
        company = make_company(make_sessionmaker(engine), "kinds")
        with FormClient(create_app(engine=engine)) as client:
            yield Workspace(client, company)
