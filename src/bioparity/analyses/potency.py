"""Relative potency bioassays: the ``potency`` kind (parallel-line, slope-ratio, 4PL/5PL parallel model).

The reader and the numbers are those of ``bioparity potency``: one row per response
(``assay, sample, dose, replicate, response`` + optional ``block``/``row``/``column``; the sample
``standard`` is the reference standard), the model fitted by ordinary least squares on natural-log
dose, the relative potency with its Fieller (parallel-line, slope-ratio; European Pharmacopoeia 5.3,
Statistical analysis of results of biological assays and tests, sections 3.2.5 and 3.3.5) or Wald
(4PL/5PL, section 3.4) confidence interval, similarity both ways side by side: the Ph. Eur. 5.3
significance tests of validity and the equivalence approach of USP <1032> (Design and development of
biological assays, section 4.3) with margins as options, suitability criteria (USP <1034>, section 3.5),
and the combination of independent assays (Ph. Eur. 5.3, section 6). The stored table is the table
``bioparity potency --out`` writes (one row per assay and test sample, ``assay = combined`` rows
with ``combine``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

from bioparity.analyses.contract import Analysis, InputColumn, Option, RunView, packaged_example
from bioparity.analyses.figures import Figure, Line, XYPlot
from bioparity.analyses.frames import frame_result, result_records
from bioparity.analyses.options import (
    flag_option,
    list_option,
    number_option,
    optional_number,
    text_option,
    yes_no,
)
from bioparity.analyses.tables import PORTRAIT_BUDGET, ReportTables, Table, cell, generic_tables, panels
from bioparity.analyses.terms import term, value_words, yes_no_text
from bioparity.errors import InputError
from bioparity.i18n import gettext as _
from bioparity.i18n import gettext_noop
from bioparity.i18n.notes import note_template, note_text
from bioparity.io.potency import OPTIONAL, REQUIRED, read_potency_table
from bioparity.potency import MODELS, AnalysisOptions, analyse
from bioparity.potency.analyse import MEASURES, TRANSFORMS
from bioparity.potency.combine import COMBINATION_METHODS, combine_estimates
from bioparity.potency.suitability import SuitabilityCriteria

NAME = "potency"
#: Columns of the stored result table (what reports and other kinds read).
ASSAY, SAMPLE, MODEL, RELATIVE_POTENCY = "assay", "sample", "model", "relative_potency"
CI_LOWER, CI_UPPER, CONF_LEVEL = "ci_lower", "ci_upper", "conf_level"
PH_EUR, USP_1032, FLAGS, CONVERGED = "similarity_ph_eur", "similarity_usp1032", "flags", "converged"
#: The ``assay`` of the rows that combine a sample's assays (Ph. Eur. 5.3 section 6).
COMBINED = "combined"

_HELP = {
    "assay": "assay (plate) id",
    "sample": "'standard' = the reference standard; any other sample is a test preparation",
    "dose": "nominal dose or dilution (the standard's units)",
    "replicate": "replicate id",
    "response": "response (not blank)",
    "block": "block (randomised block design)",
    "row": "row (Latin square, with column)",
    "column": "column (Latin square)",
}
COLUMNS = (
    *(InputColumn(c, True, _HELP[c]) for c in REQUIRED),
    *(InputColumn(c, False, _HELP[c]) for c in OPTIONAL),
)


def parse_margins(items: list[str]) -> dict[str, tuple[float, float]]:
    """``measure:lower:upper`` items (USP <1032> equivalence margins, the rows of the CLI's margins file)."""
    known = sorted({m for measures in MEASURES.values() for m in measures})
    out: dict[str, tuple[float, float]] = {}
    for item in items:
        parts = [p.strip() for p in item.split(":")]
        try:
            if len(parts) != 3:
                raise ValueError
            lower, upper = float(parts[1]), float(parts[2])
        except ValueError:
            raise InputError(
                f"option equivalence_margins: {item!r} is not measure:lower:upper (e.g. slope_ratio:0.8:1.25)"
            ) from None
        if parts[0] not in known:
            raise InputError(
                f"option equivalence_margins: unknown measure {parts[0]!r}; "
                f"expected one of {', '.join(known)}"
            )
        if parts[0] in out or not (math.isfinite(lower) and math.isfinite(upper)):
            raise InputError(f"option equivalence_margins: {item!r} repeats a measure or is not finite")
        out[parts[0]] = (lower, upper)
    return out


def potency_kind(frame: pd.DataFrame, options: Mapping[str, Any]) -> dict[str, Any]:
    """Every assay and test sample (and their combination with ``combine``): ``bioparity potency``."""
    level = number_option(options, "conf_level", 0.95)
    settings = AnalysisOptions(
        model=text_option(options, "model", "4pl"),
        conf_level=level,
        alpha=number_option(options, "alpha", 0.05),
        equivalence_level=number_option(options, "equivalence_level", 0.90),
        margins=parse_margins(list_option(options, "equivalence_margins", "")),
        suitability=SuitabilityCriteria(
            min_r_squared=optional_number(options, "min_r2"),
            max_ci_ratio=optional_number(options, "max_ci_ratio"),
        ),
        transform=text_option(options, "transform", "none"),
        joint=not flag_option(options, "pairwise"),
    )
    estimates = analyse(frame, settings)
    table = estimates.to_frame()
    if flag_option(options, "combine"):
        method = text_option(options, "combine_method", "auto")
        combined = combine_estimates(estimates.estimates, conf_level=level, method=method)
        table = pd.concat([table, pd.DataFrame(combined)], ignore_index=True)
    return frame_result(table, settings=settings.settings(), notes=potency_notes(table))


#: The note of an estimate with review flags (``"; "``-joined; see bioparity.i18n.notes).
ESTIMATE_FLAGS = note_template("Assay {assay}, sample {sample}: {flags}.")


def potency_notes(table: pd.DataFrame) -> list[str]:
    """Every review flag of every estimate, one note per assay and sample (shown with the result)."""
    return [
        ESTIMATE_FLAGS.format(assay=r[ASSAY], sample=r[SAMPLE], flags=_text(r.get(FLAGS)))
        for r in table.to_dict("records")
        if _text(r.get(FLAGS))
    ]


def _number(value: Any) -> float:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else math.nan


def _interval(estimate: Any, lower: Any, upper: Any, digits: int = 4) -> str:
    """``1.581 (1.483, 1.686)``; a dash when there is no estimate."""
    if not math.isfinite(_number(estimate)):
        return "—"
    return f"{cell(estimate, digits)} ({cell(lower, digits)}, {cell(upper, digits)})"


def _text(value: Any) -> str:
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)


