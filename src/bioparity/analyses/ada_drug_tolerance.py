"""ADA assay drug tolerance: the ``ada-drug-tolerance`` kind (the highest drug level at which each ADA
level is still detected).

The reader and the numbers are those of ``bioparity ada-drug-tolerance``: ``ada_level, drug_level,
signal`` (replicate wells averaged; drug level 0 = no drug), a sample detected when its mean signal is at
or above the screening cut point, and per ADA level the highest drug level up to which every tested drug
level is detected; a level detected again above a miss is flagged, never smoothed (FDA, Immunogenicity
Testing of Therapeutic Protein Products - Developing and Validating Assays for Anti-Drug Antibody
Detection, 2019, section IV.D; Shankar et al. 2008, J Pharm Biomed Anal 48:1267, section 3.5). With a
floating screening cut point the file gives each run's own in a ``cut_point`` column (with ``run``; the
``cut_point`` option then empty), as for ``ada-sensitivity``: each run's wells are judged at their run's cut
point (:func:`bioparity.bioassay.drug_tolerance`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from bioparity.analyses.ada_sensitivity import (
    CUT_POINT_RUN_OPTION,
    RUN_CUT_POINT_OPTION,
    cut_point_of,
    summary_cut_point,
    unit_text,
    with_unit,
)
from bioparity.analyses.contract import Analysis, InputColumn, Option, RunView, example_file
from bioparity.analyses.figures import Figure, Line, RefLine, XYPlot
from bioparity.analyses.frames import frame_records, frame_result, result_records
from bioparity.analyses.options import option_units, text_option
from bioparity.analyses.tables import ReportTables, Table, cell, generic_tables, is_number, panels
from bioparity.bioassay import drug_tolerance
from bioparity.i18n import gettext as _
from bioparity.i18n import gettext_noop
from bioparity.i18n.notes import SENTENCE
from bioparity.io.bioassay import read_drug_tolerance_data

NAME = "ada-drug-tolerance"
#: Columns of the stored result table (one row per ADA level).
ADA_LEVELS, TOLERANCE, DETECTED_ALL, CUT_POINT = (
    "ada_levels",
    "drug_tolerance",
    "detected_at_all_levels",
    "cut_point",
)
#: Columns of the units of the ADA and drug levels (since they were stored).
ADA_UNIT, DRUG_UNIT = "ada_unit", "drug_unit"
#: Columns of the cut point type and of each run's own (floating) cut point (since they were stored).
CUT_POINT_TYPE, RUN_CUT_POINTS = "cut_point_type", "run_cut_points"

#: The options holding the units of the ADA and the drug levels (the stored ``ada_unit`` and ``drug_unit``).
ADA_UNIT_OPTION = Option(
    ADA_UNIT,
    gettext_noop("unit of the ADA levels (positive-control antibody; default ng/mL)"),
    "ng/mL",
    label=gettext_noop("ADA level unit"),
)
DRUG_UNIT_OPTION = Option(
    DRUG_UNIT,
    gettext_noop("unit of the drug levels and of the tolerance (default ug/mL)"),
    "ug/mL",
    label=gettext_noop("Drug level unit"),
)

COLUMNS = (
    InputColumn("ada_level", True, "positive-control antibody concentration (> 0)"),
    InputColumn("drug_level", True, "drug concentration (>= 0; include 0 = no drug)"),
    InputColumn("signal", True, "screening signal (same scale as the cut point)"),
    InputColumn("run", False, "assay run (needed with cut_point or nc)"),
    InputColumn("cut_point", False, "the run's own screening cut point (a floating cut point), one per run"),
    InputColumn("nc", False, "the run's negative control (then give each run's cut_point)"),
)


def tolerance_kind(frame: pd.DataFrame, options: Mapping[str, Any]) -> dict[str, Any]:
    """Per ADA level the highest drug level still detected (``bioparity ada-drug-tolerance``)."""
    frame, cut_point, source = cut_point_of(frame, options)
    result = drug_tolerance(
        frame,
        cut_point,
        ada_unit=text_option(options, ADA_UNIT, ADA_UNIT_OPTION.default),
        drug_unit=text_option(options, DRUG_UNIT, DRUG_UNIT_OPTION.default),
        unit_sources=("option ada_unit", "option drug_unit"),
    )
    return frame_result(
        result.to_frame(), notes=[*source, *(SENTENCE.format(note=note) for note in result.notes)]
    )


def _not_detected(r: Mapping[str, Any]) -> bool:
    value = r.get(TOLERANCE)
    return value is None or not is_number(value) or not math.isfinite(float(value))


def _tolerance_text(r: Mapping[str, Any]) -> str:
    if _not_detected(r):
        return _("not detected without drug")
    value = r.get(TOLERANCE)
    if r.get(DETECTED_ALL):
        return _(">= %(tolerance)s (every level tested)") % {"tolerance": cell(value, 5)}
    return cell(value, 5)


def _run_cut_points(records: list[dict[str, Any]]) -> str:
    """Each run's own cut point as stored (``R1 1.2; R2 1.35``); ``""`` for a fixed cut point."""
    value = records[0].get(RUN_CUT_POINTS) if records else None
    return value if isinstance(value, str) else ""


