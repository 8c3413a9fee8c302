"""Urine NCA against an independent implementation and a published worked example.

1. MetidaNCA.jl (PharmCat), test/upktest.jl "Urine PK" on ClinicalTrialUtilities.jl test/csv/upkdata.csv
   (5 collections, dose 100, linear trapezoid): Maxrate 4.0, Tmax 1.5, AR (amount recovered) 16.0,
   Vol 11.0, Prec 16.0 %, Rlast 0.333333333333, AUClast (AURC) 17.1250, Kel 0.13445441459631066,
   HL 5.15525788157323, ARsq 0.8109832410336681, AUCinf 19.60415499341648, AUCpct 12.646069 %.
2. D. W. A. Bourne, Basic Pharmacokinetics (boomer.org), Table 12.11.1 "Example Data Analysis of Drug
   in Urine Data" (IV 300 mg): amounts per interval, cumulative amounts, midpoints and excretion rates as
   printed (rounded to the digits shown, hence the tolerances), cumulative 200.1 mg (fe = 200.1/300).

Inputs and values are in tests/data/reference/nca/ (metidanca_upkdata.csv, metidanca_urine.csv,
bourne_urine_input.csv, bourne_urine_expected.csv), which the validation pack reads too.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bioparity.errors import DataFileError
from bioparity.nca.urine import urine_nca
from tests.conftest import REFERENCE

NCA_REF = REFERENCE / "nca"
UPK = pd.read_csv(NCA_REF / "metidanca_upkdata.csv", comment="#")
#: PPTESTCD -> (expected, rel, abs) as in pytest.approx
METIDA = {
    str(r["PPTESTCD"]): (float(r["expected"]), float(r["rel_tolerance"]), float(r["abs_tolerance"]))
    for r in pd.read_csv(NCA_REF / "metidanca_urine.csv", comment="#").to_dict("records")
}

BOURNE = pd.read_csv(NCA_REF / "bourne_urine_input.csv", comment="#")
_BOURNE_EXPECTED = pd.read_csv(NCA_REF / "bourne_urine_expected.csv", comment="#")


def _bourne(quantity: str) -> tuple[list[float], float, float]:
    """Printed values of one column of Table 12.11.1 (collections in order), with abs and rel tolerance."""
    rows = _BOURNE_EXPECTED[_BOURNE_EXPECTED["quantity"] == quantity]
    assert rows["abs_tolerance"].nunique() == 1 and rows["rel_tolerance"].nunique() == 1
    return (
        rows["expected"].to_list(),
        float(rows["abs_tolerance"].iloc[0]),
        float(rows["rel_tolerance"].iloc[0]),
    )


BOURNE_AE, AE_ATOL, _ = _bourne("ae")
BOURNE_CUM, CUM_ATOL, _ = _bourne("cum_ae")
BOURNE_MID, _, MID_RTOL = _bourne("midpoint")
BOURNE_RATE, RATE_ATOL, RATE_RTOL = _bourne("rate")
BOURNE_TOTAL, TOTAL_ATOL, _ = _bourne("RCAMINT")
BOURNE_FE, FE_ATOL, _ = _bourne("FE")


def test_reference_files_hold_the_published_values_and_tolerances() -> None:
    assert UPK.shape == (5, 5)
    assert len(METIDA) == 13 and {v[1:] for k, v in METIDA.items() if k != "FE"} == {(1e-6, 1e-9)}
    assert METIDA["FE"] == (0.16, 1e-6, 1e-12)  # pytest.approx defaults
    assert len(BOURNE) == 8 and (AE_ATOL, CUM_ATOL, MID_RTOL) == (0.05 + 1e-9, 0.15, 1e-7)
    assert (RATE_RTOL, RATE_ATOL, TOTAL_ATOL, FE_ATOL) == (0.03, 0.05, 0.1, 5e-4)
    assert BOURNE_TOTAL == [200.1] and BOURNE_FE == [200.1 / 300]


def test_urine_parameters_match_metidanca() -> None:
    res = urine_nca(UPK, subject="subj", start="st", end="et", volume="vol", dose=100.0)
    for code, (expected, rel, abs_) in METIDA.items():
        assert res.value(code)[0] == pytest.approx(expected, rel=rel, abs=abs_), code


def test_bourne_worked_example_amounts_and_rates() -> None:
    res = urine_nca(BOURNE, conc="conc_mg_ml", volume="volume_ml", dose=300.0)
    coll = res.collections
    np.testing.assert_allclose(coll["ae"], BOURNE_AE, atol=AE_ATOL)  # printed to 0.1 mg
    np.testing.assert_allclose(coll["cum_ae"], BOURNE_CUM, atol=CUM_ATOL)  # sums of rounded amounts
    np.testing.assert_allclose(coll["midpoint"], BOURNE_MID, rtol=MID_RTOL)
    np.testing.assert_allclose(coll["rate"], BOURNE_RATE, rtol=RATE_RTOL, atol=RATE_ATOL)
    assert res.value("RCAMINT")[0] == pytest.approx(BOURNE_TOTAL[0], abs=TOTAL_ATOL)
    assert res.value("FE")[0] == pytest.approx(BOURNE_FE[0], abs=FE_ATOL)


def test_renal_clearance_is_amount_over_plasma_auc() -> None:
    """CLr = Ae / AUC over the same period (PKNCA pk.calc.clr test: ae 1, auc 10 -> 0.1)."""
    frame = UPK.assign(auc=160.0)
    res = urine_nca(frame, subject="subj", start="st", end="et", volume="vol", plasma_auc="auc")
    assert res.value("RENALCL")[0] == pytest.approx(16.0 / 160.0)


def test_missing_volume_makes_totals_missing_and_overlaps_are_refused() -> None:
    gap = UPK.astype({"vol": float}).copy()
    gap.loc[2, "vol"] = np.nan
    res = urine_nca(gap, subject="subj", start="st", end="et", volume="vol")
    assert np.isnan(res.value("RCAMINT")[0])
    assert res.to_frame().set_index("PPTESTCD").loc["RCAMINT", "reason"] != ""
    bad = UPK.copy()
    bad.loc[3, "st"] = 5
    with pytest.raises(DataFileError, match="overlaps"):
        urine_nca(bad, subject="subj", start="st", end="et", volume="vol")
