"""``tolerance_factor(method="he")`` at small n and high coverage: R's values, and no floating-point warning.

Reference: R tolerance 3.0.0 ``K.factor(..., side = 2, method = "HE")`` (caa/tolerance_he_small_n.csv);
these are the cases where the branch of the approximation that is not taken has a negative radicand
(issue 24: the value was right but ``sqrt`` warned).
"""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

from bioparity.caa.tolerance import tolerance_factor
from bioparity.errors import InputError
from tests.conftest import REFERENCE

HE = pd.read_csv(REFERENCE / "caa" / "tolerance_he_small_n.csv", comment="#")


def test_he_matches_r_without_warnings() -> None:
    assert len(HE) == 30
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        k = tolerance_factor(
            HE["n"].to_numpy(), HE["coverage"].to_numpy(), HE["confidence"].to_numpy(), method="he"
        )
    assert k == pytest.approx(HE["k"].to_numpy(), rel=1e-12)


def test_previously_warning_case_is_silent() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        k = float(tolerance_factor(2, 0.999, 0.90, method="he"))
    row = HE[(HE["n"] == 2) & (HE["coverage"] == 0.999) & (HE["confidence"] == 0.90)]
    assert k == pytest.approx(float(row["k"].iloc[0]), rel=1e-12)


def test_undefined_approximation_is_an_error_not_nan() -> None:
    # n = 2 with df = 12 selects the large-df branch, whose radicand is negative here
    with pytest.raises(InputError, match=r"undefined for n = 2.*use method='exact'"):
        tolerance_factor(2, 0.99, 0.99, method="he", df=12)
