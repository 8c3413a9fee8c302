"""Shared test fixtures: paths of the reference data shipped in tests/data/reference."""

from __future__ import annotations

import atexit
import importlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import settings

REFERENCE = Path(__file__).parent / "data" / "reference"

# The audit key of the test run: a private file of its own (never the user's key), inherited by the
# servers and CLI processes the tests start; removed at exit.
_KEY_FOLDER = tempfile.mkdtemp(prefix="bioparity-test-key-")
os.environ.setdefault("BIOPARITY_AUDIT_KEY_FILE", os.path.join(_KEY_FOLDER, "audit.key"))
atexit.register(shutil.rmtree, _KEY_FOLDER, True)

# The command line follows the POSIX locale (LC_ALL > LC_MESSAGES > LANG) when no --lang is given: the
# tests expect English unless they ask for another language, whatever the developer's own locale.
for _name in ("LC_ALL", "LC_MESSAGES", "LANG"):
    if os.environ.get(_name, "C").split(".")[0] not in {"", "C", "POSIX"} and not os.environ[
        _name
    ].startswith("en"):
        os.environ[_name] = "C.UTF-8"


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    return REFERENCE


def read_reference(relative: str) -> pd.DataFrame:
    """Read a reference CSV (R 'NA' means not applicable)."""
    return pd.read_csv(REFERENCE / relative)


def one_row(frame: pd.DataFrame, key: Any) -> pd.Series:
    """The single row of ``frame`` at index ``key`` (fails if the key names no row or several)."""
    row = frame.loc[key]
    assert isinstance(row, pd.Series), f"{key!r} does not name exactly one row"
    return row


# CI runs the same examples every time (a failure there is reproducible); locally hypothesis explores.
settings.register_profile("ci", derandomize=True, print_blob=True)
settings.register_profile("explore", max_examples=2000)
if os.environ.get("CI"):
    settings.load_profile("ci")
elif os.environ.get("HYPOTHESIS_PROFILE"):
    settings.load_profile(os.environ["HYPOTHESIS_PROFILE"])


#: Under CI (``make test`` sets CI=true) a test that would be skipped fails instead: every test
#: dependency (statsmodels, PostgreSQL, Chromium, axe-core, poppler) is installed by ``make test`` and
#: scripts/system-deps.sh, so a skip there means a missing dependency, not an inapplicable test. Skips
#: whose reason starts with ``not applicable`` stay skips; a skip without a reason is never accepted.
STRICT_SKIPS = bool(os.environ.get("CI"))
NOT_APPLICABLE = "not applicable"


def require_module(name: str) -> Any:
    """Import a test dependency; skip locally with the reason, fail under CI (see ``STRICT_SKIPS``)."""
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        message = (
            f"test dependency {name} is missing ({exc}); `make test` installs it (pip install -e '.[dev]')"
        )
        if STRICT_SKIPS:
            pytest.fail(message)
        pytest.skip(message)


def _skip_reason(report: pytest.TestReport) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2]).removeprefix("Skipped: ").strip()
    return str(longrepr or "").strip()


#: Seconds per test file as last measured (scripts/test_durations.py writes it).
DURATIONS = Path(__file__).with_name("durations.txt")


def _measured_seconds() -> dict[str, float]:
    seconds = {}
    for line in DURATIONS.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            value, path = line.split(maxsplit=1)
            seconds[path] = float(value)
    return seconds


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The slowest files first (longest processing time first): with ``--dist loadfile
    --no-loadscope-reorder`` (``make unit``; without it xdist re-sorts the files by number of tests) the
    workers take whole files in this order, so a long file no longer starts last and runs alone while the
    other worker waits (the web files, the slowest, came last in the alphabet). Within a file the order is
    kept; files not measured keep their collection order after the measured ones."""
    seconds = _measured_seconds()
    items.sort(key=lambda item: -seconds.get(item.nodeid.split("::", 1)[0], 0.0))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report: pytest.TestReport = outcome.get_result()  # type: ignore[attr-defined]
    if not report.skipped or hasattr(report, "wasxfail"):
        return
    reason = _skip_reason(report)
    if not reason or reason == "unconditional skip":
        report.outcome = "failed"
        report.longrepr = f"{item.nodeid}: skipped without a reason; every skip must state why"
    elif STRICT_SKIPS and not reason.startswith(NOT_APPLICABLE):
        report.outcome = "failed"
        report.longrepr = f"{item.nodeid}: would be skipped under CI ({reason}); install the test dependency"
