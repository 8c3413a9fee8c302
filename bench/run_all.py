"""Every performance figure of the project in one table, with the machine and versions.

Runs each ``bench/<name>.py`` (every script with a ``figures()`` function) in its own process with
``--json`` so that timings and peak memory do not mix, and prints one table. ``make bench`` and
``bioparity bench`` run this. Run: ``.venv/bin/python bench/run_all.py [--quick] [--markdown] [--only NAME]``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from _figures import Figure, machine

HERE = Path(__file__).resolve().parent
#: Order of the table; scripts not listed here follow in name order.
ORDER = (
    "cli_startup",
    "power",
    "power_scalar",
    "scabel",
    "multi_arm",
    "nca",
    "nca_io",
    "nca_multiple_dose",
    "caa",
    "clinical",
    "scale",
    "web",
)


def scripts() -> list[Path]:
    """Every benchmark script (each has ``figures()`` and ``--json``; a script without them is a failure)."""
    found = [p for p in HERE.glob("*.py") if not p.name.startswith("_") and p.stem != "run_all"]
    rank = {name: i for i, name in enumerate(ORDER)}
    return sorted(found, key=lambda p: (rank.get(p.stem, len(ORDER)), p.stem))


def run(script: Path, quick: bool) -> tuple[list[Figure], float, str]:
    """The figures of one script, its wall time, and an error text ('' if it worked)."""
    start = time.perf_counter()
    cmd = [sys.executable, str(script), "--json", *(["--quick"] if quick else [])]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False, cwd=HERE.parent)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        tail = (proc.stderr.strip().splitlines() or ["(no output)"])[-1]
        return [], seconds, f"exit {proc.returncode}: {tail}"
    lines = [line for line in proc.stdout.splitlines() if line.startswith("[")]
    if not lines:
        return [], seconds, "printed no figures (does it have figures() and --json?)"
    return [Figure(**f) for f in json.loads(lines[-1])], seconds, ""


def _value(f: Figure) -> str:
    return f"{f.value:,.0f}" if abs(f.value) >= 100 else f"{f.value:.4g}"


def _holds(f: Figure) -> str:
    return "" if f.holds is None else ("yes" if f.holds else "NO")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke test, not for quoting")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table (for the README)")
    parser.add_argument("--only", action="append", default=[], help="run only this benchmark (repeatable)")
    args = parser.parse_args(argv)
    print(machine())
    print(f"command: python bench/run_all.py{' --quick' if args.quick else ''}", flush=True)
    rows: list[Figure] = []
    failed = []
    total = time.perf_counter()
    for script in scripts():
        if args.only and script.stem not in args.only:
            continue
        figs, seconds, error = run(script, args.quick)
        print(f"  {script.name}: {seconds:.0f} s" + (f"  FAILED ({error})" if error else ""), flush=True)
        if error:
            failed.append(script.name)
        rows.extend(figs)
    print(f"load average after the run: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if args.markdown:
        print("\n| benchmark | figure | value | unit | target | holds | setting |")
        print("|---|---|---:|---|---|---|---|")
        for f in rows:
            cells = (f.benchmark, f.name, _value(f), f.unit, f.target, _holds(f), f.detail)
            print("| " + " | ".join(cells) + " |")
    else:
        wb = max([len(f.benchmark) for f in rows] + [9])
        wn = max([len(f.name) for f in rows] + [6])
        wt = max([len(f.target) for f in rows] + [6])
        print(
            f"\n{'benchmark':<{wb}}  {'figure':<{wn}}  {'value':>12}  unit  {'target':<{wt}}  holds  setting"
        )
        for f in rows:
            print(
                f"{f.benchmark:<{wb}}  {f.name:<{wn}}  {_value(f):>12}  {f.unit:<4}  {f.target:<{wt}}  "
                f"{_holds(f):<5}  {f.detail}"
            )
    targets = [f for f in rows if f.holds is not None]
    print(f"\ntargets: {sum(bool(f.holds) for f in targets)} of {len(targets)} hold")
    print(
        f"\n{len(rows)} figures in {time.perf_counter() - total:.0f} s"
        + (f"; FAILED: {failed}" if failed else "")
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
