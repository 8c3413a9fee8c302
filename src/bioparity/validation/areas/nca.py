"""NCA against PKNCA 0.12.1 on Theoph, MetidaNCA.jl (steady state, urine), the R package PK (sparse sampling),
Bourne's urine worked example and the log-trapezoid closed form T20 (Purves 1992)."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from bioparity.nca import NCAOptions, NCASpec, run_nca
from bioparity.nca.sparse import sparse_nca
from bioparity.nca.urine import urine_nca
from bioparity.validation.areas import nca_more
from bioparity.validation.areas._io import read_reference_csv, row_case
from bioparity.validation.cases import CaseResult, compare

AREA = "nca"
REL_TOL = 1e-6


def run(reference: Path) -> list[CaseResult]:
    """Every reference value of every NCA reference set (tolerances as stated in each file)."""
    ref = reference / "nca"
    return [
        *_theoph(reference),
        *_multiple_dose(ref),
        *_urine_metida(ref),
        *_urine_bourne(ref),
        *_sparse(ref),
        *_t20(ref),
        *nca_more.run(ref),
    ]


def _theoph(reference: Path) -> list[CaseResult]:
    """Every parameter of every subject (relative 1e-6), and the lambda_z point count exactly."""
    data = read_reference_csv(reference / "nca" / "theoph.csv")
    data["dose_mg"] = data["Dose"] * data["Wt"]  # the PKNCA run used the total dose in mg
    expected = read_reference_csv(reference / "expected" / "nca_theoph_linuplogdown.csv")
    res = run_nca(data, NCASpec(subject="Subject", time="Time", conc="conc", dose="dose_mg"))
    got = res.to_frame()
    got["pknca"] = np.tile(np.asarray(res.pknca_names, dtype=object), res.n_profiles)
    got["Subject"] = got["Subject"].astype(int)
    merged = expected.merge(
        got,
        left_on=["Subject", "PPTESTCD"],
        right_on=["Subject", "pknca"],
        how="left",
        suffixes=("", "_ours"),
    )
    out = []
    for row in merged.to_dict("records"):
        name = str(row["PPTESTCD"])
        comparison = "exact" if name == "lambda.z.n.points" else "rel"
        out.append(
            compare(
                AREA,
                "pknca-theoph",
                f"Theoph subject {row['Subject']}",
                f"{name} ({row['PPTESTCD_ours']})",
                float(row["PPORRES"]),
                float(row["PPSTRESN"]),
                REL_TOL,
                comparison,
            )
        )
    return out


def _allclose(
    reference: str, case: str, quantity: str, row: Mapping[Hashable, Any], observed: float
) -> CaseResult:
    """``|observed - expected| <= abs_tol + rel_tol * |expected|`` (numpy allclose), as abs or rel, with
    ``expected``, ``abs_tolerance`` and ``rel_tolerance`` from the reference ``row``."""
    expected, abs_tol = float(row["expected"]), float(row["abs_tolerance"])
    rel_tol = float(row["rel_tolerance"])
    if abs_tol == 0.0:
        return compare(AREA, reference, case, quantity, expected, observed, rel_tol, "rel")
    tol = abs_tol + (rel_tol * abs(expected) if np.isfinite(expected) else 0.0)
    return compare(AREA, reference, case, quantity, expected, observed, tol)


def _multiple_dose(ref: Path) -> list[CaseResult]:
    """MetidaNCA test sets #6 and #7: per-subject steady-state parameters, relative 5e-7."""
    data = read_reference_csv(ref / "metidanca_pkdata2.csv")
    expected = read_reference_csv(ref / "metidanca_multiple_dose.csv")
    out = []
    for which, rows in expected.groupby("set", sort=False):
        first = rows.iloc[0]
        subjects = np.unique(data["Subject"].to_numpy())
        doses = pd.DataFrame(
            {"Subject": subjects, "time": float(first["dose_time"]), "dose": float(first["dose"])}
        )
        spec = NCASpec(
            subject="Subject", time="Time", conc="Concentration", tau=float(first["tau"]),
            options=NCAOptions(auc_method=str(first["auc_method"])),
        )  # fmt: skip
        wide = run_nca(data, spec, dosing=doses).to_wide()
        ids = wide["Subject"].astype(int).to_list()
        observed = {
            (s, str(c)): float(v)
            for c in rows["PPTESTCD"].unique()
            for s, v in zip(ids, wide[c].to_numpy(dtype=float), strict=True)
        }
        for row in rows.to_dict("records"):
            code, subject = str(row["PPTESTCD"]), int(row["Subject"])
            out.append(
                compare(
                    AREA,
                    "metidanca-multiple-dose",
                    f"MetidaNCA set #{which} ({row['auc_method']}, tau {row['tau']:g}) subject {subject}",
                    code,
                    float(row["expected"]),
                    observed[(subject, code)],
                    float(row["rel_tolerance"]),
                    "rel",
                )
            )
    return out


