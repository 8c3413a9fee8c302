"""Help pages (``--help``) in the command's language: Typer's headings and the commands' and options' helps.

An NMPA reader running ``bioparity --lang zh-CN --help`` (or ``BIOPARITY_LANG=zh-CN``) read English
everywhere: Typer's "Usage", "Options", "Commands", "[default: ...]", "[required]", Click's "Show this message
and exit." and every command's help. The page is now in the chosen language
(:func:`bioparity.cli.click_words.help_in_words`), English pages stay byte for byte what they were, also after
a Chinese page in the same process (commands, their options and Typer's constants are made once per process).
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from typer import _click as click  # Typer 0.2x vendors click
from typer import rich_utils
from typer.core import TyperGroup
from typer.testing import CliRunner

from bioparity.cli.click_words import _MAKE_RICH_TEXT, HELP_OPTION, HELP_WORDS, TYPER_ENGLISH
from bioparity.cli.main import COMMANDS, MODULES, app, load_commands
from bioparity.i18n import gettext, use_language
from bioparity.i18n.catalogues import extract

WIDE = {"COLUMNS": "250"}  # one line per help text: no word cut by the terminal width
ENGLISH_WORDS = ("Usage: ", "Options", "Commands", "Show this message and exit.")


def _page(*args: str, env: dict[str, str] | None = None) -> str:
    result = CliRunner().invoke(app, list(args), env={**WIDE, **(env or {})})
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize(
    ("args", "env"),
    [
        (("--lang", "zh-CN", "--help"), None),
        (("--help", "--lang", "zh-CN"), None),  # --help first: still read after --lang
        (("--help",), {"BIOPARITY_LANG": "zh-CN"}),
        (("--help",), {"BIOPARITY_LANG": "", "LC_ALL": "zh_CN.UTF-8"}),
    ],
)
def test_the_top_level_page_is_in_chinese(args: tuple[str, ...], env: dict[str, str] | None) -> None:
    page = _page(*args, env=env)
    assert "用法：bioparity" in page
    assert "─ 选项 ─" in page and "─ 命令 ─" in page
    assert "显示本帮助信息并退出。" in page and "[环境变量：BIOPARITY_LANG]" in page
    assert "生物类似药相似性证据" in page  # the app's help
    # the one-line helps of the command list, e.g. nca and be
    assert "非房室分析（与 PKNCA 一致）：Cmax、各 AUC、lambda_z、半衰期、CL、Vz。" in page
    assert "交叉或重复交叉研究的生物等效性（ABE、EMA ABEL A/B、FDA RSABE）。" in page
    assert not any(word in page for word in ENGLISH_WORDS)


def test_bioparity_alone_shows_the_page_in_the_language_of_the_environment() -> None:
    result = CliRunner().invoke(app, [], env={**WIDE, "BIOPARITY_LANG": "zh-CN"})
    english = CliRunner().invoke(app, [], env=WIDE)
    assert result.exit_code == english.exit_code
    assert "用法：bioparity" in result.output and "─ 命令 ─" in result.output
    assert "Usage: bioparity" in english.output and "─ Commands ─" in english.output


def test_the_nca_page_is_in_chinese() -> None:
    page = _page("--lang", "zh-CN", "nca", "--help")
    assert "用法：bioparity nca" in page
    assert "─ 参数 ─" in page and "─ 选项 ─" in page
    assert "[必需]" in page and "[默认值：lin-up-log-down]" in page
    assert (
        "非房室分析（与 PKNCA 一致）：Cmax、各 AUC、lambda_z、半衰期、CL、Vz、MRT。" in page
    )  # the full help
    assert "CSV、XLSX、Parquet 或 SAS XPT（普通格式或 SDTM PC）。" in page  # IN
    assert "计算 lambda_z 的最少点数（PKNCA min.hl.points）。" in page  # --min-points
    assert "受试者列。" in page  # --subject, a shared option
    assert not any(word in page for word in (*ENGLISH_WORDS, "Arguments", "[required]", "[default:"))


@pytest.mark.parametrize(
    ("command", "words"),
    [
        ("be", "按原样读取 replicateBE 的数据文件"),  # the second paragraph of the help
        ("pk-similarity", "按顺序列出的组别，第一个为受试药"),  # --arms
        ("validate", "报告写入此处：.html（确定性输出）或 .pdf。"),  # --out
    ],
)
def test_the_be_pk_similarity_and_validate_pages_are_in_chinese(command: str, words: str) -> None:
    page = _page(command, "--help", env={"BIOPARITY_LANG": "zh-CN"})
    assert words in page and "─ 选项 ─" in page and "显示本帮助信息并退出。" in page


def test_a_group_lists_its_commands_in_chinese() -> None:
    page = _page("--lang", "zh-CN", "user", "--help")
    assert "工作区用户账户。" in page
    assert "停用账户：该账户无法登录，其所有会话和 API 令牌立即撤销。" in page  # user deactivate
    assert "设置临时密码，用户须在下次登录时修改。" in page  # user reset-password (first paragraph)


@pytest.mark.parametrize("args", [("--help",), ("nca", "--help"), ("user", "--help"), ("be", "--help")])
def test_english_pages_are_unchanged_after_a_chinese_page_in_the_same_process(args: tuple[str, ...]) -> None:
    before = _page(*args)
    chinese = _page("--lang", "zh-CN", *args)
    after = _page(*args)
    assert chinese != before
    assert after == before
    assert "Usage: bioparity" in after and "─ Options ─" in after and "Show this message and exit." in after
    assert {name: getattr(rich_utils, name) for name in TYPER_ENGLISH} == TYPER_ENGLISH
    assert rich_utils._make_rich_text is _MAKE_RICH_TEXT


@pytest.mark.parametrize("command", ["caa", "ada-cutpoint", "nca"])
def test_a_chinese_help_longer_than_its_column_is_folded_not_cut(command: str) -> None:
    """Rich breaks lines at spaces only and a table column cuts a longer word with "…": a Chinese help text
    (clauses without spaces) is folded onto the next lines instead, so that all of it is printed."""
    narrow = {"COLUMNS": "110"}
    assert "…" not in _page("--lang", "zh-CN", command, "--help", env=narrow)
    assert "…" not in _page(command, "--help", env=narrow)


def test_typer_words_of_a_help_page_are_english_as_imported() -> None:
    """The catalogue words stand for Typer's own English (a new Typer that renames one fails here)."""
    assert {name: TYPER_ENGLISH[name] for name in HELP_WORDS} == HELP_WORDS
    command = load_commands("caa")["caa"]
    help_option = command.get_help_option(click.Context(command))
    assert help_option is not None and help_option.help == HELP_OPTION  # the vendored Click's literal


