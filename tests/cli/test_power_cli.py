"""The command-line contract of ``bioparity power`` / ``samplesize`` / ``cv-from-ci``."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from bioparity import __version__
from bioparity.cli.main import app
from tests.conftest import REFERENCE

runner = CliRunner()


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_version() -> None:
    code, out, _ = invoke("--version")
    assert code == 0 and out.strip() == f"bioparity {__version__}"


@pytest.mark.parametrize("command", [[], ["power"], ["samplesize"], ["cv-from-ci"], ["demo"]])
def test_every_command_has_help(command: list[str]) -> None:
    code, out, _ = invoke(*command, "--help")
    assert code == 0 and "Usage" in out


def test_console_script_is_installed() -> None:
    exe = shutil.which("bioparity") or str(Path(sys.executable).parent / "bioparity")
    done = subprocess.run([exe, "--version"], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == f"bioparity {__version__}"


def test_samplesize_json_contract() -> None:
    code, out, _ = invoke(
        "samplesize",
        "--design",
        "2x2",
        "--cv",
        "0.3",
        "--theta0",
        "0.95",
        "--target-power",
        "0.8",
        "--format",
        "json",
    )
    assert code == 0
    record = json.loads(out)
    # PowerTOST sampleN.TOST(CV=0.3): n 40, power 0.8158453
    assert record["n"] == 40 and record["power"] == pytest.approx(0.8158453, abs=1e-7)


def test_power_json_contract() -> None:
    code, out, _ = invoke(
        "power", "--design", "2x2", "--cv", "0.2", "--theta0", "0.95", "--n", "20", "--format", "json"
    )
    assert code == 0
    assert json.loads(out)["power"] == pytest.approx(0.8346802, abs=5e-8)  # PowerTOST README (T2)


def test_power_methods_on_the_command_line() -> None:
    code, out, _ = invoke("power", "--cv", "0.17", "--n", "16", "--method", "shifted", "--format", "json")
    assert code == 0 and json.loads(out)["power"] == pytest.approx(0.85230, abs=5e-6)  # PowerTOST README (T3)


def test_table_format_is_readable() -> None:
    code, out, _ = invoke("samplesize", "--cv", "0.3", "--format", "table")
    assert code == 0 and "40" in out and "0.815845" in out


def test_cv_from_ci_command() -> None:
    code, out, _ = invoke(
        "cv-from-ci", "--lower", "0.87", "--upper", "1.13", "--point", "0.99", "--n", "23", "--format", "json"
    )
    assert code == 0 and json.loads(out)["cv"] == pytest.approx(0.2617363, abs=5e-8)


def test_samplesize_grid_reproduces_powertost(tmp_path: Path) -> None:
    ref = pd.read_csv(REFERENCE / "expected/sample_size_tost.csv")
    grid = tmp_path / "in.csv"
    inputs = ref.drop(columns=["n", "power"]).iloc[::-1]  # reversed: row order must be kept
    inputs.to_csv(grid, index=False)
    out = tmp_path / "out.csv"
    code, _, _ = invoke("samplesize", "--grid", str(grid), "--out", str(out))
    assert code == 0
    got = pd.read_csv(out)
    expected = ref.iloc[::-1].reset_index(drop=True)
    assert list(got.columns) == [*inputs.columns, "n", "power"]
    assert (got["n"] == expected["n"]).all()
    assert (got["power"] - expected["power"]).abs().max() < 1e-9
    assert (got["cv"] == expected["cv"]).all()
    provenance = json.loads((tmp_path / "out.csv.provenance.json").read_text())
    assert provenance["input_sha256"] == hashlib.sha256(grid.read_bytes()).hexdigest()
    assert provenance["software"] == f"bioparity {__version__}"


def test_samplesize_grid_blank_defaults(tmp_path: Path) -> None:
    grid = tmp_path / "in.csv"
    grid.write_text(
        "design,cv,theta0,theta1,theta2,alpha,target_power\n2x2,0.3,0.95,,,,0.8\nparallel,0.35,0.95,,,,0.8\n"
    )
    out = tmp_path / "out.csv"
    code, _, err = invoke("samplesize", "--grid", str(grid), "--out", str(out))
    assert code == 0, err
    got = pd.read_csv(out)
    assert got["n"].tolist()[0] == 40
    assert got["theta1"].isna().all()  # IN columns are kept as the user wrote them


def test_samplesize_grid_method_column_is_applied_per_row(tmp_path: Path) -> None:
    """PowerTOST's sampleN.TOST example T3 (2x2, CV 0.17, theta0 0.95; published_vectors.csv): n 14 exact,
    14 nct, 16 shifted. The grid's method column was silently ignored (every row exact, printed beside
    'shifted'), and a method that does not exist was accepted; a blank cell takes --method."""
    vectors = pd.read_csv(REFERENCE / "power" / "published_vectors.csv", comment="#")
    grid, out = tmp_path / "in.csv", tmp_path / "out.csv"
    grid.write_text("design,cv,theta0,target_power,method\n" + "".join(
        f"2x2,0.17,0.95,0.8,{m}\n" for m in ("exact", "nct", "shifted", "")
    ))  # fmt: skip
    code, _, err = invoke("samplesize", "--grid", str(grid), "--out", str(out), "--method", "shifted")
    assert code == 0, err
    got = pd.read_csv(out, keep_default_na=False)
    expected = {
        (str(r["case"]), str(r["quantity"])): (float(r["expected"]), float(r["tolerance"]))
        for r in vectors.to_dict("records")
    }
    cases = ("T3-exact", "T3-nct", "T3-shifted", "T3-shifted")
    for n, power, case in zip(got["n"].tolist(), got["power"].tolist(), cases, strict=True):
        assert n == expected[case, "n"][0], (case, n)
        assert abs(power - expected[case, "power"][0]) <= expected[case, "power"][1], (case, power)
    grid.write_text("design,cv,theta0,target_power,method\n2x2,0.17,0.95,0.8,bogus\n")
    code, _, err = invoke("samplesize", "--grid", str(grid), "--out", str(out))
    assert code == 2 and "row 1 (line 2), column 'method'" in err and "(got 'bogus')" in err, err


def test_power_grid(tmp_path: Path) -> None:
    ref = pd.read_csv(REFERENCE / "expected/power_tost.csv")
    grid = tmp_path / "in.csv"
    frame = ref[["design", "cv", "theta0", "n"]].copy()
    frame["method"] = ["exact", "nct", "shifted"] * (len(frame) // 3)
    frame.to_csv(grid, index=False)
    out = tmp_path / "out.csv"
    code, _, err = invoke("power", "--grid", str(grid), "--out", str(out))
    assert code == 0, err
    got = pd.read_csv(out)
    expected = ref["power_exact"].where(frame["method"] == "exact", 0.0)
    expected = expected + ref["power_nct"].where(frame["method"] == "nct", 0.0)
    expected = expected + ref["power_shifted"].where(frame["method"] == "shifted", 0.0)
    assert (got["power"] - expected).abs().max() < 1e-7


GOOD = "design,cv,theta0,theta1,theta2,alpha,target_power\n2x2,0.3,0.95,,,,0.8\n"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (GOOD + "2x5,0.3,0.95,,,,0.8\n", r"row 2 \(line 3\), column 'design'.*'2x5'.*expected a design name"),
        (GOOD + "2x2,0,0.95,,,,0.8\n", r"row 2 \(line 3\), column 'cv'.*expected a CV > 0"),
        (GOOD + "2x2,-0.2,0.95,,,,0.8\n", r"row 2 \(line 3\), column 'cv'"),
        (GOOD + "2x2,thirty,0.95,,,,0.8\n", r"row 2 \(line 3\), column 'cv': not a number \(got 'thirty'\)"),
        (
            "design,cv,theta1,theta2,alpha,target_power\n2x2,0.3,,,,0.8\n",
            r"missing column\(s\) 'theta0'.*found: design",
        ),
        (GOOD + "2x2,0.3,1.3,,,,0.8\n", r"row 2 \(line 3\), column 'theta0'.*strictly inside the limits"),
        (GOOD + "2x2,0.3,0.95,1.1,0.9,,0.8\n", r"row 2 \(line 3\), column 'theta2'"),
        (GOOD + "2x2,0.3,,,,,0.8\n", r"row 2 \(line 3\), column 'theta0': empty cell"),
        (GOOD + "2x2,0.3,0.95,,,,1.5\n", r"row 2 \(line 3\), column 'target_power'"),
    ],
)
def test_malformed_grid_fails_before_work_and_writes_nothing(
    tmp_path: Path, content: str, expected: str
) -> None:
    grid = tmp_path / "bad.csv"
    grid.write_text(content)
    out = tmp_path / "out.csv"
    code, _, err = invoke("samplesize", "--grid", str(grid), "--out", str(out))
    assert code == 2
    assert "bad.csv" in err
    assert re.search(expected, err), err
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [grid]  # no temporary file left behind either


def test_malformed_power_grid_names_row_and_column(tmp_path: Path) -> None:
    grid = tmp_path / "bad.csv"
    grid.write_text("design,cv,theta0,n\n2x2,0.3,0.95,24\n2x2,0.3,0.95,24.5\n")
    out = tmp_path / "out.csv"
    code, _, err = invoke("power", "--grid", str(grid), "--out", str(out))
    assert code == 2 and "row 2 (line 3), column 'n'" in err and not out.exists()


def test_grid_requires_out(tmp_path: Path) -> None:
    grid = tmp_path / "in.csv"
    grid.write_text(GOOD)
    code, _, err = invoke("samplesize", "--grid", str(grid))
    assert code == 2 and "--out" in err


def test_missing_grid_file(tmp_path: Path) -> None:
    code, _, err = invoke(
        "samplesize", "--grid", str(tmp_path / "nope.csv"), "--out", str(tmp_path / "o.csv")
    )
    assert code == 2 and "file not found" in err


def test_demo_runs() -> None:
    code, out, _ = invoke("demo")
    assert code == 0 and "PK similarity" in out


def test_output_to_a_device_writes_through_and_keeps_the_device(tmp_path: Path) -> None:
    """--out /dev/null must not replace the device with a regular file (atomic rename is for files)."""
    grid = tmp_path / "in.csv"
    grid.write_text(GOOD)
    code, _, err = invoke("samplesize", "--grid", str(grid), "--out", "/dev/null")
    assert code == 0, err
    assert Path("/dev/null").is_char_device()
    assert not Path("/dev/null.provenance.json").exists()


@pytest.mark.parametrize(
    ("lang", "rows", "said"),
    [("en", 1, "wrote 1 row to "), ("en", 2, "wrote 2 rows to "), ("zh-CN", 1, "已将 1 行写入 ")],
)
def test_a_count_of_one_is_singular(tmp_path: Path, lang: str, rows: int, said: str) -> None:
    """'wrote 1 rows' read as a typo: a count takes the singular or plural form (ngettext)."""
    grid = tmp_path / "grid.csv"
    grid.write_text("design,cv,theta0,n\n" + "2x2,0.3,0.95,24\n" * rows, encoding="utf-8")
    code, _out, err = invoke("--lang", lang, "power", "--grid", str(grid), "--out", str(tmp_path / "o.csv"))
    assert code == 0 and said in err, err
