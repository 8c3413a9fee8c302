"""Shapiro-Wilk beyond 5000 values: R 4.2.2's ``shapiro.test`` refuses them ("sample size must be between 3
and 5000", checked with ``Rscript -e 'shapiro.test(rnorm(5001))'``), as Royston's algorithm AS R94 (Royston
1995, Appl Stat 44:547) is fitted for 3 to 5000 values. SciPy extrapolates it with a warning; the cut point
keeps that p-value for ``method = auto`` and says in a note that it is approximate (no warning escapes)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from bioparity.bioassay import compute_cut_point
from bioparity.bioassay.stats import SHAPIRO_MAX_N


def _frame(donors: int, runs: int) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    u = rng.normal(0, 0.2, donors)
    rows = [
        (f"D{d}", f"R{r}", float(np.exp(4 + u[d] + rng.normal(0, 0.1))))
        for d in range(donors)
        for r in range(runs)
    ]
    return pd.DataFrame(rows, columns=["donor", "run", "value"])


def test_more_than_5000_values_get_a_note_not_a_warning() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        large = compute_cut_point(_frame(51, 100), transform="log", remove_outliers=False)
        small = compute_cut_point(_frame(50, 100), transform="log", remove_outliers=False)
    assert large.n_values == 5100 > SHAPIRO_MAX_N >= small.n_values == 5000
    assert 0.0 <= large.shapiro_p <= 1.0
    assert any(n.startswith("Shapiro-Wilk p of 5100 values is approximate") for n in large.notes)
    assert not any("approximate" in n for n in small.notes)
