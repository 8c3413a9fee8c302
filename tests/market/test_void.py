"""The void score: hand-computed values and the documented effect of a weight change."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bioparity.errors import InputError
from bioparity.market import COMPONENTS, VoidWeights, void_scores


def test_hand_computed_scores() -> None:
    # Default weights 0.35/0.25/0.25/0.15, ideal lead 7 y, window 10 y, sales reference USD 20,000 M.
    res = void_scores([0, 3, np.nan], [1, 0, 4], [7, 2, np.nan], [20_000, 99, np.nan])
    # Row 0: components 1, 1/2, 1, 1.
    assert res.score[0] == pytest.approx(0.35 + 0.125 + 0.25 + 0.15, abs=1e-15)
    # Row 1: 1/4, 1, 1 - 5/10, log10(100)/log10(20001).
    expected = 0.35 * 0.25 + 0.25 * 1 + 0.25 * 0.5 + 0.15 * (2 / math.log10(20_001))
    assert res.score[1] == pytest.approx(expected, abs=1e-15)
    # Row 2: only the pipeline is known (1/5); unknowns count as zero and lower the coverage.
    assert res.score[2] == pytest.approx(0.25 * 0.2, abs=1e-15)
    assert res.coverage.tolist() == pytest.approx([1.0, 1.0, 0.25])
    assert np.isnan(res.no_competition[2]) and np.isnan(res.timing[2])


def test_timing_is_zero_outside_the_window() -> None:
    res = void_scores(0, 0, [-3, -4, 17, 18], 0)
    assert res.timing.tolist() == pytest.approx([0.0, 0.0, 0.0, 0.0])
    assert void_scores(0, 0, [2, 12], 0).timing.tolist() == pytest.approx([0.5, 0.5])


def test_weights_parse_and_validate() -> None:
    w = VoidWeights.parse("no_competition=1, timing=0.5,market-size=0")
    assert (w.no_competition, w.no_pipeline, w.timing, w.market_size) == (1.0, 0.25, 0.5, 0.0)
    with pytest.raises(InputError, match="bad weight"):
        VoidWeights.parse("speed=1")
    with pytest.raises(InputError, match="not all be zero"):
        VoidWeights(0, 0, 0, 0)
    with pytest.raises(InputError, match=">= 0"):
        VoidWeights(no_competition=-1)


counts = st.one_of(st.just(math.nan), st.integers(0, 30).map(float))
years = st.one_of(st.just(math.nan), st.floats(-20, 40))
sales = st.one_of(st.just(math.nan), st.floats(0, 1e5))
weight = st.floats(0, 10)


@given(
    a=counts, d=counts, y=years, s=sales,
    w=st.tuples(weight, weight, weight, weight).filter(lambda t: sum(t) > 1e-3),
    k=st.sampled_from(COMPONENTS), delta=st.floats(1e-3, 10),
)  # fmt: skip
def test_raising_a_weight_moves_the_score_as_documented(
    a: float, d: float, y: float, s: float, w: tuple[float, ...], k: str, delta: float
) -> None:
    before_w = VoidWeights(*w)
    after_w = dataclasses.replace(before_w, **{k: getattr(before_w, k) + delta})
    before = void_scores(a, d, y, s, before_w)
    after = void_scores(a, d, y, s, after_w)
    c = float(getattr(before, k))
    c = 0.0 if math.isnan(c) else c
    v = float(before.score)
    assert float(after.score) == pytest.approx(v + delta * (c - v) / (before_w.total + delta), abs=1e-12)
    if c > v + 1e-9:
        assert after.score > before.score
    elif c < v - 1e-9:
        assert after.score < before.score
    assert 0.0 <= float(after.score) <= 1.0 and 0.0 <= float(after.coverage) <= 1.0


@given(a=st.integers(0, 30), d=counts, y=years, s=sales)
def test_another_approved_biosimilar_never_raises_the_score(a: int, d: float, y: float, s: float) -> None:
    res = void_scores([a, a + 1], d, y, s)
    assert res.score[1] <= res.score[0]
