"""The README's power / sample-size grid examples work as written with the grids shipped in examples/power/,
give PowerTOST's answers (``tests/data/reference/expected/{sample_size_tost,power_tost}.csv``, PowerTOST
1.5-7 ``sampleN.TOST`` / ``power.TOST``; n identical, power absolute 1e-9), write CSV without float noise,
print the table on stdout; and every Markdown table in the README renders (header, separator, blank line)."""

from __future__ import annotations

import csv
import re
import shlex
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from bioparity.cli.main import app
from tests.conftest import REFERENCE

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _readme_command(subcommand: str) -> list[str]:
    """The README line ``bioparity <subcommand> --grid ...`` as arguments (comment dropped)."""
    for line in README.splitlines():
        if line.startswith(f"bioparity {subcommand} --grid "):
            return shlex.split(line.split("#", 1)[0])[1:]
    raise AssertionError(f"README has no `bioparity {subcommand} --grid` example")


def _run(args: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, str]:
    out = tmp_path / args[args.index("--out") + 1]
    args = [*args[: args.index("--out") + 1], str(out), *args[args.index("--out") + 2 :]]
    monkeypatch.chdir(ROOT)  # the README's paths are relative to the repository
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.stderr
    return out, result.stdout


def _cells(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _no_float_noise(rows: list[dict[str, str]], grid: Path, computed: str) -> None:
    """Input cells exactly as written in the grid; computed numbers in shortest round-trip form."""
    written = _cells(grid)
    for got, given in zip(rows, written, strict=True):
        assert {k: got[k] for k in given} == given
        assert repr(float(got[computed])) == got[computed] or got[computed] in {"0", "1"}


def test_readme_samplesize_grid_example(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    args = _readme_command("samplesize")
    out, stdout = _run(args, tmp_path, monkeypatch)
    got = pd.read_csv(out)
    ref = pd.read_csv(REFERENCE / "expected" / "sample_size_tost.csv")
    keys = ["design", "cv", "theta0", "theta1", "theta2", "alpha", "target_power"]
    merged = got.merge(ref, on=keys, suffixes=("", "_powertost"), validate="one_to_one")
    assert len(merged) == len(got) == 6
    assert merged["n"].tolist() == merged["n_powertost"].tolist()
    assert (merged["power"] - merged["power_powertost"]).abs().max() < 1e-9
    _no_float_noise(_cells(out), ROOT / args[args.index("--grid") + 1], "power")
    lines = stdout.splitlines()
    assert lines[0].split() == [*keys, "n", "power"]
    assert lines[5].split() == ["2x2", "0.3", "0.95", "0.8", "1.25", "0.05", "0.8", "40", "0.8158"]


def test_readme_power_grid_example(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    args = _readme_command("power")
    out, stdout = _run(args, tmp_path, monkeypatch)
    got = pd.read_csv(out)
    ref = pd.read_csv(REFERENCE / "expected" / "power_tost.csv", comment="#")
    merged = got.merge(ref, on=["design", "cv", "theta0", "n"], validate="one_to_one")
    assert len(merged) == len(got) == 9 and set(got["method"]) == {"exact"}
    assert (merged["power"] - merged["power_exact"]).abs().max() < 1e-9
    _no_float_noise(_cells(out), ROOT / args[args.index("--grid") + 1], "power")
    assert stdout.splitlines()[0].split() == ["design", "cv", "theta0", "n", "method", "power"]
    assert len(stdout.splitlines()) == 10


def _tables(text: str) -> list[tuple[int, list[str]]]:
    """Markdown tables outside code fences: (line number of the first row, the rows)."""
    tables: list[tuple[int, list[str]]] = []
    rows: list[str] = []
    start, fenced = 0, False
    for number, line in enumerate([*text.splitlines(), ""], 1):
        if line.startswith("```"):
            fenced = not fenced
        if not fenced and line.startswith("|"):
            if not rows:
                start = number
            rows.append(line)
        elif rows:
            tables.append((start, rows))
            rows = []
    return tables


def _cells_of(row: str) -> int:
    return len(row.strip().strip("|").split("|"))


def test_every_readme_table_renders() -> None:
    lines = README.splitlines()
    tables = _tables(README)
    assert len(tables) >= 5
    separator = re.compile(r"^\|(\s*:?-{3,}:?\s*\|)+$")
    for start, rows in tables:
        assert start == 1 or lines[start - 2].strip() == "", f"line {start}: no blank line before the table"
        assert len(rows) >= 2 and separator.match(rows[1]), f"line {start}: no separator under the header"
        assert _cells_of(rows[1]) == _cells_of(rows[0]), f"line {start}: separator and header differ"
        assert not any(separator.match(r) for r in rows[2:]), f"line {start}: a stray separator row"


def test_table_check_catches_a_table_without_header_separator() -> None:
    broken = "text\n\n| a | b |\n| 1 | 2 |\n"
    ((start, rows),) = _tables(broken)
    assert start == 3 and not re.match(r"^\|(\s*:?-{3,}:?\s*\|)+$", rows[1])
