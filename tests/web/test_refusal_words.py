"""A refusal names what the reader may not do in words of their language, never the permission code: a
viewer's upload of a dataset, on the page (English, then in Simplified Chinese) and through the API.

Before, the page and the API said "your role on program 'BP-…' does not allow 'write_data'"."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bioparity.server import create_app
from bioparity.store import make_sessionmaker
from bioparity.workspace import accounts
from tests.web.conftest import FormClient
from tests.workspace.conftest import PASSWORD, Company, actor_of, database, make_company
from tests.workspace.helpers import SAMPLESIZE_CSV, upload

ENGLISH = "does not allow uploading data and running analyses"


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[FormClient, Company, sessionmaker[Session]]]:
    with database("sqlite", tmp_path) as engine:
        sessions = make_sessionmaker(engine)
        company = make_company(sessions, "words")
        client = FormClient(create_app(engine=engine, run_migrations=False))
        try:
            yield client, company, sessions
        finally:
            client.close()


def _main_text(page: str) -> str:
    """The page's main content as text (tags dropped, entities decoded, white space collapsed)."""
    found = re.search(r"<main[^>]*>(.*?)</main>", page, re.S)
    assert found is not None, "no main element"
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", found.group(1))).split())


def _viewer_uploads(client: FormClient, company: Company) -> tuple[int, str]:
    page = client.post(
        f"/ui/studies/{company.study.id}/upload",
        data={"name": "grid", "analysis_kind": "samplesize"},
        files={"file": ("grid.csv", SAMPLESIZE_CSV.encode(), "text/csv")},
    )
    return page.status_code, _main_text(page.text)


def test_a_viewers_upload_is_refused_in_words_on_the_page_in_english_and_chinese(
    site: tuple[FormClient, Company, sessionmaker[Session]],
) -> None:
    client, company, sessions = site
    login = {"username": company.users["viewer"].username, "password": PASSWORD}
    assert client.post("/ui/login", data=login).status_code == 200
    status, said = _viewer_uploads(client, company)
    assert status == 403
    assert (
        f"your role (viewer) on program '{company.program.name}' {ENGLISH}; "
        "ask an owner of the program's organisation for a role that does"
    ) in said
    assert "write_data" not in said

    with sessions.begin() as session:
        accounts.set_language(session, actor_of(company.users["viewer"]), "zh-CN")
    status, said = _viewer_uploads(client, company)
    assert status == 403 and "write_data" not in said
    assert (
        f"您在项目 '{company.program.name}' 中的角色（查看者）不允许上传数据和运行分析；"
        "请向该项目所属组织的所有者申请具有此权限的角色"
    ) in said


def test_a_viewers_upload_through_the_api_is_refused_in_words(
    site: tuple[FormClient, Company, sessionmaker[Session]],
) -> None:
    client, company, _sessions = site
    refused = upload(client, company, role="viewer")
    assert refused.status_code == 403
    assert refused.json()["detail"] == (
        f"your role (viewer) on program '{company.program.name}' {ENGLISH}; "
        "ask an owner of the program's organisation for a role that does"
    )
    created = client.post(
        "/programs",
        headers=company.auth("analyst"),
        json={"org_id": company.org.id, "name": "P2", "inn": "x", "reference_product": "y",
              "modality": "mAb", "target_regions": ["EU"]},
    )  # fmt: skip
    assert created.status_code == 403
    assert created.json()["detail"] == (
        f"your role (analyst) in organisation '{company.org.name}' does not allow creating programs"
    )
