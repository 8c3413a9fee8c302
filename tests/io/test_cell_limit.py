"""A cell longer than MAX_CELL_CHARS (10,000 characters) is refused by the shared readers, naming the file,
row, line, column and length, so that the command line and the workspace agree (before: a subject id of
2,000,000 characters was accepted and written out in full on every page and report of the dataset)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from bioparity.be.data import read_crossover_file
from bioparity.cli.main import app
from bioparity.delimited import MAX_CELL_CHARS
from bioparity.errors import DataFileError
from bioparity.io.readers import read_any_table
from bioparity.io.table import ColumnSpec, read_table

HUGE = "x" * 2_000_000


def test_the_limit_is_ten_thousand_characters_and_a_cell_of_that_length_is_read(tmp_path: Path) -> None:
    assert MAX_CELL_CHARS == 10_000
    path = tmp_path / "long.csv"
    path.write_text(f"subject,time,conc\nA,0,0\n{'é' * 10_000},1,4.2\n", encoding="utf-8")
    assert read_any_table(path).frame["subject"].str.len().tolist() == [1, 10_000]


def test_a_csv_cell_of_two_million_characters_is_refused_by_every_csv_reader(tmp_path: Path) -> None:
    path = tmp_path / "hugecell.csv"
    path.write_text(f"subject,time,conc\nA,0,0\nA,1,4.2\n{HUGE},2,7.5\n", encoding="utf-8")
    readers = (read_any_table, lambda p: read_table(p, [ColumnSpec("subject", "text"), ColumnSpec("conc")]))
    for reader in readers:
        with pytest.raises(DataFileError) as refused:
            reader(path)
        error = refused.value
        assert (error.file, error.row, error.line, error.column) == (str(path), 3, 4, "subject")
        assert error.problem == "a cell of 2,000,000 characters, more than the limit of 10,000"
        assert len(str(error)) < 300


def test_a_quoted_cell_and_a_long_column_name_are_refused(tmp_path: Path) -> None:
    quoted = tmp_path / "quoted.csv"
    quoted.write_text(f'subject,time,conc\n"A, 1",0,0\nA,1,"{"9" * 10_001}"\n', encoding="utf-8")
    with pytest.raises(DataFileError) as refused:
        read_any_table(quoted)
    assert (refused.value.row, refused.value.column) == (2, "conc")
    named = tmp_path / "named.csv"
    named.write_text(f"subject,time,{'c' * 10_001}\nA,0,0\n", encoding="utf-8")
    with pytest.raises(DataFileError, match="a column name of 10,001 characters") as refused:
        read_any_table(named)
    assert refused.value.line == 1


@pytest.mark.parametrize("suffix", [".xlsx", ".parquet"])
def test_a_long_cell_of_a_workbook_or_parquet_file_is_refused(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"long{suffix}"
    frame = pd.DataFrame({"subject": ["A", "A", "y" * 20_000], "time": [0.0, 1.0, 2.0]})
    frame.to_excel(path, index=False) if suffix == ".xlsx" else frame.to_parquet(path)
    with pytest.raises(DataFileError) as refused:
        read_any_table(path)
    error = refused.value
    assert (error.row, error.line, error.column) == (3, None, "subject")
    assert error.problem == "a cell of 20,000 characters, more than the limit of 10,000"


def test_the_be_reader_and_the_command_line_refuse_it_too(tmp_path: Path) -> None:
    path = tmp_path / "be.csv"
    path.write_text(
        "# replicateBE description line\nsubject;period;sequence;treatment;PK\n"
        f"1;1;TR;T;100\n{HUGE};2;TR;R;90\n",
        encoding="utf-8",
    )
    with pytest.raises(DataFileError) as refused:
        read_crossover_file(path)
    assert (refused.value.row, refused.value.line, refused.value.column) == (2, 4, "subject")
    pk = tmp_path / "pk.csv"
    pk.write_text(f"subject,time,conc\nA,0,0\nA,1,4.2\n{HUGE},2,7.5\n", encoding="utf-8")
    done = CliRunner().invoke(app, ["nca", str(pk), "--dose", "100", "--out", str(tmp_path / "nca.csv")])
    assert done.exit_code == 2
    assert (
        "pk.csv, row 3 (line 4), column 'subject': a cell of 2,000,000 characters, more than the limit "
        "of 10,000" in done.stderr
    )
