"""Reading a reviewer's lambda_z choices file (the input of :mod:`bioparity.nca.review`)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from bioparity.errors import DataFileError
from bioparity.io.readers import read_any_table
from bioparity.nca.review import choices_frame
from bioparity.nca.samples import Where


def read_review(path: Path) -> tuple[pd.DataFrame, Where]:
    """A choices file: CSV/XLSX/Parquet (one row per choice) or JSON (a list, or ``{"choices": [...]}``)."""
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise DataFileError(f"not readable as JSON ({exc})", file=str(path)) from exc
        if isinstance(data, Mapping):
            data = data.get("choices")
        return choices_frame(data, file=str(path)), Where(file=str(path), line_offset=None)
    table = read_any_table(path)
    return table.frame, Where(file=table.file, line_offset=table.line_offset)
