"""ADA assay cut points: the ``ada-cutpoint`` kind (screening, confirmatory and titration cut points).

The reader and the numbers are those of ``bioparity ada-cutpoint``: validation data of drug-naive donors
(``donor, run, signal`` + optional ``signal_drug`` for the confirmatory tier, ``nc``, ``analyst``,
``plate``), the transformation chosen by skewness and normality, analytical and biological outliers
removed by the boxplot rule (stated per step, never silent; quartiles by R type 7 or Tukey's hinges as
R's ``boxplot.stats``, option ``outlier_quartiles``, stated in the result), the variance components by REML
and the comparison of run means and variances deciding a fixed or floating cut point, and the parametric
(mean + z·SD), robust (median + z·1.4826·MAD), nonparametric (R quantile type 7 by default) and
lower-confidence-limit estimates (Shankar et al. 2008, J Pharm Biomed Anal 48:1267, sections 3 and
Appendix; Devanarayan et al. 2017, AAPS J 19:1487; FDA, Immunogenicity Testing of Therapeutic Protein
Products - Developing and Validating Assays for Anti-Drug Antibody Detection, 2019, section IV.B).
The confirmatory cut point is taken on the % inhibition of the signal by excess drug.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as sps

from bioparity._results import plain
from bioparity.analyses.contract import Analysis, InputColumn, Option, RunView, example_file
from bioparity.analyses.figures import Figure, Line, RefLine, XYPlot
from bioparity.analyses.frames import frame_records, frame_result, result_records
from bioparity.analyses.options import flag_option, number_option, optional_number, text_option, yes_no
from bioparity.analyses.tables import ReportTables, Table, cell, generic_tables, is_number, panels
from bioparity.analyses.terms import term, value_words
from bioparity.bioassay import CutPointResult, inhibition, screening_and_confirmatory
from bioparity.bioassay.cutpoint import DYNAMIC_TYPES, NORMALITY_VALUES, NORMALIZATION_RULES
from bioparity.bioassay.results import SCALE_WORDS
from bioparity.bioassay.stats import DEFAULT_OUTLIER_QUARTILES, OUTLIER_QUARTILES
from bioparity.i18n import gettext as _
from bioparity.i18n import gettext_noop
from bioparity.i18n.notes import LABELLED
from bioparity.io.bioassay import CUTPOINT_COLUMNS, read_cutpoint_data

NAME = "ada-cutpoint"
#: Columns of the stored result table (one row per tier and estimate).
TIER, ESTIMATE, SELECTED, CUT_POINT = "tier", "estimate", "selected", "cut_point"
FPR, TRANSFORM, METHOD, CUT_POINT_TYPE = "fpr", "transform", "method", "cut_point_type"
N_OUTLIERS, OUTLIERS, NOTES = "n_outliers", "outliers", "notes"
ESTIMATES = ("parametric", "robust", "nonparametric", "parametric_lcl")

_HELP = {
    "donor": "drug-naive donor (individual sample)",
    "run": "assay run",
    "signal": "screening signal (e.g. S/N or OD)",
    "signal_drug": "signal with excess drug (confirmatory tier: % inhibition)",
    "nc": "negative control of the plate (> 0; normalisation)",
    "analyst": "analyst",
    "plate": "plate",
}
COLUMNS = tuple(InputColumn(c.name, c.required, _HELP[c.name]) for c in CUTPOINT_COLUMNS)


def ada_cutpoint_kind(frame: pd.DataFrame, options: Mapping[str, Any]) -> dict[str, Any]:
    """Each tier's cut point with every estimate and decision (``bioparity ada-cutpoint``)."""
    results = screening_and_confirmatory(
        frame,
        fpr=number_option(options, "fpr", 0.05),
        confirm_fpr=optional_number(options, "confirm_fpr"),
        titration_fpr=optional_number(options, "titration_fpr"),
        transform=text_option(options, "transform", "auto"),
        method=text_option(options, "method", "auto"),
        quantile_type=int(number_option(options, "quantile_type", 7)),
        remove_outliers=flag_option(options, "remove_outliers", True),
        outlier_quartiles=text_option(options, OUTLIER_QUARTILES_OPTION, DEFAULT_OUTLIER_QUARTILES),
        # a run queued or stored before the option took the stored field's spelling names it normalisation
        normalization=text_option(options, "normalization", text_option(options, "normalisation", "auto")),
    )
    return cut_point_result(results)


