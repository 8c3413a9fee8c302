"""Score statistics for two binomial samples under a restricted null (difference and ratio), and the
Wilson score interval of one proportion.

The Miettinen-Nurminen (MN), Farrington-Manning (FM) and Koopman intervals are the sets of
parameter values not rejected by a score test whose variance uses the maximum likelihood estimates
of ``p1, p2`` *restricted* to the null value. The restricted estimates have closed forms: the root of a
cubic for the difference (Farrington & Manning 1990, section 2; Miettinen & Nurminen 1985, appendix)
and of a quadratic for the ratio (Miettinen & Nurminen 1985; Koopman 1984).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from bioparity.arrays import FloatArray, broadcast_shape


def restricted_mle_difference(
    p1: FloatArray, n1: FloatArray, p2: FloatArray, n2: FloatArray, delta: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """MLE of ``(p1, p2)`` under ``p1 - p2 = delta`` from observed proportions ``p1, p2`` (FM cubic).

    With ``theta = n2/n1`` the restricted ``p1`` is the root in ``[max(0, delta), min(1, 1 + delta)]`` of
    ``a x^3 + b x^2 + c x + d`` where ``a = 1 + theta``,
    ``b = -(1 + theta + p1 + theta p2 + delta (theta + 2))``,
    ``c = delta^2 + delta (2 p1 + theta + 1) + p1 + theta p2``, ``d = -p1 delta (1 + delta)``,
    taken in trigonometric form: ``x = 2 u cos(w) - b/(3a)``, ``w = (pi + arccos(v/u^3))/3``,
    ``v = b^3/(3a)^3 - bc/(6a^2) + d/(2a)``, ``u = sign(v) sqrt(b^2/(3a)^2 - c/(3a))``.
    """
    theta = n2 / n1
    a = 1.0 + theta
    b = -(1.0 + theta + p1 + theta * p2 + delta * (theta + 2.0))
    c = delta * delta + delta * (2.0 * p1 + theta + 1.0) + p1 + theta * p2
    d = -p1 * delta * (1.0 + delta)
    v = b**3 / (3.0 * a) ** 3 - b * c / (6.0 * a * a) + d / (2.0 * a)
    u = np.sign(v) * np.sqrt(np.maximum(b * b / (3.0 * a) ** 2 - c / (3.0 * a), 0.0))
    # v = 0 (u may be 0 too) is the symmetric case: arccos(0) = pi/2.
    safe_u = np.where(u == 0.0, 1.0, u)
    ratio = np.where(u == 0.0, 0.0, v / safe_u**3)
    w = (np.pi + np.arccos(np.clip(ratio, -1.0, 1.0))) / 3.0
    p1_r = 2.0 * u * np.cos(w) - b / (3.0 * a)
    p1_r = np.clip(p1_r, np.maximum(0.0, delta), np.minimum(1.0, 1.0 + delta))
    p2_r = np.clip(p1_r - delta, 0.0, 1.0)
    return np.asarray(p1_r, dtype=float), np.asarray(p2_r, dtype=float)


def mn_variance_factor(n1: FloatArray, n2: FloatArray) -> FloatArray:
    """Miettinen & Nurminen's (1985) variance factor ``N / (N - 1)`` with ``N = n1 + n2`` (1 when
    ``N = 1``): the score variance of the MN intervals is the Farrington-Manning one times this factor."""
    total = n1 + n2
    return np.asarray(total / np.maximum(total - 1.0, 1.0), dtype=float)


def fm_cubic_terms(
    p1: FloatArray, p2: FloatArray, theta: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """The parts of the Farrington-Manning cubic (Farrington & Manning 1990, section 2; see
    :func:`restricted_mle_difference`) that do not depend on ``delta``: ``(b0, bd, c0, cd)`` with
    ``b = b0 + bd delta`` and ``c = c0 + delta (cd + delta)``, for observed proportions ``p1, p2`` and
    ``theta = n2 / n1`` (``a = 1 + theta`` and ``d = -p1 delta (1 + delta)``)."""
    return -(1.0 + theta + p1 + theta * p2), -(theta + 2.0), p1 + theta * p2, 2.0 * p1 + theta + 1.0


def restricted_mle_ratio(
    x1: FloatArray, n1: FloatArray, x2: FloatArray, n2: FloatArray, phi: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """MLE of ``(p1, p2)`` under ``p1 = phi p2`` (Miettinen & Nurminen 1985, eq. for the risk ratio).

    ``p2`` is the smaller root of ``A p^2 + B p + C`` with ``A = (n1 + n2) phi``,
    ``B = -(n1 phi + x1 + n2 + x2 phi)``, ``C = x1 + x2``; ``p1 = phi p2``.
    """
    A = (n1 + n2) * phi
    B = -(n1 * phi + x1 + n2 + x2 * phi)
    C = x1 + x2
    disc = np.sqrt(np.maximum(B * B - 4.0 * A * C, 0.0))
    # Numerically stable smaller root: 2C / (-B + disc) (B < 0 always).
    p2_r = np.where(C > 0, 2.0 * C / (-B + disc), 0.0)
    p2_r = np.clip(p2_r, 0.0, np.minimum(1.0, 1.0 / phi))
    p1_r = np.clip(phi * p2_r, 0.0, 1.0)
    return np.asarray(p1_r, dtype=float), np.asarray(p2_r, dtype=float)


def _ratio_of(numerator: FloatArray, variance: FloatArray) -> FloatArray:
    """``numerator / sqrt(variance)`` with 0/0 = 0 and x/0 = sign(x) inf (degenerate restricted fits)."""
    root = np.sqrt(np.maximum(variance, 0.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = numerator / root
        infinite = np.where(numerator > 0, np.inf, -np.inf)
    z = np.where(root > 0, z, np.where(numerator == 0, 0.0, infinite))
    return np.asarray(z, dtype=float)


def score_z_difference(
    x1: FloatArray, n1: FloatArray, x2: FloatArray, n2: FloatArray, delta: FloatArray, corrected: bool
) -> FloatArray:
    """Score statistic for ``H0: p1 - p2 = delta``; ``corrected`` multiplies the variance by N/(N-1) (MN).

    ``Z = (p1_hat - p2_hat - delta) / sqrt(p1~(1-p1~)/n1 + p2~(1-p2~)/n2)`` (Farrington & Manning 1990,
    Mee 1984), decreasing in ``delta``.
    """
    p1, p2 = x1 / n1, x2 / n2
    p1_r, p2_r = restricted_mle_difference(p1, n1, p2, n2, delta)
    var = p1_r * (1.0 - p1_r) / n1 + p2_r * (1.0 - p2_r) / n2
    if corrected:
        total = n1 + n2
        var = var * total / np.maximum(total - 1.0, 1.0)
    return _ratio_of(p1 - p2 - delta, var)


def score_z_ratio(
    x1: FloatArray, n1: FloatArray, x2: FloatArray, n2: FloatArray, phi: FloatArray, corrected: bool
) -> FloatArray:
    """Score statistic for ``H0: p1/p2 = phi`` (decreasing in ``phi``); MN variance when ``corrected``.

    ``Z = (p1_hat - phi p2_hat) / sqrt(p1~(1-p1~)/n1 + phi^2 p2~(1-p2~)/n2)``. Without the N/(N-1)
    correction, ``Z^2`` is Koopman's (1984) Pearson chi-square at the restricted estimates.
    """
    p1, p2 = x1 / n1, x2 / n2
    p1_r, p2_r = restricted_mle_ratio(x1, n1, x2, n2, phi)
    var = p1_r * (1.0 - p1_r) / n1 + phi * phi * p2_r * (1.0 - p2_r) / n2
    if corrected:
        total = n1 + n2
        var = var * total / np.maximum(total - 1.0, 1.0)
    return _ratio_of(p1 - phi * p2, var)


class DifferenceScore:
    """:func:`score_z_difference` for many tables at many trial values, per-table terms computed once.

    The root searches for score limits evaluate ``Z(delta)`` for a shrinking subset of tables at each step;
    the coefficients of the Farrington-Manning cubic that do not depend on ``delta`` (see
    :func:`restricted_mle_difference`) and the observed difference are computed here once, so a call costs
    about half the arithmetic of :func:`score_z_difference`. Same formula, same values to rounding.
    """

    def __init__(
        self, x1: FloatArray, n1: FloatArray, x2: FloatArray, n2: FloatArray, corrected: bool
    ) -> None:
        p1, p2 = x1 / n1, x2 / n2
        theta = n2 / n1
        a3 = 3.0 * (1.0 + theta)
        self._inv_a3 = 1.0 / a3  # 1 / (3a)
        self._b0, self._bd, self._c0, self._cd = fm_cubic_terms(p1, p2, theta)
        self._p1 = p1
        self._inv_n1 = 1.0 / n1
        self._inv_n2 = 1.0 / n2
        self._obs = p1 - p2
        self._var_factor = mn_variance_factor(n1, n2) if corrected else np.ones_like(n1 + n2)

    def __call__(self, delta: FloatArray, idx: npt.NDArray[np.intp]) -> FloatArray:
        """``Z(delta)`` for the tables ``idx`` (one trial value each)."""
        k = self._inv_a3[idx]
        b = self._b0[idx] + self._bd[idx] * delta
        c = delta * (delta + self._cd[idx]) + self._c0[idx]
        d = -self._p1[idx] * delta * (1.0 + delta)
        bk = b * k
        # v = b^3/(3a)^3 - b c/(6 a^2) + d/(2a) and u^2 = b^2/(3a)^2 - c/(3a), with 1/a = 3k.
        v = bk * bk * bk - 1.5 * bk * c * k + 1.5 * d * k
        u = np.copysign(np.sqrt(np.maximum(bk * bk - c * k, 0.0)), v)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(u == 0.0, 0.0, v / (u * u * u))
        w = (np.pi + np.arccos(np.clip(ratio, -1.0, 1.0))) / 3.0
        p1_r = 2.0 * u * np.cos(w) - bk
        p1_r = np.clip(p1_r, np.maximum(0.0, delta), np.minimum(1.0, 1.0 + delta))
        p2_r = np.clip(p1_r - delta, 0.0, 1.0)
        var = (p1_r * (1.0 - p1_r) * self._inv_n1[idx] + p2_r * (1.0 - p2_r) * self._inv_n2[idx]) * (
            self._var_factor[idx]
        )
        return _ratio_of(self._obs[idx] - delta, var)


def wilson_interval(x: npt.ArrayLike, n: npt.ArrayLike, z: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Wilson score interval of one proportion ``x/n`` at critical value ``z`` (Wilson 1927).

    ``(x + z^2/2 -/+ z sqrt(x (n - x)/n + z^2/4)) / (n + z^2)``; exactly 0 at x = 0 and 1 at x = n.
    The inputs are not checked (the building block of Newcombe's interval;
    :func:`~bioparity.clinical.ci_difference` checks).

    Parameters
    ----------
    x : array_like
        Number of responders, ``0 <= x <= n``.
    n : array_like
        Number of subjects, >= 1.
    z : array_like
        Two-sided critical value, e.g. 1.959964 for a 95% interval (``ndtri(0.975)``).

    Returns
    -------
    lower, upper : numpy.ndarray of float
        The interval of the proportion (fractions in [0, 1]), in the broadcast shape of the inputs.

    References
    ----------
    Wilson EB (1927) Probable inference, the law of succession, and statistical inference. J Am Stat
    Assoc 22:209-212. Newcombe RG (1998) Stat Med 17:857-872 (method 3; R ``prop.test(correct=FALSE)``).

    Examples
    --------
    >>> lower, upper = wilson_interval(8, 20, 1.959963984540054)
    >>> round(float(lower), 4), round(float(upper), 4)
    (0.2188, 0.6134)
    """
    xa, na, za = _float_arrays(x, n, z)
    lower, upper = wilson_roots(xa, na, za)
    lower = np.where(xa <= 0, 0.0, lower)
    upper = np.where(xa >= na, 1.0, upper)
    return np.asarray(lower, dtype=float), np.asarray(upper, dtype=float)


