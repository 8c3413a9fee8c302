"""Hostile input files given to the commands: a one-line error naming file, row and column, exit code 2,
no traceback, and nothing silently merged, dropped or wrapped around."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from bioparity.cli.main import app

runner = CliRunner()


def _fails(args: list[str], *expected: str) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit)
    for text in expected:
        assert text in result.stderr, result.stderr


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ("A,20,30,20,40\nA,5,10,1,10\n", ("row 2 (line 3), column 'stratum'", "stratum listed twice")),
        ("A,20,30,20,40\nB,-5,10,1,10\n", ("row 2 (line 3), column 'x1'", "a count >= 0")),
        ("A,1e308,30,20,40\n", ("row 1 (line 2), column 'x1'", "whole number too large")),
    ],
)
def test_ci_diff_stratified_bad_strata(tmp_path: Path, rows: str, expected: tuple[str, ...]) -> None:
    """A stratum given twice entered the weights as two strata; 1e308 wrapped to -9.2e18 responders."""
    src = tmp_path / "strata.csv"
    src.write_text("stratum,x1,n1,x2,n2\n" + rows, encoding="utf-8")
    _fails(["ci-diff-stratified", "--strata", str(src), "--format", "json"], "strata.csv", *expected)
