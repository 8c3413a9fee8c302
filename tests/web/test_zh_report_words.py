"""Codes and English a zh-CN reader still saw in the reports and on the pages (zh-more findings, second
round), now words: the CAA appendix's codes, reasons and settings (finding 1), the runs' option summaries
(finding 2). Each is checked in Chinese and in English; the stored result, its CSV download and the run's
stored options keep the codes.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
from typing import Any

import pytest

from bioparity.analyses.caa import settings_text
from bioparity.i18n import use_language
from bioparity.report import render_program_report, render_run_report
from bioparity.report.context import RunContext, run_context
from bioparity.report.evidence import collect
from bioparity.report.tables import run_tables
from bioparity.store import make_sessionmaker
from bioparity.store.models import AnalysisRun, Program
from bioparity.workspace import accounts
from bioparity.workspace.access import Actor
from tests.web.chinese_user import HAN
from tests.web.conftest import DemoStore, FormClient, demo_client, finished_run_page
from tests.web.test_zh_words import DETAILS, chinese  # noqa: F401  (chinese: the signed-in zh-CN user)


@pytest.fixture(scope="module")
def caa(demo_store: DemoStore) -> RunContext:
    """The demo's CAA run as the reports read it."""
    return _context(demo_store, "caa")


def _appendix(ctx: RunContext, language: str) -> list[dict[str, str]]:
    """The appendix's rows in ``language``, each by its column headers (the panels joined by their keys)."""
    with use_language(language):
        tables = run_tables(ctx.run.kind, ctx.columns, ctx.rows, ctx.options)
    rows: dict[tuple[str, str], dict[str, str]] = {}
    for t in tables.appendix:
        for r in t.rows:
            rows.setdefault((r[0], r[1]), {}).update(zip(t.columns, r, strict=True))
    return list(rows.values())


def _column(rows: list[dict[str, str]], header: str) -> set[str]:
    return {r[header] for r in rows}


def test_the_caa_appendix_says_codes_reasons_and_settings_in_words(
    caa: RunContext, demo_store: DemoStore
) -> None:
    """Before: the zh-CN appendix printed the stored codes (quality-range, two-sided, fraction_inside,
    pass/off, none/equivalence), the English reasons and plans ("15/15 test lots (100%) inside ...") and the
    settings as recorded (``k=2.5; min_fraction=0.9; ...``), while the main table said them in Chinese."""
    stored = [dict(zip(caa.columns, r, strict=True)) for r in caa.rows]
    zh = _appendix(caa, "zh-CN")
    assert _column(zh, "方法") == {"质量范围", "描述性"}
    assert _column(zh, "方向") == {"双侧", "数值越低越不利", "数值越高越不利"}
    assert _column(zh, "结论") == {"通过", "不通过", "描述性"}
    assert _column(zh, "离散度检查") == {"通过", "未启用"}
    assert _column(zh, "敏感性分析") == {"无", "等效性检验"}
    codes = re.compile(r"\b(quality-range|two-sided|fraction_inside|pass|off|none|min_fraction|k=)\b")
    assert [c for r in zh for c in r.values() if codes.search(c)] == []
    reasons = _column(zh, "理由")
    assert all(HAN.search(r) and " test lots " not in r for r in reasons if r), reasons
    assert any(
        r.startswith("15/15 个 test 批次（100%）落在 mean_R ± 2.5·SD_R [86.5, 110.9] 内") for r in reasons
    )
    # the settings: every recorded setting under its words, with its recorded value
    first = next(r for r in zh if r["方法"] == "质量范围" and "敏感性分析：" in r["设置"])
    assert first["设置"] == (
        "质量范围的 k（均值 ± k SD）：2.5；要求落入范围的比例：0.9；最少参照批次：10；最少受试批次：10；"
        "SD 比的界值：1.5；敏感性分析：等效性检验（界值倍数（× SD_R）：1.5）"
    )
    en = _appendix(caa, "en")
    assert _column(en, "method") == {"quality range", "descriptive"}
    assert "two-sided" in _column(en, "direction") and "off" in _column(en, "spread check")
    assert settings_text(stored[0]["settings"]).startswith("k of the quality range (mean ± k SD): 2.5; ")
    # the stored result and its CSV keep the codes and the English
    assert {r["method"] for r in stored} == {"quality-range", "descriptive"}
    with demo_client(demo_store, "sam") as sam:
        exported = list(csv.DictReader(io.StringIO(sam.get(f"/ui/runs/{caa.run.id}/result.csv").text)))
    assert {r["method"] for r in exported} == {"quality-range", "descriptive"}
    assert {r["spread_status"] for r in exported} == {"pass", "off"}
    assert exported[0]["settings"].startswith("k=2.5; min_fraction=0.9; ")
    assert exported[0]["reasons"].startswith("15/15 test lots (100%) inside mean_R ± 2.5·SD_R [86.5, 110.9]")