def _cut_point_words(cut: Any, records: list[dict[str, Any]]) -> str:
    """The cut point for a title: the number, or each run's own (floating) ones."""
    own = _run_cut_points(records)
    if own:
        return _("each run's own (floating): %(cuts)s") % {"cuts": own}
    return cell(cut, 5)


def tolerance_tables(frame: pd.DataFrame, options: Mapping[str, Any] | None = None) -> ReportTables:
    """Per ADA level the drug tolerance (levels not detected without drug marked); the complete result in
    the appendix (non-monotone patterns are the result's notes)."""
    if not {ADA_LEVELS, TOLERANCE} <= set(frame.columns):
        return generic_tables(frame)
    records = frame_records(frame)
    cut = frame[CUT_POINT].iloc[0] if CUT_POINT in frame.columns and len(frame) else None
    ada, drug = (unit_text(records[0].get(c)) if records else "" for c in (ADA_UNIT, DRUG_UNIT))
    main = Table(
        _("Drug tolerance per ADA level (detected: mean signal >= cut point %(cut_point)s)")
        % {"cut_point": _cut_point_words(cut, records)},
        (with_unit(_("ADA level"), ada), with_unit(_("highest drug level detected"), drug)),
        tuple((cell(r[ADA_LEVELS], 5), _tolerance_text(r)) for r in records),
        (True, True),
        css=tuple("fail" if _not_detected(r) else "" for r in records),
        note=_(
            "Concentrations in the units of the input; the tolerance is the highest drug level up to "
            "which every tested level is detected."
        )
        if not (ada and drug)
        else _(
            "ADA levels in %(ada)s, drug levels in %(drug)s; the tolerance is the highest drug level up to "
            "which every tested level is detected."
        )
        % {"ada": ada, "drug": drug},
    )
    units = {ADA_LEVELS: ada, TOLERANCE: drug}
    appendix = panels(
        frame,
        [ADA_LEVELS],
        _("Complete drug-tolerance result"),
        headers={c: with_unit(_(h), units.get(c, "")) for c, h in APPENDIX_HEADERS.items()},
        column_digits=dict.fromkeys((ADA_LEVELS, TOLERANCE, CUT_POINT), 5),
    )
    note = _(", ADA and drug levels and the cut point to 5 significant digits as in the main table")
    return ReportTables((main,), tuple(appendix), appendix_note=note)


#: Headers of the appendix's columns (the complete stored result; translated where printed, the ADA and
#: drug levels' with the result's units): the words of the main table. A column absent here (added by a
#: later version) is headed by its stored name.
APPENDIX_HEADERS: dict[str, str] = {
    ADA_LEVELS: gettext_noop("ADA level"),
    TOLERANCE: gettext_noop("highest drug level detected"),
    DETECTED_ALL: gettext_noop("detected at every drug level tested"),
    CUT_POINT: gettext_noop("cut point (signal)"),
    "software_version": gettext_noop("software version"),
    ADA_UNIT: gettext_noop("ADA unit"),
    DRUG_UNIT: gettext_noop("drug unit"),
    CUT_POINT_TYPE: gettext_noop("cut point type"),
    RUN_CUT_POINTS: gettext_noop("cut point of each run"),
    "notes": gettext_noop("notes"),
}


def _detected_text(r: Mapping[str, Any]) -> str:
    if _not_detected(r):
        return _tolerance_text(r)
    values = {"tolerance": f"{cell(r.get(TOLERANCE), 4)} {unit_text(r.get(DRUG_UNIT))}".strip()}
    if r.get(DETECTED_ALL):
        return _("detected at every drug level tested (up to %(tolerance)s)") % values
    if float(r[TOLERANCE]) == 0.0:  # detected at drug level 0 only: "up to drug 0" read as a tolerance
        return _("detected without drug only")
    return _("detected up to drug %(tolerance)s") % values


def tolerance_summary(result: Mapping[str, Any], options: Mapping[str, Any]) -> str:
    """``ADA 100: detected up to drug 1; ADA 500: detected up to drug 10 (cut point 50)``."""
    records = result_records(result)
    parts = [
        f"ADA {cell(r.get(ADA_LEVELS), 4)} {unit_text(r.get(ADA_UNIT))}".strip() + f": {_detected_text(r)}"
        for r in records
    ]
    cut = summary_cut_point(result, options)
    return "; ".join(parts) + _(" (cut point %(cut_point)s)") % {"cut_point": cut}


