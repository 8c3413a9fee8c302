"""Property tests of the stability core (hypothesis): invariances the ICH Q1E statistics must have."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bioparity.stability import compare_slopes, fit_stability

TIMES = np.array([0.0, 3.0, 6.0, 9.0, 12.0, 18.0])


def _data(seed: int, n_lots: int, slope_spread: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    lots = np.repeat([f"L{i}" for i in range(n_lots)], TIMES.size)
    t = np.tile(TIMES, n_lots)
    slopes = np.repeat(-0.2 + rng.normal(0, slope_spread, n_lots), TIMES.size)
    y = 100 + slopes * t + rng.normal(0, 0.5, t.size)
    return t, y, lots


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    n_lots=st.integers(2, 5),
    spread=st.floats(0.0, 0.1),
    shift=st.floats(-1e3, 1e3, allow_nan=False),
)
def test_adding_a_constant_leaves_slopes_and_poolability_unchanged(
    seed: int, n_lots: int, spread: float, shift: float
) -> None:
    t, y, lots = _data(seed, n_lots, spread)
    a = fit_stability(t, y, lots)
    b = fit_stability(t, y + shift, lots)
    assert b.slope == pytest.approx(a.slope, rel=1e-6, abs=1e-9)
    assert b.pooling == a.pooling
    assert b.f_slope == pytest.approx(a.f_slope, rel=1e-5, abs=1e-9)
    assert b.f_intercept == pytest.approx(a.f_intercept, rel=1e-5, abs=1e-9)
    assert b.fitted_intercept - shift == pytest.approx(a.fitted_intercept, rel=1e-9, abs=1e-7)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), n_lots=st.integers(1, 4), spread=st.floats(0.0, 0.1))
def test_identical_products_give_a_slope_difference_ci_centred_on_zero(
    seed: int, n_lots: int, spread: float
) -> None:
    t, y, lots = _data(seed, n_lots, spread)
    both_t = np.concatenate([t, t])
    both_y = np.concatenate([y, y])
    both_lot = np.concatenate([np.char.add("T-", lots.astype(str)), np.char.add("R-", lots.astype(str))])
    product = np.repeat(["test", "reference"], t.size)
    res = compare_slopes(both_t, both_y, both_lot, product, margin=0.05)
    assert res.difference == pytest.approx(0.0, abs=1e-12)
    assert (res.ci_lower + res.ci_upper) / 2 == pytest.approx(0.0, abs=1e-12)
    assert res.ci_lower < 0 < res.ci_upper
