"""The appendix of a run report (the complete stored result) under each kind's own headers, with units
and the precision of the kind's main tables; every stored column still printed, the stored numbers as
computed. Found by a regulator-reader review: the appendices printed the stored names (``mean_test``,
``bound_s2``) and every number to six significant digits."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from bioparity.analyses import all_analyses
from bioparity.analyses.frames import section
from bioparity.analyses.registry import effective_options
from bioparity.analyses.tables import ReportTables
from bioparity.i18n import use_language
from bioparity.report.tables import run_tables, table_html


def _example(kind: str, folder: Path) -> tuple[Mapping[str, Any], dict[str, Any]]:
    """The kind's example result (as stored) and its effective options."""
    analysis = all_analyses()[kind]
    assert analysis.example is not None
    options = effective_options(analysis, dict(analysis.example.options))
    return analysis.compute(analysis.read(analysis.example.write(folder)), options), options


def _cells(tables: ReportTables, title: str) -> dict[str, list[str]]:
    """The appendix's columns whose title starts with ``title``, by header (panels joined)."""
    out: dict[str, list[str]] = {}
    for t in tables.appendix:
        if t.title.startswith(title):
            for i, header in enumerate(t.columns):
                out[header] = [r[i] for r in t.rows]
    return out


@pytest.fixture(scope="module")
def stability(tmp_path_factory: pytest.TempPathFactory) -> tuple[Mapping[str, Any], dict[str, Any]]:
    return _example("stability", tmp_path_factory.mktemp("stability"))


def test_the_stability_appendix_heads_columns_in_words_with_the_time_unit(
    stability: tuple[Mapping[str, Any], dict[str, Any]],
) -> None:
    """Shelf life, slopes and times in the result's time unit, shelf life, F, slopes and their difference
    to 4 and p to 3 significant digits as the main tables print them (``25.17``, ``F 1.528 (2,24), p
    0.237``, ``-0.02272 (-0.07031, 0.02487)``); before: ``shelf_life``, ``25.1744``, ``bound_s2``."""
    result, options = stability
    columns, rows = result["columns"], result["rows"]
    tables = run_tables("stability", columns, rows, options)
    html = "".join(str(table_html(t)) for t in tables.appendix)
    for name in ("shelf_life", "f_slope", "p_slope", "mean_slope_test", "ci_lower", "bound_s2", "n_lots"):
        assert not re.search(rf"<th[^>]*>\s*{name}\s*</th>", html), name
    for label in (
        "shelf life (months)",
        "slope (per months)",
        "CI lower bound (per months)",
        "p equal slopes",
    ):
        assert f">{label}</th>" in html, label
    assert (
        tables.appendix_note == ", times in months, statistics to the significant digits of the main tables"
    )
    # every stored column of each section headed once (by its label or, if unlabelled, its name)
    frame = pd.DataFrame(rows, columns=columns)
    for name, title in (
        ("shelf life", "Complete result: shelf life"),
        ("slope difference", "Complete result: slope"),
        ("lot regression", "Complete result: lot regression"),
    ):
        assert len(_cells(tables, title)) == len(section(frame, name).columns), title
    lives = _cells(tables, "Complete result: shelf life")
    shelf = [r[9] for r in tables.main[0].rows]  # the main table's shelf life column, its rows in order
    assert lives["shelf life (months)"] == shelf  # digit for digit as the main table
    lives_stored = section(frame, "shelf life")["shelf_life"].tolist()
    assert lives_stored[0] == pytest.approx(25.174371, abs=1e-6)  # the stored number as computed
    assert lives["shelf life (months)"][0] == "25.17"
    tests = [r[5] for r in tables.main[0].rows]
    assert [
        f"F {f} ({d}), p {p}"
        for f, d, p in zip(
            lives["F equal slopes"], lives["df equal slopes"], lives["p equal slopes"], strict=True
        )
    ] == tests
    slopes = _cells(tables, "Complete result: slope")
    (difference,) = [r[4] for r in tables.main[1].rows]
    d, lo, hi = (
        slopes["slope difference (per months)"][0],
        slopes["CI lower bound (per months)"][0],
        slopes["CI upper bound (per months)"][0],
    )
    assert difference == f"{d} ({lo}, {hi})" == "-0.02272 (-0.07031, 0.02487)"
    with use_language("zh-CN"):
        heads = {h for t in run_tables("stability", columns, rows, options).appendix for h in t.columns}
    assert {"斜率（每 months）", "截距相等检验 p", "置信限的残差方差 s²"} <= heads, heads
