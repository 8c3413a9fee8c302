"""Bioassay and analytical-procedure statistics against R: ADA cut points (Shankar et al. 2008, J Pharm
Biomed Anal 48:1267-1281, Appendix; Devanarayan et al. 2017, AAPS J 19:1487-1498) - REML variance
components (lme4 ``lmer``, nlme ``lme``), the parametric (mean + z SD), robust (median + z MAD) and
non-parametric (``quantile`` types 1-9, Hyndman & Fan 1996) cut points, Shapiro-Wilk p, the
noncentral-t lower confidence limit factor and the ``method = auto`` rule (Shapiro-Wilk W and p on the donor
means after the outlier steps, R ``shapiro.test``) - and linearity (ICH Q2(R2), 2023, section 3.2.1: ``lm``,
``confint``, lack of fit by ``anova`` against the one-way model); the kinds ``ada-sensitivity``,
``ada-drug-tolerance`` and ``isr`` (:mod:`bioparity.validation.areas.bioassay_kinds`)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from bioparity.bioassay import (
    compute_cut_point,
    linearity,
    reml_fit,
    validated_cut_points,
    with_validated_cut_point,
)
from bioparity.bioassay.cutpoint import inhibition
from bioparity.bioassay.stats import mad, normal_quantile_lcl_factor, quantile, shapiro_p
from bioparity.validation.areas import bioassay_kinds
from bioparity.validation.areas._io import read_reference_csv
from bioparity.validation.cases import CaseResult, compare

AREA = "bioassay"
DESIGNS = ("balanced", "unbalanced", "nested", "singular")
#: Cut-point tiers and their false-positive rates (Shankar 2008: 5% screening, 1% confirmatory; 0.1% titre).
TIERS = (("screening", 0.05), ("confirmatory", 0.01), ("titration", 0.001))
#: lme4 and nlme agree to about 2e-7 relative; repeated lme4 fits of the crossed models to about 3e-7.
REML_RTOL = 1e-6
#: REML log-likelihood at the optimum (flat there: a 1e-6 relative change of a variance moves it ~1e-10).
LOGLIK_ATOL = 1e-7
#: Closed forms on both sides (sums, order statistics, normal quantiles).
STAT_RTOL = 1e-12
#: Noncentral t quantile: R's ``qt(ncp = )`` and SciPy's ``nct.ppf`` are both iterative.
LCL_RTOL = 1e-8
#: Shapiro-Wilk p: both R and SciPy use Royston's algorithm AS R94, with their own polynomial evaluations.
SHAPIRO_RTOL = 1e-4
#: Run comparison (fixed or floating cut point): Levene's test is closed form on both sides; the run-means
#: Wald F test rests on the REML fit: against the two-way ANOVA of the balanced design (the same estimators)
#: 1e-9, against nlme's optimiser (unbalanced, nested; p of order 1e-10 to 1e-13) 1e-4.
LEVENE_RTOL, RUN_MEANS_ANOVA_RTOL, RUN_MEANS_LME_RTOL = 1e-10, 1e-9, 1e-4
#: Shapiro-Wilk of ``method = auto`` on the donor means (SciPy and R, both AS R94): W and p agree to 2e-10 and
#: 6e-9 relative on the six cases of normality_reference.csv.
NORMALITY_W_RTOL, NORMALITY_P_RTOL = 1e-8, 1e-7
#: Normalisation factor of a floating cut point: closed forms (mean + z SD, quantile type 7) on both sides.
NORMALISATION_RTOL = 1e-8
#: Linearity: double-precision least squares of a 2-column design on both sides (p below 1e-6: 1e-8).
LIN_RTOL = 1e-10
#: Residuals near zero are compared absolutely (responses of order 1-300).
RESIDUAL_ATOL = 1e-9


def run(reference: Path) -> list[CaseResult]:
    """Every REML component, cut-point statistic and LCL factor of ``reference/bioassay`` and every
    linearity value of ``linearity_reference.csv``; the sensitivity, drug-tolerance and ISR kinds."""
    folder = reference / "bioassay"
    return [
        *_reml(folder),
        *_reml_large(folder),
        *_cut_point_statistics(folder),
        *_cut_points(folder),
        *_run_comparison(folder),
        *_normality(folder),
        *_normalisation(folder),
        *_linearity(folder),
        *bioassay_kinds.run(folder),
    ]


def _design(folder: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(folder / f"designs_{name}.csv", dtype={"signal": float})


def codes(values: pd.Series) -> np.ndarray:
    """Integer codes 0..L-1 of a factor, levels sorted (the random-factor coding ``reml_fit`` takes)."""
    return pd.Categorical(values, categories=sorted(values.unique())).codes.astype(np.int64)


def reml_components(folder: Path, name: str) -> dict[str, dict[str, float]]:
    """REML variance components of log(signal) of ``designs_<name>.csv``: run fixed + donor random, donor and
    run crossed, plate within run (nested design): model -> component -> variance, as lme4 / nlme name them
    in reml_reference.csv (also used by tests/bioassay/test_reference_r.py)."""
    d = _design(folder, name)
    y = np.log(d["signal"].to_numpy(float))
    run, donor = codes(d["run"]), codes(d["donor"])
    x_run = np.column_stack([np.ones(len(y))] + [(run == j).astype(float) for j in range(1, run.max() + 1)])
    out: dict[str, dict[str, float]] = {}
    f = reml_fit(y, x_run, {"donor": donor})
    out["run_fixed"] = {"donor": f.variances["donor"], "residual": f.residual_variance}
    f = reml_fit(y, np.ones((len(y), 1)), {"donor": donor, "run": run})
    out["crossed"] = {**f.variances, "residual": f.residual_variance}
    if "plate" in d.columns and d["plate"].nunique() > 1:
        plate = codes(d["run"] + ":" + d["plate"])
        f = reml_fit(y, np.ones((len(y), 1)), {"donor": donor, "run": run, "runplate": plate})
        out["nested_plate"] = {**f.variances, "residual": f.residual_variance}
    return out


def _reml(folder: Path) -> list[CaseResult]:
    table = read_reference_csv(folder / "reml_reference.csv")
    out = []
    for name in DESIGNS:
        fits = reml_components(folder, name)
        for row in table[table["design"] == name].to_dict("records"):
            got = fits[str(row["model"])][str(row["component"])]
            case = f"designs_{name}.csv, {row['model']} ({row['software']})"
            quantity = f"variance {row['component']}"
            out.append(
                compare(AREA, "ada-reml-r", case, quantity, float(row["value"]), got, REML_RTOL, "rel")
            )
    return out


def reml_large_components(folder: Path) -> dict[str, dict[str, float]]:
    """REML fits of log(signal) of ``designs_large.csv`` (1,650 wells: 150 donors x 4 runs x 3 plates less
    150): model (``crossed``: donor and run; ``nested_plate``: and plate within run) -> component variance
    and ``loglik``, as reml_large_reference.csv names them (also read by tests/bioassay/test_reml_large.py).
    """
    d = _design(folder, "large")
    y = np.log(d["signal"].to_numpy(float))
    crossed = {"donor": codes(d["donor"]), "run": codes(d["run"])}
    models = {"crossed": crossed, "nested_plate": {**crossed, "runplate": codes(d["run"] + ":" + d["plate"])}}
    out: dict[str, dict[str, float]] = {}
    for model, groups in models.items():
        f = reml_fit(y, np.ones((len(y), 1)), groups)
        out[model] = {**f.variances, "residual": f.residual_variance, "loglik": f.log_likelihood}
    return out


def _reml_large(folder: Path) -> list[CaseResult]:
    table = read_reference_csv(folder / "reml_large_reference.csv")
    fits = reml_large_components(folder)
    out = []
    for row in table.to_dict("records"):
        component = str(row["component"])
        got = fits[str(row["model"])][component]
        case = f"designs_large.csv (1,650 wells), {row['model']} (lme4)"
        if component == "loglik":
            out.append(
                compare(AREA, "ada-reml-large-r", case, "REML log-likelihood", float(row["value"]), got,
                        LOGLIK_ATOL, "abs")
            )  # fmt: skip
        else:
            quantity = f"variance {component}"
            out.append(
                compare(AREA, "ada-reml-large-r", case, quantity, float(row["value"]), got, REML_RTOL, "rel")
            )
    return out


def _ref(
    table: pd.DataFrame, design: str, statistic: str, p: float | None = None, qtype: int | None = None
) -> float:
    rows = table[(table["design"] == design) & (table["statistic"] == statistic)]
    if p is not None:
        rows = rows[np.isclose(rows["p"], p)]
    if qtype is not None:
        rows = rows[rows["qtype"] == qtype]
    return float(rows["value"].iloc[0])


def _cut_point_statistics(folder: Path) -> list[CaseResult]:
    """Quantile types 1-9, MAD and Shapiro-Wilk p of each design's log signals; the LCL factors."""
    table = read_reference_csv(folder / "cutpoint_reference.csv")
    out = []
    for name in DESIGNS:
        y = np.log(_design(folder, name)["signal"].to_numpy(float))
        case = f"designs_{name}.csv, log(signal)"
        for p in (0.95, 0.99, 0.999):
            for qtype in range(1, 10):
                want = _ref(table, name, "quantile", p, qtype)
                got = quantile(y, p, qtype)
                out.append(
                    compare(
                        AREA,
                        "ada-cutpoint-r",
                        case,
                        f"quantile type {qtype} p {p}",
                        want,
                        got,
                        STAT_RTOL,
                        "rel",
                    )
                )
        out.append(
            compare(AREA, "ada-cutpoint-r", case, "MAD", _ref(table, name, "mad"), mad(y), STAT_RTOL, "rel")
        )
        want = _ref(table, name, "shapiro_p")
        out.append(
            compare(AREA, "ada-cutpoint-r", case, "Shapiro-Wilk p", want, shapiro_p(y), SHAPIRO_RTOL, "rel")
        )
    for n in (5, 10, 20, 50):
        for conf in (0.8, 0.9, 0.95):
            for p in (0.95, 0.99):
                want = _ref(table, f"lcl_n{n}_conf{conf:g}", "lcl_factor", p)
                got = normal_quantile_lcl_factor(n, p, conf)
                case = f"n {n}, confidence {conf:g}"
                out.append(
                    compare(AREA, "ada-cutpoint-r", case, f"LCL factor p {p}", want, got, LCL_RTOL, "rel")
                )
    return out


