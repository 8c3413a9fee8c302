"""zh-CN text a Chinese reader saw with English words or ASCII punctuation left inside: each case as the
reader sees it now; the stored (English) text unchanged."""

from __future__ import annotations

from bioparity.i18n.notes import translate_note


def test_caa_lots_outside_the_range_are_listed_with_full_width_punctuation() -> None:
    from bioparity.caa.methods import INSIDE, OUTSIDE

    inside = INSIDE.format(
        n_inside=23,
        n=25,
        source="ref-eu",
        share="92%",
        label="mean_R ± 2.5·SD_R",
        range="[84.99, 112.9]",
        required=0.9,
    )
    stored = inside + "; " + OUTSIDE.format(lots="EU-T7730 (114.2), EU-U7767 (116)")
    assert translate_note(stored, "en") == stored
    assert translate_note(stored, "zh-CN") == (
        "23/25 个 ref-eu 批次（92%）落在 mean_R ± 2.5·SD_R [84.99, 112.9] 内；要求 >= 90%；"
        "范围外：EU-T7730（114.2），EU-U7767（116）"
    )
    # a value of another form is shown as stored
    assert translate_note(OUTSIDE.format(lots="L1, L2"), "zh-CN") == "范围外：L1, L2"
