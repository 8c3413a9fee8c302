"""Stratified Miettinen-Nurminen interval (Miettinen & Nurminen 1985, Stat Med 4:213, stratified score).

Oracles: with one stratum it is the (unstratified) MN interval, itself checked against Newcombe (1998)
Table II in ``test_published_intervals.py``; with several strata an independent implementation written
here (restricted MLE: the likelihood-maximising root from ``numpy.roots`` of the Farrington-Manning
cubic; limits by ``scipy.optimize.brentq``).
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import optimize, stats

from bioparity.clinical import ci_difference
from bioparity.clinical.stratified import ci_difference_stratified
from bioparity.errors import InputError


def restricted(p1: float, n1: float, p2: float, n2: float, delta: float) -> tuple[float, float]:
    theta = n2 / n1
    a = 1 + theta
    b = -(1 + theta + p1 + theta * p2 + delta * (theta + 2))
    c = delta**2 + delta * (2 * p1 + theta + 1) + p1 + theta * p2
    d = -p1 * delta * (1 + delta)
    lo, hi = max(0.0, delta), min(1.0, 1.0 + delta)
    roots = [
        r.real for r in np.roots([a, b, c, d]) if abs(r.imag) < 1e-9 and lo - 1e-9 <= r.real <= hi + 1e-9
    ]

    def loglik(x: float) -> float:
        q1, q2 = min(max(x, 1e-300), 1 - 1e-16), min(max(x - delta, 1e-300), 1 - 1e-16)
        return float(
            n1 * (p1 * np.log(q1) + (1 - p1) * np.log1p(-q1))
            + n2 * (p2 * np.log(q2) + (1 - p2) * np.log1p(-q2))
        )

    x = max((min(max(r, lo), hi) for r in roots), key=loglik)  # the root that maximises the likelihood
    return x, min(max(x - delta, 0.0), 1.0)


def independent(
    x1: list[int], n1: list[int], x2: list[int], n2: list[int], conf: float
) -> tuple[float, float]:
    w = [a * b / (a + b) for a, b in zip(n1, n2, strict=True)]
    z = stats.norm.ppf(0.5 + conf / 2)

    def score(delta: float) -> float:
        num, den = 0.0, 0.0
        for xa, na, xb, nb, wh in zip(x1, n1, x2, n2, w, strict=True):
            r1, r2 = restricted(xa / na, na, xb / nb, nb, delta)
            v = (r1 * (1 - r1) / na + r2 * (1 - r2) / nb) * (na + nb) / (na + nb - 1)
            num += wh * (xa / na - xb / nb - delta)
            den += wh * wh * v
        return float(num / np.sqrt(den))

    d = sum(wh * (xa / na - xb / nb) for xa, na, xb, nb, wh in zip(x1, n1, x2, n2, w, strict=True)) / sum(w)
    lower = optimize.brentq(lambda t: score(t) - z, -1 + 1e-12, d, xtol=1e-14)
    upper = optimize.brentq(lambda t: score(t) + z, d, 1 - 1e-12, xtol=1e-14)
    return lower, upper


def test_one_stratum_is_the_miettinen_nurminen_interval() -> None:
    strat = ci_difference_stratified([56], [70], [48], [80], method="mn", conf=0.95)
    plain = ci_difference(56, 70, 48, 80, method="mn", conf=0.95)
    assert float(np.ravel(strat.ci_lower)[0]) == pytest.approx(float(plain.ci_lower), abs=1e-12)
    assert float(np.ravel(strat.ci_upper)[0]) == pytest.approx(float(plain.ci_upper), abs=1e-12)


@pytest.mark.parametrize(
    ("x1", "n1", "x2", "n2"),
    [
        ([20, 5, 7], [30, 5, 20], [20, 1, 9], [40, 5, 18]),
        ([45, 38, 12, 30], [60, 50, 20, 41], [40, 37, 15, 28], [61, 49, 19, 40]),
    ],
)
@pytest.mark.parametrize("conf", [0.90, 0.95])
def test_several_strata_match_an_independent_implementation(
    x1: list[int], n1: list[int], x2: list[int], n2: list[int], conf: float
) -> None:
    res = ci_difference_stratified(x1, n1, x2, n2, method="mn", conf=conf)
    lo, hi = independent(x1, n1, x2, n2, conf)
    assert float(np.ravel(res.ci_lower)[0]) == pytest.approx(lo, abs=1e-9)
    assert float(np.ravel(res.ci_upper)[0]) == pytest.approx(hi, abs=1e-9)
    assert res.method == "mn"


@pytest.mark.parametrize("method", ["newcombe", "mh", "mn"])
def test_one_level_per_scenario_is_that_scenarios_interval(method: str) -> None:
    # Two scenarios of three strata at two levels: each scenario's interval is the one it gets alone
    # (the stratified Newcombe limits were an (S, S) table mixing scenarios and levels; a one-scenario
    # table with conf=[0.9] raised a bare numpy error).
    x1, n1 = [[12, 20, 8], [20, 5, 7]], [[40, 50, 30], [30, 5, 20]]
    x2, n2 = [[10, 15, 9], [20, 1, 9]], [[40, 50, 30], [40, 5, 18]]
    both = ci_difference_stratified(x1, n1, x2, n2, method=method, conf=[0.90, 0.95])
    assert np.shape(both.ci_lower) == np.shape(both.ci_upper) == (2,)
    for i, conf in enumerate([0.90, 0.95]):
        alone = ci_difference_stratified(x1[i], n1[i], x2[i], n2[i], method=method, conf=conf)
        assert float(both.ci_lower[i]) == pytest.approx(float(alone.ci_lower), abs=1e-12)
        assert float(both.ci_upper[i]) == pytest.approx(float(alone.ci_upper), abs=1e-12)
    listed = ci_difference_stratified(x1[0], n1[0], x2[0], n2[0], method=method, conf=[0.90])
    alone = ci_difference_stratified(x1[0], n1[0], x2[0], n2[0], method=method, conf=0.90)
    assert float(np.ravel(listed.ci_lower)[0]) == pytest.approx(float(alone.ci_lower), abs=1e-12)


def test_levels_that_do_not_fit_the_scenarios_are_an_input_error() -> None:
    match = r"inputs cannot be broadcast together: conf \(2,\), counts without their strata axis \(3,\)"
    with pytest.raises(InputError, match=match):
        ci_difference_stratified([[12, 20, 8]] * 3, [40, 50, 30], [10, 15, 9], [40, 50, 30], conf=[0.9, 0.95])
