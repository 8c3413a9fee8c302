"""The listing of sampled subjects that an ADSL or a DM domain does not have, one helper for both errors."""

from __future__ import annotations

import numpy as np
import pandas as pd

from bioparity.io.adsl import MISSING_LISTED, missing_subjects


def test_each_missing_subject_once_in_sample_order_with_the_count() -> None:
    subjects = pd.Series(["S3", "S1", "S3", "S2", "S1"], dtype="string")
    known = np.array([False, True, False, False, True])
    assert missing_subjects(subjects, known) == "2: S3, S2"


def test_more_than_the_listed_subjects_end_with_dots_after_the_count() -> None:
    names = [f"X{i}" for i in range(MISSING_LISTED + 2)]
    subjects = pd.Series([*names, "K"], dtype="string")
    known = np.array([False] * len(names) + [True])
    listed = ", ".join(names[:MISSING_LISTED])
    assert missing_subjects(subjects, known) == f"{MISSING_LISTED + 2}: {listed}, ..."
