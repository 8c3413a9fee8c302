"""The ``ada-sensitivity`` and ``ada-drug-tolerance`` kinds (issue #20 in the workspace): a workspace run
has the numbers of ``bioparity ada-sensitivity`` / ``ada-drug-tolerance`` on the same file; the
sensitivity is recomputed here by hand (interpolation on log10 concentration, ``mean + t(0.95, n - 1) SD``,
Shankar et al. 2008 Appendix 2) and the drug tolerance checked on a constructed case (FDA 2019 ADA guidance
section IV.D); the figures draw the input with the cut point; runs go through the API and the web pages."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from bioparity.analyses import get_analysis
from bioparity.analyses.ada_drug_tolerance import example_data as tolerance_example
from bioparity.analyses.ada_sensitivity import example_data as sensitivity_example
from bioparity.analyses.contract import RunView, StoredInput
from bioparity.analyses.figures import XYPlot
from bioparity.analyses.frames import result_frame
from bioparity.analyses.registry import effective_options
from bioparity.errors import InputError
from tests.analyses import kinds_support as kinds


def _write(folder: Path, name: str, content: bytes) -> Path:
    path = folder / name
    path.write_bytes(content)
    return path


@pytest.mark.parametrize("method", ["linear", "4pl"])
def test_sensitivity_run_has_the_numbers_of_the_command(method: str, tmp_path: Path) -> None:
    data, out = _write(tmp_path, "pc.csv", sensitivity_example()), tmp_path / "out.csv"
    kinds.cli_table(
        "ada-sensitivity", str(data), "--cut-point", "1.25", "--method", method, "--out", str(out)
    )
    stored = kinds.workspace_table("ada-sensitivity", data, {"cut_point": 1.25, "method": method})
    kinds.assert_same_table(kinds.read_csv(out), stored)


def test_sensitivity_recomputed_by_hand(tmp_path: Path) -> None:
    data = _write(tmp_path, "pc.csv", sensitivity_example())
    result = kinds.workspace_result("ada-sensitivity", data, {"cut_point": 1.25})
    curves = pd.read_csv(data).groupby(["run", "concentration"])["signal"].mean()
    at_cut = []
    for run in sorted(curves.index.get_level_values(0).unique()):
        curve = curves.loc[run]  # increasing in concentration: interpolate log10(c) on the signal
        at_cut.append(10 ** np.interp(1.25, curve.to_numpy(), np.log10(curve.index.to_numpy())))
    table = result_frame(result)
    assert table["concentration_at_cut_point"].to_numpy() == pytest.approx(at_cut, rel=1e-12)
    t = stats.t.ppf(0.95, len(at_cut) - 1)
    expected = np.mean(at_cut) + t * np.std(at_cut, ddof=1)
    assert result["sensitivity_95"] == pytest.approx(expected, rel=1e-12)
    assert 3.0 < expected < 6.0  # the example's design: the cut point is crossed near 4 ng/mL
    summary = get_analysis("ada-sensitivity").summary(result, {"cut_point": 1.25, "method": "linear"})
    method = "linear interpolation"  # the option's words (stored: linear)
    assert summary == (
        f"sensitivity {expected:.4g} ng/mL (concentration detected in 95% of 6 runs; {method} at cut point "
        "1.25)"
    )


def test_a_run_that_does_not_cross_the_cut_point_is_left_out_and_flagged(tmp_path: Path) -> None:
    rows = [("A", c, s) for c, s in ((1, 1.0), (10, 2.0), (100, 4.0))]
    rows += [("B", c, s) for c, s in ((1, 1.2), (10, 2.4), (100, 4.8))]
    rows += [("C", c, s) for c, s in ((1, 0.5), (10, 0.8), (100, 1.1))]  # never reaches 1.5
    path = tmp_path / "pc.csv"
    pd.DataFrame(rows, columns=["run", "concentration", "signal"]).to_csv(path, index=False)
    result = kinds.workspace_result("ada-sensitivity", path, {"cut_point": 1.5})
    table = result_frame(result)
    # run A: log10 c = 0.5 (signal 1.5 halfway from 1.0 to 2.0); run B: 0.25 of the way from 1.2 to 2.4
    assert table["concentration_at_cut_point"].tolist()[:2] == pytest.approx([10**0.5, 10**0.25], rel=1e-12)
    assert np.isnan(table["concentration_at_cut_point"].iloc[2]) and result["n_runs_used"] == 2
    # run C missed 100 ng/mL: nothing in the tested range is detected in 95% of runs, no sensitivity
    assert result["notes"] == [
        "run C: signal below the cut point even at the highest concentration 100; the concentration detected "
        "in 95% of runs is not within the tested range, sensitivity not reported (remove the run only if it "
        "failed its documented acceptance criteria)."
    ]
    assert result["sensitivity_95"] is None
    flags = get_analysis("ada-sensitivity").flags(table, {})
    assert flags == [("runs left out (cut point not crossed)", 1)]
    main = get_analysis("ada-sensitivity").tables(table, {}).main[0]
    assert main.rows[2] == ("C", "—", "no: not crossed in the tested range") and main.css[2] == "fail"


@pytest.mark.parametrize("kind", ["ada-sensitivity", "ada-drug-tolerance"])
def test_the_cut_point_is_required(kind: str, tmp_path: Path) -> None:
    analysis = get_analysis(kind)
    assert analysis.example is not None
    path = analysis.example.write(tmp_path)
    with pytest.raises(InputError, match="option cut_point is required: the screening cut point"):
        analysis.compute(analysis.read(path), effective_options(analysis, {}))


def test_drug_tolerance_run_has_the_numbers_of_the_command(tmp_path: Path) -> None:
    data, out = _write(tmp_path, "dt.csv", tolerance_example()), tmp_path / "out.csv"
    kinds.cli_table("ada-drug-tolerance", str(data), "--cut-point", "1.25", "--out", str(out))
    stored = kinds.workspace_table("ada-drug-tolerance", data, {"cut_point": 1.25})
    kinds.assert_same_table(kinds.read_csv(out), stored)


def test_drug_tolerance_on_a_constructed_case(tmp_path: Path) -> None:
    # FDA 2019 section IV.D: the highest drug level at which the ADA level is still detected (>= cut point)
    signals = {
        10: (40, 30, 20, 10),  # not detected even without drug
        100: (80, 60, 30, 20),  # detected up to drug 1
        500: (300, 200, 45, 90),  # detected up to 10, again at 100: non-monotone, flagged
        1000: (900, 700, 400, 200),  # detected at every level
    }
    rows = [(a, d, s) for a, values in signals.items() for d, s in zip((0, 1, 10, 100), values, strict=True)]
    path = tmp_path / "dt.csv"
    pd.DataFrame(rows, columns=["ada_level", "drug_level", "signal"]).to_csv(path, index=False)
    result = kinds.workspace_result("ada-drug-tolerance", path, {"cut_point": 50})
    table = result_frame(result)
    assert table["drug_tolerance"].tolist()[1:] == [1.0, 1.0, 100.0] and np.isnan(table["drug_tolerance"][0])
    assert table["detected_at_all_levels"].tolist() == [False, False, False, True]
    assert result["notes"] == [
        "ADA level 10: not detected at the lowest drug level 0.",
        "ADA level 500: detected again above drug level 10 (non-monotone).",
        "ADA level 1000: detected at every drug level tested (tolerance >= 100).",
    ]
    analysis = get_analysis("ada-drug-tolerance")
    assert analysis.summary(result, {"cut_point": 50}) == (
        "ADA 10 ng/mL: not detected without drug; ADA 100 ng/mL: detected up to drug 1 ug/mL; ADA 500 ng/mL: "
        "detected up to drug 1 ug/mL; ADA 1000 ng/mL: detected at every drug level tested (up to 100 ug/mL) "
        "(cut point 50)"
    )
    assert analysis.flags(table, {}) == [("ADA levels not detected without drug", 1)]


def _figure(kind: str, path: Path, options: dict[str, float]) -> tuple[XYPlot, RunView]:
    analysis = get_analysis(kind)
    settings = effective_options(analysis, options)
    result = dict(analysis.compute(analysis.read(path), settings))
    view = RunView(
        kind, settings, result_frame(result), (StoredInput("0", kind, lambda: pd.read_csv(path)),), result
    )
    (figure,) = analysis.figures(view)
    assert isinstance(figure.data, XYPlot)
    return figure.data, view


def test_figures_draw_the_input_with_the_cut_point(tmp_path: Path) -> None:
    curves = _write(tmp_path, "pc.csv", sensitivity_example())
    plot, view = _figure("ada-sensitivity", curves, {"cut_point": 1.25})
    means = pd.read_csv(curves).groupby(["run", "concentration"])["signal"].mean()
    assert [p.name for p in plot.points] == [f"run R{i}" for i in range(1, 7)]
    assert plot.points[0].y == pytest.approx(means.loc["R1"].tolist(), rel=1e-15) and plot.log_x
    assert [h.value for h in plot.hlines] == [1.25]
    assert [v.value for v in plot.vlines] == [view.result["sensitivity_95"]]

    tolerance = _write(tmp_path, "dt.csv", tolerance_example())
    plot, _ = _figure("ada-drug-tolerance", tolerance, {"cut_point": 1.25})
    means = pd.read_csv(tolerance).groupby(["ada_level", "drug_level"])["signal"].mean()
    assert [p.name for p in plot.points] == [
        "ADA 100 ng/mL",
        "ADA 250 ng/mL",
        "ADA 500 ng/mL",
        "ADA 1000 ng/mL",
    ]
    assert plot.x_unit == "ug/mL"
    assert plot.points[3].y == pytest.approx(means.loc[1000.0].tolist(), rel=1e-15)
    assert [h.value for h in plot.hlines] == [1.25] and not plot.log_x  # drug level 0 is on the axis


def test_through_the_api_and_the_web_pages(workspace: kinds.Workspace, tmp_path: Path) -> None:
    run = workspace.api_run("ada-sensitivity", "pc.csv", sensitivity_example(), cut_point=1.25)
    expected = kinds.workspace_result(
        "ada-sensitivity", _write(tmp_path, "pc.csv", sensitivity_example()), {"cut_point": 1.25}
    )
    assert run["result"] == expected
    page, report = workspace.web_run("ada-drug-tolerance", "dt.csv", tolerance_example(), cut_point="1.25")
    for html in (page, report):
        text = kinds.text_of(html)
        assert (
            "ADA 100 ng/mL: detected up to drug 1 ug/mL; ADA 250 ng/mL: detected up to drug 10 ug/mL" in text
        )
        assert "ADA level (ng/mL)" in text and "highest drug level detected (ug/mL)" in text
        assert "Drug tolerance per ADA level (detected: mean signal >= cut point 1.25)" in text


def test_a_run_missing_the_top_concentration_is_stored_without_a_sensitivity(
    workspace: kinds.Workspace,
) -> None:
    """Run R3 stays below the cut point 1418.6 at 250 ng/mL: no concentration in the tested range is detected
    in 95% of runs, so the stored sensitivity is null (strict JSON), the summary and the table show a dash
    and the note says why; the other runs' concentrations are those of R 4.2
    ``10^approx(signal, log10(conc), xout = 1418.6)$y`` (R1 18.1180974703)."""
    rows = ["run,concentration,signal"] + [
        f"{run},{c},{s}"
        for run, signals in (
            ("R1", (900, 1300, 2400, 6000)),
            ("R2", (850, 1200, 2200, 5200)),
            ("R3", (700, 800, 950, 1300)),
        )
        for c, s in zip((3.9, 15.6, 62.5, 250), signals, strict=True)
    ]
    run = workspace.api_run("ada-sensitivity", "pc.csv", ("\n".join(rows) + "\n").encode(), cut_point=1418.6)
    result = run["result"]
    assert result["sensitivity_95"] is None
    assert result_frame(result)["concentration_at_cut_point"][0] == pytest.approx(18.1180974703, rel=1e-9)
    assert result["notes"][0].startswith(
        "run R3: signal below the cut point even at the highest concentration 250"
    )
    summary = get_analysis("ada-sensitivity").summary(result, {"cut_point": 1418.6, "method": "linear"})
    assert summary.startswith("sensitivity — (")
