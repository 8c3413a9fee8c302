"""Issue #22: ``make bench`` (bench/run_all.py) runs every benchmark script, none is skipped."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench"


def test_run_all_finds_every_script() -> None:
    sys.path.insert(0, str(BENCH))
    try:
        import run_all
    finally:
        sys.path.remove(str(BENCH))
    found = {p.stem for p in run_all.scripts()}
    expected = {p.stem for p in BENCH.glob("*.py") if not p.name.startswith("_") and p.stem != "run_all"}
    assert found == expected
    assert {"clinical", "nca_multiple_dose", "cli_startup", "nca_io"} <= found


def test_every_script_has_figures_and_json() -> None:
    for script in BENCH.glob("*.py"):
        if script.name.startswith("_") or script.stem == "run_all":
            continue
        tree = ast.parse(script.read_text())
        functions = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
        assert "figures" in functions, script.name
        assert "--json" in script.read_text(), script.name


def test_table_has_target_and_holds_columns() -> None:
    """The table of ``make bench`` shows each figure's target and whether it holds (issue #22)."""
    proc = subprocess.run(
        [sys.executable, str(BENCH / "run_all.py"), "--quick", "--only", "power_scalar"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    lines = proc.stdout.splitlines()
    header = next(line for line in lines if line.startswith("benchmark"))
    assert header.split()[:6] == ["benchmark", "figure", "value", "unit", "target", "holds"]
    rows = [line for line in lines if line.startswith("power_scalar ")]
    assert len(rows) == 2
    for row, target in zip(rows, ("<= 0.03 ms", "<= 0.1 ms"), strict=True):
        assert target in row
        assert row.split(target)[1].split()[0] in {"yes", "NO"}
    assert "targets: " in proc.stdout and " of 2 hold" in proc.stdout


def test_target_text() -> None:
    sys.path.insert(0, str(BENCH))
    try:
        from _figures import at_least, at_most
    finally:
        sys.path.remove(str(BENCH))
    assert at_least(1_000_000, 2.5e6) == (">= 1,000,000/s", True)
    assert at_most(0.03, 0.04, "ms") == ("<= 0.03 ms", False)
    assert at_most(10, 10.0) == ("<= 10 s", True)