def _converged_text(value: Any) -> str:
    return yes_no_text(value) if isinstance(value, bool) else "—"


def _level(frame: pd.DataFrame, column: str, default: float) -> str:
    values = pd.to_numeric(frame.get(column, pd.Series(dtype=float)), errors="coerce").dropna()
    return f"{100 * (float(values.iloc[0]) if len(values) else default):g}%"


def _measure_columns(frame: pd.DataFrame) -> list[str]:
    """The USP <1032> measures present (``equiv_<measure>`` with its CI columns)."""
    return [c[len("equiv_") :] for c in frame.columns if c.startswith("equiv_") and f"{c}_ci_lower" in frame]


def _estimate_table(assays: pd.DataFrame) -> Table:
    level = _level(assays, CONF_LEVEL, 0.95)
    rows = []
    css = []
    for r in assays.to_dict("records"):
        rows.append(
            (
                _text(r[ASSAY]),
                _text(r[SAMPLE]),
                value_words(MODEL, _text(r.get(MODEL))),
                _interval(r[RELATIVE_POTENCY], r[CI_LOWER], r[CI_UPPER]),
                _converged_text(r.get(CONVERGED)),
                term(_text(r.get(PH_EUR))),
                term(_text(r.get(USP_1032))),
                yes_no_text(_text(r.get(FLAGS))),
            )
        )
        failed = "fail" in (r.get(PH_EUR), r.get(USP_1032)) or r.get(CONVERGED) is False
        css.append("fail" if failed else "")
    stored = {_text(m) for m in assays.get("ci_method", pd.Series(dtype=str)) if _text(m)}
    methods = "; ".join(sorted(note_text(m) for m in stored))  # in the reader's words
    return Table(
        _("Relative potency per assay and test sample (%(level)s CI)") % {"level": level},
        (
            _("assay"),
            _("sample"),
            _("model"),
            _("relative potency (%(level)s CI)") % {"level": level},
            _("converged"),
            _("Ph. Eur. 5.3 similarity"),
            _("USP <1032> equivalence"),
            _("flagged"),
        ),
        tuple(rows),
        (False, False, False, True, False, False, False, False),
        css=tuple(css),
        note=_(
            "Relative potency = test / standard in the units of the nominal doses. CI: %(methods)s. Fit: "
            "ordinary least squares on the (transformed) response scale, natural-log dose, unweighted; the "
            "4PL/5PL parallel model shares asymptotes and slope, the test curve shifted on log dose. "
            "Ph. Eur. 5.3 similarity passes when no validity test rejects at alpha and the regression "
            "is significant (every model); USP <1032> equivalence "
            "when every measure with margins has its CI within them ('not assessed' without margins). Each "
            "flag is listed in the notes."
        )
        % {"methods": methods},
    )


