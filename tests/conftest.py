"""Shared test fixtures: paths of the reference data shipped in tests/data/reference."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

REFERENCE = Path(__file__).parent / "data" / "reference"


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    return REFERENCE


def read_reference(relative: str) -> pd.DataFrame:
    """Read a reference CSV (R 'NA' means not applicable)."""
    return pd.read_csv(REFERENCE / relative)
