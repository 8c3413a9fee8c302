"""Fixed-effects crossover ANOVA on the log scale by absorbing subjects (within-subject centring).

The EMA model ``log(PK) ~ sequence + subject(sequence) + period + treatment`` (all fixed; EMA Guideline
on the Investigation of Bioequivalence, CPMP/EWP/QWP/1401/98 Rev. 1, section 4.1.8, and Method A of the
EMA Q&A EMA/618604/2008 Rev. 13) has one parameter per subject. Sequence is nested in subject, so the subject
effects absorb it, and by the Frisch-Waugh-Lovell theorem the period and treatment estimates, the
residuals and the residual sum of squares equal those of an ordinary least-squares fit of
subject-centred responses on subject-centred period and treatment columns. The residual degrees of
freedom are ``N - n_subjects - rank(centred columns)``, exactly the ``lm()`` residual df. Nothing
here loops over subjects: group sums are one sparse matrix product.

The same fit on the reference-only (or test-only) observations with period columns gives the EMA
estimate of the within-subject variance ``s2wR`` (``s2wT``): ``sequence + subject(sequence) + period``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse

from bioparity.arrays import FloatArray, IntArray
from bioparity.errors import InputError


@dataclass(frozen=True)
class WithinFit:
    """Least-squares fit with subjects absorbed.

    ``coef`` and ``xtx_inv`` refer to the within-subject columns given; ``residuals`` are per
    observation; ``leverage`` is the diagonal of the full model's hat matrix (subject dummies included).
    """

    coef: FloatArray
    xtx_inv: FloatArray
    rss: float
    df: int
    residuals: FloatArray
    leverage: FloatArray
    rank: int

    @property
    def mse(self) -> float:
        """Residual mean square ``rss / df`` (NaN without residual degrees of freedom)."""
        return self.rss / self.df if self.df > 0 else float("nan")


def group_matrix(groups: IntArray, n_groups: int) -> sparse.csr_matrix:
    """Sparse ``n_groups x N`` indicator: ``G @ M`` sums the rows of ``M`` within each group."""
    n = groups.size
    return sparse.csr_matrix((np.ones(n), (groups, np.arange(n))), shape=(n_groups, n))


def centre_within(values: FloatArray, groups: IntArray, n_groups: int) -> tuple[FloatArray, FloatArray]:
    """Subtract group means from the rows of ``values`` (1-d or 2-d); also return the group sizes."""
    g = group_matrix(groups, n_groups)
    counts = np.asarray(g.sum(axis=1), dtype=float).ravel()
    with np.errstate(invalid="ignore", divide="ignore"):
        means = np.asarray(g @ values, dtype=float) / (counts if values.ndim == 1 else counts[:, None])
    return np.asarray(values - means[groups], dtype=float), counts


def period_columns(period: IntArray, n_periods: int) -> FloatArray:
    """Treatment-coded period dummies (first period is the reference level): ``N x (P - 1)``."""
    return np.asarray(period[:, None] == np.arange(1, n_periods)[None, :], dtype=float)


def within_subject_fit(y: FloatArray, subject: IntArray, columns: FloatArray) -> WithinFit:
    """OLS of ``y`` on subject effects plus ``columns`` (``N x k``), subjects absorbed by centring.

    Columns that are not estimable within subjects (all zero after centring, or collinear) get
    coefficients from the pseudo-inverse and do not count in the rank, as with ``lm``'s pivoting.
    """
    if y.size == 0:
        raise InputError("no observations to analyse")
    n_subjects = int(subject.max()) + 1
    yc, counts = centre_within(y, subject, n_subjects)
    xc, _ = centre_within(columns, subject, n_subjects)
    xtx = xc.T @ xc
    rank = int(np.linalg.matrix_rank(xc)) if xc.shape[1] else 0
    xtx_inv = np.asarray(np.linalg.pinv(xtx, rcond=1e-10, hermitian=True), dtype=float)
    coef = xtx_inv @ (xc.T @ yc)
    resid = yc - xc @ coef
    n_present = int((counts > 0).sum())
    df = y.size - n_present - rank
    lev = 1.0 / counts[subject] + np.einsum("ij,jk,ik->i", xc, xtx_inv, xc)
    return WithinFit(
        coef=coef,
        xtx_inv=xtx_inv,
        rss=float(resid @ resid),
        df=int(df),
        residuals=resid,
        leverage=lev,
        rank=rank,
    )


def estimable(fit_columns: FloatArray, subject: IntArray, index: int) -> bool:
    """True when column ``index`` is not a combination of the other columns and the subject effects."""
    n_subjects = int(subject.max()) + 1
    xc, _ = centre_within(fit_columns, subject, n_subjects)
    others = np.delete(xc, index, axis=1)
    full = int(np.linalg.matrix_rank(xc))
    reduced = int(np.linalg.matrix_rank(others)) if others.shape[1] else 0
    return full == reduced + 1


def within_variance(
    y: FloatArray, subject: IntArray, period: IntArray, n_periods: int
) -> tuple[float, int, WithinFit | None]:
    """Within-subject variance from ``y ~ subject + period`` on one treatment's data (EMA CVwR/CVwT model).

    Returns ``(mse, df, fit)``; ``(nan, 0, None)`` when no subject has a replicate.
    """
    if y.size == 0:
        return float("nan"), 0, None
    _, subj = np.unique(subject, return_inverse=True)
    fit = within_subject_fit(y, subj.astype(np.int64), period_columns(period, n_periods))
    if fit.df <= 0:
        return float("nan"), 0, None
    return fit.mse, fit.df, fit


def studentized_residuals(fit: WithinFit) -> FloatArray:
    """Externally studentised residuals (R ``rstudent``); NaN where leverage is 1 (a lone observation)."""
    e = fit.residuals
    one_minus_h = 1.0 - fit.leverage
    with np.errstate(invalid="ignore", divide="ignore"):
        s2_i = (fit.rss - e * e / one_minus_h) / (fit.df - 1)
        r = e / np.sqrt(s2_i * one_minus_h)
    r[one_minus_h <= 1e-10] = np.nan
    return np.asarray(r, dtype=float)
