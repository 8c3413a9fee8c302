"""Parallel-group PK similarity against scipy's two-sample intervals and statsmodels' OLS contrasts."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from scipy import optimize, stats

from bioparity.be.similarity import pk_similarity, pk_similarity_table
from bioparity.errors import DataFileError, InputError

DATA = Path(__file__).parents[1] / "data" / "pk_similarity"


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
    assert res.ci_lower == pytest.approx(np.exp(ci.low), rel=1e-12)
    assert res.ci_upper == pytest.approx(np.exp(ci.high), rel=1e-12)
    assert res.gmr == pytest.approx(np.exp(a.mean() - b.mean()), rel=1e-12)
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
        variance="pooled",
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
        assert r.gmr == pytest.approx(np.exp(float(np.ravel(tt.effect)[0])), rel=1e-10)
        assert r.ci_lower == pytest.approx(np.exp(lo), rel=1e-10)
        assert r.ci_upper == pytest.approx(np.exp(hi), rel=1e-10)
        assert r.df == fit.df_resid
        assert r.covariates == ("WT",)
        assert r.n_test + r.n_reference in (78, 81, 79)


def test_pooled_without_covariates_matches_one_way_anova() -> None:
    d = three_arms()
    d["logauc"] = np.log(d["AUCIFO"])
    res = pk_similarity(d["AUCIFO"], d["arm"], ["test", "eu-ref", "us-ref"], variance="pooled")
    fit = smf.ols("logauc ~ C(arm)", data=d).fit()
    assert all(r.df == fit.df_resid for r in res)
    assert res[0].cv_pooled == pytest.approx(np.sqrt(np.expm1(fit.mse_resid)), rel=1e-12)


def test_decision_uses_limits() -> None:
    d = three_arms()
    narrow = pk_similarity(d["AUCIFO"], d["arm"], ["test", "eu-ref"], theta1=0.999, theta2=1.001)
    wide = pk_similarity(d["AUCIFO"], d["arm"], ["test", "eu-ref"], theta1=0.5)
    assert not narrow[0].passed and wide[0].passed and wide[0].upper_limit == 2.0
    assert wide[0].to_record()["ci_level"] == wide[0].conf_level == 0.90


def test_bad_inputs_are_explained() -> None:
    d = three_arms()
    with pytest.raises(InputError, match="unknown variance model"):
        pk_similarity(d["AUCIFO"], d["arm"], ["test", "eu-ref"], variance="satterthwaite")
    with pytest.raises(InputError, match="collinear"):
        pk_similarity(d["AUCIFO"], d["arm"], ["test", "eu-ref"], covariates=np.ones(len(d)))
    with pytest.raises(InputError, match="no AUCIFO values"):
        pk_similarity(d["AUCIFO"], d["arm"], ["test", "cn-ref"], metric="AUCIFO")
    with pytest.raises(InputError, match="positive"):
        pk_similarity(np.r_[-1.0, d["AUCIFO"].to_numpy()[1:]], d["arm"], ["test", "eu-ref"])


def test_default_is_welch_per_comparison_fda_2001() -> None:
    """FDA Guidance "Statistical Approaches to Establishing Bioequivalence" (2001) VI.C: equal variances
    should not be assumed in parallel designs, so each pair gets Welch's interval (issue 27)."""
    d = three_arms()
    res = pk_similarity(d["AUCIFO"], d["arm"], ["test", "eu-ref", "us-ref"])
    for r in res:
        a = np.log(d.loc[d["arm"] == r.test_arm, "AUCIFO"])
        b = np.log(d.loc[d["arm"] == r.reference_arm, "AUCIFO"])
        ci = stats.ttest_ind(a, b, equal_var=False).confidence_interval(confidence_level=0.90)
        assert r.variance == "welch" and r.cv_pooled is None
        assert r.ci_lower == pytest.approx(np.exp(ci.low), rel=1e-12)
        assert r.ci_upper == pytest.approx(np.exp(ci.high), rel=1e-12)


