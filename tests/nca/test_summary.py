"""Summary statistics of NCA parameters against values computed by hand (R formulas written out below)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from bioparity.errors import InputError
from bioparity.nca.summary import flag_counts, summary_statistics
from tests.conftest import one_row

# Cmax of four subjects in arm A: 10, 12, 15, 20 (ng/mL). Computed with R 4 (Rscript -e ...):
#   mean(x) = 57/4 = 14.25; sd(x) = sqrt(((-4.25)^2 + (-2.25)^2 + 0.75^2 + 5.75^2)/3) = sqrt(56.75/3)
#   = 4.349329; CV% = 100 * 4.349329 / 14.25 = 30.52161
#   exp(mean(log(x))) = (10*12*15*20)^(1/4) = 36000^(1/4) = 13.77449
#   var(log(x)) = 0.08929941; 100*sqrt(exp(var(log(x)))-1) = 30.56272
#   median = 13.5; min 10; max 20
CMAX_A = [10.0, 12.0, 15.0, 20.0]
TMAX_A = [1.0, 2.0, 2.0, 4.0]


def _frame() -> pd.DataFrame:
    rows: list[tuple[str, str, str, float | None, str, bool, bool]] = []
    for i, (c, t) in enumerate(zip(CMAX_A, TMAX_A, strict=True)):
        s = f"A{i}"
        rows += [
            ("A", s, "CMAX", c, "ng/mL", i == 0, False),
            ("A", s, "TMAX", t, "h", i == 0, False),
        ]
    rows += [("B", "B1", "CMAX", 8.0, "ng/mL", False, True), ("B", "B2", "CMAX", None, "ng/mL", False, True)]
    return pd.DataFrame(
        rows,
        columns=["arm", "subject", "PPTESTCD", "PPSTRESN", "PPSTRESU", "flag_r2adj_low", "flag_no_time0"],
    )


def test_statistics_match_hand_computed_values() -> None:
    result = summary_statistics(_frame())
    frame = result.to_frame().set_index(["arm", "parameter"])
    cmax = one_row(frame, ("A", "CMAX"))
    assert cmax["n"] == 4 and cmax["n_missing"] == 0 and cmax["unit"] == "ng/mL"
    assert cmax["mean"] == pytest.approx(14.25, abs=1e-12)
    assert cmax["sd"] == pytest.approx(4.349329, abs=1e-6)
    assert cmax["cv_percent"] == pytest.approx(30.52161, abs=1e-5)
    assert cmax["geometric_mean"] == pytest.approx(36000**0.25, rel=1e-12)
    assert cmax["geometric_mean"] == pytest.approx(13.77449, abs=1e-5)
    assert cmax["geometric_cv_percent"] == pytest.approx(30.56272, abs=1e-5)
    assert (cmax["median"], cmax["min"], cmax["max"]) == (13.5, 10.0, 20.0)


def test_no_geometric_statistics_for_tmax() -> None:
    tmax = one_row(summary_statistics(_frame()).to_frame().set_index(["arm", "parameter"]), ("A", "TMAX"))
    assert math.isnan(tmax["geometric_mean"]) and math.isnan(tmax["geometric_cv_percent"])
    assert tmax["median"] == 2.0 and tmax["mean"] == pytest.approx(2.25)


def test_missing_values_are_counted_not_hidden() -> None:
    b = one_row(summary_statistics(_frame()).to_frame().set_index(["arm", "parameter"]), ("B", "CMAX"))
    assert b["n"] == 1 and b["n_missing"] == 1 and b["mean"] == 8.0
    assert math.isnan(b["sd"]) and math.isnan(b["geometric_cv_percent"])  # one value: no spread


def test_values_at_or_below_zero_have_no_geometric_statistics_and_a_note() -> None:
    frame = pd.DataFrame({"PPTESTCD": ["AUCLST"] * 3, "PPSTRESN": [0.0, 2.0, 8.0]})
    result = summary_statistics(frame, group=None)
    assert result.groups == ("all",) and math.isnan(float(result.geometric_mean[0]))
    assert result.mean[0] == pytest.approx(10 / 3) and "<= 0" in result.notes[0]


def test_text_in_the_value_column_is_an_error_naming_the_row() -> None:
    frame = pd.DataFrame({"PPTESTCD": ["CMAX", "CMAX"], "PPSTRESN": [1.0, "BLQ"]})
    with pytest.raises(InputError, match="row 2, column PPSTRESN"):
        summary_statistics(frame)


def test_flags_are_counted_per_subject() -> None:
    counts = flag_counts(_frame()).to_frame().set_index(["arm", "flag"])
    # subject A0 has r2adj_low on both its CMAX and TMAX rows: one subject, not two rows
    assert counts.loc[("A", "r2adj_low"), "subjects_flagged"] == 1
    assert counts.loc[("A", "r2adj_low"), "subjects"] == 4
    assert counts.loc[("B", "no_time0"), "subjects_flagged"] == 2
    assert np.all(counts["subjects_flagged"] <= counts["subjects"])


def test_statistics_per_dosing_interval_keep_the_doses_apart() -> None:
    """Cmax of dose 1 (10, 12, 15, 20: the values above) and of dose 2 (2x: 20, 24, 30, 40) of the same four
    subjects: per dose number, dose 2's mean is 2 x 14.25 = 28.5 and its geometric mean 2 x 36000^(1/4),
    the same CV%; pooled (before) the mean would have been 21.375 over n = 8."""
    dose1 = [("A", f"A{i}", 1, "CMAX", c) for i, c in enumerate(CMAX_A)]
    dose2 = [("A", f"A{i}", 2, "CMAX", 2 * c) for i, c in enumerate(CMAX_A)]
    frame = pd.DataFrame(dose2 + dose1, columns=["arm", "subject", "dose_number", "PPTESTCD", "PPSTRESN"])
    result = summary_statistics(frame, interval="dose_number")
    table = result.to_frame()
    assert list(table.columns[:3]) == ["arm", "dose_number", "parameter"]
    assert result.intervals == (1, 2) and list(table["n"]) == [4, 4]  # in dose order, whatever the rows'
    by_dose = table.set_index("dose_number")
    assert by_dose.loc[1, "mean"] == pytest.approx(14.25, abs=1e-12)
    assert by_dose.loc[2, "mean"] == pytest.approx(28.5, abs=1e-12)
    assert by_dose.loc[2, "geometric_mean"] == pytest.approx(2 * 36000**0.25, rel=1e-12)
    assert by_dose.loc[2, "cv_percent"] == pytest.approx(30.52161, abs=1e-5)
    assert "dose_number" not in summary_statistics(frame).to_frame().columns  # single dose: as before
    with pytest.raises(InputError, match=r"row 1, column dose_number: 0\.5 is not a dose number"):
        summary_statistics(frame.assign(dose_number=0.5), interval="dose_number")


def test_statistics_by_analyte_keep_two_analytes_of_one_arm_apart() -> None:
    """Cmax of the same four subjects of arm A for two analytes: TAB (10, 12, 15, 20, the values above) and
    ADC (a tenth: 1, 1.2, 1.5, 2). Per analyte the geometric means are 36000^(1/4) = 13.77449 and a tenth
    of it; pooled (before) one row would have mixed them: exp(mean(log of the eight values)) =
    (36000 * 3.6)^(1/8) = 4.355877."""
    tab = [("A", f"A{i}", "TAB", "CMAX", c) for i, c in enumerate(CMAX_A)]
    adc = [("A", f"A{i}", "ADC", "CMAX", c / 10) for i, c in enumerate(CMAX_A)]
    frame = pd.DataFrame(tab + adc, columns=["arm", "subject", "analyte", "PPTESTCD", "PPSTRESN"])
    result = summary_statistics(frame, by=["analyte"])
    table = result.to_frame()
    assert list(table.columns[:3]) == ["arm", "analyte", "parameter"]
    assert list(table["analyte"]) == ["ADC", "TAB"] and list(table["n"]) == [4, 4]  # sorted as text
    by_analyte = table.set_index("analyte")
    assert by_analyte.loc["TAB", "geometric_mean"] == pytest.approx(13.77449, abs=1e-5)
    assert by_analyte.loc["ADC", "geometric_mean"] == pytest.approx(1.377449, abs=1e-6)
    assert by_analyte.loc["ADC", "mean"] == pytest.approx(1.425, abs=1e-12)
    assert by_analyte.loc["ADC", "cv_percent"] == pytest.approx(30.52161, abs=1e-5)  # a scale change
    pooled = summary_statistics(frame).to_frame()
    assert len(pooled) == 1 and pooled["geometric_mean"][0] == pytest.approx(4.355877, abs=1e-6)
    assert "analyte (2)" in result.summary()


def test_flags_are_counted_per_analyte() -> None:
    """Subject A0's Cmax of total antibody (TAB) has a low adjusted R2, its ADC profile none: per analyte
    one subject of four is flagged for TAB and none for ADC (pooled, the ADC row would say one)."""
    rows = [
        ("A", f"A{i}", analyte, "CMAX", 1.0, analyte == "TAB" and i == 0)
        for analyte in ("TAB", "ADC")
        for i in range(4)
    ]
    frame = pd.DataFrame(
        rows, columns=["arm", "subject", "analyte", "PPTESTCD", "PPSTRESN", "flag_r2adj_low"]
    )
    counts = flag_counts(frame, by=["analyte"]).to_frame()
    assert list(counts.columns) == ["arm", "analyte", "flag", "subjects_flagged", "subjects"]
    by_analyte = counts.set_index("analyte")
    assert (by_analyte.loc["TAB", "subjects_flagged"], by_analyte.loc["TAB", "subjects"]) == (1, 4)
    assert (by_analyte.loc["ADC", "subjects_flagged"], by_analyte.loc["ADC", "subjects"]) == (0, 4)
    assert flag_counts(frame).to_frame()["subjects_flagged"].tolist() == [1]  # pooled: any analyte
