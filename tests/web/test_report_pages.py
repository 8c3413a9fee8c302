"""How the printed reports fill their pages (found by looking at every page of the demo reports' PDFs):

* no portrait page filled less than half comes just before a landscape one: the CAA run report printed
  the last two lines of a note on page 2 and nothing else, the comparability (ICH Q5E) report six notes,
  the ADA summary report a table's last rows and "Signatures: Not signed." (a change of page size forces
  a new page); that short end is printed on the landscape page, with what follows
  (:mod:`bioparity.report.pagination`);
* a run report whose result tables and appendix are landscape stays landscape from its first landscape
  page on: its figures and signatures were printed on portrait pages between them, five in the CAA report,
  and the last of them could hold "Signatures" alone;
* the program report's table of analyses prints each run ID and digest shortened, on one line (a
  64-character digest in its narrow column stood eight characters a line, one to a few in longer tables,
  the row a tenth of the page tall), and an appendix prints each whole, on one line, for the auditor.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from types import SimpleNamespace

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from sqlalchemy import select

from bioparity import __version__
from bioparity.analyses.figures import CAAPlot
from bioparity.report import html_to_pdf, render_program_report, render_run_report, static
from bioparity.report.context import run_context
from bioparity.report.evidence import ProgramEvidence, collect, evidence_sha256
from bioparity.report.html import DIGEST_CHARS, RUN_ID_CHARS
from bioparity.report.pagination import Placed, landscape_from, placements
from bioparity.report.tables import run_tables
from bioparity.store import make_sessionmaker
from bioparity.store.models import AnalysisRun, Program, ProgramShare, Signature, Study
from bioparity.workspace import accounts
from bioparity.workspace.access import Actor
from tests.web.conftest import DemoStore, run_example

#: Text this far (pt) above a page's bottom edge or lower is the footer ("page 2 of 29"): it sits in the
#: bottom margin (18 mm portrait, 14 mm landscape = 39.7 pt), centred.
FOOTER_PT = 36.0


@dataclass(frozen=True)
class PrintedPage:
    """A PDF page as pdftotext reads it: size in pt and its words (text, lowest point) above the footer."""

    width: float
    height: float
    words: tuple[tuple[str, float], ...]

    @property
    def landscape(self) -> bool:
        return self.width > self.height

    @property
    def filled(self) -> float:
        """How far down the page its lowest line of text reaches, as a share of the page's height."""
        return max((bottom for _, bottom in self.words), default=0.0) / self.height


def printed_pages(pdf: bytes, folder: Path) -> list[PrintedPage]:
    """The pages of a PDF with their words (``pdftotext -bbox``: each word's box in pt)."""
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext (poppler-utils) is missing: run scripts/system-deps.sh")
    path = folder / "report.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-bbox", str(path), "-"], check=True, capture_output=True)
    xhtml = out.stdout.decode("utf-8").replace(' xmlns="http://www.w3.org/1999/xhtml"', "")
    body = ET.fromstring(xhtml).find("body")
    assert body is not None
    pages = []
    for page in body.iter("page"):
        height = float(page.get("height", 0))
        words = tuple(
            (w.text or "", float(w.get("yMax", 0)))
            for w in page.iter("word")
            if float(w.get("yMin", 0)) < height - FOOTER_PT
        )
        pages.append(PrintedPage(float(page.get("width", 0)), height, words))
    return pages