def test_unequal_variance_ancova_matches_nlme_gls_varident_and_emmeans() -> None:
    """ANCOVA (body weight) with one variance per arm, REML: R nlme gls(varIdent) + emmeans Satterthwaite.

    Estimates and SE to 1e-6 (nlme's optimiser tolerance); df within 5 % (emmeans differentiates nlme's
    finite-difference apVar; see tests/data/pk_similarity/README.md)."""
    d = pd.read_csv(DATA / "unequal_variances.csv")
    ref = pd.read_csv(DATA / "gls_varident_emmeans.csv")
    res = pk_similarity(
        d["AUCIFO"], d["arm"], ["test", "eu-ref", "us-ref"], covariates=d[["WT"]], covariate_names=["WT"]
    )
    for r in res:
        names = {f"{r.test_arm} - {r.reference_arm}", f"({r.test_arm}) - ({r.reference_arm})"}
        names |= {f"({r.test_arm}) - {r.reference_arm}", f"{r.test_arm} - ({r.reference_arm})"}
        flipped = {f"{n.split(' - ')[1]} - {n.split(' - ')[0]}" for n in names}
        row = ref[ref["contrast"].isin(names | flipped)].iloc[0]
        sign = 1.0 if row["contrast"] in names else -1.0
        est = np.log(r.gmr)
        se = np.log(r.ci_upper / r.ci_lower) / 2 / stats.t.ppf(0.95, r.df)
        assert est == pytest.approx(sign * row["estimate"], rel=1e-6)
        assert se == pytest.approx(row["se"], rel=1e-6)
        assert r.df == pytest.approx(row["df"], rel=0.05)
        assert r.variance == "welch" and r.covariates == ("WT",)


def test_unequal_variance_ancova_df_equal_finite_difference_reml_hessian() -> None:
    """Satterthwaite df from the REML likelihood maximised numerically and differentiated by finite
    differences (Giesbrecht & Burns 1985), independent of the analytic fixed point and information."""
    d = pd.read_csv(DATA / "unequal_variances.csv")
    arms = ["test", "eu-ref", "us-ref"]
    y = np.log(d["AUCIFO"].to_numpy())
    g = np.array([arms.index(a) for a in d["arm"]])
    x = np.column_stack([(g[:, None] == np.arange(3)).astype(float), d["WT"] - d["WT"].mean()])

    def reml(theta: np.ndarray) -> tuple[float, np.ndarray]:
        w = np.exp(-theta)[g]
        a = x.T @ (w[:, None] * x)
        ai = np.linalg.inv(a)
        r = y - x @ (ai @ x.T @ (w * y))
        return -0.5 * (np.sum(-np.log(w)) + np.linalg.slogdet(a)[1] + np.sum(w * r * r)), ai

    def neg(t: np.ndarray) -> float:
        return -reml(t)[0]

    fit = optimize.minimize(neg, np.full(3, -2.0), method="BFGS", options={"gtol": 1e-10})
    th, h, e = fit.x, 1e-4, np.eye(3)
    hess = np.array(
        [
            [
                (reml(th + h * e[i] + h * e[j])[0] - reml(th + h * e[i] - h * e[j])[0]
                 - reml(th - h * e[i] + h * e[j])[0] + reml(th - h * e[i] - h * e[j])[0]) / (4 * h * h)
                for j in range(3)
            ]
            for i in range(3)
        ]
    )  # fmt: skip
    cov = np.linalg.inv(-hess)
    res = pk_similarity(d["AUCIFO"], d["arm"], arms, covariates=d[["WT"]], covariate_names=["WT"])
    for r, (i, j) in zip(res, [(0, 1), (0, 2), (1, 2)], strict=True):
        c = np.zeros(4)
        c[i], c[j] = 1.0, -1.0

        def var(t: np.ndarray, c: np.ndarray = c) -> float:
            return float(c @ reml(t)[1] @ c)

        grad = np.array([(var(th + h * e[k]) - var(th - h * e[k])) / (2 * h) for k in range(3)])
        assert r.df == pytest.approx(2 * var(th) ** 2 / (grad @ cov @ grad), rel=1e-4)


def _table_frame() -> pd.DataFrame:
    d = three_arms()
    d["CMAX"] = d["AUCIFO"] / 50
    d["AUCPEO"] = 5.0
    d.loc[[0, 1, 45], "AUCPEO"] = [25.0, 31.0, 22.0]  # two test subjects, one eu-ref subject
    d["ADA"] = (np.arange(len(d)) % 3 == 0).astype(int)
    return d


