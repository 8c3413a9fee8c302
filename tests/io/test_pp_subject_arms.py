"""A subject in two arms of a PK parameter table (``bioparity pk-similarity``, the ``pk-similarity`` kind).

In parallel arms a subject belongs to one arm (EMA CPMP/EWP/QWP/1401/98 Rev. 1, 2010, section 4.1.8: the
compared arms are distinct subjects). ``bioparity nca`` treats the arm as a grouping column, so a subject
identifier reused in a second arm gives two profiles and its long PP table two values of each parameter for
that subject. The error was "second value of the same parameter for a subject (got 'CMAX'); expected one value
per subject and PPTESTCD (filter intervals first)": the wrong cause, no subject, no arm.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from bioparity.analyses import get_analysis
from bioparity.cli.main import app
from bioparity.errors import DataFileError
from bioparity.io.pp import read_metric_table

PARAMETERS = ("CMAX", "AUCLST")


def long_pp(path: Path, arms: dict[str, str], weights: dict[str, str] | None = None) -> Path:
    """A long PP table as ``bioparity nca`` writes it: one row per subject and parameter."""
    rows = [
        {"arm": arm, "subject": subject, "PPTESTCD": code, "PPSTRESN": 10.0 + i + j}
        for i, (subject, arm) in enumerate(arms.items())
        for j, code in enumerate(PARAMETERS)
    ]
    frame = pd.DataFrame(rows)
    if weights is not None:
        frame["weight"] = frame["subject"].map(weights)
    frame.to_csv(path, index=False)
    return path


ARMS = {"S1": "test", "S2": "test", "S3": "eu-ref", "S4": "eu-ref"}


def test_a_subject_in_two_arms_is_named_with_both_rows(tmp_path: Path) -> None:
    # S3's identifier reused in the test arm (rows 1-2 test S1, 3-4 test S3, 5-6 eu-ref S3, ...)
    path = long_pp(tmp_path / "pp.csv", {"S1": "test", "S3": "test", "S3 ": "eu-ref", "S4": "eu-ref"})
    frame = pd.read_csv(path)
    frame["subject"] = frame["subject"].str.strip()
    frame.to_csv(path, index=False)
    with pytest.raises(DataFileError) as info:
        read_metric_table(path, None, None, list(PARAMETERS), [])
    error = info.value
    assert (error.row, error.line, error.column, error.value) == (5, 6, "arm", "eu-ref")
    assert "subject S3 has 'test' on row 3" in str(error) and "one arm per subject" in str(error)
    assert "second value of the same parameter" not in str(error)


def test_the_kind_and_the_command_line_say_the_same(tmp_path: Path) -> None:
    path = long_pp(tmp_path / "pp.csv", ARMS)
    frame = pd.read_csv(path)
    frame.loc[frame["subject"] == "S3", "subject"] = "S1"  # S1 in test and in eu-ref
    frame.to_csv(path, index=False)
    kind = get_analysis("pk-similarity")
    with pytest.raises(DataFileError, match="subject S1 has 'test' on row 1") as info:
        kind.compute(kind.read(path), {"arms": "test,eu-ref", "metrics": "CMAX,AUCLST"})
    assert info.value.column == "arm" and info.value.row == 5
    result = CliRunner().invoke(
        app,
        [
            "pk-similarity",
            str(path),
            "--arms",
            "test,eu-ref",
            "--metrics",
            "CMAX,AUCLST",
            "--out",
            str(tmp_path / "o.csv"),
        ],
    )
    assert result.exit_code == 2
    assert "row 5 (line 6), column 'arm': subject S1 has 'test' on row 1" in result.stderr


def test_a_covariate_that_changes_within_a_subject_names_the_rows(tmp_path: Path) -> None:
    path = long_pp(tmp_path / "pp.csv", ARMS, {"S1": "70", "S2": "80", "S3": "75", "S4": "90"})
    frame = pd.read_csv(path, dtype=str)
    frame.loc[3, "weight"] = "81"  # S2's second row
    frame.to_csv(path, index=False)
    with pytest.raises(DataFileError, match="subject S2 has '80' on row 3") as info:
        read_metric_table(path, None, None, list(PARAMETERS), ["weight"])
    assert (info.value.row, info.value.column, info.value.value) == (4, "weight", "81")
    assert "one value per subject" in str(info.value)


def test_a_blank_covariate_cell_beside_a_value_is_named(tmp_path: Path) -> None:
    path = long_pp(tmp_path / "pp.csv", ARMS, {"S1": "70", "S2": "80", "S3": "75", "S4": "90"})
    frame = pd.read_csv(path, dtype=str)
    frame.loc[3, "weight"] = ""
    frame.to_csv(path, index=False)
    with pytest.raises(DataFileError, match="subject S2 has '80' on row 3") as info:
        read_metric_table(path, None, None, list(PARAMETERS), ["weight"])
    assert (info.value.row, info.value.column, info.value.value) == (4, "weight", "")


def test_a_wide_table_names_the_subject_and_its_first_row(tmp_path: Path) -> None:
    path = tmp_path / "wide.csv"
    path.write_text("subject,arm,CMAX\nS1,test,1\nS2,test,2\nS3,eu-ref,3\nS1,eu-ref,4\n", encoding="utf-8")
    with pytest.raises(DataFileError, match=r"second row of subject S1 \(its first row is row 1\)") as info:
        read_metric_table(path, None, None, ["CMAX"], [])
    assert (info.value.row, info.value.column) == (4, "subject")


def test_a_covariate_asked_of_an_nca_pp_table_says_where_it_can_come_from(tmp_path: Path) -> None:
    """``bioparity nca`` writes subject covariates only when asked (``--keep WT``), so ``--covariates WT`` on
    its output said only "no column 'WT'; expected one of: arm, subject, ...": the user could not tell how to
    give it."""
    path = long_pp(tmp_path / "pp.csv", ARMS)
    with pytest.raises(DataFileError, match="carry it through NCA with bioparity nca --keep COLUMN") as info:
        read_metric_table(path, None, None, list(PARAMETERS), ["WT"])
    assert "no column 'WT'" in str(info.value) and "columns found: arm, subject, PPTESTCD" in str(info.value)
