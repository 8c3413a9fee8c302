"""The timeline chart of ``bioparity market scan --chart`` in the command's language (zh-rest finding 1):
under zh-CN its title, axis, colour bar and footnote were English ("Biosimilar void: top 15 molecules",
"end of protection (year)", "void score") and no CJK font was set. They now come from the catalogue, with
Chinese glyphs in Noto Sans CJK SC; the molecules (INNs) and region codes are data, drawn as they are.

The chart is a PNG, so the words are read from the figure as it is saved (``Figure.savefig`` wrapped).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from matplotlib.figure import Figure
from matplotlib.text import Text
from typer.testing import CliRunner

from bioparity.cli.main import app
from bioparity.i18n.printing import CJK_FONT, cjk_font

RUNNER = CliRunner()


def _drawn(tmp_path: Path, language: str, monkeypatch: pytest.MonkeyPatch) -> tuple[list[str], set[str]]:
    """The texts of the chart the command saves, and the font families they are set in."""
    seen: list[Figure] = []
    save = Figure.savefig

    def spy(self: Figure, *args: Any, **kwargs: Any) -> Any:
        seen.append(self)
        return save(self, *args, **kwargs)

    monkeypatch.setattr(Figure, "savefig", spy)
    chart = tmp_path / f"void-{language}.png"
    args = ["--lang", language, "market", "scan", "--out", str(tmp_path / "r.csv"), "--chart", str(chart)]
    done = RUNNER.invoke(app, [*args, "--as-of", "2026", "--top", "5"])
    assert done.exit_code == 0, done.output
    assert chart.read_bytes().startswith(b"\x89PNG") and len(seen) == 1
    texts = [t for t in seen[0].findobj(Text) if t.get_text().strip()]
    return [t.get_text() for t in texts], {f for t in texts for f in t.get_fontfamily()}


def test_a_chinese_chart_has_chinese_words_in_a_cjk_font(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if cjk_font() is None:
        pytest.fail("Noto Sans CJK SC missing: run scripts/system-deps.sh")
    words, fonts = _drawn(tmp_path, "zh-CN", monkeypatch)
    assert "生物类似药空白：排名前 5 的分子（以 2026 年为准）" in words
    assert "保护期截止（年）" in words and "空白评分" in words, words
    english = {"end of protection (year)", "void score"}
    assert not english & set(words) and not any(w.startswith("Biosimilar void") for w in words)
    assert CJK_FONT in fonts


def test_an_english_chart_keeps_its_words(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    words, fonts = _drawn(tmp_path, "en", monkeypatch)
    assert "Biosimilar void: top 5 molecules (as of 2026)" in words
    assert "end of protection (year)" in words and "void score" in words
    assert CJK_FONT not in fonts
