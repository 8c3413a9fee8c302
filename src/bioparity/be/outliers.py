"""Outlier flags for the reference: studentised residuals of the CVwR model, box-plot fence.

As replicateBE ``CV.calc(ola=TRUE)``: externally studentised residuals of the reference-only model
``log(PK) ~ sequence + subject(sequence) + period``, one per subject (its first R occasion; with two R
values the two residuals are mirror images), flagged when outside the box-plot fence
``[lower hinge - fence * IQR, upper hinge + fence * IQR]`` (Tukey's hinges, R ``boxplot.stats``),
``fence = 2`` by default. Flags are reported only: no data are ever removed by bioparity.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bioparity.arrays import FloatArray, IntArray
from bioparity.be.anova import period_columns, studentized_residuals, within_subject_fit


@dataclass(frozen=True)
class OutlierFlag:
    """One flagged subject: its label, sequence and studentised residual (first R occasion).

    Attributes
    ----------
    subject : str
        The subject's label as in the data file.
    sequence : str
        Its sequence.
    studentized_residual : float
        Studentised residual of the reference-only model (replicateBE's outlier analysis).
    """

    subject: str
    sequence: str
    studentized_residual: float


def tukey_hinges(x: FloatArray) -> tuple[float, float]:
    """Lower and upper hinges of R's ``fivenum`` (averages of order statistics)."""
    s = np.sort(x)
    n = s.size
    n4 = np.floor((n + 3) / 2) / 2
    lo, hi = n4, n + 1 - n4

    def at(d: float) -> float:
        return float(0.5 * (s[int(np.floor(d)) - 1] + s[int(np.ceil(d)) - 1]))

    return at(lo), at(hi)


def reference_outliers(
    log_pk: FloatArray,
    subject: IntArray,
    period: IntArray,
    n_periods: int,
    subject_ids: tuple[str, ...],
    subject_sequence: IntArray,
    sequences: tuple[str, ...],
    fence: float = 2.0,
) -> tuple[OutlierFlag, ...]:
    """Flag subjects whose reference studentised residual lies outside the box-plot fence.

    Arguments are the reference observations (log scale) with their subject and period codes.
    """
    if log_pk.size == 0:
        return ()
    fit = within_subject_fit(log_pk, subject, period_columns(period, n_periods))
    if fit.df <= 1:
        return ()
    r = studentized_residuals(fit)
    order = np.lexsort((period, subject))
    subj_sorted = subject[order]
    first = order[np.r_[True, subj_sorted[1:] != subj_sorted[:-1]]]
    candidates = first[np.isfinite(r[first]) & (np.abs(r[first]) > 1e-12)]
    if candidates.size < 4:
        return ()
    values = r[candidates]
    lo, hi = tukey_hinges(values)
    iqr = hi - lo
    out = candidates[(values < lo - fence * iqr) | (values > hi + fence * iqr)]
    return tuple(
        OutlierFlag(subject_ids[int(subject[i])], sequences[int(subject_sequence[subject[i]])], float(r[i]))
        for i in out
    )
