"""The individual concentration-time profiles of a large study: a line (panel: an arm, an arm / analyte)
of ``BANDS_FROM`` profiles or more is summarised per nominal time (median and the 5th to 95th
percentiles, with n), not drawn one by one (2,004 lines drawn over each other showed a solid blot per arm
and cost 2.5 s of CPU and a 1 MB SVG); a smaller line of the same study keeps its profiles drawn.

The percentiles are R's ``quantile(type = 7)``, checked against R 4.2.2 (values printed by the script in
:data:`R_SCRIPT`, run with ``Rscript``); smaller studies keep one line per profile.
"""

from __future__ import annotations

import pandas as pd
import pytest

from bioparity.analyses.contract import RunView, StoredInput
from bioparity.analyses.figures import (
    BAND_PERCENTILES,
    BANDS_FROM,
    Figure,
    ProfilePlot,
    bands_caption,
    log_floor,
    profile_plot,
    semilog_band,
    semilog_means_note,
)
from bioparity.analyses.nca import concentration_profile, sample_profiles
from bioparity.errors import DataFileError
from bioparity.i18n import use_language
from bioparity.nca.blq import BLQRule
from bioparity.report import static
from bioparity.report.html import figure_images
from bioparity.web.plots import individual_figure

#: The R script whose output is :data:`R_QUANTILES` (R 4.2.2 Patched, 2022-11-10 r83330).
R_SCRIPT = """
s <- rep(1:1020, each = 4); t <- rep(c(0, 1, 2, 4), times = 1020)
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
#: and 9 give 0.4 for the 5th percentile of arm A at time 4 (type 7: 0.445).
R_QUANTILES = (
    ("A", 0, 510, 0.5, 5, 9.5),
    ("A", 1, 509, 0.5, 5, 9.5),
    ("A", 2, 510, 0.5, 5, 9.5),
    ("A", 4, 510, 0.445, 5, 9.5),
    ("B", 0, 510, 0.5, 5, 9.5),
    ("B", 1, 510, 0.445, 5, 9.5),
    ("B", 2, 510, 0.5, 5, 9.555),
    ("B", 4, 510, 0.5, 5, 9.5),
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


#: Subjects of the large study: 510 a line (arm), both lines summarised.
LARGE = 1020


def _large() -> ProfilePlot:
    plot = profile_plot(_concentrations(LARGE), conc_unit="ng/mL")
    assert plot is not None
    return plot


def test_the_bands_are_r_quantile_type_7_with_n_per_nominal_time() -> None:
    plot = _large()
    assert BAND_PERCENTILES == (5.0, 95.0) and BANDS_FROM <= LARGE // 2
    assert plot.individual == () and plot.n_profiles == LARGE
    got = [
        (b.name, x, n, lo, mid, hi)
        for b in plot.bands
        for x, n, lo, mid, hi in zip(b.x, b.n, b.lower, b.median, b.upper, strict=True)
    ]
    assert [g[:3] for g in got] == [r[:3] for r in R_QUANTILES]
    for g, r in zip(got, R_QUANTILES, strict=True):  # R prints 10 significant digits
        assert g[3:] == pytest.approx(r[3:], rel=0, abs=1e-9), g[:2]


def test_a_small_study_keeps_one_line_per_profile() -> None:
    plot = profile_plot(_concentrations(BANDS_FROM))  # two lines of BANDS_FROM / 2
    assert plot is not None
    assert plot.bands == () and len(plot.individual) == plot.n_profiles == BANDS_FROM


def test_a_line_is_summarised_from_bands_from_profiles_on() -> None:
    plot = profile_plot(_concentrations(2 * BANDS_FROM - 1))  # odd subjects in A
    assert plot is not None and plot.n_subjects == {"A": BANDS_FROM, "B": BANDS_FROM - 1}
    assert [b.name for b in plot.bands] == ["A"]
    assert {line.name for line in plot.individual} == {"B"} and len(plot.individual) == BANDS_FROM - 1


def test_the_caption_says_what_is_drawn_how_many_profiles_and_n() -> None:
    caption = bands_caption(_large())
    assert caption.startswith(
        f"Individual profiles: a line (panel) of {BANDS_FROM} profiles or more is summarised per nominal "
        "time, its profiles too many to draw one by one: the median of the concentrations (line) and their "
        "percentiles 5 to 95 (band; R quantile type 7), linear and semi-log. Summarised: A (510 profiles), "
        "B (510 profiles). Samples that are not numbers, such as BLQ markers, left out; concentrations of 0 "
        "kept."
    )
    assert "Drawn one by one" not in caption and "semi-log scale, which has no 0" not in caption
    # arm A has one sample fewer at 1 h (the BLQ marker)
    assert caption.endswith(
        "Concentrations per nominal time (n): A: 510 (0 h), 509 (1 h), 510 (2-4 h); "
        "B: 510 at each of the 4 nominal times."
    )
    with use_language("zh-CN"):
        chinese = bands_caption(_large())
    assert "510" in chinese and "profiles" not in chinese and "nominal" not in chinese and "BLQ" in chinese
    assert chinese.endswith("A：510 (0 h)，509 (1 h)，510 (2-4 h)；B：4 个名义时间点均为 510。")


def test_the_report_draws_the_bands_linear_and_semi_log() -> None:
    plot = _large()
    images = figure_images(Figure("profile", "profiles", "profiles", plot))
    assert len(images) == 4  # mean profiles linear and semi-log, bands linear and semi-log
    with static.text_as_text():
        svg = static.bands_svg(plot, log=True)
    assert "1,020 profiles: median and percentiles 5 to 95 per nominal time" in svg
    assert "A (n = 510)" in svg and "B (n = 510)" in svg
    assert len(svg) < 150_000  # the 2,004 lines were 1 MB


def test_the_web_page_draws_the_bands_with_n_in_the_hover() -> None:
    figure = individual_figure(_large())
    medians = [trace for trace in figure["data"] if "customdata" in trace]
    assert [trace["name"] for trace in medians] == ["A (n = 510)", "B (n = 510)"]
    assert medians[0]["customdata"] == [510, 509, 510, 510]
    assert medians[0]["y"] == pytest.approx([5, 5, 5, 5], abs=1e-9)  # R_QUANTILES
    assert len(figure["data"]) == 3 * 2  # band edges and median per arm, not a line per profile
    assert "1,020 profiles" in figure["layout"]["title"]["text"]


def _mixed() -> ProfilePlot:
    """Arm A of 510 profiles, arm B of 40: one study of 550 profiles."""
    frame = _concentrations(LARGE)
    b_subjects = sorted(frame.loc[frame["arm"] == "B", "subject"].unique())[:40]
    frame = frame[(frame["arm"] == "A") | frame["subject"].isin(b_subjects)]
    plot = profile_plot(frame, conc_unit="ng/mL")
    assert plot is not None and plot.n_profiles == 550 >= BANDS_FROM
    return plot


def test_the_threshold_is_per_panel_not_per_study() -> None:
    plot = _mixed()
    assert [b.name for b in plot.bands] == ["A"]  # 510 profiles
    assert {line.name for line in plot.individual} == {"B"} and len(plot.individual) == 40
    assert [g[:3] for g in ((b.name, b.x[0], b.n[0]) for b in plot.bands)] == [R_QUANTILES[0][:3]]
    caption = bands_caption(plot)
    assert "Summarised: A (510 profiles). Drawn one by one: B (40 profiles)." in caption
    # the report: both mean profiles, B's 40 profiles one by one, A's band linear and semi-log
    images = figure_images(Figure("profile", "profiles", "profiles", plot))
    assert len(images) == 5
    with static.text_as_text():
        drawn, bands = static.individual_svg(plot), static.bands_svg(plot, log=False)
    assert "B (n = 40)" in drawn and "A (n = " not in drawn
    assert "A (n = 510)" in bands and "B (n = " not in bands and "510 profiles: median" in bands
    web = individual_figure(plot)
    assert [t["name"] for t in web["data"] if "customdata" in t] == ["A (n = 510)"]
    assert (
        sum(t.get("name") == "B" for t in web["data"]) == 40
        and "510 profiles" in web["layout"]["title"]["text"]
    )


def test_nominal_times_do_not_depend_on_the_row_index() -> None:
    """Actual times (no shared schedule): the k-th sample of each profile is placed at the median of the
    k-th times. Two subjects per arm, times by hand: 1st samples 0, 0, 0, 0 -> 0; 2nd 0.9, 1.1, 1.0, 1.2
    -> 1.05; 3rd 3.8, 4.1, 4.0, 4.3 -> 4.05 (medians of four, R ``median``)."""
    rows = [
        ("A", "S1", (0, 0.9, 3.8), (1, 10, 4)),
        ("A", "S2", (0, 1.1, 4.1), (3, 14, 6)),
        ("B", "S3", (0, 1.0, 4.0), (2, 20, 8)),
        ("B", "S4", (0, 1.2, 4.3), (4, 24, 10)),
    ]
    long = [
        {"arm": a, "subject": s, "time": t, "conc": c}
        for a, s, times, concs in rows
        for t, c in zip(times, concs, strict=True)
    ]
    expected = [("A", [0, 1.05, 4.05], [2, 12, 5]), ("B", [0, 1.05, 4.05], [3, 22, 9])]
    halves = [pd.DataFrame(long[:6]), pd.DataFrame(long[6:])]
    for frame in (
        pd.DataFrame(long),
        pd.concat(halves),  # labels 0-5 then 0-5: reindexing raised "duplicate labels"
        pd.DataFrame(long, index=[0] * len(long)),  # one label: the order of the sorted rows was used
        pd.DataFrame(long[::-1], index=range(len(long), 0, -1)),
    ):
        plot = profile_plot(frame)
        assert plot is not None
        assert [line.name for line in plot.lines] == [a for a, _, _ in expected]
        for line, (_, x, y) in zip(plot.lines, expected, strict=True):
            assert line.x == pytest.approx(x, abs=1e-12) and line.y == pytest.approx(y, abs=1e-12)


#: Three subjects of one arm with BLQ samples (markers and 0) at each position, times 0, 1, 2, 4, 8.
BLQ_PROFILES = {
    "S1": ("BLQ", "4", "BLQ", "2", "BLQ"),  # first, middle and last BLQ
    "S2": ("0", "6", "3", "0", "1"),  # 0 before the first measurable and between the first and the last
    "S3": ("BLQ", "BLQ", "BLQ", "BLQ", "BLQ"),  # nothing measurable: every sample "first"
}
BLQ_TIMES = (0, 1, 2, 4, 8)


def _blq_frame() -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"arm": "A", "subject": s, "time": t, "conc": c}
            for s, concs in BLQ_PROFILES.items()
            for t, c in zip(BLQ_TIMES, concs, strict=True)
        ]
    )


@pytest.mark.parametrize(
    ("rule", "times", "means"),
    [
        # PKNCA's default (first keep, middle drop, last keep; Denney et al. 2015, clean.conc.blq), by
        # hand: t0 (0+0+0)/3; t1 (4+6+0)/3; t2 S1 middle dropped, (3+0)/2; t4 S2's 0 middle dropped,
        # (2+0)/2; t8 (0+1+0)/3
        (BLQRule(), BLQ_TIMES, [0, 10 / 3, 1.5, 1, 1 / 3]),
        # every BLQ sample dropped: S3 has none left, 0 h none at all; t1 (4+6)/2
        (BLQRule("drop", "drop", "drop"), (1, 2, 4, 8), [5, 3, 2, 1]),
        # every BLQ sample kept as 0: t2 (0+3+0)/3; t4 (2+0+0)/3
        (BLQRule("keep", "keep", "keep"), BLQ_TIMES, [0, 10 / 3, 1, 2 / 3, 1 / 3]),
        # no rule: markers left out, numeric 0 kept: t0 S2's 0; t1 (4+6)/2; t4 (2+0)/2
        (None, BLQ_TIMES, [0, 5, 3, 1, 1]),
    ],
)
def test_the_figure_follows_the_blq_rule_of_the_nca(
    rule: BLQRule | None, times: tuple[int, ...], means: list[float]
) -> None:
    plot = profile_plot(_blq_frame(), blq=rule)
    assert plot is not None
    (line,) = plot.lines
    assert line.x == list(times)
    assert line.y == pytest.approx(means, abs=1e-9)  # the means are rounded to 10 decimals
    stated = "BLQ samples (BLQ markers and concentrations of 0) as in the NCA" in plot.blq_rule
    assert stated is (rule is not None)


def test_the_run_report_figure_states_the_nca_blq_rule() -> None:
    plot = sample_profiles(_blq_frame(), {"blq_rule": "keep,drop,0.5"})
    assert plot is not None
    assert plot.blq_rule.endswith(
        "before the first measurable sample of a profile kept as 0, between the first and the last left "
        "out, after the last set to 0.5."
    )
    # S1's last BLQ at 8 h imputed 0.5, S3's samples all "first": kept as 0; t8 (0.5 + 1 + 0) / 3
    assert plot.lines[0].y[-1] == pytest.approx(1.5 / 3, abs=1e-9)


def test_semi_log_bands_draw_a_percentile_of_0_at_the_lower_edge_and_say_so() -> None:
    frame = _concentrations(LARGE)
    numbers = pd.to_numeric(frame["conc"], errors="coerce")
    early = (frame["arm"] == "A") & (frame["time"] == 0) & (numbers < 3)  # a third of A's at 0 h: 5th pct 0
    frame.loc[early, "conc"] = "0"
    frame.loc[frame["time"] == 4, "conc"] = "0"  # every sample 0 at 4 h: nothing to draw there
    plot = profile_plot(frame)
    assert plot is not None
    a = plot.bands[0]
    assert a.lower[0] == 0 < a.median[0] and a.upper[3] == a.median[3] == 0
    floor = log_floor(plot.bands)
    assert floor == pytest.approx(min(v for b in plot.bands for v in (*b.lower, *b.median) if v > 0) / 2)
    x, lower, upper = semilog_band(a, floor)
    assert x == [0, 1, 2] and lower[0] == floor and lower[1:] == a.lower[1:3] and upper == a.upper[:3]
    caption = bands_caption(plot)
    assert (
        "On the semi-log scale, which has no 0: a percentile 5 of 0 is drawn as the band reaching down to "
        "the panel's lower edge (A: 0 h, 4 h; B: 4 h); a median of 0 has no point (every line: 4 h); "
        "where the percentile 95 is 0 too nothing is drawn (every line: 4 h)."
    ) in caption
    with static.text_as_text():
        svg = static.bands_svg(plot, log=True)
    assert svg.count("<path") > 0
    web = individual_figure(plot)
    lower_edges = [t for t in web["data"] if t.get("showlegend") is False and "fill" not in t]
    assert lower_edges[0]["x"] == [0, 1, 2] and lower_edges[0]["y"][0] == floor


def test_semi_log_panels_keep_the_top_of_every_line() -> None:
    """Arm B ten times arm A: the shared log axis reaches B's 95th percentile (~95), so the decade 100 is
    labelled; the lower edge set while A alone was drawn had fixed the top at A's (~10)."""
    frame = _concentrations(LARGE)
    numbers = pd.to_numeric(frame["conc"], errors="coerce")
    frame.loc[frame["arm"] == "B", "conc"] = (numbers * 10).map("{:g}".format)
    frame.loc[(frame["arm"] == "A") & (frame["time"] == 0), "conc"] = "0"  # a 5th percentile of 0
    plot = profile_plot(frame)
    assert plot is not None and max(plot.bands[1].upper) > 90
    with static.text_as_text():
        svg = static.bands_svg(plot, log=True)
    assert ">100<" in svg or ">$\\mathdefault{100}$<" in svg, "the decade 100 is not labelled"