def _cut_points(folder: Path) -> list[CaseResult]:
    """``compute_cut_point`` (log transform, no outlier removal) per design and tier: parametric, robust and
    non-parametric (type 7; screening also type 6) cut points; the parametric one also on the signal scale."""
    table = read_reference_csv(folder / "cutpoint_reference.csv")
    out = []
    for name in ("balanced", "unbalanced", "singular"):  # one value per donor and run
        d = _design(folder, name).rename(columns={"signal": "value"})
        for tier, fpr in TIERS:
            p = 1.0 - fpr
            case = f"designs_{name}.csv, {tier} (FPR {fpr:g})"
            # type 7 (the default) at every tier; type 6 at screening shows the option is honoured (each
            # call refits the REML model, the costliest step of this area; quantile types 1-9 themselves
            # are compared above at every p)
            for qtype in (6, 7) if tier == "screening" else (7,):
                res = compute_cut_point(
                    d, tier=tier, fpr=fpr, transform="log", remove_outliers=False, quantile_type=qtype
                )
                want = _ref(table, name, "quantile", p, qtype)
                out.append(
                    compare(
                        AREA,
                        "ada-cutpoint-r",
                        case,
                        f"non-parametric (type {qtype}), log",
                        want,
                        res.nonparametric_t,
                        STAT_RTOL,
                        "rel",
                    )
                )
            out.append(
                compare(
                    AREA,
                    "ada-cutpoint-r",
                    case,
                    "parametric, log",
                    _ref(table, name, "parametric", p),
                    res.parametric_t,
                    STAT_RTOL,
                    "rel",
                )
            )
            want = float(np.exp(_ref(table, name, "parametric", p)))
            out.append(
                compare(
                    AREA, "ada-cutpoint-r", case, "parametric, signal", want, res.parametric, STAT_RTOL, "rel"
                )
            )
            out.append(
                compare(
                    AREA,
                    "ada-cutpoint-r",
                    case,
                    "robust, log",
                    _ref(table, name, "robust", p),
                    res.robust_t,
                    STAT_RTOL,
                    "rel",
                )
            )
    return out


