"""A pass that rests on one test lot carries a note in the result (``caa.assessment.single_lot_notes``),
so that the CLI, the workspace run page and the report all show it (FDA 2019 draft CAA guidance,
section V.C: the assessment is of the test product's lot-to-lot variability, which one lot cannot show)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from bioparity.caa.assessment import assess, single_lot_notes
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
        "单一受试批次，test vs ref-eu：purity 仅凭一个受试批次通过"
    )
    three = assess(_lots(3), catalogue, plan="tiered-2017", operating_characteristics=False)
    assert three.table["status"].tolist() == ["pass"]
    assert not [n for n in three.notes if n.startswith("Single test lot")]
