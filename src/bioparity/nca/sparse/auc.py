"""Sparse and destructive sampling: AUC of the mean profile with its standard error (Bailer's method).

For one group (for example one dose group of a toxicology study) every subject is sampled at a few of
the nominal times. With ``X[i, k]`` the concentration of subject ``k`` at time ``t_i`` (missing when not
sampled), ``r_i`` subjects at time ``i`` and ``r_ij`` subjects sampled at both ``i`` and ``j``:

* mean profile ``m_i``; PKNCA's rule sets ``m_i = 0`` when more than half of the time's samples are BLQ
  (``blq_mean="pknca"``), ``"arithmetic"`` keeps the plain mean (BLQ counted as 0);
* ``AUC = sum_i w_i m_i`` with linear-trapezoid weights ``w_i = (t_{i+1} - t_{i-1}) / 2`` from the first
  time to the last time with a positive mean (Bailer 1988);
* ``var(AUC) = sum_i w_i^2 s_i^2 / r_i + 2 sum_{i<j} w_i w_j r_ij s_ij / (r_i r_j)`` (Nedelman & Jia
  1998, eq. 7), with the covariance of Holder (2001, eq. A3)
  ``s_ij = sum_k (X_ik - m_i)(X_jk - m_j) / ((r_ij - 1) + (1 - r_ij/r_i)(1 - r_ij/r_j))`` over the
  subjects sampled at both times, limited to the Cauchy-Schwarz bound (it reduces to the sample
  variance on the diagonal). Serial sampling (one sample per subject) is Bailer's original case and
  the covariances vanish; batch designs (Nedelman, Gibiansky & Lau 1995) keep them;
* degrees of freedom by Satterthwaite (Nedelman et al. 1995, eq. 6a) for serial designs; missing, with
  the reason, when subjects contribute several samples (as PKNCA);
* optionally a seeded bootstrap: subjects are resampled with replacement within each sampling schedule
  (the set of times a subject was sampled at), which keeps the design; SE and percentile interval.

The numerical work is NumPy over the ``times x subjects`` matrix (and ``replicates x times`` for the
bootstrap); groups are handled one call each by :func:`sparse_nca` at the table edge.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from bioparity.errors import InputError
from bioparity.nca.profiles import FloatArray

BLQ_MEANS = ("pknca", "arithmetic")


@dataclass(frozen=True)
class SparseAUC:
    """Mean-profile AUC of one group with its standard error, Satterthwaite df and bootstrap summary."""

    auc: float
    se: float
    df: float
    ci_lower: float
    ci_upper: float
    ci_method: str
    design: str
    times: FloatArray
    means: FloatArray
    n: npt.NDArray[np.int64]
    weights: FloatArray
    boot_se: float = float("nan")
    boot_lower: float = float("nan")
    boot_upper: float = float("nan")


def mean_profile(X: FloatArray, blq_mean: str) -> tuple[FloatArray, npt.NDArray[np.int64]]:
    present = ~np.isnan(X)
    r = present.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        m = np.where(present, X, 0.0).sum(axis=-1) / r
        if blq_mean == "pknca":
            zeros = (present & (X == 0)).sum(axis=-1)
            m = np.where(zeros / r > 0.5, 0.0, m)
    return m, r.astype(np.int64)


def linear_weights(times: FloatArray) -> FloatArray:
    """Trapezoid weights: ``AUC = sum w_i C_i`` for the linear trapezoidal rule over ``times``."""
    half = np.diff(times) / 2.0
    return np.concatenate(([0.0], half)) + np.concatenate((half, [0.0]))


def sparse_auc(
    times: npt.ArrayLike,
    X: npt.ArrayLike,
    *,
    blq_mean: str = "pknca",
    conf_level: float = 0.95,
    n_boot: int = 0,
    seed: int | None = None,
) -> SparseAUC:
    """Bailer/Nedelman-Jia AUC of one group from a ``(times x subjects)`` matrix (NaN = not sampled).

    ``times`` are sorted and unique; BLQ concentrations are 0. The area runs from the first time to the
    last time whose mean is positive. ``n_boot`` > 0 adds a bootstrap with ``seed``.
    """
    if blq_mean not in BLQ_MEANS:
        raise InputError(f"blq_mean {blq_mean!r} unknown; expected one of {', '.join(BLQ_MEANS)}")
    t = np.asarray(times, dtype=float)
    Xa = np.asarray(X, dtype=float)
    m, r = mean_profile(Xa, blq_mean)
    positive = np.flatnonzero(m > 0)
    keep = slice(0, int(positive[-1]) + 1 if positive.size else 0)
    t, Xa, m, r = t[keep], Xa[keep], m[keep], r[keep]
    w = linear_weights(t) if t.size else np.zeros(0)
    present = ~np.isnan(Xa)
    P = present.astype(float)
    D = np.where(present, Xa - m[:, None], 0.0)
    # cross-products over the subjects sampled at both times; r_ij counts them
    cross = D @ D.T
    rij = P @ P.T
    ri = r.astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        denom = (rij - 1.0) + (1.0 - rij / ri[:, None]) * (1.0 - rij / ri[None, :])
        cov = np.where(rij >= 2, cross / denom, 0.0)
    var_diag = np.diag(cov).copy()
    bound = np.sqrt(np.outer(var_diag, var_diag))
    cov = np.clip(cov, -bound, bound)
    np.fill_diagonal(cov, var_diag)
    with np.errstate(invalid="ignore", divide="ignore"):
        terms = np.outer(w, w) * rij * cov / np.outer(ri, ri)
    var = float(np.nansum(terms)) if t.size else float("nan")
    batch = bool((rij[~np.eye(t.size, dtype=bool)] > 0).any()) if t.size > 1 else False
    with np.errstate(invalid="ignore", divide="ignore"):
        a = w * w * var_diag / ri
        df = float(a.sum() ** 2 / np.sum(a * a / (ri - 1.0))) if not batch else float("nan")
    auc = float(np.sum(w * m))
    se = float(np.sqrt(var))
    alpha = 1.0 - conf_level
    from scipy import stats  # here, not at import: `bioparity nca` would otherwise load SciPy's stats

    if np.isfinite(df):
        q = float(stats.t.ppf(1.0 - alpha / 2.0, df))
        ci_method = f"t, Satterthwaite df, {conf_level:.0%}"
    else:
        q = float(stats.norm.ppf(1.0 - alpha / 2.0))
        ci_method = f"normal, {conf_level:.0%} (df not available for several samples per subject)"
    out = SparseAUC(
        auc=auc,
        se=se,
        df=df,
        ci_lower=auc - q * se,
        ci_upper=auc + q * se,
        ci_method=ci_method,
        design="batch" if batch else "serial",
        times=t,
        means=m,
        n=r,
        weights=w,
    )
    if n_boot > 0 and t.size:
        bs = _bootstrap(Xa, w, blq_mean, n_boot, seed)
        lo, hi = np.nanquantile(bs, [alpha / 2.0, 1.0 - alpha / 2.0])
        out = replace(out, boot_se=float(np.nanstd(bs, ddof=1)), boot_lower=float(lo), boot_upper=float(hi))
    return out


def _bootstrap(X: FloatArray, w: FloatArray, blq_mean: str, n_boot: int, seed: int | None) -> FloatArray:
    """AUC of ``n_boot`` resamples: subjects drawn with replacement within each sampling schedule."""
    rng = np.random.default_rng(seed)
    present = ~np.isnan(X)
    _, schedule = np.unique(present.T, axis=0, return_inverse=True)
    schedule = np.asarray(schedule).ravel()
    m_t = X.shape[0]
    sums = np.zeros((n_boot, m_t))
    counts = np.zeros((n_boot, m_t))
    zeros = np.zeros((n_boot, m_t))
    Xz = np.where(present, X, 0.0)
    for g in np.unique(schedule):  # a loop over sampling schedules (a handful), not subjects
        members = np.flatnonzero(schedule == g)
        pick = members[rng.integers(0, members.size, size=(n_boot, members.size))]
        sums += Xz[:, pick].sum(axis=2).T
        counts += present[:, pick].sum(axis=2).T
        zeros += (present[:, pick] & (X[:, pick] == 0)).sum(axis=2).T
    with np.errstate(invalid="ignore", divide="ignore"):
        means = sums / counts
        if blq_mean == "pknca":
            means = np.where(zeros / counts > 0.5, 0.0, means)
    return np.asarray(means @ w, dtype=float)