#: The Ph. Eur. 5.3 validity tests (``ph_eur_p_<test>``) and USP <1032> measures (``equiv_<measure>``)
#: in words (a code without words here is printed with its underscores as spaces).
_SIMILARITY_WORDS: dict[str, str] = {
    "regression": gettext_noop("p regression"),
    "non_parallelism": gettext_noop("p non-parallelism"),
    "non_linearity": gettext_noop("p non-linearity"),
    "intersection": gettext_noop("p intersection"),
    "slope_ratio": gettext_noop("slope ratio"),
    "intercept_difference": gettext_noop("intercept difference"),
    "lower_asymptote_difference": gettext_noop("lower asymptote difference"),
    "upper_asymptote_difference": gettext_noop("upper asymptote difference"),
    "parallelism_ss": gettext_noop("parallelism ss"),
}


def _similarity_words(code: str, fallback: str) -> str:
    words = _SIMILARITY_WORDS.get(code)
    return fallback if words is None else _(words)


def _similarity_frame(assays: pd.DataFrame) -> pd.DataFrame:
    """Per assay and sample: the Ph. Eur. p values and each USP <1032> measure with CI and margins, under
    headings in the reader's words (a Chinese report printed ``assay``, ``slope ratio`` here)."""
    out = pd.DataFrame({_("assay"): assays[ASSAY].astype(str), _("sample"): assays[SAMPLE].astype(str)})
    for c in assays.columns:
        if c.startswith("ph_eur_p_"):
            test = c[len("ph_eur_p_") :]
            out[_similarity_words(test, f"p {test.replace('_', '-')}")] = assays[c]
    for m in _measure_columns(assays):
        base = f"equiv_{m}"
        margins = assays.get(f"{base}_margins", pd.Series([""] * len(assays), index=assays.index))
        measure = _similarity_words(m, m.replace("_", " "))
        out[_("%(measure)s (CI); margins") % {"measure": measure}] = [
            f"{_interval(e, lo, hi)}; {_margins(g)}"
            for e, lo, hi, g in zip(
                assays[base], assays[f"{base}_ci_lower"], assays[f"{base}_ci_upper"], margins, strict=True
            )
        ]
    return out


def _margins(text: Any) -> str:
    """``margins 0.8 to 1.25`` from the stored ``0.8,1.25``; ``no margins`` when none were given."""
    bounds = _text(text).split(",")
    if len(bounds) != 2:
        return _("no margins")
    return _("margins %(lower)s to %(upper)s") % {"lower": bounds[0], "upper": bounds[1]}


