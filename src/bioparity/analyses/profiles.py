"""Profile similarity of compositional data: the ``profiles`` kind (glycan species, charge or size variants).

The reader and the numbers are those of ``bioparity profile``: one row per lot and species (``source,
lot, species, value`` in percent; every lot reports every species once), per species the reference
quality range ``mean_R ± k·SD_R`` (FDA draft guidance, Development of Therapeutic Protein Biosimilars:
Comparative Analytical Assessment and Other Quality-Related Considerations, 2019) and the whole-profile
comparison in Aitchison geometry: each test lot's distance to the reference centre against the
reference lots' leave-one-out distances (Aitchison 1986, The Statistical Analysis of Compositional Data,
chapter 4; Pawlowsky-Glahn, Egozcue and Tolosana-Delgado 2015, Modeling and Analysis of Compositional
Data, chapter 5), so that the closure (parts summing to 100%) is handled exactly.

The stored table stacks the command's two outputs, told apart by :data:`SECTION`: the lot table
(``--out``) and the per-species ranges (``--species-out``); the lots' profiles are kept with the result
(``profiles``) for the per-species plots.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from bioparity.analyses.contract import Analysis, InputColumn, Option, RunView, packaged_example
from bioparity.analyses.figures import Band, BarPlot, Bars, Figure, RefLine
from bioparity.analyses.frames import SECTION, frame_records, frame_result, stack_sections
from bioparity.analyses.frames import section as section
from bioparity.analyses.options import number_option, optional_number, text_option
from bioparity.analyses.tables import ReportTables, Table, cell, generic_tables, is_number, panels
from bioparity.analyses.terms import term, yes_no_text
from bioparity.i18n import gettext as _
from bioparity.i18n import gettext_noop
from bioparity.i18n.notes import note_template
from bioparity.io.cmc import PROFILE_COLUMNS, read_profile
from bioparity.profiles import profile_similarity

NAME = "profiles"
#: Which output a row of the stored table belongs to (its :data:`SECTION`).
LOTS, SPECIES = "lot", "species"
#: Columns of the stored table that other code reads.
LOT, SOURCE, DISTANCE, WITHIN = "lot", "source", "distance", "within_threshold"
RANGE_LOWER, RANGE_UPPER, N_TEST, N_WITHIN = "range_lower", "range_upper", "n_test", "n_test_within"

_HELP = {
    "source": "test or reference (the labels of the options test and reference)",
    "lot": "lot; a lot belongs to one source",
    "species": "species (glycan, charge or size variant)",
    "value": "percent of the lot's profile (>= 0)",
}
COLUMNS = tuple(InputColumn(c, True, _HELP[c]) for c in PROFILE_COLUMNS)
#: The note of a lot with flags (``"; "``-joined; see bioparity.i18n.notes).
LOT_FLAGS = note_template("Lot {lot}: {flags}.")


def read_profiles(path: Path) -> pd.DataFrame:
    """The long profile table as ``bioparity profile`` reads and checks it (file, row and column named),
    one row per lot and species in the file's order of lots and species."""
    data = read_profile(path)
    return pd.DataFrame(
        [
            (source, lot, species, value)
            for lot, source, parts in zip(data.lots, data.sources, data.parts, strict=True)
            for species, value in zip(data.species, parts, strict=True)
        ],
        columns=list(PROFILE_COLUMNS),
    )


