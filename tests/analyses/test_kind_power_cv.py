"""Finding F8 in the workspace: a ``power`` / ``samplesize`` grid with a CV typed as a percentage is computed
as given and its result stores one note naming the rows (a note template: shown in the reader's language);
a grid of plausible CVs stores no note (its result is as before). Through the API and the web pages too."""

from __future__ import annotations

from pathlib import Path

import pytest

from bioparity.i18n.notes import translate_note
from tests.analyses import kinds_support as kinds

POWER_GRID = b"design,cv,theta0,n\n2x2,0.3,0.95,40\n2x2,30,0.95,24\n2x2,1.5,0.95,24\n"
SAMPLESIZE_GRID = (
    b"design,cv,theta0,theta1,theta2,alpha,target_power\n2x2,0.3,0.95,,,,0.8\n2x2,25,0.95,,,,0.8\n"
)
NOTE_30 = "row 2 (line 3), column 'cv': CV 30 is 3000%: a CV is a ratio (0.3 for 30%); computed as given"
NOTE_25 = "row 2 (line 3), column 'cv': CV 25 is 2500%: a CV is a ratio (0.25 for 25%); computed as given"


def _write(folder: Path, content: bytes) -> Path:
    path = folder / "grid.csv"
    path.write_bytes(content)
    return path


def test_the_power_result_stores_the_note_and_the_numbers_as_given(tmp_path: Path) -> None:
    result = kinds.workspace_result("power", _write(tmp_path, POWER_GRID))
    assert result["notes"] == [NOTE_30]
    power = kinds.workspace_table("power", _write(tmp_path, POWER_GRID))["power"]
    # PowerTOST power.TOST(CV = 0.3, theta0 = 0.95, n = 40) = 0.8158453; CV 30 computed as given (~9.1e-16)
    assert power[0] == pytest.approx(0.8158453, abs=1e-7)
    assert power[1] == pytest.approx(9.107e-16, rel=1e-3)
    assert translate_note(NOTE_30, "zh-CN") == (
        "第 2 行（文件第 3 行），列“cv”：CV 30 即 3000%：CV 应以比值输入（30% 应写作 0.3）；已按所给数值计算"
    )


def test_the_samplesize_result_stores_the_note(tmp_path: Path) -> None:
    result = kinds.workspace_result("samplesize", _write(tmp_path, SAMPLESIZE_GRID))
    assert result["notes"] == [NOTE_25]
    assert (
        kinds.workspace_table("samplesize", _write(tmp_path, SAMPLESIZE_GRID))["n"][0] == 40
    )  # sampleN.TOST


def test_a_grid_of_plausible_cvs_stores_no_note(tmp_path: Path) -> None:
    grid = _write(tmp_path, b"design,cv,theta0,n\n2x2,0.3,0.95,40\n2x2,1.5,0.95,24\n")
    assert "notes" not in kinds.workspace_result("power", grid)


def test_through_the_api(workspace: kinds.Workspace) -> None:
    run = workspace.api_run("power", "grid.csv", POWER_GRID)
    assert run["result"]["notes"] == [NOTE_30]


def test_through_the_web_pages(workspace: kinds.Workspace) -> None:
    page, report = workspace.web_run("samplesize", "grid.csv", SAMPLESIZE_GRID)
    for html in (page, report):
        assert NOTE_25 in kinds.text_of(html)
