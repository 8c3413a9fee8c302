"""The ``ada-cutpoint`` kind (issue #20 in the workspace): the numbers of a workspace run are those of
``bioparity ada-cutpoint`` on the same file (the command is checked against R ``lme4``/``quantile``/``mad`` in
tests/bioassay), the outliers removed are listed with the result, and a run goes through the API and the web
pages (run page and HTML report with the kind's tables and summary)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

from bioparity.analyses import get_analysis
from bioparity.analyses.ada_cutpoint import example_data, normality_words
from bioparity.analyses.registry import option_errors, parse_options
from bioparity.cli.main import app
from bioparity.errors import InputError
from bioparity.i18n import use_language
from tests.analyses import kinds_support as kinds
from tests.conftest import REFERENCE

REF = REFERENCE / "bioassay"

#: (file, command-line flags, the same settings as workspace options); EXAMPLE = the kind's example file
CASES: dict[str, tuple[str, list[str], dict[str, Any]]] = {
    "three-tiers": (
        "EXAMPLE",
        ["--confirm-fpr", "0.01", "--titration-fpr", "0.001"],
        {"confirm_fpr": 0.01, "titration_fpr": 0.001},
    ),
    "defaults": ("EXAMPLE", [], {}),
    "r-balanced-nonparametric": (
        "designs_balanced.csv",
        ["--transform", "log", "--keep-outliers", "--method", "nonparametric"],
        {"transform": "log", "remove_outliers": False, "method": "nonparametric"},
    ),
    "unbalanced-type-6-robust": (
        "designs_unbalanced.csv",
        ["--transform", "none", "--method", "robust", "--quantile-type", "6", "--fpr", "0.01"],
        {"transform": "none", "method": "robust", "quantile_type": 6, "fpr": 0.01},
    ),
}


def _file(name: str, folder: Path) -> Path:
    if name != "EXAMPLE":
        return REF / name
    path = folder / "validation.csv"
    path.write_bytes(example_data())
    return path


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_workspace_run_has_the_numbers_of_the_command(case: str, tmp_path: Path) -> None:
    name, flags, options = CASES[case]
    data = _file(name, tmp_path)
    out = tmp_path / "cp.csv"
    kinds.cli_table("ada-cutpoint", str(data), *flags, "--out", str(out))
    kinds.assert_same_table(kinds.read_csv(out), kinds.workspace_table("ada-cutpoint", data, options))


def test_the_nonparametric_cut_point_is_r_quantile_type_7() -> None:
    """R ``quantile(type = 7)`` of the balanced design's log signals (tests/data/reference/bioassay)."""
    ref = pd.read_csv(REF / "cutpoint_reference.csv")
    wanted = ref.query("design == 'balanced' and statistic == 'quantile' and qtype == 7 and p == 0.95")
    options = {"transform": "log", "remove_outliers": False, "method": "nonparametric"}
    table = kinds.workspace_table("ada-cutpoint", REF / "designs_balanced.csv", options)
    row = table[table["estimate"] == "nonparametric"].iloc[0]
    assert row["cut_point_estimate_t"] == pytest.approx(float(wanted["value"].iloc[0]), rel=1e-12)
    assert bool(row["selected"])


def test_removed_outliers_are_listed_with_the_result(tmp_path: Path) -> None:
    data = _file("EXAMPLE", tmp_path)
    listing = tmp_path / "outliers.csv"
    kinds.cli_table("ada-cutpoint", str(data), "--out", str(tmp_path / "cp.csv"), "--outliers", str(listing))
    result = kinds.workspace_result("ada-cutpoint", data)
    removed = pd.DataFrame(result["removed_values"])
    expected = kinds.read_csv(listing)
    assert len(removed) == len(expected) > 0  # the example's high donor D08 is not dropped silently
    assert list(removed["donor"]) == list(expected["donor"].astype(str)) and "D08" in set(removed["donor"])
    assert list(removed["value"]) == list(expected["value"])
    summary = get_analysis("ada-cutpoint").summary(result, {})
    assert f"; outliers removed: screening {len(removed)}; " in summary
    # the values the normality test of method=auto took (R 4.2.2 shapiro.test of the 23 donor means)
    assert summary.endswith("; screening normality: Shapiro-Wilk on 23 donor means p = 0.0588")


