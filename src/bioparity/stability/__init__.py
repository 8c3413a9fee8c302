"""Stability statistics per ICH Q1E: regression per lot, ANCOVA poolability, shelf life, slope equivalence."""

from bioparity.stability.core import (
    DIDS_VARIANCES,
    MODELS,
    SlopeComparison,
    StabilityResult,
    compare_slopes,
    fit_stability,
)
from bioparity.stability.table import StabilityTable, stability_table

__all__ = [
    "DIDS_VARIANCES",
    "MODELS",
    "SlopeComparison",
    "StabilityResult",
    "StabilityTable",
    "compare_slopes",
    "fit_stability",
    "stability_table",
]
