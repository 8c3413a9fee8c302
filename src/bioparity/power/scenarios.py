"""Validation and broadcasting of TOST scenario inputs, shared by power and sample size.

Numerical kernels assume clean arrays; every domain check lives here and names the parameter,
the first offending scenario and what was expected.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from bioparity.arrays import FloatArray, StrArray, as_float, broadcast_shape
from bioparity.errors import ScenarioError
from bioparity.power.designs import DesignArrays, design_arrays
from bioparity.power.kernels import POWER_KERNELS

#: Limits within this distance of theta0 count as "theta0 on the limit" (PowerTOST uses 1e-8).
THETA0_LIMIT_TOLERANCE = 1e-8


class ScenarioInputs(NamedTuple):
    """The scenario arguments of ``power_tost`` and ``sample_size_tost`` as given: scalars or arrays that
    broadcast together, None (or NaN) for the default theta0, limits and alpha."""

    design: npt.ArrayLike
    cv: npt.ArrayLike
    theta0: npt.ArrayLike | None
    theta1: npt.ArrayLike | None
    theta2: npt.ArrayLike | None
    alpha: npt.ArrayLike | None
    method: npt.ArrayLike
    robust: bool


@dataclass(frozen=True)
class Scenarios:
    """Broadcast, validated scenario arrays (all of one shape)."""

    design: DesignArrays
    cv: FloatArray
    theta0: FloatArray
    theta1: FloatArray
    theta2: FloatArray
    alpha: FloatArray
    method: StrArray

    @property
    def shape(self) -> tuple[int, ...]:
        return self.cv.shape


def check(condition: npt.ArrayLike, name: str, values: npt.ArrayLike, expected: str) -> None:
    """Raise :class:`ScenarioError` naming ``name`` and the first scenario where ``condition`` is false."""
    ok = np.asarray(condition, dtype=bool)
    if ok.all():
        return
    bad = ~ok.ravel()
    first = int(np.argmax(bad))
    value = np.broadcast_to(np.asarray(values), ok.shape).ravel()[first]
    value = value.item() if isinstance(value, np.generic) else value
    where = f" at scenario {first}" if ok.ndim else ""
    raise ScenarioError(
        f"{name} = {value!r}{where}; expected {expected}",
        parameter=name,
        index=first if ok.ndim else None,
        value=value,
        expected=expected,
    )


def _as_float(name: str, value: npt.ArrayLike | None) -> FloatArray:
    return np.asarray(np.nan) if value is None else as_float(name, value)


def default_limits(
    theta1: npt.ArrayLike | None, theta2: npt.ArrayLike | None
) -> tuple[FloatArray, FloatArray]:
    """PowerTOST defaults: theta1 = 0.80, theta2 = 1/theta1; a missing theta1 is 1/theta2 (NaN = missing)."""
    t1 = _as_float("theta1", theta1)
    t2 = _as_float("theta2", theta2)
    t1, t2 = np.broadcast_arrays(t1, t2)
    t1_missing = np.isnan(t1)
    t2_missing = np.isnan(t2)
    t1 = np.where(t1_missing & t2_missing, 0.8, np.where(t1_missing, 1.0 / t2, t1))
    t2 = np.where(t2_missing, 1.0 / t1, t2)
    return t1, t2


def build_scenarios(
    given: ScenarioInputs, extra_shapes: Mapping[str, tuple[int, ...]] | None = None
) -> Scenarios:
    """Broadcast inputs (and ``extra_shapes`` by name, e.g. of ``n``) to one shape, fill defaults, check
    domains; inputs that do not broadcast are an :class:`InputError` naming every argument's shape."""
    t1_in = _as_float("theta1", given.theta1)
    t2_in = _as_float("theta2", given.theta2)
    th0 = _as_float("theta0", given.theta0)
    th0 = np.where(np.isnan(th0), 0.95, th0)
    a = _as_float("alpha", given.alpha)
    a = np.where(np.isnan(a), 0.05, a)
    c = _as_float("cv", given.cv)
    design_in = np.asarray(given.design, dtype=object)
    method_in = np.asarray(given.method, dtype=object)
    # every shape is checked before any two are combined (theta1 with theta2 for their defaults)
    inputs = {"design": design_in, "cv": c, "theta0": th0, "theta1": t1_in, "theta2": t2_in, "alpha": a}
    shape = broadcast_shape(
        **{k: np.shape(v) for k, v in inputs.items()}, method=np.shape(method_in), **(extra_shapes or {})
    )
    t1, t2 = default_limits(t1_in, t2_in)
    c, th0, t1, t2, a = (np.broadcast_to(x, shape).astype(float) for x in (c, th0, t1, t2, a))
    design_b = np.broadcast_to(design_in, shape)
    methods = np.char.lower(np.broadcast_to(method_in, shape).astype(str))
    check(
        np.isfinite(c) & (c > 0), "cv", c, "a finite coefficient of variation > 0 (as a ratio: 0.30 for 30%)"
    )
    with np.errstate(over="ignore"):  # sigma = sqrt(log(1 + cv²)): cv² overflows above about 1e154
        below = "a coefficient of variation below 1e154 (as a ratio: 0.30 for 30%)"
        check(np.isfinite(c * c), "cv", c, below)
    check(np.isfinite(t1) & (t1 > 0), "theta1", t1, "a lower limit > 0 (ratio, e.g. 0.80)")
    # theta1 = 80 (percent) would otherwise be reported as "theta2 = 0.0125", a value the user never gave
    derived = np.broadcast_to(np.isnan(t2_in), shape)
    check(
        ~derived | (t1 < 1),
        "theta1",
        t1,
        "a lower limit < 1 when theta2 is not given (theta2 = 1/theta1); limits are ratios: 0.80, not 80",
    )
    check(np.isfinite(t2) & (t2 > t1), "theta2", t2, "an upper limit > theta1 (ratio, e.g. 1.25)")
    check(np.isfinite(th0) & (th0 > 0), "theta0", th0, "a true ratio > 0 (e.g. 0.95)")
    check(
        (a > 0) & (a < 0.5),
        "alpha",
        a,
        "the one-sided level of each test, 0 < alpha < 0.5 (0.05 for a 90% CI)",
    )
    check(np.isin(methods, list(POWER_KERNELS)), "method", methods, f"one of {', '.join(POWER_KERNELS)}")
    return Scenarios(design_arrays(design_b, robust=given.robust), c, th0, t1, t2, a, methods)
