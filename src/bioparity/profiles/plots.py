"""Profile figure: per-species bars by lot with the reference quality ranges, and the Aitchison distances of
the lots against the reference-to-reference threshold."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from bioparity.errors import InputError
from bioparity.profiles.core import ProfileResult

PLOT_FORMATS = ("png", "svg")


def plot_profile(result: ProfileResult, parts: Any, lots: Any, sources: Any, path: str | Path) -> Path:
    """Write one figure (top: species % by lot, reference mean +/- k SD shaded; bottom: distances)."""
    from matplotlib.figure import Figure  # imported here: plotting is optional for the numerical API

    out = Path(path)
    fmt = out.suffix.lstrip(".").lower()
    if fmt not in PLOT_FORMATS:
        raise InputError(f"plot format must be one of {', '.join(PLOT_FORMATS)}; got {out.suffix!r}")
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
    ax.set_ylabel("% of profile")
    ax.set_title(
        f"{result.test} (red) vs {result.reference} (blue) lots; grey: reference mean +/- {result.k:g} SD",
        fontsize=9,
    )
    table = result.lot_table
    colours = np.where(table["source"].to_numpy() == result.reference, "#1f77b4", "#d62728")
    ax2.scatter(range(len(table)), table["distance"], color=colours)
    ax2.axhline(
        result.threshold,
        color="k",
        linestyle="--",
        linewidth=0.8,
        label=f"reference LOO {result.threshold_rule} = {result.threshold:.3g}",
    )
    ax2.set_xticks(range(len(table)), list(names), rotation=90, fontsize=7)
    ax2.set_ylabel("Aitchison distance")
    ax2.legend(fontsize=7)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, format=fmt, dpi=120, metadata={"Date": None} if fmt == "svg" else None)
    return out
