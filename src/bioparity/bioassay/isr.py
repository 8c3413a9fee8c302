"""Incurred sample reanalysis (ICH M10, 2022, section 7 "Incurred sample reanalysis").

Per sample ``% difference = 100 (repeat - original) / mean(repeat, original)``; a sample is within
limits when ``|% difference| <= 20`` (chromatographic assays) or ``<= 30`` (ligand-binding assays).
ISR passes when at least two thirds (66.7%) of the repeated samples are within limits. The number of
ISR samples is 10% of the first 1000 study samples plus 5% of those above 1000 (same section).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from bioparity.bioassay.results import IsrResult
from bioparity.errors import InputError, require_columns

#: ICH M10 section 7 limits on |% difference|.
ISR_LIMITS = {"chromatographic": 20.0, "ligand-binding": 30.0}


def isr_sample_count(n_study_samples: int) -> int:
    """ISR samples required: 10% of the first 1000 study samples plus 5% of the rest (rounded up).

    Parameters
    ----------
    n_study_samples : int
        Number of study samples analysed (>= 0).

    Returns
    -------
    int
        Number of incurred samples to reanalyse.

    Raises
    ------
    InputError
        When ``n_study_samples`` is negative.

    References
    ----------
    ICH M10, Bioanalytical method validation and study sample analysis (2022), section 7.

    Examples
    --------
    >>> isr_sample_count(800), isr_sample_count(1500)
    (80, 125)
    """
    if n_study_samples < 0:
        raise InputError("the number of study samples must be >= 0")
    first = min(n_study_samples, 1000)
    return math.ceil(0.10 * first + 0.05 * max(n_study_samples - 1000, 0) - 1e-9)


def isr(frame: pd.DataFrame, assay: str) -> IsrResult:
    """``frame`` has ``sample``, ``original`` and ``repeat`` (concentrations > 0).

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per reanalysed sample: ``sample``, ``original`` and ``repeat`` concentrations (> 0;
        results below the lower limit of quantification are not part of ISR).
    assay : str
        ``chromatographic`` (limit 20 %) or ``ligand-binding`` (limit 30 %), the keys of
        :data:`ISR_LIMITS`.

    Returns
    -------
    IsrResult
        Per-sample % differences and whether each is within the limit, the share within and the
        verdict (passed when at least two thirds are within).

    Raises
    ------
    InputError
        When the assay type is unknown, a column is missing, there are no rows, or a concentration is
        <= 0.

    References
    ----------
    ICH M10, Bioanalytical method validation and study sample analysis (2022), section 7.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"sample": ["S1", "S2", "S3"], "original": [10.0, 20.0, 30.0],
    ...                       "repeat": [11.0, 27.0, 29.0]})
    >>> result = isr(frame, "chromatographic")
    >>> result.percent_difference.round(2).tolist(), result.n_within, result.passed
    ([9.52, 29.79, -3.39], 2, True)
    """
    if assay not in ISR_LIMITS:
        raise InputError(f"assay must be one of {', '.join(ISR_LIMITS)}; got {assay!r}")
    require_columns(frame.columns, ["sample", "original", "repeat"], file=None, context=" in the ISR data")
    if frame.empty:
        raise InputError("ISR data contain no samples")
    orig = frame["original"].to_numpy(float)
    rep = frame["repeat"].to_numpy(float)
    if np.any(orig <= 0) or np.any(rep <= 0):
        raise InputError("ISR concentrations must be > 0 (BLQ results are not part of ISR)")
    with np.errstate(over="ignore", invalid="ignore"):
        diff = 100.0 * (rep - orig) / ((rep + orig) / 2.0)
    huge = ~np.isfinite(diff)
    if huge.any():  # rep + orig overflowed (values near 1e308): the same ratio on values scaled to <= 1
        scale = np.maximum(rep[huge], orig[huge])
        r, o = rep[huge] / scale, orig[huge] / scale
        diff[huge] = 100.0 * (r - o) / ((r + o) / 2.0)
    limit = ISR_LIMITS[assay]
    within = np.abs(diff) <= limit + 1e-12
    n_within = int(within.sum())
    return IsrResult(
        samples=frame["sample"].astype(str).to_numpy(dtype=object),
        original=orig,
        repeat=rep,
        percent_difference=diff,
        within_limit=within,
        assay=assay,
        limit_percent=limit,
        n_samples=len(frame),
        n_within=n_within,
        share_within=n_within / len(frame),
        passed=3 * n_within >= 2 * len(frame),
    )
