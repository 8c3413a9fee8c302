"""Report tables keep every column; plots: log axes at decades, forest limits labelled above the area,
mean profiles at nominal times (binning rule stated)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from bioparity.analyses import figures
from bioparity.analyses.pk_similarity import pk_tables
from bioparity.analyses.tables import PANEL_BUDGET, header_chars, panels
from bioparity.i18n import use_language
from bioparity.report import static
from bioparity.report.tables import run_tables, table_html
from bioparity.web import plots


def test_panels_keep_every_column_and_repeat_the_keys() -> None:
    columns = ["metric", "comparison", *(f"a_rather_long_column_name_{i}" for i in range(30))]
    frame = pd.DataFrame([[f"m{r}", "t vs r", *range(30)] for r in range(3)], columns=columns)
    tables = panels(frame, ["metric", "comparison"], "Complete")
    assert len(tables) > 1
    shown = [c for t in tables for c in t.columns]
    assert set(shown) == set(columns)  # no column lost
    assert all(t.columns[:2] == ("metric", "comparison") for t in tables)
    for t in tables:  # each part fits the page budget (header lengths + padding)
        assert sum(len(c) + 2 for c in t.columns) <= PANEL_BUDGET
        assert all(len(r) == len(t.columns) for r in t.rows)


def test_a_header_counts_as_wide_as_it_wraps_at_its_spaces() -> None:
    """The CAA appendix went from 9 to 13 panels (29 to 37 pages) when readable headers came: each column
    was counted as wide as its whole header, although the PDF wraps a header at its spaces."""
    assert header_chars("CI lower bound (in unit)") == 9  # "CI lower / bound (in / unit)": 3 lines
    assert header_chars("SD ratio s_T/s_R") == 7  # its longest word: "SD / ratio / s_T/s_R"
    assert header_chars("equiv_slope_ratio_ci_lower") == 26  # one word does not wrap
    assert header_chars("a b c d e f g h i", lines=3) == 5  # a minimum: at most three lines
    assert header_chars("") == 0
    # a long multi-word header whose longest word fits joins the panel instead of forcing a new one
    keys = ["attribute"]
    frame = pd.DataFrame(
        [["purity", *(1.25 for _ in range(12))]], columns=["attribute", *(f"c{i}" for i in range(12))]
    )
    headers = {f"c{i}": f"CI upper bound {i} (in unit)" for i in range(12)}
    tables = panels(frame, keys, "Complete", headers=headers)
    assert len(tables) == 1
    assert len(tables[0].columns) == 13
    whole = sum(len(h) + 2 for h in headers.values())
    assert whole > PANEL_BUDGET  # counted by whole headers, they would not fit one panel


def test_the_table_note_counts_one_row_in_the_singular() -> None:
    """Found in the NCA and potency PDFs: "1 rows; 7 columns in all"."""
    frame = pd.DataFrame([["CMAX", 1.5, 2.5]], columns=["metric", "a", "b"])
    assert panels(frame, ["metric"], "Complete")[-1].note == "1 row; 3 columns in all"
    two = pd.concat([frame, frame])
    assert panels(two, ["metric"], "Complete")[-1].note == "2 rows; 3 columns in all"
    with use_language("zh-CN"):
        assert panels(frame, ["metric"], "Complete")[-1].note == "1 行；共 3 列"


def test_a_column_added_later_appears_in_the_appendix() -> None:
    columns = ["metric", "test_arm", "reference_arm", "gmr", "ci_lower", "ci_upper", "welch_df_new"]
    rows = [["CMAX", "test", "ref", 96.584, 89.1151, 104.68, 23.5]]
    report = run_tables("pk-similarity", columns, rows)
    assert "96.58 (89.12, 104.68)" in report.main[0].rows[0]
    assert any("welch_df_new" in t.columns for t in report.appendix)
    assert any("23.5" in r for t in report.appendix for r in t.rows)


def test_a_labelled_appendix_heads_columns_by_label_and_prints_one_precision_per_column() -> None:
    """The PK similarity appendix: the stored columns under the labels of the registry (LABELS) with their
    units, the ratios, CI bounds and limits to two decimals as the main table prints them (was ``gmr``,
    ``ci_lower``, ``96.5846``, ``89.1922``, ``104.59``: three precisions in one row); a column without a
    label keeps its stored name and numbers; in Chinese the labels are translated."""
    columns = ["metric", "test_arm", "reference_arm", "gmr", "ci_lower", "ci_upper", "alpha", "welch_df_new"]
    rows = [
        ["CMAX", "test", "ref", 96.5846, 89.1922, 104.59, 0.05, 23.51234],
        ["AUC", "t", "r", 101, 94, 110.5, 0.05, 1],
    ]
    report = run_tables("pk-similarity", columns, rows)
    shown = {
        h: [r[i] for t in report.appendix for r in t.rows]
        for t in report.appendix
        for i, h in enumerate(t.columns)
    }
    assert shown["GMR (%)"] == ["96.58", "101.00"]
    assert shown["90% CI lower bound (%)"] == ["89.19", "94.00"]
    assert shown["90% CI upper bound (%)"] == ["104.59", "110.50"]
    assert shown["significance level α"] == ["0.05", "0.05"] and shown["test arm"] == ["test", "t"]
    assert shown["welch_df_new"] == ["23.5123", "1"]  # unlabelled: as stored, to six significant digits
    assert not {"gmr", "ci_lower", "ci_upper", "test_arm", "alpha"} & set(shown)
    assert "two decimals" in report.appendix_note
    with use_language("zh-CN"):
        heads = {h for t in run_tables("pk-similarity", columns, rows).appendix for h in t.columns}
    assert {"几何均值比（%）", "90% 置信区间下限（%）", "受试组", "指标"} <= heads, heads


def test_the_nca_appendix_prints_the_significant_digits_of_the_summary_statistics() -> None:
    """Per-subject values to 5 significant digits as the summary statistics (was 6: ``3.92136e+06`` and
    ``0.00241551`` under means of ``3.7246e+06``), the precision stated in the appendix's sentence."""
    rows = [
        [arm, f"S{i}", code, value * (1 + i / 10), unit]
        for arm in ("test", "ref")
        for i in range(3)
        for code, value, unit in (("AUMCLST", 3921361.5, "h^2*ug/mL"), ("LAMZ", 0.002415512, "1/h"))
    ]
    report = run_tables("nca", ["arm", "subject", "PPTESTCD", "PPSTRESN", "PPSTRESU"], rows)
    values = {v for t in report.appendix if "per subject" in t.title for r in t.rows for v in r[2:]}
    assert "3.9214e+06" in values and "0.0024155" in values, values
    assert "3.92136e+06" not in values and "0.00241551" not in values
    summary = [r for t in report.main if t.title.startswith("Summary statistics") for r in t.rows]
    assert summary and all(len(v.split("e")[0].replace(".", "").lstrip("0-")) <= 5 for v in summary[0][4:])
    assert "parameters to 5 significant digits" in report.appendix_note


