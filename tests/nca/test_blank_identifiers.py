"""Sparse and urine NCA refuse a blank subject or group cell in the core, so every front end (CLI, the
workspace, ``bioparity run``) does; before, only the CLI checked and the other paths made the blank a
profile of its own."""

from __future__ import annotations

import pandas as pd
import pytest

from bioparity.errors import DataFileError
from bioparity.nca import Where, sparse_nca, urine_nca


def test_sparse_nca_refuses_a_blank_subject_naming_row_and_column() -> None:
    frame = pd.DataFrame({"subject": ["a", "b", " ", "d"], "time": [0, 0, 1, 1], "conc": [0.0, 0, 5, 4]})
    with pytest.raises(DataFileError, match="empty identifier") as info:
        sparse_nca(frame, where=Where(file="s.csv"))
    assert (info.value.file, info.value.row, info.value.line, info.value.column) == ("s.csv", 3, 4, "subject")


def test_urine_nca_refuses_a_blank_group_cell() -> None:
    frame = pd.DataFrame(
        {"subject": [1, 1], "arm": ["T", None], "start": [0.0, 4.0], "end": [4.0, 12.0],
         "conc": [10.0, 8.0], "volume": [50.0, 40.0]}
    )  # fmt: skip
    with pytest.raises(DataFileError, match="empty identifier") as info:
        urine_nca(frame, groups=["arm"])
    assert (info.value.row, info.value.column) == (2, "arm")
