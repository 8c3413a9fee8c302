"""Profile figure: per-species bars by lot with the reference quality ranges, and the Aitchison distances of
the lots against the reference-to-reference threshold.

The figure's words are in the current language (:mod:`bioparity.i18n`, the reports' catalogue; ``bioparity
--lang zh-CN cmc profile --plot``), its Chinese text set in Noto Sans CJK SC
(:func:`bioparity.i18n.printing.figure_fonts`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from bioparity.errors import InputError
from bioparity.i18n import gettext as _
from bioparity.i18n.printing import figure_fonts
from bioparity.profiles.core import ProfileResult

PLOT_FORMATS = ("png", "svg")


def plot_profile(result: ProfileResult, parts: Any, lots: Any, sources: Any, path: str | Path) -> Path:
    """Write one figure (top: species % by lot, reference mean +/- k SD shaded; bottom: distances)."""
    out = Path(path)
    if out.suffix.lstrip(".").lower() not in PLOT_FORMATS:
        raise InputError(f"plot format must be one of {', '.join(PLOT_FORMATS)}; got {out.suffix!r}")
    with figure_fonts():  # the Chinese words of a zh-CN figure in a CJK font (set when the text is made)
        return _draw(result, parts, lots, sources, out)


def _draw(result: ProfileResult, parts: Any, lots: Any, sources: Any, out: Path) -> Path:
    from matplotlib.figure import Figure  # imported here: plotting is optional for the numerical API

    fmt = out.suffix.lstrip(".").lower()
    x = np.asarray(parts, dtype=float)
    src = np.asarray(sources, dtype=object).astype(str)
    names = np.asarray(lots, dtype=object).astype(str)
    n_sp = len(result.species)
    fig = Figure(figsize=(8.0, 6.0), layout="constrained")
    ax, ax2 = fig.subplots(2, 1, height_ratios=(2, 1))
    order = np.r_[np.flatnonzero(src == result.reference), np.flatnonzero(src != result.reference)]
    width = 0.8 / max(len(order), 1)
    for j, i in enumerate(order):
        colour = "#1f77b4" if src[i] == result.reference else "#d62728"
        ax.bar(np.arange(n_sp) - 0.4 + (j + 0.5) * width, x[i], width=width, color=colour, alpha=0.7)
    st = result.species_table
    for s in range(n_sp):
        ax.fill_between(
            [s - 0.45, s + 0.45],
            st["range_lower"].iloc[s],
            st["range_upper"].iloc[s],
            color="#999999",
            alpha=0.25,
            zorder=0,
        )
    ax.set_xticks(range(n_sp), list(result.species), rotation=30, fontsize=8)
    ax.set_ylabel(_("%% of profile") % {})
    title = _("%(test)s (red) vs %(reference)s (blue) lots; grey: reference mean +/- %(k)s SD")
    words = {"test": result.test, "reference": result.reference, "k": f"{result.k:g}"}
    ax.set_title(title % words, fontsize=9)
    table = result.lot_table
    colours = np.where(table["source"].to_numpy() == result.reference, "#1f77b4", "#d62728")
    ax2.scatter(range(len(table)), table["distance"], color=colours)
    ax2.axhline(
        result.threshold,
        color="k",
        linestyle="--",
        linewidth=0.8,
        label=_("reference LOO %(rule)s = %(threshold)s")
        % {"rule": result.threshold_rule, "threshold": f"{result.threshold:.3g}"},
    )
    ax2.set_xticks(range(len(table)), list(names), rotation=90, fontsize=7)
    ax2.set_ylabel(_("Aitchison distance"))
    ax2.legend(fontsize=7)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, format=fmt, dpi=120, metadata={"Date": None} if fmt == "svg" else None)
    return out
