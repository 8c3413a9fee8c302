"""Lot IDs a reader should check are named in notes (the lot is the unit of analysis): an ID under two
reference sources, and IDs of one source that differ only in letter case.

EMA/CHMP/138502/2017, section 4.1: the sampling unit is the lot. A lot listed under ``ref-eu`` and ``ref-us``
is either two lots sharing an ID or one lot released for both markets; in the second case the EU/US bridge
compares the lot with itself and a pooled reference counts it twice. The verdicts are computed as before;
the note makes the analyst check the cells.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from bioparity.caa import assess


def _table(us_lots: list[str]) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    lots = {"test": [f"T{i}" for i in range(10)], "ref-eu": [f"R{i}" for i in range(10)], "ref-us": us_lots}
    rows = [
        (attribute, source, lot, 100 + rng.standard_normal())
        for attribute in ("purity", "potency")
        for source, names in lots.items()
        for lot in names
    ]
    return pd.DataFrame(rows, columns=["attribute", "source", "lot", "value"])


def _shared_note(notes: tuple[str, ...]) -> list[str]:
    return [n for n in notes if n.startswith("Lot IDs in more than one reference source")]


def test_a_lot_id_under_both_references_is_named_once_with_its_sources() -> None:
    result = assess(_table(["R0", "R1", *[f"U{i}" for i in range(8)]]), operating_characteristics=False)
    (note,) = _shared_note(result.notes)
    assert "(analysed as separate lots): R0 (ref-eu, ref-us); R1 (ref-eu, ref-us)." in note
    assert "the bridge between those sources compares it with itself" in note
    # still analysed as separate lots: 10 EU and 10 US lots
    bridge = result.table[result.table["comparison"] == "ref-eu vs ref-us"]
    assert bridge["n_test"].tolist() == [10, 10] and bridge["n_reference"].tolist() == [10, 10]


def test_distinct_reference_lots_give_no_note() -> None:
    result = assess(_table([f"U{i}" for i in range(10)]), operating_characteristics=False)
    assert _shared_note(result.notes) == []


def test_more_than_twenty_shared_lots_are_counted() -> None:
    data = _table([f"U{i}" for i in range(10)])
    extra = pd.DataFrame(
        [("purity", source, f"S{i}", 100.0 + i % 3) for i in range(23) for source in ("ref-eu", "ref-us")],
        columns=data.columns,
    )
    (note,) = _shared_note(assess(pd.concat([data, extra]), operating_characteristics=False).notes)
    assert note.count("(ref-eu, ref-us)") == 20 and "and 3 more." in note


def _case_note(notes: tuple[str, ...]) -> list[str]:
    return [n for n in notes if n.startswith("Lot IDs that differ only in letter case")]


def test_lot_ids_differing_only_in_case_are_named_with_their_source() -> None:
    data = _table([f"U{i}" for i in range(10)])
    typed = data[(data["source"] == "test") & (data["lot"] == "T3")].index[0]
    data.loc[typed, "lot"] = "t3"  # lot T3's purity typed in lower case (its potency keeps T3)
    result = assess(data, operating_characteristics=False)
    (note,) = _case_note(result.notes)
    assert note.endswith("(analysed as different lots; check for a typing slip): T3 / t3 (test).")


def test_the_shipped_example_has_no_case_variants_and_no_shared_reference_lots() -> None:
    from bioparity.caa.example import example_paths

    notes = assess(pd.read_csv(example_paths()[0]), operating_characteristics=False).notes
    assert _case_note(notes) == [] and _shared_note(notes) == []
