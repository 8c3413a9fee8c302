"""Stability per ICH Q1E: the ``stability`` kind (poolability, shelf life, equivalence of degradation rates).

The reader and the numbers are those of ``bioparity stability``: one row per result (``attribute, lot,
time, value`` + optional ``product`` and ``condition``), per attribute, condition and product the
regression on time per lot, batch poolability by ANCOVA at the 0.25 level and the shelf life from the
95% confidence bound of the mean crossing the acceptance criterion (one-sided with one criterion, two-sided
limits with a lower and an upper one; ICH Q1E, Evaluation for Stability Data, CPMP/ICH/420/02, 2003,
Appendix B.1), and the difference of the test and reference
products' mean degradation rates with its 90% CI against a margin (two one-sided tests, Schuirmann
1987, J Pharmacokinet Biopharm 15:657).

The specification that ``bioparity stability`` reads from ``--spec SPEC.yaml`` comes from the options
(``lower``, ``upper``, ``model``, ``slope_margin`` for every attribute; ``confidence``, ``alpha_pool``,
``max_time``, ... as the file's top-level keys) and, per attribute, from optional columns of the same
names in the data file (constant within an attribute; a blank cell takes the option). The optional
column ``label`` (one per attribute, as the spec's ``label`` and a CAA catalogue's) names the attribute
where a reader sees it: tables, figures, notes and summary print the label, else the code as written. The
stored table stacks the command's three outputs, told apart by :data:`SECTION`: the results table
(``--out``), the slope comparisons (``--slopes``) and the per-lot regressions (``--lots``), with the
``label`` column when a label is given.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from bioparity.analyses.contract import Analysis, InputColumn, Option, RunView, example_file
from bioparity.analyses.figures import Figure, Line, RefLine, XYPlot
from bioparity.analyses.frames import SECTION as SECTION
from bioparity.analyses.frames import frame_records, frame_result, section_records, stack_sections
from bioparity.analyses.frames import section as section
from bioparity.analyses.options import number_option, optional_number, text_option
from bioparity.analyses.tables import ReportTables, Table, cell, generic_tables, is_number, panels
from bioparity.analyses.terms import term, value_words, yes_no_text
from bioparity.errors import DataFileError, InputError
from bioparity.i18n import gettext as _
from bioparity.i18n import gettext_noop
from bioparity.i18n.notes import LABELLED
from bioparity.i18n.printing import ITEM_SEPARATOR, time_unit_words
from bioparity.io.cmc import STABILITY_COLUMNS, check_regression_per_lot, read_stability
from bioparity.io.readers import read_any_table
from bioparity.problems import (
    A_FINITE_OR_BLANK,
    A_MODEL_OR_BLANK,
    A_POSITIVE_OR_BLANK,
    ATTRIBUTE_SPECIFIED_TWICE,
    INVALID_SPECIFICATION_VALUE,
    ONE_PER_ATTRIBUTE,
)
from bioparity.stability import (
    BOUND_PARAMETERS,
    DIDS_VARIANCES,
    MODELS,
    confidence_bound,
    stability_table,
    stability_time_unit,
)
from bioparity.stability.core import POOLED_LOTS, bound_level
from bioparity.stability.table import CLAIM, LONG_TERM, ROLE, SUPPORTIVE

NAME = "stability"
#: Which of the command's outputs a row of the stored table belongs to (its :data:`SECTION`).
SHELF_LIFE, SLOPES, LOTS = "shelf life", "slope difference", "lot regression"
#: Columns of the stored table that other code reads.
ATTRIBUTE, CONDITION, PRODUCT, LOT = "attribute", "condition", "product", "lot"
POOLING, SHELF_LIFE_VALUE, WORST_LOT, EQUIVALENT = "pooling", "shelf_life", "worst_lot", "equivalent"
#: The shelf life the data support without extrapolation, ``min(shelf_life, last time point)`` (ICH Q5C: a
#: biological product's shelf life from real-time data; absent from results stored before it was written).
SUPPORTED = "supported_shelf_life"
#: Columns of a slope comparison row (test - reference difference of the mean lot slopes).
TEST, REFERENCE, N_LOTS_TEST, N_LOTS_REFERENCE = "test", "reference", "n_lots_test", "n_lots_reference"
DIFFERENCE, CI_LOWER, CI_UPPER, MARGIN, CONF_LEVEL = (
    "difference",
    "ci_lower",
    "ci_upper",
    "margin",
    "conf_level",
)
#: Optional specification columns of the data file (one value per attribute).
SPEC_NUMBERS = ("lower", "upper", "slope_margin")
SPEC_COLUMNS = (*SPEC_NUMBERS, "model")
#: Optional column of the data file (one per attribute) and of the stored table: the attribute's name as a
#: reader sees it (the code as written where absent).
LABEL = "label"

COLUMNS_HELP = {
    "attribute": "quality attribute (each analysed with its own specification)",
    "lot": "lot (batch); a lot belongs to one product",
    "time": "time on stability",
    "value": "result (not blank: a missing result is removed from the file with a reason)",
    "product": "product, e.g. test / reference (slope comparison)",
    "condition": "storage or stress condition (each analysed separately)",
    "lower": "lower acceptance criterion of the attribute (else the option)",
    "upper": "upper acceptance criterion of the attribute (else the option)",
    "model": "linear or log (else the option)",
    "slope_margin": "equivalence margin of the slope difference (else the option)",
    LABEL: "name of the attribute in tables, figures and notes, e.g. Purity (SEC) (else the code)",
}
COLUMNS = (
    *(InputColumn(c, True, COLUMNS_HELP[c]) for c in STABILITY_COLUMNS),
    *(InputColumn(c, False, COLUMNS_HELP[c]) for c in ("product", "condition", *SPEC_COLUMNS, LABEL)),
)


def _spec_cell(raw: Any, column: str) -> Any:
    """A specification cell: None when blank, else a finite number (lower/upper/margin), a model name or a
    label (the text as written)."""
    text = "" if raw is None or (isinstance(raw, float) and math.isnan(raw)) else str(raw).strip()
    if not text or column == LABEL:
        return text or None
    if column == "model":
        if text.lower() not in MODELS:
            raise ValueError(A_MODEL_OR_BLANK.format(models=", ".join(MODELS)))
        return text.lower()
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or (column == "slope_margin" and value <= 0):
        raise ValueError(A_POSITIVE_OR_BLANK if column == "slope_margin" else A_FINITE_OR_BLANK)
    return value


def read_stability_data(path: Path) -> pd.DataFrame:
    """The long stability table as ``bioparity stability`` reads it, with the optional specification
    columns checked (file, row and column named; one value per attribute)."""
    loaded = read_any_table(path)
    raw = loaded.frame.rename(columns=lambda c: str(c).strip())
    data = read_stability(path)
    checked = with_spec_columns(data, raw, loaded.file, loaded.line_offset, columns=(*SPEC_COLUMNS, LABEL))
    check_regression_per_lot(checked, loaded.file, loaded.line_offset)
    return checked


def with_spec_columns(
    data: pd.DataFrame,
    raw: pd.DataFrame,
    file: str,
    offset: int | None,
    rows: Sequence[int] | None = None,
    columns: Sequence[str] = SPEC_COLUMNS,
) -> pd.DataFrame:
    """``data`` (rows of :func:`bioparity.io.cmc.stability_frame`) with the specification ``columns`` of
    the ``raw`` table it was read from, checked (one value per attribute; the place of a bad cell named by
    ``file``, the data row (``rows``: the file's row of each row, default its position) and, with the
    header's line ``offset``, the line)."""
    where = list(rows) if rows is not None else list(range(1, len(data) + 1))
    for column in columns:
        if column not in raw.columns:
            continue
        values: list[Any] = []
        first: dict[str, tuple[Any, int]] = {}
        cells = zip(where, data[ATTRIBUTE], raw[column].tolist(), strict=True)
        for row, attribute, cell_ in cells:
            line = None if offset is None else row + offset
            try:
                value = _spec_cell(cell_, column)
            except ValueError as exc:
                raise DataFileError(
                    INVALID_SPECIFICATION_VALUE,
                    file=file,
                    row=row,
                    line=line,
                    column=column,
                    value=cell_,
                    expected=str(exc),
                ) from None
            if value is not None and first.setdefault(attribute, (value, row))[0] != value:
                raise DataFileError(
                    ATTRIBUTE_SPECIFIED_TWICE.format(
                        attribute=repr(attribute),
                        column=column,
                        value=repr(first[attribute][0]),
                        row=first[attribute][1],
                    ),
                    file=file,
                    row=row,
                    line=line,
                    column=column,
                    value=cell_,
                    expected=ONE_PER_ATTRIBUTE.format(column=column),
                )
            values.append(value)
        data[column] = values
    return data


def _specification(frame: pd.DataFrame, options: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Attribute -> lower, upper, model, slope_margin: the file's columns, else the options."""
    margin = optional_number(options, "slope_margin")
    if margin is not None and margin <= 0:
        raise InputError(f"option slope_margin={margin!r}; expected a margin > 0")
    given: dict[str, Any] = {
        "lower": optional_number(options, "lower"),
        "upper": optional_number(options, "upper"),
        "model": text_option(options, "model", "linear"),
        "slope_margin": margin,
    }
    out: dict[str, dict[str, Any]] = {}
    for attribute, rows in frame.groupby(ATTRIBUTE, sort=False):
        spec = dict(given)
        for column in (*SPEC_COLUMNS, LABEL):
            if column in rows.columns:
                found = [v for v in rows[column].tolist() if v is not None and v == v]
                spec[column] = found[0] if found else spec.get(column)
        if spec.get(LABEL) is None:
            spec.pop(LABEL, None)  # the stored specification names a label only when one is given
        lower, upper = spec["lower"], spec["upper"]
        if lower is not None and upper is not None and lower >= upper:
            raise InputError(f"attribute {attribute!r}: lower {lower:g} must be below upper {upper:g}")
        out[str(attribute)] = spec
    return out


def attribute_name(r: Mapping[Any, Any], names: Mapping[str, str] | None = None) -> str:
    """The attribute of a row as a reader sees it: its :data:`LABEL` (the specification's), else its name
    in ``names`` (the ``comparability`` kind: the CAA catalogue's label), else the code as written (never
    re-cased)."""
    label, code = r.get(LABEL), str(r.get(ATTRIBUTE))
    return label if isinstance(label, str) and label else (names or {}).get(code, code)


def degradation_rate_name(attribute: str, condition: str = "") -> str:
    """``Purity degradation rate (25C)`` in the current language: a comparison of degradation rates (ICH
    Q1E) as the readiness findings and the ICH Q5E verdict name it; ``attribute`` as a reader sees it
    (:func:`attribute_name`), the condition as written (data, not translated)."""
    if condition:
        return _("%(attribute)s degradation rate (%(condition)s)") % {
            "attribute": attribute,
            "condition": condition,
        }
    return _("%(attribute)s degradation rate") % {"attribute": attribute}


def _where(r: Mapping[Any, Any], names: Mapping[str, str] | None = None) -> str:
    """``Purity (SEC) 25C test``: the attribute (:func:`attribute_name`), condition and product (or test
    product) of a row."""
    parts = (r.get(k) for k in (CONDITION, PRODUCT, "test"))
    return " ".join([attribute_name(r, names), *(str(p) for p in parts if isinstance(p, str) and p)])


def _named(frame: pd.DataFrame, names: Mapping[str, str] | None) -> pd.DataFrame:
    """``frame`` with its attribute column as a reader sees it (:func:`attribute_name`)."""
    shown = [attribute_name(r, names) for r in frame.to_dict("records")]
    return frame.assign(**{ATTRIBUTE: shown}) if len(frame) else frame


def stability_kind(frame: pd.DataFrame, options: Mapping[str, Any]) -> dict[str, Any]:
    """Every attribute, condition and product (``bioparity stability`` with the options as its spec)."""
    table, settings, specification, notes = stability_sections(frame, options)
    return frame_result(table, settings=settings, specification=specification, notes=notes)


def stability_sections(
    frame: pd.DataFrame,
    options: Mapping[str, Any],
    *,
    test: str | None = None,
    reference: str | None = None,
    names: Mapping[str, str] | None = None,
) -> tuple[pd.DataFrame, dict[str, Any], dict[str, dict[str, Any]], list[str]]:
    """The stored table (the three outputs of ``bioparity stability`` told apart by :data:`SECTION`, with
    the :data:`LABEL` of each row when an attribute has one), the settings, the specification per attribute
    and the flags as notes (naming the attribute by :func:`attribute_name`, ``names`` for those without a
    label); ``test``/``reference`` name the products compared (default: the options of the same names)."""
    specification = _specification(frame, options)
    result = stability_table(
        frame.drop(columns=[c for c in (*SPEC_COLUMNS, LABEL) if c in frame.columns]),
        specification,
        confidence=number_option(options, "confidence", 0.95),
        alpha_pool=number_option(options, "alpha_pool", 0.25),
        max_time=optional_number(options, "max_time"),
        dids_variance=text_option(options, "dids_variance", "separate"),
        test=text_option(options, "test", "test") if test is None else test,
        reference=text_option(options, "reference", "reference") if reference is None else reference,
        slope_alpha=number_option(options, "slope_alpha", 0.05),
        time_unit=stability_time_unit(options.get("time_unit"), source="option time_unit"),
        long_term=text_option(options, "long_term", "") or None,
    )
    table = stack_sections(
        part.assign(**{SECTION: name})
        for name, part in ((SHELF_LIFE, result.table), (SLOPES, result.slopes), (LOTS, result.lots))
        if len(part)
    )
    labels = {a: spec[LABEL] for a, spec in specification.items() if spec.get(LABEL)}
    if labels:
        table[LABEL] = table[ATTRIBUTE].map(labels)
    notes = [
        LABELLED.format(label=_where(r, names), note=r["flags"])
        for r in table.to_dict("records")
        if isinstance(r.get("flags"), str) and r["flags"]
    ]
    return table, dict(result.settings), specification, notes


def _test(f: Any, df: Any, p: Any) -> str:
    return f"F {cell(f, 4)} ({df}), p {cell(p, 3)}" if is_number(f) and math.isfinite(f) else "—"  # no words


def _given(value: Any) -> bool:
    """A stored number that is there (a missing criterion is None, or NaN in a column of numbers)."""
    return is_number(value) and math.isfinite(value)


def _criterion(lower: Any, upper: Any) -> str:
    low, high = _given(lower), _given(upper)
    if low and high:
        return _("%(low)s to %(high)s") % {"low": cell(lower), "high": cell(upper)}
    return f">= {cell(lower)}" if low else f"<= {cell(upper)}" if high else _("none")


#: The role of a condition with a long-term condition named (:data:`~bioparity.stability.table.ROLE`).
ROLE_WORDS = {LONG_TERM: gettext_noop("long-term"), SUPPORTIVE: gettext_noop("supportive")}


def _condition_role(r: Mapping[Any, Any]) -> str:
    """``5C (long-term)``: a row's condition with its role when the run named a long-term condition, else
    the condition as written."""
    condition, role = str(r.get(CONDITION) or ""), r.get(ROLE)
    if role not in ROLE_WORDS:
        return condition
    return _("%(condition)s (%(role)s)") % {"condition": condition, "role": _(ROLE_WORDS[str(role)])}


def _claim_note(rows: pd.DataFrame) -> str:
    """The sentence of the shelf-life table naming the long-term condition the claim rests on (empty when
    the run named none)."""
    if ROLE not in rows.columns:
        return ""
    conditions = sorted(
        {str(c) for c, role in zip(rows[CONDITION], rows[ROLE], strict=True) if role == LONG_TERM}
    )
    return " " + _(
        "Shelf-life claim: the supported shelf life at the long-term condition %(condition)s; the other "
        "conditions are supportive (accelerated or stress data support the claim, they do not make it; ICH "
        "Q5C, real-time data at the storage condition)."
    ) % {"condition": ", ".join(conditions)}


def _shelf_life_table(rows: pd.DataFrame, unit: str, names: Mapping[str, str] | None) -> Table:
    body = []
    for r in rows.to_dict("records"):
        body.append(
            (
                attribute_name(r, names),
                _condition_role(r),
                str(r.get(PRODUCT) or ""),
                value_words("model", r.get("model") or ""),
                f"{cell(r.get('n_lots'))} ({cell(r.get('n_results'))})",
                _test(r.get("f_slope"), r.get("df_slope"), r.get("p_slope")),
                _test(r.get("f_intercept"), r.get("df_intercept"), r.get("p_intercept")),
                str(r.get(POOLING) or ""),
                _criterion(r.get("lower"), r.get("upper")),
                cell(r.get(SHELF_LIFE_VALUE), 4),
                cell(r.get(SUPPORTED), 4),
                worst_lot_words(r.get(WORST_LOT)),
                yes_no_text(isinstance(r.get("flags"), str) and r["flags"]),
            )
        )
    return Table(
        _("Shelf life per attribute, condition and product (ICH Q1E Appendix B)"),
        (
            _("attribute"),
            _("condition"),
            _("product"),
            _("model"),
            _("lots (results)"),
            _("equal slopes"),
            _("equal intercepts"),
            _("pooling"),
            _("acceptance criterion"),
            _("shelf life (%(unit)s)") % {"unit": unit},
            _("supported shelf life (%(unit)s)") % {"unit": unit},
            _("worst lot"),
            _("flagged"),
        ),
        tuple(body),
        (False, False, False, False, True, False, False, False, False, True, True, False, False),
        wide=True,
        note=_(
            "Poolability by ANCOVA at the alpha_pool level (0.25): slopes differ -> dids (each lot), else "
            "intercepts differ -> dics (common slope), else cics (pooled). Shelf life: earliest time at "
            "which the confidence bound of the mean crosses the criterion (worst lot): one-sided with one "
            "criterion, two-sided limits with both (ICH Q1E Appendix B.1); ∞: not within max_time."
        )
        + " "
        + _(
            "Supported shelf life: the shelf life, at most the last time point of the data it rests on (for "
            "dids the lot followed for the shortest time); a longer shelf life extrapolates and is flagged, "
            "not shortened (ICH Q1E 2.4; ICH Q5C: a biological product's shelf life from real-time data)."
        )
        + _claim_note(rows),
    )


def _slopes_table(rows: pd.DataFrame, unit: str, names: Mapping[str, str] | None) -> Table:
    body = []
    for r in rows.to_dict("records"):
        margin = r.get("margin")
        judged = r.get(EQUIVALENT)
        verdict = (
            _("no margin given")
            if judged is None
            else term("equivalent" if judged else "not shown equivalent")
        )
        body.append(
            (
                attribute_name(r, names),
                str(r.get(CONDITION) or ""),
                _("%(test)s (%(n_test)s) vs %(reference)s (%(n_reference)s)")
                % {
                    "test": r.get("test"),
                    "n_test": cell(r.get("n_lots_test")),
                    "reference": r.get("reference"),
                    "n_reference": cell(r.get("n_lots_reference")),
                },
                f"{cell(r.get('mean_slope_test'), 4)} / {cell(r.get('mean_slope_reference'), 4)}",
                f"{cell(r.get('difference'), 4)} "
                f"({cell(r.get('ci_lower'), 4)}, {cell(r.get('ci_upper'), 4)})",
                f"± {cell(margin)}" if is_number(margin) else "—",
                verdict,
            )
        )
    level = f"{100 * float(rows['conf_level'].iloc[0]):g}%" if "conf_level" in rows.columns else "90%"
    pairs = {(str(r.get("test")), str(r.get("reference"))) for r in rows.to_dict("records")}
    pair = pairs.pop() if len(pairs) == 1 else (_("test"), _("reference"))
    products = " - ".join(pair)
    return Table(
        _("Equivalence of degradation rates: difference of mean lot slopes, %(products)s (%(level)s CI)")
        % {"products": products, "level": level},
        (
            _("attribute"),
            _("condition"),
            _("products (lots)"),
            _("mean slope %(products)s (per %(unit)s)") % {"products": " / ".join(pair), "unit": unit},
            _("difference (%(level)s CI)") % {"level": level},
            _("margin"),
            _("outcome"),
        ),
        tuple(body),
        (False, False, False, True, True, True, False),
        note=_(
            "Full ANCOVA model (one slope per lot, pooled MSE); equivalent when the CI lies within the "
            "margin."
        ),
    )


def stability_tables(
    frame: pd.DataFrame, options: Mapping[str, Any] | None = None, names: Mapping[str, str] | None = None
) -> ReportTables:
    """Shelf life and poolability, the slope comparisons, the per-lot regressions, each attribute named by
    :func:`attribute_name` (``names`` for those without a label); each section complete in the appendix."""
    if SECTION not in frame.columns:
        return generic_tables(frame)
    # the unit's word in the reader's language in every header and note that embeds it (zh-CN 斜率（每月）)
    unit = time_unit_words(_time_unit(frame_records(section(frame, SHELF_LIFE))[:1], options)) or _(
        "time unit"
    )
    main = [_shelf_life_table(section(frame, SHELF_LIFE), unit, names)]
    slopes = section(frame, SLOPES)
    if len(slopes):
        main.append(_slopes_table(slopes, unit, names))
    lots = section(frame, LOTS)
    shown = [
        c
        for c in (
            ATTRIBUTE,
            CONDITION,
            PRODUCT,
            LOT,
            "n",
            "intercept",
            "slope",
            "slope_se",
            POOLING,
            "fitted_intercept",
            "fitted_slope",
            "lot_shelf_life",
        )
        if c in lots.columns
    ]
    headers = {
        ATTRIBUTE: _("attribute"),
        CONDITION: _("condition"),
        PRODUCT: _("product"),
        LOT: _("lot"),
        "n": _("results"),
        "intercept": _("intercept"),
        "slope": _("slope"),
        "slope_se": _("slope SE"),
        POOLING: _("pooling"),
        "fitted_intercept": _("model intercept"),
        "fitted_slope": _("model slope"),
        "lot_shelf_life": _("lot shelf life (%(unit)s)") % {"unit": unit},
    }
    title = _("Regression per lot and the line of the chosen model (pooling)")
    main += panels(_named(lots, names)[shown], [ATTRIBUTE, LOT], title, headers=headers)
    # the appendix under the kind's headers, times and slopes in the result's time unit, the numbers the main
    # tables print to their significant digits
    headers = {c: _(h) % {"unit": unit} for c, h in APPENDIX_HEADERS.items()}
    appendix = [
        t
        for name in (SHELF_LIFE, SLOPES, LOTS)
        if len(section(frame, name))
        for t in panels(
            _unit_in_words(section(frame, name)),
            [ATTRIBUTE, CONDITION],
            _("Complete result: %(section)s") % {"section": term(name)},
            headers=headers,
            column_digits=APPENDIX_DIGITS,
        )
    ]
    note = _(", times in %(unit)s, statistics to the significant digits of the main tables") % {"unit": unit}
    return ReportTables(tuple(main), tuple(appendix), appendix_note=note)


def _unit_in_words(rows: pd.DataFrame) -> pd.DataFrame:
    """A section of the stored result with its ``time_unit`` cells as printed: the unit's word in the reader's
    language (:func:`~bioparity.i18n.printing.time_unit_words`; zh-CN 月 for "months"); the stored rows
    and every other column unchanged."""
    if "time_unit" not in rows.columns:
        return rows
    words = [time_unit_words(u) if isinstance(u, str) else u for u in rows["time_unit"]]
    return rows.assign(time_unit=words)


#: Headers of the appendix's columns (the complete stored result, each section; translated where printed,
#: ``%(unit)s`` the result's time unit): the kind's own words, since the registry's keys mean other things
#: in other kinds (``ci_lower`` is a percent in bioequivalence, a slope difference per time unit here). A
#: column absent here (added by a later version) is headed by its stored name.
APPENDIX_HEADERS: dict[str, str] = {
    ATTRIBUTE: gettext_noop("attribute"),
    CONDITION: gettext_noop("condition"),
    PRODUCT: gettext_noop("product"),
    "model": gettext_noop("model"),
    "n_lots": gettext_noop("lots"),
    "n_results": gettext_noop("results"),
    "f_slope": gettext_noop("F equal slopes"),
    "df_slope": gettext_noop("df equal slopes"),
    "p_slope": gettext_noop("p equal slopes"),
    "f_intercept": gettext_noop("F equal intercepts"),
    "df_intercept": gettext_noop("df equal intercepts"),
    "p_intercept": gettext_noop("p equal intercepts"),
    "alpha_pool": gettext_noop("level of the poolability tests"),
    POOLING: gettext_noop("pooling"),
    "common_slope": gettext_noop("common slope (per %(unit)s)"),
    "lower": gettext_noop("lower acceptance criterion"),
    "upper": gettext_noop("upper acceptance criterion"),
    "confidence": gettext_noop("confidence level of the shelf-life bound"),
    "two_sided": gettext_noop("two-sided bound"),
    "bound_level": gettext_noop("level of the bound"),
    "dids_variance": gettext_noop("variance of separate lot regressions (dids)"),
    SHELF_LIFE_VALUE: gettext_noop("shelf life (%(unit)s)"),
    SUPPORTED: gettext_noop("supported shelf life (%(unit)s)"),
    "last_time_point": gettext_noop("last time point the shelf life rests on (%(unit)s)"),
    "time_unit": gettext_noop("time unit"),
    WORST_LOT: gettext_noop("worst lot"),
    "max_observed_time": gettext_noop("last time point (%(unit)s)"),
    "max_time": gettext_noop("longest shelf life searched (%(unit)s)"),
    "flags": gettext_noop("flags"),
    "software_version": gettext_noop("software version"),
    "test": gettext_noop("test product"),
    "reference": gettext_noop("reference product"),
    "n_lots_test": gettext_noop("lots test"),
    "n_lots_reference": gettext_noop("lots reference"),
    "mean_slope_test": gettext_noop("mean slope test (per %(unit)s)"),
    "mean_slope_reference": gettext_noop("mean slope reference (per %(unit)s)"),
    "difference": gettext_noop("slope difference (per %(unit)s)"),
    "se": gettext_noop("SE of the slope difference"),
    "df": gettext_noop("degrees of freedom"),
    "ci_lower": gettext_noop("CI lower bound (per %(unit)s)"),
    "ci_upper": gettext_noop("CI upper bound (per %(unit)s)"),
    "conf_level": gettext_noop("confidence level"),
    "margin": gettext_noop("equivalence margin (per %(unit)s)"),
    EQUIVALENT: gettext_noop("equivalent"),
    LOT: gettext_noop("lot"),
    "n": gettext_noop("results of the lot"),
    "intercept": gettext_noop("intercept"),
    "slope": gettext_noop("slope (per %(unit)s)"),
    "slope_se": gettext_noop("slope SE (per %(unit)s)"),
    "fitted_intercept": gettext_noop("model intercept"),
    "fitted_slope": gettext_noop("model slope (per %(unit)s)"),
    "lot_shelf_life": gettext_noop("lot shelf life (%(unit)s)"),
    "bound_s2": gettext_noop("residual variance s² of the bound"),
    "bound_df": gettext_noop("df of the bound"),
    "bound_n": gettext_noop("results of the bound"),
    "bound_tbar": gettext_noop("mean time of the bound (%(unit)s)"),
    "bound_sxx": gettext_noop("sum of squares of the times Sxx (%(unit)s²)"),
    "label": gettext_noop("attribute label"),
    ROLE: gettext_noop("role of the condition"),
    CLAIM: gettext_noop("shelf-life claim (%(unit)s)"),
}
#: Significant digits of the appendix's numbers that the main tables print (shelf life, F and slopes to 4,
#: p to 3: :func:`_shelf_life_table`, :func:`_slopes_table`); the per-lot regression keeps the 6 of its
#: main table.
APPENDIX_DIGITS: dict[str, int] = {
    **dict.fromkeys((SHELF_LIFE_VALUE, SUPPORTED, CLAIM, "f_slope", "f_intercept"), 4),
    **dict.fromkeys(("mean_slope_test", "mean_slope_reference", "difference", "ci_lower", "ci_upper"), 4),
    **dict.fromkeys(("p_slope", "p_intercept"), 3),
}


def _life(value: Any) -> float:
    if value == "Infinity":
        return math.inf
    return float(value) if is_number(value) else math.nan


def _time_unit(records: Sequence[Mapping[str, Any]], options: Mapping[str, Any] | None) -> str:
    """The unit of time of a stored result: its rows' ``time_unit`` (written since the unit was checked),
    else the option as given (a run stored before), else ``""``."""
    stored = [r.get("time_unit") for r in records if isinstance(r.get("time_unit"), str) and r["time_unit"]]
    return str(stored[0] if stored else (options or {}).get("time_unit") or "")


def worst_lot_words(lot: object) -> str:
    """The stored worst lot of a shelf life as a reader sees it: ``all lots (pooled)`` (``cics``) in the
    current language, a lot's name as stored.

    Examples
    --------
    >>> worst_lot_words("all lots (pooled)"), worst_lot_words("T3"), worst_lot_words(None)
    ('all lots (pooled)', 'T3', '')
    """
    text = str(lot or "")
    return _(POOLED_LOTS) if text == POOLED_LOTS else text


def _claims(lives: Sequence[Mapping[str, Any]], unit: str) -> str:
    """``; shelf-life claim from the long-term condition 5C: Potency reference 24 months; other conditions
    supportive``: the summary's words for a run that named a long-term condition (empty otherwise)."""
    mine = [r for r in lives if r.get(ROLE) == LONG_TERM]
    if not mine:
        return ""
    claims = _(ITEM_SEPARATOR).join(
        " ".join(
            [attribute_name(r), *([str(r[PRODUCT])] if r.get(PRODUCT) else []), cell(_life(r.get(CLAIM)), 4)]
        )
        + f" {unit}"
        for r in mine
    )
    return _(
        "; shelf-life claim from the long-term condition %(condition)s: %(claims)s; other conditions "
        "supportive"
    ) % {
        "condition": _(ITEM_SEPARATOR).join(sorted({str(r.get(CONDITION)) for r in mine})),
        "claims": claims,
    }


def stability_summary(result: Mapping[str, Any], options: Mapping[str, Any]) -> str:
    """``3 shelf lives: shortest 25.99 months (potency, reference; lot b5, cics); extrapolated: the data
    support 24 months (ICH Q5C: real-time data); degradation rates equivalent for 1 of 1 comparison``."""
    lives = section_records(result, SHELF_LIFE)
    unit = time_unit_words(_time_unit(lives, options))
    known = [r for r in lives if not math.isnan(_life(r.get(SHELF_LIFE_VALUE)))]
    line = _("%(n)d shelf lives") % {"n": len(lives)}
    if known:
        worst = min(known, key=lambda r: _life(r.get(SHELF_LIFE_VALUE)))
        where = _(ITEM_SEPARATOR).join(
            [
                attribute_name(worst),
                *([_condition_role(worst)] if worst.get(CONDITION) else []),
                *([str(worst[PRODUCT])] if worst.get(PRODUCT) else []),
            ]
        )
        line += _(": shortest %(shelf_life)s %(unit)s (%(where)s; lot %(lot)s, %(pooling)s)") % {
            "shelf_life": cell(_life(worst.get(SHELF_LIFE_VALUE)), 4),
            "unit": unit,
            "where": where,
            "lot": worst_lot_words(worst.get(WORST_LOT)),
            "pooling": worst.get(POOLING),
        }
        supported = _life(worst.get(SUPPORTED))  # NaN in a result stored before it was written
        if supported < _life(worst.get(SHELF_LIFE_VALUE)):
            line += _("; extrapolated: the data support %(supported)s %(unit)s (ICH Q5C: real-time data)") % {
                "supported": cell(supported, 4),
                "unit": unit,
            }
    line += _claims(lives, unit)
    slopes = section_records(result, SLOPES)
    if slopes:
        judged = [r for r in slopes if r.get(EQUIVALENT) is not None]
        line += _(
            "; degradation rates equivalent for %(equivalent)d of %(n)d comparison(s) with a margin"
        ) % {
            "equivalent": sum(1 for r in judged if r[EQUIVALENT]),
            "n": len(judged),
        }
    return " ".join(line.split())


def stability_flags(table: pd.DataFrame, options: Mapping[str, Any]) -> list[tuple[str, int]]:
    """Analyses with flags, lots not poolable (dids), slope comparisons not shown equivalent."""
    lives, slopes = section(table, SHELF_LIFE), section(table, SLOPES)
    flagged = int(lives.get("flags", pd.Series(dtype=str)).fillna("").astype(str).ne("").sum())
    separate = int((lives.get(POOLING, pd.Series(dtype=str)) == "dids").sum())
    not_equivalent = int((slopes.get(EQUIVALENT, pd.Series(dtype=object)) == False).sum())  # noqa: E712
    return [
        (_("analyses with review flags"), flagged),
        (_("analyses with lots not poolable (dids)"), separate),
        (_("slope comparisons not shown equivalent"), not_equivalent),
    ]


#: Name of the point where the worst lot's bound meets the criterion, at the shelf life.
CROSSING = gettext_noop("bound meets the criterion")
#: Points drawn per fitted line (the line is straight on the model scale, curved after exp for log).
CURVE_POINTS = 50


def _grid(end: float, observed: Any, shelf: float) -> list[float]:
    """Times of the curves: evenly from 0 to ``end``, the observed times and the shelf life (so that the
    bound is drawn exactly where it meets the criterion)."""
    times = {end * i / (CURVE_POINTS - 1) for i in range(CURVE_POINTS)} | {float(t) for t in observed}
    return sorted(t for t in times | ({shelf} if math.isfinite(shelf) else set()) if 0.0 <= t <= end)


def _scale(values: Any, model: str) -> list[float]:
    """Model-scale values on the original scale (exp of the ln fit for ``log``)."""
    return [math.exp(v) if model == "log" else float(v) for v in values]


def _two_sided(life: Mapping[str, Any]) -> bool:
    """The analysis row's bounds are two-sided limits (``two_sided`` true as stored: a bool, NumPy bool or
    its text; a row stored before that column was written had one-sided bounds)."""
    return life.get("two_sided") in (True, "True", "true")


def _level(life: Mapping[str, Any]) -> float:
    """One-sided level of each bound of an analysis row: ``confidence``, or each side of two-sided limits."""
    return bound_level(float(life.get("confidence") or 0.95), _two_sided(life))


def _bounds(r: Mapping[str, Any], times: list[float], sides: list[str], level: float) -> list[Any]:
    """The bounds of lot row ``r``'s mean at one-sided ``level`` (model scale), one array per side; none
    when the stored row lacks the bound's terms (a result stored before they were)."""
    terms = [r.get(f"bound_{name}") for name in BOUND_PARAMETERS]
    if not all(is_number(v) and math.isfinite(float(v)) for v in terms if v is not None) or None in terms:
        return []
    s2, df, n, tbar, sxx = terms
    a, b = r["fitted_intercept"], r["fitted_slope"]
    return [confidence_bound(times, a, b, s2, df, n, tbar, sxx, level, side)[0] for side in sides]


def _crossing(
    life: Mapping[str, Any], rows: list[dict[str, Any]], sides: list[str], model: str
) -> Line | None:
    """The point where the worst lot's bound meets the criterion, at the shelf life (None when the shelf
    life is 0, infinite or unknown, or the bound's terms are not stored)."""
    shelf = _life(life.get(SHELF_LIFE_VALUE))
    worst = [r for r in rows if str(r[LOT]) == str(life.get(WORST_LOT))] or rows[:1]
    if not (math.isfinite(shelf) and shelf > 0 and worst):
        return None
    at = _bounds(worst[0], [shelf], sides, _level(life))
    if not at:
        return None
    limits = [math.log(life[side]) if model == "log" else float(life[side]) for side in sides]
    side = min(range(len(sides)), key=lambda i: abs(float(at[i][0]) - limits[i]))
    return Line(_(CROSSING), [shelf], [float(life[sides[side]])])


def shelf_life_lines(shelf: float, supported: float) -> tuple[RefLine, ...]:
    """The figure's vertical lines (also the command line's ``--plots`` figures',
    :func:`bioparity.stability.plots.plot_stability`): the shelf life (dotted) where the data support it;
    where it extrapolates beyond the last time point it rests on, the supported shelf life (dotted) and the
    extrapolated shelf life (dashed; infinite: not drawn). A result stored before ``supported_shelf_life``
    was written (NaN): the shelf life alone, as before."""
    if not supported < shelf:  # not extrapolated, or unknown
        return (
            (RefLine(_("shelf life %(shelf_life)s") % {"shelf_life": cell(shelf, 4)}, shelf),)
            if math.isfinite(shelf)
            else ()
        )
    lines = [
        RefLine(_("supported shelf life %(shelf_life)s") % {"shelf_life": cell(supported, 4)}, supported)
    ]
    if math.isfinite(shelf):
        label = _("extrapolated shelf life %(shelf_life)s") % {"shelf_life": cell(shelf, 4)}
        lines.append(RefLine(label, shelf, dashed=True))
    return tuple(lines)


def _matches(frame: pd.DataFrame, r: Mapping[str, Any]) -> pd.Series:
    keep = frame[ATTRIBUTE].astype(str) == str(r[ATTRIBUTE])
    for column in (CONDITION, PRODUCT):
        value = r.get(column)
        if isinstance(value, str) and value and column in frame.columns:
            keep &= frame[column].astype(str) == value
    return keep


def stability_figure(
    data: pd.DataFrame,
    life: Mapping[str, Any],
    lots: pd.DataFrame,
    unit: str,
    names: Mapping[str, str] | None = None,
) -> XYPlot:
    """One analysis (attribute, condition, product): the results per lot against time, the chosen
    model's line per lot (one pooled line for cics) from the stored lot regressions, the acceptance
    criteria and the shelf life (the figure of ICH Q1E, Appendix B); the attribute named by
    :func:`attribute_name`."""
    rows = data[_matches(data, life)]
    points = tuple(
        Line(
            _("lot %(lot)s") % {"lot": lot},
            g["time"].astype(float).tolist(),
            g["value"].astype(float).tolist(),
        )
        for lot, g in rows.groupby(rows[LOT].astype(str), sort=True)
    )
    mine = frame_records(lots[_matches(lots, life)])
    shelf = _life(life.get(SHELF_LIFE_VALUE))
    last = float(life.get("max_observed_time") or 0.0)
    end = max(last, shelf if math.isfinite(shelf) else last) * 1.1
    model, pooling = str(life.get("model") or "linear"), str(life.get(POOLING) or "")
    confidence = float(life.get("confidence") or 0.95)
    sides = [side for side in ("lower", "upper") if _given(life.get(side))]
    times = _grid(end, rows["time"], shelf)
    drawn = (
        [(_("pooled line (cics)"), mine[0])]
        if pooling == "cics" and mine
        else [(_("lot %(lot)s") % {"lot": r[LOT]}, r) for r in mine]
    )
    lines = tuple(
        Line(name, times, _scale([r["fitted_intercept"] + r["fitted_slope"] * t for t in times], model))
        for name, r in drawn
    )
    bounds = tuple(
        Line(name, times, _scale(bound, model))
        for name, r in drawn
        for bound in _bounds(r, times, sides, _level(life))
    )
    crossing = _crossing(life, mine, sides, model) if sides else None
    criteria = {
        "lower": gettext_noop("lower criterion %(value)s"),
        "upper": gettext_noop("upper criterion %(value)s"),
    }
    hlines = tuple(
        RefLine(_(criteria[side]) % {"value": cell(life.get(side))}, float(life[side])) for side in sides
    )
    vlines = shelf_life_lines(shelf, _life(life.get(SUPPORTED)))
    level = f"{100 * confidence:g}"
    two = _two_sided(life)
    title = (
        _("%(analysis)s: %(model)s model, %(pooling)s; two-sided %(level)s%% limits")
        if two
        else _("%(analysis)s: %(model)s model, %(pooling)s; one-sided %(level)s%% bound")
    )
    shown = (
        _("two-sided %(level)s%% limits of the mean") if two else _("one-sided %(level)s%% bound of the mean")
    )
    return XYPlot(
        title % {"analysis": _where(life, names), "model": term(model), "pooling": pooling, "level": level},
        _("time"),
        attribute_name(life, names),
        x_unit=unit,
        points=points + ((crossing,) if crossing is not None else ()),
        lines=lines,
        hlines=hlines,
        vlines=vlines,
        bounds=bounds,
        bounds_label=shown % {"level": level} if bounds else "",
    )


PLOT_NOTE = gettext_noop(
    "Points: results per lot; lines: the mean of the model chosen by the poolability tests "
    "(one pooled line for cics); dashed in the same colour: its confidence bound(s); red "
    "dashed: acceptance criteria; dotted: the shelf life, where the worst lot's bound meets the "
    "criterion (marked)."
)
#: The figure's note where a shelf life extrapolates beyond the last time point it rests on.
EXTRAPOLATED_NOTE = gettext_noop(
    "Grey dotted: the supported shelf life (at most the last time point); grey dashed: the shelf life where "
    "it extrapolates beyond it (ICH Q5C: real-time data)."
)


def stability_figures(run: RunView) -> list[Figure]:
    """One figure per attribute, condition and product: results per lot, the model's lines, criteria."""
    data = run.input_frame((ATTRIBUTE, LOT, "time", "value"))
    if data is None or SECTION not in run.table.columns:
        return []
    return stability_plots(
        data, run.table, _time_unit(frame_records(section(run.table, SHELF_LIFE)), run.options)
    )


def stability_plots(
    data: pd.DataFrame, table: pd.DataFrame, unit: str, names: Mapping[str, str] | None = None
) -> list[Figure]:
    """The figures of :func:`stability_figures` from the input ``data`` (``attribute, lot, time, value``
    [+ ``condition``, ``product``]; rows whose time or value is not a number left out) and the stored
    ``table`` (with its :data:`SECTION` column); the attributes named by :func:`attribute_name`."""
    unit = time_unit_words(unit)  # the axis label in the reader's language (zh-CN 时间（月）)
    data = data.assign(
        time=pd.to_numeric(data["time"], errors="coerce"), value=pd.to_numeric(data["value"], errors="coerce")
    ).dropna(subset=["time", "value"])
    lots = section(table, LOTS)
    return [
        Figure(
            "stability",
            _("Stability plot"),
            _(
                "Results per lot against time with the chosen model's lines, their confidence bounds and the "
                "acceptance criteria: %(analysis)s"
            )
            % {"analysis": _where(life, names)},
            stability_figure(data, life, lots, unit, names),
            series="analysis",
            item=_where(life, names),
            group_title=_("Stability plots (ICH Q1E Appendix B)"),
            note=_(PLOT_NOTE)
            + (
                " " + _(EXTRAPOLATED_NOTE)
                if _life(life.get(SUPPORTED)) < _life(life.get(SHELF_LIFE_VALUE))
                else ""
            ),
        )
        for life in frame_records(section(table, SHELF_LIFE))
    ]


def example_data() -> bytes:
    """LeBlond et al. 2011 (J Valid Technol 17(3):47, example 1, batches b2, b5, b7; potency >= 95) and
    the R reference's test/reference purity lots (lower 90, slope margin 0.1), one file, each attribute
    with the label a reader sees."""
    from importlib import resources

    folder = resources.files("bioparity").joinpath("validation", "reference", "cmc")
    with folder.joinpath("leblond2011_exp1.csv").open("rb") as handle:
        leblond = pd.read_csv(handle).rename(columns={"Batch": "lot", "Month": "time", "Potency": "value"})
    with folder.joinpath("data_slope_difference.csv").open("rb") as handle:
        purity = pd.read_csv(handle).assign(
            attribute="purity", condition="25C", lower=90.0, slope_margin=0.1, label="Purity"
        )
    potency = leblond[leblond["lot"].isin(["b2", "b5", "b7"])].assign(
        attribute="potency",
        condition="5C",
        product="reference",
        lower=95.0,
        label="Potency (% of label claim)",
    )
    frame = pd.concat([purity, potency], ignore_index=True)
    columns = ["attribute", "condition", "product", "lot", "time", "value", "lower", "slope_margin", LABEL]
    return frame[columns].to_csv(index=False).encode()


STABILITY = Analysis(
    name=NAME,
    # reference sets of bioparity validate (MANIFEST.yaml)
    validation=("stability-r", "stability-leblond2011"),
    title=gettext_noop("Stability (ICH Q1E)"),
    description=gettext_noop(
        "Stability per ICH Q1E: batch poolability, shelf life, equivalence of degradation rates"
    ),
    read=read_stability_data,
    compute=stability_kind,
    columns=COLUMNS,
    options=(
        Option.optional_number(
            "lower",
            gettext_noop("lower acceptance criterion for attributes without a lower column (empty = none)"),
        ),
        Option.optional_number(
            "upper",
            gettext_noop("upper acceptance criterion for attributes without an upper column (empty = none)"),
        ),
        Option(
            "model",
            gettext_noop("linear (default) or log, for attributes without a model column"),
            "linear",
            MODELS,
        ),
        Option.optional_number(
            "slope_margin", gettext_noop("equivalence margin of the slope difference (empty = not judged)")
        ),
        Option(
            "confidence",
            gettext_noop(
                "confidence of the bound (default 0.95; two-sided limits when both criteria are given)"
            ),
            0.95,
            type="number",
        ),
        Option(
            "alpha_pool",
            gettext_noop("level of the poolability tests (default 0.25, ICH Q1E)"),
            0.25,
            type="number",
        ),
        Option.optional_number(
            "max_time", gettext_noop("longest shelf life searched (empty = five times the last time point)")
        ),
        Option(
            "dids_variance",
            gettext_noop("separate (default: each lot's own regression) or pooled"),
            "separate",
            DIDS_VARIANCES,
        ),
        Option("test", gettext_noop("product label of the test lots (slope comparison)"), "test"),
        Option(
            "reference", gettext_noop("product label of the reference lots (slope comparison)"), "reference"
        ),
        Option(
            "slope_alpha",
            gettext_noop("one-sided level of the slope comparison (default 0.05 = 90% CI)"),
            0.05,
            type="number",
        ),
        Option(
            "time_unit",
            gettext_noop("unit of time: hours, days, weeks, months (default, as ICH Q1E) or years"),
            "months",
            label=gettext_noop("Time unit"),
        ),
        Option(
            "long_term",
            gettext_noop(
                "long-term storage condition, one of the condition column's values: the shelf-life claim "
                "rests on it, other conditions are supportive (empty = none named)"
            ),
            "",
            label=gettext_noop("Long-term condition"),
        ),
    ),
    tables=stability_tables,
    summary=stability_summary,
    flags=stability_flags,
    figures=stability_figures,
    units=lambda options: {"time": str(options.get("time_unit") or "")} if options.get("time_unit") else {},
    study_kinds=("caa",),
    example=example_file("stability.csv", example_data),
)

ANALYSES = (STABILITY,)