@pytest.fixture(scope="module")
def reports(demo_store: DemoStore) -> Iterator[dict[str, str]]:
    """The PDF HTML of the demo's CAA and NCA run reports, of the comparability and ADA summary examples
    (run in the demo's PK study, then rolled back) and of the demo program's report."""
    out = {}
    with make_sessionmaker(demo_store.engine)() as session:
        sam = Actor.of(accounts.get_user_by_name(session, "sam"))
        for kind in ("caa", "nca"):
            out[kind] = render_run_report(
                run_context(session, sam, demo_store.summary.runs[kind]), for_pdf=True
            )
        program = session.scalar(select(Program).where(Program.id == demo_store.summary.program_id))
        assert program is not None
        out["program"] = render_program_report(session, collect(session, program), for_pdf=True)
        out["program zh-CN"] = render_program_report(
            session, collect(session, program), lang="zh-CN", for_pdf=True
        )
        study = session.scalar(select(Study).where(Study.program_id == program.id, Study.name == "PK-101"))
        assert study is not None
        folder = Path(demo_store.url.removeprefix("sqlite:///")).parent
        for kind in ("comparability", "ada-summary", "stability"):
            run = run_example(session, sam, study.id, kind, folder)
            out[kind] = render_run_report(run_context(session, sam, run), for_pdf=True)
        session.rollback()
    yield out


@pytest.mark.parametrize("name", ["caa", "comparability", "ada-summary", "program"])
def test_no_portrait_page_before_a_landscape_one_is_less_than_half_filled(
    reports: dict[str, str], name: str, tmp_path: Path
) -> None:
    """Before: CAA page 2 filled to 8% of its height (two lines), comparability page 2 to 27% (six notes),
    ADA summary page 2 to 33%. The report's first page may be short (the program report's summary)."""
    pages = printed_pages(html_to_pdf(reports[name]), tmp_path)
    assert any(p.landscape for p in pages), name  # the reports have landscape pages to turn to
    short = [
        (number + 1, round(page.filled, 2))
        for number, (page, following) in enumerate(pairwise(pages))
        if number > 0 and not page.landscape and following.landscape and page.filled < 0.5
    ]
    assert not short, short


@pytest.mark.parametrize("name", ["caa", "comparability"])
def test_a_landscape_report_stays_landscape_from_its_first_landscape_page(
    reports: dict[str, str], name: str, tmp_path: Path
) -> None:
    """Before: the CAA report's pages were P P L L P P P P P L ... L (its figures and signatures on portrait
    pages between its result tables and its appendix), comparability's P P L L P P L ... L."""
    pages = printed_pages(html_to_pdf(reports[name]), tmp_path)
    turns = "".join("L" if p.landscape else "P" for p in pages)
    assert re.fullmatch(r"P+L+", turns), turns


def test_the_program_report_prints_each_digest_on_one_line(
    demo_store: DemoStore, reports: dict[str, str], tmp_path: Path
) -> None:
    """Each run ID and digest is one word of the PDF (pdftotext: a word never runs over two lines), whole
    in the appendix and shortened in the table; before, each was split over five to eight lines."""
    with make_sessionmaker(demo_store.engine)() as session:
        program = session.scalar(select(Program).where(Program.id == demo_store.summary.program_id))
        assert program is not None
        runs = [r for ev in collect(session, program).studies for r in ev.runs]
    assert len(runs) >= 4  # the demo's power, NCA, PK similarity and CAA runs
    words = {w for page in printed_pages(html_to_pdf(reports["program"]), tmp_path) for w, _ in page.words}
    for run in runs:
        digests = [d for d in json.loads(run.inputs_json).values() if isinstance(d, str)]
        assert digests and run.result_sha256
        for digest in (*digests, run.result_sha256):
            assert len(digest) == 64 and digest in words, digest
            assert f"{digest[:DIGEST_CHARS]}…" in words, digest
        assert run.id in words and f"{run.id[:RUN_ID_CHARS]}…" in words, run.id


def page_texts(pdf: bytes, folder: Path) -> list[str]:
    """Each page's text, its foot included (``pdftotext -raw``: pages split by form feeds)."""
    path = folder / "report.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-raw", str(path), "-"], check=True, capture_output=True)
    return out.stdout.decode("utf-8").split("\f")[:-1]


