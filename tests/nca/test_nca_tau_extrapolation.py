"""AUCTAU when the dosing interval ends after the last sample: Phoenix's extrapolation with lambda_z.

Reference: MetidaNCA.jl test set #8 (tau = 100 h after a dose at 0 h, samples to 72 h, lin-up/log-down),
whose values MetidaNCA validates against Phoenix WinNonlin; they are in
``src/bioparity/validation/reference/nca/metidanca_tau_extrapolated.csv`` with their provenance.
MetidaNCA checks them to 3 decimals or 6 significant digits; the tolerance here is relative 1e-8 on values
printed with 10 significant digits or more, and 5e-7 on the others.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bioparity.nca import NCAOptions
from bioparity.nca.multiple.intervals import nca_multiple_dose
from tests.conftest import REFERENCE

# MetidaNCA name -> (bioparity code, factor to bioparity's unit)
_CODES = {
    "AUCtau": ("AUCTAU", 1.0),
    "AUMCtau": ("AUMCTAU", 1.0),
    "Ctau": ("CTROUGH", 1.0),
    "Cavg": ("CAVG", 1.0),
    "Ctaumin": ("CMIN", 1.0),
    "Accind": ("AILAMZ", 1.0),
    "Fluc": ("FLUCP", 1.0),
    "Swingtau": ("SWINGTAU", 100.0),  # MetidaNCA: ratio; bioparity and PKNCA: percent
}


@pytest.fixture(scope="module")
def pkdata2() -> pd.DataFrame:
    return pd.read_csv(REFERENCE / "nca" / "metidanca_pkdata2.csv")


@pytest.fixture(scope="module")
def expected() -> pd.DataFrame:
    return pd.read_csv(REFERENCE / "nca" / "metidanca_tau_extrapolated.csv", comment="#")


def _run(pkdata2: pd.DataFrame, extrapolate: bool, method: str = "lin-up-log-down") -> pd.DataFrame:
    doses = pd.DataFrame({"Subject": range(1, 11), "time": 0.0, "dose": 100.0})
    res = nca_multiple_dose(
        pkdata2, doses, subject="Subject", time="Time", conc="Concentration", tau=100.0,
        options=NCAOptions(auc_method=method, auctau_extrapolate=extrapolate),
    )  # fmt: skip
    return res.to_wide().sort_values("Subject").reset_index(drop=True)


def test_extrapolated_interval_matches_metidanca_phoenix(
    pkdata2: pd.DataFrame, expected: pd.DataFrame
) -> None:
    wide = _run(pkdata2, extrapolate=True)
    assert list(wide["Subject"]) == list(expected["Subject"])
    assert wide["tau_extrapolated"].all()
    for name, (code, factor) in _CODES.items():
        exp = expected[name].to_numpy(dtype=float) * factor
        got = wide[code].to_numpy(dtype=float)
        rtol = 1e-8 if name in {"Swingtau", "Accind"} else 5e-7
        np.testing.assert_allclose(got, exp, rtol=rtol, atol=1e-9, err_msg=name)


def test_default_leaves_the_interval_missing_with_a_reason(pkdata2: pd.DataFrame) -> None:
    doses = pd.DataFrame({"Subject": [1], "time": [0.0], "dose": [100.0]})
    res = nca_multiple_dose(pkdata2[pkdata2["Subject"] == 1], doses, subject="Subject", time="Time",
                            conc="Concentration", tau=100.0)  # fmt: skip
    long = res.to_frame().set_index("PPTESTCD")
    assert np.isnan(long["PPSTRESN"].loc["AUCTAU"]) and np.isnan(long["PPSTRESN"].loc["CTROUGH"])
    assert long.loc["AUCTAU", "reason"] == "samples do not cover the end of the interval (dose + tau)"
    assert not res.intervals["tau_extrapolated"].any()


def test_extrapolated_values_say_so_and_name_the_lambda_z_rule(pkdata2: pd.DataFrame) -> None:
    doses = pd.DataFrame({"Subject": [1], "time": [0.0], "dose": [100.0]})
    res = nca_multiple_dose(pkdata2[pkdata2["Subject"] == 1], doses, subject="Subject", time="Time",
                            conc="Concentration", tau=100.0,
                            options=NCAOptions(auctau_extrapolate=True))  # fmt: skip
    long = res.to_frame().set_index("PPTESTCD")
    assert long["reason"].loc["AUCTAU"].startswith("extrapolated to the end of the interval")
    assert long["lambda_z_method"].loc["AUCTAU"].startswith("best fit (PKNCA)")
    assert long.loc["CMAX", "reason"] == ""  # observed values are not extrapolated


def test_extrapolation_needs_lambda_z_and_a_last_sample_above_zero() -> None:
    """Hand-built profiles: no terminal fit (2 points after Tmax) and a BLQ last sample."""
    frame = pd.DataFrame(
        {
            "subject": [1, 1, 1, 1, 2, 2, 2, 2, 2, 2],
            "time": [0, 1, 2, 4, 0, 1, 2, 4, 6, 8],
            "conc": [0, 8, 4, 2, 0, 8, 4, 2, 1, 0],
        }
    )
    doses = pd.DataFrame({"subject": [1, 2], "time": [0.0, 0.0], "dose": [10.0, 10.0]})
    res = nca_multiple_dose(frame, doses, tau=24.0, options=NCAOptions(auctau_extrapolate=True))
    long = res.to_frame()
    auc = long[long["PPTESTCD"] == "AUCTAU"].set_index("subject")
    assert auc["PPSTRESN"].isna().all()
    assert auc.loc[1, "reason"] == "lambda_z not estimated: not extrapolated to the end of the interval"
    assert auc.loc[2, "reason"] == "last sample is 0 (BLQ) before the end of the interval: not extrapolated"


def test_linear_method_extrapolates_with_a_linear_trapezoid() -> None:
    """Exact terminal line C = 16 e^(-ln2 t / 2): C(tau = 10) = 0.5, area 8..10 linear = 2 (1 + 0.5) / 2."""
    t = np.array([0.0, 1.0, 2.0, 4.0, 6.0, 8.0])
    c = np.where(t == 0, 0.0, 16.0 * np.exp(-np.log(2) * t / 2))
    c[1] = 20.0  # Tmax at 1 h, the three later points on the line
    frame = pd.DataFrame({"subject": 1, "time": t, "conc": c})
    doses = pd.DataFrame({"subject": [1], "time": [0.0], "dose": [10.0]})
    opts = NCAOptions(auc_method="linear", auctau_extrapolate=True)
    res = nca_multiple_dose(frame, doses, tau=10.0, options=opts)
    area_obs = float(np.sum(np.diff(t) * (c[1:] + c[:-1]) / 2))
    assert res.value("CTROUGH")[0] == pytest.approx(0.5, rel=1e-12)
    assert res.value("AUCTAU")[0] == pytest.approx(area_obs + 2.0 * (1.0 + 0.5) / 2, rel=1e-12)
