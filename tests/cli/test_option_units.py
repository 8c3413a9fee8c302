"""A new user's first commands: what an option's unit is, and what the messages say when it is missed.

* every option whose value is a fraction or a ratio (a CV, a limit, a level, a power, a rate, a margin of
  proportions) reads it with :func:`bioparity.cli.common.fraction`: ``30%`` is refused with the fraction to
  give (PowerTOST takes fractions: ``power.TOST(CV = 0.3)``), not Typer's generic "invalid value";
* an option in percent (``--max-aucpext``) takes ``20`` or ``20%``, the same number;
* a missing arm or subject column of ``pk-similarity`` names the option that gives it;
* ``pathways --region`` lists the region codes in its help and takes them in any case, or a jurisdiction.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from bioparity.cli.common import fraction, percent
from bioparity.cli.main import MODULES, app, load_commands
from bioparity.cli.pathways import REGION_HELP
from tests.conftest import REFERENCE

runner = CliRunner()
PATHWAYS = Path(__file__).resolve().parents[2] / "examples" / "pathways"

_FRACTIONS = {
    "power": "--cv --theta0 --theta1 --theta2 --alpha",
    "samplesize": "--cv --theta0 --target-power --theta1 --theta2 --alpha",
    "samplesize-pk-similarity": "--target-power --dropout --alpha --theta1 --theta2",
    "cv-from-ci": "--lower --upper --alpha --point",
    "ci-diff": "--conf --margin --margin-lower --margin-upper",
    "ci-ratio": "--conf --margin-lower --margin-upper",
    "ci-means": "--conf",
    "samplesize-prop": "--p1 --p2 --margin --margin-lower --margin-upper --alpha --target-power",
    "samplesize-means": "--alpha --target-power",
    "ada-summary": "--conf",
    "ci-diff-stratified": "--conf --margin --margin-lower --margin-upper",
    "ada-cutpoint": "--fpr --confirm-fpr --titration-fpr",
    "be": "--alpha --theta1 --theta2",
    "pk-similarity": "--alpha --theta1 --theta2",
    "tolerance-factor": "--coverage --confidence",
    "potency": "--conf-level --alpha --equivalence-level",
    "nca": "--r2adj-min --tss-fraction",
    "simulate pk-similarity": "--cv-cl --cv-v --cv-ka --residual-cv --dropout --alpha --theta1 --theta2",
}
#: (command, option) of every option that takes a fraction or a ratio; a new one belongs here.
FRACTION_OPTIONS = {
    (command, option) for command, options in _FRACTIONS.items() for option in options.split()
}
#: Options whose unit is percent (``20`` or ``20%``).
PERCENT_OPTIONS = {
    (command, "--max-aucpext") for command in ("pk-similarity", "nca", "simulate pk-similarity")
}


def _commands() -> Iterator[tuple[str, Any]]:
    """(``"audit verify"``, its click command) for every command and subcommand."""

    def walk(name: str, command: Any) -> Iterator[tuple[str, Any]]:
        yield name, command
        for sub, child in getattr(command, "commands", {}).items():
            yield from walk(f"{name} {sub}", child)

    for module in MODULES:
        for name, command in load_commands(module).items():
            yield from walk(name, command)


def _options() -> dict[tuple[str, str], object]:
    """(command, option) -> its Typer option, for every option of every command (groups walked)."""
    return {
        (name, param.opts[0]): param
        for name, command in _commands()
        for param in getattr(command, "params", [])
        if isinstance(param, typer.core.TyperOption)
    }


def _parser(option: object) -> object:
    return option.type_descriptor.parameter_info.parser  # type: ignore[attr-defined]


def test_every_fraction_option_reads_fractions_and_every_percent_option_percent() -> None:
    options = _options()
    assert set(options) >= FRACTION_OPTIONS, sorted(FRACTION_OPTIONS - set(options))
    assert {key for key, option in options.items() if _parser(option) is fraction} == FRACTION_OPTIONS
    assert {key for key, option in options.items() if _parser(option) is percent} == PERCENT_OPTIONS


def test_every_number_option_names_its_unit_in_its_help() -> None:
    """A fraction option's help says so (a fraction, a ratio, or shows one: ``0.95 for 95%``); a percent
    option's help says percent."""
    options = _options()
    for key in FRACTION_OPTIONS:
        text = options[key].help  # type: ignore[attr-defined]
        assert any(word in text for word in ("fraction", "ratio", "CV", " for ", "0.", "(0 to 1)")), key
    for key in PERCENT_OPTIONS:
        assert "percent" in options[key].help, key  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("args", "option", "meant"),
    [
        (["power", "--n", "24", "--cv", "30%"], "--cv", "0.3"),
        (["samplesize", "--cv", "0.3", "--target-power", "80%"], "--target-power", "0.8"),
        (
            ["ci-diff", "--x1", "5", "--n1", "10", "--x2", "5", "--n2", "10", "--margin", "15%"],
            "--margin",
            "0.15",
        ),
        (["cv-from-ci", "--lower", "85%", "--upper", "1.05", "--n", "24"], "--lower", "0.85"),
        (["tolerance-factor", "--n", "10", "--coverage", "99%"], "--coverage", "0.99"),
    ],
)
def test_a_percentage_is_refused_with_the_fraction_to_give(args: list[str], option: str, meant: str) -> None:
    result = runner.invoke(app, args, env={"COLUMNS": "200"})
    assert result.exit_code == 2
    percent_text = args[args.index(option) + 1]
    assert f"Invalid value for '{option}': {percent_text} is a percentage; give a fraction: {meant} for " in (
        result.stderr
    )


