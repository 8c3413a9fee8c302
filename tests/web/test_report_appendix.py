"""The appendix of a run report (the complete stored result) under each kind's own headers, with units
and the precision of the kind's main tables; every stored column still printed, the stored numbers as
computed. Found by a regulator-reader review: the appendices printed the stored names (``mean_test``,
``bound_s2``) and every number to six significant digits."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from bioparity.analyses import all_analyses
from bioparity.analyses.frames import section
from bioparity.analyses.registry import effective_options
from bioparity.analyses.tables import ReportTables
from bioparity.i18n import use_language
from bioparity.i18n.printing import time_unit_words
from bioparity.report.tables import run_tables, table_html
from bioparity.stability import TIME_UNITS


def _example(kind: str, folder: Path) -> tuple[Mapping[str, Any], dict[str, Any]]:
    """The kind's example result (as stored) and its effective options."""
    analysis = all_analyses()[kind]
    assert analysis.example is not None
    options = effective_options(analysis, dict(analysis.example.options))
    return analysis.compute(analysis.read(analysis.example.write(folder)), options), options


def _stored(kind: str, folder: Path) -> tuple[list[str], list[list[Any]], dict[str, Any]]:
    """The columns and rows of the kind's example result as stored, and its effective options."""
    result, options = _example(kind, folder)
    return list(result["columns"]), [list(r) for r in result["rows"]], options


def _cells(tables: ReportTables, title: str) -> dict[str, list[str]]:
    """The appendix's columns whose title starts with ``title``, by header (panels joined)."""
    out: dict[str, list[str]] = {}
    for t in tables.appendix:
        if t.title.startswith(title):
            for i, header in enumerate(t.columns):
                out[header] = [r[i] for r in t.rows]
    return out


def _assert_headed(tables: ReportTables, names: tuple[str, ...], labels: tuple[str, ...]) -> None:
    """The appendix, rendered to HTML, heads no column by a stored ``names`` and each of ``labels``."""
    html = "".join(str(table_html(t)) for t in tables.appendix)
    for name in names:
        assert not re.search(rf"<th[^>]*>\s*{name}\s*</th>", html), name
    for label in labels:
        assert f">{label}</th>" in html, label


def _zh_heads(
    kind: str, columns: Sequence[str], rows: Sequence[Sequence[Any]], options: Mapping[str, Any]
) -> set[str]:
    """The headers of the kind's appendix on a zh-CN reader's report (every panel)."""
    with use_language("zh-CN"):
        return {h for t in run_tables(kind, columns, rows, options).appendix for h in t.columns}


@pytest.fixture(scope="module")
def stability(tmp_path_factory: pytest.TempPathFactory) -> tuple[Mapping[str, Any], dict[str, Any]]:
    return _example("stability", tmp_path_factory.mktemp("stability"))


def test_the_stability_appendix_heads_columns_in_words_with_the_time_unit(
    stability: tuple[Mapping[str, Any], dict[str, Any]],
) -> None:
    """Shelf life, slopes and times in the result's time unit, shelf life, F, slopes and their difference
    to 4 and p to 3 significant digits as the main tables print them (``25.17``, ``F 1.528 (2,24), p
    0.237``, ``-0.02272 (-0.07031, 0.02487)``); before: ``shelf_life``, ``25.1744``, ``bound_s2``."""
    result, options = stability
    columns, rows = result["columns"], result["rows"]
    tables = run_tables("stability", columns, rows, options)
    _assert_headed(
        tables,
        ("shelf_life", "f_slope", "p_slope", "mean_slope_test", "ci_lower", "bound_s2", "n_lots"),
        (
            "shelf life (months)",
            "slope (per months)",
            "CI lower bound (per months)",
            "p equal slopes",
        ),
    )
    assert (
        tables.appendix_note == ", times in months, statistics to the significant digits of the main tables"
    )
    # every stored column of each section headed once (by its label or, if unlabelled, its name)
    frame = pd.DataFrame(rows, columns=columns)
    for name, title in (
        ("shelf life", "Complete result: shelf life"),
        ("slope difference", "Complete result: slope"),
        ("lot regression", "Complete result: lot regression"),
    ):
        assert len(_cells(tables, title)) == len(section(frame, name).columns), title
    lives = _cells(tables, "Complete result: shelf life")
    shelf = [r[9] for r in tables.main[0].rows]  # the main table's shelf life column, its rows in order
    assert lives["shelf life (months)"] == shelf  # digit for digit as the main table
    lives_stored = section(frame, "shelf life")["shelf_life"].tolist()
    assert lives_stored[0] == pytest.approx(25.174371, abs=1e-6)  # the stored number as computed
    assert lives["shelf life (months)"][0] == "25.17"
    tests = [r[5] for r in tables.main[0].rows]
    assert [
        f"F {f} ({d}), p {p}"
        for f, d, p in zip(
            lives["F equal slopes"], lives["df equal slopes"], lives["p equal slopes"], strict=True
        )
    ] == tests
    slopes = _cells(tables, "Complete result: slope")
    (difference,) = [r[4] for r in tables.main[1].rows]
    d, lo, hi = (
        slopes["slope difference (per months)"][0],
        slopes["CI lower bound (per months)"][0],
        slopes["CI upper bound (per months)"][0],
    )
    assert difference == f"{d} ({lo}, {hi})" == "-0.02272 (-0.07031, 0.02487)"
    heads = _zh_heads("stability", columns, rows, options)
    assert {"斜率（每月）", "截距相等检验 p", "置信限的残差方差 s²"} <= heads, heads


