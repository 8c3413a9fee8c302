"""Benchmark: k-arm PK similarity joint power and sample size (issue 27), vectorised over studies.

Joint power of 100,000 simulated three-arm studies (Welch intervals, every pair of arms; one metric and
three correlated metrics) and a whole sample-size search (CV 35%, 90% joint power).
Run: ``.venv/bin/python bench/multi_arm.py [--json] [--quick]``.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

from _figures import Figure, emit, machine
from bioparity.power.multi_arm import joint_power_pk_similarity, sample_size_pk_similarity

NSIMS = 100_000
REPEATS = 3


def best_of(run: Callable[[], float], repeats: int = REPEATS) -> tuple[float, float]:
    times = []
    value = float("nan")
    for _ in range(repeats):
        start = time.perf_counter()
        value = run()
        times.append(time.perf_counter() - start)
    return min(times), value


def figures(nsims: int = NSIMS, repeats: int = REPEATS) -> list[Figure]:
    """Seconds per call (best of ``repeats``) and simulated studies per second."""
    three = ("AUCIFO", "AUCLST", "CMAX")
    cases: list[tuple[str, Callable[[], float]]] = [
        ("joint power, 3 arms, 1 metric, n 84", lambda: joint_power_pk_similarity(84, n_sim=nsims)[0]),
        (
            "joint power, 3 arms, 3 metrics (corr 0.8), n 84",
            lambda: joint_power_pk_similarity(84, n_sim=nsims, metrics=three, correlation=0.8)[0],
        ),
        (
            "sample size, 3 arms, CV 35%, 90% joint power",
            lambda: float(sample_size_pk_similarity(cv=0.35, target_power=0.9, n_sim=nsims).n_per_arm),
        ),
    ]
    out: list[Figure] = []
    for name, run in cases:
        seconds, value = best_of(run, repeats)
        detail = f"{nsims:,} studies, result {value:.5g}"
        out.append(Figure("multi_arm", name, seconds, "s", detail))
        if name.startswith("joint"):
            out.append(Figure("multi_arm", name + " (rate)", nsims / seconds, "studies/s", detail))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--quick", action="store_true", help="10,000 studies, one repeat")
    args = parser.parse_args()
    if not args.json:
        print(machine())
    figs = figures(10_000, 1) if args.quick else figures()
    emit(figs, args.json)


if __name__ == "__main__":
    main()
