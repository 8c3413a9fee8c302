"""Coverage of the intervals, computed where the literature says what to expect (bounded size, < 2 s).

Proportions: coverage is computed *exactly* by enumerating all outcomes for a grid of true proportions
(19 x 19 points in [0.05, 0.95]) rather than simulated. Newcombe (1998, Stat Med 17:873) and Fagerland,
Lydersen & Laake (2015, Stat Methods Med Res 24:224) report that the score-type intervals (Newcombe
hybrid score, Miettinen-Nurminen, Farrington-Manning/Mee) have mean coverage close to nominal, while the
Wald interval is anti-conservative with very low minimum coverage in small samples.

Means and stratified differences: seeded simulations (standard error of a coverage estimate at 0.95 with
20,000 replicates: 0.0015; tolerance 3 standard errors).
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from bioparity.clinical import ci_difference, ci_difference_stratified, ci_mean_difference, ci_ratio

GRID = np.linspace(0.05, 0.95, 19)


def _exact_coverage(n1: int, n2: int, lower: np.ndarray, upper: np.ndarray, contrast: str) -> np.ndarray:
    pmf1 = stats.binom.pmf(np.arange(n1 + 1)[None, :], n1, GRID[:, None])  # (p, x1)
    pmf2 = stats.binom.pmf(np.arange(n2 + 1)[None, :], n2, GRID[:, None])
    p1, p2 = np.meshgrid(GRID, GRID, indexing="ij")
    truth = p1 - p2 if contrast == "diff" else p1 / p2
    covers = (lower[None, None] <= truth[:, :, None, None]) & (truth[:, :, None, None] <= upper[None, None])
    return np.asarray(np.einsum("ax,by,abxy->ab", pmf1, pmf2, covers), dtype=float)


def _outcomes(n1: int, n2: int) -> tuple[np.ndarray, np.ndarray]:
    return np.meshgrid(np.arange(n1 + 1), np.arange(n2 + 1), indexing="ij")


@pytest.mark.parametrize("sizes", [(15, 15), (30, 60)])
@pytest.mark.parametrize("method", ["newcombe", "mn", "fm"])
@pytest.mark.parametrize("conf", [0.90, 0.95])
def test_score_type_difference_intervals_have_near_nominal_mean_coverage(
    sizes: tuple[int, int], method: str, conf: float
) -> None:
    x1, x2 = _outcomes(*sizes)
    ci = ci_difference(x1, sizes[0], x2, sizes[1], method=method, conf=conf)
    coverage = _exact_coverage(*sizes, ci.ci_lower, ci.ci_upper, "diff")
    assert abs(coverage.mean() - conf) < 0.01
    assert coverage.min() > conf - 0.05


def test_wald_difference_interval_undercovers_in_small_samples() -> None:
    x1, x2 = _outcomes(15, 15)
    ci = ci_difference(x1, 15, x2, 15, method="wald", conf=0.95)
    coverage = _exact_coverage(15, 15, ci.ci_lower, ci.ci_upper, "diff")
    assert coverage.mean() < 0.93
    assert coverage.min() < 0.85


@pytest.mark.parametrize("method", ["koopman", "mn"])
def test_ratio_score_intervals_have_near_nominal_mean_coverage(method: str) -> None:
    x1, x2 = _outcomes(40, 40)
    ci = ci_ratio(x1, 40, x2, 40, method=method, conf=0.95)
    coverage = _exact_coverage(40, 40, ci.ci_lower, ci.ci_upper, "ratio")
    assert abs(coverage.mean() - 0.95) < 0.01


def _simulated_mean_coverage(method: str, rng: np.random.Generator) -> float:
    reps = 20_000
    n1, n2, sd1, sd2 = 8, 40, 4.0, 1.0  # smaller group with the larger variance: pooled t is liberal
    y1 = rng.normal(0.0, sd1, (reps, n1))
    y2 = rng.normal(0.0, sd2, (reps, n2))
    ci = ci_mean_difference(
        y1.mean(1), y1.std(1, ddof=1), n1, y2.mean(1), y2.std(1, ddof=1), n2, method=method, conf=0.95
    )
    return float(np.mean((ci.ci_lower <= 0.0) & (ci.ci_upper >= 0.0)))


def test_welch_interval_keeps_nominal_coverage_under_unequal_variances() -> None:
    coverage = _simulated_mean_coverage("welch", np.random.default_rng(11))
    assert abs(coverage - 0.95) < 3 * 0.0016


def test_pooled_interval_undercovers_when_the_small_group_is_more_variable() -> None:
    coverage = _simulated_mean_coverage("pooled", np.random.default_rng(12))
    assert coverage < 0.90


@pytest.mark.parametrize("method", ["mh", "newcombe"])
def test_stratified_difference_coverage_many_small_strata(method: str) -> None:
    """Sato's variance is valid for many sparse strata (Sato 1989); 20 centres of 8 + 8 subjects."""
    rng = np.random.default_rng(13)
    reps, strata = 5_000, 20
    base = np.linspace(0.2, 0.7, strata)
    delta = 0.1
    x1 = rng.binomial(8, base + delta, (reps, strata))
    x2 = rng.binomial(8, base, (reps, strata))
    ci = ci_difference_stratified(x1, 8, x2, 8, method=method, conf=0.95)
    coverage = float(np.mean((ci.ci_lower <= delta) & (delta <= ci.ci_upper)))
    assert abs(coverage - 0.95) < 3 * np.sqrt(0.95 * 0.05 / reps)
