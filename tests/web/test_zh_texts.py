"""zh-CN pages of the web QA pass (notes/web-qa-findings.md): an upload refused for a bad cell says so in
Chinese, with the same row, line, column and value as the English page (W5), and the upload page offers
each analysis with its Chinese description and option help (W6). The English pages and the exception's
own message stay as they were."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from bioparity.demo import DEMO_USERS
from bioparity.server import create_app
from bioparity.store import make_sessionmaker
from bioparity.store.models import Study
from tests.web.conftest import DemoStore, FormClient

PASSWORD = {u.username: u.password for u in DEMO_USERS}
#: Row 5 of the data (line 6 of the file) holds "abc" as a concentration.
NOT_A_NUMBER = (
    "subject,time,conc\nA,0,0\nA,1,4.2\nA,2,7.5\nA,4,8.1\nA,8,abc\nA,12,3.9\nB,0,0\nB,1,3.9\nB,2,7.1\n"
)


@pytest.fixture(scope="module")
def ana(demo_store: DemoStore) -> Iterator[FormClient]:
    client = FormClient(create_app(engine=demo_store.engine, run_migrations=False))
    signed_in = client.post("/ui/login", data={"username": "ana", "password": PASSWORD["ana"]})
    assert signed_in.status_code == 200
    yield client
    client.close()


@pytest.fixture(scope="module")
def pk_study(demo_store: DemoStore) -> str:
    with make_sessionmaker(demo_store.engine)() as session:
        return str(session.scalar(select(Study.id).where(Study.name == "PK-101")))


def _upload(client: FormClient, study: str, language: str) -> str:
    """The page answering an NCA upload of NOT_A_NUMBER, with the pages in ``language``."""
    client.post("/ui/account/language", data={"language": language})
    try:
        answer = client.post(
            f"/ui/studies/{study}/upload",
            data={"name": "zh-abc", "analysis_kind": "nca"},
            files={"file": ("abc.csv", NOT_A_NUMBER.encode(), "text/csv")},
        )
    finally:
        client.post("/ui/account/language", data={"language": "en"})
    assert answer.status_code == 422
    return html.unescape(answer.text)


def _error(page: str) -> str:
    found = re.search(r'<div class="error" role="alert" id="upload-error">\s*<p>(.*?)</p>', page, re.S)
    assert found is not None
    return re.sub(r"<[^>]+>", "", found.group(1)).strip()


def test_a_refused_cell_is_explained_in_chinese_at_the_same_place(ana: FormClient, pk_study: str) -> None:
    english = _error(_upload(ana, pk_study, "en"))
    chinese_page = _upload(ana, pk_study, "zh-CN")
    chinese = _error(chinese_page)
    assert english == (
        "The file was not stored: abc.csv, row 5 (line 6), column 'conc': not a number (got 'abc'); "
        "expected a number or a BLQ marker such as BLQ"
    )
    # before: the labels were Chinese and this message English
    assert chinese.endswith(
        "abc.csv，第 5 行（文件第 6 行），列“conc”：不是数字（实际为 'abc'）；"
        "应为 数字，或 BLQ 等低于定量下限标记"
    )
    assert "not a number" not in chinese and "expected" not in chinese
    # the facts under the message: what was expected, in Chinese too; the line marked in the preview
    assert re.search(r"<dd>数字，或 BLQ 等低于定量下限标记</dd>", chinese_page)
    assert re.search(r'<tr class="bad"><td class="num">6</td><td><code>A,8,abc</code>', chinese_page)


def test_the_upload_page_offers_each_analysis_in_chinese(ana: FormClient, pk_study: str) -> None:
    ana.post("/ui/account/language", data={"language": "zh-CN"})
    try:
        page = html.unescape(ana.get(f"/ui/studies/{pk_study}/upload").text)
    finally:
        ana.post("/ui/account/language", data={"language": "en"})
    offered = dict(re.findall(r'<option value="([a-z-]+)"(?: selected)?>\1: ([^<]+)</option>', page))
    assert offered["nca"] == "逐条曲线的非房室分析（与 PKNCA 兼容）：带审核标记的 PP 长表"
    assert offered["be"].startswith("交叉或重复交叉设计研究的生物等效性")
    assert len(offered) >= 12 and all(re.search(r"[\u4e00-\u9fff]", d) for d in offered.values())
    # the unit fields' help (W4 translated their labels)
    assert "浓度单位，例如 ng/mL" in page and "concentration unit, e.g." not in page
