"""Benchmark: 1,000,000 simulated studies of EMA ABEL and FDA RSABE power (key-statistics simulation).

PowerTOST ``power.scABEL(CV = 0.45, n = 39, design = "2x3x3", nsims = 1e6)`` takes about 0.38 s on these
machines (issue 4). Run: ``.venv/bin/python bench/scabel.py``.
"""

from __future__ import annotations

import os
import platform
import time
from collections.abc import Callable

import numpy as np
import scipy

from bioparity import __version__
from bioparity.power import power_rsabe, power_scabel

NSIMS = 1_000_000
REPEATS = 5


def best_of(run: Callable[[], float]) -> tuple[float, float]:
    times = []
    value = float("nan")
    for _ in range(REPEATS):
        start = time.perf_counter()
        value = run()
        times.append(time.perf_counter() - start)
    return min(times), value


def main() -> None:
    print(
        f"bioparity {__version__}, numpy {np.__version__}, scipy {scipy.__version__}, "
        f"Python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} cores"
    )
    print(f"{NSIMS:,} simulated studies per call; best of {REPEATS}")
    cases: list[tuple[str, Callable[[], float]]] = [
        ("power_scabel 2x3x3 CV 0.45 n 39", lambda: power_scabel(0.45, 39, "2x3x3", nsims=NSIMS).power),
        ("power_scabel 2x2x4 CV 0.45 n 28", lambda: power_scabel(0.45, 28, "2x2x4", nsims=NSIMS).power),
        ("power_scabel 2x2x3 CV 0.45 n 42", lambda: power_scabel(0.45, 42, "2x2x3", nsims=NSIMS).power),
        (
            "power_rsabe 2x2x4 CV 0.40/0.50 n 20",
            lambda: power_rsabe((0.40, 0.50), 20, "2x2x4", nsims=NSIMS).power,
        ),
    ]
    for label, run in cases:
        seconds, power = best_of(run)
        print(f"{label:<38}: {seconds:6.3f} s   power {power:.5f}")


if __name__ == "__main__":
    main()