def cut_point_result(results: Sequence[CutPointResult]) -> dict[str, Any]:
    """The JSON result of the tiers' cut points, as a run of the kind stores it and ``bioparity
    ada-cutpoint --format json`` prints it: the table (one row per tier and estimate, ``columns``,
    ``rows``, ``n_rows``), the values removed as outliers (``removed_values``) and the notes, each
    labelled with its tier.

    Parameters
    ----------
    results : sequence of CutPointResult
        The tiers' results (:func:`bioparity.bioassay.screening_and_confirmatory`).

    Returns
    -------
    dict
        JSON values (a missing number ``null``).
    """
    table = pd.concat([r.to_frame() for r in results], ignore_index=True)
    removed = [{TIER: r.tier, **plain(o)} for r in results for o in r.outliers]
    notes = [LABELLED.format(label=r.tier.capitalize(), note=note) for r in results for note in r.notes]
    return frame_result(table, removed_values=removed, notes=notes)


def _selected(frame: pd.DataFrame) -> pd.DataFrame:
    """The reported estimate of each tier (one row per tier)."""
    return frame[frame[SELECTED].astype(bool)] if SELECTED in frame.columns else frame.iloc[0:0]


def _scale(r: Mapping[str, Any]) -> str:
    if r.get(TIER) == "confirmatory":
        return _("% inhibition")
    return _("log") if r.get(TRANSFORM) == "log" else _("signal")


def _cut_point_row(r: Mapping[str, Any]) -> tuple[str, ...]:
    factor = r.get("normalization_factor")
    normalisation = term(r.get("normalization") or "none")
    if isinstance(factor, (int, float)) and math.isfinite(factor):
        normalisation += _(" (factor %(factor)s)") % {"factor": cell(factor, 5)}
    return (
        term(r[TIER]),
        f"{100 * float(r[FPR]):g}%",
        _scale(r),
        value_words(METHOD, r.get(METHOD)),
        cell(r.get(CUT_POINT), 5),
        *(cell(r.get(e), 5) for e in ESTIMATES),
        f"{term(r.get(CUT_POINT_TYPE))}; {normalisation}",
        f"{cell(r.get('n_donors'))} x {cell(r.get('n_runs'))} ({cell(r.get('n_values'))})",
        cell(r.get(N_OUTLIERS)),
    )


#: The column and option of the boxplot rule's quartiles (a result stored before it was: type 7).
OUTLIER_QUARTILES_OPTION = "outlier_quartiles"


def quartiles_words(method: Any) -> str:
    """How the boxplot rule's quartiles were computed, in the reader's words (type 7 when not stored)."""
    return value_words(
        OUTLIER_QUARTILES_OPTION, method if isinstance(method, str) and method else DEFAULT_OUTLIER_QUARTILES
    )


#: English ordinal suffix -> the ordinal's words (zh-CN: 第 95), for "the 95th percentile".
_ORDINALS = {
    "st": gettext_noop("%(number)sst"),
    "nd": gettext_noop("%(number)snd"),
    "rd": gettext_noop("%(number)srd"),
    "th": gettext_noop("%(number)sth"),
}


def percentile_words(fpr: float) -> str:
    """The ``100 (1 - fpr)``-th percentile as an ordinal in the reader's words (``95th``, ``99.9th``)."""
    number = f"{100 * (1 - float(fpr)):.10g}"
    whole = int(number) if number.isdigit() else None
    suffix = "th"
    if whole is not None and whole % 100 not in (11, 12, 13):
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(whole % 10, "th")
    return _(_ORDINALS[suffix]) % {"number": number}


def scale_words(transform: Any) -> str:
    """The analysis scale of a tier in words in the current language: ``no transformation`` or ``log
    scale`` (:data:`bioparity.bioassay.results.SCALE_WORDS`, the wording of
    :meth:`~bioparity.bioassay.CutPointResult.summary`), else the code."""
    words = SCALE_WORDS.get(str(transform))
    return str(transform) if words is None else _(words)


def estimate_words(method: Any, fpr: float) -> str:
    """A reported estimate with its rule in words: ``parametric, mean + 1.645 SD``, ``robust, median +
    1.645 x 1.4826 MAD``, ``nonparametric 95th percentile`` (Shankar 2008, Appendix 1 section 4;
    Devanarayan 2017, "Cut point computation"); ``parametric_lcl`` and other codes through
    :func:`value_words`.
    """
    z = f"{sps.norm.ppf(1.0 - float(fpr)):.4g}"
    if method == "parametric":
        return _("parametric, mean + %(z)s SD") % {"z": z}
    if method == "robust":
        return _("robust, median + %(z)s x 1.4826 MAD") % {"z": z}
    if method == "nonparametric":
        return _("nonparametric %(percentile)s percentile") % {"percentile": percentile_words(fpr)}
    return value_words(METHOD, method)


