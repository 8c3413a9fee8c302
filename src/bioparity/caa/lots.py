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

from bioparity.caa.inputs import TEST_SOURCE
from bioparity.i18n.notes import note_template
from bioparity.i18n.printing import parenthesised_items_in, row_references_in

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
    "Missing values: {n:d} measurement(s) without a value were excluded: {values}.",
    shown={"values": row_references_in},
)
MISSING_VALUES_MORE = note_template(
    "Missing values: {n:d} measurement(s) without a value were excluded: {values} and {more:d} more.",
    shown={"values": row_references_in},
)
NO_MISSING_VALUES = note_template("Missing values: none.")
OUTLIER_FLAGS = note_template(
    "Outlier flags (outside Q1 - {iqr:g}·IQR .. Q3 + {iqr:g}·IQR within attribute and source; "
    "flagged, not excluded): {lots}.",
    shown={"lots": parenthesised_items_in},
)
OUTLIER_FLAGS_MORE = note_template(
    "Outlier flags (outside Q1 - {iqr:g}·IQR .. Q3 + {iqr:g}·IQR within attribute and source; "
    "flagged, not excluded): {lots} and {more:d} more.",
    shown={"lots": parenthesised_items_in},
)
UNEVEN_REPLICATES = note_template(
    "More values than the other lots of their attribute and source (averaged as replicates; check for a "
    "pasted row or a lot ID given twice): {lots}.",
    shown={"lots": parenthesised_items_in},
)
UNEVEN_REPLICATES_MORE = note_template(
    "More values than the other lots of their attribute and source (averaged as replicates; check for a "
    "pasted row or a lot ID given twice): {lots} and {more:d} more.",
    shown={"lots": parenthesised_items_in},
)
SHARED_REFERENCE_LOTS = note_template(
    "Lot IDs in more than one reference source (analysed as separate lots): {lots}. If one is a single "
    "physical lot released for both markets, the bridge between those sources compares it with itself and a "
    "pooled reference counts it once per source; check the source and lot cells.",
    shown={"lots": parenthesised_items_in},
)
SHARED_REFERENCE_LOTS_MORE = note_template(
    "Lot IDs in more than one reference source (analysed as separate lots): {lots} and {more:d} more. If one "
    "is a single physical lot released for both markets, the bridge between those sources compares it with "
    "itself and a pooled reference counts it once per source; check the source and lot cells.",
    shown={"lots": parenthesised_items_in},
)
CASE_VARIANT_LOTS = note_template(
    "Lot IDs that differ only in letter case within a source (analysed as different lots; check for a typing "
    "slip): {lots}.",
    shown={"lots": parenthesised_items_in},
)
CASE_VARIANT_LOTS_MORE = note_template(
    "Lot IDs that differ only in letter case within a source (analysed as different lots; check for a typing "
    "slip): {lots} and {more:d} more.",
    shown={"lots": parenthesised_items_in},
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


#: Items named in one note before "and N more".
SHOWN = 20


def _listed(items: list[str], template: str, template_more: str, name: str = "lots", **fields: object) -> str:
    """``template`` with the first :data:`SHOWN` ``items`` joined as its placeholder ``name``, or
    ``template_more`` with ``{more}`` the number left out."""
    shown = "; ".join(items[:SHOWN])
    if len(items) > SHOWN:
        return template_more.format(**fields, **{name: shown}, more=len(items) - SHOWN)
    return template.format(**fields, **{name: shown})


def uneven_replicates(lots: pd.DataFrame) -> pd.DataFrame:
    """The lots with more values than the most common number among the lots of their attribute and
    source (the smallest such number on a tie): a pasted row or a lot ID written twice looks like a
    replicate when the table has no ``replicate`` column."""
    usual = lots.groupby(["attribute", "source"], sort=False, observed=True)["n_replicates"].transform(
        lambda n: n.mode().min()
    )
    return lots.assign(usual=usual).loc[lots["n_replicates"] > usual]


def shared_reference_lots(lots: pd.DataFrame) -> pd.Series:
    """The lot IDs that appear under more than one reference source (any attribute), each with its sorted
    sources, in order of first appearance.

    The lot is the sampling unit (EMA/CHMP/138502/2017, section 4.1): a lot listed under ``ref-eu`` and
    ``ref-us`` is either two lots that share an ID or one lot released for both markets, and in the second
    case the EU/US bridge compares the lot with itself and a pooled reference counts it twice. A lot on both
    the test and a reference side is refused by :func:`bioparity.caa.inputs.check_long_table`.
    """
    refs = lots.loc[lots["source"] != TEST_SOURCE, ["lot", "source"]].drop_duplicates()
    sources = refs.groupby("lot", sort=False)["source"].agg(lambda s: sorted(set(s)))
    return sources[sources.map(len) > 1]


def case_variant_lots(lots: pd.DataFrame) -> pd.Series:
    """Per source, the groups of lot IDs that are equal when letter case is ignored (``BS-24001`` and
    ``bs-24001``): two lots in the analysis, most often one lot typed twice (the lot is the unit of analysis,
    EMA/CHMP/138502/2017, section 4.1). The index is ``(source, folded ID)``; each value the sorted IDs."""
    ids = (
        lots[["source", "lot"]].drop_duplicates().assign(folded=lambda f: f["lot"].astype(str).str.casefold())
    )
    groups = ids.groupby(["source", "folded"], sort=False)["lot"].agg(lambda s: sorted(s.astype(str)))
    return groups[groups.map(len) > 1]


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
    shared = shared_reference_lots(lots)
    if len(shared):
        items = [f"{lot} ({', '.join(sources)})" for lot, sources in shared.items()]
        notes.append(_listed(items, SHARED_REFERENCE_LOTS, SHARED_REFERENCE_LOTS_MORE))
    variants = case_variant_lots(lots)
    if len(variants):
        sources = variants.index.get_level_values("source")
        items = [f"{' / '.join(names)} ({source})" for source, names in zip(sources, variants, strict=True)]
        notes.append(_listed(items, CASE_VARIANT_LOTS, CASE_VARIANT_LOTS_MORE))
    uneven = uneven_replicates(lots)
    if len(uneven):
        items = [
            f"{r.attribute}/{r.source}/{r.lot} ({r.n_replicates} vs {r.usual})"
            for r in uneven.itertuples(index=False)
        ]
        notes.append(_listed(items, UNEVEN_REPLICATES, UNEVEN_REPLICATES_MORE))
    if len(missing):
        items = [f"{r.attribute}/{r.source}/{r.lot} (row {r.row})" for r in missing.itertuples(index=False)]
        notes.append(_listed(items, MISSING_VALUES, MISSING_VALUES_MORE, "values", n=len(missing)))
    else:
        notes.append(NO_MISSING_VALUES)
    flagged = lots[lots["outlier"]]
    if len(flagged):
        items = [f"{r.attribute}/{r.source}/{r.lot} ({r.value:.4g})" for r in flagged.itertuples(index=False)]
        notes.append(_listed(items, OUTLIER_FLAGS, OUTLIER_FLAGS_MORE, iqr=OUTLIER_IQR))
    else:
        notes.append(NO_OUTLIERS.format(iqr=OUTLIER_IQR))
    return notes
