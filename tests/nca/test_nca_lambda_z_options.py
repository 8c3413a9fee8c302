"""Phoenix-style lambda_z options: maximum points, start time, points excluded or included by hand.

The best-fit rule itself is checked against PKNCA 0.12.1 in test_nca_reference.py; here each option is
checked against an ordinary least-squares fit (numpy.polyfit) of exactly the points the option allows,
and the choice must be stated in the output.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bioparity.errors import DataFileError, InputError
from bioparity.nca import NCAOptions, nca

LZ = ["LAMZ", "LAMZNPT", "LAMZLL", "LAMZUL", "R2"]


def _ols_lambda_z(frame: pd.DataFrame, times: list[float]) -> float:
    sel = frame[frame["Time"].isin(times)]
    slope = np.polyfit(sel["Time"], np.log(sel["conc"]), 1)[0]
    return float(-slope)


def _subject(theoph: pd.DataFrame, s: int) -> pd.DataFrame:
    return theoph[theoph["Subject"] == s]


def test_max_points_caps_the_best_fit(theoph: pd.DataFrame) -> None:
    """Subject 2 takes 4 points by default (PKNCA); capped at 3 it must be the last 3."""
    default = nca(theoph, subject="Subject", time="Time", conc="conc", parameters=LZ)
    capped = nca(
        theoph, subject="Subject", time="Time", conc="conc", parameters=LZ,
        options=NCAOptions(lambda_z_max_points=3),
    )  # fmt: skip
    assert default.value("LAMZNPT")[1] == 4
    assert np.all(capped.value("LAMZNPT") <= 3)
    s2 = _subject(theoph, 2)
    last3 = s2["Time"].to_list()[-3:]
    assert capped.value("LAMZ")[1] == pytest.approx(_ols_lambda_z(s2, last3), rel=1e-10)
    assert "at most 3 points" in capped.to_frame()["lambda_z_method"].iloc[0]


def test_start_after_keeps_early_points_out(theoph: pd.DataFrame) -> None:
    res = nca(
        theoph, subject="Subject", time="Time", conc="conc", parameters=LZ,
        options=NCAOptions(lambda_z_start_after=9.0),
    )  # fmt: skip
    first = res.value("LAMZLL")
    assert np.all(first[np.isfinite(first)] >= 9.0)
    s1 = _subject(theoph, 1)
    used = s1.loc[s1["Time"] >= res.value("LAMZLL")[0], "Time"].to_list()
    assert res.value("LAMZ")[0] == pytest.approx(_ols_lambda_z(s1, used), rel=1e-10)


def test_excluded_point_is_left_out_and_the_reason_reported(theoph: pd.DataFrame) -> None:
    excl = pd.DataFrame({"Subject": [1], "lambda_z_time": [9.05], "lambda_z_reason": ["haemolysed sample"]})
    res = nca(theoph, subject="Subject", time="Time", conc="conc", parameters=LZ, lambda_z_exclude=excl)
    s1 = _subject(theoph, 1)
    # the default fit of subject 1 uses 9.05, 12.12, 24.37; without 9.05 the best fit reaches back further
    start = res.value("LAMZLL")[0]
    used = [t for t in s1["Time"] if t >= start and t != 9.05]
    assert start < 9.05 and res.value("LAMZNPT")[0] == len(used)
    assert res.value("LAMZ")[0] == pytest.approx(_ols_lambda_z(s1, used), rel=1e-10)
    long = res.to_frame()
    row = long[(long["Subject"] == 1) & (long["PPTESTCD"] == "LAMZ")].iloc[0]
    assert row["flag_lambda_z_points_excluded"]
    assert "excluded by user: t=9.05: haemolysed sample" in row["lambda_z_method"]
    other = long[(long["Subject"] == 2) & (long["PPTESTCD"] == "LAMZ")].iloc[0]
    assert not other["flag_lambda_z_points_excluded"] and "excluded" not in other["lambda_z_method"]


def test_included_points_are_the_only_points(theoph: pd.DataFrame) -> None:
    inc = pd.DataFrame(
        {
            "Subject": [3, 3, 3, 3],
            "lambda_z_time": [3.62, 5.08, 7.07, 24.17],
            "lambda_z_reason": ["SAP 7.2"] * 4,
        }
    )
    res = nca(theoph, subject="Subject", time="Time", conc="conc", parameters=LZ, lambda_z_include=inc)
    s3 = _subject(theoph, 3)
    assert res.value("LAMZNPT")[2] == 4
    assert res.value("LAMZ")[2] == pytest.approx(_ols_lambda_z(s3, [3.62, 5.08, 7.07, 24.17]), rel=1e-10)
    long = res.to_frame()
    row = long[(long["Subject"] == 3) & (long["PPTESTCD"] == "LAMZ")].iloc[0]
    assert row["flag_lambda_z_manual"] and "SAP 7.2" in row["reason"]
    assert row["lambda_z_method"] == "points selected by user"


def test_point_tables_are_checked(theoph: pd.DataFrame) -> None:
    bad_time = pd.DataFrame({"Subject": [1], "lambda_z_time": [12.0], "lambda_z_reason": ["x"]})
    with pytest.raises(DataFileError, match="no sample at this time"):
        nca(theoph, subject="Subject", time="Time", conc="conc", lambda_z_exclude=bad_time)
    no_reason = pd.DataFrame({"Subject": [1], "lambda_z_time": [9.05], "lambda_z_reason": [""]})
    with pytest.raises(DataFileError, match="empty reason"):
        nca(theoph, subject="Subject", time="Time", conc="conc", lambda_z_exclude=no_reason)
    with pytest.raises(InputError, match="lambda_z_max_points"):
        NCAOptions(lambda_z_max_points=2)
