"""Variance components and cut-point statistics against R (values in tests/data/reference/bioassay/).

Reference: R 4.2.2, lme4 1.1-31 ``lmer(REML = TRUE)`` (bobyqa, rhoend 1e-13), nlme 3.1-162
``lme(method = "REML")``, base R ``quantile`` (types 1-9, Hyndman & Fan 1996), ``mad``, ``qt`` with
``ncp``, ``shapiro.test``; produced by ``make_bioassay_reference.R`` in that folder (never run at test
time; versions in versions.txt).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bioparity.bioassay import compute_cut_point
from bioparity.bioassay.stats import mad, normal_quantile_lcl_factor, quantile, shapiro_p
from bioparity.validation.areas.bioassay import reml_components
from tests.conftest import REFERENCE

REF = REFERENCE / "bioassay"
DESIGNS = ("balanced", "unbalanced", "nested", "singular")
REML = pd.read_csv(REF / "reml_reference.csv")
CUTP = pd.read_csv(REF / "cutpoint_reference.csv")


def _design(name: str) -> pd.DataFrame:
    return pd.read_csv(REF / f"designs_{name}.csv", dtype={"signal": float})


def _fits(name: str) -> dict[str, dict[str, float]]:
    # the model matrices and factor codes of the validation pack's REML set (one definition for both)
    return reml_components(REF, name)


@pytest.mark.parametrize("name", DESIGNS)
def test_reml_variance_components_match_lme4_and_nlme(name: str) -> None:
    fits = _fits(name)
    rows = REML.loc[REML["design"] == name]
    assert len(rows) >= 5
    for row in rows.to_dict("records"):
        got = fits[str(row["model"])][str(row["component"])]
        # acceptance: 1e-6 relative to lme4::lmer / nlme::lme (both converge to ~1e-7 of each other)
        assert got == pytest.approx(float(row["value"]), rel=1e-6), (
            row["software"],
            row["model"],
            row["component"],
        )


def test_cut_point_core_uses_the_same_variance_components_as_lme4() -> None:
    d = _design("unbalanced").rename(columns={"signal": "value"})
    res = compute_cut_point(d, transform="log", remove_outliers=False)
    ref = REML.query("design == 'unbalanced' and software == 'lme4' and model == 'run_fixed'")
    assert res.var_donor == pytest.approx(float(ref.loc[ref.component == "donor", "value"].iloc[0]), rel=1e-6)
    assert res.var_residual == pytest.approx(
        float(ref.loc[ref.component == "residual", "value"].iloc[0]), rel=1e-6
    )


def _ref(design: str, statistic: str, p: float | None = None, qtype: int | None = None) -> float:
    rows = CUTP.loc[(CUTP["design"] == design) & (CUTP["statistic"] == statistic)]
    if p is not None:
        rows = rows.loc[np.isclose(rows["p"], p)]
    if qtype is not None:
        rows = rows.loc[rows["qtype"] == qtype]
    assert len(rows) == 1
    return float(rows["value"].iloc[0])


@pytest.mark.parametrize("name", DESIGNS)
def test_quantile_types_mad_and_shapiro_match_r(name: str) -> None:
    y = np.log(_design(name)["signal"].to_numpy(float))
    for p in (0.95, 0.99, 0.999):
        for qtype in range(1, 10):
            assert quantile(y, p, qtype) == pytest.approx(
                _ref(name, "quantile", p, qtype), rel=1e-12, abs=1e-12
            )
    assert mad(y) == pytest.approx(_ref(name, "mad"), rel=1e-12)
    assert shapiro_p(y) == pytest.approx(_ref(name, "shapiro_p"), rel=1e-4)  # scipy and R both use AS R94


# one value per donor and run (the nested design has two plates per run, which the core averages)
@pytest.mark.parametrize("name", ["balanced", "unbalanced", "singular"])
@pytest.mark.parametrize(("tier", "fpr"), [("screening", 0.05), ("confirmatory", 0.01), ("titration", 0.001)])
def test_cut_point_estimates_match_r(name: str, tier: str, fpr: float) -> None:
    d = _design(name).rename(columns={"signal": "value"})
    for qtype in (6, 7):
        res = compute_cut_point(
            d, tier=tier, fpr=fpr, transform="log", remove_outliers=False, quantile_type=qtype
        )
        p = 1.0 - fpr
        assert res.parametric_t == pytest.approx(_ref(name, "parametric", p), rel=1e-12)
        assert res.robust_t == pytest.approx(_ref(name, "robust", p), rel=1e-12)
        assert res.nonparametric_t == pytest.approx(_ref(name, "quantile", p, qtype), rel=1e-12)
        assert res.parametric == pytest.approx(np.exp(_ref(name, "parametric", p)), rel=1e-12)
        assert res.quantile_type == qtype


@pytest.mark.parametrize("n", [5, 10, 20, 50])
@pytest.mark.parametrize("conf", [0.8, 0.9, 0.95])
@pytest.mark.parametrize("p", [0.95, 0.99])
def test_lcl_factor_matches_r_noncentral_t(n: int, conf: float, p: float) -> None:
    expected = _ref(f"lcl_n{n}_conf{conf:g}", "lcl_factor", p)
    assert normal_quantile_lcl_factor(n, p, conf) == pytest.approx(expected, rel=1e-8)


def test_transform_choice_skewness_matches_r_by_hand() -> None:
    """The skewness behind ``transform = auto`` (Devanarayan et al. 2017, AAPS J 19:1487, "Data
    transformation") is the adjusted G1 (Joanes & Gill 1998): in R 4.2.2, base only,
    ``g1 <- sum((x - m)^3) / n / (sum((x - m)^2) / n)^1.5; g1 * sqrt(n (n - 1)) / (n - 2)`` on the signals of
    designs_balanced.csv and on their logs (printed with 15 digits; relative 1e-12)."""
    from bioparity.bioassay.cutpoint import choose_transform

    x = _design("balanced")["signal"].to_numpy(float)
    chosen, raw, logged = choose_transform(x)
    assert raw == pytest.approx(0.959991252378361, rel=1e-12)
    assert logged == pytest.approx(-0.178257165754455, rel=1e-12)
    assert chosen == "log"  # right-skewed, and the log lowers |skewness|
