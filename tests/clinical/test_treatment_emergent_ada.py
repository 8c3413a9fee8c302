"""Treatment-emergent ADA (FDA immunogenicity assay guidance 2019; Shankar et al. 2014, AAPS J 16:658).

Treatment-induced: negative at baseline, positive after dosing. Treatment-boosted: positive at baseline and
a titre rise of at least 4-fold after dosing. Baseline prevalence is reported separately. Every expected
number below is counted by hand from the listed data.
"""

from __future__ import annotations

import pandas as pd
import pytest

from bioparity.clinical import (
    ada_incidence,
    incidence_difference,
    treatment_emergent_ada,
)
from bioparity.errors import InputError
from tests.conftest import require_module

statsmodels_proportion = require_module("statsmodels.stats.proportion")


def toy() -> pd.DataFrame:
    """Issue 27 toy case: two baseline positives in the biosimilar arm, neither boosted (2-fold rise);
    one treatment-induced subject in the reference arm."""
    rows = [
        ("B1", "biosimilar", "BASELINE", "POS", 20), ("B1", "biosimilar", "D29", "POS", 40),
        ("B2", "biosimilar", "BASELINE", "POS", 10), ("B2", "biosimilar", "D29", "POS", 20),
        ("B3", "biosimilar", "BASELINE", "NEG", None), ("B3", "biosimilar", "D29", "NEG", None),
        ("R1", "reference", "BASELINE", "NEG", None), ("R1", "reference", "D29", "POS", 80),
        ("R2", "reference", "BASELINE", "NEG", None), ("R2", "reference", "D29", "NEG", None),
        ("R3", "reference", "BASELINE", "NEG", None), ("R3", "reference", "D29", "NEG", None),
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=["USUBJID", "ARM", "VISIT", "ADA", "TITRE"])


def test_toy_case_gives_treatment_emergent_0_v_one_third_not_any_visit() -> None:
    """Any-visit incidence (2/3 v 1/3) reverses the comparison; treatment-emergent gives 0 v 1/3."""
    te = treatment_emergent_ada(toy()).to_frame().set_index("arm")
    assert te.loc["biosimilar", "n_treatment_emergent"] == 0 and te.loc["biosimilar", "n_evaluable"] == 3
    assert te.loc["reference", "incidence"] == pytest.approx(1 / 3)
    assert te.loc["biosimilar", "incidence"] == 0.0
    assert te.loc["biosimilar", "prevalence"] == pytest.approx(2 / 3)  # baseline prevalence, separate
    assert te.loc["biosimilar", "n_any_visit_positive"] == 2
    assert te.loc["reference", "n_induced"] == 1 and te.loc["biosimilar", "n_boosted"] == 0
    any_visit = ada_incidence(toy()).to_frame()
    overall = any_visit[any_visit["timepoint"] == "OVERALL"].set_index("arm")["incidence"]
    assert overall["biosimilar"] > overall["reference"]  # the misleading old summary
    diff = incidence_difference(
        treatment_emergent_ada(toy()).as_incidence(), reference_arm="reference"
    ).to_frame()
    row = diff[diff["timepoint"] == "TREATMENT-EMERGENT"].iloc[0]
    assert row["diff"] == pytest.approx(-1 / 3)


def test_fourfold_titre_rise_over_positive_baseline_is_treatment_boosted() -> None:
    data = toy()
    data.loc[(data["USUBJID"] == "B2") & (data["VISIT"] == "D29"), "TITRE"] = 40  # exactly 4-fold
    te = treatment_emergent_ada(data).to_frame().set_index("arm")
    assert te.loc["biosimilar", "n_boosted"] == 1 and te.loc["biosimilar", "n_treatment_emergent"] == 1
    lo, hi = statsmodels_proportion.proportion_confint(1, 3, alpha=0.05, method="wilson")
    assert te.loc["biosimilar", "ci_lower"] == pytest.approx(lo, abs=1e-12)
    assert te.loc["biosimilar", "ci_upper"] == pytest.approx(hi, abs=1e-12)
    strict = treatment_emergent_ada(data, boost_fold=8).to_frame().set_index("arm")
    assert strict.loc["biosimilar", "n_boosted"] == 0 and strict.loc["biosimilar", "boost_fold"] == 8


def test_missing_baseline_or_titre_is_counted_or_explained() -> None:
    data = toy()
    no_base = data[~((data["USUBJID"] == "R3") & (data["VISIT"] == "BASELINE"))]
    te = treatment_emergent_ada(no_base).to_frame().set_index("arm")
    assert te.loc["reference", "n_not_evaluable"] == 1 and te.loc["reference", "n_evaluable"] == 2
    assert te.loc["reference", "n_baseline"] == 2
    no_titre = data.copy()
    no_titre.loc[0, "TITRE"] = None
    with pytest.raises(InputError, match=r"B1.*positive at baseline but has no titre"):
        treatment_emergent_ada(no_titre)
    renamed = data.assign(VISIT=data["VISIT"].replace("BASELINE", "V1"))
    with pytest.raises(InputError, match="which timepoint is baseline"):
        treatment_emergent_ada(renamed)
    assert treatment_emergent_ada(renamed, baseline="V1").baseline == "V1"
