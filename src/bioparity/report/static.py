"""Static plots for reports: matplotlib SVG with fixed metadata and hash salt (byte-identical output).

Text is drawn as paths (``svg.fonttype = path``), so the picture does not depend on the reader's fonts,
and the SVG ids come from a fixed salt instead of a random one. Figures drawn for a PDF
(:func:`text_as_text`) keep their text as SVG text instead: WeasyPrint sets it in the same fonts and
embeds them, so the PDF still does not depend on the reader's fonts, and it draws a figure several times
faster than one whose every glyph is a path of its own. The fixed words of a plot (titles, axis
labels) are in the current language (:mod:`bioparity.i18n`); Chinese text is drawn with Noto Sans CJK SC
(SIL Open Font License; Debian ``fonts-noto-cjk``), Latin text with DejaVu Sans in every language.
"""

from __future__ import annotations

import io
import math
import re
import textwrap
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

import matplotlib
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, LogLocator, MaxNLocator, NullFormatter, NullLocator

from bioparity.analyses.figures import (
    BAND_PERCENTILES,
    PLOT_FORMATS,
    POWER_AXIS,
    BarPlot,
    CAAPlot,
    ForestPlot,
    PowerPlot,
    ProfilePlot,
    XYPlot,
    caa_plot,
    log_floor,
    semilog_band,
    summarised_profiles,
)
from bioparity.caa.results import CAAResult
from bioparity.errors import InputError
from bioparity.i18n import gettext as _
from bioparity.i18n.printing import figure_fonts

COLOURS = ("#1f4e9c", "#c2410c", "#15803d", "#7e22ce", "#a16207", "#0e7490", "#be185d", "#4b5563")


#: Whether figures are drawn for a PDF (see :func:`text_as_text`).
_TEXT_AS_TEXT: ContextVar[bool] = ContextVar("bioparity_svg_text_as_text", default=False)


@contextmanager
def text_as_text() -> Iterator[None]:
    """Figures drawn inside keep their text as SVG ``<text>`` in the fonts of the plot (for a PDF).

    WeasyPrint draws every glyph path of an SVG as a node of its own, parsing its outline each time: the
    25 attribute plots of a CAA report took about 7 s of CPU to draw as paths, 3 s as text. The PDF
    embeds the fonts (DejaVu Sans, and Noto Sans CJK SC for Chinese: those matplotlib measured the text
    with), so it still does not depend on the reader's fonts; the HTML report keeps its text as paths.
    """
    token = _TEXT_AS_TEXT.set(True)
    try:
        yield
    finally:
        _TEXT_AS_TEXT.reset(token)


def text_mode() -> str:
    """How figures drawn now keep their text: ``text`` inside :func:`text_as_text`, else ``path``."""
    return "text" if _TEXT_AS_TEXT.get() else "path"


@contextmanager
def _style() -> Iterator[None]:
    # Fixed SVG id salt and text as paths: the same figure gives the same bytes on every machine (as
    # text for a PDF, which embeds the fonts).
    fonttype = "none" if text_mode() == "text" else "path"
    with (
        matplotlib.rc_context(
            {"svg.hashsalt": "bioparity", "svg.fonttype": fonttype, "font.size": 9.0, "axes.titlesize": 10.0}
        ),
        figure_fonts(),  # Latin glyphs from DejaVu Sans as in English, the others from the CJK font
    ):
        yield


#: A ``font-family`` list of SVG text as matplotlib writes it (``'DejaVu Sans', 'Noto Sans CJK SC'``).
_FONT_FAMILY = re.compile(r"font-family: ([^;\"]*)")


#: A marker as matplotlib's SVG backend defines it once (``<path id="m…" d="…"``) and places it with
#: ``<use>`` at every point.
_MARKER = re.compile(r'<path id="(m[0-9a-f]+)" d="(M 0 [^"]*)"')


