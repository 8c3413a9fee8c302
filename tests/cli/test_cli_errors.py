"""Issue #16 items 14 and 15: one-line errors instead of tracebacks, and no silent acceptance."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bioparity.cli.main import app
from bioparity.errors import DataFileError

runner = CliRunner()

NCA_CSV = "subject,time,conc\n1,0,0\n1,1,5\n1,2,4\n1,4,2\n1,8,1\n1,12,0.5\n"


def _one_line_error(result: object, *needles: str) -> None:
    output = result.output  # type: ignore[attr-defined]
    assert result.exit_code == 2, output  # type: ignore[attr-defined]
    assert "Traceback" not in output
    errors = [line for line in output.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, output
    for needle in needles:
        assert needle in errors[0], errors[0]


@pytest.fixture
def nca_input(tmp_path: Path) -> Path:
    path = tmp_path / "conc.csv"
    path.write_text(NCA_CSV)
    return path


@pytest.fixture
def blocker(tmp_path: Path) -> Path:
    """A regular file used as if it were a folder: nothing can be written below it, even as root."""
    path = tmp_path / "not-a-folder"
    path.write_text("x")
    return path


def test_nca_out_is_a_folder(nca_input: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["nca", str(nca_input), "--out", str(tmp_path)])
    _one_line_error(result, "--out", "is a folder")


def test_nca_out_unwritable(nca_input: Path, blocker: Path) -> None:
    result = runner.invoke(app, ["nca", str(nca_input), "--out", str(blocker / "out.csv")])
    _one_line_error(result, "--out", "cannot be written", "is a file, not a folder")


def test_nca_adpp_unwritable_fails_before_any_output(nca_input: Path, blocker: Path, tmp_path: Path) -> None:
    out = tmp_path / "pp.csv"
    result = runner.invoke(
        app, ["nca", str(nca_input), "--out", str(out), "--adpp", str(blocker / "adpp.xpt")]
    )
    _one_line_error(result, "--adpp", "cannot be written")
    assert not out.exists()


@pytest.mark.parametrize("tau", ["0", "-12"])
def test_nca_tau_must_be_positive(nca_input: Path, tmp_path: Path, tau: str) -> None:
    dosing = tmp_path / "dosing.csv"
    dosing.write_text("subject,time,dose\n1,0,100\n")
    out = tmp_path / "md.csv"
    result = runner.invoke(
        app, ["nca", str(nca_input), "--out", str(out), "--dosing", str(dosing), f"--tau={tau}"]
    )
    _one_line_error(result, f"--tau {tau}", "positive")
    assert not out.exists()


def _caa_files(tmp_path: Path) -> tuple[Path, Path]:
    rng = random.Random(1)
    rows = ["attribute,source,lot,value"]
    rows += [f"purity,ref-eu,R{i},{98 + rng.gauss(0, 0.5):.3f}" for i in range(10)]
    rows.append("purity,test,T1,98.1")
    data = tmp_path / "caa.csv"
    data.write_text("\n".join(rows) + "\n")
    catalogue = tmp_path / "catalogue.csv"
    catalogue.write_text("name,method,tier\npurity,quality-range,2\n")
    return data, catalogue


def test_caa_catalogue_not_utf8(tmp_path: Path) -> None:
    data, _ = _caa_files(tmp_path)
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes("name,method,tier,unit\npurity,quality-range,2,\u00b5g\n".encode("latin-1"))
    result = runner.invoke(
        app, ["caa", str(data), "--catalogue", str(latin1), "--out", str(tmp_path / "o.csv")]
    )
    _one_line_error(result, "latin1.csv", "not UTF-8", "line 2")


def test_caa_out_unwritable(tmp_path: Path, blocker: Path) -> None:
    data, catalogue = _caa_files(tmp_path)
    result = runner.invoke(
        app, ["caa", str(data), "--catalogue", str(catalogue), "--out", str(blocker / "o.csv")]
    )
    _one_line_error(result, "--out", "cannot be written")


def test_caa_single_test_lot_quality_range_pass_is_warned(tmp_path: Path) -> None:
    data, catalogue = _caa_files(tmp_path)
    result = runner.invoke(
        app,
        # The old plan: the default plan (qr-2025) needs 10 lots per source and does not pass a single lot.
        [
            "caa",
            str(data),
            "--catalogue",
            str(catalogue),
            "--out",
            str(tmp_path / "o.csv"),
            "--plan",
            "tiered-2017",
        ],
    )
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "Single test lot, test vs ref-eu: purity passed on one test lot" in text


@pytest.mark.parametrize(
    "url",
    ["postgresql://nobody@127.0.0.1:1/none", "sqlite:////nonexistent-folder/for/sure/store.db"],
    ids=["postgresql-refused", "sqlite-no-folder"],
)
@pytest.mark.parametrize(
    "command", [["db", "upgrade"], ["audit", "verify"]], ids=["db-upgrade", "audit-verify"]
)
def test_unreachable_database_is_one_line(url: str, command: list[str]) -> None:
    result = runner.invoke(app, [*command, "--database-url", url])
    _one_line_error(result, "cannot reach the database", "--database-url")


def test_be_message_prints_plain_numbers(tmp_path: Path) -> None:
    data = tmp_path / "be.csv"
    data.write_text(
        "subject,sequence,period,treatment,PK\n1,TR,1,T,-5\n1,TR,2,R,10\n2,RT,1,R,12\n2,RT,2,T,11\n"
        "3,TR,1,T,9\n3,TR,2,R,10\n4,RT,1,R,8\n4,RT,2,T,7\n"
    )
    result = runner.invoke(app, ["be", str(data), "--format", "json"])
    _one_line_error(result, "column 'PK'", "(got -5.0)")
    assert "np.float64" not in result.output


def test_data_file_error_shows_numpy_values_plainly() -> None:
    import numpy as np

    assert "(got -5.0)" in str(DataFileError("bad", value=np.float64(-5.0)))
    assert "(got 3)" in str(DataFileError("bad", value=np.int64(3)))
