"""zh-CN punctuation of the CAA lot lists (zhlast findings): the uneven-replicate items (``(3 vs 2)``), the
shared-lot and case-variant lists (``(ref-eu, ref-us)``) read with full-width parentheses, 对比 and ，; the
stored English notes do not change."""

from __future__ import annotations

import pandas as pd

from bioparity.caa import assess
from bioparity.i18n.notes import translate_note


def _notes(rows: list[tuple[str, str, float]]) -> list[str]:
    frame = pd.DataFrame([{"attribute": "purity", "source": s, "lot": lot, "value": v} for s, lot, v in rows])
    return list(assess(frame, operating_characteristics=False).notes)


def test_uneven_replicates_read_in_chinese() -> None:
    """Before: ...：purity/test/T0 (3 vs 2)。 (ASCII parentheses and "vs" in Chinese text)."""
    rows = [
        (s, f"{s[0].upper()}{i}", 98.0 + 0.1 * i + 0.01 * k)
        for s in ("ref-eu", "test")
        for i in range(10)
        for k in range(2)
    ]
    rows.append(("test", "T0", 98.05))  # a third value of lot T0: 3 values where the others have 2
    stored = next(n for n in _notes(rows) if n.startswith("More values"))
    assert stored.endswith("given twice): purity/test/T0 (3 vs 2).")
    shown = translate_note(stored, "zh-CN")
    assert shown.endswith("：purity/test/T0（3 对比 2）。"), shown
    assert "vs" not in shown and "(" not in shown
    assert translate_note(stored, "en") == stored


def test_shared_and_case_variant_lots_read_in_chinese() -> None:
    """Before: ...：R1 (ref-eu, ref-us)。 and ...：T1 / t1 (test)。"""
    rows = [
        (s, f"{p}{i}", 98.0 + 0.1 * i)
        for s, p in (("ref-eu", "R"), ("ref-us", "R"), ("test", "T"))
        for i in range(1, 4)
    ]
    rows.append(("test", "t1", 98.3))
    notes = _notes(rows)
    shared = next(n for n in notes if n.startswith("Lot IDs in more than one"))
    assert "separate lots): R1 (ref-eu, ref-us); R2 (ref-eu, ref-us); R3 (ref-eu, ref-us). If" in shared
    shown = translate_note(shared, "zh-CN")
    assert "：R1（ref-eu，ref-us）；R2（ref-eu，ref-us）；R3（ref-eu，ref-us）。" in shown, shown
    assert translate_note(shared, "en") == shared
    variant = next(n for n in notes if n.startswith("Lot IDs that differ"))
    assert variant.endswith("slip): T1 / t1 (test).")
    assert translate_note(variant, "zh-CN").endswith("：T1 / t1（test）。")
    assert translate_note(variant, "en") == variant


def test_outlier_flags_read_in_chinese() -> None:
    """Before: ...：purity/test/T9 (120)。 The test lots 98.0-98.8 and 120 have Q1 98.225, Q3 98.675
    (R 4.2.2 quantile type 7): 120 is above Q3 + 3·IQR = 100.025, the only test lot flagged."""
    rows = [("ref-eu", f"R{i}", 98.0 + 0.1 * i) for i in range(10)]
    rows += [("test", f"T{i}", 98.0 + 0.1 * i) for i in range(9)] + [("test", "T9", 120.0)]
    stored = next(n for n in _notes(rows) if n.startswith("Outlier flags ("))
    assert stored.endswith("not excluded): purity/test/T9 (120).")
    assert translate_note(stored, "zh-CN").endswith("：purity/test/T9（120）。")
    assert translate_note(stored, "en") == stored
