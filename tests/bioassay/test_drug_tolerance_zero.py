"""An ADA level detected at drug level 0 only: the summaries said "detected up to drug 0 ug/mL", read as a
tolerance; now "detected without drug only" (the table still prints the highest drug level detected, 0).

Shipped example ``examples/ada/ada-drug-tolerance.csv`` at the example's screening cut point
1.29934284746556 (R 4.2.2, ``tests/bioassay/test_cut_point_normality_donor_means.py``); R 4.2.2::

    d <- read.csv("examples/ada/ada-drug-tolerance.csv")
    aggregate(signal ~ drug_level, d[d$ada_level == 100, ], mean)  # drug 0: 1.37750, drug 1: 1.28545

ADA 100 ng/mL is detected without drug (1.3775 >= 1.2993) and not at drug 1 ug/mL (1.28545 < 1.2993).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from bioparity.analyses import get_analysis
from bioparity.analyses.frames import frame_result
from bioparity.bioassay import drug_tolerance
from bioparity.i18n import use_language

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "ada" / "ada-drug-tolerance.csv"
CUT_POINT = 1.29934284746556


def test_an_ada_level_detected_only_without_drug_is_said_so() -> None:
    result = drug_tolerance(pd.read_csv(EXAMPLE), cut_point=CUT_POINT)
    assert result.drug_tolerance.tolist()[0] == 0.0
    assert "ADA 100 ng/mL: detected without drug only" in result.summary()
    assert "ADA 250 ng/mL: detected up to drug 10 ug/mL" in result.summary()
    stored = frame_result(result.to_frame())
    kind = get_analysis("ada-drug-tolerance")
    summary = kind.summary(stored, {"cut_point": CUT_POINT})
    assert summary.startswith(
        "ADA 100 ng/mL: detected without drug only; ADA 250 ng/mL: detected up to drug 10"
    )
    with use_language("zh-CN"):
        assert "仅在无药物时检出" in kind.summary(stored, {"cut_point": CUT_POINT})
