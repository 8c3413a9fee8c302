"""What keeps a report PDF quick to make without changing what it shows (the demo's CAA report took 108 s
at load 8, 33 s of CPU in WeasyPrint: two thirds of it on long table cells and on the figures' glyphs):

* a long table cell wraps between its words (``overflow-wrap: break-word``); only a word longer than a
  short cell (a digest, an identifier) may break anywhere: ``anywhere`` on every long cell made WeasyPrint
  lay each out once per character, for the width its column could shrink to;
* the figures of a PDF keep their text as SVG text, which WeasyPrint sets in the embedded fonts, those of
  the HTML report as paths; the web's "Report (PDF)" download asks for the PDF's figures; Chinese figure
  text is set in Noto Sans CJK SC (WeasyPrint read the SVG's second font name as no font, and Pango took
  the Japanese face of Noto Sans CJK);
* a figure is drawn once per plot, language and text mode, and a PDF laid out once per HTML.
"""

from __future__ import annotations

import base64
import re
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from bioparity.analyses.figures import Band, CAAPlot
from bioparity.analyses.tables import Table
from bioparity.demo import DEMO_USERS
from bioparity.i18n import use_language
from bioparity.report import html_to_pdf, pdf, render_run_report, static
from bioparity.report.context import run_context
from bioparity.report.html import drawn, report_tables, svg_image
from bioparity.report.tables import SHORT_CELL, table_html
from bioparity.store import make_sessionmaker
from bioparity.workspace import accounts
from bioparity.workspace.access import Actor
from tests.web.conftest import DemoStore, FormClient

#: A glyph of matplotlib's text as paths (``<use xlink:href="#DejaVuSans-48" ...>``).
GLYPH = re.compile(r'<use xlink:href="#DejaVuSans-')
IMAGE = re.compile(r'src="data:image/svg\+xml;base64,([^"]+)"')
PLOT = CAAPlot(
    "charge_variants",
    "%",
    ("test", "ref-eu"),
    {"test": [20.5, 21.0, 22.5], "ref-eu": [20.0, 21.5, 23.0]},
    (Band("ref-eu: quality range (pass)", 19.0, 24.0),),
    "test vs ref-eu: pass",
    "Acidic charge variants",
)


def _svgs(html: str) -> list[str]:
    return [base64.b64decode(data).decode("utf-8") for data in IMAGE.findall(html)]


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} (poppler-utils) is missing: run scripts/system-deps.sh")
    return path


@pytest.fixture(scope="module")
def sam(demo_store: DemoStore) -> Actor:
    """The statistician (the session is closed before the tests run: SQLite has one writer)."""
    with make_sessionmaker(demo_store.engine)() as session:
        return Actor.of(accounts.get_user_by_name(session, "sam"))


def test_a_long_cell_breaks_anywhere_only_inside_a_long_word() -> None:
    digest = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
    rows = (
        ("quality range mean_R ± 2.5·s_R, >= 90% of test lots inside", "standardised_mean_difference"),
        ("short words only", f"input <{digest}>"),
    )
    cells = re.findall(
        r'<td class="([^"]*)">(.*?)</td>', table_html(Table("t", ("a", "b"), rows, (False,) * 2))
    )
    assert cells == [
        ("txt long", "quality range mean_R ± 2.5·s_R, &gt;= 90% of test lots inside"),
        # a long identifier breaks after a separator of its parts (never inside a part, never anywhere)
        ("txt long", "standardised_<wbr>mean_<wbr>difference"),
        ("txt", "short words only"),
        ("txt long", f'input <span class="word">&lt;{digest}&gt;</span>'),
    ]


def test_the_demo_caa_tables_break_only_long_words_anywhere(demo_store: DemoStore, sam: Actor) -> None:
    with make_sessionmaker(demo_store.engine)() as session:
        ctx = run_context(session, sam, demo_store.summary.runs["caa"])
        tables = report_tables(ctx)
    html = "".join(table_html(t) for t in (*tables.main, *tables.extra, *tables.appendix))
    cells = re.findall(r'<td class="[^"]*\blong\b[^"]*">(.*?)</td>', html)
    words = re.findall(r'<span class="word">([^<]*)</span>', html)
    pieces = [re.sub(r'<span class="word">[^<]*</span>', " ", c) for c in cells]
    rest = [w for p in pieces for w in p.split()]
    parts = [part for p in pieces for part in re.split(r"\s+|<wbr>", p) if part]
    # the reasons, settings and plans of the appendix wrap between their words, as before (now in words,
    # not codes: no word of theirs is longer than a short cell), and a long name between its parts
    # (relative_<wbr>potency_<wbr>cdc...)
    assert len(cells) > 300 and rest and max(map(len, parts)) <= SHORT_CELL
    # only a longer part may break anywhere (the demo's CAA tables now have none: the word-breaking of
    # long names is tested on table_html above)
    assert all(len(w) > SHORT_CELL for w in words)


