"""A cut point whose outlier rule removes more than 10% of a tier's donors (or values) says so, citing
Devanarayan et al. 2017 (AAPS J 19:1487-1498: outlier exclusion should be limited and justified); the rule
itself is unchanged (CMC review finding 3)."""

from __future__ import annotations

import pandas as pd

from bioparity.bioassay import compute_cut_point


def _two_runs(means: list[float]) -> pd.DataFrame:
    """Each donor's mean ``m`` measured as ``m + d`` and ``m - d`` in runs R1 and R2 (``d`` = 1 or -1
    alternately): two values per donor, too few for an analytical outlier (the rule needs 4)."""
    rows = []
    for i, m in enumerate(means):
        d = 1.0 if i % 2 else -1.0
        rows += [(f"D{i:02d}", "R1", m + d), (f"D{i:02d}", "R2", m - d)]
    return pd.DataFrame(rows, columns=["donor", "run", "value"])


def _share_notes(result_notes: tuple[str, ...]) -> list[str]:
    return [n for n in result_notes if "Devanarayan" in n]


def test_five_of_thirty_donors_removed_gets_the_note() -> None:
    # Donor means 100..124 (25 donors) and 5 at 1000. By hand, type-7 quartiles of the 30 sorted means:
    # Q1 at h = 29 * 0.25 = 7.25 -> 107 + 0.25 = 107.25; Q3 at h = 21.75 -> 121 + 0.75 = 121.75;
    # IQR 14.5, fences [85.5, 143.5]: exactly the 5 donors at 1000 are outside (5/30 = 17% > 10%).
    frame = _two_runs([100.0 + i for i in range(25)] + [1000.0] * 5)
    result = compute_cut_point(frame, transform="none")
    assert sum(o.step == "biological" for o in result.outliers) == 5
    assert _share_notes(result.notes) == [
        "5 of 30 donors (17%) removed as biological outliers, more than 10%: outlier exclusion should be "
        "limited and justified (Devanarayan et al. 2017, AAPS J 19:1487-1498); review the donors removed"
    ]


def test_one_of_thirty_donors_removed_gets_no_note() -> None:
    # Means 100..128 (29 donors) and one at 1000: the same quartiles (107.25, 121.75) and fences
    # [85.5, 143.5]; one donor (3%) removed, no note.
    frame = _two_runs([100.0 + i for i in range(29)] + [1000.0])
    result = compute_cut_point(frame, transform="none")
    assert [o.donor for o in result.outliers] == ["D29"]
    assert _share_notes(result.notes) == []


def test_many_analytical_outliers_get_the_note() -> None:
    # 30 donors x 4 runs; donor i has values m_i + (0, e, 2, x), e = 1, 1.2 or 1.4. By hand with x = 100:
    # type-7 quartiles of (0, e, 2, 100) are 0.75 e <= 1.05 and 2 + 0.25 * 98 = 26.5, upper fence
    # >= 26.5 + 1.5 * 25.45 = 64.675 and < 100, so the value at +100 is an analytical outlier; with x = 3
    # (0, e, 2, 3) none is. 13 donors carry it: 13 of 120 values (10.8% > 10%).
    # The donor means m_i = 100 + i lie within the fences of the means (no biological outlier).
    rows = []
    for i in range(30):
        last = 100.0 if i < 13 else 3.0
        offsets = (0.0, 1.0 + 0.2 * (i % 3), 2.0, last)
        rows += [(f"D{i:02d}", f"R{j}", 100.0 + i + off) for j, off in enumerate(offsets)]
    result = compute_cut_point(pd.DataFrame(rows, columns=["donor", "run", "value"]), transform="none")
    assert sum(o.step == "analytical" for o in result.outliers) == 13
    assert _share_notes(result.notes) == [
        "13 of 120 values (11%) removed as analytical outliers, more than 10%: outlier exclusion should be "
        "limited and justified (Devanarayan et al. 2017, AAPS J 19:1487-1498); review the values removed"
    ]


def test_the_note_reads_in_chinese() -> None:
    from bioparity.bioassay.cutpoint import MANY_DONORS_REMOVED
    from bioparity.i18n.notes import translate_note

    shown = translate_note(MANY_DONORS_REMOVED.format(k=5, n=30, share=5 / 30), "zh-CN")
    assert shown.startswith("30 个供体中有 5 个（17%）作为生物学离群值被剔除")
    assert "Devanarayan et al. 2017" in shown
