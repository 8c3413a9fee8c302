"""``DataFileError.relocated``: one problem moved to the user's own file and row, nothing else changed."""

from __future__ import annotations

from bioparity.errors import DataFileError


def test_relocated_keeps_the_problem_and_moves_the_place() -> None:
    original = DataFileError(
        "not a number",
        file="/tmp/x1/upload.csv",
        row=3,
        line=4,
        column="conc",
        value="abc",
        expected="a number",
    )
    moved = original.relocated("study.csv", row=7, line=8)
    assert str(moved) == (
        "study.csv, row 7 (line 8), column 'conc': not a number (got 'abc'); expected a number"
    )
    assert (moved.problem, moved.column, moved.value, moved.expected) == (
        "not a number",
        "conc",
        "abc",
        "a number",
    )
    assert (moved.file, moved.row, moved.line) == ("study.csv", 7, 8)
    # the original is left as it was
    assert str(original).startswith("/tmp/x1/upload.csv, row 3 (line 4), column 'conc'")


def test_relocated_without_a_row_names_the_file_only() -> None:
    moved = DataFileError("empty cell", row=2, column="subject").relocated(
        "data.parquet", row=None, line=None
    )
    assert str(moved) == "data.parquet, column 'subject': empty cell"
