"""Equivalence margins from a symmetric margin or an explicit pair (ICH E9 3.3.2), and region presets."""

from __future__ import annotations

import pytest

from bioparity.clinical import ci_difference
from bioparity.clinical.equivalence import equivalence_decision, equivalence_margins
from bioparity.clinical.presets import canonical_region, region_level
from bioparity.errors import InputError


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
