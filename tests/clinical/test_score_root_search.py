"""The fast score-limit search returns the limits of a 60-step bisection (the definition) to 1e-10.

The published intervals (Newcombe 1998, Fagerland et al. 2017) are checked in test_published_intervals.py;
this test pins the root search itself over random and boundary tables (x = 0, x = n, both), where the
score statistic is infinite or NaN at the ends of the bracket.
"""

from __future__ import annotations

import numpy as np
import pytest

from bioparity.clinical import ci_difference, ci_ratio
from bioparity.clinical.roots import bisect_decreasing, solve_decreasing
from bioparity.clinical.score import DifferenceScore, score_z_difference, score_z_ratio

Z95 = 1.959963984540054


def _tables(seed: int, size: int = 20_000) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    n1 = rng.integers(1, 501, size)
    n2 = rng.integers(1, 501, size)
    x1 = rng.integers(0, n1 + 1)
    x2 = rng.integers(0, n2 + 1)
    x1[:300] = 0
    x2[300:600] = n2[300:600]
    x1[600:900] = n1[600:900]
    x2[600:750] = 0
    x1[900:1000], x2[900:1000] = 0, 0
    return x1, n1, x2, n2


@pytest.mark.parametrize("method", ["mn", "fm"])
def test_difference_limits_equal_bisection(method: str) -> None:
    x1, n1, x2, n2 = (v.astype(float) for v in _tables(20261205))
    d = x1 / n1 - x2 / n2

    def stat(delta: np.ndarray) -> np.ndarray:
        return score_z_difference(x1, n1, x2, n2, delta, method == "mn")

    lower = bisect_decreasing(stat, -1.0, d, Z95)
    upper = bisect_decreasing(stat, d, 1.0, -Z95)
    r = ci_difference(x1, n1, x2, n2, method=method, conf=0.95)
    np.testing.assert_allclose(r.ci_lower, lower, rtol=0, atol=1e-10)
    np.testing.assert_allclose(r.ci_upper, upper, rtol=0, atol=1e-10)


@pytest.mark.parametrize("method", ["koopman", "mn"])
def test_ratio_limits_equal_bisection(method: str) -> None:
    x1, n1, x2, n2 = (v.astype(float) for v in _tables(20261206))

    def stat(log_phi: np.ndarray) -> np.ndarray:
        return score_z_ratio(x1, n1, x2, n2, np.exp(log_phi), method == "mn")

    with np.errstate(divide="ignore", invalid="ignore"):
        centre = np.clip(np.nan_to_num(np.log(x1 / n1) - np.log(x2 / n2), nan=0.0), -50.0, 50.0)
    lower = np.where(x1 == 0, 0.0, np.exp(bisect_decreasing(stat, -50.0, centre, Z95)))
    upper = np.where(x2 == 0, np.inf, np.exp(bisect_decreasing(stat, centre, 50.0, -Z95)))
    r = ci_ratio(x1, n1, x2, n2, method=method, conf=0.95)
    np.testing.assert_allclose(r.ci_lower, lower, rtol=1e-10, atol=1e-12)
    finite = np.isfinite(upper)
    assert np.array_equal(np.isfinite(r.ci_upper), finite)
    np.testing.assert_allclose(r.ci_upper[finite], upper[finite], rtol=1e-10)


def test_precomputed_score_equals_definition() -> None:
    x1, n1, x2, n2 = (v.astype(float) for v in _tables(7))
    delta = np.random.default_rng(8).uniform(-0.999, 0.999, x1.size)
    for corrected in (True, False):
        ref = score_z_difference(x1, n1, x2, n2, delta, corrected)
        fast = DifferenceScore(x1, n1, x2, n2, corrected)(delta, np.arange(x1.size))
        np.testing.assert_allclose(fast, ref, rtol=1e-8, atol=1e-8)


def test_solver_returns_nearer_end_when_target_not_crossed() -> None:
    def func(t: np.ndarray, idx: np.ndarray) -> np.ndarray:
        return -t

    # -t = 5 has no root in [0, 1]: the nearer end (0) is returned, as bisection does.
    root = solve_decreasing(func, 0.0, 1.0, 5.0, 0.5, 0.1)
    assert abs(float(root)) < 1e-12
    root = solve_decreasing(
        func, np.array([0.0, -3.0]), np.array([1.0, 3.0]), np.array([-2.0, 0.5]), 0.0, 1.0
    )
    np.testing.assert_allclose(root, [1.0, -0.5], atol=1e-12)


def test_sample_size_search_from_a_start_equals_search_from_the_minimum() -> None:
    """The large-sample start only shortens the search: the smallest n is the same from any start."""
    from bioparity.clinical._search import smallest_reaching_n

    rng = np.random.default_rng(11)
    true_n = rng.integers(2, 5000, 2_000)

    def reaches(n: np.ndarray, idx: np.ndarray) -> np.ndarray:
        return np.asarray(n >= true_n[idx])

    n_min = np.full(true_n.size, 2, dtype=np.int64)
    for start in (None, true_n, true_n + rng.integers(-40, 40, true_n.size), np.full(true_n.size, 1e9)):
        np.testing.assert_array_equal(smallest_reaching_n(reaches, n_min, 10_000_000, start), true_n)
