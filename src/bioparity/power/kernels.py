"""Vectorised TOST power kernels: exact (Owen's Q), noncentral t and shifted central t.

All kernels take arrays (broadcast together) of degrees of freedom ``df``, the one-sided
critical value ``t_crit = t(1 - alpha, df)`` and the noncentralities
``delta1 = (ln theta0 - ln theta1) / sem``, ``delta2 = (ln theta0 - ln theta2) / sem``, and return the
probability that both one-sided tests reject (Schuirmann 1987, J Pharmacokinet Biopharm 15:657-680;
PowerTOST ``.power.TOST``, ``.approx.power.TOST``, ``.approx2.power.TOST``, D. Labes, H. Schuetz & B. Lang).

Exact power
-----------
With ``x`` the chi-distributed scaled standard error (``df`` degrees of freedom), both tests reject
iff ``Z`` lies in ``[t_crit x / sqrt(df) - delta1, -t_crit x / sqrt(df) - delta2]``, which is non-empty for
``x <= R = (delta1 - delta2) sqrt(df) / (2 t_crit)``. Hence (Owen 1965; Phillips 1990)::

    power = Q_df(-t_crit, delta2; 0, R) - Q_df(t_crit, delta1; 0, R)
          = integral_0^R [Phi(-t_crit x/sqrt(df) - delta2) - Phi(t_crit x/sqrt(df) - delta1)] f_chi(x; df) dx

The integrand is analytic on ``[0, R]``; the chi density is concentrated within ``E[chi] +/- 9``
(Gaussian concentration of the norm of a normal vector: tail mass below ``2 exp(-81/2) ~ 5e-18``), so
fixed two-panel Gauss-Legendre quadrature on that window, truncated at ``R``, gives the integral to
about 1e-13 absolute for every df (checked against 40-digit adaptive quadrature in the tests). It is
the same quantity PowerTOST computes with Owen's recursion, evaluated for thousands of scenarios in one
NumPy expression. The chi log-density is evaluated around its mode for large df to avoid cancellation
(:func:`chi_log_density`), so large df stay exact where PowerTOST switches to approximations (df >= 5000).
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
from scipy import special

from bioparity.arrays import FloatArray

# Two Gauss-Legendre panels of 32 nodes each on the unit interval.
_PANELS = 2
_NODES_PER_PANEL = 32
_x, _w = np.polynomial.legendre.leggauss(_NODES_PER_PANEL)
_UNIT_NODES: FloatArray = ((np.arange(_PANELS)[:, None] + (_x[None, :] + 1.0) / 2.0) / _PANELS).ravel()
_UNIT_WEIGHTS: FloatArray = np.tile(_w / (2.0 * _PANELS), _PANELS)
#: Half-width of the integration window around E[chi]: mass outside is below 5e-18.
_CHI_WINDOW = 9.0
#: Scenarios per block of :func:`power_exact` (512 x 64 nodes: 256 kB per temporary).
_BLOCK = 512


def critical_t(alpha: npt.ArrayLike, df: npt.ArrayLike) -> FloatArray:
    """Upper ``alpha`` quantile of Student's t, ``t(1 - alpha, df)``, computed once per unique pair."""
    a, d = np.broadcast_arrays(np.asarray(alpha, dtype=float), np.asarray(df, dtype=float))
    if a.size and bool((a == a.flat[0]).all()):  # one level for all (the usual case): unique df only
        uniq_df, inverse = np.unique(d.ravel(), return_inverse=True)
        t = special.stdtrit(uniq_df, 1.0 - a.flat[0])
        return np.asarray(t[inverse.ravel()].reshape(a.shape), dtype=float)
    pairs = np.stack([a.ravel(), d.ravel()], axis=1)
    uniq, inverse = np.unique(pairs, axis=0, return_inverse=True)
    t = special.stdtrit(uniq[:, 1], 1.0 - uniq[:, 0])
    return np.asarray(t[inverse.ravel()].reshape(a.shape), dtype=float)


def _stirling_correction(k: FloatArray) -> FloatArray:
    """``ln Gamma(k) - [(k - 1/2) ln k - k + ln(2 pi)/2]`` for k >= 50 (asymptotic series, error < 1e-18)."""
    k2 = k * k
    return np.asarray(
        (1.0 / 12.0 - (1.0 / 360.0 - (1.0 / 1260.0 - 1.0 / (1680.0 * k2)) / k2) / k2) / k, dtype=float
    )


