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

from bioparity.arrays import FloatArray, broadcast_shape


def bateman(t: FloatArray, ka: FloatArray, ke: FloatArray) -> FloatArray:
    """``(exp(-ke t) - exp(-ka t)) / (ka - ke)``, stable for ``ka`` close to ``ke`` and without overflow.

    Written as ``exp(-k_min t) (1 - exp(-|ka - ke| t)) / |ka - ke|``, whose limit at ``ka = ke`` is
    ``t exp(-ke t)``.

    Parameters
    ----------
    t : array_like of float
        Time since the dose (h), >= 0.
    ka : array_like of float
        First-order absorption rate constant (1/h), > 0.
    ke : array_like of float
        First-order elimination rate constant ``CL / V`` (1/h), > 0.

    Returns
    -------
    numpy.ndarray of float
        The Bateman function (h), in the broadcast shape of the inputs; multiplied by
        ``F dose ka / V`` it is the concentration of the one-compartment model.

    References
    ----------
    Bateman H (1910) Proc Cambridge Philos Soc 15:423-427. Gabrielsson J, Weiner D (2016)
    Pharmacokinetic and Pharmacodynamic Data Analysis, 5th ed., Swedish Pharmaceutical Press
    (one-compartment model with first-order absorption).

    Examples
    --------
    >>> bateman(np.array([0.0, 24.0, 336.0]), 0.012, 0.002).round(4)
    array([ 0.    , 20.3372, 49.2947])
    >>> bool(np.isclose(bateman(24.0, 0.01, 0.01), 24.0 * np.exp(-0.24)))  # the limit ka = ke
    True
    """
    t, ka, ke = (np.asarray(v, dtype=float) for v in (t, ka, ke))
    broadcast_shape(t=t.shape, ka=ka.shape, ke=ke.shape)  # an InputError naming the shapes that do not fit
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

    ``ke`` becomes ``factor * ke`` from ``onset`` on (``inf``: never); the solution then restarts from
    the depot and central amounts reached at ``onset`` (see the module docstring).

    Parameters
    ----------
    t : array_like of float
        Times since the dose (h), >= 0.
    dose : array_like of float
        Amount entering the depot at time 0 (mg; the bioavailable dose ``F dose``).
    ka : array_like of float
        Absorption rate constant (1/h), > 0.
    ke : array_like of float
        Elimination rate constant ``CL / V`` before ``onset`` (1/h), > 0.
    onset : array_like of float, default inf
        Time (h) from which clearance changes (anti-drug antibodies); ``inf`` for never.
    factor : array_like of float, default 1.0
        Multiplier of ``ke`` from ``onset`` on (2.0: clearance doubles).

    Returns
    -------
    numpy.ndarray of float
        Central amount (mg) in the broadcast shape of the inputs; divide by ``V`` (L) for the
        concentration (mg/L).

    References
    ----------
    Bateman H (1910) Proc Cambridge Philos Soc 15:423-427 (the solution before ``onset``); the
    piecewise restart is the superposition of the same linear system from the amounts at ``onset``.

    Examples
    --------
    >>> t = np.array([0.0, 24.0, 336.0, 672.0])
    >>> central_amount(t, 40.0, 0.012, 0.002).round(3)
    array([ 0.   ,  9.762, 23.661, 12.503])
    >>> central_amount(t, 40.0, 0.012, 0.002, onset=336.0, factor=2.0).round(3)  # faster after day 14
    array([ 0.   ,  9.762, 23.661,  6.43 ])
    """
    given = {"t": t, "dose": dose, "ka": ka, "ke": ke, "onset": onset, "factor": factor}
    t, dose, ka, ke, t0, factor = (np.asarray(v, dtype=float) for v in given.values())
    shape = broadcast_shape(**{k: np.shape(v) for k, v in given.items()})
    before = dose * ka * bateman(t, ka, ke)
    if not np.any(np.isfinite(t0)):  # never changes: the shape of every input still (factor's too)
        return np.array(np.broadcast_to(before, shape), dtype=float)
    finite_t0 = np.where(np.isfinite(t0), t0, 0.0)
    ke2 = ke * factor
    s = np.maximum(t - finite_t0, 0.0)
    depot_t0 = dose * np.exp(-ka * finite_t0)
    central_t0 = dose * ka * bateman(finite_t0, ka, ke)
    after = central_t0 * np.exp(-ke2 * s) + ka * depot_t0 * bateman(s, ka, ke2)
    return np.asarray(np.where(t > t0, after, before), dtype=float)