#: Each time unit of a stability study (``bioparity.stability.TIME_UNITS``) -> its Chinese word.
ZH_TIME_UNITS = {"hours": "小时", "days": "天", "weeks": "周", "months": "月", "years": "年"}


@pytest.mark.parametrize("unit", TIME_UNITS)
def test_a_chinese_stability_report_names_the_time_unit_in_chinese(
    stability: tuple[Mapping[str, Any], dict[str, Any]], unit: str
) -> None:
    """Every header and note that embeds the time unit says it in Chinese (``斜率（每月）``, ``有效期（天）``,
    ``时间以周计``) in the main tables and the appendix, whatever the unit; before: ``斜率（每 months）``. An
    English report keeps the stored word."""
    result, options = stability
    columns = list(result["columns"])
    where = columns.index("time_unit")
    rows = [[unit if i == where and value else value for i, value in enumerate(r)] for r in result["rows"]]
    english = run_tables("stability", columns, rows, options)
    assert f"slope (per {unit})" in {h for t in english.appendix for h in t.columns}
    with use_language("zh-CN"):
        tables = run_tables("stability", columns, rows, options)
    word = ZH_TIME_UNITS[unit]
    heads = [h for t in (*tables.main, *tables.appendix) for h in t.columns]
    assert {
        f"斜率（每{word}）",
        f"有效期（{word}）",
        f"批次有效期（{word}）",
        f"时间的平方和 Sxx（{word}²）",
    } <= set(heads), heads
    assert tables.appendix_note.startswith(f"，时间以{word}计")
    english_words = re.compile(r"\b(?:hours?|days?|weeks?|months?|years?)\b")
    assert [h for h in heads if english_words.search(h)] == []
    assert not english_words.search(tables.appendix_note)


@pytest.mark.parametrize("unit", TIME_UNITS)
def test_the_chinese_stability_appendix_prints_the_time_unit_cells_in_chinese(
    stability: tuple[Mapping[str, Any], dict[str, Any]], unit: str
) -> None:
    """zh-more finding 4: the appendix's ``time_unit`` column printed the stored word ("months") under its
    Chinese header 时间单位; now its word (月). The English report and the stored rows keep the code."""
    result, options = stability
    columns = list(result["columns"])
    where = columns.index("time_unit")
    rows = [[unit if i == where and value else value for i, value in enumerate(r)] for r in result["rows"]]

    def cells(tables: ReportTables, head: str) -> set[str]:
        return {r[t.columns.index(head)] for t in tables.appendix if head in t.columns for r in t.rows}

    with use_language("zh-CN"):
        chinese = run_tables("stability", columns, rows, options)
    assert cells(chinese, "时间单位") == {ZH_TIME_UNITS[unit]}
    assert cells(run_tables("stability", columns, rows, options), "time unit") == {unit}
    assert {r[where] for r in rows if r[where]} == {unit}  # the stored rows unchanged


