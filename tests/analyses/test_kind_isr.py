"""The ``isr`` kind (issue #20 in the workspace): the numbers of a workspace run are those of
``bioparity isr`` on the same file, the ICH M10 rule holds on constructed cases, and a run goes through the
API and the web pages (run page and HTML report with the kind's tables and summary)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bioparity.analyses import get_analysis
from bioparity.analyses.isr import example_data
from tests.analyses import kinds_support as kinds


def _example(folder: Path) -> Path:
    path = folder / "isr.csv"
    path.write_bytes(example_data())
    return path


@pytest.mark.parametrize("assay", ["ligand-binding", "chromatographic"])
def test_a_workspace_run_has_the_numbers_of_the_command(assay: str, tmp_path: Path) -> None:
    data, out = _example(tmp_path), tmp_path / "out.csv"
    kinds.cli_table("isr", str(data), "--assay", assay, "--out", str(out))
    kinds.assert_same_table(kinds.read_csv(out), kinds.workspace_table("isr", data, {"assay": assay}))


@pytest.mark.parametrize(
    ("repeats", "assay", "passed"),
    [
        # ICH M10 section 7: |repeat - original| / mean <= 30% (ligand-binding) for >= 2/3 of the samples
        ((100, 135, 100, 70, 100, 100), "ligand-binding", True),  # +29.8%, -35.3%: 5 of 6 within
        ((100, 140, 60, 100, 100, 100), "ligand-binding", True),  # 4 of 6 = exactly two thirds
        ((140, 140, 60, 100, 100, 100), "ligand-binding", False),  # 3 of 6
        ((100, 121, 100, 100, 100, 100), "chromatographic", True),  # +19.0% within 20%
        ((125, 125, 100, 100, 100, 100), "chromatographic", True),  # 4 of 6 (+22.2% outside)
        ((125, 125, 125, 100, 100, 100), "chromatographic", False),
    ],
)
def test_the_two_thirds_rule_on_constructed_cases(
    repeats: tuple[int, ...], assay: str, passed: bool, tmp_path: Path
) -> None:
    data = tmp_path / "isr.csv"
    rows = "".join(f"S{i},100,{r}\n" for i, r in enumerate(repeats))
    data.write_text("sample,original,repeat\n" + rows, encoding="utf-8")
    result = kinds.workspace_result("isr", data, {"assay": assay})
    assert result["passed"] is passed
    limit = 30 if assay == "ligand-binding" else 20
    within = [abs(200 * (r - 100) / (r + 100)) <= limit for r in repeats]
    assert result["n_within"] == sum(within)
    summary = get_analysis("isr").summary(result, {"assay": assay})
    assert summary.startswith(f"ISR {'pass' if passed else 'fail'}: {sum(within)} of 6 repeats")


def test_the_report_lists_the_samples_to_investigate(tmp_path: Path) -> None:
    table = kinds.workspace_table("isr", _example(tmp_path))
    tables = get_analysis("isr").tables(table, {"assay": "ligand-binding"})
    (outside,) = tables.extra
    assert [row[0] for row in outside.rows] == ["S005", "S014"]  # the example's two far-off repeats
    assert [row[3] for row in outside.rows] == ["+43.1", "-50.0"]


def test_through_the_api(workspace: kinds.Workspace, tmp_path: Path) -> None:
    run = workspace.api_run("isr", "isr.csv", example_data(), assay="chromatographic")
    assert run["result"] == kinds.workspace_result("isr", _example(tmp_path), {"assay": "chromatographic"})
    assert run["result"]["passed"] is True and run["result"]["n_within"] == 18


def test_through_the_web_pages(workspace: kinds.Workspace, tmp_path: Path) -> None:
    page, report = workspace.web_run("isr", "isr.csv", example_data(), assay="ligand-binding")
    assert "ISR pass: 18 of 20 repeats (90.0%) within ±30% (ICH M10: at least two thirds)" in kinds.text_of(
        page
    )
    for html in (page, report):
        text = kinds.text_of(html)
        assert "ISR pass: 18 of 20 repeats (90.0%) within ±30%" in text
        assert "Incurred sample reanalysis per sample (ICH M10 section 7)" in text
    assert "Samples outside the limit (to investigate)" in kinds.text_of(report)
