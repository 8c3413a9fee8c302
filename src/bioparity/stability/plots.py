"""Stability figures: the attribute against time per lot with the fitted lines, the one-sided confidence
bound of the chosen model, the acceptance criteria and the shelf life (the ICH Q1E Appendix B picture).

The figure's words (axis labels, legend, title) are in the current language (:mod:`bioparity.i18n`, the
catalogue of the report figures; ``bioparity --lang zh-CN cmc stability --plots``), its Chinese text set in
Noto Sans CJK SC (:func:`bioparity.i18n.printing.figure_fonts`)."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from bioparity.errors import InputError
from bioparity.i18n import gettext as _
from bioparity.i18n import gettext_noop
from bioparity.i18n.printing import figure_fonts, time_unit_words
from bioparity.stability.core import StabilityResult

PLOT_FORMATS = ("png", "svg")
_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f")

#: The figure's title: the analysis, the pooling and its tests' p values, the bound (translated where drawn).
TITLES = {
    False: gettext_noop(
        "%(analysis)s: %(pooling)s (p slopes %(p_slope)s, p intercepts %(p_intercept)s); "
        "%(level)s%% one-sided bound"
    ),
    True: gettext_noop(
        "%(analysis)s: %(pooling)s (p slopes %(p_slope)s, p intercepts %(p_intercept)s); "
        "%(level)s%% two-sided limits"
    ),
}


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("_") or "attribute"


def plot_stability(
    result: StabilityResult,
    time: Any,
    value: Any,
    lot: Any,
    path: str | Path,
    *,
    title: str | None = None,
    name: str | None = None,
    time_unit: str = "",
    shelf_lines: Sequence[tuple[str, float, bool]] | None = None,
) -> Path:
    """Write one figure: results by lot, the chosen model's lines, the confidence bound(s), the limits and
    the shelf life; values and lines are on the original scale (``exp`` of the ln fit for ``model="log"``).
    ``name`` is the attribute as the axis and title print it (a specification's label; default the
    result's attribute as written); ``time_unit``: the unit of ``time`` named on the axis (a
    specification's ``time_unit``, months; not named when empty); ``shelf_lines``: the vertical shelf-life
    lines as ``(label, time, dashed)``, dotted or dashed (the command line passes the workspace figure's:
    the supported shelf life and, where it extrapolates beyond the last time point, the extrapolated one,
    ICH Q5C; default: the shelf life alone, dotted)."""
    out = Path(path)
    fmt = out.suffix.lstrip(".").lower()
    if fmt not in PLOT_FORMATS:
        raise InputError(f"plot format must be one of {', '.join(PLOT_FORMATS)}; got {out.suffix!r}")
    with figure_fonts():  # the Chinese words of a zh-CN figure in a CJK font (set when the text is made)
        return _draw(
            result,
            time,
            value,
            lot,
            out,
            title=title,
            name=name,
            time_unit=time_unit,
            shelf_lines=shelf_lines,
        )


def _draw(
    result: StabilityResult,
    time: Any,
    value: Any,
    lot: Any,
    out: Path,
    *,
    title: str | None,
    name: str | None,
    time_unit: str,
    shelf_lines: Sequence[tuple[str, float, bool]] | None,
) -> Path:
    from matplotlib.figure import Figure  # imported here: plotting is optional for the numerical API

    fmt = out.suffix.lstrip(".").lower()
    t = np.asarray(time, dtype=float)
    v = np.asarray(value, dtype=float)
    lots = np.asarray(lot, dtype=object).astype(str)
    back = np.exp if result.model == "log" else (lambda x: x)
    finite_sl = result.shelf_life if math.isfinite(result.shelf_life) else result.max_observed_time
    t_end = max(result.max_observed_time, finite_sl) * 1.1
    grid = np.linspace(0.0, t_end, 200)
    fig = Figure(figsize=(7.0, 4.2), layout="constrained")
    ax = fig.add_subplot()
    means = result.fitted_intercept[:, None] + result.fitted_slope[:, None] * grid[None, :]
    sides = [
        s for s, lim in (("lower", result.lower_limit), ("upper", result.upper_limit)) if lim is not None
    ]
    bounds = {s: result.bound(grid, s) for s in sides}
    for i, lot_name in enumerate(result.lots):
        c = _COLOURS[i % len(_COLOURS)] if result.pooling != "cics" else "#444444"
        m = lots == lot_name
        ax.scatter(
            t[m],
            v[m],
            s=18,
            color=_COLOURS[i % len(_COLOURS)],
            zorder=3,
            label=_("lot %(lot)s") % {"lot": lot_name},
        )
        if result.pooling != "cics" or i == 0:
            ax.plot(grid, back(means[i]), color=c, linewidth=1.2)
            for s in sides:
                ax.plot(grid, back(bounds[s][i]), color=c, linewidth=0.8, linestyle="--")
    for lim in (result.lower_limit, result.upper_limit):
        if lim is not None:
            ax.axhline(lim, color="#b22222", linewidth=1.0, label=_("acceptance criterion"))
    if shelf_lines is None:  # the shelf life alone, dotted (no line where it is infinite)
        life = _("shelf life %(shelf_life)s") % {"shelf_life": f"{result.shelf_life:.3g}"}
        shelf_lines = [(life, result.shelf_life, False)] if math.isfinite(result.shelf_life) else []
    for label, at, dashed in shelf_lines:
        ax.axvline(at, color="k", linewidth=0.8, linestyle="--" if dashed else ":", label=label)
    ax.set_xlabel(_("time (%(unit)s)") % {"unit": time_unit_words(time_unit)} if time_unit else _("time"))
    shown = name or result.attribute
    ax.set_ylabel(_("%(attribute)s (log model)") % {"attribute": shown} if result.model == "log" else shown)
    cond = f" [{result.condition}]" if result.condition else ""
    words = {
        "analysis": f"{shown}{cond}",
        "pooling": result.pooling,
        "p_slope": f"{result.p_slope:.3g}",
        "p_intercept": f"{result.p_intercept:.3g}",
        "level": f"{100 * result.confidence:g}",
    }
    ax.set_title(title or _(TITLES[bool(result.two_sided)]) % words, fontsize=9)
    handles, labels = ax.get_legend_handles_labels()
    unique = dict(zip(labels, handles, strict=True))
    ax.legend(unique.values(), unique.keys(), fontsize=7, loc="best")
    ax.grid(alpha=0.3)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, format=fmt, dpi=120, metadata={"Date": None} if fmt == "svg" else None)
    return out


def figure_name(attribute: str, condition: str, product: str, fmt: str = "png") -> str:
    """File name of one figure: ``stability_<attribute>[_<condition>]_<product>.<fmt>``."""
    parts = [attribute] + ([condition] if condition else []) + [product]
    return "stability_" + "_".join(_slug(p) for p in parts) + f".{fmt}"
