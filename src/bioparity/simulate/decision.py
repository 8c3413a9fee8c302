"""Pairwise GMR confidence intervals of parallel arms (pooled or Welch), vectorised across many data sets.

The same estimator as :func:`bioparity.be.similarity.pk_similarity` with ``variance="pooled"`` and no
covariates (one-way ANOVA on log values; the tests check both give the same intervals and decisions),
written for thousands of simulated studies at once: row ``r`` of ``log_values`` is one data set (one
study and metric), column ``s`` one subject whose arm is ``arm[s]``; ``include`` marks the values that
enter the analysis. With ``k`` arms, ``n_a`` included values and mean ``m_a`` in arm ``a``::

    MSE = sum_a sum_(s in a) (y_s - m_a)^2 / (N - k)          df = N - k   (k: arms with values)
    CI(a/b) = exp(m_a - m_b -/+ t(1 - alpha, df) sqrt(MSE (1/n_a + 1/n_b)))

and the comparison passes when the CI rounded to two decimals in percent lies within the limits (the
rule of ``pk_similarity``). Only reductions along rows are used, so each row's result does not depend on
which other rows are computed with it (bitwise reproducible under any chunking).

:func:`welch_pairwise_intervals` is the default of ``pk_similarity`` (``variance="welch"``, no covariates):
per comparison ``se^2 = s_i^2/n_i + s_j^2/n_j`` with the Welch-Satterthwaite df
``se^4 / ((s_i^2/n_i)^2/(n_i - 1) + (s_j^2/n_j)^2/(n_j - 1))`` (Welch 1947; FDA 2001 statistical guidance,
section VI.C); a comparison needs at least 2 values in each of its arms.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from bioparity.arrays import BoolArray, FloatArray, IntArray
from bioparity.power.kernels import critical_t


@dataclass(frozen=True)
class PairwiseIntervals:
    """Per row ``r`` and comparison ``c``: ratio, CI (ratio scale), pass; per row and arm: counts.

    A comparison is not estimable (NaN, not passed) when an arm of it has no value or ``df < 1``.
    ``R`` is the number of rows (data sets), ``C`` of comparisons, ``k`` of arms.

    Attributes
    ----------
    gmr : numpy.ndarray of float, shape (R, C)
        Geometric mean ratio ``arms[i] / arms[j]`` of comparison ``c = (i, j)`` (fraction); NaN where not
        estimable.
    ci_lower, ci_upper : numpy.ndarray of float, shape (R, C)
        The ``1 - 2 alpha`` confidence interval of the ratio; NaN where not estimable.
    passed : numpy.ndarray of bool, shape (R, C)
        The CI, in percent rounded to two decimals, lies within ``[100 theta1, 100 theta2]``.
    estimable : numpy.ndarray of bool, shape (R, C)
        Whether the comparison could be computed.
    df : numpy.ndarray of float
        Degrees of freedom: shape (R,) for the pooled model (``N - k`` of the arms with values), (R, C)
        Welch-Satterthwaite per comparison (NaN where not estimable).
    mse : numpy.ndarray of float, shape (R,)
        Pooled residual mean square of the log values; NaN for the Welch model (no pooled variance).
    n : numpy.ndarray of int, shape (R, k)
        Values included per row and arm.
    """

    gmr: FloatArray  # (R, C)
    ci_lower: FloatArray  # (R, C)
    ci_upper: FloatArray  # (R, C)
    passed: BoolArray  # (R, C)
    estimable: BoolArray  # (R, C)
    df: FloatArray  # (R,) pooled, (R, C) Welch
    mse: FloatArray  # (R,)
    n: IntArray  # (R, k)


def pooled_pairwise_intervals(
    log_values: FloatArray,
    include: BoolArray,
    arm: npt.NDArray[np.int64],
    n_arms: int,
    comparisons: Sequence[tuple[int, int]],
    *,
    alpha: float = 0.05,
    theta1: float = 0.80,
    theta2: float = 1.25,
) -> PairwiseIntervals:
    """Pairwise ``arms[i] / arms[j]`` intervals of every row (see the module docstring).

    One-way ANOVA of the log values of each row with a pooled residual variance over all arms that have
    values: ``CI = exp(m_i - m_j -/+ t(1 - alpha, N - k) sqrt(MSE (1/n_i + 1/n_j)))``.

    Parameters
    ----------
    log_values : numpy.ndarray of float, shape (R, N)
        Natural log of the metric: one row per data set (study and metric), one column per subject.
        Values that are not included may hold anything (they are not read).
    include : numpy.ndarray of bool, shape (R, N)
        Which values enter the analysis (analysed subjects with a positive, finite metric).
    arm : numpy.ndarray of int, shape (N,)
        Arm index of each column, ``0 .. n_arms - 1``.
    n_arms : int
        Number of arms ``k``.
    comparisons : sequence of (int, int)
        Pairs ``(i, j)`` of arm indices; the ratio is ``arms[i] / arms[j]``.
    alpha : float, default 0.05
        One-sided level of each of the two one-sided tests: the CI is ``1 - 2 alpha`` (90%).
    theta1, theta2 : float, default 0.80 and 1.25
        Acceptance limits of the ratio.

    Returns
    -------
    PairwiseIntervals
        Per row and comparison the ratio, CI, estimability and decision; per row ``df`` (R,) and
        ``mse`` (R,); per row and arm the counts.

    References
    ----------
    Schuirmann DJ (1987) J Pharmacokinet Biopharm 15:657-680 (the ``1 - 2 alpha`` CI as two one-sided
    tests). FDA, Guidance for Industry: Statistical Approaches to Establishing Bioequivalence (2001),
    section VI (statistical analysis, including parallel designs).

    Examples
    --------
    >>> y = np.log(np.array([[100.0, 110.0, 90.0, 95.0, 105.0, 100.0]]))
    >>> arm = np.array([0, 0, 0, 1, 1, 1])
    >>> iv = pooled_pairwise_intervals(y, np.ones_like(y, dtype=bool), arm, 2, [(0, 1)])
    >>> iv.ci_lower.round(4), iv.ci_upper.round(4), iv.df
    (array([[0.8689]]), array([[1.1452]]), array([4.]))
    """
    n, mean, ss_arm = _arm_moments(log_values, include, arm, n_arms)
    ss = ss_arm.sum(axis=1)
    df = n.sum(axis=1) - (n > 0).sum(axis=1)  # arms without any value leave the model
    ok_df = df >= 1
    with np.errstate(invalid="ignore", divide="ignore"):
        mse = np.where(ok_df, ss / np.where(ok_df, df, 1), np.nan)
    t = np.where(ok_df, critical_t(alpha, np.where(ok_df, df, 1).astype(float)), np.nan)

    def pair(c: int, i: int, j: int) -> tuple[BoolArray, FloatArray, FloatArray]:
        est = ok_df & (n[:, i] > 0) & (n[:, j] > 0)
        return est, mean[:, i] - mean[:, j], t * np.sqrt(mse * (1.0 / n[:, i] + 1.0 / n[:, j]))

    parts = _pairwise(log_values.shape[0], comparisons, pair)
    return _result(parts, theta1, theta2, df.astype(float), mse, n)


_Pair = Callable[[int, int, int], tuple[BoolArray, FloatArray, FloatArray]]


def _pairwise(
    n_rows: int, comparisons: Sequence[tuple[int, int]], pair: _Pair
) -> tuple[FloatArray, FloatArray, FloatArray, BoolArray]:
    """GMR, limits and estimability of every row and comparison ``c = (i, j)``: ``pair(c, i, j)`` gives
    the estimable rows, the difference of log means and the half-width of its interval."""
    shape = (n_rows, len(comparisons))
    gmr, lower, upper = np.full(shape, np.nan), np.full(shape, np.nan), np.full(shape, np.nan)
    estimable = np.zeros(shape, dtype=bool)
    for c, (i, j) in enumerate(comparisons):
        with np.errstate(invalid="ignore", divide="ignore"):
            est, diff, half = pair(c, i, j)
            gmr[:, c] = np.where(est, np.exp(diff), np.nan)
            lower[:, c] = np.where(est, np.exp(diff - half), np.nan)
            upper[:, c] = np.where(est, np.exp(diff + half), np.nan)
        estimable[:, c] = est
    return gmr, lower, upper, estimable


def _result(
    parts: tuple[FloatArray, FloatArray, FloatArray, BoolArray],
    theta1: float,
    theta2: float,
    df: FloatArray,
    mse: FloatArray,
    n: IntArray,
) -> PairwiseIntervals:
    gmr, lower, upper, estimable = parts
    passed = _passes(estimable, lower, upper, theta1, theta2)
    return PairwiseIntervals(
        gmr=gmr,
        ci_lower=lower,
        ci_upper=upper,
        passed=passed,
        estimable=estimable,
        df=df.astype(float),
        mse=mse,
        n=n,
    )


def _passes(
    estimable: BoolArray, lower: FloatArray, upper: FloatArray, theta1: float, theta2: float
) -> BoolArray:
    """Limits in percent rounded to two decimals inside ``[100 theta1, 100 theta2]`` (as reported)."""
    with np.errstate(invalid="ignore"):
        return np.asarray(
            estimable
            & (100.0 * theta1 <= np.round(100.0 * lower, 2))
            & (np.round(100.0 * upper, 2) <= 100.0 * theta2),
            dtype=bool,
        )


def _arm_moments(
    y: FloatArray, include: BoolArray, arm: npt.NDArray[np.int64], n_arms: int
) -> tuple[IntArray, FloatArray, FloatArray]:
    """Per row and arm: count, mean and sum of squared deviations of the included values."""
    R = y.shape[0]
    n = np.zeros((R, n_arms), dtype=np.int64)
    mean = np.zeros((R, n_arms))
    ss = np.zeros((R, n_arms))
    for a in range(n_arms):  # a loop over the (few) arms; rows stay vectorised
        cols = arm == a
        inc = include[:, cols]
        ya = np.where(inc, y[:, cols], 0.0)
        n[:, a] = inc.sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean[:, a] = ya.sum(axis=1) / n[:, a]
        dev = np.where(inc, ya - mean[:, a][:, None], 0.0)
        ss[:, a] = (dev * dev).sum(axis=1)
    return n, mean, ss


def welch_pairwise_intervals(
    log_values: FloatArray,
    include: BoolArray,
    arm: npt.NDArray[np.int64],
    n_arms: int,
    comparisons: Sequence[tuple[int, int]],
    *,
    alpha: float = 0.05,
    theta1: float = 0.80,
    theta2: float = 1.25,
) -> PairwiseIntervals:
    """Welch pairwise ``arms[i] / arms[j]`` intervals of every row (see the module docstring).

    Each comparison uses only its two arms: ``se^2 = s_i^2/n_i + s_j^2/n_j`` and the Welch-Satterthwaite
    degrees of freedom; it needs at least 2 values in each arm.

    Parameters
    ----------
    log_values, include, arm, n_arms, comparisons, alpha, theta1, theta2
        As in :func:`pooled_pairwise_intervals` (log values and inclusion mask of shape (R, N), arm of
        each column, number of arms, pairs ``(i, j)``, one-sided level, limits of the ratio).

    Returns
    -------
    PairwiseIntervals
        As :func:`pooled_pairwise_intervals`, with ``df`` of shape (R, C) and ``mse`` all NaN.

    References
    ----------
    Welch BL (1947) Biometrika 34:28-35. Satterthwaite FE (1946) Biometrics Bulletin 2:110-114.
    FDA, Guidance for Industry: Statistical Approaches to Establishing Bioequivalence (2001), section VI.C.

    Examples
    --------
    >>> y = np.log(np.array([[100.0, 110.0, 90.0, 95.0, 105.0, 100.0]]))
    >>> arm = np.array([0, 0, 0, 1, 1, 1])
    >>> iv = welch_pairwise_intervals(y, np.ones_like(y, dtype=bool), arm, 2, [(0, 1)])
    >>> iv.ci_lower.round(4), iv.ci_upper.round(4), iv.df.round(3)
    (array([[0.8553]]), array([[1.1633]]), array([[2.936]]))
    """
    n, mean, ss = _arm_moments(log_values, include, arm, n_arms)
    R = log_values.shape[0]
    df = np.full((R, len(comparisons)), np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        var = ss / np.where(n > 1, n - 1, 1)

    def pair(c: int, i: int, j: int) -> tuple[BoolArray, FloatArray, FloatArray]:
        est = (n[:, i] >= 2) & (n[:, j] >= 2)
        vi, vj = var[:, i] / n[:, i], var[:, j] / n[:, j]
        se2 = vi + vj
        nu = se2 * se2 / (vi * vi / (n[:, i] - 1) + vj * vj / (n[:, j] - 1))
        est &= np.isfinite(nu) & (se2 > 0)
        df[:, c] = np.where(est, nu, np.nan)
        return est, mean[:, i] - mean[:, j], critical_t(alpha, np.where(est, nu, 1.0)) * np.sqrt(se2)

    parts = _pairwise(R, comparisons, pair)
    return _result(parts, theta1, theta2, df, np.full(R, np.nan), n)
