"""Under ``make test`` (CI=true) a missing test dependency fails instead of skipping (issue 24)."""

from __future__ import annotations

import pathlib
import re
from collections.abc import Generator
from dataclasses import dataclass
from typing import Any

import pytest

from tests import conftest

ROOT = pathlib.Path(__file__).resolve().parents[1]


@dataclass
class _Item:
    nodeid: str = "tests/x.py::test_x"


@dataclass
class _Outcome:
    report: pytest.TestReport

    def get_result(self) -> pytest.TestReport:
        return self.report


def _run_hook(reason: str, monkeypatch: pytest.MonkeyPatch, *, strict: bool) -> pytest.TestReport:
    monkeypatch.setattr(conftest, "STRICT_SKIPS", strict)
    report = pytest.TestReport(
        nodeid="tests/x.py::test_x", location=("tests/x.py", 1, "test_x"), keywords={}, outcome="skipped",
        longrepr=("tests/x.py", 1, f"Skipped: {reason}"), when="call",
    )  # fmt: skip
    hook: Any = conftest.pytest_runtest_makereport
    gen: Generator[None, Any, None] = hook(_Item(), None)
    next(gen)
    with pytest.raises(StopIteration):
        gen.send(_Outcome(report))
    return report


def test_a_missing_dependency_fails_under_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    report = _run_hook("PostgreSQL at 'host=127.0.0.1' is unreachable", monkeypatch, strict=True)
    assert report.outcome == "failed" and "install the test dependency" in str(report.longrepr)


def test_it_stays_a_skip_with_its_reason_locally(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _run_hook("statsmodels is missing", monkeypatch, strict=False).outcome == "skipped"


def test_not_applicable_stays_a_skip_under_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _run_hook("not applicable: Windows only", monkeypatch, strict=True).outcome == "skipped"


def test_a_skip_without_reason_always_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _run_hook("", monkeypatch, strict=False).outcome == "failed"
    assert _run_hook("unconditional skip", monkeypatch, strict=False).outcome == "failed"


def test_make_test_runs_pytest_with_ci_set() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^\tCI=\$\$\{CI:-true\} \$\(BIN\)/python -m pytest", makefile, flags=re.M)


def test_no_test_uses_importorskip_or_reasonless_skips() -> None:
    offenders = []
    for path in (ROOT / "tests").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if path.name != "test_skip_policy.py" and ("importorskip(" in text or "mark.skip\n" in text):
            offenders.append(str(path.relative_to(ROOT)))
        for m in re.finditer(r"mark\.skipif\(", text):
            if "reason=" not in text[m.end() : m.end() + 400]:
                offenders.append(f"{path.name}: skipif without reason")
    assert offenders == []
