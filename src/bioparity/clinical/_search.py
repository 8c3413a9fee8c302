"""Vectorised search for the smallest whole sample size whose power reaches a target.

Used where power increases with n (normal approximations, exact t power): a galloping bracket then a
bisection on integers, each step one evaluation for all unfinished scenarios.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from bioparity.arrays import IntArray
from bioparity.errors import SearchError

Reaches = Callable[[IntArray, npt.NDArray[np.intp]], npt.NDArray[np.bool_]]


def smallest_reaching_n(
    reaches: Reaches, n_min: IntArray, n_max: int, start: npt.ArrayLike | None = None
) -> IntArray:
    """Smallest ``n >= n_min`` (per scenario) with ``reaches(n, idx)`` true, assuming monotonicity in n.

    ``reaches(n, idx)`` answers for the flat scenario indices ``idx`` at sizes ``n`` (same length).
    ``start`` (optional) is a first guess per scenario, e.g. a large-sample formula: the search gallops
    down from it while the target is reached and up while it is not, so a close start needs about two
    evaluations per scenario; without it the search gallops up from ``n_min``. The answer does not depend
    on the start. Raises :class:`SearchError` if some scenario does not reach its target at ``n_max``.
    """
    n_lo = np.asarray(n_min, dtype=np.int64).ravel()
    size = n_lo.size
    all_idx = np.arange(size)
    if start is None:
        first = n_lo.copy()
    else:
        guess = np.nan_to_num(np.asarray(start, dtype=float).ravel(), nan=0.0, posinf=n_max, neginf=0.0)
        first = np.clip(np.ceil(guess), n_lo, n_max).astype(np.int64)
    ok0 = reaches(first, all_idx)
    lo = np.where(ok0, n_lo - 1, first)  # largest n known not to reach (n_min - 1: none)
    hi = np.where(ok0, first, -1)  # smallest n known to reach (-1: none yet)
    # Gallop down from a start that reaches the target until an n that does not (or n_min).
    down = np.flatnonzero(ok0 & (first > n_lo))
    step = np.ones(size, dtype=np.int64)
    while down.size:
        trial = np.maximum(hi[down] - step[down], n_lo[down])
        ok = reaches(trial, down)
        hi[down[ok]] = trial[ok]
        lo[down[~ok]] = trial[~ok]
        step[down] *= 2
        down = down[ok & (trial > n_lo[down])]
    # Gallop up from a start that does not reach the target.
    pending = np.flatnonzero(~ok0)
    step[:] = 1
    while pending.size:
        trial = np.minimum(lo[pending] + step[pending], n_max)
        ok = reaches(trial, pending)
        hi[pending[ok]] = trial[ok]
        failed = pending[~ok]
        if np.any(trial[~ok] >= n_max):
            bad = int(failed[np.argmax(trial[~ok] >= n_max)])
            raise SearchError(
                f"scenario {bad}: the target power is not reached with {n_max} subjects per group; "
                "check that the true effect lies well inside the margins"
            )
        lo[failed] = trial[~ok]
        step[failed] *= 2
        pending = failed
    active = np.flatnonzero(hi - lo > 1)
    while active.size:
        mid = (lo[active] + hi[active]) // 2
        ok = reaches(mid, active)
        hi[active[ok]] = mid[ok]
        lo[active[~ok]] = mid[~ok]
        active = active[hi[active] - lo[active] > 1]
    return np.asarray(hi, dtype=np.int64)