def test_the_nca_tables_head_the_arm_and_the_subject_in_the_readers_language() -> None:
    """Found in the zh-CN NCA report: every table headed "arm" and "subject" (the stored column names) among
    Chinese headers; a column the registry has no label for (``USUBJID``) keeps its name."""
    rows = [[arm, f"S{i}", "CMAX", 10.0 + i, "ug/mL"] for arm in ("test", "ref") for i in range(3)]
    with use_language("zh-CN"):
        report = run_tables("nca", ["arm", "subject", "PPTESTCD", "PPSTRESN", "PPSTRESU"], rows)
        sdtm = run_tables("nca", ["arm", "USUBJID", "PPTESTCD", "PPSTRESN", "PPSTRESU"], rows)
    tables = [*report.main, *report.appendix]
    per_subject = [t for t in report.appendix if "PPTESTCD" in t.title and len(t.columns) > 2]
    assert per_subject and all(t.columns[:2] == ("组别", "受试者") for t in per_subject)
    assert tables[0].columns[0] == "组别"
    assert not [t.title for t in tables if {"arm", "subject"} & set(t.columns)]
    assert any(t.columns[:2] == ("组别", "USUBJID") for t in sdtm.appendix)


def test_pk_table_verdicts_are_classed_as_passes() -> None:
    frame = pd.DataFrame(
        [["AUCIFO", "test", "eu-ref", 96.58, 89.12, 104.68, True]],
        columns=["metric", "test_arm", "reference_arm", "gmr", "ci_lower", "ci_upper", "pass"],
    )
    html = str(table_html(pk_tables(frame).main[0]))
    assert '<td class="ok">within limits</td>' in html and "<thead>" in html


