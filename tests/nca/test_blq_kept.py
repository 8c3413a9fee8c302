"""The BLQ rule's count of the samples it keeps (as 0 or as a number it sets), next to the count of those
it drops: "0 BLQ samples left out" and "BLQ imputed" on a profile are then both shown as true."""

from __future__ import annotations

import numpy as np

from bioparity.nca.blq import BLQRule, clean_blq


def test_kept_and_dropped_blq_samples_are_counted_per_profile() -> None:
    nan = np.nan
    time = np.array([[0.0, 1, 2, 4, 8, 12], [0.0, 1, 2, 4, nan, nan]])
    # profile 1: BLQ (0) before dosing, one BLQ in the middle, two at the end; profile 2: none but t=0
    conc = np.array([[0.0, 5.0, 0.0, 3.0, 0.0, 0.0], [0.0, 2.0, 1.5, 1.0, nan, nan]])
    default = clean_blq(time, conc, None, BLQRule())  # first keep, middle drop, last keep
    assert default.n_blq_kept.tolist() == [3, 1]
    assert default.n_blq_dropped.tolist() == [1, 0]
    assert default.blq_imputed.tolist() == [True, True]
    dropped_last = clean_blq(time, conc, None, BLQRule(last="drop", middle=0.5))
    assert dropped_last.n_blq_kept.tolist() == [2, 1]  # the first (0) and the middle one (set to 0.5)
    assert dropped_last.n_blq_dropped.tolist() == [2, 0]
