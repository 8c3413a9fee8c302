"""Every demo report rendered to PDF: the text (pdftotext) holds every column header and every value of
the run's result table; every report's HTML fits a 1,280 px window; the readiness section prints every
requirement with its status, reason, evidence IDs and guideline source."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bioparity.analyses.figures import CAAPlot, ProfilePlot
from bioparity.i18n import use_language
from bioparity.pathways import section_text
from bioparity.report import render_program_report, render_run_report
from bioparity.report.context import RunContext, run_context
from bioparity.report.evidence import collect, readiness
from bioparity.report.pdf import html_to_pdf
from bioparity.report.tables import run_tables
from bioparity.store import make_sessionmaker
from bioparity.store.models import Program
from bioparity.workspace import accounts
from bioparity.workspace.access import Actor
from tests.web.conftest import ARTIFACTS, DemoStore

KINDS = ("power", "nca", "pk-similarity", "caa")


def _squash(text: str) -> str:
    """Whitespace removed: a value wrapped inside a table cell is still found."""
    return re.sub(r"\s+", "", text)


def _pdf_text(pdf: bytes, tmp_path: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is missing: run scripts/system-deps.sh")
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(
        ["pdftotext", "-raw", "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True
    )
    return out.stdout.decode("utf-8")


@pytest.fixture(scope="module")
def contexts(demo_store: DemoStore) -> Iterator[dict[str, tuple[RunContext, str]]]:
    """The reports, rendered once; the session is closed before the tests run (SQLite: one writer)."""
    with make_sessionmaker(demo_store.engine)() as session:
        user = accounts.get_user_by_name(session, "sam")
        actor = Actor(user.id, user.username, user.display_name)
        out = {}
        for kind in KINDS:
            ctx = run_context(session, actor, demo_store.summary.runs[kind])
            out[kind] = (ctx, render_run_report(ctx))
        program = session.scalar(select(Program).where(Program.id == demo_store.summary.program_id))
        assert program is not None
        evidence = collect(session, program)
        out["program"] = (ctx, render_program_report(session, evidence))
        assessment, _ = readiness(evidence)
        out["assessment"] = (ctx, assessment)  # type: ignore[assignment]
    yield out


@pytest.mark.parametrize("kind", KINDS)
def test_pdf_holds_every_column_and_every_printed_value(
    contexts: dict[str, tuple[RunContext, str]], kind: str, tmp_path: Path
) -> None:
    """Every header and cell of the report's tables, main and appendix, is in the PDF as the tables print
    it; the appendix heads every stored column, by its name or by its label with its unit (``ci_lower``:
    ``90% CI lower bound (%)``). Before: the appendix printed the stored names and every
    value to six significant digits (``96.5846 89.1922 104.59``: one row, three precisions)."""
    ctx, _ = contexts[kind]
    assert ctx.columns and ctx.rows
    # the HTML the PDF download is made from (figures' text as text: WeasyPrint embeds the fonts)
    text = _squash(_pdf_text(html_to_pdf(render_run_report(ctx, for_pdf=True)), tmp_path))
    tables = run_tables(ctx.run.kind, ctx.columns, ctx.rows, ctx.options)
    printed = [*tables.main, *tables.appendix]
    assert not [h for t in printed for h in t.columns if _squash(h) not in text]
    expected = {v for t in printed for row in t.rows for v in row} - {""}
    missing = sorted(v for v in expected if _squash(v) not in text)
    assert not missing, f"{len(missing)} of {len(expected)} values not in the PDF, e.g. {missing[:10]}"
    if kind == "nca":  # its appendix is laid out per parameter (PPTESTCD as columns), stored names kept
        assert not [c for c in ctx.columns if _squash(c) not in text]
    else:  # every stored column headed once in the appendix, by its name or its label
        assert len({h for t in tables.appendix for h in t.columns}) == len(ctx.columns)


def test_the_pk_similarity_appendix_prints_labels_and_one_precision_per_column(
    contexts: dict[str, tuple[RunContext, str]], tmp_path: Path
) -> None:
    """The complete result table under the main table's labels, its ratios, CI bounds, limits and CVs to two
    decimals as the main table prints them (``96.58 (89.19, 104.59)``); before: ``gmr ci_lower ci_upper``,
    ``96.5846 89.1922 104.59``."""
    ctx, _ = contexts["pk-similarity"]
    html = render_run_report(ctx, for_pdf=True)  # the HTML the PDF download is made from
    text = _pdf_text(html_to_pdf(html), tmp_path)
    appendix = text[text.index("Appendix: the complete result table") :]
    for name in ("gmr", "ci_lower", "ci_upper", "cv_test", "test_arm", "lower_limit", "alpha"):
        assert not re.search(rf"\b{name}\b", appendix), name
    # a header wraps at its spaces in the narrow column it is counted for (tables.header_chars): its words
    # are printed, the label whole in the page's table head
    printed = html[html.index("Appendix: the complete result table") :]
    # the per-arm CVs are the geometric CVs of the log values (headed so since the assessor's review)
    for label in (
        "GMR (%)",
        "90% CI lower bound (%)",
        "90% CI upper bound (%)",
        "geometric CV% test",
        "test arm",
    ):
        assert f">{label}</th>" in printed, label
        assert all(word in appendix for word in label.split()), label
    assert "ratios, CI bounds, limits and CVs in percent to two decimals" in appendix
    tables = run_tables(ctx.run.kind, ctx.columns, ctx.rows, ctx.options)
    two: tuple[str, ...] = (
        "GMR (%)",
        "90% CI lower bound (%)",
        "90% CI upper bound (%)",
        "geometric CV% test",
        "geometric CV% reference",
    )
    two += ("lower acceptance limit (%)", "upper acceptance limit (%)")
    seen = set()
    for t in tables.appendix:
        for i, header in enumerate(t.columns):
            if header in two:
                seen.add(header)
                assert all(re.fullmatch(r"-?\d+\.\d\d", r[i]) for r in t.rows), (header, t.rows)
    assert seen == set(two)
    row = next(r for r in ctx.records if (r["metric"], r["reference_arm"]) == ("AUCIFO", "eu-ref"))
    stored = (row["gmr"], row["ci_lower"], row["ci_upper"])
    assert stored == pytest.approx((96.5846, 89.1922, 104.590), abs=5e-4)  # the numbers are as computed
    assert re.search(r"AUCIFO test eu-ref 67 67 96\.58 89\.19 104\.59", appendix)


def _appendix_cells(tables: Any) -> dict[tuple[str, str], dict[str, str]]:
    """The appendix's cells by their row's two keys and their column's header (panels joined)."""
    cells: dict[tuple[str, str], dict[str, str]] = {}
    for t in tables.appendix:
        for r in t.rows:
            cells.setdefault((r[0], r[1]), {}).update(zip(t.columns, r, strict=True))
    return cells


