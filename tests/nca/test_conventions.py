"""One test per deliberate difference listed in docs/conventions.md (issue 24).

PKNCA's values come from ``nca/pknca_conventions.csv`` (PKNCA 0.12.0.9000, the R script next to it);
PowerTOST's from R (values and command in the test); the proportion intervals are checked against the
formula / a brute-force inversion written here. Each test pins bioparity's behaviour, asserts what the
reference gives instead, and checks the stated way to get the reference's value where one exists.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, optimize, stats

from bioparity.clinical.proportions import ci_difference
from bioparity.clinical.ratio import ci_ratio
from bioparity.nca import NCAOptions, nca, nca_multiple_dose
from bioparity.power import power_tost
from tests.conftest import REFERENCE

PKNCA = pd.read_csv(REFERENCE / "nca" / "pknca_conventions.csv", comment="#")
DOCS = Path(__file__).resolve().parents[2] / "docs" / "conventions.md"
MULTI_TIME = [0, 1, 2, 4, 8, 12, 13, 14, 16, 20, 24]
MULTI_CONC = [0, 10, 8, 4, 2, 1, 11, 9, 5, 2.5, 1.2]
DOSES = pd.DataFrame({"subject": 1, "time": [0, 12], "dose": [100, 100]})


def pknca(case: str, code: str, start: float = 0.0, end: float = math.inf) -> float:
    rows = PKNCA[(PKNCA["case"] == case) & (PKNCA["PPTESTCD"] == code) & (PKNCA["start"] == start)]
    rows = rows[rows["end"] == end]
    assert len(rows) == 1, (case, code, start, end)
    return float(rows["PPORRES"].iloc[0])


def value(frame: pd.DataFrame, code: str, start: float | None = None, end: float | None = None) -> pd.Series:
    rows = frame[frame["PPTESTCD"] == code]
    if start is not None:
        rows = rows[(rows["start"] == start) & (rows["end"] == end)]
    assert len(rows) == 1, (code, start, end)
    return rows.iloc[0]


def profile(time: Sequence[float], conc: Sequence[float]) -> pd.DataFrame:
    return pd.DataFrame({"subject": 1, "time": time, "conc": conc})


def test_every_difference_on_the_page_has_a_test_here() -> None:
    text = DOCS.read_text(encoding="utf-8")
    named = {name for name in globals() if name.startswith("test_")}
    cited = {part.split("]")[0] for part in text.split("[`")[1:] if part.split("]")[0].startswith("test_")}
    cited = {c.rstrip("`") for c in cited}
    assert len(cited) >= 11
    assert cited <= named, cited - named


def test_all_blq_profile() -> None:
    res = nca(profile([0, 1, 2, 4, 8], [0, 0, 0, 0, 0]), parameters=["CMAX", "AUCLST", "AUCIFO"]).to_frame()
    assert value(res, "AUCLST")["PPSTRESN"] == pknca("all-blq", "auclast") == 0
    aucifo = value(res, "AUCIFO")
    assert math.isnan(aucifo["PPSTRESN"]) and "lambda_z not estimated" in aucifo["reason"]
    assert pknca("all-blq", "aucinf.obs") == 0
    # the recipe on the page: AUCIFO := AUCLST where CMAX is 0 reproduces PKNCA
    wide = res.pivot_table(index="subject", columns="PPTESTCD", values="PPSTRESN", dropna=False)
    recipe = wide["AUCIFO"].where(wide["CMAX"] != 0, wide["AUCLST"])
    assert float(recipe.iloc[0]) == pknca("all-blq", "aucinf.obs")


def test_iv_bolus_without_time_zero() -> None:
    data = profile([0.5, 1, 2, 4, 8], [8, 6, 4, 2, 0.5])
    res = nca(data, options=NCAOptions(route="iv-bolus"), parameters=["C0", "AUCLST", "AUCIFO"]).to_frame()
    c0 = value(res, "C0")["PPSTRESN"]
    assert c0 == pytest.approx(pknca("iv-bolus-no-time0", "c0"), rel=1e-12)
    # integrated from the back-extrapolated C0: trapezoid 0-0.5 (10.667 -> 8, log-down) + the observed part
    observed = nca(profile([0.5, 1, 2, 4, 8], [8, 6, 4, 2, 0.5]), parameters=["AUCLST"], intervals=[(0.5, 8)])
    part = float(observed.to_frame().query("PPTESTCD == 'AUCINT'")["PPSTRESN"].iloc[0])
    first = (c0 - 8) * 0.5 / math.log(c0 / 8)
    assert value(res, "AUCLST")["PPSTRESN"] == pytest.approx(first + part, rel=1e-12)
    assert math.isnan(pknca("iv-bolus-no-time0", "auclast"))
    # to get PKNCA's NA: analyse as extravascular
    ev = nca(data, parameters=["AUCLST"]).to_frame()
    assert math.isnan(value(ev, "AUCLST")["PPSTRESN"])
    assert "no sample at or before time 0" in value(ev, "AUCLST")["reason"]


def test_partial_auc_blq_after_tlast() -> None:
    data = profile([0, 1, 2, 4, 6, 8], [0, 10, 8, 4, 0, 0])
    res = nca(data, parameters=["AUCLST"], intervals=[(0, 7), (1, 5), (2, 7)]).to_frame()
    auclast = value(res, "AUCLST")["PPSTRESN"]
    assert value(res, "AUCINT", 0, 7)["PPSTRESN"] == pytest.approx(auclast, rel=1e-12)
    assert math.isnan(pknca("partial-blq-after-tlast", "aucint.last", 0, 7))
    assert math.isnan(pknca("partial-blq-after-tlast", "aucint.last", 2, 7))
    assert value(res, "AUCINT", 2, 7)["PPSTRESN"] > 0
    # where PKNCA defines it (interval ending before the BLQ samples) the values agree
    assert value(res, "AUCINT", 1, 5)["PPSTRESN"] == pytest.approx(
        pknca("partial-blq-after-tlast", "aucint.last", 1, 5), rel=1e-10
    )


def test_partial_auc_bounds_after_tlast() -> None:
    data = profile([0, 1, 2, 4, 8], [0, 10, 8, 4, 1])
    spans = [(0.0, 10.0), (1.0, 3.0), (5.0, 10.0)]
    res = nca(data, parameters=["AUCLST"], intervals=spans).to_frame()
    for start, end in spans:
        ours = value(res, "AUCINT", start, end)["PPSTRESN"]
        assert ours == pytest.approx(
            pknca("partial-bounds-after-tlast", "aucint.last", start, end), rel=1e-10
        )
    assert math.isnan(
        pknca("partial-bounds-after-tlast", "aucint.inf.obs", 5, 10)
    )  # lambda_z refitted inside


def test_interval_before_first_sample() -> None:
    data = profile([1, 2, 4, 8], [10, 8, 4, 1])
    res = nca(data, parameters=["AUCLST"], intervals=[(0, 4)]).to_frame()
    row = value(res, "AUCINT", 0, 4)
    assert math.isnan(row["PPSTRESN"]) and "starts before the first sample" in row["reason"]
    # the recipe: add the pre-dose sample; then bioparity gives PKNCA's value
    with_predose = nca(profile([0, 1, 2, 4, 8], [0, 10, 8, 4, 1]), parameters=["AUCLST"], intervals=[(0, 4)])
    got = value(with_predose.to_frame(), "AUCINT", 0, 4)["PPSTRESN"]
    assert got == pytest.approx(pknca("partial-start-before-first-sample", "aucint.last", 0, 4), rel=1e-10)


def test_ctrough_of_later_interval() -> None:
    res = nca_multiple_dose(profile(MULTI_TIME, MULTI_CONC), DOSES, tau=12).to_frame()
    assert value(res, "CTROUGH", 12, 24)["PPSTRESN"] == 1.2  # the sample at the end of the interval
    assert math.isnan(pknca("ctrough-second-interval", "ctrough", 12, 24))
    assert value(res, "CTROUGH", 0, 12)["PPSTRESN"] == pknca("ctrough-second-interval", "ctrough", 0, 12) == 1
    for start in (0, 12):  # the rest of the interval agrees
        assert value(res, "AUCTAU", start, start + 12)["PPSTRESN"] == pytest.approx(
            pknca("ctrough-second-interval", "auclast", start, start + 12), rel=1e-10
        )


def test_swing_with_cmin_zero() -> None:
    res = nca_multiple_dose(profile(MULTI_TIME, MULTI_CONC), DOSES, tau=12).to_frame()
    row = value(res, "SWING", 0, 12)
    assert value(res, "CMIN", 0, 12)["PPSTRESN"] == pknca("swing-cmin-0", "cmin", 0, 12) == 0
    assert math.isnan(row["PPSTRESN"]) and row["reason"] == "Cmin is 0"
    assert pknca("swing-cmin-0", "swing", 0, 12) == math.inf
    recipe = np.where(res["reason"] == "Cmin is 0", np.inf, res["PPSTRESN"])[res.index.get_loc(row.name)]
    assert recipe == pknca("swing-cmin-0", "swing", 0, 12)
    assert value(res, "SWING", 12, 24)["PPSTRESN"] == pytest.approx(
        pknca("ctrough-second-interval", "swing", 12, 24)
    )


def test_missing_sample_at_dose_time() -> None:
    time = [t for t in MULTI_TIME if t != 12]
    conc = [c for t, c in zip(MULTI_TIME, MULTI_CONC, strict=True) if t != 12]
    res = nca_multiple_dose(profile(time, conc), DOSES, tau=12).to_frame()
    # interpolated at 12 between (8, 2) and (13, 11), rising: linear, 2 + 9 * 4/5 = 9.2
    c12 = 2 + 9 * 4 / 5
    first = float(nca(profile([0, 1, 2, 4, 8], [0, 10, 8, 4, 2]), parameters=["AUCLST"]).value("AUCLST")[0])
    assert first == pytest.approx(pknca("missing-sample-at-dose", "auclast", 0, 12), rel=1e-10)
    assert value(res, "AUCTAU", 0, 12)["PPSTRESN"] == pytest.approx(first + (2 + c12) / 2 * 4, rel=1e-10)
    assert math.isnan(value(res, "CTROUGH", 0, 12)["PPSTRESN"])
    assert math.isnan(pknca("missing-sample-at-dose", "auclast", 12, 24))
    assert value(res, "AUCTAU", 12, 24)["PPSTRESN"] > 0


def _tost_power_by_integration(cv: float, theta0: float, n: int) -> float:
    """Exact 2x2 TOST power by direct integration over the SD's distribution (independent of Owen's Q)."""
    df = n - 2
    sigma = math.sqrt(math.log1p(cv * cv))
    se = sigma * math.sqrt(2 / n)  # 2x2 balanced: sqrt(sigma^2 (1/n1 + 1/n2) / 2)
    t = stats.t.ppf(0.95, df)
    d1, d2 = (math.log(theta0) - math.log(0.8)) / se, (math.log(1.25) - math.log(theta0)) / se

    def integrand(u: float) -> float:  # u = s / sigma, density of sqrt(chi2_df / df)
        dens = math.exp(stats.chi2.logpdf(df * u * u, df)) * 2 * df * u
        return max(stats.norm.cdf(d2 - t * u) - stats.norm.cdf(-d1 + t * u), 0.0) * dens

    width = 12 / math.sqrt(2 * df)
    return float(integrate.quad(integrand, 1 - width, 1 + width, epsabs=1e-14, epsrel=1e-13, limit=400)[0])


def test_exact_power_at_large_df() -> None:
    # R: power.TOST(CV = 1.5, theta0 = 1.2, n = 12000, design = "2x2") = 0.897550519077745 (shifted normal,
    # df > 10000) and method = "nct" 0.897521186094351; at n = 6000 "exact" = "nct" = 0.660714053668078
    exact = float(power_tost(cv=1.5, theta0=1.2, n=12000, design="2x2", method="exact").power)
    assert exact == pytest.approx(_tost_power_by_integration(1.5, 1.2, 12000), abs=1e-9)
    assert abs(exact - 0.897550519077745) > 1e-5  # PowerTOST's switch to the normal approximation
    assert exact == pytest.approx(0.897521186094351, abs=1e-9)  # the nct value is close to exact here
    nct = float(power_tost(cv=1.5, theta0=1.2, n=6000, design="2x2", method="nct").power)
    assert nct == pytest.approx(0.660714053668078, abs=1e-9)


def test_wald_difference_is_clipped() -> None:
    res = ci_difference(9, 10, 0, 3, method="wald")
    p1, p2 = 0.9, 0.0
    unclipped = p1 - p2 + stats.norm.ppf(0.975) * math.sqrt(p1 * (1 - p1) / 10 + p2 * (1 - p2) / 3)
    assert unclipped > 1  # what PropCIs' wald2ci reports
    assert float(res.ci_upper) == 1.0
    assert float(res.ci_lower) == pytest.approx(p1 - p2 - (unclipped - (p1 - p2)), rel=1e-12)


def _koopman_stat(theta: float, x1: int, n1: int, x2: int, n2: int) -> float:
    """Pearson chi-square at the restricted MLE under p1 = theta p2 (Koopman 1984)."""
    a = theta * (n1 + n2)
    b = -(theta * (n1 + x2) + x1 + n2)
    c = x1 + x2
    p2 = (-b - math.sqrt(b * b - 4 * a * c)) / (2 * a)
    p1 = theta * p2
    return (x1 - n1 * p1) ** 2 / (n1 * p1 * (1 - p1)) + (x2 - n2 * p2) ** 2 / (n2 * p2 * (1 - p2))


def test_koopman_ratio_at_zero_count() -> None:
    z2 = stats.norm.ppf(0.975) ** 2
    res = ci_ratio(0, 20, 5, 20, method="koopman")
    assert float(res.ci_lower) == 0.0
    upper = optimize.brentq(lambda t: _koopman_stat(t, 0, 20, 5, 20) - z2, 1e-6, 0.999 * 20 / 5)
    assert float(res.ci_upper) == pytest.approx(upper, rel=1e-6)
    res = ci_ratio(20, 20, 5, 20, method="koopman")  # x1 = n1
    lower = optimize.brentq(lambda t: _koopman_stat(t, 20, 20, 5, 20) - z2, 1.0001, 4.0 - 1e-9)
    assert float(res.ci_lower) == pytest.approx(lower, rel=1e-6)
