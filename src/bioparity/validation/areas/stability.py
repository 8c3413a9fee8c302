"""Stability shelf life (ICH Q1E, Evaluation of Stability Data, 2003, section 2.4 and Appendix B): per-lot
regressions, the poolability F tests, one-sided 95% confidence bounds of the mean and their crossing of the
acceptance criterion against base R (``lm``, ``anova``, ``predict(interval = "confidence")``, ``uniroot``;
``reference/cmc/make_reference.R``), the slope difference of two products against R's ``vcov`` contrast,
and LeBlond, Griffith & Aubuchon (2011), J Valid Technol 17(3):47-68, Tables V, VII and IX."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from bioparity.stability import StabilityResult, compare_slopes, fit_stability
from bioparity.validation.areas._io import read_reference_csv
from bioparity.validation.cases import CaseResult, compare

AREA = "stability"
#: Relative tolerance against R: both sides are double-precision least squares; R's crossings come from
#: ``uniroot(tol = 1e-13)``.
RTOL = 1e-8
#: Data set -> (lower, upper acceptance criterion, model), as in make_reference.R.
SPECS: dict[str, tuple[float | None, float | None, str]] = {
    "cics": (95.0, None, "linear"),
    "dics": (95.0, None, "linear"),
    "dids": (95.0, None, "linear"),
    "logm": (None, 5.0, "log"),
}
#: End of the search for a crossing, as R's ``uniroot(g, c(0, 500))``.
MAX_TIME = 500.0
NO_CROSSING = "no crossing in (0, 500)"


def run(reference: Path) -> list[CaseResult]:
    """Every value of ``cmc/ref_stability.csv`` (stability cases) and the LeBlond (2011) printed results."""
    folder = reference / "cmc"
    table = read_reference_csv(folder / "ref_stability.csv")
    values = {
        case: dict(zip(part["name"].astype(str), part["value"], strict=True))
        for case, part in table.groupby("case", sort=False)
    }
    out = []
    for case in SPECS:
        out += _regressions(folder, case, values[case])
        out += _bounds(folder, case, values[case])
    out += _slope_difference(folder, values["slopediff"])
    out += _leblond(folder)
    return out


def fit_case(
    folder: Path, case: str, pooling: str | None = None, dids_variance: str = "separate"
) -> StabilityResult:
    """``fit_stability`` on ``data_stability_<case>.csv`` with the criterion and model of make_reference.R
    (also used by tests/cmc/test_stability_reference_r.py)."""
    data = pd.read_csv(folder / f"data_stability_{case}.csv")
    lower, upper, model = SPECS[case]
    return fit_stability(
        data["time"],
        data["value"],
        data["lot"],
        lower=lower,
        upper=upper,
        model=model,
        max_time=MAX_TIME,
        pooling=pooling,
        dids_variance=dids_variance,
    )


def _r(area_case: str, quantity: str, expected: object, observed: float) -> CaseResult:
    return compare(
        AREA, "stability-r", area_case, quantity, float(str(expected)), float(observed), RTOL, "rel"
    )


def _regressions(folder: Path, case: str, ref: dict[str, object]) -> list[CaseResult]:
    """Poolability decision, ANCOVA F / p and residual sums of squares, per-lot and pooled coefficients."""
    label = f"data_stability_{case}.csv"
    res = fit_case(folder, case)
    out = [compare(AREA, "stability-r", label, "pooling (alpha 0.25)", str(ref["pooling"]), res.pooling)]
    for quantity, name, got in (
        ("F equal slopes", "f_slope", res.f_slope),
        ("p equal slopes", "p_slope", res.p_slope),
        ("F equal intercepts", "f_intercept", res.f_intercept),
        ("p equal intercepts", "p_intercept", res.p_intercept),
        ("RSS separate lines", "rss_dids", res.rss["dids"]),
        ("RSS common slope", "rss_dics", res.rss["dics"]),
        ("RSS one line", "rss_cics", res.rss["cics"]),
        ("F lot (sequential ANCOVA)", "seq_f_lot", res.f_intercept),
        ("F time:lot (sequential ANCOVA)", "seq_f_time_lot", res.f_slope),
    ):
        out.append(_r(label, quantity, ref[name], got))
    for i, lot in enumerate(res.lots):
        out.append(_r(label, f"lot {lot} intercept", ref[f"intercept_{lot}"], res.intercept[i]))
        out.append(_r(label, f"lot {lot} slope", ref[f"slope_{lot}"], res.slope[i]))
        out.append(_r(label, f"lot {lot} slope SE", ref[f"slope_se_{lot}"], res.slope_se[i]))
    # the shelf life: the earliest crossing of the chosen model (dids: each lot's own MSE, the default)
    chosen = "dids_sep" if ref["pooling"] == "dids" else str(ref["pooling"])
    crossings = [float(str(ref[f"crossing_{chosen}_{lot}"])) for lot in res.lots]
    want = min((c for c in crossings if not math.isnan(c)), default=math.inf)
    out.append(_r(label, "shelf life (earliest crossing)", want, res.shelf_life))
    dics = fit_case(folder, case, pooling="dics")
    out.append(_r(label, "common slope (dics)", ref["common_slope_dics"], dics.fitted_slope[0]))
    cics = fit_case(folder, case, pooling="cics")
    out.append(_r(label, "intercept (cics)", ref["cics_intercept"], cics.fitted_intercept[0]))
    out.append(_r(label, "slope (cics)", ref["cics_slope"], cics.fitted_slope[0]))
    return out


def _bounds(folder: Path, case: str, ref: dict[str, object]) -> list[CaseResult]:
    """One-sided 95% bound at month 12 and its crossing of the criterion, per lot, for each model."""
    side = "lower" if SPECS[case][0] is not None else "upper"
    out = []
    for model in ("cics", "dics", "dids", "dids_sep"):
        pooling = "dids" if model.startswith("dids") else model
        variance = "separate" if model == "dids_sep" else "pooled"
        res = fit_case(folder, case, pooling=pooling, dids_variance=variance)
        label = f"data_stability_{case}.csv, {model.replace('_sep', ' (separate MSE)')}"
        b12 = res.bound(12.0, side)[:, 0]
        for i, lot in enumerate(res.lots):
            out.append(_r(label, f"lot {lot} {side} bound at 12", ref[f"bound12_{model}_{lot}"], b12[i]))
            want = float(str(ref[f"crossing_{model}_{lot}"]))
            got = float(res.lot_shelf_life[i])
            if math.isnan(want):
                seen = NO_CROSSING if math.isinf(got) or got == 0.0 else f"{got:.10g}"
                out.append(compare(AREA, "stability-r", label, f"lot {lot} crossing", NO_CROSSING, seen))
            else:
                out.append(_r(label, f"lot {lot} crossing (shelf life)", want, got))
    return out


def _slope_difference(folder: Path, ref: dict[str, object]) -> list[CaseResult]:
    """Mean slope of test minus reference lots: the contrast of the full model, 90% interval."""
    data = pd.read_csv(folder / "data_slope_difference.csv")
    res = compare_slopes(data["time"], data["value"], data["lot"], data["product"], margin=0.1)
    label = "data_slope_difference.csv, test - reference"
    return [
        _r(label, "slope difference", ref["difference"], res.difference),
        _r(label, "SE", ref["se"], res.se),
        compare(AREA, "stability-r", label, "df", float(str(ref["df"])), float(res.df), 0.0, "exact"),
        _r(label, "90% CI lower", ref["ci_lower"], res.ci_lower),
        _r(label, "90% CI upper", ref["ci_upper"], res.ci_upper),
    ]


def _leblond(folder: Path) -> list[CaseResult]:
    """LeBlond et al. (2011) Tables V, VII, IX: pooling, F values, coefficients and shelf lives as printed."""
    data = pd.read_csv(folder / "leblond2011_exp1.csv")
    table = read_reference_csv(folder / "leblond2011_published.csv")
    out = []
    for row in table.to_dict("records"):
        lots = str(row["lots"]).split()
        sub = data[data["Batch"].isin(lots)]
        res = fit_stability(
            sub["Month"],
            sub["Potency"],
            sub["Batch"],
            lower=95.0,
            max_time=MAX_TIME,
            dids_variance=str(row["dids_variance"]),
        )
        observed = {
            "pooling": res.pooling,
            "F batch": res.f_intercept,
            "F batch x time": res.f_slope,
            "shelf life": res.shelf_life,
            "worst lot": res.worst_lot,
            **{f"intercept {lot}": v for lot, v in zip(res.lots, res.fitted_intercept, strict=True)},
            **{f"slope {lot}": v for lot, v in zip(res.lots, res.fitted_slope, strict=True)},
        }
        got = observed[str(row["quantity"])]
        case = f"{row['table']}: lots {' '.join(lots)}"
        if isinstance(got, str):
            out.append(
                compare(AREA, "stability-leblond2011", case, str(row["quantity"]), str(row["expected"]), got)
            )
        else:
            how = str(row["comparison"])
            out.append(
                compare(
                    AREA,
                    "stability-leblond2011",
                    case,
                    str(row["quantity"]),
                    float(row["expected"]),
                    float(np.asarray(got)),
                    float(row["tolerance"]),
                    how,
                )
            )
    return out
