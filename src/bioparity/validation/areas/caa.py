"""Tolerance factors against R tolerance ``K.factor`` and Howe (1969) (T13-T15), ISO 16269-6 Annex F and
Montgomery & Runger Table XII;
distribution-free minimum numbers of lots against Wilks (1941); whole-profile similarity (centred log-ratio,
Aitchison distance; Aitchison J., The Statistical Analysis of Compositional Data, 1986) against base R; the
``comparability`` kind (ICH Q5E, 2004, sections 2.2 and 2.4) run through its contract against base R
(``reference/cmc/make_comparability_reference.R``: quality ranges of the pre-change lots, per-lot lines and
the difference of mean degradation slopes, ICH Q1E, 2003, Appendix B)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from bioparity.analyses.frames import result_frame
from bioparity.caa import assess, nonparametric_min_lots, read_catalogue, tolerance_factor
from bioparity.io.caa import read_long_table
from bioparity.profiles import profile_similarity
from bioparity.validation.areas._io import named_cases, named_values, read_reference_csv, run_kind
from bioparity.validation.cases import CaseResult, compare

AREA = "caa"
#: The comparability kind against R: means, SDs and least squares in double precision on both sides (as the
#: stability area's tolerance).
COMPARABILITY_RTOL = 1e-8


def run(reference: Path) -> list[CaseResult]:
    """Every row of the three tolerance-factor references and of the Wilks sample sizes; the profile set; the
    comparability kind."""
    return [*_tolerance(reference), *_engine(reference), *_profiles(reference), *_comparability(reference)]


def _engine(reference: Path) -> list[CaseResult]:
    """The assessment engine on three attributes (test v ref-eu, tiered plan): Welch equivalence of lot
    means against +/- 1.5 SD_R, quality range mean_R +/- 3 SD_R, 99/95 tolerance interval; lots inside."""
    folder = reference / "caa"
    result = assess(
        read_long_table(folder / "caa_cli_input.csv"),
        read_catalogue(folder / "caa_engine_catalogue.yaml"),
        [("test", "ref-eu")],
        plan="tiered-2017",
        operating_characteristics=False,
    )
    table = result.table.set_index("attribute")
    methods = {str(a): str(m) for a, m in table["method"].items()}
    out = []
    for row in read_reference_csv(folder / "caa_cli_expected.csv").to_dict("records"):
        attribute, quantity = str(row["attribute"]), str(row["quantity"])
        got = float(table[quantity].to_dict()[attribute])
        how, tol = ("exact", 0.0) if quantity == "n_inside" else ("rel", 1e-8)
        case = f"caa_cli_input.csv, {attribute}, test v ref-eu ({methods[attribute]})"
        out.append(compare(AREA, "caa-engine-r", case, quantity, float(row["expected"]), got, tol, how))
    return out


def _profiles(reference: Path) -> list[CaseResult]:
    """Aitchison distance of each lot to the reference centre (reference lots: leave-one-out), the
    reference mean and SD per species and the threshold (largest leave-one-out distance), against the
    ``profile`` rows of ``cmc/ref_stability.csv`` (R ``log``, ``rowMeans``, ``colMeans``, ``sd``)."""
    table = read_reference_csv(reference / "cmc" / "ref_stability.csv")
    part = table[table["case"] == "profile"]
    ref = dict(zip(part["name"].astype(str), part["value"].astype(float), strict=True))
    long = pd.read_csv(reference / "cmc" / "data_profile.csv")
    wide = long.pivot_table(
        index=["source", "lot"], columns="species", values="value", sort=False
    ).reset_index()
    species = [c for c in wide.columns if c not in ("source", "lot")]
    res = profile_similarity(wide[species].to_numpy(), wide["lot"], wide["source"], species)
    case = "data_profile.csv (8 reference, 5 test lots, 6 species)"
    out = [
        compare(AREA, "profile-r", case, f"Aitchison distance {lot}", ref[f"distance_{lot}"], d, 1e-10, "rel")
        for lot, d in zip(res.lot_table["lot"], res.lot_table["distance"], strict=True)
    ]
    for row in res.species_table.to_dict("records"):
        name = str(row["species"])
        want = ref[f"ref_mean_{name}"]
        out.append(
            compare(
                AREA, "profile-r", case, f"reference mean {name}", want, row["reference_mean"], 1e-12, "rel"
            )
        )
        want = ref[f"ref_sd_{name}"]
        out.append(
            compare(AREA, "profile-r", case, f"reference SD {name}", want, row["reference_sd"], 1e-10, "rel")
        )
    loo = max(v for k, v in ref.items() if k.startswith("distance_R"))
    out.append(
        compare(
            AREA,
            "profile-r",
            case,
            "threshold (largest reference distance)",
            loo,
            res.threshold,
            1e-10,
            "rel",
        )
    )
    return out


def _tolerance(reference: Path) -> list[CaseResult]:
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


def _comparability(reference: Path) -> list[CaseResult]:
    """The comparability kind on ``cmc/comparability.csv`` with its defaults: per release attribute the
    means, SDs, quality range and share of post-change lots inside; per stability attribute and condition
    each lot's line and the slope difference post - pre with its SE, df and 90% interval."""
    folder = reference / "cmc"
    ref = named_values(folder / "comparability_reference.csv")
    table = result_frame(run_kind("comparability", folder / "comparability.csv", {}))
    observed: dict[str, dict[Any, Any]] = {}
    for row in table.to_dict("records"):
        if row["section"] == "quality attributes":
            observed[f"release {row['attribute']}"] = row
        elif row["section"] == "slope difference":
            observed.setdefault(f"stability {row['attribute']} {row['condition']}", {}).update(row)
        elif row["section"] == "lot regression":
            values = {f"{k}_{row['lot']}": row[k] for k in ("intercept", "slope", "slope_se")}
            observed.setdefault(f"stability {row['attribute']} {row['condition']}", {}).update(values)
    out = []
    for case, expected in ref.items():
        where = (AREA, "comparability-r", f"comparability.csv, {case}")
        out += named_cases(where, expected, observed[case], COMPARABILITY_RTOL, ("df",))
    return out
