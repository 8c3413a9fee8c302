"""The notes of a result on the terminal: ``bioparity run KIND FILE`` prints the notes the run page lists
(decisions, warnings, rows left out) after the result, one ``note: ...`` line each on stderr as the
kind-specific commands do, in the command's language (``--lang``; the stored values as they are);
``--json`` keeps stdout for the stored result, whose ``notes`` field has them. ``ada-sensitivity``,
``ada-drug-tolerance``, ``caa``, ``profile`` and ``pk-similarity`` print their notes in the command's
language too, and ``run be`` names the missing PK values it left out as ``bioparity be`` does.

The notes are checked by hand on constructed files: a positive-control run whose signal never reaches the
cut point is left out (Shankar et al. 2008, J Pharm Biomed Anal 48:1267, Appendix 2: the sensitivity is
interpolated within the tested range), and an ADA level below the cut point without drug is not detected
at the lowest drug level (FDA 2019 immunogenicity testing guidance, section IV.D); a glycan profile whose
parts sum to 90 is not closed at 100 (compared in Aitchison geometry, Aitchison 1986); a subject without
AUClast is no completer, so its CMAX is left out too (FDA 2001, Statistical Approaches to Establishing
Bioequivalence); replicateBE's data set 21 has no PK value at subject 45 period 3 and subject 52 period 1
(both R; data rows 174 and 200, file lines 175 and 201 under the header), data set 15 has 112, the first
five in period 4 of subjects 56 to 60 (T; data rows 224, 228, ..., 240), as the files show.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner, Result

from bioparity.cli.main import app
from tests.conftest import REFERENCE

#: Runs A and B cross the cut point 1.5 between 1 and 100 ng/mL; run C reads 1.6 >= 1.5 already at 1 ng/mL
#: (its crossing is below the tested range: left out).
CURVES = (
    "run,concentration,signal\nA,1,1.0\nA,10,2.0\nA,100,4.0\nB,1,1.2\nB,10,2.4\nB,100,4.8\n"
    "C,1,1.6\nC,10,2.8\nC,100,5.0\n"
)
#: ADA level 100 is detected up to drug level 10 (1.5 >= 1.0); level 50 is below the cut point 1.0 at
#: drug level 0 already.
TOLERANCE = "ada_level,drug_level,signal\n100,0,2\n100,10,1.5\n100,100,0.5\n50,0,0.5\n50,10,0.4\n"
ISR = "sample,original,repeat\nS1,100,110\nS2,100,150\nS3,50,52\n"
#: One attribute, three test and four reference lots, one value each: the CAA's method notes.
CAA = "attribute,source,lot,value\n" + "".join(
    f"purity,{source},{lot},{value}\n"
    for source, lot, value in (
        ("test", "T1", 99.1), ("test", "T2", 99.3), ("test", "T3", 99.0), ("ref-eu", "R1", 99.2),
        ("ref-eu", "R2", 99.0), ("ref-eu", "R3", 99.4), ("ref-eu", "R4", 99.1),
    )
)  # fmt: skip

#: Two arms of four subjects; T2 has no AUClast (a blank cell), so it is no completer.
PP = (
    "subject,arm,CMAX,AUCLST\nT1,test,10,100\nT2,test,12,\nT3,test,11,110\nT4,test,9,95\n"
    "R1,ref,10,105\nR2,ref,11,98\nR3,ref,12,102\nR4,ref,10,99\n"
)
RDS = REFERENCE / "replicate_be"

#: The stored note of run C (the ``ada-sensitivity`` kind stores it as a sentence) and its Chinese words.
RUN_C = "run C: cut point not crossed inside the tested range; run left out"
RUN_C_ZH = "分析批 C：在测试范围内未达到临界值；该分析批未纳入"


@pytest.fixture
def files(tmp_path: Path) -> dict[str, str]:
    """The constructed inputs, written as CSV files (name -> path)."""
    profile = pd.read_csv(REFERENCE / "cmc" / "data_profile.csv")
    profile.loc[profile["lot"] == "T01", "value"] *= 0.9  # its parts sum to 90
    texts = {
        "pc.csv": CURVES,
        "dt.csv": TOLERANCE,
        "isr.csv": ISR,
        "caa.csv": CAA,
        "profile.csv": None,
        "pp.csv": PP,
    }
    for name, text in texts.items():
        if text is None:
            profile.to_csv(tmp_path / name, index=False)
        else:
            (tmp_path / name).write_text(text, encoding="utf-8")
    return {name: str(tmp_path / name) for name in texts} | {"out": str(tmp_path / "out.csv")}


def _invoke(*args: str) -> Result:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result


def _notes(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith(("note: ", "说明："))]


def test_run_prints_the_notes_after_the_result_on_stderr(files: dict[str, str]) -> None:
    result = _invoke("run", "ada-sensitivity", files["pc.csv"], "-o", "cut_point=1.5")
    assert _notes(result.stderr) == [f"note: {RUN_C}."] and not _notes(result.stdout)
    lines = result.output.splitlines()  # as the terminal shows stdout and stderr: the note comes last
    assert lines[0].startswith("sensitivity ") and lines[-1] == f"note: {RUN_C}."


def test_run_prints_the_notes_in_the_command_language(files: dict[str, str]) -> None:
    result = _invoke("--lang", "zh-CN", "run", "ada-sensitivity", files["pc.csv"], "-o", "cut_point=1.5")
    assert _notes(result.stderr) == [f"说明：{RUN_C_ZH}。"]


def test_run_json_keeps_stdout_for_the_result_whose_notes_field_has_them(files: dict[str, str]) -> None:
    result = _invoke("run", "ada-sensitivity", files["pc.csv"], "-o", "cut_point=1.5", "--json")
    assert json.loads(result.stdout)["notes"] == [f"{RUN_C}."]  # the whole of stdout is the JSON
    assert _notes(result.stderr) == [f"note: {RUN_C}."]


def test_run_prints_no_note_for_a_result_without_notes(files: dict[str, str]) -> None:
    result = _invoke("run", "isr", files["isr.csv"])
    assert not _notes(result.output) and not result.stderr.strip()


@pytest.mark.parametrize(
    ("command", "name", "english", "chinese"),
    [
        ("ada-sensitivity", "pc.csv", RUN_C, RUN_C_ZH),
        (
            "ada-drug-tolerance",
            "dt.csv",
            "ADA level 50: not detected at the lowest drug level 0",
            "ADA 水平 50：在最低药物水平 0 下未检出",
        ),
    ],
)
def test_the_bioassay_commands_print_their_notes_in_the_command_language(
    command: str, name: str, english: str, chinese: str, files: dict[str, str]
) -> None:
    data, out = files[name], files["out"]
    cut_point = "1.5" if command == "ada-sensitivity" else "1.0"
    result = _invoke(command, data, "--cut-point", cut_point, "--out", out)
    assert _notes(result.stderr) == [f"note: {english}"]
    result = _invoke("--lang", "zh-CN", command, data, "--cut-point", cut_point, "--out", out)
    assert _notes(result.stderr) == [f"说明：{chinese}"]


@pytest.mark.parametrize(
    ("args", "english", "chinese"),
    [
        (["caa", "caa.csv"], "Missing values: none.", "缺失值：无。"),
        (
            ["profile", "profile.csv"],
            "1 lot(s) whose parts do not sum to 100: compared in Aitchison geometry",
            "1 个批次的各部分之和不为 100：按 Aitchison 几何比较",
        ),
    ],
)
def test_caa_and_profile_print_their_notes_in_the_command_language(
    args: list[str], english: str, chinese: str, files: dict[str, str]
) -> None:
    command = [args[0], files[args[1]], "--out", files["out"]]
    assert f"note: {english}" in _notes(_invoke(*command).stderr)
    assert f"说明：{chinese}" in _notes(_invoke("--lang", "zh-CN", *command).stderr)


def test_pk_similarity_prints_its_notes_as_notes_in_the_command_language(files: dict[str, str]) -> None:
    """Was the stored English without ``note: `` (``CMAX: not analysed ...``), also under --lang zh-CN; the
    subject left out named by its id, as the workspace's notes name it (EMA 1401/98 Rev. 1, 4.1.8)."""
    command = ["pk-similarity", files["pp.csv"], "--arms", "test,ref", "--metrics", "CMAX,AUCLST"]
    command += ["--out", files["out"]]
    assert _notes(_invoke(*command).stderr) == [
        "note: CMAX: not analysed (not a completer): test 1",
        "note: CMAX: subjects not analysed: test T2",
        "note: AUCLST: not analysed (not a completer): test 1",
        "note: AUCLST: subjects not analysed: test T2",
    ]
    assert _notes(_invoke("--lang", "zh-CN", *command).stderr) == [
        "说明：CMAX：未分析（非完成者）：test 1",
        "说明：CMAX：未纳入分析的受试者：test T2",
        "说明：AUCLST：未分析（非完成者）：test 1",
        "说明：AUCLST：未纳入分析的受试者：test T2",
    ]


