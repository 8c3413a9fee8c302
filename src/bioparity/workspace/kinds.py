"""The analyses the workspace runs: one ``register_analysis`` line per kind.

``power`` and ``samplesize`` take the scenario grids of ``bioparity power --grid`` and
``bioparity samplesize --grid`` (same columns, same validation) and return the grid with the computed
columns added.

A kind is ``AnalysisKind(name, description, read, compute, options, defaults)``:

* ``read(path) -> DataFrame`` is the area's validating reader (raise DataFileError naming row and column);
  a CSV checked by column specs is ``table_reader(COLUMNS)``;
* ``compute(frame, options) -> dict`` is deterministic and returns JSON values: a result dataclass's
  ``.to_dict()``, or ``frame_result(df)`` for a table; option values arrive as JSON scalars, so check them
  and raise InputError for bad ones;
* ``options`` names and describes the accepted options; ``defaults`` fills the ones not given, so each
  run records every setting it used.

For example (with the names the NCA area exports)::

    register_analysis(AnalysisKind("nca", "NCA per profile", read_concentrations,
                                   lambda frame, options: nca(frame, **options).to_dict(),
                                   {"auc_method": "linear or lin-up/log-down"}, {"auc_method": "linear"}))
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from bioparity._results import _plain
from bioparity.cli.power import _ALPHA, _CV, _DESIGN, _METHOD, _N, _TARGET, _THETA0, _THETA1, _THETA2
from bioparity.errors import DataFileError, InputError, ScenarioError
from bioparity.io import ColumnSpec, read_table
from bioparity.power import power_tost, sample_size_tost
from bioparity.power.kernels import POWER_KERNELS
from bioparity.workspace.registry import AnalysisKind, Reader, register_analysis

POWER_GRID_COLUMNS = (_DESIGN, _CV, _THETA0, _N, _THETA1, _THETA2, _ALPHA, _METHOD)
SAMPLESIZE_GRID_COLUMNS = (_DESIGN, _CV, _THETA0, _THETA1, _THETA2, _ALPHA, _TARGET)


def table_reader(columns: Sequence[ColumnSpec]) -> Reader:
    """A reader validating a CSV against ``columns`` with :func:`bioparity.io.read_table`."""

    def read(path: Path) -> pd.DataFrame:
        return read_table(path, columns)

    return read


def frame_result(frame: pd.DataFrame) -> dict[str, Any]:
    """A table as JSON: ``{"columns": [...], "rows": [[...], ...], "n_rows": n}`` (NaN stored as null)."""
    rows = [[_plain(v) for v in row] for row in frame.astype(object).to_numpy().tolist()]
    return {"columns": [str(c) for c in frame.columns], "rows": rows, "n_rows": len(frame)}


def grid_result(frame: pd.DataFrame, added: Mapping[str, Any]) -> dict[str, Any]:
    """The input grid with the computed columns appended, as :func:`frame_result`."""
    out = frame.copy()
    for name, values in added.items():
        out[name] = np.asarray(values)
    return frame_result(out)


def _scenario_rows(exc: ScenarioError) -> DataFileError:
    row = None if exc.index is None else exc.index + 1
    return DataFileError(
        "invalid value",
        row=row,
        line=None if row is None else row + 1,
        column=exc.parameter,
        value=exc.value,
        expected=exc.expected,
    )


def _column(frame: pd.DataFrame, name: str) -> Any:
    return frame[name].to_numpy(dtype=float) if name in frame.columns else None


def _method(options: Mapping[str, Any]) -> str:
    method = str(options.get("method", "exact")).lower()
    if method not in POWER_KERNELS:
        raise InputError(f"option method={method!r} is unknown; expected one of {', '.join(POWER_KERNELS)}")
    return method


def power_grid(frame: pd.DataFrame, options: Mapping[str, Any]) -> dict[str, Any]:
    """``bioparity power --grid``: TOST power per scenario row (blank method cells use option ``method``)."""
    default = _method(options)
    methods = frame["method"].fillna(default) if "method" in frame.columns else default
    try:
        res = power_tost(
            design=frame["design"].to_numpy(dtype=object),
            cv=_column(frame, "cv"),
            theta0=_column(frame, "theta0"),
            theta1=_column(frame, "theta1"),
            theta2=_column(frame, "theta2"),
            alpha=_column(frame, "alpha"),
            n=frame["n"].to_numpy(dtype=np.int64),
            method=np.asarray(methods, dtype=object),
        )
    except ScenarioError as exc:
        raise _scenario_rows(exc) from exc
    return grid_result(frame, {"power": res.power})


def samplesize_grid(frame: pd.DataFrame, options: Mapping[str, Any]) -> dict[str, Any]:
    """``bioparity samplesize --grid``: smallest total n reaching the target power, per scenario row."""
    try:
        res = sample_size_tost(
            design=frame["design"].to_numpy(dtype=object),
            cv=_column(frame, "cv"),
            theta0=_column(frame, "theta0"),
            theta1=_column(frame, "theta1"),
            theta2=_column(frame, "theta2"),
            alpha=_column(frame, "alpha"),
            target_power=_column(frame, "target_power"),
            method=_method(options),
        )
    except ScenarioError as exc:
        raise _scenario_rows(exc) from exc
    return grid_result(frame, {"n": res.n, "power": res.power})


_METHOD_OPTION = {"method": "power method: exact (Owen's Q, default), nct or shifted"}
_EXACT = {"method": "exact"}

register_analysis(
    AnalysisKind("power", "TOST power per scenario (columns of power --grid)",
                 table_reader(POWER_GRID_COLUMNS), power_grid, _METHOD_OPTION, _EXACT)
)  # fmt: skip
register_analysis(
    AnalysisKind("samplesize", "TOST sample size per scenario (columns of samplesize --grid)",
                 table_reader(SAMPLESIZE_GRID_COLUMNS), samplesize_grid, _METHOD_OPTION, _EXACT)
)  # fmt: skip