@pytest.fixture(scope="module")
def power_reports(demo_store: DemoStore, sam: Actor) -> dict[str, str]:
    """The demo's power run report (one figure) as the HTML report and as the HTML of its PDF."""
    with make_sessionmaker(demo_store.engine)() as session:
        ctx = run_context(session, sam, demo_store.summary.runs["power"])
        return {
            "html": render_run_report(ctx, lang="en"),
            "pdf": render_run_report(ctx, lang="en", for_pdf=True),
        }


def test_pdf_figures_keep_their_text_as_text_html_ones_as_paths(power_reports: dict[str, str]) -> None:
    html, printed = (_svgs(power_reports[k]) for k in ("html", "pdf"))
    assert len(html) == len(printed) == 1
    assert GLYPH.search(html[0]) and "<text" not in html[0]
    assert not GLYPH.search(printed[0]) and "<text" in printed[0] and ">Power curves</text>" in printed[0]
    # the rest of the report is the same, its long cells wrapping between their words
    assert IMAGE.sub("", power_reports["html"]) == IMAGE.sub("", power_reports["pdf"])
    assert "table.data td.long { overflow-wrap: break-word; }" in power_reports["pdf"]
    assert "table.data td .word { overflow-wrap: anywhere; }" in power_reports["pdf"]


