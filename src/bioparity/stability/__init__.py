"""Stability statistics per ICH Q1E: regression per lot, ANCOVA poolability, shelf life, slope equivalence."""

from bioparity.stability.core import (
    BOUND_PARAMETERS,
    DIDS_VARIANCES,
    MODELS,
    SlopeComparison,
    StabilityResult,
    compare_slopes,
    confidence_bound,
    fit_stability,
)
from bioparity.stability.table import TIME_UNITS, StabilityTable, stability_table, stability_time_unit

__all__ = [
    "BOUND_PARAMETERS",
    "DIDS_VARIANCES",
    "MODELS",
    "TIME_UNITS",
    "SlopeComparison",
    "StabilityResult",
    "StabilityTable",
    "compare_slopes",
    "confidence_bound",
    "fit_stability",
    "stability_table",
    "stability_time_unit",
]
