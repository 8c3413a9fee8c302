"""The CAA default plan (issue 27): quality range with k by criticality, spread check, lot minimums,
operating characteristics, bridge direction by region and the explicit pooling option.

Sources: FDA, *Development of Therapeutic Protein Biosimilars: Comparative Analytical Assessment and
Other Quality-Related Considerations* (draft 2019, final September 2025): quality range mean_R ± k·s_R,
k justified per attribute and smaller for more critical attributes; objective "similar population mean
and similar population standard deviation". FDA 2017 draft *Statistical Approaches to Evaluate
Analytical Similarity* (withdrawn 2018): 10 lots per product, equivalence margin 1.5·s_R. EMA
reflection paper EMA/CHMP/138502/2017 (2021): operating characteristics of the chosen criterion.
Burdick, Thomas & Cheng 2017 and Dong, Weng & Tsong 2017: the equivalence test with an estimated
margin has an inflated type I error that does not shrink with more lots.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from bioparity.caa import Catalogue, assess, compare
from bioparity.caa.assessment import POOLED_NOT_EVALUABLE, default_comparisons
from bioparity.caa.catalogue import DEFAULT_K_BY_TIER, LEGACY_PLAN
from bioparity.caa.operating import equivalence_type1_limit, operating_characteristics
from bioparity.errors import InputError
from bioparity.i18n.notes import translate_note

RNG = np.random.default_rng(27)


def _table(lots: dict[str, np.ndarray], attribute: str = "potency") -> pd.DataFrame:
    rows = [
        (attribute, src, f"{src}-{i}", float(v)) for src, vals in lots.items() for i, v in enumerate(vals)
    ]
    return pd.DataFrame(rows, columns=["attribute", "source", "lot", "value"])


def _z(n: int) -> np.ndarray:
    """n standardised values (mean 0, SD 1 exactly): controlled sample statistics."""
    x = RNG.standard_normal(n)
    return np.asarray((x - x.mean()) / x.std(ddof=1), dtype=float)


# -- the default plan -------------------------------------------------------------------------------


def test_default_plan_is_the_quality_range_with_smaller_k_for_critical_attributes_fda_2019_2025() -> None:
    cat = Catalogue()
    t1, t2, t3 = (cat.resolve("a", data_tier=t) for t in (1, 2, 3))
    assert (t1.method, t1.k, t1.min_fraction) == ("quality-range", 2.5, 0.9)
    assert (t2.method, t2.k) == ("quality-range", 3.0)
    assert t3.method == "descriptive"
    assert (t1.k, t2.k) == (DEFAULT_K_BY_TIER[1], DEFAULT_K_BY_TIER[2])
    assert DEFAULT_K_BY_TIER[1] < DEFAULT_K_BY_TIER[2]
    # the equivalence test (FDA 2017 draft margin 1.5 s_R, 90% CI) is kept as a sensitivity for tier 1
    assert (t1.sensitivity, t1.margin_multiplier, t1.alpha) == ("equivalence", 1.5, 0.05)
    assert t2.sensitivity == "none"
    assert t1.spread_check and t2.spread_check and t1.sd_ratio_margin == 1.5
    assert (t1.min_reference_lots, t1.min_test_lots) == (10, 10)


def test_k_and_method_are_overridable_per_attribute() -> None:
    cat = Catalogue.from_mapping(
        {"attributes": {"potency": {"tier": 1, "k": 2.0}, "glycan": {"tier": 1, "method": "equivalence"}}}
    )
    assert cat.resolve("potency").k == 2.0
    eq = cat.resolve("glycan")
    assert (eq.method, eq.sensitivity, eq.margin_multiplier) == ("equivalence", "none", 1.5)


def test_old_fda_2017_tiers_stay_available_as_an_explicit_plan() -> None:
    cat = Catalogue.from_mapping({"plan": "tiered-2017"})
    t1 = cat.resolve("a", data_tier=1)
    assert (t1.method, t1.spread_check, t1.sensitivity, t1.min_reference_lots) == (
        "equivalence",
        False,
        "none",
        3,
    )
    assert cat.resolve("a", data_tier=2).k == 3.0
    with pytest.raises(InputError, match="plan 'fda-2099' unknown"):
        Catalogue.from_mapping({"plan": "fda-2099"})


# -- spread check -----------------------------------------------------------------------------------


def test_spread_check_fails_a_test_product_far_more_variable_fda_2025_similar_sd() -> None:
    ref = 100 + 2.0 * _z(12)  # mean 100, SD 2: quality range [94, 106] for k = 3
    alternate = np.tile([-1.0, 1.0], 6)
    ok = compare(100 + 2.6 * alternate, ref, "quality-range")  # s_T = 2.6·sqrt(12/11) = 2.716
    assert ok.status == "pass" and ok.spread_status == "pass"
    assert ok.sd_ratio == pytest.approx(2.6 * np.sqrt(12 / 11) / 2.0, rel=1e-12)
    wide = 100 + 3.6 * alternate  # every lot inside [94, 106], but s_T/s_R = 1.88
    res = compare(wide, ref, "quality-range")
    assert res.n_inside == 12 and res.upper_limit == pytest.approx(106.0)
    assert res.status == "fail" and res.spread_status == "fail"
    assert "spread: s_T/s_R = 1.88 > 1.5" in res.reasons
    off = compare(wide, ref, "quality-range", spread_check=False)  # the quality range alone passes it
    assert off.status == "pass" and off.spread_status == "off"
    assert compare(wide, ref, "quality-range", sd_ratio_margin=2.0).status == "pass"


# -- lot minimums -----------------------------------------------------------------------------------


def test_fewer_than_10_lots_is_not_evaluable_with_the_reason_fda_2017_draft() -> None:
    res = compare(100 + _z(8), 100 + _z(15), "quality-range")
    assert res.status == "not-evaluable" and res.passed is None
    assert "8 lots of test; quality-range needs >= 10 (default minimum of the plan" in res.reasons


def test_lower_lot_minimum_needs_a_recorded_justification() -> None:
    with pytest.raises(InputError, match="lot_justification"):
        compare(100 + _z(8), 100 + _z(15), "quality-range", min_test_lots=5)
    why = "only 8 biosimilar DS lots manufactured at commercial scale by filing"
    res = compare(100 + 0.5 * _z(8), 100 + _z(15), "quality-range", min_test_lots=5, lot_justification=why)
    assert res.status == "pass" and res.lot_justification == why
    assert why in res.plan and why in res.settings
    # with 5-9 test lots "90% inside" means every lot: stated in the reasons
    assert "with 8 test lots, >= 90% inside means all 8 lots" in res.reasons


def test_a_3_lot_tolerance_interval_no_longer_passes_a_3_sd_shift() -> None:
    """Issue 27: a 99/95 TI from 3 reference lots (k = 12.65) passed a test shifted by +3 SD_R."""
    ref, test = 100 + _z(3), 103 + _z(10)
    old = compare(test, ref, "tolerance-interval", plan=LEGACY_PLAN)
    assert old.factor == pytest.approx(12.65, abs=0.01) and old.status == "pass"
    assert compare(test, ref, "tolerance-interval").status == "not-evaluable"


# -- operating characteristics ----------------------------------------------------------------------


def _qr_pass_by_quadrature(k: float, frac: float, n_t: int, n_r: int, shift: float, ratio: float) -> float:
    """P(pass) of the quality range by numerical integration (no simulation).

    Given the reference mean m ~ N(0, 1/n_R) and SD s ~ sqrt(chi2_{n_R-1}/(n_R-1)), the number of test
    lots inside m ± k s is Binomial(n_T, p(m, s)); integrate its tail over m (Gauss-Hermite) and s
    (midpoint rule on 4,000 quantiles).
    """
    need = int(np.ceil(frac * n_t - 1e-9))
    x, w = np.polynomial.hermite_e.hermegauss(80)
    m = x / np.sqrt(n_r)
    w = w / w.sum()
    u = (np.arange(4000) + 0.5) / 4000
    s = np.sqrt(stats.chi2.ppf(u, n_r - 1) / (n_r - 1))
    mm, ss = np.meshgrid(m, s, indexing="ij")
    p = stats.norm.cdf((mm + k * ss - shift) / ratio) - stats.norm.cdf((mm - k * ss - shift) / ratio)
    tail = stats.binom.sf(need - 1, n_t, p)
    return float((w[:, None] * tail).sum() / u.size)


@pytest.mark.parametrize(("n_t", "n_r"), [(10, 10), (10, 15)])
def test_quality_range_ocs_match_numerical_integration_within_3_mc_se(n_t: int, n_r: int) -> None:
    spec = replace(Catalogue().resolve("a", data_tier=2), spread_check=False)
    oc = operating_characteristics(spec, n_t, n_r, n_sim=20_000, seed=1)
    for scenario, shift, ratio in (
        ("equal", 0, 1),
        ("shift_1sd", 1, 1),
        ("shift_2sd", 2, 1),
        ("sd_doubled", 0, 2),
    ):
        exact = _qr_pass_by_quadrature(3.0, 0.9, n_t, n_r, shift, ratio)
        assert abs(oc.probability[scenario] - exact) <= 3 * oc.mc_se[scenario], (scenario, exact)


def test_quality_range_ocs_reproduce_the_issue_27_review_figures() -> None:
    """Review of issue 27 (10 v 10 lots, k = 3, 90% inside): 52% pass at a doubled SD, 46% at +2 s_R.

    The review's figures are given to 1%, so the tolerance is 3 MC SE plus 0.5% rounding (the exact values,
    0.5195 and 0.4568, are checked by numerical integration in test_operating_published.py).
    """
    spec = replace(Catalogue().resolve("a", data_tier=2), spread_check=False)
    oc = operating_characteristics(spec, 10, 10, n_sim=20_000)
    assert abs(oc.probability["sd_doubled"] - 0.52) <= 3 * oc.mc_se["sd_doubled"] + 0.005
    assert abs(oc.probability["shift_2sd"] - 0.46) <= 3 * oc.mc_se["shift_2sd"] + 0.005


def test_spread_check_ocs_follow_the_f_distribution() -> None:
    """With an always-wide range (k = 50) only the spread check decides: P(s_T/s_R <= m) is
    P(F(n_T - 1, n_R - 1) <= m^2 / ratio^2) (ratio of independent scaled chi-squares)."""
    spec = replace(Catalogue().resolve("a", data_tier=2), k=50.0)
    oc = operating_characteristics(spec, 10, 12, n_sim=20_000, seed=3)
    for scenario, ratio in (("equal", 1.0), ("sd_doubled", 2.0)):
        exact = stats.f.cdf(1.5**2 / ratio**2, 9, 11)
        assert abs(oc.probability[scenario] - exact) <= 3 * oc.mc_se[scenario]


def test_default_plan_cuts_the_doubled_sd_false_pass_from_52_to_about_20_percent() -> None:
    oc = operating_characteristics(Catalogue().resolve("a", data_tier=2), 10, 10, n_sim=20_000)
    assert oc.probability["sd_doubled"] < 0.25 and oc.probability["equal"] > 0.85
    assert oc.n_sim == 20_000 and oc.seed == 20250909
    frame = oc.to_frame()
    assert list(frame["scenario"][:4]) == ["equal", "shift_1sd", "shift_2sd", "sd_doubled"]


def test_equivalence_type1_is_inflated_by_estimating_sigma_r_dong_weng_tsong_2017() -> None:
    """Type I error at a true difference of 1.5 sigma_R: above the nominal 5% and rising towards the
    large-sample limit 0.094 (n_T = n_R) instead of falling with more lots (Dong, Weng & Tsong 2017;
    Burdick, Thomas & Cheng 2017); worse when the reference has fewer lots than the test."""
    spec = Catalogue.from_mapping({"plan": "tiered-2017"}).resolve("a", data_tier=1)
    small = operating_characteristics(spec, 10, 10, n_sim=40_000)
    large = operating_characteristics(spec, 300, 300, n_sim=40_000)
    assert small.equivalence_type1 > 0.05 + 3 * small.equivalence_type1_se
    assert large.equivalence_type1 > small.equivalence_type1 + 3 * large.equivalence_type1_se
    # large-sample limit: Phi(-1.645 / sqrt(1 + 1.5^2/4)) = Phi(-1.316)
    assert equivalence_type1_limit(1.5, 0.05, 10, 10) == pytest.approx(
        stats.norm.cdf(-1.6448536 / 1.25), rel=1e-6
    )
    assert (
        abs(large.equivalence_type1 - large.equivalence_type1_limit) <= 3 * large.equivalence_type1_se + 0.006
    )
    # lot imbalance (fewer reference than test lots, same total) inflates it further
    balanced = operating_characteristics(spec, 100, 100, n_sim=40_000)
    imbalanced = operating_characteristics(spec, 150, 50, n_sim=40_000)
    se = np.hypot(balanced.equivalence_type1_se, imbalanced.equivalence_type1_se)
    assert imbalanced.equivalence_type1 > balanced.equivalence_type1 + 3 * se
    assert equivalence_type1_limit(1.5, 0.05, 150, 50) > equivalence_type1_limit(1.5, 0.05, 100, 100)


# -- the assessment table, bridge direction, pooling --------------------------------------------------


def _three_sources(shift_us: float = 0.0) -> pd.DataFrame:
    return _table({"test": 100 + _z(12), "ref-eu": 100 + _z(15), "ref-us": 100 + shift_us + _z(14)})


def test_bridge_direction_follows_the_region_being_filed() -> None:
    """EMA: US lots judged against the EU range (the EU reference is the comparator); FDA: the reverse."""
    sources = ["test", "ref-eu", "ref-us"]
    assert default_comparisons(sources, "ema")[-1] == ("ref-us", "ref-eu")
    assert default_comparisons(sources, "fda")[-1] == ("ref-eu", "ref-us")
    assert default_comparisons(sources)[-1] == ("ref-eu", "ref-us")  # no region: old alphabetical order
    result = assess(_three_sources(), region="ema", operating_characteristics=False)
    assert "ref-us vs ref-eu" in set(result.table["comparison"])
    assert "Bridge direction for EMA: ref-us lots judged against the ref-eu range." in result.notes
    unstated = assess(_three_sources(), operating_characteristics=False)
    assert any("no region given, alphabetical order" in n for n in unstated.notes)
    with pytest.raises(InputError, match="region 'pmda' unknown"):
        assess(_three_sources(), region="pmda")


def test_references_are_pooled_only_when_asked_and_only_after_a_successful_bridge() -> None:
    plain = assess(_three_sources(), operating_characteristics=False)
    assert "test vs ref-pooled" not in set(plain.table["comparison"])
    pooled = assess(_three_sources(), region="ema", pool_references=True, operating_characteristics=False)
    row = pooled.table.set_index("comparison").loc["test vs ref-pooled"]
    assert row["n_reference"] == 29 and row["status"] == "pass"
    broken = assess(
        _three_sources(shift_us=8.0), region="ema", pool_references=True, operating_characteristics=False
    )
    t = broken.table.set_index("comparison")
    assert t.loc["ref-us vs ref-eu", "status"] == "fail"
    assert t.loc["test vs ref-pooled", "status"] == "not-evaluable"
    assert "pooled only after a successful bridge" in t["reasons"].loc["test vs ref-pooled"]


def test_the_pooled_rows_bridge_statuses_read_in_chinese() -> None:
    """zh-CN finding: the not-evaluable pooled row read "桥接状态 test vs ref-eu: pass, ref-us vs ref-eu:
    fail" (English labels and statuses inside the Chinese reason). The stored reason keeps the codes."""
    broken = assess(
        _three_sources(shift_us=8.0), region="ema", pool_references=True, operating_characteristics=False
    )
    stored = broken.table.set_index("comparison")["reasons"].loc["test vs ref-pooled"]
    assert stored.endswith("bridge status ref-us vs ref-eu: fail")
    assert translate_note(stored, "zh-CN") == (
        "不可评价：仅在桥接成功后才合并参照；桥接状态 ref-us 对比 ref-eu：不通过"
    )
    assert translate_note(stored, "en") == stored
    two = POOLED_NOT_EVALUABLE.format(statuses="test vs ref-eu: pass, ref-us vs ref-eu: not-evaluable")
    shown = translate_note(two, "zh-CN")
    assert shown.endswith("桥接状态 test 对比 ref-eu：通过，ref-us 对比 ref-eu：不可评价")
    assert translate_note(two, "en").endswith("test vs ref-eu: pass, ref-us vs ref-eu: not evaluable")