def test_the_pk_main_table_and_forest_name_the_metrics_the_appendix_keeps_the_codes() -> None:
    """A clinical pharmacologist reads Cmax, AUC0-t, AUC0-inf (EMA CPMP/EWP/QWP/1401/98 Rev. 1, 4.1.8), not
    the CDISC PPTESTCD codes, which the appendix (the stored table, as in the CSV/JSON) keeps."""
    frame = pd.DataFrame(
        [[m, "test", "eu-ref", 96.58, 89.12, 104.68, True] for m in ("CMAX", "AUCLST", "AUCIFO", "AUCPEO")],
        columns=["metric", "test_arm", "reference_arm", "gmr", "ci_lower", "ci_upper", "pass"],
    )
    tables = pk_tables(frame)
    assert [row[0] for row in tables.main[0].rows] == ["Cmax", "AUC0-t", "AUC0-inf", "AUCPEO"]
    assert [row[0] for row in tables.appendix[0].rows] == ["CMAX", "AUCLST", "AUCIFO", "AUCPEO"]
    forest = figures.forest_plot([{str(k): v for k, v in r.items()} for r in frame.to_dict("records")])
    assert forest is not None
    assert [(i.label, i.metric) for i in forest.items][:2] == [
        ("Cmax: test / eu-ref", "CMAX"),
        ("AUC0-t: test / eu-ref", "AUCLST"),
    ]


def test_forest_figure_limits_100_line_and_labels_above_the_plot() -> None:
    plot = figures.ForestPlot(
        (figures.ForestItem("CMAX: T / R", "CMAX", 96.58, 89.12, 104.68, True),), 80.0, 125.0, 90.0
    )
    fig = plots.forest_figure(plot)
    xs = sorted(s["x0"] for s in fig["layout"]["shapes"])
    assert xs == [80.0, 100.0, 125.0]
    labels = {a["text"]: a for a in fig["layout"]["annotations"]}
    assert set(labels) == {"80.00%", "125.00%"}
    assert labels["80.00%"]["x"] == math.log10(80.0)  # log axis: annotation positions are log10
    assert all(a["yref"] == "paper" and a["y"] == 1 and a["yanchor"] == "bottom" for a in labels.values())
    assert fig["layout"]["xaxis"]["type"] == "log" and 100 in fig["layout"]["xaxis"]["tickvals"]
    assert fig["data"][0]["marker"]["color"] == ["#15803d"]  # a pass is green


def test_semi_log_axes_are_labelled_at_decades() -> None:
    fig = plots.profiles_figure(
        figures.ProfilePlot((figures.Line("T", [1, 2], [0.5, 50]),), {"T": 1}), log=True
    )
    assert fig["layout"]["yaxis"]["dtick"] == 1 and fig["layout"]["yaxis"]["exponentformat"] == "none"
    from matplotlib.figure import Figure

    ax = Figure().add_subplot()
    ax.plot([1, 2], [0.05, 50])
    static._decades(ax)
    formatter = ax.yaxis.get_major_formatter()
    assert [formatter(v, 0) for v in (0.1, 1.0, 10.0)] == ["0.1", "1", "10"]


