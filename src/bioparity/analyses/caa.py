"""Comparative analytical assessment: the ``caa`` kind (every attribute, every comparison).

Test lots against each reference source and the reference bridge, per attribute, with the method of
its tier: the quality range ``mean_R ± k·s_R`` with k by criticality and a spread check (the default
plan ``qr-2025``, after the EMA reflection paper on the statistical methodology for the comparative
assessment of quality attributes, EMA/CHMP/138502/2017, 2021, and FDA's draft guidance Development of
Therapeutic Protein Biosimilars: Comparative Analytical Assessment, 2019), or the 2017 tiered approach
(equivalence test for tier 1; Tsong et al. 2017, J Biopharm Stat 27:197). Tiers come from the data's
``tier`` column unless a packaged catalogue is named.

The kind follows ``potency``: a stored ``potency`` result table (samples named ``SOURCE:LOT``) is read
as the lots' ``relative_potency`` attribute in tier 1 (the combined potency of a lot where the run
combined its assays, else one replicate per assay; :mod:`bioparity.caa.potency`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from bioparity.analyses.contract import Analysis, Option, RunView, example_file
from bioparity.analyses.figures import Figure, caa_attributes, caa_plot
from bioparity.analyses.format import fmt_fixed
from bioparity.analyses.frames import file_labels, frame_records, frame_result
from bioparity.analyses.options import flag_option, text_option, yes_no
from bioparity.analyses.tables import ReportTables, Table, cell, generic_tables, is_number, panels
from bioparity.analyses.terms import comparison_words, setting_text, term, value_words
from bioparity.caa import assess, read_catalogue
from bioparity.caa.catalogue import DEFAULT_PLAN, PLANS, Catalogue
from bioparity.caa.example import example_paths
from bioparity.caa.potency import POTENCY_TIER, is_potency_results, potency_lot_values
from bioparity.errors import InputError
from bioparity.i18n import gettext as _
from bioparity.i18n import gettext_noop
from bioparity.i18n.notes import note_template, note_text
from bioparity.i18n.printing import ITEM_SEPARATOR
from bioparity.io.caa import csv_header, read_long_table, read_potency_lots

NAME = "caa"
#: Columns of the stored result table (what reports and the readiness read).
ATTRIBUTE, COMPARISON, STATUS, METHOD, TIER = "attribute", "comparison", "status", "method", "tier"
TEST_SOURCE, REFERENCE_SOURCE, PASSED = "test_source", "reference_source", "passed"
N_TEST, N_REFERENCE = "n_test", "n_reference"

#: Attribute catalogues shipped with the package, selectable by name in the ``catalogue`` option.
CATALOGUES: dict[str, Callable[[], Path]] = {"igg1-mab-example": lambda: example_paths()[1]}


def read_caa(path: Path) -> pd.DataFrame:
    """A CAA long table ``attribute, source, lot, value`` (+ optional unit, tier, replicate, ...), or a
    ``potency`` result table read as the lots' ``relative_potency`` attribute (tier 1)."""
    if is_potency_results(csv_header(path)):
        return read_potency_lots(path, tier=POTENCY_TIER)
    return read_long_table(path)


def lot_table(frame: pd.DataFrame) -> pd.DataFrame:
    """A stored CAA input as lot values: a potency result table adapted, a long table unchanged."""
    if not is_potency_results(frame.columns):
        return frame
    return potency_lot_values(frame, tier=POTENCY_TIER)


#: The note of attributes whose lot values come from a potency run (see bioparity.i18n.notes).
FROM_POTENCY = note_template(
    "{attributes}: lot values from a potency run (% of the standard; the combined potency of a "
    "lot where its assays were combined, else one replicate per assay), tier {tier} "
    "unless the catalogue says otherwise."
)


def _potency_notes(frame: pd.DataFrame) -> list[str]:
    methods = frame["method"].astype(str) if "method" in frame.columns else pd.Series(dtype=str)
    from_potency = methods.str.startswith("potency")
    if not from_potency.any():
        return []
    attributes = ", ".join(sorted(set(frame.loc[from_potency, "attribute"].astype(str))))
    return [FROM_POTENCY.format(attributes=attributes, tier=POTENCY_TIER)]


