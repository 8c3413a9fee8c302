"""Benchmark: ``bioparity nca`` end to end on a large CSV, writing a long CSV and a Parquet file.

Input: one-compartment oral profiles of 12 samples (``bench/nca.py``'s synthetic model), written once as
``subject,time,conc,dose`` CSV (not timed). Timed: the whole command in a fresh process (start-up, reading
and checking the CSV, NCA, writing OUT and its provenance sidecar), once with ``--out OUT.csv`` and once with
``--out OUT.parquet``; peak memory is the child's max RSS. The long CSV is read back and must give the same
float64 values as the Parquet file (shortest round-trip numbers).

Targets (issue #22): 1,000,000 profiles -> long CSV in <= 20 s (>= 50,000 profiles/s), -> Parquet in <= 8 s,
peak RSS <= 3 GB.

Run: ``.venv/bin/python bench/nca_io.py [n_profiles] [--quick] [--json] [--keep DIR]``
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from _figures import Figure, emit, machine
from bioparity.io.tables_out import write_table
from nca import synthetic_frame

TARGET_CSV_S = 20.0
TARGET_PARQUET_S = 8.0
TARGET_RSS_MIB = 3 * 1024


def _run(args: list[str]) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds and peak RSS (MiB) of ``bioparity ARGS`` in its own process."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "bioparity.cli.main", *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _pid, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    if status != 0:
        err = proc.stderr.read().decode() if proc.stderr else ""
        raise SystemExit(f"bioparity {' '.join(args)} failed: {err}")
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def figures(n: int = 1_000_000, folder: Path | None = None) -> list[Figure]:
    with tempfile.TemporaryDirectory(prefix="bench-nca-io-", dir=folder) as tmp:
        work = Path(tmp)
        data = work / "profiles.csv"
        write_table(synthetic_frame(n), data)
        size_mb = data.stat().st_size / 1e6
        csv_s, csv_cpu, csv_rss = _run(["nca", str(data), "--dose", "dose", "--out", str(work / "pp.csv")])
        pq_s, pq_cpu, pq_rss = _run(["nca", str(data), "--dose", "dose", "--out", str(work / "pp.parquet")])
        assert (work / "pp.csv.provenance.json").is_file() and (work / "pp.parquet.provenance.json").is_file()
        from_csv = pd.read_csv(work / "pp.csv", usecols=["PPSTRESN"], dtype={"PPSTRESN": float})
        from_pq = pd.read_parquet(work / "pp.parquet", columns=["PPSTRESN"])
        same = np.array_equal(from_csv["PPSTRESN"].to_numpy(), from_pq["PPSTRESN"].to_numpy(), equal_nan=True)
        rows = len(from_pq)
    setting = f"{n:,} profiles x 12 samples ({size_mb:,.0f} MB CSV) -> {rows:,} rows"
    return [
        Figure(
            "nca_io", "nca CSV -> long CSV, profiles/s", n / csv_s, "1/s", f"{setting}; target >= 50,000/s"
        ),
        Figure(
            "nca_io",
            "nca CSV -> long CSV, wall",
            csv_s,
            "s",
            f"{csv_cpu:.1f} s CPU; target <= {TARGET_CSV_S:g} s",
        ),
        Figure(
            "nca_io",
            "nca CSV -> Parquet, wall",
            pq_s,
            "s",
            f"{pq_cpu:.1f} s CPU; target <= {TARGET_PARQUET_S:g} s",
        ),
        Figure(
            "nca_io",
            "peak RSS (CSV, Parquet)",
            max(csv_rss, pq_rss),
            "MiB",
            f"CSV {csv_rss:,.0f} MiB, Parquet {pq_rss:,.0f} MiB; target <= {TARGET_RSS_MIB:,} MiB",
        ),
        Figure("nca_io", "CSV values equal Parquet values", float(same), "bool", "float64, bit for bit"),
    ]


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    as_json = "--json" in sys.argv
    keep = None
    if "--keep" in sys.argv:
        keep = Path(sys.argv[sys.argv.index("--keep") + 1])
        args = [a for a in args if a != str(keep)]
    n = int(args[0]) if args else 20_000 if "--quick" in sys.argv else 1_000_000
    figs = figures(n, keep)
    if not as_json:
        print(machine())
    emit(figs, as_json)


if __name__ == "__main__":
    main()