def _summaries(page: str) -> list[str]:
    """The option summaries of the dashboard's analyses table (the cell before the status badge)."""
    return [html.unescape(c) for c in re.findall(r"<td>([^<]*)</td><td><span class=\"badge", page)]


def test_the_option_summaries_say_each_option_and_value_in_words(
    demo_store: DemoStore,
    chinese: FormClient,  # noqa: F811
) -> None:
    """Before: the dashboard's analyses and the dataset page's runs summarised the options as
    ``method=exact``, ``variance=welch`` in both languages."""
    program = demo_store.summary.program_id
    summaries = _summaries(chinese.get(f"/ui/programs/{program}").text)
    assert "方法：精确法，Owen's Q" in summaries, summaries
    assert any("方差模型：Welch 法，逐对比较" in s for s in summaries), summaries
    assert [s for s in summaries if "=" in s or re.search(r"\b(exact|welch|method)\b", s)] == []
    power = demo_store.summary.runs["power"]
    with make_sessionmaker(demo_store.engine)() as session:  # the stored options keep the code
        run: Any = session.get(AnalysisRun, power)
        assert json.loads(run.options_json) == {"method": "exact"}
        dataset = run.dataset_id
    with demo_client(demo_store, "olivia") as olivia:
        english = _summaries(olivia.get(f"/ui/programs/{program}").text)
        runs = html.unescape(olivia.get(f"/ui/datasets/{dataset}").text)
    assert "method: exact, Owen's Q" in english, english
    assert "options: method: exact, Owen's Q" in runs
    runs = html.unescape(chinese.get(f"/ui/datasets/{dataset}").text)
    assert "选项：方法：精确法，Owen's Q" in runs


def test_the_market_page_says_the_basis_of_each_protection_end_in_words(
    demo_store: DemoStore,
    chinese: FormClient,  # noqa: F811
) -> None:
    """Before: "专利到期：US patent expiration [pmc5628685-t1, as of 2017]" (the knowledge base's basis and
    the exclusivity explanations in English on the zh-CN page)."""
    page = html.unescape(chinese.get("/ui/market?as_of=2026").text)
    assert "专利到期：美国专利到期 [pmc5628685-t1，截至 2017]" in page
    assert "知识库独占期截止：2019 年 6 月美国独占期终止 [" in page
    protection = "".join(re.findall(r'<td class="protection">(.*?)</td>', page, re.S))  # the sources: titles
    assert not re.search(r"patent expiration|biosimilar launch \(|exclusivity end|, as of ", protection)
    with demo_client(demo_store, "olivia") as olivia:
        english = html.unescape(olivia.get("/ui/market?as_of=2026").text)
    assert "patent expiry: US patent expiration [pmc5628685-t1, as of 2017]" in english
    assert "knowledge base exclusivity end: loss of US exclusivity June 2019 [" in english


def _context(demo_store: DemoStore, kind: str) -> RunContext:
    with make_sessionmaker(demo_store.engine)() as session:
        user = accounts.get_user_by_name(session, "sam")
        return run_context(
            session, Actor(user.id, user.username, user.display_name), demo_store.summary.runs[kind]
        )


def test_the_pk_similarity_appendix_says_its_codes_in_words(demo_store: DemoStore) -> None:
    """Before: the zh-CN appendix printed the stored codes welch, completers, all and keep >20% (its main
    table and options said them in words)."""
    ctx = _context(demo_store, "pk-similarity")
    with use_language("zh-CN"):
        tables = run_tables(ctx.run.kind, ctx.columns, ctx.rows, ctx.options)
    cells = {c for t in tables.appendix for r in t.rows for c in r}
    assert {"Welch 法，逐对比较", "完成者", "全部受试者", "保留并计数（>20%）"} <= cells, cells
    assert not cells & {"welch", "completers", "all", "keep >20%"}
    stored = {c for r in ctx.rows for c in r if isinstance(c, str)}
    assert {"welch", "completers", "all", "keep >20%"} <= stored  # the stored result (and its CSV)