def catalogue_option(options: Mapping[str, Any]) -> Catalogue | None:
    """The packaged catalogue named by the option ``catalogue`` (None for '': tiers from the data)."""
    name = text_option(options, "catalogue", "")
    if name and name not in CATALOGUES:
        raise InputError(
            f"option catalogue={name!r}; expected '' (tiers from the data) or {', '.join(CATALOGUES)}"
        )
    return read_catalogue(CATALOGUES[name]()) if name else None


#: The option naming a packaged catalogue (also taken by the ``comparability`` kind).
CATALOGUE_OPTION = Option(
    "catalogue",
    gettext_noop("'' = tiers from the data's tier column (default), or igg1-mab-example"),
    "",
    ("", *CATALOGUES),
)
#: The option choosing the CAA plan.
PLAN_OPTION = Option(
    "plan",
    gettext_noop("qr-2025 (default: quality range, k by criticality, spread check) or tiered-2017"),
    DEFAULT_PLAN,
    PLANS,
)


def caa_kind(frame: pd.DataFrame, options: Mapping[str, Any]) -> dict[str, Any]:
    """Every attribute, every comparison (test vs each reference, and the reference bridge)."""
    region = text_option(options, "region", "").lower()
    result = assess(
        frame,
        catalogue_option(options),
        plan=text_option(options, "plan", DEFAULT_PLAN),
        region=region or None,
        pool_references=flag_option(options, "pool_references"),
    )
    return frame_result(result.to_frame(), notes=[*_potency_notes(frame), *result.notes])


def _named_catalogue(options: Mapping[str, Any]) -> Catalogue:
    """The packaged catalogue named in a stored run's options (the empty catalogue otherwise)."""
    name = str(options.get("catalogue") or "")
    return read_catalogue(CATALOGUES[name]()) if name in CATALOGUES else Catalogue()


