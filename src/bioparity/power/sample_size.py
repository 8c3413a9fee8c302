"""Sample size for TOST: the smallest total n (in the design's step) whose power reaches a target.

Same definition as PowerTOST ``sampleN.TOST``: n runs over multiples of the number of sequence
groups, from the smallest n with at least 1 degree of freedom; power is computed for balanced
groups (``sem = se * sqrt(bk / n)``). The search is vectorised over scenarios: a large-sample
start value, then a galloping bracket and bisection on the grid of admissible n, each step one
NumPy evaluation for all unfinished scenarios. Power increases with n, so the bracket gives the
smallest n exactly.

Example
-------
>>> r = sample_size_tost(design="2x2", cv=0.30, theta0=0.95, target_power=0.80)
>>> int(r.n), round(float(r.power), 5)
(40, 0.81585)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from scipy import special

from bioparity._results import ResultMixin, scenarios, software_version, values_text
from bioparity.arrays import FloatArray, IntArray, StrArray
from bioparity.errors import InputError, SearchError
from bioparity.power.conversions import cv_to_se
from bioparity.power.scenarios import (
    THETA0_LIMIT_TOLERANCE,
    ScenarioInputs,
    Scenarios,
    build_scenarios,
    check,
)
from bioparity.power.tost import (
    as_scalar,
    power_for,
    scalar_power,
    scalar_scenario,
    scenario_settings,
    settings_text,
)

#: Largest total sample size searched before giving up.
N_MAX = 10_000_000


@dataclass(frozen=True, repr=False)
class SampleSizeResult(ResultMixin):
    """Smallest total n reaching ``target_power`` and the power it achieves, per scenario.

    ``alpha`` is the one-sided level of each of the two one-sided tests; CVs and ratios are fractions.
    Every array has the broadcast shape of the inputs of :func:`sample_size_tost` (0-d for one scenario).

    Attributes
    ----------
    n : numpy.ndarray of int
        Smallest total sample size (a multiple of the design's number of sequence groups, balanced
        groups) whose power reaches ``target_power``.
    power : numpy.ndarray of float
        The power achieved at ``n`` (at least ``target_power``).
    target_power : numpy.ndarray of float
        The power to reach, in (0, 1).
    design, cv, theta0, theta1, theta2, alpha, method, software_version
        As in :class:`~bioparity.power.tost.PowerResult`: design per scenario, CV and ratios as fractions,
        one-sided level, power method (``exact``, ``nct`` or ``shifted``), version.
    """

    SETTINGS = ("design", "cv", "theta0", "theta1", "theta2", "alpha", "target_power", "method")

    n: IntArray
    power: FloatArray
    design: StrArray
    cv: FloatArray
    theta0: FloatArray
    theta1: FloatArray
    theta2: FloatArray
    alpha: FloatArray
    target_power: FloatArray
    method: StrArray
    software_version: str = field(default_factory=software_version)

    def summary(self) -> str:
        return (
            f"TOST sample size ({values_text(self.method)}), design {values_text(self.design)}"
            f"{scenarios(self.n)}: n {values_text(self.n)} for target power "
            f"{values_text(self.target_power)}\n"
            f"power reached {values_text(self.power)}\n"
            f"{settings_text(self.cv, self.theta0, self.theta1, self.theta2, self.alpha)}"
        )


def _start_n(sc: Scenarios, target: FloatArray) -> FloatArray:
    """Large-sample normal approximation of n, a start value only (the search makes it exact).

    Near theta0 = centre of the limits both tests matter, so the type II error is split in two
    (z of 1 - beta/2), blending smoothly into z of 1 - beta further out (as PowerTOST's start value does).
    """
    centre = 0.5 * (np.log(sc.theta1) + np.log(sc.theta2))
    half_width = 0.5 * (np.log(sc.theta2) - np.log(sc.theta1))
    offset = np.log(sc.theta0) - centre
    closeness = np.abs(offset) / half_width
    beta = 1.0 - target
    p2 = np.where(closeness < 0.35, 1.0 - (1.0 - 0.5 * np.exp(-7.06 * closeness)) * beta, 1.0 - beta)
    z = special.ndtri(1.0 - sc.alpha) + special.ndtri(p2)
    margin = half_width - np.abs(offset)
    return np.asarray(sc.design.bk * (z * cv_to_se(sc.cv) / margin) ** 2, dtype=float)


def sample_size_tost(
    *,
    cv: npt.ArrayLike,
    design: npt.ArrayLike = "2x2",
    theta0: npt.ArrayLike | None = 0.95,
    theta1: npt.ArrayLike | None = None,
    theta2: npt.ArrayLike | None = None,
    alpha: npt.ArrayLike | None = 0.05,
    target_power: npt.ArrayLike = 0.80,
    method: npt.ArrayLike = "exact",
    robust: bool = False,
) -> SampleSizeResult:
    """Smallest total sample size with TOST power >= ``target_power`` (PowerTOST ``sampleN.TOST``).

    Parameters are those of :func:`bioparity.power.power_tost` plus ``target_power`` in (0, 1).
    ``theta0`` must lie strictly inside ``(theta1, theta2)``: at or beyond a limit no sample size
    reaches a power above alpha, and an :class:`~bioparity.errors.InputError` says so.
    If the smallest admissible n already exceeds the target, that n is returned with its power.
    One scenario of scalars takes a fast path (same checks, same search, same result to the bit).

    Parameters
    ----------
    cv, design, theta0, theta1, theta2, alpha, method, robust
        As in :func:`bioparity.power.power_tost`.
    target_power : array_like, default 0.8
        Power to reach, in (0, 1).

    Returns
    -------
    SampleSizeResult
        Total sample size and its achieved power per scenario, with the settings used.

    Raises
    ------
    ScenarioError
        For ``theta0`` outside ``(theta1, theta2)`` or a target power outside (0, 1).

    References
    ----------
    Labes D, Schuetz H, Lang B. PowerTOST (R package), ``sampleN.TOST``.
    """
    given = ScenarioInputs(design, cv, theta0, theta1, theta2, alpha, method, robust)
    fast = _sample_size_scalar(given, target_power)
    if fast is not None:
        return fast
    return _sample_size_general(given, target_power)


def _sample_size_scalar(given: ScenarioInputs, target_power: object) -> SampleSizeResult | None:
    """The search of :func:`_sample_size_general` for one scenario of scalars, with Python numbers; None
    when an input is not a scalar, fails a check, or the search runs past ``N_MAX`` (the general path then
    reports it)."""
    sc = scalar_scenario(given)
    target = as_scalar(target_power)
    if sc is None or target is None or not (math.isfinite(target) and 0 < target < 1):
        return None
    if not (sc.theta1 + THETA0_LIMIT_TOLERANCE < sc.theta0 < sc.theta2 - THETA0_LIMIT_TOLERANCE):
        return None
    d = sc.design
    steps, bk = d.steps, d.bk
    n_min = d.n_min(given.robust)

    def reaches(k: int) -> tuple[bool, float]:
        n = n_min + steps * k
        p = scalar_power(sc, n, math.sqrt(bk / n))
        return p >= target, p

    # _start_n with Python numbers (the same operations)
    lt1, lt2, lt0 = float(np.log(sc.theta1)), float(np.log(sc.theta2)), float(np.log(sc.theta0))
    centre = 0.5 * (lt1 + lt2)
    half_width = 0.5 * (lt2 - lt1)
    offset = lt0 - centre
    closeness = abs(offset) / half_width
    beta = 1.0 - target
    p2 = 1.0 - (1.0 - 0.5 * float(np.exp(-7.06 * closeness))) * beta if closeness < 0.35 else 1.0 - beta
    z = float(special.ndtri(1.0 - sc.alpha)) + float(special.ndtri(p2))
    margin = half_width - abs(offset)
    start = bk * (z * float(np.sqrt(np.log1p(sc.cv * sc.cv))) / margin) ** 2
    k_limit = (N_MAX - n_min) // steps
    k0 = int(min(max(math.ceil((start - n_min) / steps), 0), k_limit))
    ok, p0 = reaches(k0)
    if ok:
        hi, p_hi, lo = k0, p0, -1
        jump = 1
        while k0 > 0:  # gallop down until a k that does not reach the target (or k = 0)
            k = max(hi - jump, 0)
            ok_k, p_k = reaches(k)
            if ok_k:
                hi, p_hi = k, p_k
                if k == 0:
                    break
            else:
                lo = k
                break
            jump *= 2
    else:
        lo, jump = k0, 1
        while True:  # gallop up
            k = lo + jump
            if k > k_limit:
                return None
            ok_k, p_k = reaches(k)
            if ok_k:
                hi, p_hi = k, p_k
                break
            lo = k
            jump *= 2
    while hi - lo > 1:  # bisect to adjacent grid points
        mid = (lo + hi) // 2
        ok_k, p_k = reaches(mid)
        if ok_k:
            hi, p_hi = mid, p_k
        else:
            lo = mid
    return SampleSizeResult(
        n=np.asarray(n_min + steps * hi, dtype=np.int64),
        power=np.asarray(p_hi),
        target_power=np.asarray(target),
        **scenario_settings(sc),
    )


def _sample_size_general(given: ScenarioInputs, target_power: npt.ArrayLike) -> SampleSizeResult:
    """:func:`sample_size_tost` for broadcast arrays of scenarios (the general path)."""
    target_in = np.asarray(target_power, dtype=float)
    sc = build_scenarios(
        given, extra_shapes={"target_power": target_in.shape}
    )  # a target per scenario is one more axis
    target = np.broadcast_to(target_in, sc.shape)
    check(
        np.isfinite(target) & (target > 0) & (target < 1), "target_power", target, "a probability in (0, 1)"
    )
    inside = (sc.theta0 > sc.theta1 + THETA0_LIMIT_TOLERANCE) & (
        sc.theta0 < sc.theta2 - THETA0_LIMIT_TOLERANCE
    )
    check(inside, "theta0", sc.theta0, "a true ratio strictly inside the limits (theta1, theta2)")

    size = sc.cv.size
    steps = sc.design.steps.ravel()
    n_min = sc.design.n_min.ravel()
    bk = sc.design.bk.ravel()
    tgt = target.ravel()

    def n_at(k: IntArray, idx: npt.NDArray[np.intp]) -> IntArray:
        return np.asarray(n_min[idx] + steps[idx] * k, dtype=np.int64)

    def reaches(k: IntArray, idx: npt.NDArray[np.intp]) -> tuple[npt.NDArray[np.bool_], FloatArray]:
        n = n_at(k, idx)
        p = power_for(sc, n, np.sqrt(bk[idx] / n), idx)
        return p >= tgt[idx], p

    # Grid index k: n = n_min + steps * k. Bracket: power(lo) < target <= power(hi); lo = -1 means none.
    start = _start_n(sc, target).ravel()
    k0 = np.clip(np.ceil((start - n_min) / steps), 0, (N_MAX - n_min) // steps).astype(np.int64)
    all_idx = np.arange(size)
    ok, p0 = reaches(k0, all_idx)
    lo = np.where(ok, -1, k0)
    hi = np.where(ok, k0, -1)
    p_hi = np.where(ok, p0, np.nan)
    jump = np.ones(size, dtype=np.int64)

    # Gallop down from a start that reaches the target until a k that does not (or k = 0).
    down = np.flatnonzero(ok & (k0 > 0))
    lo[down] = -2  # unknown
    while down.size:
        k = np.maximum(hi[down] - jump[down], 0)
        ok_k, p_k = reaches(k, down)
        hi[down[ok_k]] = k[ok_k]
        p_hi[down[ok_k]] = p_k[ok_k]
        lo[down[~ok_k]] = k[~ok_k]
        lo[down[ok_k & (k == 0)]] = -1
        jump[down] *= 2
        down = down[lo[down] == -2]

    # Gallop up from a start that does not reach the target.
    up = np.flatnonzero(~ok)
    jump[:] = 1
    k_limit = (N_MAX - n_min) // steps
    while up.size:
        k = lo[up] + jump[up]
        if (k > k_limit[up]).any():
            first = int(up[np.argmax(k > k_limit[up])])
            raise SearchError(
                f"no sample size up to {N_MAX} reaches target power {tgt[first]} for scenario {first} "
                f"(cv={sc.cv.ravel()[first]}, theta0={sc.theta0.ravel()[first]}); "
                "check that theta0 is not too close to a limit"
            )
        ok_k, p_k = reaches(k, up)
        hi[up[ok_k]] = k[ok_k]
        p_hi[up[ok_k]] = p_k[ok_k]
        lo[up[~ok_k]] = k[~ok_k]
        jump[up] *= 2
        up = up[~ok_k]

    # Bisect the bracket down to adjacent grid points.
    todo = np.flatnonzero(hi - lo > 1)
    while todo.size:
        mid = (lo[todo] + hi[todo]) // 2
        ok_k, p_k = reaches(mid, todo)
        hi[todo[ok_k]] = mid[ok_k]
        p_hi[todo[ok_k]] = p_k[ok_k]
        lo[todo[~ok_k]] = mid[~ok_k]
        todo = todo[hi[todo] - lo[todo] > 1]

    n_out = (n_min + steps * hi).reshape(sc.shape)
    return SampleSizeResult(
        n=np.asarray(n_out, dtype=np.int64),
        power=p_hi.reshape(sc.shape),
        target_power=np.asarray(target, dtype=float).copy(),
        **scenario_settings(sc),
    )


__all__ = ["N_MAX", "InputError", "SampleSizeResult", "sample_size_tost"]
