"""The ``be`` run report's bookkeeping of missing data reads without contradiction (assessor's review).

replicateBE's reference data set 01 (TRTR/RTRT, 77 subjects) has 298 rows for 308 subject-periods: ten
periods have no row at all and no row has an empty PK cell. The report printed "missing values 0" beside
"missing values per sequence 7, 3" and "missing values per period 0, 1, 7, 2"; the counts are right (the
same bookkeeping as replicateBE's report) but they count different things, so the labels say which.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from bioparity.analyses.be import be_kind
from bioparity.analyses.terms import labelled

RDS01 = Path(__file__).resolve().parents[1] / "data" / "reference" / "replicate_be" / "rds01.csv"


def test_missing_rows_and_missing_observations_are_told_apart() -> None:
    frame = pd.read_csv(RDS01)
    assert len(frame) == 298 and frame["PK"].notna().all()  # 77 x 4 = 308 subject-periods: 10 without a row
    shown = dict(labelled(be_kind(frame, {"method": "abe"})))
    assert shown["rows with an empty PK value"] == 0
    per_sequence = shown["observations missing per sequence (no row or no value)"]
    per_period = shown["observations missing per period (no row or no value)"]
    assert list(per_sequence) == [7, 3] and list(per_period) == [0, 1, 7, 2]
    assert sum(per_sequence) == sum(per_period) == 77 * 4 - len(frame)
    assert "missing values" not in shown  # the old label, ambiguous beside the two counts
