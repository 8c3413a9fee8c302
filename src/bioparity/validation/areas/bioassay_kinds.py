"""The analysis kinds ``ada-sensitivity``, ``ada-drug-tolerance`` and ``isr`` run through their contracts on
their example files, against base R (``reference/bioassay/make_kinds_reference.R``): the sensitivity as the
concentration detected in 95% of runs, ``mean + t(0.95, n - 1) SD`` of the per-run concentrations at the cut
point by interpolation on log10 concentration or an inverted 4PL fit (Shankar et al. 2008, J Pharm Biomed Anal
48:1267, section 3.3 and Appendix 2; Findlay & Dillard 2007, AAPS J 9:E260; FDA 2019 ADA guidance, section
IV.C); the drug tolerance as the highest drug level up to which an ADA level is detected (FDA 2019 ADA
guidance, section IV.D); incurred sample reanalysis, the % difference from the mean and the two-thirds rule
(ICH M10, 2022, section 7)."""

from __future__ import annotations

from pathlib import Path

from bioparity.analyses.frames import result_frame
from bioparity.validation.areas._io import named_cases, named_values, run_kind
from bioparity.validation.cases import CaseResult

AREA = "bioassay"
#: Interpolation, means and SDs against R: both sides in double precision.
RTOL = 1e-10
#: The 4PL fits: scipy's Levenberg-Marquardt (curve_fit) against R's nls (port), each stopped by its own
#: convergence rule (curve_fit stops at a relative change of 1.5e-8 in the sum of squares): they agree
#: to 3e-6 relative at most.
FOUR_PL_RTOL = 1e-5
#: The cut point of the example files (signal units), as in make_kinds_reference.R.
CUT_POINT = 1.25


def run(folder: Path) -> list[CaseResult]:
    """The three kinds' cases of ``kinds_reference.csv``."""
    ref = named_values(folder / "kinds_reference.csv")
    return [*_sensitivity(folder, ref), *_drug_tolerance(folder, ref), *_isr(folder, ref)]


def _sensitivity(folder: Path, ref: dict[str, dict[str, str]]) -> list[CaseResult]:
    out = []
    for method, rtol in (("linear", RTOL), ("4pl", FOUR_PL_RTOL)):
        result = run_kind(
            "ada-sensitivity", folder / "kinds_sensitivity.csv", {"cut_point": CUT_POINT, "method": method}
        )
        table = result_frame(result)
        observed = {
            f"concentration_at_cut_point_{r}": c
            for r, c in zip(table["runs"], table["concentration_at_cut_point"], strict=True)
        }
        observed |= {"mean": table["mean"].iloc[0], "sd": table["sd"].iloc[0]}
        observed["sensitivity_95"] = result["sensitivity_95"]
        case = f"kinds_sensitivity.csv, {method}, cut point {CUT_POINT:g}"
        out += named_cases((AREA, "ada-sensitivity-r", case), ref[f"sensitivity {method}"], observed, rtol)
    return out


def _drug_tolerance(folder: Path, ref: dict[str, dict[str, str]]) -> list[CaseResult]:
    result = run_kind("ada-drug-tolerance", folder / "kinds_drug_tolerance.csv", {"cut_point": CUT_POINT})
    table = result_frame(result)
    observed: dict[str, object] = {}
    for level, tolerance, every in zip(
        table["ada_levels"], table["drug_tolerance"], table["detected_at_all_levels"], strict=True
    ):
        observed[f"drug_tolerance_{level:g}"] = tolerance
        observed[f"detected_at_all_levels_{level:g}"] = every
    case = f"kinds_drug_tolerance.csv, cut point {CUT_POINT:g}"
    expected = ref["drug tolerance"]
    return named_cases((AREA, "ada-drug-tolerance-r", case), expected, observed, 0.0, exact=expected)


def _isr(folder: Path, ref: dict[str, dict[str, str]]) -> list[CaseResult]:
    out = []
    for assay in ("ligand-binding", "chromatographic"):
        result = run_kind("isr", folder / "kinds_isr.csv", {"assay": assay})
        table = result_frame(result)
        observed: dict[str, object] = {
            f"percent_difference_{s}": d
            for s, d in zip(table["samples"], table["percent_difference"], strict=True)
        }
        observed |= {k: result[k] for k in ("n_within", "share_within", "passed")}
        case = f"kinds_isr.csv, {assay}"
        expected = ref["isr"] | ref[f"isr {assay}"]
        out += named_cases((AREA, "isr-r", case), expected, observed, RTOL, exact=("n_within",))
    return out
