"""Bad input is reported with file, row and column before any computation, or excluded with a flag."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from bioparity.cli.main import app
from bioparity.errors import DataFileError
from bioparity.nca import Where, nca

GOOD = "subject,time,conc,dose\n1,0,0,100\n1,1,5,100\n1,2,4,100\n1,4,2,100\n1,8,1,100\n"


def _run(tmp_path: Path, text: str, *args: str) -> tuple[int, str, Path]:
    src = tmp_path / "in.csv"
    src.write_text(text)
    out = tmp_path / "out.csv"
    result = CliRunner().invoke(app, ["nca", str(src), "--out", str(out), *args])
    return result.exit_code, result.output, out


@pytest.mark.parametrize(
    ("bad_line", "replacement", "problem", "row", "column"),
    [
        ("1,2,4,100", "1,2,-4,100", "negative concentration", 3, "conc"),
        ("1,2,4,100", "1,2,four,100", "not a number", 3, "conc"),
        ("1,2,4,100", "1,1,4,100", "duplicated time", 3, "time"),
        ("1,4,2,100", "1,1.5,2,100", "earlier than the previous sample", 4, "time"),
        ("1,2,4,100", "1,,4,100", "empty cell", 3, "time"),
        ("1,2,4,100", "1,2,4,lots", "not a number", 3, "dose"),
        ("1,2,4,100", "1,2,4,200", "differs from earlier rows", 3, "dose"),
    ],
)
def test_bad_cell_names_file_row_and_column(
    tmp_path: Path, bad_line: str, replacement: str, problem: str, row: int, column: str
) -> None:
    code, output, out = _run(tmp_path, GOOD.replace(bad_line, replacement), "--dose", "dose")
    assert code == 2, output
    assert "in.csv" in output
    assert f"row {row} (line {row + 1})" in output
    assert f"column '{column}'" in output
    assert problem in output
    assert not out.exists()


def test_missing_column_lists_what_was_found(tmp_path: Path) -> None:
    code, output, _ = _run(tmp_path, GOOD.replace("conc", "concentration"))
    assert code == 2
    assert "missing column(s) 'conc'" in output and "concentration" in output


def test_missing_concentration_is_dropped_and_counted_not_silently(tmp_path: Path) -> None:
    code, output, out = _run(tmp_path, GOOD.replace("1,2,4,100", "1,2,,100"))
    assert code == 0, output
    assert "; 1 row left out: row 3 (line 4) subject=1 time=2 (all in out.csv.provenance.json)" in output
    assert "1 rows" not in output
    assert out.exists()


def test_missing_concentrations_are_named_on_screen_and_in_the_provenance(tmp_path: Path) -> None:
    """Which samples were left out, not only how many: the data row, file line, profile and time of each
    (a blank and an NA cell; a BLQ marker is not missing) on the terminal and in OUT.provenance.json."""
    text = GOOD + "2,0,0,100\n2,1,NA,100\n2,2,BLQ,100\n2,4,3,100\n"
    code, output, _ = _run(tmp_path, text.replace("1,2,4,100", "1,2,,100"))
    assert code == 0, output
    assert "; 2 rows left out: row 3 (line 4) subject=1 time=2; " in output
    assert "row 7 (line 8) subject=2 time=1 (all in out.csv.provenance.json)" in output
    record = json.loads((tmp_path / "out.csv.provenance.json").read_text())
    assert record["excluded_missing_concentration"] == [
        {"row": 3, "line": 4, "subject": "1", "time": "2"},
        {"row": 7, "line": 8, "subject": "2", "time": "1"},
    ]
    code, output, _ = _run(tmp_path, GOOD)
    assert code == 0 and "left out" not in output, output
    record = json.loads((tmp_path / "out.csv.provenance.json").read_text())
    assert record["excluded_missing_concentration"] == []


def test_multiple_dose_nca_names_the_missing_concentrations_it_left_out(tmp_path: Path) -> None:
    """The --dosing path used to drop a sample without a value without saying so."""
    doses = tmp_path / "doses.csv"
    doses.write_text("subject,time,dose\n1,0,100\n")
    text = "subject,time,conc\n1,0,0\n1,1,5\n1,2,\n1,4,2\n1,8,1\n1,12,0.6\n"
    code, output, _ = _run(tmp_path, text, "--dosing", str(doses), "--tau", "12")
    assert code == 0, output
    assert "wrote 1 dosing interval to " in output  # not "1 dosing intervals"
    assert "; 1 row left out: row 3 (line 4) subject=1 time=2 (all in out.csv.provenance.json)" in output
    record = json.loads((tmp_path / "out.csv.provenance.json").read_text())
    assert record["excluded_missing_concentration"] == [{"row": 3, "line": 4, "subject": "1", "time": "2"}]


def test_missing_dose_gives_flagged_missing_clearance(tmp_path: Path) -> None:
    code, output, out = _run(tmp_path, GOOD.replace(",100", ","), "--dose", "dose")
    assert code == 0, output
    frame = pd.read_csv(out, keep_default_na=False).set_index("PPTESTCD")
    assert frame.loc["CLFO", "PPSTRESN"] == ""
    assert frame.loc["CLFO", "reason"] == "dose missing"


def test_blq_marker_text_is_a_blq_sample() -> None:
    frame = pd.read_csv(io.StringIO(GOOD.replace("1,0,0,100", "1,0,BLQ,100")), dtype=str)
    res = nca(frame, where=Where(file="in.csv"))
    assert not res.flags["blq_imputed"][0]  # a pre-dose BLQ kept as 0 is the baseline, not flagged
    np.testing.assert_allclose(res.value("CMAX"), 5.0)


def test_error_object_carries_row_and_column() -> None:
    frame = pd.DataFrame({"subject": ["a", "a"], "time": [0.0, 1.0], "conc": ["1", "x"]})
    with pytest.raises(DataFileError) as info:
        nca(frame, where=Where(file="data.xpt", line_offset=None))
    assert (info.value.file, info.value.row, info.value.column) == ("data.xpt", 2, "conc")


@pytest.mark.parametrize(
    "bad",
    [
        {"subject": (7, " ")},  # empty identifier before any other problem
        {"time": (3, "x"), "conc": (2, "-1")},  # the time column is checked before the concentrations
        {"conc": (5, "-2"), "time": (9, "1")},  # negative concentration before unsorted times
        {"conc": (4, "oops")},
        {"time": (6, "")},
    ],
)
def test_threaded_column_checks_report_the_first_problem_as_before(
    bad: dict[str, tuple[int, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Large tables check their columns in two threads; the error reported is the one of the checks in
    their order (the same as one thread gives)."""
    from bioparity.nca import samples

    rows = 12 * 3
    frame = pd.DataFrame(
        {
            "subject": np.repeat(["a", "b", "c"], 12),
            "time": np.tile(np.arange(12.0), 3).astype(str),
            "conc": np.tile(np.linspace(0, 5, 12), 3).astype(str),
        }
    ).astype("str")
    for column, (row, text) in bad.items():
        frame.loc[row, column] = text
    messages = []
    for threaded_rows in (rows + 1, 0):  # one thread, then two
        monkeypatch.setattr(samples, "THREADED_ROWS", threaded_rows)
        with pytest.raises(DataFileError) as exc:
            nca(frame, where=Where(file="in.csv"))
        messages.append(str(exc.value))
    assert messages[0] == messages[1]
