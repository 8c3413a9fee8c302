"""Linearity of an analytical procedure: the ``linearity`` kind (ICH Q2(R2) Validation of Analytical
Procedures, 2023, section 3.2.1; ICH Q2(R1), 2005, Part II section 2).

One row per result (``level, response``: nominal concentration, amount or % of target, and the measured
response; replicates share a level). The numbers are those of :func:`bioparity.bioassay.linearity`: the
least-squares line with its slope and y-intercept and their t intervals, r and R^2, the residual SD and
sum of squares, the residuals, the y-intercept as a percentage of the response at the ``target`` level,
and the lack-of-fit F test against the pure error of replicated levels (Draper & Smith, Applied Regression
Analysis, 3rd ed., 1998, section 2.1). The stored table is one row per result (level, response, fitted,
residual) with the line's numbers repeated on every row.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

from bioparity.analyses.contract import Analysis, InputColumn, Option, RunView, example_file
from bioparity.analyses.figures import Figure, Line, RefLine, XYPlot
from bioparity.analyses.frames import frame_records, frame_result, table_reader
from bioparity.analyses.options import number_option, optional_number
from bioparity.analyses.tables import ReportTables, Table, cell, generic_tables, is_number, panels
from bioparity.analyses.terms import term
from bioparity.bioassay import linearity
from bioparity.i18n import gettext as _
from bioparity.i18n import gettext_noop
from bioparity.io import ColumnSpec

NAME = "linearity"
#: Columns of the stored result table that other code reads.
LEVEL, RESPONSE, FITTED, RESIDUAL = "level", "response", "fitted", "residual"
SLOPE, INTERCEPT, R_SQUARED, LOF_P, PASSED = "slope", "intercept", "r_squared", "lof_p", "passed"

SPECS = (ColumnSpec(LEVEL), ColumnSpec(RESPONSE))
COLUMNS = (
    InputColumn(LEVEL, True, gettext_noop("nominal level: concentration, amount or % of target")),
    InputColumn(RESPONSE, True, gettext_noop("measured response (replicates share a level)")),
)


def linearity_kind(frame: pd.DataFrame, options: Mapping[str, Any]) -> dict[str, Any]:
    """One row per result with the line's numbers; the flags as notes."""
    result = linearity(
        frame,
        conf_level=number_option(options, "conf_level", 0.95),
        alpha=number_option(options, "alpha", 0.05),
        target=optional_number(options, "target"),
    )
    return frame_result(result.to_frame(), passed=result.passed, notes=list(result.flags))


def _first(frame: pd.DataFrame) -> dict[str, Any]:
    return frame_records(frame.head(1))[0] if len(frame) else {}


def _given(value: Any) -> bool:
    return is_number(value) and math.isfinite(value)


def linearity_tables(frame: pd.DataFrame, options: Mapping[str, Any] | None = None) -> ReportTables:
    """The regression line (estimate and CI per quantity), the residuals per result; the complete stored
    table in the appendix."""
    if not {LEVEL, RESPONSE, FITTED, RESIDUAL, SLOPE, INTERCEPT} <= set(frame.columns):
        return generic_tables(frame)
    r = _first(frame)
    level = f"{100 * float(r['conf_level']):g}"
    rows = [
        (_("slope"), cell(r[SLOPE], 5), cell(r["slope_ci_lower"], 5), cell(r["slope_ci_upper"], 5)),
        (
            _("y-intercept"),
            cell(r[INTERCEPT], 5),
            cell(r["intercept_ci_lower"], 5),
            cell(r["intercept_ci_upper"], 5),
        ),
        (_("correlation coefficient r"), cell(r["r"], 6), "", ""),
        (_("coefficient of determination R²"), cell(r[R_SQUARED], 6), "", ""),
        (_("residual standard deviation"), cell(r["residual_sd"], 5), "", ""),
        (_("residual sum of squares"), cell(r["rss"], 5), "", ""),
    ]
    if _given(r.get("intercept_percent")):
        rows.append(
            (
                _("y-intercept, %% of the response at target %(target)s") % {"target": cell(r["target"])},
                f"{float(r['intercept_percent']):.2f}",
                "",
                "",
            )
        )
    if _given(r.get(LOF_P)):
        rows.append(
            (
                _("lack of fit F(%(df1)s, %(df2)s), p") % {"df1": r["lof_df1"], "df2": r["lof_df2"]},
                f"{cell(r['lof_f'], 4)}, p {cell(r[LOF_P], 3)}",
                "",
                "",
            )
        )
    main = Table(
        _("Regression line of the response on the level (ICH Q2(R2) section 3.2.1)"),
        (_("quantity"), _("estimate"), _("%(level)s%% CI lower") % {"level": level}, _("upper")),
        tuple(rows),
        (False, True, True, True),
        note=_("%(n)s results at %(k)s levels; t intervals with %(df)s degrees of freedom.")
        % {"n": r["n"], "k": r["n_levels"], "df": r["df"]},
    )
    residuals = Table(
        _("Residuals per result"),
        (_("level"), _("response"), _("fitted"), _("residual")),
        tuple(
            (cell(x[LEVEL]), cell(x[RESPONSE], 6), cell(x[FITTED], 6), cell(x[RESIDUAL], 4))
            for x in frame_records(frame)
        ),
        (True, True, True, True),
    )
    headers = {c: _(h) for c, h in APPENDIX_HEADERS.items() if c in frame.columns}
    appendix = panels(frame, [LEVEL, RESPONSE], _("Complete linearity result"), headers=headers)
    return ReportTables((main, residuals), tuple(appendix))


