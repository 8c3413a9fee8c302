"""Confidence intervals for the difference of two independent means (Welch or pooled t).

``diff = mean1 - mean2`` from group summaries (mean, SD, n), vectorised over scenarios, or from raw
samples. ``welch`` uses the Welch-Satterthwaite degrees of freedom; ``pooled`` the pooled variance
with ``n1 + n2 - 2`` degrees of freedom (Student).

Example (R ``t.test(extra ~ group, data = sleep)``)
-------
>>> g1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]
>>> g2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]
>>> r = ci_mean_difference_samples(g1, g2, method="welch")
>>> round(float(r.ci_lower), 7), round(float(r.ci_upper), 7)
(-3.3654832, 0.2054832)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from scipy import special

from bioparity._results import ResultMixin, interval_text, scenarios, software_version, values_text
from bioparity.arrays import FloatArray, IntArray
from bioparity.clinical._checks import broadcast, check, check_conf, method_name
from bioparity.clinical._design import check_group_sizes
from bioparity.errors import InputError

MEAN_METHODS: dict[str, str] = {
    "welch": "Welch t (unequal variances, Satterthwaite df)",
    "pooled": "Student t (pooled variance, n1 + n2 - 2 df)",
}


@dataclass(frozen=True, repr=False)
class MeanDifferenceCI(ResultMixin):
    """Confidence interval for ``mean1 - mean2`` per scenario.

    Means, SDs, differences and limits are in the unit of the endpoint; arrays have the broadcast shape
    of the inputs of :func:`ci_mean_difference`.

    Attributes
    ----------
    diff : numpy.ndarray of float
        ``mean1 - mean2``.
    ci_lower, ci_upper : numpy.ndarray of float
        The two-sided ``conf_level`` t interval of the difference.
    se : numpy.ndarray of float
        Standard error of the difference (Welch or pooled).
    df : numpy.ndarray of float
        Degrees of freedom of the t quantile (Welch-Satterthwaite, or ``n1 + n2 - 2``).
    mean1, sd1, mean2, sd2 : numpy.ndarray of float
        The group summaries used (SD with divisor ``n - 1``).
    n1, n2 : numpy.ndarray of int
        The group sizes used (whole numbers: ``20`` in the JSON, not ``20.0``).
    conf_level : numpy.ndarray of float
        Two-sided confidence level.
    method : str
        ``welch`` or ``pooled``.
    software_version : str
        bioparity's version.
    """

    SETTINGS = ("method", "conf_level")

    diff: FloatArray
    ci_lower: FloatArray
    ci_upper: FloatArray
    se: FloatArray
    df: FloatArray
    mean1: FloatArray
    sd1: FloatArray
    n1: IntArray
    mean2: FloatArray
    sd2: FloatArray
    n2: IntArray
    conf_level: FloatArray
    method: str
    software_version: str = field(default_factory=software_version)

    def summary(self) -> str:
        return (
            f"Difference of means mean1 - mean2 ({self.method}){scenarios(self.diff)}: "
            f"{interval_text(self.diff, self.ci_lower, self.ci_upper, self.conf_level)} "
            f"(df {values_text(self.df)})\n"
            f"group 1: mean {values_text(self.mean1)}, SD {values_text(self.sd1)}, n {values_text(self.n1)}; "
            f"group 2: mean {values_text(self.mean2)}, SD {values_text(self.sd2)}, n {values_text(self.n2)}"
        )


def mean_difference_se_df(
    sd1: FloatArray, n1: FloatArray, sd2: FloatArray, n2: FloatArray, method: str
) -> tuple[FloatArray, FloatArray]:
    """Standard error of ``mean1 - mean2`` and its degrees of freedom (unchecked core)."""
    if method == "pooled":
        df = n1 + n2 - 2.0
        pooled_var = ((n1 - 1.0) * sd1**2 + (n2 - 1.0) * sd2**2) / df
        return np.asarray(np.sqrt(pooled_var * (1.0 / n1 + 1.0 / n2))), np.asarray(df)
    if method == "welch":
        v1, v2 = sd1**2 / n1, sd2**2 / n2
        se = np.sqrt(v1 + v2)
        with np.errstate(divide="ignore", invalid="ignore"):
            df = (v1 + v2) ** 2 / (v1**2 / (n1 - 1.0) + v2**2 / (n2 - 1.0))
        # Both SDs zero: no variance information; the interval degenerates to the point.
        df = np.where(v1 + v2 > 0, df, n1 + n2 - 2.0)
        return np.asarray(se), np.asarray(df, dtype=float)
    raise InputError(f"unknown method {method!r}; expected one of {', '.join(MEAN_METHODS)}")


def ci_mean_difference(
    mean1: npt.ArrayLike,
    sd1: npt.ArrayLike,
    n1: npt.ArrayLike,
    mean2: npt.ArrayLike,
    sd2: npt.ArrayLike,
    n2: npt.ArrayLike,
    *,
    method: str = "welch",
    conf: npt.ArrayLike = 0.95,
) -> MeanDifferenceCI:
    """Two-sided ``conf`` t interval for ``mean1 - mean2`` from group summaries (SD with divisor n - 1).

    ``diff +/- t(1 - (1 - conf)/2, df) * se``; ``se`` and ``df`` from :func:`mean_difference_se_df`.

    Parameters
    ----------
    mean1, sd1, n1 : array_like of float
        Mean, standard deviation (>= 0, divisor ``n - 1``) and size (whole number >= 2) of group 1
        (e.g. biosimilar), in the endpoint's unit; broadcast with the others.
    mean2, sd2, n2 : array_like of float
        The same for group 2 (reference).
    method : {"welch", "pooled"}, default "welch"
        Unequal variances with Welch-Satterthwaite df, or the pooled variance with ``n1 + n2 - 2`` df.
    conf : array_like of float, default 0.95
        Two-sided confidence level in (0, 1) (0.90 for the TOST-equivalent interval).

    Returns
    -------
    MeanDifferenceCI
        The difference, its interval, SE and df, with the summaries used, per scenario.

    Raises
    ------
    InputError
        For an unknown method or inputs that do not broadcast.
    ScenarioError
        For a non-finite mean, a negative SD, a size below 2 or a level outside (0, 1).

    References
    ----------
    Welch BL (1947) Biometrika 34:28-35. Satterthwaite FE (1946) Biometrics Bull 2:110-114.

    Examples
    --------
    >>> r = ci_mean_difference(5.2, 1.1, 40, 4.9, 1.3, 42)
    >>> round(float(r.ci_lower), 4), round(float(r.ci_upper), 4), round(float(r.df), 2)
    (-0.2285, 0.8285, 78.92)
    """
    name = method_name(method, MEAN_METHODS)
    m1, s1, k1, m2, s2, k2, level = broadcast(
        mean1=mean1, sd1=sd1, n1=n1, mean2=mean2, sd2=sd2, n2=n2, conf=check_conf(conf)
    )
    for label, m in (("mean1", m1), ("mean2", m2)):
        check(np.isfinite(m), label, m, "a finite mean")
    for label, s in (("sd1", s1), ("sd2", s2)):
        check(np.isfinite(s) & (s >= 0), label, s, "a standard deviation >= 0")
    check_group_sizes(k1, k2, 2)
    se, df = mean_difference_se_df(s1, k1, s2, k2, name)
    t = special.stdtrit(df, 0.5 + 0.5 * level)
    diff = m1 - m2
    return MeanDifferenceCI(
        diff=np.asarray(diff),
        ci_lower=np.asarray(diff - t * se),
        ci_upper=np.asarray(diff + t * se),
        se=se,
        df=df,
        mean1=m1,
        sd1=s1,
        n1=k1.astype(np.int64),  # checked whole numbers
        mean2=m2,
        sd2=s2,
        n2=k2.astype(np.int64),
        conf_level=level,
        method=name,
    )


def ci_mean_difference_samples(
    y1: npt.ArrayLike, y2: npt.ArrayLike, *, method: str = "welch", conf: float = 0.95
) -> MeanDifferenceCI:
    """:func:`ci_mean_difference` from two raw samples (NaN values are an error, not dropped).

    Parameters
    ----------
    y1, y2 : array_like of float
        Observations of group 1 and group 2 (flattened), at least 2 each, all finite.
    method : {"welch", "pooled"}, default "welch"
        As in :func:`ci_mean_difference`.
    conf : float, default 0.95
        Two-sided confidence level in (0, 1).

    Returns
    -------
    MeanDifferenceCI
        The interval from the samples' means, SDs (``n - 1``) and sizes (R ``t.test``).

    Raises
    ------
    InputError
        For a non-finite value (its index is named) or a sample of fewer than 2 values; otherwise as
        :func:`ci_mean_difference`.

    Examples
    --------
    >>> r = ci_mean_difference_samples([0.7, -1.6, -0.2, -1.2, -0.1], [1.9, 0.8, 1.1, 0.1, -0.1],
    ...                                method="pooled")
    >>> round(float(r.diff), 2), float(r.df)
    (-1.24, 8.0)
    """
    a = np.asarray(y1, dtype=float).ravel()
    b = np.asarray(y2, dtype=float).ravel()
    for label, y in (("y1", a), ("y2", b)):
        if not np.isfinite(y).all():
            bad = int(np.argmax(~np.isfinite(y)))
            raise InputError(
                f"{label}[{bad}] = {y[bad]!r}: samples must be finite numbers; remove or impute missing "
                "values explicitly before the analysis"
            )
        if y.size < 2:
            raise InputError(f"{label} has {y.size} value(s); expected at least 2")
    return ci_mean_difference(
        a.mean(), a.std(ddof=1), a.size, b.mean(), b.std(ddof=1), b.size, method=method, conf=conf
    )