def tolerance_flags(table: pd.DataFrame, options: Mapping[str, Any]) -> list[tuple[str, int]]:
    """ADA levels not detected even without drug."""
    values = pd.to_numeric(table.get(TOLERANCE, pd.Series(dtype=float)), errors="coerce")
    return [(_("ADA levels not detected without drug"), int(values.isna().sum()))]


def tolerance_figure(
    data: pd.DataFrame, cut: float, units: tuple[str, str] = ("", ""), own: str = ""
) -> XYPlot:
    """Mean signal against drug level, one series per ADA level, with the cut point (log drug axis when no
    drug level is 0); ``own``: each run's own cut point as stored (``R1 1.2; R2 1.35``), one line each."""
    means = data.groupby(["ada_level", "drug_level"], sort=True)["signal"].mean().reset_index()
    series = [
        Line(
            f"ADA {cell(level, 4)} {units[0]}".strip(),
            g["drug_level"].astype(float).tolist(),
            g["signal"].astype(float).tolist(),
        )
        for level, g in means.groupby("ada_level", sort=True)
    ]
    runs = [part.rpartition(" ") for part in own.split("; ")] if own else []
    lines = [(_("cut point %(cut_point)s") % {"cut_point": cell(cut, 4)}, cut)] if not runs else []
    for run, _space, value in runs:
        lines.append(
            (_("run %(run)s: cut point %(cut_point)s") % {"run": run, "cut_point": value}, float(value))
        )
    return XYPlot(
        _("Drug tolerance: signal of each ADA level against the drug level, cut point %(cut_point)s")
        % {"cut_point": cell(cut, 4) if not runs else _("each run's own (floating)")},
        _("drug level"),
        _("signal (mean of replicates)"),
        x_unit=units[1],
        points=tuple(series),
        lines=tuple(series),
        hlines=tuple(RefLine(label, value) for label, value in lines),
        log_x=bool((means["drug_level"] > 0).all()),
    )


def tolerance_figures(run: RunView) -> list[Figure]:
    """The signal of each ADA level against the drug level, with the cut point."""
    data = run.input_frame(("ada_level", "drug_level", "signal"))
    cut = run.records[0].get(CUT_POINT) if run.records else None
    own = _run_cut_points(run.records)
    if data is None or (not own and (cut is None or not is_number(cut))):
        return []
    data = data.apply(pd.to_numeric, errors="coerce").dropna(subset=["ada_level", "drug_level", "signal"])
    return [
        Figure(
            "ada-drug-tolerance",
            _("Signal against drug level"),
            _("Signal of each ADA level against the drug level with the cut point"),
            tolerance_figure(
                data,
                float(cut) if cut is not None and is_number(cut) else math.nan,
                (unit_text(run.records[0].get(ADA_UNIT)), unit_text(run.records[0].get(DRUG_UNIT))),
                own,
            ),
            note=_(
                "Points joined per ADA level: mean signal at each drug level; dashed: the cut point. "
                "A level is detected where its signal is at or above the cut point."
            ),
        )
    ]


def example_data() -> bytes:
    """4 ADA levels (100-1000 ng/mL) x 7 drug levels (0-100 ug/mL), duplicate wells, free-ADA signal
    ``1 + 0.004 ADA / (1 + drug / (0.02 ADA))`` (S/N scale) with 3% noise; cut point 1.25."""
    rng = np.random.default_rng(45)
    rows = []
    for ada in (100.0, 250.0, 500.0, 1000.0):
        for drug in (0.0, 1.0, 5.0, 10.0, 25.0, 50.0, 100.0):
            mean = 1.0 + 0.004 * ada / (1.0 + drug / (0.02 * ada))
            for _replicate in range(2):
                rows.append((ada, drug, round(float(mean * np.exp(rng.normal(0, 0.03))), 4)))
    return pd.DataFrame(rows, columns=["ada_level", "drug_level", "signal"]).to_csv(index=False).encode()


ADA_DRUG_TOLERANCE = Analysis(
    name=NAME,
    validation=("ada-drug-tolerance-r",),  # reference sets of bioparity validate (MANIFEST.yaml)
    title=gettext_noop("ADA assay drug tolerance"),
    description=gettext_noop(
        "ADA assay drug tolerance: the highest drug level at which each ADA level is still detected"
    ),
    read=read_drug_tolerance_data,
    compute=tolerance_kind,
    columns=COLUMNS,
    options=(
        RUN_CUT_POINT_OPTION,
        CUT_POINT_RUN_OPTION,
        ADA_UNIT_OPTION,
        DRUG_UNIT_OPTION,
    ),
    tables=tolerance_tables,
    summary=tolerance_summary,
    flags=tolerance_flags,
    figures=tolerance_figures,
    units=option_units({"ada_level": ADA_UNIT_OPTION, "drug_level": DRUG_UNIT_OPTION}),
    study_kinds=("clinical",),
    example=example_file("ada-drug-tolerance.csv", example_data, {"cut_point": 1.25}),
)

ANALYSES = (ADA_DRUG_TOLERANCE,)
