"""Stratified risk difference and equivalence decisions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bioparity.clinical import (
    ci_difference,
    ci_difference_stratified,
    equivalence_means,
    equivalence_proportions,
    equivalence_ratio,
)
from bioparity.errors import InputError, ScenarioError
from tests.conftest import REFERENCE

HALF_UNIT_4DP = 5e-5 + 1e-12


def test_one_stratum_reduces_to_published_newcombe_and_wald_limits() -> None:
    """Newcombe (1998) Table II, example (a): hybrid score 0.0524-0.3339, Wald 0.0575-0.3425."""
    table = pd.read_csv(REFERENCE / "clinical" / "published_intervals.csv", comment="#")
    a = table[(table["case"] == "Newcombe-a") & (table["conf"] == 0.95)].set_index("method")
    assert a.loc[["newcombe", "wald"], ["x1", "n1", "x2", "n2"]].to_numpy().tolist() == [[56, 70, 48, 80]] * 2
    assert set(a["tolerance"]) == {5e-5}
    nc = ci_difference_stratified([56], [70], [48], [80], method="newcombe", conf=0.95)
    mh = ci_difference_stratified([56], [70], [48], [80], method="mh", conf=0.95)
    expected_nc = (a.loc["newcombe", "lower"], a.loc["newcombe", "upper"])
    expected_wald = (a.loc["wald", "lower"], a.loc["wald", "upper"])
    assert (float(nc.ci_lower), float(nc.ci_upper)) == pytest.approx(expected_nc, abs=HALF_UNIT_4DP)
    assert (float(mh.ci_lower), float(mh.ci_upper)) == pytest.approx(expected_wald, abs=HALF_UNIT_4DP)


def test_mantel_haenszel_estimate_by_hand() -> None:
    # Stratum weights n1 n2 / N: 30*40/70 = 17.142857 and 5*5/10 = 2.5;
    # differences 20/30 - 20/40 = 1/6 and 5/5 - 1/5 = 0.8.
    res = ci_difference_stratified([20, 5], [30, 5], [20, 1], [40, 5], method="mh")
    expected = (17.142857142857142 / 6 + 2.5 * 0.8) / (17.142857142857142 + 2.5)
    assert float(res.diff) == pytest.approx(expected, rel=1e-14)
    assert res.weights.sum() == pytest.approx(1.0)


def test_splitting_a_homogeneous_table_does_not_change_the_estimate() -> None:
    whole = ci_difference(40, 100, 30, 100, method="wald")
    split = ci_difference_stratified([20, 20], [50, 50], [15, 15], [50, 50], method="mh")
    assert float(split.diff) == pytest.approx(float(whole.diff), abs=1e-15)


def test_scenarios_on_leading_axes_give_the_same_result_as_one_by_one() -> None:
    x1 = np.array([[10, 12, 7], [3, 9, 4]])
    n1 = np.array([[20, 25, 15], [10, 20, 12]])
    x2 = np.array([[8, 10, 9], [5, 5, 6]])
    n2 = np.array([[20, 24, 16], [11, 19, 12]])
    both = ci_difference_stratified(x1, n1, x2, n2, conf=0.9)
    for i in range(2):
        one = ci_difference_stratified(x1[i], n1[i], x2[i], n2[i], conf=0.9)
        assert both.ci_lower[i] == pytest.approx(float(one.ci_lower), abs=1e-15)
        assert both.ci_upper[i] == pytest.approx(float(one.ci_upper), abs=1e-15)


def test_empty_arm_in_a_stratum_is_an_error_not_a_silent_drop() -> None:
    with pytest.raises(ScenarioError, match="n2"):
        ci_difference_stratified([3, 2], [10, 5], [4, 0], [10, 0])


def test_decision_states_the_level_and_depends_on_it() -> None:
    r90 = equivalence_proportions(60, 100, 58, 100, margin_lower=-0.15, margin_upper=0.15, conf=0.90)
    r95 = equivalence_proportions(60, 100, 58, 100, margin_lower=-0.15, margin_upper=0.15, conf=0.95)
    assert bool(r90.passed) and not bool(r95.passed)
    assert r90.ci_statement == "two-sided 90% CI (TOST at alpha = 0.05 per side)"
    assert r95.ci_statement == "two-sided 95% CI (TOST at alpha = 0.025 per side)"
    assert float(r95.alpha_per_side) == pytest.approx(0.025)


def test_level_must_be_given_explicitly() -> None:
    with pytest.raises(TypeError):
        equivalence_proportions(60, 100, 58, 100, margin_lower=-0.15, margin_upper=0.15)  # type: ignore[call-arg]


def test_ratio_and_means_decisions() -> None:
    r = equivalence_ratio(80, 100, 78, 100, margin_lower=0.8, margin_upper=1.25, conf=0.90)
    assert bool(r.passed) and r.measure == "ratio of proportions"
    m = equivalence_means(1.2, 1.1, 150, 1.1, 1.0, 150, margin_lower=-0.6, margin_upper=0.6, conf=0.95)
    assert bool(m.passed)
    assert float(m.ci_lower) > -0.6 and float(m.ci_upper) < 0.6


def test_interval_touching_a_margin_is_not_equivalent() -> None:
    r = equivalence_proportions(10, 10, 0, 20, margin_lower=-1.0, margin_upper=1.0, conf=0.95)
    assert float(r.ci_upper) == 1.0 and not bool(r.passed)


def test_bad_inputs_name_the_parameter() -> None:
    with pytest.raises(ScenarioError, match="x1"):
        ci_difference(11, 10, 3, 10)
    with pytest.raises(ScenarioError, match="conf"):
        ci_difference(1, 10, 3, 10, conf=95)
    with pytest.raises(InputError, match="unknown method"):
        ci_difference(1, 10, 3, 10, method="exact")
    with pytest.raises(ScenarioError, match="margin_upper"):
        equivalence_proportions(1, 10, 3, 10, margin_lower=0.1, margin_upper=-0.1, conf=0.9)
