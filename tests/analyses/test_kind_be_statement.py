"""The acceptance statement of a ``be`` run (:func:`bioparity.analyses.be.be_statement`): the range the CI
was compared with, the rounding, the guideline section, and for reference scaling the widening rule and
its cap (EMA CPMP/EWP/QWP/1401/98 Rev. 1, 4.1.8 and 4.1.10; FDA Draft Guidance on Progesterone, 2011).
The records are those ``bioparity be`` computes on replicateBE's reference data set 01 (CVwR 46.96%)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bioparity.analyses.be import BE, be_statement
from bioparity.be.limits import abel_limits


@pytest.fixture(scope="module")
def frame(tmp_path_factory: pytest.TempPathFactory) -> object:
    assert BE.example is not None
    return BE.read(BE.example.write(Path(tmp_path_factory.mktemp("be"))))


@pytest.mark.parametrize(
    ("method", "words"),
    [
        ("abe", ["90% CI of the geometric mean ratio T/R within 80.00-125.00%", "4.1.8", "2001"]),
        ("ema-abel-a", ["CVwR 46.96% is above 30%", "widened limits 71.23-140.40%", "4.1.10", "Cmax only"]),
        ("ema-abel-b", ["widened limits 71.23-140.40%", "capped at CVwR 50% (69.84-143.19%)"]),
        ("fda-rsabe", ["sWR 0.4464 is at least 0.294", "no cap on sWR", "67.13-148.96% implied by sWR"]),
    ],
)
def test_the_statement_names_range_rounding_and_source(frame: object, method: str, words: list[str]) -> None:
    result = BE.compute(frame, {"method": method})  # type: ignore[arg-type]
    text = be_statement(result, {"method": method})
    assert "rounded to two decimals" in text or method == "fda-rsabe"
    for word in words:
        assert word in text, (word, text)


def test_the_limits_stated_are_the_guideline_table() -> None:
    """EMA 4.1.10's table: CVwR 50% -> 69.84-143.19%; above the cap the statement says the cap applies,
    at CVwR 30% or less the limits are not widened."""
    low, high = (100 * float(v) for v in abel_limits(0.55))
    capped = {"method": "ema-abel-a", "scaled": True, "cvwr": 55.0, "lower_limit": low, "upper_limit": high}
    assert "widened limits 69.84-143.19%" in be_statement(capped, {})
    assert "the limits are those of the cap" in be_statement(capped, {})
    plain = {"method": "ema-abel-a", "scaled": False, "cvwr": 25.0, "lower_limit": 80.0, "upper_limit": 125.0}
    assert "CVwR 25.00% is not above 30%, so the limits are not widened" in be_statement(plain, {})
    custom = {"method": "abe", "lower_limit": 90.0, "upper_limit": 111.11}
    assert "not the standard 80.00-125.00%" in be_statement(custom, {})
    assert be_statement({"method": "abe"}, {}) == ""