def profiles_kind(frame: pd.DataFrame, options: Mapping[str, Any]) -> dict[str, Any]:
    """The lot table and the per-species ranges (``bioparity profile``), with the lots' profiles."""
    lots = list(dict.fromkeys(frame[LOT]))
    species = list(dict.fromkeys(frame[SPECIES]))
    parts = frame.pivot(index=LOT, columns=SPECIES, values="value").loc[lots, species]
    sources = frame.drop_duplicates(LOT).set_index(LOT).loc[lots, SOURCE].tolist()
    result = profile_similarity(
        parts.to_numpy(float),
        lots,
        sources,
        species,
        test=text_option(options, "test", "test"),
        reference=text_option(options, "reference", "reference"),
        k=number_option(options, "k", 3.0),
        threshold=text_option(options, "threshold", "max"),
        total=number_option(options, "total", 100.0),
        closure_tolerance=number_option(options, "closure_tolerance", 2.0),
        zero_replacement=optional_number(options, "zero_replacement"),
    )
    table = stack_sections(
        [result.to_frame().assign(**{SECTION: LOTS}), result.species_table.assign(**{SECTION: SPECIES})]
    )
    lot_rows = result.lot_table.to_dict("records")
    scalars = (
        "passed",
        "all_species_within",
        "n_test",
        "n_test_within",
        "threshold",
        "threshold_rule",
    )
    lot_notes = [LOT_FLAGS.format(lot=r[LOT], flags=r["flags"]) for r in lot_rows if r["flags"]]
    return frame_result(
        table,
        **{name: getattr(result, name) for name in scalars},
        notes=[*result.flags, *lot_notes],
        profiles={"lots": lots, "sources": sources, "species": species, "values": parts.to_numpy().tolist()},
    )


def profiles_tables(frame: pd.DataFrame, options: Mapping[str, Any] | None = None) -> ReportTables:
    """Per species the reference range and the test lots within it; per lot the Aitchison distance
    against the reference-to-reference threshold; each section complete in the appendix."""
    if SECTION not in frame.columns:
        return generic_tables(frame)
    species, lots = section(frame, SPECIES), section(frame, LOTS)
    k = cell(species["k"].iloc[0]) if "k" in species.columns and len(species) else "k"
    ranges = Table(
        _("Per-species quality ranges: reference mean ± %(k)s SD (%%) and the test lots within") % {"k": k},
        (
            _("species"),
            _("reference mean (SD)"),
            _("range"),
            _("test mean (min-max)"),
            _("test lots within"),
            _("all within"),
        ),
        tuple(
            (
                str(r[SPECIES]),
                f"{cell(r['reference_mean'], 4)} ({cell(r['reference_sd'], 3)})",
                _("%(low)s to %(high)s") % {"low": cell(r[RANGE_LOWER], 4), "high": cell(r[RANGE_UPPER], 4)},
                f"{cell(r.get('test_mean'), 4)} ({cell(r.get('test_min'), 4)}-{cell(r.get('test_max'), 4)})",
                f"{cell(r.get(N_WITHIN))}/{cell(r.get(N_TEST))}",
                yes_no_text(r.get("all_within")),
            )
            for r in species.to_dict("records")
        ),
        (False, True, True, True, True, False),
        css=tuple("" if r.get("all_within") else "fail" for r in species.to_dict("records")),
    )
    rule = str(lots["threshold_rule"].iloc[0]) if "threshold_rule" in lots.columns and len(lots) else ""
    threshold = cell(lots["threshold"].iloc[0], 4) if "threshold" in lots.columns and len(lots) else "—"
    distances = Table(
        _("Whole profile: Aitchison distance to the reference centre (threshold %(rule)s = %(threshold)s)")
        % {"rule": rule, "threshold": threshold},
        (
            _("lot"),
            _("source"),
            _("sum of parts"),
            _("distance"),
            _("distance to"),
            _("within threshold"),
            _("species in ranges"),
        ),
        tuple(
            (
                str(r[LOT]),
                str(r[SOURCE]),
                cell(r.get("sum_of_parts"), 5),
                cell(r.get(DISTANCE), 4),
                term(str(r.get("distance_kind") or "")),
                yes_no_text(r.get(WITHIN)),
                yes_no_text(r.get("all_species_within")),
            )
            for r in lots.to_dict("records")
        ),
        (False, False, True, True, False, False, False),
        css=tuple("" if r.get(WITHIN) else "fail" for r in lots.to_dict("records")),
        note=_("Reference lots: distance to the centre of the other reference lots (leave-one-out)."),
    )
    appendix = [
        t
        for name, key in ((LOTS, LOT), (SPECIES, SPECIES))
        for t in panels(
            section(frame, name), [key], _("Complete result: %(section)s table") % {"section": term(name)}
        )
    ]
    return ReportTables((ranges, distances), tuple(appendix))


