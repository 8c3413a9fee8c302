"""The x/y figures of the stability, potency and ADA cut-point kinds (issues #19, #20, #23): the points are
the input data, the lines are the fitted models of the stored result (checked against ordinary least squares
refitted here with NumPy, the stored residual variance and the parallel shift by the relative potency), the
reference lines are the specification limits and the cut point; both renderers draw them (the matplotlib
SVG byte for byte the same on every render, the Plotly JSON with the same numbers)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from bioparity.analyses import get_analysis
from bioparity.analyses import potency as potency_kind
from bioparity.analyses.ada_cutpoint import REMOVED
from bioparity.analyses.ada_cutpoint import example_data as ada_example
from bioparity.analyses.contract import RunView, StoredInput
from bioparity.analyses.figures import Figure, XYPlot
from bioparity.analyses.frames import result_frame
from bioparity.analyses.potency import fitted_response
from bioparity.analyses.registry import effective_options
from bioparity.analyses.stability import CROSSING, LOTS, SHELF_LIFE, section
from bioparity.analyses.stability import example_data as stability_example
from bioparity.report.static import xy_svg
from bioparity.web.plots import figure_json
from tests.conftest import REFERENCE
from tests.potency._ref import FOLDER, write_three_assays


def _figures(kind: str, path: Path, options: Mapping[str, Any] | None = None) -> tuple[list[Figure], RunView]:
    """The kind's figures of a run of ``path`` (the stored input loaded as the workspace loads it)."""
    analysis = get_analysis(kind)
    settings = effective_options(analysis, dict(options or {}))
    result = dict(analysis.compute(analysis.read(path), settings))
    view = RunView(
        kind, settings, result_frame(result), (StoredInput("0", kind, lambda: pd.read_csv(path)),), result
    )
    return analysis.figures(view), view


def _xy(figure: Figure) -> XYPlot:
    assert isinstance(figure.data, XYPlot)
    return figure.data


def _write(path: Path, content: bytes) -> Path:
    path.write_bytes(content)
    return path


@pytest.mark.parametrize("model", ["linear", "log"])
def test_stability_points_are_the_results_and_lines_the_lot_regressions(model: str, tmp_path: Path) -> None:
    data_path = _write(tmp_path / "stability.csv", stability_example())
    figures, view = _figures("stability", data_path, {"model": model})
    lives = section(view.table, SHELF_LIFE)
    # each analysis under the attribute's label (the example's label column)
    assert [f.item for f in figures] == [
        "Purity 25C test",
        "Purity 25C reference",
        "Potency (% of label claim) 5C reference",
    ]
    assert {f.series for f in figures} == {"analysis"}
    data = pd.read_csv(data_path)
    lots = section(view.table, LOTS)
    for figure, life in zip(figures, lives.to_dict("records"), strict=True):
        plot = _xy(figure)
        rows = data[(data["attribute"] == life["attribute"]) & (data["condition"] == life["condition"])]
        rows = rows[rows["product"] == life["product"]]
        measured = [p for p in plot.points if p.name != CROSSING]
        assert {p.name for p in measured} == {f"lot {lot}" for lot in rows["lot"]}
        for p in measured:
            lot = rows[rows["lot"] == p.name.removeprefix("lot ")]
            assert p.x == lot["time"].tolist() and p.y == lot["value"].tolist()
        assert [(h.value, h.label) for h in plot.hlines] == [
            (life["lower"], f"lower criterion {life['lower']:g}")
        ]
        # extrapolated: the supported shelf life dotted, the shelf life dashed beyond it
        shelf, supported = life["shelf_life"], life["supported_shelf_life"]
        lines = [(supported, False), (shelf, True)] if supported < shelf else [(shelf, False)]
        assert [(v.value, v.dashed) for v in plot.vlines] == lines
        mine = lots[(lots["attribute"] == life["attribute"]) & (lots["product"] == life["product"])]
        expected = mine.iloc[:1] if life["pooling"] == "cics" else mine
        assert len(plot.lines) == len(expected)
        for line, lot in zip(plot.lines, expected.to_dict("records"), strict=True):
            mean = lot["fitted_intercept"] + lot["fitted_slope"] * np.asarray(line.x)
            want = np.exp(mean) if model == "log" else mean
            assert line.y == pytest.approx(want, rel=1e-12)
            assert line.x[0] == 0.0 and line.x[-1] >= life["shelf_life"]
    # dids (purity, test product): each lot's line is that lot's own least-squares line
    test_plot = _xy(figures[0])
    assert lives.iloc[0]["pooling"] == "dids"
    for p, line in zip(test_plot.points[:-1], test_plot.lines, strict=True):
        y = np.log(p.y) if model == "log" else np.asarray(p.y)
        slope, intercept = np.polyfit(p.x, y, 1)
        fitted = intercept + slope * np.asarray(line.x)
        assert line.y == pytest.approx(np.exp(fitted) if model == "log" else fitted, rel=1e-9)


