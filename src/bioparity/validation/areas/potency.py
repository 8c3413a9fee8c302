"""Relative potency and parallelism (Ph. Eur. 5.3, Statistical analysis of results of biological assays and
tests; USP <1034>): parallel 4PL / 5PL curves, parallel-line and slope-ratio ANOVA with Fieller limits and
the combination of assays (Ph. Eur. 5.3 section 6) against base R (``nls``, ``lm``, ``anova``;
``reference/potency/make_reference.R``), and the Ph. Eur. 5.3 / EDQM CombiStats worked examples as printed."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from bioparity.io.potency import read_potency_table
from bioparity.potency import (
    AnalysisOptions,
    AssayData,
    analyse,
    analyse_assay,
    combine_assays,
    fit_logistic_batch,
)
from bioparity.potency.analyse import assays_from_frame
from bioparity.potency.logistic import fit_logistic_parallel
from bioparity.validation.areas._io import read_reference_csv
from bioparity.validation.cases import CaseResult, compare

AREA = "potency"
#: R ``nls`` stops at a relative offset of 1e-7 (then 20 Gauss-Newton polishing steps).
NLS_RTOL = 1e-6
#: Linear models: closed forms on both sides.
LIN_RTOL = 1e-9
#: Parallel-line ANOVA: bioparity's source -> the term of R's ``lm`` in make_reference.R (``df_``/``ss_`` +
#: term; blocks, rows and columns are added per design).
R_ANOVA_TERMS = {
    "preparations": "t",
    "regression": "x",
    "non-parallelism": "tx",
    "non-linearity": "cell",
    "residual error": "Residuals",
}


def run(reference: Path) -> list[CaseResult]:
    """Every value of ``potency/ref_results.csv``, the logistic regression tests of
    ``potency/ref_regression.csv`` and the values of ``potency/published_results.csv``."""
    folder = reference / "potency"
    table = read_reference_csv(folder / "ref_results.csv")
    ref = {
        str(case): dict(zip(part["name"].astype(str), part["value"].astype(float), strict=True))
        for case, part in table.groupby("case", sort=False)
    }
    return [
        *_logistic(folder, ref),
        *_regression(folder),
        *_linear(folder, ref),
        *_combination(folder, ref),
        *_published(folder),
    ]


def _assay(folder: Path, name: str) -> AssayData:
    (data,) = assays_from_frame(read_potency_table(folder / name))
    return data


def _regression(folder: Path) -> list[CaseResult]:
    """The regression test of the parallel 4PL/5PL fits (the curves against flat ones, one level per
    preparation; it must be significant) against R ``anova`` of the nested ``nls`` fits
    (``make_regression_reference.R``): residual df and the p value; the weak assay's p is not significant."""
    table = read_reference_csv(folder / "ref_regression.csv")
    out = []
    for case, file, model in (
        ("4pl", "data_4pl.csv", "4pl"),
        ("4pl_weak", "data_4pl_weak.csv", "4pl"),
        ("5pl", "data_5pl.csv", "5pl"),
    ):
        part = table[table["case"] == case]
        r = dict(zip(part["name"].astype(str), part["value"].astype(float), strict=True))
        est = analyse_assay(_assay(folder, file), AnalysisOptions(model=model))
        label = f"{file}, parallel {model.upper()}, regression"
        out.append(
            compare(AREA, "potency-r", label, "residual df", r["residual_df"], float(est.df), 0.0, "exact")
        )
        p = est.similarity.required_significant["regression"]
        out.append(_r(label, "regression p (F)", r["regression_p"], p, NLS_RTOL))
    return out


def _r(case: str, quantity: str, expected: float, observed: float, tol: float) -> CaseResult:
    return compare(AREA, "potency-r", case, quantity, expected, float(observed), tol, "rel")


