"""Shapiro-Wilk beyond 5000 values: R 4.2.2's ``shapiro.test`` refuses them ("sample size must be between 3
and 5000", checked with ``Rscript -e 'shapiro.test(rnorm(5001))'``), as Royston's algorithm AS R94 (Royston
1995, Appl Stat 44:547) is fitted for 3 to 5000 values. SciPy extrapolates it with a warning; the cut point
keeps that p-value for ``method = auto`` and says in a note that it is approximate (no warning escapes). The
test is on the donor means, so the note comes with more than 5000 donors, not values."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from bioparity.bioassay import compute_cut_point
from bioparity.bioassay import cutpoint as cutpoint_module
from bioparity.bioassay.stats import SHAPIRO_MAX_N, shapiro_wilk


def _frame(donors: int, runs: int) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    u = rng.normal(0, 0.2, donors)
    rows = [
        (f"D{d}", f"R{r}", float(np.exp(4 + u[d] + rng.normal(0, 0.1))))
        for d in range(donors)
        for r in range(runs)
    ]
    return pd.DataFrame(rows, columns=["donor", "run", "value"])


def test_more_than_5000_values_give_a_p_value_not_a_warning() -> None:
    x = np.random.default_rng(3).normal(size=SHAPIRO_MAX_N + 1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        w, p = shapiro_wilk(x)
    assert 0.0 < w <= 1.0 and 0.0 <= p <= 1.0


def test_the_note_counts_the_donor_means_tested(monkeypatch: pytest.MonkeyPatch) -> None:
    """5100 donor x run values but 51 donor means: inside Royston's range, no note; with the limit lowered
    to 50 (a stand-in for 5000, whose REML fit of 5001 donors is slow) the 51 means get the note."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        many_runs = compute_cut_point(_frame(51, 100), transform="log", remove_outliers=False)
    assert many_runs.n_values == 5100 > SHAPIRO_MAX_N and many_runs.shapiro_n == 51
    assert not any("approximate" in n for n in many_runs.notes)
    monkeypatch.setattr(cutpoint_module, "SHAPIRO_MAX_N", 50)
    lowered = compute_cut_point(_frame(51, 2), transform="log", remove_outliers=False)
    assert any(n.startswith("Shapiro-Wilk p of 51 values is approximate") for n in lowered.notes)