#: The R reference data sets (tests/data/reference/cmc/make_reference.R): criterion, model, and the variance
#: of separate lines (dids: each lot's own fit, or the pooled MSE of the full model).
R_CASES = {
    "cics": ("lower", 95.0, "linear", "separate"),
    "dics": ("lower", 95.0, "linear", "separate"),
    "dids": ("lower", 95.0, "linear", "separate"),
    "dids-pooled": ("lower", 95.0, "linear", "pooled"),
    "logm": ("upper", 5.0, "log", "separate"),
}


@pytest.mark.parametrize("case", sorted(R_CASES))
def test_stability_bounds_are_r_predict_bounds_and_meet_the_criterion_at_the_shelf_life(
    case: str, tmp_path: Path
) -> None:
    """The dashed curves are R's ``predict(interval = "confidence", level = 0.90)`` bound at t = 12 (to
    1e-8) of the model R's decision flow chose; the marked point is at the shelf life, where the worst
    lot's bound equals the criterion."""
    side, limit, model, variance = R_CASES[case]
    data_set = case.split("-")[0]
    data = pd.read_csv(REFERENCE / "cmc" / f"data_stability_{data_set}.csv")
    path = _write(
        tmp_path / "s.csv", data.assign(attribute="a", **{side: limit}).to_csv(index=False).encode()
    )
    figures, view = _figures("stability", path, {"model": model, "dids_variance": variance})
    ref = pd.read_csv(REFERENCE / "cmc" / "ref_stability.csv", dtype=str).query(f"case == '{data_set}'")
    want = {str(n): str(v) for n, v in zip(ref["name"], ref["value"], strict=True)}
    life = section(view.table, SHELF_LIFE).iloc[0]
    assert life["pooling"] == want["pooling"]
    name = "dids_sep" if life["pooling"] == "dids" and variance == "separate" else want["pooling"]
    plot = _xy(figures[0])
    assert plot.bounds_label == "one-sided 95% bound of the mean"
    lots = sorted(set(data["lot"]))
    names = ["pooled line (cics)"] if life["pooling"] == "cics" else [f"lot {lot}" for lot in lots]
    assert [b.name for b in plot.bounds] == names
    for bound in plot.bounds:
        lot = lots[0] if bound.name.startswith("pooled") else bound.name.removeprefix("lot ")
        at12 = bound.y[bound.x.index(12.0)]
        got = math.log(at12) if model == "log" else at12
        assert got == pytest.approx(float(want[f"bound12_{name}_{lot}"]), rel=1e-8)
    crossing = next(p for p in plot.points if p.name == CROSSING)
    assert crossing.x == [life["shelf_life"]] and crossing.y == [limit]
    worst = next(b for b in plot.bounds if b.name in (f"lot {life['worst_lot']}", "pooled line (cics)"))
    assert worst.y[worst.x.index(life["shelf_life"])] == pytest.approx(limit, rel=1e-9)
    assert life["shelf_life"] == pytest.approx(
        min(float(want[f"crossing_{name}_{lot}"]) for lot in lots), rel=1e-8
    )


