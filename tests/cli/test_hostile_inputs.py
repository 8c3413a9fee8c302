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


SPARSE = "subject,time,conc\n1,0,0\n2,0,0\n1,1,4\n2,1,{}\n3,2,2\n4,2,3\n"
URINE = "subject,start,end,conc,volume\n1,0,2,10,50\n{},2,4,8,40\n1,4,6,6,30\n"


@pytest.mark.parametrize(
    ("command", "text"), [("nca-sparse", SPARSE.replace("4,2,3", ",2,3")), ("nca-urine", URINE.format(""))]
)
def test_sparse_and_urine_nca_refuse_a_blank_subject(tmp_path: Path, command: str, text: str) -> None:
    """A blank subject cell became a subject (a profile) of its own; `bioparity nca` refuses it."""
    src = tmp_path / "in.csv"
    src.write_text(text.format("BLQ"), encoding="utf-8")
    out = tmp_path / "out.csv"
    _fails([command, str(src), "--out", str(out)], "in.csv", "column 'subject'", "empty identifier")
    assert not out.exists()


def test_sparse_nca_says_how_many_missing_concentrations_it_left_out(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text(SPARSE.format("NA"), encoding="utf-8")
    result = runner.invoke(app, ["nca-sparse", str(src), "--out", str(tmp_path / "out.csv")])
    assert result.exit_code == 0, result.output
    assert "1 samples with a missing concentration excluded" in result.stderr
    src.write_text(SPARSE.format("BLQ"), encoding="utf-8")  # a BLQ sample is not a missing one
    result = runner.invoke(app, ["nca-sparse", str(src), "--out", str(tmp_path / "out.csv")])
    assert result.exit_code == 0 and "missing" not in result.stderr, result.output
