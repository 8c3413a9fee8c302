"""Power of the two one-sided tests (TOST) for average bioequivalence / PK similarity.

Computes ``P(both one-sided t tests at level alpha reject)`` for a true ratio ``theta0``, limits
``theta1``/``theta2`` and a within-subject (crossover) or total (parallel) CV, exactly as PowerTOST
``power.TOST`` defines it (Schuirmann 1987; Owen 1965; Phillips 1990). Vectorised over any array of
scenarios.

Example
-------
>>> round(float(power_tost(design="2x2", cv=0.20, theta0=0.95, n=20)), 6)
0.83468
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import special

from bioparity._results import ResultMixin, percent, scenarios, software_version, values_text
from bioparity.arrays import FloatArray, IntArray, StrArray
from bioparity.errors import InputError
from bioparity.power.conversions import cv_to_se, sum_inverse_group_sizes
from bioparity.power.designs import ALIASES, DESIGNS, Design
from bioparity.power.kernels import POWER_KERNELS, critical_t, power_exact_scalar
from bioparity.power.scenarios import ScenarioInputs, Scenarios, build_scenarios, check

#: The fields of a scenario that a result records as they are (the design by name besides).
SCENARIO_FIELDS = ("cv", "theta0", "theta1", "theta2", "alpha", "method")


def power_for(
    sc: Scenarios, n: IntArray, sem_factor: FloatArray, select: npt.NDArray[np.intp] | None = None
) -> FloatArray:
    """Power of scenarios ``select`` (flat indices; all when None) at total ``n``, ``sem = se * sem_factor``.

    ``n`` and ``sem_factor`` are given for the selected scenarios only.
    """
    idx = np.arange(sc.cv.size) if select is None else select
    flat = {name: getattr(sc, name).ravel()[idx] for name in SCENARIO_FIELDS}
    df = (sc.design.df_slope.ravel()[idx] * n + sc.design.df_offset.ravel()[idx]).astype(float)
    sem = cv_to_se(flat["cv"]) * sem_factor
    ltheta0 = np.log(flat["theta0"])
    delta1 = (ltheta0 - np.log(flat["theta1"])) / sem
    delta2 = (ltheta0 - np.log(flat["theta2"])) / sem
    t_crit = critical_t(flat["alpha"], df)
    out = np.empty(idx.size)
    for name, kernel in POWER_KERNELS.items():
        m = flat["method"] == name
        if m.any():
            out[m] = kernel(df[m], t_crit[m], delta1[m], delta2[m])
    return out


def as_scalar(value: object, default: float | None = None) -> float | None:
    """``value`` as a float if it is one plain real number (Python or NumPy scalar, 0-d array), the default
    for None/NaN where there is one; else None (the caller then takes the general path)."""
    if value is None:
        return default
    if isinstance(value, bool | np.bool_):
        return None
    if isinstance(value, float | int | np.floating | np.integer):
        number = float(value)
    elif isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "iuf":
        number = float(value.item())
    else:
        return None
    if number != number:  # NaN means "default" (as in the general path)
        return default
    return number


def _scalar_text(value: object) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "UO":
        item = value.item()
        return item if isinstance(item, str) else None
    return None


@dataclass(frozen=True)
class ScalarScenario:
    """One validated TOST scenario as Python numbers (the scalar fast path)."""

    design: Design
    cv: float
    theta0: float
    theta1: float
    theta2: float
    alpha: float
    method: str
    df_slope: int
    df_offset: int


def scalar_scenario(given: ScenarioInputs) -> ScalarScenario | None:
    """The scenario when every input is a scalar that passes every check of :func:`build_scenarios`;
    None otherwise, so that the general path validates (and reports) exactly as it always has."""
    c = as_scalar(given.cv)
    th0 = as_scalar(given.theta0, 0.95)
    a = as_scalar(given.alpha, 0.05)
    t1_in = as_scalar(given.theta1, math.nan)
    t2_in = as_scalar(given.theta2, math.nan)
    name = _scalar_text(given.design)
    m = _scalar_text(given.method)
    if c is None or th0 is None or a is None or t1_in is None or t2_in is None or name is None or m is None:
        return None
    t1 = t1_in
    if t1_in != t1_in:  # missing: 0.80, or 1/theta2 when theta2 is given (default_limits)
        t1 = 0.8 if t2_in != t2_in else 1.0 / t2_in
    t2 = 1.0 / t1 if t2_in != t2_in else t2_in
    m = m.lower()
    key = name.strip().lower()
    d = DESIGNS.get(ALIASES.get(key, key))
    finite = math.isfinite
    if not (
        d is not None
        and finite(c)
        and c > 0
        and finite(c * c)
        and finite(t1)
        and t1 > 0
        and finite(t2)
        and t2 > t1
        and finite(th0)
        and th0 > 0
        and 0 < a < 0.5
        and m in POWER_KERNELS
    ):
        return None
    slope = d.robust_df_slope if given.robust else d.df_slope
    offset = d.robust_df_offset if given.robust else d.df_offset
    return ScalarScenario(d, c, th0, t1, t2, a, m, slope, offset)


def scalar_power(sc: ScalarScenario, n: int, sem_factor: float) -> float:
    """:func:`power_for` of one scenario at total ``n`` (same operations, so the same bits)."""
    df = float(sc.df_slope * n + sc.df_offset)
    sem = float(np.sqrt(np.log1p(sc.cv * sc.cv))) * sem_factor
    ltheta0 = float(np.log(sc.theta0))
    delta1 = (ltheta0 - float(np.log(sc.theta1))) / sem
    delta2 = (ltheta0 - float(np.log(sc.theta2))) / sem
    t_crit = float(special.stdtrit(df, 1.0 - sc.alpha))
    if sc.method == "exact":
        return power_exact_scalar(df, t_crit, delta1, delta2)
    one = np.asarray([df]), np.asarray([t_crit]), np.asarray([delta1]), np.asarray([delta2])
    return float(POWER_KERNELS[sc.method](*one)[0])


def _power_tost_scalar(given: ScenarioInputs, n: object) -> PowerResult | None:
    """:func:`power_tost` for one scenario of scalars, or None when the general path must run."""
    sc = scalar_scenario(given)
    n_value = as_scalar(n)
    if sc is None or n_value is None or not math.isfinite(n_value) or n_value != round(n_value):
        return None
    n_total = int(n_value)
    steps = sc.design.steps
    df = sc.df_slope * n_total + sc.df_offset
    if n_total < steps or df < 1:
        return None
    q, r = divmod(n_total, steps)
    inv_sum = r / (q + 1.0) + (steps - r) / float(q)
    sem_factor = math.sqrt(sc.design.bkni * inv_sum)
    power = scalar_power(sc, n_total, sem_factor)
    return PowerResult(
        power=np.asarray(power),
        n=np.asarray(n_total, dtype=np.int64),
        df=np.asarray(df, dtype=np.int64),
        **scenario_settings(sc),
    )


def settings_text(
    cv: FloatArray, theta0: FloatArray, theta1: FloatArray, theta2: FloatArray, alpha: FloatArray
) -> str:
    """The settings of TOST scenarios as the summaries of power and sample size state them.

    Parameters
    ----------
    cv : numpy.ndarray of float
        Within-subject or total CV, as a fraction.
    theta0 : numpy.ndarray of float
        True test/reference ratio.
    theta1, theta2 : numpy.ndarray of float
        Lower and upper acceptance limits of the ratio.
    alpha : numpy.ndarray of float
        One-sided level of each of the two tests.

    Returns
    -------
    str
        ``"CV ..., true ratio ..., limits ... to ..., alpha ... per one-sided test"``, CV and ratios in
        percent (each as :func:`~bioparity._results.values_text` shows a scenario array).
    """
    return (
        f"CV {values_text(cv, percent)}, true ratio {values_text(theta0, percent)}, limits "
        f"{values_text(theta1, percent)} to {values_text(theta2, percent)}, alpha "
        f"{values_text(alpha)} per one-sided test"
    )


def scenario_settings(sc: Scenarios | ScalarScenario) -> dict[str, Any]:
    """The settings a result records of validated scenarios (arrays) or of one scenario (Python numbers):
    ``design`` (by name) and :data:`SCENARIO_FIELDS`, as arrays."""
    settings = {name: np.asarray(getattr(sc, name)) for name in SCENARIO_FIELDS}
    return {"design": np.asarray(sc.design.name), **settings}


@dataclass(frozen=True, repr=False)
class PowerResult(ResultMixin):
    """TOST power for one or many scenarios (arrays of one shape; 0-d for a single scenario).

    ``alpha`` is the one-sided level of each of the two one-sided tests (0.05: the 90% CI criterion);
    ``cv``, ``theta0``, ``theta1``, ``theta2`` are ratios (0.30, 0.95, 0.80, 1.25). Every array has the
    broadcast shape of the inputs of :func:`power_tost`; ``float(result)`` gives the power of a single
    scenario.

    Attributes
    ----------
    power : numpy.ndarray of float
        Probability that both one-sided tests reject, i.e. that the ``1 - 2 alpha`` CI of the ratio lies
        within ``[theta1, theta2]``; in [0, 1].
    design : numpy.ndarray of str
        Canonical design name per scenario (aliases resolved: ``2x2x2`` -> ``2x2``).
    cv : numpy.ndarray of float
        Within-subject (crossover) or total (parallel) CV, as a fraction.
    theta0 : numpy.ndarray of float
        True test/reference ratio assumed (default 0.95).
    theta1, theta2 : numpy.ndarray of float
        Lower and upper acceptance limits of the ratio (defaults 0.80 and ``1 / theta1``).
    alpha : numpy.ndarray of float
        One-sided level of each of the two tests.
    n : numpy.ndarray of int
        Total number of subjects.
    df : numpy.ndarray of int
        Error degrees of freedom used (``df_slope * n + df_offset`` of the design).
    method : numpy.ndarray of str
        ``exact`` (Owen's Q), ``nct`` (noncentral t) or ``shifted`` (shifted central t).
    software_version : str
        bioparity's version that computed the result.
    """

    SETTINGS = ("design", "cv", "theta0", "theta1", "theta2", "alpha", "n", "method")

    power: FloatArray
    design: StrArray
    cv: FloatArray
    theta0: FloatArray
    theta1: FloatArray
    theta2: FloatArray
    alpha: FloatArray
    n: IntArray
    df: IntArray
    method: StrArray
    software_version: str = field(default_factory=software_version)

    def summary(self) -> str:
        return (
            f"TOST power ({values_text(self.method)}), design {values_text(self.design)}, "
            f"n {values_text(self.n)}{scenarios(self.power)}: {values_text(self.power)}\n"
            f"{settings_text(self.cv, self.theta0, self.theta1, self.theta2, self.alpha)}"
        )

    def __float__(self) -> float:
        if self.power.size != 1:
            raise TypeError("float() needs a single scenario; use .power for arrays")
        return float(self.power.item())


def power_tost(
    *,
    cv: npt.ArrayLike,
    n: npt.ArrayLike | None = None,
    design: npt.ArrayLike = "2x2",
    theta0: npt.ArrayLike | None = 0.95,
    theta1: npt.ArrayLike | None = None,
    theta2: npt.ArrayLike | None = None,
    alpha: npt.ArrayLike | None = 0.05,
    method: npt.ArrayLike = "exact",
    n_by_group: tuple[int, ...] | None = None,
    robust: bool = False,
) -> PowerResult:
    """Power of TOST (PowerTOST ``power.TOST``), vectorised over broadcast scenario arrays.

    Parameters
    ----------
    cv
        Within-subject CV (crossovers) or total CV (parallel), as a ratio (0.3 = 30%).
    n
        Total number of subjects. A total that is not a multiple of the number of sequence groups is
        split as evenly as possible (PowerTOST ``nvec``: 101 in 2 groups -> 51/50).
    design
        A design name (``parallel``, ``2x2``, ``2x2x4``, ...; see :mod:`bioparity.power.designs`).
    theta0, theta1, theta2
        True ratio and acceptance limits; defaults 0.95, 0.80 and ``1/theta1``. NaN means default.
    alpha
        One-sided level of each test (0.05 gives the 90% CI criterion).
    method
        ``exact`` (Owen's Q, default), ``nct`` (noncentral t) or ``shifted`` (shifted central t).
    n_by_group
        Sizes of the sequence groups for one unbalanced study, instead of ``n`` (single design only).
    robust
        Use the "robust" degrees of freedom of mixed models (PowerTOST ``robust=TRUE``).

    Returns
    -------
    PowerResult
        The power per scenario (broadcast shape of the inputs) with the settings used.

    Notes
    -----
    ``sem = se * sqrt(bkni * sum(1/n_i))``, ``se = sqrt(ln(1 + CV^2))``, ``df`` from the design;
    ``power = Q(-t, delta2; 0, R) - Q(t, delta1; 0, R)`` (Owen 1965; Phillips 1990).

    References
    ----------
    Owen DB (1965) Biometrika 52:437-446. Phillips KF (1990) J Pharmacokin Biopharm 18:137-144.
    Labes D, Schuetz H, Lang B. PowerTOST (R package).

    One scenario of scalars takes a fast path with the same checks and the same result to the bit;
    anything else (arrays, or an input that fails a check) takes the general, vectorised path.
    """
    given = ScenarioInputs(design, cv, theta0, theta1, theta2, alpha, method, robust)
    if n_by_group is None:
        fast = _power_tost_scalar(given, n)
        if fast is not None:
            return fast
    return _power_tost_general(given, n, n_by_group)


def _power_tost_general(
    given: ScenarioInputs, n: npt.ArrayLike | None, n_by_group: tuple[int, ...] | None
) -> PowerResult:
    """:func:`power_tost` for broadcast arrays of scenarios (the general path)."""
    n_shape = () if n is None else np.shape(n)
    sc = build_scenarios(given, extra_shapes={"n": n_shape})
    if n_by_group is not None:
        if n is not None:
            raise InputError("give either n (total) or n_by_group (sizes of the sequence groups), not both")
        steps = np.unique(sc.design.steps)
        groups = tuple(int(g) for g in n_by_group)
        if steps.size != 1 or len(groups) != int(steps[0]) or min(groups) < 1:
            raise InputError(
                f"n_by_group needs one size >= 1 per sequence group of a single design "
                f"({sorted(set(sc.design.name.ravel().tolist()))}); got {n_by_group!r}"
            )
        n_total = np.full(sc.shape, sum(groups), dtype=np.int64)
        inv_sum = np.full(sc.shape, sum(1.0 / g for g in groups))
    else:
        if n is None:
            raise InputError("n (total number of subjects) is required")
        n_raw = np.asarray(n)
        n_float = np.broadcast_to(n_raw.astype(float), sc.shape)
        check(
            np.isfinite(n_float) & (n_float == np.round(n_float)), "n", n_float, "a whole number of subjects"
        )
        n_total = np.broadcast_to(n_raw.astype(np.int64), sc.shape)
        check(n_total >= sc.design.steps, "n", n_total, "at least one subject per sequence group")
        inv_sum = sum_inverse_group_sizes(n_total, sc.design.steps)
    df = sc.design.df(n_total)
    check(df >= 1, "n", n_total, "enough subjects for at least 1 degree of freedom")
    sem_factor = np.sqrt(sc.design.bkni * inv_sum)
    power = power_for(sc, n_total.ravel(), sem_factor.ravel()).reshape(sc.shape)
    return PowerResult(
        power=power,
        n=np.asarray(n_total, dtype=np.int64).copy(),
        df=np.asarray(df, dtype=np.int64),
        **scenario_settings(sc),
    )