def _combination_table(combined: pd.DataFrame) -> Table:
    level = _level(combined, CONF_LEVEL, 0.95)
    rows = []
    for r in combined.to_dict("records"):
        chi = _("%(chi)s on %(df)s df, p = %(p)s") % {
            "chi": cell(r.get("homogeneity_chi_square"), 4),
            "df": cell(r.get("homogeneity_df")),
            "p": cell(r.get("homogeneity_p"), 3),
        }
        rows.append(
            (
                _text(r[SAMPLE]),
                cell(r.get("n_assays")),
                _text(r.get("combination_method")) or "—",
                _interval(r[RELATIVE_POTENCY], r[CI_LOWER], r[CI_UPPER]),
                chi if math.isfinite(_number(r.get("homogeneity_chi_square"))) else "—",
                *(
                    _interval(r.get(f"{m}_potency"), r.get(f"{m}_ci_lower"), r.get(f"{m}_ci_upper"))
                    for m in ("weighted", "semi_weighted", "unweighted")
                ),
            )
        )
    return Table(
        _("Combination of independent assays (Ph. Eur. 5.3, section 6; %(level)s CI)") % {"level": level},
        (
            _("sample"),
            _("assays"),
            _("method reported"),
            _("relative potency (CI)"),
            _("homogeneity chi-square"),
            _("weighted"),
            _("semi-weighted"),
            _("unweighted"),
        ),
        tuple(rows),
        (False, True, False, True, False, True, True, True),
        note=_(
            "Valid assays only: an assay failing a validity, equivalence or suitability test is left out and "
            "named in the notes. Weighted when the homogeneity chi-square has p >= 0.05, else semi-weighted "
            "(method auto)."
        ),
    )


def potency_tables(frame: pd.DataFrame, options: Mapping[str, Any] | None = None) -> ReportTables:
    """Potency and CI per assay and test sample, the similarity tests and equivalence measures side by
    side, the combination of assays; the complete result in the appendix."""
    if not {ASSAY, SAMPLE, RELATIVE_POTENCY, CI_LOWER, CI_UPPER} <= set(frame.columns):
        return generic_tables(frame)
    is_combined = frame[ASSAY].astype(str) == COMBINED
    assays, combined = frame[~is_combined], frame[is_combined]
    main = [_estimate_table(assays)]
    similarity = _similarity_frame(assays)
    if len(similarity.columns) > 2:
        main += panels(
            similarity,
            list(similarity.columns[:2]),
            _(
                "Similarity: Ph. Eur. 5.3 tests (p) and USP <1032> equivalence measures "
                "(estimate, CI, margins)"
            ),
            wide=False,
            budget=PORTRAIT_BUDGET,
        )
    if len(combined):
        main.append(_combination_table(combined))
    keep = [c for c in frame.columns if frame[c].notna().any()]
    appendix = panels(
        frame[keep],
        [ASSAY, SAMPLE],
        _("Complete potency result"),
        headers={c: appendix_header(c) for c in keep},
        column_digits={c: 4 for c in keep if _in_four_digits(c)},
    )
    note = _(", potencies, equivalence measures and their CIs to 4 significant digits as in the main tables")
    return ReportTables(tuple(main), tuple(appendix), appendix_note=note)


