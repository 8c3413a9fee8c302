"""Benchmark: confidence intervals for two proportions per second, and equivalence sample sizes.

Run with ``.venv/bin/python bench/clinical.py [--tables N] [--repeat R] [--quick] [--json]``. Tables are
random (seeded):
group sizes 5-500 and any numbers of responders, so boundary tables (x = 0, x = n) are included.
Rates are from the best wall time of the repeats; the detail adds the rate in CPU time of that process
(the machine is shared). The figures with a target of issue #22 (score intervals >= 1,000,000 tables/s,
the equivalence sample size of means >= 100,000 scenarios/s) carry it and whether the wall-time rate
meets it (no verdict with ``--quick``: the targets are set for the full sizes).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from functools import partial

import numpy as np

from _figures import Figure, at_least, emit, machine
from bioparity.clinical import (
    ci_difference,
    ci_ratio,
    power_equivalence_proportions,
    sample_size_equivalence_means,
    sample_size_equivalence_proportions,
)

#: Targets of issue #22 (per second): score intervals and the exact sample size of means.
TARGET_SCORE_CI = 1_000_000
TARGET_MEANS = 100_000


def _best_of(repeat: int, fn: Callable[[], object]) -> float:
    return _timed(repeat, fn)[0]


def _timed(repeat: int, fn: Callable[[], object]) -> tuple[float, float]:
    """Best wall time of ``repeat`` runs and the best CPU time of this process."""
    wall = cpu = float("inf")
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        wall = min(wall, time.perf_counter() - start)
        cpu = min(cpu, time.process_time() - start_cpu)
    return wall, cpu


def figures(size: int = 100_000, repeat: int = 3, seed: int = 20260301, quick: bool = False) -> list[Figure]:
    """Tables/s of each CI method, scenarios/s of the sample sizes, times of the exact calculations."""
    out: list[Figure] = []

    def add(name: str, value: float, unit: str, detail: str) -> None:
        out.append(Figure("clinical", name, value, unit, detail))

    def add_rate(name: str, count: int, wall: float, cpu: float, detail: str, target: int) -> None:
        """A rate with its CPU-time rate in the detail and its target (no verdict at quick sizes)."""
        goal, holds = at_least(target, count / wall)
        detail = f"{detail}; {count / cpu:,.0f}/s in CPU time"
        out.append(Figure("clinical", name, count / wall, "1/s", detail, goal, None if quick else holds))

    rng = np.random.default_rng(seed)
    n1 = rng.integers(5, 501, size)
    n2 = rng.integers(5, 501, size)
    x1 = rng.integers(0, n1 + 1)
    x2 = rng.integers(0, n2 + 1)
    setting = f"{size:,} random 2x2 tables (n 5-500 per group, seed {seed}); best of {repeat}"
    for method in ("wald", "newcombe", "mn", "fm"):
        t, cpu = _timed(repeat, partial(ci_difference, x1, n1, x2, n2, method=method, conf=0.95))
        if method in ("mn", "fm"):
            add_rate(f"difference CI {method}", size, t, cpu, setting, TARGET_SCORE_CI)
        else:
            add(f"difference CI {method}", size / t, "1/s", setting)
    for method in ("koopman", "mn"):
        t, cpu = _timed(repeat, partial(ci_ratio, x1, n1, x2, n2, method=method, conf=0.95))
        add_rate(f"ratio CI {method}", size, t, cpu, setting, TARGET_SCORE_CI)

    grid = 2_000 if quick else 20_000
    p2 = rng.uniform(0.1, 0.9, grid)
    p1 = np.clip(p2 + rng.uniform(-0.05, 0.05, grid), 0.01, 0.99)
    margin = rng.uniform(0.10, 0.20, grid)
    target = rng.choice([0.8, 0.9], grid)
    t = _best_of(
        repeat,
        lambda: sample_size_equivalence_proportions(
            p1=p1, p2=p2, margin_lower=-margin, margin_upper=margin, target_power=target
        ),
    )
    add("sample size, proportions (normal)", grid / t, "1/s", f"{grid:,} scenarios")
    sd = rng.uniform(0.5, 2.0, grid)
    diff = rng.uniform(-0.2, 0.2, grid)
    t, cpu = _timed(
        repeat,
        lambda: sample_size_equivalence_means(
            diff=diff, sd=sd, margin_lower=-0.6, margin_upper=0.6, target_power=target, method="exact"
        ),
    )
    add_rate("sample size, means (exact t)", grid, t, cpu, f"{grid:,} scenarios", TARGET_MEANS)
    for ci_method in ("newcombe", "mn"):
        t = _best_of(
            repeat,
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
        add(f"exact power n 200+200 ({ci_method})", 1e3 * t, "ms", "40,401 outcomes")
    if not quick:
        t = _best_of(
            1,
            lambda: sample_size_equivalence_proportions(
                p1=0.6, p2=0.6, margin_lower=-0.15, margin_upper=0.15, method="exact", ci_method="mn"
            ),
        )
        add("exact sample size (MN, n2 = 182)", t, "s", "one search")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tables", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=20260301)
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke test")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON (bench/run_all.py)")
    args = parser.parse_args()
    size, repeat = (10_000, 1) if args.quick else (args.tables, args.repeat)
    figs = figures(size, repeat, args.seed, quick=args.quick)
    if not args.json:
        print(machine())
    emit(figs, args.json)


if __name__ == "__main__":
    main()