def chi_log_density(x: FloatArray, nu: FloatArray) -> FloatArray:
    """Log density of the chi distribution with ``nu`` degrees of freedom, accurate for large ``nu``.

    ``ln f(x) = (nu - 1) ln x - x^2/2 - (nu/2 - 1) ln 2 - ln Gamma(nu/2)``. For large ``nu`` the terms are
    O(nu ln nu) and cancel to O(1), losing digits; there it is rewritten around the mode ``s = sqrt(nu - 1)``
    as ``C(nu) + (nu - 1) log1p((x - s)/s) - (x - s)(x + s)/2`` with the log density at the mode
    ``C = 1/2 - ln(pi)/2 + (k - 1/2) log1p(-1/(2k)) - S(k)``, ``k = nu/2`` and ``S`` Stirling's correction,
    all O(1) quantities.
    """
    x, nu = np.broadcast_arrays(np.asarray(x, dtype=float), np.asarray(nu, dtype=float))
    out = np.empty(x.shape)
    small = nu < 100.0
    with np.errstate(divide="ignore"):
        xs, ns = x[small], nu[small]
        out[small] = (
            (ns - 1.0) * np.log(xs)
            - 0.5 * xs * xs
            - (ns / 2.0 - 1.0) * np.log(2.0)
            - special.gammaln(ns / 2.0)
        )
    xl, nl = x[~small], nu[~small]
    k = nl / 2.0
    mode = np.sqrt(nl - 1.0)
    at_mode = 0.5 - 0.5 * np.log(np.pi) + (k - 0.5) * np.log1p(-0.5 / k) - _stirling_correction(k)
    dx = xl - mode
    out[~small] = at_mode + (nl - 1.0) * np.log1p(dx / mode) - 0.5 * dx * (xl + mode)
    return out


def _chi_log_density_rows(x: FloatArray, nu: FloatArray) -> FloatArray:
    """:func:`chi_log_density` of the nodes ``x`` (one row per scenario) for ``nu`` (one per row).

    The same operations in the same order, element by element, as :func:`chi_log_density` with ``nu``
    repeated along the rows (so the same values to the bit), but the terms that depend on ``nu`` alone
    (``ln Gamma(nu/2)``, the log density at the mode) are computed once per row, and the rows are split
    between the two forms rather than the nodes.
    """
    out = np.empty(x.shape)
    small = nu < 100.0
    for rows, is_small in ((np.flatnonzero(small), True), (np.flatnonzero(~small), False)):
        if not rows.size:
            continue
        whole = rows.size == nu.size
        xr = x if whole else x[rows]
        nr = (nu if whole else nu[rows])[:, None]
        if is_small:
            with np.errstate(divide="ignore"):
                value = (
                    (nr - 1.0) * np.log(xr)
                    - 0.5 * xr * xr
                    - (nr / 2.0 - 1.0) * np.log(2.0)
                    - special.gammaln(nr / 2.0)
                )
        else:
            k = nr / 2.0
            mode = np.sqrt(nr - 1.0)
            at_mode = 0.5 - 0.5 * np.log(np.pi) + (k - 0.5) * np.log1p(-0.5 / k) - _stirling_correction(k)
            dx = xr - mode
            value = at_mode + (nr - 1.0) * np.log1p(dx / mode) - 0.5 * dx * (xr + mode)
        if whole:
            return np.asarray(value, dtype=float)
        out[rows] = value
    return out


def power_exact(
    df: npt.ArrayLike, t_crit: npt.ArrayLike, delta1: npt.ArrayLike, delta2: npt.ArrayLike
) -> FloatArray:
    """Exact TOST power by quadrature of Owen's Q integral (see module docstring)."""
    nu, tc, d1, d2 = (np.asarray(v, dtype=float) for v in np.broadcast_arrays(df, t_crit, delta1, delta2))
    shape = nu.shape
    nu, tc, d1, d2 = nu.ravel(), tc.ravel(), d1.ravel(), d2.ravel()
    with np.errstate(divide="ignore", invalid="ignore"):
        upper_x = (d1 - d2) * np.sqrt(nu) / (2.0 * tc)
    # alpha >= 0.5 makes t_crit <= 0: then every x qualifies (PowerTOST sets R = Inf).
    upper_x = np.where((tc <= 0) | ~np.isfinite(upper_x), np.inf, upper_x)
    centre = np.sqrt(nu - 0.5)
    lo = np.maximum(0.0, centre - _CHI_WINDOW)
    hi = np.minimum(upper_x, centre + _CHI_WINDOW)
    width = np.maximum(hi - lo, 0.0)
    slope = tc / np.sqrt(nu)
    weighted = np.empty(nu.size)
    # Blocks of scenarios, so that the (scenarios x nodes) temporaries stay in the CPU cache.
    for first in range(0, nu.size, _BLOCK):
        b = slice(first, first + _BLOCK)
        x = lo[b, None] + width[b, None] * _UNIT_NODES[None, :]
        log_density = _chi_log_density_rows(x, nu[b])
        sx = slope[b, None] * x
        band = special.ndtr(-sx - d2[b, None]) - special.ndtr(sx - d1[b, None])
        weighted[b] = (band * np.exp(log_density)) @ _UNIT_WEIGHTS
    power = width * weighted
    return np.asarray(np.clip(power, 0.0, 1.0).reshape(shape), dtype=float)


_LOG2 = float(np.log(2.0))