def test_every_stability_time_unit_has_a_chinese_word() -> None:
    assert set(ZH_TIME_UNITS) == set(TIME_UNITS)
    with use_language("zh-CN"):
        assert {u: time_unit_words(u) for u in TIME_UNITS} == ZH_TIME_UNITS
        assert time_unit_words("month") == "月" and time_unit_words("h") == "h"  # a symbol as written


def test_the_potency_appendix_heads_columns_in_words_and_prints_the_main_tables_digits(
    tmp_path: Path,
) -> None:
    """The potency and its CI, the USP <1032> measures and theirs to 4 significant digits as the main
    tables print them (``1.581 (1.483, 1.686)``, ``0.9566 (0.8076, 1.131)``), each column in words
    (``slope ratio: CI lower bound``, ``model parameter e_test``); before: ``relative_potency``,
    ``equiv_slope_ratio_ci_lower``, ``1.58137``."""
    result, options = _example("potency", tmp_path)
    columns, rows = list(result["columns"]), [list(r) for r in result["rows"]]
    tables = run_tables("potency", columns, rows, options)
    _assert_headed(
        tables,
        (
            "relative_potency",
            "ci_lower",
            "equiv_slope_ratio_ci_lower",
            "param_e_test",
            "ph_eur_p_non_parallelism",
        ),
        (
            "relative potency",
            "slope ratio: CI lower bound",
            "model parameter e_test",
            "p non-parallelism",
        ),
    )
    assert "to 4 significant digits as in the main tables" in tables.appendix_note
    shown = _cells(tables, "Complete potency result")
    frame = pd.DataFrame(rows, columns=columns)
    assert len(shown) == sum(frame[c].notna().any() for c in columns)  # every stored column, headed once
    potency = tables.main[0].rows[0][3]
    bounds = ("CI lower bound of the potency", "CI upper bound of the potency")
    assert potency == f"{shown['relative potency'][0]} ({shown[bounds[0]][0]}, {shown[bounds[1]][0]})"
    assert frame["relative_potency"][0] == pytest.approx(1.58137, abs=5e-6)  # the stored number as computed
    similarity = {
        h: r[0] for t in tables.main[1:] for h, r in zip(t.columns, zip(*t.rows, strict=True), strict=True)
    }
    ratio = similarity["slope ratio (CI); margins"]
    low, high = shown["slope ratio: CI lower bound"][0], shown["slope ratio: CI upper bound"][0]
    assert ratio.startswith(f"{shown['slope ratio'][0]} ({low}, {high})")
    # the rows combining a sample's assays (Ph. Eur. 5.3 section 6) headed too, their estimates to 4 digits
    combined = {
        "assay": "combined",
        "sample": "test",
        "relative_potency": 1.5795123,
        "ci_lower": 1.5,
        "ci_upper": 1.66,
    }
    combined |= {
        "n_assays": 3,
        "homogeneity_chi_square": 0.2513301,
        "weighted_potency": 1.5795123,
        "weighted_ci_lower": 1.5012345,
    }
    extra = [c for c in combined if c not in columns]
    wide = run_tables(
        "potency",
        [*columns, *extra],
        [[*r, *([None] * len(extra))] for r in rows] + [[combined.get(c) for c in [*columns, *extra]]],
        options,
    )
    both = _cells(wide, "Complete potency result")
    assert both["weighted potency"][-1] == "1.58" and both["weighted: CI lower bound"][-1] == "1.501"
    assert both["assays"][-1] == "3" and both["homogeneity chi-square"][-1] == "0.2513"
    heads = _zh_heads("potency", columns, rows, options)
    assert {"相对效价", "斜率比：置信区间下限", "模型参数 e_test"} <= heads, heads


