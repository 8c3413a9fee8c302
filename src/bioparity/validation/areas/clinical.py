"""Confidence intervals for proportions and means against published values (Newcombe 1998 and others),
exact equivalence sample sizes for means against PowerTOST's parallel-design table, and the ``ada-summary``
kind run through its contract against base R (``reference/clinical/make_ada_summary_reference.R``: sample
status from the screening and confirmatory cut points, Shankar et al. 2008, J Pharm Biomed Anal 48:1267,
sections 3.1-3.2; Wilson intervals of the incidences; treatment-emergent ADA, FDA 2019 Immunogenicity
Assessment for Therapeutic Protein Products, section VII; Newcombe 1998, Stat Med 17:873, method 10, for the
difference between arms)."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from bioparity.analyses.frames import result_frame
from bioparity.clinical import (
    ci_difference,
    ci_difference_stratified,
    ci_mean_difference_samples,
    ci_ratio,
    sample_size_equivalence_means,
)
from bioparity.validation.areas._io import named_cases, named_values, read_reference_csv, run_kind
from bioparity.validation.cases import CaseResult, compare

AREA = "clinical"
#: The ada-summary kind against R: Wilson and Newcombe limits in double precision on both sides.
ADA_RTOL = 1e-10
#: The options the ada-summary case runs with, as in make_ada_summary_reference.R.
ADA_OPTIONS = {"screening_cut_point": 1.2, "confirmatory_cut_point": 20.0, "reference_arm": "reference"}


def run(reference: Path) -> list[CaseResult]:
    """Every published interval, the t intervals on R's sleep data, the PowerTOST parallel sample sizes and
    the ada-summary kind's incidences and differences."""
    return [
        *_intervals(reference),
        *_one_stratum(reference),
        *_means_sample_size(reference),
        *_ada_summary(reference),
    ]


def _limits(case: str, label: str, row: Mapping[Hashable, Any], res: Any, tol: float) -> list[CaseResult]:
    """Both limits of the interval ``res`` against the published ones in ``row``."""
    return [
        compare(
            AREA,
            "clinical-published",
            case,
            f"{label} {side}",
            float(row[side]),
            float(getattr(res, f"ci_{side}")),
            tol,
        )
        for side in ("lower", "upper")
    ]


def _intervals(reference: Path) -> list[CaseResult]:
    """Every published interval (both limits) and the two t intervals (limits and df) on R's sleep data."""
    out = []
    table = read_reference_csv(reference / "clinical" / "published_intervals.csv")
    for row in table.to_dict("records"):
        counts = (int(row["x1"]), int(row["n1"]), int(row["x2"]), int(row["n2"]))
        fn = ci_difference if row["measure"] == "difference" else ci_ratio
        res = fn(*counts, method=str(row["method"]), conf=float(row["conf"]))
        case = f"{row['case']}: {counts[0]}/{counts[1]} vs {counts[2]}/{counts[3]}"
        label = f"{row['measure']} {row['method']} {row['conf']:.0%}"
        tol = float(row["tolerance"]) + 1e-12
        out += _limits(case, label, row, res, tol)
    sleep = read_reference_csv(reference / "clinical" / "sleep_t_test.csv")
    g1, g2 = (sleep.loc[sleep["group"] == g, "extra"].to_numpy() for g in (1, 2))
    intervals = read_reference_csv(reference / "clinical" / "t_intervals_sleep.csv")
    for row in intervals.to_dict("records"):
        means = ci_mean_difference_samples(g1, g2, method=str(row["method"]), conf=float(row["conf"]))
        case = "R datasets::sleep, group 1 - group 2"
        out += _limits(case, f"mean difference {row['method']}", row, means, float(row["tolerance"]))
        out.append(
            compare(
                AREA,
                "clinical-published",
                case,
                f"mean difference {row['method']} df",
                float(row["df"]),
                float(means.df),
                float(row["df_tolerance"]),
                "abs" if float(row["df_tolerance"]) > 0 else "exact",
            )
        )
    return out


def _one_stratum(reference: Path) -> list[CaseResult]:
    """Stratified risk difference with one stratum = Newcombe (1998) Table II (a): hybrid score and Wald."""
    table = read_reference_csv(reference / "clinical" / "published_intervals.csv")
    out = []
    for method, published in (("newcombe", "newcombe"), ("mh", "wald")):
        row = table[(table["case"] == "Newcombe-a") & (table["method"] == published)].iloc[0]
        counts = [int(row[c]) for c in ("x1", "n1", "x2", "n2")]
        res = ci_difference_stratified(*([c] for c in counts), method=method, conf=float(row["conf"]))
        table_ii = f"{counts[0]}/{counts[1]} vs {counts[2]}/{counts[3]}"
        case = f"Newcombe-a: {table_ii}, one stratum, published {published}"
        tol = float(row["tolerance"]) + 1e-12
        out += _limits(case, f"stratified difference {method}", row.to_dict(), res, tol)
    return out


def _means_sample_size(reference: Path) -> list[CaseResult]:
    """Exact equivalence sample size for a difference of means on the log scale = PowerTOST parallel TOST."""
    ref = read_reference_csv(reference / "expected" / "sample_size_tost.csv")
    ref = ref[ref["design"] == "parallel"]
    res = sample_size_equivalence_means(
        diff=np.log(ref["theta0"].to_numpy()),
        sd=np.sqrt(np.log1p(ref["cv"].to_numpy() ** 2)),
        margin_lower=np.log(ref["theta1"].to_numpy()),
        margin_upper=np.log(ref["theta2"].to_numpy()),
        alpha=ref["alpha"].to_numpy(),
        target_power=ref["target_power"].to_numpy(),
        method="exact",
    )
    n_total, power = np.asarray(res.n_total, dtype=float), np.asarray(res.power, dtype=float)
    out = []
    for i, row in enumerate(ref.to_dict("records")):
        case = (
            f"PowerTOST parallel row {ref.index[i] + 1}: CV {row['cv']} theta0 {row['theta0']} "
            f"limits {row['theta1']:.4g}-{row['theta2']:.4g} target {row['target_power']}"
        )
        out.append(
            compare(
                AREA, "clinical-means-samplesize", case, "n total", float(row["n"]), n_total[i], 0.0, "exact"
            )
        )
        out.append(
            compare(AREA, "clinical-means-samplesize", case, "power", float(row["power"]), power[i], 1e-9)
        )
    return out


def _ada_summary(reference: Path) -> list[CaseResult]:
    """Positive samples, incidence per arm and visit, treatment-emergent incidence and the differences
    test - reference of ``clinical/ada_listing.csv`` (the values of ``ada_summary_reference.csv``)."""
    ref = named_values(reference / "clinical" / "ada_summary_reference.csv")
    result = run_kind("ada-summary", reference / "clinical" / "ada_listing.csv", ADA_OPTIONS)
    table = result_frame(result)
    label = "ada_listing.csv, screening 1.2, confirmatory 20%"
    counts = ("n_evaluable", "n_positive", "n_subjects", "n_induced", "n_baseline_positive")
    rows = {}
    for row in table.to_dict("records"):
        if row["table"] == "incidence":
            rows[f"incidence {row['arm']} {row['timepoint']}"] = row
        elif row["table"] == "treatment-emergent":
            rows[f"treatment-emergent {row['arm']}"] = row
        else:
            rows[f"difference {row['arm']} - {row['reference_arm']} {row['timepoint']}"] = row
    out = []
    for case, expected in ref.items():
        out += named_cases(
            (AREA, "ada-summary-r", f"{label}, {case}"), expected, rows[case], ADA_RTOL, counts
        )
    return out