#: Headers of the appendix's fixed columns (the complete stored result; translated where printed): the
#: kind's own words, since the registry's keys mean other things in other kinds (``ci_lower`` is a percent
#: in bioequivalence, a bound of the relative potency here). The columns named after a model's parameter,
#: a Ph. Eur. test or a USP <1032> measure are headed by :func:`appendix_header`; a column it does not know
#: (added by a later version) by its stored name.
APPENDIX_HEADERS: dict[str, str] = {
    ASSAY: gettext_noop("assay"),
    SAMPLE: gettext_noop("sample"),
    MODEL: gettext_noop("model"),
    RELATIVE_POTENCY: gettext_noop("relative potency"),
    CI_LOWER: gettext_noop("CI lower bound of the potency"),
    CI_UPPER: gettext_noop("CI upper bound of the potency"),
    CONF_LEVEL: gettext_noop("confidence level"),
    "ci_method": gettext_noop("CI method"),
    "df": gettext_noop("residual degrees of freedom"),
    "residual_variance": gettext_noop("residual variance"),
    CONVERGED: gettext_noop("converged"),
    PH_EUR: gettext_noop("Ph. Eur. 5.3 similarity"),
    USP_1032: gettext_noop("USP <1032> equivalence"),
    FLAGS: gettext_noop("flags"),
    "software_version": gettext_noop("software version"),
    # the rows combining a sample's assays (Ph. Eur. 5.3 section 6)
    "n_assays": gettext_noop("assays"),
    "combination_method": gettext_noop("method reported"),
    "homogeneity_chi_square": gettext_noop("homogeneity chi-square"),
    "homogeneity_df": gettext_noop("homogeneity df"),
    "homogeneity_p": gettext_noop("homogeneity p"),
    "weighted_potency": gettext_noop("weighted potency"),
    "semi_weighted_potency": gettext_noop("semi-weighted potency"),
    "unweighted_potency": gettext_noop("unweighted potency"),
}
#: The column-name prefixes and suffixes of the columns named after what they hold, with their header.
_PARAMETER, _PH_EUR_P, _EQUIV = "param_", "ph_eur_p_", "equiv_"
_BOUNDS = {
    "_ci_lower": gettext_noop("%(measure)s: CI lower bound"),
    "_ci_upper": gettext_noop("%(measure)s: CI upper bound"),
    "_margins": gettext_noop("%(measure)s: margins"),
}
_COMBINED_ESTIMATES = {"weighted": gettext_noop("weighted"), "semi_weighted": gettext_noop("semi-weighted")}
_COMBINED_ESTIMATES["unweighted"] = gettext_noop("unweighted")


def appendix_header(column: str) -> str:
    """A stored column of the potency result in the reader's words (:data:`APPENDIX_HEADERS`; a model's
    parameter, a Ph. Eur. 5.3 test's p, a USP <1032> measure with its CI and margins, a combined
    estimator's CI); a column it does not know as stored.

    >>> appendix_header("param_e_test"), appendix_header("equiv_slope_ratio_ci_lower")
    ('model parameter e_test', 'slope ratio: CI lower bound')
    >>> appendix_header("ph_eur_p_non_parallelism"), appendix_header("new_column")
    ('p non-parallelism', 'new_column')
    """
    if column in APPENDIX_HEADERS:
        return _(APPENDIX_HEADERS[column])
    if column.startswith(_PARAMETER):
        return _("model parameter %(name)s") % {"name": column[len(_PARAMETER) :]}
    if column.startswith(_PH_EUR_P):
        test = column[len(_PH_EUR_P) :]
        return _similarity_words(test, f"p {test.replace('_', '-')}")
    for suffix, words in _BOUNDS.items():
        base = column.removesuffix(suffix)
        if base != column and base.startswith(_EQUIV):
            measure = base[len(_EQUIV) :]
            return _(words) % {"measure": _similarity_words(measure, measure.replace("_", " "))}
        if base != column and base in _COMBINED_ESTIMATES and suffix != "_margins":
            return _(words) % {"measure": _(_COMBINED_ESTIMATES[base])}
    if column.startswith(_EQUIV):
        measure = column[len(_EQUIV) :]
        return _similarity_words(measure, measure.replace("_", " "))
    return column


