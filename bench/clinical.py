"""Benchmark: confidence intervals for two proportions per second, and equivalence sample sizes.

Run with ``.venv/bin/python bench/clinical.py [--tables N] [--repeat R]``. Tables are random (seeded):
group sizes 5-500 and any numbers of responders, so boundary tables (x = 0, x = n) are included.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from collections.abc import Callable
from functools import partial

import numpy as np
import scipy

import bioparity
from bioparity.clinical import (
    ci_difference,
    ci_ratio,
    power_equivalence_proportions,
    sample_size_equivalence_means,
    sample_size_equivalence_proportions,
)


def _best_of(repeat: int, fn: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tables", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=20260301)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    size = args.tables
    n1 = rng.integers(5, 501, size)
    n2 = rng.integers(5, 501, size)
    x1 = rng.integers(0, n1 + 1)
    x2 = rng.integers(0, n2 + 1)
    print(
        f"bioparity {bioparity.__version__}, numpy {np.__version__}, scipy {scipy.__version__}, "
        f"Python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} cores"
    )
    print(f"{size} random 2x2 tables (n 5-500 per group, seed {args.seed}); best of {args.repeat}")
    for method in ("wald", "newcombe", "mn", "fm"):
        t = _best_of(args.repeat, partial(ci_difference, x1, n1, x2, n2, method=method, conf=0.95))
        print(f"difference CI {method:<9}: {size / t:>12,.0f} tables/s   ({1e3 * t:8.1f} ms)")
    for method in ("koopman", "mn"):
        t = _best_of(args.repeat, partial(ci_ratio, x1, n1, x2, n2, method=method, conf=0.95))
        print(f"ratio CI {method:<14}: {size / t:>12,.0f} tables/s   ({1e3 * t:8.1f} ms)")

    grid = 20_000
    p2 = rng.uniform(0.1, 0.9, grid)
    p1 = np.clip(p2 + rng.uniform(-0.05, 0.05, grid), 0.01, 0.99)
    margin = rng.uniform(0.10, 0.20, grid)
    target = rng.choice([0.8, 0.9], grid)
    t = _best_of(
        args.repeat,
        lambda: sample_size_equivalence_proportions(
            p1=p1, p2=p2, margin_lower=-margin, margin_upper=margin, target_power=target
        ),
    )
    print(f"sample size, proportions (normal) : {grid / t:>10,.0f} scenarios/s ({1e3 * t:8.1f} ms)")
    sd = rng.uniform(0.5, 2.0, grid)
    diff = rng.uniform(-0.2, 0.2, grid)
    t = _best_of(
        args.repeat,
        lambda: sample_size_equivalence_means(
            diff=diff, sd=sd, margin_lower=-0.6, margin_upper=0.6, target_power=target, method="exact"
        ),
    )
    print(f"sample size, means (exact t)      : {grid / t:>10,.0f} scenarios/s ({1e3 * t:8.1f} ms)")
    for ci_method in ("newcombe", "mn"):
        t = _best_of(
            args.repeat,
            partial(
                power_equivalence_proportions,
                p1=0.6,
                p2=0.6,
                n1=200,
                n2=200,
                margin_lower=-0.15,
                margin_upper=0.15,
                method="exact",
                ci_method=ci_method,
            ),
        )
        print(f"exact power n 200+200 ({ci_method:<8})  : {1e3 * t:8.1f} ms (40,401 outcomes)")
    t = _best_of(
        1,
        lambda: sample_size_equivalence_proportions(
            p1=0.6, p2=0.6, margin_lower=-0.15, margin_upper=0.15, method="exact", ci_method="mn"
        ),
    )
    print(f"exact sample size (MN, n2 = 182)  : {t:8.2f} s")


if __name__ == "__main__":
    main()
