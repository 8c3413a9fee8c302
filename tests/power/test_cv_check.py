"""The warning for a CV typed as a percentage (finding F8: ``--cv 30`` gave power 9e-16 silently).

A CV of 2 (200%) or more is flagged, never refused or changed (PowerTOST accepts any CV > 0); a CV of
1.5 is not flagged. The grid reader names the rows and the column; the stored note reads back in Chinese.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from bioparity.i18n.notes import match_note, translate_note
from bioparity.io.power_grid import SHOWN_ROWS, grid_cv_warning
from bioparity.power import power_tost
from bioparity.power.cv_check import CV_AS_PERCENT, CV_PERCENT_THRESHOLD, cv_percent_warning


def test_a_cv_of_30_is_named_as_3000_percent() -> None:
    assert cv_percent_warning(30) == "CV 30 is 3000%: a CV is a ratio (0.3 for 30%); computed as given"
    assert cv_percent_warning(2.5) == "CV 2.5 is 250%: a CV is a ratio (0.025 for 2.5%); computed as given"


@pytest.mark.parametrize("cv", [0.3, 1.0, 1.5, 1.999, math.inf, math.nan])
def test_a_plausible_or_non_finite_cv_gives_no_warning(cv: float) -> None:
    assert cv_percent_warning(cv) is None


def test_the_threshold_is_200_percent() -> None:
    assert CV_PERCENT_THRESHOLD == 2.0
    assert cv_percent_warning(2.0) == "CV 2 is 200%: a CV is a ratio (0.02 for 2%); computed as given"


def test_the_number_is_computed_as_given() -> None:
    # sigma = sqrt(log(1 + 30^2)) = 2.608: power of a 2x2 with 24 subjects ~ 9.1e-16 (not refused)
    assert float(power_tost(design="2x2", cv=30, theta0=0.95, n=24).power) == pytest.approx(
        9.107e-16, rel=1e-3
    )


def test_the_grid_warning_names_rows_lines_and_column() -> None:
    frame = pd.DataFrame({"cv": [0.3, 0.3, 30.0, 0.25, 0.3, 0.3, 25.0]})
    assert grid_cv_warning(frame) == (
        "rows 3, 7 (lines 4, 8), column 'cv': "
        "CV 30 is 3000%: a CV is a ratio (0.3 for 30%); computed as given"
    )
    assert grid_cv_warning(pd.DataFrame({"cv": [0.3, 2.0]})) == (
        "row 2 (line 3), column 'cv': CV 2 is 200%: a CV is a ratio (0.02 for 2%); computed as given"
    )
    assert grid_cv_warning(pd.DataFrame({"cv": [0.3, 1.5]})) is None


def test_a_long_grid_names_its_first_rows() -> None:
    note = grid_cv_warning(pd.DataFrame({"cv": [40.0] * (SHOWN_ROWS + 5)}))
    assert note is not None
    assert note.startswith(
        "rows 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, ... (lines 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, ...)"
    )


def test_the_notes_read_back_in_chinese() -> None:
    single = cv_percent_warning(30)
    assert single is not None
    assert match_note(single) == (CV_AS_PERCENT, {"cv": "30", "percent": "3000", "ratio": "0.3"})
    assert (
        translate_note(single, "zh-CN")
        == "CV 30 即 3000%：CV 应以比值输入（30% 应写作 0.3）；已按所给数值计算"
    )
    rows = grid_cv_warning(pd.DataFrame({"cv": [0.3, 30.0, 45.0]}))
    assert rows is not None
    assert translate_note(rows, "zh-CN") == (
        "第 2, 3 行（文件第 3, 4 行），列“cv”："
        "CV 30 即 3000%：CV 应以比值输入（30% 应写作 0.3）；已按所给数值计算"
    )
