"""Regulatory constants and limits: test vectors T10-T12 (EMA Guideline on the Investigation of
Bioequivalence, CPMP/EWP/QWP/1401/98 Rev. 1, section 4.1.10; FDA Draft Guidance on Progesterone, 2011).

The values are in tests/data/reference/be/abel_limits_t10.csv and regulatory_constants.csv (the validation
pack reads the same files); the tolerances are stated here and checked against the files.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from bioparity.be import EMA, EMA_K_EXACT, FDA_SWR_SWITCH, FDA_THETA_S, ScalingRule, abel_limits
from bioparity.power import cv_to_se
from tests.conftest import REFERENCE

BE_REF = REFERENCE / "be"
# T10 (EMA guideline section 4.1.10 in % to 2 decimals; to 5 decimals as on the BEBAC forum, H. Schuetz)
_T10 = pd.read_csv(BE_REF / "abel_limits_t10.csv", comment="#")
T10 = [(float(r["cvwr"]), float(r["lower"]), float(r["upper"])) for r in _T10.to_dict("records")]
#: T11, T12 and the guideline constants: key -> expected
CONSTANTS = pd.read_csv(BE_REF / "regulatory_constants.csv", comment="#").set_index("key")
C = CONSTANTS["expected"].astype(float).to_dict()


def test_reference_files_hold_the_vectors_with_their_tolerances() -> None:
    assert len(T10) == 6 and set(_T10["tolerance"]) == {5e-6}
    tol = CONSTANTS["tolerance"].to_dict()
    assert tol == {
        "ema_k_exact": 5e-8, "lower_exact_k_cv50": 5e-6, "upper_exact_k_cv50": 5e-5, "ema_k": 0.0,
        "fda_theta_s": 5e-8, "fda_theta_s_squared": 5e-8, "se_cv30": 5e-8, "fda_swr_switch": 0.0,
    }  # fmt: skip


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
    assert pytest.approx(C["ema_k_exact"], abs=5e-8) == EMA_K_EXACT
    exact = ScalingRule("EMA exact k", k=EMA_K_EXACT, cv_switch=0.30, cv_cap=0.50)
    low, up = abel_limits(0.50, exact)
    assert 100 * float(low) == pytest.approx(C["lower_exact_k_cv50"], abs=5e-6)
    assert 100 * float(up) == pytest.approx(C["upper_exact_k_cv50"], abs=5e-5)
    # with the exact k the switching CV is exactly 30%: the expanded limit there is 1.25
    assert math.exp(EMA_K_EXACT * float(cv_to_se(0.30))) == pytest.approx(1.25, rel=1e-14)
    assert C["ema_k"] == EMA.k == 0.760


def test_fda_constants_t12() -> None:
    assert pytest.approx(C["fda_theta_s"], abs=5e-8) == FDA_THETA_S
    assert pytest.approx(C["fda_theta_s_squared"], abs=5e-8) == FDA_THETA_S**2
    assert float(cv_to_se(0.30)) == pytest.approx(C["se_cv30"], abs=5e-8)
    assert C["fda_swr_switch"] == FDA_SWR_SWITCH == 0.294
