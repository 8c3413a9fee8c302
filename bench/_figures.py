"""Shared by the benchmark scripts: a performance figure, the machine line, and ``--json`` output.

Every ``bench/<name>.py`` has ``figures(...) -> list[Figure]`` and, run with ``--json``, prints those
figures as JSON for ``bench/run_all.py`` (which runs each script in its own process, so that timings
and peak memory are not mixed up between benchmarks).
"""

from __future__ import annotations

import dataclasses
import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import metadata


@dataclass(frozen=True)
class Figure:
    """One measured number: ``value`` in ``unit`` (``detail``: the setting it was measured on).

    ``target`` is the goal as text (``"<= 0.3 s"``, ``">= 1,000,000/s"``; empty when the figure has
    none) and ``holds`` whether this measurement meets it (``None``: no target, or the measurement
    was not at the size the target is set for).
    """

    benchmark: str
    name: str
    value: float
    unit: str
    detail: str = ""
    target: str = ""
    holds: bool | None = None


def _limit(limit: float) -> str:
    """``1,000,000`` rather than ``1e+06`` for whole numbers; ``0.03`` as it is."""
    return f"{limit:,.0f}" if float(limit).is_integer() else f"{limit:,g}"


def at_most(limit: float, value: float, unit: str = "s") -> tuple[str, bool]:
    """``(target text, holds)`` for an upper bound: ``value <= limit``."""
    return f"<= {_limit(limit)} {unit}".rstrip(), value <= limit


def at_least(limit: float, value: float, unit: str = "/s") -> tuple[str, bool]:
    """``(target text, holds)`` for a lower bound: ``value >= limit``."""
    return f">= {_limit(limit)}{unit}", value >= limit


def bioparity_process(args: Sequence[str]) -> tuple[float, float]:
    """Wall and CPU seconds (user + system of the child) of ``bioparity ARGS`` run as a fresh process.

    Output is discarded; a non-zero exit status stops the benchmark (a failed run is no figure).
    """
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "bioparity.cli.main", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _pid, status, usage = os.wait4(proc.pid, 0)
    if status != 0:
        raise SystemExit(f"bioparity {' '.join(args)} exited with status {status}")
    return time.perf_counter() - start, usage.ru_utime + usage.ru_stime


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "-"


def machine() -> str:
    """Versions, CPU and the load average when called (other users' work shows up there)."""
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    versions = ", ".join(
        f"{p} {_version(p)}" for p in ("bioparity", "numpy", "scipy", "pandas", "dask", "distributed")
    )
    return (
        f"{versions}, Python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} cores, "
        f"load average {load}"
    )


def emit(figures: Sequence[Figure], as_json: bool) -> None:
    """Print the figures: JSON for run_all.py, or one aligned line each."""
    if as_json:
        sys.stdout.write(json.dumps([dataclasses.asdict(f) for f in figures]) + "\n")
        return
    width = max(len(f.name) for f in figures)
    for f in figures:
        shown = f"{f.value:,.0f}" if abs(f.value) >= 100 else f"{f.value:.4g}"
        verdict = "" if f.holds is None else (" holds" if f.holds else " MISSED")
        goal = f"   [target {f.target}{verdict}]" if f.target else ""
        print(f"{f.name:<{width}} : {shown:>12} {f.unit}" + (f"   ({f.detail})" if f.detail else "") + goal)
