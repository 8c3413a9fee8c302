"""Codes a zh-CN reader saw on the workspace pages, now words (zh-rest findings): the values of the audit
trail's details and the security events' details (finding 2), the NCA review's choices (finding 3), the
options of the dataset page's run forms (finding 4). Each page is checked in Chinese and in English (words
in both); the CSV exports keep the recorded codes.
"""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import Iterator

import pytest

from bioparity.server import create_app
from tests.web.chinese_user import HAN, PASSWORD, USERNAME, ensure_chinese_user
from tests.web.conftest import DemoStore, FormClient, demo_client, finished_run_page

#: The details cell of an audit row (before the row hash).
DETAILS = re.compile(r"<td>([^<]*); <span class=\"hash\">")


@pytest.fixture(scope="module")
def chinese(demo_store: DemoStore) -> Iterator[FormClient]:
    """The zh-CN user (an owner of the demo's developer organisation), signed in."""
    ensure_chinese_user(demo_store.engine)
    client = FormClient(create_app(engine=demo_store.engine))
    assert client.post("/ui/login", data={"username": USERNAME, "password": PASSWORD}).status_code == 200
    yield client
    client.close()


def _details(page: str) -> list[str]:
    return [html.unescape(d) for d in DETAILS.findall(page)]


def test_the_audit_details_say_roles_statuses_and_kinds_in_words(
    demo_store: DemoStore, chinese: FormClient
) -> None:
    """Before: 角色: analyst; 状态: pending; 共享范围: caa; 类型: nca (English: kind: nca, scope: caa)."""
    program = demo_store.summary.program_id
    chinese_rows = _details(chinese.get(f"/ui/programs/{program}/audit").text)
    with demo_client(demo_store, "olivia") as olivia:
        english_rows = _details(olivia.get(f"/ui/programs/{program}/audit").text)
        exported = olivia.get(f"/ui/programs/{program}/audit.csv").content.decode("utf-8-sig")
    shared = next(d for d in chinese_rows if d.startswith("角色: "))
    assert shared.startswith("角色: 分析员; 状态: 待处理; 共享范围: 仅限以下研究：药学比对研究; "), shared
    assert (
        "类型: 非房室分析; 状态: 成功" in chinese_rows
        and "名称: PK-101; 类型: 药代动力学相似性" in chinese_rows
    )
    codes = re.compile(r": (analyst|pending|accepted|caa|pk|nca|succeeded|pk-similarity)(;|$| →)")
    assert [d for d in chinese_rows if codes.search(d)] == []
    assert any(re.search(r"以含义 '已(批准|审核)'", d) for d in chinese_rows), chinese_rows
    shared = next(d for d in english_rows if d.startswith("role: "))
    assert shared.startswith(
        "role: analyst; status: pending; scope: comparative analytical assessment studies"
    )
    assert "kind: Noncompartmental analysis; status: succeeded" in english_rows
    assert "name: PK-101; kind: PK similarity" in english_rows
    stored = [r["details"] for r in csv.DictReader(io.StringIO(exported))]
    assert "kind: nca; status: succeeded" in stored and "name: PK-101; kind: pk" in stored
    assert any(d.startswith("role: analyst; status: pending; scope: caa; ") for d in stored)


def test_the_security_events_name_their_details_in_words(demo_store: DemoStore, chinese: FormClient) -> None:
    """Before: client: testclient; language: zh-CN (keys and values as recorded) in both languages."""
    org = re.search(r'href="(/ui/orgs/[^"#?]+)"', chinese.get("/ui/orgs").text)
    assert org is not None
    for language in ("en", "zh-CN"):  # language_change rows to show
        assert chinese.post("/ui/account/language", data={"language": language}).status_code == 200
    page = chinese.get(f"{org.group(1)}/security").text
    details = [d for d in _details(page) if d]
    assert "客户端地址: testclient" in details and "语言: 简体中文" in details, details
    assert [d for d in details if re.search(r"\b(client|language|failures):", d)] == []
    with demo_client(demo_store, "olivia") as olivia:
        english = [d for d in _details(olivia.get(f"{org.group(1)}/security").text) if d]
    assert "client address: testclient" in english and "language: English" in english, english
    exported = chinese.get(f"{org.group(1)}/security.csv").content.decode("utf-8-sig")
    stored = {r["details"] for r in csv.DictReader(io.StringIO(exported))}
    assert {"client: testclient", "language: zh-CN", "language: en"} <= stored
    assert not any(HAN.search(d) for d in stored)


@pytest.fixture(scope="module")
def reviewed_run(demo_store: DemoStore) -> str:
    """A run of the demo's NCA with one reviewer's choice (the whole first profile excluded), made as sam
    on the review page."""
    with demo_client(demo_store, "sam") as sam:
        sent = sam.post(
            f"/ui/runs/{demo_store.summary.runs['nca']}/review",
            data={"profile": "0", "time": "", "action": "exclude", "reason": "vomited at 2 h"},
            follow_redirects=False,
        )
        assert sent.status_code == 303, sent.text
        page = finished_run_page(sam, sam.get(sent.headers["location"]))
    return re.search(r"/ui/runs/([0-9a-f-]{36})", str(page.url)).group(1)  # type: ignore[union-attr]


