"""The individual concentration-time profiles of a large study: from ``BANDS_FROM`` profiles on they are
summarised per line and nominal time (median and the 5th to 95th percentiles, with n), not drawn one by
one (2,004 lines drawn over each other showed a solid blot per arm and cost 2.5 s of CPU and a 1 MB SVG).

The percentiles are R's ``quantile(type = 7)``, checked against R 4.2.2 (values printed by the script in
:data:`R_SCRIPT`, run with ``Rscript``); smaller studies keep one line per profile.
"""

from __future__ import annotations

import pandas as pd
import pytest

from bioparity.analyses.figures import (
    BAND_PERCENTILES,
    BANDS_FROM,
    Figure,
    ProfilePlot,
    bands_caption,
    profile_plot,
)
from bioparity.i18n import use_language
from bioparity.report import static
from bioparity.report.html import figure_images
from bioparity.web.plots import individual_figure

#: The R script whose output is :data:`R_QUANTILES` (R 4.2.2 Patched, 2022-11-10 r83330).
R_SCRIPT = """
s <- rep(1:510, each = 4); t <- rep(c(0, 1, 2, 4), times = 510)
conc <- ((s * 37 + t * 11) %% 101) / 10
arm <- ifelse(s %% 2 == 1, "A", "B")
keep <- !(s == 3 & t == 1)   # a BLQ marker: left out
for (a in c("A", "B")) for (tt in c(0, 1, 2, 4)) {
  v <- conc[keep & arm == a & t == tt]
  q <- quantile(v, c(0.05, 0.5, 0.95), type = 7)
  cat(sprintf('("%s", %g, %d, %.10g, %.10g, %.10g),\\n', a, tt, length(v), q[1], q[2], q[3]))
}
"""
#: Arm, nominal time, n, 5th percentile, median, 95th percentile (R ``quantile`` type 7). Types 6, 8
#: and 9 give 0.4, 0.41 and 0.41375 for the 5th percentile of arm A at time 2 (type 7: 0.47).
R_QUANTILES = (
    ("A", 0, 255, 0.4, 4.9, 9.5),
    ("A", 1, 254, 0.5, 5.05, 9.5),
    ("A", 2, 255, 0.47, 5, 9.6),
    ("A", 4, 255, 0.5, 5.1, 9.53),
    ("B", 0, 255, 0.5, 5.1, 9.53),
    ("B", 1, 255, 0.4, 5, 9.53),
    ("B", 2, 255, 0.5, 5, 9.5),
    ("B", 4, 255, 0.47, 5, 9.5),
)
TIMES = (0, 1, 2, 4)


def _concentrations(subjects: int) -> pd.DataFrame:
    """The samples of :data:`R_SCRIPT`: ``subjects`` subjects in arms A (odd) and B (even), subject 3's
    sample at time 1 a BLQ marker."""
    rows = [
        {
            "arm": "A" if s % 2 else "B",
            "subject": f"S{s:03d}",
            "time": t,
            "conc": "BLQ" if (s, t) == (3, 1) else str(((s * 37 + t * 11) % 101) / 10),
        }
        for s in range(1, subjects + 1)
        for t in TIMES
    ]
    return pd.DataFrame(rows)


def _large() -> ProfilePlot:
    plot = profile_plot(_concentrations(510), conc_unit="ng/mL")
    assert plot is not None
    return plot


def test_the_bands_are_r_quantile_type_7_with_n_per_nominal_time() -> None:
    plot = _large()
    assert BAND_PERCENTILES == (5.0, 95.0) and BANDS_FROM <= 510
    assert plot.individual == () and plot.n_profiles == 510
    got = [
        (b.name, x, n, lo, mid, hi)
        for b in plot.bands
        for x, n, lo, mid, hi in zip(b.x, b.n, b.lower, b.median, b.upper, strict=True)
    ]
    assert [g[:3] for g in got] == [r[:3] for r in R_QUANTILES]
    for g, r in zip(got, R_QUANTILES, strict=True):  # R prints 10 significant digits
        assert g[3:] == pytest.approx(r[3:], rel=0, abs=1e-9), g[:2]


def test_a_small_study_keeps_one_line_per_profile() -> None:
    plot = profile_plot(_concentrations(BANDS_FROM - 1))
    assert plot is not None
    assert plot.bands == () and len(plot.individual) == plot.n_profiles == BANDS_FROM - 1


def test_the_caption_says_what_is_drawn_how_many_profiles_and_n() -> None:
    caption = bands_caption(_large())
    assert caption.startswith(
        f"Individual profiles: 510 profiles, too many to draw one by one (from {BANDS_FROM} on), summarised "
        "per line and nominal time: the median of the concentrations (line) and their percentiles 5 to 95 "
        "(band; R quantile type 7), linear and semi-log"
    )
    # arm A has one sample fewer at 1 h (the BLQ marker)
    assert caption.endswith(
        "Concentrations per nominal time (n): A: 255 (0 h), 254 (1 h), 255 (2-4 h); "
        "B: 255 at each of the 4 nominal times."
    )
    with use_language("zh-CN"):
        chinese = bands_caption(_large())
    assert "510" in chinese and "profiles" not in chinese and "nominal" not in chinese
    assert chinese.endswith("A：255 (0 h)，254 (1 h)，255 (2-4 h)；B：4 个名义时间点均为 255。")


def test_the_report_draws_the_bands_linear_and_semi_log() -> None:
    plot = _large()
    images = figure_images(Figure("profile", "profiles", "profiles", plot))
    assert len(images) == 4  # mean profiles linear and semi-log, bands linear and semi-log
    with static.text_as_text():
        svg = static.bands_svg(plot, log=True)
    assert "510 profiles: median and percentiles 5 to 95 per nominal time" in svg
    assert "A (n = 255)" in svg and "B (n = 255)" in svg
    assert len(svg) < 150_000  # the 2,004 lines were 1 MB


def test_the_web_page_draws_the_bands_with_n_in_the_hover() -> None:
    figure = individual_figure(_large())
    medians = [trace for trace in figure["data"] if "customdata" in trace]
    assert [trace["name"] for trace in medians] == ["A (n = 255)", "B (n = 255)"]
    assert medians[0]["customdata"] == [255, 254, 255, 255]
    assert medians[0]["y"] == pytest.approx([4.9, 5.05, 5, 5.1], abs=1e-9)
    assert len(figure["data"]) == 3 * 2  # band edges and median per arm, not a line per profile
    assert "510 profiles" in figure["layout"]["title"]["text"]
