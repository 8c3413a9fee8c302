"""Which assays enter the Ph. Eur. 5.3 section 6 combination of a sample, and the rows it gives.

``combine_estimates`` (used by ``bioparity potency --combine``) selects the usable assays of each test
sample and calls :func:`combine_assays`, whose numbers are checked against Ph. Eur. and R elsewhere; here
the selection, the flags and the row layout are checked against direct calls of ``combine_assays``.
"""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import pytest

from bioparity.errors import DataFileError
from bioparity.io.potency import read_equivalence_margins, read_potency_table
from bioparity.potency import AnalysisOptions, PotencyEstimate, analyse, combine_assays
from bioparity.potency.combine import combine_estimates
from tests.potency._ref import write_three_assays, write_three_parallel_line_assays


@pytest.fixture(scope="module")
def three_assays(tmp_path_factory: pytest.TempPathFactory) -> tuple[PotencyEstimate, ...]:
    """Three 4PL assays of the same test sample (the R reference plate with a little noise added)."""
    path = write_three_assays(tmp_path_factory.mktemp("potency") / "three.csv")
    return analyse(read_potency_table(path), AnalysisOptions(model="4pl")).estimates


def _direct(estimates: list[PotencyEstimate]) -> float:
    return combine_assays(
        [e.relative_potency for e in estimates],
        [e.ci_lower for e in estimates],
        [e.ci_upper for e in estimates],
        [e.df for e in estimates],
    ).potency


def test_usable_assays_are_combined_into_one_row(three_assays: tuple[PotencyEstimate, ...]) -> None:
    (row,) = combine_estimates(three_assays)
    assert (row["assay"], row["sample"], row["model"], row["n_assays"]) == ("combined", "test", "4pl", 3)
    assert row["relative_potency"] == pytest.approx(_direct(list(three_assays)), rel=1e-12)
    assert row["ci_lower"] < row["relative_potency"] < row["ci_upper"]
    assert row["flags"] == ""


def test_an_assay_without_a_usable_interval_is_left_out_and_named(
    three_assays: tuple[PotencyEstimate, ...],
) -> None:
    broken = replace(three_assays[0], assay="A4", ci_lower=float("nan"))
    unconverged = replace(three_assays[1], assay="A5", converged=False)
    (row,) = combine_estimates([*three_assays, broken, unconverged])
    assert row["n_assays"] == 3
    assert row["relative_potency"] == pytest.approx(_direct(list(three_assays)), rel=1e-12)
    assert row["flags"] == "assays left out (no usable CI or not converged): A4, A5"


def test_fewer_than_two_usable_assays_give_no_estimate(three_assays: tuple[PotencyEstimate, ...]) -> None:
    negative = replace(three_assays[1], ci_lower=-0.1)
    (row,) = combine_estimates([three_assays[0], negative])
    assert math.isnan(row["relative_potency"]) and math.isnan(row["ci_lower"]) and math.isnan(row["ci_upper"])
    assert row["flags"] == (
        "assays left out (no usable CI or not converged): A2; 1 usable assay(s): combination needs at least 2"
    )


def test_samples_in_first_seen_order_and_heterogeneity_flagged(
    three_assays: tuple[PotencyEstimate, ...],
) -> None:
    a, b, c = three_assays
    far = [replace(e, sample="other", relative_potency=f, ci_lower=0.95 * f, ci_upper=1.05 * f)
           for e, f in zip(three_assays, (0.5, 1.0, 2.0), strict=True)]  # fmt: skip
    rows = combine_estimates([far[0], a, far[1], b, far[2], c], method="weighted")
    assert [r["sample"] for r in rows] == ["other", "test"]
    direct = combine_assays([0.5, 1.0, 2.0], [0.475, 0.95, 1.9], [0.525, 1.05, 2.1], [e.df for e in far])
    assert not direct.homogeneous
    assert rows[0]["flags"] == f"potency estimates heterogeneous (chi-square p = {direct.chi_square_p:.3g})"
    assert rows[0]["combination_method"] == "weighted"
    assert rows[0]["relative_potency"] == pytest.approx(direct.weighted[0], rel=1e-12)


def test_margins_file_is_read_and_bad_rows_are_located(tmp_path: Path) -> None:
    good = tmp_path / "m.csv"
    good.write_text("measure,lower,upper\nslope_ratio,0.8,1.25\nintercept_difference,-1,1\n")
    assert read_equivalence_margins(good) == {"slope_ratio": (0.8, 1.25), "intercept_difference": (-1.0, 1.0)}
    header = "measure,lower,upper\n"
    cases = {
        "measure,lower\nslope_ratio,0.8\n": "missing column(s) upper",
        header + "slope_ratio,0.8,x\n": "row 1 (line 2), column 'upper': not a number (got 'x')",
        header + "slope_ratio,0.8,1.25\nslope_ratio,0.9,1.1\n": "row 2 (line 3), column 'measure'",
    }
    for text, message in cases.items():
        bad = tmp_path / "bad.csv"
        bad.write_text(text)
        with pytest.raises(DataFileError) as info:
            read_equivalence_margins(bad)
        assert message in str(info.value)


def test_an_assay_failing_a_validity_test_is_left_out_of_the_combination(tmp_path: Path) -> None:
    """Only valid assays are combined (USP <1032> 3.6, <1034> 4.3): before, P2 (non-linearity p 5e-7) entered
    the combined potency and its row said nothing of it. R 4.2.2 by hand on the same CSV: each assay lm with
    the cell-means residual (18 df) and Fieller's limits, then the Ph. Eur. 5.3 section 6.2 weights
    4 t^2 / L^2 over the valid assays P1 and P3 (tolerance 1e-9 relative)."""
    table = analyse(
        read_potency_table(write_three_parallel_line_assays(tmp_path / "three.csv")),
        AnalysisOptions(model="parallel-line"),
    )
    assert [e.similarity.significance_verdict for e in table.estimates] == ["pass", "fail", "pass"]
    (row,) = combine_estimates(table.estimates)
    assert row["n_assays"] == 2
    assert row["flags"].startswith("assays left out (a validity test or suitability criterion failed): P2; ")
    assert row["homogeneity_chi_square"] == pytest.approx(25.5182835146, rel=1e-9)
    assert row["homogeneity_p"] == pytest.approx(4.38210539045e-07, rel=1e-9)
    weighted = (row["weighted_potency"], row["weighted_ci_lower"], row["weighted_ci_upper"])
    assert weighted == pytest.approx((1.05214382274, 1.03227610916, 1.07239392049), rel=1e-9)
    assert row["combination_method"] == "semi-weighted"  # heterogeneous at 0.05
    reported = (row["relative_potency"], row["ci_lower"], row["ci_upper"])
    assert reported == pytest.approx((1.05233507779, 0.575607478343, 1.92389633145), rel=1e-9)