def test_the_cutpoint_appendix_heads_columns_in_words_and_prints_the_main_tables_digits(
    tmp_path: Path,
) -> None:
    """The cut points to the main table's 5 significant digits, the variance components and distribution
    statistics to the 4 of theirs, each column in words (``cut point type``, ``SD (analysis scale)``);
    before: ``cut_point_type``, ``sd_t``, ``1.25586``."""
    columns, rows, options = _stored("ada-cutpoint", tmp_path)
    tables = run_tables("ada-cutpoint", columns, rows, options)
    _assert_headed(
        tables,
        ("cut_point", "cut_point_type", "sd_t", "n_donors", "run_means_p", "lcl_confidence"),
        ("cut point", "cut point type", "SD (analysis scale)", "donors", "p run means", "assay runs"),
    )
    assert "cut points on the data scale to 5" in tables.appendix_note
    shown = _cells(tables, "Complete cut-point result")
    assert len(shown) == len(columns)  # every stored column, headed once
    frame = pd.DataFrame(rows, columns=columns)
    # the stored number as computed: the parametric estimate (Shapiro-Wilk on 23 donor means p 0.0588, auto)
    assert frame["cut_point"][0] == pytest.approx(1.2993428, abs=5e-8)
    cut_points = {r[0]: r for r in tables.main[0].rows}
    screening = cut_points[shown["tier"][0]]
    assert shown["cut point"][0] == screening[4] == "1.2993"  # 5 significant digits
    assert [shown[h][0] for h in ("parametric", "robust", "nonparametric", "parametric LCL")] == list(
        screening[5:9]
    )
    components = {
        h: r[0] for t in tables.main[1:] for h, r in zip(t.columns, zip(*t.rows, strict=True), strict=True)
    }
    assert shown["var donor"][0] == components["var donor"] == "0.0235"
    assert (
        shown["p run var"][0] == components["p run var"] and shown["Shapiro p"][0] == components["Shapiro p"]
    )
    assert shown["SD (analysis scale)"][0] == components["SD"]
    heads = _zh_heads("ada-cutpoint", columns, rows, options)
    assert {"临界值类型", "分析批数", "SD（分析尺度）", "供体间方差"} <= heads, heads


def test_the_sensitivity_appendix_heads_columns_with_the_concentration_unit(tmp_path: Path) -> None:
    """The concentrations headed with the result's unit (``concentration at the cut point (ng/mL)``), to
    the main tables' 5 significant digits; before: ``concentration_at_cut_point``, ``4.20584``."""
    columns, rows, options = _stored("ada-sensitivity", tmp_path)
    tables = run_tables("ada-sensitivity", columns, rows, options)
    _assert_headed(
        tables,
        ("runs", "concentration_at_cut_point", "sensitivity_95", "run_cut_points", "n_runs"),
        (
            "concentration at the cut point (ng/mL)",
            "sensitivity = mean + t SD (ng/mL)",
            "SD (ng/mL)",
            "cut point of the run",
            "runs used",
        ),
    )
    assert (
        tables.appendix_note
        == ", concentrations and cut points to 5 significant digits as in the main tables"
    )
    shown = _cells(tables, "Complete sensitivity result")
    assert len(shown) == len(columns)  # every stored column, headed once
    frame = pd.DataFrame(rows, columns=columns)
    assert frame["concentration_at_cut_point"][0] == pytest.approx(4.2058357, abs=5e-8)  # as computed
    per_run = tables.main[0]
    assert [r[1] for r in per_run.rows] == shown["concentration at the cut point (ng/mL)"]
    assert shown["concentration at the cut point (ng/mL)"][0] == "4.2058"
    summary = dict(zip(tables.main[1].columns, tables.main[1].rows[0], strict=True))
    for header in ("mean (ng/mL)", "SD (ng/mL)", "sensitivity = mean + t SD (ng/mL)", "t(0.95, n - 1)"):
        assert shown[header][0] == summary[header], header
    heads = _zh_heads("ada-sensitivity", columns, rows, options)
    assert {"分析批", "临界值处浓度（ng/mL）", "采用分析批数", "插值方法"} <= heads, heads


