"""From measurements to lots: replicates averaged, missing values and outliers reported.

The sampling unit of a comparative analytical assessment is the lot (EMA reflection paper 2021; FDA
2019/2025): replicate measurements of one lot quantify analytical variability only, so they are
averaged to one value per lot before any statistic is computed. Missing values are excluded and
listed; outlying lots are flagged (robust z-score, Iglewicz & Hoaglin 1993) but never removed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

#: Robust z = 0.6745 (x - median) / MAD above which a lot is flagged (Iglewicz & Hoaglin 1993).
OUTLIER_Z = 3.5


@dataclass(frozen=True)
class PreparedLots:
    """Lot-level data (``attribute, source, lot, value, n_replicates, first_row, robust_z, outlier``) and
    the measurement rows that had no value (``attribute, source, lot, row``)."""

    lots: pd.DataFrame
    missing: pd.DataFrame


def prepare_lots(frame: pd.DataFrame) -> PreparedLots:
    """Average replicates per (attribute, source, lot); flag outliers per (attribute, source).

    ``frame`` is a checked long table with columns ``attribute, source, lot, value`` (NaN = missing) and
    ``row`` (the data row number in the input, used in the notes).
    """
    has_value = frame["value"].notna()
    missing = frame.loc[~has_value, ["attribute", "source", "lot", "row"]].reset_index(drop=True)
    present = frame.loc[has_value]
    keys = ["attribute", "source", "lot"]
    lots = (
        present.groupby(keys, sort=False, observed=True)
        .agg(value=("value", "mean"), n_replicates=("value", "size"), first_row=("row", "min"))
        .reset_index()
    )
    group = lots.groupby(["attribute", "source"], sort=False, observed=True)["value"]
    median = group.transform("median")
    mad = (
        (lots["value"] - median)
        .abs()
        .groupby([lots["attribute"], lots["source"]], sort=False, observed=True)
        .transform("median")
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(mad > 0, 0.6745 * (lots["value"] - median) / mad, 0.0)
    lots["robust_z"] = z
    lots["outlier"] = np.abs(z) > OUTLIER_Z
    return PreparedLots(lots=lots, missing=missing)


def data_notes(prepared: PreparedLots) -> list[str]:
    """The statements about data handling that a report must carry."""
    lots, missing = prepared.lots, prepared.missing
    notes = [
        "Unit of analysis: the lot. Replicate measurements are averaged to one value per lot before analysis."
    ]
    replicated = lots[lots["n_replicates"] > 1]
    if len(replicated):
        counts = sorted(set(replicated["n_replicates"].tolist()))
        how_many = f"{counts[0]}-{counts[-1]}" if len(counts) > 1 else f"{counts[0]}"
        notes.append(
            f"Replicates averaged: {len(replicated)} of {len(lots)} lots had {how_many} replicates each."
        )
    else:
        notes.append("No replicate measurements: one value per lot as given.")
    if len(missing):
        shown = "; ".join(
            f"{r.attribute}/{r.source}/{r.lot} (row {r.row})"
            for r in missing.head(20).itertuples(index=False)
        )
        more = f" and {len(missing) - 20} more" if len(missing) > 20 else ""
        notes.append(
            f"Missing values: {len(missing)} measurement(s) without a value were excluded: {shown}{more}."
        )
    else:
        notes.append("Missing values: none.")
    flagged = lots[lots["outlier"]]
    if len(flagged):
        shown = "; ".join(
            f"{r.attribute}/{r.source}/{r.lot} (robust z {r.robust_z:+.1f})"
            for r in flagged.head(20).itertuples(index=False)
        )
        more = f" and {len(flagged) - 20} more" if len(flagged) > 20 else ""
        notes.append(
            f"Outlier flags (|robust z| > {OUTLIER_Z}, median/MAD within attribute and source; "
            f"flagged, not excluded): {shown}{more}."
        )
    else:
        notes.append(
            f"Outlier flags: no lot with |robust z| > {OUTLIER_Z} (median/MAD within attribute and source)."
        )
    return notes
