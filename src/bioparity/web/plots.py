"""Interactive plots: the plot data of :mod:`bioparity.analyses.figures` as Plotly JSON (for plotly.js)."""

from __future__ import annotations

import math
from typing import Any

from bioparity.analyses.figures import (
    BAND_PERCENTILES,
    POWER_AXIS,
    Band,
    BarPlot,
    CAAPlot,
    ForestPlot,
    PlotData,
    PowerPlot,
    ProfilePlot,
    RefLine,
    XYPlot,
    log_floor,
    semilog_band,
    summarised_profiles,
)
from bioparity.i18n import gettext as _
from bioparity.report.static import COLOURS

_LAYOUT: dict[str, Any] = {
    "margin": {"l": 60, "r": 20, "t": 50, "b": 50},
    "legend": {"orientation": "h", "y": -0.2},
    "font": {"family": "system-ui, sans-serif", "size": 12},
    "autosize": True,
}


def plot_layout(title: str, **extra: Any) -> dict[str, Any]:
    return {**_LAYOUT, "title": {"text": title, "font": {"size": 14}}, **extra}


#: A log axis labelled at decades as plain numbers (0.1, 1, 10), like the report's matplotlib axes.
LOG_AXIS: dict[str, Any] = {"type": "log", "dtick": 1, "exponentformat": "none", "minor": {"ticks": ""}}


def profiles_figure(plot: ProfilePlot, *, log: bool) -> dict[str, Any]:
    data = []
    for i, line in enumerate(plot.lines):
        pts = [(x, y) for x, y in zip(line.x, line.y, strict=True) if y > 0 or not log]
        data.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": f"{line.name} (n = {plot.n_subjects.get(line.name, 0)})",
                "x": [p[0] for p in pts],
                "y": [p[1] for p in pts],
                "line": {"color": COLOURS[i % len(COLOURS)]},
            }
        )
    return {
        "data": data,
        "layout": plot_layout(
            _("Mean concentration-time profiles per arm (semi-log)")
            if log
            else _("Mean concentration-time profiles per arm (linear)"),
            xaxis={"title": {"text": plot.time_label}},
            yaxis={
                "title": {"text": _("mean %(label)s") % {"label": plot.conc_label}},
                **(LOG_AXIS if log else {"type": "linear"}),
            },
        ),
    }


def _band_traces(plot: ProfilePlot) -> list[dict[str, Any]]:
    """The lines summarised in bands (:attr:`ProfilePlot.bands`, semi-log): per line the percentile band
    (a lower percentile of 0 drawn at the plot's lower edge, :func:`semilog_band`) and the median per
    nominal time, the number of concentrations at each time in the hover text; one legend entry a line."""
    arms = [line.name for line in plot.lines]
    floor = log_floor(plot.bands)
    data: list[dict[str, Any]] = []
    for band in plot.bands:
        colour = COLOURS[(arms.index(band.name) if band.name in arms else 0) % len(COLOURS)]
        x, lower, upper = semilog_band(band, floor)
        edge = {"type": "scatter", "mode": "lines", "legendgroup": band.name, "showlegend": False}
        edge |= {"x": x, "line": {"width": 0, "color": colour}, "hoverinfo": "skip"}
        data.append({**edge, "y": lower})
        data.append({**edge, "y": upper, "fill": "tonexty", "opacity": 0.25})
        kept = [i for i, m in enumerate(band.median) if m > 0]
        data.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": f"{band.name} (n = {plot.n_subjects.get(band.name, 0)})",
                "legendgroup": band.name,
                "x": [band.x[i] for i in kept],
                "y": [band.median[i] for i in kept],
                "customdata": [band.n[i] for i in kept],
                "hovertemplate": _("median %(y)s, n = %(n)s") % {"y": "%{y}", "n": "%{customdata}"},
                "line": {"color": colour},
            }
        )
    return data


def _profile_traces(plot: ProfilePlot) -> list[dict[str, Any]]:
    """The profiles drawn one by one (:attr:`ProfilePlot.individual`, semi-log), coloured by arm."""
    arms = [line.name for line in plot.lines]
    data = []
    seen: set[str] = set()
    for line in plot.individual:
        i = arms.index(line.name) if line.name in arms else 0
        pts = [(x, y) for x, y in zip(line.x, line.y, strict=True) if y > 0]
        data.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": line.name,
                "legendgroup": line.name,
                "showlegend": line.name not in seen,
                "x": [p[0] for p in pts],
                "y": [p[1] for p in pts],
                "line": {"color": COLOURS[i % len(COLOURS)], "width": 0.7},
                "opacity": 0.5,
            }
        )
        seen.add(line.name)
    return data


