"""Vectorised root search for monotone functions, one bracket per scenario.

Score intervals are the set of parameter values that a score test does not reject; their limits solve
``Z(delta) = +/- z`` with ``Z`` monotone in ``delta``. Bisection on a known bracket converges for every
scenario at the same rate, so all scenarios advance together in one NumPy expression per step.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

#: Bisection steps: the bracket shrinks by 2**-60 (about 1e-18 of its width), below float resolution.
BISECTION_STEPS = 60


def bisect_decreasing(
    func: Callable[[FloatArray], FloatArray],
    lower: npt.ArrayLike,
    upper: npt.ArrayLike,
    target: npt.ArrayLike,
    steps: int = BISECTION_STEPS,
) -> FloatArray:
    """Solve ``func(t) = target`` for ``t`` in ``[lower, upper]`` with ``func`` decreasing, element-wise.

    ``func`` maps an array of trial points (one per scenario, the broadcast shape of the brackets) to
    the function values at those points. Where the target is not crossed inside the bracket the nearer
    end is returned (``func(lower) < target`` gives ``lower``; ``func(upper) > target`` gives ``upper``).
    """
    lo, hi, tgt = (np.asarray(v, dtype=float) for v in np.broadcast_arrays(lower, upper, target))
    lo = lo.copy()
    hi = hi.copy()
    for _ in range(steps):
        mid = 0.5 * (lo + hi)
        above = func(mid) > tgt
        lo = np.where(above, mid, lo)
        hi = np.where(above, hi, mid)
    return np.asarray(0.5 * (lo + hi), dtype=float)
