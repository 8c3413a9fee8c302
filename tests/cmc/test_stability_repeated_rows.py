"""A result entered twice (same lot, time and value) weighs its time point double in the lot's regression
(ICH Q1E Appendix B.1); it is stated with its rows, not refused, since equal rounded replicates happen.
The shipped example's replicate pairs differ in value, so it carries no such note."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from bioparity.analyses.stability import read_stability_data
from bioparity.i18n.notes import translate_note
from bioparity.io.cmc import read_stability
from bioparity.stability import stability_table
from bioparity.stability.core import REPEATED_RESULTS

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "stability" / "stability.csv"
SPEC = {"purity": {"lower": 90.0}, "potency": {"lower": 95.0}}


def test_a_row_entered_twice_is_stated_with_its_rows(tmp_path: Path) -> None:
    raw = pd.read_csv(EXAMPLE)
    twice = pd.concat([raw.iloc[:3], raw.iloc[[2]], raw.iloc[3:]], ignore_index=True)
    twice.to_csv(tmp_path / "s.csv", index=False)
    table = stability_table(read_stability_data(tmp_path / "s.csv"), SPEC).table
    flags = table.set_index(["attribute", "product"])["flags"].fillna("")
    assert flags[("purity", "test")].endswith(
        "results repeated exactly (same lot, time and value): lot T1 at 3 (rows 3, 4); "
        "check that no row was entered twice"
    )
    assert "repeated" not in flags[("purity", "reference")]


def test_the_example_has_no_repeated_result() -> None:
    table = stability_table(read_stability(EXAMPLE), SPEC).table
    assert not table["flags"].fillna("").str.contains("repeated").any()


def test_the_note_reads_in_chinese() -> None:
    note = REPEATED_RESULTS.format(places="lot T1 at 3 (rows 3, 4)")
    assert translate_note(note, "zh-CN").startswith("完全重复的结果")
