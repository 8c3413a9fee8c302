"""Equivalence margins from a symmetric margin or an explicit pair (ICH E9 3.3.2), and region presets."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bioparity.clinical import (
    EquivalenceResult,
    ci_difference,
    ci_difference_stratified,
    equivalence_proportions,
    equivalence_ratio,
    power_equivalence_proportions,
    sample_size_equivalence_means,
    sample_size_equivalence_proportions,
)
from bioparity.clinical.equivalence import equivalence_decision, equivalence_margins
from bioparity.clinical.presets import canonical_region, region_level
from bioparity.errors import InputError, ScenarioError


def test_symmetric_margin_and_explicit_pair() -> None:
    assert equivalence_margins(0.15) == (-0.15, 0.15)
    assert equivalence_margins(None, 0.8, 1.25) == (0.8, 1.25)
    assert equivalence_margins() is None
    assert equivalence_margins(margin_lower=-0.1, margin_upper=0.2, required=True) == (-0.1, 0.2)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"margin": 0.0}, "margin must be > 0 (a symmetric margin, e.g. 0.15); got 0.0"),
        ({"margin": -0.1}, "margin must be > 0"),
        ({"margin": 0.1, "margin_lower": -0.1}, "give either margin or margin_lower/margin_upper, not both"),
        ({"margin_lower": -0.1}, "give both margin_lower and margin_upper (or a symmetric margin)"),
        ({"margin_upper": 0.1}, "give both margin_lower and margin_upper"),
        ({"required": True}, "equivalence margins are required: margin or margin_lower/margin_upper"),
    ],
)
def test_incomplete_or_impossible_margins_are_errors(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(InputError) as info:
        equivalence_margins(**kwargs)  # type: ignore[arg-type]
    assert message in str(info.value)


def test_messages_use_the_callers_names() -> None:
    names = ("--margin", "--margin-lower", "--margin-upper")
    with pytest.raises(InputError, match="give both --margin-lower and --margin-upper"):
        equivalence_margins(margin_lower=-0.1, names=names)


def test_margins_that_do_not_fit_the_intervals_name_every_shape() -> None:
    """Was "margins of shape (2,)/(2,) do not fit the intervals": the intervals' shape unsaid (the one
    wording of bioparity.arrays.broadcast_shape names each argument with its shape)."""
    ci = ci_difference([12, 30, 5], [40, 50, 45], [10, 28, 3], [40, 60, 30])
    with pytest.raises(InputError) as info:
        equivalence_decision(ci, ci.diff, margin_lower=[-0.1, -0.2], margin_upper=[0.1, 0.2], measure="d")
    assert str(info.value) == (
        "inputs cannot be broadcast together: ci_lower (3,), ci_upper (3,), margin_lower (2,), "
        "margin_upper (2,), estimate (3,), conf_level (3,)"
    )


def test_region_presets() -> None:
    assert canonical_region(" FDA ") == "fda"
    assert region_level("EMA") == (0.95, "95% two-sided CI (EMA preset)")
    with pytest.raises(InputError, match="unknown --region 'jp'; expected one of ema, fda"):
        canonical_region("jp", name="--region")
    with pytest.raises(InputError, match="unknown region 'jp'"):
        region_level("jp")


MARGIN_AS_FRACTION = "a margin of p1 - p2 as a fraction between -1 and 1 (0.15 for 15 percentage points)"


@pytest.mark.parametrize(
    "call",
    [
        lambda: equivalence_proportions(5, 10, 4, 20, margin_lower=-15, margin_upper=15, conf=0.95),
        lambda: ci_difference_stratified_decision(margin=15),
        lambda: sample_size_equivalence_proportions(p1=0.6, p2=0.6, margin_lower=-15, margin_upper=15),
        lambda: power_equivalence_proportions(p1=0.6, p2=0.6, n1=1, n2=1, margin_lower=-15, margin_upper=15),
    ],
)
def test_a_difference_of_proportions_margin_outside_minus_1_to_1_is_an_error(
    call: Callable[[], object],
) -> None:
    """Was: 15 typed for 0.15 gave "equivalent" for 5/10 v 4/20 (interval -0.04 to 0.59) and a sample size
    of 1 per group with power 1.0; p1 - p2 cannot leave [-1, 1]."""
    with pytest.raises(ScenarioError) as info:
        call()
    assert str(info.value) == f"margin_lower = -15.0; expected {MARGIN_AS_FRACTION}"


def ci_difference_stratified_decision(margin: float) -> EquivalenceResult:
    ci = ci_difference_stratified([12, 20, 8], [40, 50, 30], [10, 15, 9], [40, 50, 30])
    return equivalence_decision(ci, ci.diff, margin_lower=-margin, margin_upper=margin, measure="d")


def test_margins_of_minus_1_and_1_are_still_margins() -> None:
    r = equivalence_proportions(10, 10, 0, 20, margin_lower=-1.0, margin_upper=1.0, conf=0.95)
    assert not bool(r.passed)  # Newcombe's upper limit is 1.0 (Table II, example g): not inside (-1, 1)


@pytest.mark.parametrize("lower", [-0.2, 0.0])
def test_a_ratio_margin_at_or_below_0_is_an_error(lower: float) -> None:
    """Was: difference margins -0.2/0.2 given for a ratio gave "not equivalent" without a word."""
    with pytest.raises(ScenarioError) as info:
        equivalence_ratio(
            7, 34, 6, 34, margin_lower=lower, margin_upper=0.2 if lower < 0 else 1.25, conf=0.95
        )
    assert (
        str(info.value)
        == f"margin_lower = {lower!r}; expected a ratio margin > 0 (e.g. 0.8 with margin_upper 1.25)"
    )


def test_alpha_per_side_is_stated_without_rounding_noise() -> None:
    """(1 - 0.95) / 2 is 0.025000000000000022 in floating point; the result states 0.025."""
    r = equivalence_proportions(56, 70, 48, 80, margin_lower=-0.15, margin_upper=0.15, conf=[0.95, 0.90])
    assert r.alpha_per_side.tolist() == [0.025, 0.05]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: sample_size_equivalence_proportions(
                p1=0.6, p2=0.8, margin_lower=-0.15, margin_upper=0.15
            ),
            "p1 - p2 = -0.2; expected a true difference strictly inside the margins (-0.15, 0.15)",
        ),
        (
            lambda: sample_size_equivalence_means(diff=0.0, sd=1, margin_lower=[-0.5, 0.1], margin_upper=0.5),
            "diff = 0.0 at scenario 1; expected a true difference strictly inside the margins (0.1, 0.5)",
        ),
    ],
)
def test_a_true_difference_outside_the_margins_is_named_with_the_margins(
    call: Callable[[], object], message: str
) -> None:
    """Was "p1 = 0.6; expected p1 - p2 strictly inside the margins": neither p2 nor the margins said."""
    with pytest.raises(ScenarioError) as info:
        call()
    assert str(info.value) == message
