"""``confidence_bound`` over lines with more than one axis (scenarios x lots): one row of bounds per line.

Before, each line argument was made a column with ``[:, None]``, so a ``(2, 3)`` table of lines gave
shape ``(2, 1, 3)`` with 3 times (the times added to the lots' axis, silently) and NumPy's bare
broadcasting error with 4. Each line of a table is checked against the separate call of its row (1-D, the
documented use, checked against R ``predict`` in tests/cmc/test_stability_reference_r.py) and one line
against the hand calculation below.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from scipy import stats

from bioparity.errors import InputError
from bioparity.stability import confidence_bound

#: Two scenarios of three lots each: intercept, slope, s2, df, n, tbar, Sxx.
LINES: dict[str, Any] = {
    "intercept": [[100.0, 98.0, 101.0], [99.0, 97.5, 100.5]],
    "slope": [[-0.2, -0.1, -0.3], [-0.25, -0.15, -0.2]],
    "s2": [[0.25, 0.4, 0.1], [0.3, 0.2, 0.15]],
    "df": [[10, 8, 20], [9, 9, 15]],
    "n": [[12, 10, 22], [11, 11, 17]],
    "tbar": [[6.0, 8.0, 9.0], [6.5, 7.0, 8.0]],
    "sxx": [[360.0, 300.0, 500.0], [350.0, 320.0, 420.0]],
}


def _bound(times: list[float], lines: dict[str, Any], side: str = "lower") -> np.ndarray:
    return confidence_bound(
        times, lines["intercept"], lines["slope"], lines["s2"], lines["df"], lines["n"], lines["tbar"],
        lines["sxx"], 0.95, side,
    )  # fmt: skip


@pytest.mark.parametrize("times", [[0.0, 12.0, 24.0], [0.0, 6.0, 12.0, 24.0], [18.0]])
@pytest.mark.parametrize("side", ["lower", "upper"])
def test_a_table_of_lines_gives_the_bounds_of_each_row(times: list[float], side: str) -> None:
    table = _bound(times, LINES, side)
    assert table.shape == (2, 3, len(times))
    for i in range(2):
        alone = _bound(times, {name: np.asarray(v)[i] for name, v in LINES.items()}, side)
        np.testing.assert_array_equal(table[i], alone)


def test_one_line_by_hand() -> None:
    # scenario 2, lot 3 at t = 24: 100.5 - 0.2 * 24 = 95.7; half width
    # t_{0.95, 15} * sqrt(0.15 * (1/17 + (24 - 8)^2 / 420)) with t_{0.95, 15} = 1.753050 (t table):
    # 1/17 + 256/420 = 0.058824 + 0.609524 = 0.668347; * 0.15 = 0.100252; sqrt = 0.316626;
    # * 1.753050 = 0.555062; 95.7 - 0.555062 = 95.144938
    table = _bound([24.0], LINES)
    half = stats.t.ppf(0.95, 15) * math.sqrt(0.15 * (1 / 17 + 16.0**2 / 420.0))
    assert stats.t.ppf(0.95, 15) == pytest.approx(1.753050, abs=1e-6)
    assert table[1, 2, 0] == pytest.approx(95.7 - half, rel=1e-14)
    assert table[1, 2, 0] == pytest.approx(95.144938, abs=2e-6)


def test_a_table_of_times_and_lines_that_do_not_fit_are_input_errors() -> None:
    with pytest.raises(
        InputError, match=r"time must be one time or a 1-D array of times: got shape \(2, 2\)"
    ):
        confidence_bound([[0.0, 12.0], [6.0, 18.0]], 100.0, -0.2, 0.25, 10, 12, 6.0, 360.0, 0.95)
    with pytest.raises(InputError, match=r"intercept \(2, 3\), slope \(2,\)"):
        confidence_bound([0.0], LINES["intercept"], [-0.2, -0.1], 0.25, 10, 12, 6.0, 360.0, 0.95)
