"""Intervals for two proportions and two means against published values.

Sources (all values as printed, 4 decimals unless stated; tolerance half a unit of the last digit):

* regulatory.md test vectors T16-T17.
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
import pytest

from bioparity.clinical import ci_difference, ci_mean_difference_samples, ci_ratio

HALF_UNIT_4DP = 5e-5 + 1e-12

# (x1, n1, x2, n2): {method: (lower, upper)}
NEWCOMBE_TABLE_II = {
    (56, 70, 48, 80): {
        "wald": (0.0575, 0.3425),
        "fm": (0.0533, 0.3377),
        "mn": (0.0528, 0.3382),
        "newcombe": (0.0524, 0.3339),
    },
    (9, 10, 3, 10): {
        "wald": (0.2605, 0.9395),
        "fm": (0.1821, 0.8370),
        "mn": (0.1700, 0.8406),
        "newcombe": (0.1705, 0.8090),
    },
    (10, 10, 0, 20): {
        "wald": (1.0, 1.0),
        "fm": (0.7225, 1.0),
        "mn": (0.7156, 1.0),
        "newcombe": (0.6791, 1.0),
    },
    (84, 101, 89, 105): {
        "wald": (-0.1162, 0.0843),
        "fm": (-0.1188, 0.0857),
        "mn": (-0.1191, 0.0860),
        "newcombe": (-0.1177, 0.0851),
    },
}


@pytest.mark.parametrize(
    ("table", "method", "expected"),
    [(t, m, v) for t, methods in NEWCOMBE_TABLE_II.items() for m, v in methods.items()],
)
def test_difference_matches_newcombe_1998_table_ii(
    table: tuple[int, int, int, int], method: str, expected: tuple[float, float]
) -> None:
    res = ci_difference(*table, method=method, conf=0.95)
    assert float(res.lower) == pytest.approx(expected[0], abs=HALF_UNIT_4DP)
    assert float(res.upper) == pytest.approx(expected[1], abs=HALF_UNIT_4DP)


@pytest.mark.parametrize(
    ("table", "newcombe", "mn"),
    [
        ((56, 70, 48, 80), (0.0524, 0.3339), (0.0528, 0.3382)),  # T16
        ((9, 10, 3, 10), (0.1705, 0.8090), (0.1700, 0.8406)),  # T17
    ],
)
def test_regulatory_vectors_t16_t17(
    table: tuple[int, int, int, int], newcombe: tuple[float, float], mn: tuple[float, float]
) -> None:
    nc = ci_difference(*table, method="newcombe", conf=0.95)
    m = ci_difference(*table, method="mn", conf=0.95)
    assert (float(nc.lower), float(nc.upper)) == pytest.approx(newcombe, abs=HALF_UNIT_4DP)
    assert (float(m.lower), float(m.upper)) == pytest.approx(mn, abs=HALF_UNIT_4DP)
    assert float(nc.diff) == pytest.approx(table[0] / table[1] - table[2] / table[3], abs=1e-15)


def test_vectorised_call_equals_the_published_table_row_by_row() -> None:
    tables = np.array(list(NEWCOMBE_TABLE_II))
    res = ci_difference(tables[:, 0], tables[:, 1], tables[:, 2], tables[:, 3], method="mn", conf=0.95)
    expected = np.array([v["mn"] for v in NEWCOMBE_TABLE_II.values()])
    np.testing.assert_allclose(res.lower, expected[:, 0], atol=HALF_UNIT_4DP)
    np.testing.assert_allclose(res.upper, expected[:, 1], atol=HALF_UNIT_4DP)


@pytest.mark.parametrize(
    ("table", "method", "expected"),
    [
        ((7, 34, 1, 34), "wald", (0.0292, 0.3238)),
        ((7, 34, 1, 34), "newcombe", (0.0189, 0.3404)),
        ((7, 34, 1, 34), "fm", (0.0284, 0.3439)),  # "Mee asymptotic score"
        ((0, 16, 15, 72), "mn", (-0.3164, -0.0056)),
    ],
)
def test_difference_matches_fagerland_lydersen_laake(
    table: tuple[int, int, int, int], method: str, expected: tuple[float, float]
) -> None:
    res = ci_difference(*table, method=method, conf=0.95)
    assert (float(res.lower), float(res.upper)) == pytest.approx(expected, abs=HALF_UNIT_4DP)


@pytest.mark.parametrize(
    ("method", "expected"),
    [("koopman", (1.2209, 42.5757)), ("mn", (1.2086, 43.0330)), ("katz", (0.9096, 53.8695))],
)
def test_ratio_matches_fagerland_lydersen_laake_perondi(method: str, expected: tuple[float, float]) -> None:
    res = ci_ratio(7, 34, 1, 34, method=method, conf=0.95)
    assert float(res.ratio) == pytest.approx(7.0, rel=1e-12)
    assert (float(res.lower), float(res.upper)) == pytest.approx(expected, abs=HALF_UNIT_4DP)


SLEEP_1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]
SLEEP_2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]


def test_welch_interval_matches_r_t_test_on_sleep() -> None:
    res = ci_mean_difference_samples(SLEEP_1, SLEEP_2, method="welch", conf=0.95)
    assert float(res.lower) == pytest.approx(-3.3654832, abs=5e-8)
    assert float(res.upper) == pytest.approx(0.2054832, abs=5e-8)
    assert float(res.df) == pytest.approx(17.776, abs=5e-4)


def test_pooled_interval_matches_r_t_test_var_equal_on_sleep() -> None:
    res = ci_mean_difference_samples(SLEEP_1, SLEEP_2, method="pooled", conf=0.95)
    assert (float(res.lower), float(res.upper)) == pytest.approx((-3.363874, 0.203874), abs=5e-7)
    assert float(res.df) == 18.0
