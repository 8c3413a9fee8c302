"""Time to steady state: monoexponential fit of troughs (PKNCA / Maganti 2008) and from lambda_z.

References (``src/bioparity/validation/reference/nca/``): ``pknca_tss_troughs.csv`` is the data set of
PKNCA's time-to-steady-state tests, ``pknca_tss_expected.csv`` PKNCA's published expected Tss (nlme::gnls
fits, which stop up to 2e-4 relative short of the least-squares optimum, hence that tolerance) and the
same fits by R's stats::nls at tight convergence (tolerance 1e-6 here). The lambda_z rule is checked
against the textbook figures "3.3, 4.3 and 6.6 half-lives to reach 90, 95 and 99% of the plateau"
(Rowland & Tozer, Clinical Pharmacokinetics and Pharmacodynamics, multiple-dose regimens).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bioparity.errors import InputError
from bioparity.nca.multiple.intervals import nca_multiple_dose
from bioparity.nca.multiple.tss import time_to_steady_state, tss_from_lambda_z, tss_monoexponential
from tests.conftest import REFERENCE


@pytest.fixture(scope="module")
def troughs() -> pd.DataFrame:
    return pd.read_csv(REFERENCE / "nca" / "pknca_tss_troughs.csv", comment="#")


@pytest.fixture(scope="module")
def expected() -> pd.DataFrame:
    return pd.read_csv(REFERENCE / "nca" / "pknca_tss_expected.csv", comment="#", dtype={"subject": str})


def _doses(troughs: pd.DataFrame) -> pd.DataFrame:
    subjects = troughs["subject"].unique()
    return pd.DataFrame({"subject": np.repeat(subjects, 15), "time": np.tile(np.arange(15.0), len(subjects)),
                         "dose": 1.0})  # fmt: skip


def test_individual_fits_match_r_nls_and_pknca(troughs: pd.DataFrame, expected: pd.DataFrame) -> None:
    res = time_to_steady_state(troughs, _doses(troughs), groups=["treatment"])
    got = pd.DataFrame({"subject": res.profiles["subject"].astype(str), "tss": res.value("TSSMONO"),
                        "css": res.value("CTRSSMON")}).merge(expected, on="subject")  # fmt: skip
    assert len(got) == 10 and (res.n_troughs == 15).all() and (res.reason == 0).all()
    np.testing.assert_allclose(got["tss"], got["r_nls"], rtol=1e-6)
    np.testing.assert_allclose(got["css"], got["css_r_nls"], rtol=1e-6)
    np.testing.assert_allclose(got["tss"], got["pknca"], rtol=2.5e-4)


def test_pooled_fit_matches_pknca_single(troughs: pd.DataFrame, expected: pd.DataFrame) -> None:
    row = expected.set_index("subject").loc["all"]
    tss, css, reason = tss_monoexponential(troughs["time"].to_numpy()[None], troughs["conc"].to_numpy()[None])
    assert reason[0] == 0
    assert tss[0] == pytest.approx(row["r_nls"], rel=1e-6)
    assert tss[0] == pytest.approx(row["pknca"], rel=1e-6)
    assert css[0] == pytest.approx(row["css_r_nls"], rel=1e-6)


def test_lambda_z_rule_gives_the_textbook_number_of_half_lives() -> None:
    half_life = np.array([2.0, 7.5, 40.0])
    for fraction, n_half_lives in ((0.9, 3.3), (0.95, 4.3), (0.99, 6.6)):
        got = tss_from_lambda_z(np.log(2) / half_life, fraction) / half_life
        np.testing.assert_allclose(got, n_half_lives, atol=0.05)
    assert np.isnan(tss_from_lambda_z([np.nan, 0.0])).all()
    with pytest.raises(InputError, match="between 0 and 1"):
        tss_from_lambda_z([0.1], 1.0)


def test_missing_reasons_and_the_lambda_z_column(troughs: pd.DataFrame) -> None:
    rising = np.arange(6.0)  # a straight line: no plateau within the data
    short = [0, 1, np.nan, np.nan, np.nan, np.nan]  # two troughs only
    tss, _, reason = tss_monoexponential(np.vstack([rising, short]), np.vstack([2.0 * rising, short]))
    assert np.isnan(tss).all() and list(reason) == [2, 1]
    one = troughs[troughs["subject"] == 1]
    doses = _doses(one)
    md = nca_multiple_dose(one, doses, tau=1.0)
    res = time_to_steady_state(one, doses, terminal=md.terminal)
    long = res.to_frame().set_index("PPTESTCD")
    assert (
        np.isnan(long["PPSTRESN"].loc["TSSLAMZ"])
        and long.loc["TSSLAMZ", "reason"] == "lambda_z not estimated"
    )
    assert long["method"].loc["TSSMONO"].startswith("monoexponential least-squares fit of 15 troughs, 90%")
