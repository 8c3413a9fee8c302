"""Bioequivalence: EMA ABEL Method A and B against replicateBE (rds01-rds10), the replicateBE vignette
(rds01 outliers, rds14 degrees of freedom) and the guideline vectors T10-T12 (EMA Guideline on the
Investigation of Bioequivalence, CPMP/EWP/QWP/1401/98 Rev. 1, section 4.1.10; FDA Draft Guidance on
Progesterone, 2011); the ``pk-similarity`` kind run through its contract against R ``lm`` (pooled) and
``t.test`` (Welch) on a seeded three-arm parallel table (``reference/be/pk_similarity_cli_expected.R``; FDA
2001, Statistical Approaches to Establishing Bioequivalence, section VI)."""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from bioparity.analyses.frames import result_frame
from bioparity.be import (
    EMA,
    EMA_K_EXACT,
    FDA_SWR_SWITCH,
    FDA_THETA_S,
    BEResult,
    ScalingRule,
    abel_limits,
    crossover_data,
    evaluate_be,
)
from bioparity.power import cv_to_se
from bioparity.validation.areas._io import read_reference_csv, row_case, run_kind
from bioparity.validation.cases import CaseResult, compare

AREA = "be"
#: The pk-similarity kind against R: GMRs, limits and (Welch-Satterthwaite) df in double precision.
PK_SIMILARITY_RTOL = 1e-9
#: The pk-similarity kind's columns and the names of pk_similarity_cli_expected.csv.
PK_SIMILARITY_VALUES = {"gmr": "ratio", "ci_lower": "ci_lower", "ci_upper": "ci_upper", "df": "df"}


def run(reference: Path) -> list[CaseResult]:
    """Every value of the BE reference sets (tolerances as stated in each file); the pk-similarity kind."""
    return [
        *_methods_ab(reference),
        *_vignette(reference),
        *_limits_t10(reference),
        *_constants(reference),
        *_pk_similarity(reference),
    ]


def _outcome(flag: bool | None) -> str:
    return "pass" if flag else "fail"


def _methods_ab(reference: Path) -> list[CaseResult]:
    """PE, CI (relative 1e-6), CVwR, CVwT, limits (relative 1e-12); decisions and bookkeeping identical."""
    expected = read_reference_csv(reference / "expected" / "replicate_be_methods_ab.csv")
    out = []
    cache: dict[str, object] = {}
    for ref in expected.to_dict("records"):
        name, which = str(ref["dataset"]), str(ref["method"])
        if name not in cache:
            cache[name] = read_reference_csv(reference / "replicate_be" / f"{name}.csv")
        res = evaluate_be(cache[name], "ema-abel-a" if which == "A" else "ema-abel-b")  # type: ignore[arg-type]
        case = f"{name} Method {which}"
        lower = ref["L(%)"] if not math.isnan(ref["L(%)"]) else ref["BE.lo(%)"]
        upper = ref["U(%)"] if not math.isnan(ref["U(%)"]) else ref["BE.hi(%)"]
        pct = res.to_record()  # ratios, CVs and limits in percent, as replicateBE reports them
        cvwt = math.nan if pct["cvwt"] is None else float(pct["cvwt"])
        checks: list[tuple[str, Any, Any, float, str]] = [
            ("PE (%)", ref["PE(%)"], pct["pe"], 1e-6, "rel"),
            ("CI lower (%)", ref["CL.lo(%)"], pct["ci_lower"], 1e-6, "rel"),
            ("CI upper (%)", ref["CL.hi(%)"], pct["ci_upper"], 1e-6, "rel"),
            ("CVwR (%)", ref["CVwR(%)"], pct["cvwr"], 1e-12, "rel"),
            ("CVwT (%)", ref["CVwT(%)"], cvwt, 1e-12, "rel"),
            ("lower limit (%)", lower, pct["lower_limit"], 1e-12, "rel"),
            ("upper limit (%)", upper, pct["upper_limit"], 1e-12, "rel"),
            ("decision", str(ref["BE"]), _outcome(res.passed), 0.0, "exact"),
            ("CI within limits", str(ref["CI"]), _outcome(res.ci_pass), 0.0, "exact"),
            ("PE within 80-125%", str(ref["GMR"]), _outcome(res.pe_pass), 0.0, "exact"),
        ]
        if which == "A":
            checks += _bookkeeping(ref, res)
        for quantity, exp, obs, tol, how in checks:
            out.append(compare(AREA, "replicatebe-ab", case, quantity, exp, obs, tol, how))
    return out


def _bookkeeping(ref: Mapping[Hashable, Any], res: BEResult) -> list[tuple[str, Any, Any, float, str]]:
    """Design, counts and missing values (replicateBE's table, Method A rows)."""
    n_tt = math.nan if res.n_tt is None else float(res.n_tt)
    return [
        ("df", float(ref["DF"]), float(res.df), 0.0, "exact"),
        ("design", str(ref["Design"]), res.design, 0.0, "exact"),
        ("n", float(ref["n"]), float(res.n), 0.0, "exact"),
        (
            "subjects per sequence",
            str(ref["Sub/seq"]),
            "|".join(map(str, res.subjects_per_sequence)),
            0.0,
            "exact",
        ),
        (
            "missing per sequence",
            str(ref["Miss/seq"]),
            "|".join(map(str, res.missing_per_sequence)),
            0.0,
            "exact",
        ),
        (
            "missing per period",
            str(ref["Miss/per"]),
            "|".join(map(str, res.missing_per_period)),
            0.0,
            "exact",
        ),
        ("nRR", float(ref["nRR"]), float(res.n_rr), 0.0, "exact"),
        ("nTT", float(ref["nTT"]), n_tt, 0.0, "exact"),
    ]


