"""Scaling measurement: simulated PK similarity studies on 1 vs 2 Dask worker processes.

A simulation of at least 20 s serial time (the number of studies is calibrated on this machine) runs
three times with the same seed: in this process without Dask, on a LocalCluster of 1 worker process
and on one of 2 (single-threaded workers, same chunk size; clusters started before the clock starts
and warmed up). The three results must be identical. From the measured cost per study and the Dask
overhead per task it estimates the time for 10^7 simulated studies on a 64-core cluster.

Run: ``.venv/bin/python bench/scale.py [--serial-seconds 22] [--quick] [--json]``.
The development machines have 2 cores shared with other users: the load average is printed, and the
speed-up is bounded by what the other core has left.
"""

from __future__ import annotations

import argparse
import math
import time
from typing import Any

from _figures import Figure, emit, machine
from bioparity.scale import dask_client, simulate_pk_similarity
from bioparity.simulate import STUDIES_PER_BLOCK, PKSimilarityDesign, simulate_studies

DESIGN = PKSimilarityDesign(bioavailability=(0.95, 1.0, 1.0), dropout=0.1, lloq=0.05, ada_fraction=0.1)
SEED = 20261125
TASKS = 16  # chunks per run: enough for two workers to balance, few enough to keep overhead small
TARGET_STUDIES = 10_000_000
TARGET_CORES = 64
TARGET_CHUNK = 20_000  # studies per task on the big cluster (the default maximum chunk)


def _noop(i: int) -> int:
    return i


def _task_cost(client: Any, n: int = 500) -> float:
    """Wall seconds per trivial task through scheduler and worker (Dask's own cost per task)."""
    client.gather(client.map(_noop, range(50), pure=False))
    start = time.perf_counter()
    client.gather(client.map(_noop, range(n), pure=False))
    return (time.perf_counter() - start) / n


def _timed(run: Any) -> tuple[float, float, Any]:
    wall, cpu = time.perf_counter(), time.process_time()
    out = run()
    return time.perf_counter() - wall, time.process_time() - cpu, out


def figures(serial_seconds: float = 22.0) -> list[Figure]:
    """Serial, 1-worker and 2-worker throughput, speed-up, per-study/per-task cost and the 10^7 estimate."""
    probe = 300
    simulate_studies(DESIGN, SEED, 0, 100)  # warm-up (imports, caches)
    t_probe, _, _ = _timed(lambda: simulate_studies(DESIGN, SEED, 0, probe))
    blocks = math.ceil(serial_seconds / (t_probe / probe) / STUDIES_PER_BLOCK)
    K = max(1, blocks) * STUDIES_PER_BLOCK
    chunk = math.ceil(K / TASKS / STUDIES_PER_BLOCK) * STUDIES_PER_BLOCK
    n_tasks = math.ceil(K / chunk)

    t0, cpu0, serial = _timed(lambda: simulate_pk_similarity(DESIGN, K, SEED, workers=0, chunk_size=chunk))
    walls: dict[int, float] = {}
    worker_cpu: dict[int, float] = {}
    overhead = 0.0
    cores: dict[int, float] = {}  # worker CPU seconds per wall second: the cores the workers really got
    results = {"serial": serial.result.to_dict()}
    for workers in (1, 2):
        with dask_client(workers=workers) as client:
            assert client is not None
            simulate_pk_similarity(DESIGN, 200, SEED + 1, client=client, chunk_size=100)  # warm the workers
            if workers == 1:
                overhead = _task_cost(client)
            before = client.run(time.process_time)
            wall, _, run = _timed(
                lambda c=client: simulate_pk_similarity(DESIGN, K, SEED, client=c, chunk_size=chunk)
            )
            after = client.run(time.process_time)
        walls[workers] = wall
        worker_cpu[workers] = sum(after[w] - before[w] for w in after)
        cores[workers] = worker_cpu[workers] / wall
        results[f"{workers} workers"] = run.result.to_dict()
    if not all(r == results["serial"] for r in results.values()):
        raise AssertionError("results differ between serial, 1-worker and 2-worker runs")

    per_study = cpu0 / K  # CPU seconds: what one dedicated core takes per study
    speedup = walls[1] / walls[2]
    efficiency = speedup / 2.0
    big_tasks = math.ceil(TARGET_STUDIES / TARGET_CHUNK)
    # one single-threaded worker per core; tasks of TARGET_CHUNK studies run in waves of TARGET_CORES
    task_seconds = TARGET_CHUNK * per_study + overhead
    waves = math.ceil(big_tasks / TARGET_CORES)
    estimate = waves * task_seconds
    p = serial.result.probability
    setting = f"{K:,} studies of 3 x 50 subjects, {n_tasks} tasks of {chunk:,}"
    return [
        Figure(
            "scale",
            "serial (in-process) studies/s",
            K / t0,
            "1/s",
            f"{setting}; {t0:.1f} s, {cpu0:.1f} s CPU",
        ),
        Figure(
            "scale",
            "1 worker studies/s",
            K / walls[1],
            "1/s",
            f"LocalCluster, 1 process; {walls[1]:.1f} s; worker CPU/wall {cores[1]:.2f}",
        ),
        Figure(
            "scale",
            "2 workers studies/s",
            K / walls[2],
            "1/s",
            f"LocalCluster, 2 processes; {walls[2]:.1f} s; workers' CPU/wall {cores[2]:.2f} (cores obtained)",
        ),
        Figure(
            "scale",
            "speed-up 2 vs 1 workers",
            speedup,
            "x",
            f"parallel efficiency {efficiency:.0%}; the three results identical",
        ),
        Figure(
            "scale",
            "CPU cost per simulated study",
            per_study * 1e3,
            "ms",
            f"P(success) {p:.4f} +/- {serial.result.mc_se:.4f} (MC SE)",
        ),
        Figure(
            "scale",
            "Dask overhead per task",
            overhead * 1e3,
            "ms",
            "500 no-op tasks through the scheduler and 1 worker",
        ),
        Figure(
            "scale",
            "estimate: 1e7 studies on 64 cores",
            estimate,
            "s",
            f"{big_tasks} tasks of {TARGET_CHUNK:,} studies ({task_seconds:.1f} s each: studies x CPU "
            f"per study + overhead) in {waves} waves on 64 dedicated cores",
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--serial-seconds", type=float, default=22.0, help="target serial time (>= 20)")
    parser.add_argument("--quick", action="store_true", help="a 3 s simulation (a smoke test)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON (for run_all.py)")
    args = parser.parse_args()
    figs = figures(3.0 if args.quick else args.serial_seconds)
    if not args.json:
        print(machine())
    emit(figs, args.json)


if __name__ == "__main__":
    main()
