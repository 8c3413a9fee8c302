"""Issue #22: ``make bench`` (bench/run_all.py) runs every benchmark script, none is skipped."""

from __future__ import annotations

import ast
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
