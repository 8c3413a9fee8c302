"""Multiple dosing: per-interval steady-state parameters against an independent implementation.

Reference: MetidaNCA.jl (PharmCat), test/tests.jl test sets "#6 Linear up Log down, Dose 120, Dosetime 0,
tau 12" and "#7 Linear trapezoidal, Dose 100, Dosetime 2.0, tau 10", on the package's data set
test/csv/pkdata2.csv (copied to tests/data/reference/nca/metidanca_pkdata2.csv; the CSV is from
ClinicalTrialUtilities.jl, the package MetidaNCA was split from). MetidaNCA's reference values come with
its validation report against Phoenix WinNonlin; they are quoted here to the digits the package gives.
MetidaNCA reports Swing as a ratio; bioparity (like PKNCA) reports it in percent, hence the factor 100.
Accumulation index = 1/(1 - exp(-lambda_z tau)) with lambda_z of the terminal phase (Phoenix).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bioparity.nca import NCAOptions
from bioparity.nca.multiple_dose import nca_multiple_dose
from bioparity.nca.steady_state import dosing_intervals
from tests.conftest import REFERENCE

# MetidaNCA test set #7: linear trapezoidal, dose 100 at t = 2, tau 10 (Phoenix-validated values)
REF7 = {
    "AUCTAU": [
        1367.7388,
        2043.0158,
        838.8295,
        1444.7985,
        1618.6205,
        1224.6608,
        1265.7013,
        880.311,
        1417.942,
        1167.911,
    ],
    "CTROUGH": [144.964, 196.035, 76.027, 132.257, 154.066, 113.751, 123.37, 134.133, 135.58, 106.476],
    "CAVG": [
        136.77388,
        204.30158,
        83.88295,
        144.47985,
        161.86205,
        122.46608,
        126.57013,
        88.0311,
        141.7942,
        116.7911,
    ],
    "CMIN": [121.239, 196.026, 69.985, 128.398, 151.452, 102.16, 105.513, 22.724, 105.438, 106.476],
    "AILAMZ": [
        30.047153,
        7.600775,
        30.884671,
        13.501282,
        15.182793,
        13.506455,
        8.5367345,
        11.705549,
        18.216783,
        6.3317425,
    ],
    "FLUCP": [
        21.652527,
        18.631770,
        36.906189,
        25.456145,
        11.047679,
        42.859216,
        37.719011,
        131.320640,
        43.661165,
        16.273500,
    ],
    "SWING": [
        24.426958,
        19.418342,
        44.235193,
        28.644527,
        11.807041,
        51.378230,
        45.246557,
        508.726460,
        58.716023,
        17.850032,
    ],
}
# MetidaNCA test set #6: lin-up/log-down, dose 120 at t = 0, tau 12
REF6 = {
    "AUMCTAU": [
        9995.4521,
        14645.001,
        6030.6644,
        10314.429,
        11475.22,
        8486.2318,
        9023.7903,
        6403.6719,
        10120.542,
        8376.0054,
    ],
    "CLFTAU": [
        0.071896833,
        0.050424060,
        0.122488280,
        0.070172356,
        0.069035042,
        0.085192949,
        0.083697775,
        0.110260280,
        0.073377834,
        0.092799594,
    ],
    "VZFTAU": [
        21.241439,
        3.574574,
        37.214301,
        9.118807,
        10.132353,
        11.075122,
        6.717880,
        12.347065,
        12.996739,
        5.398547,
    ],
}


@pytest.fixture(scope="module")
def pkdata2() -> pd.DataFrame:
    return pd.read_csv(REFERENCE / "nca" / "metidanca_pkdata2.csv")


def _run(pkdata2: pd.DataFrame, time: float, dose: float, tau: float, method: str) -> pd.DataFrame:
    doses = pd.DataFrame({"Subject": range(1, 11), "time": time, "dose": dose})
    res = nca_multiple_dose(
        pkdata2, doses, subject="Subject", time="Time", conc="Concentration", tau=tau,
        options=NCAOptions(auc_method=method),
    )  # fmt: skip
    return res.to_wide().sort_values("Subject")


def test_steady_state_interval_matches_metidanca_phoenix_linear(pkdata2: pd.DataFrame) -> None:
    wide = _run(pkdata2, 2.0, 100.0, 10.0, "linear")
    for code, expected in REF7.items():
        np.testing.assert_allclose(wide[code].to_numpy(), expected, rtol=5e-7, err_msg=code)


def test_clearance_volume_aumc_over_tau_match_metidanca_phoenix_log_down(pkdata2: pd.DataFrame) -> None:
    wide = _run(pkdata2, 0.0, 120.0, 12.0, "lin-up-log-down")
    for code, expected in REF6.items():
        np.testing.assert_allclose(wide[code].to_numpy(), expected, rtol=5e-7, err_msg=code)
    # Cl = dose / AUCtau, so AUCtau follows from the reference clearance
    np.testing.assert_allclose(wide["AUCTAU"], 120.0 / np.asarray(REF6["CLFTAU"]), rtol=5e-7)


def test_two_doses_accumulation_ratio_and_reasons_hand_calculated() -> None:
    """Two doses 12 h apart, linear data: every area is a sum of trapezoids (hand calculation)."""
    t = [0, 2, 6, 12, 14, 18, 24]
    c = [0, 10, 6, 2, 12, 8, 4]
    frame = pd.DataFrame({"subject": 1, "time": t, "conc": c})
    doses = pd.DataFrame({"subject": [1, 1], "time": [0.0, 12.0], "dose": [100.0, 100.0]})
    res = nca_multiple_dose(frame, doses, tau=12.0, options=NCAOptions(auc_method="linear"))
    auc1 = 2 * 10 / 2 + 4 * (10 + 6) / 2 + 6 * (6 + 2) / 2  # 66
    auc2 = 2 * (2 + 12) / 2 + 4 * (12 + 8) / 2 + 6 * (8 + 4) / 2  # 90
    assert list(res.value("AUCTAU")) == pytest.approx([auc1, auc2], rel=1e-12)
    assert list(res.value("ARAUC")) == pytest.approx([1.0, auc2 / auc1], rel=1e-12)
    assert list(res.value("ARCMAX")) == pytest.approx([1.0, 12 / 10], rel=1e-12)
    assert list(res.value("CTROUGH")) == [2.0, 4.0]
    assert list(res.value("TMAX")) == [2.0, 2.0]  # relative to each dose
    assert res.value("CAVG")[1] == pytest.approx(auc2 / 12)
    # without tau the last dose has no interval, and says why
    res2 = nca_multiple_dose(frame, doses, options=NCAOptions(auc_method="linear"))
    long = res2.to_frame()
    row = long[(long["dose_number"] == 2) & (long["PPTESTCD"] == "AUCTAU")].iloc[0]
    assert np.isnan(row["PPSTRESN"]) and row["reason"] == "no tau for the last dose: give tau"


def test_interval_ending_after_the_last_sample_is_not_extrapolated() -> None:
    frame = pd.DataFrame({"subject": 1, "time": [0, 1, 4, 8], "conc": [0, 5, 3, 1]})
    doses = pd.DataFrame({"subject": [1], "time": [0.0], "dose": [10.0]})
    res = nca_multiple_dose(frame, doses, tau=24.0)
    long = res.to_frame().set_index("PPTESTCD")
    assert np.isnan(long.loc["AUCTAU", "PPSTRESN"])
    assert long.loc["AUCTAU", "reason"] == "samples do not cover the end of the interval (dose + tau)"
    assert long.loc["CMAX", "PPSTRESN"] == 5.0


def test_dosing_intervals_are_sorted_per_profile_and_vectorised() -> None:
    iv = dosing_intervals([1, 0, 1, 0, 1], [24.0, 0.0, 0.0, 12.0, 12.0], [5, 1, 5, 1, 5], tau_last=12.0)
    assert list(iv.profile) == [0, 0, 1, 1, 1]
    assert list(iv.dose_number) == [1, 2, 1, 2, 3]
    assert list(iv.tau) == [12.0, 12.0, 12.0, 12.0, 12.0]
    assert list(iv.start) == [0.0, 12.0, 0.0, 12.0, 24.0]