def _logistic(folder: Path, ref: dict[str, dict[str, float]]) -> list[CaseResult]:
    """Parallel 4PL and 5PL (shared b, c, d [, f]), ln RP with Wald limits, the non-parallelism F test and
    the unconstrained 4PL curve of each preparation."""
    out = []
    for case, file, model, shape in (
        ("4pl", "data_4pl.csv", "4pl", ("b", "c", "d")),
        ("5pl", "data_5pl.csv", "5pl", ("b", "c", "d", "f")),
    ):
        r = ref[case]
        fit = fit_logistic_parallel(_assay(folder, file), model, 0.95)
        label = f"{file}, parallel {model.upper()}"
        out.append(compare(AREA, "potency-r", label, "converged", "True", str(bool(fit.converged))))
        out += [_r(label, name, r[name], fit.parameters[name], NLS_RTOL) for name in shape]
        out.append(_r(label, "ln e standard", r["m1"], math.log(fit.parameters["e_standard"]), NLS_RTOL))
        out.append(_r(label, "ln e test", r["m2"], math.log(fit.parameters["e_test"]), NLS_RTOL))
        out.append(compare(AREA, "potency-r", label, "residual df", r["df"], float(fit.df), 0.0, "exact"))
        out.append(_r(label, "RSS", r["rss"], fit.s2 * fit.df, LIN_RTOL))
        out.append(_r(label, "relative potency", r["relative_potency"], fit.relative_potency, NLS_RTOL))
        out.append(_r(label, "95% CI lower", r["ci_lower"], fit.ci_lower, NLS_RTOL))
        out.append(_r(label, "95% CI upper", r["ci_upper"], fit.ci_upper, NLS_RTOL))
        if case == "4pl":
            # the F test of the nested nls fits: p of an F tail at a ratio known to 1e-6
            p = fit.tests["non_parallelism"]
            out.append(_r(label, "non-parallelism p (F)", r["nonparallel_p"], p, 1e-5))
    r = ref["4pl_sep"]
    data = _assay(folder, "data_4pl.csv")
    x = np.log(data.dose)
    for i, (is_test, prep) in enumerate(((False, "standard"), (True, "test")), start=1):
        sel = data.is_test == is_test
        curves = fit_logistic_batch(x[sel], data.response[sel], model="4pl")
        label = f"data_4pl.csv, separate 4PL of the {prep}"
        for j, name in enumerate(("b", "c", "d", "ln e")):
            key = f"{'m' if name == 'ln e' else name}{i}"
            out.append(_r(label, name, r[key], float(curves.params[0][j]), NLS_RTOL))
    return out


def _anova_rows(est: object) -> dict[str, tuple[int, float]]:
    return {row.source: (row.df, row.ss) for row in est.anova}  # type: ignore[attr-defined]


def _linear(folder: Path, ref: dict[str, dict[str, float]]) -> list[CaseResult]:
    """Parallel-line (randomised blocks, Latin square) and slope-ratio ANOVA, validity p, RP and Fieller."""
    out = []
    for case, file, blocks in (
        ("pl_rb", "data_parallel_line_rb.csv", {"blocks": "factor(block)"}),
        ("pl_ls", "data_parallel_line_latin.csv", {"rows": "factor(row)", "columns": "factor(column)"}),
    ):
        r = ref[case]
        est = analyse_assay(_assay(folder, file), AnalysisOptions(model="parallel-line"))
        label = f"{file}, parallel line"
        rows = _anova_rows(est)
        for ours, theirs in {**R_ANOVA_TERMS, **blocks}.items():
            df, ss = rows[ours]
            out.append(
                compare(AREA, "potency-r", label, f"df {ours}", r[f"df_{theirs}"], float(df), 0.0, "exact")
            )
            out.append(_r(label, f"SS {ours}", r[f"ss_{theirs}"], ss, LIN_RTOL))
        if case == "pl_rb":
            tests = est.similarity.significance_tests
            out.append(_r(label, "non-parallelism p", r["p_tx"], tests["non_parallelism"], LIN_RTOL))
            out.append(_r(label, "non-linearity p", r["p_cell"], tests["non_linearity"], LIN_RTOL))
        out += _potency(label, r, est)
    r = ref["sr"]
    est = analyse_assay(_assay(folder, "data_slope_ratio.csv"), AnalysisOptions(model="slope-ratio"))
    label = "data_slope_ratio.csv, slope ratio"
    rows = _anova_rows(est)
    out.append(_r(label, "SS regression", r["ss_zs"] + r["ss_zt"], rows["regression"][1], LIN_RTOL))
    out.append(_r(label, "SS blanks", r["ss_blank"], rows["blanks"][1], LIN_RTOL))
    out.append(_r(label, "SS intersection", r["ss_tind"], rows["intersection"][1], LIN_RTOL))
    for ours, theirs in (("non-linearity", "cell"), ("residual error", "Residuals")):
        df, ss = rows[ours]
        out.append(
            compare(AREA, "potency-r", label, f"df {ours}", r[f"df_{theirs}"], float(df), 0.0, "exact")
        )
        out.append(_r(label, f"SS {ours}", r[f"ss_{theirs}"], ss, LIN_RTOL))
    p = est.similarity.significance_tests["intersection"]
    out.append(_r(label, "intersection p", r["p_tind"], p, LIN_RTOL))
    return out + _potency(label, r, est)


