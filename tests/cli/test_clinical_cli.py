"""The command-line contract of the clinical commands."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from bioparity.cli.main import app

runner = CliRunner()


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize(
    "command",
    [["ci-diff"], ["ci-ratio"], ["ci-means"], ["samplesize-prop"], ["samplesize-means"], ["ada-summary"]],
)
def test_every_clinical_command_has_help(command: list[str]) -> None:
    code, out, _ = invoke(*command, "--help")
    assert code == 0 and "Usage" in out


@pytest.mark.parametrize(
    ("method", "expected"),
    [
        ("newcombe", (0.0524, 0.3339)),
        ("mn", (0.0528, 0.3382)),
        ("fm", (0.0533, 0.3377)),
        ("wald", (0.0575, 0.3425)),
    ],
)
def test_ci_diff_json_contract(method: str, expected: tuple[float, float]) -> None:
    """regulatory.md T16 and Newcombe (1998) Table II, example (a)."""
    code, out, _ = invoke(
        "ci-diff",
        "--x1",
        "56",
        "--n1",
        "70",
        "--x2",
        "48",
        "--n2",
        "80",
        "--method",
        method,
        "--conf",
        "0.95",
        "--format",
        "json",
    )
    assert code == 0
    record = json.loads(out)
    assert list(record)[:3] == ["diff", "lower", "upper"]
    assert record["diff"] == pytest.approx(0.2, abs=1e-12)
    assert (record["lower"], record["upper"]) == pytest.approx(expected, abs=5e-5)


def test_ci_diff_with_margin_states_the_level() -> None:
    code, out, _ = invoke(
        "ci-diff",
        "--x1",
        "60",
        "--n1",
        "100",
        "--x2",
        "58",
        "--n2",
        "100",
        "--conf",
        "0.9",
        "--margin",
        "0.15",
        "--format",
        "json",
    )
    record = json.loads(out)
    assert code == 0 and record["equivalent"] is True
    assert record["ci_statement"] == "two-sided 90% CI (TOST at alpha = 0.05 per side)"


def test_ci_ratio_and_ci_means_json() -> None:
    code, out, _ = invoke(
        "ci-ratio", "--x1", "7", "--n1", "34", "--x2", "1", "--n2", "34", "--format", "json"
    )
    assert code == 0
    r = json.loads(out)
    assert (r["ratio"], r["lower"], r["upper"]) == pytest.approx((7.0, 1.2209, 42.5757), abs=5e-5)
    code, out, _ = invoke(
        "ci-means",
        "--mean1",
        "0.75",
        "--sd1",
        "1.7890096577591623",
        "--n1",
        "10",
        "--mean2",
        "2.33",
        "--sd2",
        "2.002248735796829",
        "--n2",
        "10",
        "--format",
        "json",
    )
    m = json.loads(out)
    assert code == 0 and (m["lower"], m["upper"]) == pytest.approx((-3.3654832, 0.2054832), abs=1e-7)


def test_samplesize_commands_json() -> None:
    code, out, _ = invoke(
        "samplesize-prop", "--p1", "0.6", "--p2", "0.6", "--margin", "0.15", "--format", "json"
    )
    assert code == 0 and json.loads(out)["n2"] == 183  # Chow et al. closed form: ceil(182.7)
    code, out, _ = invoke(
        "samplesize-means", "--sd", "1", "--margin", "0.5", "--format", "json", "--method", "normal"
    )
    assert code == 0 and json.loads(out)["n2"] == 69  # ceil(68.51)


def test_invalid_input_exits_2_with_a_message() -> None:
    code, _, err = invoke("ci-diff", "--x1", "80", "--n1", "70", "--x2", "48", "--n2", "80")
    assert code == 2 and "x1" in err and "at most n1" in err
    code, _, err = invoke("samplesize-prop", "--p1", "0.6", "--p2", "0.6")
    assert code == 2 and "margins are required" in err


def test_ada_summary_writes_incidence_and_differences(tmp_path: Path) -> None:
    src = tmp_path / "ada.csv"
    pd.DataFrame(
        {
            "USUBJID": ["a", "b", "c", "d"],
            "ARM": ["T", "T", "R", "R"],
            "VISIT": ["D29"] * 4,
            "ADA": ["POS", "NEG", "NEG", "NEG"],
        }
    ).to_csv(src, index=False)
    out = tmp_path / "out.csv"
    code, _, _ = invoke("ada-summary", "--ada", str(src), "--out", str(out), "--reference-arm", "R")
    assert code == 0
    table = pd.read_csv(out)
    assert set(table["table"]) == {"incidence", "difference"}
    row = table[(table["table"] == "incidence") & (table["arm"] == "T") & (table["timepoint"] == "D29")]
    assert row["n_positive"].item() == 1 and row["n_evaluable"].item() == 2


def test_ada_summary_bad_code_fails_without_output(tmp_path: Path) -> None:
    src = tmp_path / "ada.csv"
    src.write_text("USUBJID,ARM,VISIT,ADA\na,T,D29,maybe\n")
    out = tmp_path / "out.csv"
    code, _, err = invoke("ada-summary", "--ada", str(src), "--out", str(out))
    assert code == 2 and "maybe" in err and not out.exists()
