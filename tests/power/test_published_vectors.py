"""Published test vectors: PowerTOST README examples (T1-T6, T18) and CVfromCI examples.

The values are in tests/data/reference/power/published_vectors.csv (read by the validation pack too); the
tolerances are half a unit of the last printed digit, stated here and checked against the file.
"""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

from bioparity.errors import BioparityWarning
from bioparity.power import cv_from_ci, cv_to_se, power_tost, sample_size_tost, se_to_cv
from tests.conftest import REFERENCE

VECTORS = pd.read_csv(REFERENCE / "power" / "published_vectors.csv", comment="#")


def published(case: str, quantity: str) -> float:
    rows = VECTORS[(VECTORS["case"] == case) & (VECTORS["quantity"] == quantity)]
    assert len(rows) == 1, (case, quantity)
    return float(rows["expected"].iloc[0])


def test_reference_file_tolerances_are_half_a_unit_of_the_last_digit() -> None:
    tol = {(str(r["case"]), str(r["quantity"])): float(r["tolerance"]) for r in VECTORS.to_dict("records")}
    assert tol == {
        ("T1", "power"): 5e-8, ("T2", "power"): 5e-8, ("T3-exact", "n"): 0, ("T3-exact", "power"): 5e-6,
        ("T3-nct", "n"): 0, ("T3-nct", "power"): 5e-6, ("T3-shifted", "n"): 0, ("T3-shifted", "power"): 5e-6,
        ("T4", "power"): 5e-7, ("T5", "power"): 5e-7, ("T6", "power"): 5e-7, ("CVfromCI-23", "cv"): 5e-8,
        ("CVfromCI-14/9", "cv"): 5e-7, ("CVfromCI-12/11", "cv"): 5e-8,
        ("T18", "se"): 5e-8, ("T18", "mse"): 5e-8,
    }  # fmt: skip


def test_t1_parallel_unbalanced_groups() -> None:
    res = power_tost(design="parallel", cv=0.35, n_by_group=(52, 49), theta0=0.95)
    assert float(res) == pytest.approx(published("T1", "power"), abs=5e-8)


def test_t1_total_101_splits_like_powertost() -> None:
    # nvec(101, 2) = 51/50: sum(1/n_i) equals that of 52/49 only approximately, so power differs slightly.
    balanced = power_tost(design="parallel", cv=0.35, n=101, theta0=0.95)
    explicit = power_tost(design="parallel", cv=0.35, n_by_group=(51, 50), theta0=0.95)
    assert float(balanced) == pytest.approx(float(explicit), abs=1e-15)


def test_t2_2x2_cv20_n20() -> None:
    assert float(power_tost(design="2x2", cv=0.20, n=20, theta0=0.95)) == pytest.approx(
        published("T2", "power"), abs=5e-8
    )


def test_t3_sample_size_and_methods() -> None:
    exact = sample_size_tost(design="2x2", cv=0.17, theta0=0.95)
    nct = sample_size_tost(design="2x2", cv=0.17, theta0=0.95, method="nct")
    shifted = sample_size_tost(design="2x2", cv=0.17, theta0=0.95, method="shifted")
    for res, case in ((exact, "T3-exact"), (nct, "T3-nct"), (shifted, "T3-shifted")):
        assert (int(res.n), round(float(res.power), 5)) == (published(case, "n"), published(case, "power"))
    assert [published(c, "n") for c in ("T3-exact", "T3-nct", "T3-shifted")] == [14, 14, 16]
    assert float(exact.power) == pytest.approx(0.8056833, abs=5e-8)


def test_t4_2x2x4_widened_limits() -> None:
    res = power_tost(design="2x2x4", cv=0.40, theta0=0.90, theta1=0.75, theta2=1 / 0.75, n=30)
    assert float(res) == pytest.approx(published("T4", "power"), abs=5e-7)


def test_t5_2x2x3() -> None:
    assert float(power_tost(design="2x2x3", cv=0.45, theta0=0.90, n=124)) == pytest.approx(
        published("T5", "power"), abs=5e-7
    )


def test_t6_narrow_limits() -> None:
    res = power_tost(design="2x2", cv=0.125, theta0=0.975, theta1=0.90, theta2=1 / 0.90, n=32)
    assert float(res) == pytest.approx(published("T6", "power"), abs=5e-7)


def test_t18_cv_sigma_conversion() -> None:
    assert float(cv_to_se(0.30)) == pytest.approx(published("T18", "se"), abs=5e-8)
    assert float(cv_to_se(0.30)) ** 2 == pytest.approx(published("T18", "mse"), abs=5e-8)
    assert float(se_to_cv(published("T18", "se"))) == pytest.approx(0.30, abs=1e-7)


# H. Schuetz, BEBAC forum 2018-01-21, "Usage of function CVfromCI" (PowerTOST output quoted there).
def test_cv_from_ci_unbalanced_total() -> None:
    assert cv_from_ci(point=0.99, lower=0.87, upper=1.13, n=23) == pytest.approx(
        published("CVfromCI-23", "cv"), abs=5e-8
    )


def test_cv_from_ci_explicit_groups() -> None:
    assert cv_from_ci(point=0.99, lower=0.87, upper=1.13, n=(12, 11)) == pytest.approx(
        published("CVfromCI-12/11", "cv"), abs=5e-8
    )
    assert cv_from_ci(point=0.99, lower=0.87, upper=1.13, n=(14, 9)) == pytest.approx(
        published("CVfromCI-14/9", "cv"), abs=5e-7
    )


def test_cv_from_ci_warns_on_inconsistent_point_estimate() -> None:
    with pytest.warns(BioparityWarning, match="more than 10% apart"):
        cv = cv_from_ci(point=0.96, lower=0.9075, upper=1.0089, n=24)
    assert cv == pytest.approx(0.1071475, abs=5e-8)


def test_cv_from_ci_without_point_uses_geometric_mean_silently() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cv = cv_from_ci(lower=0.9075, upper=1.0089, n=24)
    assert 0.09 < cv < 0.12
