"""Benchmark: the tables of an NCA run report (and of its web page) for a study of many subjects.

The PP table of ``n`` synthetic one-compartment oral profiles (``bench/nca.py``'s model, 12 samples, three
arms, made by the web workspace's NCA analysis ``nca_kind``) is turned into the report's tables
(:func:`bioparity.analyses.nca.nca_tables`: summary statistics, review flags, the reasons and flags per
profile, the per-profile appendix and the other columns per profile and parameter), as the run page, the
HTML report and the PDF report do before anything is drawn. Prints the median wall and CPU seconds of
``--repeat`` calls after one that is not counted (imports and the first call's translations excluded).

Run: ``.venv/bin/python bench/nca_report_tables.py [n_profiles] [--repeat N] [--quick] [--json]``
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np
import pandas as pd

from _figures import Figure, emit, machine
from bioparity.analyses.nca import nca_kind, nca_tables
from nca import synthetic_frame

ARMS = ("test", "EU reference", "US reference")


def pp_table(n: int) -> pd.DataFrame:
    """The stored PP table of ``n`` profiles in three arms, as a run stores it (rows and columns)."""
    frame = synthetic_frame(n)
    frame.insert(0, "arm", np.asarray(ARMS)[pd.factorize(frame["subject"])[0] % len(ARMS)])
    result = nca_kind(frame, {"dose": "dose"})
    return pd.DataFrame(result["rows"], columns=result["columns"])


def figures(n: int = 2000, repeat: int = 3) -> list[Figure]:
    table = pp_table(n)
    nca_tables(table.head(100), {})  # imports and translations before the clock
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        nca_tables(table, {})
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    setting = (
        f"{n:,} profiles, {len(table):,} PP rows; median of {repeat}; load average {os.getloadavg()[0]:.1f}"
    )
    return [
        Figure("nca_report_tables", "NCA report tables wall", statistics.median(walls), "s", setting),
        Figure("nca_report_tables", "NCA report tables CPU", statistics.median(cpus), "s", "user + system"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("n", type=int, nargs="?", default=2000, help="profiles (subjects)")
    parser.add_argument("--repeat", type=int, default=3, help="calls counted; the median is reported")
    parser.add_argument("--quick", action="store_true", help="200 profiles, one call counted")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON (for run_all.py)")
    args = parser.parse_args()
    if not args.json:
        print(machine())
    emit(figures(200, 1) if args.quick else figures(args.n, args.repeat), args.json)


if __name__ == "__main__":
    main()