@pytest.mark.parametrize(
    ("options", "last"),
    [({}, 1 / 3), ({"blq_rule": "drop"}, 1.0), ({"blq_rule": "keep,drop,0.5"}, 1.5 / 3)],
)
def test_the_run_report_figure_uses_the_run_s_blq_rule(options: dict[str, str], last: float) -> None:
    """The NCA run's ``blq_rule`` (PKNCA's without one) reaches the figure; the 8 h means by hand:
    S1 BLQ (last), S2 1, S3 BLQ (first): (0 + 1 + 0) / 3; all dropped: 1; S1 imputed 0.5: 1.5 / 3."""
    source = StoredInput("0" * 64, "nca", _blq_frame)
    figure = concentration_profile(RunView("nca", options, pd.DataFrame(), (source,)))
    assert figure is not None and isinstance(figure.data, ProfilePlot)
    assert figure.data.lines[0].y[-1] == pytest.approx(last, abs=1e-9)
    assert figure.data.blq_rule in figure.note  # the caption states the rule


def test_the_caption_says_what_the_semi_log_means_and_profiles_leave_out() -> None:
    """The BLQ profiles under PKNCA's rule (means by hand in the BLQ test): the mean at 0 h is 0; the
    three profiles drawn one by one have 0 at S1 0 h and 8 h, S2 0 h, S3 at all five times: 8 zeros."""
    plot = profile_plot(_blq_frame(), blq=BLQRule())
    assert plot is not None and plot.bands == ()
    assert semilog_means_note(plot) == (
        "On the semi-log scale of the mean profiles and of the profiles drawn one by one (a log scale has "
        "no 0): a mean of 0 has no point (A: 0 h); 8 concentrations of 0 in the profiles drawn one by one "
        "are not drawn."
    )
    source = StoredInput("0" * 64, "nca", _blq_frame)
    figure = concentration_profile(RunView("nca", {}, pd.DataFrame(), (source,)))
    assert figure is not None and semilog_means_note(plot) in figure.note
    positive = profile_plot(_blq_frame().assign(conc="1"))
    assert positive is not None and semilog_means_note(positive) == ""