def test_a_signed_content_digest_is_printed_whole_on_one_line(
    demo_store: DemoStore, reports: dict[str, str], tmp_path: Path
) -> None:
    """The demo's CAA run has three signatures; each signed content SHA-256 is one word of the PDF (before:
    two words, 52 and 12 characters, in the Signatures table's fifth column of a landscape page)."""
    with make_sessionmaker(demo_store.engine)() as session:
        digests = session.scalars(
            select(Signature.content_sha256).where(Signature.run_id == demo_store.summary.runs["caa"])
        ).all()
    assert len(digests) == 3
    words = [w for page in printed_pages(html_to_pdf(reports["caa"]), tmp_path) for w, _ in page.words]
    for digest in digests:
        assert len(digest) == 64 and digest in words, digest


@pytest.mark.parametrize("name", ["caa", "comparability"])
def test_every_page_of_a_run_report_names_its_run_and_the_software(
    demo_store: DemoStore, reports: dict[str, str], name: str, tmp_path: Path
) -> None:
    """Portrait and landscape pages alike: "Run <ID>", "page n of N" and "bioparity <version>" at the foot
    (before: "page n of N" only)."""
    pages = page_texts(html_to_pdf(reports[name]), tmp_path)
    run_id = re.search(r"<td class=\"hash\">([0-9a-f-]{36}) \(", reports[name])
    assert run_id is not None and len(pages) > 3
    if name == "caa":
        assert run_id.group(1) == demo_store.summary.runs["caa"]
    for number, text in enumerate(pages, start=1):
        assert f"Run {run_id.group(1)}" in text, number
        assert f"page {number} of {len(pages)}" in text and f"bioparity {__version__}" in text, number


def test_the_program_report_opens_with_a_title_page_that_identifies_it(
    demo_store: DemoStore, reports: dict[str, str], tmp_path: Path
) -> None:
    """Page 1: title, INN, reference product, sponsor and partner, the time of the newest stored run or
    signature (read from the store here), the evidence SHA-256 and the software version; every page's foot:
    the program, the evidence digest's first 12 characters and the version."""
    with make_sessionmaker(demo_store.engine)() as session:
        program = session.scalar(select(Program).where(Program.id == demo_store.summary.program_id))
        assert program is not None
        digest = evidence_sha256(collect(session, program))
        run_ids = select(AnalysisRun.id).join(Study).where(Study.program_id == program.id)
        run_times = session.scalars(select(AnalysisRun.created_at).where(AnalysisRun.id.in_(run_ids))).all()
        signed = session.scalars(select(Signature.signed_at).where(Signature.run_id.in_(run_ids))).all()
        shares = session.scalars(select(ProgramShare).where(ProgramShare.program_id == program.id)).all()
        assert any(s.status == "accepted" for s in shares)  # the demo's CMC partner
        name = program.name
    # the newest: ISO texts to the second compare as times ("2026-12-06 21:57:10")
    newest = max(
        [str(t)[:19].replace("T", " ") for t in run_times] + [s[:19].replace("T", " ") for s in signed]
    )
    pages = page_texts(html_to_pdf(reports["program"]), tmp_path)
    title = pages[0]
    for label in ("INN", "Reference product", "Sponsor", "Partner organisations", "Castor CMC Services"):
        assert label in title, label
    assert f"Evidence as of {newest} UTC" in title
    assert f"Evidence SHA-256 {digest}" in title and f"Generated by bioparity {__version__}" in title
    for number, text in enumerate(pages, start=1):
        foot = f"{name}, evidence SHA-256 {digest[:DIGEST_CHARS]}…"
        assert foot in text and f"page {number} of {len(pages)}" in text, number
        assert f"bioparity {__version__}" in text, number


#: The sentence that closed every run report ("Generated by bioparity from the stored run only: ...").
CLOSING = "Generated by bioparity from the stored run only"


