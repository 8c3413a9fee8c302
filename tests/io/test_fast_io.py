"""Issue #22: the Arrow CSV reader gives pandas' text cells exactly; block size does not change the output."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bioparity.io import tables_out
from bioparity.io.readers import _arrow_csv_text, read_csv_text
from bioparity.io.tables_out import csv_bytes, write_table

CASES = {
    "plain": "subject,time,conc\n1,0,0\n1,1,5.25\n2,0,BLQ\n",
    "leading spaces": "subject, time, conc\n1, 0, 0\n1,  1,5\n",
    "blank line": "a,b\n1,2\n\n3,4\n",
    "empty cells": "a,b\n,\n1,\n",
    "byte order mark": "\ufeffa,b\n1,2\n",
    "quoted": 'a,b\n"  x",  "y"\n"1,5",2\n',
    "quoted line break": 'a,b\n1,"x\ny"\n',
    "duplicate names": "a,a\n1,2\n",
    "short row": "a,b\n1\n",
}


@pytest.mark.parametrize("text", CASES.values(), ids=CASES.keys())
def test_text_cells_equal_pandas(tmp_path: Path, text: str) -> None:
    path = tmp_path / "t.csv"
    path.write_text(text, encoding="utf-8")
    expected = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    pd.testing.assert_frame_equal(read_csv_text(path), expected)


def test_plain_files_take_the_arrow_path(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text(CASES["plain"])
    assert _arrow_csv_text(path) is not None
    path.write_text(CASES["quoted"])
    assert _arrow_csv_text(path) is None


def test_blocks_do_not_change_the_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(3)
    n = 50
    frame = pd.DataFrame(
        {
            "s": [f"-{i}" if i % 7 == 0 else f"s{i}" for i in range(n)],
            "x": np.where(rng.random(n) < 0.2, np.nan, rng.normal(size=n)),
            "k": np.arange(n),
            "flag": rng.random(n) < 0.5,
            "mixed": [None if i % 5 == 0 else (1.5 if i % 2 else "=x") for i in range(n)],
            "empty": [None] * n,
        }
    )
    whole = csv_bytes(frame)
    write_table(frame, tmp_path / "whole.parquet")
    monkeypatch.setattr(tables_out, "BLOCK_ROWS", 4)
    assert csv_bytes(frame) == whole
    write_table(frame, tmp_path / "blocks.parquet")
    pd.testing.assert_frame_equal(
        pd.read_parquet(tmp_path / "blocks.parquet"), pd.read_parquet(tmp_path / "whole.parquet")
    )
    back = pd.read_csv(tmp_path / write_table(frame, tmp_path / "o.csv").name, keep_default_na=False)
    assert back["flag"].tolist() == frame["flag"].tolist()
    assert back["k"].tolist() == frame["k"].tolist()


def test_empty_frame_writes_the_header(tmp_path: Path) -> None:
    frame = pd.DataFrame({"a": pd.Series([], dtype=float), "b": pd.Series([], dtype=object)})
    assert csv_bytes(frame) == b"a,b\n"
    assert write_table(frame, tmp_path / "e.csv").read_bytes() == b"a,b\n"


def test_parquet_of_categorical_text_reads_back_as_the_text_column(tmp_path: Path) -> None:
    import pyarrow.parquet as pq  # type: ignore[import-untyped]

    text = pd.Series(["b", None, "a", "b", "=x"], dtype=object)
    frame = pd.DataFrame(
        {
            "t": text,
            "when": pd.to_datetime(["2024-01-01"] * 5).tz_localize("Europe/Paris"),
            "x": [1.5, np.nan, 0.0, -0.0, 2.0],
        }
    )
    write_table(frame, tmp_path / "object.parquet")
    write_table(frame.assign(t=text.astype("category")), tmp_path / "category.parquet")
    as_text, as_category = (
        pq.read_table(tmp_path / "object.parquet"),
        pq.read_table(tmp_path / "category.parquet"),
    )
    assert as_category.schema.equals(as_text.schema, check_metadata=True)  # plain string, time zone kept
    assert as_category.equals(as_text)
    assert pq.ParquetFile(tmp_path / "category.parquet").schema.equals(
        pq.ParquetFile(tmp_path / "object.parquet").schema
    )
