"""Property tests (hypothesis): exact dilutions and swapping standard and test.

* A test preparation that is an exact dilution of the standard (the standard's responses observed at
  nominal doses divided by f) has relative potency f, whatever the noise in the responses.
* Swapping the roles of standard and test inverts the potency and its confidence interval.
Tolerances: 1e-9 relative for the closed-form linear models, 1e-6 for the iterative 4PL fit.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bioparity.potency import AnalysisOptions, AssayData, analyse_assay

SETTINGS = settings(max_examples=25, deadline=None, derandomize=True)
seeds = st.integers(0, 2**31 - 1)
factors = st.floats(0.2, 5.0)


def _responses(model: str, dose: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    if model == "parallel-line":
        return np.asarray(5.0 + 3.0 * np.log(dose) + rng.normal(0, 0.4, dose.size), dtype=float)
    if model == "slope-ratio":
        return 1.0 + 2.0 * dose + rng.normal(0, 0.3, dose.size)
    x = np.log(dose)
    return np.asarray(0.1 + 1.9 / (1.0 + np.exp(-1.2 * (x - np.log(8.0)))) + rng.normal(0, 0.04, dose.size))


def _doses(model: str) -> np.ndarray:
    if model == "parallel-line":
        return np.repeat([1.0, 2.0, 4.0, 8.0], 4)
    if model == "slope-ratio":
        return np.repeat([1.0, 2.0, 3.0, 4.0], 4)
    return np.repeat(2.0 ** np.arange(8), 3)


TOL = {"parallel-line": 1e-9, "slope-ratio": 1e-9, "4pl": 1e-6}


@pytest.mark.parametrize("model", ["parallel-line", "slope-ratio", "4pl"])
@SETTINGS
@given(seed=seeds, factor=factors)
def test_exact_dilution_gives_the_dilution_factor(model: str, seed: int, factor: float) -> None:
    rng = np.random.default_rng(seed)
    dose = _doses(model)
    y = _responses(model, dose, rng)
    data = AssayData.from_arrays(dose, y, dose / factor, y)
    est = analyse_assay(data, AnalysisOptions(model=model))
    assert est.converged
    assert est.relative_potency == pytest.approx(factor, rel=TOL[model])
    assert est.ci_lower < est.relative_potency < est.ci_upper


@pytest.mark.parametrize("model", ["parallel-line", "slope-ratio", "4pl"])
@SETTINGS
@given(seed=seeds, factor=factors)
def test_swapping_standard_and_test_inverts_potency_and_ci(model: str, seed: int, factor: float) -> None:
    rng = np.random.default_rng(seed)
    dose = _doses(model)
    ys = _responses(model, dose, rng)
    yt = _responses(model, dose * factor, rng)
    data = AssayData.from_arrays(dose, ys, dose, yt)
    a = analyse_assay(data, AnalysisOptions(model=model))
    b = analyse_assay(data.swapped(), AnalysisOptions(model=model))
    tol = TOL[model]
    assert b.relative_potency == pytest.approx(1.0 / a.relative_potency, rel=tol)
    assert b.ci_lower == pytest.approx(1.0 / a.ci_upper, rel=tol)
    assert b.ci_upper == pytest.approx(1.0 / a.ci_lower, rel=tol)
