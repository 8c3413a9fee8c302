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
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from bioparity.analyses.contract import Analysis, InputColumn, Option, RunView, example_file
from bioparity.analyses.figures import Figure, Line, RefLine, XYPlot
from bioparity.analyses.frames import frame_records, frame_result
from bioparity.analyses.options import required_number, text_option
from bioparity.analyses.tables import ReportTables, Table, cell, generic_tables, is_number, panels
from bioparity.analyses.terms import term, value_words
from bioparity.bioassay import sensitivity
from bioparity.bioassay.sensitivity import SENSITIVITY_METHODS
from bioparity.i18n import gettext as _
from bioparity.i18n import gettext_noop
from bioparity.i18n.notes import SENTENCE
from bioparity.io.bioassay import read_sensitivity_data

NAME = "ada-sensitivity"
#: Columns of the stored result table (one row per run; the summary values repeated).
RUNS, AT_CUT_POINT, CUT_POINT, SENSITIVITY = (
    "runs",
    "concentration_at_cut_point",
    "cut_point",
    "sensitivity_95",
)
MEAN, SD, T_FACTOR, N_RUNS, METHOD = "mean", "sd", "t_factor", "n_runs", "method"
#: The help of the required cut point option (shared with ``ada-drug-tolerance``) and, without its
#: "required: ", what the refusal of a run without it names.
REQUIRED_CUT_POINT_HELP = gettext_noop(
    "required: the screening cut point in signal units (e.g. the reported cut point of an ada-cutpoint run)"
)
CUT_POINT_HELP = REQUIRED_CUT_POINT_HELP.removeprefix("required: ")
CUT_POINT_OPTION = Option.optional_number("cut_point", REQUIRED_CUT_POINT_HELP, label="cut point")

COLUMNS = (
    InputColumn("run", True, "assay run"),
    InputColumn("concentration", True, "positive-control concentration (> 0, e.g. ng/mL)"),
    InputColumn("signal", True, "screening signal (same scale as the cut point)"),
)


def sensitivity_kind(frame: pd.DataFrame, options: Mapping[str, Any]) -> dict[str, Any]:
    """Per run the concentration at the cut point, and the sensitivity (``bioparity ada-sensitivity``)."""
    result = sensitivity(
        frame,
        required_number(options, "cut_point", CUT_POINT_HELP),
        method=text_option(options, "method", "linear"),
    )
    return frame_result(
        result.to_frame(),
        # null when not reported (a run below the cut point at the highest concentration; see the notes)
        sensitivity_95=result.sensitivity_95 if math.isfinite(result.sensitivity_95) else None,
        n_runs_used=result.n_runs,
        notes=[SENTENCE.format(note=note) for note in result.notes],
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
    runs = Table(
        _("Positive-control concentration at the cut point %(cut_point)s per run (%(method)s)")
        % {
            "cut_point": cell(_first(frame, CUT_POINT), 5),
            "method": value_words(METHOD, _first(frame, METHOD)),
        },
        (_("run"), _("concentration at the cut point"), _("used")),
        tuple(
            (
                str(r[RUNS]),
                cell(r[AT_CUT_POINT], 5),
                term("yes") if ok else _("no: not crossed in the tested range"),
            )
            for r, ok in zip(records, used, strict=True)
        ),
        (False, True, False),
        css=tuple("" if ok else "fail" for ok in used),
    )
    result = Table(
        _("Assay sensitivity: concentration detected in 95% of runs (Shankar et al. 2008, Appendix 2)"),
        (_("runs used"), _("mean"), _("SD"), "t(0.95, n - 1)", _("sensitivity = mean + t SD")),
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
        note=_("Concentrations in the units of the input."),
    )
    return ReportTables((runs, result), tuple(panels(frame, [RUNS], _("Complete sensitivity result"))))


def sensitivity_summary(result: Mapping[str, Any], options: Mapping[str, Any]) -> str:
    """``sensitivity 28.31 (detected in 95% of 3 runs; linear interpolation at cut point 50)``."""
    cut = cell(options.get("cut_point"), 4)
    return _(
        "sensitivity %(sensitivity)s (concentration detected in 95%% of %(runs)s runs; "
        "%(method)s at cut point %(cut_point)s)"
    ) % {
        "sensitivity": cell(result.get(SENSITIVITY), 4),
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
    cut, level = float(records[0][CUT_POINT]), float(records[0][SENSITIVITY])
    return XYPlot(
        _("Positive-control dilution curves: sensitivity %(sensitivity)s at cut point %(cut_point)s")
        % {"sensitivity": cell(level, 4), "cut_point": cell(cut, 4)},
        _("positive-control concentration"),
        _("signal (mean of replicates)"),
        points=tuple(points),
        lines=tuple(lines),
        hlines=(RefLine(_("cut point %(cut_point)s") % {"cut_point": cell(cut, 4)}, cut),),
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
    title=gettext_noop("ADA assay sensitivity"),
    description=gettext_noop(
        "ADA assay sensitivity: concentration at the cut point per run and detected in 95% of runs"
    ),
    read=read_sensitivity_data,
    compute=sensitivity_kind,
    columns=COLUMNS,
    options=(
        CUT_POINT_OPTION,
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
    study_kinds=("clinical",),
    example=example_file("ada-sensitivity-curves.csv", example_data, {"cut_point": 1.25}),
)

ANALYSES = (ADA_SENSITIVITY,)
