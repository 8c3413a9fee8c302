"""Flags, errors and result objects of the potency core (behaviour, not numbers: those are in
test_reference_r.py against R)."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from bioparity.errors import InputError
from bioparity.potency import AnalysisOptions, AssayData, analyse_assay, combine_assays, fit_logistic_batch
from bioparity.potency.design import fieller
from bioparity.potency.suitability import SuitabilityCriteria
from tests.potency._ref import assay


def test_non_convergence_is_flagged_not_silent() -> None:
    data = assay("data_4pl.csv")
    fit = fit_logistic_batch(np.log(data.dose), data.response, data.is_test.astype(int), max_iter=2)
    assert not bool(fit.converged[0])
    assert fit.iterations[0] == 2


def test_flat_responses_flag_the_4pl_fit_and_the_fieller_limits() -> None:
    rng = np.random.default_rng(1)
    dose = np.repeat(2.0 ** np.arange(8), 3)
    flat = AssayData.from_arrays(dose, rng.normal(1, 0.1, 24), dose, rng.normal(1, 0.1, 24))
    est = analyse_assay(flat, AnalysisOptions(model="parallel-line"))
    assert any("Fieller g" in f or "regression not significant" in f for f in est.flags)
    est4 = analyse_assay(flat, AnalysisOptions(model="4pl"))
    assert not est4.converged or est4.flags


def test_fieller_reduces_to_the_ratio_limits_without_slope_uncertainty() -> None:
    # var_den = 0: g = 0 and the limits are (num +- t sqrt(var_num)) / den
    iv = fieller(2.0, 4.0, 0.25, 0.0, 0.0, 2.0)
    assert (iv.ratio, iv.lower, iv.upper, iv.g) == (0.5, 0.25, 0.75, 0.0)
    assert math.isnan(fieller(1.0, 0.1, 0.1, 1.0, 0.0, 2.0).lower)


def test_suitability_criteria_are_applied_and_flagged() -> None:
    opts = AnalysisOptions(
        model="4pl", suitability=SuitabilityCriteria(min_r_squared=0.999999, max_ci_ratio=10.0)
    )
    est = analyse_assay(assay("data_4pl.csv"), opts)
    assert est.suitability == {"r_squared": False, "ci_ratio": True}
    assert any(f.startswith("suitability r_squared failed") for f in est.flags)


def test_margins_drive_the_equivalence_verdict_side_by_side_with_ph_eur() -> None:
    data = assay("data_4pl.csv")
    wide = analyse_assay(data, AnalysisOptions(model="4pl", margins={"slope_ratio": (0.5, 2.0)}))
    narrow = analyse_assay(data, AnalysisOptions(model="4pl", margins={"slope_ratio": (0.99, 1.01)}))
    assert wide.similarity.equivalence_verdict == "pass"
    assert narrow.similarity.equivalence_verdict == "fail"
    assert wide.similarity.significance_verdict == narrow.similarity.significance_verdict == "pass"
    assert any("USP <1032> equivalence failed: slope_ratio" in f for f in narrow.flags)


def test_result_exports() -> None:
    est = analyse_assay(assay("data_parallel_line_rb.csv"), AnalysisOptions(model="parallel-line"))
    record = est.to_dict()
    json.dumps(record)
    assert record["similarity"]["significance_verdict"] == est.similarity.significance_verdict
    assert record["settings"]["model"] == "parallel-line"
    frame = est.to_frame()
    assert frame.loc[0, "relative_potency"] == est.relative_potency
    assert frame.loc[0, "software_version"] == est.software_version
    with pytest.raises(AttributeError):
        est.relative_potency = 2.0  # type: ignore[misc]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"model": "probit"}, "--model 'probit'"),
        ({"conf_level": 95.0}, "conf-level 95.0"),
        ({"margins": {"slope_ratio": (1.25, 0.8)}}, "lower 1.25 must be below upper 0.8"),
    ],
)
def test_bad_options_are_errors(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(InputError) as info:
        AnalysisOptions(**kwargs)  # type: ignore[arg-type]
    assert message in str(info.value)


def test_combination_rejects_unusable_estimates() -> None:
    with pytest.raises(InputError, match="at least 2 assays"):
        combine_assays([1.0], [0.9], [1.1], [10])
    with pytest.raises(InputError, match="assay 2"):
        combine_assays([1.0, 1.1], [0.9, 1.2], [1.1, 1.0], [10, 10])


@pytest.mark.parametrize("model", ["parallel-line", "4pl", "5pl"])
def test_models_need_positive_doses_on_the_log_scale(model: str) -> None:
    """A blank well (dose 0) of the test: the refusal names the assay, the sample, the column and the dose."""
    data = AssayData.from_arrays(
        [1, 2, 4, 8], [1, 2, 3, 4], [0, 0, 2, 4], [1, 2, 3, 4], assay="P7", sample="T1"
    )
    with pytest.raises(InputError) as info:
        analyse_assay(data, AnalysisOptions(model=model))
    message = str(info.value)
    assert message.startswith("assay 'P7', sample 'T1': column 'dose' has 0 (2 response(s) with dose <= 0)")
    assert f"the {model} model uses log dose, every dose must be > 0" in message


@pytest.mark.parametrize("model", ["parallel-line", "slope-ratio", "4pl"])
def test_outlier_is_flagged_and_kept(model: str) -> None:
    rng = np.random.default_rng(3)
    dose = np.repeat(2.0 ** np.arange(8), 3) if model != "slope-ratio" else np.repeat(np.arange(1.0, 9.0), 3)
    base = np.repeat(2.0 ** np.arange(8), 3)
    curve = 0.1 + 1.9 / (1 + np.exp(-1.2 * (np.log(base) - np.log(8))))
    ys = curve + rng.normal(0, 0.03, 24)
    yt = curve + rng.normal(0, 0.03, 24)
    yt[5] += 0.5
    est = analyse_assay(AssayData.from_arrays(dose, ys, dose, yt), AnalysisOptions(model=model))
    flagged = [f for f in est.flags if f.startswith("possible outlier (test")]
    assert len(flagged) == 1 and "kept in the analysis" in flagged[0]
    # no response removed: 48 responses, 16 dose groups (linear models) or 5 parameters (parallel 4PL)
    assert est.df == {"parallel-line": 32, "slope-ratio": 32, "4pl": 43}[model]


# Flat responses (no dose effect), three doses x four replicates per preparation, rounded to 0.01; the p of
# the regression line of the ANOVA recomputed with R 4.2.2 (anova of nested lm fits, F on the residual error
# of the cell-means model with 18 df):
#   parallel-line lm(y ~ sample) vs lm(y ~ sample + log(dose)):            p = 0.848565267344
#   slope-ratio   lm(y ~ 1) vs lm(y ~ dose:standard + dose:test) (2 df):   p = 0.644328623217
_FLAT_STANDARD = [9.71, 9.91, 10.08, 9.65, 10.09, 10.04, 10.06, 10.37, 9.7, 10.45, 9.85, 9.73]
_FLAT_TEST = [9.79, 10.08, 10.05, 9.91, 9.75, 9.84, 10.4, 10.09, 9.9, 9.79, 10.01, 9.57]


@pytest.mark.parametrize(
    ("model", "r_p"), [("parallel-line", 0.848565267344), ("slope-ratio", 0.644328623217)]
)
def test_a_non_significant_regression_fails_the_ph_eur_validity_verdict(model: str, r_p: float) -> None:
    """Ph. Eur. 5.3 sections 3.2.4 and 3.3.4: a valid assay has a significant regression; before, the flat
    assay was reported ``similarity_ph_eur = pass`` with only a flag."""
    dose = np.repeat([1.0, 2.0, 4.0], 4)
    est = analyse_assay(
        AssayData.from_arrays(dose, _FLAT_STANDARD, dose, _FLAT_TEST), AnalysisOptions(model=model)
    )
    assert est.similarity.required_significant["regression"] == pytest.approx(r_p, rel=1e-9)
    assert est.similarity.significance_verdict == "fail"
    row = est.row()
    assert row["similarity_ph_eur"] == "fail"
    assert row["ph_eur_p_regression"] == pytest.approx(r_p, rel=1e-9)
    assert any(f.startswith("regression not significant") for f in est.flags)
    assert not any(f.startswith("Ph. Eur. 5.3 validity test failed") for f in est.flags)