@pytest.mark.parametrize(
    ("file", "model"),
    [("data_4pl.csv", "4pl"), ("data_5pl.csv", "5pl")],
)
def test_potency_curves_give_the_stored_residual_variance(file: str, model: str) -> None:
    """The curves drawn are the fitted model: at the data's doses they leave residuals whose mean square
    on the residual df is the stored s^2, and the test curve is the standard's shifted by the potency."""
    (figure,), view = _figures("potency", FOLDER / file, {"model": model})
    plot = _xy(figure)
    (row,) = view.records
    data = pd.read_csv(FOLDER / file)
    for p in plot.points:
        part = data[data["sample"] == p.name]
        assert p.x == part["dose"].tolist() and p.y == part["response"].tolist()
    fitted = [
        fitted_response(row, s != "standard", d) for s, d in zip(data["sample"], data["dose"], strict=True)
    ]
    residual = data["response"].to_numpy() - np.asarray(fitted)
    assert float(residual @ residual) / row["df"] == pytest.approx(row["residual_variance"], rel=1e-9)
    assert [line.name for line in plot.lines] == ["standard", "test"]
    standard, test = plot.lines
    assert test.y == [fitted_response(row, True, d) for d in test.x]
    assert plot.log_x  # parallel model: test(dose) = standard(dose * relative potency)
    rp = row["relative_potency"]
    assert test.y == pytest.approx([fitted_response(row, False, d * rp) for d in test.x], rel=1e-10)
    assert standard.x[0] == data["dose"].min() and standard.x[-1] == data["dose"].max()


def test_potency_slope_ratio_lines_are_the_least_squares_lines() -> None:
    """Ph. Eur. 5.3 section 3.3.1: y = a + b_S dose_S + b_T dose_T with a common intercept, refitted here."""
    (figure,), _ = _figures("potency", FOLDER / "data_slope_ratio.csv", {"model": "slope-ratio"})
    data = pd.read_csv(FOLDER / "data_slope_ratio.csv")
    is_standard = (data["sample"] == "standard").to_numpy()
    design = np.column_stack([np.ones(len(data)), data["dose"] * is_standard, data["dose"] * ~is_standard])
    a, b_s, b_t = np.linalg.lstsq(design, data["response"], rcond=None)[0]
    standard, test = _xy(figure).lines
    assert not _xy(figure).log_x and standard.x[0] == 0.0 and standard.x[-1] == 4.0
    assert standard.y == pytest.approx(a + b_s * np.asarray(standard.x), rel=1e-10)
    assert test.y == pytest.approx(a + b_t * np.asarray(test.x), rel=1e-10)


def test_potency_parallel_lines_are_shifted_by_the_potency() -> None:
    (figure,), view = _figures("potency", FOLDER / "data_parallel_line_rb.csv", {"model": "parallel-line"})
    (row,) = view.records
    standard, test = _xy(figure).lines
    rp = row["relative_potency"]
    assert test.y == pytest.approx([fitted_response(row, False, d * rp) for d in test.x], rel=1e-10)
    assert standard.y == [fitted_response(row, False, d) for d in standard.x]


def test_potency_draws_one_figure_per_assay_up_to_the_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = write_three_assays(tmp_path / "three.csv")
    figures, _ = _figures("potency", data, {"combine": True})
    assert [f.item for f in figures] == ["A1", "A2", "A3"] and {f.series for f in figures} == {"assay"}
    monkeypatch.setattr(potency_kind, "MAX_ASSAY_FIGURES", 2)
    figures, _ = _figures("potency", data, {"combine": True})
    assert [f.item for f in figures] == ["A1", "A2"]
    assert "The first 2 of 3 assays are drawn." in figures[0].note


def test_potency_log_transform_draws_the_ln_responses(tmp_path: Path) -> None:
    (figure,), _ = _figures("potency", FOLDER / "data_4pl.csv", {"transform": "log"})
    plot = _xy(figure)
    data = pd.read_csv(FOLDER / "data_4pl.csv")
    assert plot.y_label == "ln response"
    assert plot.points[0].y == pytest.approx(
        np.log(data[data["sample"] == "standard"]["response"]), rel=1e-15
    )


