"""Chinese help pages broken into lines where Chinese text breaks, and Typer's "Aborted." in Chinese.

An NMPA reader of ``bioparity --lang zh-CN nca --help`` at 80 or 110 columns read Latin words cut at the
column's edge (``OUT.summar`` / ``y.csv``, ``iv-bol`` / ``us``, ``la`` / ``mbda_z_end``) and lines starting
with a full stop: Rich breaks lines at spaces only and folded each Chinese clause, Latin words and all, cell
by cell. The help text now breaks between Chinese characters and at spaces
(:func:`bioparity.cli.click_words.line_breaks`); English pages are unchanged
(tests/cli/test_help_language.py).

A command stopped at a prompt (end of input) printed Typer's English "Aborted." under a Chinese prompt.
"""

from __future__ import annotations

import re

import pytest
from rich.cells import cell_len
from typer import rich_utils
from typer.testing import CliRunner

from bioparity.cli.click_words import _UNBROKEN, ABORT_WORDS, TYPER_ENGLISH, line_breaks
from bioparity.cli.main import app

CLOSING = "）］｝」』】》〉”’，。、；：！？…"
OPENING = "（［｛「『【《〈“‘"


def _lines(text: str, width: int) -> list[str]:
    breaks = line_breaks(text, width)
    return [text[a:b] for a, b in zip([0, *breaks], [*breaks, len(text)], strict=True)]


TEXTS = (
    "输出 CSV 或 Parquet（长格式：每条曲线每个参数一行）；同目录下另写各组各参数的描述性统计量"
    "（OUT.summary.csv）及 OUT.csv.provenance.json。",
    "extravascular（血管外给药）、iv-bolus（静脉推注，C0 反向外推）或 iv-infusion（静脉输注）。",
    "CSV：曲线标识列 + lambda_z_start、lambda_z_end、lambda_z_reason（手动指定 lambda_z）。",
    "逗号分隔的 PPTESTCD 代码或 PKNCA 名称（默认：全部）。",
    "Plain English text, broken at spaces as Rich breaks it.",
)


@pytest.mark.parametrize("text", TEXTS)
@pytest.mark.parametrize("width", [12, 18, 25, 40])
def test_lines_fit_keep_every_character_and_every_latin_word_that_fits(text: str, width: int) -> None:
    lines = _lines(text, width)
    assert "".join(lines) == text
    assert all(line for line in lines)
    for word in re.findall(r"[A-Za-z0-9_.,+'/%-]+", text):
        if cell_len(word) <= width:
            assert any(word in line for line in lines), (word, lines)
    assert all(cell_len(line.rstrip()) <= width for line in lines)
    widest = max(cell_len(unit.group().rstrip()) for unit in _UNBROKEN.finditer(text))
    if widest <= width:  # a word with its punctuation fits: the punctuation rules hold
        assert [line for line in lines[1:] if line[0] in CLOSING] == []
        assert [line for line in lines if line.rstrip()[-1] in OPENING] == []


def test_a_latin_word_wider_than_the_column_is_folded_at_its_edge() -> None:
    assert _lines("见 OUT.csv.provenance.json。", 10) == ["见 ", "OUT.csv.pr", "ovenance.j", "son。"]
    assert _lines("见 OUT.csv.provenance.j。", 10) == [
        "见 ",
        "OUT.csv.pr",
        "ovenance.",
        "j。",
    ]  # 。 not alone


def test_a_latin_word_that_fits_stays_whole_beside_punctuation_that_does_not() -> None:
    text = "列（lambda_z_end）。"  # 2 + 2 + 12 + 4 cells
    assert _lines(text, 20) == [text]
    assert _lines(text, 18) == ["列", "（lambda_z_end）。"]
    assert _lines(text, 16) == ["列（", "lambda_z_end）。"]  # the word with its closing punctuation
    assert _lines(text, 14) == ["列", "（lambda_z_end", "）。"]  # the word with its opening punctuation
    assert _lines(text, 12) == ["列（", "lambda_z_end", "）。"]  # the word alone


def test_english_breaks_at_spaces_as_rich_does() -> None:
    from rich._wrap import divide_line

    text = TEXTS[-1]
    for width in (8, 12, 20):
        assert line_breaks(text, width) == divide_line(text, width)


def _help_column(page: str) -> list[str]:
    """The last column of each line of a Typer panel (the help texts)."""
    cells = (re.split(r"\s{2,}", line.strip("│ ").rstrip()) for line in page.splitlines() if "│" in line)
    return [row[-1] for row in cells if row and row[-1]]


@pytest.mark.parametrize(
    ("columns", "words"),
    [
        ("80", ["OUT.summary.csv", "iv-bolus", "lambda_z_end", "lambda_z_reason", "PCRFTDTC"]),
        (
            "110",
            [
                "OUT.summary.csv",
                "OUT.csv.provenance.json",
                "iv-bolus",
                "lambda_z_end",
                "adj.r.squared.factor",
                "'first,middle,last'",
                "min.hl.points",
            ],
        ),
    ],
)
def test_the_chinese_nca_page_keeps_latin_words_whole(columns: str, words: list[str]) -> None:
    result = CliRunner().invoke(app, ["--lang", "zh-CN", "nca", "--help"], env={"COLUMNS": columns})
    assert result.exit_code == 0, result.output
    page = result.output
    assert [word for word in words if word not in page] == []
    starts = [cell for cell in _help_column(page) if cell[0] in CLOSING]
    assert starts == []


def test_aborted_is_said_in_the_command_language_and_english_after() -> None:
    """A prompt left at end of input: Typer's "Aborted." in Chinese; the next command's in English."""
    args = ["user", "reset-password", "bob", "--reason", "test"]  # asks for the password first
    chinese = CliRunner().invoke(app, ["--lang", "zh-CN", *args], input="")
    assert chinese.exit_code == 1
    assert chinese.output.rstrip().endswith("已中止。") and "Aborted" not in chinese.output
    english = CliRunner().invoke(app, args, input="")
    assert english.exit_code == 1 and english.output.rstrip().endswith("Aborted.")
    assert {name: getattr(rich_utils, name) for name in ABORT_WORDS} == ABORT_WORDS  # Typer's own English
    assert TYPER_ENGLISH["ABORTED_TEXT"] == "Aborted."


def test_the_password_prompts_are_in_the_command_language() -> None:
    """``user create``/``reset-password`` asked "密码: " then Click's English "Repeat for confirmation: " and
    "Error: The two entered values do not match."; English is as Click printed it."""
    args = ["user", "reset-password", "bob", "--reason", "test"]
    chinese = CliRunner().invoke(app, ["--lang", "zh-CN", *args], input="pw1\npw2\n")
    assert chinese.output.startswith("密码：\n再次输入以确认：\n错误：两次输入的密码不一致。\n密码：")
    assert "Repeat" not in chinese.output and "Error" not in chinese.output
    english = CliRunner().invoke(app, args, input="pw1\npw2\n")
    mismatch = "Error: The two entered values do not match."
    assert english.output.startswith(f"Password: \nRepeat for confirmation: \n{mismatch}\nPassword: ")
