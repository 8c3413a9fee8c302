"""The bar chart figure type (issue #23: profile bar charts by lot with the reference ranges): both renderers
draw the same bars, bands and lines; the matplotlib figure is inspected axis by axis (bar heights and places,
shaded range, reference line) and its SVG is byte for byte the same on every render; the Plotly JSON has one
bar trace per series, grouped only where categories are shared, and the report embeds it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from matplotlib.figure import Figure as MplFigure
from matplotlib.patches import Rectangle

from bioparity.analyses.figures import Band, BarPlot, Bars, Figure, RefLine
from bioparity.report import static
from bioparity.report.html import figure_images
from bioparity.web.plots import figure_json

PLOT = BarPlot(
    "G0F: 2/3 test lots within the reference range",
    "lot",
    "G0F",
    "%",
    (
        Bars("reference", ["R1", "R2"], [40.0, 38.5]),
        Bars("test", ["T1", "T2", "T3"], [41.0, 39.5, 45.0], [False, False, True]),
    ),
    (Band("reference mean ± 3 SD", 36.0, 42.5),),
    (RefLine("reference mean 39.25", 39.25),),
    "outside the reference range",
)
#: Two series sharing their categories: bars side by side.
GROUPED = BarPlot(
    "by species", "species", "percent", series=(Bars("a", ["x", "y"], [1.0, 2.0]), Bars("b", ["y"], [3.0]))
)


@pytest.fixture
def drawn(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[MplFigure]]:
    """The matplotlib figures the renderer draws (kept when turned into SVG)."""
    figures: list[MplFigure] = []
    svg = static._svg

    def keep(fig: MplFigure) -> str:
        figures.append(fig)
        return svg(fig)

    monkeypatch.setattr(static, "_svg", keep)
    yield figures


def _bars(fig: MplFigure) -> list[tuple[Any, Any, Any]]:
    """(centre, width, height) of each bar of the figure's axes."""
    return [
        (p.get_x() + p.get_width() / 2, p.get_width(), p.get_height())
        for p in fig.axes[0].patches
        if isinstance(p, Rectangle) and p.get_zorder() == 3
    ]


def test_categories_and_grouping() -> None:
    assert PLOT.categories() == ["R1", "R2", "T1", "T2", "T3"] and not PLOT.shared()
    assert GROUPED.categories() == ["x", "y"] and GROUPED.shared()
    assert PLOT.y_title == "G0F (%)" and PLOT.to_dict()["series"][1]["values"] == [41.0, 39.5, 45.0]


def test_matplotlib_draws_each_bar_the_band_and_the_line(drawn: list[MplFigure]) -> None:
    svg = static.bar_svg(PLOT)
    assert svg.startswith("<?xml") and svg == static.bar_svg(PLOT)  # deterministic
    fig = drawn[0]
    ax = fig.axes[0]
    assert _bars(fig) == [(i, pytest.approx(0.8), v) for i, v in enumerate([40.0, 38.5, 41.0, 39.5, 45.0])]
    assert [t.get_text() for t in ax.get_xticklabels()] == PLOT.categories()
    band = next(p for p in ax.patches if isinstance(p, Rectangle) and p.get_zorder() == 4)
    assert (band.get_y(), band.get_y() + band.get_height()) == (36.0, 42.5)  # y in data units
    spans = [tuple(np.asarray(line.get_ydata(), dtype=float)) for line in ax.get_lines()]
    assert (36.0, 36.0) in spans and (42.5, 42.5) in spans and (39.25, 39.25) in spans
    assert [t.get_text() for t in ax.texts] == ["reference mean 39.25"]
    assert ax.get_ylabel() == "G0F (%)"
    assert [t.get_text() for t in fig.legends[0].get_texts()] == [
        "reference", "test", "outside the reference range", "reference mean ± 3 SD"
    ]  # fmt: skip
    bars = [p for p in ax.patches if isinstance(p, Rectangle) and p.get_zorder() == 3]
    assert [p.get_hatch() or "" for p in bars] == ["", "", "", "", "///"]  # the marked bar only
    assert [p.get_linewidth() for p in bars] == [0.0, 0.0, 0.0, 0.0, 1.0]


def test_matplotlib_puts_shared_categories_side_by_side(drawn: list[MplFigure]) -> None:
    static.bar_svg(GROUPED)
    assert _bars(drawn[0]) == [
        (0.0, pytest.approx(0.8), 1.0),
        (pytest.approx(0.8), pytest.approx(0.4), 2.0),
        (pytest.approx(1.2), pytest.approx(0.4), 3.0),
    ]


def test_plotly_draws_the_same_bars_band_and_line() -> None:
    plotly = figure_json(PLOT)
    bars = [t for t in plotly["data"] if t["type"] == "bar"]
    assert [(t["name"], t["x"], t["y"]) for t in bars[:2]] == [
        (s.name, s.categories, s.values) for s in PLOT.series
    ]
    assert [t["marker"]["pattern"]["shape"] for t in bars] == [["", ""], ["", "", "/"], "/"]
    assert bars[-1]["name"] == "outside the reference range" and bars[-1]["x"] == [None]
    layout = plotly["layout"]
    assert layout["barmode"] == "relative" and figure_json(GROUPED)["layout"]["barmode"] == "group"
    assert layout["xaxis"]["categoryarray"] == PLOT.categories()
    rects = [s for s in layout["shapes"] if s["type"] == "rect"]
    assert [(r["y0"], r["y1"]) for r in rects] == [(36.0, 42.5)]
    lines = [s for s in layout["shapes"] if s["type"] == "line"]
    assert [(s["y0"], s["y1"]) for s in lines] == [(39.25, 39.25)]
    assert [a["text"] for a in layout["annotations"]] == ["reference mean 39.25"]
    keys = [t for t in plotly["data"] if t["type"] == "scatter"]
    assert [k["name"] for k in keys] == ["reference mean ± 3 SD"]  # the band's legend entry


def test_the_report_embeds_it_as_an_image() -> None:
    images = figure_images(Figure("profile", "Species plot", "Percent of G0F per lot", PLOT))
    assert len(images) == 1 and 'alt="Percent of G0F per lot"' in images[0]