def _urine_metida(ref: Path) -> list[CaseResult]:
    """MetidaNCA urine PK on upkdata (dose 100): max(abs, rel x |expected|) as pytest.approx."""
    data = read_reference_csv(ref / "metidanca_upkdata.csv")
    res = urine_nca(data, subject="subj", start="st", end="et", volume="vol", dose=100.0)
    out = []
    for row in read_reference_csv(ref / "metidanca_urine.csv").to_dict("records"):
        expected = float(row["expected"])
        tol = max(float(row["abs_tolerance"]), float(row["rel_tolerance"]) * abs(expected))
        code = str(row["PPTESTCD"])
        observed = float(res.value(code)[0])
        out.append(
            compare(AREA, "metidanca-urine", "MetidaNCA upkdata, dose 100", code, expected, observed, tol)
        )
    return out


def _urine_bourne(ref: Path) -> list[CaseResult]:
    """Bourne Table 12.11.1: amounts, cumulative amounts, midpoints and rates per collection; totals."""
    data = read_reference_csv(ref / "bourne_urine_input.csv")
    res = urine_nca(data, conc="conc_mg_ml", volume="volume_ml", dose=300.0)
    coll = res.collections
    out = []
    for row in read_reference_csv(ref / "bourne_urine_expected.csv").to_dict("records"):
        quantity, which = str(row["quantity"]), str(row["collection"])
        if which == "total":
            case, observed = "Bourne Table 12.11.1, IV 300 mg, total", float(res.value(quantity)[0])
        else:
            i = int(which) - 1
            case = (
                f"Bourne Table 12.11.1, collection {which} ({data['start'].iloc[i]}-{data['end'].iloc[i]} h)"
            )
            observed = float(coll[quantity].iloc[i])
        out.append(_allclose("bourne-urine", case, quantity, row, observed))
    return out


def _sparse(ref: Path) -> list[CaseResult]:
    """PK package on PKNCA's d_sparse: batch (as sampled) and serial (one sample per animal) designs."""
    data = read_reference_csv(ref / "pknca_sparse_input.csv")
    results = {
        "batch": sparse_nca(data, subject="id"),
        "serial": sparse_nca(data.assign(id=np.arange(len(data))), subject="id"),
    }
    out = [
        compare(AREA, "pk-sparse", f"PKNCA d_sparse, {d} design", "design recognised", d, res.design[0])
        for d, res in results.items()
    ]
    for row in read_reference_csv(ref / "pknca_sparse_expected.csv").to_dict("records"):
        design, code = str(row["design"]), str(row["PPTESTCD"])
        observed = float(results[design].value(code)[0])
        out.append(_allclose("pk-sparse", f"PKNCA d_sparse, {design} design", code, row, observed))
    return out


def _t20(ref: Path) -> list[CaseResult]:
    """T20: the 1-3 h area of 0, 10, 5 at 0, 1, 3 h (AUClast minus the linear first part; Purves 1992)."""
    out = []
    for row in read_reference_csv(ref / "regulatory_t20.csv").to_dict("records"):
        time = [float(v) for v in str(row["time"]).split("|")]
        conc = [float(v) for v in str(row["conc"]).split("|")]
        frame = pd.DataFrame({"subject": 1, "time": time, "conc": conc})
        method = str(row["auc_method"])
        spec = NCASpec(parameters=("AUCLST",), options=NCAOptions(auc_method=method))
        auclst = run_nca(frame, spec).value("AUCLST")[0]
        case = f"{row['test']}: {method}, C {row['conc']} at t {row['time']}"
        out.append(
            row_case(AREA, "nca-regulatory-t20", case, row, float(auclst) - float(row["first_segment"]))
        )
    return out
