"""zh-CN words of the CAA notes and terminal (zhpolish3 findings): the stored notes keep their English codes,
a zh-CN reader sees the row and the list separator in Chinese, and `bioparity caa` prints its summary table
(statuses, comparisons, plans) in Chinese."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from bioparity.caa import assess
from bioparity.cli.main import app
from bioparity.i18n.notes import translate_note


def _lots_with_a_missing_value() -> pd.DataFrame:
    rows = [("ref-eu", f"R{i}", 98.0 + 0.1 * i) for i in range(10)]
    rows += [("test", f"T{i}", 98.0 + 0.1 * i) for i in range(10)]
    rows.append(("test", "T10", float("nan")))
    return pd.DataFrame([{"attribute": "purity", "source": s, "lot": lot, "value": v} for s, lot, v in rows])


def test_a_missing_values_row_reads_in_chinese() -> None:
    """Before: 缺失值：已排除 1 个无数值的测定：purity/test/T10 (row 21)。 ("row" in English)."""
    notes = assess(_lots_with_a_missing_value(), operating_characteristics=False).notes
    stored = next(n for n in notes if n.startswith("Missing values"))
    assert stored.endswith("without a value were excluded: purity/test/T10 (row 21).")
    shown = translate_note(stored, "zh-CN")
    assert shown.endswith("purity/test/T10（第 21 行）。") and "row" not in shown, shown
    assert translate_note(stored, "en") == stored


def test_the_caa_terminal_prints_statuses_comparisons_and_plans_in_chinese(tmp_path: Path) -> None:
    """Before: the summary's headers were the codes pass/fail/not-evaluable/descriptive, its rows
    'test vs ref-eu', the operating characteristics' plans the stored English and '(large-n 0.084)'."""
    data = tmp_path / "lots.csv"
    _lots_with_a_missing_value().to_csv(data, index=False)
    result = CliRunner().invoke(
        app,
        ["--lang", "zh-CN", "caa", str(data), "--out", str(tmp_path / "out.csv"), "--oc-simulations", "200"],
        env={"COLUMNS": "250"},
    )
    assert result.exit_code == 0, result.output
    said = result.output
    for words in ("通过", "不通过", "不可评价", "描述性", "test 对比 ref-eu", "质量范围 mean_R ± 3·s_R"):
        assert words in said, words
    for english in ("not-evaluable", "descriptive", " vs ", "of test lots inside", "(row "):
        assert english not in said, english