def _every_command() -> dict[str, object]:
    found: dict[str, object] = {}

    def walk(path: str, command: object) -> None:
        found[path] = command
        if isinstance(command, TyperGroup):
            for name, sub in command.commands.items():
                walk(f"{path} {name}", sub)

    for module in MODULES:
        for name, command in load_commands(module).items():
            walk(name, command)
    return found


def test_every_command_help_is_marked_and_translated() -> None:
    """The one-line helps of ``bioparity --help`` and every command's (and group's) help are catalogue
    messages with a Chinese translation: a help written without ``gettext_noop`` stays English."""
    marked = set(extract("cli"))
    helps = {path: command.help for path, command in _every_command().items()}  # type: ignore[attr-defined]
    helps |= {f"{name} (one line)": text for name, (_module, text) in COMMANDS.items()}
    helps["bioparity"] = app.info.help
    unmarked = sorted(path for path, text in helps.items() if text not in marked)
    assert unmarked == []
    with use_language("zh-CN"):
        untranslated = sorted(path for path, text in helps.items() if gettext(text) == text)
    assert untranslated == []


def test_every_option_help_is_marked_and_translated() -> None:
    """Every argument's and option's help of every command is a catalogue message with a Chinese translation:
    an option help written without ``gettext_noop`` (or composed with an f-string) stays English on the
    zh-CN page."""
    marked = set(extract("cli"))
    helps = {
        f"{path} {param.name}": param.help
        for path, command in _every_command().items()
        for param in command.params  # type: ignore[attr-defined]
        if getattr(param, "help", None)
    }
    assert len(helps) > 400
    unmarked = sorted(name for name, text in helps.items() if text not in marked)
    assert unmarked == []
    with use_language("zh-CN"):
        untranslated = sorted(name for name, text in helps.items() if gettext(text) == text)
    assert untranslated == []


_PROBE = (
    "import sys\n"
    "from bioparity.cli.main import MODULES, app\n"
    "try:\n    app(sys.argv[1:], prog_name='bioparity')\n"
    "except SystemExit:\n    pass\n"
    "print('LOADED=' + ','.join(m for m in MODULES if 'bioparity.cli.' + m in sys.modules))\n"
    "print('PYDANTIC=' + str('pydantic' in sys.modules))\n"
)


@pytest.mark.parametrize("args", [["--lang", "zh-CN", "--help"], ["--help", "--lang", "zh-CN"], ["--help"]])
def test_the_top_level_page_imports_no_command_module_and_converts_no_option(args: list[str]) -> None:
    """Start-up stays lazy: the Chinese command list comes from the table, not from the command modules, and
    ``--lang`` is read without converting the options (Typer converts values with pydantic: +0.1 s CPU)."""
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, *args], capture_output=True, text=True, timeout=120, check=True
    )
    assert ("用法：bioparity" in done.stdout) is ("zh-CN" in args)
    assert "LOADED=\n" in done.stdout
    assert "PYDANTIC=False" in done.stdout


def test_options_worded_from_elsewhere_keep_their_words() -> None:
    """``nca --tau``/``--extrapolate-tau`` say the workspace options' words as a sentence, ``be --method``
    names every method, as ``ada-summary --method``: written out so that they can be marked for translation,
    checked against the source."""
    from bioparity.analyses.nca import EXTRAPOLATE_TAU, TAU
    from bioparity.be.methods import BE_METHODS
    from bioparity.clinical import DIFFERENCE_METHODS

    def helps(module: str, name: str) -> dict[str, str]:
        return {p.name: p.help for p in load_commands(module)[name].params if p.name}  # type: ignore[attr-defined]

    nca = helps("nca", "nca")
    for option in (TAU, EXTRAPOLATE_TAU):
        assert nca[option.name] == option.help[:1].upper() + option.help[1:] + "."
    assert helps("be", "be")["method"] == "One of: " + ", ".join(BE_METHODS) + "."
    ada_method = helps("clinical", "ada-summary")["method"]
    assert ada_method.startswith("Interval for differences: " + ", ".join(DIFFERENCE_METHODS) + " (")