def test_aucpext_over_20_kept_and_counted_by_default_ema() -> None:
    """EMA BE guideline (CPMP/EWP/QWP/1401/98 Rev. 1) 4.1.8: subjects with %AUCext > 20% are kept, counted
    and discussed when more than 20% of observations are affected; exclusion is an explicit option."""
    d = _table_frame()
    arms = ["test", "eu-ref", "us-ref"]
    kept, notes = pk_similarity_table(d, "arm", arms, ["AUCIFO", "CMAX"])
    row = kept[
        (kept["metric"] == "AUCIFO") & (kept["test_arm"] == "test") & (kept["reference_arm"] == "eu-ref")
    ]
    assert row["n_test"].item() == 40 and row["n_aucpext_over_test"].item() == 2
    assert row["n_aucpext_over_reference"].item() == 1 and row["aucpext_rule"].item() == "keep >20%"
    assert any("3 of 119 subjects (3%) have %AUCext > 20% (kept and counted)" in n for n in notes)
    dropped, notes = pk_similarity_table(d, "arm", arms, ["AUCIFO", "CMAX"], aucpext_rule="exclude")
    first = dropped[(dropped["metric"] == "AUCIFO") & (dropped["test_arm"] == "test")].iloc[0]
    assert first["n_test"] == 38 and first["n_reference"] == 37
    assert first["n_aucpext_over_test"] == 2 and first["n_aucpext_over_reference"] == 1  # left out, counted
    many = d.assign(AUCPEO=np.where(np.arange(len(d)) % 4 == 0, 30.0, 5.0))
    _, notes = pk_similarity_table(many, "arm", arms, ["AUCIFO"])
    assert any("more than 20% of observations affected: discuss" in n for n in notes)


def test_aucpext_over_20_kept_names_the_subjects() -> None:
    """``keep`` counted the subjects with %AUCext > 20% ("3 of 119 subjects") without saying who: the
    reviewer of the AUC0-inf comparisons needs them by name, as ``exclude`` names them (EMA
    CPMP/EWP/QWP/1401/98 Rev. 1, 4.1.8: the subjects behind each analysis are accounted for). The three set
    above 20% in ``_table_frame`` (rows 0, 1 and 45), in the order of the data; over 20 named, the rest
    counted."""
    d = _table_frame().assign(SUBJ=lambda f: [f"S{i + 1:03d}" for i in range(len(f))])
    arms = ["test", "eu-ref", "us-ref"]
    _, notes = pk_similarity_table(d, "arm", arms, ["AUCIFO", "CMAX"], subject_column="SUBJ")
    assert "AUCIFO: %AUCext > 20%, kept in AUCIFO: test S001, test S002, eu-ref S046" in notes
    many = d.assign(AUCPEO=np.where(np.arange(len(d)) < 25, 30.0, 5.0))  # 25 subjects, all of them test
    _, notes = pk_similarity_table(many, "arm", arms, ["AUCIFO"], subject_column="SUBJ")
    named = ", ".join(f"test S{i:03d}" for i in range(1, 21))
    assert f"AUCIFO: %AUCext > 20%, kept in AUCIFO: {named} and 5 more" in notes
    _, notes = pk_similarity_table(d, "arm", arms, ["AUCIFO"], subject_column="SUBJ", aucpext_rule="exclude")
    assert not any("kept in AUCIFO" in n for n in notes)


