"""Power of the two one-sided tests (TOST) for average bioequivalence / PK similarity.

Computes ``P(both one-sided t tests at level alpha reject)`` for a true ratio ``theta0``, limits
``theta1``/``theta2`` and a within-subject (crossover) or total (parallel) CV, exactly as PowerTOST
``power.TOST`` defines it (regulatory.md section 3). Vectorised over any array of scenarios.

Example
-------
>>> round(float(power_tost(design="2x2", cv=0.20, theta0=0.95, n=20)), 6)
0.83468
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from bioparity._results import ResultMixin, software_version
from bioparity.errors import InputError
from bioparity.power.conversions import cv_to_se, sum_inverse_group_sizes
from bioparity.power.kernels import POWER_KERNELS, critical_t
from bioparity.power.scenarios import Scenarios, build_scenarios, check

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def power_for(
    sc: Scenarios, n: IntArray, sem_factor: FloatArray, select: npt.NDArray[np.intp] | None = None
) -> FloatArray:
    """Power of scenarios ``select`` (flat indices; all when None) at total ``n``, ``sem = se * sem_factor``.

    ``n`` and ``sem_factor`` are given for the selected scenarios only.
    """
    idx = np.arange(sc.cv.size) if select is None else select
    flat = {
        name: getattr(sc, name).ravel()[idx]
        for name in ("cv", "theta0", "theta1", "theta2", "alpha", "method")
    }
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


@dataclass(frozen=True, repr=False)
class PowerResult(ResultMixin):
    """TOST power for one or many scenarios (arrays of one shape; 0-d for a single scenario)."""

    power: FloatArray
    design: npt.NDArray[np.str_]
    cv: FloatArray
    theta0: FloatArray
    theta1: FloatArray
    theta2: FloatArray
    alpha: FloatArray
    n: IntArray
    df: IntArray
    method: npt.NDArray[np.str_]
    software_version: str = field(default_factory=software_version)

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
    """
    n_shape = () if n is None else np.shape(n)
    sc = build_scenarios(design, cv, theta0, theta1, theta2, alpha, method, robust, extra_shapes=(n_shape,))
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
        design=sc.design.name,
        cv=sc.cv,
        theta0=sc.theta0,
        theta1=sc.theta1,
        theta2=sc.theta2,
        alpha=sc.alpha,
        n=np.asarray(n_total, dtype=np.int64).copy(),
        df=np.asarray(df, dtype=np.int64),
        method=sc.method,
    )