def test_not_a_number_says_so_and_a_fraction_is_read_as_written() -> None:
    bad = runner.invoke(app, ["power", "--n", "24", "--cv", "abc"], env={"COLUMNS": "200"})
    assert bad.exit_code == 2 and "Invalid value for '--cv': 'abc' is not a number" in bad.stderr
    good = runner.invoke(app, ["power", "--n", "24", "--cv", "0.30", "--alpha", "0.05", "--format", "json"])
    assert good.exit_code == 0, good.stderr
    record = json.loads(good.stdout)
    assert (record["cv"], record["alpha"], record["theta1"]) == (0.3, 0.05, 0.8)


def test_a_comma_list_of_fractions_refuses_a_percentage_naming_the_option() -> None:
    result = runner.invoke(app, ["samplesize-pk-similarity", "--cv", "0.3,35%"])
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "error: --cv takes comma-separated fractions, e.g. 0.35,0.40: 35% is a percentage; give a fraction: "
        "0.35 for 35%"
    )


def test_a_per_arm_list_gives_its_own_example() -> None:
    result = runner.invoke(
        app, ["simulate", "pk-similarity", "--bioavailability", "95%,1,1", "--workers", "0"]
    )
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "error: --bioavailability takes comma-separated fractions, e.g. 0.95,1,1: 95% is a percentage; "
        "give a fraction: 0.95 for 95%"
    )


def test_the_messages_are_in_the_command_language() -> None:
    result = runner.invoke(app, ["--lang", "zh-CN", "samplesize-pk-similarity", "--cv", "30%"])
    assert result.exit_code == 2
    assert (
        result.stderr.strip()
        == "错误：--cv 需为逗号分隔的小数，如 0.35,0.40：30% 是百分数；请给出小数：30% 应写作 0.3"
    )


def test_a_percent_option_takes_the_number_with_or_without_the_sign() -> None:
    assert percent("20%") == percent("20") == percent(" 20 ") == 20.0
    with pytest.raises(typer.BadParameter, match="'x%' is not a number"):
        percent("x%")
    assert fraction("0.3") == 0.3 and fraction(0.95) == 0.95
    with pytest.raises(typer.BadParameter, match=r"50% is a percentage; give a fraction: 0\.5 for 50%"):
        fraction("50%")


def _pp(tmp_path: Path, header: str) -> str:
    path = tmp_path / "pp.csv"
    path.write_text(f"{header}\n1,test,10\n2,ref,11\n", encoding="utf-8")
    return str(path)


def test_a_missing_arm_column_names_the_option_that_gives_it(tmp_path: Path) -> None:
    args = ["--arms", "test,ref", "--metrics", "CMAX", "--out", str(tmp_path / "out.csv")]
    found = runner.invoke(app, ["pk-similarity", _pp(tmp_path, "subject,cohort,CMAX"), *args])
    assert found.exit_code == 2
    assert found.stderr.strip() == (
        f"error: {tmp_path / 'pp.csv'}: no arm (treatment group) column found; expected a column named one "
        "of arm, ARM, treatment, TRT, TRTA, TRT01A, ACTARM, group, or give its name with --arm-column; "
        "columns found: subject, cohort, CMAX"
    )
    given = runner.invoke(
        app, ["pk-similarity", _pp(tmp_path, "subject,cohort,CMAX"), *args, "--arm-column", "arm"]
    )
    assert given.exit_code == 2
    assert given.stderr.strip() == (
        f"error: {tmp_path / 'pp.csv'}: no column 'arm' (given by --arm-column); expected one of: subject, "
        "cohort, CMAX"
    )
    subject = runner.invoke(app, ["pk-similarity", _pp(tmp_path, "patient,arm,CMAX"), *args])
    assert subject.exit_code == 2 and "or give its name with --subject-column;" in subject.stderr


