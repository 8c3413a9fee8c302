"""Smallest whole number whose (monotone, expensive) criterion holds: a doubling bracket, then bisection.

Used by the simulated sample-size searches, where each evaluation is a Monte Carlo run with common
random numbers (so the simulated power is monotone in n up to Monte Carlo noise) and is cached by the
caller.
"""

from __future__ import annotations

from collections.abc import Callable

from bioparity.errors import SearchError


def smallest_reaching(
    reaches: Callable[[int], bool], lo: int, hi: int, limit: int, failure: Callable[[int], str]
) -> int:
    """Smallest ``k`` in ``(lo, limit]`` with ``reaches(k)``, given that ``lo`` does not reach.

    ``hi`` is tried first and doubled while it does not reach; a doubling beyond ``limit`` raises
    :class:`SearchError` with ``failure(k)``, ``k`` the largest value tried. Then bisection.
    """
    while not reaches(hi):
        lo, hi = hi, hi * 2
        if hi > limit:
            raise SearchError(failure(lo))
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if reaches(mid) else (mid, hi)
    return hi
