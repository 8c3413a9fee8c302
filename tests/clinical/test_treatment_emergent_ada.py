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
    titre_summary,
    treatment_emergent_ada,
)
from bioparity.errors import DataFileError, InputError
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


@pytest.mark.parametrize("column", ["USUBJID", "ARM", "VISIT"])
@pytest.mark.parametrize("blank", ["", "   ", None])
def test_a_blank_subject_arm_or_visit_is_refused_naming_row_and_column(
    column: str, blank: str | None
) -> None:
    """A blank subject was counted as one more subject (R1's positive D29 row became subject '': 4
    subjects in the reference arm and 0/2 treatment-emergent instead of 1/3); a blank arm or visit became
    an arm or visit of its own."""
    data = toy().astype({column: object})
    data.loc[7, column] = blank  # R1 at D29 (data row 8, line 9 of a CSV listing)
    for summary in (treatment_emergent_ada, ada_incidence):
        with pytest.raises(DataFileError, match="empty identifier") as info:
            summary(data)
        assert (info.value.row, info.value.line, info.value.column) == (8, 9, column)


def _boosted_by(baseline: float | str, post: float | str) -> pd.DataFrame:
    """toy() with subject B2 (positive at baseline) given these two titres."""
    data = toy().astype({"TITRE": object})
    data.loc[2, "TITRE"] = baseline
    data.loc[3, "TITRE"] = post
    return data


@pytest.mark.parametrize("cell", ["inf", "-inf", "Infinity", "1e400", float("inf")])
def test_an_infinite_titre_is_refused_not_counted_as_a_rise(cell: float | str) -> None:
    """inf / 10 >= 4: B2 was counted treatment-boosted on a titre no assay can give."""
    with pytest.raises(DataFileError, match="not a finite number") as info:
        treatment_emergent_ada(_boosted_by(10, cell))
    assert (info.value.row, info.value.line, info.value.column) == (4, 5, "TITRE")


@pytest.mark.parametrize(("row", "cell"), [(4, "1:40"), (4, "high"), (8, "1:80"), (5, "<10")])
def test_a_text_titre_is_refused_naming_row_column_and_value(row: int, cell: str) -> None:
    """'1:40' was read as no titre ('without a titre', no word of the cell); on a subject negative at
    baseline (R1 at D29, row 8) or on a negative sample (B3, row 5) it was dropped silently."""
    data = _boosted_by(10, 40)
    data.loc[row - 1, "TITRE"] = cell
    with pytest.raises(DataFileError, match="not a number") as info:
        treatment_emergent_ada(data)
    assert (info.value.row, info.value.column, info.value.value) == (row, "TITRE", cell)
    assert "reciprocal of the highest positive dilution (40 for 1:40)" in str(info.value)


@pytest.mark.parametrize(("baseline", "post"), [(0.025, 0.1), (10, 0), (10, -40), (0, 40)])
def test_a_titre_below_1_is_refused(baseline: float, post: float) -> None:
    """A titre is a reciprocal dilution (>= 1). Dilutions written as fractions (1:40 -> 1:10 as 0.025 ->
    0.1, a 4-fold fall) counted B2 as boosted; 0 and negative titres were read as 'no titre' or as none
    needed."""
    with pytest.raises(DataFileError, match="titre below 1") as info:
        treatment_emergent_ada(_boosted_by(baseline, post))
    assert info.value.column == "TITRE" and info.value.row in (3, 4)


def test_the_titre_summary_refuses_an_infinite_titre() -> None:
    """The geometric mean of the positive titres was inf."""
    with pytest.raises(DataFileError, match="not a finite number") as info:
        titre_summary(_boosted_by(10, "inf"))
    assert (info.value.row, info.value.column) == (4, "TITRE")


def test_missing_titre_markers_are_no_titre_and_valid_titres_count_as_before() -> None:
    """NA, NaN and '.' are no titre, as blank: fine on a negative sample, refused where one is needed."""
    data = _boosted_by(10, "40")  # text titres as read from a CSV: exactly 4-fold, boosted
    data.loc[[4, 5], "TITRE"] = ["NA", "."]
    te = treatment_emergent_ada(data).to_frame().set_index("arm")
    assert te.loc["biosimilar", "n_boosted"] == 1 and te.loc["reference", "n_induced"] == 1
    with pytest.raises(InputError, match=r"B2.*no titre"):
        treatment_emergent_ada(_boosted_by("nan", 40))