def test_mean_profiles_use_nominal_times_or_state_the_binning() -> None:
    rng = np.random.default_rng(1)
    rows = []
    for s in range(6):
        for k, t in enumerate((0.5, 1.0, 2.0, 4.0)):
            rows.append({"subject": f"S{s}", "time": t + rng.uniform(-0.1, 0.1), "conc": 10.0 - k})
    frame = pd.DataFrame(rows)
    binned = figures.profile_plot(frame)
    assert binned is not None and "binned by sample order" in binned.time_rule
    assert len(binned.lines[0].x) == 4 and binned.lines[0].y == [10.0, 9.0, 8.0, 7.0]
    assert len(binned.individual) == 6
    frame["NFRLT"] = [t for _ in range(6) for t in (0.5, 1.0, 2.0, 4.0)]
    nominal = figures.profile_plot(frame, conc_unit="ng/mL")
    assert nominal is not None and nominal.lines[0].x == [0.5, 1.0, 2.0, 4.0]
    assert "NFRLT" in nominal.time_rule and nominal.conc_label == "concentration (ng/mL)"


def test_caa_bands_are_keyed_in_the_legend_not_as_overlapping_labels() -> None:
    """Two comparisons with about the same range used to print their labels on top of each other."""
    plot = figures.CAAPlot(
        "afucosylated_glycans",
        "%",
        ("test", "ref-eu", "ref-us"),
        {"test": [9.5, 10.1], "ref-eu": [8.0, 8.3], "ref-us": [8.1, 8.4]},
        (
            figures.Band("ref-eu: quality-range (fail)", 6.5, 9.6),
            figures.Band("ref-us: quality-range (fail)", 6.4, 9.7),
        ),
    )
    fig = plots.caa_figure(plot)
    keyed = [t["name"] for t in fig["data"] if t.get("showlegend", True)]
    assert keyed == ["ref-eu: quality-range (fail)", "ref-us: quality-range (fail)"]
    assert "annotations" not in fig["layout"] and fig["layout"]["showlegend"] is True
    assert [(s["y0"], s["y1"]) for s in fig["layout"]["shapes"]] == [(6.5, 9.6), (6.4, 9.7)]  # both shaded
    boxes = [t for t in fig["data"] if t["type"] == "box"]
    assert [b["name"] for b in boxes] == ["test (n = 2)", "ref-eu (n = 2)", "ref-us (n = 2)"]


def test_the_caa_plot_prints_plain_lot_values() -> None:
    """An intact mass of about 148,055 Da is not printed with plotly's SI suffix (148.055k) on the web."""
    values = {"test": [148052.3, 148055.0], "ref-eu": [148054.1, 148058.9]}
    fig = plots.caa_figure(figures.CAAPlot("intact_mass", "Da", ("test", "ref-eu"), values, ()))
    assert fig["layout"]["yaxis"]["exponentformat"] == "none"
    assert fig["layout"]["yaxis"]["title"]["text"] == "lot value (Da)"


def test_the_power_plot_is_drawn_in_percent_as_the_table_prints_power() -> None:
    rows = [
        {"design": "2x2", "cv": 0.3, "theta0": 0.95, "n": n, "power": p, "method": "exact"}
        for n, p in ((24, 0.5), (40, 0.8158453))
    ]
    plot = figures.power_plot(rows)
    assert plot is not None
    assert plot.lines[0].y == [50.0, 81.58453]  # PowerTOST power.TOST(CV=0.3, theta0=0.95, n=40)
    assert plot.y_label == "power (%)" and plot.lines[0].name == "power (%)"  # one scenario: no key
    assert plot.legend_title == "design: 2x2; CV (%): 30; true ratio T/R (%): 95; method: exact, Owen's Q"
    web = plots.power_figure(plot)
    assert web["layout"]["yaxis"] == {"title": {"text": "power (%)"}, "range": [0, 100]}
    with static.text_as_text():
        svg = static.power_svg(plot)
    assert ">power (%)<" in svg and ">100<" in svg and "1.0<" not in svg