@pytest.mark.parametrize("name", ["caa", "comparability", "ada-summary"])
def test_no_page_opens_with_a_tables_note_or_holds_the_closing_sentence_alone(
    reports: dict[str, str], name: str, tmp_path: Path
) -> None:
    """Before: the comparability report's page 11 (of 11) held the closing sentence and nothing else, the
    NCA report's last page "23 rows; 2 columns in all" and that sentence. The sentence is printed with the
    provenance (page 1); a table's note stays with the table's last row."""
    pages = page_texts(html_to_pdf(reports[name]), tmp_path)
    assert CLOSING in pages[0] and not any(CLOSING in text for text in pages[1:])
    for number, text in enumerate(pages, start=1):
        lines = [line for line in text.splitlines() if line.strip() and f"page {number} of" not in line]
        assert lines, number
        assert not re.match(r"\d+ rows?; \d+ columns in all", lines[0]), (number, lines[0])


def test_every_table_starts_on_a_page_of_its_orientation(
    demo_store: DemoStore, reports: dict[str, str], tmp_path: Path
) -> None:
    """Each main and appendix table's caption is on a page of the table's orientation (landscape for a wide
    table and for the main tables beside one, portrait for the others). Before: the NCA report's page 7 was
    landscape and held the appendix heading and the first 23 rows of the portrait table "Exposure: PPSTRESN
    per subject", whose rest was on portrait page 8 (the content after the landscape result tables went on
    on the landscape page: WeasyPrint breaks no page where the page name returns to the default)."""
    with make_sessionmaker(demo_store.engine)() as session:
        sam = Actor.of(accounts.get_user_by_name(session, "sam"))
        ctx = run_context(session, sam, demo_store.summary.runs["nca"])
        tables = run_tables(ctx.run.kind, ctx.columns, ctx.rows, ctx.options)
    pdf = html_to_pdf(reports["nca"])
    texts = [" ".join(t.split()) for t in page_texts(pdf, tmp_path)]
    pages = printed_pages(pdf, tmp_path)
    assert len(texts) == len(pages)
    portrait_titles = [t.title for t in tables.appendix if not t.wide]
    assert portrait_titles and any(t.wide for t in tables.main)
    # one wide main table puts all main tables on landscape pages (run_report.html.j2)
    wide = {t.title: True for t in tables.main} | {t.title: t.wide for t in tables.appendix}
    for title, landscape in wide.items():
        on = [n for n, text in enumerate(texts) if " ".join(title.split()) in text]
        assert on, title
        for n in on:
            assert pages[n].landscape == landscape, (title, n + 1)
    # the signatures turn to portrait with the appendix, on its first page (on a landscape page of their own
    # they were "Signatures" and "Not signed." alone); from there on every page is portrait
    start = next(n for n, text in enumerate(texts) if "Signatures" in text)
    assert "Appendix: the complete result table" in texts[start], start + 1
    assert not any(p.landscape for p in pages[start:]) and pages[start - 1].landscape, start + 1


def test_the_program_report_turns_to_portrait_at_pk_similarity(
    reports: dict[str, str], tmp_path: Path
) -> None:
    """The regions' landscape tables and their notes, then "PK similarity" and all that follows on portrait
    pages. Before, that part went on on the last landscape page whenever its first table fitted there (the
    demo's report turned only because its PK table did not fit)."""
    # the part in a portrait section right after a landscape one (the break does not depend on the fit)
    assert re.search(
        r'<section class="wide">[^§]*?</section>\s*<section>\s*<h2>PK similarity', reports["program"]
    )
    pdf = html_to_pdf(reports["program"])
    texts, pages = page_texts(pdf, tmp_path), printed_pages(pdf, tmp_path)
    start = next(n for n, text in enumerate(texts) if re.search(r"(^|\n)PK similarity\n", text))
    assert pages[start - 1].landscape and not any(p.landscape for p in pages[start:]), start + 1


