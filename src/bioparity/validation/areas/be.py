"""EMA ABEL Method A and B against replicateBE on its reference data sets rds01-rds10."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from bioparity.be import evaluate_be
from bioparity.validation.areas._io import read_reference_csv
from bioparity.validation.cases import CaseResult, compare

AREA = "be"


def run(reference: Path) -> list[CaseResult]:
    """PE and CI (relative 1e-6), CVwR, CVwT and limits (relative 1e-12), decisions identical."""
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
        cvwt = math.nan if res.cvwt is None else float(res.cvwt)
        checks: list[tuple[str, Any, Any, float, str]] = [
            ("PE (%)", ref["PE(%)"], res.pe, 1e-6, "rel"),
            ("CI lower (%)", ref["CL.lo(%)"], res.ci_lower, 1e-6, "rel"),
            ("CI upper (%)", ref["CL.hi(%)"], res.ci_upper, 1e-6, "rel"),
            ("CVwR (%)", ref["CVwR(%)"], res.cvwr, 1e-12, "rel"),
            ("CVwT (%)", ref["CVwT(%)"], cvwt, 1e-12, "rel"),
            ("lower limit (%)", lower, res.lower_limit, 1e-12, "rel"),
            ("upper limit (%)", upper, res.upper_limit, 1e-12, "rel"),
            ("decision", str(ref["BE"]), "pass" if res.passed else "fail", 0.0, "exact"),
        ]
        if which == "A":
            checks.append(("df", float(ref["DF"]), float(res.df), 0.0, "exact"))
        for quantity, exp, obs, tol, how in checks:
            out.append(compare(AREA, "replicatebe-ab", case, quantity, exp, obs, tol, how))
    return out
