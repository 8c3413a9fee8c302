"""The readers' rarer problems in the reader's language too (units, SDTM, crossover, PK tables, CAA lots,
potency, stability): made from the note templates of :mod:`bioparity.problems` (or of the reader's own
module), a page (``error_text``) and the command line under ``--lang zh-CN`` show them in Chinese, with the
file name, column name and value as they are; the exception's English message is unchanged. An error that
is not about a file's cell (a unit that does not convert, an assay without a test sample) is translated as a
whole when a template made it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from bioparity import problems
from bioparity.be.data import crossover_data, read_crossover_file
from bioparity.cli.main import app
from bioparity.errors import BioparityError, DataFileError, InputError
from bioparity.i18n import translations, use_language
from bioparity.i18n.notes import registered_templates
from bioparity.io.caa import read_long_table
from bioparity.io.cmc import read_stability
from bioparity.io.nca_input import check_sdtm_ex
from bioparity.io.potency import read_potency_table
from bioparity.io.pp import metric_table
from bioparity.io.readers import read_any_table
from bioparity.io.sdtm import read_sdtm_ex
from bioparity.nca.samples import Where
from bioparity.nca.unit_column import convert_conc_column
from bioparity.nca.units import conversion_factor
from bioparity.web.templating import error_text
from tests.i18n._pages import assert_page_text

BE_BAD_SEQUENCE = (
    "subject,period,sequence,treatment,PK\n1,1,TR,T,100\n1,2,TR,R,90\n2,1,RX,R,95\n2,2,RX,T,80\n"
)
ONE_LOT = "attribute,source,lot,value\nHMW,test,T1,1.2\nHMW,ref-eu,R1,1.0\npurity,test,T1,99\n"
UNKNOWN_UNIT = "subject,time,conc,unit\n1,0,0,ng/mL\n1,1,5,ng/mL\n1,2,3,furlong\n"
ONLY_STANDARD = "assay,sample,dose,replicate,response\nA1,standard,1,1,10\nA1,standard,2,1,20\n"


def _file(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _be(tmp_path: Path) -> object:
    return crossover_data(read_crossover_file(_file(tmp_path, "be.csv", BE_BAD_SEQUENCE)), file="be.csv")


def _pk_table(tmp_path: Path) -> object:
    raw = pd.DataFrame({"ID2": ["1"], "arm": ["T"], "AUCINF": ["1"]})
    return metric_table(raw, "pp.csv", None, None, ["AUCINF"], [])


def _caa(tmp_path: Path) -> object:
    return read_long_table(_file(tmp_path, "lots.csv", ONE_LOT))


def _unit_column(tmp_path: Path) -> object:
    frame = pd.DataFrame({"conc": ["1", "2"], "unit": ["ng/mL", "furlong"]})
    return convert_conc_column(frame, conc="conc", unit_column="unit", where=Where(file="pc.csv"))


def _dose_units(tmp_path: Path) -> object:
    text = "USUBJID,EXDOSE,EXDOSU,EXSTDTC\nS1,100,mg,2021-01-01T08:00\nS2,100,ug,2021-01-01T08:00\n"
    return check_sdtm_ex(read_any_table(_file(tmp_path, "ex.csv", text)))


def _ex_date(tmp_path: Path) -> object:
    frame = pd.DataFrame({"USUBJID": ["S1"], "EXDOSE": ["100"], "EXSTDTC": ["yesterday"]})
    return read_sdtm_ex(frame, file="ex.csv")


def _potency(tmp_path: Path) -> object:
    text = "assay,sample,dose,replicate,response\nA1,standard,1,1,10\nA1,test,1,1,20\nA1,test,1,1,30\n"
    return read_potency_table(_file(tmp_path, "pot.csv", text))


def _stability(tmp_path: Path) -> object:
    return read_stability(_file(tmp_path, "stab.csv", "attribute,lot,time,value\npurity,L1,-3,99\n"))


def _conversion(tmp_path: Path) -> object:
    return conversion_factor("ng/mL", "h")


#: A reader refusing a bad input -> (the English message, the Chinese one); files named relative to tmp_path.
CASES: dict[str, tuple[Callable[[Path], object], str, str]] = {
    "be-sequence": (
        _be,
        "be.csv, row 3 (line 4), column 'sequence': invalid sequence (got 'RX'); "
        "expected a string of T and R such as TRTR",
        "be.csv，第 3 行（文件第 4 行），列“sequence”：无效的序列（实际为 'RX'）；"
        "应为 由 T 和 R 组成的字符串，例如 TRTR",
    ),
    "pk-subject-column": (
        _pk_table,
        "pp.csv: no subject column found; expected a column named one of subject, USUBJID, SUBJID, ID, id "
        "(or give its name); columns found: ID2, arm, AUCINF",
        "pp.csv：未找到受试者列；应为 名为 subject, USUBJID, SUBJID, ID, id 之一的列（或给出其列名）；"
        "找到的列：ID2, arm, AUCINF",
    ),
    "caa-one-lot": (
        _caa,
        "lots.csv, row 3 (line 4), column 'attribute': attribute 'purity' has only one lot (got 'purity'); "
        "expected at least two lots per attribute (lots of test and reference sources)",
        "lots.csv，第 3 行（文件第 4 行），列“attribute”：属性 'purity' 只有一个批次（实际为 'purity'）；"
        "应为 每个属性至少两个批次（受试和参照来源的批次）",
    ),
    "unknown-unit": (  # the problem is the InputError of bioparity.nca.units, translated inside the frame
        _unit_column,
        "pc.csv, row 2 (line 3), column 'unit': unit 'furlong': 'furlong' unknown; expected units such as "
        "kg, g, mg, ug, µg, mcg, ng, pg, mol, mmol, umol, µmol (got 'furlong'); "
        "expected a concentration unit convertible to ng/mL",
        "pc.csv，第 2 行（文件第 3 行），列“unit”：单位 'furlong'：'furlong' 未知；"
        "应为 kg, g, mg, ug, µg, mcg, ng, pg, mol, mmol, umol, µmol 等单位（实际为 'furlong'）；"
        "应为 可换算为 ng/mL 的浓度单位",
    ),
    "dose-unit-differs": (  # the row named inside the problem is translated too
        _dose_units,
        "ex.csv, row 2 (line 3), column 'EXDOSU': the unit differs from 'mg' of row 1 (line 2) (got 'ug'); "
        "expected one unit on every row",
        "ex.csv，第 2 行（文件第 3 行），列“EXDOSU”："
        "单位与第 1 行（文件第 2 行）的 'mg' 不同（实际为 'ug'）；应为 每一行单位相同",
    ),
    "ex-date-time": (
        _ex_date,
        "ex.csv, row 1, column 'EXSTDTC': not an ISO 8601 date-time (got 'yesterday'); "
        "expected a date-time such as 2021-03-04T08:30",
        "ex.csv，第 1 行，列“EXSTDTC”：不是 ISO 8601 日期时间（实际为 'yesterday'）；"
        "应为 日期时间，例如 2021-03-04T08:30",
    ),
    "potency-duplicate": (
        _potency,
        "pot.csv, row 3 (line 4), column 'replicate': duplicate of data row 2 (same assay, sample, dose and "
        "replicate) (got '1'); expected one response per assay, sample, dose and replicate",
        "pot.csv，第 3 行（文件第 4 行），列“replicate”：与第 2 个数据行重复（测定、样品、剂量和重复均相同）"
        "（实际为 '1'）；应为 每个测定、样品、剂量和重复一个响应",
    ),
    "stability-negative-time": (
        _stability,
        "stab.csv, row 1 (line 2), column 'time': negative (got '-3'); expected a finite number >= 0",
        "stab.csv，第 1 行（文件第 2 行），列“time”：为负值（实际为 '-3'）；应为 大于或等于 0 的有限数值",
    ),
    "units-not-convertible": (  # an InputError of no file: its whole message
        _conversion,
        "cannot convert 'ng/mL' to 'h': different dimensions",
        "无法将 'ng/mL' 换算为 'h'：量纲不同",
    ),
}


def _refusal(tmp_path: Path, read: Callable[[Path], object]) -> BioparityError:
    with pytest.raises(BioparityError) as caught:
        read(tmp_path)
    error = caught.value
    if isinstance(error, DataFileError) and error.file is not None:  # the file by its name, not its folder
        return error.relocated(Path(error.file).name, row=error.row, line=error.line)
    return error


@pytest.mark.parametrize("case", list(CASES))
def test_a_rarer_problem_reads_in_chinese_on_a_page_and_in_english_elsewhere(
    tmp_path: Path, case: str
) -> None:
    read, english, chinese = CASES[case]
    assert_page_text(_refusal(tmp_path, read), english, chinese)


def _error_line(output: str) -> str:
    (line,) = [x for x in output.splitlines() if x.startswith(("error: ", "错误："))]
    return line


@pytest.mark.parametrize(
    ("args", "content", "english", "chinese"),
    [
        (
            ["be", "{file}"],
            BE_BAD_SEQUENCE,
            "error: {file}, row 3 (line 4), column 'sequence': invalid sequence (got 'RX'); "
            "expected a string of T and R such as TRTR",
            "错误：{file}，第 3 行（文件第 4 行），列“sequence”：无效的序列（实际为 'RX'）；"
            "应为 由 T 和 R 组成的字符串，例如 TRTR",
        ),
        (
            ["nca", "{file}", "--out", "{out}", "--conc-unit-column", "unit"],
            UNKNOWN_UNIT,
            "error: {file}, row 3 (line 4), column 'unit': unit 'furlong': 'furlong' unknown; expected units "
            "such as kg, g, mg, ug, µg, mcg, ng, pg, mol, mmol, umol, µmol (got 'furlong'); "
            "expected a concentration unit convertible to ng/mL",
            "错误：{file}，第 3 行（文件第 4 行），列“unit”：单位 'furlong'：'furlong' 未知；"
            "应为 kg, g, mg, ug, µg, mcg, ng, pg, mol, mmol, umol, µmol 等单位（实际为 'furlong'）；"
            "应为 可换算为 ng/mL 的浓度单位",
        ),
        (
            ["run", "caa", "{file}"],
            ONE_LOT,
            "error: {file}, row 3 (line 4), column 'attribute': attribute 'purity' has only one lot "
            "(got 'purity'); expected at least two lots per attribute (lots of test and reference sources)",
            "错误：{file}，第 3 行（文件第 4 行），列“attribute”：属性 'purity' 只有一个批次"
            "（实际为 'purity'）；应为 每个属性至少两个批次（受试和参照来源的批次）",
        ),
        (  # a design problem of the data, found by the reader: named with its file, row and column
            ["run", "potency", "{file}"],
            ONLY_STANDARD,
            "error: {file}, row 1 (line 2), column 'sample': assay 'A1' has only the standard; add at least "
            "one test sample (got 'standard'); expected rows of sample 'standard' and of at least one test "
            "sample in every assay",
            "错误：{file}，第 1 行（文件第 2 行），列“sample”：测定 'A1' 只有标准品；请至少添加一个受试样品"
            "（实际为 'standard'）；应为 每个测定均须有样品 'standard' 的行及至少一个受试样品的行",
        ),
    ],
    ids=["be", "nca-unit-column", "caa", "potency-design"],
)
def test_the_command_line_says_it_in_the_language_asked(
    tmp_path: Path, args: list[str], content: str, english: str, chinese: str
) -> None:
    path = _file(tmp_path, "input.csv", content)
    places = {"file": str(path), "out": str(tmp_path / "out.csv")}
    argv = [a.format(**places) for a in args]
    in_english = CliRunner().invoke(app, argv)
    in_chinese = CliRunner().invoke(app, ["--lang", "zh-CN", *argv])
    assert in_english.exit_code == in_chinese.exit_code == 2
    assert _error_line(in_english.output) == english.format(**places)
    assert _error_line(in_chinese.output) == chinese.format(**places)


def _problem_texts() -> list[str]:
    """Every text of :mod:`bioparity.problems`: its string constants and the values of its dictionaries."""
    texts: list[str] = []
    for name, value in vars(problems).items():
        if not name.isupper():
            continue
        texts.extend(value.values() if isinstance(value, dict) else [value])
    return texts


def test_every_text_of_bioparity_problems_is_a_template_with_a_chinese_translation() -> None:
    texts = _problem_texts()
    assert len(texts) > 200
    registered = set(registered_templates())
    assert [t for t in texts if t not in registered] == []  # each marked with note_template
    catalogue = translations("zh-CN")
    assert [t for t in texts if catalogue.gettext(t) == t] == []


def test_an_error_that_no_template_makes_is_shown_as_it_is() -> None:
    rare = InputError("a rare problem of one reader; expected something")
    with use_language("zh-CN"):
        assert error_text(rare) == "a rare problem of one reader; expected something"
