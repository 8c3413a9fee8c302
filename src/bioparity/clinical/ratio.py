"""Confidence intervals for the ratio of two independent binomial proportions, ``p1 / p2``.

Methods (score intervals inverted on the log scale by Newton's method on the score equation, in closed form
where the restricted MLE sits on a boundary; see :mod:`bioparity.clinical.score_limits`):

* ``koopman`` (default): Koopman (1984) asymptotic score interval, i.e. the Pearson chi-square at the
  restricted MLE (Fagerland, Lydersen & Laake 2015 recommend it);
* ``mn``: Miettinen-Nurminen (1985) score interval, the same with the variance times N/(N-1);
* ``katz``: Katz et al. (1978) log interval, ``exp(ln r +/- z sqrt(1/x1 - 1/n1 + 1/x2 - 1/n2))``
  (undefined with a zero count: reported as NaN).

Zero counts: ``x1 = 0`` gives a lower limit 0, ``x2 = 0`` an upper limit of infinity (score methods).

Example
-------
>>> r = ci_ratio(7, 34, 1, 34, method="koopman")
>>> round(float(r.ci_lower), 4), round(float(r.ci_upper), 4)
(1.2209, 42.5757)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

import bioparity.clinical._checks as checks
from bioparity._results import ResultMixin, interval_text, scenarios, software_version
from bioparity.arrays import FloatArray, IndexArray, IntArray
from bioparity.clinical._checks import flat_tables, method_name, table_fields, tables_and_level, z_two_sided
from bioparity.clinical.roots import solve_decreasing
from bioparity.clinical.score import score_z_ratio, wilson_roots
from bioparity.clinical.score_limits import RatioStep, newton_limits
from bioparity.errors import InputError

RATIO_METHODS: dict[str, str] = {
    "koopman": "Koopman asymptotic score",
    "mn": "Miettinen-Nurminen score (variance x N/(N-1))",
    "katz": "Katz log (Wald on the log scale)",
}

#: Search window for ln(ratio): limits beyond exp(+/-50) do not occur for n below 1e20.
_LOG_RATIO_BOUND = 50.0


@dataclass(frozen=True, repr=False)
class RatioCI(ResultMixin):
    """Confidence interval for ``p1 / p2`` per scenario.

    Attributes
    ----------
    ratio : numpy.ndarray of float
        Observed ratio ``p1 / p2`` (inf when ``x2 = 0``, NaN when both are 0).
    ci_lower, ci_upper : numpy.ndarray of float
        The two-sided ``conf_level`` interval of the ratio: lower 0 when ``x1 = 0``, upper inf when
        ``x2 = 0`` (score methods); NaN for ``katz`` with a zero count.
    p1, p2, x1, n1, x2, n2, conf_level, method, software_version
        As in :class:`~bioparity.clinical.DifferenceCI` (``method`` a key of :data:`RATIO_METHODS`).
    """

    SETTINGS = ("method", "conf_level")

    ratio: FloatArray
    ci_lower: FloatArray
    ci_upper: FloatArray
    p1: FloatArray
    p2: FloatArray
    x1: IntArray
    n1: IntArray
    x2: IntArray
    n2: IntArray
    conf_level: FloatArray
    method: str
    software_version: str = field(default_factory=software_version)

    def summary(self) -> str:
        return (
            f"Ratio of proportions p1 / p2 ({self.method}){scenarios(self.ratio)}: "
            f"{interval_text(self.ratio, self.ci_lower, self.ci_upper, self.conf_level)}\n"
            f"{checks.tables_text(self.p1, self.x1, self.n1, self.p2, self.x2, self.n2)}"
        )


def ratio_limits(
    x1: FloatArray, n1: FloatArray, x2: FloatArray, n2: FloatArray, z: FloatArray, method: str
) -> tuple[FloatArray, FloatArray]:
    """Unchecked core of :func:`ci_ratio` for clean float arrays."""
    if method == "katz":
        defined = (x1 > 0) & (x2 > 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            log_r = np.log(x1 / n1) - np.log(x2 / n2)
            se = np.sqrt(1.0 / x1 - 1.0 / n1 + 1.0 / x2 - 1.0 / n2)
            lower = np.where(defined, np.exp(log_r - z * se), np.nan)
            upper = np.where(defined, np.exp(log_r + z * se), np.nan)
        return np.asarray(lower, dtype=float), np.asarray(upper, dtype=float)
    if method not in ("koopman", "mn"):
        raise InputError(f"unknown method {method!r}; expected one of {', '.join(RATIO_METHODS)}")
    corrected = method == "mn"
    shape, (f1, k1, f2, k2, fz) = flat_tables(x1, n1, x2, n2, z)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_hat = np.log(f1 / k1) - np.log(f2 / k2)
    centre = np.clip(np.nan_to_num(log_hat, nan=0.0), -_LOG_RATIO_BOUND, _LOG_RATIO_BOUND)
    # The lower limit is 0 where x1 = 0, the upper infinite where x2 = 0: no search (empty brackets).
    low = np.where(f1 == 0, centre, -_LOG_RATIO_BOUND)
    high = np.where(f2 == 0, centre, _LOG_RATIO_BOUND)
    roots = newton_limits(
        RatioStep,
        _start_limits,
        (f1, k1, f2, k2),
        fz,
        corrected,
        (low, centre, high),
        lambda rest: _bracketed_log_limits(
            f1[rest], k1[rest], f2[rest], k2[rest], fz[rest], centre[rest], corrected
        ),
    )
    lower = np.where(f1 == 0, 0.0, np.exp(roots[0])).reshape(shape)
    upper = np.where(f2 == 0, np.inf, np.exp(roots[1])).reshape(shape)
    return np.asarray(lower, dtype=float), np.asarray(upper, dtype=float)


def _start_limits(
    x1: FloatArray, n1: FloatArray, x2: FloatArray, n2: FloatArray, z: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Approximate limits of ``ln(p1/p2)`` to start Newton's method from: MOVER-Wilson (Zou & Donner
    2008, the Wilson limits of both proportions recovered on the log scale), or the half-count Katz limits
    where a count is 0."""
    l1, u1 = wilson_roots(x1, n1, z)
    l2, u2 = wilson_roots(x2, n2, z)
    with np.errstate(divide="ignore", invalid="ignore"):
        a1, a2 = np.log(x1 / n1), np.log(x2 / n2)
        lower = a1 - a2 - np.hypot(a1 - np.log(l1), np.log(u2) - a2)
        upper = a1 - a2 + np.hypot(np.log(u1) - a1, a2 - np.log(l2))
    if np.all((x1 > 0) & (x2 > 0)):
        return lower, upper
    centre, scale = _half_count_log_ratio(x1, n1, x2, n2)
    zero = (x1 == 0) | (x2 == 0)
    return np.where(zero, centre - z * scale, lower), np.where(zero, centre + z * scale, upper)


