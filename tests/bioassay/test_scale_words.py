"""The analysis scale of a cut-point tier has one wording: ``CutPointResult.summary`` (the core, English)
says what the command line, the run page and the reports say (``scale_words``, translated), "no
transformation" or "log scale"; the summary said "untransformed scale"."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from bioparity.analyses.ada_cutpoint import scale_words
from bioparity.bioassay import compute_cut_point
from bioparity.bioassay.results import SCALE_WORDS
from bioparity.i18n import use_language

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "ada" / "ada-cutpoint-validation.csv"


def _donors() -> pd.DataFrame:
    """The screening signals of the shipped ADA example (donor, run, value)."""
    frame = pd.read_csv(EXAMPLE, dtype={"donor": str, "run": str})
    return frame.rename(columns={"signal": "value"})[["donor", "run", "value"]]


@pytest.mark.parametrize(("transform", "words"), [("none", "no transformation"), ("log", "log scale")])
def test_the_summary_words_the_scale_as_the_reports_do(transform: str, words: str) -> None:
    result = compute_cut_point(_donors(), transform=transform)
    with use_language("en"):
        assert scale_words(transform) == words
    assert f"({result.method}, {words}, false positive rate 5%)" in result.summary()


@pytest.mark.parametrize(("transform", "words"), [("none", "未转换"), ("log", "对数尺度")])
def test_the_scale_words_are_translated(transform: str, words: str) -> None:
    with use_language("zh-CN"):
        assert scale_words(transform) == words


def test_a_code_without_words_is_printed_as_it_is() -> None:
    assert set(SCALE_WORDS) == {"none", "log"}
    assert scale_words("sqrt") == "sqrt"