def test_the_provenance_names_the_kind_of_a_run_in_words(demo_store: DemoStore) -> None:
    """Before: "Analysis run 56586cea-… (caa, 成功)" in the zh-CN run report, and the kind's code in the
    program report's tables of runs."""
    with make_sessionmaker(demo_store.engine)() as session:  # one session (SQLite: one writer)
        user = accounts.get_user_by_name(session, "sam")
        ctx = run_context(session, Actor.of(user), demo_store.summary.runs["caa"])
        zh, en = (render_run_report(ctx, lang=language) for language in ("zh-CN", "en"))
        program = session.get(Program, demo_store.summary.program_id)
        assert program is not None
        report = render_program_report(session, collect(session, program), lang="zh-CN")
    assert f"{ctx.run.id} (药学比对研究, 成功)" in zh
    assert f"{ctx.run.id} (Comparative analytical assessment, succeeded)" in en
    runs = re.search(r"<h2>分析与签名</h2>(.*?)</table>", report, re.S)
    assert runs is not None
    assert "<td>药学比对研究 (成功)</td>" in runs.group(1) and "<td>caa (" not in runs.group(1)
    assert "数据集：<span" in runs.group(1) and "dataset: <span" not in runs.group(1)
    assert ctx.run.kind == "caa"  # stored as the code


def test_the_audit_row_of_a_review_choice_says_it_in_words(
    demo_store: DemoStore,
    chinese: FormClient,  # noqa: F811
) -> None:
    """Before: the audit trail printed the recorded English name of a review choice ("NCA review of run
    …: exclude … whole profile; reason: …") on the zh-CN page; the CSV keeps it as recorded."""
    nca = demo_store.summary.runs["nca"]
    with demo_client(demo_store, "sam") as sam:
        sent = sam.post(
            f"/ui/runs/{nca}/review",
            data={
                "profile": "1",
                "time": "",
                "action": "exclude",
                "reason": "zh-more finding 3, checked by hand",
            },
            follow_redirects=False,
        )
        assert sent.status_code == 303, sent.text
        finished_run_page(sam, sam.get(sent.headers["location"]))  # the audit row is stored with the run
    program = demo_store.summary.program_id
    recorded = f"NCA review of run {nca[:8]}: exclude "
    rows = [html.unescape(d) for d in DETAILS.findall(chinese.get(f"/ui/programs/{program}/audit").text)]
    said = [d for d in rows if f"名称: — → 运行 {nca[:8]} 的 NCA 审核：排除 " in d and "zh-more" in d]
    assert len(said) == 1 and " 整条曲线；理由：zh-more finding 3, checked by hand; " in said[0], said
    assert "审核选择: — → {" in said[0] and f"分析运行: {nca} → " in said[0], said
    assert not [d for d in rows if recorded in d]
    with demo_client(demo_store, "olivia") as olivia:
        english = [
            html.unescape(d) for d in DETAILS.findall(olivia.get(f"/ui/programs/{program}/audit").text)
        ]
        exported = olivia.get(f"/ui/programs/{program}/audit.csv").content.decode("utf-8-sig")
    assert [
        d
        for d in english
        if recorded in d and " whole profile; reason: zh-more finding 3, checked by hand; " in d
    ]
    stored = [
        d for r in csv.DictReader(io.StringIO(exported)) if recorded in (d := r["details"]) and "zh-more" in d
    ]
    assert len(stored) == 1 and not HAN.search(stored[0]), stored


def test_the_run_page_says_its_options_and_appendix_codes_in_words(
    demo_store: DemoStore,
    chinese: FormClient,  # noqa: F811
) -> None:
    """Before: the run page printed its options as raw JSON (``{"method": "exact"}``) and its complete result
    table with the stored codes (parallel, exact) to a zh-CN reader. Now the options in words as the report
    prints them, the stored JSON in a details element; the table's codes in words with the code."""
    power = demo_store.summary.runs["power"]
    page = html.unescape(chinese.get(f"/ui/runs/{power}").text)
    options = re.search(r'<ul class="run-options" id="run-options">(.*?)</ul>', page, re.S)
    assert options is not None and "<li>方法：精确法，Owen's Q (exact)</li>" in options[1], page
    stored = re.search(
        r'<details id="options-json"><summary>存储的选项（JSON）</summary><code>(.*?)</code>', page
    )
    assert stored is not None and json.loads(stored[1]) == {"method": "exact"}
    complete = page[page.index('id="complete-result"') :]
    assert "精确法，Owen's Q (exact)" in complete and ">exact<" not in complete
    with demo_client(demo_store, "olivia") as olivia:
        english = html.unescape(olivia.get(f"/ui/runs/{power}").text)
    assert "<li>method: exact, Owen's Q (exact)</li>" in english
