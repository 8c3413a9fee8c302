"""Conversions between CV, log-scale standard deviation and MSE, and the CV implied by a 90% CI.

Log-normal model (PowerTOST ``CV2se``, ``se2CV``, ``CV2mse``, ``mse2CV``; the coefficient of variation of
a log-normal variable, e.g. Julious 2004, Stat Med 23:1921-1986):
``sigma^2 = ln(CV^2 + 1)`` and ``CV = sqrt(exp(sigma^2) - 1)``.

Example
-------
>>> round(float(cv_to_se(0.30)), 7)
0.2935604
"""

from __future__ import annotations

import warnings

import numpy as np
import numpy.typing as npt
from scipy import special

from bioparity.arrays import FloatArray
from bioparity.errors import BioparityWarning, InputError
from bioparity.power.designs import get_design


def cv_to_se(cv: npt.ArrayLike) -> FloatArray:
    """Log-scale standard deviation from a CV (ratio, not %): ``sqrt(ln(1 + CV^2))``.

    Parameters
    ----------
    cv : array_like
        Coefficient of variation of the log-normal variable, as a ratio (0.3 for 30%).

    Returns
    -------
    numpy.ndarray
        The standard deviation on the log scale (PowerTOST ``CV2se``).
    """
    # The SD is the root of the log-scale variance: one formula per direction (the same floats).
    return np.asarray(np.sqrt(cv_to_mse(cv)), dtype=float)


def se_to_cv(se: npt.ArrayLike) -> FloatArray:
    """CV from a log-scale standard deviation: ``sqrt(exp(se^2) - 1)``.

    Parameters
    ----------
    se : array_like
        Standard deviation on the log scale.

    Returns
    -------
    numpy.ndarray
        The CV as a ratio (PowerTOST ``se2CV``).
    """
    s = np.asarray(se, dtype=float)
    return mse_to_cv(s * s)


def cv_to_mse(cv: npt.ArrayLike) -> FloatArray:
    """Log-scale variance (ANOVA mean squared error) from a CV: ``ln(1 + CV^2)``.

    Parameters
    ----------
    cv : array_like
        Coefficient of variation as a ratio.

    Returns
    -------
    numpy.ndarray
        The variance on the log scale (PowerTOST ``CV2mse``).
    """
    c = np.asarray(cv, dtype=float)
    return np.asarray(np.log1p(c * c), dtype=float)


def mse_to_cv(mse: npt.ArrayLike) -> FloatArray:
    """CV from a log-scale variance: ``sqrt(exp(mse) - 1)``.

    Parameters
    ----------
    mse : array_like
        Variance on the log scale (ANOVA mean squared error).

    Returns
    -------
    numpy.ndarray
        The CV as a ratio (PowerTOST ``mse2CV``).
    """
    return np.asarray(np.sqrt(np.expm1(np.asarray(mse, dtype=float))), dtype=float)


def group_sizes(n_total: int, groups: int) -> tuple[int, ...]:
    """Split a total into ``groups`` sizes as evenly as possible, larger groups first (PowerTOST ``nvec``).

    Parameters
    ----------
    n_total : int
        Total number of subjects (>= ``groups`` for every group to have one).
    groups : int
        Number of sequence groups (the design's ``steps``: 2 for a 2x2, 3 for a 2x3x3).

    Returns
    -------
    tuple of int
        ``groups`` sizes that sum to ``n_total`` and differ by at most 1, the larger ones first.

    Examples
    --------
    >>> group_sizes(101, 2)
    (51, 50)
    >>> group_sizes(34, 3)
    (12, 11, 11)
    """
    q, r = divmod(int(n_total), int(groups))
    return tuple([q + 1] * r + [q] * (groups - r))


