"""Equivalence sample sizes against a published table and second, independent methods.

* Means, exact t: the equivalence test for a difference of means with sd ``s`` and margins
  ``(lo, hi)`` is PowerTOST's parallel-design TOST on the log scale with ``se = s``, ``theta0 = exp(diff)``,
  ``theta1 = exp(lo)``, ``theta2 = exp(hi)``. All 94 parallel rows of PowerTOST 1.5-7
  ``sampleN.TOST`` (tests/data/reference/expected/sample_size_tost.csv) must give the same total n.
* Normal approximations with a true difference of 0 must equal Chow, Shao & Wang (2008), Sample Size
  Calculations in Clinical Research, 2nd ed., 3.2.4 (means) and 4.2.4 (proportions):
  ``n2 = ceil((z(1-alpha) + z(1-beta/2))^2 var / margin^2)`` (R TrialSize implements these formulas).
  For a non-zero difference Chow's closed form (beta/2 regardless) is conservative: the book's example
  4.2.4 (p1 0.75, p2 0.80, margin 0.2, alpha 0.05, power 0.8) gives n = 133 per group, where the
  two-sided power is already 0.90.
* Exact enumeration of proportions against a seeded Monte Carlo simulation of the same test.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from scipy import stats

from bioparity.clinical import (
    ci_difference,
    power_equivalence_proportions,
    sample_size_equivalence_means,
    sample_size_equivalence_proportions,
)
from tests.conftest import read_reference


def test_means_exact_sample_size_matches_powertost_parallel_table() -> None:
    ref = read_reference("expected/sample_size_tost.csv")
    ref = ref[ref["design"] == "parallel"]
    se = np.sqrt(np.log1p(ref["cv"].to_numpy() ** 2))
    res = sample_size_equivalence_means(
        diff=np.log(ref["theta0"].to_numpy()),
        sd=se,
        margin_lower=np.log(ref["theta1"].to_numpy()),
        margin_upper=np.log(ref["theta2"].to_numpy()),
        alpha=ref["alpha"].to_numpy(),
        target_power=ref["target_power"].to_numpy(),
        method="exact",
    )
    assert len(ref) == 94
    np.testing.assert_array_equal(res.n_total, ref["n"].to_numpy())
    np.testing.assert_allclose(res.power, ref["power"].to_numpy(), atol=1e-9)


def _chow(alpha: float, power: float, var: float, margin: float) -> int:
    z = stats.norm.ppf(1 - alpha) + stats.norm.ppf(1 - (1 - power) / 2)
    return int(np.ceil(z**2 * var / margin**2 - 1e-9))


@pytest.mark.parametrize(
    ("sd", "margin", "alpha", "power"), [(1.0, 0.5, 0.05, 0.8), (0.1, 0.05, 0.1, 0.9), (2.0, 0.6, 0.025, 0.9)]
)
def test_means_normal_sample_size_equals_chow_formula_at_zero_difference(
    sd: float, margin: float, alpha: float, power: float
) -> None:
    r = sample_size_equivalence_means(
        diff=0.0,
        sd=sd,
        margin_lower=-margin,
        margin_upper=margin,
        alpha=alpha,
        target_power=power,
        method="normal",
    )
    assert int(r.n2) == _chow(alpha, power, 2 * sd**2, margin)


@pytest.mark.parametrize(
    ("p", "margin", "alpha", "power"),
    [(0.6, 0.15, 0.05, 0.8), (0.3, 0.1, 0.025, 0.9), (0.85, 0.12, 0.05, 0.9)],
)
def test_proportions_normal_sample_size_equals_chow_formula_at_zero_difference(
    p: float, margin: float, alpha: float, power: float
) -> None:
    r = sample_size_equivalence_proportions(
        p1=p, p2=p, margin_lower=-margin, margin_upper=margin, alpha=alpha, target_power=power
    )
    assert int(r.n2) == _chow(alpha, power, 2 * p * (1 - p), margin)


def test_chow_example_4_2_4_is_conservative() -> None:
    r = power_equivalence_proportions(p1=0.75, p2=0.80, n1=133, n2=133, margin_lower=-0.2, margin_upper=0.2)
    assert r.power > 0.89
    n = sample_size_equivalence_proportions(p1=0.75, p2=0.80, margin_lower=-0.2, margin_upper=0.2)
    assert int(n.n2) < 133 and n.power >= 0.8


@pytest.mark.parametrize("ci_method", ["newcombe", "mn", "wald"])
def test_exact_power_matches_monte_carlo(ci_method: str) -> None:
    n1, n2, p1, p2 = 40, 50, 0.55, 0.6
    exact = power_equivalence_proportions(
        p1=p1, p2=p2, n1=n1, n2=n2, margin_lower=-0.2, margin_upper=0.2, method="exact", ci_method=ci_method
    ).power
    rng = np.random.default_rng(7)
    reps = 40_000
    ci = ci_difference(
        rng.binomial(n1, p1, reps), n1, rng.binomial(n2, p2, reps), n2, method=ci_method, conf=0.90
    )
    simulated = np.mean((ci.ci_lower > -0.2) & (ci.ci_upper < 0.2))
    assert abs(float(exact) - simulated) < 4 * np.sqrt(0.25 / reps)


def test_exact_sample_size_is_the_first_n_reaching_the_target_from_its_scan_start() -> None:
    r = sample_size_equivalence_proportions(
        p1=0.7, p2=0.7, margin_lower=-0.2, margin_upper=0.2, method="exact", ci_method="newcombe"
    )
    n = int(r.n2)
    assert r.power >= 0.8
    normal = sample_size_equivalence_proportions(p1=0.7, p2=0.7, margin_lower=-0.2, margin_upper=0.2)
    sizes = np.arange(int(normal.n2) // 2, n)
    below = power_equivalence_proportions(
        p1=0.7, p2=0.7, n1=sizes, n2=sizes, margin_lower=-0.2, margin_upper=0.2, method="exact"
    )
    assert np.all(below.power < 0.8)
    assert abs(n - int(normal.n2)) <= 0.15 * int(normal.n2)


def test_exact_and_normal_power_agree_for_a_large_study() -> None:
    exact, normal = (
        power_equivalence_proportions(
            p1=0.6, p2=0.62, n1=300, n2=300, margin_lower=-0.12, margin_upper=0.12, method=m, ci_method="wald"
        ).power
        for m in ("exact", "normal")
    )
    assert abs(float(exact) - float(normal)) < 0.01


def test_means_exact_sample_size_takes_about_two_power_evaluations_per_scenario(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The shifted-t start puts the search at the answer or one below it (issue #22: the speed of the
    search is in the number of exact power evaluations). Same n as a search from the smallest size."""
    from bioparity.power.kernels import power_exact

    rng = np.random.default_rng(2026)
    k = 2_000
    kwargs: dict[str, Any] = {
        "diff": rng.uniform(-0.2, 0.2, k),
        "sd": rng.uniform(0.5, 2.0, k),
        "margin_lower": -0.6,
        "margin_upper": 0.6,
        "target_power": rng.choice([0.8, 0.9], k),
        "ratio": rng.choice([1.0, 2.0], k),
    }
    evaluated = []

    def counting(*args: np.ndarray) -> np.ndarray:
        evaluated.append(np.size(args[0]))
        return power_exact(*args)

    monkeypatch.setattr("bioparity.clinical.sample_size_means.power_exact", counting)
    fast = sample_size_equivalence_means(**kwargs)
    assert sum(evaluated) <= 2.1 * k
    monkeypatch.setattr("bioparity.clinical.sample_size_means._start_n2", lambda *args: np.full(k, 2.0))
    np.testing.assert_array_equal(sample_size_equivalence_means(**kwargs).n2, fast.n2)


