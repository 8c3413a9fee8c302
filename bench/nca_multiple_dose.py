"""Benchmark: multiple-dose NCA, one million dosing intervals (250,000 subjects x 4 doses every 12 h).

One-compartment oral model superposed over the doses, log-normal between-subject variability and 10%
proportional noise; samples at 0, 1, 2, 4, 8 h after each dose, the trough at 12 h and 24, 48 h after
the last dose (23 samples per subject). Timed: the validated ``nca_multiple_dose(frame, doses)`` call
(sample and dose-record checks, terminal lambda_z after the last dose, every interval's parameters).

Run: ``.venv/bin/python bench/nca_multiple_dose.py [n_subjects] [--quick] [--json]``
"""

from __future__ import annotations

import resource
import sys
import time

import numpy as np
import pandas as pd

from _figures import Figure, emit, machine
from bioparity.nca.multiple.intervals import nca_multiple_dose

TAU = 12.0
N_DOSES = 4
WITHIN = np.array([0.0, 1.0, 2.0, 4.0, 8.0])


def sample_times() -> np.ndarray:
    t = np.concatenate([k * TAU + WITHIN for k in range(N_DOSES)])
    last = (N_DOSES - 1) * TAU
    return np.concatenate((t, [last + TAU, last + 24.0, last + 48.0]))


def synthetic(n: int, seed: int = 20240601) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    ka = 1.2 * np.exp(rng.normal(0, 0.3, n))[:, None]
    ke = 0.08 * np.exp(rng.normal(0, 0.3, n))[:, None]
    v = 40.0 * np.exp(rng.normal(0, 0.2, n))[:, None]
    ka = np.where(np.abs(ka - ke) < 1e-6, ka * 1.01, ka)
    dose = 100.0
    t = sample_times()[None, :]
    conc = np.zeros((n, t.shape[1]))
    for k in range(N_DOSES):  # superposition over the 4 doses (a loop over doses, not subjects)
        dt = t - k * TAU
        on = dt >= 0
        conc += np.where(on, dose * ka / (v * (ka - ke)) * (np.exp(-ke * dt) - np.exp(-ka * dt)), 0.0)
    conc *= np.exp(rng.normal(0, 0.1, conc.shape))
    samples = pd.DataFrame(
        {"subject": np.repeat(np.arange(n), t.shape[1]), "time": np.tile(t[0], n), "conc": conc.ravel()}
    )
    doses = pd.DataFrame(
        {
            "subject": np.repeat(np.arange(n), N_DOSES),
            "time": np.tile(np.arange(N_DOSES) * TAU, n),
            "dose": dose,
        }
    )
    return samples, doses


def figures(n: int = 250_000) -> list[Figure]:
    """Intervals/s of the validated ``nca_multiple_dose`` call and the peak memory."""
    samples, doses = synthetic(n)
    start = time.perf_counter()
    cpu = time.process_time()
    res = nca_multiple_dose(samples, doses, tau=TAU)
    elapsed = time.perf_counter() - start
    cpu = time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    n_iv = len(res.intervals)
    last = res.intervals["dose_number"].to_numpy() == N_DOSES
    setting = (
        f"{n:,} subjects x {N_DOSES} doses = {n_iv:,} intervals, {len(samples) // n} samples per subject; "
        f"{elapsed:.2f} s wall, {cpu:.2f} s CPU"
    )
    return [
        Figure("nca_multiple_dose", "nca_multiple_dose intervals/s", n_iv / elapsed, "1/s", setting),
        Figure("nca_multiple_dose", "peak memory", peak, "MiB", "max RSS of the process"),
        Figure(
            "nca_multiple_dose",
            "intervals with AUCTAU",
            100.0 * float(np.isfinite(res.value("AUCTAU")).mean()),
            "%",
            f"median accumulation ratio (dose {N_DOSES} vs 1) {np.nanmedian(res.value('ARAUC')[last]):.3f}",
        ),
    ]


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    n = int(args[0]) if args else 25_000 if "--quick" in sys.argv else 250_000
    figs = figures(n)
    if "--json" not in sys.argv:
        print(machine())
    emit(figs, "--json" in sys.argv)


if __name__ == "__main__":
    main()
