"""Shared fixtures of the CAA tests: reference tables and small measurement tables."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

REFERENCE = Path(__file__).resolve().parents[1] / "data" / "reference" / "caa"


def reference_table(name: str) -> pd.DataFrame:
    """A reference CSV of tests/data/reference/caa (comment lines start with #)."""
    return pd.read_csv(REFERENCE / name, comment="#")


@pytest.fixture
def small_table() -> pd.DataFrame:
    """Two attributes, test + two references; potency has replicates, purity is one value per lot."""
    rows = []
    for source, lots, shift in (("test", 4, 0.0), ("ref-eu", 5, 0.0), ("ref-us", 5, 0.2)):
        for i in range(lots):
            for rep in range(3):
                rows.append(
                    (
                        "potency",
                        source,
                        f"{source}-{i}",
                        rep + 1,
                        100 + shift + (i - 2) * 1.5 + (rep - 1) * 0.5,
                    )
                )
            rows.append(("purity", source, f"{source}-{i}", 1, 98.0 + 0.1 * i))
    return pd.DataFrame(rows, columns=["attribute", "source", "lot", "replicate", "value"])
