"""Issue #22: the streamed CSV writer (rows assembled by ``bioparity.io.csv_encode``) gives the bytes of
Arrow's CSV writer, which ``csv_bytes`` (the in-memory path) uses, on tables made to hit every rule: text
with quotes, separators, line breaks and formula-like starts, categoricals with missing codes and many
categories, booleans, missing values, infinities, signed zeros, subnormal and long floats, integers with
missing values, dates and text-object columns."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.csv as pacsv  # type: ignore[import-untyped]
import pytest

from bioparity.io import csv_encode, tables_out
from bioparity.io.csv_encode import ByteBuffer, coded_text, dense_cells, encode_rows
from bioparity.io.tables_out import csv_bytes, write_table_blocks

TEXTS = ["plain", 'say "hi"', "a,b", "two\nlines", "=1+1", "-5", "+x", "@cmd", "", " pad ", "é ü 中"]
FLOATS = [0.0, -0.0, 1.1, 0.1 + 0.2, 1e-320, 2.2250738585072014e-308, 1e22, -np.inf, np.inf, np.nan, 5.0]


def _frame(rng: np.random.Generator, n: int) -> pd.DataFrame:
    texts = np.array(TEXTS, dtype=object)
    category = pd.Categorical(rng.choice(texts, n), categories=TEXTS)
    category[rng.random(n) < 0.1] = np.nan
    many = pd.Categorical.from_codes(
        rng.integers(-1, 400, n), categories=pd.Index([f"s{i}" for i in range(400)])
    )
    return pd.DataFrame(
        {
            "subject": many,  # more categories than a small table: looked up on its own
            "text": pd.Series(rng.choice(texts, n), dtype=object).where(rng.random(n) > 0.1, None),
            "start": np.where(np.arange(n) < n // 2, 0.0, -0.0),  # constant over a step, then not
            "end": np.full(n, np.inf),
            "code": category,
            "value": rng.choice(np.array(FLOATS), n) * rng.choice([1.0, 3.0, 1 / 3], n),
            "count": pd.Series(rng.integers(-5, 5, n), dtype="Int64").mask(rng.random(n) < 0.2),
            "day": pd.to_datetime("2024-01-01") + pd.to_timedelta(rng.integers(0, 400, n), unit="D"),
            **{f"flag_{i}": rng.random(n) < 0.3 for i in range(9)},  # 2**9 x ... combinations
            "reason": pd.Categorical(rng.choice(["", "no dose", 'bad "fit"'], n)),
            "str_col": pd.Series(rng.choice(texts, n), dtype="str"),
        }
    )


@pytest.mark.parametrize("chunk_rows", [7, 64, 100_000])
def test_streamed_bytes_equal_arrow_writer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk_rows: int
) -> None:
    rng = np.random.default_rng(chunk_rows)
    frame = _frame(rng, 300)
    expected = csv_bytes(frame)  # Arrow's CSV writer
    monkeypatch.setattr(csv_encode, "CHUNK_ROWS", chunk_rows)
    monkeypatch.setattr(csv_encode, "COMBINED_LIMIT", 1 << 10)  # flags split over several codes
    out = tmp_path / "streamed.csv"
    assert write_table_blocks([frame.iloc[:120], frame.iloc[120:]], out) == len(frame)
    assert out.read_bytes() == expected
    back = pd.read_csv(out, usecols=["value"], dtype={"value": float})["value"].to_numpy()
    shown = frame["value"].to_numpy()
    assert np.array_equal(back.view(np.int64)[~np.isnan(shown)], shown.view(np.int64)[~np.isnan(shown)])


def test_every_block_uses_the_encoder(monkeypatch: pytest.MonkeyPatch) -> None:
    frame = _frame(np.random.default_rng(1), 50)
    assert tables_out._encoded_columns(frame) is not None  # no column falls back to the writer
    buffer = ByteBuffer()
    tables_out._csv_rows(frame, buffer)
    assert bytes(buffer.view()) == csv_bytes(frame).split(b"\n", 1)[1]


def test_columns_the_encoder_does_not_render_take_the_writer(tmp_path: Path) -> None:
    frame = pd.DataFrame({"a": [1.5, 2.0], "t": pd.to_timedelta([1, 2], unit="h"), "b": [b"x", b"y"]})
    out = tmp_path / "o.csv"
    write_table_blocks([frame], out)
    assert out.read_bytes() == csv_bytes(frame)
    nested = pa.array([[1], [2, 3]])
    assert not csv_encode.renders(nested.type)


def test_encoder_pieces_equal_arrow_writer() -> None:
    values = pa.array([0.1 + 0.2, None, -0.0, 1e-320, float("inf"), 123456789.0])
    text = pa.array(['q"uote', None, "", "a,b", "x\ny", "plain"])
    days = ["2024-02-29", "NaT", "1999-12-31", "2000-01-01", "2024-01-01", "2024-01-02"]
    day = pa.array(pd.to_datetime(days))
    buffer = ByteBuffer()
    encode_rows([coded_text(np.array([0, -1, 1, 1, 0, 1]), ["s1", 'x"y']), values, text, day], buffer, 4)
    table = pa.table({"s": ["s1", None, 'x"y', 'x"y', "s1", 'x"y'], "v": values, "t": text, "d": day})
    sink = io.BytesIO()
    pacsv.write_csv(
        table, sink, write_options=pacsv.WriteOptions(include_header=False, quoting_style="needed")
    )
    assert bytes(buffer.view()) == sink.getvalue()
    assert dense_cells(values).to_pylist()[:4] == ["0.30000000000000004", "", "-0", "1e-320"]
