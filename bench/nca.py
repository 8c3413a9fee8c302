"""Benchmark: NCA of one million synthetic extravascular profiles of 12 samples each.

One-compartment oral model with first-order absorption, log-normal between-subject variability and 10%
proportional residual noise; all default parameters (Cmax ... CLFO, VZFO, MRTEVIFO) from an in-memory
long DataFrame. Two paths are timed: the array engine (frame columns -> padded arrays -> ``nca_arrays``)
and the public, validated ``bioparity.nca.frame.nca(frame)`` (column parsing, sorted/duplicate-time
checks, grouping). Prints profiles/s and the peak memory.

Run: ``.venv/bin/python bench/nca.py [n_profiles]``
"""

from __future__ import annotations

import os
import platform
import resource
import sys
import time

import numpy as np
import pandas as pd

from bioparity import __version__
from bioparity.nca import nca_arrays
from bioparity.nca.frame import nca
from bioparity.nca.profiles import pad_profiles

TIMES = np.array([0.0, 0.25, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0, 8.0, 12.0, 24.0])


def synthetic_frame(n: int, seed: int = 20240501) -> pd.DataFrame:
    """Long table subject,time,conc,dose of ``n`` one-compartment oral profiles."""
    rng = np.random.default_rng(seed)
    ka = 1.5 * np.exp(rng.normal(0, 0.3, n))
    ke = 0.15 * np.exp(rng.normal(0, 0.3, n))
    v = 30.0 * np.exp(rng.normal(0, 0.2, n))
    dose = 320.0
    t = TIMES[None, :]
    ka_ = np.where(np.abs(ka - ke) < 1e-6, ka * 1.01, ka)[:, None]
    conc = dose * ka_ / (v[:, None] * (ka_ - ke[:, None])) * (np.exp(-ke[:, None] * t) - np.exp(-ka_ * t))
    conc *= np.exp(rng.normal(0, 0.1, conc.shape))
    return pd.DataFrame(
        {
            "subject": np.repeat(np.arange(n), TIMES.size),
            "time": np.tile(TIMES, n),
            "conc": conc.ravel(),
            "dose": np.full(n * TIMES.size, dose),
        }
    )


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    frame = synthetic_frame(n)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    start = time.perf_counter()
    cpu = time.process_time()
    codes = frame["subject"].to_numpy()
    _, (T, C, D) = pad_profiles(
        codes, frame["time"].to_numpy(), frame["conc"].to_numpy(), frame["dose"].to_numpy()
    )
    res = nca_arrays(T, C, dose=D[:, 0])
    elapsed = time.perf_counter() - start
    cpu = time.process_time() - cpu
    peak_engine = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    lamz = res.value("LAMZ")
    del res, T, C, D
    start = time.perf_counter()
    cpu_checked = time.process_time()
    checked = nca(frame, dose="dose")
    elapsed_checked = time.perf_counter() - start
    cpu_checked = time.process_time() - cpu_checked
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    assert np.array_equal(checked.value("LAMZ"), lamz, equal_nan=True)
    print(
        f"bioparity {__version__}, numpy {np.__version__}, pandas {pd.__version__}, "
        f"Python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} cores"
    )
    print(f"profiles: {n:,} x {TIMES.size} samples, {len(checked.codes)} parameters each")
    print(f"array engine:         {elapsed:.2f} s ({cpu:.2f} s CPU)  ->  {n / elapsed:,.0f} profiles/s")
    print(
        f"validated nca(frame): {elapsed_checked:.2f} s ({cpu_checked:.2f} s CPU)  ->  "
        f"{n / elapsed_checked:,.0f} profiles/s"
    )
    print(
        f"peak memory (max RSS): {peak_engine:,.0f} MiB after the array engine, {peak:,.0f} MiB after "
        f"nca(frame); the input frame and its generation alone: {rss_before:,.0f} MiB"
    )
    print(
        f"lambda_z estimated for {np.isfinite(lamz).mean():.1%} of profiles; "
        f"median {np.nanmedian(lamz):.4f}/h"
    )


if __name__ == "__main__":
    main()