#: Linearity data -> (file, two-sided confidence level, target level), as in make_linearity_reference.R.
LINEARITY = {
    "example": ("linearity_example.csv", 0.95, 100.0),
    "curved": ("linearity_curved.csv", 0.90, 16.0),
    "unreplicated": ("linearity_unreplicated.csv", 0.99, 100.0),
}
_COUNTS = ("n", "n_levels", "df", "lof_df1", "lof_df2")


def _run_comparison(folder: Path) -> list[CaseResult]:
    """The tests that decide between a fixed and a floating cut point (Shankar 2008, Appendix 1 section 3):
    equal run means (Wald F of the REML fit; nlme ``anova(lme)``, or the two-way ANOVA of the balanced
    design) and equal run variances (Levene 1960, mean-centred)."""
    out = []
    for row in read_reference_csv(folder / "run_comparison_reference.csv").to_dict("records"):
        design = str(row["design"])
        got = compute_cut_point(
            _design(folder, design).rename(columns={"signal": "value"}),
            transform="log",
            remove_outliers=False,
        )
        case = f"designs_{design}.csv, log(signal), runs compared"
        means = (
            ("run means p (lm two-way ANOVA)", float(row["anova_p"]), RUN_MEANS_ANOVA_RTOL)
            if design == "balanced"
            else ("run means p (nlme anova(lme), REML)", float(row["lme_p"]), RUN_MEANS_LME_RTOL)
        )
        ref, df2 = "ada-run-comparison-r", float(got.n_values - got.n_runs - (got.n_donors - 1))
        out += [
            compare(AREA, ref, case, means[0], means[1], got.run_means_p, means[2], "rel"),
            compare(AREA, ref, case, "denominator df (containment)", float(row["lme_denDF"]), df2),
            compare(AREA, ref, case, "run variances p (Levene, mean-centred)", float(row["levene_p"]),
                    got.run_variances_p, LEVENE_RTOL, "rel"),
        ]  # fmt: skip
    return out


