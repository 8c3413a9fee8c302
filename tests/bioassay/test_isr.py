"""Incurred sample reanalysis on constructed cases of the ICH M10 rule (ICH M10, 2022, section 7):
``100 (repeat - original) / mean`` within +/-20% (chromatographic) or +/-30% (ligand binding) for at least
two thirds of the samples; ISR sample count 10% of the first 1000 plus 5% above 1000."""

from __future__ import annotations

import pandas as pd
import pytest

from bioparity.bioassay import isr, isr_sample_count
from bioparity.errors import InputError


def _frame(pairs: list[tuple[float, float]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "sample": [f"S{i}" for i in range(len(pairs))],
            "original": [a for a, _ in pairs],
            "repeat": [b for _, b in pairs],
        }
    )


def test_percent_difference_is_relative_to_the_mean() -> None:
    # original 100, repeat 125: difference 25 over mean 112.5 = 22.222...% (M10: "mean of the two")
    res = isr(_frame([(100.0, 125.0)]), "ligand-binding")
    assert res.percent_difference[0] == pytest.approx(100 * 25 / 112.5, rel=1e-12)
    assert bool(res.within_limit[0])
    assert not bool(isr(_frame([(100.0, 125.0)]), "chromatographic").within_limit[0])


def test_limits_are_inclusive_at_20_and_30_percent() -> None:
    # 100 (r - o) / ((r + o) / 2) = 20 solves to r = o (1 + 0.1) / (1 - 0.1); 30 to r = o 1.15 / 0.85
    o = 100.0
    r20 = o * 1.1 / 0.9
    r30 = o * 1.15 / 0.85
    assert bool(isr(_frame([(o, r20)]), "chromatographic").within_limit[0])
    assert bool(isr(_frame([(o, r30)]), "ligand-binding").within_limit[0])
    assert not bool(isr(_frame([(o, r30 * 1.001)]), "ligand-binding").within_limit[0])
    assert not bool(isr(_frame([(o, o * 0.9 / 1.1 * 0.999)]), "chromatographic").within_limit[0])


def test_two_thirds_rule_exactly_met_passes() -> None:
    # 6 samples, 4 within (4/6 = 2/3 exactly): pass; 3 within (1/2): fail
    ok = [(100.0, 105.0)] * 4 + [(100.0, 200.0)] * 2
    res = isr(_frame(ok), "chromatographic")
    assert res.n_within == 4 and res.passed
    assert res.share_within == pytest.approx(2 / 3)
    bad = [(100.0, 105.0)] * 3 + [(100.0, 200.0)] * 3
    assert not isr(_frame(bad), "chromatographic").passed


def test_just_below_two_thirds_fails_and_failures_are_listed() -> None:
    # 30 samples, 19 within (63.3%) fails; 20 within (66.7%) passes
    pairs = [(50.0, 52.0)] * 19 + [(50.0, 80.0)] * 11
    res = isr(_frame(pairs), "ligand-binding")
    assert not res.passed
    failures = res.failures()
    assert len(failures) == 11
    assert list(failures["samples"]) == [f"S{i}" for i in range(19, 30)]
    assert failures["percent_difference"].iloc[0] == pytest.approx(100 * 30 / 65)
    assert isr(_frame([(50.0, 52.0)] * 20 + [(50.0, 80.0)] * 10), "ligand-binding").passed


def test_isr_sample_count_rule() -> None:
    assert isr_sample_count(100) == 10
    assert isr_sample_count(1000) == 100
    assert isr_sample_count(1500) == 125  # 100 + 5% of 500
    assert isr_sample_count(1001) == 101  # 100.05 rounded up


def test_bad_input_is_an_error() -> None:
    with pytest.raises(InputError, match="assay"):
        isr(_frame([(1.0, 1.0)]), "elisa")
    with pytest.raises(InputError, match="> 0"):
        isr(_frame([(0.0, 1.0)]), "chromatographic")


def test_percent_difference_of_values_near_the_float_limit_is_finite() -> None:
    # 100 (r - o) / mean: r + o overflowed for values near 1e308, giving -inf% (found by a hostile file)
    frame = pd.DataFrame({"sample": ["S1", "S2"], "original": [100.0, 1e308], "repeat": [110.0, 150.0]})
    result = isr(frame, "ligand-binding")
    assert result.percent_difference[0] == pytest.approx(100 * 10 / 105, rel=1e-15)
    assert result.percent_difference[1] == pytest.approx(-200.0, rel=1e-12)