#: Cut-point type -> its words with what decided it (Shankar 2008, Appendix 1 section 3); an earlier
#: version's ``floating (variances differ)`` is read as dynamic (:mod:`bioparity.bioassay.classify`).
_TYPE_WORDS = {
    "fixed": gettext_noop("fixed cut point"),
    "floating": gettext_noop("floating cut point (run means differ)"),
    **dict.fromkeys(DYNAMIC_TYPES, gettext_noop("dynamic cut point (run variances differ)")),
}


def cut_point_type_words(kind: Any) -> str:
    """``fixed cut point``, ``floating cut point (run means differ)`` or ``dynamic cut point (run variances
    differ)`` in the reader's words; any other value through :func:`term`."""
    words = _TYPE_WORDS.get(str(kind))
    return term(kind) if words is None else _(words)


def _four_digits(value: Any) -> Any:
    """A number rounded to 4 significant digits (still a number: right-aligned in the table)."""
    return float(f"{value:.4g}") if is_number(value) and math.isfinite(value) else value


def ada_tables(frame: pd.DataFrame, options: Mapping[str, Any] | None = None) -> ReportTables:
    """The cut point of each tier with every estimate, the variance components and distribution checks,
    the complete result in the appendix (the decisions and the outliers removed are the result's notes)."""
    if not {TIER, SELECTED, CUT_POINT, FPR} <= set(frame.columns):
        return generic_tables(frame)
    chosen = _selected(frame)
    records = frame_records(chosen)
    main = Table(
        _("ADA cut points per tier (data scale; the reported estimate and every alternative)"),
        (
            _("tier"),
            _("FPR"),
            _("scale"),
            _("reported"),
            _("cut point"),
            _("parametric"),
            _("robust"),
            _("nonparametric"),
            _("parametric LCL"),
            _("type; normalisation"),
            _("donors x runs (values)"),
            _("outliers removed"),
        ),
        tuple(_cut_point_row(r) for r in records),
        (False, True, False, False, True, True, True, True, True, False, False, True),
        wide=True,
        note=_(
            "Parametric: mean + z·SD; robust: median + z·1.4826·MAD; nonparametric: the empirical "
            "quantile; parametric LCL: the lower confidence limit of the parametric percentile "
            "(Devanarayan 2017). Fixed, floating or dynamic after comparing run means and variances "
            "(dynamic: the pooled value for reference; each in-study run needs its own cut point)."
        )
        + " "
        + _("Outliers: boxplot rule (outside Q1 - 1.5 IQR, Q3 + 1.5 IQR), quartiles by %(quartiles)s.")
        % {"quartiles": quartiles_words(records[0].get(OUTLIER_QUARTILES_OPTION) if records else None)},
    )
    columns = {
        TIER: _("tier"),
        "var_donor": _("var donor"),
        "var_residual": _("var residual"),
        "run_means_p": _("p run means"),
        "run_variances_p": _("p run var"),
        "skewness_raw": _("skew raw, before outliers"),
        "skewness_log": _("skew log, before outliers"),
        "shapiro_n": _("Shapiro-Wilk on donor means: n"),
        "shapiro_w": _("W"),
        "shapiro_p": _("Shapiro p"),
        "mean_t": _("mean"),
        "sd_t": _("SD"),
        "median_t": _("median"),
        "mad_t": _("MAD"),
    }
    shown = chosen[[c for c in columns if c in chosen.columns]].map(_four_digits)
    components = panels(
        shown, [TIER], _("Variance components (REML) and distribution (analysis scale)"), headers=columns
    )
    appendix = panels(
        frame,
        [TIER, ESTIMATE],
        _("Complete cut-point result"),
        headers={c: _(h) for c, h in APPENDIX_HEADERS.items()},
        column_digits=APPENDIX_DIGITS,
    )
    note = _(
        ", cut points on the data scale to 5, variance components and distribution statistics to 4 "
        "significant digits as in the main tables"
    )
    return ReportTables((main, *components), tuple(appendix), appendix_note=note)


