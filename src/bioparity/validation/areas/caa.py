"""Tolerance factors against R tolerance ``K.factor`` and Howe (1969) (T13-T15), ISO 16269-6 Annex F and
Montgomery & Runger Table XII;
distribution-free minimum numbers of lots against Wilks (1941)."""

from __future__ import annotations

from pathlib import Path

from bioparity.caa import nonparametric_min_lots, tolerance_factor
from bioparity.validation.areas._io import read_reference_csv
from bioparity.validation.cases import CaseResult, compare

AREA = "caa"


def run(reference: Path) -> list[CaseResult]:
    """Every row of the three tolerance-factor references and of the Wilks sample sizes."""
    out = []
    vectors = read_reference_csv(reference / "caa" / "regulatory_tolerance_vectors.csv")
    for row in vectors.to_dict("records"):
        k = float(
            tolerance_factor(int(row["n"]), row["coverage"], row["confidence"], method=str(row["method"]))
        )
        case = f"{row['test']}: n {row['n']}, {row['coverage']}/{row['confidence']}"
        out.append(
            compare(
                AREA,
                "tolerance-vectors",
                case,
                f"k two-sided ({row['method']})",
                row["k"],
                k,
                float(row["tolerance"]),
            )
        )
    iso = read_reference_csv(reference / "caa" / "two_sided_factors_iso16269.csv")
    k_iso = tolerance_factor(iso["n"].to_numpy(), iso["coverage"].to_numpy(), iso["confidence"].to_numpy())
    for i, row in enumerate(iso.to_dict("records")):
        case = f"ISO 16269-6: n {row['n']}, {row['coverage']}/{row['confidence']}"
        out.append(
            compare(
                AREA, "iso16269-two-sided", case, "k two-sided (exact)", row["k"], k_iso[i], 1e-4, "max-below"
            )
        )
    one = read_reference_csv(reference / "caa" / "one_sided_factors_montgomery.csv")
    k_one = tolerance_factor(
        one["n"].to_numpy(), one["coverage"].to_numpy(), one["confidence"].to_numpy(), side=1
    )
    for i, row in enumerate(one.to_dict("records")):
        case = f"Montgomery XII: n {row['n']}, {row['coverage']}/{row['confidence']}"
        out.append(
            compare(AREA, "montgomery-one-sided", case, "k one-sided", row["k"], k_one[i], 5e-4 + 1e-9)
        )
    wilks = read_reference_csv(reference / "caa" / "nonparametric_min_lots_wilks.csv")
    for row in wilks.to_dict("records"):
        case = f"Wilks (1941): coverage {row['coverage']}, confidence {row['confidence']}"
        for side, column in ((2, "n_two_sided"), (1, "n_one_sided")):
            n = nonparametric_min_lots(float(row["coverage"]), float(row["confidence"]), side=side)
            label = "two-sided (min, max)" if side == 2 else "one-sided (max)"
            out.append(
                compare(
                    AREA, "wilks-min-lots", case, f"lots {label}", float(row[column]), float(n), 0.0, "exact"
                )
            )
    return out
