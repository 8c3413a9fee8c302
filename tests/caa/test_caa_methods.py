"""The CAA methods on one attribute: equivalence test, ranges, lot-count rules."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from bioparity.caa import compare, equivalence_test_means, tolerance_factor
from bioparity.errors import InputError

RNG = np.random.default_rng(7)
TEST = RNG.normal(100.0, 4.0, 10)
REF = RNG.normal(100.5, 5.0, 15)


@pytest.mark.parametrize(("variance", "equal_var"), [("welch", False), ("pooled", True)])
def test_equivalence_ci_matches_scipy_two_sample_t_interval(variance: str, equal_var: bool) -> None:
    res = compare(TEST, REF, "equivalence", variance=variance)
    ci = stats.ttest_ind(TEST, REF, equal_var=equal_var).confidence_interval(0.90)
    assert res.ci_lower == pytest.approx(ci.low, rel=1e-10)
    assert res.ci_upper == pytest.approx(ci.high, rel=1e-10)
    assert res.estimate == pytest.approx(TEST.mean() - REF.mean(), rel=1e-12)
    margin = 1.5 * REF.std(ddof=1)
    assert (res.lower_limit, res.upper_limit) == pytest.approx((-margin, margin), rel=1e-12)
    assert res.status == ("pass" if -margin < ci.low and ci.high < margin else "fail")
    assert f"{variance} variance" in res.reasons


def test_equivalence_fails_when_shift_exceeds_margin() -> None:
    res = compare(TEST + 3 * REF.std(ddof=1), REF, "equivalence")
    assert res.status == "fail" and res.passed is False
    assert "not inside" in res.reasons


def test_equivalence_margin_multiplier_and_alpha_are_used() -> None:
    wide = equivalence_test_means(101.0, 4.0, 10, 100.0, 4.0, 10, margin_multiplier=2.0, alpha=0.025)
    assert float(wide.margin) == pytest.approx(8.0)
    t = stats.t.ppf(0.975, 18)
    assert float(wide.ci_upper) == pytest.approx(1.0 + t * 4.0 * np.sqrt(0.2), rel=1e-12)


def test_equivalence_one_sided_direction_checks_only_the_worse_side() -> None:
    # Test lots much *lower* than reference: fails two-sided, passes when higher is worse.
    low = REF.mean() - 3 * REF.std(ddof=1) + TEST - TEST.mean()
    assert compare(low, REF, "equivalence").status == "fail"
    assert compare(low, REF, "equivalence", direction="higher-is-worse").status == "pass"
    assert compare(low, REF, "equivalence", direction="lower-is-worse").status == "fail"


def test_equivalence_warns_below_ten_lots_per_source_in_the_old_2017_plan() -> None:
    res = compare(TEST[:6], REF, "equivalence", plan="tiered-2017")
    assert "fewer than 10 lots for test" in res.reasons


def test_quality_range_counts_lots_inside_mean_plus_minus_k_sd() -> None:
    ref = np.array([98.0, 100.0, 102.0, 101.0, 99.0])
    lo, hi = ref.mean() - 2 * ref.std(ddof=1), ref.mean() + 2 * ref.std(ddof=1)
    test = np.array([100.0, 101.0, lo - 0.01, hi + 0.5])
    old = {"plan": "tiered-2017"}  # 5 reference / 4 test lots: below the default plan's minimum of 10
    res = compare(test, ref, "quality-range", k=2, min_fraction=0.5, test_lots=["A", "B", "C", "D"], **old)
    assert (res.lower_limit, res.upper_limit) == pytest.approx((lo, hi), rel=1e-12)
    assert res.n_inside == 2 and res.fraction_inside == 0.5
    assert res.status == "pass"  # 50% >= 50%
    assert "outside: C" in res.reasons and "D (" in res.reasons
    assert compare(test, ref, "quality-range", k=2, **old).status == "fail"  # default: >= 90%


def test_quality_range_one_sided_attribute_has_an_open_lower_end() -> None:
    ref = np.array([0.5, 0.6, 0.7, 0.6, 0.55])
    res = compare([0.01, 0.6], ref, "quality-range", direction="higher-is-worse", plan="tiered-2017")
    assert res.lower_limit == -np.inf
    assert res.status == "pass"


def test_tolerance_interval_uses_exact_two_sided_and_one_sided_factors() -> None:
    res = compare(TEST, REF, "tolerance-interval", coverage=0.95, confidence=0.95)
    k = float(tolerance_factor(15, 0.95, 0.95))
    assert res.factor == pytest.approx(k, rel=1e-12)
    assert res.upper_limit == pytest.approx(REF.mean() + k * REF.std(ddof=1), rel=1e-12)
    one = compare(TEST, REF, "tolerance-interval", direction="higher-is-worse")
    assert one.factor == pytest.approx(float(tolerance_factor(15, 0.99, 0.95, side=1)), rel=1e-12)
    howe = compare(TEST, REF, "tolerance-interval", tolerance_method="howe")
    assert howe.factor == pytest.approx(float(tolerance_factor(15, 0.99, 0.95, method="howe")), rel=1e-12)


def test_min_max_and_nonparametric_ranges_use_order_statistics() -> None:
    ref = np.arange(1.0, 71.0)  # 70 lots
    res = compare([0.5, 30.0], ref, "min-max")
    assert (res.lower_limit, res.upper_limit, res.n_inside) == (1.0, 70.0, 1.0)
    # 90%/90% two-sided with 70 lots: the content of [x_(r), x_(71-r)] is Beta(71 - 2r, 2r);
    # r = 2 reaches 90% confidence, r = 3 does not, so the limits are x_(2) and x_(69).
    assert stats.beta.sf(0.9, 70 - 4 + 1, 4) >= 0.9 > stats.beta.sf(0.9, 70 - 6 + 1, 6)
    npar = compare([30.0], ref, "nonparametric")
    assert (npar.lower_limit, npar.upper_limit, npar.factor) == (2.0, 69.0, 2.0)


def test_nonparametric_with_few_lots_is_not_evaluable_and_says_how_many_are_needed() -> None:
    res = compare(TEST, REF, "nonparametric")
    assert res.status == "not-evaluable" and res.passed is None
    assert "needs >= 38 reference lots" in res.reasons


@pytest.mark.parametrize("method", ["equivalence", "quality-range", "tolerance-interval", "min-max"])
def test_too_few_reference_lots_is_not_evaluable_never_passed(method: str) -> None:
    res = compare([100.0, 100.1], [99.0, 101.0], method)
    assert res.status == "not-evaluable"
    assert res.passed is None
    assert "2 reference lots" in res.reasons


def test_zero_reference_sd_is_not_evaluable() -> None:
    res = compare([5.0, 5.0], [5.0, 5.0, 5.0], "quality-range", plan="tiered-2017")
    assert res.status == "not-evaluable" and "SD is 0" in res.reasons


def test_descriptive_has_no_verdict() -> None:
    res = compare(TEST, REF, "descriptive")
    assert res.status == "descriptive" and res.passed is None


def test_unknown_method_or_setting_is_an_input_error() -> None:
    with pytest.raises(InputError, match="method"):
        compare(TEST, REF, "t-test")
    with pytest.raises(InputError, match="unknown field"):
        compare(TEST, REF, "quality-range", kk=3)
    with pytest.raises(InputError, match="k"):
        compare(TEST, REF, "quality-range", k=-1)


def test_the_share_of_lots_inside_is_not_rounded_to_all_of_them() -> None:
    """199 of 200 test lots inside the reference min-max range is 99.5%, not "100%" (whole percent rounded
    a lot outside away); 150 of 200 is printed as before (75%)."""
    ref = np.arange(1.0, 11.0)  # range [1, 10]
    one_out = np.r_[np.full(199, 5.0), 20.0]
    res = compare(one_out, ref, "min-max")
    assert res.n_inside == 199.0
    assert "199/200 test lots (99.5%) inside" in res.reasons and "(100%)" not in res.reasons
    quarter_out = np.r_[np.full(150, 5.0), np.full(50, 20.0)]
    assert "150/200 test lots (75%) inside" in compare(quarter_out, ref, "min-max").reasons
