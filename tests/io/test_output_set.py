"""``bioparity.io.tables_out.output_set``: the files written in the block are all renamed into place at its
end, or none when it fails (no temporary file left), nested blocks belonging to the outermost."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from bioparity.io.files import atomic_write_text, write_frame_atomic
from bioparity.io.tables_out import output_set, will_be_file


def test_files_appear_only_when_the_set_ends(tmp_path: Path) -> None:
    a, b = tmp_path / "a.csv", tmp_path / "b.txt"
    with output_set():
        write_frame_atomic(pd.DataFrame({"x": [1]}), a)
        with output_set():  # nested: part of the outer set
            atomic_write_text(b, "first")
            atomic_write_text(b, "second")  # the last content wins, the first temporary file is gone
        assert not a.exists() and not b.exists() and will_be_file(a) and will_be_file(b)
    assert a.read_text() == "x\n1\n" and b.read_text() == "second"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv", "b.txt"]


def test_a_failure_leaves_no_file(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("old\n")
    with pytest.raises(RuntimeError), output_set():
        write_frame_atomic(pd.DataFrame({"x": [1]}), tmp_path / "a.csv")
        atomic_write_text(tmp_path / "b.txt", "new")
        raise RuntimeError("second output failed")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv"]
    assert (tmp_path / "a.csv").read_text() == "old\n"
    assert not will_be_file(tmp_path / "b.txt")