def test_ada_screening_signals_and_cut_point(ada_run: tuple[Path, list[Figure], RunView]) -> None:
    path, (figure, *_distributions), view = ada_run
    plot = _xy(figure)
    chosen = next(r for r in view.records if r["tier"] == "screening" and r["selected"])
    assert chosen["transform"] == "log" and plot.log_y
    assert [h.value for h in plot.hlines] == [chosen["cut_point"]]
    data = pd.read_csv(path)
    index = {d: i + 1 for i, d in enumerate(dict.fromkeys(data["donor"]))}
    drawn = sorted((x, y) for p in plot.points for x, y in zip(p.x, p.y, strict=True))
    assert drawn == sorted(zip(data["donor"].map(index).astype(float), data["signal"], strict=True))
    removed = next(p for p in plot.points if p.name == REMOVED)  # donor D08, all its runs
    assert removed.x == [8.0, 8.0, 8.0] and removed.y == data[data["donor"] == "D08"]["signal"].tolist()
    assert [p.name for p in plot.points] == ["run R1", "run R2", "run R3", REMOVED]


@pytest.fixture(scope="module")
def ada_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Figure], RunView]:
    """The ADA example with a confirmatory tier: its file, figures and run (computed once)."""
    path = _write(tmp_path_factory.mktemp("ada") / "validation.csv", ada_example())
    return path, *_figures("ada-cutpoint", path, {"confirm_fpr": 0.01})


@pytest.mark.parametrize("tier", ["screening", "confirmatory"])
def test_ada_histogram_and_qq_plot_draw_the_analysed_values_with_the_cut_points(
    tier: str, ada_run: tuple[Path, list[Figure], RunView]
) -> None:
    path, figures, view = ada_run
    assert [f.key for f in figures] == [
        "ada-screening",
        "ada-histogram-screening",
        "ada-qq-screening",
        "ada-histogram-confirmatory",
        "ada-qq-confirmatory",
    ]
    chosen = next(r for r in view.records if r["tier"] == tier and r["selected"])
    histogram = _xy(next(f for f in figures if f.key == f"ada-histogram-{tier}"))
    qq = _xy(next(f for f in figures if f.key == f"ada-qq-{tier}"))
    # the values drawn are those the cut point was computed from: rebuilt here from the input file
    data = pd.read_csv(path)
    value = data["signal"] if tier == "screening" else 100 * (1 - data["signal_drug"] / data["signal"])
    means = data.assign(value=value).groupby(["donor", "run"])["value"].mean().reset_index()
    removed = {(o["donor"], o["run"]) for o in view.result["removed_values"] if o["tier"] == tier}
    gone = [
        (d, r) in removed or (d, "") in removed for d, r in zip(means["donor"], means["run"], strict=True)
    ]
    kept = means.loc[~np.asarray(gone), "value"].to_numpy(float)
    expected = np.sort(np.log(kept) if chosen["transform"] == "log" else np.asarray(kept))
    assert qq.points[0].y == pytest.approx(expected.tolist(), rel=1e-12)
    assert len(expected) == chosen["n_values"]
    assert np.mean(expected) == pytest.approx(chosen["mean_t"], rel=1e-12)
    assert np.std(expected, ddof=1) == pytest.approx(chosen["sd_t"], rel=1e-12)
    # R qqnorm: qnorm(ppoints(n)), ppoints(n) = (1:n - 1/2) / n for n > 10
    n = len(expected)
    assert qq.points[0].x == pytest.approx(
        stats.norm.ppf((np.arange(1, n + 1) - 0.5) / n).tolist(), rel=1e-12
    )
    # the reported cut point on the analysis scale (its data-scale value back-transformed)
    reported = chosen[f"{chosen['method']}_t"]
    assert [h.value for h in qq.hlines] == [v.value for v in histogram.vlines] == [reported]
    on_data_scale = np.exp(reported) if chosen["transform"] == "log" else reported
    assert on_data_scale == pytest.approx(chosen["cut_point"], rel=1e-12)
    outline = histogram.lines[0]  # bar outline: the counts sum to the number of values
    counts = outline.y[1:-1:2]
    assert sum(counts) == n and outline.x[0] <= expected[0] and outline.x[-1] >= expected[-1]