def _normality(folder: Path) -> list[CaseResult]:
    """The rule of ``method = auto`` (:mod:`bioparity.bioassay.cutpoint`, step 5): Shapiro-Wilk (Shapiro and
    Wilk 1965, Biometrika 52:591; p by Royston 1995, Applied Statistics 44:547, AS R94) on the donor means
    across runs, after the transform and the outlier steps, parametric when ``p >= 0.05``, else the
    empirical percentile (Shankar et al. 2008, J Pharm Biomed Anal 48:1267, Appendix 1 section 4). Each
    design and the shipped example (screening; confirmatory on % inhibition) with the defaults of its tier;
    R (make_normality_reference.R) does every step itself, and the outliers it removed are compared too."""
    out = []
    for row in read_reference_csv(folder / "normality_reference.csv").to_dict("records"):
        frame = pd.read_csv(folder / str(row["file"]), dtype={"donor": str, "run": str})
        tier = str(row["tier"])
        if tier == "confirmatory":
            value = inhibition(frame["signal"].to_numpy(float), frame["signal_drug"].to_numpy(float))
        else:
            value = frame["signal"].to_numpy(float)
        got = compute_cut_point(frame[["donor", "run"]].assign(value=value), tier=tier)
        case = f"{row['file']}, {tier}, method auto"
        ref = "ada-normality-r"
        removed = "; ".join(sorted(o.code for o in got.outliers)) or "none"
        out += [
            compare(AREA, ref, case, "transform", str(row["transform"]), got.transform),
            compare(AREA, ref, case, "outliers removed", str(row["outliers"]), removed),
            compare(AREA, ref, case, "Shapiro-Wilk n (donor means)", float(row["shapiro_n"]),
                    float(got.shapiro_n), 0.0, "exact"),
            compare(AREA, ref, case, "Shapiro-Wilk W (donor means)", float(row["shapiro_w"]), got.shapiro_w,
                    NORMALITY_W_RTOL, "rel"),
            compare(AREA, ref, case, "Shapiro-Wilk p (donor means)", float(row["shapiro_p"]), got.shapiro_p,
                    NORMALITY_P_RTOL, "rel"),
            compare(AREA, ref, case, "method selected", str(row["method"]), got.method),
        ]  # fmt: skip
    return out


