"""Newcombe's (1998) method 11 and the Farrington-Manning (1990) sample size against independent values.

* Published: Newcombe RG (1998) Stat Med 17:873-890, Table II, method 11 (score with continuity
  correction), examples (a) 56/70 vs 48/80, (b) 9/10 vs 3/10, (g) 10/10 vs 0/20, and 84/101 vs 89/105
  (WUSS 2016 paper 127), as reproduced to 4 decimals by R DescTools' regression test of
  ``BinomDiffCI(method="scorecc")`` (tests/misc.R). Tolerance: half a unit of the 4th decimal.
* tests/data/reference/clinical/make_fm_cc_reference.R (base R 4.2.2, formulas from the papers, no
  bioparity code) writes ``newcombe_cc_r.csv`` (method 11 from ``prop.test(correct=TRUE)``'s
  continuity-corrected Wilson limits, 14 tables with x = 0, x = n, n = 1, 95% and 90%; tolerance 1e-12)
  and ``fm_sample_size_r.csv`` (Farrington-Manning power with the restricted MLE by ``optimize`` on the
  likelihood, not the cubic, and n2 by a linear scan; n exact, power to 1e-7: a maximiser of a flat
  likelihood finds the restricted MLE to about sqrt(machine eps), 1.5e-8; the non-inferiority rows also
  give FM's closed-form n2, which the scan equals).
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from bioparity.cli.main import app
from bioparity.clinical import ci_difference, sample_size_equivalence_proportions
from bioparity.clinical.sample_size_proportions import fm_power
from tests.conftest import REFERENCE

HALF_UNIT_4DP = 5e-5 + 1e-12
CLINICAL = REFERENCE / "clinical"

#: (x1, n1, x2, n2) -> method 11 95% limits, Newcombe (1998) Table II / WUSS 2016.
METHOD_11 = {
    (56, 70, 48, 80): (0.0428, 0.3422),
    (9, 10, 3, 10): (0.1013, 0.8387),
    (10, 10, 0, 20): (0.6014, 1.0),
    (84, 101, 89, 105): (-0.1245, 0.0918),
}


@pytest.mark.parametrize(("table", "expected"), METHOD_11.items())
def test_newcombe_cc_matches_newcombe_1998_table_ii_method_11(
    table: tuple[int, int, int, int], expected: tuple[float, float]
) -> None:
    res = ci_difference(*table, method="newcombe-cc", conf=0.95)
    assert float(res.ci_lower) == pytest.approx(expected[0], abs=HALF_UNIT_4DP)
    assert float(res.ci_upper) == pytest.approx(expected[1], abs=HALF_UNIT_4DP)
    assert res.method == "newcombe-cc"


def test_newcombe_cc_matches_r_prop_test_square_and_add() -> None:
    ref = pd.read_csv(CLINICAL / "newcombe_cc_r.csv")
    assert len(ref) == 28
    res = ci_difference(ref.x1, ref.n1, ref.x2, ref.n2, method="NEWCOMBE-CC", conf=ref.conf)
    np.testing.assert_allclose(res.ci_lower, ref.lower, rtol=0, atol=1e-12)
    np.testing.assert_allclose(res.ci_upper, ref.upper, rtol=0, atol=1e-12)


def test_newcombe_cc_is_wider_than_method_10() -> None:
    plain = ci_difference(56, 70, 48, 80, method="newcombe")
    corrected = ci_difference(56, 70, 48, 80, method="newcombe-cc")
    assert corrected.ci_lower < plain.ci_lower and corrected.ci_upper > plain.ci_upper


def test_fm_sample_size_matches_r() -> None:
    ref = pd.read_csv(CLINICAL / "fm_sample_size_r.csv")
    assert len(ref) == 10
    res = sample_size_equivalence_proportions(
        p1=ref.p1,
        p2=ref.p2,
        margin_lower=ref.margin_lower,
        margin_upper=ref.margin_upper,
        alpha=ref.alpha,
        target_power=ref.target_power,
        ratio=ref.ratio,
        method="fm",
    )
    np.testing.assert_array_equal(res.n2, ref.n2)
    np.testing.assert_array_equal(res.n1, ref.n1)
    np.testing.assert_allclose(res.power, ref.power, rtol=0, atol=1e-7)
    closed = ref.dropna(subset=["n2_closed_form"])
    assert len(closed) == 2 and (closed.n2 == closed.n2_closed_form).all()
    assert res.method == "fm"


def test_fm_differs_from_the_unpooled_normal_approximation() -> None:
    kwargs: dict[str, Any] = {"p1": 0.85, "p2": 0.8, "margin_lower": -0.1, "margin_upper": 0.1}
    kwargs["alpha"] = 0.025
    fm = sample_size_equivalence_proportions(**kwargs, target_power=0.9, method="fm")
    normal = sample_size_equivalence_proportions(**kwargs, target_power=0.9, method="normal")
    assert int(fm.n2) == 1217 and int(normal.n2) != int(fm.n2)


def test_fm_power_when_both_rates_are_certain() -> None:
    """p1 = p2 = 1: no variance under the alternative; the score test at margin -0.1 has the restricted
    MLE p1~ = 0.9, p2~ = 1, so it rejects exactly when 0.1 > z sqrt(0.09 / n) (equal groups): n > 34.6."""
    n = np.array([34.0, 35.0])
    power = fm_power(np.ones(2), np.ones(2), n, n, (np.full(2, -0.1), np.full(2, 0.1)), np.full(2, 0.025))
    np.testing.assert_array_equal(power, [0.0, 1.0])
    res = sample_size_equivalence_proportions(
        p1=1.0, p2=1.0, margin_lower=-0.1, margin_upper=0.1, alpha=0.025, method="fm"
    )
    assert int(res.n2) == 35 and float(res.power) == 1.0


def test_commands_offer_newcombe_cc_and_fm() -> None:
    runner = CliRunner()
    ci = runner.invoke(
        app,
        [
            "ci-diff",
            "--x1",
            "56",
            "--n1",
            "70",
            "--x2",
            "48",
            "--n2",
            "80",
            "--method",
            "newcombe-cc",
            "--format",
            "json",
        ],
    )
    assert ci.exit_code == 0
    record = json.loads(ci.stdout)
    assert (round(record["lower"], 4), round(record["upper"], 4)) == METHOD_11[(56, 70, 48, 80)]
    size = runner.invoke(
        app,
        ["samplesize-prop", "--p1", "0.85", "--p2", "0.8", "--margin", "0.1", "--target-power", "0.9",
         "--method", "fm", "--format", "json"],
    )  # fmt: skip
    assert size.exit_code == 0
    assert json.loads(size.stdout)["n2"] == 1217 and json.loads(size.stdout)["method"] == "fm"  # R row 2