def sum_inverse_group_sizes(n_total: npt.ArrayLike, groups: npt.ArrayLike) -> FloatArray:
    """``sum(1 / n_i)`` for totals split by :func:`group_sizes`, vectorised without building the splits."""
    n = np.asarray(n_total, dtype=np.int64)
    g = np.asarray(groups, dtype=np.int64)
    q, r = np.divmod(n, g)
    with np.errstate(divide="ignore"):
        return np.asarray(r / (q + 1.0) + (g - r) / q.astype(float), dtype=float)


def cv_from_ci(
    lower: float,
    upper: float,
    n: int | tuple[int, ...],
    design: str = "2x2",
    alpha: float = 0.05,
    point: float | None = None,
    robust: bool = False,
) -> float:
    """The CV implied by a reported ``1 - 2*alpha`` confidence interval of a ratio (PowerTOST ``CVfromCI``).

    The half-width on the log scale is ``t(1 - alpha, df) * se * sqrt(bkni * sum(1/n_i))``; solving for
    ``se`` from each side of the point estimate and averaging gives ``CV = se_to_cv(se)``.
    ``n`` is the total (split as :func:`group_sizes`) or the sizes of the sequence groups.
    If ``point`` is missing it is the geometric mean of the limits.

    If the two sides imply standard deviations more than 10% apart (a point estimate that is not the
    centre of the interval on the log scale), a :class:`~bioparity.errors.BioparityWarning` says to check
    the input, as PowerTOST does.

    Parameters
    ----------
    lower, upper : float
        Confidence limits of the ratio (e.g. 0.87 and 1.13).
    n : int or tuple of int
        Total number of subjects, or the sizes of the sequence groups.
    design : str, default "2x2"
        The design of the study (as in :func:`bioparity.power.power_tost`).
    alpha : float, default 0.05
        One-sided level: 0.05 for a 90% CI.
    point : float, optional
        Point estimate; default the geometric mean of the limits.
    robust : bool, default False
        Use the "robust" degrees of freedom (PowerTOST ``robust=TRUE``).

    Returns
    -------
    float
        The CV (ratio: 0.26 for 26%).

    Examples
    --------
    >>> round(cv_from_ci(point=0.99, lower=0.87, upper=1.13, n=23, design="2x2"), 7)
    0.2617363
    """
    d = get_design(design)
    if not (0 < lower < upper):
        raise InputError(
            f"confidence limits must satisfy 0 < lower < upper; got lower={lower}, upper={upper}"
        )
    if not 0 < alpha < 0.5:
        raise InputError(f"alpha must be in (0, 0.5); got {alpha}")
    sizes = group_sizes(n, d.steps) if isinstance(n, (int, np.integer)) else tuple(int(v) for v in n)
    if len(sizes) != d.steps or min(sizes) < 1:
        raise InputError(f"n for design {d.name} must be a total or {d.steps} group sizes >= 1; got {n!r}")
    pe = float(np.sqrt(lower * upper)) if point is None else float(point)
    if not lower <= pe <= upper:
        raise InputError(f"point estimate {pe} is not inside the interval [{lower}, {upper}]")
    df = int(d.df(sum(sizes), robust))
    if df < 1:
        raise InputError(
            f"n = {sum(sizes)} leaves {df} degrees of freedom for design {d.name}; expected >= 1"
        )
    se_factor = np.sqrt(d.bkni * sum(1.0 / s for s in sizes))
    t = float(special.stdtrit(df, 1.0 - alpha))
    s_low = (np.log(pe) - np.log(lower)) / se_factor / t
    s_up = (np.log(upper) - np.log(pe)) / se_factor / t
    s_mean = 0.5 * (s_low + s_up)
    if abs(s_low - s_up) / s_mean > 0.1:
        warnings.warn(
            f"the point estimate {pe} and the limits imply standard deviations {s_low:.4g} and {s_up:.4g} "
            "(more than 10% apart): check the point estimate and limits",
            BioparityWarning,
            stacklevel=2,
        )
    return float(se_to_cv(s_mean))
