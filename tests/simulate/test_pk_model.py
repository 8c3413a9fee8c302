"""The PK model against an independent numerical solution of its differential equations (SciPy's LSODA)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from bioparity.simulate import bateman, central_amount


def _ode_central(
    t_eval: np.ndarray, dose: float, ka: float, ke: float, onset: float, factor: float
) -> np.ndarray:
    def rhs(t: float, a: np.ndarray) -> list[float]:
        k = ke * (factor if t > onset else 1.0)
        return [-ka * a[0], ka * a[0] - k * a[1]]

    # integrate in two legs so the solver never steps across the clearance change
    legs = [(0.0, min(onset, t_eval[-1]))] + ([(onset, t_eval[-1])] if onset < t_eval[-1] else [])
    out = np.empty_like(t_eval)
    state = np.array([dose, 0.0])
    for lo, hi in legs:
        mask = (t_eval >= lo) & (t_eval <= hi)
        sol = solve_ivp(rhs, (lo, hi), state, method="LSODA", t_eval=t_eval[mask], rtol=1e-11, atol=1e-12)
        out[mask] = sol.y[1]
        state = solve_ivp(rhs, (lo, hi), state, method="LSODA", rtol=1e-11, atol=1e-12).y[:, -1]
    return out


@pytest.mark.parametrize(
    ("ka", "ke", "onset", "factor"),
    [
        (0.012, 0.002, np.inf, 1.0),
        (0.012, 0.002, 336.0, 2.5),
        (0.5, 0.1, 10.0, 3.0),
        (0.05, 0.05, 100.0, 2.0),
    ],
)
def test_central_amount_matches_ode_solution(ka: float, ke: float, onset: float, factor: float) -> None:
    t = np.array([0.0, 1.0, 6.0, 24.0, 99.0, 100.0, 101.0, 200.0, 336.0, 500.0, 1680.0])
    got = central_amount(t, np.asarray(40.0), np.asarray(ka), np.asarray(ke), onset, factor)
    want = _ode_central(t, 40.0, ka, ke, onset, factor)
    np.testing.assert_allclose(got, want, rtol=1e-7, atol=1e-9)


def test_bateman_closed_form_and_equal_rate_limit() -> None:
    t = np.linspace(0.0, 50.0, 11)
    ka, ke = 1.5, 0.15
    np.testing.assert_allclose(
        bateman(t, np.asarray(ka), np.asarray(ke)), (np.exp(-ke * t) - np.exp(-ka * t)) / (ka - ke)
    )
    # ka == ke: limit t exp(-k t); ka -> ke continuously
    k = np.asarray(0.2)
    np.testing.assert_allclose(bateman(t, k, k), t * np.exp(-0.2 * t), rtol=1e-14)
    np.testing.assert_allclose(bateman(t, k * (1 + 1e-9), k), t * np.exp(-0.2 * t), rtol=1e-6)
    # ka much smaller than ke over long times: no overflow
    assert np.all(np.isfinite(bateman(np.array([5000.0]), np.asarray(0.001), np.asarray(2.0))))


def test_ada_clearance_increase_keeps_mass_balance() -> None:
    """Everything absorbed is eliminated: dose = CL * AUC(0, onset) + factor * CL * AUC(onset, inf)."""
    dose, ka, cl, v, onset, factor = 40.0, 0.012, 0.012, 6.0, 336.0, 2.0
    t = np.linspace(0.0, 20_000.0, 400_001)
    conc = central_amount(t, np.asarray(dose), np.asarray(ka), np.asarray(cl / v), onset, factor) / v
    area = np.concatenate(([0.0], np.cumsum(np.diff(t) * (conc[1:] + conc[:-1]) / 2)))
    auc_before = np.interp(onset, t, area)
    eliminated = cl * auc_before + factor * cl * (area[-1] - auc_before)
    assert eliminated == pytest.approx(dose, rel=1e-5)