def profiles_summary(result: Mapping[str, Any], options: Mapping[str, Any]) -> str:
    """``profile similar: no; 1 of 5 test lots within the reference-to-reference distance (max = 0.1493);
    species all within 3 SD ranges: no``."""
    return _(
        "profile similar: %(similar)s; %(within)s of %(n)s %(test)s lots within the reference-to-reference "
        "Aitchison distance (%(rule)s = %(threshold)s); species all within %(k)s SD ranges: %(species)s"
    ) % {
        "similar": yes_no_text(result.get("passed")),
        "within": result.get("n_test_within"),
        "n": result.get("n_test"),
        "test": options.get("test", "test"),
        "rule": result.get("threshold_rule"),
        "threshold": cell(result.get("threshold"), 4),
        "k": cell(options.get("k", 3.0)),
        "species": yes_no_text(result.get("all_species_within")),
    }


def profiles_flags(table: pd.DataFrame, options: Mapping[str, Any]) -> list[tuple[str, int]]:
    """Test lots beyond the threshold and species with a test lot outside the range."""
    lots, species = section(table, LOTS), section(table, SPECIES)
    test = text_option(options, "test", "test")
    beyond = sum(1 for r in lots.to_dict("records") if r[SOURCE] == test and r.get(WITHIN) in (False,))
    outside = sum(1 for r in species.to_dict("records") if r.get("all_within") in (False,))
    return [
        (_("test lots beyond the threshold"), beyond),
        (_("species with a test lot outside the range"), outside),
    ]


def _bars(
    rows: list[dict[str, Any]], sources: list[str], value: str, outside: Callable[[float], bool]
) -> tuple[Bars, ...]:
    """One series of bars per source: the ``value`` of each of its lots, marked where ``outside``."""
    out = []
    for s in sources:
        mine = [r for r in rows if r[SOURCE] == s]
        values = [float(r[value]) for r in mine]
        out.append(Bars(s, [str(r[LOT]) for r in mine], values, [outside(v) for v in values]))
    return tuple(out)


def _species_plot(name: str, r: Mapping[str, Any], lots: list[dict[str, Any]], sources: list[str]) -> BarPlot:
    """One species: the lots' percentages as bars by source, the reference range shaded and the
    reference mean as a line."""
    low, high = float(r[RANGE_LOWER]), float(r[RANGE_UPPER])
    series = _bars(lots, sources, "value", lambda v: not low <= v <= high)
    k = cell(r.get("k"))
    return BarPlot(
        _("%(species)s: %(within)s/%(test)s test lots within the reference range")
        % {"species": name, "within": cell(r.get(N_WITHIN)), "test": cell(r.get(N_TEST))},
        _("lot"),
        f"{name}",
        "%",
        series,
        (
            Band(
                _("reference mean ± %(k)s SD: %(lower)s to %(upper)s")
                % {"k": k, "lower": cell(r[RANGE_LOWER], 4), "upper": cell(r[RANGE_UPPER], 4)},
                float(r[RANGE_LOWER]),
                float(r[RANGE_UPPER]),
            ),
        ),
        (
            RefLine(
                _("reference mean %(mean)s") % {"mean": cell(r["reference_mean"], 4)},
                float(r["reference_mean"]),
            ),
        ),
        _("outside the reference range"),
    )


def _distance_plot(rows: list[dict[str, Any]], sources: list[str]) -> BarPlot:
    """The lots' Aitchison distances to the reference centre by source, the threshold as a line."""
    first = rows[0] if rows else {}
    threshold = first.get("threshold")
    limit = float(threshold) if threshold is not None and is_number(threshold) else math.inf
    given = math.isfinite(limit)
    series = _bars(rows, sources, DISTANCE, lambda v: v > limit)
    lines = (
        (
            RefLine(
                _("threshold (%(rule)s) %(threshold)s")
                % {"rule": term(str(first.get("threshold_rule"))), "threshold": cell(threshold, 4)},
                limit,
            ),
        )
        if given
        else ()
    )
    return BarPlot(
        _("Whole profile: Aitchison distance to the reference centre (reference lots: leave-one-out)"),
        _("lot"),
        _("Aitchison distance"),
        series=series,
        hlines=lines,
        marked_label=_("beyond the threshold"),
    )


