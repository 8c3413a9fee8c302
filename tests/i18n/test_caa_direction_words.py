"""A one-sided CAA plan's direction in the reader's words (zh-rest sweep): the zh-CN run report's table of
the plans and their operating characteristics read "单侧（lower-is-worse）", the stored direction code inside
a translated note. The note stores the code (English text, data); a zh-CN reader now reads 数值越低越不利.
"""

from __future__ import annotations

from bioparity.caa.catalogue import AttributeSpec
from bioparity.caa.operating import plan_text
from bioparity.i18n import use_language
from bioparity.i18n.notes import note_text


def _plan(direction: str) -> str:
    spec = AttributeSpec(
        "hmw_species_sec", tier=1, direction=direction, method="quality-range", k=3.0, min_fraction=0.9,
        spread_check=True, sd_ratio_margin=1.5, sensitivity="none",
    )  # fmt: skip
    return plan_text(spec)


def test_a_one_sided_plan_says_its_direction_in_words_and_stores_the_code() -> None:
    higher, lower = _plan("higher-is-worse"), _plan("lower-is-worse")
    assert "one-sided (higher-is-worse)" in higher and "one-sided (lower-is-worse)" in lower  # stored
    with use_language("zh-CN"):
        shown = note_text(higher), note_text(lower)
    assert "单侧（数值越高越不利）" in shown[0] and "单侧（数值越低越不利）" in shown[1], shown
    assert not any("worse" in text for text in shown)
    assert note_text(lower) == lower  # English: the stored note reads as words already