def _in_four_digits(column: str) -> bool:
    """Printed to 4 significant digits in the main tables (:func:`_interval`): the potencies and their
    CIs, the USP <1032> measures and theirs, the homogeneity chi-square."""
    combined = ("_potency", "_ci_lower", "_ci_upper")
    return (
        column in (RELATIVE_POTENCY, CI_LOWER, CI_UPPER, "homogeneity_chi_square")
        or (column.startswith(_EQUIV) and not column.endswith("_margins"))
        or any(column == f"{m}{s}" for m in _COMBINED_ESTIMATES for s in combined)
    )


def potency_summary(result: Mapping[str, Any], options: Mapping[str, Any]) -> str:
    """``3 estimates (4pl): relative potency 1.52-1.61; Ph. Eur. 5.3 similarity 3/3 pass; USP <1032>
    not assessed; combined test 1.56 (1.51, 1.62)``."""
    rows = result_records(result)
    assays = [r for r in rows if r.get(ASSAY) != COMBINED]
    values = [v for v in (_number(r.get(RELATIVE_POTENCY)) for r in assays) if math.isfinite(v)]
    shown = (
        "—"
        if not values
        else cell(values[0], 4)
        if len(set(values)) == 1
        else f"{cell(min(values), 4)}-{cell(max(values), 4)}"
    )
    model = assays[0].get(MODEL) if assays else options.get("model")
    ph_eur = sum(1 for r in assays if r.get(PH_EUR) == "pass")
    usp = [r.get(USP_1032) for r in assays if r.get(USP_1032) in ("pass", "fail")]
    usp_text = (
        _("%(passed)d/%(n)d pass") % {"passed": usp.count("pass"), "n": len(usp)}
        if usp
        else _("not assessed")
    )
    line = _(
        "%(n)d estimates (%(model)s): relative potency %(potency)s; Ph. Eur. 5.3 similarity %(passed)d/%(n)d "
        "pass; USP <1032> equivalence %(usp)s"
    ) % {
        "n": len(assays),
        "model": value_words(MODEL, model),
        "potency": shown,
        "passed": ph_eur,
        "usp": usp_text,
    }
    combined = [
        f"{r[SAMPLE]} {_interval(r.get(RELATIVE_POTENCY), r.get(CI_LOWER), r.get(CI_UPPER))}"
        for r in rows
        if r.get(ASSAY) == COMBINED
    ]
    return line + (_("; combined %(combined)s") % {"combined": ", ".join(combined)} if combined else "")


def potency_flags(table: pd.DataFrame, options: Mapping[str, Any]) -> list[tuple[str, int]]:
    """Estimates failing either similarity approach, not converged, or with any review flag."""
    if ASSAY not in table.columns:
        return []
    assays = table[table[ASSAY].astype(str) != COMBINED]

    def count(column: str, value: Any) -> int:
        return int((assays[column] == value).sum()) if column in assays.columns else 0

    flagged = int(assays[FLAGS].fillna("").astype(str).ne("").sum()) if FLAGS in assays.columns else 0
    return [
        (_("estimates failing the Ph. Eur. 5.3 similarity tests"), count(PH_EUR, "fail")),
        (_("estimates failing USP <1032> equivalence"), count(USP_1032, "fail")),
        (_("fits not converged"), count(CONVERGED, False)),
        (_("estimates with review flags"), flagged),
    ]


#: Assays drawn (one figure each); larger inputs show the first ones and say so.
MAX_ASSAY_FIGURES = 12
#: Points of a drawn curve.
CURVE_POINTS = 60
STANDARD = "standard"


def _doses(low: float, high: float, log: bool) -> list[float]:
    """``CURVE_POINTS`` doses from ``low`` to ``high``, evenly spaced on log dose when ``log``."""
    steps = range(CURVE_POINTS)
    if log:
        a, b = math.log(low), math.log(high)
        doses = [math.exp(a + (b - a) * i / (CURVE_POINTS - 1)) for i in steps]
    else:
        doses = [low + (high - low) * i / (CURVE_POINTS - 1) for i in steps]
    return [low, *doses[1:-1], high]  # the ends exactly the lowest and highest dose


