"""Property tests of the cut-point core (issue 20 acceptance): invariance to donor order, a constant shift
of all log signals shifts the cut points by the same amount, and a removed outlier is reported."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bioparity.bioassay import compute_cut_point
from bioparity.errors import InputError

ESTIMATES = ("parametric_t", "robust_t", "nonparametric_t", "parametric_lcl_t")


def _data(seed: int, donors: int = 15, runs: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    u = rng.normal(0, 0.3, donors)
    r = rng.normal(0, 0.1, runs)
    rows = [
        {"donor": f"D{d:02d}", "run": f"R{j}", "value": float(np.exp(u[d] + r[j] + rng.normal(0, 0.08)))}
        for d in range(donors)
        for j in range(runs)
    ]
    return pd.DataFrame(rows)


@settings(max_examples=8, deadline=None)
@given(seed=st.integers(0, 10_000), perm_seed=st.integers(0, 10_000))
def test_cut_points_invariant_to_donor_order(seed: int, perm_seed: int) -> None:
    frame = _data(seed)
    base = compute_cut_point(frame)
    rng = np.random.default_rng(perm_seed)
    shuffled = frame.iloc[rng.permutation(len(frame))].reset_index(drop=True)
    # also rename donors so that their sort order changes
    names = {f"D{d:02d}": f"X{k:02d}" for d, k in enumerate(rng.permutation(15))}
    shuffled["donor"] = shuffled["donor"].map(names)
    other = compute_cut_point(shuffled)
    for name in (*ESTIMATES, "var_donor", "var_residual"):
        assert getattr(other, name) == pytest.approx(getattr(base, name), rel=1e-6, abs=1e-9), name
    assert other.transform == base.transform and other.method == base.method
    assert len(other.outliers) == len(base.outliers)


@settings(max_examples=8, deadline=None)
@given(seed=st.integers(0, 10_000), shift=st.floats(-5.0, 5.0))
def test_shift_of_log_signals_shifts_cut_points(seed: int, shift: float) -> None:
    frame = _data(seed)
    base = compute_cut_point(frame, transform="log")
    moved = compute_cut_point(frame.assign(value=frame["value"] * math.exp(shift)), transform="log")
    for name in ESTIMATES:
        assert getattr(moved, name) == pytest.approx(getattr(base, name) + shift, abs=1e-9), name
    assert moved.cut_point == pytest.approx(base.cut_point * math.exp(shift), rel=1e-9)
    assert moved.var_donor == pytest.approx(base.var_donor, rel=1e-6, abs=1e-12)
    assert [o.donor for o in moved.outliers] == [o.donor for o in base.outliers]


@settings(max_examples=6, deadline=None)
@given(seed=st.integers(0, 10_000), factor=st.floats(20.0, 200.0))
def test_removed_outlier_is_reported(seed: int, factor: float) -> None:
    frame = _data(seed)
    frame.loc[frame["donor"] == "D03", "value"] *= factor  # a high-responding (pre-existing ADA) donor
    res = compute_cut_point(frame, transform="log")
    bio = [o for o in res.outliers if o.step == "biological"]
    assert "D03" in [o.donor for o in bio]
    assert res.n_donors == 15 - len(bio)
    table = res.to_frame()
    assert (table["n_outliers"] == len(res.outliers)).all()
    assert "biological:D03" in table["outliers"].iloc[0]
    assert "D03" in set(res.outlier_frame()["donor"])
    assert any("outlier" in n for n in res.notes)
    assert "D03" in json.dumps(res.to_dict())  # the listing travels with the result
    kept = compute_cut_point(frame, transform="log", remove_outliers=False)
    assert kept.outliers == () and kept.parametric > res.parametric


def test_analytical_outlier_within_a_donor_is_reported_with_its_run() -> None:
    frame = _data(1, runs=6)
    idx = frame.index[(frame["donor"] == "D05") & (frame["run"] == "R2")][0]
    frame.loc[idx, "value"] *= 5.0
    res = compute_cut_point(frame, transform="log")
    assert ("analytical", "D05", "R2") in [(o.step, o.donor, o.run) for o in res.outliers]


def test_screening_defaults_and_errors() -> None:
    res = compute_cut_point(_data(2))
    assert res.fpr == 0.05 and res.lcl_confidence == 0.90 and res.quantile_type == 7
    assert res.parametric_lcl_t < res.parametric_t  # a lower confidence limit lies below the estimate
    assert compute_cut_point(_data(2), tier="confirmatory", transform="none").lcl_confidence == 0.80
    with pytest.raises(InputError, match="false-positive"):
        compute_cut_point(_data(2), fpr=0.7)
    with pytest.raises(InputError, match="3 donors"):
        compute_cut_point(_data(2, donors=2))
    bad = _data(2)
    bad.loc[0, "value"] = float("nan")
    with pytest.raises(InputError, match="finite"):
        compute_cut_point(bad)