#: Headers of the appendix's columns (the complete stored result; translated where printed): the kind's own
#: words, not the shared ``LABELS`` (``n`` there is "subjects (n)", ``conf_level`` the potency CI's level). A
#: column absent here (added by a later version) is headed by its stored name.
APPENDIX_HEADERS: dict[str, str] = {
    LEVEL: gettext_noop("level"),
    RESPONSE: gettext_noop("response"),
    FITTED: gettext_noop("fitted"),
    RESIDUAL: gettext_noop("residual"),
    "n": gettext_noop("results (n)"),
    "n_levels": gettext_noop("levels"),
    "df": gettext_noop("residual degrees of freedom"),
    SLOPE: gettext_noop("slope"),
    "slope_se": gettext_noop("standard error of the slope"),
    "slope_ci_lower": gettext_noop("slope CI lower bound"),
    "slope_ci_upper": gettext_noop("slope CI upper bound"),
    INTERCEPT: gettext_noop("y-intercept"),
    "intercept_se": gettext_noop("standard error of the y-intercept"),
    "intercept_ci_lower": gettext_noop("y-intercept CI lower bound"),
    "intercept_ci_upper": gettext_noop("y-intercept CI upper bound"),
    "r": gettext_noop("correlation coefficient r"),
    R_SQUARED: gettext_noop("coefficient of determination R²"),
    "residual_sd": gettext_noop("residual standard deviation"),
    "rss": gettext_noop("residual sum of squares"),
    "target": gettext_noop("target level (100% of the test concentration)"),
    "intercept_percent": gettext_noop("y-intercept, % of the response at target"),
    "lof_f": gettext_noop("lack-of-fit F"),
    "lof_df1": gettext_noop("lack-of-fit degrees of freedom"),
    "lof_df2": gettext_noop("pure-error degrees of freedom"),
    LOF_P: gettext_noop("lack-of-fit p value"),
    "conf_level": gettext_noop("confidence level of the slope and intercept CIs"),
    "alpha": gettext_noop("level of the lack-of-fit F test"),
    PASSED: gettext_noop("no significant lack of fit"),
    "flags": gettext_noop("flags"),
    "software_version": gettext_noop("software version"),
}


def linearity_summary(result: Mapping[str, Any], options: Mapping[str, Any]) -> str:
    """``Linearity: R² 0.99941, slope 1.9996, intercept 0.46809 (0.23% at target); lack of fit pass``."""
    rows = [dict(zip(result.get("columns") or [], row, strict=True)) for row in result.get("rows") or []]
    r = rows[0] if rows else {}
    verdict = (
        term("pass" if result.get(PASSED) else "fail") if result.get(PASSED) is not None else _("not tested")
    )
    text = _("Linearity: R² %(r2)s, slope %(slope)s, y-intercept %(intercept)s; lack of fit: %(verdict)s") % {
        "r2": cell(r.get(R_SQUARED), 5),
        "slope": cell(r.get(SLOPE), 5),
        "intercept": cell(r.get(INTERCEPT), 5),
        "verdict": verdict,
    }
    if _given(r.get("intercept_percent")):
        text += _(" (y-intercept %(percent)s%% of the response at target)") % {
            "percent": f"{float(r['intercept_percent']):.2f}"
        }
    return text