def test_the_drug_tolerance_appendix_heads_the_levels_with_their_units(tmp_path: Path) -> None:
    """The ADA and drug levels headed with the result's units (``ADA level (ng/mL)``, ``highest drug level
    detected (ug/mL)``) and printed as the main table prints them (5 significant digits); before:
    ``ada_levels``, ``drug_tolerance``, ``12.3457``."""
    columns, rows, options = _stored("ada-drug-tolerance", tmp_path)
    rows[1][columns.index("drug_tolerance")] = 12.345678  # more digits than the example's levels
    tables = run_tables("ada-drug-tolerance", columns, rows, options)
    _assert_headed(
        tables,
        ("ada_levels", "drug_tolerance", "detected_at_all_levels", "ada_unit", "drug_unit"),
        ("ADA level (ng/mL)", "highest drug level detected (ug/mL)", "detected at every drug level tested"),
    )
    assert tables.appendix_note.endswith("to 5 significant digits as in the main table")
    shown = _cells(tables, "Complete drug-tolerance result")
    assert len(shown) == len(columns)  # every stored column, headed once
    main = tables.main[0]
    assert [r[0] for r in main.rows] == shown["ADA level (ng/mL)"]
    assert main.rows[1][1] == shown["highest drug level detected (ug/mL)"][1] == "12.346"
    heads = _zh_heads("ada-drug-tolerance", columns, rows, options)
    assert {"ADA 水平（ng/mL）", "可检出的最高药物水平（ug/mL）", "药物单位"} <= heads, heads


def test_the_isr_appendix_heads_columns_in_words_and_prints_the_difference_as_the_main_table(
    tmp_path: Path,
) -> None:
    """The % difference to the main table's one decimal (``-9.8``), the concentrations to its 5 significant
    digits, the limit in the header (``within ±30%``); before: ``percent_difference``, ``-9.8402``."""
    columns, rows, options = _stored("isr", tmp_path)
    tables = run_tables("isr", columns, rows, options)
    _assert_headed(
        tables,
        ("samples", "percent_difference", "within_limit", "limit_percent", "n_within", "share_within"),
        ("sample", "% difference", "within ±30%", "repeats within the limit", "share within the limit"),
    )
    assert "the % difference to one decimal" in tables.appendix_note
    shown = _cells(tables, "Complete ISR result")
    assert len(shown) == len(columns)  # every stored column, headed once
    frame = pd.DataFrame(rows, columns=columns)
    assert frame["percent_difference"][0] == pytest.approx(-9.8401952, abs=5e-8)  # the stored number
    main = tables.main[0]
    assert [r[1:4] for r in main.rows] == list(
        zip(shown["original"], shown["repeat"], shown["% difference"], strict=True)
    )
    assert shown["% difference"][0] == "-9.8"
    assert all(
        t.numeric[t.columns.index("% difference")] for t in tables.appendix if "% difference" in t.columns
    )
    heads = _zh_heads("isr", columns, rows, options)
    assert {"样品", "差异百分比", "在 ±30% 内", "在限度内的比例"} <= heads, heads


def test_the_caa_appendix_wraps_headers_at_spaces_and_keeps_its_panels_few(tmp_path: Path) -> None:
    """Readable headers ("CI lower bound (in unit)") counted at their full length split the CAA example's
    appendix into 13 panels (the demo report: 29 to 37 pages); counted as they wrap, 9, every column
    printed once beside the repeated keys."""
    result, options = _example("caa", tmp_path)
    tables = run_tables("caa", result["columns"], result["rows"], options)
    assert 1 < len(tables.appendix) <= 9
    for t in tables.appendix:
        assert all(len(r) == len(t.columns) for r in t.rows)


def test_the_caa_appendix_prints_the_fractions_inside_to_shared_decimals(tmp_path: Path) -> None:
    """The estimate of a quality-range comparison is the fraction of test lots inside: printed each on its
    own ("1", "0.933", "0.6") a column mixed one, three and one decimals; now n_inside / n_test to three
    decimals each (14 / 15 = 0.933, 9 / 15 = 0.600, by hand), the stored numbers unchanged."""
    columns, rows, options = _stored("caa", tmp_path)
    tables = run_tables("caa", columns, rows, options)
    at = {c: i for i, c in enumerate(columns)}
    fractions = [r for r in rows if r[at["statistic"]] == "fraction_inside"]
    expected = [f"{r[at['n_inside']] / r[at['n_test']]:.3f}" for r in fractions]
    printed = _cells(tables, "Complete CAA result")["estimate"]
    statistics = _cells(tables, "Complete CAA result")["statistic"]
    shown = [p for p, s in zip(printed, statistics, strict=True) if s == "fraction of test lots inside"]
    assert len(fractions) > 3 and "0.933" in expected and "1.000" in expected
    assert shown == expected
    assert all(isinstance(r[at["estimate"]], float) for r in fractions)  # stored numbers, not text
