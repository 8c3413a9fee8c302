"""Scenario grid files for power and sample size: the column specifications a grid file is checked with.

Used by ``bioparity power --grid`` / ``samplesize --grid`` and by the workspace, so that a grid file is
validated the same way everywhere (the computation is :mod:`bioparity.power.grid`). Scenario-level domain
errors (for example theta0 outside the limits) are mapped back to the row and column of the file. A CV
that looks typed as a percentage is computed as given and named, with its rows, by :func:`grid_cv_warning`.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from bioparity.errors import DataFileError, ScenarioError, UnknownDesignError
from bioparity.i18n.notes import note_template
from bioparity.io.table import ColumnSpec
from bioparity.power.cv_check import cv_percent_warning
from bioparity.power.designs import ALIASES, DESIGN_NAMES, canonical_design_name
from bioparity.power.kernels import POWER_KERNELS

# What a grid cell must hold (the expected text of a DataFileError, shown in the reader's language).
A_DESIGN_NAME = note_template("a design name: {names}")
A_CV = note_template("a CV > 0 as a ratio (0.30 for 30%)")
A_TRUE_RATIO = note_template("a true ratio > 0, e.g. 0.95")
A_LOWER_LIMIT = note_template("a lower limit > 0, e.g. 0.80")
AN_UPPER_LIMIT = note_template("an upper limit > 0, e.g. 1.25")
AN_ALPHA = note_template("0 < alpha < 0.5 (0.05 for a 90% CI)")
A_TARGET_POWER = note_template("a target power between 0 and 1, e.g. 0.80")
A_TOTAL_N = note_template("a total number of subjects >= 2")
ONE_OF_METHODS = note_template("one of {methods}")


def _known_design(value: object) -> str | None:
    try:
        canonical_design_name(str(value))
    except UnknownDesignError:
        return A_DESIGN_NAME.format(names=", ".join(list(DESIGN_NAMES) + list(ALIASES)))
    return None


def _within(low: float, high: float | None, what: str) -> Callable[[object], str | None]:
    """A cell check: ``low < value`` (and ``value < high`` when given), else the text ``what``."""

    def check(value: object) -> str | None:
        v = float(value)  # type: ignore[arg-type]
        return None if v > low and (high is None or v < high) else what

    return check


_DESIGN = ColumnSpec("design", "text", check=_known_design)
_CV = ColumnSpec("cv", check=_within(0, None, A_CV))
_THETA0 = ColumnSpec("theta0", check=_within(0, None, A_TRUE_RATIO))
_THETA1 = ColumnSpec("theta1", required=False, allow_blank=True, check=_within(0, None, A_LOWER_LIMIT))
_THETA2 = ColumnSpec("theta2", required=False, allow_blank=True, check=_within(0, None, AN_UPPER_LIMIT))
_ALPHA = ColumnSpec("alpha", required=False, allow_blank=True, check=_within(0, 0.5, AN_ALPHA))
_TARGET = ColumnSpec("target_power", check=_within(0, 1, A_TARGET_POWER))
_N = ColumnSpec("n", "integer", check=_within(1, None, A_TOTAL_N))
_METHOD = ColumnSpec(
    "method",
    "text",
    required=False,
    allow_blank=True,
    check=lambda v: (
        None if str(v).lower() in POWER_KERNELS else ONE_OF_METHODS.format(methods=", ".join(POWER_KERNELS))
    ),
)

#: Columns of a power grid: design,cv,theta0,n and optional theta1,theta2,alpha,method.
POWER_GRID_COLUMNS = (_DESIGN, _CV, _THETA0, _N, _THETA1, _THETA2, _ALPHA, _METHOD)
#: Columns of a sample-size grid: design,cv,theta0,target_power and optional theta1,theta2,alpha,method
#: (a ``method`` column was silently ignored before: every row was computed exact beside its own label).
SAMPLESIZE_GRID_COLUMNS = (_DESIGN, _CV, _THETA0, _THETA1, _THETA2, _ALPHA, _TARGET, _METHOD)


#: Rows of a grid named by :func:`grid_cv_warning` (the others are counted by the "...").
SHOWN_ROWS = 10
#: The warning of :func:`~bioparity.power.cv_check.cv_percent_warning` at one grid row, or at several
#: (``rows 3, 7 (lines 4, 8)``); ``note`` is the warning for the first of them.
CV_ROW = note_template("row {row:d} (line {line:d}), column '{column}': {note}")
CV_ROWS = note_template("rows {rows} (lines {lines}), column '{column}': {note}")


def grid_cv_warning(frame: pd.DataFrame, column: str = "cv") -> str | None:
    """One warning naming the rows of a grid (read by :func:`~bioparity.io.read_table`: data row ``i`` is
    on line ``i + 1``) whose CV looks typed as a percentage, or None when there is none.

    The first :data:`SHOWN_ROWS` rows are named (then ``...``); the warning's text is that of the first
    row's CV. The values are computed as given.

    Examples
    --------
    >>> grid_cv_warning(pd.DataFrame({"cv": [0.3, 30.0, 0.25, 25.0]}))
    "rows 2, 4 (lines 3, 5), column 'cv': CV 30 is 3000%: a CV is a ratio (0.3 for 30%); computed as given"
    >>> grid_cv_warning(pd.DataFrame({"cv": [0.3, 1.5]})) is None
    True
    """
    if column not in frame.columns:
        return None
    values = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)
    rows = [i + 1 for i, value in enumerate(values) if cv_percent_warning(value) is not None]
    if not rows:
        return None
    note = cv_percent_warning(values[rows[0] - 1])
    if len(rows) == 1:
        return CV_ROW.format(row=rows[0], line=rows[0] + 1, column=column, note=note)
    more = ", ..." if len(rows) > SHOWN_ROWS else ""
    shown = rows[:SHOWN_ROWS]
    return CV_ROWS.format(
        rows=", ".join(map(str, shown)) + more,
        lines=", ".join(str(r + 1) for r in shown) + more,
        column=column,
        note=note,
    )


def locate_scenario_error(exc: ScenarioError, file: str | None = None) -> DataFileError:
    """Turn a scenario-indexed domain error into a file/row/column error (row = index + 1)."""
    row = None if exc.index is None else exc.index + 1
    return DataFileError(
        "invalid value",
        file=file,
        row=row,
        line=None if row is None else row + 1,
        column=exc.parameter,
        value=exc.value,
        expected=exc.expected,
    )
