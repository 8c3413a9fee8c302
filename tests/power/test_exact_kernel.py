"""The exact power quadrature against independent 40-digit adaptive integration (mpmath).

The reference evaluates Owen's integral representation with mpmath.quad at 40 significant digits,
a different algorithm (tanh-sinh, adaptive) from the package's fixed Gauss-Legendre rule.
"""

from __future__ import annotations

import mpmath as mp
import numpy as np
import pytest

from bioparity.power.kernels import critical_t, power_exact


def _reference_power(nu: int, t_crit: float, d1: float, d2: float) -> float:
    with mp.workdps(40):
        nu_m, tc, a, b = mp.mpf(nu), mp.mpf(t_crit), mp.mpf(d1), mp.mpf(d2)
        upper = (a - b) * mp.sqrt(nu_m) / (2 * tc)
        log_c = -(nu_m / 2 - 1) * mp.log(2) - mp.loggamma(nu_m / 2)

        def integrand(x: mp.mpf) -> mp.mpf:
            if x <= 0:
                return mp.mpf(0)
            band = mp.ncdf(-tc * x / mp.sqrt(nu_m) - b) - mp.ncdf(tc * x / mp.sqrt(nu_m) - a)
            return band * mp.exp(log_c + (nu_m - 1) * mp.log(x) - x * x / 2)

        mode = mp.sqrt(max(nu_m - 1, 0))
        hi = min(upper, mode + 14)
        lo = max(mp.mpf(0), mode - 14)
        if hi <= lo:
            return 0.0
        cuts = sorted({lo, hi, *[p for p in (mode - 2, mode, mode + 2) if lo < p < hi]})
        return float(mp.quad(integrand, cuts))


CASES = [
    # (df, sem, theta0): small df with large critical values, typical, and very large df.
    (1, 0.05, 1.0),
    (1, 0.30, 0.95),
    (2, 0.10, 1.1),
    (3, 0.2, 0.9),
    (5, 0.08, 1.02),
    (10, 0.15, 0.95),
    (22, 0.09, 1.2),
    (38, 0.07, 0.95),
    (98, 0.05, 0.9),
    (250, 0.02, 1.05),
    (1000, 0.01, 0.97),
    (5000, 0.004, 1.11),
    (20000, 0.0015, 0.9),
]


@pytest.mark.parametrize(("nu", "sem", "theta0"), CASES)
def test_exact_power_agrees_with_high_precision_integration(nu: int, sem: float, theta0: float) -> None:
    t_crit = float(critical_t(0.05, nu))
    d1 = (np.log(theta0) - np.log(0.8)) / sem
    d2 = (np.log(theta0) - np.log(1.25)) / sem
    expected = _reference_power(nu, t_crit, d1, d2)
    got = float(power_exact(nu, t_crit, d1, d2))
    assert got == pytest.approx(expected, abs=1e-12)


def test_power_is_not_monotone_below_alpha_as_the_integral_says() -> None:
    """A known property of exact TOST power, not a numerical artefact: both methods agree on the dip."""
    ns = np.array([8, 14, 20])
    nus = ns - 2
    sem = np.sqrt(np.log1p(0.25)) * np.sqrt(4 / ns)
    d1, d2 = -np.log(0.8) / sem, -np.log(1.25) / sem
    got = power_exact(nus, critical_t(0.05, nus), d1, d2)
    expected = [
        _reference_power(int(v), float(critical_t(0.05, v)), a, b)
        for v, a, b in zip(nus, d1, d2, strict=True)
    ]
    np.testing.assert_allclose(got, expected, rtol=1e-9)
    assert got[1] < got[0] and got[1] < got[2]


def test_alpha_at_least_half_integrates_without_upper_limit() -> None:
    # t_crit <= 0: both tests reject whenever the interval is non-empty; power is a proper probability.
    p = power_exact(10, float(critical_t(0.5, 10)), 2.0, -2.0)
    assert 0.0 <= float(p) <= 1.0


def test_nct_power_is_finite_for_large_noncentrality() -> None:
    """Boost's nct CDF returns NaN near ncp 37-38 (df 70); R's pnt uses a normal approximation there."""
    from bioparity.power import power_tost

    res = power_tost(design="2x2x2r", cv=0.05, theta0=np.array([0.85, 1 / 0.85]), n=24, method="nct")
    assert np.all(np.isfinite(res.power))
    np.testing.assert_allclose(
        res.power, power_tost(design="2x2x2r", cv=0.05, theta0=0.85, n=24).power, atol=1e-6
    )
