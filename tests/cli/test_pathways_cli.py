"""The command-line contract of ``bioparity pathways``."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from bioparity.cli.main import app

runner = CliRunner()
EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "pathways"


def test_json_contract() -> None:
    result = runner.invoke(
        app, ["pathways", str(EXAMPLES / "adalimumab_failed_bridge.yaml"), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    assert record["statuses"] == {"EMA": "ready", "FDA": "gaps", "MHRA": "ready"}
    fda = next(r for r in record["regions"] if r["region"] == "FDA")
    missing = {r["rule_id"] for r in fda["requirements"] if r["status"] == "missing"}
    assert missing == {"FDA.REF.COMPARATOR", "FDA.CAA.SIMILARITY"}
    assert fda["work_left"] and fda["explanation"].startswith("United States (FDA): gaps.")


def test_table_format_and_region_option() -> None:
    result = runner.invoke(
        app,
        ["pathways", str(EXAMPLES / "bevacizumab_china.yaml"), "--region", "NMPA"],
        env={"COLUMNS": "160"},
    )
    assert result.exit_code == 0, result.output
    assert "China (NMPA): not eligible for streamlined pathway" in result.stdout
    assert "NMPA.PK.CHINESE_SUBJECTS" in result.stdout and "Work left:" in result.stdout


def test_a_chinese_reader_sees_the_citations_in_chinese_and_no_cut_text() -> None:
    args = ["pathways", str(EXAMPLES / "bevacizumab_china.yaml"), "--region", "NMPA"]
    wide = runner.invoke(app, ["--lang", "zh-CN", *args], env={"COLUMNS": "240"})
    assert wide.exit_code == 0, wide.output
    # the CDE/NMPA guidelines by their own titles, the status in Chinese (试行: the 2015 guideline's title)
    # with Chinese punctuation around them (zhpolish3: was " (国家...第7号, 试行), 参照药, 2015-02-28")
    assert (
        "《生物类似药研发与评价技术指导原则（试行）》（国家食品药品监督管理总局通告2015年第7号，试行）"
        in (wide.stdout)
    )
    assert (
        "《生物类似药相似性评价和适应症外推技术指导原则》（国家药监局药审中心通告2021年第18号，定稿）"
        in wide.stdout
    )
    assert "  - 国家药监局药审中心通告2021年第18号（定稿，2021-02-10）" in wide.stdout
    assert "CDE notice" not in wide.stdout and "CFDA notice" not in wide.stdout  # the numbers as issued
    assert "(Interim)" not in wide.stdout and "interim" not in wide.stdout
    # a Chinese finding has no spaces to wrap at: folded, never cut short with an ellipsis
    narrow = runner.invoke(app, ["--lang", "zh-CN", *args], env={"COLUMNS": "80"})
    assert narrow.exit_code == 0 and "…" not in narrow.stdout
    english = runner.invoke(app, args, env={"COLUMNS": "240"})
    assert "Technical Guideline for the Research, Development and Evaluation of Biosimilars (Interim)" in (
        english.stdout
    )
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in english.stdout)


def test_the_table_prints_the_flags_of_a_citation_in_english() -> None:
    """The English table read "comparative PK , 2021-05-10": Rich took "[section number unconfirmed]",
    "[interpretation]" and "[unconfirmed]" for markup tags and printed nothing of them."""
    args = ["pathways", str(EXAMPLES / "adalimumab_global.yaml"), "--region", "MHRA"]
    result = runner.invoke(app, args, env={"COLUMNS": "400"})
    assert result.exit_code == 0, result.output
    rows = {line.split("│")[1].strip(): line for line in result.stdout.splitlines() if "│ MHRA." in line}
    assert (
        "comparative PK [section number unconfirmed], 2021-05-10 [unconfirmed]"
        in rows["MHRA.PK.CONFIRMATORY"]
    )
    # MHRA's interchangeability position (guidance as updated in November 2022) for a program seeking it
    assert (
        "interchangeability [section number unconfirmed], 2022-11 [interpretation] [unconfirmed]"
        in (rows["MHRA.IC.INTERCHANGEABLE"])
    )
    assert " , " not in result.stdout


def test_bad_program_file_exits_2_naming_the_entry(tmp_path: Path) -> None:
    program = tmp_path / "PROGRAM.yaml"
    program.write_text("program: {name: x, modality: vaccine, moa_understood: true}\n", encoding="utf-8")
    result = runner.invoke(app, ["pathways", str(program)])
    assert result.exit_code == 2
    assert "PROGRAM.yaml: at program: modality 'vaccine' is not known" in result.stderr


def test_broken_rules_folder_exits_2_naming_file_and_rule(tmp_path: Path) -> None:
    (tmp_path / "ema.yaml").write_text(
        (Path(__file__).resolve().parents[2] / "src/bioparity/pathways/rules/ema.yaml")
        .read_text(encoding="utf-8")
        .replace("code: immunogenicity", "code: immunogenicty"),
        encoding="utf-8",
    )
    result = runner.invoke(
        app, ["pathways", str(EXAMPLES / "adalimumab_global.yaml"), "--rules", str(tmp_path)]
    )
    assert result.exit_code == 2
    assert (
        "ema.yaml, rule EMA.IMM.COMPARATIVE, field 'check.code': unknown check 'immunogenicty'"
        in result.stderr
    )


def test_help() -> None:
    result = runner.invoke(app, ["pathways", "--help"])
    assert result.exit_code == 0 and "PROGRAM.yaml" in result.stdout


def test_explain_prints_rule_source_and_logic() -> None:
    result = runner.invoke(app, ["pathways", "--explain", "EMA.REF.COMPARATOR"], env={"COLUMNS": "160"})
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith("EMA.REF.COMPARATOR: EEA-authorised reference product")
    # source: document, number, status, date and section of the text cited
    assert "document: Guideline on similar biological medicinal products" in out
    assert "reference: CHMP/437/04 Rev 1" in out and "status: final; date of the text: 2014-10-23" in out
    assert "section: 3.3 (reference medicinal product)" in out
    # logic: the check and the region's comparator policy
    assert "check: reference_product" in out
    assert "local reference only for: caa; PK bridge: if_used_in_pk" in out
    assert "UNCONFIRMED" in out


def test_explain_is_case_insensitive_and_shows_params() -> None:
    result = runner.invoke(app, ["pathways", "--explain", "nmpa.elig.no_streamlined"])
    assert result.exit_code == 0, result.output
    assert "agreed_by: cde_clinical_package_agreed" in result.stdout
    assert "CDE" in result.stdout and "2019-07-31" in result.stdout


def test_explain_unknown_rule_exits_2_listing_the_region_rules() -> None:
    result = runner.invoke(app, ["pathways", "--explain", "HC.EXTRAP.INDICATIONS"])
    assert result.exit_code == 2
    assert "no rule 'HC.EXTRAP.INDICATIONS'; rules of HC:" in result.stderr
    assert "HC.REF.COMPARATOR" in result.stderr


def test_table_prints_the_versions_and_dates_of_the_texts_cited() -> None:
    result = runner.invoke(
        app, ["pathways", str(EXAMPLES / "adalimumab_global.yaml"), "--region", "HC"], env={"COLUMNS": "200"}
    )
    assert result.exit_code == 0, result.output
    assert "Texts cited (version, status, date of the text); rules 2026.1:" in result.stdout
    assert "(final, 2026-05-19)" in result.stdout


def test_program_file_or_explain_is_required() -> None:
    result = runner.invoke(app, ["pathways"])
    assert result.exit_code == 2
    assert "give PROGRAM.yaml to assess, or --explain RULE_ID" in result.stderr


def test_a_chinese_reader_sees_the_subject_population_and_study_outcomes_in_chinese() -> None:
    """zhpolish3 finding: "T 对比 CN（chinese 受试者中）", "CES-NSCLC: 等效" (ASCII colon), a recorded item's
    note in ASCII parentheses "已记录为未完成 (...)", and the flags "[解读] [未确认]"."""
    args = ["pathways", str(EXAMPLES / "bevacizumab_china.yaml"), "--region", "NMPA"]
    wide = runner.invoke(app, ["--lang", "zh-CN", *args], env={"COLUMNS": "400"})
    assert wide.exit_code == 0, wide.output
    said = wide.stdout
    assert "T 对比 CN（中国受试者中）：AUC0-inf, Cmax 在限度内" in said and "chinese" not in said
    assert "CES-NSCLC：等效" in said
    assert "已记录为未完成（colorectal extrapolation justification in preparation）" in said
    assert "［解读］［未确认］" in said and "[解读]" not in said
    assert (
        "（国家食品药品监督管理总局通告2015年第7号，试行），参照药［节号未确认］，2015-02-28［未确认］"
        in said
    )
    english = runner.invoke(app, args, env={"COLUMNS": "400"}).stdout
    assert "in chinese subjects" in english
    assert "CES-NSCLC: equivalent" in english and " [interpretation] [unconfirmed]" in english


def test_explain_prints_the_notes_of_the_rule_file_in_chinese() -> None:
    """zhpolish3 finding: `--explain` printed the document's and the rule's notes in English to a zh-CN reader
    ("关于该文件：Reported content: ...", "说明：China has no general no-CES pathway ...")."""
    from bioparity.pathways.rules import load_rules

    said = runner.invoke(app, ["--lang", "zh-CN", "pathways", "--explain", "NMPA.ELIG.NO_STREAMLINED"]).stdout
    assert "关于该文件：据报道的内容：临床研发方案在药学比对之后确定，并与 CDE 商定" in said
    assert "说明：中国没有通用的免除临床有效性比对研究（CES）的路径" in said
    for region in load_rules().values():
        for rule in region.rules:
            notes = [n for n in (rule.note, rule.citation.document.note) if n]
            if not notes:
                continue
            shown = runner.invoke(app, ["--lang", "zh-CN", "pathways", "--explain", rule.id]).stdout
            assert not any(n[:40] in shown for n in notes), rule.id
            english = runner.invoke(app, ["pathways", "--explain", rule.id]).stdout
            assert all(" ".join(n.split())[:40] in " ".join(english.split()) for n in notes), rule.id