def test_the_caa_appendix_heads_columns_in_words_with_the_unit_and_the_main_tables_decimals(
    contexts: dict[str, tuple[RunContext, str]],
) -> None:
    """CAA's own headers (``n_test`` is a count of test lots here, ``ci_lower`` a difference in the
    attribute's unit), the unit in every panel, the limits and means to the decimals of the main table
    (``[86.5, 110.9]``); before: ``mean_test``, ``lower_limit``, ``86.4956``, ``oc_equal``."""
    ctx, html = contexts["caa"]
    appendix = html[html.index("Appendix: the complete result table") :]
    for name in (
        "mean_test",
        "lower_limit",
        "ci_lower",
        "n_test",
        "sd_ratio",
        "oc_equal",
        "fraction_inside",
        "oc_spread_false_failure",
    ):
        assert not re.search(rf"<th[^>]*>\s*{name}\s*</th>", appendix), name
    labels: tuple[str, ...] = (
        "mean test (in unit)",
        "lower limit (in unit)",
        "CI lower bound (in unit)",
        "test lots",
    )
    labels += ("SD ratio s_T/s_R", "P(pass) equal", "fraction of test lots inside")
    for label in labels:
        assert f">{label}</th>" in appendix, label
    assert "in the attribute&#39;s unit (column unit) to the decimals of the main table" in appendix
    tables = run_tables(ctx.run.kind, ctx.columns, ctx.rows, ctx.options)
    assert all(t.columns[:3] == ("attribute", "comparison", "unit") for t in tables.appendix)
    # every stored column headed once
    assert len({h for t in tables.appendix for h in t.columns}) == len(ctx.columns) == 52
    cells = _appendix_cells(tables)
    attributes = list(dict.fromkeys(r["attribute"] for r in ctx.records))
    (main,) = tables.main
    comparisons = list(main.columns[3:])
    checked = 0
    for r in ctx.records:
        shown = cells[(r["attribute"], r["comparison"])]
        assert shown["unit"] == (r["unit"] or "")
        key = main.rows[attributes.index(r["attribute"])][3 + comparisons.index(r["comparison"])]
        key = key.replace("\xa0", " ")  # an interval's bounds and unit are joined by no-break spaces
        if r["method"] == "quality-range":  # the main table's "[86.5, 110.9]", digit for digit
            low, high = shown["lower limit (in unit)"], shown["upper limit (in unit)"]
            assert f"[{low}, {high}]" in key, (key, low, high)
            if low[-1].isdigit():  # a one-sided range prints its open end as −∞ or ∞
                assert float(low) == pytest.approx(
                    r["lower_limit"], abs=0.51 * 10 ** -len(low.partition(".")[2])
                )
            checked += 1
        if r["method"] == "equivalence":  # "CI (lower, upper)"
            assert f"CI ({shown['CI lower bound (in unit)']}, {shown['CI upper bound (in unit)']})" in key
            checked += 1
        decimals = len(shown["mean reference (in unit)"].partition(".")[2])
        assert len(shown["mean test (in unit)"].partition(".")[2]) == decimals  # one attribute, one precision
        assert re.fullmatch(r"\d\.\d{1,3}|\d", shown["SD ratio s_T/s_R"]) or shown["SD ratio s_T/s_R"] == "—"
    assert checked > 20
    row = next(r for r in ctx.records if r["comparison"] == "test vs ref-eu")
    assert row["lower_limit"] == pytest.approx(86.49560783, abs=1e-6)  # the stored numbers as computed
    with use_language("zh-CN"):
        heads = {
            h
            for t in run_tables(ctx.run.kind, ctx.columns, ctx.rows, ctx.options).appendix
            for h in t.columns
        }
    assert {"受试批次", "参照批次", "受试均值（以单位列计）", "SD 比 s_T/s_R", "单位"} <= heads, heads


