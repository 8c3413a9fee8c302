"""Tables as stored results and back: the JSON shape every tabular analysis result has.

A tabular result is ``{"columns": [...], "rows": [[...], ...], "n_rows": n, **extra}`` at the top level
(NaN stored as null), so that a run's table can be stored as a new dataset and fed to the next analysis
(NCA -> PK similarity), and so that reports find it without knowing the kind.

A kind with several outputs (``stability``, ``comparability``, ``profiles``) stacks them in one stored table,
told apart by the :data:`SECTION` column (:func:`stack_sections`; read back with :func:`section` and
:func:`section_records`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from bioparity._results import plain
from bioparity.errors import InputError
from bioparity.io import ColumnSpec, read_table

#: The column of a stacked table naming the output (section) a row belongs to.
SECTION = "section"


def frame_result(frame: pd.DataFrame, **extra: Any) -> dict[str, Any]:
    """A table as JSON: ``{"columns": [...], "rows": [[...], ...], "n_rows": n, **extra}`` (NaN -> null)."""
    rows = [[_null(plain(v)) for v in row] for row in frame.astype(object).to_numpy().tolist()]
    return {"columns": [str(c) for c in frame.columns], "rows": rows, "n_rows": len(frame), **extra}


def _null(value: Any) -> Any:
    return None if isinstance(value, float) and value != value else value


def has_table(result: Any) -> bool:
    """Whether a stored result is tabular (see :func:`frame_result`)."""
    return (
        isinstance(result, Mapping)
        and isinstance(result.get("columns"), list)
        and isinstance(result.get("rows"), list)
    )


def result_frame(result: Mapping[str, Any]) -> pd.DataFrame:
    """The table of a tabular result (inverse of :func:`frame_result`)."""
    if not has_table(result):
        raise InputError("this result has no table (expected 'columns' and 'rows')")
    return pd.DataFrame(result["rows"], columns=result["columns"])


def frame_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows of a table as one dictionary per row, keyed by the column names as text."""
    return [{str(k): v for k, v in r.items()} for r in frame.to_dict("records")]


def result_records(result: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The rows of a stored tabular result (see :func:`frame_result`) as one dictionary per row; empty
    when it has no rows."""
    columns = list(result.get("columns") or [])
    return [dict(zip(columns, row, strict=True)) for row in result.get("rows") or []]


def stack_sections(parts: Iterable[pd.DataFrame]) -> pd.DataFrame:
    """The parts (each with its :data:`SECTION` column) one under the other, :data:`SECTION` the first
    column."""
    table = pd.concat(list(parts), ignore_index=True)
    return table[[SECTION, *(c for c in table.columns if c != SECTION)]]


def file_labels(frame: pd.DataFrame, key: str = "attribute", label: str = "label") -> dict[str, str]:
    """``key`` -> its ``label`` in a table (a data file's optional label column, or a stored table that
    keeps it: the ``stability`` and ``comparability`` kinds), for the keys that have one (a blank or
    missing label is none)."""
    if label not in frame.columns or key not in frame.columns:
        return {}
    pairs = zip(frame[key].astype(str), frame[label].tolist(), strict=True)
    return {k: text for k, text in pairs if isinstance(text, str) and text}


def section(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    """The rows of one section of a stacked table with the columns that section fills (not :data:`SECTION`);
    no rows when the table has no :data:`SECTION` column."""
    if SECTION not in frame.columns:
        return frame.iloc[0:0]
    rows = frame[frame[SECTION] == name]
    return rows[[c for c in rows.columns if c != SECTION and rows[c].notna().any()]]


def section_records(result: Mapping[str, Any], name: str) -> list[dict[str, Any]]:
    """The rows of one section of a stored stacked result (a mapping of :func:`frame_result`), as
    dictionaries."""
    return [r for r in result_records(result) if r.get(SECTION) == name]


def table_reader(columns: Sequence[ColumnSpec]) -> Callable[[Path], pd.DataFrame]:
    """A reader validating a CSV against ``columns`` with :func:`bioparity.io.read_table`."""

    def read(path: Path) -> pd.DataFrame:
        return read_table(path, columns)

    return read


def grid_result(frame: pd.DataFrame, added: Mapping[str, Any], **extra: Any) -> dict[str, Any]:
    """The input grid with the computed columns appended, as :func:`frame_result` (``extra`` at the top
    level, e.g. ``notes``)."""
    out = frame.copy()
    for name, values in added.items():
        out[name] = np.asarray(values)
    return frame_result(out, **extra)