def _circle_radius(d: str) -> str | None:
    """The radius (as written) of a marker path that is matplotlib's circle (``Path.unit_circle``: 8
    cubic Bezier arcs, y flipped for SVG), else None."""
    from matplotlib.path import Path as MplPath

    tokens = d.split()
    if len(tokens) != 3 + 8 * 7 + 1 or tokens[:2] != ["M", "0"] or tokens[-1] != "z":
        return None
    arcs = [tokens[3 + 7 * i : 10 + 7 * i] for i in range(8)]
    if any(arc[0] != "C" for arc in arcs):
        return None
    try:
        numbers = np.array([float(t) for t in tokens[1:3] + [t for arc in arcs for t in arc[1:]]])
    except ValueError:
        return None
    radius = numbers[1]
    circle = np.asarray(MplPath.unit_circle().vertices, dtype=float)[:25] * [radius, -radius]  # y down in SVG
    # matplotlib writes 6 significant digits
    if radius <= 0 or not np.allclose(numbers.reshape(-1, 2), circle, rtol=0, atol=1e-5 * radius):
        return None
    return tokens[2]


def _circle_markers(svg: str) -> str:
    """Circle markers as SVG ``<circle>`` elements, the same size and place.

    WeasyPrint parses the coordinates of a ``<use>``d path again at every point it is placed (25 pairs of
    numbers a circle): the 1,500 lot values of the demo CAA report's 25 plots took 0.23 s of the 1.15 s it
    spent drawing them. A ``<circle>`` is drawn from its radius alone, as 4 Bezier arcs at most 0.63 % of
    the radius (0.013 pt for a 2 pt marker) off the true circle (matplotlib's 8 arcs: 0.0004 %)."""

    def circle(match: re.Match[str]) -> str:
        radius = _circle_radius(match.group(2))
        return match.group(0) if radius is None else f'<circle id="{match.group(1)}" r="{radius}"'

    return _MARKER.sub(circle, svg)


def _wrapped(text: str, width: int) -> str:
    """``text`` in lines of at most ``width`` characters, broken at spaces only: a source's name
    ("ref-us") is not split into "ref-" / "us" (Python's default ends a line after a hyphen)."""
    return "\n".join(textwrap.wrap(text, width, break_on_hyphens=False))


def _svg(fig: Figure) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": "bioparity"})
    svg = buffer.getvalue()
    if not _TEXT_AS_TEXT.get():
        return svg
    # WeasyPrint splits an SVG font-family at the commas and strips the quotes, not the spaces: after
    # ", " the fonts named no font, and Pango set Chinese text in the Japanese face of Noto Sans CJK
    return _circle_markers(_FONT_FAMILY.sub(lambda m: "font-family: " + m.group(1).replace(", ", ","), svg))


def _log_axis(axis: str, ax: Axes, subs: tuple[float, ...] = (1.0,)) -> None:
    """A log axis (``x`` or ``y``) labelled 0.1, 1, 10 (plain numbers at decades, or at ``subs`` times
    each decade; unlabelled minor ticks)."""
    target = ax.xaxis if axis == "x" else ax.yaxis
    (ax.set_xscale if axis == "x" else ax.set_yscale)("log")
    target.set_major_locator(LogLocator(base=10, subs=subs))
    target.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    target.set_minor_formatter(NullFormatter())


def _decades(ax: Axes) -> None:
    """A log y axis labelled 0.1, 1, 10, 100 (plain numbers at decades; unlabelled minor ticks)."""
    _log_axis("y", ax)