def test_pathways_region_help_lists_the_codes_of_the_shipped_rules() -> None:
    from bioparity.pathways import load_rules
    from bioparity.pathways.engine import REGION_ORDER

    assert set(REGION_ORDER) == set(load_rules())
    listed = ", ".join(REGION_ORDER[:-1]) + " or " + REGION_ORDER[-1]
    assert listed == REGION_HELP
    result = runner.invoke(app, ["pathways", "--help"], env={"COLUMNS": "300"})
    assert result.exit_code == 0 and REGION_HELP in result.stdout


def test_pathways_region_in_any_case_or_a_jurisdiction() -> None:
    program = str(PATHWAYS / "adalimumab_global.yaml")
    upper = runner.invoke(
        app, ["pathways", program, "--region", "EMA", "--region", "FDA", "--format", "json"]
    )
    lower = runner.invoke(app, ["pathways", program, "--region", "ema", "--region", "us", "--format", "json"])
    assert upper.exit_code == 0 and lower.exit_code == 0, lower.stderr
    assert json.loads(lower.stdout)["statuses"] == json.loads(upper.stdout)["statuses"]
    assert list(json.loads(lower.stdout)["statuses"]) == ["EMA", "FDA"]
    unknown = runner.invoke(app, ["pathways", program, "--region", "xx"])
    assert unknown.exit_code == 2
    assert "no rules for region(s) xx; regions with rules: EMA, FDA, HC, MHRA, NMPA, WHO" in unknown.stderr


def test_a_confirmatory_tier_without_signal_drug_names_the_file_and_the_option(tmp_path: Path) -> None:
    data = REFERENCE / "bioassay" / "designs_balanced.csv"  # donor,run,plate,signal: no signal_drug
    args = ["ada-cutpoint", str(data), "--confirm-fpr", "0.01", "--out", str(tmp_path / "cut.csv")]
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"error: {data}: --confirm-fpr needs a 'signal_drug' column (the signal with excess drug); columns "
        "found: donor, run, signal, plate"
    )
    assert not (tmp_path / "cut.csv").exists()


def test_every_file_argument_has_a_metavar_in_the_usage_line() -> None:
    """``Usage: bioparity be [OPTIONS] {IN}`` as the other commands, not the parameter name (``{path}``)."""
    for command in (
        "be",
        "pk-similarity",
        "caa",
        "isr",
        "ada-cutpoint",
        "ada-sensitivity",
        "ada-drug-tolerance",
    ):
        result = runner.invoke(app, [command, "--help"], env={"COLUMNS": "200"})
        assert f"Usage: bioparity {command} [OPTIONS] {{IN}}" in result.stdout, command
    usage = runner.invoke(app, ["run", "--help"], env={"COLUMNS": "200"}).stdout
    assert "Usage: bioparity run [OPTIONS] {KIND} {FILE}" in usage
    usage = runner.invoke(app, ["pathways", "--help"], env={"COLUMNS": "200"}).stdout
    assert "Usage: bioparity pathways [OPTIONS] [PROGRAM.yaml]" in usage


def test_a_group_lists_each_command_on_one_sentence_without_a_hard_line_break() -> None:
    """``bioparity audit --help`` lists the first paragraph of each command's help; Typer's rich help keeps a
    single newline, so a first paragraph over two lines printed a break in mid-sentence."""
    broken = [
        name
        for name, command in _commands()
        if " " in name and "\n" in (command.help or "").strip().split("\n\n")[0]
    ]
    assert broken == []
    listing = runner.invoke(app, ["audit", "--help"], env={"COLUMNS": "200"}).stdout
    assert "cross-check datasets, runs, signatures (and anchors) against it." in listing


def test_every_argument_of_every_command_has_a_metavar() -> None:
    """No usage line shows a Python parameter name (``{path}``, ``{username}``, ``[program_file]``)."""
    unnamed = [
        f"{name} {param.name}"
        for name, command in _commands()
        for param in getattr(command, "params", [])
        if isinstance(param, typer.core.TyperArgument) and not param.metavar
    ]
    assert unnamed == []


# --- the options of a run (``bioparity run KIND FILE -o name=value``, the web's forms): the same rule ------


