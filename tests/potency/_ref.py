"""Shared access to the R reference values in tests/data/reference/potency (see make_reference.R)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from bioparity.io.potency import read_potency_table
from bioparity.potency import AssayData
from bioparity.potency.analyse import assays_from_frame

FOLDER = Path(__file__).resolve().parents[1] / "data" / "reference" / "potency"


def ref(case: str) -> dict[str, float]:
    """Reference values of one case: name -> value (R ``make_reference.R``, 17 significant digits)."""
    frame = pd.read_csv(FOLDER / "ref_results.csv", dtype={"case": str, "name": str})
    part = frame[frame["case"] == case]
    return {str(n): float(v) for n, v in zip(part["name"], part["value"], strict=True)}


def assay(name: str) -> AssayData:
    """The single standard/test pair of a reference data file."""
    (data,) = assays_from_frame(read_potency_table(FOLDER / name))
    return data


def write_three_assays(path: Path) -> Path:
    """Three 4PL assays (A1-A3) of the same test sample: the R reference plate with a little noise added."""
    base = pd.read_csv(FOLDER / "data_4pl.csv")
    rng = np.random.default_rng(4)
    parts = []
    for k in range(3):
        part = base.copy()
        part["assay"] = f"A{k + 1}"
        part["response"] = part["response"] + rng.normal(0, 0.03, len(part))
        parts.append(part)
    pd.concat(parts).to_csv(path, index=False)
    return path


def write_three_parallel_line_assays(path: Path) -> Path:
    """Assays P1-P3 of sample T1 (parallel-line, doses 1, 2, 4, four replicates, a fixed sine noise);
    P2 bends at its middle dose, so its non-linearity test fails."""
    rows = ["assay,sample,dose,replicate,response"]
    for a, (rp, bend) in enumerate([(1.1, 0.0), (0.8, 0.6), (1.0, 0.0)]):
        for s, shift in (("standard", 0.0), ("T1", math.log(rp))):
            for i, dose in enumerate((1.0, 2.0, 4.0)):
                for r in range(4):
                    k = 24 * a + 12 * (s == "T1") + 4 * i + r
                    y = (
                        10
                        + 5 * (math.log(dose) + shift)
                        + (bend if i == 1 else 0.0)
                        + 0.2 * math.sin(1.7 * k)
                    )
                    rows.append(f"P{a + 1},{s},{dose:g},{r + 1},{y!r}")
    path.write_text("\n".join(rows) + "\n")
    return path
