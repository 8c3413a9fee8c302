"""Power and sample size over a grid of scenarios given as a table (one scenario per row).

The frame has been checked against the grid columns (:mod:`bioparity.io.power_grid`): ``design``,
``cv``, ``theta0`` and ``n`` (power) or ``target_power`` (sample size), optionally ``theta1``, ``theta2``,
``alpha`` and ``method``. Each row is one scenario of :func:`bioparity.power.power_tost` /
:func:`bioparity.power.sample_size_tost`, evaluated in one vectorised call.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from bioparity.power.sample_size import sample_size_tost
from bioparity.power.tost import power_tost


def _column(frame: pd.DataFrame, name: str) -> Any:
    return frame[name].to_numpy(dtype=float) if name in frame.columns else None


def _scenario_inputs(frame: pd.DataFrame) -> dict[str, Any]:
    return {
        "design": frame["design"].to_numpy(dtype=object),
        "cv": _column(frame, "cv"),
        "theta0": _column(frame, "theta0"),
        "theta1": _column(frame, "theta1"),
        "theta2": _column(frame, "theta2"),
        "alpha": _column(frame, "alpha"),
    }


def _methods(frame: pd.DataFrame, method: str) -> Any:
    """The ``method`` column (a blank cell: ``method``), else ``method`` for every row."""
    methods = frame["method"].fillna(method) if "method" in frame.columns else method
    return np.asarray(methods, dtype=object)


def evaluate_power_grid(frame: pd.DataFrame, method: str = "exact") -> dict[str, Any]:
    """Power per row of a checked power grid (a blank ``method`` cell uses ``method``)."""
    res = power_tost(
        **_scenario_inputs(frame), n=frame["n"].to_numpy(dtype=np.int64), method=_methods(frame, method)
    )
    return {"power": res.power}


def evaluate_samplesize_grid(frame: pd.DataFrame, method: str = "exact") -> dict[str, Any]:
    """Sample size and achieved power per row of a checked sample-size grid (a blank ``method`` cell uses
    ``method``)."""
    res = sample_size_tost(
        **_scenario_inputs(frame), target_power=_column(frame, "target_power"), method=_methods(frame, method)
    )
    return {"n": res.n, "power": res.power}
