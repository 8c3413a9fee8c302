"""One-compartment model with first-order absorption, and a clearance that may rise at one time point.

Amounts: depot ``A_d`` and central ``A_c`` with ``dA_d/dt = -ka A_d``, ``dA_c/dt = ka A_d - ke A_c``,
``ke = CL / V``, ``A_d(0) = F dose``. For constant ``ke`` (Bateman 1910)::

    C(t) = F dose ka / V * (exp(-ke t) - exp(-ka t)) / (ka - ke)

If clearance becomes ``factor * CL`` at ``t0`` (anti-drug antibodies), the solution restarts at ``t0`` from
the amounts reached then: ``A_c(t) = A_c(t0) exp(-ke' s) + ka A_d(t0) b(s; ka, ke')`` with ``s = t - t0``.
All functions broadcast over subjects and times.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


def bateman(t: FloatArray, ka: FloatArray, ke: FloatArray) -> FloatArray:
    """``(exp(-ke t) - exp(-ka t)) / (ka - ke)``, stable for ``ka`` close to ``ke`` and without overflow.

    Written as ``exp(-k_min t) (1 - exp(-|ka - ke| t)) / |ka - ke|``, whose limit at ``ka = ke`` is
    ``t exp(-ke t)``.
    """
    d = np.abs(ka - ke)
    k_min = np.minimum(ka, ke)
    tiny = d * np.maximum(t, 1.0) < 1e-12
    safe = np.where(tiny, 1.0, d)
    ratio = np.where(tiny, t, -np.expm1(-safe * t) / safe)
    return np.asarray(np.exp(-k_min * t) * ratio, dtype=float)


def central_amount(
    t: FloatArray,
    dose: FloatArray,
    ka: FloatArray,
    ke: FloatArray,
    onset: FloatArray | float = np.inf,
    factor: FloatArray | float = 1.0,
) -> FloatArray:
    """Amount in the central compartment at ``t`` (``t >= 0``) after ``dose`` into the depot at 0.

    ``ke`` becomes ``factor * ke`` from ``onset`` on (``inf``: never).
    """
    t = np.asarray(t, dtype=float)
    before = dose * ka * bateman(t, ka, ke)
    t0 = np.asarray(onset, dtype=float)
    if not np.any(np.isfinite(t0)):
        return before
    finite_t0 = np.where(np.isfinite(t0), t0, 0.0)
    ke2 = ke * factor
    s = np.maximum(t - finite_t0, 0.0)
    depot_t0 = dose * np.exp(-ka * finite_t0)
    central_t0 = dose * ka * bateman(finite_t0, ka, ke)
    after = central_t0 * np.exp(-ke2 * s) + ka * depot_t0 * bateman(s, ka, ke2)
    return np.asarray(np.where(t > t0, after, before), dtype=float)
