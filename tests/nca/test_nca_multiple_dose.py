"""Multiple dosing: per-interval steady-state parameters against an independent implementation.

Reference: MetidaNCA.jl (PharmCat), test/tests.jl test sets "#6 Linear up Log down, Dose 120, Dosetime 0,
tau 12" and "#7 Linear trapezoidal, Dose 100, Dosetime 2.0, tau 10", on the package's data set
test/csv/pkdata2.csv (copied to tests/data/reference/nca/metidanca_pkdata2.csv; the CSV is from
ClinicalTrialUtilities.jl, the package MetidaNCA was split from). MetidaNCA's reference values come with
its validation report against Phoenix WinNonlin; they are kept, to the digits the package gives, in
tests/data/reference/nca/metidanca_multiple_dose.csv (the validation pack reads the same file).
MetidaNCA reports Swing as a ratio; bioparity (like PKNCA) reports it in percent, hence the factor 100.
Accumulation index = 1/(1 - exp(-lambda_z tau)) with lambda_z of the terminal phase (Phoenix).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bioparity.nca import NCAOptions
from bioparity.nca.multiple.intervals import nca_multiple_dose
from bioparity.nca.multiple.steady_state import dosing_intervals
from tests.conftest import REFERENCE, one_row

#: MetidaNCA test sets #7 (linear trapezoidal, dose 100 at t = 2, tau 10) and #6 (lin-up/log-down, dose 120 at
#: t = 0, tau 12): one row per subject and parameter, with the tolerance (relative 5e-7).
METIDA = pd.read_csv(REFERENCE / "nca" / "metidanca_multiple_dose.csv", comment="#")


def _reference(which: int) -> dict[str, list[float]]:
    """The values of one test set, parameter -> subjects 1..10 in order."""
    rows = METIDA[METIDA["set"] == which].sort_values(["PPTESTCD", "Subject"], kind="stable")
    order = list(dict.fromkeys(rows["PPTESTCD"]))
    return {c: rows.loc[rows["PPTESTCD"] == c, "expected"].to_list() for c in order}


REF7 = _reference(7)
REF6 = _reference(6)


@pytest.fixture(scope="module")
def pkdata2() -> pd.DataFrame:
    return pd.read_csv(REFERENCE / "nca" / "metidanca_pkdata2.csv")


def test_reference_file_states_the_settings_and_tolerance_used_here() -> None:
    settings = METIDA.groupby("set")[["auc_method", "dose_time", "dose", "tau"]].agg(set)
    assert one_row(settings, 7).to_list() == [{"linear"}, {2.0}, {100.0}, {10.0}]
    assert one_row(settings, 6).to_list() == [{"lin-up-log-down"}, {0.0}, {120.0}, {12.0}]
    assert set(METIDA["rel_tolerance"]) == {5e-7} and len(METIDA) == 10 * (7 + 3)


def _run(pkdata2: pd.DataFrame, time: float, dose: float, tau: float, method: str) -> pd.DataFrame:
    doses = pd.DataFrame({"Subject": range(1, 11), "time": time, "dose": dose})
    res = nca_multiple_dose(
        pkdata2, doses, subject="Subject", time="Time", conc="Concentration", tau=tau,
        options=NCAOptions(auc_method=method),
    )  # fmt: skip
    return res.to_wide().sort_values("Subject")


def test_steady_state_interval_matches_metidanca_phoenix_linear(pkdata2: pd.DataFrame) -> None:
    assert list(REF7) == ["AILAMZ", "AUCTAU", "CAVG", "CMIN", "CTROUGH", "FLUCP", "SWING"]
    wide = _run(pkdata2, 2.0, 100.0, 10.0, "linear")
    for code, expected in REF7.items():
        np.testing.assert_allclose(wide[code].to_numpy(), expected, rtol=5e-7, err_msg=code)


def test_clearance_volume_aumc_over_tau_match_metidanca_phoenix_log_down(pkdata2: pd.DataFrame) -> None:
    assert list(REF6) == ["AUMCTAU", "CLFTAU", "VZFTAU"]
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
    assert np.isnan(long["PPSTRESN"].loc["AUCTAU"])
    assert long.loc["AUCTAU", "reason"] == "samples do not cover the end of the interval (dose + tau)"
    assert long.loc["CMAX", "PPSTRESN"] == 5.0


def test_dosing_intervals_are_sorted_per_profile_and_vectorised() -> None:
    iv = dosing_intervals([1, 0, 1, 0, 1], [24.0, 0.0, 0.0, 12.0, 12.0], [5, 1, 5, 1, 5], tau_last=12.0)
    assert list(iv.profile) == [0, 0, 1, 1, 1]
    assert list(iv.dose_number) == [1, 2, 1, 2, 3]
    assert list(iv.tau) == [12.0, 12.0, 12.0, 12.0, 12.0]
    assert list(iv.start) == [0.0, 12.0, 0.0, 12.0, 24.0]