def wilson_roots(x: FloatArray, n: FloatArray, z: FloatArray) -> tuple[FloatArray, FloatArray]:
    """The two roots of Wilson's quadratic, ``(x + z^2/2 -/+ z sqrt(x (n - x)/n + z^2/4)) / (n + z^2)``
    (within rounding of 0 at x = 0 and of 1 at x = n, where :func:`wilson_interval` sets them exactly)."""
    z2 = z * z
    centre = x + z2 / 2.0
    half = z * np.sqrt(np.maximum(x * (n - x) / n, 0.0) + z2 / 4.0)
    return (centre - half) / (n + z2), (centre + half) / (n + z2)


def wilson_cc_interval(x: npt.ArrayLike, n: npt.ArrayLike, z: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Wilson score interval of one proportion with continuity correction (Newcombe 1998a, method 4).

    With ``p = x/n``, ``q = 1 - p``:
    ``L = (2np + z^2 - 1 - z sqrt(z^2 - 2 - 1/n + 4p(nq + 1))) / (2(n + z^2))`` and
    ``U = (2np + z^2 + 1 + z sqrt(z^2 + 2 - 1/n + 4p(nq - 1))) / (2(n + z^2))``, set to 0 at x = 0 and 1
    at x = n and kept within [0, 1] (R ``prop.test(correct=TRUE)`` for one proportion). The inputs are
    not checked (the building block of Newcombe's method 11; :func:`~bioparity.clinical.ci_difference`
    checks).

    Parameters
    ----------
    x, n, z : array_like
        As in :func:`wilson_interval`: responders, subjects and the two-sided critical value.

    Returns
    -------
    lower, upper : numpy.ndarray of float
        As in :func:`wilson_interval`.

    References
    ----------
    Newcombe RG (1998) Two-sided confidence intervals for the single proportion: comparison of seven
    methods. Stat Med 17:857-872 (method 4). Fleiss JL (1981) Statistical Methods for Rates and
    Proportions, 2nd ed., section 1.4.

    Examples
    --------
    >>> lower, upper = wilson_cc_interval(81, 263, 1.959963984540054)
    >>> round(float(lower), 4), round(float(upper), 4)
    (0.2535, 0.3682)
    """
    xa, na, za = _float_arrays(x, n, z)
    p = xa / na
    z2 = za * za
    centre = 2.0 * na * p + z2
    denominator = 2.0 * (na + z2)
    # Both radicands are >= z^2 + 2 - 1/n > 0 for 1 <= x (lower) and x <= n - 1 (upper); the clip only
    # guards the boundary rows whose limit is set below.
    low = za * np.sqrt(np.maximum(z2 - 2.0 - 1.0 / na + 4.0 * p * (na * (1.0 - p) + 1.0), 0.0))
    high = za * np.sqrt(np.maximum(z2 + 2.0 - 1.0 / na + 4.0 * p * (na * (1.0 - p) - 1.0), 0.0))
    lower = np.where(xa <= 0, 0.0, np.clip((centre - 1.0 - low) / denominator, 0.0, 1.0))
    upper = np.where(xa >= na, 1.0, np.clip((centre + 1.0 + high) / denominator, 0.0, 1.0))
    return np.asarray(lower, dtype=float), np.asarray(upper, dtype=float)


def _float_arrays(
    x: npt.ArrayLike, n: npt.ArrayLike, z: npt.ArrayLike
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """``x, n, z`` as float arrays; an InputError naming the shapes that do not broadcast."""
    xa, na, za = (np.asarray(v, dtype=float) for v in (x, n, z))
    broadcast_shape(x=xa.shape, n=na.shape, z=za.shape)
    return xa, na, za