def test_pk_similarity_report_prints_gmr_with_ci(contexts: dict[str, tuple[RunContext, str]]) -> None:
    ctx, html = contexts["pk-similarity"]
    row = next(r for r in ctx.records if (r["metric"], r["reference_arm"]) == ("AUCIFO", "eu-ref"))
    # the demo's test vs EU-ref AUCIFO comparison, Welch per comparison (the default): GMR 96.58%, 90% CI
    # 89.19-104.59% (the Welch numbers themselves are checked against R in tests/cli/test_cli_values.py)
    assert f"{row['gmr']:.2f} ({row['ci_lower']:.2f}, {row['ci_upper']:.2f})" == "96.58 (89.19, 104.59)"
    assert "96.58 (89.19, 104.59)" in html and "within limits" in html


def test_the_pk_similarity_outcome_is_printed_on_one_line(
    contexts: dict[str, tuple[RunContext, str]], tmp_path: Path
) -> None:
    """The comparison table's outcome column is as wide as its verdict: each of the nine rows reads
    "... 27.25/29.45 within limits"; before, the narrow column printed "within" above "limits"."""
    ctx, _ = contexts["pk-similarity"]
    text = _pdf_text(html_to_pdf(render_run_report(ctx, for_pdf=True)), tmp_path)
    rows = re.findall(r"^\S+ \S+ vs \S+ \d+/\d+ .* within limits$", text, flags=re.MULTILINE)
    assert len(rows) == 9, text[text.index("Results") :][:2000]
    assert not re.search(r"within\nlimits", text)


