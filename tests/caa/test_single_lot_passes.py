"""A pass that rests on one test lot carries a note in the result (``caa.assessment.single_lot_notes``),
so that the CLI, the workspace run page and the report all show it (FDA 2019 draft CAA guidance,
section V.C: the assessment is of the test product's lot-to-lot variability, which one lot cannot show)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from bioparity.caa.assessment import (
    EQUIVALENCE_FALSE_FAILURE,
    EQUIVALENCE_MULTIPLICITY,
    SINGLE_TEST_LOT,
    SPREAD_FALSE_FAILURE,
    assess,
    single_lot_notes,
)
from bioparity.caa.catalogue import AttributeSpec, Catalogue
from bioparity.i18n.notes import translate_note


def test_only_passes_with_one_test_lot_are_noted_per_comparison() -> None:
    table = pd.DataFrame(
        {
            "attribute": ["purity", "charge", "glycan", "potency", "aggregates", "purity"],
            "comparison": ["test vs ref-eu"] * 5 + ["test vs ref-us"],
            "n_test": [1, 2, 1, 1, 1, 3],
            "status": ["pass", "pass", "fail", "pass", "pass", "pass"],
        }
    )
    notes = single_lot_notes(table)
    assert len(notes) == 1
    assert notes[0].startswith(
        "Single test lot, test vs ref-eu: purity, potency, aggregates passed on one test lot;"
    )
    assert single_lot_notes(table[table["n_test"] > 1]) == []


def _lots(n_test: int) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    rows = [("ref-eu", f"R{i}", float(v)) for i, v in enumerate(rng.normal(98.0, 0.5, 12))]
    rows += [("test", f"T{i}", 98.0 + 0.1 * i) for i in range(n_test)]
    return pd.DataFrame([{"attribute": "purity", "source": s, "lot": lot, "value": v} for s, lot, v in rows])


def test_a_quality_range_pass_on_one_test_lot_is_a_note_of_the_result_in_both_languages() -> None:
    # The old plan (technical lot minimums: one test lot allowed); 98.0 lies inside mean_R +- 3 SD_R.
    catalogue = Catalogue(attributes={"purity": AttributeSpec(name="purity", tier=2)})
    one = assess(_lots(1), catalogue, plan="tiered-2017", operating_characteristics=False)
    assert one.table["status"].tolist() == ["pass"]
    noted = [n for n in one.notes if n.startswith("Single test lot")]
    assert noted == [single_lot_notes(one.table)[0]]
    assert "purity passed on one test lot" in noted[0]
    assert translate_note(noted[0], "zh-CN").startswith(
        "单一受试批次，test 对比 ref-eu：purity 仅凭一个受试批次通过"
    )
    assert "Single test lot, test vs ref-eu: " in noted[0]  # the stored note keeps the label (data)
    three = assess(_lots(3), catalogue, plan="tiered-2017", operating_characteristics=False)
    assert three.table["status"].tolist() == ["pass"]
    assert not [n for n in three.notes if n.startswith("Single test lot")]


def test_notes_that_carry_a_comparison_label_show_it_in_the_readers_words() -> None:
    """zh-CN tables print ``test 对比 ref-eu``; the notes that carry the label as a value read the same (the
    stored note, and its English, keep ``test vs ref-eu``); a label without `` vs `` shows as stored."""
    notes = {
        SINGLE_TEST_LOT.format(
            comparison="test vs ref-eu", attributes="purity"
        ): "单一受试批次，test 对比 ref-eu：",
        EQUIVALENCE_FALSE_FAILURE.format(comparison="test vs ref-us", n=3, familywise="14.3%"): (
            "等效性检验的偶然不通过，test 对比 ref-us："
        ),
        SPREAD_FALSE_FAILURE.format(
            comparison="ref-us vs ref-eu",
            per_check="3.1%",
            n=4,
            familywise="12%",
            expected="0.12",
            n_formal=2,
            plan="20%",
        ): "离散度检查的偶然不通过，ref-us 对比 ref-eu：",
        EQUIVALENCE_MULTIPLICITY.format(
            n_tests=4,
            n_attributes=2,
            n_comparisons=2,
            comparisons="test vs ref-eu; test vs ref-us",
            alpha="0.05",
            level="90%",
        ): "2 个比较：test 对比 ref-eu；test 对比 ref-us）",
        SINGLE_TEST_LOT.format(comparison="pooled", attributes="purity"): "单一受试批次，pooled：",
    }
    for note, chinese in notes.items():
        assert chinese in translate_note(note, "zh-CN"), note
        assert " vs " not in translate_note(note, "zh-CN")
        assert translate_note(note, "en") == note


def _sources(n_reference: int, n_test: int) -> pd.DataFrame:
    rows = [("ref-eu", f"R{i}", 98.0 + 0.1 * i) for i in range(n_reference)]
    rows += [("test", f"T{i}", 98.0 + 0.1 * i) for i in range(n_test)]
    return pd.DataFrame([{"attribute": "purity", "source": s, "lot": lot, "value": v} for s, lot, v in rows])


def test_a_lot_count_reads_right_for_one_and_many_and_stored_notes_still_translate() -> None:
    """CAA finding: the not-evaluable reason read "1 lots of test; quality-range needs >= 10". One lot is
    "1 lot of test" ("1 reference lot (ref-eu)"), more "3 lots of test"; a reason stored in the earlier
    wording still translates."""
    catalogue = Catalogue(attributes={"purity": AttributeSpec(name="purity", tier=2)})
    one_test = assess(_sources(12, 1), catalogue, operating_characteristics=False).table["reasons"].iloc[0]
    assert "not evaluable: 1 lot of test; quality-range needs >= 10 (default minimum" in one_test
    assert "lots of" not in one_test
    one_ref = assess(_sources(1, 3), catalogue, operating_characteristics=False).table["reasons"].iloc[0]
    assert "1 reference lot (ref-eu); quality-range needs >= 10" in one_ref
    assert "3 lots of test; quality-range needs >= 10" in one_ref
    chinese = translate_note(one_test, "zh-CN")
    assert chinese.startswith("不可评价：test 有 1 个批次；quality-range 需要 >= 10 个")
    assert translate_note(one_ref, "zh-CN").startswith("不可评价：1 个参照批次（ref-eu）；quality-range")
    # as runs stored them before (the earlier wording, kept in the catalogue)
    assert translate_note("1 lots of test; quality-range needs >= 10", "zh-CN") == (
        "test 有 1 个批次；quality-range 需要 >= 10 个"
    )
    assert translate_note("1 reference lots (ref-eu); quality-range needs >= 10", "zh-CN") == (
        "1 个参照批次（ref-eu）；quality-range 需要 >= 10 个"
    )
