"""Reports in Simplified Chinese (issue #25): the PK similarity run report and the program report.

* A report's language is chosen when it is generated and recorded in its provenance; the same stored run
  gives the same bytes per language (HTML, and the PDF).
* The zh-CN PDF (pdftotext) holds the glossary's Chinese for every glossary term the English report uses,
  and every number of the English report; the CJK font is embedded (pdffonts) and covers every character
  of the text (its cmap read with fontTools), so no glyph falls back to a missing-glyph box.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from bioparity.analyses.figures import ForestItem, ForestPlot
from bioparity.i18n import current_language, use_language
from bioparity.i18n.glossary import load_glossary
from bioparity.i18n.printing import CJK_FONT
from bioparity.report import render_program_report, render_run_report
from bioparity.report.context import run_context
from bioparity.report.evidence import collect
from bioparity.report.pdf import html_to_pdf, write_pdf
from bioparity.report.static import forest_svg
from bioparity.store import make_sessionmaker
from bioparity.store.models import Program
from bioparity.workspace import accounts
from bioparity.workspace.access import Actor
from tests.web.conftest import DemoStore

REPORTS = ("pk-similarity", "program")
_CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


@dataclass(frozen=True)
class Rendered:
    html: dict[str, str]  # language -> HTML
    again: str  # the zh-CN HTML rendered a second time
    pdf: dict[str, bytes]
    text: dict[str, str]  # language -> pdftotext output


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} (poppler-utils) is missing: run scripts/system-deps.sh")
    return path


def _pdf_text(pdf: bytes, folder: Path) -> str:
    path = folder / "report.pdf"
    path.write_bytes(pdf)
    # -raw: the text in drawing order, a table cell's lines together (a wrapped hash stays in one piece)
    command = [_tool("pdftotext"), "-raw", "-enc", "UTF-8", str(path), "-"]
    out = subprocess.run(command, check=True, capture_output=True)
    return out.stdout.decode("utf-8")


@pytest.fixture(scope="module")
def rendered(
    demo_store: DemoStore, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Rendered]]:
    """Both reports in English and in Chinese (HTML twice in Chinese), their PDFs and the PDFs' text."""
    folder = tmp_path_factory.mktemp("language")
    out: dict[str, Rendered] = {}
    with make_sessionmaker(demo_store.engine)() as session:
        user = accounts.get_user_by_name(session, "sam")
        ctx = run_context(
            session, Actor(user.id, user.username, user.display_name), demo_store.summary.runs[REPORTS[0]]
        )
        program = session.scalar(select(Program).where(Program.id == demo_store.summary.program_id))
        assert program is not None
        evidence = collect(session, program)
        for name in REPORTS:

            def render(lang: str, name: str = name) -> str:
                if name == "program":
                    return render_program_report(session, evidence, lang=lang)
                return render_run_report(ctx, lang=lang)

            html = {lang: render(lang) for lang in ("en", "zh-CN")}
            pdf = {lang: html_to_pdf(text) for lang, text in html.items()}
            text = {lang: _pdf_text(data, folder) for lang, data in pdf.items()}
            out[name] = Rendered(html, render("zh-CN"), pdf, text)
    yield out


@pytest.mark.parametrize("name", REPORTS)
def test_the_language_is_chosen_per_report_and_recorded_in_its_provenance(
    rendered: dict[str, Rendered], name: str
) -> None:
    report = rendered[name]
    assert current_language() == "en"  # rendering in Chinese left the caller's language as it was
    assert '<html lang="zh-CN">' in report.html["zh-CN"] and '<html lang="en">' in report.html["en"]
    assert '<td id="report-language">简体中文 (zh-CN)</td>' in report.html["zh-CN"]
    assert '<td id="report-language">English (en)</td>' in report.html["en"]
    assert report.html["en"] != report.html["zh-CN"]


@pytest.mark.parametrize("name", REPORTS)
def test_the_same_stored_data_give_the_same_bytes_per_language(
    rendered: dict[str, Rendered], name: str
) -> None:
    report = rendered[name]
    assert report.again == report.html["zh-CN"]
    if name == "pk-similarity":  # WeasyPrint writes no date: the PDF is byte-identical too (laid out again)
        assert write_pdf(report.again) == report.pdf["zh-CN"]


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("name", REPORTS)
def test_the_chinese_pdf_has_every_number_of_the_english_one(
    rendered: dict[str, Rendered], name: str
) -> None:
    english = re.sub(r"page \d+ of \d+", "", rendered[name].text["en"])  # the footer (page counts may differ)
    chinese = _squash(rendered[name].text["zh-CN"])
    numbers = set(_NUMBER.findall(english))
    assert len(numbers) > 100
    assert sorted(n for n in numbers if n not in chinese) == []


def _term(english: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w-]){re.escape(english)}(?:s|es)?(?![\w-])", re.IGNORECASE)


