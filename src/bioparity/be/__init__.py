"""Bioequivalence and PK similarity evaluation.

Public API: :func:`evaluate_be` with the method registry :data:`BE_METHODS` (``abe``, ``ema-abel-a``,
``ema-abel-b``, ``fda-rsabe``), :func:`crossover_data`, the regulatory limits, and the parallel-group
PK similarity (:func:`pk_similarity`).
"""

from bioparity.be.data import CrossoverData, crossover_data
from bioparity.be.limits import EMA, EMA_K_EXACT, FDA, FDA_SWR_SWITCH, FDA_THETA_S, ScalingRule, abel_limits
from bioparity.be.methods import BE_METHODS, BEMethod, evaluate_be
from bioparity.be.outliers import OutlierFlag
from bioparity.be.results import BEResult

__all__ = [
    "BE_METHODS",
    "EMA",
    "EMA_K_EXACT",
    "FDA",
    "FDA_SWR_SWITCH",
    "FDA_THETA_S",
    "BEMethod",
    "BEResult",
    "CrossoverData",
    "OutlierFlag",
    "ScalingRule",
    "abel_limits",
    "crossover_data",
    "evaluate_be",
]
