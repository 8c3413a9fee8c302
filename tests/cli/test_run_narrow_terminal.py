"""``bioparity run KIND FILE`` on an 80-column terminal: a table too wide to print with every word whole
(before: the 13 columns of the stability shelf-life table squashed to "Pur…", "25.…", "sh… li… (m…") is
printed a block per row, ``header  value`` on a line, so every header and cell is whole, in English and in
Chinese; a table that fits keeps its columns.

The numbers are not checked here: tests/cmc/test_stability_supported_shelf_life.py and
tests/cli/test_readme_ada_examples.py recompute them against R; 25.17 months (test purity, lot T3) and its
last time point 12 are those of the README's example line.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.cells import cell_len
from typer.testing import CliRunner

from bioparity.cli.main import app

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "stability" / "stability.csv"


def _run(lang: str, columns: int) -> list[str]:
    env = {"COLUMNS": str(columns), "BIOPARITY_LANG": ""}
    result = CliRunner().invoke(app, ["--lang", lang, "run", "stability", str(EXAMPLE)], env=env)
    assert result.exit_code == 0, result.output
    return result.stdout.splitlines()


@pytest.mark.parametrize(
    ("lang", "shelf", "supported"),
    [
        ("en", "shelf life (months)", "supported shelf life (months)"),
        ("zh-CN", "有效期（月）", "数据支持的有效期（月）"),
    ],
)
def test_an_80_column_terminal_shows_every_header_and_value_whole(
    lang: str, shelf: str, supported: str
) -> None:
    lines = _run(lang, 80)
    tables = lines[1:]  # the summary line is plain text, wrapped by the terminal
    assert all(cell_len(line) <= 80 for line in tables)
    assert not any("…" in line for line in tables)
    rows = [[part.strip() for part in line.strip("│").split("│")] for line in tables if line.startswith("│")]
    assert [shelf, "25.17"] in rows and [supported, "12"] in rows  # test purity, lot T3


def test_a_wide_terminal_keeps_the_columns() -> None:
    lines = _run("en", 400)
    assert any("attribute" in line and "condition" in line and "worst lot" in line for line in lines)