@pytest.mark.parametrize(
    ("endpoint", "spread", "margin", "alpha", "power", "ratio"),
    [
        ("proportions", 0.6, 0.15, 0.05, 0.8, 2.0),
        ("proportions", 0.3, 0.1, 0.025, 0.9, 0.5),
        ("proportions", 0.85, 0.12, 0.05, 0.9, 1.5),
        ("proportions", 0.7, 0.15, 0.025, 0.8, 3.0),
        ("means", 1.0, 0.5, 0.05, 0.8, 2.0),
        ("means", 0.1, 0.05, 0.1, 0.9, 0.5),
        ("means", 2.0, 0.6, 0.025, 0.9, 1.5),
        ("means", 10.0, 15.0, 0.05, 0.9, 3.0),
    ],
)
def test_normal_sample_size_with_unequal_allocation_equals_chow(
    endpoint: str, spread: float, margin: float, alpha: float, power: float, ratio: float
) -> None:
    """Chow, Shao & Wang (2008) 3.2.4 (means, ``spread`` = sd) and 4.2.4 (proportions, ``spread`` = p1 = p2)
    with n1 = kappa n2 and a true difference of 0: n2 = (z(1-alpha) + z(1-beta/2))^2 var / margin^2 with
    var = sd^2 (1 + 1/kappa) or p q (1 + 1/kappa); exact (integers); n1 = ceil(kappa n2)."""
    margins: dict[str, Any] = {
        "margin_lower": -margin,
        "margin_upper": margin,
        "alpha": alpha,
        "target_power": power,
    }
    if endpoint == "means":
        r: Any = sample_size_equivalence_means(diff=0.0, sd=spread, ratio=ratio, method="normal", **margins)
        var = spread**2
    else:
        r = sample_size_equivalence_proportions(p1=spread, p2=spread, ratio=ratio, **margins)
        var = spread * (1 - spread)
    n2 = _chow(alpha, power, var * (1 / ratio + 1), margin)
    assert (int(r.n1), int(r.n2)) == (int(np.ceil(ratio * n2 - 1e-9)), n2)
