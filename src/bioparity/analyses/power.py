"""Power and sample size of the two one-sided tests per scenario: the ``power`` and ``samplesize`` kinds.

They take the scenario grids of ``bioparity power --grid`` and ``bioparity samplesize --grid`` (same
columns, same validation) and return the grid with the computed columns added: TOST power (Schuirmann
1987, J Pharmacokinet Biopharm 15:657) by Owen's Q (exact; Owen 1965, Biometrika 52:437), the
noncentral t or the shifted central t approximation, as R PowerTOST's ``power.TOST`` and
``sampleN.TOST`` compute them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd

from bioparity.analyses.contract import (
    Analysis,
    Compute,
    FiguresHook,
    Option,
    RunView,
    SummaryHook,
    example_file,
)
from bioparity.analyses.figures import Figure, power_plot
from bioparity.analyses.frames import grid_result, table_reader
from bioparity.analyses.terms import value_words
from bioparity.errors import InputError, ScenarioError
from bioparity.i18n import gettext as _
from bioparity.i18n import gettext_noop, ngettext
from bioparity.io import ColumnSpec
from bioparity.io.power_grid import (
    POWER_GRID_COLUMNS,
    SAMPLESIZE_GRID_COLUMNS,
    grid_cv_warning,
    locate_scenario_error,
)
from bioparity.power.grid import evaluate_power_grid, evaluate_samplesize_grid
from bioparity.power.kernels import POWER_KERNELS

METHOD = Option(
    "method",
    gettext_noop("power method: exact (Owen's Q, default), nct or shifted"),
    "exact",
    tuple(POWER_KERNELS),
)


def _method(options: Mapping[str, Any]) -> str:
    method = str(options.get("method", "exact")).lower()
    if method not in POWER_KERNELS:
        raise InputError(f"option method={method!r} is unknown; expected one of {', '.join(POWER_KERNELS)}")
    return method


def _notes(frame: pd.DataFrame) -> dict[str, list[str]]:
    """The result's ``notes`` when a CV of the grid looks typed as a percentage (computed as given); none
    otherwise (the stored result of a grid without such a CV is as before)."""
    note = grid_cv_warning(frame)
    return {} if note is None else {"notes": [note]}


def power_grid(frame: pd.DataFrame, options: Mapping[str, Any]) -> dict[str, Any]:
    """``bioparity power --grid``: TOST power per scenario row (blank method cells use option ``method``)."""
    return _grid(frame, options, evaluate_power_grid)


def samplesize_grid(frame: pd.DataFrame, options: Mapping[str, Any]) -> dict[str, Any]:
    """``bioparity samplesize --grid``: smallest total n reaching the target power, per scenario row."""
    return _grid(frame, options, evaluate_samplesize_grid)


def _grid(
    frame: pd.DataFrame, options: Mapping[str, Any], evaluate: Callable[[pd.DataFrame, str], dict[str, Any]]
) -> dict[str, Any]:
    """``evaluate(frame, method)`` of every scenario row as a stored result (with the notes of a CV typed as
    a percentage); a scenario out of its domain named by its row (:func:`locate_scenario_error`)."""
    try:
        return grid_result(frame, evaluate(frame, _method(options)), **_notes(frame))
    except ScenarioError as exc:
        raise locate_scenario_error(exc) from exc


def _range(values: pd.Series, fmt: str) -> str:
    low, high = values.min(), values.max()
    if low == high:
        return format(low, fmt)
    return _("from %(low)s to %(high)s") % {"low": format(low, fmt), "high": format(high, fmt)}


def _column(result: Mapping[str, Any], name: str) -> pd.Series:
    columns, rows = result.get("columns") or [], result.get("rows") or []
    if name not in columns:
        return pd.Series(dtype=float)
    i = columns.index(name)
    return pd.to_numeric(pd.Series([r[i] for r in rows]), errors="coerce").dropna()


def power_summary(result: Mapping[str, Any], options: Mapping[str, Any]) -> str:
    """``3 scenarios: power from 64.16% to 93.55% (method exact, Owen's Q)`` (the stored fractions in
    percent, as the report's table prints them; the method in words, as the table names it)."""
    power = _column(result, "power")
    shown = _range(power, ".2%") if len(power) else _("not computed")
    n = int(result.get("n_rows", len(power)))
    return ngettext(
        "%(n)s scenario: power %(power)s (method %(method)s)",
        "%(n)s scenarios: power %(power)s (method %(method)s)",
        n,
    ) % {"n": n, "power": shown, "method": value_words("method", options.get("method"))}


def samplesize_summary(result: Mapping[str, Any], options: Mapping[str, Any]) -> str:
    """``2 scenarios: total sample size from 40 to 108 (method exact, Owen's Q)``."""
    sizes = _column(result, "n")
    shown = _range(sizes.astype(int), "d") if len(sizes) else _("not computed")
    n = int(result.get("n_rows", len(sizes)))
    return ngettext(
        "%(n)s scenario: total sample size %(size)s (method %(method)s)",
        "%(n)s scenarios: total sample size %(size)s (method %(method)s)",
        n,
    ) % {"n": n, "size": shown, "method": value_words("method", options.get("method"))}


def power_figures(run: RunView) -> list[Figure]:
    """Power against total n, one curve per scenario."""
    plot = power_plot(run.records)
    return [] if plot is None else [Figure("power", _("Power"), _("Power curves"), plot)]


def samplesize_figures(run: RunView) -> list[Figure]:
    """Total sample size against CV, one curve per scenario."""
    plot = power_plot(run.records)
    return [] if plot is None else [Figure("power", _("Sample size"), _("Sample size per scenario"), plot)]


def _grid_kind(
    name: str,
    title: str,
    description: str,
    columns: tuple[ColumnSpec, ...],
    compute: Compute,
    hooks: tuple[SummaryHook, FiguresHook],
    example: str,
    validation: tuple[str, ...],
) -> Analysis:
    """A kind reading the scenario grid of ``bioparity <name> --grid``, covered by the ``validation``
    reference sets of ``bioparity validate``."""
    return Analysis(
        name=name,
        title=title,
        description=description,
        read=table_reader(columns),
        compute=compute,
        options=(METHOD,),
        summary=hooks[0],
        figures=hooks[1],
        example=example_file(f"{name}-grid.csv", example.encode),
        validation=validation,
    )


# PowerTOST power.TOST(CV = 0.3, theta0 = 0.95, n = 40) = 0.8158453 (first row of the example)
POWER = _grid_kind(
    "power", gettext_noop("Power (TOST)"),
    gettext_noop("TOST power per scenario (columns of power --grid)"), POWER_GRID_COLUMNS, power_grid,
    (power_summary, power_figures),
    "design,cv,theta0,n\n2x2,0.3,0.95,40\n2x2,0.3,0.95,24\nparallel,0.3,0.95,80\n",
    ("powertost-power", "powertost-published"),
)  # fmt: skip
SAMPLESIZE = _grid_kind(
    "samplesize", gettext_noop("Sample size (TOST)"),
    gettext_noop("TOST sample size per scenario (columns of samplesize --grid)"), SAMPLESIZE_GRID_COLUMNS,
    samplesize_grid,
    (samplesize_summary, samplesize_figures),
    "design,cv,theta0,theta1,theta2,alpha,target_power\n2x2,0.3,0.95,,,,0.8\nparallel,0.35,0.95,0.8,1.25,0.05,0.9\n",
    ("powertost-samplesize",),
)  # fmt: skip

ANALYSES = (POWER, SAMPLESIZE)
