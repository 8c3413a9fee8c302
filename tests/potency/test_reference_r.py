"""Potency core against R (base ``stats``: nls, lm, anova) on the same data and model.

Reference values: tests/data/reference/potency/ref_results.csv, made by make_reference.R in that
folder (R 4.2.2, stats 4.2.2; provenance.txt). Published Ph. Eur. 5.3 worked-example data could not be
retrieved in this session, so R is the oracle (see README "Relative potency").
Tolerances: 1e-6 relative for nonlinear least squares (R nls stops at relative offset 1e-7),
1e-9 relative for the linear models (closed form on both sides).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from bioparity.potency import AnalysisOptions, analyse_assay, combine_assays, fit_logistic_batch
from bioparity.potency.logistic import fit_logistic_parallel
from bioparity.validation.areas.potency import R_ANOVA_TERMS
from tests.potency._ref import FOLDER, assay, ref

NLS = 1e-6
LIN = 1e-9


def test_4pl_parallel_matches_r_nls_parameters_potency_and_ci() -> None:
    r = ref("4pl")
    fit = fit_logistic_parallel(assay("data_4pl.csv"), "4pl", 0.95)
    assert fit.converged
    assert fit.parameters["b"] == pytest.approx(r["b"], rel=NLS)
    assert fit.parameters["c"] == pytest.approx(r["c"], rel=NLS)
    assert fit.parameters["d"] == pytest.approx(r["d"], rel=NLS)
    assert math.log(fit.parameters["e_standard"]) == pytest.approx(r["m1"], rel=NLS)
    assert math.log(fit.parameters["e_test"]) == pytest.approx(r["m2"], rel=NLS)
    assert fit.df == int(r["df"])
    assert fit.s2 * fit.df == pytest.approx(r["rss"], rel=1e-9)
    assert fit.relative_potency == pytest.approx(r["relative_potency"], rel=NLS)
    assert fit.ci_lower == pytest.approx(r["ci_lower"], rel=NLS)
    assert fit.ci_upper == pytest.approx(r["ci_upper"], rel=NLS)


def test_4pl_nonparallelism_f_test_matches_r_anova_of_nested_nls() -> None:
    r = ref("4pl")
    fit = fit_logistic_parallel(assay("data_4pl.csv"), "4pl")
    assert fit.tests["non_parallelism"] == pytest.approx(r["nonparallel_p"], rel=1e-5)


def test_4pl_unconstrained_curves_match_r_nls() -> None:
    r = ref("4pl_sep")
    data = assay("data_4pl.csv")
    x = np.log(data.dose)
    for i, is_test in enumerate((False, True), start=1):
        sel = data.is_test == is_test
        fit = fit_logistic_batch(x[sel], data.response[sel], model="4pl")
        assert bool(fit.converged[0])
        b, c, d, m = fit.params[0]
        assert b == pytest.approx(r[f"b{i}"], rel=NLS)
        assert c == pytest.approx(r[f"c{i}"], rel=NLS)
        assert d == pytest.approx(r[f"d{i}"], rel=NLS)
        assert m == pytest.approx(r[f"m{i}"], rel=NLS)


def test_5pl_parallel_matches_r_nls() -> None:
    r = ref("5pl")
    fit = fit_logistic_parallel(assay("data_5pl.csv"), "5pl", 0.95)
    assert fit.converged
    for name in ("b", "c", "d", "f"):
        assert fit.parameters[name] == pytest.approx(r[name], rel=NLS)
    assert math.log(fit.parameters["e_standard"]) == pytest.approx(r["m1"], rel=NLS)
    assert fit.relative_potency == pytest.approx(r["relative_potency"], rel=NLS)
    assert fit.ci_lower == pytest.approx(r["ci_lower"], rel=NLS)
    assert fit.ci_upper == pytest.approx(r["ci_upper"], rel=NLS)


def _anova(est: object) -> dict[str, tuple[int, float]]:
    return {row.source: (row.df, row.ss) for row in est.anova}  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("case", "file", "blocks"),
    [
        ("pl_rb", "data_parallel_line_rb.csv", {"blocks": "factor(block)"}),
        ("pl_ls", "data_parallel_line_latin.csv", {"rows": "factor(row)", "columns": "factor(column)"}),
    ],
)
def test_parallel_line_anova_and_fieller_match_r_lm(case: str, file: str, blocks: dict[str, str]) -> None:
    r = ref(case)
    est = analyse_assay(assay(file), AnalysisOptions(model="parallel-line"))
    a = _anova(est)
    for ours, theirs in {**R_ANOVA_TERMS, **blocks}.items():
        assert a[ours][0] == int(r[f"df_{theirs}"]), ours
        assert a[ours][1] == pytest.approx(r[f"ss_{theirs}"], rel=LIN), ours
    assert est.relative_potency == pytest.approx(r["relative_potency"], rel=LIN)
    assert est.ci_lower == pytest.approx(r["ci_lower"], rel=LIN)
    assert est.ci_upper == pytest.approx(r["ci_upper"], rel=LIN)
    assert est.ci_method == "Fieller"


def test_parallel_line_validity_p_values_match_r() -> None:
    r = ref("pl_rb")
    est = analyse_assay(assay("data_parallel_line_rb.csv"), AnalysisOptions(model="parallel-line"))
    assert est.similarity.significance_tests["non_parallelism"] == pytest.approx(r["p_tx"], rel=LIN)
    assert est.similarity.significance_tests["non_linearity"] == pytest.approx(r["p_cell"], rel=LIN)


def test_slope_ratio_anova_and_fieller_match_r_lm() -> None:
    r = ref("sr")
    est = analyse_assay(assay("data_slope_ratio.csv"), AnalysisOptions(model="slope-ratio"))
    a = _anova(est)
    assert a["regression"][0] == 2
    assert a["regression"][1] == pytest.approx(r["ss_zs"] + r["ss_zt"], rel=LIN)
    assert a["blanks"][1] == pytest.approx(r["ss_blank"], rel=LIN)
    assert a["intersection"][1] == pytest.approx(r["ss_tind"], rel=LIN)
    assert a["non-linearity"][0] == int(r["df_cell"])
    assert a["non-linearity"][1] == pytest.approx(r["ss_cell"], rel=LIN)
    assert a["residual error"][0] == int(r["df_Residuals"])
    assert a["residual error"][1] == pytest.approx(r["ss_Residuals"], rel=LIN)
    assert est.similarity.significance_tests["intersection"] == pytest.approx(r["p_tind"], rel=LIN)
    assert est.relative_potency == pytest.approx(r["relative_potency"], rel=LIN)
    assert est.ci_lower == pytest.approx(r["ci_lower"], rel=LIN)
    assert est.ci_upper == pytest.approx(r["ci_upper"], rel=LIN)


@pytest.mark.parametrize(("case", "file"), [("combine_h", "homogeneous"), ("combine_x", "heterogeneous")])
def test_combination_matches_r(case: str, file: str) -> None:
    r = ref(case)
    data = pd.read_csv(FOLDER / f"data_combine_{file}.csv")
    comb = combine_assays(data["rp"], data["lo"], data["hi"], data["df"])
    assert comb.chi_square == pytest.approx(r["chi_square"], rel=LIN)
    assert comb.chi_square_p == pytest.approx(r["chi_square_p"], rel=1e-7)
    for name in ("weighted", "semi_weighted", "unweighted"):
        est, lo, hi = getattr(comb, name)
        assert est == pytest.approx(r[name], rel=LIN)
        assert lo == pytest.approx(r[f"{name}_lower"], rel=LIN)
        assert hi == pytest.approx(r[f"{name}_upper"], rel=LIN)
    assert comb.method == ("weighted" if case == "combine_h" else "semi-weighted")
    assert comb.homogeneous is (case == "combine_h")


def _ref_regression(case: str) -> dict[str, float]:
    """R values of the logistic regression test (make_regression_reference.R: nls fits of the parallel and
    the flat model, ``anova(flat, parallel)``)."""
    frame = pd.read_csv(FOLDER / "ref_regression.csv", comment="#", dtype={"case": str, "name": str})
    part = frame[frame["case"] == case]
    return {str(n): float(v) for n, v in zip(part["name"], part["value"], strict=True)}


@pytest.mark.parametrize(
    ("case", "data", "model", "verdict"),
    [
        ("4pl", "data_4pl.csv", "4pl", "pass"),
        ("4pl_weak", "data_4pl_weak.csv", "4pl", "fail"),
        ("5pl", "data_5pl.csv", "5pl", "fail"),  # its non-parallelism test rejects (p = 0.0024)
    ],
)
def test_logistic_regression_f_test_matches_r_anova_of_nested_nls(
    case: str, data: str, model: str, verdict: str
) -> None:
    """Ph. Eur. 5.3 validity: the regression of a 4PL/5PL assay must be significant, as for the linear
    models (sections 3.2.4, 3.3.4). Before, a logistic assay had no regression test: the weak assay (a
    4PL of amplitude 0.06 in noise of SD 0.1, regression p = 0.23) was reported ``similarity_ph_eur =
    pass``. R 4.2.2 ``anova(nls flat, nls parallel)``: F on (k - 2, N - k) df, 1e-6 relative."""
    r = _ref_regression(case)
    est = analyse_assay(assay(data), AnalysisOptions(model=model))
    assert est.converged
    assert est.df == int(r["residual_df"])
    assert est.residual_variance * est.df == pytest.approx(r["rss_parallel"], rel=NLS)
    assert est.similarity.required_significant["regression"] == pytest.approx(r["regression_p"], rel=NLS)
    row = est.row()
    assert row["ph_eur_p_regression"] == pytest.approx(r["regression_p"], rel=NLS)
    assert row["similarity_ph_eur"] == est.similarity.significance_verdict == verdict
    weak = r["regression_p"] >= 0.05
    assert weak == any(f.startswith("regression not significant") for f in est.flags)
