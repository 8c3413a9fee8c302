"""A quality-range pass that rests on one test lot is warned about (``caa.results.single_lot_passes``)."""

from __future__ import annotations

import pandas as pd

from bioparity.caa.results import single_lot_passes


def test_only_quality_range_passes_with_one_test_lot_are_warned() -> None:
    table = pd.DataFrame(
        {
            "attribute": ["purity", "charge", "glycan", "potency", "aggregates"],
            "comparison": ["test vs ref-eu"] * 5,
            "method": ["quality-range", "quality-range", "quality-range", "equivalence", "quality-range"],
            "n_test": [1, 2, 1, 1, 1],
            "status": ["pass", "pass", "fail", "pass", "pass"],
        }
    )
    assert single_lot_passes(table) == [
        f"{name} (test vs ref-eu): quality range passed with a single test lot; "
        "the fraction inside the range rests on one lot, add lots before relying on it"
        for name in ("purity", "aggregates")
    ]
    assert single_lot_passes(table[table["n_test"] > 1]) == []
