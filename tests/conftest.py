"""Shared test fixtures: paths of the reference data shipped in tests/data/reference."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import settings

REFERENCE = Path(__file__).parent / "data" / "reference"

# The audit key of the test run: a private file of its own (never the user's key), inherited by the
# servers and CLI processes the tests start; removed at exit.
_KEY_FOLDER = tempfile.mkdtemp(prefix="bioparity-test-key-")
os.environ.setdefault("BIOPARITY_AUDIT_KEY_FILE", os.path.join(_KEY_FOLDER, "audit.key"))
atexit.register(shutil.rmtree, _KEY_FOLDER, True)


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    return REFERENCE


def read_reference(relative: str) -> pd.DataFrame:
    """Read a reference CSV (R 'NA' means not applicable)."""
    return pd.read_csv(REFERENCE / relative)


# CI runs the same examples every time (a failure there is reproducible); locally hypothesis explores.
settings.register_profile("ci", derandomize=True, print_blob=True)
settings.register_profile("explore", max_examples=2000)
if os.environ.get("CI"):
    settings.load_profile("ci")
elif os.environ.get("HYPOTHESIS_PROFILE"):
    settings.load_profile(os.environ["HYPOTHESIS_PROFILE"])
