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
from datetime import UTC, datetime
from pathlib import Path

from _figures import Figure, machine

HERE = Path(__file__).resolve().parent
#: ``--update-readme`` writes the table between these two lines of README.md.
README_BEGIN = "<!-- make bench: begin -->"
README_END = "<!-- make bench: end -->"
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
    "nca_report_tables",
    "caa",
    "clinical",
    "scale",
    "web",
    "web_pages",
    "web_load",
    "report_pdf",
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


def markdown_table(rows: list[Figure]) -> list[str]:
    """The figures as a Markdown table with target and holds columns."""
    lines = [
        "| benchmark | figure | value | unit | target | holds | setting |",
        "|---|---|---:|---|---|---|---|",
    ]
    for f in rows:
        cells = (f.benchmark, f.name, _value(f), f.unit, f.target, _holds(f), f.detail.replace("|", "/"))
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def text_table(rows: list[Figure]) -> list[str]:
    """The figures as aligned text columns with target and holds columns."""
    wb = max([len(f.benchmark) for f in rows] + [9])
    wn = max([len(f.name) for f in rows] + [6])
    wt = max([len(f.target) for f in rows] + [6])
    lines = [f"{'benchmark':<{wb}}  {'figure':<{wn}}  {'value':>12}  unit  {'target':<{wt}}  holds  setting"]
    for f in rows:
        lines.append(
            f"{f.benchmark:<{wb}}  {f.name:<{wn}}  {_value(f):>12}  {f.unit:<4}  {f.target:<{wt}}  "
            f"{_holds(f):<5}  {f.detail}"
        )
    return lines


def update_readme(readme: Path, section: list[str]) -> None:
    """Replace what stands between the two README markers with ``section`` (the markers stay)."""
    text = readme.read_text(encoding="utf-8")
    begin, end = text.find(README_BEGIN), text.find(README_END)
    if begin < 0 or end < begin:
        raise SystemExit(f"{readme}: the markers {README_BEGIN} and {README_END} are missing")
    head = text[: begin + len(README_BEGIN)]
    readme.write_text(head + "\n" + "\n".join(section) + "\n" + text[end:], encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke test, not for quoting")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table (for the README)")
    parser.add_argument("--only", action="append", default=[], help="run only this benchmark (repeatable)")
    parser.add_argument(
        "--update-readme",
        action="store_true",
        help="write the table, machine, date and load average into README.md between its bench markers",
    )
    args = parser.parse_args(argv)
    started = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    first = machine()
    print(first)
    command = "python bench/run_all.py" + (" --quick" if args.quick else "")
    print(f"command: {command}", flush=True)
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
    after = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"load average after the run: {after}")
    table = markdown_table(rows) if args.markdown or args.update_readme else text_table(rows)
    targets = [f for f in rows if f.holds is not None]
    verdict = f"targets: {sum(bool(f.holds) for f in targets)} of {len(targets)} hold"
    missed = ", ".join(f"{f.benchmark}: {f.name}" for f in targets if not f.holds)
    summary = f"{len(rows)} figures in {time.perf_counter() - total:.0f} s" + (
        f"; FAILED: {failed}" if failed else ""
    )
    print("\n" + "\n".join(table))
    print(f"\n{verdict}" + (f" (missed: {missed})" if missed else ""))
    print(f"\n{summary}")
    if args.update_readme and not failed:
        update_readme(
            HERE.parent / "README.md",
            [
                f"`make bench` ({command}), {started}: {summary}; {verdict}"
                + (f" (missed: {missed})." if missed else "."),
                "",
                f"Machine: {first}; load average after the run {after}.",
                "",
                *table,
            ],
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
