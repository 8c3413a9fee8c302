"""The ``stability`` kind (issue #23 in the workspace): the numbers of a workspace run are those of
``bioparity stability --spec`` on the same file (the command is checked against R ``lm``/``anova``,
``expirest`` and LeBlond 2011 in tests/cmc), the specification comes from the file's columns or the options,
and a run goes through the API and the web pages (run page and HTML report with the kind's tables and
summary)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from bioparity.analyses import get_analysis
from bioparity.analyses.figures import XYPlot
from bioparity.analyses.stability import (
    LABEL,
    LOTS,
    SHELF_LIFE,
    SLOPES,
    example_data,
    section,
    stability_plots,
)
from bioparity.errors import DataFileError
from tests.analyses import kinds_support as kinds

SPEC = "attributes:\n  purity: {lower: 90, slope_margin: 0.1}\n  potency: {lower: 95}\n"


def _example(folder: Path, *, spec_columns: bool = True) -> Path:
    path = folder / "stability.csv"
    path.write_bytes(example_data())
    if not spec_columns:
        pd.read_csv(path).drop(columns=["lower", "slope_margin", LABEL]).to_csv(path, index=False)
    return path


def _filled(frame: pd.DataFrame) -> pd.DataFrame:
    """The columns with at least one value (blank text is no value; a section of the stored table leaves
    out the columns of the other sections)."""
    return frame[[c for c in frame.columns if frame[c].replace("", None).notna().any()]]


def _command(data: Path, spec: str, folder: Path) -> dict[str, pd.DataFrame]:
    """``bioparity stability`` with its three outputs, by section."""
    (folder / "spec.yaml").write_text(spec, encoding="utf-8")
    out, lots, slopes = folder / "out.csv", folder / "lots.csv", folder / "slopes.csv"
    kinds.cli_table(
        "stability", str(data), "--spec", str(folder / "spec.yaml"), "--out", str(out), "--lots", str(lots),
        "--slopes", str(slopes),
    )  # fmt: skip
    return {SHELF_LIFE: kinds.read_csv(out), LOTS: kinds.read_csv(lots), SLOPES: kinds.read_csv(slopes)}


def _assert_same(cli: dict[str, pd.DataFrame], stored: pd.DataFrame) -> None:
    """The command's three outputs are the stored sections (the stored table also names each row's
    attribute by its label, for the reports: the command's files keep the code alone)."""
    for name, table in cli.items():
        kinds.assert_same_table(_filled(table), _filled(section(stored, name)), drop=(LABEL,))


def test_spec_columns_give_the_numbers_of_the_command_with_its_spec_file(tmp_path: Path) -> None:
    data = _example(tmp_path)
    stored = kinds.workspace_table("stability", data)
    _assert_same(_command(data, SPEC, tmp_path), stored)
    potency = section(stored, SHELF_LIFE).set_index("attribute").loc["potency"]
    assert potency["pooling"] == "cics"
    assert potency["shelf_life"] == pytest.approx(25.9957631369, rel=1e-6)  # LeBlond 2011 Table V; expirest


def test_options_are_the_spec_files_top_level_keys(tmp_path: Path) -> None:
    data = _example(tmp_path, spec_columns=False)
    spec = (
        "attributes:\n  purity: {lower: 95, model: log, slope_margin: 0.002}\n"
        "  potency: {lower: 95, model: log, slope_margin: 0.002}\n"
        "confidence: 0.9\nalpha_pool: 0.1\nmax_time: 60\ndids_variance: pooled\nslope_alpha: 0.1\n"
    )
    options: dict[str, Any] = {
        "lower": 95.0, "model": "log", "slope_margin": 0.002, "confidence": 0.9, "alpha_pool": 0.1,
        "max_time": 60.0, "dids_variance": "pooled", "slope_alpha": 0.1,
    }  # fmt: skip
    _assert_same(_command(data, spec, tmp_path), kinds.workspace_table("stability", data, options))


def test_a_spec_column_overrides_the_option_for_its_attribute(tmp_path: Path) -> None:
    data = _example(tmp_path)
    result = kinds.workspace_result("stability", data, {"lower": 97.0, "upper": 105.0})
    assert result["specification"] == {
        "purity": {"lower": 90.0, "upper": 105.0, "model": "linear", "slope_margin": 0.1, "label": "Purity"},
        "potency": {
            "lower": 95.0, "upper": 105.0, "model": "linear", "slope_margin": None,
            "label": "Potency (% of label claim)",
        },
    }  # fmt: skip