def test_a_study_heading_of_the_program_report_is_printed_with_its_table(
    reports: dict[str, str], tmp_path: Path
) -> None:
    """Before: page 7 of the demo's program report ended with "Comparative analytical assessment", "CAA-01"
    and its run line, the outcomes table on page 8."""
    texts = page_texts(html_to_pdf(reports["program"]), tmp_path)
    (page,) = [t for t in texts if re.search(r"(^|\n)CAA-01\n", t)]
    assert "Comparison Outcomes" in page and "result SHA-256" in page[page.index("CAA-01") :]


def test_no_table_starts_at_a_page_foot_with_fewer_than_three_rows(
    reports: dict[str, str], tmp_path: Path
) -> None:
    """Before: page 2 of the stability report ended with the caption "Regression per lot ... (part 2 of 2)",
    its head and one row, the other eight rows on page 3; page 7 of the Chinese program report with the
    CAA-01 outcomes table's head and first row, its other two rows on page 8. A table's first part now holds
    three rows (or the whole table moves on): one rule for every report (_style.html.j2)."""
    texts = page_texts(html_to_pdf(reports["stability"]), tmp_path)
    # the table's last part (one part since headers are counted as they wrap: tables.header_chars)
    caption = "chosen model (pooling)"
    page = [t for t in texts if caption in " ".join(t.split())][-1]
    rows = re.findall(r"Purity\s+T\d\b", " ".join(page.split()).split(caption)[-1])
    assert rows[:3] == ["Purity T1", "Purity T2", "Purity T3"], page  # the part's test-lot rows, then more
    texts = page_texts(html_to_pdf(reports["program zh-CN"]), tmp_path)
    (page,) = [t for t in texts if re.search(r"(^|\n)CAA-01\n", t)]
    # the outcomes table's rows, the "vs" in Chinese (web QA Q4)
    for comparison in ("ref-eu 对比 ref-us", "test 对比 ref-eu", "test 对比 ref-us"):
        assert comparison in page[page.index("CAA-01") :], comparison


def test_the_nca_appendix_is_printed_on_portrait_pages_only(demo_store: DemoStore) -> None:
    """The demo NCA report's appendix: per-subject tables (portrait), then the other columns' table and
    the two unit tables (PPTESTCD and a unit: two columns), which were landscape: the portrait part ended
    at 54% of the zh-CN report's page 25, the units took landscape pages (the last at 14%). All portrait
    now (the other columns' long cells wrap), the units before the other columns."""
    with make_sessionmaker(demo_store.engine)() as session:
        sam = Actor.of(accounts.get_user_by_name(session, "sam"))
        ctx = run_context(session, sam, demo_store.summary.runs["nca"])
        tables = run_tables(ctx.run.kind, ctx.columns, ctx.rows, ctx.options)
    assert tables.main and any(t.wide for t in tables.main)  # its result tables stay landscape
    assert len(tables.appendix) >= 8 and not any(t.wide for t in tables.appendix)
    titles = [t.title for t in tables.appendix]
    assert titles[-3:-1] == ["PPORRESU (units) by parameter", "PPSTRESU (units) by parameter"], titles
    assert titles[-1].startswith("Other columns"), titles


