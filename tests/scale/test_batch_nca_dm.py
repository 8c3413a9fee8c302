"""``bioparity nca-batch --dm`` (and :func:`bioparity.scale.nca_dask` ``dm=``): each subject's arm from an
SDTM DM domain, through the one reader and merge of ``bioparity nca --dm`` and the workspace NCA's option
``dm`` (:func:`bioparity.analyses.nca.with_arms`); ARM and ACTARM are variables of DM, one record per
subject (SDTMIG v3.4, section 5.2), which an SDTM PC does not have.

Data: the two-period crossover SDTM PC of tests/nca/test_nca_crossover_periods.py (R's Theoph, subjects
1-6; period derived from PCRFTDTC), subjects 1, 3 and 5 in arm "AB", 2, 4, 6 in "BA". Batch NCA must give
the profile keys, their order and the numbers of ``bioparity nca --dm`` on the same files (exactly), and
Cmax per subject is R's Theoph maximum (subject 1: 10.50 mg/L, period 2 x 0.8 = 8.40), to 1e-12.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import dask
import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from bioparity.cli.main import app
from bioparity.errors import DataFileError, InputError
from bioparity.nca import NCASpec
from bioparity.scale import nca_dask
from tests.conftest import REFERENCE
from tests.nca.test_nca_crossover_periods import SUBJECTS, crossover_pc

runner = CliRunner()
KEYS = ["ARM", "ACTARM", "STUDYID", "PCTESTCD", "PCSPEC", "PCRFTDTC", "period", "subject"]


@pytest.fixture
def theoph() -> pd.DataFrame:
    """R datasets::Theoph as stored for the NCA reference runs."""
    return pd.read_csv(REFERENCE / "nca" / "theoph.csv")


def _dm() -> pd.DataFrame:
    arm = ["AB" if s % 2 else "BA" for s in SUBJECTS]
    return pd.DataFrame(
        {"STUDYID": "X1", "DOMAIN": "DM", "USUBJID": [f"X1-{s}" for s in SUBJECTS], "ARM": arm, "ACTARM": arm}
    )


def _values(table: pd.DataFrame) -> pd.Series:
    index = pd.MultiIndex.from_arrays([table[k].astype(str) for k in [*KEYS, "PPTESTCD"]])
    return pd.Series(table["PPSTRESN"].to_numpy(dtype=float), index=index)


def test_batch_dm_gives_the_arms_keys_and_numbers_of_nca_dm(theoph: pd.DataFrame, tmp_path: Path) -> None:
    """``nca-batch --dm`` on the CSV and :func:`nca_dask` on Parquet parts cut across subjects: the columns,
    profile keys (ARM, ACTARM first), row order and values of ``nca --dm``; each subject its DM arm; the
    provenance beside OUT_DIR records the DM file with its SHA-256. Before, nca-batch had no --dm."""
    pc = crossover_pc(theoph)
    pc.to_csv(tmp_path / "pc.csv", index=False)
    _dm().to_csv(tmp_path / "dm.csv", index=False)
    dm = tmp_path / "dm.csv"
    run = runner.invoke(
        app, ["nca", str(tmp_path / "pc.csv"), "--out", str(tmp_path / "nca.csv"), "--dm", str(dm)]
    )
    assert run.exit_code == 0, run.output
    single = pd.read_csv(tmp_path / "nca.csv")
    out = tmp_path / "whole"
    args = ["nca-batch", str(tmp_path / "pc.csv"), "--out", str(out), "--dm", str(dm), "--workers", "0"]
    run = runner.invoke(app, args)
    assert run.exit_code == 0, run.output
    (tmp_path / "parts").mkdir()
    for i, rows in enumerate(np.array_split(np.arange(len(pc)), 7)):
        pc.iloc[rows].to_parquet(tmp_path / "parts" / f"part{i}.parquet", index=False)
    with dask.config.set(scheduler="synchronous"):
        parts: pd.DataFrame = nca_dask(tmp_path / "parts", dosing=None, dm=dm)[0].compute()  # type: ignore[no-untyped-call]
    whole = pd.read_parquet(out)
    assert list(single.columns[: len(KEYS)]) == KEYS
    for batch in (whole, parts):
        assert list(batch.columns) == list(single.columns)
        pd.testing.assert_series_equal(_values(batch).sort_index(), _values(single).sort_index())
    pd.testing.assert_series_equal(_values(whole), _values(single))  # one file: the same row order
    arms = dict(zip(whole["subject"], whole["ARM"], strict=True))
    assert arms == {f"X1-{s}": "AB" if s % 2 else "BA" for s in SUBJECTS}
    cmax = whole[whole["PPTESTCD"] == "CMAX"].set_index(["subject", "period"])["PPSTRESN"]
    assert cmax[("X1-1", 1)] == pytest.approx(10.50, rel=1e-12)  # R: max(Theoph$conc[Theoph$Subject == 1])
    assert cmax[("X1-1", 2)] == pytest.approx(10.50 * 0.8, rel=1e-12)
    record = json.loads((tmp_path / "whole.provenance.json").read_text())
    assert record["inputs"]["dm"] == {"path": str(dm), "sha256": hashlib.sha256(dm.read_bytes()).hexdigest()}
    assert record["options"]["command"] == "nca-batch"


def test_batch_dm_refuses_what_nca_dm_refuses(theoph: pd.DataFrame, tmp_path: Path) -> None:
    """A sampled subject missing from DM is refused naming the DM file, the input file, row and USUBJID;
    an input whose arm column is a profile column already (``--group ARM``) is refused naming the option
    (as ``nca --dm``)."""
    pc = crossover_pc(theoph, reorder=False)
    pc.to_csv(tmp_path / "pc.csv", index=False)
    _dm().iloc[1:].to_csv(tmp_path / "dm.csv", index=False)  # no X1-1
    with dask.config.set(scheduler="synchronous"), pytest.raises(DataFileError) as refused:
        nca_dask(tmp_path / "pc.csv", dm=tmp_path / "dm.csv")[0].compute()  # type: ignore[no-untyped-call]
    text = str(refused.value)
    assert text.startswith(f"{tmp_path / 'pc.csv'}, row 1") and "USUBJID" in text
    assert str(tmp_path / "dm.csv") in text and "X1-1" in text
    pc.assign(ARM="AB").to_csv(tmp_path / "armed.csv", index=False)
    _dm().to_csv(tmp_path / "dm.csv", index=False)
    with dask.config.set(scheduler="synchronous"), pytest.raises(InputError, match="arm column already"):
        nca_dask(tmp_path / "armed.csv", NCASpec(groups=("ARM",)), dm=tmp_path / "dm.csv")


def test_batch_says_the_arms_and_the_period_rule_as_nca_does(theoph: pd.DataFrame, tmp_path: Path) -> None:
    """``nca-batch --dm`` says the line ``arms from DM: ARM, ACTARM ...`` of ``nca --dm`` and the rule of the
    derived period (:data:`~bioparity.io.nca_input.PERIOD_DERIVED`), recorded in ``derived_columns`` of its
    provenance as ``nca`` records it; without ``--dm`` both say that the arms are pooled. Before, nca-batch
    said none of it and recorded no derived column."""
    from bioparity.io.nca_input import ARMS_POOLED, PERIOD_DERIVED

    crossover_pc(theoph).to_csv(tmp_path / "pc.csv", index=False)
    dm = tmp_path / "dm.csv"
    _dm().to_csv(dm, index=False)
    said = {}
    for name, extra in (("armed", ["--dm", str(dm)]), ("pooled", [])):
        single = runner.invoke(
            app, ["nca", str(tmp_path / "pc.csv"), "--out", str(tmp_path / f"{name}.csv"), *extra]
        )
        batch = runner.invoke(
            app,
            ["nca-batch", str(tmp_path / "pc.csv"), "--out", str(tmp_path / name), "--workers", "0", *extra],
        )
        assert single.exit_code == 0 and batch.exit_code == 0, batch.output
        said[name] = (" ".join(single.output.split()), " ".join(batch.output.split()))
        record = json.loads((tmp_path / f"{name}.provenance.json").read_text())
        assert record["derived_columns"] == [PERIOD_DERIVED]
    line = f"arms from {dm}: ARM, ACTARM of each subject (summary statistics per ARM)"
    for text in said["armed"]:
        assert line in text and PERIOD_DERIVED in text and ARMS_POOLED not in text
    for text in said["pooled"]:
        assert f"note: {ARMS_POOLED}" in text and "arms from" not in text


def test_a_parquet_directory_has_a_stable_sha256_in_the_provenance(
    theoph: pd.DataFrame, tmp_path: Path
) -> None:
    """A Parquet directory given to ``nca-batch``: ``inputs.concentrations.sha256`` is the SHA-256 over its
    files in the order of their relative paths, each framed as path, NUL, 8-byte big-endian size, bytes
    (computed here with hashlib from the files), the same for a copy written in another file order
    elsewhere; a byte changed or a file renamed changes it. Before, it was null."""
    pc = crossover_pc(theoph)
    copies = []
    for name, order in (("a", range(3)), ("b", reversed(range(3)))):
        parts = tmp_path / name / "parts"
        (parts / "sub").mkdir(parents=True)
        for i in order:
            rows = np.array_split(np.arange(len(pc)), 3)[i]
            pc.iloc[rows].to_parquet(parts / ("sub" if i == 2 else "") / f"part{i}.parquet", index=False)
        run = runner.invoke(
            app, ["nca-batch", str(parts), "--out", str(tmp_path / name / "out"), "--workers", "0"]
        )
        assert run.exit_code == 0, run.output
        copies.append(
            json.loads((tmp_path / name / "out.provenance.json").read_text())["inputs"]["concentrations"]
        )
    digest = hashlib.sha256()
    root = tmp_path / "a" / "parts"
    for relative in ("part0.parquet", "part1.parquet", "sub/part2.parquet"):
        data = (root / relative).read_bytes()
        digest.update(relative.encode() + b"\0" + len(data).to_bytes(8, "big") + data)
    assert copies[0]["sha256"] == copies[1]["sha256"] == digest.hexdigest()
    assert "relative POSIX paths" in copies[0]["sha256_of"]

    from bioparity.io.provenance import directory_sha256

    (root / "part1.parquet").rename(root / "part9.parquet")
    assert directory_sha256(root) != digest.hexdigest()
    (root / "part9.parquet").rename(root / "part1.parquet")
    assert directory_sha256(root) == digest.hexdigest()
    changed = bytearray((root / "part0.parquet").read_bytes())
    changed[-20] ^= 1
    (root / "part0.parquet").write_bytes(bytes(changed))
    assert directory_sha256(root) != digest.hexdigest()