@pytest.mark.parametrize("name", REPORTS)
def test_the_chinese_pdf_uses_the_glossary_for_every_term_of_the_english_one(
    rendered: dict[str, Rendered], name: str
) -> None:
    english, chinese = rendered[name].text["en"], rendered[name].text["zh-CN"]
    used = {t.term_en: t.term_zh_cn for t in load_glossary() if _term(t.term_en).search(english)}
    # a term left in English in the Chinese report is data (a name: "Meridian Biosimilars", a cited
    # guideline's title), not a label; letters only: pdftotext joins "Anti-/Drug" across lines as "AntiDrug"
    letters = re.sub(r"[^a-z]", "", chinese.lower())
    missing = {
        e: z for e, z in used.items() if z not in chinese and re.sub(r"[^a-z]", "", e.lower()) not in letters
    }
    assert missing == {}
    assert "PK similarity" in used
    # the report's statistics labels (GMR, CI in English) in the glossary's words
    glossary = {t.term_zh_cn for t in load_glossary()}
    expected = {"药代动力学相似性", "几何均值比", "置信区间"}
    if name == "program":
        expected |= {"参照药", "药学比对研究"}
    assert expected <= glossary
    assert sorted(z for z in expected if z not in chinese) == []


@pytest.mark.parametrize("name", REPORTS)
def test_the_cjk_font_is_embedded_and_has_a_glyph_for_every_character(
    rendered: dict[str, Rendered], name: str, tmp_path: Path
) -> None:
    path = tmp_path / "report.pdf"
    path.write_bytes(rendered[name].pdf["zh-CN"])
    listing = subprocess.run(
        [_tool("pdffonts"), str(path)], check=True, capture_output=True, text=True
    ).stdout
    fonts = [line.split() for line in listing.splitlines()[2:] if line.strip()]
    assert fonts and all(f[-5] == "yes" for f in fonts), listing  # the "emb" column: every font embedded
    assert any(CJK_FONT.replace(" ", "-") in f[0] for f in fonts), listing
    text = rendered[name].text["zh-CN"]
    assert "\ufffd" not in text
    covered = _cmap(CJK_FONT) | _cmap("DejaVu Sans")
    wide = {c for c in text if _CJK.match(c)}
    assert len(wide) > 50
    assert sorted(c for c in set(text) if not c.isspace() and ord(c) not in covered) == []


def _cmap(family: str) -> set[int]:
    """Code points the installed font of ``family`` has glyphs for (fontconfig finds the file)."""
    from fontTools.ttLib import TTCollection, TTFont  # type: ignore[import-untyped]

    found = subprocess.run(
        [_tool("fc-match"), "--format=%{file}\n%{index}", family], capture_output=True, text=True, check=True
    ).stdout.split("\n")
    file, index = found[0], int(found[1] or 0)
    font = TTCollection(file).fonts[index] if file.endswith(".ttc") else TTFont(file)
    return set(font.getBestCmap())


def test_plots_draw_chinese_labels_without_a_missing_glyph() -> None:
    plot = ForestPlot(
        (ForestItem("AUCIFO: test / eu-ref", "AUCIFO", 96.6, 89.2, 104.6, True),), 80.0, 125.0, 90.0
    )
    with use_language("zh-CN"), warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns "Glyph ... missing from font(s)"
        chinese = forest_svg(plot)
    assert chinese != forest_svg(plot)  # the English plot: other words drawn
    assert forest_svg(plot) == forest_svg(plot)


def test_the_stored_validation_report_is_in_the_users_language(
    demo_store: DemoStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    import bioparity.validation as validation
    from bioparity.demo.load import DEVELOPER
    from bioparity.report.qualification import report_html, run_and_record
    from bioparity.store.models import AuditEvent, Organisation

    small = validation.run_validation(["power"])  # the whole pack takes minutes; the wiring is the point
    monkeypatch.setattr(validation, "run_validation", lambda: small)
    with make_sessionmaker(demo_store.engine)() as session:
        user = accounts.get_user_by_name(session, "olivia")  # an owner of the developer organisation
        actor = Actor(user.id, user.username, user.display_name)
        org = session.scalar(select(Organisation).where(Organisation.name == DEVELOPER))
        assert org is not None
        with use_language("zh-CN"):  # as the web sets it per request from the user's preference
            record = run_and_record(session, actor, org.id)
        html = report_html(session, actor, record.report_sha256).decode("utf-8")
        event = session.scalar(select(AuditEvent).where(AuditEvent.seq == record.seq))
        assert event is not None and json.loads(event.after_json or "{}")["language"] == "zh-CN"
        session.rollback()  # the shared demo store is left as it was
    assert '<td id="report-language">简体中文 (zh-CN)</td>' in html and "安装确认与运行确认" in html