def test_an_arm_left_without_subjects_says_why_and_where() -> None:
    """An arm whose subjects all had CMAX 0 was refused as "arm(s) us-ref have no AUCIFO values" (they had
    AUCIFO values: CMAX made them non-completers), an arm of one subject as "Welch's interval needs at least
    2 subjects per arm", without the metric or the file; and the notes naming the subjects were lost with the
    error. Now the file, the arm column, the counts analysed and the reasons: how many lack each metric."""
    d = _table_frame()
    arms = ["test", "eu-ref", "us-ref"]
    n_us = int((d["arm"] == "us-ref").sum())
    zero = d.assign(CMAX=np.where(d["arm"] == "us-ref", 0.0, d["CMAX"]))
    with pytest.raises(DataFileError) as info:
        pk_similarity_table(zero, "arm", arms, ["AUCIFO", "CMAX"], file="pp.csv")
    text = str(info.value)
    assert info.value.file == "pp.csv" and info.value.column == "arm"
    assert (
        "AUCIFO: fewer than 2 subjects analysed in arm(s) us-ref (completers population; analysed: "
        f"test 40, eu-ref 38, us-ref 0); subjects left out: CMAX {n_us}" in text
    )
    one = d[(d["arm"] != "us-ref") | (np.arange(len(d)) == int(np.flatnonzero(d["arm"] == "us-ref")[0]))]
    with pytest.raises(DataFileError, match=r"us-ref 1\); subjects left out: 0; expected at least 2 subject"):
        pk_similarity_table(one, "arm", arms, ["CMAX"], file="pp.csv")
    pooled, _ = pk_similarity_table(
        one, "arm", arms, ["CMAX"], variance="pooled"
    )  # one subject: pooled works
    assert len(pooled) == 3
    excluded = d.assign(AUCPEO=np.where(d["arm"] == "us-ref", 30.0, 5.0))
    with pytest.raises(DataFileError, match=r"subjects left out: %AUCext > 20% " + str(n_us)):
        pk_similarity_table(excluded, "arm", arms, ["AUCIFO", "CMAX"], aucpext_rule="exclude")


def test_aucpext_exclusion_leaves_auc0t_and_cmax_of_completers_analysed() -> None:
    """``exclude`` with completers: AUCIFO of a subject with %AUCext > 20% is unreliable, its AUC0-t and Cmax
    are not (EMA CPMP/EWP/QWP/1401/98 Rev. 1, 4.1.8; PKNCA's exclude_nca_max.aucinf.pext excludes only the
    AUCinf parameters): CMAX keeps all 40/38 subjects (was 38/37: dropped from every metric), the note
    names the subjects left out of AUCIFO and why, and the CMAX interval is Welch's of every subject."""
    d = _table_frame().assign(SUBJ=lambda f: [f"S{i + 1:03d}" for i in range(len(f))])
    arms = ["test", "eu-ref", "us-ref"]
    table, notes = pk_similarity_table(
        d, "arm", arms, ["AUCIFO", "CMAX"], aucpext_rule="exclude", subject_column="SUBJ"
    )
    cmax = table[(table["metric"] == "CMAX") & (table["test_arm"] == "test")].iloc[0]
    assert (cmax["n_test"], cmax["n_reference"], cmax["n_missing_test"]) == (40, 38, 0)
    a = np.log(d.loc[d["arm"] == "test", "CMAX"])
    b = np.log(d.loc[d["arm"] == "eu-ref", "CMAX"])
    ci = stats.ttest_ind(a, b, equal_var=False).confidence_interval(confidence_level=0.90)
    assert cmax["ci_lower"] == pytest.approx(100 * np.exp(ci.low), rel=1e-12)
    aucifo = table[(table["metric"] == "AUCIFO") & (table["test_arm"] == "test")].iloc[0]
    assert (aucifo["n_test"], aucifo["n_missing_test"]) == (38, 2)
    assert (
        "AUCIFO: %AUCext > 20%, left out of AUCIFO only (AUC0-t and Cmax analysed): "
        "test S001, test S002, eu-ref S046" in notes
    )
    assert any("3 of 119 subjects (3%) have %AUCext > 20% (excluded from AUCIFO)" in n for n in notes)
    assert not any("not a completer" in n for n in notes)


