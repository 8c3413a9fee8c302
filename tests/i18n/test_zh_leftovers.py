"""zh-CN text a Chinese reader saw with English words or ASCII punctuation left inside: each case as the
reader sees it now; the stored (English) text unchanged."""

from __future__ import annotations

from pathlib import Path

from bioparity.analyses import get_analysis
from bioparity.analyses.ada_summary import example_data
from bioparity.analyses.registry import effective_options
from bioparity.i18n import use_language
from bioparity.i18n.notes import translate_note

EXAMPLES = Path(__file__).parents[2] / "examples"


def _summaries(kind: str, path: Path, given: dict[str, object] | None = None) -> tuple[str, str]:
    """The one-line summary of a kind's run of ``path`` with ``given`` options, in English and zh-CN."""
    analysis = get_analysis(kind)
    options = effective_options(analysis, given or {})
    result = analysis.compute(analysis.read(path), options)
    with use_language("en"):
        english = analysis.summary(result, options)
    with use_language("zh-CN"):
        chinese = analysis.summary(result, options)
    return english, chinese


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


def test_ada_summary_line_has_full_width_punctuation_in_chinese(tmp_path: Path) -> None:
    path = tmp_path / "listing.csv"
    path.write_bytes(example_data())
    cut_points: dict[str, object] = {"screening_cut_point": 1.2, "confirmatory_cut_point": 20.0}
    english, chinese = _summaries("ada-summary", path, cut_points)
    assert english.startswith("treatment-emergent ADA: test 3/10 (30.0%), reference 1/10 (10.0%); ")
    assert chinese.startswith("治疗期出现的 ADA：test 3/10（30.0%），reference 1/10（10.0%）；")


def test_stability_worst_lot_and_summary_in_chinese() -> None:
    from bioparity.analyses.stability import worst_lot_words
    from bioparity.stability.core import POOLED_LOTS

    english, chinese = _summaries("stability", EXAMPLES / "stability" / "stability.csv")
    assert POOLED_LOTS == "all lots (pooled)"  # the stored value stays English
    with use_language("zh-CN"):
        assert worst_lot_words(POOLED_LOTS) == "所有批次（合并）"
        assert worst_lot_words("T3") == "T3"
    assert chinese.startswith("3 个有效期：最短 25.17 月（Purity，25C，test；批次 T3，dids）")
    with use_language("en"):
        assert worst_lot_words(POOLED_LOTS) == POOLED_LOTS
    assert english.startswith("3 shelf lives: shortest 25.17 months (Purity, 25C, test;")


def test_comparability_and_caa_summary_counts_joined_by_a_full_width_comma() -> None:
    english, chinese = _summaries("comparability", EXAMPLES / "cmc" / "comparability.csv")
    assert chinese.startswith("post-change 对比 pre-change：5 个属性，1 不通过，4 通过；")
    assert english.startswith("post-change vs pre-change: 5 attributes, 1 fail, 4 pass; ")
