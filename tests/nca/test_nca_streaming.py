"""Issue #22: ``bioparity nca`` streams its long output in blocks; bytes and values are those of the
in-memory path (``write_table(result.to_frame(), OUT)``, what the command wrote before), and the fast
number parsing of clean text columns gives the bits of the general parser."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from bioparity.cli.main import app
from bioparity.io import tables_out
from bioparity.io.readers import read_any_table
from bioparity.io.tables_out import csv_bytes, write_table, write_table_blocks
from bioparity.nca import nca
from bioparity.nca.samples import Where, _arrow_finite_numbers, parse_numbers
from bioparity.nca.single import engine, results
from bioparity.nca.single.frame import nca_blocks


def _messy_theoph(theoph: pd.DataFrame, folder: Path) -> Path:
    """Theoph as text with what the writer must treat carefully: a BLQ marker, a missing concentration,
    a formula-like subject (neutralised in CSV) and one subject without a dose."""
    d = theoph[["Subject", "Time", "conc", "dose_mg"]].astype(str)
    d.loc[0, "conc"] = "BLQ"
    d.loc[5, "conc"] = ""
    d.loc[d["Subject"] == "3", "Subject"] = "=3+1"
    d.loc[d["Subject"] == "4", "dose_mg"] = ""
    path = folder / "theoph.csv"
    d.to_csv(path, index=False)
    return path


def _in_memory(path: Path, out: Path, **kwargs: object) -> None:
    table = read_any_table(path)
    result = nca(
        table.frame, subject="Subject", time="Time", conc="conc", dose="dose_mg",
        where=Where(file=table.file), **kwargs,  # type: ignore[arg-type]
    )  # fmt: skip
    write_table(result.to_frame(), out)


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
@pytest.mark.parametrize("lambda_z", ["none", "points", "exclude"])
def test_streamed_output_equals_the_in_memory_path(
    tmp_path: Path, theoph: pd.DataFrame, monkeypatch: pytest.MonkeyPatch, suffix: str, lambda_z: str
) -> None:
    src = _messy_theoph(theoph, tmp_path)
    args = ["--subject", "Subject", "--time", "Time", "--dose", "dose_mg"]
    args += ["--interval", "0,6", "--interval", "0,12"]  # AUCINT twice: repeated codes
    kwargs: dict[str, object] = {"intervals": [(0.0, 6.0), (0.0, 12.0)]}
    if lambda_z == "points":
        table = tmp_path / "points.csv"
        table.write_text("Subject,lambda_z_start,lambda_z_end,lambda_z_reason\n1,5,24.5,protocol\n")
        args += ["--lambda-z-points", str(table)]
        kwargs["lambda_z_points"] = pd.read_csv(table)
    elif lambda_z == "exclude":
        table = tmp_path / "exclude.csv"
        table.write_text("Subject,lambda_z_time,lambda_z_reason\n2,24.3,vomiting\n")
        args += ["--lambda-z-exclude", str(table)]
        kwargs["lambda_z_exclude"] = pd.read_csv(table)
    expected = tmp_path / f"expected{suffix}"
    _in_memory(src, expected, **kwargs)
    # small blocks: several profile blocks and several row blocks, boundaries inside profiles
    monkeypatch.setattr(results, "STREAM_BLOCK_PROFILES", 5)
    monkeypatch.setattr(tables_out, "BLOCK_ROWS", 17)
    monkeypatch.setattr(engine, "BLOCK_PROFILES", 5)  # the engine's parts too: written while computed
    out = tmp_path / f"out{suffix}"
    run = CliRunner().invoke(app, ["nca", str(src), "--out", str(out), *args])
    assert run.exit_code == 0, run.output
    assert (tmp_path / f"out{suffix}.provenance.json").is_file()
    if suffix == ".csv":
        assert out.read_bytes() == expected.read_bytes()
        assert b"'=3+1" in out.read_bytes()  # formula neutralised through the categorical path too
    else:
        pd.testing.assert_frame_equal(pd.read_parquet(out), pd.read_parquet(expected), check_exact=True)
    rows = len(pd.read_parquet(out)) if suffix == ".parquet" else len(pd.read_csv(out))
    assert f"wrote {rows} rows (12 profiles)" in run.output


def test_blocks_concatenate_to_to_frame(theoph: pd.DataFrame) -> None:
    result = nca(theoph, subject="Subject", time="Time", conc="conc", dose="dose_mg", intervals=[(0, 6)])
    blocks = list(result.iter_frames(block_profiles=5))
    assert [len(b) for b in blocks] == [5 * len(result.codes)] * 2 + [2 * len(result.codes)]
    whole = pd.concat(blocks, ignore_index=True)
    expected = result.to_frame()
    for name in ("PPTESTCD", "reason", "lambda_z_method"):
        assert isinstance(blocks[0][name].dtype, pd.CategoricalDtype)  # no Python string per row
        whole[name] = whole[name].astype(expected[name].dtype)
    pd.testing.assert_frame_equal(whole, expected, check_exact=True)
    with pytest.raises(ValueError, match="block_profiles"):
        next(result.iter_frames(block_profiles=0))


def test_categorical_text_is_written_like_object_text() -> None:
    cells = ["=cmd", "-5", "plain", None, "@x", "plain"]
    as_object = pd.DataFrame({"c": pd.Series(cells, dtype=object), "x": np.arange(6.0)})
    as_category = as_object.assign(c=as_object["c"].astype("category"))
    assert csv_bytes(as_category) == csv_bytes(as_object)
    assert b"'=cmd" in csv_bytes(as_category) and b"'-5" not in csv_bytes(as_category)


def test_write_table_blocks_equals_write_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tables_out, "BLOCK_ROWS", 3)
    frame = pd.DataFrame({"a": ["x", "=y", None, "z", "w"], "b": [1.1, np.nan, 3.0, -5.0, 1e-300]})
    write_table(frame, tmp_path / "whole.csv")
    parts = [frame.iloc[:2], frame.iloc[2:2], frame.iloc[2:]]
    assert write_table_blocks(iter(parts), tmp_path / "parts.csv") == 5
    assert (tmp_path / "parts.csv").read_bytes() == (tmp_path / "whole.csv").read_bytes()
    empty = frame.iloc[:0]
    write_table(empty, tmp_path / "empty.csv")
    assert write_table_blocks([empty], tmp_path / "empty2.csv") == 0
    assert (tmp_path / "empty2.csv").read_bytes() == (tmp_path / "empty.csv").read_bytes()
    with pytest.raises(ValueError, match="differ"):
        write_table_blocks([frame, frame.rename(columns={"b": "c"})], tmp_path / "bad.csv")
    assert not (tmp_path / "bad.csv").exists()
    with pytest.raises(ValueError, match="at least one"):
        write_table_blocks([], tmp_path / "none.csv")


TRICKY = [
    "1.1", "0.30000000000000004", "1e-320", "2.2250738585072014e-308", " 7 ", "1.7976931348623157e308",
    "9007199254740993", "0.1e1", "-0", "5.", "+2", ".5", "123456789012345678901234567890", "1E5",
]  # fmt: skip


def test_fast_number_parsing_gives_the_bits_of_the_general_parser() -> None:
    text = pd.Series(TRICKY, dtype="str")
    fast = _arrow_finite_numbers(text)
    assert fast is not None
    general = pd.to_numeric(text.astype("string").str.strip()).to_numpy(dtype=float)
    assert np.array_equal(fast.view(np.int64), general.view(np.int64))
    rng = np.random.default_rng(22)
    numbers = np.concatenate([rng.lognormal(0, 5, 5000), -rng.random(500), np.round(rng.random(500), 3)])
    text = pd.Series([repr(float(v)) for v in numbers] + [f"{v:.17g}" for v in numbers], dtype="str")
    fast = _arrow_finite_numbers(text)
    assert fast is not None
    assert np.array_equal(fast.view(np.int64), np.asarray([float(s) for s in text]).view(np.int64))


@pytest.mark.parametrize(
    ("cells", "problem"),
    [(["1", "BLQ"], None), (["1", ""], None), (["1", "inf"], "not a finite number"),
     (["1", "nan"], None), (["1", "1,5"], "not a number"), (["1", "0x10"], "not a number")],
)  # fmt: skip
def test_anything_but_clean_numbers_takes_the_general_path(cells: list[str], problem: str | None) -> None:
    series = pd.Series(cells, dtype="str")
    assert _arrow_finite_numbers(series) is None
    if problem is None:
        values, blq = parse_numbers(series, "conc", Where(), allow_missing=True, blq_tokens=True)
        assert values[0] == 1.0 and (np.isnan(values[1]) or blq[1])
    else:
        with pytest.raises(Exception, match=problem):
            parse_numbers(series, "conc", Where(file="f.csv"), allow_missing=True, blq_tokens=True)


def test_engine_parts_are_the_whole_result(theoph: pd.DataFrame, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine, "BLOCK_PROFILES", 5)
    frame = theoph.assign(Subject=theoph["Subject"].astype(str))
    points = pd.DataFrame(
        {"Subject": ["7"], "lambda_z_start": [5.0], "lambda_z_end": [24.5], "lambda_z_reason": ["protocol"]}
    )
    kwargs = dict(subject="Subject", time="Time", conc="conc", dose="dose_mg", lambda_z_points=points)
    whole = nca(frame, **kwargs)  # type: ignore[arg-type]
    parts = list(nca_blocks(frame, **kwargs))
    assert [part.n_profiles for part in parts] == [5, 5, 2]
    assert np.array_equal(np.concatenate([p.values for p in parts]), whole.values, equal_nan=True)
    assert np.array_equal(np.concatenate([p.reason for p in parts]), whole.reason)
    for name, flags in whole.flags.items():
        assert np.array_equal(np.concatenate([p.flags[name] for p in parts]), flags)
    assert sum((p.lambda_z_note for p in parts), ()) == whole.lambda_z_note  # "protocol" for subject 7
    pd.testing.assert_frame_equal(pd.concat([p.profiles for p in parts], ignore_index=True), whole.profiles)
    streamed = pd.concat([f for p in parts for f in p.iter_frames()], ignore_index=True)
    expected = whole.to_frame()
    for name in ("Subject", "PPTESTCD", "reason", "lambda_z_method"):
        streamed[name] = streamed[name].astype(expected[name].dtype)
    pd.testing.assert_frame_equal(streamed, expected, check_exact=True)