#: Headers of the appendix's columns (the complete stored result; translated where printed): the kind's own
#: words (``_t``: on the analysis scale, the log of the signal when the tier is log-transformed). A column
#: absent here (added by a later version) is headed by its stored name.
APPENDIX_HEADERS: dict[str, str] = {
    TIER: gettext_noop("tier"),
    ESTIMATE: gettext_noop("estimate"),
    "cut_point_estimate": gettext_noop("cut point of the estimate"),
    "cut_point_estimate_t": gettext_noop("cut point of the estimate (analysis scale)"),
    SELECTED: gettext_noop("reported estimate"),
    FPR: gettext_noop("FPR"),
    TRANSFORM: gettext_noop("analysis scale"),
    METHOD: gettext_noop("reported"),
    CUT_POINT: gettext_noop("cut point"),
    "parametric": gettext_noop("parametric"),
    "robust": gettext_noop("robust"),
    "nonparametric": gettext_noop("nonparametric"),
    "parametric_lcl": gettext_noop("parametric LCL"),
    "parametric_t": gettext_noop("parametric (analysis scale)"),
    "robust_t": gettext_noop("robust (analysis scale)"),
    "nonparametric_t": gettext_noop("nonparametric (analysis scale)"),
    "parametric_lcl_t": gettext_noop("parametric LCL (analysis scale)"),
    "mean_t": gettext_noop("mean (analysis scale)"),
    "sd_t": gettext_noop("SD (analysis scale)"),
    "median_t": gettext_noop("median (analysis scale)"),
    "mad_t": gettext_noop("MAD (analysis scale)"),
    "n_donors": gettext_noop("donors"),
    "n_runs": gettext_noop("assay runs"),
    "n_values": gettext_noop("values analysed"),
    "var_donor": gettext_noop("var donor"),
    "var_residual": gettext_noop("var residual"),
    "run_means_p": gettext_noop("p run means"),
    "run_variances_p": gettext_noop("p run var"),
    CUT_POINT_TYPE: gettext_noop("cut point type"),
    "normalization": gettext_noop("normalisation"),
    "normalization_factor": gettext_noop("normalisation factor"),
    # the transform's skewness (every donor x run value before the outlier steps), beside the mean, SD,
    # median and MAD of the values analysed: the header says which values
    "skewness_raw": gettext_noop("skewness of the raw donor x run values before the outlier steps"),
    "skewness_log": gettext_noop("skewness of the log donor x run values before the outlier steps"),
    "shapiro_p": gettext_noop("Shapiro p"),
    "shapiro_w": gettext_noop("Shapiro-Wilk W"),
    "shapiro_n": gettext_noop("values tested for normality"),
    "normality_values": gettext_noop("values tested for normality (Shapiro-Wilk)"),
    "quantile_type": gettext_noop("quantile type"),
    "lcl_confidence": gettext_noop("confidence level of the parametric LCL"),
    "software_version": gettext_noop("software version"),
    N_OUTLIERS: gettext_noop("outliers removed"),
    OUTLIER_QUARTILES_OPTION: gettext_noop("quartiles of the outlier rule"),
    OUTLIERS: gettext_noop("outliers"),
    NOTES: gettext_noop("notes"),
}
#: Significant digits of the appendix's numbers that the main tables print: the cut points on the data
#: scale and the normalisation factor to 5 (:func:`_cut_point_row`), the variance components and
#: distribution statistics to 4 (:func:`_four_digits`).
APPENDIX_DIGITS: dict[str, int] = {
    **dict.fromkeys(("cut_point_estimate", CUT_POINT, *ESTIMATES, "normalization_factor"), 5),
    **dict.fromkeys(("var_donor", "var_residual", "run_means_p", "run_variances_p"), 4),
    **dict.fromkeys(
        ("skewness_raw", "skewness_log", "shapiro_p", "shapiro_w", "mean_t", "sd_t", "median_t", "mad_t"), 4
    ),
}


def ada_summary(result: Mapping[str, Any], options: Mapping[str, Any]) -> str:
    """``screening cut point 1.52 (parametric, log scale, FPR 5%, fixed); confirmatory cut point 13.28 %
    inhibition (parametric, FPR 1%, fixed); outliers removed: screening 1, confirmatory 0``."""
    chosen = [r for r in result_records(result) if r.get(SELECTED)]
    parts = []
    for r in chosen:
        confirmatory = r.get(TIER) == "confirmatory"
        parts.append(
            _("%(tier)s cut point %(value)s%(unit)s (%(method)s%(scale)s, FPR %(fpr)s%%, %(type)s)")
            % {
                "tier": term(r.get(TIER)),
                "value": cell(r.get(CUT_POINT), 4),
                "unit": _(" % inhibition") if confirmatory else "",
                "method": term(r.get(METHOD)),
                "scale": "" if confirmatory else ", " + scale_words(r.get(TRANSFORM)),
                "fpr": f"{100 * float(r.get(FPR) or 0):g}",
                "type": term(r.get(CUT_POINT_TYPE)),
            }
        )
    removed = ", ".join(f"{term(r.get(TIER))} {int(r.get(N_OUTLIERS) or 0)}" for r in chosen)
    tested = [
        _("%(tier)s normality: %(test)s") % {"tier": term(r.get(TIER)), "test": normality_words(r)}
        for r in chosen
        if normality_words(r)
    ]
    return (
        "; ".join(parts)
        + _("; outliers removed: %(removed)s") % {"removed": removed}
        + "".join(f"; {words}" for words in tested)
    )