def test_the_evidence_digest_is_the_sha256_of_its_documented_json() -> None:
    """One run with one input and two signatures: the digest of the JSON written out by hand here (keys
    sorted, no spaces, signatures sorted); another signature gives another digest."""
    run = SimpleNamespace(
        id="r1", kind="nca", inputs_json='{"dataset": "aa"}', result_sha256="bb", created_at=None
    )
    signatures = [SimpleNamespace(signature_sha256="d2"), SimpleNamespace(signature_sha256="d1")]
    study = SimpleNamespace(study=SimpleNamespace(name="PK-1"), runs=[run], signatures={"r1": signatures})
    evidence = ProgramEvidence(program=None, studies=[study])  # type: ignore[arg-type, list-item]
    text = '[{"inputs":{"dataset":"aa"},"kind":"nca","result":"bb","run":"r1",'
    text += '"signatures":["d1","d2"],"study":"PK-1"}]'
    assert evidence_sha256(evidence) == hashlib.sha256(text.encode("utf-8")).hexdigest()
    signatures.append(SimpleNamespace(signature_sha256="d0"))
    assert evidence_sha256(evidence) != hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_a_small_caa_figure_prints_its_whole_title() -> None:
    """The demo CAA report's figure of free thiol (three comparisons, each descriptive): its verdicts (86
    characters at 6.5 pt, 310 pt) ran past both edges of the 3.6 in (259 pt) figure, "ref-eu vs ref-us:
    descri" printed; wrapped, the title's box lies within the figure."""
    plot = CAAPlot(
        "free_thiol",
        "mol/mol",
        ("test", "ref-eu", "ref-us"),
        {"test": [0.06, 0.07], "ref-eu": [0.065, 0.062], "ref-us": [0.055, 0.058]},
        (),
        "test vs ref-eu: descriptive; test vs ref-us: descriptive; ref-eu vs ref-us: descriptive",
        "Free thiol",
    )
    with static._style():
        figure = static._caa_figure(plot, small=True)
        canvas = FigureCanvasAgg(figure)
        canvas.draw()  # type: ignore[no-untyped-call]
        box = figure.axes[0].title.get_window_extent(canvas.get_renderer())  # type: ignore[no-untyped-call]
    assert box.x0 >= 0 and box.x1 <= figure.bbox.width, (box.x0, box.x1, figure.bbox.width)
    assert figure.axes[0].get_title().endswith("ref-eu vs ref-us: descriptive")


def test_a_caa_figure_title_keeps_each_source_name_on_one_line() -> None:
    """Wrapped at 60 characters with Python's default (a line may end after a hyphen), the verdicts of three
    equivalence comparisons printed "... test vs ref-us: equivalent; ref-" and "eu vs ref-us: equivalent"
    under the small figure: the reference named "ref-eu" appeared as two words. The figure's text, as the
    report's SVG prints it, now breaks at spaces only."""
    verdicts = "test vs ref-eu: equivalent; test vs ref-us: equivalent; ref-eu vs ref-us: equivalent"
    values = {"test": [0.06, 0.07], "ref-eu": [0.065, 0.062], "ref-us": [0.055, 0.058]}
    plot = CAAPlot("free_thiol", "mol/mol", ("test", "ref-eu", "ref-us"), values, (), verdicts, "Free thiol")
    with static.text_as_text():
        svg = static.caa_svg(plot, small=True)
    lines = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    assert "test vs ref-eu: equivalent; test vs ref-us: equivalent;" in lines, lines
    assert "ref-eu vs ref-us: equivalent" in lines, lines
    assert not [line for line in lines if line.endswith("-") or line.startswith(("eu ", "us "))], lines


def test_a_caa_figure_prints_the_lot_values_not_an_offset() -> None:
    """The demo CAA report's intact mass (148,052-148,059 Da) printed ticks 2 ... 9 and "+1.4805e5" above the
    axis; the ticks now carry the values themselves."""
    values = {"test": [148052.3, 148055.0], "ref-eu": [148054.1, 148058.9], "ref-us": [148056.0, 148053.2]}
    plot = CAAPlot("intact_mass", "Da", ("test", "ref-eu", "ref-us"), values, (), "", "Intact mass")
    with static._style():
        figure = static._caa_figure(plot, small=True)
        FigureCanvasAgg(figure).draw()  # type: ignore[no-untyped-call]
    axis = figure.axes[0].yaxis
    assert axis.get_offset_text().get_text() == ""
    shown = [t.get_text().replace("\u2212", "-") for t in axis.get_ticklabels()]
    assert shown and all(float(text) > 148000 for text in shown if text), shown


# --- where the portrait pages end (bioparity.report.pagination.landscape_from) ------------------------

