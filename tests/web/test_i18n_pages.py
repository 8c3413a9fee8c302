"""Every page in Simplified Chinese for a zh-CN user (issue #25): ``<html lang="zh-CN">``, the page's own
texts in Chinese, the data (names, codes, column names, option values) unchanged; the language switch of
the sign-in page; the JSON API stays English.

The language rule (``bioparity.web.language``): a signed-in user's stored preference, else the sign-in
page's switch (cookie), else the browser's ``Accept-Language``, else English.
"""

from __future__ import annotations

import csv
import html
import io
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bioparity.demo import DEMO_USERS
from bioparity.server import create_app
from bioparity.web.language import LANGUAGE_COOKIE, accept_language
from tests.web.chinese_user import HAN, PASSWORD, USERNAME, ensure_chinese_user
from tests.web.conftest import DemoStore, FormClient, demo_client, own_demo_store

DEMO_PASSWORD = {u.username: u.password for u in DEMO_USERS}
H1 = re.compile(r"<h1>(.*?)</h1>", re.S)


# the pages as the demo loads them (tests/web/conftest.py: own_demo_store)
demo_store = own_demo_store("i18n-pages")


@pytest.fixture(scope="module")
def chinese(demo_store: DemoStore) -> Iterator[FormClient]:
    """The zh-CN user, signed in."""
    ensure_chinese_user(demo_store.engine)
    client = FormClient(create_app(engine=demo_store.engine))
    signed_in = client.post("/ui/login", data={"username": USERNAME, "password": PASSWORD})
    assert signed_in.status_code == 200
    yield client
    client.close()


def _href(page: str, prefix: str) -> str:
    found = re.search(rf'href="({re.escape(prefix)}[^"#?]+)"', page)
    assert found is not None, f"no link starting with {prefix}"
    return found.group(1)


def _pages(demo_store: DemoStore, client: TestClient) -> dict[str, str]:
    runs = demo_store.summary.runs
    program = demo_store.summary.program_id
    dashboard = client.get(f"/ui/programs/{program}").text
    orgs = client.get("/ui/orgs").text
    return {
        "programs": "/ui/programs",
        "dashboard": f"/ui/programs/{program}",
        "audit": f"/ui/programs/{program}/audit?verify=1",
        "sharing": f"/ui/programs/{program}/sharing",
        "settings": f"/ui/programs/{program}/settings",
        "dataset": _href(dashboard, "/ui/datasets/"),
        "upload": _href(dashboard, "/ui/studies/"),
        "run-nca": f"/ui/runs/{runs['nca']}",
        "nca-review": f"/ui/runs/{runs['nca']}/review",
        "run-pk-similarity": f"/ui/runs/{runs['pk-similarity']}",
        "run-caa": f"/ui/runs/{runs['caa']}",
        "run-power": f"/ui/runs/{runs['power']}",
        "orgs": "/ui/orgs",
        "organisation": _href(orgs, "/ui/orgs/"),
        "organisation-audit": _href(orgs, "/ui/orgs/") + "/audit",
        "account": "/ui/account",
        "validation": "/ui/admin/validation",
        "market": "/ui/market",
        "power": "/ui/power?cv=0.3",
    }


#: A Chinese text each page must show (its heading or a label of its own), by page.
EXPECTED = {
    "programs": "项目",
    "dashboard": "各地区申报准备情况",
    "audit": "审计追踪",
    "sharing": "与合作方共享",
    "settings": "独立审核与批准（职责分离）",
    "dataset": "运行分析",
    "upload": "上传数据集至",
    "run-nca": "溯源信息",
    "nca-review": "NCA 审核",
    "run-pk-similarity": "电子签名",
    "run-caa": "签名",
    "run-power": "结果",
    "orgs": "您的组织",
    "organisation": "邀请成员",
    "organisation-audit": "组织自身的记录",
    "account": "页面语言",
    "validation": "安装确认与运行确认",
    "market": "生物类似药空白",
    "power": "总样本量 n",
}