@pytest.mark.parametrize(
    ("column", "row", "value", "message"),
    [
        ("lower", 3, "91", "attribute 'purity' has lower 90.0 on row 1"),
        ("lower", 2, "x", "not a valid specification value"),
        ("slope_margin", 2, "-1", "a number > 0 or blank"),
        ("model", 2, "quadratic", "one of linear, log or blank"),
    ],
)
def test_bad_spec_cells_are_refused_with_their_place(
    column: str, row: int, value: str, message: str, tmp_path: Path
) -> None:
    frame = pd.read_csv(_example(tmp_path), dtype=str, keep_default_na=False).assign(model="")
    frame.loc[row - 1, column] = value
    bad = tmp_path / "bad.csv"
    frame.to_csv(bad, index=False)
    with pytest.raises(DataFileError) as raised:
        get_analysis("stability").read(bad)
    assert raised.value.column == column and raised.value.row == row and raised.value.line == row + 1
    assert message in str(raised.value)


def test_summary_names_the_shortest_shelf_life(tmp_path: Path) -> None:
    data = _example(tmp_path)
    options = {"time_unit": "months"}
    result = kinds.workspace_result("stability", data, options)
    lives = section(kinds.workspace_table("stability", data), SHELF_LIFE)
    worst = lives.sort_values("shelf_life").iloc[0]
    summary = get_analysis("stability").summary(result, options)
    assert summary == (
        f"3 shelf lives: shortest {worst['shelf_life']:.4g} months (Purity, 25C, test; lot "
        f"{worst['worst_lot']}, {worst['pooling']}); extrapolated: the data support "
        f"{worst['supported_shelf_life']:.4g} months (ICH Q5C: real-time data); degradation rates equivalent "
        "for 1 of 1 comparison(s) with a margin"
    )
    assert worst["supported_shelf_life"] == worst["max_observed_time"] == 12  # the test lots' last time point


def test_attributes_are_named_by_their_labels_and_else_by_their_codes(tmp_path: Path) -> None:
    """The file's ``label`` column names an attribute wherever a reader sees it (tables, figures, notes,
    summary); the stored table keeps the code in ``attribute`` and the label beside it; an attribute without
    a label is printed as written (``purity_sec``, never ``Purity sec``)."""
    frame = pd.read_csv(_example(tmp_path), keep_default_na=False)
    frame.loc[frame["attribute"] == "purity", ["attribute", LABEL]] = ["purity_sec", ""]
    data = tmp_path / "labelled.csv"
    frame.to_csv(data, index=False)
    options = {"time_unit": "months"}
    result = kinds.workspace_result("stability", data, options)
    table = kinds.workspace_table("stability", data, options)
    potency = "Potency (% of label claim)"
    assert set(table["attribute"]) == {"purity_sec", "potency"}
    assert (
        result["specification"]["potency"][LABEL] == potency
        and LABEL not in result["specification"]["purity_sec"]
    )
    tables = get_analysis("stability").tables(table, options).main
    shown = {row[0] for t in tables for row in t.rows}
    assert shown == {"purity_sec", potency}
    assert f"{potency} 5C reference: shelf life 26 months extrapolates" in " ".join(result["notes"])
    assert "purity_sec 25C test: shelf life" in " ".join(result["notes"])
    plots = {f.item: f.data for f in stability_plots(frame, table, "months")}
    assert set(plots) == {"purity_sec 25C test", "purity_sec 25C reference", f"{potency} 5C reference"}
    labelled = plots[f"{potency} 5C reference"]
    assert isinstance(labelled, XYPlot)
    assert labelled.y_label == potency
    assert labelled.title.startswith(f"{potency} 5C reference: linear model")
    summary = get_analysis("stability").summary(result, options)  # the example's shortest: purity at 25C
    assert "shortest 25.17 months (purity_sec, 25C, test;" in summary  # (the labelled one: the test above)


def test_through_the_api(workspace: kinds.Workspace, tmp_path: Path) -> None:
    run = workspace.api_run("stability", "stability.csv", example_data(), max_time=120)
    assert run["options"]["max_time"] == 120 and run["options"]["lower"] == ""
    assert run["result"] == kinds.workspace_result("stability", _example(tmp_path), {"max_time": 120})


def test_through_the_web_pages(workspace: kinds.Workspace, tmp_path: Path) -> None:
    page, report = workspace.web_run("stability", "stability.csv", example_data(), lower="", max_time="")
    summary = get_analysis("stability").summary(
        kinds.workspace_result("stability", _example(tmp_path)), {"time_unit": "months"}
    )
    for html in (page, report):
        text = kinds.text_of(html)
        assert summary in text
        assert "Shelf life per attribute, condition and product (ICH Q1E Appendix B)" in text
        assert (
            "Equivalence of degradation rates: difference of mean lot slopes, test - reference (90% CI)"
            in text
        )
    assert "Complete result: lot regression" in kinds.text_of(report)
    assert "extrapolates beyond the last time point" in kinds.text_of(report)  # the flags as notes
    # one XY plot per attribute, condition and product: the page draws the chosen one (Plotly), the report all
    assert 'id="fig-stability"' in page and "<option selected>Purity 25C test</option>" in page
    assert report.count('alt="Results per lot against time with the chosen model') == 3
    assert "Stability plots (ICH Q1E Appendix B)" in kinds.text_of(report)
