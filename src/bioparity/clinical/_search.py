"""Vectorised search for the smallest whole sample size whose power reaches a target.

Used where power increases with n (normal approximations, exact t power): a galloping bracket then a
bisection on integers, each step one evaluation for all unfinished scenarios.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from bioparity.errors import SearchError

IntArray = npt.NDArray[np.int64]
Reaches = Callable[[IntArray, npt.NDArray[np.intp]], npt.NDArray[np.bool_]]


def smallest_reaching_n(reaches: Reaches, n_min: IntArray, n_max: int) -> IntArray:
    """Smallest ``n >= n_min`` (per scenario) with ``reaches(n, idx)`` true, assuming monotonicity in n.

    ``reaches(n, idx)`` answers for the flat scenario indices ``idx`` at sizes ``n`` (same length).
    Raises :class:`SearchError` if some scenario does not reach its target at ``n_max``.
    """
    n_lo = np.asarray(n_min, dtype=np.int64).ravel()
    size = n_lo.size
    all_idx = np.arange(size)
    result = n_lo.copy()
    done = reaches(n_lo, all_idx)
    lo = n_lo.copy()  # largest n known not to reach
    hi = n_lo.copy()
    pending = np.flatnonzero(~done)
    step = np.maximum(n_lo[pending], 1)
    while pending.size:
        trial = np.minimum(lo[pending] + step, n_max)
        ok = reaches(trial, pending)
        hi[pending[ok]] = trial[ok]
        failed = pending[~ok]
        if np.any(trial[~ok] >= n_max):
            first = int(failed[np.argmax(trial[~ok] >= n_max)])
            raise SearchError(
                f"scenario {first}: the target power is not reached with {n_max} subjects per group; "
                "check that the true effect lies well inside the margins"
            )
        lo[failed] = trial[~ok]
        step = 2 * step[~ok]
        pending = failed
    active = np.flatnonzero(~done & (hi - lo > 1))
    while active.size:
        mid = (lo[active] + hi[active]) // 2
        ok = reaches(mid, active)
        hi[active[ok]] = mid[ok]
        lo[active[~ok]] = mid[~ok]
        active = active[hi[active] - lo[active] > 1]
    result[~done] = hi[~done]
    return result
