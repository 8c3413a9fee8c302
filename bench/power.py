"""Benchmark: exact TOST power evaluations per second and sample-size scenarios per second.

Run with ``make bench`` or ``.venv/bin/python bench/power.py [--scenarios N] [--repeat R]``.
Grids mix designs, CVs, true ratios, limits and sample sizes (seeded), so that the figures reflect
realistic planning grids rather than one repeated scenario. Targets (issue 2): >= 80,000 exact power
evaluations/s and >= 15,000 sample-size scenarios/s on a 2-core machine (PowerTOST: ~4,100 and ~770).
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from collections.abc import Callable

import numpy as np
import scipy

import bioparity
from bioparity.power import DESIGN_NAMES, get_design, power_tost, sample_size_tost


def _best_of(repeat: int, fn: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scenarios", type=int, default=20_000, help="grid size (>= 10,000)")
    parser.add_argument("--repeat", type=int, default=5, help="timed repetitions; the best is reported")
    parser.add_argument("--seed", type=int, default=20261125)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    size = args.scenarios

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
        args.repeat,
        lambda: power_tost(design=designs, cv=cv, theta0=theta0, theta1=theta1, n=n, method="exact"),
    )
    target = rng.choice([0.8, 0.9], size)
    res = sample_size_tost(design=designs, cv=cv, theta0=theta0, theta1=theta1, target_power=target)
    t_n = _best_of(
        args.repeat,
        lambda: sample_size_tost(design=designs, cv=cv, theta0=theta0, theta1=theta1, target_power=target),
    )
    print(
        f"bioparity {bioparity.__version__}, numpy {np.__version__}, scipy {scipy.__version__}, "
        f"Python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} cores"
    )
    print(
        f"grid: {size} scenarios over {len(DESIGN_NAMES)} designs (seed {args.seed}); best of {args.repeat}"
    )
    print(f"exact power evaluations/s : {size / t_power:12,.0f}   ({t_power * 1e3:.1f} ms per grid)")
    print(
        f"sample-size scenarios/s   : {size / t_n:12,.0f}   ({t_n * 1e3:.1f} ms per grid, "
        f"median n {int(np.median(res.n))}, max n {int(res.n.max())})"
    )


if __name__ == "__main__":
    main()
