"""Stability core vs R ``lm``/``anova``/``predict`` (base R) on generated data sets, 1e-8 relative.

Reference values: ``tests/data/reference/cmc/ref_stability.csv`` written by ``make_reference.R`` in that
folder (provenance in ``provenance.txt``); R is never called here.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bioparity.stability import StabilityResult, compare_slopes
from bioparity.validation.areas.stability import SPECS, fit_case

REF = Path(__file__).resolve().parents[1] / "data" / "reference" / "cmc"
RTOL = 1e-8


def _ref(case: str) -> dict[str, str]:
    table = pd.read_csv(REF / "ref_stability.csv", dtype=str, keep_default_na=False)
    sub = table[table["case"] == case]
    return dict(zip(sub["name"], sub["value"], strict=True))


def _num(text: str) -> float:
    return float("nan") if text in ("NA", "") else float(text)


def _fit(
    case: str, pooling: str | None = None, dids_variance: str = "separate"
) -> tuple[StabilityResult, None]:
    # the validation pack's fit of the same case (one definition for the tests and bioparity validate)
    return fit_case(REF, case, pooling, dids_variance), None


@pytest.mark.parametrize("case", sorted(SPECS))
def test_slopes_and_ancova_match_r(case: str) -> None:
    ref = _ref(case)
    res, _data = _fit(case)
    assert res.pooling == ref["pooling"]
    for name, got in (
        ("f_slope", res.f_slope),
        ("p_slope", res.p_slope),
        ("f_intercept", res.f_intercept),
        ("p_intercept", res.p_intercept),
        ("rss_dids", res.rss["dids"]),
        ("rss_dics", res.rss["dics"]),
        ("rss_cics", res.rss["cics"]),
    ):
        assert got == pytest.approx(_num(ref[name]), rel=RTOL), name
    # the pooled F tests are those of the sequential ANCOVA y ~ time + lot + time:lot
    assert res.f_intercept == pytest.approx(_num(ref["seq_f_lot"]), rel=RTOL)
    assert res.f_slope == pytest.approx(_num(ref["seq_f_time_lot"]), rel=RTOL)
    for i, lot in enumerate(res.lots):
        assert res.intercept[i] == pytest.approx(_num(ref[f"intercept_{lot}"]), rel=RTOL)
        assert res.slope[i] == pytest.approx(_num(ref[f"slope_{lot}"]), rel=RTOL)
        assert res.slope_se[i] == pytest.approx(_num(ref[f"slope_se_{lot}"]), rel=RTOL)
    dics, _ = _fit(case, pooling="dics")
    assert dics.fitted_slope[0] == pytest.approx(_num(ref["common_slope_dics"]), rel=RTOL)
    cics, _ = _fit(case, pooling="cics")
    assert cics.fitted_intercept[0] == pytest.approx(_num(ref["cics_intercept"]), rel=RTOL)
    assert cics.fitted_slope[0] == pytest.approx(_num(ref["cics_slope"]), rel=RTOL)


@pytest.mark.parametrize("case", sorted(SPECS))
@pytest.mark.parametrize("model", ["cics", "dics", "dids", "dids_sep"])
def test_confidence_bounds_and_crossings_match_r(case: str, model: str) -> None:
    ref = _ref(case)
    pooling = "dids" if model.startswith("dids") else model
    res, _data = _fit(case, pooling=pooling, dids_variance="separate" if model == "dids_sep" else "pooled")
    side = "lower" if SPECS[case][0] is not None else "upper"
    b12 = res.bound(12.0, side)[:, 0]
    for i, lot in enumerate(res.lots):
        assert b12[i] == pytest.approx(_num(ref[f"bound12_{model}_{lot}"]), rel=RTOL)
        want = _num(ref[f"crossing_{model}_{lot}"])
        if math.isnan(want):
            assert math.isinf(res.lot_shelf_life[i]) or res.lot_shelf_life[i] == 0.0
        else:
            assert res.lot_shelf_life[i] == pytest.approx(want, rel=RTOL)
    finite = res.lot_shelf_life[np.isfinite(res.lot_shelf_life)]
    if finite.size:
        assert res.shelf_life == pytest.approx(float(finite.min()), rel=1e-15)


def test_slope_difference_matches_r_contrast() -> None:
    ref = _ref("slopediff")
    data = pd.read_csv(REF / "data_slope_difference.csv")
    res = compare_slopes(data["time"], data["value"], data["lot"], data["product"], margin=0.1)
    assert res.difference == pytest.approx(_num(ref["difference"]), rel=RTOL)
    assert res.se == pytest.approx(_num(ref["se"]), rel=RTOL)
    assert res.df == int(_num(ref["df"]))
    assert res.ci_lower == pytest.approx(_num(ref["ci_lower"]), rel=RTOL)
    assert res.ci_upper == pytest.approx(_num(ref["ci_upper"]), rel=RTOL)
    assert res.conf_level == pytest.approx(0.90)
    assert res.passed is (res.ci_lower >= -0.1 and res.ci_upper <= 0.1)