#: A trial layout's page height in CSS px (A4: 297 mm at 96 px per inch); its middle is 561 px.
A4_PX = 1122.5


def _blocks(*tags: str) -> list[ET.Element]:
    return [ET.Element(tag.split(".")[0], {"class": tag.split(".")[1]} if "." in tag else {}) for tag in tags]


def test_a_paragraph_running_onto_a_short_last_page_goes_to_the_landscape_page() -> None:
    """The demo's CAA report: its last note starts near the foot of page 1 and ends on page 2 (two lines);
    printed on the landscape page, the portrait pages end with page 1, filled to 89%."""
    blocks = _blocks("h1", "h2", "table", "p.note", "p.note")
    starts = [Placed(0, 60, True), Placed(0, 200, False), Placed(0, 230, False)]
    starts += [Placed(0, 900, False), Placed(0, 996, False)]
    assert landscape_from(blocks, starts, Placed(1, 100, False), A4_PX) == 4


def test_blocks_starting_a_short_last_page_go_and_a_heading_goes_with_what_it_heads() -> None:
    blocks = _blocks("h1", "table", "h2", "table", "p.note", "p.note")
    starts = [Placed(0, 60, True), Placed(0, 100, False), Placed(0, 1000, False)]
    starts += [Placed(1, 60, True), Placed(1, 200, False), Placed(1, 260, False)]
    end = Placed(1, 300, False)
    # the notes start above the middle of page 2, the table at its top but after its heading: the heading
    # (below the middle of page 1) and all that follows it go
    assert landscape_from(blocks, starts, end, A4_PX) == 2
    # a table at the top of page 2 after a table (not a heading): from it on
    blocks[2] = ET.Element("table")
    assert landscape_from(blocks, starts, end, A4_PX) == 3


def test_nothing_moves_from_a_half_filled_or_a_first_page_or_further_back_than_a_page() -> None:
    blocks = _blocks("h1", "table", "p", "p")
    starts = [Placed(0, 60, True), Placed(0, 100, False), Placed(1, 60, True), Placed(1, 300, False)]
    assert landscape_from(blocks, starts, Placed(1, 600, False), A4_PX) is None  # below the middle
    one_page = [Placed(0, 60, True), Placed(0, 100, False), Placed(0, 200, False), Placed(0, 300, False)]
    assert landscape_from(blocks, one_page, Placed(0, 350, False), A4_PX) is None  # the report's first page
    # the table runs from page 1 over pages 2 and 3 onto page 4: no block to end the portrait pages at
    # within the last two pages, nothing is moved (three pages of portrait table on landscape pages)
    long = [Placed(0, 60, True), Placed(0, 100, False), Placed(3, 200, False), Placed(3, 300, False)]
    assert landscape_from(blocks, long, Placed(3, 350, False), A4_PX) is None


def test_where_blocks_start_is_read_from_the_anchors_of_the_trial_layout() -> None:
    """WeasyPrint gives each id's box on each page it is on (x, y, x2, y2 in CSS px): a block starts on
    the first; block 1 runs onto page 2, so block 2 is not the first thing there; block 3 made no box."""
    pages = [
        SimpleNamespace(
            anchors={"bioparity-block-0": (53, 60, 700, 90), "bioparity-block-1": (53, 95, 0, 0)}
        ),
        SimpleNamespace(
            anchors={
                "bioparity-block-1": (53, 60, 0, 0),
                "bioparity-block-2": (53, 300, 0, 0),
                "bioparity-block-4": (53, 400, 0, 0),
                "bioparity-end": (53, 450, 0, 0),
                "report-language": (300, 70, 0, 0),
            }
        ),
    ]
    starts, end = placements(pages, 5)
    assert starts == [
        Placed(0, 60, True),
        Placed(0, 95, False),
        Placed(1, 300, False),
        Placed(1, 400, False),  # no box: where block 4 starts
        Placed(1, 400, False),
    ]
    assert end == Placed(1, 450, False)