def test_the_qq_plot_draws_the_donor_means_the_normality_test_judged(
    ada_run: tuple[Path, list[Figure], RunView],
) -> None:
    """``method = auto`` tests normality on the donor means across runs: the QQ plot draws them beside the
    donor-run values, and they are the values R's test was run on (shipped example, screening tier, donor
    D08 removed: R 4.2.2 ``shapiro.test`` of the 23 means of ln signal, W = 0.917479, p = 0.0588473)."""
    _, figures, view = ada_run
    qq = _xy(next(f for f in figures if f.key == "ada-qq-screening"))
    assert [p.name for p in qq.points] == ["donor-run values", "donor means (tested for normality)"]
    means = np.asarray(qq.points[1].y)
    chosen = next(r for r in view.records if r["tier"] == "screening" and r["selected"])
    assert means.size == chosen["shapiro_n"] == 23
    assert list(means) == sorted(means)
    w, p = stats.shapiro(means)
    assert (w, p) == pytest.approx((0.917479, 0.0588473), rel=1e-5)
    assert qq.points[1].x == pytest.approx(stats.norm.ppf((np.arange(1, 24) - 0.5) / 23).tolist(), rel=1e-12)


def test_both_renderers_draw_the_same_numbers(tmp_path: Path) -> None:
    ada, _ = _figures("ada-cutpoint", _write(tmp_path / "v.csv", ada_example()))
    stability, _ = _figures("stability", _write(tmp_path / "s.csv", stability_example()))
    potency, _ = _figures("potency", FOLDER / "data_4pl.csv")
    for figure in (ada[0], stability[0], potency[0]):
        plot = _xy(figure)
        svg = xy_svg(plot)
        assert svg.startswith("<?xml") and svg == xy_svg(plot)  # deterministic: byte-identical renders
        plotly = figure_json(plot)
        traces = plotly["data"]
        drawn = (*plot.points, *plot.lines, *plot.bounds)
        assert [t["name"].split(":")[0] for t in traces[: len(drawn)]] == [s.name for s in drawn]
        assert [t["y"] for t in traces[: len(drawn)]] == [s.y for s in drawn]
        assert [t["line"]["dash"] for t in traces[len(plot.points) + len(plot.lines) : len(drawn)]] == [
            "dash"
        ] * len(plot.bounds)
        if plot.bounds:  # one legend key for the dashed bounds
            assert traces[len(drawn) :] == [
                {"type": "scatter", "mode": "lines", "name": plot.bounds_label, "x": [None], "y": [None],
                 "line": {"color": "#444444", "width": 1.1, "dash": "dash"}, "hoverinfo": "skip"}
            ]  # fmt: skip
            assert svg.count("stroke-dasharray") >= len(plot.bounds)
        lines = [s for s in plotly["layout"]["shapes"] if s.get("xref") == "paper"]
        assert [s["y0"] for s in lines] == [h.value for h in plot.hlines]
        assert plotly["layout"]["yaxis"]["type"] == ("log" if plot.log_y else "linear")
        assert plotly["layout"]["xaxis"]["type"] == ("log" if plot.log_x else "linear")
    vertical = [s for s in figure_json(stability[0].data)["layout"]["shapes"] if s.get("yref") == "paper"]
    assert [s["x0"] for s in vertical] == [v.value for v in _xy(stability[0]).vlines]
    assert math.isfinite(vertical[0]["x0"])


def test_no_figure_without_the_input_columns(tmp_path: Path) -> None:
    analysis = get_analysis("ada-cutpoint")
    path = _write(tmp_path / "v.csv", ada_example())
    result = dict(analysis.compute(analysis.read(path), effective_options(analysis, {})))
    other = StoredInput("0", None, lambda: pd.DataFrame({"x": [1.0]}))
    assert analysis.figures(RunView("ada-cutpoint", {}, result_frame(result), (other,), result)) == []
    assert analysis.figures(RunView("ada-cutpoint", {}, result_frame(result), (), result)) == []


def test_ada_titration_cut_point_is_drawn_on_the_screening_values(tmp_path: Path) -> None:
    path = _write(tmp_path / "validation.csv", ada_example())
    figures, view = _figures("ada-cutpoint", path, {"titration_fpr": 0.001})
    assert [f.key for f in figures] == ["ada-screening", "ada-histogram-screening", "ada-qq-screening"]
    chosen = {r["tier"]: r for r in view.records if r["selected"]}
    qq = _xy(figures[2])
    expected = [chosen[t][f"{chosen[t]['method']}_t"] for t in ("screening", "titration")]
    assert [h.value for h in qq.hlines] == expected and expected[1] > expected[0]
    assert [h.label.split(" cut point")[0] for h in qq.hlines] == ["screening", "titration"]
