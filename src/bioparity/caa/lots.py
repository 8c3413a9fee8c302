"""From measurements to lots: replicates averaged, missing values and outliers reported.

The sampling unit of a comparative analytical assessment is the lot (EMA reflection paper 2021; FDA
2019/2025): replicate measurements of one lot quantify analytical variability only, so they are
averaged to one value per lot before any statistic is computed. Missing values are excluded and
listed; outlying lots are flagged with Tukey's "far out" fences (outside ``Q1 - 3·IQR, Q3 + 3·IQR``
within attribute and source, quartiles by linear interpolation) but never removed. The wide fences
keep false flags rare with the 10-15 lots typical of a CAA (a MAD-based robust z at 3.5 flagged
about one normal group in eight in the shipped example).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from bioparity.i18n.notes import note_template

#: Multiple of the interquartile range beyond the quartiles at which a lot is flagged (Tukey's "far out").
OUTLIER_IQR = 3.0
OUTLIER_RULE = f"outside Q1 - {OUTLIER_IQR:g}·IQR .. Q3 + {OUTLIER_IQR:g}·IQR within attribute and source"

# The data-handling notes (templates: see bioparity.i18n.notes).
UNIT_OF_ANALYSIS = note_template(
    "Unit of analysis: the lot. Replicate measurements are averaged to one value per lot before analysis."
)
#: ``total`` counts lot values (one per attribute and lot of each source), not lots: 25 attributes of 60 lots
#: are 1500 lot values.
REPLICATES_AVERAGED = note_template(
    "Replicates averaged: {n:d} of {total:d} lot values (attribute x lot) had {counts} replicates each."
)
NO_REPLICATES = note_template("No replicate measurements: one value per lot as given.")
MISSING_VALUES = note_template(
    "Missing values: {n:d} measurement(s) without a value were excluded: {values}."
)
MISSING_VALUES_MORE = note_template(
    "Missing values: {n:d} measurement(s) without a value were excluded: {values} and {more:d} more."
)
NO_MISSING_VALUES = note_template("Missing values: none.")
OUTLIER_FLAGS = note_template(
    "Outlier flags (outside Q1 - {iqr:g}·IQR .. Q3 + {iqr:g}·IQR within attribute and source; "
    "flagged, not excluded): {lots}."
)
OUTLIER_FLAGS_MORE = note_template(
    "Outlier flags (outside Q1 - {iqr:g}·IQR .. Q3 + {iqr:g}·IQR within attribute and source; "
    "flagged, not excluded): {lots} and {more:d} more."
)
NO_OUTLIERS = note_template(
    "Outlier flags: no lot outside Q1 - {iqr:g}·IQR .. Q3 + {iqr:g}·IQR within attribute and source."
)


@dataclass(frozen=True)
class PreparedLots:
    """Lot-level data (``attribute, source, lot, value, n_replicates, first_row, lower_fence, upper_fence,
    outlier``) and
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
    q1, q3 = group.transform("quantile", 0.25), group.transform("quantile", 0.75)
    lots["lower_fence"] = q1 - OUTLIER_IQR * (q3 - q1)
    lots["upper_fence"] = q3 + OUTLIER_IQR * (q3 - q1)
    lots["outlier"] = (lots["value"] < lots["lower_fence"]) | (lots["value"] > lots["upper_fence"])
    return PreparedLots(lots=lots, missing=missing)


def data_notes(prepared: PreparedLots) -> list[str]:
    """The statements about data handling that a report must carry."""
    lots, missing = prepared.lots, prepared.missing
    notes = [UNIT_OF_ANALYSIS]
    replicated = lots[lots["n_replicates"] > 1]
    if len(replicated):
        counts = sorted(set(replicated["n_replicates"].tolist()))
        how_many = f"{counts[0]}-{counts[-1]}" if len(counts) > 1 else f"{counts[0]}"
        notes.append(REPLICATES_AVERAGED.format(n=len(replicated), total=len(lots), counts=how_many))
    else:
        notes.append(NO_REPLICATES)
    if len(missing):
        shown = "; ".join(
            f"{r.attribute}/{r.source}/{r.lot} (row {r.row})"
            for r in missing.head(20).itertuples(index=False)
        )
        template = MISSING_VALUES_MORE if len(missing) > 20 else MISSING_VALUES
        notes.append(template.format(n=len(missing), values=shown, more=len(missing) - 20))
    else:
        notes.append(NO_MISSING_VALUES)
    flagged = lots[lots["outlier"]]
    if len(flagged):
        shown = "; ".join(
            f"{r.attribute}/{r.source}/{r.lot} ({r.value:.4g})"
            for r in flagged.head(20).itertuples(index=False)
        )
        template = OUTLIER_FLAGS_MORE if len(flagged) > 20 else OUTLIER_FLAGS
        notes.append(template.format(iqr=OUTLIER_IQR, lots=shown, more=len(flagged) - 20))
    else:
        notes.append(NO_OUTLIERS.format(iqr=OUTLIER_IQR))
    return notes
