"""Urine NCA against an independent implementation and a published worked example.

1. MetidaNCA.jl (PharmCat), test/upktest.jl "Urine PK" on ClinicalTrialUtilities.jl test/csv/upkdata.csv
   (5 collections, dose 100, linear trapezoid): Maxrate 4.0, Tmax 1.5, AR (amount recovered) 16.0,
   Vol 11.0, Prec 16.0 %, Rlast 0.333333333333, AUClast (AURC) 17.1250, Kel 0.13445441459631066,
   HL 5.15525788157323, ARsq 0.8109832410336681, AUCinf 19.60415499341648, AUCpct 12.646069 %.
2. D. W. A. Bourne, Basic Pharmacokinetics (boomer.org), Table 12.11.1 "Example Data Analysis of Drug
   in Urine Data" (IV 300 mg): amounts per interval, cumulative amounts, midpoints and excretion rates as
   printed (rounded to the digits shown, hence the tolerances), cumulative 200.1 mg (fe = 200.1/300).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bioparity.errors import DataFileError
from bioparity.nca.urine import urine_nca

UPK = pd.DataFrame(
    {
        "subj": 1,
        "conc": [1, 2, 2, 1, 1],
        "st": [0, 1, 2, 6, 12],
        "et": [1, 2, 6, 12, 18],
        "vol": [1, 2, 3, 3, 2],
    }
)
METIDA = {
    "ERMAX": 4.0,
    "ERTMAX": 1.5,
    "RCAMINT": 16.0,
    "VOLPK": 11.0,
    "RCPCINT": 16.0,
    "ERLST": 0.333333333333,
    "AURCLST": 17.1250,
    "LAMZ": 0.13445441459631066,
    "LAMZHL": 5.15525788157323,
    "R2ADJ": 0.8109832410336681,
    "AURCIFO": 19.60415499341648,
    "AURCPEO": 12.646069,
}

BOURNE = pd.DataFrame(
    {
        "subject": 1,
        "start": [0, 2, 4, 6, 8, 10, 12, 18],
        "end": [2, 4, 6, 8, 10, 12, 18, 24],
        "volume_ml": [50, 46, 48, 49, 46, 48, 134, 144],
        "conc_mg_ml": [1.666, 1.069, 0.592, 0.335, 0.210, 0.116, 0.047, 0.009],
    }
)
BOURNE_AE = [83.3, 49.2, 28.4, 16.4, 9.7, 5.6, 6.3, 1.3]
BOURNE_CUM = [83.3, 132.5, 160.9, 177.3, 187, 192.5, 198.8, 200.1]
BOURNE_MID = [1, 3, 5, 7, 9, 11, 15, 21]
BOURNE_RATE = [41.7, 24.6, 14.2, 8.2, 4.8, 2.8, 1, 0.2]


def test_urine_parameters_match_metidanca() -> None:
    res = urine_nca(UPK, subject="subj", start="st", end="et", volume="vol", dose=100.0)
    for code, expected in METIDA.items():
        assert res.value(code)[0] == pytest.approx(expected, rel=1e-6, abs=1e-9), code
    assert res.value("FE")[0] == pytest.approx(0.16)


def test_bourne_worked_example_amounts_and_rates() -> None:
    res = urine_nca(BOURNE, conc="conc_mg_ml", volume="volume_ml", dose=300.0)
    coll = res.collections
    np.testing.assert_allclose(coll["ae"], BOURNE_AE, atol=0.05 + 1e-9)  # printed to 0.1 mg
    np.testing.assert_allclose(coll["cum_ae"], BOURNE_CUM, atol=0.15)  # sums of rounded amounts
    np.testing.assert_allclose(coll["midpoint"], BOURNE_MID)
    np.testing.assert_allclose(coll["rate"], BOURNE_RATE, rtol=0.03, atol=0.05)
    assert res.value("RCAMINT")[0] == pytest.approx(200.1, abs=0.1)
    assert res.value("FE")[0] == pytest.approx(200.1 / 300, abs=5e-4)


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