def linearity_flags(table: pd.DataFrame, options: Mapping[str, Any]) -> list[tuple[str, int]]:
    """Lack of fit (1 when significant)."""
    # the stored verdict: True, False or None (not tested); a NumPy bool from the table, so compared by value
    verdict = table[PASSED].iloc[0] if len(table) and PASSED in table.columns else None
    failed = int(verdict is not None and verdict == False)  # noqa: E712
    return [(_("significant lack of fit"), failed)]


def linearity_figures(run: RunView) -> list[Figure]:
    """The results with the fitted line, and the residual plot (ICH Q2(R2) asks for both)."""
    frame = run.table
    if not {LEVEL, RESPONSE, FITTED, RESIDUAL} <= set(frame.columns) or frame.empty:
        return []
    ordered = frame.sort_values(LEVEL)
    x = [float(v) for v in ordered[LEVEL]]
    data = Line(_("results"), x, [float(v) for v in ordered[RESPONSE]])
    line = Line(
        _("results"), [x[0], x[-1]], [float(ordered[FITTED].iloc[0]), float(ordered[FITTED].iloc[-1])]
    )
    fit = XYPlot(
        _("Response and least-squares line"), _("level"), _("response"), points=(data,), lines=(line,)
    )
    resid = XYPlot(
        _("Residuals"),
        _("level"),
        _("residual"),
        points=(Line(_("residual"), x, [float(v) for v in ordered[RESIDUAL]]),),
        hlines=(RefLine(_("zero"), 0.0),),
    )
    return [
        Figure("linearity-fit", _("Response and least-squares line"), _("results and the fitted line"), fit),
        Figure("linearity-residuals", _("Residuals"), _("residuals against the level"), resid),
    ]


def example_data() -> bytes:
    """An ELISA-like calibration: 5 levels (50-150% of target) in triplicate, slight noise."""
    levels = [50.0, 75.0, 100.0, 125.0, 150.0]
    noise = [(-0.8, 0.5, 0.4), (1.1, -0.6, 0.2), (-1.5, 0.9, 0.3), (0.7, -1.2, 0.6), (-0.4, 1.3, -0.9)]
    rows = [(x, round(2.0 + 1.98 * x + e, 2)) for x, es in zip(levels, noise, strict=True) for e in es]
    return pd.DataFrame(rows, columns=[LEVEL, RESPONSE]).to_csv(index=False).encode()


LINEARITY = Analysis(
    name=NAME,
    validation=("linearity-r",),  # reference sets of bioparity validate (MANIFEST.yaml)
    title=gettext_noop("Linearity"),
    description=gettext_noop(
        "Linearity of an analytical procedure per ICH Q2(R2): least-squares line, residuals, lack of fit"
    ),
    read=table_reader(SPECS),  # DataFileError naming file, row and column
    compute=linearity_kind,
    columns=COLUMNS,
    options=(
        Option(
            "conf_level", gettext_noop("confidence level of the slope and intercept CIs"), 0.95, type="number"
        ),
        Option("alpha", gettext_noop("level of the lack-of-fit F test"), 0.05, type="number"),
        Option.optional_number(
            "target",
            gettext_noop("level of 100% of the test concentration (empty = intercept % not reported)"),
        ),
    ),
    tables=linearity_tables,
    summary=linearity_summary,
    flags=linearity_flags,
    figures=linearity_figures,
    # on pages and reports: the shared LABELS say "confidence level of the potency CI" for conf_level
    labels={k: APPENDIX_HEADERS[k] for k in ("conf_level", "alpha", "target", PASSED)},
    study_kinds=("caa",),
    example=example_file("linearity.csv", example_data, {"target": 100.0}),
)

ANALYSES = (LINEARITY,)
