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