def _vignette_value(res: BEResult, quantity: str) -> float | str:
    """The quantity of one vignette row, from a result."""
    flags = {f.subject: f.studentized_residual for f in res.outliers}
    pct = res.to_record()  # in percent, as the vignette reports them
    values: dict[str, Any] = {
        "outlier subjects": "|".join(sorted(flags, key=lambda s: (len(s), s))),
        "CVwR without outliers (%)": pct["cvwr_without_outliers"],
        "lower limit without outliers (%)": pct["lower_limit_without_outliers"],
        "upper limit without outliers (%)": pct["upper_limit_without_outliers"],
        "BE without outliers": _outcome(res.passed_without_outliers),
        "n": res.n,
        "df": res.df,
        "CI lower (%)": pct["ci_lower"],
        "BE": _outcome(res.passed),
    }
    prefix = "studentized residual subject "
    if quantity.startswith(prefix):
        return float(flags.get(quantity.removeprefix(prefix), math.nan))
    value = values[quantity]
    return value if isinstance(value, str) else (math.nan if value is None else float(value))


def _vignette(reference: Path) -> list[CaseResult]:
    """replicateBE vignette: outliers of rds01 (Method A), df of rds14 (Method B, contain / Satterthwaite)."""
    rows = read_reference_csv(reference / "be" / "replicatebe_vignette.csv")
    rows["df_method"] = rows["df_method"].fillna("")
    rows["expected"] = rows["expected"].astype(str)
    results: dict[tuple[str, str, str], BEResult] = {}
    out = []
    for row in rows.to_dict("records"):
        name, method, df_method = str(row["dataset"]), str(row["method"]), str(row["df_method"])
        key = (name, method, df_method)
        if key not in results:
            data = crossover_data(read_reference_csv(reference / "replicate_be" / f"{name}.csv"))
            options = {"df_method": df_method} if df_method else {}
            results[key] = evaluate_be(data, method, **options)  # type: ignore[arg-type]
        observed = _vignette_value(results[key], str(row["quantity"]))
        case = f"replicateBE vignette {name} {method}" + (f" (df {df_method})" if df_method else "")
        out.append(row_case(AREA, "replicatebe-vignette", case, row, observed))
    return out


def _limits_t10(reference: Path) -> list[CaseResult]:
    """T10: EMA ABEL expanded limits at CVwR 30-55% (guideline section 4.1.10; absolute 5e-6)."""
    table = read_reference_csv(reference / "be" / "abel_limits_t10.csv")
    low, up = abel_limits(table["cvwr"].to_numpy())
    out = []
    for i, row in enumerate(table.to_dict("records")):
        case = f"T10: CVwR {row['cvwr']:.0%}"
        tol = float(row["tolerance"])
        out.append(
            compare(AREA, "be-regulatory-vectors", case, "lower limit", row["lower"], float(low[i]), tol)
        )
        out.append(
            compare(AREA, "be-regulatory-vectors", case, "upper limit", row["upper"], float(up[i]), tol)
        )
    return out


def _constants(reference: Path) -> list[CaseResult]:
    """T11-T12 (the exact EMA k and the FDA RSABE constants) and the guideline constants."""
    exact = ScalingRule("EMA exact k", k=EMA_K_EXACT, cv_switch=0.30, cv_cap=0.50)
    low, up = abel_limits(0.50, exact)
    observed = {
        "ema_k_exact": EMA_K_EXACT,
        "lower_exact_k_cv50": 100 * float(low),
        "upper_exact_k_cv50": 100 * float(up),
        "ema_k": EMA.k,
        "fda_theta_s": FDA_THETA_S,
        "fda_theta_s_squared": FDA_THETA_S**2,
        "se_cv30": float(cv_to_se(0.30)),
        "fda_swr_switch": FDA_SWR_SWITCH,
    }
    table: pd.DataFrame = read_reference_csv(reference / "be" / "regulatory_constants.csv")
    return [
        row_case(
            AREA, "be-regulatory-vectors", f"{row['test']}: {row['key']}", row, float(observed[row["key"]])
        )
        for row in table.to_dict("records")
    ]


def _pk_similarity(reference: Path) -> list[CaseResult]:
    """Every pair of arms of ``be/pk_similarity_cli_input.csv``, CMAX and AUCIFO, pooled and Welch: GMR (%),
    90% CI and df of the kind against ``pk_similarity_cli_expected.csv``."""
    folder = reference / "be"
    expected = read_reference_csv(folder / "pk_similarity_cli_expected.csv")
    out = []
    for variance in ("pooled", "welch"):
        options = {"metrics": "CMAX,AUCIFO", "variance": variance, "arms": "test,eu-ref,us-ref"}
        table = result_frame(run_kind("pk-similarity", folder / "pk_similarity_cli_input.csv", options))
        rows = {(r["metric"], r["test_arm"], r["reference_arm"]): r for r in table.to_dict("records")}
        for want in expected[expected["variance"] == variance].to_dict("records"):
            got = rows[(want["metric"], want["test"], want["reference"])]
            pair = f"{want['metric']} {want['test']} v {want['reference']}"
            case = f"pk_similarity_cli_input.csv, {pair}, {variance}"
            out += [
                compare(
                    AREA, "pk-similarity-r", case, ours, want[theirs], got[ours], PK_SIMILARITY_RTOL, "rel"
                )
                for ours, theirs in PK_SIMILARITY_VALUES.items()
            ]
    return out
