"""Benchmark: one scenario per call, ``power_tost(cv=0.3, n=24)`` and ``sample_size_tost(cv=0.3)``.

Times the scalar fast path (Python scalars in, same checks and the same result to the bit as the
vectorised path) and, for comparison, the general path on the same scenario. Best of ``repeat`` rounds
of ``number`` calls each, so that other users' load inflates the figures as little as possible.

Targets (issue #22): <= 0.03 ms per power call, <= 0.1 ms per sample size (PowerTOST ``power.TOST`` and
``sampleN.TOST``: ~0.35 and ~0.8 ms per call, from the ratios measured in issue #22).

Run: ``.venv/bin/python bench/power_scalar.py [--quick] [--json]``
"""

from __future__ import annotations

import sys
import timeit

from _figures import Figure, at_most, emit, machine
from bioparity.power import sample_size as ss
from bioparity.power import tost
from bioparity.power.scenarios import ScenarioInputs

TARGET_POWER_MS = 0.03
TARGET_N_MS = 0.1


def _ms_per_call(fn: object, number: int, repeat: int) -> float:
    best = min(timeit.repeat(fn, number=number, repeat=repeat))  # type: ignore[arg-type]
    return best / number * 1e3


def figures(number: int = 2000, repeat: int = 7) -> list[Figure]:
    def power_fast() -> object:
        return tost.power_tost(cv=0.3, n=24)

    def power_general() -> object:
        return tost._power_tost_general(
            ScenarioInputs("2x2", 0.3, 0.95, None, None, 0.05, "exact", False), 24, None
        )

    def n_fast() -> object:
        return ss.sample_size_tost(cv=0.3)

    def n_general() -> object:
        return ss._sample_size_general(
            ScenarioInputs("2x2", 0.3, 0.95, None, None, 0.05, "exact", False), 0.8
        )

    assert float(power_fast().power) == float(power_general().power)  # type: ignore[attr-defined]
    assert int(n_fast().n) == int(n_general().n) == 40  # type: ignore[attr-defined]
    p_fast = _ms_per_call(power_fast, number, repeat)
    p_gen = _ms_per_call(power_general, max(number // 5, 1), repeat)
    n_fast_ms = _ms_per_call(n_fast, max(number // 2, 1), repeat)
    n_gen = _ms_per_call(n_general, max(number // 10, 1), repeat)
    return [
        Figure(
            "power_scalar",
            "power_tost(cv=0.3, n=24), one call",
            p_fast,
            "ms",
            f"scalar fast path; general path {p_gen:.3f} ms",
            *at_most(TARGET_POWER_MS, p_fast, "ms"),
        ),
        Figure(
            "power_scalar",
            "sample_size_tost(cv=0.3), one call",
            n_fast_ms,
            "ms",
            f"scalar fast path (n = 40); general path {n_gen:.3f} ms",
            *at_most(TARGET_N_MS, n_fast_ms, "ms"),
        ),
    ]


def main() -> None:
    quick = "--quick" in sys.argv
    figs = figures(number=200 if quick else 2000, repeat=3 if quick else 7)
    if "--json" not in sys.argv:
        print(machine())
    emit(figs, "--json" in sys.argv)


if __name__ == "__main__":
    main()