def _choices(page: str) -> list[list[str]]:
    table = re.search(r'<table id="review-choices">(.*?)</table>', page, re.S)
    assert table is not None, "no choices table"
    return [
        [
            html.unescape(re.sub(r"<[^>]+>", "", c))
            for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)
        ]
        for row in re.findall(r"<tr>(.*?)</tr>", table.group(1), re.S)
    ]


def test_the_review_choices_say_the_action_in_words(
    demo_store: DemoStore, chinese: FormClient, reviewed_run: str
) -> None:
    """Before: the choices table of the review page printed the stored action (exclude) in Chinese, and
    the run report's table of the reviewer's choices its code and the headers time/action/reason."""
    head, row = _choices(chinese.get(f"/ui/runs/{reviewed_run}/review").text)
    assert head[-3:] == ["时间", "操作", "理由"] and row[-3:] == ["整条曲线", "排除", "vomited at 2 h"], row
    with demo_client(demo_store, "sam") as sam:
        head, row = _choices(sam.get(f"/ui/runs/{reviewed_run}/review").text)
        english_report = sam.get(f"/ui/runs/{reviewed_run}/report.html").text
        stored = sam.get(f"/ui/runs/{reviewed_run}/review.json").json()["choices"]
    assert head[-3:] == ["time", "action", "reason"] and row[-3:] == [
        "whole profile",
        "exclude",
        "vomited at 2 h",
    ]
    assert [c["action"] for c in stored] == ["exclude"] and stored[0]["time"] == ""  # the file: as stored
    report = chinese.get(f"/ui/runs/{reviewed_run}/report.html").text
    table = re.search(r"审核人的 lambda_z 选择.*?</table>", report, re.S)
    assert table is not None, "no table of the reviewer's choices in the zh-CN report"
    cells = [html.unescape(c) for c in re.findall(r"<t[dh][^>]*>([^<]*)</t[dh]>", table.group(0))]
    assert {"时间", "操作", "理由", "排除", "整条曲线"} <= set(cells) and "exclude" not in cells, cells
    assert (
        "Reviewer&#39;s lambda_z choices" in english_report or "Reviewer's lambda_z choices" in english_report
    )


def _nca_form(page: str) -> str:
    form = re.search(r'<input type="hidden" name="kind" value="nca">(.*?)</form>', page, re.S)
    assert form is not None, "no nca form on the dataset page"
    return html.unescape(form.group(1))


def test_the_run_form_of_a_dataset_says_each_option_and_choice_in_words(
    demo_store: DemoStore, chinese: FormClient
) -> None:
    """Before: the selects listed the codes (lin-up-log-down, iv-bolus, false/true) under the option's name
    (auc_method) in both languages; the form still posts the codes."""
    program = demo_store.summary.program_id
    dashboard = chinese.get(f"/ui/programs/{program}").text
    dataset = re.search(r'href="(/ui/datasets/[^"#?]+)"[^>]*>concentrations', dashboard)
    assert dataset is not None
    form = _nca_form(chinese.get(dataset.group(1)).text)
    assert '<option value="lin-up-log-down" selected>线性上升/对数下降 (lin-up-log-down)</option>' in form
    assert '<option value="iv-bolus">静脉推注 (iv-bolus)</option>' in form
    assert re.search(r'<option value="false"( selected)?>否</option>', form), form
    assert "AUC 计算方法 <code>auc_method</code></label>" in form and "运行 非房室分析" in form
    with demo_client(demo_store, "olivia") as olivia:
        english = _nca_form(olivia.get(dataset.group(1)).text)
    assert (
        '<option value="lin-up-log-down" selected>linear up, log down (lin-up-log-down)</option>' in english
    )
    assert re.search(r'<option value="true"( selected)?>yes</option>', english), english
    assert "<code>auc_method</code></label>" in english and "Run Noncompartmental analysis" in english


def test_the_dashboard_names_runs_by_their_kind_and_rules_by_their_kind_in_words(
    demo_store: DemoStore, chinese: FormClient
) -> None:
    """Before: the studies' run lists linked each run by its kind's code (nca, pk-similarity, caa) and the
    readiness tables tagged each rule [EMA.ELIG.MODALITY, eligibility], in both languages."""
    program = demo_store.summary.program_id
    runs = demo_store.summary.runs
    page = chinese.get(f"/ui/programs/{program}").text
    assert f'<a href="/ui/runs/{runs["nca"]}">非房室分析</a>' in page
    assert f'<a href="/ui/runs/{runs["pk-similarity"]}">药代动力学相似性</a>' in page
    tags = set(re.findall(r'<span class="hint">\[[A-Z_.]+, ([^\]]+)\]</span>', page))
    assert tags == {"要求", "资格条件"}, tags
    with demo_client(demo_store, "olivia") as olivia:
        english = olivia.get(f"/ui/programs/{program}").text
    assert f'<a href="/ui/runs/{runs["nca"]}">Noncompartmental analysis</a>' in english
    assert set(re.findall(r'<span class="hint">\[[A-Z_.]+, ([^\]]+)\]</span>', english)) == {
        "requirement",
        "eligibility",
    }


