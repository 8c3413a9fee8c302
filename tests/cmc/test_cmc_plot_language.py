"""The figures of ``bioparity stability --plots`` and ``profile --plot`` in the command's language (zh-more
finding 2): under
zh-CN they were drawn with English words ("time", "lot R1", "acceptance criterion", "shelf life", "one-sided
bound") and no CJK font. Their words now come from the catalogue of the report figures (the same "lot
%(lot)s", "shelf life %(shelf_life)s", "acceptance criterion" entries), the time axis names the
specification's unit (月), and Chinese glyphs are set in Noto Sans CJK SC; the English figure keeps its
words (the title as before, the axis now with its unit).

The profile figure likewise ("% of profile", "reference LOO", "Aitchison distance", its title).

The SVGs are written with ``svg.fonttype: none`` (text kept as ``<text>``) so that the words can be read.
"""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib
import pytest
from typer.testing import CliRunner

from bioparity.analyses.stability import example_data
from bioparity.cli.main import app
from bioparity.i18n.printing import CJK_FONT, cjk_font

RUNNER = CliRunner()
PROFILE = Path(__file__).resolve().parents[1] / "data" / "reference" / "cmc" / "data_profile.csv"
SPEC = "attributes:\n  purity: {lower: 90, slope_margin: 0.1}\n  potency: {lower: 95}\n"


def _words(svg: str) -> str:
    """The text of an SVG written with ``svg.fonttype: none``, one space between words."""
    words = " ".join(re.sub(r"<[^>]+>", " ", t) for t in re.findall(r"<text\b.*?</text>", svg, re.S))
    return " ".join(words.split())


def _texts(tmp_path: Path, language: str) -> tuple[str, str]:
    """The words of one written figure (the purity of the example's first product) and its SVG."""
    data, spec, figs = tmp_path / "stab.csv", tmp_path / "spec.yaml", tmp_path / language
    data.write_bytes(example_data())
    spec.write_text(SPEC, encoding="utf-8")
    args = ["--lang", language, "stability", str(data), "--spec", str(spec), "--out", str(tmp_path / "o.csv")]
    with matplotlib.rc_context({"svg.fonttype": "none"}):
        done = RUNNER.invoke(app, [*args, "--plots", str(figs), "--plot-format", "svg"])
    assert done.exit_code == 0, done.output
    svg = sorted(figs.glob("stability_purity*.svg"))[0].read_text(encoding="utf-8")
    return _words(svg), svg


def test_a_chinese_stability_figure_has_chinese_words_in_a_cjk_font(tmp_path: Path) -> None:
    if cjk_font() is None:
        pytest.fail("Noto Sans CJK SC missing: run scripts/system-deps.sh")
    words, svg = _texts(tmp_path, "zh-CN")
    assert "时间（月）" in words and "批次 R1" in words and "可接受标准" in words and "有效期" in words
    assert "单侧 95% 置信限" in words and "斜率相等检验 p =" in words
    left = re.findall(r"\b(?:time|lot|acceptance|criterion|shelf|life|slopes|intercepts|bound)\b", words)
    assert left == [], words
    assert CJK_FONT in svg  # the Chinese glyphs from the CJK font, not missing-glyph boxes


def test_an_english_stability_figure_keeps_its_words(tmp_path: Path) -> None:
    words, svg = _texts(tmp_path, "en")
    assert "time (months)" in words and "lot R1" in words and "acceptance criterion" in words
    title = r"purity \[25C\]: \w+ \(p slopes [\d.e-]+, p intercepts [\d.e-]+\); 95% one-sided bound"
    assert re.search(title, words), words
    assert CJK_FONT not in svg


def _profile(tmp_path: Path, language: str) -> str:
    figure = tmp_path / f"profile-{language}.svg"
    args = ["--lang", language, "profile", str(PROFILE), "--out", str(tmp_path / "p.csv")]
    args += ["--plot", str(figure)]
    with matplotlib.rc_context({"svg.fonttype": "none"}):
        done = RUNNER.invoke(app, args)
    assert done.exit_code == 0, done.output
    return figure.read_text(encoding="utf-8")


def test_a_chinese_profile_figure_has_chinese_words_in_a_cjk_font(tmp_path: Path) -> None:
    if cjk_font() is None:
        pytest.fail("Noto Sans CJK SC missing: run scripts/system-deps.sh")
    svg = _profile(tmp_path, "zh-CN")
    words = _words(svg)
    assert "占谱图的百分比（%）" in words and "Aitchison 距离" in words and "参照留一法" in words
    assert "（红）与 reference（蓝）批次" in words, words
    assert not re.search(r"\b(?:of profile|red|blue|lots|grey|LOO|distance)\b", words), words
    assert CJK_FONT in svg
    english = _words(_profile(tmp_path, "en"))
    assert "% of profile" in english and "Aitchison distance" in english and "reference LOO" in english
