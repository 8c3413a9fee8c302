"""Cross-checks against independent implementations: statsmodels and SciPy (different code, same definitions).

statsmodels ``confint_proportions_2indep`` (0.14/0.15) is used for the Newcombe, Wald and ratio score
intervals; it fails on some tables at the boundary (x = 0 or x = n), which the published values cover.
Its *difference* score intervals (MN / FM) are not used: for unequal group sizes they do not solve
``Z = +/- z`` (e.g. 134/135 vs 84/191 at 90%: its lower limit 0.47393 gives Z = 2.105 with the restricted
MLE found by direct numerical maximisation). The score intervals for the difference are checked instead
against a brute-force inversion written here: restricted MLE by bounded numerical maximisation of the
binomial likelihood, limits by Brent's method.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy import optimize, stats

from bioparity.clinical import ci_difference, ci_mean_difference, ci_ratio, wilson_interval
from bioparity.clinical.score import restricted_mle_difference, restricted_mle_ratio
from tests.conftest import require_module

statsmodels_proportion = require_module("statsmodels.stats.proportion")

RNG_SEED = 20260101


def _interior_tables(count: int) -> np.ndarray:
    rng = np.random.default_rng(RNG_SEED)
    n1 = rng.integers(5, 200, count)
    n2 = rng.integers(5, 200, count)
    x1 = rng.integers(1, n1)
    x2 = rng.integers(1, n2)
    return np.stack([x1, n1, x2, n2], axis=1)


@pytest.mark.parametrize(
    ("ours", "theirs", "kwargs"),
    [
        ("newcombe", "newcomb", {}),
        ("wald", "wald", {}),
    ],
)
def test_difference_agrees_with_statsmodels(ours: str, theirs: str, kwargs: dict[str, bool]) -> None:
    tables = _interior_tables(60)
    res = ci_difference(tables[:, 0], tables[:, 1], tables[:, 2], tables[:, 3], method=ours, conf=0.90)
    compared = 0
    for i, (x1, n1, x2, n2) in enumerate(tables):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                lo, hi = statsmodels_proportion.confint_proportions_2indep(
                    x1, n1, x2, n2, method=theirs, compare="diff", alpha=0.10, **kwargs
                )
        except ValueError:  # statsmodels' bracket fails on a few tables
            continue
        compared += 1
        assert res.ci_lower[i] == pytest.approx(lo, abs=1e-6)
        assert res.ci_upper[i] == pytest.approx(hi, abs=1e-6)
    assert compared >= 50


@pytest.mark.parametrize(("ours", "correction"), [("koopman", False), ("mn", True)])
def test_ratio_agrees_with_statsmodels(ours: str, correction: bool) -> None:
    tables = _interior_tables(40)
    res = ci_ratio(tables[:, 0], tables[:, 1], tables[:, 2], tables[:, 3], method=ours, conf=0.95)
    compared = 0
    for i, (x1, n1, x2, n2) in enumerate(tables):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                lo, hi = statsmodels_proportion.confint_proportions_2indep(
                    x1, n1, x2, n2, method="score", compare="ratio", correction=correction
                )
        except ValueError:
            continue
        compared += 1
        assert res.ci_lower[i] == pytest.approx(lo, rel=1e-6)
        assert res.ci_upper[i] == pytest.approx(hi, rel=1e-6)
    assert compared >= 30


def test_wilson_agrees_with_statsmodels() -> None:
    x = np.arange(0, 31)
    lo, hi = wilson_interval(x, 30, stats.norm.ppf(0.975))
    theirs = np.array([statsmodels_proportion.proportion_confint(k, 30, method="wilson") for k in x])
    np.testing.assert_allclose(lo, theirs[:, 0], atol=1e-12)
    np.testing.assert_allclose(hi, theirs[:, 1], atol=1e-12)


@pytest.mark.parametrize("equal_var", [False, True])
def test_mean_difference_agrees_with_scipy_ttest(equal_var: bool) -> None:
    rng = np.random.default_rng(RNG_SEED)
    for _ in range(10):
        y1 = rng.normal(10, 2, rng.integers(3, 40))
        y2 = rng.normal(9, 5, rng.integers(3, 40))
        theirs = stats.ttest_ind(y1, y2, equal_var=equal_var).confidence_interval(0.90)
        res = ci_mean_difference(
            y1.mean(),
            y1.std(ddof=1),
            y1.size,
            y2.mean(),
            y2.std(ddof=1),
            y2.size,
            method="pooled" if equal_var else "welch",
            conf=0.90,
        )
        assert float(res.ci_lower) == pytest.approx(theirs.low, abs=1e-10)
        assert float(res.ci_upper) == pytest.approx(theirs.high, abs=1e-10)


def _constrained_mle(loglik, lo: float, hi: float) -> float:  # type: ignore[no-untyped-def]
    found = optimize.minimize_scalar(
        lambda t: -loglik(t), bounds=(lo, hi), method="bounded", options={"xatol": 1e-12}
    )
    return float(found.x)


@pytest.mark.parametrize(
    ("x1", "n1", "x2", "n2", "delta"),
    [(56, 70, 48, 80, 0.1), (9, 10, 3, 10, -0.2), (3, 25, 10, 30, 0.05), (0, 10, 4, 20, 0.3)],
)
def test_cubic_restricted_mle_maximises_the_constrained_likelihood(
    x1: int, n1: int, x2: int, n2: int, delta: float
) -> None:
    """The closed-form (FM cubic) restricted MLE equals a numerical maximisation of the likelihood."""

    def loglik(p2: float) -> float:
        p1 = p2 + delta
        return float(stats.binom.logpmf(x1, n1, p1) + stats.binom.logpmf(x2, n2, p2))

    lo, hi = max(0.0, -delta) + 1e-12, min(1.0, 1.0 - delta) - 1e-12
    p1_r, p2_r = restricted_mle_difference(
        np.array(x1 / n1), np.array(float(n1)), np.array(x2 / n2), np.array(float(n2)), np.array(delta)
    )
    assert float(p2_r) == pytest.approx(_constrained_mle(loglik, lo, hi), abs=1e-6)
    assert float(p1_r - p2_r) == pytest.approx(delta, abs=1e-12)


@pytest.mark.parametrize(("x1", "n1", "x2", "n2", "phi"), [(7, 34, 1, 34, 3.0), (20, 40, 15, 44, 0.8)])
def test_quadratic_restricted_mle_maximises_the_constrained_likelihood(
    x1: int, n1: int, x2: int, n2: int, phi: float
) -> None:
    def loglik(p2: float) -> float:
        return float(stats.binom.logpmf(x1, n1, phi * p2) + stats.binom.logpmf(x2, n2, p2))

    p1_r, p2_r = restricted_mle_ratio(*(np.array(float(v)) for v in (x1, n1, x2, n2, phi)))
    assert float(p2_r) == pytest.approx(
        _constrained_mle(loglik, 1e-12, min(1.0, 1.0 / phi) - 1e-12), abs=1e-6
    )
    assert float(p1_r) == pytest.approx(phi * float(p2_r), abs=1e-15)


def _brute_force_score_limits(
    x1: int, n1: int, x2: int, n2: int, conf: float, corrected: bool
) -> tuple[float, float]:
    z = stats.norm.ppf(0.5 + conf / 2)
    d_hat = x1 / n1 - x2 / n2

    def score(delta: float) -> float:
        def loglik(p2: float) -> float:
            return float(stats.binom.logpmf(x1, n1, p2 + delta) + stats.binom.logpmf(x2, n2, p2))

        p2 = _constrained_mle(loglik, max(0.0, -delta) + 1e-13, min(1.0, 1.0 - delta) - 1e-13)
        p1 = p2 + delta
        var = p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2
        if corrected:
            var *= (n1 + n2) / (n1 + n2 - 1)
        return float((d_hat - delta) / np.sqrt(var))

    lower = optimize.brentq(lambda t: score(t) - z, -1 + 1e-9, d_hat, xtol=1e-12)
    upper = optimize.brentq(lambda t: score(t) + z, d_hat, 1 - 1e-9, xtol=1e-12)
    return lower, upper


@pytest.mark.parametrize("method", ["mn", "fm"])
def test_difference_score_limits_agree_with_brute_force_inversion(method: str) -> None:
    tables = _interior_tables(8)
    res = ci_difference(tables[:, 0], tables[:, 1], tables[:, 2], tables[:, 3], method=method, conf=0.90)
    for i, (x1, n1, x2, n2) in enumerate(tables):
        lo, hi = _brute_force_score_limits(int(x1), int(n1), int(x2), int(n2), 0.90, method == "mn")
        assert res.ci_lower[i] == pytest.approx(lo, abs=2e-6)
        assert res.ci_upper[i] == pytest.approx(hi, abs=2e-6)
