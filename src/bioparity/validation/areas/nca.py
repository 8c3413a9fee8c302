"""NCA against PKNCA 0.12.1 on R datasets::Theoph (lin-up/log-down, 0-Inf, PKNCA defaults)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from bioparity.nca.frame import nca
from bioparity.validation.areas._io import read_reference_csv
from bioparity.validation.cases import CaseResult, compare

AREA = "nca"
REL_TOL = 1e-6


def run(reference: Path) -> list[CaseResult]:
    """Every parameter of every subject (relative 1e-6), and the lambda_z point count exactly."""
    data = read_reference_csv(reference / "nca" / "theoph.csv")
    data["dose_mg"] = data["Dose"] * data["Wt"]  # the PKNCA run used the total dose in mg
    expected = read_reference_csv(reference / "expected" / "nca_theoph_linuplogdown.csv")
    res = nca(data, subject="Subject", time="Time", conc="conc", dose="dose_mg")
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