def test_ada_subgroup_sensitivity_matches_welch_within_each_subgroup() -> None:
    """PK by ADA status (sensitivity analysis of published three-arm studies): each subgroup's interval is
    Welch's (scipy) on that subgroup's subjects."""
    d = _table_frame()
    table, _ = pk_similarity_table(d, "arm", ["test", "eu-ref", "us-ref"], ["AUCIFO"], ada_column="ADA")
    assert list(table["subgroup"].unique()) == ["all", "ADA-negative", "ADA-positive"]
    for _, r in table[table["subgroup"] != "all"].iterrows():
        sub = d[d["ADA"] == (1 if r["subgroup"] == "ADA-positive" else 0)]
        a = np.log(sub.loc[sub["arm"] == r["test_arm"], "AUCIFO"])
        b = np.log(sub.loc[sub["arm"] == r["reference_arm"], "AUCIFO"])
        ci = stats.ttest_ind(a, b, equal_var=False).confidence_interval(confidence_level=0.90)
        assert r["ci_lower"] == pytest.approx(100 * np.exp(ci.low), rel=1e-12)
        assert r["n_test"] == a.size
    bad = d.assign(ADA=2)
    with pytest.raises(DataFileError, match="ADA status"):
        pk_similarity_table(bad, "arm", ["test", "eu-ref"], ["AUCIFO"], ada_column="ADA")


def test_a_share_of_subjects_that_rounds_to_zero_percent_keeps_a_decimal() -> None:
    """The demo's note read "1 of 201 subjects (0%) have %AUCext > 20%": a non-zero count printed as 0%.
    1/201 = 0.4975%, printed 0.5%; a share that rounds to a whole percent is printed as before (3%)."""
    rng = np.random.default_rng(7)
    arms = ["test", "eu-ref", "us-ref"]
    d = pd.DataFrame(
        {
            "arm": np.repeat(arms, 67),  # 201 subjects
            "AUCIFO": np.exp(rng.normal(8.0, 0.3, 201)),
            "AUCPEO": 5.0,
        }
    )
    d.loc[0, "AUCPEO"] = 25.0  # one test subject with %AUCext > 20%
    _, notes = pk_similarity_table(d, "arm", arms, ["AUCIFO"])
    assert any("AUCIFO: 1 of 201 subjects (0.5%) have %AUCext > 20% (kept and counted)" in n for n in notes)
    assert not any("(0%)" in n for n in notes)


@pytest.mark.parametrize(
    ("theta1", "theta2"),
    [(80.0, None), (80.0, 125.0), (0.80, 125.0), (1.25, None), (0.8, 0.9)],
)
def test_limits_in_percent_are_refused_not_applied(theta1: float, theta2: float | None) -> None:
    """The table prints limits in percent (80, 125) but the options are ratios. Before this check
    ``theta1=80`` gave lower_limit 8000% and every comparison failed, and ``theta2=125`` an upper limit of
    12500% so that any CI with a lower bound >= 80.00% passed (EMA CPMP/EWP/QWP/1401/98 Rev. 1 4.1.8:
    the 90% CI must lie within 80.00-125.00%)."""
    d = three_arms()
    with pytest.raises(InputError, match=r"ratios.*0\.80 and 1\.25 for 80\.00-125\.00%"):
        pk_similarity(d["AUCIFO"], d["arm"], ["test", "eu-ref"], theta1=theta1, theta2=theta2)
    with pytest.raises(InputError, match=r"not 80 and 125"):
        pk_similarity_table(d, "arm", ["test", "eu-ref", "us-ref"], ["AUCIFO"], theta1=theta1, theta2=theta2)