def test_every_page_is_chinese_for_a_zh_cn_user(demo_store: DemoStore, chinese: FormClient) -> None:
    pages = _pages(demo_store, chinese)
    assert set(pages) == set(EXPECTED)
    for name, path in pages.items():
        response = chinese.get(path)
        assert response.status_code == 200, (name, response.status_code)
        html = response.text
        assert '<html lang="zh-CN">' in html, name
        assert EXPECTED[name] in html, name
        heading = H1.search(html)
        assert heading is not None, name
        if name not in {"dashboard", "organisation", "organisation-audit"}:  # the program's / org's name
            assert HAN.search(heading.group(1)), (name, heading.group(1))
        assert "退出登录" in html and "跳至正文" in html, name  # sign out, skip link: the frame too
        assert ">Sign out<" not in html and "Skip to content" not in html, name


def test_data_stays_as_stored_on_a_chinese_page(demo_store: DemoStore, chinese: FormClient) -> None:
    dashboard = chinese.get(f"/ui/programs/{demo_store.summary.program_id}").text
    assert "MB-201 (IgG1 mAb)" in dashboard  # the program's name
    run = chinese.get(f"/ui/runs/{demo_store.summary.runs['pk-similarity']}").text
    assert "AUCIFO" in run  # PPTESTCD codes are never translated
    assert '<option value="reviewed"' in run  # the meaning posted is the stored code ...
    assert ">已审核</option>" in run  # ... shown by its Chinese label
    sharing = chinese.get(f"/ui/programs/{demo_store.summary.program_id}/sharing").text
    assert '<option value="viewer" selected>查看者</option>' in sharing


def test_an_error_page_is_chinese(chinese: FormClient) -> None:
    missing = chinese.get("/ui/programs/00000000-0000-0000-0000-000000000000")
    assert missing.status_code == 404
    assert '<html lang="zh-CN">' in missing.text and "未找到" in missing.text
    unknown = chinese.get("/ui/no-such-page")
    assert unknown.status_code == 404 and "不存在此页面" in unknown.text


def test_the_audit_pdf_export_is_chinese_with_a_cjk_font(demo_store: DemoStore, chinese: FormClient) -> None:
    if shutil.which("pdftotext") is None or shutil.which("pdffonts") is None:
        pytest.fail("poppler-utils (pdftotext, pdffonts) missing: run scripts/system-deps.sh")
    exported = chinese.get(f"/ui/programs/{demo_store.summary.program_id}/audit.pdf?action=sign")
    assert exported.status_code == 200 and exported.headers["content-type"] == "application/pdf"
    with tempfile.TemporaryDirectory() as folder:
        pdf = Path(folder) / "audit.pdf"
        pdf.write_bytes(exported.content)
        text = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
        fonts = subprocess.run(["pdffonts", str(pdf)], check=True, capture_output=True, text=True).stdout
    assert "审计追踪：MB-201 (IgG1 mAb)" in text and "第 1 页，共" in text and "行哈希值" in text
    # the recorded action code in words, by its context (zh-left finding 3; before: "sign")
    assert "电子签名" in text
    assert re.search(r"\bsign\b", text) is None, text
    # the object of each row in words too (zh-more finding 1; before: "signature")
    assert "电子签名记录" in re.sub(r"\s+", "", text) and re.search(r"\bsignature\b", text) is None, text
    assert "CJK" in fonts  # the Chinese glyphs come from an embedded CJK font, not a missing-glyph box


def test_the_audit_page_names_each_action_in_chinese_its_code_unchanged(
    demo_store: DemoStore, chinese: FormClient
) -> None:
    """An analysis run in the trail is 运行分析 (the audit action's context), not the assay run 分析批 of the
    ADA reports; the filter still posts the stored code (zh-left finding 3; before: "run", "sign")."""
    program = demo_store.summary.program_id
    page = chinese.get(f"/ui/programs/{program}/audit").text
    cells = re.findall(r"</time></td><td>[^<]*</td><td>([^<]*)</td>", page)
    assert {"运行分析", "上传", "电子签名"} <= set(cells), set(cells)
    assert not {"run", "sign", "upload"} & set(cells)
    assert '<option value="run">运行分析</option>' in page and "分析批" not in page
    chosen = chinese.get(f"/ui/programs/{program}/audit?action=run").text
    assert '<option value="run" selected>运行分析</option>' in chosen
    with demo_client(demo_store, "olivia") as olivia:
        english = olivia.get(f"/ui/programs/{program}/audit").text
    assert '<option value="run">run</option>' in english
    assert {"run", "sign", "upload"} <= set(
        re.findall(r"</time></td><td>[^<]*</td><td>([^<]*)</td>", english)
    )


