"""One figure per attribute: lots by source, the reference ranges shaded (PNG or SVG).

Edge module (file output). Each figure shows every lot value (replicates averaged) by source, the
source means, outlier-flagged lots as crosses, and for each comparison against a reference source the
acceptance region of its method: the range for range methods, ``mean_R ± margin`` for the equivalence
test (with the test mean and its CI drawn as ``mean_R + CI``). Uses matplotlib's object API (no
global pyplot state), so it is safe in servers and tests.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from bioparity.caa.results import CAAResult
from bioparity.errors import InputError

PLOT_FORMATS = ("png", "svg")
_COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#8c564b", "#e377c2"]


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_") or "attribute"


def plot_attributes(
    result: CAAResult, folder: str | Path, *, fmt: str = "png", attributes: Sequence[str] | None = None
) -> list[Path]:
    """Write one figure per attribute into ``folder``; returns the paths in attribute order."""
    if fmt not in PLOT_FORMATS:
        raise InputError(f"plot format must be one of {', '.join(PLOT_FORMATS)}; got {fmt!r}")
    from matplotlib.figure import Figure  # imported here: plotting is optional for the numerical API

    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    table, lots = result.table, result.lots
    names = list(attributes) if attributes is not None else list(dict.fromkeys(table["attribute"]))
    paths = []
    for name in names:
        rows = table[table["attribute"] == name]
        if rows.empty:
            raise InputError(f"no results for attribute {name!r}")
        data = lots[lots["attribute"] == name]
        sources = sorted(set(data["source"]), key=lambda s: (s != "test", s))
        refs = [s for s in sources if s != "test"]
        colour = {s: ("#444444" if s == "test" else _COLOURS[i % len(_COLOURS)]) for i, s in enumerate(refs)}
        colour["test"] = "#444444"
        fig = Figure(figsize=(7.0, 4.2), layout="constrained")
        ax = fig.add_subplot()
        rng = np.random.default_rng(0)  # fixed jitter: identical figures on every run
        values = data["value"].to_numpy(dtype=float)
        span = float(np.ptp(values)) if values.size else 1.0
        for x, source in enumerate(sources):
            d = data[data["source"] == source]
            jitter = rng.uniform(-0.12, 0.12, len(d))
            normal = ~d["outlier"].to_numpy(dtype=bool)
            ax.scatter(
                x + jitter[normal], d["value"][normal], s=22, color=colour[source], alpha=0.85, zorder=3
            )
            if (~normal).any():
                flagged = d["value"][~normal]
                ax.scatter(
                    x + jitter[~normal], flagged, s=40, marker="x", color="k", zorder=4, label="outlier flag"
                )
            ax.hlines(d["value"].mean(), x - 0.25, x + 0.25, color=colour[source], linewidth=2, zorder=3)
        status_text = []
        records: list[dict[Any, Any]] = rows.to_dict(orient="records")
        for r in records:
            status_text.append(f"{r['comparison']}: {r['status']}")
            if r["test_source"] != "test" or r["method"] == "descriptive":
                continue
            ref = str(r["reference_source"])
            c = colour.get(ref, "#999999")
            mean_r, mean_t = float(r["mean_reference"]), float(r["mean_test"])
            if r["method"] == "equivalence":
                lo, hi = mean_r + float(r["lower_limit"]), mean_r + float(r["upper_limit"])
                ci_lo, ci_hi = mean_r + float(r["ci_lower"]), mean_r + float(r["ci_upper"])
                if np.isfinite(ci_lo) and np.isfinite(ci_hi):
                    x_test = sources.index("test") + 0.32 + 0.08 * refs.index(ref)
                    yerr = [[mean_t - ci_lo], [ci_hi - mean_t]]
                    ax.errorbar(
                        x_test, mean_t, yerr=yerr, fmt="o", color=c, capsize=3, markersize=4, zorder=4
                    )
                label = f"{ref}: mean ± margin"
            else:
                lo, hi = float(r["lower_limit"]), float(r["upper_limit"])
                label = f"{ref}: {r['method']}"
            if not (np.isfinite(lo) or np.isfinite(hi)):
                continue
            lo_v = lo if np.isfinite(lo) else float(np.nanmin(values)) - span
            hi_v = hi if np.isfinite(hi) else float(np.nanmax(values)) + span
            ax.axhspan(lo_v, hi_v, color=c, alpha=0.10, zorder=1, label=label)
            for edge in (lo, hi):
                if np.isfinite(edge):
                    ax.axhline(edge, color=c, linewidth=0.8, linestyle="--", zorder=2)
        if values.size:
            pad = 0.15 * (span or 1.0)
            limits = rows[["lower_limit", "upper_limit"]].to_numpy(dtype=float, copy=True)
            eq = rows["method"].to_numpy() == "equivalence"
            limits[eq] += rows["mean_reference"].to_numpy(dtype=float)[eq, None]
            finite = limits[np.isfinite(limits)]
            lo_axis = min(float(values.min()), *(finite.tolist() or [values.min()])) - pad
            hi_axis = max(float(values.max()), *(finite.tolist() or [values.max()])) + pad
            ax.set_ylim(lo_axis, hi_axis)
        unit = str(rows["unit"].iloc[0])
        ax.set_xticks(
            range(len(sources)), [f"{s}\n(n = {int((data['source'] == s).sum())})" for s in sources]
        )
        ax.set_ylabel(f"{name} ({unit})" if unit else name)
        method, tier = rows["method"].iloc[0], rows["tier"].iloc[0]
        ax.set_title(f"{name}: tier {tier}, {method}\n" + "; ".join(status_text), fontsize=9)
        handles, labels = ax.get_legend_handles_labels()
        unique = dict(zip(labels, handles, strict=True))
        if unique:
            ax.legend(unique.values(), unique.keys(), fontsize=7, loc="best")
        ax.grid(axis="y", alpha=0.3)
        path = out / f"{_slug(name)}.{fmt}"
        fig.savefig(path, format=fmt, dpi=110)
        paths.append(path)
    return paths
