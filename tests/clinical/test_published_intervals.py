"""Intervals for two proportions and two means against published values.

Sources (all values as printed, 4 decimals unless stated; tolerance half a unit of the last digit):

* Test vectors T16-T17 (rows of Newcombe's Table II below).
* Newcombe RG (1998) Interval estimation for the difference between independent proportions:
  comparison of eleven methods. Stat Med 17:873-890, Table II (methods 1 Wald, 5 Mee = Farrington-Manning
  score, 6 Miettinen-Nurminen, 10 hybrid score), examples (a) 56/70 vs 48/80, (b) 9/10 vs 3/10,
  (g) 10/10 vs 0/20; and 84/101 vs 89/105 from the WUSS 2016 paper "Constructing confidence intervals for
  the differences of binomial proportions in SAS" (lexjansen.com/wuss/2016/127). The same values are the
  regression test of R DescTools::BinomDiffCI (tests/misc.R), which notes that its own Mee limits differ
  in the 4th decimal from the literature in three places (0.0534, 0.7224, 0.0858); we match the
  literature (0.0533, 0.7225, 0.0857).
* Fagerland MW, Lydersen S, Laake P (2017) Statistical Analysis of Contingency Tables, ch. 4, as printed by
  the R package contingencytables (tests/testthat/test-ch4.R): Perondi et al. (2004) 7/34 vs 1/34 and
  Ritland et al. (2007) 0/16 vs 15/72.
* R ``t.test(extra ~ group, data = sleep)``: Welch 95% CI -3.3654832 to 0.2054832 (df 17.776);
  ``var.equal = TRUE``: -3.363874 to 0.203874 (R documentation example, widely reproduced).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bioparity.clinical import ci_difference, ci_mean_difference_samples, ci_ratio
from tests.conftest import REFERENCE, one_row

HALF_UNIT_4DP = 5e-5 + 1e-12
CLINICAL = REFERENCE / "clinical"
#: Published values: tests/data/reference/clinical/published_intervals.csv (the validation pack reads it too)
PUBLISHED = pd.read_csv(CLINICAL / "published_intervals.csv", comment="#")
_TABLE_II = PUBLISHED[PUBLISHED["case"].str.startswith("Newcombe-") | (PUBLISHED["case"] == "WUSS2016")]
_FAGERLAND = PUBLISHED[PUBLISHED["case"].str.startswith("Fagerland-")]

# (x1, n1, x2, n2): {method: (lower, upper)}
NEWCOMBE_TABLE_II: dict[tuple[int, int, int, int], dict[str, tuple[float, float]]] = {}
for _r in _TABLE_II.to_dict("records"):
    NEWCOMBE_TABLE_II.setdefault((int(_r["x1"]), int(_r["n1"]), int(_r["x2"]), int(_r["n2"])), {})[
        str(_r["method"])
    ] = (
        float(_r["lower"]),
        float(_r["upper"]),
    )


def _row(case: str, measure: str, method: str) -> tuple[tuple[int, int, int, int], tuple[float, float]]:
    r = PUBLISHED[
        (PUBLISHED["case"] == case) & (PUBLISHED["measure"] == measure) & (PUBLISHED["method"] == method)
    ]
    assert len(r) == 1, (case, measure, method)
    x = r.iloc[0]
    return (int(x["x1"]), int(x["n1"]), int(x["x2"]), int(x["n2"])), (float(x["lower"]), float(x["upper"]))


def test_reference_file_holds_every_published_value_at_half_a_unit_of_the_4th_decimal() -> None:
    assert set(PUBLISHED["tolerance"]) == {5e-5} and set(PUBLISHED["conf"]) == {0.95}
    assert len(NEWCOMBE_TABLE_II) == 4 and all(len(m) == 4 for m in NEWCOMBE_TABLE_II.values())
    assert len(_FAGERLAND) == 7 and len(PUBLISHED) == 23


@pytest.mark.parametrize(
    ("table", "method", "expected"),
    [(t, m, v) for t, methods in NEWCOMBE_TABLE_II.items() for m, v in methods.items()],
)
def test_difference_matches_newcombe_1998_table_ii(
    table: tuple[int, int, int, int], method: str, expected: tuple[float, float]
) -> None:
    res = ci_difference(*table, method=method, conf=0.95)
    assert float(res.ci_lower) == pytest.approx(expected[0], abs=HALF_UNIT_4DP)
    assert float(res.ci_upper) == pytest.approx(expected[1], abs=HALF_UNIT_4DP)


@pytest.mark.parametrize(
    ("table", "newcombe", "mn"),
    [
        (*_row(f"Newcombe-{e}", "difference", "newcombe"), _row(f"Newcombe-{e}", "difference", "mn")[1])
        for e in ("a", "b")  # T16, T17
    ],
)
def test_regulatory_vectors_t16_t17(
    table: tuple[int, int, int, int], newcombe: tuple[float, float], mn: tuple[float, float]
) -> None:
    nc = ci_difference(*table, method="newcombe", conf=0.95)
    m = ci_difference(*table, method="mn", conf=0.95)
    assert (float(nc.ci_lower), float(nc.ci_upper)) == pytest.approx(newcombe, abs=HALF_UNIT_4DP)
    assert (float(m.ci_lower), float(m.ci_upper)) == pytest.approx(mn, abs=HALF_UNIT_4DP)
    assert float(nc.diff) == pytest.approx(table[0] / table[1] - table[2] / table[3], abs=1e-15)


def test_vectorised_call_equals_the_published_table_row_by_row() -> None:
    tables = np.array(list(NEWCOMBE_TABLE_II))
    res = ci_difference(tables[:, 0], tables[:, 1], tables[:, 2], tables[:, 3], method="mn", conf=0.95)
    expected = np.array([v["mn"] for v in NEWCOMBE_TABLE_II.values()])
    np.testing.assert_allclose(res.ci_lower, expected[:, 0], atol=HALF_UNIT_4DP)
    np.testing.assert_allclose(res.ci_upper, expected[:, 1], atol=HALF_UNIT_4DP)


@pytest.mark.parametrize(
    ("table", "method", "expected"),
    [  # fm: "Mee asymptotic score"
        (
            (int(r["x1"]), int(r["n1"]), int(r["x2"]), int(r["n2"])),
            str(r["method"]),
            (float(r["lower"]), float(r["upper"])),
        )
        for r in _FAGERLAND[_FAGERLAND["measure"] == "difference"].to_dict("records")
    ],
)
def test_difference_matches_fagerland_lydersen_laake(
    table: tuple[int, int, int, int], method: str, expected: tuple[float, float]
) -> None:
    res = ci_difference(*table, method=method, conf=0.95)
    assert (float(res.ci_lower), float(res.ci_upper)) == pytest.approx(expected, abs=HALF_UNIT_4DP)


@pytest.mark.parametrize(
    ("method", "expected"),
    [(m, _row("Fagerland-Perondi", "ratio", m)[1]) for m in ("koopman", "mn", "katz")],
)
def test_ratio_matches_fagerland_lydersen_laake_perondi(method: str, expected: tuple[float, float]) -> None:
    assert _row("Fagerland-Perondi", "ratio", method)[0] == (7, 34, 1, 34)
    res = ci_ratio(7, 34, 1, 34, method=method, conf=0.95)
    assert float(res.ratio) == pytest.approx(7.0, rel=1e-12)
    assert (float(res.ci_lower), float(res.ci_upper)) == pytest.approx(expected, abs=HALF_UNIT_4DP)


_SLEEP = pd.read_csv(CLINICAL / "sleep_t_test.csv", comment="#")
SLEEP_1 = _SLEEP.loc[_SLEEP["group"] == 1, "extra"].to_list()
SLEEP_2 = _SLEEP.loc[_SLEEP["group"] == 2, "extra"].to_list()
#: R t.test intervals: method -> row (lower, upper, tolerance, df, df_tolerance)
T_TEST = pd.read_csv(CLINICAL / "t_intervals_sleep.csv", comment="#").set_index("method")


def test_sleep_reference_files() -> None:
    assert len(SLEEP_1) == len(SLEEP_2) == 10
    tolerances = T_TEST[["tolerance", "df_tolerance"]]
    assert one_row(tolerances, "welch").to_list() == [5e-8, 5e-4]
    assert one_row(tolerances, "pooled").to_list() == [5e-7, 0]
    assert set(T_TEST["conf"]) == {0.95}


def test_welch_interval_matches_r_t_test_on_sleep() -> None:
    ref = T_TEST.loc["welch"]
    res = ci_mean_difference_samples(SLEEP_1, SLEEP_2, method="welch", conf=0.95)
    assert float(res.ci_lower) == pytest.approx(ref["lower"], abs=5e-8)
    assert float(res.ci_upper) == pytest.approx(ref["upper"], abs=5e-8)
    assert float(res.df) == pytest.approx(ref["df"], abs=5e-4)


def test_pooled_interval_matches_r_t_test_var_equal_on_sleep() -> None:
    ref = T_TEST.loc["pooled"]
    res = ci_mean_difference_samples(SLEEP_1, SLEEP_2, method="pooled", conf=0.95)
    assert (float(res.ci_lower), float(res.ci_upper)) == pytest.approx((ref["lower"], ref["upper"]), abs=5e-7)
    assert float(res.df) == ref["df"] == 18.0