#: A result stored before the test was on donor means: its p is that of every donor x run value.
SHAPIRO_ALL_VALUES = gettext_noop("Shapiro-Wilk on every donor-run value p = %(p)s")


def normality_words(r: Mapping[str, Any]) -> str:
    """``Shapiro-Wilk on 23 donor means p = 0.0588`` (the values the normality test of
    ``method = auto`` took, :mod:`bioparity.bioassay.cutpoint` step 5); ``""`` for a result stored before
    the test was on donor means (no ``shapiro_n``)."""
    n: Any = r.get("shapiro_n")
    if r.get("normality_values") != NORMALITY_VALUES or not is_number(n) or not math.isfinite(n):
        return ""
    return _("Shapiro-Wilk on %(n)d donor means p = %(p)s") % {"n": int(n), "p": cell(r.get("shapiro_p"), 3)}


def ada_flags(table: pd.DataFrame, options: Mapping[str, Any]) -> list[tuple[str, int]]:
    """Outliers removed (values or donors, counted per tier), tiers with a floating cut point and tiers with a
    dynamic one (run variances differ: no one cut point applies to in-study runs)."""
    chosen = _selected(table) if TIER in table.columns else table.iloc[0:0]
    outliers = pd.to_numeric(chosen.get(N_OUTLIERS, pd.Series(dtype=float)), errors="coerce").fillna(0)
    types = chosen.get(CUT_POINT_TYPE, pd.Series(dtype=str))
    return [
        (_("outliers removed (values or donors, all tiers)"), int(outliers.sum())),
        (_("tiers with a floating cut point"), int((types == "floating").sum())),
        (_("tiers with a dynamic cut point (run variances differ)"), int(types.isin(DYNAMIC_TYPES).sum())),
    ]


#: The series of the values removed as outliers (translated where the figure is built).
REMOVED = gettext_noop("removed as outlier")


def screening_figure(
    data: pd.DataFrame, chosen: Mapping[str, Any], removed: list[Mapping[str, Any]]
) -> XYPlot:
    """The screening signals per run against the donor's index (order of first appearance), the values
    removed as outliers apart, and the screening cut point (data scale; log axis when the cut point was
    estimated on logs)."""
    donors = list(dict.fromkeys(data["donor"].astype(str)))
    index = data["donor"].astype(str).map({d: i + 1 for i, d in enumerate(donors)}).astype(float)
    run = data["run"].astype(str)
    gone_donors = {str(o["donor"]) for o in removed if not o.get("run")}
    gone_values = {(str(o["donor"]), str(o["run"])) for o in removed if o.get("run")}
    is_removed = pd.Series(
        [
            d in gone_donors or (d, r) in gone_values
            for d, r in zip(data["donor"].astype(str), run, strict=True)
        ],
        index=data.index,
    )
    signal = data["signal"].astype(float)
    points = [
        Line(_("run %(run)s") % {"run": name}, index[idx].tolist(), signal[idx].tolist())
        for name, idx in data[~is_removed].groupby(run[~is_removed], sort=True).groups.items()
    ]
    if is_removed.any():
        points.append(Line(_(REMOVED), index[is_removed].tolist(), signal[is_removed].tolist()))
    cut = float(chosen[CUT_POINT])
    return XYPlot(
        _(
            "Screening signals of %(donors)d donors: cut point %(cut)s (%(method)s, %(transform)s scale, "
            "FPR %(fpr)s%%, %(type)s)"
        )
        % {
            "donors": len(donors),
            "cut": cell(cut, 4),
            "method": term(chosen.get(METHOD)),
            "transform": term(chosen.get(TRANSFORM)),
            "fpr": f"{100 * float(chosen[FPR]):g}",
            "type": term(chosen.get(CUT_POINT_TYPE)),
        },
        _("donor (order in the file)"),
        _("screening signal"),
        points=tuple(points),
        hlines=(RefLine(_("screening cut point %(cut)s") % {"cut": cell(cut, 4)}, cut),),
        log_y=chosen.get(TRANSFORM) == "log",
    )


