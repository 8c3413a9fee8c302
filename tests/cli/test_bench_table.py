"""Issue #22: ``make bench`` prints one table with each figure's target and whether it holds, and
rewrites the README's table between its markers from that output."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
README = BENCH.parent / "README.md"


@pytest.fixture(scope="module")
def run_all() -> Iterator[ModuleType]:
    sys.path.insert(0, str(BENCH))
    try:
        import run_all

        yield run_all
    finally:
        sys.path.remove(str(BENCH))


def test_the_table_has_target_and_holds_columns(run_all: ModuleType) -> None:
    from _figures import Figure, at_least, at_most

    target, holds = at_most(0.3, 0.36)
    rows = [
        Figure("cli_startup", "bioparity --help wall", 0.36, "s", "best of 3", target, holds),
        Figure(
            "clinical", "MN difference", 2_400_000, "1/s", "20,000 tables", *at_least(1_000_000, 2_400_000)
        ),
        Figure("nca", "engine", 3.5, "s"),
    ]
    table = run_all.markdown_table(rows)
    assert table[0] == "| benchmark | figure | value | unit | target | holds | setting |"
    assert table[2] == "| cli_startup | bioparity --help wall | 0.36 | s | <= 0.3 s | NO | best of 3 |"
    assert table[3] == "| clinical | MN difference | 2,400,000 | 1/s | >= 1,000,000/s | yes | 20,000 tables |"
    assert table[4] == "| nca | engine | 3.5 | s |  |  |  |"
    text = run_all.text_table(rows)
    assert text[0].split() == ["benchmark", "figure", "value", "unit", "target", "holds", "setting"]
    assert "NO" in text[1].split() and "yes" in text[2].split()


def test_the_readme_section_is_rewritten_between_its_markers(run_all: ModuleType, tmp_path: Path) -> None:
    assert README.read_text().count(run_all.README_BEGIN) == 1
    assert README.read_text().count(run_all.README_END) == 1
    readme = tmp_path / "README.md"
    readme.write_text(f"# x\n\nbefore\n{run_all.README_BEGIN}\nold table\n{run_all.README_END}\nafter\n")
    run_all.update_readme(readme, ["new line", "| a |"])
    assert readme.read_text() == (
        f"# x\n\nbefore\n{run_all.README_BEGIN}\nnew line\n| a |\n{run_all.README_END}\nafter\n"
    )
    readme.write_text("no markers\n")
    with pytest.raises(SystemExit, match="markers"):
        run_all.update_readme(readme, ["x"])
