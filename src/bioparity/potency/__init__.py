"""Relative potency bioassays (issue #19): parallel-line, slope-ratio, 4PL/5PL, similarity, combination.

Pure numerical core, no I/O. Entry points:

* :func:`analyse_assay` / :func:`analyse` - one row per assay and test sample
  (:class:`~bioparity.potency.results.PotencyEstimate`);
* :func:`fit_parallel_line`, :func:`fit_slope_ratio`, :func:`fit_logistic_parallel`,
  :func:`fit_logistic_batch` - the individual models;
* :func:`combine_assays` - Ph. Eur. 5.3 section 6 combination of independent assays.
"""

from __future__ import annotations

from bioparity.potency.analyse import MODELS, AnalysisOptions, analyse, analyse_assay
from bioparity.potency.combine import CombinedPotency, combine_assays
from bioparity.potency.design import STANDARD, AssayData
from bioparity.potency.logistic import LogisticFit, fit_logistic_batch, fit_logistic_parallel
from bioparity.potency.parallel_line import fit_parallel_line
from bioparity.potency.results import PotencyEstimate, PotencyTable
from bioparity.potency.slope_ratio import fit_slope_ratio

__all__ = [
    "MODELS",
    "STANDARD",
    "AnalysisOptions",
    "AssayData",
    "CombinedPotency",
    "LogisticFit",
    "PotencyEstimate",
    "PotencyTable",
    "analyse",
    "analyse_assay",
    "combine_assays",
    "fit_logistic_batch",
    "fit_logistic_parallel",
    "fit_parallel_line",
    "fit_slope_ratio",
]