def profiles_svg(plot: ProfilePlot, *, log: bool) -> str:
    with _style():
        fig = Figure(figsize=(6.4, 3.6), layout="constrained")
        ax = fig.add_subplot()
        for i, line in enumerate(plot.lines):
            x, y = np.asarray(line.x), np.asarray(line.y)
            keep = y > 0 if log else np.ones(y.size, dtype=bool)
            n = plot.n_subjects.get(line.name, 0)
            ax.plot(
                x[keep],
                y[keep],
                marker="o",
                ms=3,
                lw=1.4,
                color=COLOURS[i % len(COLOURS)],
                label=f"{line.name} (n = {n})",
            )
        if log:
            _decades(ax)
        ax.set_xlabel(plot.time_label)
        mean = _("mean %(quantity)s") % {"quantity": plot.conc_label}
        ax.set_ylabel(_("%(label)s (log scale)") % {"label": mean} if log else mean)
        ax.set_title(
            _("Mean concentration-time profiles per arm, semi-log")
            if log
            else _("Mean concentration-time profiles per arm, linear")
        )
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
        return _svg(fig)


def _panels(count: int, *, sharex: bool) -> tuple[Figure, list[Axes]]:
    """A figure of ``count`` panels (one per line of a profile plot), three a row, the y axes shared:
    six panels in one row had their titles overlap and were too narrow to read."""
    columns = min(count, 3) or 1
    rows = math.ceil(count / columns) or 1
    fig = Figure(figsize=(6.4, 0.6 + 2.0 * rows), layout="constrained")
    return fig, list(fig.subplots(rows, columns, sharex=sharex, sharey=True, squeeze=False).ravel())


def individual_svg(plot: ProfilePlot) -> str:
    """Individual profiles, one panel per arm drawn one by one (a line summarised in bands has its panel
    in :func:`bands_svg`), semi-log (zero concentrations left out)."""
    names = [line.name for line in plot.lines]
    drawn = {line.name for line in plot.individual}
    arms = [name for name in names if name in drawn]
    with _style():
        fig, axes = _panels(len(arms), sharex=False)
        for ax, arm in zip(axes, arms, strict=False):
            i = names.index(arm)  # the arm's colour in every figure
            for line in plot.individual:
                if line.name != arm:
                    continue
                x, y = np.asarray(line.x), np.asarray(line.y)
                keep = y > 0
                ax.plot(x[keep], y[keep], lw=0.5, alpha=0.45, color=COLOURS[i % len(COLOURS)])
            _decades(ax)
            ax.set_title(f"{arm} (n = {plot.n_subjects.get(arm, 0)})", fontsize=8.5)
            ax.set_xlabel(plot.time_label, fontsize=7.5)
            ax.grid(alpha=0.3)
        for ax in axes[len(arms) :]:
            ax.set_visible(False)
        axes[0].set_ylabel(_("%(label)s (log scale)") % {"label": plot.conc_label})
        fig.suptitle(_("Individual concentration-time profiles, semi-log"), fontsize=10)
        return _svg(fig)


def bands_svg(plot: ProfilePlot, *, log: bool) -> str:
    """The individual profiles of a large study summarised (:attr:`ProfilePlot.bands`): one panel per
    line (arm, arm / analyte), the median concentration per nominal time as a line and the percentiles
    (:data:`~bioparity.analyses.figures.BAND_PERCENTILES`) as a shaded band, linear or semi-log (values
    of 0 not drawn on the log scale: a band whose lower percentile is 0 reaches down to the panel's lower
    edge, :func:`~bioparity.analyses.figures.semilog_band`); the number of profiles in each panel's title."""
    low, high = BAND_PERCENTILES
    floor = log_floor(plot.bands)
    with _style():
        fig, axes = _panels(len(plot.bands), sharex=True)
        names = [line.name for line in plot.lines]
        for ax, band in zip(axes, plot.bands, strict=False):
            i = names.index(band.name) if band.name in names else 0
            colour = COLOURS[i % len(COLOURS)]
            x, mid = np.asarray(band.x), np.asarray(band.median)
            lower, upper = np.asarray(band.lower), np.asarray(band.upper)
            if log:
                x_band, lower, upper = (np.asarray(v) for v in semilog_band(band, floor))
            else:
                x_band = x
            ax.fill_between(x_band, lower, upper, color=colour, alpha=0.25, lw=0)
            keep = mid > 0 if log else np.ones(x.size, dtype=bool)
            ax.plot(x[keep], mid[keep], color=colour, lw=1.2, marker="o", ms=2)
            ax.set_title(f"{band.name} (n = {plot.n_subjects.get(band.name, 0)})", fontsize=8)
            if log:
                _decades(ax)
                ax.yaxis.set_minor_locator(NullLocator())  # six panels' minor ticks: half the drawing time
            ax.grid(alpha=0.3)
        if log and math.isfinite(floor):  # after every panel is drawn: the top from all of them (shared)
            axes[0].set_ylim(bottom=floor)  # a band open downwards reaches the lower edge
        for ax in axes[len(plot.bands) :]:
            ax.set_visible(False)
        fig.supxlabel(plot.time_label, fontsize=8)
        fig.supylabel(
            _("%(label)s (log scale)") % {"label": plot.conc_label} if log else plot.conc_label, fontsize=8
        )
        what = _("%(profiles)s profiles: median and percentiles %(low)g to %(high)g per nominal time") % {
            "profiles": f"{summarised_profiles(plot):,}",
            "low": low,
            "high": high,
        }
        fig.suptitle(
            (
                _("Individual concentration-time profiles, semi-log")
                if log
                else _("Individual concentration-time profiles, linear")
            )
            + "\n"
            + what,
            fontsize=9,
        )
        return _svg(fig)


