"""Shelf life against a lower AND an upper acceptance criterion: two-sided 95% limits (ICH Q1E Appendix B.1).

ICH Q1E (CPMP/ICH/420/02, 2003), Appendix B.1: "For an attribute that can either increase or decrease, or
whose direction of change is not known, two-sided 95 percent confidence limits should be calculated and
compared to the upper and lower acceptance criteria"; with one criterion the bound is one-sided 95%.

Reference values from R 4.2 (independent of bioparity), potency of three lots, ``dics`` chosen by the
ANCOVA (slopes p 0.399 >= 0.25, intercepts p 0.000989 < 0.25)::

    dics <- lm(value ~ time + lot, p)
    lo <- function(t) predict(dics, data.frame(time = t, lot = "L2"), interval = "confidence",
                              level = LV)[2] - 80
    uniroot(lo, c(0, 120), tol = 1e-12)$root
    # LV = 0.95 (two-sided 95%, 97.5% per side): L1 40.91793958, L2 37.74564286, L3 42.31254427
    # LV = 0.90 (one-sided 95%):                 L1 41.56244329, L2 38.33579681, L3 42.98128396
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from bioparity.analyses.figures import XYPlot
from bioparity.analyses.stability import SHELF_LIFE, section, stability_plots
from bioparity.cli.main import app
from bioparity.stability import fit_stability
from bioparity.stability.core import bound_level
from tests.analyses import kinds_support as kinds

TIMES = [0, 3, 6, 9, 12, 18, 24]
POTENCY = {
    "L1": [102.13, 99.48, 97.44, 94.83, 94.41, 92.58, 89.47],
    "L2": [98.36, 98.03, 96.85, 94.54, 93.4, 89.69, 88.27],
    "L3": [100.81, 99.09, 99.31, 97.47, 93.94, 93.03, 91.62],
}
#: R uniroot of the lower limit of predict(..., interval = "confidence", level = 0.95) at 80 (two-sided 95%)
R_TWO_SIDED = {"L1": 40.91793958, "L2": 37.74564286, "L3": 42.31254427}
#: the same at level = 0.90 (one-sided 95%)
R_ONE_SIDED = {"L1": 41.56244329, "L2": 38.33579681, "L3": 42.98128396}


def _data() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    time = np.tile(np.asarray(TIMES, dtype=float), 3)
    value = np.concatenate([POTENCY[lot] for lot in ("L1", "L2", "L3")])
    lot = np.repeat(["L1", "L2", "L3"], len(TIMES))
    return time, value, lot


def test_both_criteria_give_two_sided_95_percent_limits_as_r() -> None:
    time, value, lot = _data()
    r = fit_stability(time, value, lot, lower=80.0, upper=120.0)
    assert r.pooling == "dics"
    assert r.two_sided and r.bound_level == pytest.approx(0.975, abs=1e-15)
    assert r.lot_shelf_life == pytest.approx([R_TWO_SIDED[k] for k in ("L1", "L2", "L3")], rel=1e-7)
    assert r.shelf_life == pytest.approx(37.74564286, rel=1e-7) and r.worst_lot == "L2"
    row = r.summary_row()
    assert row["two_sided"] is True and row["bound_level"] == pytest.approx(0.975)
    assert "95% two-sided bound" in r.summary()


def test_one_criterion_keeps_the_one_sided_bound() -> None:
    time, value, lot = _data()
    r = fit_stability(time, value, lot, lower=80.0)
    assert not r.two_sided and r.bound_level == 0.95
    assert r.shelf_life == pytest.approx(R_ONE_SIDED["L2"], rel=1e-7)
    # an attribute known to decrease, with both criteria, may impose the one-sided bound
    forced = fit_stability(time, value, lot, lower=80.0, upper=120.0, two_sided=False)
    assert forced.lot_shelf_life == pytest.approx([R_ONE_SIDED[k] for k in ("L1", "L2", "L3")], rel=1e-7)


def test_upper_side_uses_the_same_two_sided_level() -> None:
    """The mirror image 200 - value against 80-120 crosses the upper criterion at the same times."""
    time, value, lot = _data()
    r = fit_stability(time, 200.0 - value, lot, lower=80.0, upper=120.0)
    assert r.shelf_life == pytest.approx(R_TWO_SIDED["L2"], rel=1e-7)
    # the bound at the shelf life is on the criterion
    at = r.bound(r.shelf_life, "upper")[list(r.lots).index("L2"), 0]
    assert at == pytest.approx(120.0, abs=1e-6)


def test_bound_level_of_two_sided_limits() -> None:
    # 95% two-sided limits: 2.5% in each tail; one-sided 95%: 5% in one tail
    assert bound_level(0.95, True) == pytest.approx(0.975, abs=1e-15)
    assert bound_level(0.90, True) == pytest.approx(0.95, abs=1e-15)
    assert bound_level(0.95, False) == 0.95


def test_the_workspace_kind_reports_and_draws_two_sided_limits(tmp_path: Path) -> None:
    time, value, lot = _data()
    frame = pd.DataFrame({"attribute": "potency", "lot": lot, "time": time, "value": value})
    path = tmp_path / "potency.csv"
    frame.to_csv(path, index=False)
    table = kinds.workspace_table("stability", path, {"lower": 80.0, "upper": 120.0})
    life = section(table, SHELF_LIFE).iloc[0]
    assert float(life["shelf_life"]) == pytest.approx(R_TWO_SIDED["L2"], rel=1e-7)
    assert bool(life["two_sided"]) and float(life["bound_level"]) == pytest.approx(0.975)
    (figure,) = stability_plots(frame, table, "months")
    plot = figure.data
    assert isinstance(plot, XYPlot)
    assert (
        plot.title.endswith("two-sided 95% limits")
        and plot.bounds_label == "two-sided 95% limits of the mean"
    )
    # the crossing marked on the figure is where L2's lower 97.5% bound meets 80
    (crossing,) = [p for p in plot.points if p.x == [float(life["shelf_life"])]]
    assert crossing.y == [80.0]


@pytest.mark.parametrize(("unit_line", "unit"), [("time_unit: weeks\n", "weeks"), ("", "months")])
def test_the_command_states_the_shelf_life_in_the_spec_time_unit(
    tmp_path: Path, unit_line: str, unit: str
) -> None:
    """``bioparity stability`` prints the two-sided shelf life of R (37.75, worst lot L2) in the spec's
    ``time_unit`` (months when absent) and records the unit in the provenance sidecar."""
    time, value, lot = _data()
    data, spec, out = tmp_path / "potency.csv", tmp_path / "spec.yaml", tmp_path / "out.csv"
    pd.DataFrame({"attribute": "potency", "lot": lot, "time": time, "value": value}).to_csv(data, index=False)
    spec.write_text("attributes:\n  potency: {lower: 80, upper: 120}\n" + unit_line, encoding="utf-8")
    done = CliRunner().invoke(app, ["stability", str(data), "--spec", str(spec), "--out", str(out)])
    assert done.exit_code == 0, done.output
    assert f"shelf life 37.75 {unit} (worst lot L2)" in " ".join(done.output.split())
    assert float(pd.read_csv(out).iloc[0]["shelf_life"]) == pytest.approx(R_TWO_SIDED["L2"], rel=1e-7)
    sidecar = json.loads((tmp_path / "out.csv.provenance.json").read_text(encoding="utf-8"))
    assert sidecar["options"]["time_unit"] == unit
