"""Benchmark: exact TOST power evaluations per second and sample-size scenarios per second.

Run with ``make bench`` or ``.venv/bin/python bench/power.py [--scenarios N] [--repeat R] [--json]``.
Grids mix designs, CVs, true ratios, limits and sample sizes (seeded), so that the figures reflect
realistic planning grids rather than one repeated scenario. Targets (issue 2): >= 80,000 exact power
evaluations/s and >= 15,000 sample-size scenarios/s on a 2-core machine (PowerTOST: ~4,100 and ~770).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np

from _figures import Figure, at_least, emit, machine
from bioparity.power import DESIGN_NAMES, get_design, power_tost, sample_size_tost

#: Targets of issue 2 (per second, 2-core machine).
TARGET_POWER = 80_000
TARGET_N = 15_000


def _best_of(repeat: int, fn: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def figures(scenarios: int = 20_000, repeat: int = 5, seed: int = 20261125) -> list[Figure]:
    """Exact power evaluations/s and sample-size scenarios/s on a mixed grid (best of ``repeat``)."""
    rng = np.random.default_rng(seed)
    size = scenarios
    designs = np.asarray(rng.choice(np.asarray(DESIGN_NAMES), size), dtype=object)
    cv = rng.uniform(0.10, 0.60, size)
    theta0 = rng.uniform(0.88, 1.12, size)
    # narrow limits (0.90-1.1111) only with a true ratio inside them
    narrow = rng.random(size) < 0.2
    theta1 = np.where(narrow, 0.90, 0.80)
    theta0 = np.where(narrow, rng.uniform(0.95, 1.05, size), theta0)
    steps = np.array([get_design(d).steps for d in designs])
    n = steps * rng.integers(4, 60, size)

    t_power = _best_of(
        repeat,
        lambda: power_tost(design=designs, cv=cv, theta0=theta0, theta1=theta1, n=n, method="exact"),
    )
    target = rng.choice([0.8, 0.9], size)
    res = sample_size_tost(design=designs, cv=cv, theta0=theta0, theta1=theta1, target_power=target)
    t_n = _best_of(
        repeat,
        lambda: sample_size_tost(design=designs, cv=cv, theta0=theta0, theta1=theta1, target_power=target),
    )
    grid = f"{size:,} scenarios over {len(DESIGN_NAMES)} designs, best of {repeat}"
    return [
        Figure(
            "power",
            "exact power evaluations/s",
            size / t_power,
            "1/s",
            f"{grid}; {t_power * 1e3:.1f} ms",
            *at_least(TARGET_POWER, size / t_power),
        ),
        Figure(
            "power",
            "sample-size scenarios/s",
            size / t_n,
            "1/s",
            f"{grid}; {t_n * 1e3:.1f} ms, median n {int(np.median(res.n))}, max n {int(res.n.max())}",
            *at_least(TARGET_N, size / t_n),
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scenarios", type=int, default=20_000, help="grid size (>= 10,000)")
    parser.add_argument("--repeat", type=int, default=5, help="timed repetitions; the best is reported")
    parser.add_argument("--seed", type=int, default=20261125)
    parser.add_argument("--quick", action="store_true", help="10,000 scenarios, 2 repetitions")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON (for run_all.py)")
    args = parser.parse_args()
    scenarios, repeat = (10_000, 2) if args.quick else (args.scenarios, args.repeat)
    figs = figures(scenarios, repeat, args.seed)
    if not args.json:
        print(machine())
    emit(figs, args.json)


if __name__ == "__main__":
    main()
