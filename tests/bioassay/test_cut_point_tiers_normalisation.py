"""The confirmatory and titration tiers of a floating cut point with a negative control, checked by hand in R.

The titration tier (FPR 0.001) analyses the screening signals and takes the same normalisation rule as the
screening tier (``normalisation`` auto | additive | multiplicative): its cut point and factor ``NF`` (the
same estimate on ``signal - NC``, ``signal / NC`` or ``log(signal) - log(NC)``) match R. The confirmatory
tier analyses % inhibition ``100 (1 - signal_drug / signal)``, which compares each sample with itself: the
negative control does not enter it, no factor is computed (``normalization`` ``none``) whatever rule is
asked for, and when its run means differ the note says so (it said before that the data had no ``nc``
column, though they had one). Reference: ``tests/data/ada_tiers/make_tiers_reference.R`` (R 4.2.2, base
``mean``, ``sd``, ``qnorm``, ``quantile(type = 7)``; ``nlme::lme`` REML F test of the run means; Levene's
test as the one-way ANOVA of ``|value - run mean|``; never run at test time), outlier steps off on both
sides; tolerance 1e-8 relative for the cut points and factors, 1e-6 for the p-values.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from bioparity.bioassay import CutPointResult, compute_cut_point, screening_and_confirmatory
from bioparity.bioassay.cutpoint import CONFIRMATORY_NOT_NORMALISED, NO_NORMALISATION

HERE = Path(__file__).parents[1] / "data" / "ada_tiers"
DESIGN = pd.read_csv(HERE / "floating_confirm.csv", dtype={"donor": str, "run": str})
REF = pd.read_csv(HERE / "tiers_reference.csv")
CASES = REF[["tier", "transform", "normalisation", "method"]].drop_duplicates().to_dict("records")


def _expected(case: dict[str, str], name: str) -> float:
    rows = REF.loc[(REF[list(case)] == pd.Series(case)).all(axis=1) & (REF["name"] == name), "value"]
    return float(rows.iloc[0])


def _tiers(case: dict[str, str]) -> dict[str, CutPointResult]:
    results = screening_and_confirmatory(
        DESIGN, fpr=0.05, confirm_fpr=0.01, titration_fpr=0.001, transform=case["transform"],
        method=case["method"], remove_outliers=False, normalization=case["normalisation"],
    )  # fmt: skip
    return {r.tier: r for r in results}


@pytest.mark.parametrize("case", [c for c in CASES if c["tier"] == "titration"], ids=str)
def test_titration_factor_follows_the_screening_rule(case: dict[str, str]) -> None:
    tiers = _tiers(case)
    titration, screening = tiers["titration"], tiers["screening"]
    assert titration.cut_point_type == "floating"
    assert titration.normalization == screening.normalization != "none"
    assert titration.cut_point == pytest.approx(_expected(case, "cut_point"), rel=1e-8)
    assert titration.normalization_factor == pytest.approx(_expected(case, "normalization_factor"), rel=1e-8)


@pytest.mark.parametrize("rule", ["auto", "additive", "multiplicative"])
@pytest.mark.parametrize("method", ["parametric", "nonparametric"])
def test_confirmatory_tier_is_not_normalised(rule: str, method: str) -> None:
    case = {"tier": "confirmatory", "transform": "none", "normalisation": "auto", "method": method}
    confirmatory = _tiers(case | {"normalisation": rule})["confirmatory"]
    assert confirmatory.transform == "none"
    assert confirmatory.cut_point == pytest.approx(_expected(case, "cut_point"), rel=1e-8)
    assert confirmatory.run_means_p == pytest.approx(_expected(case, "run_means_p"), abs=1e-6)  # R: < 1e-16
    assert confirmatory.run_variances_p == pytest.approx(_expected(case, "run_variances_p"), rel=1e-6)
    assert confirmatory.cut_point_type == "floating"
    assert confirmatory.normalization == "none" and math.isnan(confirmatory.normalization_factor)
    assert CONFIRMATORY_NOT_NORMALISED in confirmatory.notes and NO_NORMALISATION not in confirmatory.notes


def test_confirmatory_tier_ignores_an_nc_column_given_directly() -> None:
    # compute_cut_point called on % inhibition with the plate's NC beside it: no factor of % inhibition / NC
    inhibition = DESIGN.assign(value=100 * (1 - DESIGN["signal_drug"] / DESIGN["signal"]))
    result = compute_cut_point(inhibition, tier="confirmatory", method="parametric", remove_outliers=False)
    case = {"tier": "confirmatory", "transform": "none", "normalisation": "auto", "method": "parametric"}
    assert result.cut_point == pytest.approx(_expected(case, "cut_point"), rel=1e-8)
    assert result.normalization == "none"