def test_an_outlier_is_stored_by_its_code_and_printed_in_words(tmp_path: Path) -> None:
    """The stored result keeps the machine-readable code (``biological:D08``: step and donor, as the
    ``outliers`` column and ``removed_values`` hold it); the command line prints the note in words, in the
    reader's language."""
    data = _file("EXAMPLE", tmp_path)
    result = kinds.workspace_result("ada-cutpoint", data)
    assert "Screening: 1 outlier(s) removed: biological:D08." in result["notes"]
    removed = [(o["tier"], o["step"], o["donor"], o["run"]) for o in result["removed_values"]]
    assert removed == [("screening", "biological", "D08", "")]
    assert set(kinds.workspace_table("ada-cutpoint", data)["outliers"]) == {"biological:D08"}
    for language, said in (
        ("en", "note: 1 outlier(s) removed: donor D08 (biological outlier)"),
        ("zh-CN", "说明：剔除 1 个离群值：供体 D08（生物学离群值）"),
    ):
        command = ["--lang", language, "ada-cutpoint", str(data), "--out", str(tmp_path / "o.csv")]
        out = CliRunner().invoke(app, command)
        assert out.exit_code == 0, out.output
        assert said in out.output and "biological:D08" not in out.output


def test_the_optional_tiers_are_empty_fields() -> None:
    kind = get_analysis("ada-cutpoint")
    assert kind.option("confirm_fpr").optional and kind.option("confirm_fpr").default == ""
    typed = parse_options(kind, {"confirm_fpr": "", "titration_fpr": "0.001"})
    assert typed == {"confirm_fpr": "", "titration_fpr": 0.001} and option_errors(kind, typed) == {}
    assert option_errors(kind, {"confirm_fpr": "0.01x"}) == {
        "confirm_fpr": "'0.01x' is not a number (empty: not given)"
    }
    tiers = kinds.workspace_table("ada-cutpoint", REF / "designs_balanced.csv", typed)["tier"]
    assert list(dict.fromkeys(tiers)) == ["screening", "titration"]
    with pytest.raises(InputError, match="needs a 'signal_drug' column"):
        kinds.workspace_result("ada-cutpoint", REF / "designs_balanced.csv", {"confirm_fpr": 0.01})


def test_through_the_api(workspace: kinds.Workspace, tmp_path: Path) -> None:
    run = workspace.api_run("ada-cutpoint", "validation.csv", example_data(), confirm_fpr=0.01)
    assert run["options"]["confirm_fpr"] == 0.01 and run["options"]["titration_fpr"] == ""
    assert run["result"] == kinds.workspace_result(
        "ada-cutpoint", _file("EXAMPLE", tmp_path), {"confirm_fpr": 0.01}
    )


def test_through_the_web_pages(workspace: kinds.Workspace, tmp_path: Path) -> None:
    page, report = workspace.web_run(
        "ada-cutpoint", "validation.csv", example_data(), confirm_fpr="0.01", titration_fpr=""
    )
    options = {"confirm_fpr": 0.01}
    summary = get_analysis("ada-cutpoint").summary(
        kinds.workspace_result("ada-cutpoint", _file("EXAMPLE", tmp_path), options), options
    )
    for html in (page, report):
        text = kinds.text_of(html)
        assert summary in text
        assert "ADA cut points per tier (data scale; the reported estimate and every alternative)" in text
    assert "Variance components (REML) and distribution (analysis scale)" in kinds.text_of(report)
    # a note of the result, its outlier in words (the donor whose mean is outside the donor means' fences)
    for html in (page, report):
        assert "Screening: 1 outlier(s) removed: donor D08 (biological outlier)." in kinds.text_of(html)
        assert "biological:D08" not in kinds.text_of(html).split("Complete cut-point result")[0]
    assert 'id="fig-ada-screening"' in page  # the Plotly figure of the run page
    assert 'alt="Screening signals per donor and run with the screening cut point"' in report  # its SVG


def test_the_summary_names_an_untransformed_screening_scale_in_words(tmp_path: Path) -> None:
    """The one-line summary of a run (run page, reports) says "no transformation" for a screening tier
    analysed untransformed; it printed the stored code as "none scale"."""
    result = dict(kinds.workspace_result("ada-cutpoint", _file("EXAMPLE", tmp_path)))
    columns = list(result["columns"])
    at = columns.index("transform")
    result["rows"] = [[*row[:at], "none", *row[at + 1 :]] for row in result["rows"]]
    summary = get_analysis("ada-cutpoint").summary(result, {})
    assert "none scale" not in summary
    assert summary.startswith("screening cut point") and ", no transformation, FPR 5%" in summary


def test_the_values_tested_for_normality_are_named_and_an_older_result_reads_without_them() -> None:
    """A result stored before the test was on donor means has no ``shapiro_n``: no words are made up for it
    (its p was of every donor x run value)."""
    record = {"shapiro_n": 23, "normality_values": "donor means", "shapiro_p": 0.0588473367104242}
    assert normality_words(record) == "Shapiro-Wilk on 23 donor means p = 0.0588"
    assert normality_words({"shapiro_p": 0.00245}) == ""
    with use_language("zh-CN"):
        assert normality_words(record) == "对 23 个供体均值进行 Shapiro-Wilk 检验 p = 0.0588"
