"""Properties every interval and sample size must have, explored with hypothesis."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from bioparity.clinical import (
    ci_difference,
    ci_mean_difference,
    ci_ratio,
    power_equivalence_means,
    power_equivalence_proportions,
    sample_size_equivalence_means,
    sample_size_equivalence_proportions,
)
from bioparity.clinical.score import score_z_difference

DIFF_METHODS = st.sampled_from(["wald", "newcombe", "mn", "fm"])


@st.composite
def tables(draw: st.DrawFn) -> tuple[int, int, int, int]:
    n1 = draw(st.integers(1, 300))
    n2 = draw(st.integers(1, 300))
    return draw(st.integers(0, n1)), n1, draw(st.integers(0, n2)), n2


@given(tables(), DIFF_METHODS, st.floats(0.5, 0.999))
def test_difference_interval_contains_the_estimate_and_stays_in_range(
    t: tuple[int, int, int, int], method: str, conf: float
) -> None:
    r = ci_difference(*t, method=method, conf=conf)
    assert -1.0 - 1e-12 <= r.ci_lower <= r.diff + 1e-9
    assert r.diff - 1e-9 <= r.ci_upper <= 1.0 + 1e-12


@given(tables(), DIFF_METHODS, st.floats(0.5, 0.98), st.floats(0.001, 0.019))
def test_difference_interval_widens_with_confidence(
    t: tuple[int, int, int, int], method: str, conf: float, step: float
) -> None:
    narrow = ci_difference(*t, method=method, conf=conf)
    wide = ci_difference(*t, method=method, conf=conf + step)
    assert wide.ci_lower <= narrow.ci_lower + 1e-9
    assert wide.ci_upper >= narrow.ci_upper - 1e-9


@given(tables(), DIFF_METHODS)
def test_swapping_the_groups_mirrors_the_difference_interval(
    t: tuple[int, int, int, int], method: str
) -> None:
    x1, n1, x2, n2 = t
    r = ci_difference(x1, n1, x2, n2, method=method, conf=0.95)
    s = ci_difference(x2, n2, x1, n1, method=method, conf=0.95)
    assert abs(float(r.ci_lower + s.ci_upper)) < 1e-8
    assert abs(float(r.ci_upper + s.ci_lower)) < 1e-8


@given(tables(), st.sampled_from(["mn", "fm"]))
def test_score_limits_solve_the_score_equation(t: tuple[int, int, int, int], method: str) -> None:
    x1, n1, x2, n2 = (np.array(float(v)) for v in t)
    r = ci_difference(x1, n1, x2, n2, method=method, conf=0.95)
    z = 1.959963984540054
    for limit, target in ((r.ci_lower, z), (r.ci_upper, -z)):
        if -1.0 + 1e-9 < limit < 1.0 - 1e-9 and limit != r.diff:
            value = float(score_z_difference(x1, n1, x2, n2, np.asarray(limit), method == "mn"))
            assert abs(value - target) < 1e-6


@given(tables(), st.sampled_from(["koopman", "mn"]))
def test_ratio_interval_contains_the_estimate_and_inverts_under_swap(
    t: tuple[int, int, int, int], method: str
) -> None:
    x1, n1, x2, n2 = t
    r = ci_ratio(x1, n1, x2, n2, method=method, conf=0.95)
    s = ci_ratio(x2, n2, x1, n1, method=method, conf=0.95)
    if x1 > 0 and x2 > 0:
        assert r.ci_lower * (1 - 1e-9) <= r.ratio <= r.ci_upper * (1 + 1e-9)
        assert abs(float(r.ci_lower * s.ci_upper) - 1.0) < 1e-7
    if x1 == 0 and x2 > 0:
        assert r.ci_lower == 0.0 and np.isinf(s.ci_upper)


@given(
    st.floats(-10, 10),
    st.floats(0.1, 5),
    st.integers(2, 200),
    st.floats(-10, 10),
    st.floats(0.1, 5),
    st.integers(2, 200),
    st.sampled_from(["welch", "pooled"]),
)
def test_mean_interval_is_centred_and_mirrors(
    m1: float, s1: float, n1: int, m2: float, s2: float, n2: int, method: str
) -> None:
    r = ci_mean_difference(m1, s1, n1, m2, s2, n2, method=method, conf=0.9)
    s = ci_mean_difference(m2, s2, n2, m1, s1, n1, method=method, conf=0.9)
    assert abs(float(r.ci_lower + r.ci_upper) / 2 - (m1 - m2)) < 1e-9
    assert abs(float(r.ci_lower + s.ci_upper)) < 1e-9


@settings(max_examples=40, deadline=None)
@given(st.floats(0.1, 0.9), st.floats(-0.08, 0.08), st.floats(0.1, 0.25), st.floats(0.6, 0.95))
def test_proportion_sample_size_is_minimal(p2: float, d: float, margin: float, target: float) -> None:
    p1 = min(max(p2 + d, 0.01), 0.99)
    r = sample_size_equivalence_proportions(
        p1=p1, p2=p2, margin_lower=-margin, margin_upper=margin, target_power=target
    )
    assert r.power >= target
    if r.n2 > 1:
        below = power_equivalence_proportions(
            p1=p1, p2=p2, n1=r.n2 - 1, n2=r.n2 - 1, margin_lower=-margin, margin_upper=margin
        )
        assert below.power < target


@settings(max_examples=30, deadline=None)
@given(st.floats(-0.3, 0.3), st.floats(0.5, 2.0), st.floats(0.6, 0.95), st.sampled_from(["exact", "normal"]))
def test_means_sample_size_is_minimal(diff: float, sd: float, target: float, method: str) -> None:
    r = sample_size_equivalence_means(
        diff=diff, sd=sd, margin_lower=-0.5, margin_upper=0.5, target_power=target, method=method
    )
    assert r.power >= target
    if r.n2 > 2:
        below = power_equivalence_means(
            diff=diff, sd=sd, n1=r.n2 - 1, n2=r.n2 - 1, margin_lower=-0.5, margin_upper=0.5, method=method
        )
        assert below.power < target


def test_sample_sizes_are_monotone_in_power_margin_and_variability() -> None:
    targets = np.linspace(0.5, 0.95, 10)
    n = sample_size_equivalence_proportions(
        p1=0.6, p2=0.6, margin_lower=-0.12, margin_upper=0.12, target_power=targets
    ).n2
    assert np.all(np.diff(n) >= 0)
    margins = np.linspace(0.05, 0.25, 9)
    n = sample_size_equivalence_proportions(p1=0.6, p2=0.6, margin_lower=-margins, margin_upper=margins).n2
    assert np.all(np.diff(n) <= 0)
    sds = np.linspace(0.5, 3.0, 11)
    n = sample_size_equivalence_means(diff=0.1, sd=sds, margin_lower=-1.0, margin_upper=1.0).n2
    assert np.all(np.diff(n) >= 0)