def analysed_values(
    data: pd.DataFrame, chosen: Mapping[str, Any], removed: list[Mapping[str, Any]]
) -> pd.Series:
    """The values a tier's cut point was computed from, rebuilt from the input: per donor and run the
    mean signal (screening, titration) or mean % inhibition (confirmatory), the values and donors removed
    as outliers left out, on the analysis scale (logs when the tier took them); indexed by donor and run."""
    if chosen.get(TIER) == "confirmatory":
        value = inhibition(data["signal"].to_numpy(float), data["signal_drug"].to_numpy(float))
    else:
        value = data["signal"].to_numpy(float)
    frame = pd.DataFrame({"donor": data["donor"].astype(str), "run": data["run"].astype(str), "value": value})
    means = frame.groupby(["donor", "run"], sort=True)["value"].mean()
    gone_donors = {str(o["donor"]) for o in removed if not o.get("run")}
    gone_values = {(str(o["donor"]), str(o["run"])) for o in removed if o.get("run")}
    keep = [d not in gone_donors and (d, r) not in gone_values for d, r in means.index]
    kept = means[keep]
    return np.log(kept) if chosen.get(TRANSFORM) == "log" else kept


def _scale_label(chosen: Mapping[str, Any]) -> str:
    if chosen.get(TIER) == "confirmatory":
        return _("% inhibition")
    return _("ln signal") if chosen.get(TRANSFORM) == "log" else _("signal")


def _cut_point_lines(chosen: Mapping[str, Any], extra: Sequence[Mapping[str, Any]]) -> tuple[RefLine, ...]:
    """The reported cut point of the tier (and of the tiers drawn with it) on the analysis scale."""
    lines = []
    for r in (chosen, *extra):
        value = r.get(f"{r.get(METHOD)}_t")
        if value is not None and is_number(value) and math.isfinite(float(value)):
            label = _("%(tier)s cut point (%(method)s, FPR %(fpr)s%%) %(cut)s") % {
                "tier": term(r.get(TIER)),
                "method": term(r.get(METHOD)),
                "fpr": f"{100 * float(r[FPR]):g}",
                "cut": cell(value, 4),
            }
            lines.append(RefLine(label, float(value)))
    return tuple(lines)


def histogram_figure(
    values: np.ndarray,
    chosen: Mapping[str, Any],
    extra: Sequence[Mapping[str, Any]] = (),
) -> XYPlot:
    """Histogram of the analysed values (outline of the bars, Sturges' bins) with the normal density of
    their mean and SD scaled to counts, and the reported cut point(s) as vertical lines."""
    edges = np.histogram_bin_edges(values, bins="sturges")
    counts, _edges = np.histogram(values, bins=edges)
    x = np.repeat(edges, 2)
    y = np.concatenate([[0.0], np.repeat(counts.astype(float), 2), [0.0]])
    grid = np.linspace(edges[0], edges[-1], 60)
    mean, sd = float(np.mean(values)), float(np.std(values, ddof=1))
    density = values.size * (edges[1] - edges[0]) * sps.norm.pdf(grid, mean, sd)
    tier = str(chosen.get(TIER))
    return XYPlot(
        _("%(tier)s: distribution of %(n)d donor-run values with the cut point")
        % {"tier": term(tier).capitalize(), "n": values.size},
        _scale_label(chosen),
        _("number of donor-run values"),
        lines=(
            Line(_("histogram"), x.tolist(), y.tolist()),
            Line(
                _("normal (mean %(mean)s, SD %(sd)s)") % {"mean": cell(mean, 4), "sd": cell(sd, 4)},
                grid.tolist(),
                density.tolist(),
            ),
        ),
        vlines=_cut_point_lines(chosen, extra),
    )


def normal_quantiles(n: int) -> np.ndarray:
    """Standard normal quantiles at R's ``ppoints(n)``: ``(i - a) / (n + 1 - 2a)``, ``a = 3/8`` for
    ``n <= 10``, else ``1/2`` (the positions of R's ``qqnorm``)."""
    a = 0.375 if n <= 10 else 0.5
    quantiles: np.ndarray = sps.norm.ppf((np.arange(1, n + 1) - a) / (n + 1 - 2 * a))
    return quantiles


