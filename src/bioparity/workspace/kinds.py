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

from bioparity.be import BE_METHODS
from bioparity.caa.catalogue import PLANS
from bioparity.errors import InputError, ScenarioError
from bioparity.io import ColumnSpec, read_table
from bioparity.io.power_grid import (
    POWER_GRID_COLUMNS,
    SAMPLESIZE_GRID_COLUMNS,
    locate_scenario_error,
)
from bioparity.power.grid import evaluate_power_grid, evaluate_samplesize_grid
from bioparity.power.kernels import POWER_KERNELS
from bioparity.workspace import adapters
from bioparity.workspace.adapters import frame_result
from bioparity.workspace.registry import AnalysisKind, Reader, register_analysis


def table_reader(columns: Sequence[ColumnSpec]) -> Reader:
    """A reader validating a CSV against ``columns`` with :func:`bioparity.io.read_table`."""

    def read(path: Path) -> pd.DataFrame:
        return read_table(path, columns)

    return read


def grid_result(frame: pd.DataFrame, added: Mapping[str, Any]) -> dict[str, Any]:
    """The input grid with the computed columns appended, as :func:`frame_result`."""
    out = frame.copy()
    for name, values in added.items():
        out[name] = np.asarray(values)
    return frame_result(out)


def _method(options: Mapping[str, Any]) -> str:
    method = str(options.get("method", "exact")).lower()
    if method not in POWER_KERNELS:
        raise InputError(f"option method={method!r} is unknown; expected one of {', '.join(POWER_KERNELS)}")
    return method


def power_grid(frame: pd.DataFrame, options: Mapping[str, Any]) -> dict[str, Any]:
    """``bioparity power --grid``: TOST power per scenario row (blank method cells use option ``method``)."""
    try:
        return grid_result(frame, evaluate_power_grid(frame, _method(options)))
    except ScenarioError as exc:
        raise locate_scenario_error(exc) from exc


def samplesize_grid(frame: pd.DataFrame, options: Mapping[str, Any]) -> dict[str, Any]:
    """``bioparity samplesize --grid``: smallest total n reaching the target power, per scenario row."""
    try:
        return grid_result(frame, evaluate_samplesize_grid(frame, _method(options)))
    except ScenarioError as exc:
        raise locate_scenario_error(exc) from exc


_METHOD_OPTION = {"method": "power method: exact (Owen's Q, default), nct or shifted"}
_EXACT = {"method": "exact"}

register_analysis(
    AnalysisKind(
        "power",
        "TOST power per scenario (columns of power --grid)",
        table_reader(POWER_GRID_COLUMNS),
        power_grid,
        _METHOD_OPTION,
        _EXACT,
        {"method": tuple(POWER_KERNELS)},
    )
)
register_analysis(
    AnalysisKind(
        "samplesize",
        "TOST sample size per scenario (columns of samplesize --grid)",
        table_reader(SAMPLESIZE_GRID_COLUMNS),
        samplesize_grid,
        _METHOD_OPTION,
        _EXACT,
        {"method": tuple(POWER_KERNELS)},
    )
)
register_analysis(
    AnalysisKind(
        "nca",
        "Noncompartmental analysis per profile (PKNCA-compatible): the PP long table with review flags",
        adapters.read_concentrations,
        adapters.nca_kind,
        {
            "auc_method": "lin-up-log-down (default) or linear",
            "route": "extravascular (default), iv-bolus or iv-infusion",
            "dose": "auto (the 'dose' column if present), a column name, a number for every profile, or ''",
            "conc_unit": "concentration unit, e.g. ng/mL ('' = none: no PPORRESU/PPSTRESU columns)",
            "time_unit": "time unit of the input (default h)",
            "dose_unit": "dose unit, e.g. mg (clearances and volumes then get units)",
            "review": "lambda_z review choices (subject, time, action include|exclude, reason) as JSON; "
            "set by the NCA review page, same as bioparity nca --review",
        },
        {
            "auc_method": "lin-up-log-down",
            "route": "extravascular",
            "dose": "auto",
            "conc_unit": "",
            "time_unit": "h",
            "dose_unit": "",
            "review": "",
        },
        {"auc_method": ("lin-up-log-down", "linear"), "route": ("extravascular", "iv-bolus", "iv-infusion")},
        {
            "subject": True,
            "time": True,
            "conc": True,
            "dose": False,
            **dict.fromkeys(adapters.NCA_GROUP_COLUMNS, False),
        },
    )
)
register_analysis(
    AnalysisKind(
        "pk-similarity",
        "Pairwise PK similarity of parallel arms: GMR and 90% CI per metric (test vs EU-ref, US-ref, bridge)",
        adapters.read_pk_parameters,
        adapters.pk_similarity_kind,
        {
            "arms": "arms in order, first = test, comma-separated (default test,eu-ref,us-ref)",
            "metrics": "PPTESTCD codes, comma-separated (default AUCIFO,AUCLST,CMAX)",
            "variance": "welch (default; per comparison, FDA 2001) or pooled (one model over all arms)",
            "alpha": "one-sided level (default 0.05 = 90% CI)",
            "theta1": "lower limit (default 0.80; upper = 1/theta1)",
            "population": "completers (default: every metric present) or available",
            "aucpext_rule": "keep (default: %AUCext > 20% kept and counted, EMA) or exclude",
        },
        {"arms": "test,eu-ref,us-ref", "metrics": "AUCIFO,AUCLST,CMAX", "variance": "welch", "alpha": 0.05,
         "theta1": 0.80, "population": "completers", "aucpext_rule": "keep"},
        {"variance": ("welch", "pooled"), "population": ("completers", "available"),
         "aucpext_rule": ("keep", "exclude")},
    )
)  # fmt: skip
register_analysis(
    AnalysisKind(
        "be",
        "Bioequivalence of a crossover or replicate study (ABE, EMA ABEL Method A/B, FDA RSABE)",
        adapters.read_crossover,
        adapters.be_kind,
        {"method": "abe, ema-abel-a, ema-abel-b or fda-rsabe", "alpha": "one-sided level (default 0.05)"},
        {"method": "abe", "alpha": 0.05},
        {"method": tuple(BE_METHODS)},
    )
)
register_analysis(
    AnalysisKind(
        "caa",
        "Comparative analytical assessment: every attribute, every comparison (tier from the data)",
        adapters.read_caa,
        adapters.caa_kind,
        {
            "catalogue": "'' = tiers from the data's tier column (default), or igg1-mab-example",
            "plan": "qr-2025 (default: quality range, k by criticality, spread check) or tiered-2017",
            "region": "region filed, sets the EU/US bridge direction: ema, fda or '' (alphabetical, noted)",
            "pool_references": "true to add a pooled-reference comparison where every bridge passed",
        },
        {"catalogue": "", "plan": "qr-2025", "region": "", "pool_references": False},
        {
            "catalogue": ("", *adapters.CATALOGUES),
            "plan": PLANS,
            "region": ("", "ema", "fda"),
            "pool_references": (False, True),
        },
    )
)