def individual_figure(plot: ProfilePlot) -> dict[str, Any]:
    """Every subject's profile (semi-log), coloured by arm, one legend entry per arm; a line of
    :data:`~bioparity.analyses.figures.BANDS_FROM` profiles or more summarised as its median and
    percentile band (:func:`_band_traces`)."""
    title = _("Individual concentration-time profiles (semi-log)")
    if plot.bands:
        low, high = BAND_PERCENTILES
        title += "<br>" + _(
            "%(profiles)s profiles: median and percentiles %(low)g to %(high)g per nominal time"
        ) % {
            "profiles": f"{summarised_profiles(plot):,}",
            "low": low,
            "high": high,
        }
    return {
        "data": _band_traces(plot) + _profile_traces(plot),
        "layout": plot_layout(
            title,
            xaxis={"title": {"text": plot.time_label}},
            yaxis={"title": {"text": plot.conc_label}, **LOG_AXIS},
        ),
    }


def forest_figure(plot: ForestPlot) -> dict[str, Any]:
    labels = [i.label for i in plot.items][::-1]
    items = plot.items[::-1]
    data = [
        {
            "type": "scatter",
            "mode": "markers",
            "name": _("GMR with CI"),
            "x": [i.gmr for i in items],
            "y": labels,
            "marker": {
                "symbol": "square",
                "size": 9,
                "color": ["#15803d" if i.passed else "#b91c1c" for i in items],
            },
            "error_x": {
                "type": "data",
                "symmetric": False,
                "array": [i.upper - i.gmr for i in items],
                "arrayminus": [i.gmr - i.lower for i in items],
            },
            "hovertemplate": "%{y}<br>GMR %{x:.2f}%<extra></extra>",
        }
    ]
    shapes = [
        {
            "type": "line",
            "x0": v,
            "x1": v,
            "yref": "paper",
            "y0": 0,
            "y1": 1,
            "line": {
                "dash": "dash" if v != 100.0 else "solid",
                "color": "#444444" if v != 100.0 else "#777777",
            },
        }
        for v in (plot.lower_limit, plot.upper_limit, 100.0)
    ]
    # limit labels above the plotting area (never under a limit line or a CI), as in the report
    annotations = [
        {
            "x": math.log10(v),  # annotations on a log axis take log10 positions
            "xref": "x",
            "y": 1,
            "yref": "paper",
            "yanchor": "bottom",
            "text": f"{v:.2f}%",
            "showarrow": False,
            "font": {"size": 11, "color": "#444444"},
        }
        for v in (plot.lower_limit, plot.upper_limit)
    ]
    lo = min(plot.lower_limit, *(i.lower for i in plot.items)) * 0.97
    hi = max(plot.upper_limit, *(i.upper for i in plot.items)) * 1.03
    ticks = [t for t in (70, 80, 90, 100, 110, 125, 140) if lo <= t <= hi]
    return {
        "data": data,
        "layout": plot_layout(
            _("GMR and %(level)s%% CI against %(lower)s-%(upper)s%%")
            % {
                "level": f"{plot.ci_level:g}",
                "lower": f"{plot.lower_limit:.2f}",
                "upper": f"{plot.upper_limit:.2f}",
            },
            xaxis={
                "title": {
                    "text": _("geometric mean ratio (%%) with %(level)s%% CI")
                    % {"level": f"{plot.ci_level:g}"}
                },
                "type": "log",
                "range": [math.log10(lo), math.log10(hi)],
                "tickvals": ticks,
                "ticktext": [f"{t:g}" for t in ticks],
            },
            yaxis={"automargin": True},
            margin={"l": 60, "r": 20, "t": 80, "b": 50},
            shapes=shapes,
            annotations=annotations,
            height=140 + 34 * len(items),
            showlegend=False,
        ),
    }


def power_figure(plot: PowerPlot) -> dict[str, Any]:
    data = [
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": line.name,
            "x": line.x,
            "y": line.y,
            "line": {"color": COLOURS[i % len(COLOURS)]},
        }
        for i, line in enumerate(plot.lines[:12])
    ]
    yaxis: dict[str, Any] = {"title": {"text": _(plot.y_label)}}
    if plot.y_label == POWER_AXIS:  # in percent, as the results table
        yaxis["range"] = [0, 100]
    return {
        "data": data,
        "layout": plot_layout(
            _("Power curves") if plot.y_label == POWER_AXIS else _("Sample size"),
            xaxis={"title": {"text": _(plot.x_label)}},
            yaxis=yaxis,
            legend={**_LAYOUT["legend"], "title": {"text": plot.legend_title}},
        ),
    }