def _half_count_log_ratio(
    x1: FloatArray, n1: FloatArray, x2: FloatArray, n2: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """``ln`` of the ratio with half-counts added and its standard error (Katz et al. 1978)."""
    scale = np.sqrt(1.0 / (x1 + 0.5) - 1.0 / (n1 + 0.5) + 1.0 / (x2 + 0.5) - 1.0 / (n2 + 0.5))
    return np.log((x1 + 0.5) / (n1 + 0.5)) - np.log((x2 + 0.5) / (n2 + 0.5)), scale


def _bracketed_log_limits(
    x1: FloatArray,
    n1: FloatArray,
    x2: FloatArray,
    n2: FloatArray,
    z: FloatArray,
    centre: FloatArray,
    corrected: bool,
) -> tuple[FloatArray, FloatArray]:
    """Score limits of ``ln(p1/p2)`` for flat tables by the safeguarded bracketing search (any table),
    started from the half-count Katz limits with their standard error as the step scale."""

    def stat(log_phi: FloatArray, idx: IndexArray) -> FloatArray:
        return score_z_ratio(x1[idx], n1[idx], x2[idx], n2[idx], np.exp(log_phi), corrected)

    log_adj, scale = _half_count_log_ratio(x1, n1, x2, n2)
    lower = solve_decreasing(stat, -_LOG_RATIO_BOUND, centre, z, log_adj - z * scale, scale)
    upper = solve_decreasing(stat, centre, _LOG_RATIO_BOUND, -z, log_adj + z * scale, scale)
    return lower, upper


def ci_ratio(
    x1: npt.ArrayLike,
    n1: npt.ArrayLike,
    x2: npt.ArrayLike,
    n2: npt.ArrayLike,
    *,
    method: str = "koopman",
    conf: npt.ArrayLike = 0.95,
) -> RatioCI:
    """Two-sided ``conf`` confidence interval for ``p1 / p2`` (``koopman``, ``mn`` or ``katz``).

    Parameters
    ----------
    x1, n1, x2, n2, conf
        As in :func:`~bioparity.clinical.ci_difference` (responders and subjects per group, broadcast;
        two-sided level, default 0.95).
    method : {"koopman", "mn", "katz"}, default "koopman"
        The interval (see the module docstring and :data:`RATIO_METHODS`); case-insensitive.

    Returns
    -------
    RatioCI
        The ratio, its interval and the tables, per scenario.

    Raises
    ------
    InputError
        For an unknown method or inputs that do not broadcast.
    ScenarioError
        For a count or level out of its domain.

    References
    ----------
    Koopman PAR (1984) Biometrics 40:513-517. Miettinen O, Nurminen M (1985) Stat Med 4:213-226.
    Fagerland MW, Lydersen S, Laake P (2015) Stat Methods Med Res 24:224-254.
    Katz D, Baptista J, Azen SP, Pike MC (1978) Biometrics 34:469-474. Zou GY, Donner A (2008) Stat Med
    27:1693-1702 (MOVER: the start of the score limits' search).

    Examples
    --------
    >>> r = ci_ratio(56, 70, 48, 80, conf=0.90)
    >>> round(float(r.ratio), 4), round(float(r.ci_lower), 4), round(float(r.ci_upper), 4)
    (1.3333, 1.1174, 1.6084)
    """
    name = method_name(method, RATIO_METHODS, "for a ratio of proportions")
    a, b, c, d, level = tables_and_level(x1, n1, x2, n2, conf)
    lower, upper = ratio_limits(a, b, c, d, z_two_sided(level), name)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.asarray((a / b) / (c / d))
    return RatioCI(ratio=ratio, ci_lower=lower, ci_upper=upper, **table_fields(a, b, c, d, level, name))
