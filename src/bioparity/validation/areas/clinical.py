"""Confidence intervals for proportions and means against published values (Newcombe 1998 and others)."""

from __future__ import annotations

from pathlib import Path

from bioparity.clinical import ci_difference, ci_mean_difference_samples, ci_ratio
from bioparity.validation.areas._io import read_reference_csv
from bioparity.validation.cases import CaseResult, compare

AREA = "clinical"


def run(reference: Path) -> list[CaseResult]:
    """Every published interval (both limits) and the two t intervals on R's sleep data."""
    out = []
    table = read_reference_csv(reference / "clinical" / "published_intervals.csv")
    for row in table.to_dict("records"):
        counts = (int(row["x1"]), int(row["n1"]), int(row["x2"]), int(row["n2"]))
        fn = ci_difference if row["measure"] == "difference" else ci_ratio
        res = fn(*counts, method=str(row["method"]), conf=float(row["conf"]))
        case = f"{row['case']}: {counts[0]}/{counts[1]} vs {counts[2]}/{counts[3]}"
        label = f"{row['measure']} {row['method']} {row['conf']:.0%}"
        tol = float(row["tolerance"]) + 1e-12
        out.append(
            compare(AREA, "clinical-published", case, f"{label} lower", row["lower"], float(res.lower), tol)
        )
        out.append(
            compare(AREA, "clinical-published", case, f"{label} upper", row["upper"], float(res.upper), tol)
        )
    sleep = read_reference_csv(reference / "clinical" / "sleep_t_test.csv")
    g1, g2 = (sleep.loc[sleep["group"] == g, "extra"].to_numpy() for g in (1, 2))
    intervals = read_reference_csv(reference / "clinical" / "t_intervals_sleep.csv")
    for row in intervals.to_dict("records"):
        means = ci_mean_difference_samples(g1, g2, method=str(row["method"]), conf=float(row["conf"]))
        case = "R datasets::sleep, group 1 - group 2"
        for side in ("lower", "upper"):
            out.append(
                compare(
                    AREA,
                    "clinical-published",
                    case,
                    f"mean difference {row['method']} {side}",
                    row[side],
                    float(getattr(means, side)),
                    float(row["tolerance"]),
                )
            )
    return out
