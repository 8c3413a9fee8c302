"""NCA against results computed by someone else: PKNCA 0.12.1 on Theoph, and hand calculations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bioparity.nca import NCAOptions, nca
from tests.conftest import REFERENCE, one_row

REL_TOL = 1e-6  # the acceptance tolerance (relative, every parameter)


def test_theoph_matches_pknca_for_every_parameter(
    theoph: pd.DataFrame, theoph_expected: pd.DataFrame
) -> None:
    res = nca(theoph, subject="Subject", time="Time", conc="conc", dose="dose_mg")
    got = res.to_frame()
    got["pknca"] = np.tile(np.asarray(res.pknca_names, dtype=object), res.n_profiles)
    got["Subject"] = got["Subject"].astype(int)
    merged = theoph_expected.merge(
        got, left_on=["Subject", "PPTESTCD"], right_on=["Subject", "pknca"], how="left"
    )
    assert len(merged) == len(theoph_expected) == 12 * 23
    assert not merged["PPSTRESN"].isna().any(), "a PKNCA parameter has no counterpart"
    expected = merged["PPORRES"].to_numpy(dtype=float)
    actual = merged["PPSTRESN"].to_numpy(dtype=float)
    np.testing.assert_allclose(actual, expected, rtol=REL_TOL, atol=0)


def test_theoph_lambda_z_point_choice_matches_pknca(
    theoph: pd.DataFrame, theoph_expected: pd.DataFrame
) -> None:
    """The number of points chosen by the best-fit rule is exact, not just close."""
    res = nca(theoph, subject="Subject", time="Time", conc="conc", parameters=["LAMZNPT", "LAMZLL"])
    exp = theoph_expected.set_index(["PPTESTCD", "Subject"])["PPORRES"]
    subjects = res.profiles["Subject"].astype(int).to_numpy()
    assert list(res.value("LAMZNPT")) == list(exp.loc["lambda.z.n.points"].loc[subjects])
    assert list(res.value("LAMZLL")) == list(exp.loc["lambda.z.time.first"].loc[subjects])


def test_indometh_iv_bolus_c0_by_log_slope(indometh: pd.DataFrame) -> None:
    """Indometh has no time-0 sample: C0 = C1^2/C2 from the first two samples (PKNCA logslope)."""
    res = nca(
        indometh, subject="Subject", time="time", conc="conc", dose=None, options=NCAOptions(route="iv-bolus")
    )
    s1 = indometh[indometh["Subject"] == 1].sort_values("time")
    c1, c2 = s1["conc"].iloc[0], s1["conc"].iloc[1]
    t1 = s1["time"].iloc[0]
    c0 = c1 * c1 / c2  # equally spaced first samples (0.25, 0.5): the line back to 0 squares the ratio
    assert res.value("C0")[0] == pytest.approx(c0, rel=1e-12)
    # AUClast = log trapezoid from (0, C0) to (t1, C1) + the observed samples' AUC (independent sum)
    t = np.concatenate(([0.0], s1["time"].to_numpy()))
    c = np.concatenate(([c0], s1["conc"].to_numpy()))
    area = 0.0
    for i in range(len(t) - 1):
        dt = t[i + 1] - t[i]
        if 0 < c[i + 1] < c[i]:
            area += dt * (c[i] - c[i + 1]) / np.log(c[i] / c[i + 1])
        else:
            area += dt * (c[i] + c[i + 1]) / 2
    assert res.value("AUCLST")[0] == pytest.approx(area, rel=1e-12)
    assert t1 == 0.25
    assert not res.flags["no_time0"].any()
    assert "MRTIVIFO" in res.codes and "MRTEVIFO" not in res.codes


def test_lin_up_log_down_test_vector_t20() -> None:
    """T20 (log trapezoid, Purves 1992): C 10 -> 5 over 2 h gives 2*5/ln 2 = 14.4270 (linear: 15)."""
    t20 = pd.read_csv(REFERENCE / "nca" / "regulatory_t20.csv", comment="#").set_index("auc_method")
    limits = t20[["expected", "tolerance"]]
    assert one_row(limits, "lin-up-log-down").to_list() == [14.4270, 5e-5]
    assert one_row(limits, "linear").to_list() == [15.0, 1e-12]
    assert (
        set(t20["time"]) == {"0|1|3"}
        and set(t20["conc"]) == {"0|10|5"}
        and set(t20["first_segment"]) == {5.0}
    )
    frame = pd.DataFrame({"subject": [1, 1, 1], "time": [0.0, 1.0, 3.0], "conc": [0.0, 10.0, 5.0]})
    loglin = nca(frame, parameters=["AUCLST"]).value("AUCLST")[0]
    linear = nca(frame, parameters=["AUCLST"], options=NCAOptions(auc_method="linear")).value("AUCLST")[0]
    assert loglin - 5.0 == pytest.approx(t20.loc["lin-up-log-down", "expected"], abs=5e-5)
    assert linear - 5.0 == pytest.approx(t20.loc["linear", "expected"], abs=1e-12)