def test_the_audit_verify_line_ends_its_sentence_in_the_readers_punctuation(
    demo_store: DemoStore, chinese: FormClient
) -> None:
    """Web QA Q5: the zh-CN verify line read "密钥 bc1a85d936385f06. 此处未核对锚点" (an English full stop
    inside Chinese text); a Chinese full stop now, the English line as before."""
    program = demo_store.summary.program_id
    page = html.unescape(chinese.get(f"/ui/programs/{program}/audit?verify=1").text)
    assert re.search(r"密钥 [0-9a-f]+。此处未核对锚点", page), "no Chinese full stop before the anchor note"
    assert ". 此处" not in page
    with demo_client(demo_store, "olivia") as olivia:
        english = html.unescape(olivia.get(f"/ui/programs/{program}/audit?verify=1").text)
    assert re.search(r"key [0-9a-f]+\. No anchor was checked here", english)


def test_the_audit_trail_names_objects_and_fields_in_chinese_the_csv_as_stored(
    demo_store: DemoStore, chinese: FormClient
) -> None:
    """The object of each row (分析运行, 数据集, 电子签名记录 ...) and the details' field names (名称: …) in
    Chinese on the audit page, the organisation trail and the PDF; the filter posts the stored type and
    the CSV keeps the codes (zh-more findings 1, 1b; before: "analysis_run", "name: ")."""
    program = demo_store.summary.program_id
    page = chinese.get(f"/ui/programs/{program}/audit").text
    objects = set(re.findall(r'<td>(?:<a href="[^"]*">)?([^<]*) <span class="hash">', page))
    assert {"分析运行", "数据集"} <= objects and not {"analysis_run", "dataset", "signature"} & objects, (
        objects
    )
    assert '<option value="analysis_run">分析运行</option>' in page
    details = re.findall(r'<td>([^<]*); <span class="hash">', page)
    assert any(d.startswith("名称: ") for d in details) and not any(d.startswith("name: ") for d in details)
    chosen = chinese.get(f"/ui/programs/{program}/audit?object_type=dataset").text
    assert '<option value="dataset" selected>数据集</option>' in chosen
    exported = chinese.get(f"/ui/programs/{program}/audit.csv?object_type=dataset")
    rows = list(csv.DictReader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows and {r["object_type"] for r in rows} == {"dataset"}
    assert all(r["details"].startswith("name: ") for r in rows), rows[0]
    orgs = chinese.get("/ui/orgs").text
    trail = chinese.get(_href(orgs, "/ui/orgs/") + "/audit").text
    cells = re.findall(r"</time></td><td>[^<]*</td><td>([^<]*)</td>", trail)
    assert cells and all(
        HAN.search(c) and not re.search(r"\b(membership|organisation|user)\b", c) for c in cells
    )
    with demo_client(demo_store, "olivia") as olivia:
        english = olivia.get(f"/ui/programs/{program}/audit").text
    assert '<option value="analysis_run">analysis_run</option>' in english


def test_the_security_events_page_names_each_action_in_chinese_the_csv_as_stored(chinese: FormClient) -> None:
    """zh-more finding 1c: the organisation's security events printed the stored action (login, logout)."""
    org = _href(chinese.get("/ui/orgs").text, "/ui/orgs/")
    page = chinese.get(f"{org}/security").text
    cells = re.findall(r"</time></td><td>[^<]*</td><td>([^<]*)</td>", page)
    assert cells and all(HAN.search(c) for c in cells), cells
    exported = chinese.get(f"{org}/security.csv").content.decode("utf-8-sig")
    actions = {r["action"] for r in csv.DictReader(io.StringIO(exported))}
    assert actions and all(re.fullmatch(r"[a-z_]+", a) for a in actions), actions


def test_a_notice_after_a_form_is_in_the_readers_language(demo_store: DemoStore, chinese: FormClient) -> None:
    refused = chinese.post(
        "/ui/account/password",
        data={"current_password": PASSWORD, "new_password": "x" * 12, "confirm_password": "y" * 12},
    )
    assert "两次输入的新密码不一致。" in refused.text


def test_the_json_api_stays_english_for_a_zh_cn_user(chinese: FormClient) -> None:
    missing = chinese.get("/programs/00000000-0000-0000-0000-000000000000")
    assert missing.status_code == 404
    assert missing.json() == {"detail": "program '00000000-0000-0000-0000-000000000000' not found"}
    listed = chinese.get("/programs", headers={"Accept-Language": "zh-CN"})
    assert listed.status_code == 200 and listed.json() and not HAN.search(listed.text)


def test_english_users_keep_english_pages(demo_store: DemoStore) -> None:
    client = FormClient(create_app(engine=demo_store.engine))
    client.post("/ui/login", data={"username": "sam", "password": DEMO_PASSWORD["sam"]})
    page = client.get("/ui/programs", headers={"Accept-Language": "zh-CN"})  # the stored preference wins
    assert '<html lang="en">' in page.text and ">Sign out<" in page.text and not HAN.search(page.text)


def test_the_sign_in_page_follows_the_switch_then_the_browser(demo_store: DemoStore) -> None:
    client = FormClient(create_app(engine=demo_store.engine))
    assert '<html lang="en">' in client.get("/ui/login").text
    browser_zh = client.get("/ui/login", headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"})
    assert '<html lang="zh-CN">' in browser_zh.text and "登录" in browser_zh.text
    switched = client.post("/ui/language", data={"language": "zh-CN", "next": "/ui/market"})
    assert switched.url.path == "/ui/login" and switched.url.params["next"] == "/ui/market"
    assert client.cookies.get(LANGUAGE_COOKIE) == "zh-CN"
    assert '<html lang="zh-CN">' in switched.text and 'aria-current="true">简体中文' in switched.text
    english = client.get("/ui/login", headers={"Accept-Language": "en"})  # the switch wins over the browser
    assert '<html lang="zh-CN">' in english.text
    refused = client.post("/ui/language", data={"language": "xx-YY"})
    assert refused.status_code == 422


def test_signing_in_keeps_the_users_language_for_the_sign_in_page(demo_store: DemoStore) -> None:
    ensure_chinese_user(demo_store.engine)
    client = FormClient(create_app(engine=demo_store.engine))
    client.post("/ui/login", data={"username": USERNAME, "password": PASSWORD})
    assert client.cookies.get(LANGUAGE_COOKIE) == "zh-CN"
    client.post("/ui/logout")
    assert '<html lang="zh-CN">' in client.get("/ui/login").text


@pytest.mark.parametrize(
    ("header", "chosen"),
    [
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh-CN"),
        ("en-GB,en;q=0.9", "en"),
        ("de-DE, fr;q=0.9, zh-Hans;q=0.5, en;q=0.4", "zh-CN"),
        ("en;q=0.1, zh-TW;q=0.9, zh;q=0.5", "zh-CN"),  # zh-TW is not offered; zh is
        ("*, en;q=0", None),
        ("", None),
        ("zh;q=abc, en", "en"),  # an unreadable quality counts as 0
    ],
)
def test_accept_language_ranks_by_quality(header: str, chosen: str | None) -> None:
    # RFC 9110 section 12.5.4: ranges by descending q (1 when absent), q=0 and * never chosen
    assert accept_language(header) == chosen


def test_the_power_page_offers_the_designs_in_chinese_their_codes_unchanged(chinese: FormClient) -> None:
    """Found by the zh-CN review: the design chooser read "2x2x3: 2x2x3 full replicate (...)"."""
    page = chinese.get("/ui/power").text
    options = re.findall(r'<option value="([^"]+)"[^>]*>([^<]*)</option>', page)
    designs = dict(options)
    assert designs["2x2x3"] == "2x2x3: 2x2x3 完全重复交叉设计（TRT|RTR 或 TRR|RTT）"
    assert designs["2x3x3"] == "2x3x3: 2x3x3 部分重复交叉设计（TRR|RTR|RRT）"
    assert designs["parallel"] == "parallel: 两个平行组"
    assert not re.search(r"replicate|crossover|parallel groups|paired means", " ".join(designs.values()))