FLAG_LINK = re.compile(r'data-flag="([a-z0-9_]+)"[^>]*>([^<]*) \(\d+\)</a>')


def test_the_review_page_says_each_review_flag_in_words(demo_store: DemoStore, chinese: FormClient) -> None:
    """Before: the flag filter, the chosen profile's flags and the profile list printed the flags' codes
    (blq_imputed, span_ratio_low, aucpeo_high) in both languages; the filter's links keep the code."""
    review = f"/ui/runs/{demo_store.summary.runs['nca']}/review"
    page = html.unescape(chinese.get(review).text)
    links = dict(FLAG_LINK.findall(page))
    assert links and all(HAN.search(words) and code not in words for code, words in links.items()), links
    assert links.get("blq_imputed") == "给药后有低于定量下限的样品按 0 保留或经过填补", links
    profiles = re.search(r'<table id="review-profiles">(.*?)</table>', page, re.S)
    assert profiles is not None
    assert not re.search(r"\b(blq_imputed|span_ratio_low|aucpeo_high)\b", profiles.group(1))
    with demo_client(demo_store, "sam") as sam:
        english = dict(FLAG_LINK.findall(html.unescape(sam.get(review).text)))
    assert english.get("blq_imputed") == "a BLQ sample after the dose kept as 0 or imputed", english
    assert all(" " in words and code not in words for code, words in english.items()), english


def test_the_market_page_says_the_provenance_of_its_facts_in_words(
    demo_store: DemoStore, chinese: FormClient
) -> None:
    """Before: the protection basis and the count sources read "patent expiry: …", "knowledge base [id,
    as of 2025-09]", "stale: …" and "unknown" on the zh-CN market page (the ranking CSV keeps them)."""
    page = html.unescape(chinese.get("/ui/market?as_of=2026").text)
    assert "专利到期：" in page and "知识库 [" in page and "，截至 " in page
    assert not re.search(r"patent expiry: |knowledge base \[|first biosimilar launch: |stale: ", page)
    assert not re.search(r'title="unknown"|>unknown<', page)
    with demo_client(demo_store, "olivia") as olivia:
        english = html.unescape(olivia.get("/ui/market?as_of=2026").text)
    assert "patent expiry: " in english and re.search(r"knowledge base \[[^\]]+, as of ", english)


def test_the_run_page_names_each_input_in_words(demo_store: DemoStore, chinese: FormClient) -> None:
    """Web QA F3: the run page printed the input's stored key, 输入 SHA-256（dataset）, on a zh-CN page (the
    run report already said 输入 SHA-256（数据集）, bioparity.analyses.terms.input_name); now both do."""
    run = f"/ui/runs/{demo_store.summary.runs['pk-similarity']}"
    page = html.unescape(chinese.get(run).text)
    report = html.unescape(chinese.get(f"{run}/report.html").text)
    assert "<dt>输入 SHA-256（数据集）</dt>" in page and "输入 SHA-256（数据集）" in report
    assert "（dataset）" not in page
    with demo_client(demo_store, "sam") as sam:
        assert "<dt>Input SHA-256 (dataset)</dt>" in sam.get(run).text


def test_a_header_only_bioassay_file_is_refused_in_words(demo_store: DemoStore, chinese: FormClient) -> None:
    """Web QA F5: an ISR (or cut-point, dilution-curve, drug-tolerance) file with a header and no rows was
    refused on a zh-CN page with "应为 rows of incurred sample reanalysis": the expected text was built in
    English outside the note templates (bioparity.problems.ROWS_OF now, with the data it names)."""
    with demo_client(demo_store, "sam") as sam:
        study = re.search(
            r'href="/ui/studies/([0-9a-f-]{36})/upload"',
            sam.get(f"/ui/programs/{demo_store.summary.program_id}").text,
        )
        assert study is not None
        path = f"/ui/studies/{study.group(1)}/upload"
        files = {"file": ("isr.csv", b"sample,original,repeat\n", "text/csv")}
        english = html.unescape(sam.post(path, data={"analysis_kind": "isr"}, files=files).text)
    refused = chinese.post(path, data={"analysis_kind": "isr"}, files=files)
    assert refused.status_code == 422
    page = html.unescape(refused.text)
    assert "isr.csv：有表头但没有数据行；应为 已测样品再分析的数据行" in page, page
    assert "rows of" not in page
    assert "has a header but no data rows; expected rows of incurred sample reanalysis" in english