_LABEL_BOX = {"boxstyle": "square,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.75}


def _reference_line(
    ax: Axes, value: float, label: str, *, vertical: bool, colour: str, ls: str, boxed: bool = False
) -> None:
    """A reference line at ``value`` with its label outside the plotting area, never under a line or a CI:
    a vertical line labelled above the top edge, a horizontal one at the right edge; ``boxed`` puts the
    label on a white box above the drawing (where bars or curves may reach the label)."""
    if vertical:
        ax.axvline(value, color=colour, ls=ls, lw=1)
        at, coords, offset, ha = (value, 1.0), ("data", "axes fraction"), (0, 2), "center"
    else:
        ax.axhline(value, color=colour, ls=ls, lw=1)
        at, coords, offset, ha = (1.0, value), ("axes fraction", "data"), (-2, 2), "right"
    text = ax.annotate(
        label,
        at,
        xycoords=coords,
        xytext=offset,
        textcoords="offset points",
        ha=ha,
        va="bottom",
        fontsize=7,
        color=colour,
    )
    if boxed:
        text.set_bbox(_LABEL_BOX)
        text.set_zorder(5)


def forest_svg(plot: ForestPlot) -> str:
    with _style():
        height = 1.2 + 0.32 * len(plot.items)
        fig = Figure(figsize=(6.4, height), layout="constrained")
        ax: Axes = fig.add_subplot()
        ys = np.arange(len(plot.items))[::-1]
        for y, item in zip(ys, plot.items, strict=True):
            colour = "#15803d" if item.passed else "#b91c1c"
            ax.errorbar(
                item.gmr,
                y,
                xerr=[[item.gmr - item.lower], [item.upper - item.gmr]],
                fmt="s",
                color=colour,
                capsize=3,
                ms=4,
            )
        for limit in (plot.lower_limit, plot.upper_limit):
            _reference_line(ax, limit, f"{limit:.2f}%", vertical=True, colour="#444444", ls="--")
        ax.axvline(100.0, color="#777777", lw=0.8)
        ax.set_yticks(ys, [i.label for i in plot.items])
        ax.set_xscale("log")
        lo = min(plot.lower_limit, *(i.lower for i in plot.items)) * 0.97
        hi = max(plot.upper_limit, *(i.upper for i in plot.items)) * 1.03
        ax.set_xlim(lo, hi)
        ticks = [t for t in (70, 80, 90, 100, 110, 125, 140) if lo <= t <= hi]
        ax.set_xticks(ticks, [f"{t:g}" for t in ticks])
        ax.minorticks_off()
        ax.set_xlabel(
            _("geometric mean ratio (%%) with %(level)s%% CI; limits %(lower)s-%(upper)s%%")
            % {
                "level": f"{plot.ci_level:g}",
                "lower": f"{plot.lower_limit:.2f}",
                "upper": f"{plot.upper_limit:.2f}",
            }
        )
        ax.set_title(_("PK similarity: GMR and CI against the acceptance limits"), pad=12)
        ax.grid(axis="x", alpha=0.3)
        return _svg(fig)


def power_svg(plot: PowerPlot) -> str:
    with _style():
        fig = Figure(figsize=(6.4, 3.6), layout="constrained")
        ax = fig.add_subplot()
        for i, line in enumerate(plot.lines[:8]):
            ax.plot(
                line.x, line.y, marker="o", ms=3, lw=1.4, color=COLOURS[i % len(COLOURS)], label=line.name
            )
        ax.set_xlabel(_(plot.x_label))  # the plot data's labels are fixed words: see power_plot
        ax.set_ylabel(_(plot.y_label))
        if plot.y_label == POWER_AXIS:  # in percent, as the results table
            ax.axhline(80, color="#999999", ls=":", lw=1)
            ax.axhline(90, color="#999999", ls=":", lw=1)
            ax.set_ylim(0, 100)
        ax.set_title(_("Power curves") if plot.y_label == POWER_AXIS else _("Sample size"))
        ax.grid(alpha=0.3)
        # Below the axes, never over the curves (constrained layout makes room for it).
        fig.legend(
            fontsize=7,
            loc="outside lower center",
            ncol=2,
            frameon=False,
            title=plot.legend_title or None,
            title_fontsize=7,
        )
        return _svg(fig)


def _short_log_axis(axis: str, ax: Axes) -> None:
    """A log axis; over less than ~1.5 decades labelled at round numbers (0.5, 1, 1.5, ...), since
    decades alone would leave it with one label or none."""
    _log_axis(axis, ax, (1.0, 2.0, 5.0))
    low, high = ax.get_xlim() if axis == "x" else ax.get_ylim()
    if low > 0 and high / low < 30:
        (ax.xaxis if axis == "x" else ax.yaxis).set_major_locator(
            MaxNLocator(nbins=6, steps=[1, 2, 2.5, 5, 10])
        )


def xy_svg(plot: XYPlot) -> str:
    """Points and fitted curves per series (one colour per series name), horizontal reference lines
    labelled at the right edge, vertical ones at the top; values <= 0 are left out on a log axis."""
    colours = {name: COLOURS[i % len(COLOURS)] for i, name in enumerate(plot.series_names())}

    def shown(x: list[float], y: list[float]) -> tuple[np.ndarray, np.ndarray]:
        xs, ys = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
        keep = np.isfinite(xs) & np.isfinite(ys)
        keep &= (xs > 0) if plot.log_x else keep
        keep &= (ys > 0) if plot.log_y else keep
        return xs[keep], ys[keep]

    with _style():
        fig = Figure(figsize=(6.4, 3.8), layout="constrained")
        ax = fig.add_subplot()
        for series in plot.points:
            xs, ys = shown(series.x, series.y)
            ax.scatter(xs, ys, s=14, color=colours[series.name], label=series.name, zorder=3)
        drawn = {s.name for s in plot.points}
        for series in plot.lines:
            xs, ys = shown(series.x, series.y)
            label = None if series.name in drawn else series.name
            ax.plot(xs, ys, lw=1.3, color=colours[series.name], label=label, zorder=2)
            drawn.add(series.name)
        for series in plot.bounds:
            xs, ys = shown(series.x, series.y)
            ax.plot(xs, ys, lw=0.9, ls="--", color=colours[series.name], zorder=2)
        if plot.bounds and plot.bounds_label:  # one key for every dashed curve
            ax.plot([], [], lw=0.9, ls="--", color="#444444", label=plot.bounds_label)
        for ref in plot.hlines:
            _reference_line(ax, ref.value, ref.label, vertical=False, colour="#b91c1c", ls="--", boxed=True)
        for ref in plot.vlines:
            _reference_line(
                ax, ref.value, ref.label, vertical=True, colour="#444444", ls="--" if ref.dashed else ":"
            )
        for axis, log in (("x", plot.log_x), ("y", plot.log_y)):
            if log:
                _short_log_axis(axis, ax)
        log_scale = _("%(label)s (log scale)")
        ax.set_xlabel(log_scale % {"label": plot.x_title} if plot.log_x else plot.x_title)
        ax.set_ylabel(log_scale % {"label": plot.y_title} if plot.log_y else plot.y_title)
        ax.set_title(_wrapped(plot.title, 90), pad=12 if plot.vlines else 6)
        ax.grid(alpha=0.3)
        labels = ax.get_legend_handles_labels()[1]
        if labels:  # as many columns as fit across the figure (long labels: fewer)
            ncol = max(1, min(4, 96 // max(len(label) + 8 for label in labels)))
            fig.legend(fontsize=7, loc="outside lower center", ncol=ncol, frameon=False)
        return _svg(fig)


def bar_svg(plot: BarPlot) -> str:
    """Bars by category, one colour per series (side by side where categories are shared; marked bars
    hatched and outlined), the bands shaded over the bars with their edges drawn, reference lines labelled
    at the right edge; the legend keys the series, the marked bars and the bands, in that order."""
    categories = plot.categories()
    position = {c: i for i, c in enumerate(categories)}
    holders = {c: [s.name for s in plot.series if c in s.categories] for c in categories}
    keys: list[Patch] = []
    with _style():
        fig = Figure(figsize=(6.4, 3.6), layout="constrained")
        ax = fig.add_subplot()
        for i, series in enumerate(plot.series):
            width = [0.8 / len(holders[c]) for c in series.categories]
            x = [
                position[c] - 0.4 + (holders[c].index(series.name) + 0.5) * w
                for c, w in zip(series.categories, width, strict=True)
            ]
            colour = COLOURS[i % len(COLOURS)]
            marked = series.marked or [False] * len(x)
            ax.bar(
                x,
                series.values,
                width=width,
                color=colour,
                alpha=0.85,
                zorder=3,
                hatch=["///" if m else "" for m in marked],
                edgecolor=["#111111" if m else colour for m in marked],
                linewidth=[1.0 if m else 0.0 for m in marked],
            )
            keys.append(Patch(facecolor=colour, alpha=0.85, label=series.name))
        if plot.any_marked() and plot.marked_label:
            keys.append(Patch(facecolor="white", hatch="///", edgecolor="#111111", label=plot.marked_label))
        for j, band in enumerate(plot.bands):  # over the bars, edges drawn: each bar's top is read against it
            if math.isfinite(band.lower) and math.isfinite(band.upper):
                colour = COLOURS[(len(plot.series) + j) % len(COLOURS)]
                ax.axhspan(band.lower, band.upper, color=colour, alpha=0.22, zorder=4)
                for edge in (band.lower, band.upper):
                    ax.axhline(edge, color=colour, lw=0.8, zorder=4)
                keys.append(Patch(facecolor=colour, alpha=0.22, edgecolor=colour, label=band.label))
        for ref in plot.hlines:
            _reference_line(ax, ref.value, ref.label, vertical=False, colour="#b91c1c", ls="--", boxed=True)
        many = len(categories) > 8
        ax.set_xticks(
            range(len(categories)), categories, rotation=90 if many else 0, fontsize=7 if many else 8
        )
        ax.set_xlim(-0.6, len(categories) - 0.4)
        ax.set_xlabel(plot.x_label)
        ax.set_ylabel(plot.y_title)
        ax.set_title(_wrapped(plot.title, 75))
        ax.grid(axis="y", alpha=0.3, zorder=0)
        if keys:
            fig.legend(handles=keys, fontsize=7, loc="outside lower center", ncol=4, frameon=False)
        return _svg(fig)


def _caa_figure(plot: CAAPlot, *, small: bool) -> Figure:
    fig = Figure(figsize=(3.6, 2.9) if small else (6.4, 3.6), layout="constrained")
    ax = fig.add_subplot()
    rng = np.random.default_rng(0)  # fixed jitter: identical figures on every run
    for i, source in enumerate(plot.sources):
        v = np.asarray(plot.values[source], dtype=float)
        ax.scatter(i + rng.uniform(-0.12, 0.12, v.size), v, s=16, color=COLOURS[i % len(COLOURS)], zorder=3)
        if v.size:
            ax.hlines(float(v.mean()), i - 0.25, i + 0.25, color=COLOURS[i % len(COLOURS)], lw=2, zorder=3)
    for j, band in enumerate(plot.bands):
        colour = COLOURS[(j + 1) % len(COLOURS)]
        if math.isfinite(band.lower) and math.isfinite(band.upper):
            ax.axhspan(band.lower, band.upper, color=colour, alpha=0.10, zorder=1, label=band.label)
    ax.set_xticks(range(len(plot.sources)), [f"{s}\n(n = {len(plot.values[s])})" for s in plot.sources])
    ax.set_ylabel(
        _("lot value (%(unit)s)") % {"unit": plot.unit} if plot.unit else _("lot value"), fontsize=7
    )
    # the name and the verdicts wrapped to the figure's width: the three comparisons' verdicts on one line
    # (86 characters, "test vs ref-eu: descriptive; ...") ran past both edges of a report's small figure
    width = 60 if small else 90
    name = _wrapped(plot.name or plot.attribute, width)
    verdicts = _wrapped(plot.title, width)
    ax.set_title(f"{name}\n{verdicts}" if verdicts else name, fontsize=6.5 if small else 9)
    if plot.bands:
        ax.legend(fontsize=5.5 if small else 7, loc="best")
    if small:
        ax.tick_params(labelsize=6.5)
    # the lot values as measured: an intact mass of 148,052-148,059 Da printed "2 ... 9" with "+1.4805e5"
    # above the axis (matplotlib's offset), which a reader takes for the values
    ax.ticklabel_format(axis="y", style="plain", useOffset=False)
    ax.grid(axis="y", alpha=0.3)
    return fig


def caa_svg(plot: CAAPlot, *, small: bool = False) -> str:
    with _style():
        return _svg(_caa_figure(plot, small=small))


def _file_name(attribute: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", attribute).strip("_") or "attribute"


def write_caa_plots(
    result: CAAResult, folder: str | Path, *, fmt: str = "png", attributes: Sequence[str] | None = None
) -> list[Path]:
    """One figure per attribute in ``folder`` (``<attribute>.png`` or ``.svg``), the figure of the reports.

    Lot values by source with each test-versus-reference acceptance range (:func:`caa_plot`); returns
    the paths in attribute order (``attributes``, default every attribute of the result).
    """
    if fmt not in PLOT_FORMATS:
        raise InputError(f"plot format must be one of {', '.join(PLOT_FORMATS)}; got {fmt!r}")
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    rows = [{str(k): v for k, v in row.items()} for row in result.table.to_dict(orient="records")]
    names = list(attributes) if attributes is not None else list(dict.fromkeys(result.table["attribute"]))
    paths = []
    for attribute in names:
        plot = caa_plot(result.lots, rows, str(attribute))
        if plot is None:
            raise InputError(f"no results for attribute {attribute!r}")
        path = out / f"{_file_name(str(attribute))}.{fmt}"
        with _style():
            figure = _caa_figure(plot, small=False)
            if fmt == "svg":
                path.write_text(_svg(figure), encoding="utf-8")
            else:
                figure.savefig(path, format="png", dpi=110, metadata={"Software": "bioparity"})
        paths.append(path)
    return paths
