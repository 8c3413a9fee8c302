"""The ``potency`` kind (issue #19 in the workspace): the numbers of a workspace run are those of
``bioparity potency`` on the same file (the command is checked against R ``nls``/``lm`` and the Ph. Eur. 5.3
examples in tests/potency), the options reach the core like the command's flags, and a run goes through the
API and the web pages (run page and HTML report with the kind's tables and summary)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bioparity.analyses import get_analysis
from bioparity.analyses.registry import parse_options
from bioparity.errors import InputError
from tests.analyses import kinds_support as kinds
from tests.potency._ref import FOLDER, ref, write_three_assays

MARGINS = "measure,lower,upper\nslope_ratio,0.8,1.25\n"

#: (file, command-line flags, the same settings as workspace options)
CASES: dict[str, tuple[str, list[str], dict[str, Any]]] = {
    "4pl": ("data_4pl.csv", ["--model", "4pl"], {"model": "4pl"}),
    "5pl-suitability": (
        "data_5pl.csv",
        ["--model", "5pl", "--min-r2", "0.99", "--max-ci-ratio", "1.2"],
        {"model": "5pl", "min_r2": 0.99, "max_ci_ratio": 1.2},
    ),
    "parallel-line-margins": (
        "data_parallel_line_rb.csv",
        ["--model", "parallel-line", "--conf-level", "0.9", "--equivalence-margins", "MARGINS"],
        {"model": "parallel-line", "conf_level": 0.9, "equivalence_margins": "slope_ratio:0.8:1.25"},
    ),
    "multiple-assay-log": (
        "pheur_5_1_4_hepatitis_b.csv",
        ["--model", "parallel-line", "--transform", "log"],
        {"model": "parallel-line", "transform": "log"},
    ),
    "pairwise": (
        "pheur_5_1_4_hepatitis_b.csv",
        ["--model", "parallel-line", "--transform", "log", "--pairwise"],
        {"model": "parallel-line", "transform": "log", "pairwise": True},
    ),
    "slope-ratio": ("data_slope_ratio.csv", ["--model", "slope-ratio"], {"model": "slope-ratio"}),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_workspace_run_has_the_numbers_of_the_command(case: str, tmp_path: Path) -> None:
    name, flags, options = CASES[case]
    (tmp_path / "margins.csv").write_text(MARGINS, encoding="utf-8")
    flags = [str(tmp_path / "margins.csv") if f == "MARGINS" else f for f in flags]
    out = tmp_path / "rp.csv"
    kinds.cli_table("potency", str(FOLDER / name), *flags, "--out", str(out))
    kinds.assert_same_table(kinds.read_csv(out), kinds.workspace_table("potency", FOLDER / name, options))


def test_the_combination_of_assays_is_the_commands(tmp_path: Path) -> None:
    data = write_three_assays(tmp_path / "three.csv")
    out = tmp_path / "rp.csv"
    kinds.cli_table(
        "potency",
        str(data),
        "--model",
        "4pl",
        "--combine",
        "--combine-method",
        "unweighted",
        "--out",
        str(out),
    )
    stored = kinds.workspace_table("potency", data, {"combine": True, "combine_method": "unweighted"})
    kinds.assert_same_table(kinds.read_csv(out), stored)
    assert list(stored["assay"]) == ["A1", "A2", "A3", "combined"]


def test_the_stored_potency_agrees_with_r_nls() -> None:
    """R ``nls`` parallel 4PL on the reference plate (tests/data/reference/potency/make_reference.R)."""
    row = kinds.workspace_table("potency", FOLDER / "data_4pl.csv").iloc[0]
    r = ref("4pl")
    for name in ("relative_potency", "ci_lower", "ci_upper"):
        assert row[name] == pytest.approx(r[name], rel=1e-6)


def test_options_typed_in_a_form_reach_the_core() -> None:
    potency = get_analysis("potency")
    typed = parse_options(potency, {"min_r2": "", "max_ci_ratio": "1.5", "combine": "yes", "model": "4pl"})
    assert typed == {"min_r2": "", "max_ci_ratio": 1.5, "combine": True, "model": "4pl"}
    result = kinds.workspace_result("potency", FOLDER / "data_4pl.csv", typed)
    assert result["settings"]["suitability"]["min_r_squared"] is None
    assert result["settings"]["suitability"]["max_ci_ratio"] == 1.5
    assert "suitability_ci_ratio" in result["columns"]


@pytest.mark.parametrize(
    ("margins", "message"),
    [
        ("slope_ratio:0.8", "option equivalence_margins: 'slope_ratio:0.8' is not measure:lower:upper"),
        ("slope:0.8:1.25", "unknown measure 'slope'"),
        ("intercept_difference:-1:1", "do not apply to the 4pl model"),
        ("slope_ratio:1.25:0.8", "lower 1.25 must be below upper 0.8"),
    ],
)
def test_bad_margins_are_refused_naming_the_option(margins: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        kinds.workspace_result("potency", FOLDER / "data_4pl.csv", {"equivalence_margins": margins})


def test_summary_states_the_verdicts_and_the_combined_potency(tmp_path: Path) -> None:
    data = write_three_assays(tmp_path / "three.csv")
    options = {"combine": True, "equivalence_margins": "slope_ratio:0.5:2"}
    result = kinds.workspace_result("potency", data, options)
    summary = get_analysis("potency").summary(result, options)
    rows = kinds.workspace_table("potency", data, options)
    combined = rows.iloc[3]
    assert summary.startswith("3 estimates (four-parameter logistic): relative potency ")
    assert "Ph. Eur. 5.3 similarity 3/3 pass; USP <1032> equivalence 3/3 pass" in summary
    low, high = combined["ci_lower"], combined["ci_upper"]
    assert summary.endswith(f"combined test {combined['relative_potency']:.4g} ({low:.4g}, {high:.4g})")


def test_through_the_api(workspace: kinds.Workspace) -> None:
    content = (FOLDER / "data_4pl.csv").read_bytes()
    run = workspace.api_run("potency", "data_4pl.csv", content, model="4pl")
    assert run["options"]["model"] == "4pl" and run["options"]["min_r2"] == ""  # every setting recorded
    assert run["result"] == kinds.workspace_result("potency", FOLDER / "data_4pl.csv")


def test_through_the_web_pages(workspace: kinds.Workspace, tmp_path: Path) -> None:
    data = write_three_assays(tmp_path / "three.csv")
    page, report = workspace.web_run(
        "potency",
        "three.csv",
        data.read_bytes(),
        combine="true",
        equivalence_margins="slope_ratio:0.5:2",
        min_r2="",
    )
    options = {"combine": True, "equivalence_margins": "slope_ratio:0.5:2"}
    summary = get_analysis("potency").summary(kinds.workspace_result("potency", data, options), options)
    for html in (page, report):
        text = kinds.text_of(html)
        assert summary in text
        assert "Relative potency per assay and test sample (95% CI)" in text
        assert "Combination of independent assays (Ph. Eur. 5.3, section 6; 95% CI)" in text
    assert "Complete potency result" in kinds.text_of(report)  # the appendix
    # one dose-response plot per assay: the chosen one on the page (Plotly), all three in the report
    assert 'id="fig-potency"' in page and 'name="assay"' in page
    assert report.count('alt="Responses per preparation against dose with the fitted curves: assay') == 3


def test_the_similarity_table_is_headed_in_the_readers_words() -> None:
    """Found by reading the Chinese potency report: the similarity table was headed ``assay``, ``sample``,
    ``p non-parallelism``, ``slope ratio (CI); margins`` (codes made into words, never translated)."""
    from bioparity.analyses.frames import result_frame
    from bioparity.analyses.potency import potency_tables
    from bioparity.i18n import use_language

    options = {"model": "parallel-line", "conf_level": 0.9, "equivalence_margins": "slope_ratio:0.8:1.25"}
    frame = result_frame(kinds.workspace_result("potency", FOLDER / "data_parallel_line_rb.csv", options))
    english = [t for t in potency_tables(frame, options).main if t.title.startswith("Similarity")]
    assert english[0].columns[:5] == (
        "assay",
        "sample",
        "p regression",
        "p non-parallelism",
        "p non-linearity",
    )
    assert "slope ratio (CI); margins" in english[0].columns
    with use_language("zh-CN"):
        chinese = [t for t in potency_tables(frame, options).main if t.title.startswith("相似性")]
    assert chinese[0].columns[:5] == ("检定", "样品", "回归 p 值", "偏离平行 p 值", "偏离直线 p 值")
    assert "斜率比（置信区间）；界值" in chinese[0].columns
    assert not any(c.isascii() for c in chinese[0].columns)
