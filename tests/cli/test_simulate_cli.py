"""The command-line contract of ``bioparity simulate pk-similarity``, ``nca-batch`` and ``bench``."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
from typer.testing import CliRunner

from bioparity.cli.main import app
from bioparity.nca import NCASpec, run_nca
from bioparity.scale import simulate_pk_similarity
from bioparity.simulate import PKSimilarityDesign
from tests.conftest import REFERENCE

runner = CliRunner()

KEYS = {
    "probability", "mc_se", "n_studies", "seed", "metrics", "comparisons", "pass_rate",
    "estimable_rate", "mean_analysed", "dropout_rate", "ada_rate", "mean_aucpext_over", "studies_per_block",
    "design", "software_version", "execution",
}  # fmt: skip


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_simulate_json_matches_the_python_api(tmp_path: Path) -> None:
    out = tmp_path / "studies.csv"
    code, stdout, stderr = invoke(
        "simulate", "pk-similarity", "--n-studies", "150", "--seed", "9", "--workers", "0",
        "--n-per-arm", "20", "--bioavailability", "0.95,1,1", "--dropout", "0.1", "--lloq", "0.05",
        "--ada-fraction", "0.1", "--chunk-size", "70", "--out", str(out), "--format", "json",
    )  # fmt: skip
    assert code == 0, stderr
    record = json.loads(stdout)
    assert set(record) == KEYS
    design = PKSimilarityDesign(
        n_per_arm=20, bioavailability=(0.95, 1.0, 1.0), dropout=0.1, lloq=0.05, ada_fraction=0.1
    )
    api = simulate_pk_similarity(design, 150, 9, workers=0).result.to_dict()
    assert {k: v for k, v in record.items() if k != "execution"} == api
    assert record["execution"]["n_chunks"] == 3 and record["execution"]["backend"] == "in-process"
    per_study = pd.read_csv(out)
    assert len(per_study) == 150 * 3 * 3
    success = per_study.groupby("study")["study_success"].first()
    assert success.mean() == record["probability"]
    assert np.isclose(per_study["pass"].mean(), np.mean(record["pass_rate"]))


def test_simulate_table_and_errors() -> None:
    code, stdout, _ = invoke("simulate", "pk-similarity", "--n-studies", "20", "--workers", "0")
    assert code == 0 and "probability" in stdout and "eu-ref vs us-ref" in stdout
    code, _, stderr = invoke("simulate", "pk-similarity", "--n-per-arm", "10,10", "--workers", "0")
    assert code == 2 and "n_per_arm has 2 values for 3 arms" in stderr
    code, _, stderr = invoke("simulate", "pk-similarity", "--workers", "2", "--scheduler", "tcp://x:1")
    assert code == 2 and "either --workers" in stderr
    code, _, stderr = invoke("simulate", "pk-similarity", "--times", "0,a", "--workers", "0")
    assert code == 2 and "--times" in stderr


def test_nca_batch_writes_the_in_memory_result(tmp_path: Path) -> None:
    d = pd.read_csv(REFERENCE / "nca" / "theoph.csv")
    (tmp_path / "in").mkdir()
    for i, rows in enumerate(np.array_split(np.arange(len(d)), 5)):  # 5 files cut subjects in two
        d.iloc[rows].to_parquet(tmp_path / "in" / f"p{i}.parquet", index=False)
    code, _, stderr = invoke(
        "nca-batch", str(tmp_path / "in"), "--out", str(tmp_path / "out"), "--subject", "Subject",
        "--time", "Time", "--workers", "0",
    )  # fmt: skip
    assert code == 0, stderr
    assert "shuffled" in stderr
    got = pd.concat([pd.read_parquet(f) for f in sorted((tmp_path / "out").glob("*.parquet"))])
    want = run_nca(d, NCASpec(subject="Subject", time="Time")).to_frame()  # the Dose column used (auto)
    key = ["Subject", "PPTESTCD"]
    got = got.sort_values(key).reset_index(drop=True)
    want = want.sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(got, want, check_dtype=False)


def test_bench_needs_the_bench_directory(tmp_path: Path) -> None:
    code, _, stderr = invoke("bench", "--dir", str(tmp_path))
    assert code == 2 and "run_all.py not found" in stderr
