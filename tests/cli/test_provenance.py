"""Every file-producing analysis command leaves OUT.provenance.json: input SHA-256s, options, software."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import pandas as pd
from typer.testing import CliRunner

from bioparity import __version__
from bioparity.caa.example import example_paths
from bioparity.cli.main import app
from tests.conftest import REFERENCE

runner = CliRunner()


def _provenance(out: Path) -> dict[str, object]:
    record: dict[str, object] = json.loads((out.parent / (out.name + ".provenance.json")).read_text())
    assert record["software"] == f"bioparity {__version__}"
    assert record["output"] == str(out)
    return record


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_nca_records_its_input_and_options(tmp_path: Path) -> None:
    theoph = REFERENCE / "nca" / "theoph.csv"
    out = tmp_path / "pp.csv"
    result = runner.invoke(
        app,
        [
            "nca",
            str(theoph),
            "--out",
            str(out),
            "--subject",
            "Subject",
            "--time",
            "Time",
            "--auc-method",
            "linear",
        ],
    )
    assert result.exit_code == 0, result.output
    record = _provenance(out)
    assert record["input_sha256"] == _sha(theoph)
    options = record["options"]
    assert isinstance(options, dict) and options["auc_method"] == "linear" and options["command"] == "nca"


def test_caa_records_data_and_catalogue(tmp_path: Path) -> None:
    data, catalogue = example_paths()
    out = tmp_path / "caa.csv"
    result = runner.invoke(app, ["caa", str(data), "--catalogue", str(catalogue), "--out", str(out)])
    assert result.exit_code == 0, result.output
    record = _provenance(out)
    inputs = record["inputs"]
    assert isinstance(inputs, dict)
    assert inputs["data"]["sha256"] == _sha(data) and inputs["catalogue"]["sha256"] == _sha(catalogue)


def test_pk_similarity_records_arms_and_metrics(tmp_path: Path) -> None:
    rng = pd.Series(range(24))
    wide = pd.DataFrame(
        {
            "subject": rng.astype(str),
            "arm": ["test", "eu-ref", "us-ref"] * 8,
            "CMAX": 100 + (rng * 7 % 13),
            "AUCIFO": 1000 + (rng * 11 % 17),
        }
    )
    path = tmp_path / "wide.csv"
    wide.to_csv(path, index=False)
    out = tmp_path / "sim.csv"
    result = runner.invoke(
        app,
        [
            "pk-similarity",
            str(path),
            "--arms",
            "test,eu-ref,us-ref",
            "--metrics",
            "CMAX,AUCIFO",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    record = _provenance(out)
    assert record["input_sha256"] == _sha(path)
    assert record["options"] == {
        "command": "pk-similarity", "arms": ["test", "eu-ref", "us-ref"], "metrics": ["CMAX", "AUCIFO"],
        "variance": "welch", "covariates": [], "alpha": 0.05, "theta1": 0.8, "theta2": None,
        "population": "completers", "aucpext_rule": "keep", "max_aucpext": 20.0, "ada_column": None,
    }  # fmt: skip


def test_input_digest_taken_once_and_from_the_background_read(tmp_path: Path, monkeypatch: Any) -> None:
    """``bioparity nca`` hashes its input once, in a thread started before parsing; the sidecar has the
    file's SHA-256 under ``input_sha256`` and ``inputs``."""
    from bioparity.io import provenance

    reads: list[str] = []
    plain = provenance._read_sha256

    def counted(path: str | os.PathLike[str]) -> str:
        reads.append(str(path))
        return plain(path)

    monkeypatch.setattr(provenance, "_read_sha256", counted)
    theoph = tmp_path / "theoph.csv"
    theoph.write_bytes((REFERENCE / "nca" / "theoph.csv").read_bytes())
    out = tmp_path / "pp.csv"
    args = ["nca", str(theoph), "--out", str(out), "--subject", "Subject", "--time", "Time"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    record = _provenance(out)
    inputs = record["inputs"]
    assert isinstance(inputs, dict)
    assert record["input_sha256"] == inputs["concentrations"]["sha256"] == _sha(theoph)
    assert reads == [str(theoph)]


def test_background_digest_is_not_used_for_a_rewritten_file(tmp_path: Path) -> None:
    from bioparity.io.provenance import file_sha256, sha256_in_background

    path = tmp_path / "data.csv"
    path.write_bytes(b"a,b\n1,2\n")
    sha256_in_background(path)
    assert file_sha256(path) == _sha(path)
    path.write_bytes(b"a,b\n1,2\n3,4\n")
    assert file_sha256(path) == _sha(path)
    sha256_in_background(tmp_path / "missing.csv")  # nothing to hash: the reader reports it
