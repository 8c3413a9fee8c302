"""Power and sample size against PowerTOST (sampleN.TOST, power.TOST) and its published examples."""

from __future__ import annotations

import math
from pathlib import Path

from bioparity.power import cv_from_ci, power_tost, sample_size_tost
from bioparity.validation.areas._io import read_reference_csv
from bioparity.validation.cases import CaseResult, compare

AREA = "power"


def run(reference: Path) -> list[CaseResult]:
    """Every row of the PowerTOST reference files and the published examples."""
    return [*_sample_sizes(reference), *_powers(reference), *_published(reference)]


def _sample_sizes(reference: Path) -> list[CaseResult]:
    ref = read_reference_csv(reference / "expected" / "sample_size_tost.csv")
    res = sample_size_tost(
        design=ref["design"].to_numpy(dtype=object),
        cv=ref["cv"].to_numpy(),
        theta0=ref["theta0"].to_numpy(),
        theta1=ref["theta1"].to_numpy(),
        theta2=ref["theta2"].to_numpy(),
        alpha=ref["alpha"].to_numpy(),
        target_power=ref["target_power"].to_numpy(),
    )
    out = []
    n_ref, power_ref = ref["n"].to_numpy(dtype=float), ref["power"].to_numpy(dtype=float)
    for i, row in enumerate(ref.itertuples()):
        case = (
            f"row {i + 1}: {row.design} CV {row.cv} theta0 {row.theta0} "
            f"limits {row.theta1:.4g}-{row.theta2:.4g} target {row.target_power}"
        )
        out.append(
            compare(AREA, "powertost-samplesize", case, "n", n_ref[i], float(res.n[i]), comparison="exact")
        )
        out.append(
            compare(AREA, "powertost-samplesize", case, "power", power_ref[i], float(res.power[i]), 1e-9)
        )
    return out


def _powers(reference: Path) -> list[CaseResult]:
    ref = read_reference_csv(reference / "expected" / "power_tost.csv")
    out = []
    for method, tol in (("exact", 1e-9), ("nct", 1e-7), ("shifted", 1e-7)):
        res = power_tost(
            design=ref["design"].to_numpy(dtype=object),
            cv=ref["cv"].to_numpy(),
            theta0=ref["theta0"].to_numpy(),
            n=ref["n"].to_numpy(),
            method=method,
        )
        column = ref[f"power_{method}"].to_numpy(dtype=float)
        for i, row in enumerate(ref.itertuples()):
            case = f"row {i + 1}: {row.design} CV {row.cv} theta0 {row.theta0} n {row.n}"
            out.append(
                compare(AREA, "powertost-power", case, f"power ({method})", column[i], res.power[i], tol)
            )
    return out


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _published(reference: Path) -> list[CaseResult]:
    ref = read_reference_csv(reference / "power" / "published_vectors.csv")
    out = []
    for row in ref.to_dict("records"):
        groups = (
            None if _blank(row["n_by_group"]) else tuple(int(v) for v in str(row["n_by_group"]).split("|"))
        )
        theta1 = None if _blank(row["theta1"]) else float(row["theta1"])
        theta2 = None if _blank(row["theta2"]) else float(row["theta2"])
        if row["function"] == "power":
            n = None if groups else int(row["n"])
            observed = float(
                power_tost(
                    design=row["design"],
                    cv=row["cv"],
                    theta0=row["theta0"],
                    n=n,
                    n_by_group=groups,
                    method=row["method"],
                    theta1=theta1,
                    theta2=theta2,
                )
            )
        elif row["function"] == "samplesize":
            res = sample_size_tost(
                design=row["design"],
                cv=row["cv"],
                theta0=row["theta0"],
                method=row["method"],
                theta1=theta1,
                theta2=theta2,
            )
            observed = float(res.n) if row["quantity"] == "n" else float(res.power)
        else:
            observed = cv_from_ci(
                lower=row["lower"],
                upper=row["upper"],
                point=row["point"],
                n=groups if groups else int(row["n"]),
                design=row["design"],
            )
        comparison = "exact" if row["quantity"] == "n" else "abs"
        out.append(
            compare(
                AREA,
                "powertost-published",
                str(row["case"]),
                str(row["quantity"]),
                float(row["expected"]),
                observed,
                float(row["tolerance"]),
                comparison,
            )
        )
    return out