def _band_shapes(bands: tuple[Band, ...], first: int, layer: str = "above") -> list[dict[str, Any]]:
    """Horizontal ranges shaded across the plot, coloured from ``COLOURS[first]`` on (``layer`` above or
    below the traces)."""
    return [
        {"type": "rect", "xref": "paper", "x0": 0, "x1": 1, "y0": b.lower, "y1": b.upper,
         "fillcolor": COLOURS[(first + j) % len(COLOURS)], "opacity": 0.12, "line": {"width": 0},
         "layer": layer}
        for j, b in enumerate(bands)
    ]  # fmt: skip


def _band_keys(bands: tuple[Band, ...], first: int) -> list[dict[str, Any]]:
    """The bands' labels as legend entries below the plot (as text at the bands' upper limits they overlap
    whenever two ranges are about the same); the report's legend says the same."""
    return [
        {"type": "scatter", "x": [None], "y": [None], "mode": "markers", "name": b.label,
         "marker": {"symbol": "square", "size": 12, "color": COLOURS[(first + j) % len(COLOURS)],
                    "opacity": 0.4},
         "hoverinfo": "skip"}
        for j, b in enumerate(bands)
    ]  # fmt: skip


def _at(value: float, log: bool) -> float:
    """A position on an axis: annotations on a log axis take log10 positions."""
    return math.log10(value) if log and value > 0 else value


def _hline_shapes(hlines: tuple[RefLine, ...]) -> list[dict[str, Any]]:
    """Horizontal reference lines, dashed red across the plot."""
    return [
        {"type": "line", "xref": "paper", "x0": 0, "x1": 1, "y0": r.value, "y1": r.value,
         "line": {"dash": "dash", "color": "#b91c1c", "width": 1}}
        for r in hlines
    ]  # fmt: skip


def _hline_notes(hlines: tuple[RefLine, ...], log: bool = False) -> list[dict[str, Any]]:
    """Their labels at the right edge (a log axis takes log10 positions)."""
    return [
        {"xref": "paper", "x": 1, "xanchor": "right", "y": _at(r.value, log), "yanchor": "bottom",
         "text": r.label, "showarrow": False, "font": {"size": 10, "color": "#b91c1c"},
         "bgcolor": "rgba(255,255,255,0.75)"}
        for r in hlines
    ]  # fmt: skip


def bar_figure(plot: BarPlot) -> dict[str, Any]:
    """Bars by category, one trace per series (grouped where categories are shared), the bands shaded
    with legend keys and the reference lines labelled at the right edge, as in the report."""
    data: list[dict[str, Any]] = [
        {"type": "bar", "name": s.name, "x": s.categories, "y": s.values,
         "marker": {"color": COLOURS[i % len(COLOURS)], "opacity": 0.85,
                    "pattern": {"shape": ["/" if m else "" for m in s.marked or [False] * len(s.values)]},
                    "line": {"color": "#111111",
                             "width": [1 if m else 0 for m in s.marked or [False] * len(s.values)]}}}
        for i, s in enumerate(plot.series)
    ]  # fmt: skip
    if plot.any_marked() and plot.marked_label:
        data.append(
            {"type": "bar", "name": plot.marked_label, "x": [None], "y": [None], "hoverinfo": "skip",
             "marker": {"color": "white", "pattern": {"shape": "/"},
                        "line": {"color": "#111111", "width": 1}}}
        )  # fmt: skip
    first = len(plot.series)
    return {
        "data": data + _band_keys(plot.bands, first),
        "layout": plot_layout(
            plot.title,
            barmode="group" if plot.shared() else "relative",
            xaxis={"title": {"text": plot.x_label}, "type": "category", "categoryarray": plot.categories()},
            yaxis={"title": {"text": plot.y_title}},
            shapes=_band_shapes(plot.bands, first) + _hline_shapes(plot.hlines),
            annotations=_hline_notes(plot.hlines),
        ),
    }


def caa_figure(plot: CAAPlot) -> dict[str, Any]:
    data = [
        {
            "type": "box",
            "name": f"{s} (n = {len(plot.values[s])})",
            "y": plot.values[s],
            "boxpoints": "all",
            "jitter": 0.4,
            "pointpos": 0,
            "marker": {"color": COLOURS[i % len(COLOURS)]},
            "showlegend": False,
        }
        for i, s in enumerate(plot.sources)
    ]
    shapes = _band_shapes(plot.bands, 1)
    keys = _band_keys(plot.bands, 1)
    title = plot.name or plot.attribute
    return {
        "data": data + keys,
        "layout": plot_layout(
            title,
            shapes=shapes,
            showlegend=bool(keys),
            yaxis={
                "title": {
                    "text": _("lot value (%(unit)s)") % {"unit": plot.unit} if plot.unit else _("lot value")
                },
                # plain numbers: plotly's default SI suffix printed an intact mass of 148,055 Da "148.055k"
                "exponentformat": "none",
            },
        ),
    }