def caa_names(
    options: Mapping[str, Any], attributes: Iterable[str] = (), labels: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Display names of CAA attributes, for the catalogue's entries, ``attributes`` and ``labels``: the
    data file's label (``labels``: attribute -> the ``label`` column of a ``comparability`` file, as
    :func:`bioparity.analyses.stability.attribute_name` puts a row's label first), else the ``label`` of
    the catalogue named in the run's options (:meth:`Catalogue.display_name`), else the code as written."""
    return display_names(_named_catalogue(options), attributes, labels)


def display_names(
    catalogue: Catalogue | None, attributes: Iterable[str] = (), labels: Mapping[str, str] | None = None
) -> dict[str, str]:
    """:func:`caa_names` with the catalogue itself (``bioparity comparability --catalogue FILE``; None: no
    catalogue): for its entries, ``attributes`` and ``labels``, the data file's label, else the
    catalogue's, else the code as written."""
    catalogue, given = catalogue or Catalogue(), labels or {}
    return {
        a: given.get(a) or catalogue.display_name(a)
        for a in dict.fromkeys([*catalogue.attributes, *attributes, *given])
    }


def _attribute_cell(catalogue: Catalogue, attribute: str, labels: Mapping[str, str]) -> str:
    """The main table's attribute cell: the display name (the data's label first, :func:`caa_names`), with
    the catalogue's description after a dash."""
    spec = catalogue.attributes.get(attribute)
    name = labels.get(attribute) or catalogue.display_name(attribute)
    return f"{name} — {spec.description}" if spec is not None and spec.description else name


#: Headers of the plans table (the columns of :func:`bioparity.caa.operating.plan_summary`; translated
#: where printed).
PLAN_HEADERS = (
    gettext_noop("plan"),
    gettext_noop("test lots"),
    gettext_noop("reference lots"),
    gettext_noop("comparisons"),
    gettext_noop("P(pass) equal"),
    gettext_noop("+1 s_R shift"),
    gettext_noop("+2 s_R shift"),
    gettext_noop("doubled SD"),
    gettext_noop("max MC SE"),
    gettext_noop("equivalence type I at the margin"),
    gettext_noop("large-n type I"),
    gettext_noop("spread check fails by chance (exact)"),
)


def shared_decimals(values: Iterable[Any], digits: int = 5) -> list[str]:
    """A column of numbers printed to ``digits`` significant digits, then every number of it to the most
    decimals any of them took, trailing zeros kept: no digit of a value is dropped, and the column no
    longer mixes ``0.939`` with ``0.9297`` (a reader takes a shorter number for a less precise one).
    Counts, missing values and numbers printed in exponent form are left as :func:`cell` prints them.

    >>> shared_decimals([0.9297, 0.939, 1.0, None])
    ['0.9297', '0.9390', '1.0000', '—']
    >>> shared_decimals([15, 25])
    ['15', '25']
    """
    values = list(values)
    texts = [cell(v, digits) for v in values]
    decimals = max((len(t.split(".")[1]) for t in texts if re.fullmatch(r"-?\d+\.\d+", t)), default=0)
    if not decimals:
        return texts
    return [
        fmt_fixed(float(v), decimals) if is_number(v) and re.fullmatch(r"-?\d+(\.\d+)?", t) else t
        for v, t in zip(values, texts, strict=True)
    ]


def plan_table(frame: pd.DataFrame) -> Table | None:
    """The CAA plans applied and their operating characteristics (one row per plan and lot numbers;
    probability of passing by seeded simulation, EMA/CHMP/138502/2017 section 4), with the spread
    check's false failures by chance per comparison under it
    (:func:`bioparity.caa.assessment.spread_notes`)."""
    from bioparity.caa.assessment import spread_notes
    from bioparity.caa.operating import plan_summary

    summary = plan_summary(frame)
    if summary.empty:
        return None
    # the plan described in the reader's words (its stored text is made of note templates); each column
    # of numbers to one count of decimals
    columns = [shared_decimals(summary[c].tolist()) for c in summary.columns[1:]]
    rows = tuple(
        (note_text(plan), *cells) for plan, *cells in zip(summary.iloc[:, 0].tolist(), *columns, strict=True)
    )
    numeric = tuple(pd.api.types.is_numeric_dtype(summary[c]) for c in summary.columns)
    return Table(
        _("Plans and operating characteristics (probability of passing, seeded simulation)"),
        tuple(_(h) for h in PLAN_HEADERS),
        rows,
        numeric,
        note=" ".join(note_text(n) for n in spread_notes(frame)),
    )


#: The key statistic of a comparison by its method: the message and the result column of each
#: placeholder, printed to the decimals of :func:`attribute_decimals` (counts in full).
_KEY_STATISTICS: dict[str, tuple[str, dict[str, str]]] = {
    "equivalence": (
        gettext_noop(
            "difference %(estimate)s, CI (%(lower)s, %(upper)s) within [%(low)s, %(high)s] %(unit)s"
        ),
        dict(estimate="estimate", lower="ci_lower", upper="ci_upper", low="lower_limit", high="upper_limit"),
    ),
    "quality-range": (
        gettext_noop("%(inside)s/%(n)s lots in [%(low)s, %(high)s] %(unit)s"),
        dict(inside="n_inside", n="n_test", low="lower_limit", high="upper_limit"),
    ),
    "descriptive": (
        gettext_noop("means %(test)s vs %(reference)s %(unit)s"),
        dict(test="mean_test", reference="mean_reference"),
    ),
}
_COUNTS = frozenset({"n_inside", "n_test"})
#: Between a key statistic's last number and its unit (U+00A0 NO-BREAK SPACE: never a line break there).
NO_BREAK = "\u00a0"
#: Most decimals printed for an attribute's statistics (an SD below 1e-5 in the attribute's unit).
MAX_DECIMALS = 6


def attribute_decimals(sds: Iterable[Any]) -> int | None:
    """Decimals of an attribute's means, differences and limits in the main table: those that give its
    smallest reference SD two significant digits (the precision a summary statistic can carry follows
    its SD: T. J. Cole, Too many digits: the presentation of numerical data, Arch Dis Child 2015;
    100:608-609). One count per attribute, so the bounds in a column share their decimals; for the
    example's lot SDs it is the decimals the lots are reported to. None where no SD is positive.

    >>> attribute_decimals([4.49, 4.89]), attribute_decimals([0.12]), attribute_decimals([1.5e3])
    (1, 2, 0)
    """
    positive = [float(s) for s in sds if is_number(s) and math.isfinite(float(s)) and float(s) > 0]
    if not positive:
        return None
    return min(MAX_DECIMALS, max(0, 1 - math.floor(math.log10(min(positive)))))


def _number(value: Any, decimals: int | None) -> str:
    """A mean, difference or limit of an attribute as the main table prints it: to the attribute's
    decimals (:func:`attribute_decimals`), to 4 significant digits where it has none."""
    return cell(value, 4) if decimals is None else fmt_fixed(value, decimals)


def _key_statistic(r: Mapping[str, Any], decimals: int | None) -> str:
    method = str(r.get("method") or "")
    if method in _KEY_STATISTICS:
        message, columns = _KEY_STATISTICS[method]
        values = {
            name: cell(r.get(c)) if c in _COUNTS else _number(r.get(c), decimals)
            for name, c in columns.items()
        }
        unit = str(r.get("unit") or "").strip()
        text = (_(message) % {**values, "unit": unit}).rstrip()
        # the unit stays on the line of its number and an interval on one line: a narrow column of a PDF
        # report otherwise left "%" or "mol/mol" alone on the next line, or split "[86.5," from "110.9]"
        text = re.sub(r"([\[(][^\[\]()]*?), ", rf"\1,{NO_BREAK}", text)
        return text[: -len(unit) - 1] + NO_BREAK + unit if unit and text.endswith(" " + unit) else text
    return f"{r.get('statistic', _('estimate'))} {_number(r.get('estimate'), decimals)}"


#: The operating characteristics' columns of the result, in the order of :data:`PLAN_HEADERS`.
_OC_COLUMNS: tuple[str, ...] = ("oc_equal", "oc_shift_1sd", "oc_shift_2sd", "oc_sd_doubled", "oc_mc_se_max")
_OC_COLUMNS += ("oc_equivalence_type1", "oc_equivalence_type1_limit", "oc_spread_false_failure")

#: Headers of the appendix's columns (the complete stored result table; translated where printed): CAA's
#: own words, since the registry's keys mean other things in other kinds (its ``n_test`` is a count of
#: lots here but of subjects in PK similarity, its ``ci_lower`` a percent in bioequivalence but a
#: difference in the attribute's unit here). Columns in the attribute's unit say so: the unit column is
#: printed in every panel. A column absent here (added by a later version) is headed by its stored name.
APPENDIX_HEADERS: dict[str, str] = {
    ATTRIBUTE: gettext_noop("attribute"),
    COMPARISON: gettext_noop("comparison"),
    TEST_SOURCE: gettext_noop("test source"),
    REFERENCE_SOURCE: gettext_noop("reference source"),
    METHOD: gettext_noop("method"),
    TIER: gettext_noop("tier"),
    "direction": gettext_noop("direction"),
    "unit": gettext_noop("unit"),
    N_TEST: gettext_noop("test lots"),
    N_REFERENCE: gettext_noop("reference lots"),
    "mean_test": gettext_noop("mean test (in unit)"),
    "sd_test": gettext_noop("SD test (in unit)"),
    "mean_reference": gettext_noop("mean reference (in unit)"),
    "sd_reference": gettext_noop("SD reference (in unit)"),
    "statistic": gettext_noop("statistic"),
    "estimate": gettext_noop("estimate"),
    "lower_limit": gettext_noop("lower limit (in unit)"),
    "upper_limit": gettext_noop("upper limit (in unit)"),
    "ci_lower": gettext_noop("CI lower bound (in unit)"),
    "ci_upper": gettext_noop("CI upper bound (in unit)"),
    "factor": gettext_noop("k of the quality range (mean ± k SD)"),
    "n_inside": gettext_noop("test lots inside"),
    "fraction_inside": gettext_noop("fraction of test lots inside"),
    "required_fraction": gettext_noop("fraction required inside"),
    STATUS: gettext_noop("verdict"),
    PASSED: gettext_noop("passed"),
    "reasons": gettext_noop("reasons"),
    "outlier_lots": gettext_noop("outlier lots"),
    "n_missing": gettext_noop("missing values"),
    "settings": gettext_noop("settings"),
    "plan_name": gettext_noop("plan code"),
    "region": gettext_noop("region filed"),
    "sd_ratio": gettext_noop("SD ratio s_T/s_R"),
    "sd_ratio_margin": gettext_noop("margin of the SD ratio"),
    "spread_status": gettext_noop("spread check"),
    "sensitivity_method": gettext_noop("sensitivity analysis"),
    "sensitivity_status": gettext_noop("sensitivity verdict"),
    "sensitivity_reasons": gettext_noop("sensitivity reasons"),
    "min_reference_lots": gettext_noop("minimum reference lots"),
    "min_test_lots": gettext_noop("minimum test lots"),
    "lot_justification": gettext_noop("justification of the lot numbers"),
    "oc_simulations": gettext_noop("simulations of the operating characteristics"),
    "oc_seed": gettext_noop("random seed"),
    # the plan and its operating characteristics under the plans table's headers (PLAN_HEADERS)
    "plan": PLAN_HEADERS[0],
    **dict(zip(_OC_COLUMNS, PLAN_HEADERS[4:], strict=True)),
}
#: Columns in the attribute's unit, printed to its decimals as the main table (:func:`_number`).
_IN_UNIT: tuple[str, ...] = (
    "mean_test",
    "sd_test",
    "mean_reference",
    "sd_reference",
    "lower_limit",
    "upper_limit",
)
_IN_UNIT += ("ci_lower", "ci_upper")
#: Ratios and fractions to three significant digits, as the reasons print them (``s_T/s_R = 0.987``).
_RATIOS = ("sd_ratio", "fraction_inside", "required_fraction")


#: The catalogue settings a comparison records in its ``settings`` cell (``k=2.5; min_fraction=0.9; ...``,
#: :func:`bioparity.caa.assessment.assess`), in the appendix's words; a setting absent here is printed by
#: its stored name.
SETTING_LABELS: dict[str, str] = {
    "k": APPENDIX_HEADERS["factor"],
    "min_fraction": APPENDIX_HEADERS["required_fraction"],
    "min_reference_lots": APPENDIX_HEADERS["min_reference_lots"],
    "min_test_lots": APPENDIX_HEADERS["min_test_lots"],
    "sd_ratio_margin": APPENDIX_HEADERS["sd_ratio_margin"],
    "lot_justification": APPENDIX_HEADERS["lot_justification"],
    "sensitivity": APPENDIX_HEADERS["sensitivity_method"],
    "margin_multiplier": gettext_noop("margin multiplier (× SD_R)"),
    "alpha": gettext_noop("significance level α"),
    "variance": gettext_noop("variance model"),
    "coverage": gettext_noop("coverage of the tolerance interval"),
    "confidence": gettext_noop("confidence of the tolerance interval"),
    "tolerance_method": gettext_noop("tolerance interval method"),
}
#: Where a setting starts in a ``settings`` cell: at its start or after ``"; "``, ``name=``.
_SETTING_START = re.compile(r"(?:^|; )([a-z_]+)=")
#: A setting with one of its own in brackets: ``equivalence (margin_multiplier=1.5)``.
_SETTING_WITH = re.compile(r"(\S+) \(([a-z_]+)=(.*)\)")


def _setting(key: str, value: str) -> str:
    """One recorded setting as ``label: value`` in the reader's words (:data:`SETTING_LABELS`, the value's
    code by :func:`~bioparity.analyses.terms.value_words` or :func:`term`)."""
    inner = _SETTING_WITH.fullmatch(value)
    if inner is not None:
        value = _("%(value)s (%(detail)s)") % {
            "value": term(inner[1]),
            "detail": _setting(inner[2], inner[3]),
        }
    elif value_words(key, value) == value:
        value = term(value)
    return setting_text(key, value, _(SETTING_LABELS[key]) if key in SETTING_LABELS else key)


def settings_text(text: str) -> str:
    """A comparison's recorded ``settings`` cell in the reader's words, each setting under its label
    (``k=2.5; sensitivity=equivalence (margin_multiplier=1.5)`` -> ``k of the quality range (mean ± k SD):
    2.5; sensitivity analysis: equivalence test (margin multiplier (× SD_R): 1.5)``); a cell that does not
    start with a setting as stored.

    Examples
    --------
    >>> settings_text("k=3.0; min_test_lots=10")
    'k of the quality range (mean ± k SD): 3.0; minimum test lots: 10'
    >>> from bioparity.i18n import use_language
    >>> with use_language("zh-CN"):
    ...     settings_text("sensitivity=equivalence (margin_multiplier=1.5)")
    '敏感性分析：等效性检验（界值倍数（× SD_R）：1.5）'
    """
    starts = list(_SETTING_START.finditer(text))
    if not starts or starts[0].start() != 0:
        return text
    ends = [m.start() for m in starts[1:]] + [len(text)]
    return _("; ").join(_setting(m[1], text[m.end() : end]) for m, end in zip(starts, ends, strict=True))


#: Columns of stored codes, printed in the reader's words (:func:`~bioparity.analyses.terms.term`:
#: ``quality-range`` -> 质量范围), and of stored notes, printed in the reader's language
#: (:func:`~bioparity.i18n.notes.note_text`); the stored result (and its CSV) keeps the codes and English.
_CODED: tuple[str, ...] = (METHOD, "direction", "statistic", STATUS, "spread_status")
_CODED += ("sensitivity_method", "sensitivity_status")
_NOTES = ("reasons", "plan", "sensitivity_reasons")


def _appendix(frame: pd.DataFrame) -> list[Table]:
    """The complete result table under :data:`APPENDIX_HEADERS`, the attribute's unit in every panel, its
    means, SDs, limits, CI bounds and differences to the main table's decimals; operating characteristics
    to the plans table's 5 significant digits; codes in words and notes in the reader's language (the
    main table's). The stored numbers are not changed (``numbers``)."""
    text = frame.astype(object)
    for c in _CODED:
        if c in frame.columns:
            text[c] = [term(v) if isinstance(v, str) else v for v in frame[c]]
    for c in _NOTES:
        if c in frame.columns:
            text[c] = [note_text(v) if isinstance(v, str) else v for v in frame[c]]
    if "settings" in frame.columns:
        text["settings"] = [settings_text(v) if isinstance(v, str) else v for v in frame["settings"]]
    text[COMPARISON] = [comparison_words(v) for v in frame[COMPARISON]]  # the sources' codes as stored
    decimals = {a: attribute_decimals(g.get("sd_reference", ())) for a, g in frame.groupby(ATTRIBUTE)}
    places = [decimals.get(a) for a in frame[ATTRIBUTE]]
    # a fraction inside (quality range) is no difference in the unit: printed as the fractions are
    fractions = frame.get("statistic", pd.Series("", index=frame.index)).astype(str) == "fraction_inside"
    for c in [*_IN_UNIT, "estimate"]:
        if c in frame.columns:
            text[c] = [_number(v, d) for v, d in zip(frame[c], places, strict=True)]
    if "estimate" in frame.columns and fractions.any():  # the fractions to shared decimals: 1.000
        shared = iter(shared_decimals(frame.loc[fractions, "estimate"].tolist(), 3))
        estimates = zip(text["estimate"], fractions, strict=True)
        text["estimate"] = [next(shared) if f else t for t, f in estimates]
    headers = {c: _(h) for c, h in APPENDIX_HEADERS.items()}
    digits = {**dict.fromkeys(_RATIOS, 3), **dict.fromkeys(_OC_COLUMNS, 5)}
    keys = [ATTRIBUTE, COMPARISON, "unit"]
    title = _("Complete CAA result")
    return panels(text, keys, title, headers=headers, numbers=frame, column_digits=digits)


def _verdict_cell(r: Mapping[str, Any] | None, decimals: int | None) -> str:
    """A comparison's cell of the main table: ``verdict: key statistic`` in the reader's words (a dash
    for a comparison the attribute does not have)."""
    if r is None:
        return "—"
    return _("%(label)s: %(value)s") % {"label": term(r["status"]), "value": _key_statistic(r, decimals)}


def caa_tables(frame: pd.DataFrame, options: Mapping[str, Any] | None = None) -> ReportTables:
    """One row per attribute: name, tier, method, and per comparison the verdict and key statistic; the
    plans applied with their operating characteristics as an extra table."""
    if not {ATTRIBUTE, COMPARISON, STATUS} <= set(frame.columns):
        return generic_tables(frame)
    catalogue = _named_catalogue(options or {})
    labels = file_labels(frame)  # a comparability file's label column (a CAA result has none)
    comparisons = list(dict.fromkeys(frame["comparison"].astype(str)))
    rows, css = [], []
    for attribute, g in frame.groupby("attribute", sort=False):
        by = {str(r["comparison"]): r for r in frame_records(g)}
        decimals = attribute_decimals(g.get("sd_reference", ()))
        first = g.iloc[0]
        cells = [
            _attribute_cell(catalogue, str(attribute), labels),
            cell(first.get("tier")),
            term(first.get("method") or ""),
        ]
        cells += [_verdict_cell(by.get(c), decimals) for c in comparisons]
        rows.append(tuple(cells))
        css.append("fail" if (g["status"].astype(str) == "fail").any() else "")
    main = Table(
        _("Comparative analytical assessment: verdict and key statistic per attribute and comparison"),
        (_("attribute"), _("tier"), _("method"), *(comparison_words(c) for c in comparisons)),
        tuple(rows),
        (False, True, False, *([False] * len(comparisons))),
        css=tuple(css),
        wide=True,
        note=_("Reasons, settings and every statistic per comparison are in the appendix."),
    )
    plans = plan_table(frame)
    note = _(
        ", means, SDs, limits, CI bounds and differences in the attribute's unit (column unit) to the "
        "decimals of the main table"
    )
    return ReportTables(
        (main,), tuple(_appendix(frame)), extra=() if plans is None else (plans,), appendix_note=note
    )


def _statuses(rows: list[Any], columns: list[Any]) -> list[str]:
    if STATUS not in columns:
        return []
    i = columns.index(STATUS)
    return [str(r[i]) for r in rows]


def caa_summary(result: Mapping[str, Any], options: Mapping[str, Any]) -> str:
    """``12 attributes, 36 comparisons: 2 fail, 34 pass``."""
    columns, rows = list(result.get("columns") or []), list(result.get("rows") or [])
    statuses = _statuses(rows, columns)
    attributes = {r[columns.index(ATTRIBUTE)] for r in rows} if ATTRIBUTE in columns else set()
    counts = _(ITEM_SEPARATOR).join(f"{statuses.count(s)} {term(s)}" for s in sorted(set(statuses)))
    return _("%(attributes)d attributes, %(comparisons)d comparisons: %(counts)s") % {
        "attributes": len(attributes),
        "comparisons": len(rows),
        "counts": counts or _("none decided"),
    }


def caa_flags(table: pd.DataFrame, options: Mapping[str, Any]) -> list[tuple[str, int]]:
    """Comparisons per status (pass, fail, descriptive, ...)."""
    statuses = _statuses(table.values.tolist(), list(table.columns))
    return [
        (_("comparisons %(status)s") % {"status": term(s)}, statuses.count(s)) for s in sorted(set(statuses))
    ]


PLOT_NOTE = gettext_noop(
    "Lot values by source (bar: mean) with each comparison's acceptance range or interval shaded; "
    "attributes with a failed comparison first."
)


def caa_figures(run: RunView) -> list[Figure]:
    """One plot per attribute (lots of the run's dataset by source, acceptance ranges shaded), failed
    attributes first: the run page shows the one chosen with ``?attribute=``, the report all."""
    stored = run.chain[0].load() if run.chain else None
    if stored is None:
        return []
    try:
        lots = lot_table(stored)
    except InputError:
        return []
    records = run.records
    attributes = caa_attributes(records)
    names = caa_names(run.options, attributes)
    out = []
    for attribute in attributes:
        plot = caa_plot(lots, records, attribute, names)
        if plot is not None:
            label = _("Lot values by source with the acceptance ranges, %(attribute)s") % {
                "attribute": names[attribute]
            }
            out.append(
                Figure(
                    "caa",
                    _("Attribute plot"),
                    label,
                    plot,
                    series="attribute",
                    item=attribute,
                    group_title=_("Attribute plots"),
                    note=_(PLOT_NOTE),
                )
            )
    return out


CAA = Analysis(
    name=NAME,
    # reference sets of bioparity validate (MANIFEST.yaml)
    validation=(
        "caa-engine-r",
        "tolerance-vectors",
        "iso16269-two-sided",
        "montgomery-one-sided",
        "wilks-min-lots",
    ),
    title=gettext_noop("Comparative analytical assessment"),
    description=gettext_noop(
        "Comparative analytical assessment: every attribute, every comparison (tier from the data)"
    ),
    read=read_caa,
    compute=caa_kind,
    options=(
        CATALOGUE_OPTION,
        PLAN_OPTION,
        Option(
            "region",
            gettext_noop(
                "region filed, sets the EU/US bridge direction: ema, fda or '' (alphabetical, noted)"
            ),
            "",
            ("", "ema", "fda"),
        ),
        yes_no(
            "pool_references",
            gettext_noop("true to add a pooled-reference comparison where every bridge passed"),
        ),
    ),
    tables=caa_tables,
    summary=caa_summary,
    flags=caa_flags,
    figures=caa_figures,
    follows=("potency",),
    study_kinds=("caa",),
    example=example_file(
        "caa-lots.csv", lambda: example_paths()[0].read_bytes(), {"catalogue": "igg1-mab-example"}
    ),
)

ANALYSES = (CAA,)