def test_nca_report_has_summary_statistics_and_tables_per_parameter_group(
    contexts: dict[str, tuple[RunContext, str]],
) -> None:
    ctx, html = contexts["nca"]
    # units as on the CLI (the demo runs NCA with conc_unit ug/mL, time h, dose mg)
    assert {"PPORRESU", "PPSTRESU"} <= set(ctx.columns)
    assert "CMAX (ug/mL)" in html and "AUCLST (h*ug/mL)" in html and "CLFO (L/h)" in html
    (profiles,) = ctx.plots(ProfilePlot)
    assert profiles.conc_label == "concentration (ug/mL)"
    for header in ("geometric CV%", "CV%", "SD", "median", "n missing", "subjects flagged"):
        assert f">{header}</th>" in html
    assert html.count("PPSTRESN per subject (PPTESTCD as columns)") >= 3
    for group in ("Exposure", "Area under the curve", "Terminal phase (lambda_z)"):
        assert f"{group};" in html or f"{group}:" in html


def test_caa_report_has_a_plot_per_attribute_with_human_names(
    contexts: dict[str, tuple[RunContext, str]],
) -> None:
    ctx, html = contexts["caa"]
    attributes = {str(r["attribute"]) for r in ctx.records}
    assert len(ctx.plots(CAAPlot)) == len(attributes)
    assert "Relative potency (CDC) — complement-dependent cytotoxicity bioassay" in html  # main table
    assert 'alt="Lot values of Relative potency (CDC) by source"' in html  # its plot
    assert html.count("data:image/svg+xml;base64,") == len(attributes)


def test_program_report_explains_every_requirement(
    contexts: dict[str, tuple[RunContext, Any]], tmp_path: Path
) -> None:
    _, html = contexts["program"]
    _, assessment = contexts["assessment"]
    assert assessment is not None and assessment.regions
    text = _squash(_pdf_text(html_to_pdf(html), tmp_path))
    for region in assessment.regions:
        for r in region.requirements:
            section = section_text(r.section)  # as printed ("[section number unconfirmed]" flagged)
            # the source document once (its number; the citation may already give its date and status)
            document = (r.source or "").split(" (")[0]
            for part in (r.rule_id, r.status.replace("_", " "), r.detail, document, section, *r.evidence):
                assert _squash(str(part)) in text, (region.region, r.rule_id, part)


def test_the_program_reports_not_similar_ranges_print_the_caa_reports_decimals(
    contexts: dict[str, tuple[RunContext, str]],
) -> None:
    """The "Not similar" reasons quote each quality range to the decimals of the CAA report's main table
    (``[6.57, 9.58]``, ``[19.46, 25.40]``); before, as stored, to four significant digits (``[6.57, 9.578]``,
    ``[6.452, 9.703]``, ``[19.46, 25.4]``): one table, three precisions."""
    _, html = contexts["program"]
    caa = contexts["caa"][1].replace("\xa0", " ").replace("&nbsp;", " ")  # the bounds' no-break spaces
    failed = html[html.index("Not similar:") :]
    failed = failed[: failed.index("</table>")]
    ranges = re.findall(r"\[(-?\d+\.?\d*), (-?\d+\.?\d*)\]", failed)
    assert ("6.57", "9.58") in ranges and ("19.46", "25.40") in ranges, ranges
    assert not [r for r in ranges if len({len(v.partition(".")[2]) for v in r}) > 1], ranges
    for low, high in ranges:  # as the CAA report's main table prints them
        assert f"[{low}, {high}]" in caa, (low, high)


def test_no_report_is_wider_than_1280_px(contexts: dict[str, tuple[RunContext, str]], browser: Any) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    widths = {}
    for name, (_, html) in contexts.items():
        if name == "assessment":
            continue
        page.set_content(html)
        widths[name] = page.evaluate("document.documentElement.scrollWidth")
        page.screenshot(path=str(ARTIFACTS / f"report-{name}-1280.png"))
    page.close()
    assert all(w <= 1280 for w in widths.values()), widths