def _xy_axis(title: str, log: bool) -> dict[str, Any]:
    # log: plotly's own ticks (1, 2, 5 per decade on a short range), plain numbers
    return {"title": {"text": title}, "type": "log" if log else "linear", "exponentformat": "none"}


def xy_figure(plot: XYPlot) -> dict[str, Any]:
    """Points (markers) and curves (lines) per series, one colour per series name; reference lines as
    shapes labelled at the right edge (horizontal) or the top (vertical), as in the report."""
    colours = {name: COLOURS[i % len(COLOURS)] for i, name in enumerate(plot.series_names())}
    data: list[dict[str, Any]] = [
        {"type": "scatter", "mode": "markers", "name": s.name, "legendgroup": s.name, "x": s.x, "y": s.y,
         "marker": {"color": colours[s.name], "size": 6}}
        for s in plot.points
    ]  # fmt: skip
    with_points = {s.name for s in plot.points}
    data += [
        {"type": "scatter", "mode": "lines", "name": s.name, "legendgroup": s.name, "x": s.x, "y": s.y,
         "showlegend": s.name not in with_points, "line": {"color": colours[s.name], "width": 1.6}}
        for s in plot.lines
    ]  # fmt: skip
    # dashed curves (confidence bounds) in their series' colour; one legend key for all of them
    data += [
        {"type": "scatter", "mode": "lines", "name": f"{s.name}: {plot.bounds_label or _('bound')}",
         "legendgroup": s.name, "x": s.x, "y": s.y, "showlegend": False,
         "line": {"color": colours[s.name], "width": 1.1, "dash": "dash"}}
        for s in plot.bounds
    ]  # fmt: skip
    if plot.bounds and plot.bounds_label:
        data.append(
            {"type": "scatter", "mode": "lines", "name": plot.bounds_label, "x": [None], "y": [None],
             "line": {"color": "#444444", "width": 1.1, "dash": "dash"}, "hoverinfo": "skip"}
        )  # fmt: skip
    shapes = _hline_shapes(plot.hlines) + [
        {"type": "line", "yref": "paper", "y0": 0, "y1": 1, "x0": r.value, "x1": r.value,
         "line": {"dash": "dash" if r.dashed else "dot", "color": "#444444", "width": 1}}
        for r in plot.vlines
    ]  # fmt: skip

    annotations = _hline_notes(plot.hlines, plot.log_y) + [
        {"yref": "paper", "y": 1, "yanchor": "bottom", "x": _at(r.value, plot.log_x), "text": r.label,
         "showarrow": False, "font": {"size": 10, "color": "#444444"}}
        for r in plot.vlines
    ]  # fmt: skip
    return {
        "data": data,
        "layout": plot_layout(
            plot.title,
            xaxis=_xy_axis(plot.x_title, plot.log_x),
            yaxis=_xy_axis(plot.y_title, plot.log_y),
            shapes=shapes,
            annotations=annotations,
        ),
    }


def figure_json(data: PlotData) -> dict[str, Any]:
    """A run's figure as Plotly JSON, by plot type (profiles on a linear axis)."""
    if isinstance(data, ForestPlot):
        return forest_figure(data)
    if isinstance(data, PowerPlot):
        return power_figure(data)
    if isinstance(data, CAAPlot):
        return caa_figure(data)
    if isinstance(data, XYPlot):
        return xy_figure(data)
    if isinstance(data, BarPlot):
        return bar_figure(data)
    return profiles_figure(data, log=False)


def power_curve_figure(sizes: list[int], powers: list[float], target: float, n: int) -> dict[str, Any]:
    """Power of one scenario against the total sample size, with the target power as a dashed line and
    the sample size reaching it marked."""
    reached = [p for s, p in zip(sizes, powers, strict=True) if s == n]
    data: list[dict[str, Any]] = [
        {"type": "scatter", "mode": "lines+markers", "name": _("power"), "x": sizes, "y": powers,
         "line": {"color": COLOURS[0]}},
        {"type": "scatter", "mode": "lines", "name": _("target %(power)s") % {"power": f"{target:g}"},
         "x": [sizes[0], sizes[-1]],
         "y": [target, target], "line": {"color": COLOURS[1], "dash": "dash"}},
    ]  # fmt: skip
    if reached:
        data.append(
            {"type": "scatter", "mode": "markers", "name": _("sample size n = %(n)d") % {"n": n}, "x": [n],
             "y": reached,
             "marker": {"size": 12, "symbol": "diamond", "color": COLOURS[2]}}
        )  # fmt: skip
    return {
        "data": data,
        "layout": plot_layout(
            _("Power against total sample size"),
            xaxis={"title": {"text": _("total sample size n")}},
            yaxis={"title": {"text": _("power")}, "range": [0, 1]},
        ),
    }