def fitted_response(r: Mapping[str, Any], test: bool, dose: float) -> float:
    """The fitted mean response of the standard (or the row's test sample) at ``dose``, from the stored
    parameters (``param_*`` columns of the result; the model scale: after ``transform``).

    4PL/5PL (R ``drc`` LL.4/LL.5): c + (d - c) / (1 + exp(b (ln dose - ln e)))^f; parallel-line:
    intercept + slope ln dose (Ph. Eur. 5.3, section 3.2); slope-ratio: intercept + slope dose (section
    3.3). NaN when the parameters are not stored.
    """
    who = "test" if test else STANDARD
    model = str(r.get(MODEL) or "")
    p = {k[len("param_") :]: _number(v) for k, v in r.items() if str(k).startswith("param_")}
    if model in ("4pl", "5pl"):
        e = p.get(f"e_{who}", math.nan)
        if not (e > 0 and dose > 0):
            return math.nan
        z = min(700.0, p.get("b", math.nan) * (math.log(dose) - math.log(e)))
        f = p.get("f", 1.0) if model == "5pl" else 1.0
        c, d = p.get("c", math.nan), p.get("d", math.nan)
        return float(c + (d - c) / (1.0 + math.exp(z)) ** f)
    if model == "parallel-line":
        return p.get(f"intercept_{who}", math.nan) + p.get("slope", math.nan) * math.log(dose)
    if model == "slope-ratio":
        return p.get("intercept", math.nan) + p.get(f"slope_{who}", math.nan) * dose
    return math.nan


def potency_figure(data: pd.DataFrame, rows: list[dict[str, Any]], transform: str) -> XYPlot:
    """One assay: the responses per preparation against dose and the fitted curves of the stored
    parameters (the standard's once when every estimate shares it, else once per test sample)."""
    model = str(rows[0].get(MODEL) or "")
    log_dose = model != "slope-ratio"
    dose = data["dose"].astype(float)
    response = data["response"].astype(float)
    y = response.map(math.log) if transform == "log" else response
    points = tuple(
        Line(str(name), dose[idx].tolist(), y[idx].tolist())
        for name, idx in data.groupby(data["sample"].astype(str), sort=False).groups.items()
    )
    positive = dose[dose > 0] if log_dose else dose
    low, high = float(positive.min()), float(positive.max())
    grid = _doses(low, high, log_dose)
    standards = {tuple(round(fitted_response(r, False, x), 9) for x in grid) for r in rows}
    lines = []
    for r in rows:
        sample = str(r[SAMPLE])
        if len(standards) > 1 or r is rows[0]:
            name = (  # the sample label of the data (its points share the colour)
                STANDARD
                if len(standards) == 1
                else _("%(standard)s (fit with %(sample)s)") % {"standard": STANDARD, "sample": sample}
            )
            lines.append(Line(name, grid, [fitted_response(r, False, x) for x in grid]))
        lines.append(Line(sample, grid, [fitted_response(r, True, x) for x in grid]))
    potencies = "; ".join(
        f"{r[SAMPLE]} {_interval(r[RELATIVE_POTENCY], r[CI_LOWER], r[CI_UPPER])}" for r in rows
    )
    return XYPlot(
        _("Assay %(assay)s: %(model)s fit, relative potency %(potencies)s")
        % {"assay": rows[0][ASSAY], "model": model, "potencies": potencies},
        _("dose"),
        _("ln response") if transform == "log" else _("response"),
        points=points,
        lines=tuple(lines),
        log_x=log_dose,
    )


