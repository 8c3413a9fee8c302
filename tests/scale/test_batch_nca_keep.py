"""``bioparity nca-batch --keep`` and its note on an arm that changes within a subject, as ``bioparity nca``.

Before: ``nca-batch`` had no ``--keep`` ("No such option"), so a large data set could not carry the body
weight into the PP output for ``pk-similarity --covariates``; and its note on an ARM column changing within a
subject (CDISC SDTMIG v3.4, section 5.2, DM: one ARM per subject) was computed on the first row of the data
set only, so it was never said. Both now go through the code of ``bioparity nca`` (the input spec's
``keep``: :func:`bioparity.nca.covariates.subject_covariates`; :func:`bioparity.analyses.nca.arm_changes`),
over every partition together: a subject's profiles may sit in different partitions, which no partition's
NCA sees at once.

Numbers: the ANCOVA of log Cmax on the weight carried by ``nca-batch`` is R 4.2.2's ``lm`` and
``nlme::gls`` (``tests/data/pk_similarity/mab_weight_cmax_ancova.csv``, script beside it; tolerances as
``tests/nca/test_nca_keep_covariates.py``: 1e-9 relative for lm, 1e-6 for gls).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from bioparity.cli.main import app
from bioparity.errors import DataFileError
from bioparity.nca import NCASpec
from bioparity.scale import nca_parquet
from tests.conftest import REFERENCE
from tests.nca.test_nca_arm_within_subject import _profiles
from tests.nca.test_nca_crossover_periods import crossover_pc
from tests.nca.test_nca_keep_covariates import CONC, check_against_r

RUNNER = CliRunner()


def _run(*args: str) -> str:
    done = RUNNER.invoke(app, list(args))
    assert done.exit_code == 0, done.output
    return " ".join(done.stderr.split())


def test_batch_keep_carries_the_weight_of_nca_keep(tmp_path: Path) -> None:
    """The same table as ``bioparity nca --keep weight`` (every column and value), and the ANCOVA on the
    weight it carries is R's."""
    single, batch = tmp_path / "nca.csv", tmp_path / "batch"
    _run("nca", str(CONC), "--out", str(single), "--keep", "weight")
    _run("nca-batch", str(CONC), "--out", str(batch), "--keep", "weight", "--workers", "0")
    expected, got = pd.read_csv(single), pd.read_parquet(batch)
    assert list(got.columns) == list(expected.columns)
    assert list(got.columns[:3]) == ["arm", "subject", "weight"]
    # the kept weight as the file holds it (text, as bioparity nca writes it to Parquet), the same values
    assert (got["weight"].astype(float).to_numpy() == expected["weight"].to_numpy()).all()
    pd.testing.assert_frame_equal(
        got[["arm", "subject", "PPTESTCD"]].astype(str), expected[["arm", "subject", "PPTESTCD"]]
    )
    pd.testing.assert_series_equal(got["PPSTRESN"], expected["PPSTRESN"], rtol=1e-12)
    pp = tmp_path / "pp.csv"
    pd.read_parquet(batch).to_csv(pp, index=False)
    for variance in ("pooled", "welch"):
        out = tmp_path / f"sim-{variance}.csv"
        _run(
            "pk-similarity", str(pp), "--arms", "test,eu-ref,us-ref", "--metrics", "CMAX",
            "--covariates", "weight", "--variance", variance, "--out", str(out),
        )  # fmt: skip
        check_against_r(pd.read_csv(out), variance)


def _two_analytes(tmp_path: Path, weight: float | None = None) -> Path:
    """The concentrations as two analytes (the second 0.5 x the first), each analyte in a Parquet file of
    its own: a subject's two profiles sit in two partitions. ``weight``: S002's weight in the second
    file (another value than in the first)."""
    frame = pd.read_csv(CONC)
    second = frame.assign(conc=frame["conc"] * 0.5)
    if weight is not None:
        second.loc[second["subject"] == "S002", "weight"] = weight
    folder = tmp_path / "pc"
    folder.mkdir()
    frame.assign(analyte="A").to_parquet(folder / "part-0.parquet", index=False)
    second.assign(analyte="B").to_parquet(folder / "part-1.parquet", index=False)
    return folder


