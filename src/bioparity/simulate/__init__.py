"""Clinical trial simulation of PK similarity studies (pure cores; :mod:`bioparity.scale` runs them on Dask).

Public API: :class:`PKSimilarityDesign` (model, conduct and analysis of one study),
:func:`simulate_studies` (outcomes of studies ``lo .. hi - 1`` of a seeded run), :func:`simulate_block`
and :func:`analyse` (the two halves), :func:`welch_pairwise_intervals` and
:func:`pooled_pairwise_intervals` (the vectorised decision), :func:`summarise` and the result types.

Example
-------
>>> design = PKSimilarityDesign(n_per_arm=20, bioavailability=(0.95, 1.0, 1.0))
>>> out = simulate_studies(design, seed=1, lo=0, hi=10)
>>> out.passed.shape  # studies x metrics (AUCIFO, AUCLST, CMAX) x comparisons
(10, 3, 3)
"""

from bioparity.simulate.decision import PairwiseIntervals, pooled_pairwise_intervals, welch_pairwise_intervals
from bioparity.simulate.design import DECISION_METRICS, DEFAULT_TIMES, PKSimilarityDesign
from bioparity.simulate.pk_model import bateman, central_amount
from bioparity.simulate.results import PKSimilarityPower, StudyOutcomes, Tally, summarise
from bioparity.simulate.study import (
    STUDIES_PER_BLOCK,
    SimulatedStudies,
    analyse,
    simulate_block,
    simulate_studies,
)

__all__ = [
    "DECISION_METRICS",
    "DEFAULT_TIMES",
    "STUDIES_PER_BLOCK",
    "PKSimilarityDesign",
    "PKSimilarityPower",
    "PairwiseIntervals",
    "SimulatedStudies",
    "StudyOutcomes",
    "Tally",
    "analyse",
    "bateman",
    "central_amount",
    "pooled_pairwise_intervals",
    "simulate_block",
    "simulate_studies",
    "summarise",
    "welch_pairwise_intervals",
]