def _normalisation(folder: Path) -> list[CaseResult]:
    """The normalisation factor of a floating screening cut point (:mod:`bioparity.bioassay.cutpoint`, step 6;
    Shankar et al. 2008, J Pharm Biomed Anal 48:1267, Appendix 1 section 5) on a generated floating design:
    additive (``NC + NF``) and multiplicative (``NC x NF``) on the raw scale, additive on the log scale
    (``NC x exp(NF)``), parametric and nonparametric; the cut point, NF, the rule stored and each run's plate
    cut point read back from the stored table (:func:`~bioparity.bioassay.with_validated_cut_point`), all
    computed by hand in make_normalisation_reference.R."""
    frame = pd.read_csv(folder / "designs_floating_nc.csv", dtype={"donor": str, "run": str})
    runs = frame.groupby("run", sort=True)["nc"].first().reset_index()
    out = []
    for row in read_reference_csv(folder / "normalisation_reference.csv").to_dict("records"):
        got = compute_cut_point(
            frame.rename(columns={"signal": "value"}), transform=str(row["transform"]),
            method=str(row["method"]), normalization=str(row["normalisation"]),
        )  # fmt: skip
        case = f"designs_floating_nc.csv, {row['transform']}, {row['normalisation']}, {row['method']}"
        ref = "ada-normalisation-r"
        plates, _ = with_validated_cut_point(runs, validated_cut_points(got.to_frame())["screening"])
        out += [
            compare(AREA, ref, case, "normalisation stored", str(row["normalization"]), got.normalization),
            compare(AREA, ref, case, "cut point", float(row["cut_point"]), got.cut_point, NORMALISATION_RTOL,
                    "rel"),
            compare(AREA, ref, case, "normalisation factor", float(row["normalization_factor"]),
                    got.normalization_factor, NORMALISATION_RTOL, "rel"),
            *(compare(AREA, ref, case, f"plate cut point {run}", float(row[f"plate_{run}"]), float(cut),
                      NORMALISATION_RTOL, "rel")
              for run, cut in zip(plates["run"], plates["cut_point"], strict=True)),
        ]  # fmt: skip
    return out


def _linearity(folder: Path) -> list[CaseResult]:
    table = read_reference_csv(folder / "linearity_reference.csv")
    out = []
    for key, (file, conf, target) in LINEARITY.items():
        res = linearity(pd.read_csv(folder / file), conf_level=conf, target=target)
        case = f"{file}, conf {conf:g}, target {target:g}"
        for row in table[table["case"] == key].to_dict("records"):
            name, want = str(row["name"]), float(row["value"])
            if name.startswith("residual_") and name[9:].isdigit():
                got = float(res.residual[int(name.split("_")[1]) - 1])
                out.append(compare(AREA, "linearity-r", case, name, want, got, RESIDUAL_ATOL))
            elif name in _COUNTS:
                out.append(
                    compare(AREA, "linearity-r", case, name, want, float(getattr(res, name)), 0.0, "exact")
                )
            else:
                tol = 1e-8 if name == "lof_p" and want < 1e-6 else LIN_RTOL
                out.append(
                    compare(AREA, "linearity-r", case, name, want, float(getattr(res, name)), tol, "rel")
                )
    return out
