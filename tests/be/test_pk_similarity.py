"""Parallel-group PK similarity against scipy's two-sample intervals and statsmodels' OLS contrasts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from scipy import stats

from bioparity.be.similarity import pk_similarity
from bioparity.errors import InputError


def three_arms(seed: int = 11) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    arms = np.repeat(["test", "eu-ref", "us-ref"], [40, 38, 41])
    weight = rng.normal(75, 12, arms.size)
    shift = {"test": 0.02, "eu-ref": 0.0, "us-ref": -0.03}
    log_auc = 8.0 + np.array([shift[a] for a in arms]) + 0.01 * (weight - 75) + rng.normal(0, 0.3, arms.size)
    return pd.DataFrame({"arm": arms, "WT": weight, "AUCIFO": np.exp(log_auc)})


@pytest.mark.parametrize("equal_var", [True, False])
def test_two_arms_match_scipy_t_interval(equal_var: bool) -> None:
    d = three_arms()
    d = d[d["arm"] != "us-ref"]
    (res,) = pk_similarity(
        d["AUCIFO"], d["arm"], ["test", "eu-ref"], variance="pooled" if equal_var else "welch"
    )
    a = np.log(d.loc[d["arm"] == "test", "AUCIFO"])
    b = np.log(d.loc[d["arm"] == "eu-ref", "AUCIFO"])
    ci = stats.ttest_ind(a, b, equal_var=equal_var).confidence_interval(confidence_level=0.90)
    assert res.ci_lower == pytest.approx(100 * np.exp(ci.low), rel=1e-12)
    assert res.ci_upper == pytest.approx(100 * np.exp(ci.high), rel=1e-12)
    assert res.gmr == pytest.approx(100 * np.exp(a.mean() - b.mean()), rel=1e-12)
    assert res.variance == ("pooled" if equal_var else "welch")


def test_three_arm_layout_order_and_ancova_match_statsmodels() -> None:
    d = three_arms()
    d["logauc"] = np.log(d["AUCIFO"])
    res = pk_similarity(
        d["AUCIFO"],
        d["arm"],
        ["test", "eu-ref", "us-ref"],
        metric="AUCIFO",
        covariates=d[["WT"]].to_numpy(),
        covariate_names=["WT"],
    )
    assert [(r.test_arm, r.reference_arm) for r in res] == [
        ("test", "eu-ref"),
        ("test", "us-ref"),
        ("eu-ref", "us-ref"),
    ]
    fit = smf.ols("logauc ~ C(arm) - 1 + WT", data=d).fit()
    for r in res:
        contrast = np.zeros(len(fit.params))
        contrast[list(fit.params.index).index(f"C(arm)[{r.test_arm}]")] = 1.0
        contrast[list(fit.params.index).index(f"C(arm)[{r.reference_arm}]")] = -1.0
        tt = fit.t_test(contrast)
        lo, hi = tt.conf_int(alpha=0.10)[0]
        assert r.gmr == pytest.approx(100 * np.exp(float(np.ravel(tt.effect)[0])), rel=1e-10)
        assert r.ci_lower == pytest.approx(100 * np.exp(lo), rel=1e-10)
        assert r.ci_upper == pytest.approx(100 * np.exp(hi), rel=1e-10)
        assert r.df == fit.df_resid
        assert r.covariates == ("WT",)
        assert r.n_test + r.n_reference in (78, 81, 79)


def test_pooled_without_covariates_matches_one_way_anova() -> None:
    d = three_arms()
    d["logauc"] = np.log(d["AUCIFO"])
    res = pk_similarity(d["AUCIFO"], d["arm"], ["test", "eu-ref", "us-ref"])
    fit = smf.ols("logauc ~ C(arm)", data=d).fit()
    assert all(r.df == fit.df_resid for r in res)
    assert res[0].cv_pooled == pytest.approx(100 * np.sqrt(np.expm1(fit.mse_resid)), rel=1e-12)


def test_decision_uses_limits() -> None:
    d = three_arms()
    narrow = pk_similarity(d["AUCIFO"], d["arm"], ["test", "eu-ref"], theta1=0.999, theta2=1.001)
    wide = pk_similarity(d["AUCIFO"], d["arm"], ["test", "eu-ref"], theta1=0.5)
    assert not narrow[0].passed and wide[0].passed and wide[0].upper_limit == 200.0


def test_bad_inputs_are_explained() -> None:
    d = three_arms()
    with pytest.raises(InputError, match="Welch"):
        pk_similarity(d["AUCIFO"], d["arm"], ["test", "eu-ref"], variance="welch", covariates=d[["WT"]])
    with pytest.raises(InputError, match="no AUCIFO values"):
        pk_similarity(d["AUCIFO"], d["arm"], ["test", "cn-ref"], metric="AUCIFO")
    with pytest.raises(InputError, match="positive"):
        pk_similarity(np.r_[-1.0, d["AUCIFO"].to_numpy()[1:]], d["arm"], ["test", "eu-ref"])
