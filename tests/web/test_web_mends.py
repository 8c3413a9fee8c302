"""Findings W8-W11 and W19-W21 of the web QA pass (notes/web-qa-findings.md), driven as the demo users do:
a semicolon-separated file is refused at upload (not after a column mapping that cannot succeed), ..."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from bioparity.demo import DEMO_USERS
from bioparity.server import create_app
from bioparity.store import make_sessionmaker
from bioparity.store.models import Study
from tests.web.conftest import DemoStore, FormClient

PASSWORD = {u.username: u.password for u in DEMO_USERS}
SEMICOLON_REFUSAL = "the header is one column &#39;time;conc&#39;: the file looks semicolon-separated"


@pytest.fixture(scope="module")
def sam(demo_store: DemoStore) -> Iterator[FormClient]:
    client = FormClient(create_app(engine=demo_store.engine, run_migrations=False))
    signed_in = client.post("/ui/login", data={"username": "sam", "password": PASSWORD["sam"]})
    assert signed_in.status_code == 200
    yield client
    client.close()


@pytest.fixture(scope="module")
def pk_study(demo_store: DemoStore) -> str:
    with make_sessionmaker(demo_store.engine)() as session:
        study = session.scalar(select(Study.id).where(Study.name == "PK-101"))
    assert study is not None
    return str(study)


def upload(client: FormClient, study: str, name: str, filename: str, content: bytes, **form: str) -> Any:
    return client.post(
        f"/ui/studies/{study}/upload",
        data={"name": name, "analysis_kind": "nca", **form},
        files={"file": (filename, content, "application/octet-stream")},
    )


def test_a_semicolon_separated_file_is_refused_before_the_column_mapping(
    sam: FormClient, pk_study: str
) -> None:
    # Before: the mapping step opened (selects offering time/conc split on ';', a preview of one column
    # 'time;conc'), and only after mapping was the file refused as semicolon-separated.
    page = upload(sam, pk_study, "qa-semi", "semi2.csv", b"time;conc\n0;0\n1;4.2\n2;7.5\n")
    assert page.status_code == 422
    assert 'name="mapping"' not in page.text and "map_time" not in page.text
    assert SEMICOLON_REFUSAL in page.text
    assert "save it as &#39;CSV UTF-8 (comma delimited)&#39;" in page.text
    tab = upload(sam, pk_study, "qa-tab", "tab.csv", b"subject\ttime\tconc\nA\t0\t0\n")
    assert tab.status_code == 422 and "the file looks tab-separated" in tab.text
    assert "map_time" not in tab.text