def test_a_run_option_refuses_a_percentage_with_the_fraction_to_give() -> None:
    """``-o alpha=5%`` says what to give, as ``--alpha 5%`` does (was "'5%' is not a number")."""
    data = REFERENCE / "be" / "abel_limits_t10.csv"
    result = runner.invoke(app, ["run", "be", str(data), "-o", "alpha=5%"])
    assert result.exit_code != 0
    assert result.stderr.strip() == (
        "error: analysis 'be': option alpha: 5% is a percentage; give a fraction: 0.05 for 5%"
    )
    zh = runner.invoke(app, ["--lang", "zh-CN", "run", "be", str(data), "-o", "alpha=5%"])
    assert zh.stderr.strip() == "错误：分析 'be'：选项 alpha：5% 是百分数；请给出小数：5% 应写作 0.05"


def test_a_run_option_in_percent_takes_the_sign_and_a_plain_number_does_not() -> None:
    from bioparity.analyses import all_analyses
    from bioparity.analyses.registry import option_errors, parse_options

    summary = all_analyses()["ada-summary"]
    assert parse_options(summary, {"confirmatory_cut_point": "20%"}) == {"confirmatory_cut_point": 20.0}
    assert parse_options(summary, {"conf": "0.9"}) == {"conf": 0.9}
    errors = option_errors(summary, parse_options(summary, {"conf": "90%", "boost_fold": "4%"}))
    assert errors == {
        "conf": "90% is a percentage; give a fraction: 0.9 for 90%",
        "boost_fold": "'4%' is not a number (e.g. 4.0)",
    }


def test_every_number_option_of_a_run_has_its_unit() -> None:
    """Each number option of each kind is a fraction, in percent or in the data's unit (a new one belongs in
    one of the sets of bioparity.analyses.contract)."""
    from bioparity.analyses import all_analyses
    from bioparity.analyses.contract import FRACTION_OPTIONS, PERCENT_OPTIONS, PLAIN_NUMBER_OPTIONS

    sets = (FRACTION_OPTIONS, PERCENT_OPTIONS, PLAIN_NUMBER_OPTIONS)
    assert not (FRACTION_OPTIONS & PERCENT_OPTIONS or FRACTION_OPTIONS & PLAIN_NUMBER_OPTIONS)
    numbers = {(k, o.name) for k, a in all_analyses().items() for o in a.options if o.type == "number"}
    assert sorted((k, n) for k, n in numbers if sum(n in s for s in sets) != 1) == []


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["power", "--cv", "30%"], "'--cv' 的值无效：30% 是百分数；请给出小数：30% 应写作 0.3"),
        (["ci-means", "--mean1", "1"], "缺少选项 '--sd1'。"),
        (["ci-means", "--mean1"], "选项 '--mean1' 需要一个值。"),
    ],
)
def test_click_usage_messages_are_in_the_command_language(args: list[str], said: str) -> None:
    """Before: ``Invalid value for '--cv': 30% 是百分数...``, ``Missing option '--sd1'.`` (Typer's vendored
    Click words its messages in English, outside gettext)."""
    result = runner.invoke(app, ["--lang", "zh-CN", *args])
    assert result.exit_code == 2
    assert said in " ".join(line.strip("│ ") for line in result.stderr.splitlines())
    english = runner.invoke(app, args)
    assert english.exit_code == 2 and (
        "Invalid value for" in english.stderr or "Missing" in english.stderr or "requires" in english.stderr
    )


def test_typer_words_around_a_usage_error_are_in_the_command_language() -> None:
    """Before: ``Usage: bioparity power [OPTIONS]``, ``Try 'bioparity power --help' for help.`` and the panel
    title ``Error`` in English around the Chinese message (typer.rich_utils constants, Click's usage prefix);
    the next command in the same process is in English again."""
    chinese = runner.invoke(app, ["--lang", "zh-CN", "power", "--cv", "x"], prog_name="bioparity")
    lines = [line.strip() for line in chinese.stderr.splitlines()]
    assert chinese.exit_code == 2
    assert lines[0].startswith("用法：bioparity power [OPTIONS]")
    assert lines[1] == "运行 'bioparity power --help' 查看帮助。"
    assert lines[2].startswith("╭─ 错误 ─")
    english = runner.invoke(app, ["power", "--cv", "x"], prog_name="bioparity")
    lines = [line.strip() for line in english.stderr.splitlines()]
    assert lines[0].startswith("Usage: bioparity power [OPTIONS]")
    assert lines[1] == "Try 'bioparity power --help' for help."
    assert lines[2].startswith("╭─ Error ─")
