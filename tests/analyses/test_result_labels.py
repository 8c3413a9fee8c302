"""Stored keys are printed under labels with units (found by rendering every report to PDF: the BE report
printed ``ci_lower``, ``cvwr``, ``pe``; the generic key/value layout of the ADA and ISR reports
``n_runs_used``, ``share_within``; the generic result table of power and sample size ``cv``, ``theta0``,
``target_power``).

The stored result keeps its keys and fractions (the JSON and CSV are a data contract); the label table
:data:`bioparity.analyses.terms.LABELS` gives each key its words, unit and, for a fraction, percent.
"""

from __future__ import annotations

import re
from importlib import resources

import pandas as pd

from bioparity.analyses.tables import generic_tables
from bioparity.analyses.terms import key_label, labelled
from bioparity.i18n import use_language
from tests.analyses import kinds_support as kinds


def test_the_web_page_of_a_bioequivalence_run_labels_its_keys(workspace: kinds.Workspace) -> None:
    content = (
        resources.files("bioparity").joinpath("validation/reference/replicate_be/rds01.csv").read_bytes()
    )
    page, _ = workspace.web_run("be", "rds01.csv", content, method="ema-abel-a", alpha="0.05")
    result = page.split('<dl class="facts">')[-1].split("</dl>")[0]  # the page's "Result" facts
    terms = re.findall(r"<dt>([^<]*)</dt>", result)
    # replicateBE rds01, EMA ABEL Method A: PE 115.66%, 90% CI 107.11-124.89%, CVwR 46.96%
    assert "<dt>90% CI lower bound (%)</dt><dd>107.11</dd>" in result
    assert "<dt>point estimate T/R (%)</dt><dd>115.66</dd>" in result
    assert "<dt>CVwR: within-subject CV of R (%)</dt><dd>46.96</dd>" in result
    assert not {"ci_lower", "ci_upper", "cvwr", "pe", "n_rr", "outliers"} & set(terms)
    # the method in words with its stored code (it was printed ``ema-abel-a``)
    assert "<dt>method</dt><dd>EMA ABEL, Method A (ema-abel-a)</dd>" in result
    # records and lists in words, not JSON
    assert "<code>" not in result and "studentised residual: -6.657" in result
    # the stored record keeps its numbers; the page prints sWR to four decimals (replicateBE: swR 0.4464)
    assert "<dt>sWR: within-subject SD of R (log scale)</dt><dd>0.4464</dd>" in result


def test_the_generic_result_table_heads_columns_by_label_and_prints_fractions_in_percent() -> None:
    # PowerTOST: power.TOST(CV = 0.3, theta0 = 0.95, n = 40) = 0.8158453 (2x2 crossover)
    grid = pd.DataFrame(
        [["2x2", 0.3, 0.95, 40, 0.8158452802731297]], columns=["design", "cv", "theta0", "n", "power"]
    )
    tables = generic_tables(grid)
    table = tables.main[0]
    assert table.columns == ("design", "CV (%)", "true ratio T/R (%)", "subjects (n)", "power (%)")
    # power to two decimals as the run's summary prints it (it was 81.5845 here, 99.991 and 100 in the
    # demo's grid), still a right-aligned number column
    assert table.rows == (("2x2", "30", "95", "40", "81.58"),)
    assert table.numeric == (False, True, True, True, True)
    # the appendix prints the table as stored (the CSV's names and fractions): nothing stored is lost
    assert tables.appendix[0].columns == ("design", "cv", "theta0", "subjects (n)", "power")
    assert tables.appendix[0].rows == (("2x2", "0.3", "0.95", "40", "0.815845"),)
    with use_language("zh-CN"):
        chinese = generic_tables(grid).main[0]
    assert chinese.columns == (
        "设计",
        "变异系数 CV（%）",
        "真实比值 T/R（%）",
        "受试者数（n）",
        "检验效能（%）",
    )


def test_the_generic_appendix_says_the_stored_names_and_codes_in_words_with_them() -> None:
    """Before: the zh-CN report's appendix of a power run printed design, parallel, exact (the stored table
    as stored, in English, beside a main table in Chinese). Now words with the stored name or code, so that
    the CSV can still be matched; the stored numbers are unchanged (fractions)."""
    grid = pd.DataFrame(
        [["parallel", 0.3, 0.95, 40, "exact", 0.5]],
        columns=["design", "cv", "theta0", "n", "method", "power"],
    )
    with use_language("zh-CN"):
        appendix = generic_tables(grid).appendix[0]
    assert appendix.columns == ("设计（design）", "cv", "theta0", "受试者数（n）", "方法（method）", "power")
    assert appendix.rows == (("平行组 (parallel)", "0.3", "0.95", "40", "精确法，Owen's Q (exact)", "0.5"),)
    english = generic_tables(grid).appendix[0]
    assert english.rows[0][0] == "parallel groups (parallel)" and english.columns[4] == "method"
    assert grid.loc[0, "design"] == "parallel" and grid.loc[0, "method"] == "exact"  # the stored codes


def test_a_label_names_the_interval_level_and_keeps_unknown_keys() -> None:
    # the two one-sided tests at alpha 0.025 give a 95% CI (Schuirmann 1987)
    shown = dict(labelled({"alpha": 0.025, "ci_lower": 91.234, "ci_upper": 109.876, "AUCIFO": 1.0}))
    assert shown == {
        "95% CI lower bound (%)": "91.23",
        "95% CI upper bound (%)": "109.88",
        "significance level α": 0.025,
        "AUCIFO": 1.0,  # a key without a label is printed as stored
    }
    assert key_label("ci_lower") == "CI lower bound (%)"  # no level known: none named
    with use_language("zh-CN"):
        assert key_label("ci_lower", "90%") == "90% 置信区间下限（%）"


def test_the_power_summary_prints_power_in_percent_as_its_table() -> None:
    from bioparity.analyses.power import power_summary

    # PowerTOST power.TOST(CV = 0.3, theta0 = 0.95, n = 40) = 0.8158453
    result = {"columns": ["power"], "rows": [[0.8158452802731297]], "n_rows": 1}
    assert power_summary(result, {"method": "exact"}) == "1 scenario: power 81.58% (method exact, Owen's Q)"


def test_the_default_dose_and_threshold_are_said_in_words() -> None:
    """Before: ``剂量：auto`` and ``距离阈值：max`` in the zh-CN option summaries and reports (the NCA and
    profiles defaults); the stored options keep the codes."""
    from bioparity.analyses.terms import setting_text

    with use_language("zh-CN"):
        assert setting_text("dose", "auto").endswith("自动：有 dose 列时取该列")
        assert setting_text("threshold", "max").endswith("参照批留一法距离的最大值")
        assert setting_text("threshold", "q0.95").endswith("q0.95")  # a quantile as typed
    assert setting_text("dose", "auto") == "dose: automatic: the dose column when present"
