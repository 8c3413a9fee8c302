"""Equivalence decisions: is the confidence interval inside the equivalence margins?

The decision is the interval-inclusion form of the two one-sided tests: equivalence is concluded when
``margin_lower < ci_lower`` and ``ci_upper < margin_upper`` (the null hypotheses ``effect <= margin_lower``
and ``effect >= margin_upper`` are both rejected). The confidence level is never implicit: a two-sided 90%
interval is the TOST at 5% per side (the usual FDA convention for equivalence margins), a two-sided 95%
interval is the TOST at 2.5% per side (the usual EMA convention); the result states which one was used.

Example
-------
>>> r = equivalence_proportions(56, 70, 48, 80, margin_lower=-0.15, margin_upper=0.15, conf=0.95)
>>> bool(r.passed), r.ci_statement
(False, 'two-sided 95% CI (TOST at alpha = 0.025 per side)')
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import numpy.typing as npt

from bioparity._results import (
    ResultMixin,
    count_passed,
    interval_text,
    scenarios,
    software_version,
    values_text,
)
from bioparity.arrays import FloatArray, broadcast_named
from bioparity.clinical._checks import as_float
from bioparity.clinical._design import (
    check_margins,
    check_proportion_difference_margins,
    check_ratio_margins,
)
from bioparity.clinical.means import ci_mean_difference
from bioparity.clinical.proportions import DifferenceCI, ci_difference
from bioparity.clinical.ratio import RatioCI, ci_ratio
from bioparity.clinical.stratified import StratifiedDifferenceCI
from bioparity.errors import InputError


class ConfidenceInterval(Protocol):
    """What the decision needs from a confidence-interval result (all CI results of this package qualify)."""

    @property
    def ci_lower(self) -> FloatArray: ...

    @property
    def ci_upper(self) -> FloatArray: ...

    @property
    def conf_level(self) -> FloatArray: ...

    @property
    def method(self) -> str: ...


@dataclass(frozen=True, repr=False)
class EquivalenceResult(ResultMixin):
    """Equivalence decision per scenario, with the interval, margins and the stated CI level.

    ``passed`` is true where ``margin_lower < ci_lower`` and ``ci_upper < margin_upper``; ``conf_level``
    is the two-sided level of the interval and ``alpha_per_side = (1 - conf_level) / 2`` the one-sided
    level of each of the two one-sided tests it is equivalent to (Schuirmann 1987).

    Arrays have the broadcast shape of the intervals and margins; values are on the scale of the
    measure (a difference of proportions as a fraction, a ratio, or a difference in the endpoint's unit).

    Attributes
    ----------
    passed : numpy.ndarray of bool
        Equivalence concluded: the whole interval lies strictly inside the margins.
    estimate : numpy.ndarray of float
        Point estimate of the measure.
    ci_lower, ci_upper : numpy.ndarray of float
        The two-sided ``conf_level`` confidence interval.
    margin_lower, margin_upper : numpy.ndarray of float
        The prespecified equivalence margins.
    conf_level : numpy.ndarray of float
        Two-sided level of the interval (0.90 or 0.95).
    alpha_per_side : numpy.ndarray of float
        ``(1 - conf_level) / 2``: the level of each one-sided test.
    ci_statement : str
        The level(s) in words, e.g. ``two-sided 95% CI (TOST at alpha = 0.025 per side)``.
    measure : str
        ``difference of proportions``, ``ratio of proportions``, ``difference of means``, or the caller's
        label.
    method : str
        The interval method (``newcombe``, ``koopman``, ``welch``, ...).
    software_version : str
        bioparity's version.
    """

    SETTINGS = ("margin_lower", "margin_upper", "conf_level", "method", "measure")

    passed: npt.NDArray[np.bool_]
    estimate: FloatArray
    ci_lower: FloatArray
    ci_upper: FloatArray
    margin_lower: FloatArray
    margin_upper: FloatArray
    conf_level: FloatArray
    alpha_per_side: FloatArray
    ci_statement: str
    measure: str
    method: str
    software_version: str = field(default_factory=software_version)

    def summary(self) -> str:
        return (
            f"Equivalence of the {self.measure} ({self.method}){scenarios(self.passed)}: "
            f"{count_passed(self.passed)}\n"
            f"{interval_text(self.estimate, self.ci_lower, self.ci_upper, self.conf_level)} against margins "
            f"{values_text(self.margin_lower)} to {values_text(self.margin_upper)}\n"
            f"{self.ci_statement}"
        )


def ci_statement(conf: FloatArray) -> str:
    """Statement of the CI level(s), e.g. ``two-sided 90% CI (TOST at alpha = 0.05 per side)``."""
    levels = np.unique(np.asarray(conf, dtype=float).ravel())
    parts = [f"two-sided {100 * c:.4g}% CI (TOST at alpha = {(1 - c) / 2:.4g} per side)" for c in levels]
    return "; ".join(parts)


def equivalence_decision(
    ci: ConfidenceInterval,
    estimate: npt.ArrayLike,
    *,
    margin_lower: npt.ArrayLike,
    margin_upper: npt.ArrayLike,
    measure: str,
) -> EquivalenceResult:
    """Decide equivalence from any interval result of this package and the margins (same scale as the CI).

    Parameters
    ----------
    ci : DifferenceCI, RatioCI, MeanDifferenceCI or StratifiedDifferenceCI
        Any result with ``ci_lower``, ``ci_upper``, ``conf_level`` and ``method``.
    estimate : array_like of float
        The point estimate to report (``ci.diff`` or ``ci.ratio``).
    margin_lower, margin_upper : array_like of float
        Equivalence margins on the scale of the interval, finite, ``margin_lower < margin_upper``;
        broadcast with the intervals.
    measure : str
        What the interval is of, for the result and its summary.

    Returns
    -------
    EquivalenceResult
        The decision per scenario, with the interval, margins and the stated CI level.

    Raises
    ------
    InputError
        For margins that are not numeric or do not broadcast with the intervals.
    ScenarioError
        For a non-finite margin or ``margin_upper <= margin_lower``; for margins impossible on the scale of
        the interval: outside [-1, 1] for a difference of proportions (15 typed for 0.15), ``<= 0`` for a
        ratio of proportions.

    References
    ----------
    Schuirmann DJ (1987) J Pharmacokinet Biopharm 15:657-680. ICH E9, Statistical Principles for
    Clinical Trials (1998), sections 3.3.2 and 5.5.

    Examples
    --------
    >>> ci = ci_difference([56, 60], 70, 55, 70, conf=0.90)
    >>> r = equivalence_decision(ci, ci.diff, margin_lower=-0.15, margin_upper=0.15,
    ...                          measure="difference of proportions")
    >>> r.passed.tolist(), r.ci_statement
    ([True, False], 'two-sided 90% CI (TOST at alpha = 0.05 per side)')
    """
    lo_m = as_float("margin_lower", margin_lower)
    hi_m = as_float("margin_upper", margin_upper)
    lower, upper, lo_m, hi_m, est, conf = broadcast_named(
        ci_lower=ci.ci_lower,
        ci_upper=ci.ci_upper,
        margin_lower=lo_m,
        margin_upper=hi_m,
        estimate=np.asarray(estimate, dtype=float),
        conf_level=ci.conf_level,
    )
    check_margins(lo_m, hi_m)
    if isinstance(ci, DifferenceCI | StratifiedDifferenceCI):
        check_proportion_difference_margins(lo_m, hi_m)
    elif isinstance(ci, RatioCI):
        check_ratio_margins(lo_m)
    passed = (lower > lo_m) & (upper < hi_m)
    # rounded: (1 - 0.95) / 2 is 0.025000000000000022 in floating point
    alpha_per_side = np.asarray(np.round((1.0 - conf) / 2.0, 12), dtype=float)
    return EquivalenceResult(
        passed=np.asarray(passed),
        estimate=np.asarray(est, dtype=float),
        ci_lower=np.asarray(lower, dtype=float),
        ci_upper=np.asarray(upper, dtype=float),
        margin_lower=np.asarray(lo_m, dtype=float),
        margin_upper=np.asarray(hi_m, dtype=float),
        conf_level=np.asarray(conf, dtype=float),
        alpha_per_side=alpha_per_side,
        ci_statement=ci_statement(conf),
        measure=measure,
        method=ci.method,
    )


def equivalence_proportions(
    x1: npt.ArrayLike,
    n1: npt.ArrayLike,
    x2: npt.ArrayLike,
    n2: npt.ArrayLike,
    *,
    margin_lower: npt.ArrayLike,
    margin_upper: npt.ArrayLike,
    conf: npt.ArrayLike,
    method: str = "newcombe",
) -> EquivalenceResult:
    """Equivalence of two response rates on the difference scale (e.g. ACR20 within +/-0.15).

    ``conf`` has no default on purpose: 0.90 (FDA-style TOST at 5%) and 0.95 (EMA-style) are both common.

    Parameters
    ----------
    x1, n1, x2, n2 : array_like of int
        Responders and subjects of group 1 (biosimilar) and group 2 (reference), as in
        :func:`~bioparity.clinical.ci_difference`.
    margin_lower, margin_upper : array_like of float
        Equivalence margins of ``p1 - p2`` as fractions within [-1, 1] (e.g. -0.15 and 0.15).
    conf : array_like of float
        Two-sided confidence level of the interval, no default (0.90 or 0.95).
    method : {"newcombe", "mn", "fm", "wald"}, default "newcombe"
        Interval method of :func:`~bioparity.clinical.ci_difference`.

    Returns
    -------
    EquivalenceResult
        The decision with ``measure="difference of proportions"``.

    Raises
    ------
    InputError, ScenarioError
        As :func:`~bioparity.clinical.ci_difference` and :func:`equivalence_decision`.

    References
    ----------
    ICH E9 (1998), section 3.3.2. Newcombe RG (1998) Stat Med 17:873-890.

    Examples
    --------
    >>> r = equivalence_proportions(56, 70, 48, 80, margin_lower=-0.15, margin_upper=0.15, conf=0.95)
    >>> bool(r.passed), round(float(r.ci_lower), 4), round(float(r.ci_upper), 4)
    (False, 0.0524, 0.3339)
    """
    ci = ci_difference(x1, n1, x2, n2, method=method, conf=conf)
    return equivalence_decision(
        ci, ci.diff, margin_lower=margin_lower, margin_upper=margin_upper, measure="difference of proportions"
    )


def equivalence_ratio(
    x1: npt.ArrayLike,
    n1: npt.ArrayLike,
    x2: npt.ArrayLike,
    n2: npt.ArrayLike,
    *,
    margin_lower: npt.ArrayLike,
    margin_upper: npt.ArrayLike,
    conf: npt.ArrayLike,
    method: str = "koopman",
) -> EquivalenceResult:
    """Equivalence of two response rates on the ratio scale (margins as ratios, e.g. 0.80-1.25).

    Parameters
    ----------
    x1, n1, x2, n2, conf
        As in :func:`equivalence_proportions`.
    margin_lower, margin_upper : array_like of float
        Equivalence margins of ``p1 / p2`` as ratios > 0 (e.g. 0.80 and 1.25).
    method : {"koopman", "mn", "katz"}, default "koopman"
        Interval method of :func:`~bioparity.clinical.ci_ratio`.

    Returns
    -------
    EquivalenceResult
        The decision with ``measure="ratio of proportions"``; ``estimate`` is the observed ratio
        ``p1 / p2`` and the interval is on the ratio scale (not logged).

    Raises
    ------
    InputError, ScenarioError
        As :func:`~bioparity.clinical.ci_ratio` (method, counts, level) and :func:`equivalence_decision`
        (margins).

    References
    ----------
    Koopman PAR (1984) Biometrics 40:513-517. ICH E9 (1998), section 3.3.2.

    Examples
    --------
    >>> r = equivalence_ratio(56, 70, 50, 70, margin_lower=0.8, margin_upper=1.25, conf=0.90)
    >>> bool(r.passed), round(float(r.ci_upper), 4)
    (False, 1.323)
    """
    ci = ci_ratio(x1, n1, x2, n2, method=method, conf=conf)
    return equivalence_decision(
        ci, ci.ratio, margin_lower=margin_lower, margin_upper=margin_upper, measure="ratio of proportions"
    )


def equivalence_means(
    mean1: npt.ArrayLike,
    sd1: npt.ArrayLike,
    n1: npt.ArrayLike,
    mean2: npt.ArrayLike,
    sd2: npt.ArrayLike,
    n2: npt.ArrayLike,
    *,
    margin_lower: npt.ArrayLike,
    margin_upper: npt.ArrayLike,
    conf: npt.ArrayLike,
    method: str = "welch",
) -> EquivalenceResult:
    """Equivalence of two means on the difference scale (e.g. DAS28 change within +/-0.6).

    Parameters
    ----------
    mean1, sd1, n1, mean2, sd2, n2
        Group summaries, as in :func:`~bioparity.clinical.ci_mean_difference`.
    margin_lower, margin_upper : array_like of float
        Equivalence margins of ``mean1 - mean2`` in the endpoint's unit.
    conf : array_like of float
        Two-sided confidence level, no default (0.90 or 0.95).
    method : {"welch", "pooled"}, default "welch"
        Variance model of :func:`~bioparity.clinical.ci_mean_difference`.

    Returns
    -------
    EquivalenceResult
        The decision with ``measure="difference of means"``; ``estimate`` is ``mean1 - mean2``
        in the endpoint's unit.

    Raises
    ------
    InputError, ScenarioError
        As :func:`~bioparity.clinical.ci_mean_difference` (method, summaries, level) and
        :func:`equivalence_decision` (margins).

    References
    ----------
    Schuirmann DJ (1987) J Pharmacokinet Biopharm 15:657-680. Welch BL (1947) Biometrika 34:28-35.

    Examples
    --------
    >>> r = equivalence_means(-2.1, 1.3, 150, -2.2, 1.4, 150, margin_lower=-0.6, margin_upper=0.6, conf=0.95)
    >>> bool(r.passed), round(float(r.ci_lower), 3), round(float(r.ci_upper), 3)
    (True, -0.207, 0.407)
    """
    ci = ci_mean_difference(mean1, sd1, n1, mean2, sd2, n2, method=method, conf=conf)
    return equivalence_decision(
        ci, ci.diff, margin_lower=margin_lower, margin_upper=margin_upper, measure="difference of means"
    )


def equivalence_margins(
    margin: float | None = None,
    margin_lower: float | None = None,
    margin_upper: float | None = None,
    *,
    required: bool = False,
    names: tuple[str, str, str] = ("margin", "margin_lower", "margin_upper"),
) -> tuple[float, float] | None:
    """The equivalence margins from a symmetric margin ``m`` (``(-m, m)``) or an explicit lower/upper pair.

    An equivalence trial prespecifies a lower and an upper equivalence margin and concludes equivalence
    when the whole two-sided confidence interval lies between them (ICH E9, Statistical Principles for
    Clinical Trials, sections 3.3.2 and 5.5). A symmetric margin on the difference scale is ``(-m, m)``
    and needs ``m > 0``; an explicit pair needs both limits. Returns None when nothing is given, unless
    ``required`` (a sample-size calculation cannot run without margins). ``names`` are the names the
    messages use for the three inputs (e.g. the command-line flags).
    """
    name, lower_name, upper_name = names
    if margin is not None:
        if margin_lower is not None or margin_upper is not None:
            raise InputError(f"give either {name} or {lower_name}/{upper_name}, not both")
        if margin <= 0:
            raise InputError(f"{name} must be > 0 (a symmetric margin, e.g. 0.15); got {margin}")
        return -margin, margin
    if margin_lower is None and margin_upper is None:
        if required:
            raise InputError(f"equivalence margins are required: {name} or {lower_name}/{upper_name}")
        return None
    if margin_lower is None or margin_upper is None:
        raise InputError(f"give both {lower_name} and {upper_name} (or a symmetric {name})")
    return margin_lower, margin_upper
