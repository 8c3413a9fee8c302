"""Confidence intervals for proportions and means against published values (Newcombe 1998 and others), and
exact equivalence sample sizes for means against PowerTOST's parallel-design table."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from bioparity.clinical import (
    ci_difference,
    ci_difference_stratified,
    ci_mean_difference_samples,
    ci_ratio,
    sample_size_equivalence_means,
)
from bioparity.validation.areas._io import read_reference_csv
from bioparity.validation.cases import CaseResult, compare

AREA = "clinical"


def run(reference: Path) -> list[CaseResult]:
    """Every published interval, the t intervals on R's sleep data and the PowerTOST parallel sample sizes."""
    return [*_intervals(reference), *_one_stratum(reference), *_means_sample_size(reference)]


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
