"""Finding F8: a CV typed as a percentage (``--cv 30``) is computed as given, with a warning on stderr.

Every command taking a CV warns for a CV >= 2 (200%), naming the option (or the grid file, its rows and
column); the numbers on stdout and in OUT are those without the warning; a CV of 1.5 gives no warning.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from bioparity.cli.main import app

runner = CliRunner()

WARNING_30 = "warning: --cv: CV 30 is 3000%: a CV is a ratio (0.3 for 30%); computed as given"


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_power_with_cv_30_warns_and_computes_as_given() -> None:
    code, out, err = invoke(
        "power", "--design", "2x2", "--cv", "30", "--theta0", "0.95", "--n", "24", "--format", "json"
    )
    assert code == 0, err
    assert err.strip() == WARNING_30
    record = json.loads(out)
    assert record["cv"] == 30.0 and record["power"] == pytest.approx(9.107e-16, rel=1e-3)


def test_power_and_samplesize_with_cv_1_5_or_0_3_do_not_warn() -> None:
    code, out, err = invoke("power", "--cv", "1.5", "--n", "24", "--format", "json")
    assert code == 0 and err == ""
    assert json.loads(out)["cv"] == 1.5
    code, out, err = invoke("samplesize", "--cv", "0.3", "--format", "json")
    assert code == 0 and err == ""
    # PowerTOST sampleN.TOST(CV = 0.3): n 40, power 0.8158453
    record = json.loads(out)
    assert record["n"] == 40 and record["power"] == pytest.approx(0.8158453, abs=1e-7)


def test_samplesize_with_cv_30_warns() -> None:
    code, out, err = invoke("samplesize", "--cv", "30", "--format", "json")
    assert code == 0, err
    assert err.strip() == WARNING_30
    assert json.loads(out)["cv"] == 30.0


def test_the_warning_is_in_the_command_language() -> None:
    code, _, err = invoke("--lang", "zh-CN", "power", "--cv", "30", "--n", "24", "--format", "json")
    assert code == 0
    assert err.strip() == "警告：--cv：CV 30 即 3000%：CV 应以比值输入（30% 应写作 0.3）；已按所给数值计算"


@pytest.mark.parametrize(
    ("command", "header", "rows"),
    [
        (
            "power",
            "design,cv,theta0,n",
            ["2x2,0.3,0.95,40", "2x2,30,0.95,24", "2x2,1.5,0.95,24", "2x2,25,0.95,24"],
        ),
        (
            "samplesize",
            "design,cv,theta0,theta1,theta2,alpha,target_power",
            ["2x2,0.3,0.95,,,,0.8", "2x2,30,0.95,,,,0.8", "2x2,1.5,0.95,,,,0.8", "2x2,25,0.95,,,,0.8"],
        ),
    ],
)
def test_a_grid_warns_once_naming_its_rows(
    command: str, header: str, rows: list[str], tmp_path: Path
) -> None:
    grid, out = tmp_path / "grid.csv", tmp_path / "out.csv"
    grid.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    code, _, err = invoke(command, "--grid", str(grid), "--out", str(out))
    assert code == 0, err
    warnings = [line for line in err.splitlines() if line.startswith("warning:")]
    assert warnings == [
        f"warning: {grid}: rows 2, 4 (lines 3, 5), column 'cv': "
        "CV 30 is 3000%: a CV is a ratio (0.3 for 30%); computed as given"
    ]
    first = pd.read_csv(out).iloc[0]
    if command == "power":  # PowerTOST power.TOST(CV = 0.3, theta0 = 0.95, n = 40) = 0.8158453
        assert first["power"] == pytest.approx(0.8158453, abs=1e-7)
    else:
        assert first["n"] == 40


def test_a_grid_of_plausible_cvs_does_not_warn(tmp_path: Path) -> None:
    grid, out = tmp_path / "grid.csv", tmp_path / "out.csv"
    grid.write_text("design,cv,theta0,n\n2x2,0.3,0.95,40\n2x2,1.5,0.95,24\n", encoding="utf-8")
    code, _, err = invoke("power", "--grid", str(grid), "--out", str(out))
    assert code == 0 and "warning" not in err


def test_pk_similarity_sample_size_warns_for_each_cv_so_given() -> None:
    code, out, err = invoke(
        "samplesize-pk-similarity", "--cv", "0.35,40,45", "--metrics", "AUC,CMAX,AUCT", "--n-sim", "1000",
        "--format", "json",
    )  # fmt: skip
    assert code == 0, err
    assert [line for line in err.splitlines() if line.startswith("warning:")] == [
        "warning: --cv: CV 40 is 4000%: a CV is a ratio (0.4 for 40%); computed as given",
        "warning: --cv: CV 45 is 4500%: a CV is a ratio (0.45 for 45%); computed as given",
    ]
    assert json.loads(out)["cv"].startswith("0.35,40,45;")


def test_the_simulation_warns_naming_the_option() -> None:
    code, out, err = invoke(
        "simulate", "pk-similarity", "--n-studies", "10", "--workers", "0", "--cv-cl", "35",
        "--residual-cv", "1.5", "--format", "json",
    )  # fmt: skip
    assert code == 0, err
    assert [line for line in err.splitlines() if line.startswith("warning:")] == [
        "warning: --cv-cl: CV 35 is 3500%: a CV is a ratio (0.35 for 35%); computed as given"
    ]
    assert json.loads(out)["design"]["cv_cl"] == 35.0
