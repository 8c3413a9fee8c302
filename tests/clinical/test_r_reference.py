"""Clinical statistics against independent base-R values, at the edges the other reference tests leave out.

tests/data/reference/clinical/make_clinical_reference.R (base R 4.2.2 only, the formulas written from the
papers, no bioparity code) writes the four files read here:

* ``score_intervals_r.csv``: Miettinen-Nurminen and Farrington-Manning (Mee) score intervals for ``p1 - p2``
  and Koopman / Miettinen-Nurminen score intervals for ``p1 / p2`` by brute force (restricted MLE by
  ``optimize`` on the binomial likelihood, limits by ``uniroot``), and Newcombe's (1998) method 10, on 19
  tables: x = 0, x = n, n = 1 (0/1 v 1/1, 1/1 v 1/1, 0/1 v 0/1), 0 v 0, strongly unequal groups (1/40 v
  0/120, 134/135 v 84/191), at 95% and 90%. statsmodels fails on most of these (ValueError) and its MN/FM
  differences for unequal groups are not the score limits (see test_independent_implementations.py).
* ``stratified_r.csv``: Mantel-Haenszel difference with Sato's (1989) variance, Yan & Su's (2010)
  stratified Newcombe interval and the stratified Miettinen-Nurminen score interval, several strata, with
  zero cells, strata of 1 + 1 subjects and all-zero strata (where test_stratified_mn.py's independent
  implementation fails), 95% and 90%.
* ``means_sample_size_r.csv``: exact equivalence sample size for two means with unequal allocation
  (n1/n2 0.5, 1.5, 2, 3) and asymmetric margins at alpha 0.05 and 0.025, the power by integration over the
  sample SD (not Owen's Q). The PowerTOST table of test_sample_size.py has equal groups and margins
  symmetric on the log scale only.
* ``proportions_exact_power_r.csv``: exact power of the equivalence test for two proportions (Newcombe
  and Wald intervals) by enumeration, with asymmetric margins, unequal groups, n = 1 and alpha 0.025.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from bioparity.clinical import (
    ci_difference,
    ci_difference_stratified,
    ci_ratio,
    power_equivalence_proportions,
    sample_size_equivalence_means,
)
from tests.conftest import REFERENCE

CLINICAL = REFERENCE / "clinical"
SCORE = pd.read_csv(CLINICAL / "score_intervals_r.csv", comment="#")
#: The brute-force R limits are accurate to about 2e-8 (optimize / uniroot tolerances 1e-13).
INTERVAL_TOL = 1e-6
HALF_UNIT_4DP = 5e-5 + 1e-12


def _case(row: dict[str, Any]) -> str:
    """A short test id: the values of the row joined by '-'."""
    return "-".join(str(v) for v in row.values())


def test_reference_files_cover_the_edges() -> None:
    assert len(SCORE) == 174 and set(SCORE["conf"]) == {0.90, 0.95}
    tables = set(SCORE[["x1", "n1", "x2", "n2"]].itertuples(index=False, name=None))
    assert {
        (0, 1, 1, 1),
        (1, 1, 1, 1),
        (0, 1, 0, 1),
        (0, 10, 0, 20),
        (10, 10, 0, 10),
        (1, 40, 0, 120),
    } <= tables


@pytest.mark.parametrize("row", SCORE[SCORE["measure"] == "difference"].to_dict("records"), ids=_case)
def test_difference_intervals_match_the_r_brute_force(row: dict[str, Any]) -> None:
    res = ci_difference(
        row["x1"], row["n1"], row["x2"], row["n2"], method=str(row["method"]), conf=row["conf"]
    )
    assert float(res.ci_lower) == pytest.approx(row["lower"], abs=INTERVAL_TOL)
    assert float(res.ci_upper) == pytest.approx(row["upper"], abs=INTERVAL_TOL)


@pytest.mark.parametrize("row", SCORE[SCORE["measure"] == "ratio"].to_dict("records"), ids=_case)
def test_ratio_intervals_match_the_r_brute_force_on_the_log_scale(row: dict[str, Any]) -> None:
    res = ci_ratio(row["x1"], row["n1"], row["x2"], row["n2"], method=str(row["method"]), conf=row["conf"])
    lower, upper = float(res.ci_lower), float(res.ci_upper)
    if row["x1"] == 0:
        assert lower == row["lower"] == 0.0
    else:
        assert np.log(lower) == pytest.approx(np.log(float(row["lower"])), abs=INTERVAL_TOL)
    if row["x2"] == 0:
        assert upper == row["upper"] == np.inf
    else:
        assert np.log(upper) == pytest.approx(np.log(float(row["upper"])), abs=INTERVAL_TOL)


#: The 2x2 tables of Newcombe (1998) Table II examples (c)-(f) and (h), not in published_intervals.csv,
#: method 10 (hybrid score), 95%. The limits are base R's (method 10 written from the paper, in
#: make_clinical_reference.R) and agree with statsmodels' ``confint_proportions_2indep(method="newcomb")``
#: to 4 decimals; the printed table was not at hand to re-read, so they are not quoted from it. (e) and (f)
#: are the Wilson limits of 0/20 and 0/10 (0.1611, 0.2775).
NEWCOMBE_TABLE_II_MORE = {
    (6, 7, 2, 7): (0.0582, 0.8062),
    (5, 56, 0, 29): (-0.0381, 0.1926),
    (0, 10, 0, 20): (-0.1611, 0.2775),
    (0, 10, 0, 10): (-0.2775, 0.2775),
    (10, 10, 0, 10): (0.6075, 1.0),
}


@pytest.mark.parametrize(("table", "expected"), NEWCOMBE_TABLE_II_MORE.items())
def test_newcombe_table_ii_examples_c_to_h(
    table: tuple[int, int, int, int], expected: tuple[float, float]
) -> None:
    res = ci_difference(*table, method="newcombe", conf=0.95)
    assert (float(res.ci_lower), float(res.ci_upper)) == pytest.approx(expected, abs=HALF_UNIT_4DP)
    r = SCORE[
        (SCORE["measure"] == "difference")
        & (SCORE["method"] == "newcombe")
        & (SCORE["conf"] == 0.95)
        & (SCORE[["x1", "n1", "x2", "n2"]].to_numpy() == table).all(axis=1)
    ]
    assert (float(r["lower"].iloc[0]), float(r["upper"].iloc[0])) == pytest.approx(
        expected, abs=HALF_UNIT_4DP
    )


STRATIFIED = pd.read_csv(CLINICAL / "stratified_r.csv", comment="#")


@pytest.mark.parametrize("row", STRATIFIED.to_dict("records"), ids=_case)
def test_stratified_mh_newcombe_and_mn_match_r(row: dict[str, Any]) -> None:
    counts = [[int(v) for v in str(row[k]).split()] for k in ("x1", "n1", "x2", "n2")]
    for method, tol in (("mh", 1e-9), ("newcombe", 1e-9), ("mn", INTERVAL_TOL)):
        res = ci_difference_stratified(*counts, method=method, conf=row["conf"])
        assert float(res.diff) == pytest.approx(row["diff"], abs=1e-12)
        assert float(res.ci_lower) == pytest.approx(row[f"{method}_lower"], abs=tol)
        assert float(res.ci_upper) == pytest.approx(row[f"{method}_upper"], abs=tol)


def test_means_sample_size_with_unequal_allocation_and_asymmetric_margins_matches_r() -> None:
    ref = pd.read_csv(CLINICAL / "means_sample_size_r.csv", comment="#")
    assert len(ref) == 8 and set(ref["ratio"]) == {0.5, 1.0, 1.5, 2.0, 3.0}
    settings = ("diff", "sd", "margin_lower", "margin_upper", "alpha", "target_power", "ratio")
    res = sample_size_equivalence_means(**{k: ref[k].to_numpy() for k in settings}, method="exact")
    np.testing.assert_array_equal(res.n1, ref["n1"].to_numpy())
    np.testing.assert_array_equal(res.n2, ref["n2"].to_numpy())
    np.testing.assert_allclose(res.power, ref["power"].to_numpy(), atol=1e-9)


@pytest.mark.parametrize(
    "row", pd.read_csv(CLINICAL / "proportions_exact_power_r.csv", comment="#").to_dict("records"), ids=_case
)
def test_exact_power_for_proportions_matches_r_enumeration(row: dict[str, Any]) -> None:
    design = ("p1", "p2", "n1", "n2", "margin_lower", "margin_upper", "alpha", "ci_method")
    res = power_equivalence_proportions(**{k: row[k] for k in design}, method="exact")
    assert float(res.power) == pytest.approx(row["power"], abs=1e-12)
