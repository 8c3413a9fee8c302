"""Scenario grid files for power and sample size: the column specifications a grid file is checked with.

Used by ``bioparity power --grid`` / ``samplesize --grid`` and by the workspace, so that a grid file is
validated the same way everywhere (the computation is :mod:`bioparity.power.grid`). Scenario-level domain
errors (for example theta0 outside the limits) are mapped back to the row and column of the file.
"""

from __future__ import annotations

from collections.abc import Callable

from bioparity.errors import DataFileError, ScenarioError, UnknownDesignError
from bioparity.io.table import ColumnSpec
from bioparity.power.designs import ALIASES, DESIGN_NAMES, canonical_design_name
from bioparity.power.kernels import POWER_KERNELS


def _known_design(value: object) -> str | None:
    try:
        canonical_design_name(str(value))
    except UnknownDesignError:
        return "a design name: " + ", ".join(list(DESIGN_NAMES) + list(ALIASES))
    return None


def _within(low: float, high: float | None, what: str) -> Callable[[object], str | None]:
    """A cell check: ``low < value`` (and ``value < high`` when given), else the text ``what``."""

    def check(value: object) -> str | None:
        v = float(value)  # type: ignore[arg-type]
        return None if v > low and (high is None or v < high) else what

    return check


_DESIGN = ColumnSpec("design", "text", check=_known_design)
_CV = ColumnSpec("cv", check=_within(0, None, "a CV > 0 as a ratio (0.30 for 30%)"))
_THETA0 = ColumnSpec("theta0", check=_within(0, None, "a true ratio > 0, e.g. 0.95"))
_THETA1 = ColumnSpec(
    "theta1", required=False, allow_blank=True, check=_within(0, None, "a lower limit > 0, e.g. 0.80")
)
_THETA2 = ColumnSpec(
    "theta2", required=False, allow_blank=True, check=_within(0, None, "an upper limit > 0, e.g. 1.25")
)
_ALPHA = ColumnSpec(
    "alpha", required=False, allow_blank=True, check=_within(0, 0.5, "0 < alpha < 0.5 (0.05 for a 90% CI)")
)
_TARGET = ColumnSpec("target_power", check=_within(0, 1, "a target power between 0 and 1, e.g. 0.80"))
_N = ColumnSpec("n", "integer", check=_within(1, None, "a total number of subjects >= 2"))
_METHOD = ColumnSpec(
    "method",
    "text",
    required=False,
    allow_blank=True,
    check=lambda v: None if str(v).lower() in POWER_KERNELS else "one of " + ", ".join(POWER_KERNELS),
)

#: Columns of a power grid: design,cv,theta0,n and optional theta1,theta2,alpha,method.
POWER_GRID_COLUMNS = (_DESIGN, _CV, _THETA0, _N, _THETA1, _THETA2, _ALPHA, _METHOD)
#: Columns of a sample-size grid: design,cv,theta0,theta1,theta2,alpha,target_power.
SAMPLESIZE_GRID_COLUMNS = (_DESIGN, _CV, _THETA0, _THETA1, _THETA2, _ALPHA, _TARGET)


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
