"""Benchmark: how long the command line takes to start (``bioparity --help``, ``bioparity tolerance-factor``).

Each command runs in a fresh process, best of ``--repeat`` runs (wall and CPU of the child); the modules
imported by ``--help`` are listed to show that no numerical core (SciPy, pandas, Dask, matplotlib) loads.

Targets (issue #22): ``bioparity --help`` <= 0.3 s, ``bioparity tolerance-factor --n 10`` <= 0.5 s.

Run: ``.venv/bin/python bench/cli_startup.py [--repeat N] [--quick] [--json]``
"""

from __future__ import annotations

import subprocess
import sys

from _figures import Figure, at_most, bioparity_process, emit, machine

CASES = (
    ("bioparity --help", ["--help"], 0.3),
    ("bioparity tolerance-factor", ["tolerance-factor", "--n", "10", "--format", "json"], 0.5),
)
HEAVY = ("scipy", "pandas", "dask", "matplotlib", "sqlalchemy", "pyarrow")
_PROBE = (
    "import sys; sys.argv = ['bioparity', '--help']\n"
    "from bioparity.cli.main import app\n"
    "try:\n    app()\nexcept SystemExit:\n    pass\n"
    f"print('HEAVY=' + ','.join(sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r}))))\n"
)


def figures(repeat: int = 5) -> list[Figure]:
    out = []
    for label, args, target in CASES:
        runs = [bioparity_process(args) for _ in range(repeat)]
        wall = min(r[0] for r in runs)
        cpu = min(r[1] for r in runs)
        goal, holds = at_most(target, wall)
        out.append(Figure("cli_startup", f"{label} wall", wall, "s", f"best of {repeat}", goal, holds))
        out.append(
            Figure("cli_startup", f"{label} CPU", cpu, "s", "user + system of the child (load-independent)")
        )
    probe = subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, text=True, check=True)
    heavy = next(x for x in probe.stdout.splitlines() if x.startswith("HEAVY=")).removeprefix("HEAVY=")
    count = float(len([h for h in heavy.split(",") if h]))
    shown = heavy or f"none of {', '.join(HEAVY)}"
    out.append(Figure("cli_startup", "heavy packages imported by --help", count, "", shown))
    return out


def main() -> None:
    repeat = int(sys.argv[sys.argv.index("--repeat") + 1]) if "--repeat" in sys.argv else 5
    if "--quick" in sys.argv:
        repeat = 2
    figs = figures(repeat)
    if "--json" not in sys.argv:
        print(machine())
    emit(figs, "--json" in sys.argv)


if __name__ == "__main__":
    main()
