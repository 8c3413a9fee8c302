"""The fast score-limit search returns the limits of a 60-step bisection (the definition) to 1e-10.

The published intervals (Newcombe 1998, Fagerland et al. 2017) are checked in test_published_intervals.py;
this test pins the root search itself over random and boundary tables (x = 0, x = n, both), where the
score statistic is infinite or NaN at the ends of the bracket.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import ndtri

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


#: Extended precision (80-bit on x86-64 Linux, 3 more digits than float64) for the reference bisection.
LD = np.longdouble
PI_LD = 4 * np.arctan(LD(1))


def _z_difference_extended(x1: Any, n1: Any, x2: Any, n2: Any, delta: Any, corrected: bool) -> Any:
    """The MN/FM score statistic in extended precision, written out from Farrington & Manning (1990)."""
    x1, n1, x2, n2, delta = (np.asarray(v, dtype=LD) for v in (x1, n1, x2, n2, delta))
    p1, p2, theta = x1 / n1, x2 / n2, n2 / n1
    a = 1 + theta
    b = -(1 + theta + p1 + theta * p2 + delta * (theta + 2))
    c = delta * delta + delta * (2 * p1 + theta + 1) + p1 + theta * p2
    d = -p1 * delta * (1 + delta)
    v = b**3 / (3 * a) ** 3 - b * c / (6 * a * a) + d / (2 * a)
    u = np.sign(v) * np.sqrt(np.maximum(b * b / (3 * a) ** 2 - c / (3 * a), 0))
    cosine = np.where(u == 0, 0, v / np.where(u == 0, 1, u) ** 3)
    w = (PI_LD + np.arccos(np.clip(cosine, -1, 1))) / 3
    r1 = np.clip(2 * u * np.cos(w) - b / (3 * a), np.maximum(0, delta), np.minimum(1, 1 + delta))
    r2 = np.clip(r1 - delta, 0, 1)
    var = r1 * (1 - r1) / n1 + r2 * (1 - r2) / n2
    if corrected:
        var = var * (n1 + n2) / np.maximum(n1 + n2 - 1, 1)
    return _z_extended(p1 - p2 - delta, var)


def _z_ratio_extended(x1: Any, n1: Any, x2: Any, n2: Any, log_phi: Any, corrected: bool) -> Any:
    """The Koopman/MN score statistic for ``ln(p1/p2)`` in extended precision (Miettinen & Nurminen 1985)."""
    x1, n1, x2, n2, log_phi = (np.asarray(v, dtype=LD) for v in (x1, n1, x2, n2, log_phi))
    phi = np.exp(log_phi)
    big_a, big_b, big_c = (n1 + n2) * phi, -(n1 * phi + x1 + n2 + x2 * phi), x1 + x2
    root = np.sqrt(np.maximum(big_b * big_b - 4 * big_a * big_c, 0))
    r2 = np.clip(np.where(big_c > 0, 2 * big_c / (-big_b + root), 0), 0, np.minimum(1, 1 / phi))
    r1 = np.clip(phi * r2, 0, 1)
    var = r1 * (1 - r1) / n1 + phi * phi * r2 * (1 - r2) / n2
    if corrected:
        var = var * (n1 + n2) / np.maximum(n1 + n2 - 1, 1)
    return _z_extended(x1 / n1 - phi * x2 / n2, var)


def _z_extended(numerator: Any, var: Any) -> Any:
    root = np.sqrt(np.maximum(var, 0))
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = numerator / root
    return np.where(root > 0, ratio, np.where(numerator == 0, 0, np.where(numerator > 0, np.inf, -np.inf)))


def _bisect_extended(func: Any, lower: Any, upper: Any, target: Any) -> np.ndarray:
    """80 halvings in extended precision: the limit to about 1e-19 of the bracket, where the statistic
    is resolved; returned as float64."""
    lo, hi, t = (np.array(v, dtype=LD) for v in np.broadcast_arrays(lower, upper, target))
    for _ in range(80):
        mid = (lo + hi) / 2
        above = func(mid) > t
        lo, hi = np.where(above, mid, lo), np.where(above, hi, mid)
    return np.asarray((lo + hi) / 2, dtype=float)


@st.composite
def _table_sets(draw: st.DrawFn) -> tuple[np.ndarray, ...]:
    """1-20 tables with x anywhere in 0..n (often 0 or n) and any confidence level from 0.5 to 0.999: both
    n from 1 to 600, or n1 up to 20,000 with n2 up to ten times larger or smaller.

    Not larger and more unequal: there the float64 statistic loses digits near some limits, and neither
    the former search nor this one is always within 1e-10 of the limit. At x = n = 154340 vs x = n - 2 =
    231508, 62.5%, MN ratio, the lower limit in 60-digit arithmetic is 1.00000353964, the former search
    gave 1.00000353956, this one 1.00000353979.
    """
    size = draw(st.integers(1, 20))
    if draw(st.booleans()):
        sizes = st.one_of(st.integers(1, 12), st.integers(1, 600))
        n1 = np.array(draw(st.lists(sizes, min_size=size, max_size=size)), dtype=float)
        n2 = np.array(draw(st.lists(sizes, min_size=size, max_size=size)), dtype=float)
    else:
        n1 = np.array(draw(st.lists(st.integers(600, 20_000), min_size=size, max_size=size)), dtype=float)
        n2 = np.round(n1 * np.array(draw(st.lists(st.floats(0.1, 10.0), min_size=size, max_size=size))))
    share = st.one_of(st.sampled_from([0.0, 1.0]), st.floats(0.0, 1.0))
    x1 = np.round(n1 * np.array(draw(st.lists(share, min_size=size, max_size=size))))
    x2 = np.round(n2 * np.array(draw(st.lists(share, min_size=size, max_size=size))))
    conf = np.array(draw(st.lists(st.floats(0.5, 0.999), min_size=size, max_size=size)))
    return x1, n1, x2, n2, conf


@settings(max_examples=25, deadline=None)
@given(_table_sets(), st.sampled_from(["mn", "fm"]))
def test_newton_difference_limits_equal_bisection_on_any_tables(
    tables: tuple[np.ndarray, ...], method: str
) -> None:
    """Newton's limits (or the certified closed-form boundary limits) against a bisection of the statistic
    written out independently in extended precision: the same limits to 1e-10.

    A float64 bisection is no reference for large or unequal groups: there the float64 statistic is
    resolved only to about 1e-7 near some limits (its cubic loses digits), which moves a bisection's root
    by more than 1e-10 (x = n = 600 vs 1, 59%, Koopman: 1.2e-10; the search replaced here too).
    """
    x1, n1, x2, n2, conf = tables
    z = ndtri(0.5 + conf / 2)
    d = x1 / n1 - x2 / n2

    def stat(delta: Any) -> Any:
        return _z_difference_extended(x1, n1, x2, n2, delta, method == "mn")

    r = ci_difference(x1, n1, x2, n2, method=method, conf=conf)
    np.testing.assert_allclose(r.ci_lower, _bisect_extended(stat, -1.0, d, z), rtol=0, atol=1e-10)
    np.testing.assert_allclose(r.ci_upper, _bisect_extended(stat, d, 1.0, -z), rtol=0, atol=1e-10)


@settings(max_examples=25, deadline=None)
@given(_table_sets(), st.sampled_from(["koopman", "mn"]))
def test_newton_ratio_limits_equal_bisection_on_any_tables(
    tables: tuple[np.ndarray, ...], method: str
) -> None:
    """As above for the ratio (bisection of ln(phi) in [-50, 50] around the observed log ratio)."""
    x1, n1, x2, n2, conf = tables
    z = ndtri(0.5 + conf / 2)

    def stat(log_phi: Any) -> Any:
        return _z_ratio_extended(x1, n1, x2, n2, log_phi, method == "mn")

    with np.errstate(divide="ignore", invalid="ignore"):
        centre = np.clip(np.nan_to_num(np.log(x1 / n1) - np.log(x2 / n2), nan=0.0), -50.0, 50.0)
    lower = np.where(x1 == 0, 0.0, np.exp(_bisect_extended(stat, -50.0, centre, z)))
    upper = np.where(x2 == 0, np.inf, np.exp(_bisect_extended(stat, centre, 50.0, -z)))
    r = ci_ratio(x1, n1, x2, n2, method=method, conf=conf)
    np.testing.assert_allclose(r.ci_lower, lower, rtol=1e-10, atol=0)
    assert np.array_equal(np.isfinite(r.ci_upper), np.isfinite(upper))
    finite = np.isfinite(upper)
    np.testing.assert_allclose(r.ci_upper[finite], upper[finite], rtol=1e-10)


@pytest.mark.parametrize(
    ("function", "table", "method", "conf", "which", "limit"),
    [
        (ci_difference, (0, 1, 0, 17675), "mn", 0.5, "ci_lower", -2.5739770946251425e-05),
        (ci_difference, (198, 198, 9492, 9492), "mn", 0.5, "ci_upper", 4.7931054487506907e-05),
        (ci_ratio, (600, 600, 1, 1), "koopman", 0.585629348459842, "ci_lower", 0.9988908556324851),
    ],
)
def test_limits_with_the_restricted_mle_on_a_boundary_are_exact(
    function: Any, table: tuple[int, ...], method: str, conf: float, which: str, limit: float
) -> None:
    """Very unequal groups with x = 0 or x = n: the closed-form limits (restricted MLE on the boundary) are
    exact where the float64 statistic is not (the former search: -2.5745779e-05, 4.7931172e-05 and
    0.99889085550, up to 6e-9 off). The references were computed with mpmath at 60 digits: a 150-step
    bisection of the statistic with the restricted MLE taken as the likelihood's maximiser among the roots
    of its cubic (quadratic) and the ends of its range."""
    r = function(*table, method=method, conf=conf)
    np.testing.assert_allclose(getattr(r, which), limit, rtol=1e-11, atol=0)
