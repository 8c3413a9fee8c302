"""The command line in Simplified Chinese (issue #25): ``--lang`` / ``BIOPARITY_LANG`` and their precedence.

Messages and the error framing (row, line, column, got, expected) are translated; the data of an error
(file, column name, value) and every result (JSON, CSV) stay as they are; Babel is imported only when a
language other than English is used, so English commands and ``--help`` start as fast as before.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bioparity.cli.main import app
from bioparity.i18n import current_language

BAD_ISR = "sample,original,repeat\nS1,1,x\n"


@pytest.fixture
def bad_isr(tmp_path: Path) -> Path:
    path = tmp_path / "isr.csv"
    path.write_text(BAD_ISR)
    return path


def _error_line(output: str) -> str:
    (line,) = [x for x in output.splitlines() if x.startswith(("error: ", "错误："))]
    return line


def test_the_error_framing_and_problem_are_translated_and_the_data_kept(bad_isr: Path) -> None:
    english = CliRunner().invoke(app, ["run", "isr", str(bad_isr)])
    chinese = CliRunner().invoke(app, ["--lang", "zh-CN", "run", "isr", str(bad_isr)])
    assert english.exit_code == chinese.exit_code == 2
    assert _error_line(english.output) == (
        f"error: {bad_isr}, row 1 (line 2), column 'repeat': not a number (got 'x'); "
        "expected a number with '.' as decimal point"
    )
    assert _error_line(chinese.output) == (
        f"错误：{bad_isr}，第 1 行（文件第 2 行），列“repeat”：不是数字（实际为 'x'）；"
        "应为 以“.”为小数点的数字"
    )  # the reader's usual problem texts in the command's language too, as on a web page
    assert current_language() == "en"  # the command's language ends with the command


def test_the_environment_variable_and_the_option_and_their_precedence(
    bad_isr: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BIOPARITY_LANG", "zh-CN")
    by_env = CliRunner().invoke(app, ["run", "isr", str(bad_isr)])
    assert _error_line(by_env.output).startswith("错误：")
    by_option = CliRunner().invoke(app, ["--lang", "en", "run", "isr", str(bad_isr)])  # the option wins
    assert _error_line(by_option.output).startswith("error: ")


@pytest.mark.parametrize(
    ("environment", "chinese"),
    [
        ({"LANG": "zh_CN.UTF-8"}, True),
        ({"LANG": "zh_CN"}, True),
        ({"LC_MESSAGES": "zh_CN.UTF-8", "LANG": "en_US.UTF-8"}, True),  # LC_MESSAGES over LANG
        ({"LC_ALL": "zh_CN.UTF-8", "LC_MESSAGES": "C", "LANG": "C"}, True),  # LC_ALL over both
        ({"LC_ALL": "C.UTF-8", "LANG": "zh_CN.UTF-8"}, False),  # LC_ALL wins, even for English
        ({"LC_ALL": "", "LANG": "zh_CN.UTF-8"}, True),  # an empty variable is skipped
        ({"LANG": "de_DE.UTF-8"}, False),  # a language not offered: English, no error
        ({"LANG": "zh_CN.UTF-8", "BIOPARITY_LANG": "en"}, False),  # BIOPARITY_LANG over the locale
    ],
)
def test_without_lang_the_command_follows_the_posix_locale_variables(
    bad_isr: Path, monkeypatch: pytest.MonkeyPatch, environment: dict[str, str], chinese: bool
) -> None:
    """``LANG=zh_CN.UTF-8 bioparity ...`` writes Chinese (zh-left finding 5; before: English unless --lang or
    BIOPARITY_LANG): the POSIX order LC_ALL > LC_MESSAGES > LANG (POSIX.1-2017 Base Definitions, 8.2)."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG", "BIOPARITY_LANG"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    result = CliRunner().invoke(app, ["run", "isr", str(bad_isr)])
    assert _error_line(result.output).startswith("错误：" if chinese else "error: ")
    by_option = CliRunner().invoke(app, ["--lang", "en", "run", "isr", str(bad_isr)])  # --lang wins
    assert _error_line(by_option.output).startswith("error: ")
    assert current_language() == "en"


