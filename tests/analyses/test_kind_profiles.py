"""The ``profiles`` kind (issue #23 in the workspace): the numbers of a workspace run are those of
``bioparity profile`` on the same file (the command is checked against R's Aitchison distances in
tests/cmc), one plot per species draws the lots against the reference range, and a run goes through the API
and the web pages (run page and HTML report with the kind's tables, plots and summary)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from bioparity.analyses import get_analysis
from bioparity.analyses.contract import RunView
from bioparity.analyses.figures import BarPlot
from bioparity.analyses.frames import result_frame
from bioparity.analyses.profiles import LOTS, SPECIES, section
from tests.analyses import kinds_support as kinds
from tests.conftest import REFERENCE

DATA = REFERENCE / "cmc" / "data_profile.csv"


@pytest.mark.parametrize(
    ("flags", "options"),
    [
        ([], {}),
        (
            ["--k", "2", "--threshold", "q0.9", "--test", "reference", "--reference", "test"],
            {"k": 2.0, "threshold": "q0.9", "test": "reference", "reference": "test"},
        ),
    ],
)
def test_a_workspace_run_has_the_numbers_of_the_command(
    flags: list[str], options: dict[str, object], tmp_path: Path
) -> None:
    out, species = tmp_path / "lots.csv", tmp_path / "species.csv"
    kinds.cli_table("profile", str(DATA), *flags, "--out", str(out), "--species-out", str(species))
    stored = kinds.workspace_table("profiles", DATA, options)
    kinds.assert_same_table(kinds.read_csv(out), section(stored, LOTS))
    kinds.assert_same_table(kinds.read_csv(species), section(stored, SPECIES))


def test_the_stored_distances_agree_with_r() -> None:
    """Aitchison distances computed in R (tests/data/reference/cmc/make_reference.R, case ``profile``)."""
    ref = pd.read_csv(REFERENCE / "cmc" / "ref_stability.csv", dtype=str).query("case == 'profile'")
    want = {str(n): float(v) for n, v in zip(ref["name"], ref["value"], strict=True)}
    lots = section(kinds.workspace_table("profiles", DATA), LOTS)
    assert len(lots) == 13
    for lot, distance in zip(lots["lot"], lots["distance"], strict=True):
        assert distance == pytest.approx(want[f"distance_{lot}"], rel=1e-10)


def test_zeros_are_replaced_only_when_asked(tmp_path: Path) -> None:
    frame = pd.read_csv(DATA)
    frame.loc[(frame["lot"] == "T02") & (frame["species"] == "Man5"), "value"] = 0.0
    data = tmp_path / "zeros.csv"
    frame.to_csv(data, index=False)
    with pytest.raises(Exception, match="zero"):
        kinds.workspace_result("profiles", data)
    out = tmp_path / "lots.csv"
    kinds.cli_table("profile", str(data), "--zero-replacement", "0.01", "--out", str(out))
    stored = kinds.workspace_result("profiles", data, {"zero_replacement": 0.01})
    kinds.assert_same_table(kinds.read_csv(out), section(result_frame(stored), LOTS))
    assert any("T02" in note for note in stored["notes"])  # the replaced part is stated with the result


def test_one_bar_chart_per_species_with_the_reference_range() -> None:
    result = kinds.workspace_result("profiles", DATA)
    view = RunView("profiles", {}, result_frame(result), (), result)
    figures = get_analysis("profiles").figures(view)
    ranges = section(result_frame(result), SPECIES).set_index("species")
    species = [f for f in figures if f.series == "species"]
    assert [f.item for f in species] == list(ranges.index)
    g0f = species[0].data
    assert isinstance(g0f, BarPlot) and g0f.y_title == "G0F (%)"
    frame = pd.read_csv(DATA)
    assert [s.name for s in g0f.series] == ["reference", "test"]  # the yardstick first
    for bars in g0f.series:
        lots = frame[(frame["species"] == "G0F") & (frame["source"] == bars.name)]
        assert bars.categories == lots["lot"].tolist() and bars.values == lots["value"].tolist()
    assert [(b.lower, b.upper) for b in g0f.bands] == [
        (ranges.loc["G0F", "range_lower"], ranges.loc["G0F", "range_upper"])
    ]
    assert [h.value for h in g0f.hlines] == [ranges.loc["G0F", "reference_mean"]]
    assert g0f.title == "G0F: 2/5 test lots within the reference range" and not g0f.shared()
    for name, figure in zip(ranges.index, species, strict=True):  # the bars outside the range are marked
        plot = figure.data
        assert isinstance(plot, BarPlot) and plot.marked_label == "outside the reference range"
        test = next(b for b in plot.series if b.name == "test")
        low, high = ranges.loc[name, "range_lower"], ranges.loc[name, "range_upper"]
        assert test.marked == [not low <= v <= high for v in test.values]
        assert test.marked.count(False) == ranges.loc[name, "n_test_within"]


def test_the_distances_against_the_threshold() -> None:
    result = kinds.workspace_result("profiles", DATA)
    figures = get_analysis("profiles").figures(RunView("profiles", {}, result_frame(result), (), result))
    plot = figures[0].data
    assert figures[0].key == "distances" and not figures[0].series and isinstance(plot, BarPlot)
    lots = section(result_frame(result), LOTS)
    for bars in plot.series:
        mine = lots[lots["source"] == bars.name]
        assert bars.categories == mine["lot"].tolist() and bars.values == mine["distance"].tolist()
    assert [h.value for h in plot.hlines] == [result["threshold"]]
    test = next(b for b in plot.series if b.name == "test")
    assert test.marked.count(False) == result["n_test_within"] == 1  # beyond the threshold: marked


def test_through_the_api(workspace: kinds.Workspace) -> None:
    run = workspace.api_run("profiles", "glycans.csv", DATA.read_bytes(), k=2.5)
    assert run["options"]["k"] == 2.5 and run["options"]["zero_replacement"] == ""
    assert run["result"] == kinds.workspace_result("profiles", DATA, {"k": 2.5})


def test_through_the_web_pages(workspace: kinds.Workspace) -> None:
    page, report = workspace.web_run("profiles", "glycans.csv", DATA.read_bytes(), zero_replacement="")
    summary = get_analysis("profiles").summary(kinds.workspace_result("profiles", DATA), {"k": 3.0})
    assert summary.startswith("profile similar: no; 1 of 5 test lots within the reference-to-reference")
    for html in (page, report):
        text = kinds.text_of(html)
        assert summary in text
        assert "Per-species quality ranges: reference mean ± 3 SD (%) and the test lots within" in text
        assert "Whole profile: Aitchison distance to the reference centre (threshold max = 0.1493)" in text
    assert report.count("data:image/svg+xml;base64,") == 7  # the distances, one bar chart per species
    assert 'alt="Percent of G0F per lot by source with the reference range"' in report
    assert 'id="fig-distances"' in page and 'id="fig-profile"' in page
    assert "Species plots" in kinds.text_of(report)
