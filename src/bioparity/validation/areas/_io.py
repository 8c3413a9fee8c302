"""Reading reference CSV files (comment lines start with '#'; R's NA is missing)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd


def read_reference_csv(path: Path) -> pd.DataFrame:
    """A reference CSV as a frame; '#' lines are provenance comments."""
    return pd.read_csv(path, comment="#")
