"""The notes stored with a run are shown in the report's language (:mod:`bioparity.i18n.notes`).

The demo program's CAA run stores English notes (data handling, comparisons, plan) and a reason per
comparison; its zh-CN run report prints each note in Chinese with the same numbers and identifiers (its
English report as stored, the stored result untouched), and the zh-CN program report the reasons of the
comparisons that are not similar; a zh-CN user's result page shows the notes in Chinese too, the NCA review
page the stored reasons of a profile's missing values (a whole profile excluded from lambda_z), a BE run
report the reasons of its decision and its acceptance rule with the guideline section, and an NCA run
report, in its main part, why values are missing and which profiles are flagged (too few terminal points, a
profile the reviewer excluded).
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pandas as pd
from sqlalchemy import select

from bioparity.analyses.caa import attribute_decimals
from bioparity.analyses.registry import all_analyses
from bioparity.be.methods import METHOD_A
from bioparity.i18n import current_language, translations
from bioparity.i18n.notes import translate_note
from bioparity.nca.lambda_z import LAMZ_REASONS, LAMZ_TOO_FEW_POINTS
from bioparity.nca.single.engine import LAMZ_NOT_ESTIMATED
from bioparity.report import render_program_report, render_run_report
from bioparity.report.context import run_context
from bioparity.report.evidence import collect
from bioparity.report.html import range_decimals
from bioparity.server import create_app
from bioparity.store import make_sessionmaker
from bioparity.store.models import Program, Study
from bioparity.workspace import accounts, analyses, datasets
from bioparity.workspace.access import Actor
from tests.web.chinese_user import PASSWORD, USERNAME, ensure_chinese_user
from tests.web.conftest import DemoStore, FormClient

_CJK = re.compile(r"[\u4e00-\u9fff]")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_NOTE = re.compile(r'<p class="note">(.*?)</p>', re.S)


def test_a_chinese_report_shows_the_stored_notes_in_chinese_with_the_same_numbers(
    demo_store: DemoStore,
) -> None:
    with make_sessionmaker(demo_store.engine)() as session:
        user = accounts.get_user_by_name(session, "sam")
        actor = Actor(user.id, user.username, user.display_name)
        ctx = run_context(session, actor, demo_store.summary.runs["caa"])
        stored = list(ctx.notes)
        english = render_run_report(ctx, lang="en")
        chinese = render_run_report(ctx, lang="zh-CN")
    assert current_language() == "en"
    assert len(stored) >= 4 and ctx.notes == stored  # the stored notes are left as they are
    shown_en = [html.unescape(n) for n in _NOTE.findall(english)]
    shown_zh = [html.unescape(n) for n in _NOTE.findall(chinese)]
    for note in stored:  # a note or the notes under a table (CAA: the spread notes under the plans table)
        assert any(note in shown for shown in shown_en), note
        translated = translate_note(note, "zh-CN")
        assert translated != note and _CJK.search(translated), note
        assert any(translated in shown for shown in shown_zh), note
        assert not any(note in shown for shown in shown_zh), note
        assert sorted(_NUMBER.findall(translated)) == sorted(_NUMBER.findall(note)), note


def test_the_chinese_program_report_gives_the_reasons_of_what_is_not_similar_in_chinese(
    demo_store: DemoStore,
) -> None:
    with make_sessionmaker(demo_store.engine)() as session:
        user = accounts.get_user_by_name(session, "sam")
        ctx = run_context(
            session, Actor(user.id, user.username, user.display_name), demo_store.summary.runs["caa"]
        )
        program = session.scalar(select(Program).where(Program.id == demo_store.summary.program_id))
        assert program is not None
        chinese = html.unescape(render_program_report(session, collect(session, program), lang="zh-CN"))
    failed = [r for r in ctx.records if r.get("status") == "fail"]
    assert failed
    for r in failed:
        # its range to the decimals of the CAA report's main table (report.html.range_decimals)
        sds = [x.get("sd_reference") for x in ctx.records if x["attribute"] == r["attribute"]]
        reason = range_decimals(r["reasons"], r, attribute_decimals(sds))
        translated = translate_note(reason, "zh-CN")
        assert _CJK.search(translated) and not re.search(r"\b(?:lots|inside|required|outside)\b", translated)
        assert translated in chinese and reason not in chinese
        assert sorted(_NUMBER.findall(translated)) == sorted(_NUMBER.findall(reason))


def test_a_chinese_users_result_page_shows_the_stored_notes_in_chinese(demo_store: DemoStore) -> None:
    ensure_chinese_user(demo_store.engine)
    client = FormClient(create_app(engine=demo_store.engine))
    try:
        assert client.post("/ui/login", data={"username": USERNAME, "password": PASSWORD}).status_code == 200
        page = html.unescape(client.get(f"/ui/runs/{demo_store.summary.runs['caa']}").text)
    finally:
        client.close()
    with make_sessionmaker(demo_store.engine)() as session:
        user = accounts.get_user_by_name(session, "sam")
        ctx = run_context(
            session, Actor(user.id, user.username, user.display_name), demo_store.summary.runs["caa"]
        )
    assert ctx.notes
    for note in ctx.notes:
        assert f"<li>{translate_note(note, 'zh-CN')}</li>" in page and f"<li>{note}</li>" not in page


def test_a_chinese_users_nca_review_page_shows_the_stored_reasons_in_chinese(demo_store: DemoStore) -> None:
    ensure_chinese_user(demo_store.engine)
    with make_sessionmaker(demo_store.engine).begin() as session:  # a reviewed run, as the review page makes
        user = accounts.get_user_by_name(session, "sam")
        sam = Actor(user.id, user.username, user.display_name)
        ctx = run_context(session, sam, demo_store.summary.runs["nca"])
        arm, subject = (ctx.rows[0][ctx.columns.index(k)] for k in ("arm", "subject"))
        choice = {"arm": arm, "subject": subject, "time": "", "action": "exclude", "reason": "haemolysed"}
        run = analyses.run_analysis(session, sam, ctx.dataset.id, "nca", {**ctx.options, "review": [choice]})
        stored = run_context(session, sam, run.id)
        run_id = run.id
    reason = LAMZ_NOT_ESTIMATED.format(reason=LAMZ_REASONS[LAMZ_TOO_FEW_POINTS])
    mine = [r for r in stored.rows if (r[0], r[1]) == (arm, subject)]
    assert reason in {r[stored.columns.index("reason")] for r in mine}
    client = FormClient(create_app(engine=demo_store.engine))
    try:
        assert client.post("/ui/login", data={"username": USERNAME, "password": PASSWORD}).status_code == 200
        listing = client.get(f"/ui/runs/{run_id}/review").text
        index = re.search(rf'review\?profile=(\d+)">[^<]*{re.escape(f"{arm} / {subject}")}<', listing)
        assert index is not None
        page = html.unescape(client.get(f"/ui/runs/{run_id}/review?profile={index.group(1)}").text)
    finally:
        client.close()
    shown = re.search(r'<dd id="review-reasons">(.*?)</dd>', page, re.S)
    assert shown is not None
    assert translate_note(reason, "zh-CN") in shown.group(1).split("<br>")
    assert reason not in page and _CJK.search(shown.group(1))


def test_a_chinese_be_report_gives_the_reasons_of_the_decision_in_chinese(demo_store: DemoStore) -> None:
    with make_sessionmaker(demo_store.engine)() as session:  # rolled back: the demo store stays as it was
        sam = Actor.of(accounts.get_user_by_name(session, "sam"))
        study = session.scalar(
            select(Study).where(Study.program_id == demo_store.summary.program_id, Study.name == "PK-101")
        )
        assert study is not None
        example = all_analyses()["be"].example
        assert example is not None
        path = example.write(Path(demo_store.url.removeprefix("sqlite:///")).parent)
        dataset = datasets.upload_dataset(
            session, sam, study.id, name="example-be-notes", filename=path.name,
            content=path.read_bytes(), analysis_kind="be",
        )  # fmt: skip
        run = analyses.run_analysis(session, sam, dataset.id, "be", dict(example.options))
        ctx = run_context(session, sam, run.id)
        english = html.unescape(render_run_report(ctx, lang="en"))
        chinese = html.unescape(render_run_report(ctx, lang="zh-CN"))
        session.rollback()
    reasons = ctx.result["reasons"]
    assert METHOD_A in reasons and len(reasons) >= 4
    assert "<br>".join(reasons) in english
    translated = [translate_note(r, "zh-CN") for r in reasons]
    assert all(_CJK.search(t) for t in translated), translated
    assert "<br>".join(translated) in chinese and not any(r in chinese for r in reasons)
    for reason, text in zip(reasons, translated, strict=True):
        assert sorted(_NUMBER.findall(text)) == sorted(_NUMBER.findall(reason))
    # the acceptance rule with its source under the summary (was: limits without a source)
    statement = re.search(r'<p class="note" id="run-statement">(.*?)</p>', english, re.S)
    assert statement is not None and "CPMP/EWP/QWP/1401/98 Rev. 1, 4.1.10" in statement.group(1)
    assert "widened limits 71.23-140.40%" in statement.group(1) and "CVwR 50%" in statement.group(1)
    assert re.search(r'id="run-statement">接受标准（EMA CPMP/EWP/QWP/1401/98 Rev. 1，4.1.10', chinese)


def _theoph_with_reasons(folder: Path) -> bytes:
    """The NCA example (Theoph) with subject 2 cut to 2 samples after Tmax (too few for lambda_z)."""
    example = all_analyses()["nca"].example
    assert example is not None
    frame = pd.read_csv(example.write(folder))
    two = frame[frame["subject"] == 2]
    tmax = two["time"].to_numpy()[two["conc"].to_numpy().argmax()]
    keep = (
        frame["subject"].ne(2) | frame["time"].le(tmax) | frame.index.isin(two[two["time"] > tmax].index[:2])
    )
    return frame[keep].to_csv(index=False, lineterminator="\n").encode()


def _reasons_table(report: str, title: str, appendix: str) -> str:
    """The reasons table of an NCA report, which must come before the appendix."""
    start = report.index(f"<caption>{title}</caption>")
    assert start < report.index(f"<h2>{appendix}</h2>")
    return report[start : report.index("</table>", start)]


def test_an_nca_report_gives_why_values_are_missing_in_its_main_part_in_each_language(
    demo_store: DemoStore, tmp_path: Path
) -> None:
    review = [
        {"subject": "3", "time": "", "action": "exclude", "reason": "vomited at 2 h"},
        {"subject": "4", "time": "24.65", "action": "exclude", "reason": "haemolysed sample"},
    ]
    with make_sessionmaker(demo_store.engine)() as session:  # rolled back: the demo store stays as it was
        sam = Actor.of(accounts.get_user_by_name(session, "sam"))
        study = session.scalar(
            select(Study).where(Study.program_id == demo_store.summary.program_id, Study.name == "PK-101")
        )
        assert study is not None
        dataset = datasets.upload_dataset(
            session, sam, study.id, name="theoph-reasons", filename="theoph-reasons.csv",
            content=_theoph_with_reasons(tmp_path), analysis_kind="nca",
        )  # fmt: skip
        options = {"conc_unit": "mg/L", "time_unit": "h", "dose_unit": "mg", "review": review}
        run = analyses.run_analysis(session, sam, dataset.id, "nca", options)
        ctx = run_context(session, sam, run.id)
        english = html.unescape(render_run_report(ctx, lang="en"))
        chinese = html.unescape(render_run_report(ctx, lang="zh-CN"))
        session.rollback()
    zh = translations("zh-CN").gettext
    title, appendix = (
        "Missing values and review flags per profile: the reasons",
        "Appendix: the complete result table",
    )
    shown_en = _reasons_table(english, title, appendix)
    shown_zh = _reasons_table(chinese, zh(title), zh(appendix))
    too_few = LAMZ_NOT_ESTIMATED.format(reason=LAMZ_REASONS[LAMZ_TOO_FEW_POINTS])
    stored = {
        r[ctx.columns.index("subject")]: r[ctx.columns.index("reason")]
        for r in ctx.rows
        if r[ctx.columns.index("reason")]
    }
    assert stored == {"2": too_few, "3": too_few}  # the stored result keeps its English reasons
    rows = [re.findall(r"<td[^>]*>(.*?)</td>", r) for r in re.findall(r"<tr>(.*?)</tr>", shown_en, re.S)]
    # lambda_z and the parameters that need it
    lambda_z = "LAMZ, R2, R2ADJ, LAMZLL, LAMZUL, LAMZNPT, CLSTP, LAMZHL, LAMZSPN, " + (
        "AUCIFO, AUCIFP, AUMCIFO, AUCPEO, CLFO, MRTEVIFO, VZFO"
    )
    assert ["2", lambda_z, too_few] in rows and ["3", lambda_z, too_few] in rows
    assert [r[0] for r in rows if r] == sorted((r[0] for r in rows if r), key=int)  # as the data
    assert "whole profile excluded from lambda_z: vomited at 2 h" in shown_en
    assert "sample at t = 24.65 excluded from lambda_z by the reviewer: haemolysed sample" in shown_en
    assert "review flag: AUC extrapolated beyond Tlast above 20%" in shown_en
    # the .po entries of the stored reasons; the reviewer's own words as written
    assert "未估算 lambda_z：Tmax 之后用于 lambda_z 的点太少" in shown_zh
    assert "整条曲线从 lambda_z 中排除：vomited at 2 h" in shown_zh
    assert "审核人将 t = 24.65 的样品从 lambda_z 中排除：haemolysed sample" in shown_zh
    assert "审核标记：Tlast 之后外推的 AUC 高于 20%" in shown_zh
    assert too_few not in chinese and "review flag" not in shown_zh
    assert sorted(_NUMBER.findall(shown_en)) == sorted(_NUMBER.findall(shown_zh))
    assert len(re.findall(r"<tr>", shown_en)) == len(re.findall(r"<tr>", shown_zh)) >= 6
