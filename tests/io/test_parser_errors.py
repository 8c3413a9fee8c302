"""A CSV file that pandas' parser refuses (zhpolish3 finding): the message named the file only and was pandas'
English text ("错误：bad.csv：无法作为 CSV 读取：Error tokenizing data. C error: Expected 3 fields in line 3,
saw 4"). Now the row, the line and (for an open quote) the column are named, the sentence is in the reader's
language, and pandas' text stays in parentheses."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from bioparity.be.data import read_crossover_file
from bioparity.cli.main import app
from bioparity.errors import DataFileError


def _said(*args: str) -> str:
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "400"})
    assert result.exit_code != 0
    return " ".join(result.output.split())


def test_a_line_with_more_fields_than_the_header_is_named_in_chinese(tmp_path: Path) -> None:
    data = tmp_path / "pk.csv"
    data.write_text("subject,time,conc\n1,0,0\n1,1,5,7\n1,2,4\n", encoding="utf-8")
    said = _said("--lang", "zh-CN", "nca", str(data), "--out", str(tmp_path / "pp.csv"))
    assert said == (
        f"错误：{data}，第 2 行（文件第 3 行）：有 4 个字段，而表头只有 3 个列名"
        "（CSV 解析器：Error tokenizing data. C error: Expected 3 fields in line 3, saw 4）；"
        "应为 每行的字段数与表头的列名数相同"
        '（含逗号的值需加引号，如 "2,5"）'
    )
    english = _said("nca", str(data), "--out", str(tmp_path / "pp.csv"))
    assert english.startswith(f"error: {data}, row 2 (line 3): 4 fields where the header has 3 (CSV parser: ")


def test_a_quote_left_open_names_its_row_and_column(tmp_path: Path) -> None:
    data = tmp_path / "lots.csv"
    data.write_text('attribute,source,lot,value\npurity,test,T1,98\npurity,test,"T2,97\n', encoding="utf-8")
    said = _said("--lang", "zh-CN", "caa", str(data), "--out", str(tmp_path / "out.csv"))
    assert said.startswith(
        f"错误：{data}，第 2 行（文件第 3 行），列“lot”：此处的引号开始了一个值，但直到文件末尾"
    )
    assert "（CSV 解析器：Error tokenizing data. C error: EOF inside string starting at row 2）" in said


def test_the_crossover_reader_counts_rows_below_its_comment_lines(tmp_path: Path) -> None:
    """replicateBE files may start with comment lines: the row is counted from the header, the line in the
    file."""
    data = tmp_path / "be.csv"
    data.write_text(
        "# study 1\nsubject,period,sequence,treatment,PK\n1,1,TR,T,5\n1,2,TR,R,5,6\n", encoding="utf-8"
    )
    with pytest.raises(DataFileError) as caught:
        read_crossover_file(data)
    assert (caught.value.row, caught.value.line, caught.value.column) == (2, 4, None)
    assert caught.value.problem.startswith("6 fields where the header has 5 (CSV parser: ")