def test_the_web_pdf_download_draws_the_figures_for_the_pdf(
    demo_store: DemoStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bioparity.server import create_app
    from bioparity.web import pages_data

    laid_out: list[str] = []

    def lay_out(html: str) -> bytes:
        laid_out.append(html)
        return b"%PDF-1.7\n"

    monkeypatch.setattr(pages_data, "html_to_pdf", lay_out)
    user = next(u for u in DEMO_USERS if u.username == "sam")
    url = f"/ui/runs/{demo_store.summary.runs['power']}/report"
    with FormClient(create_app(engine=demo_store.engine)) as client:
        signed_in = client.post("/ui/login", data={"username": user.username, "password": user.password})
        assert signed_in.status_code == 200
        printed, shown = client.get(f"{url}.pdf"), client.get(f"{url}.html")
    assert printed.status_code == shown.status_code == 200 and printed.content == b"%PDF-1.7\n"
    assert len(laid_out) == 1 and "<text" in _svgs(laid_out[0])[0]
    assert GLYPH.search(_svgs(shown.text)[0])  # the HTML report keeps its text as paths


def test_chinese_figure_text_is_set_in_the_chinese_face(tmp_path: Path) -> None:
    plot = replace(PLOT, bands=(Band("ref-eu: 质量范围 (通过)", 19.0, 24.0),), title="test vs ref-eu: 通过")
    with use_language("zh-CN"), static.text_as_text():
        image = svg_image(static.caa_svg(plot, small=True), "批次值")
    path = tmp_path / "figure.pdf"
    path.write_bytes(pdf.write_pdf(f'<!doctype html><html lang="zh-CN"><body>{image}</body></html>'))
    fonts = subprocess.run([_tool("pdffonts"), str(path)], check=True, capture_output=True, text=True).stdout
    assert "Noto-Sans-CJK-SC" in fonts and "DejaVu-Sans" in fonts, fonts  # Latin as in English figures
    assert "Noto-Sans-CJK-JP" not in fonts, fonts
    text = subprocess.run([_tool("pdftotext"), str(path), "-"], check=True, capture_output=True, text=True)
    assert "批次值" in text.stdout and "通过" in text.stdout  # the figure's text is text in the PDF


def test_a_figure_is_drawn_once_per_plot_language_and_text_mode() -> None:
    calls: list[CAAPlot] = []

    def counted_svg(data: CAAPlot) -> str:
        calls.append(data)
        return f"<svg>{len(calls)}</svg>"

    first = drawn(counted_svg, PLOT)
    assert drawn(counted_svg, replace(PLOT)) == first and len(calls) == 1  # equal data: not drawn again
    with use_language("zh-CN"):
        drawn(counted_svg, PLOT)
    with static.text_as_text():
        drawn(counted_svg, PLOT)
    drawn(counted_svg, replace(PLOT, values={"test": [20.5], "ref-eu": [20.0]}))
    assert len(calls) == 4


def test_a_pdf_is_laid_out_once_per_html(monkeypatch: pytest.MonkeyPatch) -> None:
    laid_out: list[str] = []

    def write_pdf(html: str) -> bytes:
        laid_out.append(html)
        return html.encode()

    monkeypatch.setattr(pdf, "write_pdf", write_pdf)
    assert html_to_pdf("<p>report 1</p>") == html_to_pdf("<p>report 1</p>") == b"<p>report 1</p>"
    html_to_pdf("<p>report 2</p>")
    assert laid_out == ["<p>report 1</p>", "<p>report 2</p>"]


def test_pdf_figures_draw_circle_markers_as_circles_html_ones_as_paths() -> None:
    with static.text_as_text():
        printed = static.caa_svg(PLOT, small=True)
    shown = static.caa_svg(PLOT, small=True)
    circles = re.findall(r'<circle id="(m[0-9a-f]+)" r="([^"]+)" style="stroke: (#[0-9a-f]{6})"/>', printed)
    # one circle per source, the size of matplotlib's marker (s=16 square points: 4 pt across)
    assert [(r, colour) for _, r, colour in circles] == [("2", static.COLOURS[0]), ("2", static.COLOURS[1])]
    assert "<circle" not in shown and all(f'<path id="{oid}" d="M 0 2 ' in shown for oid, _, _ in circles)
    # each lot value at the same place in both
    place = re.compile(r'<use xlink:href="#(m[0-9a-f]+)" x="([^"]+)" y="([^"]+)"')
    marked = [use for use in place.findall(printed) if use[0] in {oid for oid, _, _ in circles}]
    assert len(marked) == sum(len(v) for v in PLOT.values.values()) == 6
    assert marked == [use for use in place.findall(shown) if use[0] in {oid for oid, _, _ in circles}]


def test_only_matplotlib_circles_become_circles() -> None:
    from matplotlib.path import Path as MplPath

    vertices = np.asarray(MplPath.unit_circle().vertices, dtype=float)[:25] * [3.5, -3.5]
    numbers = [f"{v:g}" for v in vertices.ravel()]
    arcs = " ".join("C " + " ".join(numbers[2 + 6 * i : 8 + 6 * i]) for i in range(8))
    circle = f"M 0 3.5 {arcs} z"
    assert static._circle_radius(circle) == "3.5"
    assert static._circle_radius(circle.replace("C 0.92", "C 0.95", 1)) is None  # not a circle
    assert static._circle_radius("M 0 3.5 L 3.5 0 L 0 -3.5 L -3.5 0 z") is None  # a diamond
    assert static._circle_radius("M 0 0 \nL 0 3.5 \n") is None  # a tick mark


def test_no_full_collection_while_weasyprint_lays_out(monkeypatch: pytest.MonkeyPatch) -> None:
    import gc

    before = gc.get_threshold()
    seen: list[tuple[int, int, int]] = []

    class Laid:
        def write_pdf(self) -> bytes:
            seen.append(gc.get_threshold())
            return b"%PDF-1.7\n"

    def lay_out(self: object, **options: object) -> Laid:
        seen.append(gc.get_threshold())
        return Laid()

    import weasyprint  # type: ignore[import-untyped]

    monkeypatch.setattr(weasyprint.HTML, "render", lay_out)
    with pdf.no_full_collections():  # another rendering at the same time
        assert pdf.write_pdf("<p>report</p>") == b"%PDF-1.7\n"
        assert gc.get_threshold() == (*before[:2], pdf.FULL_COLLECTION_DEFERRED)
    assert seen == [(*before[:2], pdf.FULL_COLLECTION_DEFERRED)] * 2  # laid out, then drawn
    assert gc.get_threshold() == before  # restored after the last