def qq_figure(
    values: pd.Series,
    chosen: Mapping[str, Any],
    extra: Sequence[Mapping[str, Any]] = (),
) -> XYPlot:
    """Normal QQ plot of the analysed values (R ``qqnorm`` positions) with the line ``mean + SD q`` and
    the reported cut point(s) as horizontal lines; where the normality of ``method = auto`` was tested on
    the donor means (``normality_values``), those means too, at their own quantiles, so that the figure
    shows the values the test judged."""
    ordered = np.sort(values.to_numpy(float))
    q = normal_quantiles(ordered.size)
    mean, sd = float(np.mean(ordered)), float(np.std(ordered, ddof=1))
    tier = str(chosen.get(TIER))
    points = [Line(_("donor-run values"), q.tolist(), ordered.tolist())]
    if chosen.get("normality_values") == NORMALITY_VALUES:
        donor_means = np.sort(values.groupby(level="donor").mean().to_numpy(float))
        points.append(
            Line(
                _("donor means (tested for normality)"),
                normal_quantiles(donor_means.size).tolist(),
                donor_means.tolist(),
            )
        )
    return XYPlot(
        _("%(tier)s: normal QQ plot of the donor-run values with the cut point (%(test)s)")
        % {
            "tier": term(tier).capitalize(),
            "test": normality_words(chosen)
            or _(SHAPIRO_ALL_VALUES) % {"p": cell(chosen.get("shapiro_p"), 3)},
        },
        _("standard normal quantile"),
        _scale_label(chosen),
        points=tuple(points),
        lines=(
            Line(
                _("mean + SD x quantile"), [float(q[0]), float(q[-1])], [mean + sd * q[0], mean + sd * q[-1]]
            ),
        ),
        hlines=_cut_point_lines(chosen, extra),
    )


DISTRIBUTION_NOTE = gettext_noop(
    "Values: per donor and run the mean of the replicate wells (signal, or % inhibition for the "
    "confirmatory tier), on the analysis scale, outliers removed; lines: the reported cut point of the "
    "tier (the titration cut point with the screening values it comes from); every estimate is in the "
    "cut-point table."
)


def distribution_figures(
    data: pd.DataFrame, chosen: list[dict[str, Any]], removed: list[Mapping[str, Any]]
) -> list[Figure]:
    """A histogram and a normal QQ plot per tier with the cut point drawn on the data (the titration cut
    point on the screening values when both tiers analysed the same values)."""
    out = []
    by_tier = {str(r.get(TIER)): r for r in chosen}
    for r in chosen:
        tier = str(r.get(TIER))
        if tier == "confirmatory" and "signal_drug" not in data.columns:
            continue
        analysed = analysed_values(data, r, [o for o in removed if o.get(TIER) == tier])
        values = analysed.to_numpy(float)
        extra = (
            [by_tier["titration"]]
            if tier == "screening" and _same_values(r, by_tier.get("titration"))
            else []
        )
        if values.size < 3 or (tier == "titration" and _same_values(by_tier.get("screening"), r)):
            continue
        names = {"tier": term(tier)}
        for key, title, label, plot in (
            (
                "histogram",
                _("Histogram, %(tier)s tier") % names,
                _("Histogram of the %(tier)s values with the cut points") % names,
                histogram_figure(values, r, extra),
            ),
            (
                "qq",
                _("Normal QQ plot, %(tier)s tier") % names,
                _("Normal QQ plot of the %(tier)s values with the cut points") % names,
                qq_figure(analysed, r, extra),
            ),
        ):
            out.append(
                Figure(
                    f"ada-{key}-{tier}",
                    title,
                    label,
                    plot,
                    note=_(DISTRIBUTION_NOTE),
                )
            )
    return out


def _same_values(first: Mapping[str, Any] | None, second: Mapping[str, Any] | None) -> bool:
    """Whether two tiers analysed the same values (the titration tier repeats the screening analysis at
    a lower FPR: same scale, same values and outliers)."""
    keys = (TRANSFORM, "n_values", "mean_t", "sd_t", OUTLIERS)
    return first is not None and second is not None and all(first.get(k) == second.get(k) for k in keys)


def ada_figures(run: RunView) -> list[Figure]:
    """The screening signals per donor and run with the screening cut point; per tier the histogram and
    the normal QQ plot of the analysed values with every cut-point estimate."""
    data = run.input_frame(("donor", "run", "signal"))
    chosen = _selected_records(run)
    screening = [r for r in chosen if r.get(TIER) == "screening"]
    if data is None or not screening or not is_number(screening[0].get(CUT_POINT)):
        return []
    numbers = [c for c in ("signal", "signal_drug") if c in data.columns]
    data = data.assign(**{c: pd.to_numeric(data[c], errors="coerce") for c in numbers}).dropna(subset=numbers)
    stored = run.result.get("removed_values") if isinstance(run.result, Mapping) else None
    removed = [o for o in stored or [] if isinstance(o, Mapping)]
    signals = Figure(
        "ada-screening",
        _("Screening signals and cut point"),
        _("Screening signals per donor and run with the screening cut point"),
        screening_figure(data, screening[0], [o for o in removed if o.get(TIER) == "screening"]),
        note=_(
            "Points: screening signal of each donor and run (values removed as outliers apart); "
            "dashed: the screening cut point on the data scale."
        ),
    )
    return [signals, *distribution_figures(data, chosen, removed)]


