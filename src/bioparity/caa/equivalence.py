"""Equivalence test of lot means (FDA 2017 draft, tier 1 style), vectorised over attributes.

H0: |mu_T - mu_R| >= delta against H1: |mu_T - mu_R| < delta with ``delta = c · s_R`` (``c = 1.5`` by
default; the reference SD is treated as known, the "fixed-SD approach"). Equivalence is concluded
when the two-sided ``1 - 2·alpha`` (90%) confidence interval of ``mu_T - mu_R`` lies inside
``(-delta, delta)`` (FDA draft guidance "Statistical Approaches to Evaluate Analytical Similarity",
September 2017, withdrawn 2018; Tsong et al. 2017, J Biopharm Stat 27:197-205). The unit is the lot: one
value per lot, replicates averaged.

Variance model (the draft did not fix it; both are offered): ``welch`` (default) uses
``se = sqrt(s_T^2/n_T + s_R^2/n_R)`` with Welch-Satterthwaite degrees of freedom; ``pooled`` uses the
pooled SD with ``n_T + n_R - 2`` degrees of freedom.

Direction: for a one-sided attribute (``higher-is-worse``) only the upper confidence limit is held
against ``+delta``; for ``lower-is-worse`` only the lower limit against ``-delta``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import stats

from bioparity.arrays import BoolArray, FloatArray, broadcast_named
from bioparity.errors import InputError

VARIANCE_MODELS = ("welch", "pooled")
DIRECTIONS = ("two-sided", "higher-is-worse", "lower-is-worse")

#: Lots per source below which the FDA 2017 draft's guidance is not met (a warning, not a failure).
RECOMMENDED_LOTS = 10


@dataclass(frozen=True)
class EquivalenceArrays:
    """Per-row output of :func:`equivalence_test_means` (arrays of one shape).

    Attributes
    ----------
    difference : numpy.ndarray of float
        Mean difference ``mean_T - mean_R`` in the attribute's unit.
    ci_lower, ci_upper : numpy.ndarray of float
        Its ``1 - 2 alpha`` confidence interval (90% at alpha 0.05); NaN where no CI can be formed.
    margin : numpy.ndarray of float
        Equivalence margin ``margin_multiplier · s_R`` (attribute's unit); the acceptance region is
        ``(-margin, margin)``, open on the side that does not matter for a one-sided attribute.
    df : numpy.ndarray of float
        Degrees of freedom of the CI (Welch-Satterthwaite or ``n_T + n_R - 2``); NaN where not
        evaluable.
    passed : numpy.ndarray of bool
        Equivalence shown (False where not evaluable).
    """

    difference: FloatArray
    ci_lower: FloatArray
    ci_upper: FloatArray
    margin: FloatArray
    df: FloatArray
    passed: BoolArray


def equivalence_test_means(
    mean_test: npt.ArrayLike,
    sd_test: npt.ArrayLike,
    n_test: npt.ArrayLike,
    mean_reference: npt.ArrayLike,
    sd_reference: npt.ArrayLike,
    n_reference: npt.ArrayLike,
    *,
    margin_multiplier: npt.ArrayLike = 1.5,
    alpha: npt.ArrayLike = 0.05,
    variance: npt.ArrayLike = "welch",
    direction: npt.ArrayLike = "two-sided",
) -> EquivalenceArrays:
    """TOST on lot means from summary statistics; all arguments broadcast together.

    Returns the mean difference ``T - R``, its ``1 - 2·alpha`` CI, the margin ``c · s_R``, the degrees of
    freedom and whether equivalence is shown. Rows with fewer than 2 lots in a source or ``s_R = 0``
    give NaN and ``passed = False``; callers report them as not evaluable.

    Parameters
    ----------
    mean_test, sd_test : array_like of float
        Mean and SD (``n - 1``) of the test lot values, in the attribute's unit.
    n_test : array_like of int
        Number of test lots (one value per lot, replicates averaged).
    mean_reference, sd_reference : array_like of float
        Mean and SD of the reference lot values; ``sd_reference`` sets the margin.
    n_reference : array_like of int
        Number of reference lots.
    margin_multiplier : array_like of float, default 1.5
        ``c`` in the margin ``c · s_R`` (> 0; 1.5 in the FDA 2017 draft).
    alpha : array_like of float, default 0.05
        One-sided level of each of the two one-sided tests, in (0, 0.5): the CI is ``1 - 2 alpha``.
    variance : array_like of str, default "welch"
        ``welch`` (separate variances, Welch-Satterthwaite df) or ``pooled`` (``n_T + n_R - 2`` df).
    direction : array_like of str, default "two-sided"
        ``two-sided`` (CI inside ``(-margin, margin)``), ``higher-is-worse`` (upper limit below
        ``margin``) or ``lower-is-worse`` (lower limit above ``-margin``).

    Returns
    -------
    EquivalenceArrays
        Difference, CI, margin, df and decision per row, in the broadcast shape of the inputs.

    Raises
    ------
    InputError
        For an unknown variance model or direction, alpha outside (0, 0.5), or a margin multiplier
        <= 0.

    References
    ----------
    FDA, Statistical Approaches to Evaluate Analytical Similarity, draft guidance (September 2017,
    withdrawn 2018), tier 1. Tsong Y, Dong X, Shen M (2017) J Biopharm Stat 27(2):197-205. Schuirmann DJ
    (1987) J Pharmacokinet Biopharm 15:657-680. Welch BL (1947) Biometrika 34:28-35.

    Examples
    --------
    >>> r = equivalence_test_means(100.5, 4.0, 10, 100.0, 5.0, 15)
    >>> bool(r.passed), round(float(r.margin), 2)
    (True, 7.5)
    """
    numbers = {
        "mean_test": mean_test,
        "sd_test": sd_test,
        "n_test": n_test,
        "mean_reference": mean_reference,
        "sd_reference": sd_reference,
        "n_reference": n_reference,
        "margin_multiplier": margin_multiplier,
        "alpha": alpha,
    }
    arrays = broadcast_named(
        **{name: np.asarray(value, dtype=float) for name, value in numbers.items()},
        variance=np.asarray(variance, dtype=object),
        direction=np.asarray(direction, dtype=object),
    )
    m_t, s_t, n_t, m_r, s_r, n_r, mult, a, var, dirn = arrays
    var = var.astype(str)
    dirn = dirn.astype(str)
    if not np.isin(var, VARIANCE_MODELS).all():
        raise InputError(
            f"variance model must be one of {', '.join(VARIANCE_MODELS)}; got {sorted(set(var.ravel()))}"
        )
    if not np.isin(dirn, DIRECTIONS).all():
        raise InputError(f"direction must be one of {', '.join(DIRECTIONS)}; got {sorted(set(dirn.ravel()))}")
    if not np.all((a > 0) & (a < 0.5)):
        raise InputError("alpha must be in (0, 0.5); 0.05 gives the 90% confidence interval")
    if not np.all(mult > 0):
        raise InputError("margin_multiplier must be > 0 (1.5 for the FDA 2017 draft)")
    with np.errstate(divide="ignore", invalid="ignore"):
        v_t, v_r = s_t**2 / n_t, s_r**2 / n_r
        welch_se = np.sqrt(v_t + v_r)
        welch_df = (v_t + v_r) ** 2 / (v_t**2 / (n_t - 1) + v_r**2 / (n_r - 1))
        pooled_df = n_t + n_r - 2
        pooled_sd = np.sqrt(((n_t - 1) * s_t**2 + (n_r - 1) * s_r**2) / pooled_df)
        pooled_se = pooled_sd * np.sqrt(1 / n_t + 1 / n_r)
    welch = var == "welch"
    se = np.where(welch, welch_se, pooled_se)
    df = np.where(welch, welch_df, pooled_df)
    # Welch df is undefined when both SDs are 0; no CI can be formed then.
    ok = (n_t >= 2) & (n_r >= 2) & (s_r > 0) & np.isfinite(se) & np.isfinite(df) & (df > 0)
    df = np.where(ok, df, np.nan)
    t_crit = stats.t.ppf(1 - a, np.where(ok, df, 1.0))
    diff = m_t - m_r
    lower = np.where(ok, diff - t_crit * se, np.nan)
    upper = np.where(ok, diff + t_crit * se, np.nan)
    margin = mult * s_r
    two = dirn == "two-sided"
    passed = np.where(
        two,
        (lower > -margin) & (upper < margin),
        np.where(dirn == "higher-is-worse", upper < margin, lower > -margin),
    )
    return EquivalenceArrays(
        difference=np.asarray(diff, dtype=float),
        ci_lower=np.asarray(lower, dtype=float),
        ci_upper=np.asarray(upper, dtype=float),
        margin=np.asarray(margin, dtype=float),
        df=np.asarray(df, dtype=float),
        passed=np.asarray(passed & ok, dtype=bool),
    )
