"""Benchmark: the validation pack, ``bioparity validate --out report.html`` and ``--out report.pdf``.

Each command runs as a whole fresh process (start-up, every reference case, the system section with the
SHA-256 of every installed file, the report written), ``--repeat`` times; the figures are the median wall
time and the median CPU time (user + system of the child, the load-independent figure).

Targets (issue #22): the HTML report <= 10 s and the PDF report <= 30 s wall, start-up included.

Run: ``.venv/bin/python bench/validate.py [--repeat N] [--quick] [--json]``
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
from pathlib import Path

from _figures import Figure, at_most, bioparity_process, emit, machine

#: Report format and its wall-time target in seconds.
TARGETS = (("html", 10.0), ("pdf", 30.0))


def figures(repeat: int = 3) -> list[Figure]:
    """Median wall and CPU seconds of ``bioparity validate --out x.html`` and ``--out x.pdf``."""
    out: list[Figure] = []
    with tempfile.TemporaryDirectory() as tmp:
        for suffix, target in TARGETS:
            report = Path(tmp) / f"oq-report.{suffix}"
            load = os.getloadavg()[0]
            runs = [bioparity_process(["validate", "--out", str(report)]) for _ in range(repeat)]
            wall = statistics.median(r[0] for r in runs)
            cpu = statistics.median(r[1] for r in runs)
            size = report.stat().st_size / 1024
            setting = (
                f"whole process, median of {repeat}; {suffix.upper()} report {size:,.0f} KiB; "
                f"load average {load:.1f} before, {os.getloadavg()[0]:.1f} after"
            )
            label = f"bioparity validate --out x.{suffix}"
            out.append(Figure("validate", f"{label} wall", wall, "s", setting, *at_most(target, wall)))
            out.append(
                Figure("validate", f"{label} CPU", cpu, "s", "user + system of the child (load-independent)")
            )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each command; the median is reported")
    parser.add_argument("--quick", action="store_true", help="one run of each")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON (for run_all.py)")
    args = parser.parse_args()
    if not args.json:
        print(machine())  # the load average before the runs
    emit(figures(1 if args.quick else args.repeat), args.json)


if __name__ == "__main__":
    main()
