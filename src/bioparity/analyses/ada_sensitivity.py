"""ADA assay sensitivity: the ``ada-sensitivity`` kind (positive-control dilution curves at the cut point).

The reader and the numbers are those of ``bioparity ada-sensitivity``: positive-control dilution curves
``run, concentration, signal`` (replicate wells averaged), per run the concentration whose signal equals
the screening cut point (linear interpolation on log10 concentration between the bracketing dilutions, or
a 4PL fit inverted at the cut point), and the sensitivity, the concentration detected in 95% of runs,
``mean + t(0.95, n - 1) SD`` of the per-run concentrations (Shankar et al. 2008, J Pharm Biomed Anal
48:1267, section 3.3 and Appendix 2; FDA, Immunogenicity Testing of Therapeutic Protein Products -
Developing and Validating Assays for Anti-Drug Antibody Detection, 2019, section IV.C). A run whose curve
does not cross the cut point inside the tested range is left out and listed, never extrapolated; when a run
stays below the cut point even at the highest concentration, no sensitivity is reported (null, with a note).
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from bioparity.analyses.contract import Analysis, InputColumn, Option, RunView, example_file
from bioparity.analyses.figures import Figure, Line, RefLine, XYPlot
from bioparity.analyses.frames import frame_records, frame_result, result_records
from bioparity.analyses.options import option_units, optional_number, required_number, text_option
from bioparity.analyses.tables import ReportTables, Table, cell, generic_tables, is_number, panels
from bioparity.analyses.terms import term, value_words
from bioparity.bioassay import (
    ValidatedCutPoint,
    sensitivity,
    validated_cut_points,
    with_validated_cut_point,
)
from bioparity.bioassay.cutpoint import CUT_POINT_TYPES
from bioparity.bioassay.sensitivity import SENSITIVITY_METHODS
from bioparity.errors import DataFileError, InputError
from bioparity.i18n import gettext as _
from bioparity.i18n import gettext_noop, translations
from bioparity.i18n.notes import SENTENCE, note_template
from bioparity.io.bioassay import json_cell, read_cut_point_results, read_sensitivity_data

NAME = "ada-sensitivity"
#: Columns of the stored result table (one row per run; the summary values repeated).
RUNS, AT_CUT_POINT, CUT_POINT, SENSITIVITY = (
    "runs",
    "concentration_at_cut_point",
    "cut_point",
    "sensitivity_95",
)
MEAN, SD, T_FACTOR, N_RUNS, METHOD = "mean", "sd", "t_factor", "n_runs", "method"
#: The unit of the concentrations, the cut point type and each run's cut point (since they were stored).
UNIT, CUT_POINT_TYPE, RUN_CUT_POINTS = "concentration_unit", "cut_point_type", "run_cut_points"
#: The help of the required cut point option (shared with ``ada-drug-tolerance``) and, without its
#: "required: ", what the refusal of a run without it names.
REQUIRED_CUT_POINT_HELP = gettext_noop(
    "required: the screening cut point in signal units (e.g. the reported cut point of an ada-cutpoint run)"
)
CUT_POINT_HELP = REQUIRED_CUT_POINT_HELP.removeprefix("required: ")
#: The cut point of the sensitivity and of the drug tolerance: one for every run, or empty when the file
#: gives each run's own.
RUN_CUT_POINT_OPTION = Option.optional_number(
    "cut_point",
    gettext_noop(
        "the screening cut point in signal units for every run; empty when the file gives each run's own "
        "(floating) cut point in a cut_point column"
    ),
    label="cut point",
)
#: The unit of the positive-control concentrations.
CONC_UNIT_OPTION = Option(
    "conc_unit",
    gettext_noop("unit of the positive-control concentrations (default ng/mL, as FDA 2019)"),
    "ng/mL",
    label=gettext_noop("Concentration unit"),
)

COLUMNS = (
    InputColumn("run", True, "assay run"),
    InputColumn("concentration", True, "positive-control concentration (> 0, e.g. ng/mL)"),
    InputColumn("signal", True, "screening signal (same scale as the cut point)"),
    InputColumn("cut_point", False, "the run's own screening cut point (a floating cut point), one per run"),
    InputColumn("nc", False, "the run's negative control (then give each run's cut_point)"),
)


def unit_text(value: Any) -> str:
    """A stored unit as text (``""`` for a result stored before units were: the table says so)."""
    return value if isinstance(value, str) else ""


def with_unit(header: str, unit: str) -> str:
    """``concentration at the cut point (ng/mL)``: a header with its unit (as it was without one)."""
    return _("%(header)s (%(unit)s)") % {"header": header, "unit": unit} if unit else header


#: The option naming a stored ``ada-cutpoint`` run whose reported screening cut point the sensitivity and
#: the drug tolerance use (shared with ``ada-drug-tolerance``).
CUT_POINT_RUN = "cut_point_run"
CUT_POINT_RUN_OPTION = Option(
    CUT_POINT_RUN,
    gettext_noop(
        "id of a signed ada-cutpoint run of this program: its reported screening cut point instead of "
        "cut_point (floating: each run's NC x NF from the data's nc column); on the command line the path "
        "of its JSON result"
    ),
    "",
    type="run",
    label=gettext_noop("cut points of an ada-cutpoint run"),
    kinds=("ada-cutpoint",),
)


def cut_point_type_in_words(value: str, language: str) -> str:
    """A stored cut point type (``floating``) in the reader's words; any other text as stored.

    Parameters
    ----------
    value : str
        The type as the result stores it.
    language : str
        The reader's language.

    Returns
    -------
    str
        The type in ``language``.
    """
    return translations(language).gettext(value) if value in CUT_POINT_TYPES else value


#: The note of a result whose cut point came from an ``ada-cutpoint`` result (its file, with the SHA-256).
CUT_POINT_FROM = note_template(
    "screening cut point from {source}: {type}", shown={"type": cut_point_type_in_words}
)


def validated_cut_point_file(
    path: str | os.PathLike[str], label: str | None = None
) -> tuple[dict[str, ValidatedCutPoint], str]:
    """The reported cut point of each tier of an ``ada-cutpoint`` result file (the CSV of ``--out``, or its
    JSON result; :func:`bioparity.io.bioassay.read_cut_point_results` and
    :func:`bioparity.bioassay.validated_cut_points`) and the file's provenance label (name and SHA-256).

    A refusal names the file and, in a CSV, the data row and line; in a JSON result the place of the cell
    (``rows[0][2]``, :func:`bioparity.io.bioassay.json_cell`), which has no lines.

    Parameters
    ----------
    path : str or os.PathLike
        The result file.
    label : str or None, default None
        The file's name in messages (the path when None).

    Returns
    -------
    tuple of (dict of str to ValidatedCutPoint, str)
        Tier -> its reported cut point (always with ``screening``), and ``NAME (sha256 HEX16)``.

    Raises
    ------
    DataFileError
        When the file is not a cut-point result table (:func:`bioparity.bioassay.validated_cut_points`).

    References
    ----------
    Shankar G. et al. (2008), J Pharm Biomed Anal 48:1267, section 2 (tiered testing).
    """
    table, provenance = read_cut_point_results(path, label)
    name = label or str(path)
    try:
        return validated_cut_points(table, file=name), provenance
    except DataFileError as exc:
        if exc.row is None or not os.fspath(path).lower().endswith(".json"):
            raise
        place = json_cell(exc.row - 1, exc.column, [str(c) for c in table.columns])
        raise exc.relocated(name, row=None, line=None, key=place) from exc


def validated_screening(
    frame: pd.DataFrame, path: str | os.PathLike[str], label: str | None = None
) -> tuple[pd.DataFrame, float | None, dict[str, Any]]:
    """The data and the cut point to analyse them at from an ``ada-cutpoint`` result file (CSV, or its
    JSON result): its validated reported screening cut point, or when it floats each run's ``NC x NF``
    from the data's ``nc`` (:func:`bioparity.bioassay.with_validated_cut_point`).

    Parameters
    ----------
    frame : pandas.DataFrame
        The sensitivity or drug-tolerance data.
    path : str or os.PathLike
        The cut-point result file (:func:`bioparity.io.bioassay.read_cut_point_results`).
    label : str or None, default None
        The file's name in messages (the path when None).

    Returns
    -------
    tuple
        The data (with each run's ``cut_point`` when it floats), the one cut point (None when it floats)
        and what to record: ``cut_point``, ``cut_points`` (the file's provenance label with its SHA-256),
        ``cut_point_type``, ``normalization`` and ``normalization_factor`` (None when not a number).
    """
    cut_points, provenance = validated_cut_point_file(path, label)
    screening = cut_points["screening"]
    data, one = with_validated_cut_point(frame, screening)
    factor = screening.normalization_factor
    return (
        data,
        one,
        {
            "cut_point": one,
            "cut_points": provenance,
            "cut_point_type": screening.cut_point_type,
            "normalization": screening.normalization,
            "normalization_factor": None if math.isnan(factor) else factor,
        },
    )


def cut_point_of(
    frame: pd.DataFrame, options: Mapping[str, Any]
) -> tuple[pd.DataFrame, float | None, list[str]]:
    """The data, the cut point to analyse them at and the note saying where it came from: the run named by
    ``cut_point_run`` (the path of a copy of its result: :func:`validated_screening`), else
    :func:`given_cut_point` (no note); both given is refused."""
    source = text_option(options, CUT_POINT_RUN, "")
    if not source:
        return frame, given_cut_point(frame, options), []
    if optional_number(options, "cut_point") is not None:
        raise InputError("give the option cut_point or cut_point_run, not both")
    data, one, recorded = validated_screening(frame, source, os.path.basename(source))
    return data, one, [CUT_POINT_FROM.format(source=recorded["cut_points"], type=recorded["cut_point_type"])]


def summary_cut_point(result: Mapping[str, Any], options: Mapping[str, Any]) -> str:
    """The cut point for a summary line: the option, else the one the result stored (from an
    ``ada-cutpoint`` run), else each run's own (floating)."""
    given: Any = options.get("cut_point")
    if not is_number(given):
        records = result_records(result)
        given = records[0].get(CUT_POINT) if records else None
    if is_number(given) and math.isfinite(given):
        return cell(given, 4)
    return _("each run's own (floating)")


def given_cut_point(frame: pd.DataFrame, options: Mapping[str, Any]) -> float | None:
    """The ``cut_point`` option; None when empty and the data give each run's own in a ``cut_point``
    column (a floating cut point); required otherwise (the refusal names the option)."""
    cut_point = optional_number(options, "cut_point")
    if cut_point is None and "cut_point" not in frame.columns:
        cut_point = required_number(options, "cut_point", CUT_POINT_HELP)  # names the option
    return cut_point


def sensitivity_kind(frame: pd.DataFrame, options: Mapping[str, Any]) -> dict[str, Any]:
    """Per run the concentration at the cut point, and the sensitivity (``bioparity ada-sensitivity``)."""
    frame, cut_point, source = cut_point_of(frame, options)
    result = sensitivity(
        frame,
        cut_point,
        method=text_option(options, "method", "linear"),
        concentration_unit=text_option(options, CONC_UNIT_OPTION.name, CONC_UNIT_OPTION.default),
        unit_source="option conc_unit",
    )
    return frame_result(
        result.to_frame(),
        # null when not reported (a run below the cut point at the highest concentration; see the notes)
        sensitivity_95=result.sensitivity_95 if math.isfinite(result.sensitivity_95) else None,
        n_runs_used=result.n_runs,
        concentration_unit=result.concentration_unit,
        notes=[*source, *(SENTENCE.format(note=note) for note in result.notes)],
    )


def _first(frame: pd.DataFrame, column: str) -> Any:
    return frame[column].iloc[0] if column in frame.columns and len(frame) else None


def sensitivity_tables(frame: pd.DataFrame, options: Mapping[str, Any] | None = None) -> ReportTables:
    """Per run the concentration at the cut point (runs left out marked), then the sensitivity and how
    it was computed; the complete result in the appendix."""
    if not {RUNS, AT_CUT_POINT, SENSITIVITY} <= set(frame.columns):
        return generic_tables(frame)
    records = frame_records(frame)
    used = [is_number(r[AT_CUT_POINT]) and math.isfinite(r[AT_CUT_POINT]) for r in records]
    unit = unit_text(_first(frame, UNIT))
    floating = _first(frame, CUT_POINT_TYPE) not in (None, "fixed")
    runs = Table(
        (
            _("Positive-control concentration at each run's own (floating) cut point (%(method)s)")
            if floating
            else _("Positive-control concentration at the cut point %(cut_point)s per run (%(method)s)")
        )
        % {
            "cut_point": cell(_first(frame, CUT_POINT), 5),
            "method": value_words(METHOD, _first(frame, METHOD)),
        },
        (_("run"), with_unit(_("concentration at the cut point"), unit), _("used"))
        + ((_("cut point of the run"),) if floating else ()),
        tuple(
            (
                str(r[RUNS]),
                cell(r[AT_CUT_POINT], 5),
                term("yes") if ok else _("no: not crossed in the tested range"),
            )
            + ((cell(r.get(RUN_CUT_POINTS), 5),) if floating else ())
            for r, ok in zip(records, used, strict=True)
        ),
        (False, True, False) + ((True,) if floating else ()),
        css=tuple("" if ok else "fail" for ok in used),
    )
    result = Table(
        _("Assay sensitivity: concentration detected in 95% of runs (Shankar et al. 2008, Appendix 2)"),
        (
            _("runs used"),
            with_unit(_("mean"), unit),
            with_unit(_("SD"), unit),
            "t(0.95, n - 1)",
            with_unit(_("sensitivity = mean + t SD"), unit),
        ),
        (
            (
                cell(_first(frame, N_RUNS)),
                cell(_first(frame, MEAN), 5),
                cell(_first(frame, SD), 5),
                cell(_first(frame, T_FACTOR), 5),
                cell(_first(frame, SENSITIVITY), 5),
            ),
        ),
        (True, True, True, True, True),
        note=_("Concentrations in %(unit)s.") % {"unit": unit}
        if unit
        else _("Concentrations in the units of the input."),
    )
    headers = {c: with_unit(_(h), unit) if c in CONCENTRATIONS else _(h) for c, h in APPENDIX_HEADERS.items()}
    appendix = panels(
        frame,
        [RUNS],
        _("Complete sensitivity result"),
        headers=headers,
        column_digits=dict.fromkeys(APPENDIX_DIGITS, 5),
    )
    note = _(", concentrations and cut points to 5 significant digits as in the main tables")
    return ReportTables((runs, result), tuple(appendix), appendix_note=note)


#: Headers of the appendix's columns (the complete stored result; translated where printed, the
#: concentrations' with the result's unit: :data:`CONCENTRATIONS`): the words of the main tables. A column
#: absent here (added by a later version) is headed by its stored name.
APPENDIX_HEADERS: dict[str, str] = {
    RUNS: gettext_noop("run"),
    AT_CUT_POINT: gettext_noop("concentration at the cut point"),
    CUT_POINT: gettext_noop("cut point (signal)"),
    METHOD: gettext_noop("interpolation method"),
    MEAN: gettext_noop("mean"),
    SD: gettext_noop("SD"),
    SENSITIVITY: gettext_noop("sensitivity = mean + t SD"),
    T_FACTOR: "t(0.95, n - 1)",
    N_RUNS: gettext_noop("runs used"),
    "software_version": gettext_noop("software version"),
    UNIT: gettext_noop("concentration unit"),
    CUT_POINT_TYPE: gettext_noop("cut point type"),
    RUN_CUT_POINTS: gettext_noop("cut point of the run"),
    "notes": gettext_noop("notes"),
}
#: The appendix's columns of concentrations, headed with the unit.
CONCENTRATIONS = (AT_CUT_POINT, MEAN, SD, SENSITIVITY)
#: The appendix's numbers the main tables print, to their 5 significant digits.
APPENDIX_DIGITS = (*CONCENTRATIONS, CUT_POINT, T_FACTOR, RUN_CUT_POINTS)


def sensitivity_summary(result: Mapping[str, Any], options: Mapping[str, Any]) -> str:
    """``sensitivity 28.31 (detected in 95% of 3 runs; linear interpolation at cut point 50)``."""
    cut = summary_cut_point(result, options)
    unit = unit_text(result.get(UNIT))
    value = cell(result.get(SENSITIVITY), 4)
    return _(
        "sensitivity %(sensitivity)s (concentration detected in 95%% of %(runs)s runs; "
        "%(method)s at cut point %(cut_point)s)"
    ) % {
        "sensitivity": f"{value} {unit}" if unit and is_number(result.get(SENSITIVITY)) else value,
        "runs": result.get("n_runs_used"),
        "method": value_words(METHOD, options.get("method")),
        "cut_point": cut,
    }


def sensitivity_flags(table: pd.DataFrame, options: Mapping[str, Any]) -> list[tuple[str, int]]:
    """Runs left out (cut point not crossed inside the tested range)."""
    values = pd.to_numeric(table.get(AT_CUT_POINT, pd.Series(dtype=float)), errors="coerce")
    return [(_("runs left out (cut point not crossed)"), int(values.isna().sum()))]


def sensitivity_figure(data: pd.DataFrame, records: list[dict[str, Any]], method: str) -> XYPlot:
    """Mean signal per run and concentration (log axis), joined per run for the linear interpolation, with
    the cut point and the sensitivity."""
    means = data.groupby(["run", "concentration"], sort=True)["signal"].mean().reset_index()
    points, lines = [], []
    for run, g in means.groupby(means["run"].astype(str), sort=True):
        x, y = g["concentration"].astype(float).tolist(), g["signal"].astype(float).tolist()
        name = _("run %(run)s") % {"run": run}
        points.append(Line(name, x, y))
        if method == "linear":
            lines.append(Line(name, x, y))
    stored: Any = records[0].get(CUT_POINT)
    cut, level = float(stored) if is_number(stored) else math.nan, float(records[0][SENSITIVITY])
    unit = unit_text(records[0].get(UNIT))
    own = sorted({float(r[RUN_CUT_POINTS]) for r in records if is_number(r.get(RUN_CUT_POINTS))})
    cuts = [cut] if math.isfinite(cut) else own  # a floating cut point: each run's own
    return XYPlot(
        _("Positive-control dilution curves: sensitivity %(sensitivity)s at cut point %(cut_point)s")
        % {
            "sensitivity": f"{cell(level, 4)} {unit}".strip(),
            "cut_point": cell(cut, 4) if math.isfinite(cut) else _("each run's own (floating)"),
        },
        _("positive-control concentration"),
        _("signal (mean of replicates)"),
        x_unit=unit,
        points=tuple(points),
        lines=tuple(lines),
        hlines=tuple(RefLine(_("cut point %(cut_point)s") % {"cut_point": cell(c, 4)}, c) for c in cuts),
        vlines=(
            RefLine(_("sensitivity (95%% of runs) %(sensitivity)s") % {"sensitivity": cell(level, 4)}, level),
        ),
        log_x=True,
    )


def sensitivity_figures(run: RunView) -> list[Figure]:
    """The dilution curves with the cut point and the sensitivity."""
    data = run.input_frame(("run", "concentration", "signal"))
    records = run.records
    if data is None or not records or not is_number(records[0].get(SENSITIVITY)):
        return []
    data = data.assign(
        concentration=pd.to_numeric(data["concentration"], errors="coerce"),
        signal=pd.to_numeric(data["signal"], errors="coerce"),
    ).dropna(subset=["concentration", "signal"])
    note = (
        _(
            "Points: mean signal of each run and concentration; lines: the linear interpolation per run; "
            "dashed: the cut point (horizontal) and the concentration detected in 95% of runs (vertical)."
        )
        if records[0].get(METHOD) == "linear"
        else _(
            "Points: mean signal of each run and concentration; dashed: the cut point (horizontal) and "
            "the concentration detected in 95% of runs (vertical)."
        )
    )
    return [
        Figure(
            "ada-sensitivity",
            _("Dilution curves and sensitivity"),
            _("Positive-control dilution curves per run with the cut point and the sensitivity"),
            sensitivity_figure(data, records, str(records[0].get(METHOD))),
            note=note,
        )
    ]


def example_data() -> bytes:
    """6 runs of a positive control diluted two-fold from 500 ng/mL (10 levels, duplicate wells), 4PL
    signals (S/N scale) with 4% noise; cut point 1.25 crosses near 4 ng/mL."""
    rng = np.random.default_rng(33)
    conc = 500.0 / 2.0 ** np.arange(10)
    rows = []
    for r in range(6):
        c50 = 200.0 * float(np.exp(rng.normal(0.0, 0.15)))
        mean = 30.0 + (1.0 - 30.0) / (1.0 + (conc / c50) ** 1.2)
        for c, m in zip(conc, mean, strict=True):
            for _replicate in range(2):
                rows.append(
                    (f"R{r + 1}", round(float(c), 4), round(float(m * np.exp(rng.normal(0, 0.04))), 4))
                )
    return pd.DataFrame(rows, columns=["run", "concentration", "signal"]).to_csv(index=False).encode()


ADA_SENSITIVITY = Analysis(
    name=NAME,
    validation=("ada-sensitivity-r",),  # reference sets of bioparity validate (MANIFEST.yaml)
    title=gettext_noop("ADA assay sensitivity"),
    description=gettext_noop(
        "ADA assay sensitivity: concentration at the cut point per run and detected in 95% of runs"
    ),
    read=read_sensitivity_data,
    compute=sensitivity_kind,
    columns=COLUMNS,
    options=(
        RUN_CUT_POINT_OPTION,
        CUT_POINT_RUN_OPTION,
        CONC_UNIT_OPTION,
        Option(
            "method",
            gettext_noop(
                "linear (interpolation on log10 concentration, default) or 4pl (fit per run, >= 5 levels)"
            ),
            "linear",
            SENSITIVITY_METHODS,
        ),
    ),
    tables=sensitivity_tables,
    summary=sensitivity_summary,
    flags=sensitivity_flags,
    figures=sensitivity_figures,
    units=option_units({"concentration": CONC_UNIT_OPTION}),
    study_kinds=("clinical",),
    example=example_file("ada-sensitivity-curves.csv", example_data, {"cut_point": 1.25}),
)

ANALYSES = (ADA_SENSITIVITY,)
