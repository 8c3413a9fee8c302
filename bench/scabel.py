"""Benchmark: 1,000,000 simulated studies of EMA ABEL and FDA RSABE power (key-statistics simulation).

PowerTOST ``power.scABEL(CV = 0.45, n = 39, design = "2x3x3", nsims = 1e6)`` takes about 0.38 s on these
machines (issue 4). Run: ``.venv/bin/python bench/scabel.py [--json] [--quick]``.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

from _figures import Figure, emit, machine
from bioparity.power import power_rsabe, power_scabel

NSIMS = 1_000_000
REPEATS = 5


def best_of(run: Callable[[], float], repeats: int = REPEATS) -> tuple[float, float]:
    times = []
    value = float("nan")
    for _ in range(repeats):
        start = time.perf_counter()
        value = run()
        times.append(time.perf_counter() - start)
    return min(times), value


def figures(nsims: int = NSIMS, repeats: int = REPEATS) -> list[Figure]:
    """Seconds per call of ``nsims`` simulated studies, four scenarios, best of ``repeats``."""
    cases: list[tuple[str, Callable[[], float]]] = [
        ("power_scabel 2x3x3 CV 0.45 n 39", lambda: power_scabel(0.45, 39, "2x3x3", nsims=nsims).power),
        ("power_scabel 2x2x4 CV 0.45 n 28", lambda: power_scabel(0.45, 28, "2x2x4", nsims=nsims).power),
        ("power_scabel 2x2x3 CV 0.45 n 42", lambda: power_scabel(0.45, 42, "2x2x3", nsims=nsims).power),
        (
            "power_rsabe 2x2x4 CV 0.40/0.50 n 20",
            lambda: power_rsabe((0.40, 0.50), 20, "2x2x4", nsims=nsims).power,
        ),
    ]
    out = []
    for label, run in cases:
        seconds, power = best_of(run, repeats)
        out.append(
            Figure("scabel", label, seconds, "s", f"{nsims:,} studies, best of {repeats}; power {power:.5f}")
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="100,000 studies, 2 repetitions")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON (for run_all.py)")
    args = parser.parse_args()
    nsims, repeats = (100_000, 2) if args.quick else (NSIMS, REPEATS)
    figs = figures(nsims, repeats)
    if not args.json:
        print(machine())
        print(f"{nsims:,} simulated studies per call; best of {repeats}")
    emit(figs, args.json)


if __name__ == "__main__":
    main()
