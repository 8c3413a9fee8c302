"""A file's usual problems in the reader's language (web QA finding W5): the readers word them with the
note templates of :mod:`bioparity.problems`, so a page shows the frame (row, line, column, got, expected)
and the problem in Chinese, with the file name, column name and value as they are; the exception's own
message (command line, logs) stays English, and a problem no template makes is shown as it is."""

from __future__ import annotations

from pathlib import Path

import pytest

from bioparity.errors import DataFileError
from bioparity.i18n import use_language
from bioparity.io.readers import read_any_table
from bioparity.io.table import ColumnSpec, read_table
from bioparity.web.templating import error_text
from tests.i18n._pages import assert_page_text

#: File content -> (the English message, the Chinese one) of the refusal of ``f.csv``.
CASES = {
    b"": (
        "f.csv: is empty (0 bytes); expected a CSV file with a header line",
        "f.csv：是空文件（0 字节）；应为 带表头行的 CSV 文件",
    ),
    "t,c\n1,caf\u00e9\n".encode("latin-1"): (
        "f.csv: is not UTF-8 text: byte 0xe9 at offset 9 (line 2); expected a UTF-8 encoded file (save it as "
        "'UTF-8' / 'CSV UTF-8' in your editor)",
        "f.csv：不是 UTF-8 文本：偏移量 9 处（第 2 行）的字节 0xe9；应为 UTF-8 编码的文件（请在编辑器中另存为"
        "“UTF-8”或“CSV UTF-8”）",
    ),
    b"t;c\n1;2\n": (
        "f.csv: the header is one column 't;c': the file looks semicolon-separated; "
        "expected a comma-separated file: save it as 'CSV UTF-8 (comma delimited)', "
        "with '.' as the decimal mark (in a decimal-comma locale Excel writes ';' between the columns)",
        "f.csv：表头只有一列 't;c'：文件似乎以分号分隔；"
        "应为 逗号分隔的文件：请另存为“CSV UTF-8（逗号分隔）”，并以“.”作为小数点"
        "（在以逗号为小数点的区域设置下，Excel 会在列之间写入“;”）",
    ),
    b"t,c,c\n1,2,3\n": (
        "f.csv, column 'c': column name appears twice in the header; "
        "expected each column name once (rename or remove the second one)",
        "f.csv，列“c”：表头中有列名出现了两次；应为 每个列名只出现一次（请重命名或删除第二个）",
    ),
    b"t,x\n1,2\n": (
        "f.csv: missing column(s) 'c'; columns found: t, x; expected columns t, c",
        "f.csv：缺少列 'c'；文件中的列：t, x；应为 列 t, c",
    ),
    b"t,c\n1,2\n2,abc\n": (
        "f.csv, row 2 (line 3), column 'c': not a number (got 'abc'); expected a number",
        "f.csv，第 2 行（文件第 3 行），列“c”：不是数字（实际为 'abc'）；应为 数字",
    ),
    b"t,c\n": (
        "f.csv: has a header but no data rows; expected at least one scenario row",
        "f.csv：有表头但没有数据行；应为 至少一个情景行",
    ),
}


def _refusal(tmp_path: Path, content: bytes) -> DataFileError:
    path = tmp_path / "f.csv"
    path.write_bytes(content)
    with pytest.raises(DataFileError) as caught:
        read_table(path, [ColumnSpec("t"), ColumnSpec("c")])
    return caught.value.relocated("f.csv", row=caught.value.row, line=caught.value.line)


@pytest.mark.parametrize("content", list(CASES), ids=["empty", "latin-1", "semicolon", "twice", "missing",
                                                      "abc", "header-only"])  # fmt: skip
def test_a_refused_file_reads_in_chinese_on_a_page_and_in_english_elsewhere(
    tmp_path: Path, content: bytes
) -> None:
    english, chinese = CASES[content]
    assert_page_text(_refusal(tmp_path, content), english, chinese)


def test_an_unknown_file_type_and_a_problem_of_no_template(tmp_path: Path) -> None:
    path = tmp_path / "f.docx"
    path.write_bytes(b"x")
    with pytest.raises(DataFileError) as caught:
        read_any_table(path)
    with use_language("zh-CN"):
        assert error_text(caught.value).endswith(
            "：未知的文件类型 '.docx'；应为 .csv、.xlsx、.parquet 或 .xpt 文件"
        )
        rare = DataFileError("a rare problem of one reader", file="f.csv", row=3, expected="something")
        assert error_text(rare) == "f.csv，第 3 行：a rare problem of one reader；应为 something"