def _selected_records(run: RunView) -> list[dict[str, Any]]:
    return [r for r in run.records if r.get(SELECTED) is True or r.get(SELECTED) == 1]


def example_data() -> bytes:
    """24 donors x 3 runs, log-normal signals, 5% +/- 4% inhibition by drug and one high donor."""
    rng = np.random.default_rng(2008)
    rows = []
    for d in range(24):
        level = rng.normal(0.0, 0.25) + (1.2 if d == 7 else 0.0)
        for run in range(3):
            signal = float(np.exp(level + rng.normal(0.0, 0.06)))
            drug = signal * (1.0 - rng.normal(0.05, 0.04))
            rows.append((f"D{d + 1:02d}", f"R{run + 1}", round(signal, 4), round(drug, 4)))
    return pd.DataFrame(rows, columns=["donor", "run", "signal", "signal_drug"]).to_csv(index=False).encode()


ADA_CUTPOINT = Analysis(
    name=NAME,
    # reference sets of bioparity validate (MANIFEST.yaml)
    validation=(
        "ada-cutpoint-r",
        "ada-reml-r",
        "ada-reml-large-r",
        "ada-run-comparison-r",
        "ada-normality-r",
    ),
    title=gettext_noop("ADA assay cut points"),
    description=gettext_noop(
        "ADA cut points (screening, confirmatory, titration) from validation data of naive donors"
    ),
    read=read_cutpoint_data,
    compute=ada_cutpoint_kind,
    columns=COLUMNS,
    options=(
        Option("fpr", gettext_noop("screening false-positive rate (default 0.05)"), 0.05, type="number"),
        Option.optional_number(
            "confirm_fpr",
            gettext_noop(
                "confirmatory false-positive rate, e.g. 0.01 "
                "(needs signal_drug; empty = no confirmatory tier)"
            ),
        ),
        Option.optional_number(
            "titration_fpr", gettext_noop("titration false-positive rate, e.g. 0.001 (empty = none)")
        ),
        Option(
            "transform",
            gettext_noop(
                "screening scale: auto (default: log when every donor x run value, before the outlier steps, "
                "is right-skewed and the log lowers the absolute skewness), none or log"
            ),
            "auto",
            ("auto", "none", "log"),
        ),
        Option(
            "method",
            gettext_noop(
                "reported estimate: auto (default: parametric when Shapiro-Wilk p >= 0.05 on the donor "
                "means across runs, else nonparametric), parametric, robust, nonparametric or parametric_lcl"
            ),
            "auto",
            ("auto", *ESTIMATES),
        ),
        Option(
            "quantile_type",
            gettext_noop("R quantile type (1-9) of the nonparametric estimate (default 7)"),
            7,
            tuple(range(1, 10)),
            type="integer",
        ),
        yes_no(
            "remove_outliers",
            gettext_noop("true (default) to remove boxplot-rule outliers (listed in the report)"),
            True,
        ),
        Option(
            OUTLIER_QUARTILES_OPTION,
            gettext_noop(
                "quartiles of the boxplot outlier rule: type7 (R quantile type 7, default), tukey (Tukey's "
                "hinges, as R boxplot.stats) or type1-type9"
            ),
            DEFAULT_OUTLIER_QUARTILES,
            OUTLIER_QUARTILES,
        ),
        Option(
            "normalization",
            gettext_noop(
                "normalisation factor of a floating cut point (needs nc; called normalisation by earlier "
                "versions): auto (default: additive on the log scale, multiplicative on the raw scale: "
                "bioparity's convention, its source not verified), multiplicative (plate cut point NC x NF) "
                "or additive (NC + NF, raw scale only: transform none)"
            ),
            "auto",
            NORMALIZATION_RULES,
            aliases=("normalisation",),
        ),
    ),
    tables=ada_tables,
    summary=ada_summary,
    flags=ada_flags,
    figures=ada_figures,
    study_kinds=("clinical",),
    # the option is the rule asked for; the shared words of ``normalization`` name the rule applied
    labels={"normalization": gettext_noop("normalisation rule of a floating cut point")},
    example=example_file("ada-cutpoint-validation.csv", example_data, {"confirm_fpr": 0.01}),
)

ANALYSES = (ADA_CUTPOINT,)
