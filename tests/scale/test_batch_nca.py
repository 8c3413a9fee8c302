"""Batch NCA over partitioned Parquet equals the in-memory NCA, and PKNCA's values (Theoph)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dask
import dask.dataframe as dd
import numpy as np
import pandas as pd
import pytest

from bioparity.errors import DataFileError, InputError
from bioparity.nca import NCASpec, nca
from bioparity.nca.single.parameters import PKNCA_NAMES
from bioparity.scale import nca_dask, nca_parquet
from tests.conftest import REFERENCE

SETTINGS = NCASpec(subject="Subject", time="Time", conc="conc", dose="dose_mg")


@pytest.fixture(scope="module")
def theoph() -> pd.DataFrame:
    d = pd.read_csv(REFERENCE / "nca" / "theoph.csv")
    d["dose_mg"] = d["Dose"] * d["Wt"]
    return d


def _write_parts(frame: pd.DataFrame, directory: Path, n_parts: int) -> Path:
    directory.mkdir()
    for i, rows in enumerate(np.array_split(np.arange(len(frame)), n_parts)):
        frame.iloc[rows].to_parquet(directory / f"part{i}.parquet", index=False)
    return directory


def _compute(lazy: dd.DataFrame) -> pd.DataFrame:
    """Dask's ``compute`` (not annotated by Dask) as a typed call."""
    frame: pd.DataFrame = lazy.compute()  # type: ignore[no-untyped-call]
    return frame


def _in_memory(frame: pd.DataFrame) -> pd.DataFrame:
    return nca(frame, subject="Subject", time="Time", conc="conc", dose="dose_mg").to_frame()


def _by_subject(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values("Subject", kind="stable").reset_index(drop=True)


def test_subjects_split_across_partitions_are_shuffled_and_results_equal(
    theoph: pd.DataFrame, tmp_path: Path
) -> None:
    src = _write_parts(theoph, tmp_path / "split", 5)  # 132 rows in 5 files: subjects cut in two
    with dask.config.set(scheduler="synchronous"):
        lazy, shuffled = nca_dask(src, SETTINGS)
        got = _compute(lazy)
    assert shuffled
    pd.testing.assert_frame_equal(_by_subject(got), _by_subject(_in_memory(theoph)))
    # ... and therefore PKNCA 0.12.1's values (someone else's computation), every parameter
    expected = pd.read_csv(REFERENCE / "expected" / "nca_theoph_linuplogdown.csv")
    got["pknca"] = got["PPTESTCD"].map(PKNCA_NAMES)
    merged = expected.merge(got, left_on=["Subject", "PPTESTCD"], right_on=["Subject", "pknca"])
    assert len(merged) == len(expected) == 12 * 23
    np.testing.assert_allclose(merged["PPSTRESN"], merged["PPORRES"], rtol=1e-6)


def test_partitions_aligned_with_subjects_need_no_shuffle_and_keep_the_order(
    theoph: pd.DataFrame, tmp_path: Path
) -> None:
    src = _write_parts(theoph, tmp_path / "aligned", 4)  # 33 rows = 3 whole subjects per file
    with dask.config.set(scheduler="synchronous"):
        lazy, shuffled = nca_dask(src, SETTINGS)
        got = _compute(lazy)
    assert not shuffled and lazy.npartitions == 4
    pd.testing.assert_frame_equal(got.reset_index(drop=True), _in_memory(theoph))


def test_written_on_a_two_worker_cluster(
    theoph: pd.DataFrame, tmp_path: Path, two_worker_client: Any
) -> None:
    src = _write_parts(theoph, tmp_path / "split", 5)
    run = nca_parquet(src, tmp_path / "out", SETTINGS, client=two_worker_client)
    assert run.shuffled and run.n_partitions == 5 and run.execution.workers == 2
    files = sorted((tmp_path / "out").glob("*.parquet"), key=lambda p: int(p.stem.split(".")[-1]))
    got = pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)
    pd.testing.assert_frame_equal(_by_subject(got), _by_subject(_in_memory(theoph)), check_dtype=False)
    with pytest.raises(InputError, match="not empty"):
        nca_parquet(src, tmp_path / "out", SETTINGS, workers=0)


def test_bad_value_is_located_by_partition_and_row(theoph: pd.DataFrame, tmp_path: Path) -> None:
    bad = theoph.copy()
    bad.loc[33 + 3, "conc"] = -1.0  # second file, row 4 of that file
    src = _write_parts(bad, tmp_path / "bad", 4)
    where = r"part1.parquet, row 4, column 'conc': negative concentration"
    with pytest.raises(DataFileError, match=where), dask.config.set(scheduler="synchronous"):
        _compute(nca_dask(src, SETTINGS)[0])


def test_missing_column_is_reported_before_any_work(theoph: pd.DataFrame, tmp_path: Path) -> None:
    src = _write_parts(theoph.drop(columns="dose_mg"), tmp_path / "nodose", 2)
    with pytest.raises(DataFileError, match=r"missing column.*dose_mg"):
        nca_dask(src, SETTINGS)


def test_hive_partitioned_by_subject(theoph: pd.DataFrame, tmp_path: Path) -> None:
    """``Subject=1/...parquet`` directories: the key comes from the path; each profile is one partition."""
    theoph.to_parquet(tmp_path / "hive", partition_cols=["Subject"], index=False)
    with dask.config.set(scheduler="synchronous"):
        lazy, shuffled = nca_dask(tmp_path / "hive", SETTINGS)
        got = _compute(lazy)
    assert not shuffled and lazy.npartitions == 12
    got["Subject"] = got["Subject"].astype(np.int64)
    pd.testing.assert_frame_equal(_by_subject(got), _by_subject(_in_memory(theoph)))


def test_row_groups_are_partitions(theoph: pd.DataFrame, tmp_path: Path) -> None:
    """Small row groups split profiles inside one file: detected, shuffled, same result."""
    (tmp_path / "rg").mkdir()
    theoph.to_parquet(tmp_path / "rg" / "all.parquet", index=False, row_group_size=20)
    with dask.config.set(scheduler="synchronous"):
        lazy, shuffled = nca_dask(tmp_path / "rg", SETTINGS)
        got = _compute(lazy)
    assert shuffled and lazy.npartitions == 7
    pd.testing.assert_frame_equal(_by_subject(got), _by_subject(_in_memory(theoph)))