def power_exact_scalar(nu: float, tc: float, d1: float, d2: float) -> float:
    """:func:`power_exact` of one scenario (Python floats in and out), for the scalar fast path.

    The same operations in the same order as the vectorised kernel: the per-scenario quantities are Python
    floats, the 64 quadrature nodes one NumPy vector, the weighted sum the same ``(1, 64) @ (64,)`` product,
    so the result is the vectorised kernel's to the bit (checked in the tests on random scenarios).
    """
    root_nu = math.sqrt(nu)
    if tc <= 0:
        upper_x = math.inf
    else:
        upper_x = (d1 - d2) * root_nu / (2.0 * tc)
        if not math.isfinite(upper_x):
            upper_x = math.inf
    centre = math.sqrt(nu - 0.5)
    lo = max(0.0, centre - _CHI_WINDOW)
    hi = min(upper_x, centre + _CHI_WINDOW)
    width = max(hi - lo, 0.0)
    x = lo + width * _UNIT_NODES
    slope = tc / root_nu
    if nu < 100.0:
        if width == 0.0 and lo == 0.0:  # nodes at x = 0: log(0) = -inf, as in the vectorised kernel
            with np.errstate(divide="ignore"):
                log_x = np.log(x)
        else:
            log_x = np.log(x)
        log_density = (nu - 1.0) * log_x - 0.5 * x * x - (nu / 2.0 - 1.0) * _LOG2 - special.gammaln(nu / 2.0)
    else:
        k = np.full(_UNIT_NODES.size, nu / 2.0)  # as the vectorised kernel: one value per node
        mode = np.sqrt(nu - 1.0)
        at_mode = 0.5 - 0.5 * np.log(np.pi) + (k - 0.5) * np.log1p(-0.5 / k) - _stirling_correction(k)
        dx = x - mode
        log_density = at_mode + (nu - 1.0) * np.log1p(dx / mode) - 0.5 * dx * (x + mode)
    band = special.ndtr(-slope * x - d2) - special.ndtr(slope * x - d1)
    power = width * float(((band * np.exp(log_density))[None, :] @ _UNIT_WEIGHTS)[0])
    return min(max(power, 0.0), 1.0)


def power_nct(
    df: npt.ArrayLike, t_crit: npt.ArrayLike, delta1: npt.ArrayLike, delta2: npt.ArrayLike
) -> FloatArray:
    """Approximate power from the noncentral t: ``pt(-t, df, delta2) - pt(t, df, delta1)``, floored at 0."""
    nu, tc, d1, d2 = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (df, t_crit, delta1, delta2)))
    power = noncentral_t_cdf(-tc, nu, d2) - noncentral_t_cdf(tc, nu, d1)
    return np.asarray(np.maximum(power, 0.0), dtype=float)


#: R's ``pnt`` switches to a normal approximation when ``ncp^2 > 2 ln 2 * 1021`` (|ncp| > 37.62) or df > 4e5.
_NCP_NORMAL_APPROX = float(np.sqrt(2.0 * np.log(2.0) * 1021.0))


def noncentral_t_cdf(t: npt.ArrayLike, df: npt.ArrayLike, ncp: npt.ArrayLike) -> FloatArray:
    """CDF of the noncentral t, ``P(T <= t)``, with R ``pt(t, df, ncp)`` semantics.

    SciPy's ``nctdtr`` (Boost) is used in the body of the distribution. For a noncentrality beyond 37.62 or
    df > 4e5, R's ``pnt`` (AS 243, Lenth 1989) uses the normal approximation
    ``Phi((t (1 - 1/(4 df)) - ncp) / sqrt(1 + t^2 / (2 df)))``; so do we, both for parity with PowerTOST's
    ``nct`` method and because Boost returns NaN in part of that region. A remaining NaN is filled from the
    reflection ``1 - F(-t; df, -ncp)``.
    """
    tt, nu, nc = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (t, df, ncp)))
    far = (np.abs(nc) > _NCP_NORMAL_APPROX) | (nu > 4e5)
    out = np.empty(tt.shape)
    s = 1.0 / (4.0 * nu[far])
    out[far] = special.ndtr((tt[far] * (1.0 - s) - nc[far]) / np.sqrt(1.0 + tt[far] ** 2 * 2.0 * s))
    near = ~far
    out[near] = special.nctdtr(nu[near], nc[near], tt[near])
    bad = np.isnan(out) & near
    if bad.any():
        out[bad] = 1.0 - special.nctdtr(nu[bad], -nc[bad], -tt[bad])
    return out


def power_shifted(
    df: npt.ArrayLike, t_crit: npt.ArrayLike, delta1: npt.ArrayLike, delta2: npt.ArrayLike
) -> FloatArray:
    """Approximate power from the shifted central t (Chow & Liu 9.6): ``pt(-t - delta2) - pt(t - delta1)``."""
    nu, tc, d1, d2 = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (df, t_crit, delta1, delta2)))
    power = special.stdtr(nu, -tc - d2) - special.stdtr(nu, tc - d1)
    return np.asarray(np.maximum(power, 0.0), dtype=float)


#: Power methods by their PowerTOST names.
POWER_KERNELS = {"exact": power_exact, "nct": power_nct, "shifted": power_shifted}