#: The missing PK values of replicateBE's rds21 as the terminal names them (data row, file line, ...).
RDS21_CELLS = (
    "row 174 (line 175) subject=45 period=3 treatment=R; row 200 (line 201) subject=52 period=1 treatment=R"
)


def test_run_be_names_the_missing_pk_values_it_left_out() -> None:
    """Was silent: the BE result had no notes (``bioparity be`` names them; the values are in
    ``missing_cells``). A run without a missing value stores its result as before (no ``notes``)."""
    result = _invoke("run", "be", str(RDS / "rds21.csv"))
    note = f"2 rows left out: {RDS21_CELLS} (all in the stored result)"
    assert _notes(result.stderr) == [f"note: {note}"]
    stored = json.loads(_invoke("run", "be", str(RDS / "rds21.csv"), "--json").stdout)
    assert stored["notes"] == [note] and len(stored["missing_cells"]) == 2
    result = _invoke("run", "be", str(RDS / "rds15.csv"), "-o", "method=ema-abel-a")
    first = "row 224 (line 225) subject=56 period=4 treatment=T; row 228 (line 229) subject=57 period=4"
    last = "row 240 (line 241) subject=60 period=4 treatment=T and 107 more (all in the stored result)"
    shown, scaling = _notes(result.stderr)  # reference scaling: not for a biosimilar PK similarity study
    assert "not accepted for a biosimilar PK similarity study" in scaling
    assert shown.startswith(f"note: 112 rows left out: {first}") and shown.endswith(last)
    assert shown.count("row ") == 5
    clean = _invoke("run", "be", str(RDS / "rds01.csv"), "--json")
    assert "notes" not in json.loads(clean.stdout) and not _notes(clean.stderr)


def test_run_be_names_the_missing_pk_values_in_the_command_language() -> None:
    result = _invoke("--lang", "zh-CN", "run", "be", str(RDS / "rds21.csv"))
    cells = (
        "第 174 行（文件第 175 行） subject=45 period=3 treatment=R；"
        "第 200 行（文件第 201 行） subject=52 period=1 treatment=R"
    )
    assert _notes(result.stderr) == [f"说明：剔除 2 行：{cells}（完整清单见存储的结果）"]