def profiles_figures(run: RunView) -> list[Figure]:
    """The lots' Aitchison distances against the threshold, then one bar chart per species: the lots'
    percentages by source with the reference range shaded."""
    stored = run.result.get("profiles") if isinstance(run.result, Mapping) else None
    if not isinstance(stored, Mapping):
        return []
    ranges = {str(r[SPECIES]): r for r in frame_records(section(run.table, SPECIES))}
    sources = sorted(
        dict.fromkeys(str(s) for s in stored["sources"]),
        key=lambda s: s != run.options.get("reference", "reference"),
    )
    distances = [r for r in frame_records(section(run.table, LOTS)) if is_number(r.get(DISTANCE))]
    out = (
        [
            Figure(
                "distances",
                _("Whole-profile distances"),
                _(
                    "Aitchison distance of each lot to the reference centre against the "
                    "reference-to-reference threshold"
                ),
                _distance_plot(distances, sources),
                note=_(
                    "Bars: each lot's Aitchison distance to the centre of the reference lots (a "
                    "reference lot: to the centre of the others), hatched beyond the threshold; dashed: the "
                    "threshold from the reference lots' distances."
                ),
            )
        ]
        if distances
        else []
    )
    for j, name in enumerate(stored["species"]):
        r = ranges.get(str(name))
        if r is None:
            continue
        lots = [
            {LOT: str(lot), SOURCE: str(src), "value": float(v[j])}
            for lot, src, v in zip(stored["lots"], stored["sources"], stored["values"], strict=True)
        ]
        out.append(
            Figure(
                "profile",
                _("Species plot"),
                _("Percent of %(species)s per lot by source with the reference range") % {"species": name},
                _species_plot(str(name), r, lots, sources),
                series="species",
                item=str(name),
                group_title=_("Species plots"),
                note=_(
                    "Bars: each lot's percentage, coloured by source, hatched when outside the reference "
                    "quality range (shaded: reference mean ± k SD); dashed: the reference mean."
                ),
            )
        )
    return out


PROFILES = Analysis(
    name=NAME,
    validation=("profile-r",),  # reference sets of bioparity validate (MANIFEST.yaml)
    title=gettext_noop("Profile similarity"),
    description=gettext_noop(
        "Profile similarity of compositional data (glycans, charge or size variants): ranges and "
        "Aitchison distance"
    ),
    read=read_profiles,
    compute=profiles_kind,
    columns=COLUMNS,
    options=(
        Option("test", gettext_noop("source label of the test lots (default test)"), "test"),
        Option(
            "reference", gettext_noop("source label of the reference lots (default reference)"), "reference"
        ),
        Option(
            "k",
            gettext_noop("per-species quality range: reference mean ± k SD (default 3)"),
            3.0,
            type="number",
        ),
        Option(
            "threshold",
            gettext_noop("max (default) or a quantile like q0.95 of the reference leave-one-out distances"),
            "max",
        ),
        Option("total", gettext_noop("what the parts of a lot sum to (default 100)"), 100.0, type="number"),
        Option(
            "closure_tolerance",
            gettext_noop("flag a lot whose sum differs from total by more (default 2)"),
            2.0,
            type="number",
        ),
        Option.optional_number(
            "zero_replacement",
            gettext_noop(
                "replace zeros by this value (multiplicative replacement); empty: a zero is an error"
            ),
        ),
    ),
    tables=profiles_tables,
    summary=profiles_summary,
    flags=profiles_flags,
    figures=profiles_figures,
    study_kinds=("caa",),
    # 8 reference and 5 test lots, 6 glycan species (simulated by validation/reference/cmc/make_reference.R)
    example=packaged_example("validation/reference/cmc/data_profile.csv"),
)

ANALYSES = (PROFILES,)
