"""The Farrington-Manning sample size and power (``method="fm"``, ``ci_method="fm"``) against the published
tables of Farrington CP, Manning G (1990), Test statistics and sample size formulae for comparative
binomial trials with null hypothesis of non-zero risk difference or non-unity relative risk, Stat Med
9:1447-1454.

Published values (transcribed from the article as the R package bbssr's reproduction of published values,
``inst/reproduce/reproduce-published.R``, lists them; checked there against the article):

* the worked example (section 3): p1 = 0.4, p2 = 0.05, s0 = 0.2, equal groups, one-sided level 0.05, power
  0.8: restricted maximum likelihood estimates 0.2935 and 0.0935 (4 decimals), 80 patients per group;
* Table I: one-sided level 0.05, power 0.9, theta = N2/N1 in 2/3, 1, 3/2: N1 and N2 from formula (4),
  each rounded to the nearest integer, and the true (exact) power at those sizes in per cent to two
  decimals; Table II, method 3: two settings with equal groups (N = 103 and 558).

The paper tests H0: p1 - p2 <= s0 against p1 - p2 > s0: here a lower margin s0 and upper margin 1 (the
upper one-sided test then rejects with probability about 1: module docstring of
:mod:`bioparity.clinical.sample_size_proportions`), ``ratio = n1/n2 = 1/theta``.

Where the numbers differ, and why (each checked below):

* sample sizes: ours is the smallest n2 whose power reaches the target, with n1 = ceil(ratio n2); the
  paper rounds formula (4) to the nearest integer. So ours is the paper's or one more in a group: either
  the paper's sizes fall short of the target power (nearest rounding rounded down), or n1 = ceil(n2/theta)
  is one more than the paper's separately rounded N1 (allocation rounding);
* true power: the published powers leave out the outcome with no responder in either group (for s0 < 0
  the score test rejects there, and our enumeration counts it). Without it, ours is the published value
  to its two decimals (per cent, truncated; in two cells ours lies less than 0.002 percentage points
  below, so truncation gives one unit less, and in one the published 90.23 is a unit below ours, 90.241:
  the same three cells bbssr finds, :data:`EXPLAINED`). Cells with more than ``EXACT_N_MAX`` per group
  are left to the sample-size check.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import binom

from bioparity.clinical import power_equivalence_proportions, sample_size_equivalence_proportions
from bioparity.clinical.sample_size_proportions import EXACT_N_MAX
from bioparity.clinical.score import restricted_mle_difference

#: Table I: (p1, p2, s0), then per theta = 2/3, 1, 3/2 the published (N1, N2, true power %).
TABLE_I: dict[tuple[float, float, float], tuple[tuple[int, int, float], ...]] = {
    (0.1, 0.1, -0.2): ((63, 42, 91.56), (46, 46, 91.17), (34, 52, 90.98)),
    (0.2, 0.1, -0.1): ((75, 50, 91.25), (57, 57, 91.34), (45, 68, 91.20)),
    (0.5, 0.1, 0.2): ((94, 62, 90.14), (78, 78, 90.60), (67, 101, 90.23)),
    (0.05, 0.05, -0.2): ((45, 30, 88.40), (32, 32, 88.84), (23, 35, 90.70)),
    (0.1, 0.05, -0.05): ((168, 112, 90.84), (128, 128, 91.36), (101, 151, 92.68)),
    (0.25, 0.05, 0.1): ((235, 156, 90.77), (197, 197, 90.59), (173, 260, 90.65)),
    (0.01, 0.01, -0.2): ((26, 18, 22.68), (18, 18, 16.34), (13, 19, 12.07)),
    (0.02, 0.01, -0.01): ((914, 609, 90.75), (695, 695, 91.97), (544, 816, 92.63)),
    (0.05, 0.01, 0.02): ((1357, 905, 90.91), (1151, 1151, 90.88), (1018, 1527, 90.68)),
}
THETAS = (2 / 3, 1.0, 3 / 2)
CELLS = [
    (p1, p2, s0, theta, n1, n2, power)
    for (p1, p2, s0), row in TABLE_I.items()
    for theta, (n1, n2, power) in zip(THETAS, row, strict=True)
]
#: Table II, method 3: p1 = p2 = p, s0, published N per group (equal groups).
TABLE_II = ((0.05, -0.1, 103), (0.01, -0.02, 558))
TARGET = 0.9
#: Cells whose published true power is not the truncation of ours: (low, high) bounds of ours minus the
#: published value, in percentage points. Two lie less than 0.002 below it (truncation gives one unit less,
#: rounding the published value); one is a unit of the last decimal below ours (90.23 for 90.241), as
#: bbssr's independent recomputation also finds: a misprint or another rounding in the article.
EXPLAINED: dict[tuple[float, float, float, float], tuple[float, float]] = {
    (0.2, 0.1, -0.1, 1.0): (-0.002, 0.0),
    (0.01, 0.01, -0.2, 1.0): (-0.002, 0.0),
    (0.5, 0.1, 0.2, 3 / 2): (0.01, 0.02),
}


def _fm_power(p1: float, p2: float, s0: float, n1: int, n2: int, method: str = "fm") -> float:
    return float(
        power_equivalence_proportions(
            p1=p1, p2=p2, n1=n1, n2=n2, margin_lower=s0, margin_upper=1.0, alpha=0.05, method=method,
            ci_method="fm",
        ).power
    )  # fmt: skip


def test_the_restricted_estimates_of_the_worked_example() -> None:
    r1, r2 = restricted_mle_difference(
        np.array(0.4), np.array(1.0), np.array(0.05), np.array(1.0), np.array(0.2)
    )
    assert float(r1) == pytest.approx(0.2935, abs=5e-5) and float(r2) == pytest.approx(0.0935, abs=5e-5)


def test_the_sample_size_of_the_worked_example() -> None:
    r = sample_size_equivalence_proportions(
        p1=0.4, p2=0.05, margin_lower=0.2, margin_upper=1.0, alpha=0.05, target_power=0.8, method="fm"
    )
    assert (int(r.n1), int(r.n2)) == (80, 80)


@pytest.mark.parametrize(("p1", "p2", "s0", "theta", "n1", "n2", "power"), CELLS)
def test_the_sample_sizes_of_table_i(
    p1: float, p2: float, s0: float, theta: float, n1: int, n2: int, power: float
) -> None:
    r = sample_size_equivalence_proportions(
        p1=p1, p2=p2, margin_lower=s0, margin_upper=1.0, alpha=0.05, target_power=TARGET, ratio=1 / theta,
        method="fm",
    )  # fmt: skip
    ours = (int(r.n1), int(r.n2))
    assert n1 <= ours[0] <= n1 + 1 and n2 <= ours[1] <= n2 + 1
    if ours != (n1, n2):  # why: the paper's sizes miss the target, or its N1 is not ceil(N2 / theta)
        short = _fm_power(p1, p2, s0, n1, n2) < TARGET
        allocation = ours == (math.ceil(round(n2 / theta, 9)), n2) and n1 < ours[0]
        assert short or allocation, (ours, (n1, n2))


@pytest.mark.parametrize(("p", "s0", "n"), TABLE_II)
def test_the_sample_sizes_of_table_ii_method_3(p: float, s0: float, n: int) -> None:
    r = sample_size_equivalence_proportions(
        p1=p, p2=p, margin_lower=s0, margin_upper=1.0, alpha=0.05, target_power=TARGET, method="fm"
    )
    assert int(r.n1) == int(r.n2) in (n, n + 1)
    if int(r.n2) == n + 1:  # 558: rounded to the nearest integer, below the target power
        assert _fm_power(p, p, s0, n, n) < TARGET <= _fm_power(p, p, s0, n + 1, n + 1)


@pytest.mark.parametrize(
    ("p1", "p2", "s0", "theta", "n1", "n2", "power"), [c for c in CELLS if max(c[4], c[5]) <= EXACT_N_MAX]
)
def test_the_true_powers_of_table_i_without_the_outcome_of_no_responders(
    p1: float, p2: float, s0: float, theta: float, n1: int, n2: int, power: float
) -> None:
    exact = _fm_power(p1, p2, s0, n1, n2, method="exact")
    none_responded = float(binom.pmf(0, n1, p1) * binom.pmf(0, n2, p2))
    if s0 < 0:  # the score test rejects at 0/n1 v 0/n2 (difference 0 > s0): the paper leaves it out
        assert exact - none_responded >= 0.0
        exact -= none_responded
    low, high = EXPLAINED.get((p1, p2, s0, theta), (0.0, 0.01))  # per cent to two decimals, truncated
    assert power + low <= 100 * exact < power + high
