"""A subject under two arms in the input of NCA (findings of the PK chain, item E): NCA cannot know the design
(a crossover's treatment changes within a subject), but an ARM column changing within a subject contradicts
CDISC SDTMIG v3.4, section 5.2 (DM: one ARM per subject), so ``bioparity nca`` and the workspace's NCA
(``bioparity run nca --json`` prints the result the workspace stores) say it in a note naming the subject,
its arms and their first rows; the numbers stay as computed."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from bioparity.cli.main import app
from bioparity.i18n.notes import translate_note

TIMES = (0.0, 1.0, 2.0, 4.0, 8.0, 24.0)


def _profiles(arm_column: str = "arm") -> pd.DataFrame:
    """Two arms of three subjects, one-compartment oral profiles; S001 given a second profile in arm R
    (S004 relabelled S001: the mistake the note is for)."""
    subjects = ["S001", "S002", "S003", "S001", "S005", "S006"]
    arms = ["T", "T", "T", "R", "R", "R"]
    t = np.array(TIMES)
    rows = [
        pd.DataFrame(
            {
                "subject": who,
                "time": t,
                "conc": 100 * (np.exp(-(0.1 + 0.01 * k) * t) - np.exp(-1.5 * t)),
                "dose": 10.0,
                arm_column: arm,
            }
        )
        for k, (who, arm) in enumerate(zip(subjects, arms, strict=True))
    ]
    return pd.concat(rows, ignore_index=True)


def _first_rows(path: Path, subject: str, column: str) -> dict[str, int]:
    """First data row (1 = the line after the header) of each arm of ``subject``, read with the csv module."""
    first: dict[str, int] = {}
    with path.open(newline="") as handle:
        for row, record in enumerate(csv.DictReader(handle), start=1):
            if record["subject"] == subject:
                first.setdefault(record[column], row)
    return first


@pytest.mark.parametrize("column", ["arm", "ARM"])
def test_a_subject_in_two_arms_is_named_by_the_cli_and_the_stored_notes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, column: str
) -> None:
    monkeypatch.chdir(tmp_path)
    _profiles(column).to_csv("pk.csv", index=False)
    first = _first_rows(tmp_path / "pk.csv", "S001", column)
    assert first == {"T": 1, "R": 19}
    expected = f"S001: T (row {first['T']}), R (row {first['R']})"

    command = CliRunner().invoke(app, ["nca", "pk.csv", "--out", "pp.csv"])
    assert command.exit_code == 0, command.output
    said = " ".join(command.stderr.split())
    assert f"note: column {column} changes within 1 subject(s)" in said
    assert expected in said

    stored = CliRunner().invoke(app, ["run", "nca", "pk.csv", "--json"])
    assert stored.exit_code == 0, stored.output
    notes = [n for n in json.loads(stored.stdout)["notes"] if "changes within" in n]
    assert len(notes) == 1 and expected in notes[0]
    # a reader of zh-CN reads it in Chinese, the subjects and rows as stored
    chinese = translate_note(notes[0], "zh_CN")
    assert chinese.startswith(f"列 {column} 在 1 名受试者内取值不同") and expected in chinese

    # the numbers are unchanged: one profile per subject and arm (S001 in both), CMAX the largest sampled
    # concentration of each (tolerance 1e-12 relative), the summary's n 3 per arm
    pp = pd.read_csv("pp.csv", keep_default_na=False)
    cmax = pp[pp["PPTESTCD"] == "CMAX"].set_index([column, "subject"])["PPSTRESN"].sort_index()
    sampled = pd.read_csv("pk.csv").groupby([column, "subject"])["conc"].max().sort_index()
    assert len(cmax) == 6
    np.testing.assert_allclose(cmax.to_numpy(), sampled.to_numpy(), rtol=1e-12)
    summary = pd.read_csv("pp.summary.csv")
    assert list(summary.loc[summary["parameter"] == "CMAX", "n"]) == [3, 3]


def test_a_treatment_that_changes_within_a_subject_is_no_arm(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A crossover: the treatment column changes within every subject by design, no note."""
    monkeypatch.chdir(tmp_path)
    _profiles("treatment").to_csv("pk.csv", index=False)
    command = CliRunner().invoke(app, ["nca", "pk.csv", "--out", "pp.csv"])
    assert command.exit_code == 0, command.output
    assert "changes within" not in command.stderr