def potency_figures(run: RunView) -> list[Figure]:
    """One figure per assay (the first :data:`MAX_ASSAY_FIGURES`): responses and fitted curves."""
    data = run.input_frame((ASSAY, SAMPLE, "dose", "response"))
    if data is None or not {ASSAY, SAMPLE, MODEL} <= set(run.table.columns):
        return []
    data = data.assign(
        dose=pd.to_numeric(data["dose"], errors="coerce"),
        response=pd.to_numeric(data["response"], errors="coerce"),
    ).dropna(subset=["dose", "response"])
    transform = text_option(run.options, "transform", "none")
    records = [r for r in run.records if str(r[ASSAY]) != COMBINED]
    assays = list(dict.fromkeys(str(r[ASSAY]) for r in records))
    shown = assays[:MAX_ASSAY_FIGURES]
    note = _("Points: responses per preparation; lines: the fitted model of the stored parameters.")
    if len(assays) > len(shown):
        note += " " + _("The first %(shown)d of %(n)d assays are drawn.") % {
            "shown": len(shown),
            "n": len(assays),
        }
    return [
        Figure(
            "potency",
            _("Dose-response plot"),
            _("Responses per preparation against dose with the fitted curves: assay %(assay)s")
            % {"assay": assay},
            potency_figure(
                data[data[ASSAY].astype(str) == assay],
                [r for r in records if str(r[ASSAY]) == assay],
                transform,
            ),
            series="assay",
            item=assay,
            group_title=_("Dose-response plots"),
            note=note,
        )
        for assay in shown
    ]


POTENCY = Analysis(
    name=NAME,
    validation=("potency-r", "potency-published"),  # reference sets of bioparity validate (MANIFEST.yaml)
    title=gettext_noop("Relative potency"),
    description=gettext_noop(
        "Relative potency bioassay: parallel-line, slope-ratio or 4PL/5PL, similarity by Ph. Eur. 5.3 tests "
        "and USP <1032> equivalence, combination of assays"
    ),
    read=read_potency_table,
    compute=potency_kind,
    columns=COLUMNS,
    options=(
        Option("model", gettext_noop("4pl (default), 5pl, parallel-line or slope-ratio"), "4pl", MODELS),
        Option(
            "conf_level",
            gettext_noop("confidence level of the potency CI (default 0.95)"),
            0.95,
            type="number",
        ),
        Option(
            "equivalence_margins",
            gettext_noop(  # the measures of MEASURES (a test keeps the list complete)
                "USP <1032> margins as measure:lower:upper, comma-separated (e.g. slope_ratio:0.8:1.25); "
                "measures: intercept_difference, lower_asymptote_difference, parallelism_ss, slope_ratio, "
                "upper_asymptote_difference"
            ),
            "",
            type="list",
        ),
        yes_no(
            "combine",
            gettext_noop("true to add the combination of assays per sample (Ph. Eur. 5.3 section 6)"),
            False,
        ),
        Option(
            "combine_method",
            gettext_noop(
                "auto (weighted if homogeneous, else semi-weighted), weighted, semi-weighted or unweighted"
            ),
            "auto",
            COMBINATION_METHODS,
        ),
        Option(
            "alpha",
            gettext_noop("level of the Ph. Eur. 5.3 significance tests (default 0.05)"),
            0.05,
            type="number",
        ),
        Option(
            "transform",
            gettext_noop("response transformation before fitting: none (default) or log"),
            "none",
            TRANSFORMS,
        ),
        yes_no(
            "pairwise",
            gettext_noop("parallel-line: fit each test with the standard alone (default: jointly)"),
            False,
        ),
        Option(
            "equivalence_level",
            gettext_noop("confidence level of the equivalence CIs (default 0.90)"),
            0.90,
            type="number",
        ),
        Option.optional_number(
            "min_r2", gettext_noop("suitability: minimum R2 of the unconstrained model (empty = not applied)")
        ),
        Option.optional_number(
            "max_ci_ratio", gettext_noop("suitability: maximum CI upper/lower ratio (empty = not applied)")
        ),
    ),
    tables=potency_tables,
    summary=potency_summary,
    flags=potency_flags,
    figures=potency_figures,
    study_kinds=("caa",),
    # the R reference plate of the 4PL case (2 preparations x 8 doses x 3 replicates; R nls)
    example=packaged_example("validation/reference/potency/data_4pl.csv", {"model": "4pl"}),
)

ANALYSES = (POTENCY,)
