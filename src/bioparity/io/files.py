"""Atomic file output: a result file is either complete or absent, never half-written."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bioparity.io.tables_out import OutputFileError, atomic_output, write_table

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


def write_xport_atomic(frame: pd.DataFrame, path: str | os.PathLike[str], **options: Any) -> Path:
    """Write a SAS transport v5 file (``pyreadstat.write_xport(frame, path, file_format_version=5,
    **options)``) atomically: written to a temporary file first, ``path`` replaced only when it is complete
    (a failure leaves no half-written file). A table the format cannot hold (a name longer than 8
    characters, a text longer than 200) is an :class:`~bioparity.io.tables_out.OutputFileError` naming the
    path, not a traceback."""
    import pyreadstat

    with tempfile.TemporaryDirectory(prefix="bioparity-xpt-") as folder:
        scratch = Path(folder) / "out.xpt"
        try:
            pyreadstat.write_xport(frame, str(scratch), file_format_version=5, **options)
        except (pyreadstat.ReadstatError, pyreadstat.PyreadstatError) as exc:
            raise OutputFileError(f"cannot write {str(path)!r} as SAS transport v5: {exc}") from None
        with atomic_output(path) as sink, open(scratch, "rb") as written:
            shutil.copyfileobj(written, sink)
    return Path(path)
