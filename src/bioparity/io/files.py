"""Atomic file output: a result file is either complete or absent, never half-written."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from bioparity.io.tables_out import atomic_output, write_table

if TYPE_CHECKING:
    import pandas as pd


def atomic_write_text(path: str | os.PathLike[str], text: str) -> Path:
    """Write ``text`` (UTF-8, newlines as given) to ``path`` atomically."""
    return atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` via a temporary file in the same folder and an atomic rename."""
    with atomic_output(path) as fh:
        fh.write(data)
    return Path(path)


def write_frame_atomic(frame: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Write a table atomically with the shared writer (:func:`bioparity.io.tables_out.write_table`).

    CSV by default (shortest round-trip numbers, formula-like text neutralised), Parquet for
    ``.parquet``/``.pq``.
    """
    return write_table(frame, path)
