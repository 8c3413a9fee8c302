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
    assert default.n_blq_kept.tolist() == [2, 0]  # the two at the end; the pre-dose 0 is the baseline
    assert default.n_blq_dropped.tolist() == [1, 0]
    assert default.blq_imputed.tolist() == [True, False]
    dropped_last = clean_blq(time, conc, None, BLQRule(last="drop", middle=0.5))
    assert dropped_last.n_blq_kept.tolist() == [1, 0]  # the middle one (set to 0.5)
    assert dropped_last.n_blq_dropped.tolist() == [2, 0]


def test_a_pre_dose_zero_is_the_baseline_not_a_blq_handling() -> None:
    """Every profile with a pre-dose 0 was flagged ``blq_imputed`` (also on CMAX and TMAX) and counted among
    the BLQ samples "kept as 0 or imputed": the NCA report of a 30-subject study said "subjects flagged: a
    BLQ sample of the profile kept as 0 or imputed: 30" with no BLQ sample after the dose. PKNCA's default
    (``clean.conc.blq``, first = keep) keeps it as 0 without a note. One imputed with a number is a handling,
    and so is a first BLQ sample after the dose (a lag), kept as 0."""
    time = np.array([[-0.5, 0.0, 1, 2], [0.0, 1, 2, 4], [0.0, 1, 2, 4]])
    conc = np.array([[0.0, 0.0, 5.0, 3.0], [0.0, 0.0, 5.0, 3.0], [1.0, 4.0, 5.0, 3.0]])
    default = clean_blq(time, conc, None, BLQRule())
    assert default.blq_imputed.tolist() == [False, True, False]
    assert default.n_blq_kept.tolist() == [0, 1, 0]  # profile 2: the 0 at 1 h after the dose
    imputed = clean_blq(time, conc, None, BLQRule(first=0.1))
    assert imputed.blq_imputed.tolist() == [True, True, False] and imputed.n_blq_kept.tolist() == [2, 2, 0]
    np.testing.assert_array_equal(default.conc[0, :2], [0.0, 0.0])  # the values themselves unchanged
