"""Shared fixtures of the NCA tests: the reference data sets copied into tests/data/reference."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.conftest import REFERENCE


@pytest.fixture(scope="session")
def theoph() -> pd.DataFrame:
    """R datasets::Theoph with the total dose in mg (Dose mg/kg x Wt kg), as in the PKNCA reference run."""
    d = pd.read_csv(REFERENCE / "nca" / "theoph.csv")
    d["dose_mg"] = d["Dose"] * d["Wt"]
    return d


@pytest.fixture(scope="session")
def theoph_expected() -> pd.DataFrame:
    return pd.read_csv(REFERENCE / "expected" / "nca_theoph_linuplogdown.csv")


@pytest.fixture(scope="session")
def indometh() -> pd.DataFrame:
    return pd.read_csv(REFERENCE / "nca" / "indometh.csv")
