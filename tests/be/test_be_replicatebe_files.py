"""``bioparity be`` reads data files written in replicateBE's conventions (issue 24, migration friction).

replicateBE's ``get.data`` reads ``#`` description lines before the header, column names in any case,
``,``/``;``/tab separators, and missing values marked ``.`` (its ``na = "."``), ``NA`` or blank. The files
here are rds15 (112 missing values) and rds21 (two values set to NA) rewritten in those conventions; the
results must equal replicateBE's ``method.A`` / ``method.B`` on the same data
(replicate_be/expected_methods_ab_rds11_30.csv).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

from bioparity.be.data import crossover_data, read_crossover_file
from bioparity.cli.main import app
from bioparity.errors import DataFileError
from tests.conftest import REFERENCE

RDS = REFERENCE / "replicate_be"
AB = pd.read_csv(RDS / "expected_methods_ab_rds11_30.csv", comment="#")
runner = CliRunner()


def rewrite(name: str, path: Path, *, marker: str, sep: str = ",", comment: bool = True) -> Path:
    """The data set as replicateBE ships its files: description line, upper-case header, ``marker``."""
    frame = pd.read_csv(RDS / f"{name}.csv")
    lines = [f"# {name} rewritten in replicateBE's file conventions"] if comment else []
    lines.append(sep.join(["Subject", "Period", "Sequence", "Treatment", "PK", "logPK"]))
    for r in frame.to_dict("records"):
        value: Any = r["PK"]
        missing = value is None or value != value  # NaN
        pk = marker if missing else repr(float(value))
        logpk = marker if missing else "0"
        fields = [str(r["subject"]), str(r["period"]), str(r["sequence"]), str(r["treatment"]), pk, logpk]
        lines.append(sep.join(fields))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def reference(name: str, method: str) -> pd.Series:
    return AB[(AB["dataset"] == name) & (AB["method"] == method)].iloc[0]


@pytest.mark.parametrize(
    ("name", "marker", "sep"),
    [("rds15", ".", ","), ("rds15", "", ";"), ("rds21", "NA", "\t"), ("rds21", ".", ";")],
)
def test_cli_reads_replicatebe_files(tmp_path: Path, name: str, marker: str, sep: str) -> None:
    path = rewrite(name, tmp_path / f"{name}.csv", marker=marker, sep=sep)
    result = runner.invoke(app, ["be", str(path), "--method", "ema-abel-a", "--format", "json"])
    assert result.exit_code == 0, result.stderr
    record = json.loads(result.stdout)
    ref = reference(name, "A")
    assert record["n"] == ref["n"]
    assert record["pe"] == pytest.approx(ref["pe"], rel=1e-6)
    assert record["ci_lower"] == pytest.approx(ref["ci_lower"], rel=1e-6)
    assert record["ci_upper"] == pytest.approx(ref["ci_upper"], rel=1e-6)
    assert record["cvwr"] == pytest.approx(ref["cvwr"], rel=1e-9)
    missing = int(pd.read_csv(RDS / f"{name}.csv")["PK"].isna().sum())
    assert record["missing_values"] == missing > 0


def test_na_option_declares_other_markers(tmp_path: Path) -> None:
    path = rewrite("rds21", tmp_path / "rds21.csv", marker="Missing")
    result = runner.invoke(app, ["be", str(path), "--method", "ema-abel-b", "--format", "json"])
    assert result.exit_code != 0
    assert "not a number and not a missing-value marker" in result.stderr
    assert "'Missing'" in result.stderr and "--na" in result.stderr
    result = runner.invoke(
        app, ["be", str(path), "--method", "ema-abel-b", "--na", "Missing", "--format", "json"]
    )
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["pe"] == pytest.approx(reference("rds21", "B")["pe"], rel=1e-6)


def test_a_marker_not_declared_is_an_error_with_its_line(tmp_path: Path) -> None:
    path = rewrite("rds21", tmp_path / "rds21.csv", marker=".")
    with pytest.raises(DataFileError) as info:
        read_crossover_file(path, na=["NA"])
    err = info.value
    assert err.column == "PK" and err.value == "."
    line = path.read_text(encoding="utf-8").splitlines()[err.line - 1]  # type: ignore[operator]
    assert line.split(",")[4] == "."


def test_reader_without_comment_and_lower_case_header_equals_plain_csv(tmp_path: Path) -> None:
    path = rewrite("rds15", tmp_path / "plain.csv", marker="", comment=False)
    ours = crossover_data(read_crossover_file(path))
    plain = crossover_data(pd.read_csv(RDS / "rds15.csv"))
    assert ours.missing_values == plain.missing_values == 112
    assert ours.design == plain.design == "TRTR|RTRT"


def test_missing_column_names_the_header_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("# description\nsubject,period,sequence,formulation,PK\n1,1,TR,T,1\n", encoding="utf-8")
    with pytest.raises(DataFileError, match=r"missing column.*treatment") as info:
        read_crossover_file(path)
    assert info.value.line == 2