def _potency(label: str, r: dict[str, float], est: object) -> list[CaseResult]:
    return [
        _r(label, "relative potency", r["relative_potency"], est.relative_potency, LIN_RTOL),  # type: ignore[attr-defined]
        _r(label, "95% Fieller lower", r["ci_lower"], est.ci_lower, LIN_RTOL),  # type: ignore[attr-defined]
        _r(label, "95% Fieller upper", r["ci_upper"], est.ci_upper, LIN_RTOL),  # type: ignore[attr-defined]
    ]


def _combination(folder: Path, ref: dict[str, dict[str, float]]) -> list[CaseResult]:
    """Ph. Eur. 5.3 section 6: homogeneity chi-square, weighted, semi-weighted and unweighted means."""
    out = []
    for case, file in (("combine_h", "homogeneous"), ("combine_x", "heterogeneous")):
        r = ref[case]
        data = pd.read_csv(folder / f"data_combine_{file}.csv")
        comb = combine_assays(data["rp"], data["lo"], data["hi"], data["df"])
        label = f"data_combine_{file}.csv"
        out.append(_r(label, "chi-square", r["chi_square"], comb.chi_square, LIN_RTOL))
        out.append(_r(label, "chi-square p", r["chi_square_p"], comb.chi_square_p, 1e-7))
        for name in ("weighted", "semi_weighted", "unweighted"):
            est, lo, hi = getattr(comb, name)
            words = name.replace("_", "-")
            out.append(_r(label, f"{words} potency", r[name], est, LIN_RTOL))
            out.append(_r(label, f"{words} lower", r[f"{name}_lower"], lo, LIN_RTOL))
            out.append(_r(label, f"{words} upper", r[f"{name}_upper"], hi, LIN_RTOL))
    return out


def _published(folder: Path) -> list[CaseResult]:
    """Ph. Eur. 5.3 examples 5.1.1-5.1.4 and CombiStats example 02: potency and limits (x the assumed
    potency), ANOVA sums of squares and validity p as printed."""
    table = read_reference_csv(folder / "published_results.csv")
    out = []
    for (file, transform), part in table.groupby(["file", "transform"], sort=False):
        frame = read_potency_table(folder / str(file))
        result = analyse(frame, AnalysisOptions(model="parallel-line", transform=str(transform)))
        estimates = {e.sample: e for e in result.estimates}
        for row in part.to_dict("records"):
            e = estimates[str(row["sample"])]
            quantity, scale = str(row["quantity"]), float(row["scale"])
            if quantity.startswith("SS "):
                got = dict((r.source, r.ss) for r in e.anova)[quantity[3:]]
            elif quantity.startswith("df "):
                got = float(dict((r.source, r.df) for r in e.anova)[quantity[3:]])
            elif quantity.endswith(" p"):
                got = e.similarity.significance_tests[quantity[:-2].replace("-", "_")]
            else:
                got = (
                    scale
                    * {"potency": e.relative_potency, "lower": e.ci_lower, "upper": e.ci_upper}[quantity]
                )
            case = f"{row['source']} ({file}), {row['sample']}"
            how = "exact" if quantity.startswith("df ") else "abs"
            out.append(
                compare(
                    AREA,
                    "potency-published",
                    case,
                    quantity,
                    float(row["expected"]),
                    float(got),
                    float(row["tolerance"]),
                    how,
                )
            )
    return out