def test_cli_limits_in_percent_exit_2_without_writing(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from bioparity.cli.main import app

    data, out = tmp_path / "pk.csv", tmp_path / "out.csv"
    frame = three_arms()
    frame.insert(0, "subject", [f"S{i:03d}" for i in range(len(frame))])
    frame.to_csv(data, index=False)
    for option in (["--theta1", "80"], ["--theta2", "125"]):
        args = [
            "pk-similarity",
            str(data),
            "--arms",
            "test,eu-ref,us-ref",
            "--metrics",
            "AUCIFO",
            "--out",
            str(out),
        ]
        run = CliRunner().invoke(app, [*args, *option])
        assert run.exit_code == 2, run.output
        assert "ratios" in run.output and "not 80 and 125" in run.output
        assert not out.exists()


def test_a_negative_value_is_refused_naming_column_and_subject() -> None:
    """Was left out as if missing ("not a completer: test 1"): a negative Cmax or AUC is a data error."""
    d = three_arms()
    d.insert(0, "subject", [f"S{i:03d}" for i in range(len(d))])
    d.loc[3, "AUCIFO"] = -12.5
    with pytest.raises(DataFileError) as err:
        pk_similarity_table(d, "arm", ["test", "eu-ref"], ["AUCIFO"], file="pk.csv", subject_column="subject")
    text = err.value.message()
    assert "pk.csv" in text and "column 'AUCIFO'" in text and "subject S003" in text and "-12.5" in text
    with pytest.raises(DataFileError) as err:  # without a subject column: the data row
        pk_similarity_table(d, "arm", ["test", "eu-ref"], ["AUCIFO"], file="pk.csv")
    assert "row 4" in err.value.message() and "negative PK value (subject #4)" in err.value.message()


def test_a_zero_value_is_left_out_and_named_with_the_reason() -> None:
    """A Cmax of 0 (no measurable exposure) has no logarithm: left out of the metric, each subject named in
    the notes with the reason (EMA CPMP/EWP/QWP/1401/98 Rev. 1 4.1.8: may be excluded, must be reported);
    before, the note said only "not analysed (missing value): test 1". The interval equals the one without
    that subject (scipy Welch, 1e-12)."""
    d = three_arms()
    d.insert(0, "subject", [f"S{i:03d}" for i in range(len(d))])
    d.loc[[2, 45], "AUCIFO"] = 0.0  # one test subject, one eu-ref subject
    table, notes = pk_similarity_table(
        d, "arm", ["test", "eu-ref"], ["AUCIFO"], subject_column="subject", population="available"
    )
    (zero,) = [n for n in notes if "value 0 not analysed" in n]
    assert zero.startswith("AUCIFO: ") and zero.endswith("test S002, eu-ref S045") and "4.1.8" in zero
    kept = d[d["AUCIFO"] > 0]
    x = np.log(kept.loc[kept["arm"] == "test", "AUCIFO"])
    y = np.log(kept.loc[kept["arm"] == "eu-ref", "AUCIFO"])
    ci = stats.ttest_ind(x, y, equal_var=False).confidence_interval(0.90)
    row = table.iloc[0]
    assert (row["n_test"], row["n_reference"]) == (len(x), len(y)) == (39, 37)
    assert row["ci_lower"] == pytest.approx(100 * np.exp(ci.low), rel=1e-12)
    assert row["ci_upper"] == pytest.approx(100 * np.exp(ci.high), rel=1e-12)


def test_the_notes_name_the_subjects_not_analysed() -> None:
    """Subject accountability (EMA CPMP/EWP/QWP/1401/98 Rev. 1 4.1.8): the notes counted the subjects left
    out per arm ("AUCIFO: not analysed (not a completer): test 1") but never said which; with the subject
    column they are named, the first 20 and the rest counted, and the count note is kept as it was."""
    d = three_arms()
    d.insert(0, "subject", [f"S{i:03d}" for i in range(len(d))])
    d["CMAX"] = d["AUCIFO"] / 100
    d.loc[[1, 50], "CMAX"] = np.nan
    _, notes = pk_similarity_table(d, "arm", ["test", "eu-ref"], ["AUCIFO", "CMAX"], subject_column="subject")
    assert "AUCIFO: not analysed (not a completer): test 1, eu-ref 1" in notes
    assert "AUCIFO: subjects not analysed: test S001, eu-ref S050" in notes
    assert "CMAX: subjects not analysed: test S001, eu-ref S050" in notes
    d.loc[:24, "CMAX"] = np.nan  # 25 test subjects without CMAX
    _, notes = pk_similarity_table(d, "arm", ["test", "eu-ref"], ["CMAX"], subject_column="subject")
    (named,) = [n for n in notes if "subjects not analysed" in n]
    assert named.startswith("CMAX: subjects not analysed: test S000, test S001,")
    assert named.endswith("test S019 and 6 more")  # 25 test + 1 eu-ref: 20 named


def test_subjects_not_analysed_in_chinese() -> None:
    from bioparity.i18n.notes import translate_note

    text = translate_note("CMAX: subjects not analysed: test S000, eu-ref S050 and 6 more", "zh-CN")
    assert text == "CMAX：未纳入分析的受试者：test S000, eu-ref S050，另有 6 名"