def test_scheduled_times_are_recognised_with_two_analytes_per_subject() -> None:
    """Every profile (arm / analyte, subject) sampled at 0, 1, 2 and 4 h, 1 h missing for 3 of 8 profiles:
    each time is shared by at least half of the profiles, so the times are the schedule. Counting subjects
    (4) against profiles (8) made every time look unscheduled unless all 8 had it."""
    rows = [
        {"arm": "A", "analyte": a, "subject": f"S{s}", "time": t, "conc": str(1 + t)}
        for a in ("parent", "metabolite")
        for s in range(4)
        for t in (0, 1, 2, 4)
        if not (t == 1 and (a, s) in {("parent", 0), ("parent", 1), ("metabolite", 0)})
    ]
    plot = profile_plot(pd.DataFrame(rows), by=["analyte"])
    assert plot is not None
    assert plot.time_rule == "mean per arm at each sampling time (all times are scheduled times)"
    assert [line.x for line in plot.lines] == [[0, 1, 2, 4]] * 2


def test_no_concentration_at_all_gives_no_figure_and_text_is_refused() -> None:
    blank = pd.DataFrame({"subject": ["a", "a"], "time": [0, 1], "conc": ["", ""]})
    assert profile_plot(blank, blq=BLQRule()) is None
    dropped = pd.DataFrame({"subject": ["a", "a"], "time": [0, 1], "conc": ["BLQ", "BLQ"]})
    assert profile_plot(dropped, blq=BLQRule("drop", "drop", "drop")) is None
    # row 2 of the frame (1-based), after a row without a time: named, never left out silently
    text = pd.DataFrame({"subject": ["a", "a", "a"], "time": [None, 0, 1], "conc": ["1", "x", "1"]})
    with pytest.raises(DataFileError, match="conc") as caught:
        profile_plot(text, blq=BLQRule())
    assert caught.value.row == 2 and caught.value.column == "conc"