def test_a_chinese_locale_makes_a_chinese_command_line_in_a_real_process(bad_isr: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"LC_ALL", "LC_MESSAGES", "BIOPARITY_LANG"}}
    done = subprocess.run(
        [sys.executable, "-m", "bioparity", "run", "isr", str(bad_isr)],
        env=env | {"LANG": "zh_CN.UTF-8", "PYTHONIOENCODING": "utf-8"},
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )
    assert done.returncode == 2 and "错误：" in done.stderr + done.stdout


def test_an_unknown_language_is_a_usage_error_naming_the_choices() -> None:
    result = CliRunner().invoke(app, ["--lang", "fr", "kinds"])
    assert result.exit_code == 2
    assert "choose one of en, zh-CN" in " ".join(result.output.split())


def test_results_stay_language_neutral(tmp_path: Path) -> None:
    path = tmp_path / "isr.csv"
    path.write_text("sample,original,repeat\nS1,10,11\nS2,20,19\nS3,30,45\n")
    english = CliRunner().invoke(app, ["run", "isr", str(path), "--json"])
    chinese = CliRunner().invoke(app, ["--lang", "zh-CN", "run", "isr", str(path), "--json"])
    assert english.exit_code == chinese.exit_code == 0
    assert json.loads(english.stdout) == json.loads(chinese.stdout)  # keys, codes and numbers as stored
    summary = CliRunner().invoke(app, ["--lang", "zh-CN", "run", "isr", str(path)])
    # 2 of 3 repeats within ±30% (S3: 100 * 15 / 37.5 = 40%): the two-thirds rule of ICH M10 section 7
    assert "已测样品再分析通过：3 次重复中 2 次（66.7%）在 ±30% 内" in summary.stdout
    assert "差异百分比" in summary.stdout


def test_validate_lang_wins_over_the_global_option(tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    args = ["--lang", "en", "validate", "--area", "clinical", "--out", str(out), "--lang", "zh-CN"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in html and '<td id="report-language">简体中文 (zh-CN)</td>' in html
    assert "安装确认与运行确认" in html
    assert "报告已写入" in result.output  # the command's own --lang wins over bioparity --lang


_PROBE = """
import json, sys
sys.argv = ["bioparity", *json.loads(sys.argv[1])]
from bioparity.cli.main import app
try:
    app()
except SystemExit:
    pass
print("BABEL=" + str("babel" in sys.modules))
"""


@pytest.mark.parametrize(
    ("args", "babel"),
    [(["--help"], False), (["tolerance-factor", "--n", "10"], False), (["--lang", "zh-CN", "kinds"], True)],
)
def test_babel_is_imported_only_for_a_language_other_than_english(args: list[str], babel: bool) -> None:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, json.dumps(args)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert f"BABEL={babel}" in done.stdout


@pytest.mark.parametrize(
    ("args", "english", "chinese"),
    [
        (["power", "--cv", "0.3", "--n", "40"], "TOST power", "TOST 检验效能"),
        (["samplesize", "--cv", "0.3"], "TOST sample size", "TOST 样本量"),
        (["tolerance-factor", "--n", "10"], "Tolerance factor", "容忍区间因子 k"),
    ],
)
def test_a_result_table_is_titled_in_the_language_its_quantities_keep_their_names(
    args: list[str], english: str, chinese: str
) -> None:
    plain = CliRunner().invoke(app, args)
    translated = CliRunner().invoke(app, ["--lang", "zh-CN", *args])
    assert plain.exit_code == translated.exit_code == 0
    assert english in plain.output and chinese not in plain.output
    assert chinese in translated.output and english not in translated.output
    first = plain.output.splitlines()[3].split("│")[1].strip()  # the first quantity's name, e.g. "power"
    assert first and first in translated.output
