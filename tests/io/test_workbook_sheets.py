"""A workbook is read from its one sheet with data (the CLI and the workspace share the reader): a cover
or empty sheet before the data no longer hides it, and data on several sheets is refused naming them
(before: the first sheet was read and every other one ignored without a word)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from bioparity.cli.main import app
from bioparity.errors import DataFileError
from bioparity.io.readers import read_any_table

#: One profile (subject A) with its highest concentration, 7.5, at 2 h.
PROFILE: list[list[object]] = [
    ["subject", "time", "conc"],
    *(["A", t, c] for t, c in ((0, 0.0), (1, 4.2), (2, 7.5), (4, 6.0), (8, 3.1), (12, 1.6), (24, 0.4))),
]


def workbook(path: Path, sheets: Mapping[str, Sequence[Sequence[object]]]) -> Path:
    """A workbook with ``sheets`` (name -> rows; an empty list leaves the sheet blank), in that order."""
    book = openpyxl.Workbook()
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    del book["Sheet"]  # the workbook's default sheet
    book.save(path)
    return path


def test_the_one_sheet_with_data_is_read_whatever_its_place(tmp_path: Path) -> None:
    path = workbook(tmp_path / "cover.xlsx", {"Cover": [], "Data": PROFILE, "Blank": [["  "]]})
    table = read_any_table(path)
    assert table.sheet is not None
    assert (table.sheet.name, table.sheet.sheets) == ("Data", ("Cover", "Data", "Blank"))
    assert list(table.frame.columns) == ["subject", "time", "conc"]
    assert table.frame["conc"].tolist() == [0.0, 4.2, 7.5, 6.0, 3.1, 1.6, 0.4]


def test_data_on_two_sheets_is_refused_naming_them(tmp_path: Path) -> None:
    path = workbook(tmp_path / "twosheets.xlsx", {"Notes": [["this sheet is notes"]], "Data": PROFILE})
    with pytest.raises(DataFileError) as refused:
        read_any_table(path)
    assert refused.value.file == str(path)
    assert refused.value.problem == "has data on 2 sheets ('Notes', 'Data'), and one sheet is read"
    assert "delete the other sheets" in str(refused.value.expected)


def test_the_command_line_reads_the_data_sheet_and_refuses_two(tmp_path: Path) -> None:
    runner = CliRunner()
    good = workbook(tmp_path / "cover.xlsx", {"Cover": [], "Data": PROFILE})
    done = runner.invoke(app, ["nca", str(good), "--dose", "100", "--out", str(tmp_path / "nca.csv")])
    assert done.exit_code == 0, done.output
    assert "(1 profile)" in done.output
    result = pd.read_csv(tmp_path / "nca.csv")
    assert result.loc[result["PPTESTCD"] == "CMAX", "PPSTRESN"].tolist() == [7.5]
    two = workbook(tmp_path / "two.xlsx", {"Notes": [["notes"]], "Data": PROFILE})
    refused = runner.invoke(app, ["nca", str(two), "--dose", "100", "--out", str(tmp_path / "two.csv")])
    assert refused.exit_code == 2
    assert "has data on 2 sheets ('Notes', 'Data')" in refused.stderr