def test_a_weight_that_changes_across_partitions_is_refused_naming_both_files(tmp_path: Path) -> None:
    """S002 weighs 48.4 in the file of analyte A and 90 in that of analyte B: no partition holds both, so
    each partition's NCA alone would carry two weights; the run stops before any NCA, naming the file, row
    and column of the second value and the row and file of the first, as ``bioparity nca`` does."""
    folder = _two_analytes(tmp_path, weight=90.0)
    spec = NCASpec(keep=("weight",), parameters=("CMAX",))
    with pytest.raises(DataFileError) as info:
        nca_parquet(folder, tmp_path / "out", spec, workers=0)
    error = info.value
    # S002's rows are data rows 14-26 of each file (13 samples per subject)
    assert (Path(str(error.file)).name, error.row, error.column) == ("part-1.parquet", 14, "weight")
    assert "subject S002 has '48.4' on row 14 of " in str(error) and "part-0.parquet" in str(error)
    assert "--keep" in str(error)
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_one_weight_over_two_partitions_is_carried_to_both(tmp_path: Path) -> None:
    folder = _two_analytes(tmp_path)
    run = nca_parquet(folder, tmp_path / "out", NCASpec(keep=("weight",), parameters=("CMAX",)), workers=0)
    table = pd.read_parquet(run.out)
    weights = pd.read_csv(CONC).groupby("subject")["weight"].first()
    assert len(table) == 60  # 30 subjects x 2 analytes
    assert (table["weight"].to_numpy() == weights.loc[table["subject"]].to_numpy()).all()


def test_a_weight_that_changes_within_a_file_is_refused_as_nca_refuses_it(tmp_path: Path) -> None:
    frame = pd.read_csv(CONC)
    frame.loc[19, "weight"] = 90.0  # data row 20 (line 21): S002's 7th sample; its first row is row 14
    bad = tmp_path / "bad.csv"
    frame.to_csv(bad, index=False)
    for command in ("nca", "nca-batch"):
        out = ["--out", str(tmp_path / "pp.csv")] if command == "nca" else ["--out", str(tmp_path / "out")]
        workers = [] if command == "nca" else ["--workers", "0"]
        done = RUNNER.invoke(app, [command, str(bad), *out, "--keep", "weight", *workers])
        said = " ".join(done.output.split())
        assert done.exit_code != 0 and "row 20" in said and "line 21" in said, said
        assert "subject S002 has '48.4' on row 14 and another value here" in said


@pytest.mark.parametrize("column", ["arm", "ARM"])
def test_batch_says_an_arm_that_changes_within_a_subject_as_nca_does(tmp_path: Path, column: str) -> None:
    """One file: the note of ``bioparity nca``, word for word; the rows as ``nca`` names them."""
    pk = tmp_path / "pk.csv"
    _profiles(column).to_csv(pk, index=False)
    expected = f"note: column {column} changes within 1 subject(s)"
    single = _run("nca", str(pk), "--out", str(tmp_path / "pp.csv"))
    batch = _run("nca-batch", str(pk), "--out", str(tmp_path / "out"), "--workers", "0")
    note = next(line for line in single.split("note: ") if "changes within" in line)
    assert expected in single and "S001: T (row 1), R (row 19)" in note
    assert "note: " + note.strip() in batch


def test_an_arm_that_changes_across_files_is_said_naming_each_file(tmp_path: Path) -> None:
    """S001's arm T in one file and R in the other: each partition alone has one arm per subject."""
    frame = _profiles("ARM")
    folder = tmp_path / "pc"
    folder.mkdir()
    frame.iloc[:18].to_parquet(folder / "part-0.parquet", index=False)  # S001, S002, S003 in arm T
    frame.iloc[18:].to_parquet(folder / "part-1.parquet", index=False)  # S001 again, S005, S006 in arm R
    said = _run("nca-batch", str(folder), "--out", str(tmp_path / "out"), "--workers", "0")
    assert "note: column ARM changes within 1 subject(s)" in said
    assert "part-0.parquet, row 1), R (" in said and "part-1.parquet, row 1)" in said


def test_no_note_without_an_arm_change(tmp_path: Path) -> None:
    said = _run("nca-batch", str(CONC), "--out", str(tmp_path / "out"), "--workers", "0")
    assert "changes within" not in said


def test_an_sdtm_pc_keeps_a_subject_column_in_nca_and_nca_batch(tmp_path: Path) -> None:
    """An SDTM PC read with a subject-level column beside its variables (Theoph's Wt, kg): ``--keep Wt``
    carries it to both profiles (periods) of each subject, in ``nca`` and ``nca-batch`` alike (before: the
    PC reader dropped the column, "no column 'Wt'")."""
    theoph = pd.read_csv(REFERENCE / "nca" / "theoph.csv")
    weights = theoph.groupby("Subject")["Wt"].first()
    pc = crossover_pc(theoph)
    pc["Wt"] = pc["USUBJID"].str.removeprefix("X1-").astype(int).map(weights).to_numpy()
    path = tmp_path / "pc.csv"
    pc.to_csv(path, index=False)
    _run("nca", str(path), "--out", str(tmp_path / "pp.csv"), "--keep", "Wt")
    _run("nca-batch", str(path), "--out", str(tmp_path / "out"), "--keep", "Wt", "--workers", "0")
    for table in (pd.read_csv(tmp_path / "pp.csv"), pd.read_parquet(tmp_path / "out")):
        subjects = table["subject"].str.removeprefix("X1-").astype(int)
        assert (table["Wt"].astype(float).to_numpy() == weights.loc[subjects].to_numpy()).all()
        assert sorted(table["period"].unique()) == [1, 2]
