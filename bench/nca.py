"""Benchmark: NCA of one million synthetic extravascular profiles of 12 samples each.

One-compartment oral model with first-order absorption, log-normal between-subject variability and 10%
proportional residual noise; all default parameters (Cmax ... CLFO, VZFO, MRTEVIFO) from an in-memory
long DataFrame. Two paths are timed: the array engine (frame columns -> padded arrays -> ``nca_arrays``)
and the public, validated ``bioparity.nca.nca(frame)`` (column parsing, sorted/duplicate-time
checks, grouping). Prints profiles/s and the peak memory.

Run: ``.venv/bin/python bench/nca.py [n_profiles] [--quick] [--json]``
"""

from __future__ import annotations

import resource
import sys
import time

import numpy as np
import pandas as pd

from _figures import Figure, emit, machine
from bioparity.nca import nca, nca_arrays
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


def figures(n: int = 1_000_000) -> list[Figure]:
    """Profiles/s of the array engine and of the validated ``nca(frame)``, and the peak memory."""
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
    setting = f"{n:,} profiles x {TIMES.size} samples, {len(checked.codes)} parameters"
    return [
        Figure(
            "nca",
            "array engine profiles/s",
            n / elapsed,
            "1/s",
            f"{setting}; {elapsed:.2f} s wall, {cpu:.2f} s CPU",
        ),
        Figure(
            "nca",
            "validated nca(frame) profiles/s",
            n / elapsed_checked,
            "1/s",
            f"{setting}; {elapsed_checked:.2f} s wall, {cpu_checked:.2f} s CPU",
        ),
        Figure(
            "nca",
            "peak memory after the array engine",
            peak_engine,
            "MiB",
            f"input alone {rss_before:,.0f} MiB",
        ),
        Figure("nca", "peak memory after nca(frame)", peak, "MiB", "max RSS of the process"),
        Figure(
            "nca",
            "profiles with lambda_z",
            100.0 * float(np.isfinite(lamz).mean()),
            "%",
            f"median {np.nanmedian(lamz):.4f}/h",
        ),
    ]


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    as_json = "--json" in sys.argv
    n = int(args[0]) if args else 100_000 if "--quick" in sys.argv else 1_000_000
    figs = figures(n)
    if not as_json:
        print(machine())
    emit(figs, as_json)


if __name__ == "__main__":
    main()
