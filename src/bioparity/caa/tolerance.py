"""Normal and distribution-free tolerance-interval factors (beta-content, gamma-confidence).

A normal tolerance interval from ``n`` lots is ``mean ± k·sd``; ``k`` is chosen so that with
confidence ``gamma`` the interval covers at least a proportion ``beta`` of the population
(Krishnamoorthy & Mathew, Statistical Tolerance Regions, 2009, chapter 2; ISO 16269-6:2014). All
functions broadcast over ``n``, ``coverage`` and ``confidence``.

Methods (stable names):

* ``exact`` (default): Odeh (1978) / Krishnamoorthy & Mathew (2009) integral, solved for ``k``;
  agrees with R ``tolerance::K.factor(method="EXACT")`` and the ISO 16269-6 tables.
* ``howe``: Howe's (1969) approximation, R ``method="HE2"``.
* ``he``: the Howe-based method that is the default of the R ``tolerance`` package (``"HE"``).

One-sided factors are exact for every method: ``k = t'_{gamma; f, z_beta sqrt(n)} / sqrt(n)``.

Example
-------
>>> round(float(tolerance_factor(10, 0.95, 0.95)), 6)
3.393429
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy import special

from bioparity.arrays import FloatArray, broadcast_named, listed_values
from bioparity.errors import InputError

#: Stable names of the two-sided methods (``he2`` is accepted as an alias of ``howe``).
TWO_SIDED_METHODS = ("exact", "howe", "he")
_ALIASES = {"he2": "howe"}

# Composite Gauss-Legendre rule on u in [0, 10] (phi(10) ~ 8e-23): 8 panels x 16 nodes. Checked
# against adaptive quadrature: relative error of k below 1e-13 for n >= 2, coverage <= 0.999.
_PANELS, _ORDER, _U_MAX = 8, 16, 10.0


def _normal_pdf(x: FloatArray) -> FloatArray:
    """Standard normal density exp(-x^2/2)/sqrt(2 pi), as ``scipy.stats.norm.pdf`` computes it (same
    bits), without importing ``scipy.stats`` (about a second of start-up)."""
    return np.asarray(np.exp(-(x**2) / 2.0) / np.sqrt(2.0 * np.pi), dtype=float)


def _quadrature() -> tuple[FloatArray, FloatArray]:
    x, w = np.polynomial.legendre.leggauss(_ORDER)
    edges = np.linspace(0.0, _U_MAX, _PANELS + 1)
    a, b = edges[:-1, None], edges[1:, None]
    nodes = ((b - a) / 2 * x + (a + b) / 2).ravel()
    weights = ((b - a) / 2 * w).ravel() * 2.0 * _normal_pdf(nodes)  # both halves of the symmetric integrand
    return nodes, weights


_NODES, _WEIGHTS = _quadrature()


def canonical_tolerance_method(method: str) -> str:
    """The stable name of a two-sided method (``exact``, ``howe``, ``he``); raises for unknown names."""
    name = str(method).strip().lower()
    name = _ALIASES.get(name, name)
    if name not in TWO_SIDED_METHODS:
        raise InputError(
            f"unknown tolerance-factor method {method!r}; expected one of {', '.join(TWO_SIDED_METHODS)}"
        )
    return name


def _check_inputs(
    n: npt.ArrayLike, coverage: npt.ArrayLike, confidence: npt.ArrayLike, df: npt.ArrayLike | None = None
) -> tuple[FloatArray, ...]:
    """``n``, ``coverage``, ``confidence`` and ``df`` (default ``n - 1``) checked, broadcast together."""
    given = {"n": n, "coverage": coverage, "confidence": confidence} | ({} if df is None else {"df": df})
    try:
        numbers = {name: np.asarray(value, dtype=float) for name, value in given.items()}
    except (TypeError, ValueError) as exc:
        raise InputError(f"{', '.join(given)} must be numeric: {exc}") from exc
    arrays = [np.array(a, dtype=float) for a in broadcast_named(**numbers)]
    n_a, beta, gamma = arrays[:3]
    usable = np.isfinite(n_a) & (n_a >= 2)
    if not np.all(usable):
        got = listed_values(n_a[~usable])
        raise InputError(f"n must be >= 2 (lots used to estimate mean and SD); got {got}")
    for name, value in (("coverage", beta), ("confidence", gamma)):
        inside = (value > 0) & (value < 1)
        if not np.all(inside):
            raise InputError(
                f"{name} must be strictly between 0 and 1 (0.99 for 99%); got {listed_values(value[~inside])}"
            )
    df_a = n_a - 1.0 if df is None else arrays[3]
    if not np.all(df_a >= 1):
        raise InputError("df (degrees of freedom of the SD) must be >= 1")
    return n_a, beta, gamma, df_a


def half_width_for_coverage(x: npt.ArrayLike, coverage: npt.ArrayLike) -> FloatArray:
    """``r`` solving ``Phi(x + r) - Phi(x - r) = coverage`` (the content of ``x ± r`` for N(0, 1)).

    Newton's method on ``Q(r) = Phi(-(x+r)) + Phi(x-r) = 1 - coverage``, started at ``|x| + z_coverage``
    where ``Q >= 1 - coverage``; ``Q`` is convex and decreasing there, so the iterates rise monotonically.
    """
    xa = np.abs(np.asarray(x, dtype=float))
    beta = np.asarray(coverage, dtype=float)
    xa, beta = np.broadcast_arrays(xa, beta)
    target = 1.0 - beta
    r = xa + special.ndtri(beta)
    for _ in range(60):
        q = special.ndtr(-(xa + r)) + special.ndtr(xa - r)
        slope = -(np.exp(-0.5 * (xa + r) ** 2) + np.exp(-0.5 * (xa - r) ** 2)) / np.sqrt(2.0 * np.pi)
        step = (q - target) / slope
        r = r - step
        if np.all(np.abs(step) <= 1e-15 * np.maximum(1.0, r)):
            break
    return np.asarray(r, dtype=float)


def _exact_two_sided(n: FloatArray, beta: FloatArray, gamma: FloatArray, df: FloatArray) -> FloatArray:
    """Solve ``gamma = 2 ∫_0^inf phi(u) P(chi2_f >= f r(u/sqrt n)^2 / k^2) du`` for ``k`` (flat arrays)."""
    r = half_width_for_coverage(_NODES[None, :] / np.sqrt(n)[:, None], beta[:, None])
    c = df[:, None] * r**2  # the integrand is S_f(c / k^2)

    half = df[:, None] / 2.0
    log_norm = half * np.log(2.0) + special.gammaln(half)

    def confidence_and_slope(k: FloatArray, rows: npt.NDArray[np.intp]) -> tuple[FloatArray, FloatArray]:
        arg = c[rows] / k[:, None] ** 2
        conf = np.sum(_WEIGHTS * special.chdtrc(df[rows, None], arg), axis=1)
        # d/dk S_f(c/k^2) = pdf_f(arg) * 2 arg / k, with the chi-square density written out (fast)
        density = np.exp((half[rows] - 1.0) * np.log(arg) - arg / 2.0 - log_norm[rows])
        slope = np.sum(_WEIGHTS * density * 2.0 * arg / k[:, None], axis=1)
        return conf, slope

    k = _howe(n, beta, gamma, df)  # within a few percent of the root
    lo, hi = np.zeros_like(k), np.full_like(k, np.inf)
    active = np.arange(k.size)
    for _ in range(200):  # safeguarded Newton on the unfinished scenarios only
        conf, slope = confidence_and_slope(k[active], active)
        below = conf < gamma[active]
        lo[active] = np.where(below, k[active], lo[active])
        hi[active] = np.where(below, hi[active], k[active])
        with np.errstate(divide="ignore", invalid="ignore"):
            newton = k[active] - (conf - gamma[active]) / slope
        a_lo, a_hi = lo[active], hi[active]
        inside = np.isfinite(newton) & (newton > a_lo) & (newton < a_hi)
        fallback = np.where(np.isinf(a_hi), 2.0 * k[active], 0.5 * (a_lo + a_hi))
        k_new = np.where(inside, newton, fallback)
        done = np.abs(k_new - k[active]) <= 1e-13 * k_new
        k[active] = k_new
        active = active[~done]
        if active.size == 0:
            break
    return k


def _chi2_ppf(q: FloatArray, df: FloatArray) -> FloatArray:
    """Chi-square quantile 2 * P^-1(df/2, q) (inverse regularised lower incomplete gamma), the formula of
    ``scipy.stats.chi2.ppf`` (same bits), without importing ``scipy.stats``."""
    return np.asarray(2.0 * special.gammaincinv(df / 2.0, q), dtype=float)


def _howe(n: FloatArray, beta: FloatArray, gamma: FloatArray, df: FloatArray) -> FloatArray:
    chi2_low = _chi2_ppf(1.0 - gamma, df)
    return np.asarray(
        special.ndtri((1.0 + beta) / 2.0) * np.sqrt(df * (1.0 + 1.0 / n) / chi2_low), dtype=float
    )


def _he(n: FloatArray, beta: FloatArray, gamma: FloatArray, df: FloatArray) -> FloatArray:
    """R ``tolerance::K.factor(method = "HE")`` (Howe 1969 with the Krishnamoorthy-Mathew large-df branch).

    Each branch is evaluated only where it is selected, so the branch not taken (whose radicand can be
    negative at small ``n`` and high coverage) raises no floating-point warning. Where the selected
    branch itself is undefined (negative radicand), the approximation does not exist: an error says so.
    """
    alpha = 1.0 - gamma
    chi2_low = _chi2_ppf(alpha, df)
    z_p = special.ndtri((1.0 + beta) / 2.0)
    z_a = special.ndtri(1.0 - alpha / 2.0)
    large_df = df > n**2 * (1.0 + 1.0 / z_a**2)
    v = 1.0 + z_a**2 / n + (3.0 - z_p**2) * z_a**4 / (6.0 * n**2)
    rad1 = v * (1.0 + (n * v / (2.0 * df)) * (1.0 + 1.0 / z_a**2))
    g = (df - 2.0 - chi2_low) / (2.0 * (n + 1.0) ** 2)
    rad2 = df * (1.0 + 1.0 / n) / chi2_low * (1.0 + g)
    radicand = np.where(large_df, rad1, rad2)
    bad = ~(radicand >= 0)
    if np.any(bad):
        i = np.flatnonzero(bad.ravel())[0]
        vals = [np.broadcast_to(a, bad.shape).ravel()[i] for a in (n, beta, gamma, df)]
        raise InputError(
            "the 'he' tolerance factor is undefined for n = {:g}, coverage = {:g}, confidence = {:g}, "
            "df = {:g} (negative term under the square root of the approximation); use "
            "method='exact'".format(*vals)
        )
    return np.asarray(z_p * np.sqrt(radicand), dtype=float)


def _one_sided(n: FloatArray, beta: FloatArray, gamma: FloatArray, df: FloatArray) -> FloatArray:
    from scipy import stats  # here: the two-sided factors need only scipy.special (faster start-up)

    root_n = np.sqrt(n)
    return np.asarray(stats.nct.ppf(gamma, df, special.ndtri(beta) * root_n) / root_n, dtype=float)


def tolerance_factor(
    n: npt.ArrayLike,
    coverage: npt.ArrayLike = 0.99,
    confidence: npt.ArrayLike = 0.95,
    *,
    side: int = 2,
    method: str = "exact",
    df: npt.ArrayLike | None = None,
) -> FloatArray:
    """Normal tolerance factor ``k``: R ``tolerance::K.factor(n, alpha = 1 - confidence, P = coverage)``.

    Parameters
    ----------
    n
        Number of lots (independent observations) behind the mean and SD; ``>= 2``.
    coverage
        Proportion ``beta`` of the population to cover (0.99 for 99%).
    confidence
        Confidence ``gamma`` that the coverage is reached (0.95 for 95%).
    side
        2 for ``mean ± k·sd``, 1 for a one-sided bound ``mean + k·sd`` (or ``mean - k·sd``).
    method
        Two-sided: ``exact`` (default), ``howe`` (Howe 1969, R "HE2") or ``he`` (R "HE"). One-sided
        factors are always exact (noncentral t), so only ``exact`` is accepted with ``side=1``.
    df
        Degrees of freedom of the SD; default ``n - 1``.

    Returns
    -------
    ndarray of ``k`` with the broadcast shape of the inputs (0-d for scalars).

    Notes
    -----
    Exact two-sided: ``gamma = 2 ∫_0^inf phi(u) P(chi2_f >= f r(u/sqrt n)^2 / k^2) du`` with ``r(x)``
    solving ``Phi(x + r) - Phi(x - r) = beta``; 128-node composite Gauss-Legendre quadrature and a
    safeguarded Newton iteration (relative accuracy about 1e-12).

    References
    ----------
    Howe WG (1969) JASA 64:610-620. Odeh RE (1978) Commun Stat Simul Comput 7:183-201.
    Krishnamoorthy K, Mathew T (2009) Statistical Tolerance Regions, Wiley. ISO 16269-6:2014.
    Young DS (2010) tolerance: an R package, J Stat Softw 36(5).
    """
    n_a, beta, gamma, df_a = _check_inputs(n, coverage, confidence, df)
    if side not in (1, 2):
        raise InputError(f"side must be 1 (one-sided bound) or 2 (two-sided interval); got {side!r}")
    name = canonical_tolerance_method(method)
    if side == 1:
        if name != "exact":
            raise InputError("one-sided tolerance factors are exact (noncentral t); use method='exact'")
        return _one_sided(n_a, beta, gamma, df_a)
    if name == "howe":
        return _howe(n_a, beta, gamma, df_a)
    if name == "he":
        return _he(n_a, beta, gamma, df_a)
    # Exact: solve once per distinct (n, beta, gamma, df), then scatter back.
    stacked = np.stack([a.ravel() for a in (n_a, beta, gamma, df_a)], axis=1)
    unique, inverse = np.unique(stacked, axis=0, return_inverse=True)
    k = _exact_two_sided(unique[:, 0], unique[:, 1], unique[:, 2], unique[:, 3])
    return np.asarray(k[inverse.ravel()].reshape(n_a.shape), dtype=float)


def nonparametric_order(
    n: npt.ArrayLike, coverage: float, confidence: float, *, side: int = 2
) -> npt.NDArray[np.int64]:
    """Order statistic index ``r`` of a distribution-free beta-content, gamma-confidence tolerance interval.

    Two-sided: ``[x_(r), x_(n+1-r)]``; one-sided: the upper bound ``x_(n+1-r)`` (or lower ``x_(r)``).
    ``r`` is the largest index with ``P(content >= coverage) >= confidence``, where the content of
    ``[x_(r), x_(n+1-r)]`` is ``Beta(n - 2r + 1, 2r)`` (one-sided: ``Beta(n - r + 1, r)``); 0 means that
    even the sample extremes (min-max) do not reach the confidence with ``n`` lots (Wilks 1941).

    Parameters
    ----------
    n : array_like of int
        Number of lots (observations) per interval.
    coverage : float
        Proportion ``beta`` of the population to cover, strictly between 0 and 1 (0.90 for 90%).
    confidence : float
        Confidence ``gamma`` that the coverage is reached, strictly between 0 and 1.
    side : {2, 1}, default 2
        2 for a two-sided interval, 1 for a one-sided bound.

    Returns
    -------
    numpy.ndarray of int
        ``r`` per element of ``n`` (shape of ``n``), 0 where ``n`` lots are too few.

    Raises
    ------
    InputError
        For ``side`` other than 1 or 2, or a coverage or confidence outside (0, 1).

    References
    ----------
    Wilks SS (1941) Determination of sample sizes for setting tolerance limits. Ann Math Stat 12:91-96.
    ISO 16269-6:2014, Statistical interpretation of data, part 6: determination of statistical
    tolerance intervals (the distribution-free intervals).

    Examples
    --------
    >>> nonparametric_order(np.array([10, 22, 38, 60]), 0.90, 0.90)
    array([0, 0, 1, 1])
    >>> nonparametric_order(np.array([10, 22, 38, 60]), 0.90, 0.90, side=1)
    array([0, 1, 2, 3])
    """
    n_a = np.asarray(n, dtype=np.int64)
    if side not in (1, 2):
        raise InputError(f"side must be 1 or 2; got {side!r}")
    if not (0 < coverage < 1 and 0 < confidence < 1):
        raise InputError("coverage and confidence must be strictly between 0 and 1")
    top = max(int(n_a.max(initial=1)) // side, 1)
    r = np.arange(1, top + 1, dtype=float)
    j = side * r  # order statistics removed in total
    nn = n_a.astype(float)[..., None]
    valid = j <= nn
    with np.errstate(invalid="ignore"):
        reach = special.betaincc(np.where(valid, nn - j + 1, 1.0), j, coverage) >= confidence
    ok = reach & valid
    return np.asarray(np.where(ok, r, 0).max(axis=-1), dtype=np.int64)


def nonparametric_min_lots(coverage: float, confidence: float, *, side: int = 2) -> int:
    """Smallest ``n`` for which the min-max (two-sided) or max (one-sided) range is a tolerance interval.

    The content of ``[min, max]`` of ``n`` lots is ``Beta(n - 1, 2)``, of ``(-inf, max]``
    ``Beta(n, 1)`` (so ``P(content >= coverage) = 1 - coverage^n`` one-sided); the answer is the first
    ``n`` at which :func:`nonparametric_order` is >= 1.

    Parameters
    ----------
    coverage, confidence : float
        As in :func:`nonparametric_order` (each strictly between 0 and 1).
    side : {2, 1}, default 2
        2 for the min-max range, 1 for a one-sided bound (max, or min).

    Returns
    -------
    int
        The smallest number of lots (>= 2).

    Raises
    ------
    InputError
        As :func:`nonparametric_order`.

    References
    ----------
    Wilks SS (1941) Ann Math Stat 12:91-96.

    Examples
    --------
    >>> nonparametric_min_lots(0.90, 0.90), nonparametric_min_lots(0.90, 0.90, side=1)
    (38, 22)
    """
    # content of [min, max] is Beta(n - 1, 2); of (-inf, max] Beta(n, 1): P = 1 - coverage^n.
    n = 2
    while nonparametric_order(n, coverage, confidence, side=side) < 1:
        n += 1
    return n
