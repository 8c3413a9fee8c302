"""With the lots not pooled (``dids``) the worst lot's shelf life comes from its own regression line, so a
crossing after that lot's last time point extrapolates even when other lots were followed longer (ICH Q1E
section 2.4, Appendix A): the flag names the lot and its last time point.

Data: an aggregate (HMW %, upper criterion 2.0) of three lots, B1 at 0-36 months, B2 at 0-24 with 9 and 18
missing, B3 at 0-18 (unequal time points). R 4.2.2: ``anova(lm(value ~ time + lot + time:lot))`` gives
p(slopes) 9.0636178131870017e-05 < 0.25, so dids; per lot ``uniroot`` of the upper limit of
``predict(lm(value ~ time), interval = "confidence", level = 0.90)`` minus 2.0 on [0, 180] with tol 1e-12:
B3 crosses first at 33.394970540465494 months, after its last time point 18 but before the study's 36.
"""

from __future__ import annotations

import numpy as np
import pytest

from bioparity.i18n.notes import translate_note
from bioparity.stability import fit_stability
from bioparity.stability.core import LOT_EXTRAPOLATES

LOT = ["B1"] * 8 + ["B2"] * 5 + ["B3"] * 7
TIME = [0, 3, 6, 9, 12, 18, 24, 36, 0, 3, 6, 12, 24, 0, 1, 3, 6, 9, 12, 18]
VALUE = [
    0.5149, 0.5673, 0.747, 0.7945, 0.8135, 0.9728, 1.1555, 1.5166,
    0.4907, 0.5996, 0.6801, 0.961, 1.3602,
    0.5055, 0.5418, 0.657, 0.828, 0.8457, 0.9901, 1.2559,
]  # fmt: skip
R_P_SLOPE = 9.0636178131870017e-05
R_SHELF_LIFE = 33.394970540465494
#: R's uniroot tolerance 1e-12 and the bisection of _first_crossing: agreement to 1e-8 relative
REL = 1e-8


def test_the_worst_lots_own_line_extrapolating_is_flagged() -> None:
    r = fit_stability(np.array(TIME, float), np.array(VALUE), LOT, upper=2.0, time_unit="months")
    assert r.pooling == "dids" and r.p_slope == pytest.approx(R_P_SLOPE, rel=REL)
    assert r.worst_lot == "B3" and r.shelf_life == pytest.approx(R_SHELF_LIFE, rel=REL)
    assert r.max_observed_time == 36.0  # within the study's data, yet beyond B3's 18 months
    assert r.flags[0] == (
        "shelf life 33.39 months extrapolates lot B3's own regression line beyond its last time point "
        "18 months (lots not pooled; ICH Q1E sections 2.3-2.4 and Appendix A limit extrapolation; justify it)"
    )


def test_a_pooled_fit_keeps_the_studys_last_time_point() -> None:
    # imposed common line (R: uniroot on lm(value ~ time) of all lots: 45.16139059308766): it rests on every
    # lot's data, so the flag names the study's last time point 36
    r = fit_stability(np.array(TIME, float), np.array(VALUE), LOT, upper=2.0, pooling="cics")
    assert r.shelf_life == pytest.approx(45.16139059308766, rel=REL)
    assert "shelf life 45.16 extrapolates beyond the last time point 36 (ICH Q1E" in r.flags[1]


def test_the_lot_flag_reads_in_chinese() -> None:
    note = LOT_EXTRAPOLATES.format(shelf=33.39497, unit="months", lot="B3", last=18.0)
    assert "批次 B3 自身的回归线" in translate_note(note, "zh-CN")
