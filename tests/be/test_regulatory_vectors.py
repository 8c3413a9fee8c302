"""Regulatory constants and limits: regulatory.md test vectors T10-T12."""

from __future__ import annotations

import math

import numpy as np
import pytest

from bioparity.be import EMA, EMA_K_EXACT, FDA_SWR_SWITCH, FDA_THETA_S, ScalingRule, abel_limits
from bioparity.power import cv_to_se

# T10 (BEBAC forum, published in %; reproduced in regulatory.md to 5 decimals)
T10 = [
    (0.30, 0.80000, 1.25000),
    (0.35, 0.77232, 1.29480),
    (0.40, 0.74618, 1.34016),
    (0.45, 0.72155, 1.38591),
    (0.50, 0.69837, 1.43191),
    (0.55, 0.69837, 1.43191),
]


@pytest.mark.parametrize(("cvwr", "lower", "upper"), T10)
def test_abel_limits_t10(cvwr: float, lower: float, upper: float) -> None:
    low, up = abel_limits(cvwr)
    assert float(low) == pytest.approx(lower, abs=5e-6)
    assert float(up) == pytest.approx(upper, abs=5e-6)


def test_abel_limits_vectorised_and_capped() -> None:
    cv = np.array([0.2, 0.3, 0.300001, 0.5, 0.8])
    low, up = abel_limits(cv)
    assert low.shape == cv.shape
    np.testing.assert_allclose(low * up, 1.0, rtol=1e-14)
    assert up[0] == up[1] == 1.25 and up[2] > 1.25 - 1e-4
    assert up[3] == up[4]  # cap at CVwR 50%
    assert round(100 * float(low[3]), 2) == 69.84 and round(100 * float(up[3]), 2) == 143.19


def test_exact_k_t11() -> None:
    assert pytest.approx(0.7601283, abs=5e-8) == EMA_K_EXACT
    exact = ScalingRule("EMA exact k", k=EMA_K_EXACT, cv_switch=0.30, cv_cap=0.50)
    low, up = abel_limits(0.50, exact)
    assert 100 * float(low) == pytest.approx(69.83255, abs=5e-6)
    assert 100 * float(up) == pytest.approx(143.1997, abs=5e-5)
    # with the exact k the switching CV is exactly 30%: the expanded limit there is 1.25
    assert math.exp(EMA_K_EXACT * float(cv_to_se(0.30))) == pytest.approx(1.25, rel=1e-14)
    assert EMA.k == 0.760


def test_fda_constants_t12() -> None:
    assert pytest.approx(0.8925742, abs=5e-8) == FDA_THETA_S
    assert pytest.approx(0.7966887, abs=5e-8) == FDA_THETA_S**2
    assert float(cv_to_se(0.30)) == pytest.approx(0.2935604, abs=5e-8)
    assert FDA_SWR_SWITCH == 0.294
