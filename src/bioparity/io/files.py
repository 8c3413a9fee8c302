"""Atomic file output: a result file is either complete or absent, never half-written."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pandas as pd


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write_text(path: str | os.PathLike[str], text: str) -> Path:
    """Write ``text`` (UTF-8, newlines as given) to ``path`` atomically."""
    return atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` via a temporary file in the same folder and an atomic rename."""
    target = Path(path)
    if target.exists() and not target.is_file():
        # A device, FIFO or similar (e.g. /dev/stdout, /dev/null): write through; never replace it.
        with open(target, "wb") as fh:
            fh.write(data)
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp creates 0600; give the file the user's usual mode
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def write_frame_atomic(frame: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Write a DataFrame as CSV (no index, full float precision) atomically."""
    return atomic_write_text(path, frame.to_csv(index=False, float_format="%.17g", lineterminator="\n"))
