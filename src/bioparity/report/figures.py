"""What each plot shows, as plain data: built once, drawn by Plotly in the browser and by matplotlib
in reports (:mod:`bioparity.report.static`), so that both always show the same numbers.

* concentration-time profiles: arithmetic mean concentration per arm and nominal time;
* forest plot: GMR and its CI per metric and pair of arms, against the acceptance limits;
* power curves: TOST power against total sample size, one curve per scenario;
* CAA attribute plot: lot values by source with each comparison's acceptance range.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

ARM_COLUMNS = ("arm", "treatment", "TRT", "group")


@dataclass(frozen=True)
class Line:
    """One named curve (or set of points)."""

    name: str
    x: list[float]
    y: list[float]


@dataclass(frozen=True)
class ProfilePlot:
    lines: tuple[Line, ...]
    n_subjects: Mapping[str, int]
    time_label: str = "time after dose (h)"
    conc_label: str = "concentration"


@dataclass(frozen=True)
class ForestItem:
    label: str
    metric: str
    gmr: float
    lower: float
    upper: float
    passed: bool


@dataclass(frozen=True)
class ForestPlot:
    items: tuple[ForestItem, ...]
    lower_limit: float
    upper_limit: float
    ci_level: float


@dataclass(frozen=True)
class PowerPlot:
    lines: tuple[Line, ...]
    x_label: str
    y_label: str
    target: float | None = None


@dataclass(frozen=True)
class Band:
    label: str
    lower: float
    upper: float


@dataclass(frozen=True)
class CAAPlot:
    attribute: str
    unit: str
    sources: tuple[str, ...]
    values: Mapping[str, list[float]]
    bands: tuple[Band, ...] = field(default_factory=tuple)
    title: str = ""


def _finite(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _number(value: Any) -> float:
    return float(value) if _finite(value) else math.nan


def arm_column(frame: pd.DataFrame) -> str | None:
    return next((c for c in ARM_COLUMNS if c in frame.columns), None)


def profile_plot(frame: pd.DataFrame) -> ProfilePlot | None:
    """Mean concentration per arm and time from a concentration table (``subject, time, conc``)."""
    if not {"subject", "time", "conc"} <= set(frame.columns):
        return None
    arm = arm_column(frame)
    data = pd.DataFrame(
        {
            "arm": frame[arm].astype(str) if arm else "all",
            "subject": frame["subject"].astype(str),
            "time": pd.to_numeric(frame["time"], errors="coerce"),
            "conc": pd.to_numeric(frame["conc"], errors="coerce"),  # BLQ markers become NaN: left out
        }
    ).dropna(subset=["time", "conc"])
    if data.empty:
        return None
    means = data.groupby(["arm", "time"], sort=True)["conc"].mean().reset_index()
    lines = tuple(
        Line(str(a), g["time"].astype(float).tolist(), [round(float(v), 10) for v in g["conc"]])
        for a, g in means.groupby("arm", sort=False)
    )
    counts = data.groupby("arm")["subject"].nunique()
    return ProfilePlot(lines, {str(k): int(v) for k, v in counts.items()})


def forest_plot(rows: Sequence[Mapping[str, Any]]) -> ForestPlot | None:
    """From PK similarity rows (``metric, test_arm, reference_arm, gmr, ci_lower, ci_upper``, percent)."""
    need = {"metric", "test_arm", "reference_arm", "gmr", "ci_lower", "ci_upper"}
    items = []
    for r in rows:
        if not need <= set(r) or not all(_finite(r[k]) for k in ("gmr", "ci_lower", "ci_upper")):
            continue
        items.append(
            ForestItem(
                label=f"{r['metric']}: {r['test_arm']} / {r['reference_arm']}",
                metric=str(r["metric"]),
                gmr=float(r["gmr"]),
                lower=float(r["ci_lower"]),
                upper=float(r["ci_upper"]),
                passed=bool(r.get("pass", r.get("passed", False))),
            )
        )
    if not items:
        return None
    first = rows[0]
    alpha = float(first.get("alpha", 0.05) or 0.05)
    return ForestPlot(
        tuple(items),
        float(first.get("lower_limit", 80.0) or 80.0),
        float(first.get("upper_limit", 125.0) or 125.0),
        100.0 * (1 - 2 * alpha),
    )


def power_plot(rows: Sequence[Mapping[str, Any]]) -> PowerPlot | None:
    """Power against n per scenario (power grid) or n against CV per scenario (sample-size grid)."""
    if not rows:
        return None
    frame = pd.DataFrame(list(rows))
    if {"n", "power"} <= set(frame.columns) and "target_power" not in frame.columns:
        x, y, x_label, y_label, target = "n", "power", "total sample size n", "power", None
    elif {"cv", "n"} <= set(frame.columns):
        x, y, x_label, y_label = "cv", "n", "CV", "total sample size n"
        target = None
    else:
        return None
    keys = [c for c in ("design", "cv", "theta0", "target_power", "method") if c in frame.columns and c != x]
    frame = frame.dropna(subset=[x, y])
    lines = []
    groups = frame.groupby(keys, sort=True) if keys else [((), frame)]
    for key, g in groups:
        values = key if isinstance(key, tuple) else (key,)
        name = ", ".join(f"{k} {v}" for k, v in zip(keys, values, strict=True)) or y
        g = g.sort_values(x)
        lines.append(Line(name, g[x].astype(float).tolist(), g[y].astype(float).tolist()))
    return PowerPlot(tuple(lines), x_label, y_label, target)


def caa_attributes(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    """Attributes in result order, those with a failed comparison first."""
    names = list(dict.fromkeys(str(r["attribute"]) for r in rows if "attribute" in r))
    failed = {str(r["attribute"]) for r in rows if r.get("status") == "fail"}
    return [n for n in names if n in failed] + [n for n in names if n not in failed]


def caa_plot(lots: pd.DataFrame, rows: Sequence[Mapping[str, Any]], attribute: str) -> CAAPlot | None:
    """Lot means by source for one attribute, with each test-vs-reference acceptance range."""
    if not {"attribute", "source", "lot", "value"} <= set(lots.columns):
        return None
    data = lots[lots["attribute"].astype(str) == attribute]
    if data.empty:
        return None
    values = pd.to_numeric(data["value"], errors="coerce")
    per_lot = (
        pd.DataFrame({"source": data["source"].astype(str), "lot": data["lot"].astype(str), "v": values})
        .dropna()
        .groupby(["source", "lot"], sort=True)["v"]
        .mean()
        .reset_index()
    )
    sources = tuple(sorted(set(per_lot["source"]), key=lambda s: (s != "test", s)))
    by_source = {s: [round(float(v), 10) for v in per_lot.loc[per_lot["source"] == s, "v"]] for s in sources}
    bands = []
    mine = [r for r in rows if str(r.get("attribute")) == attribute]
    for r in mine:
        if r.get("test_source") != "test" or r.get("method") == "descriptive":
            continue
        shift = _number(r.get("mean_reference")) if r.get("method") == "equivalence" else 0.0
        lo, hi = _number(r.get("lower_limit")), _number(r.get("upper_limit"))
        lo_v = shift + lo if math.isfinite(shift + lo) else float(np.nanmin(values))
        hi_v = shift + hi if math.isfinite(shift + hi) else float(np.nanmax(values))
        bands.append(Band(f"{r['reference_source']}: {r['method']} ({r['status']})", lo_v, hi_v))
    unit = str(mine[0].get("unit") or "") if mine else ""
    status = "; ".join(f"{r['comparison']}: {r['status']}" for r in mine)
    return CAAPlot(attribute, unit, sources, by_source, tuple(bands), status)
