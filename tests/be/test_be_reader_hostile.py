"""Cells of a BE data file that would otherwise be analysed as something they are not are refused,
naming the file, line and column (found by feeding hostile files to ``bioparity be``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bioparity.be.data import crossover_data, read_crossover_file
from bioparity.errors import DataFileError

ROWS = (
    "1,1,TR,T,100\n1,2,TR,R,110\n2,1,RT,R,90\n2,2,RT,T,95\n"
    "3,1,TR,T,80\n3,2,TR,R,85\n4,1,RT,R,70\n4,2,RT,T,75\n"
)


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "be.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_blank_subject_is_refused_not_counted_as_a_subject(tmp_path: Path) -> None:
    # before: two rows with a blank subject made a fifth subject (n = 5)
    path = _write(tmp_path, "subject,period,sequence,treatment,PK\n" + ROWS + ",1,RT,R,70\n,2,RT,T,75\n")
    with pytest.raises(DataFileError, match="empty subject") as info:
        crossover_data(read_crossover_file(path), file=str(path))
    assert (info.value.row, info.value.column) == (9, "subject")


@pytest.mark.parametrize("cell", ["1_000", "١٢٠", "１２０"])
def test_python_only_number_spellings_are_not_numbers(tmp_path: Path, cell: str) -> None:
    path = _write(tmp_path, "subject,period,sequence,treatment,PK\n" + ROWS.replace("85", cell))
    with pytest.raises(DataFileError, match="not a number") as info:
        read_crossover_file(path)
    assert (info.value.row, info.value.column, info.value.value) == (6, "PK", cell)


def test_a_column_named_twice_is_refused(tmp_path: Path) -> None:
    # before: the second PK column was read as "PK.1" and silently ignored
    rows = "".join(line + ",1\n" for line in ROWS.splitlines())
    path = _write(tmp_path, "subject,period,sequence,treatment,PK,pk\n" + rows)
    with pytest.raises(DataFileError, match="appears twice") as info:
        read_crossover_file(path)
    assert (info.value.line, info.value.column) == (1, "PK")