def test_every_choice_is_visible_in_the_result_table() -> None:
    data = pd.concat([_three_sources(), _three_sources().assign(attribute="glycan")], ignore_index=True)
    cat = Catalogue.from_mapping({"attributes": {"potency": {"tier": 1}, "glycan": {"tier": 2}}})
    frame = assess(data, cat, region="fda", oc_simulations=2_000).to_frame()
    columns = [
        "plan",
        "plan_name",
        "region",
        "spread_status",
        "sd_ratio_margin",
        "sensitivity_method",
        "sensitivity_status",
        "min_reference_lots",
        "min_test_lots",
        "lot_justification",
        "oc_equal",
        "oc_shift_1sd",
        "oc_shift_2sd",
        "oc_sd_doubled",
        "oc_mc_se_max",
        "oc_equivalence_type1",
        "oc_simulations",
        "oc_seed",
    ]
    for column in columns:
        assert column in frame.columns, column
    potency = frame[frame["attribute"] == "potency"].iloc[0]
    assert potency["plan"].startswith("quality range mean_R ± 2.5·s_R, >= 90% of test lots inside")
    assert "spread s_T/s_R <= 1.5" in potency["plan"] and "sensitivity: equivalence test" in potency["plan"]
    assert (
        potency["sensitivity_status"] == "pass"
        and "90% CI of mean difference" in potency["sensitivity_reasons"]
    )
    assert potency["oc_equivalence_type1"] > 0.05 and potency["region"] == "fda"
    glycan = frame[frame["attribute"] == "glycan"].iloc[0]
    assert glycan["sensitivity_method"] == "none" and np.isnan(glycan["oc_equivalence_type1"])
    assert (frame["plan_name"] == "qr-2025").all() and (frame["oc_simulations"] == 2_000).all()


def test_equivalence_reasons_flag_lot_imbalance_dong_weng_tsong_2017() -> None:
    """n_T > 1.5 n_R inflates the type I error of the test with an estimated margin (Dong et al. 2017)."""
    res = compare(100 + _z(16), 100 + _z(10), "equivalence")
    assert "lot imbalance: 16 v 10 lots (n_T > 1.5 n_R)" in res.reasons
    assert "lot imbalance" not in compare(100 + _z(15), 100 + _z(10), "equivalence").reasons
