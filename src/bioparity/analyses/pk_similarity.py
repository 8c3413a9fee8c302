"""PK similarity of parallel arms: the ``pk-similarity`` kind (GMR and 90% CI per metric and comparison).

Pairwise comparisons of the arms (test vs EU reference, test vs US reference, and the EU/US bridge of a
three-arm biosimilar study) on log-transformed PK parameters, with the defaults of
``bioparity pk-similarity``: Welch per comparison (FDA 2001, Statistical Approaches to Establishing
Bioequivalence, section VI: equal variances are not assumed in parallel designs), completers, %AUCext
> 20% kept and counted (EMA CPMP/EWP/QWP/1401/98 Rev. 1, 2010, section 4.1.8). It takes NCA's PP table
(``follows`` NCA) or one row per subject.

Stored ratios, intervals and limits are in percent; :data:`PERCENT` converts them to fractions.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from bioparity.analyses import nca
from bioparity.analyses.contract import Analysis, Option, RunView, packaged_example
from bioparity.analyses.figures import Figure, forest_plot
from bioparity.analyses.frames import frame_result, result_records
from bioparity.analyses.options import list_option, number_option, text_option
from bioparity.analyses.tables import (
    ReportTables,
    Table,
    cell,
    generic_tables,
    is_number,
    panels,
    percent_text,
)
from bioparity.analyses.terms import term, value_words, versus
from bioparity.be.similarity import DEFAULT_METRICS, VARIANCE_MODELS, pk_similarity_table
from bioparity.errors import DataFileError, InputError
from bioparity.i18n import gettext as _
from bioparity.i18n import gettext_noop
from bioparity.io.limits import check_csv_limits
from bioparity.io.pp import metric_table
from bioparity.io.readers import read_csv_cells, require_file
from bioparity.problems import AN_EXISTING_PK_CSV, HEADER_ONLY, PK_PARAMETERS

NAME = "pk-similarity"
#: Columns of the stored result table (what reports and the readiness read).
METRIC, TEST_ARM, REFERENCE_ARM = "metric", "test_arm", "reference_arm"
GMR, CI_LOWER, CI_UPPER = "gmr", "ci_lower", "ci_upper"
LOWER_LIMIT, UPPER_LIMIT, PASSED, ALPHA = "lower_limit", "upper_limit", "pass", "alpha"
#: The columns a forest plot and the main table need.
FOREST_COLUMNS = (METRIC, TEST_ARM, REFERENCE_ARM, GMR, CI_LOWER, CI_UPPER)
#: Stored ratios and limits are percentages: divide by this for fractions.
PERCENT = 100.0


def read_pk_parameters(path: Path) -> pd.DataFrame:
    """A PK parameter table (NCA PP long format or one row per subject) as text cells, checked later;
    refused here when missing, empty, not UTF-8, semicolon- or tab-separated (Excel in a decimal-comma
    locale), ragged or with a column named twice (:func:`~bioparity.io.readers.read_csv_cells`)."""
    label = str(path)
    require_file(path, label, AN_EXISTING_PK_CSV)
    check_csv_limits(path, label)
    frame = read_csv_cells(path, label)
    if frame.empty:
        raise DataFileError(HEADER_ONLY, file=label, expected=PK_PARAMETERS)
    return frame


def pk_similarity_kind(frame: pd.DataFrame, options: Mapping[str, Any]) -> dict[str, Any]:
    """Pairwise GMR CIs of parallel arms per metric (the three-arm biosimilar layout by default)."""
    arms = list_option(options, "arms", "test,eu-ref,us-ref")
    metrics = list_option(options, "metrics", ",".join(DEFAULT_METRICS))
    variance = text_option(options, "variance", "welch")
    if variance not in VARIANCE_MODELS:
        raise InputError(f"option variance={variance!r}; expected one of {', '.join(VARIANCE_MODELS)}")
    population = text_option(options, "population", "completers")
    aucpext_rule = text_option(options, "aucpext_rule", "keep")
    covariates = list_option(options, "covariates", "")
    wanted = [*metrics, *(["AUCPEO"] if "AUCIFO" in metrics else [])]
    try:
        wide, subject, arm = metric_table(frame, "PK parameters", None, None, wanted, covariates)
    except DataFileError:
        if wanted == metrics:
            raise
        wide, subject, arm = metric_table(frame, "PK parameters", None, None, metrics, covariates)
    table, notes = pk_similarity_table(
        wide,
        arm,
        arms,
        metrics,
        covariates=covariates,
        variance=variance,
        alpha=number_option(options, "alpha", 0.05),
        theta1=number_option(options, "theta1", 0.80),
        population=population,
        aucpext_rule=aucpext_rule,
        file="PK parameters",  # as the reader names the table in its errors (metric_table)
        subject_column=subject,
    )
    return frame_result(table, notes=notes)


def model_statement(frame: pd.DataFrame) -> str:
    """The analysis model of a PK similarity table in words, with its df: what a reviewer must know to read
    the intervals (scale, variance model, df), in the reader's language; empty when the table lacks the
    columns.

    Welch: per pair of arms, Welch's unequal-variance interval with Welch-Satterthwaite df (FDA, Statistical
    Approaches to Establishing Bioequivalence, 2001, section VI.C); pooled: one model over all listed arms,
    ``df = N - k - q`` -- not the pairwise analysis that the EMA Guideline on the investigation of
    bioequivalence (CPMP/EWP/QWP/1401/98 Rev. 1, 2010, section 4.1.8) asks for with more than two arms
    (each comparison without the data of the other arms), which is the run with only that pair's arms.
    """
    if not {"variance", "df", TEST_ARM, REFERENCE_ARM} <= set(frame.columns) or not len(frame):
        return ""
    variance = str(frame["variance"].iloc[0])
    dfs = pd.to_numeric(frame["df"], errors="coerce").dropna()
    low, high = (float(dfs.min()), float(dfs.max())) if len(dfs) else (math.nan, math.nan)
    df = _df_text(low) if low == high else f"{_df_text(low)}-{_df_text(high)}"
    k = len(set(frame[TEST_ARM].astype(str)) | set(frame[REFERENCE_ARM].astype(str)))
    covariates = str(frame["covariates"].iloc[0]) if "covariates" in frame.columns else ""
    covariates = "" if covariates in ("", "nan", "None") else covariates
    values = {"df": df, "k": k, "covariates": covariates}
    if variance == "welch" and not covariates:
        text = _(
            "Model: log-transformed values; each pair of arms by Welch's unequal-variance t interval "
            "(Welch-Satterthwaite df %(df)s); the other arms do not enter a comparison."
        )
    elif variance == "welch":
        text = _(
            "Model: log-transformed values; ANCOVA on %(covariates)s of the %(k)d arms with one "
            "residual variance per arm (GLS, REML; Satterthwaite df %(df)s)."
        )
    elif covariates:
        text = _(
            "Model: log-transformed values; ANCOVA on %(covariates)s of the %(k)d arms, residual "
            "variance pooled over all of them (df %(df)s)."
        )
    elif k > 2:
        text = _(
            "Model: log-transformed values; one-way ANOVA of the %(k)d arms, residual variance pooled "
            "over all of them (df %(df)s). The EMA guideline (CPMP/EWP/QWP/1401/98 Rev. 1, 4.1.8) "
            "analyses each comparison without the other arms: run each pair of arms alone for that."
        )
    else:
        text = _("Model: log-transformed values; two-sample t interval with pooled variance (df %(df)s).")
    level = _ci_level_text(frame)
    if level is None:
        return text % values
    interval = _("%(level)s two-sided confidence intervals of the geometric mean ratios.")
    return f"{text % values} {interval % {'level': level}}"


#: The standard acceptance range of the 90% CI of a GMR, percent (EMA CPMP/EWP/QWP/1401/98 Rev. 1, 4.1.8).
STANDARD_LIMITS = (80.0, 125.0)


def evaluation_statement(frame: pd.DataFrame) -> str:
    """How a PK similarity table was judged, in words, for the reader of the report (the reader's language):
    the metrics by name, the acceptance range with its source, the analysis population with the subjects
    not analysed per arm, and that no subject was excluded as an outlier; empty when the table lacks the
    columns.

    Sources: EMA Guideline on the investigation of bioequivalence (CPMP/EWP/QWP/1401/98 Rev. 1, 2010),
    section 4.1.8: the 90% CI of the ratio within 80.00-125.00%, its bounds rounded to two decimals, and no
    exclusion of data for statistical or pharmacokinetic reasons alone; FDA, Clinical Pharmacology Data to
    Support a Demonstration of Biosimilarity to a Reference Product (2016), section IV: the 90% CI of the GMR
    of each PK metric within 80-125%.
    """
    needed = {METRIC, TEST_ARM, REFERENCE_ARM, LOWER_LIMIT, UPPER_LIMIT}
    if not needed <= set(frame.columns) or not len(frame):
        return ""
    rows = frame[frame["subgroup"].astype(str) == "all"] if "subgroup" in frame.columns else frame
    metrics = list(dict.fromkeys(str(m) for m in rows[METRIC]))
    named = ", ".join(f"{metric_name(m)} ({m})" if metric_name(m) != m else m for m in metrics)
    limits = sorted({(float(r[LOWER_LIMIT]), float(r[UPPER_LIMIT])) for r in rows.to_dict("records")})
    ranges = _(" or ").join(f"{percent_text(lo)}-{percent_text(hi)}%" for lo, hi in limits)
    values = {"level": _ci_level_text(frame) or "90%", "limits": ranges, "metrics": named}
    if all(round(lo, 2) == STANDARD_LIMITS[0] and round(hi, 2) == STANDARD_LIMITS[1] for lo, hi in limits):
        accept = _(
            "Acceptance: the %(level)s CI of the GMR of each metric (%(metrics)s) within %(limits)s, its "
            "bounds rounded to two decimals (EMA CPMP/EWP/QWP/1401/98 Rev. 1, 4.1.8; FDA, Clinical "
            "Pharmacology Data to Support a Demonstration of Biosimilarity to a Reference Product, 2016, "
            "section IV)."
        )
    else:
        accept = _(
            "Acceptance: the %(level)s CI of the GMR of each metric (%(metrics)s) within %(limits)s, its "
            "bounds rounded to two decimals; limits set by the option theta1, not the standard "
            "80.00-125.00%% (EMA CPMP/EWP/QWP/1401/98 Rev. 1, 4.1.8)."
        )
    return " ".join(
        [accept % values, _multiplicity_text(rows), _population_text(rows), _exclusion_text(rows)]
    )


def _multiplicity_text(rows: pd.DataFrame) -> str:
    """Why the comparisons are not adjusted for multiplicity (more than one comparison): similarity needs
    every comparison and metric to pass, an intersection-union test, whose level is that of each test
    (Berger RL, Hsu JC, Bioequivalence trials, intersection-union tests and equivalence confidence sets,
    Statistical Science 1996; 11: 283-319); the three-arm study's EU/US bridge is one of them."""
    if len(rows) < 2:
        return ""
    return _(
        "Every comparison of every metric must meet it: an intersection-union test, so each interval is at "
        "the stated level without adjustment for multiplicity (Berger and Hsu, Statistical Science 1996)."
    )


def _population_text(rows: pd.DataFrame) -> str:
    """The analysis population and the subjects not analysed per arm (the most over the metrics: a missing
    value, not a completer, or AUCIFO left out by the %AUCext rule; the notes say which)."""
    arms = list(dict.fromkeys([*rows[TEST_ARM].astype(str), *rows[REFERENCE_ARM].astype(str)]))
    left = dict.fromkeys(arms, 0)
    for r in rows.to_dict("records"):
        for arm, column in ((r[TEST_ARM], "n_missing_test"), (r[REFERENCE_ARM], "n_missing_reference")):
            left[str(arm)] = max(left[str(arm)], int(r.get(column) or 0))
    population = str(rows["population"].iloc[0]) if "population" in rows.columns else ""
    text = {
        "completers": _("Analysis population: completers (the subjects with a value of every metric)."),
        "available": _("Analysis population: per metric, every subject with a value of it."),
    }.get(population, "")
    counts = ", ".join(f"{arm} {n}" for arm, n in left.items() if n)
    out = (
        _("Subjects not analysed in a metric: %(counts)s (the notes give the reason).") % {"counts": counts}
        if counts
        else _("Every subject of these arms was analysed in every metric.")
    )
    return f"{text} {out}".strip()


def _exclusion_text(rows: pd.DataFrame) -> str:
    """That no subject was excluded as an outlier, and the %AUCext rule when it left subjects out."""
    text = _(
        "No subject was excluded as an outlier: data are not excluded for statistical or pharmacokinetic "
        "reasons alone (EMA CPMP/EWP/QWP/1401/98 Rev. 1, 4.1.8)."
    )
    rule = rows["aucpext_rule"].astype(str) if "aucpext_rule" in rows.columns else pd.Series(dtype=str)
    if rule.str.startswith("exclude").any():
        text += " " + _(
            "AUCIFO of the subjects whose extrapolated share of AUC is above the limit is left out by the "
            "option aucpext_rule=exclude, their AUC0-t and Cmax analysed (the guideline keeps them and asks "
            "for a discussion)."
        )
    return text


def _ci_level_text(frame: pd.DataFrame) -> str | None:
    """The two-sided level of the table's intervals, ``90%``: its ``ci_level``, else ``1 - 2 alpha`` (TOST at
    one-sided alpha is the two-sided ``1 - 2 alpha`` interval, Schuirmann 1987); None when it has neither."""
    for column in ("ci_level", ALPHA):
        if column not in frame.columns:
            continue
        values = pd.to_numeric(frame[column], errors="coerce").dropna().tolist()
        if values:
            value = float(values[0])
            return f"{100 * (value if column == 'ci_level' else 1 - 2 * value):g}%"
    return None


def _df_text(df: float) -> str:
    """Degrees of freedom as printed, in the model statement and the appendix alike: ``58`` (pooled),
    ``35.952`` (Satterthwaite: three decimals, so that 131.999 is not printed as the whole number 132.00)."""
    return f"{df:.0f}" if float(df).is_integer() else f"{df:.3f}"


def _shown_df(frame: pd.DataFrame) -> pd.DataFrame:
    """The result with its ``df`` cells as :func:`_df_text` prints them (the appendix's df as the model
    statement's); the stored frame is not changed."""
    if "df" not in frame.columns:
        return frame
    shown = frame.copy()
    shown["df"] = [
        _df_text(float(v)) if is_number(v) and math.isfinite(float(v)) else v for v in frame["df"].tolist()
    ]
    return shown


#: A row's %AUCext rule as stored: the rule's code and the threshold (``keep >20%``).
_AUCPEXT_RULE = re.compile(r"(\S+) (>\S+%)")


def _rule_in_words(frame: pd.DataFrame) -> pd.DataFrame:
    """The result with its ``aucpext_rule`` cells in words (``keep >20%`` -> ``kept and counted (>20%)``:
    :func:`~bioparity.analyses.terms.value_words`); the stored frame is not changed."""
    if "aucpext_rule" not in frame.columns:
        return frame
    shown = frame.copy()
    shown["aucpext_rule"] = [
        _("%(value)s (%(detail)s)") % {"value": value_words("aucpext_rule", m[1]), "detail": m[2]}
        if isinstance(v, str) and (m := _AUCPEXT_RULE.fullmatch(v))
        else v
        for v in frame["aucpext_rule"]
    ]
    return shown


def metric_name(code: Any) -> str:
    """A PK parameter as a reader names it (``CMAX`` -> ``Cmax``, ``AUCLST`` -> ``AUC0-t``, ``AUCIFO`` ->
    ``AUC0-inf``); a code without a name as stored. The stored result, its CSV and JSON keep the CDISC
    PPTESTCD code (SDTMIG PP), and the report's appendix prints the table as stored."""
    from bioparity.pathways.inventory import PK_METRICS  # the metric names of the readiness rules

    return PK_METRICS.get(str(code), str(code))


def pk_tables(frame: pd.DataFrame, options: Mapping[str, Any] | None = None) -> ReportTables:
    """Metric x comparison: the metric by name (Cmax, AUC0-t, AUC0-inf; the codes in the appendix), n, GMR
    and CI as "96.58 (89.12, 104.68)", limits, CVs and the outcome."""
    if not set(FOREST_COLUMNS) <= set(frame.columns):
        return generic_tables(frame)
    level = _ci_level_text(frame) or "90%"  # the default one-sided alpha 0.05
    rows = []
    for r in frame.to_dict("records"):
        passed = r.get(PASSED, r.get("passed"))
        outcome = "—" if passed is None else term("within limits" if passed else "outside limits")
        cvs = "/".join(percent_text(r.get(k)) for k in ("cv_test", "cv_reference") if k in r)
        rows.append(
            (
                metric_name(r["metric"]),
                versus(r["test_arm"], r["reference_arm"]),
                f"{cell(r.get('n_test'))}/{cell(r.get('n_reference'))}",
                f"{percent_text(r['gmr'])} ({percent_text(r['ci_lower'])}, {percent_text(r['ci_upper'])})",
                f"{percent_text(r.get('lower_limit'))}-{percent_text(r.get('upper_limit'))}"
                if "lower_limit" in r and "upper_limit" in r
                else "—",
                cvs,
                outcome,
            )
        )
    main = Table(
        _("PK similarity: GMR (%%) and %(level)s CI per metric and comparison") % {"level": level},
        (
            _("metric"),
            _("comparison"),
            _("n test/reference"),
            _("GMR %% (%(level)s CI)") % {"level": level},
            _("limits %"),
            _("geometric CV% test/reference"),
            _("outcome"),
        ),
        tuple(rows),
        (False, False, True, True, True, True, False),
        note=f"{model_statement(frame)} {evaluation_statement(frame)}".strip(),
    )
    # the stored columns under the labels and with the precision of the main table (a ratio, CI bound, limit
    # and CV to two decimals: was 96.5846 (89.1922, 104.59), one row in three precisions); the counts of
    # subjects headed here: the registry's n_test is the profiles kind's test lots
    appendix = panels(
        _shown_df(_rule_in_words(frame)),
        ["metric", "test_arm", "reference_arm"],
        _("Complete PK similarity result"),
        headers={"n_test": _("subjects test"), "n_reference": _("subjects reference")},
        labelled=True,
        level=level,
        numbers=frame,
    )
    note = _(", ratios, CI bounds, limits and CVs in percent to two decimals as in the main table")
    return ReportTables((main,), tuple(appendix), appendix_note=note)


def pk_summary(result: Mapping[str, Any], options: Mapping[str, Any]) -> str:
    """``3 of 3 comparisons with the 90% CI of the GMR within 80.00-125.00%``: what lies within the limits
    (the two-sided CI of the geometric mean ratio, at the table's level) is said, as the acceptance criterion
    this module cites states it (EMA CPMP/EWP/QWP/1401/98 Rev. 1, 4.1.8); a headline that only said
    "comparisons within 80.00-125.00%" left the reader to guess whether the ratio or its interval was
    meant."""
    rows = result_records(result)
    decided = [r for r in rows if r.get(PASSED) is not None]
    within = sum(1 for r in decided if r[PASSED])
    limits = sorted(
        {f"{percent_text(r.get(LOWER_LIMIT))}-{percent_text(r.get(UPPER_LIMIT))}%" for r in decided}
    )
    values = {"within": within, "n": len(decided), "limits": _(" or ").join(limits) or _("the limits")}
    level = _ci_level_text(pd.DataFrame(decided)) if decided else None
    if level is None:
        return _("%(within)d of %(n)d comparisons within %(limits)s") % values
    return _("%(within)d of %(n)d comparisons with the %(level)s CI of the GMR within %(limits)s") % {
        **values,
        "level": level,
    }


def pk_flags(table: pd.DataFrame, options: Mapping[str, Any]) -> list[tuple[str, int]]:
    """How many comparisons have the CI outside the limits."""
    failed = sum(1 for v in table[PASSED].tolist() if v is False) if PASSED in table.columns else 0
    return [(_("comparisons with the CI outside the limits"), failed)]


def pk_figures(run: RunView) -> list[Figure]:
    """The forest plot of GMRs and CIs against the limits, and the concentration-time profiles of the
    NCA run the parameters came from (report only)."""
    out = []
    forest = forest_plot(run.records)
    if forest is not None:
        label = _(
            "Forest plot: geometric mean ratios with confidence intervals against the acceptance limits"
        )
        out.append(Figure("forest", _("Forest plot"), label, forest))
    profile = nca.concentration_profile(run)
    return out if profile is None else [*out, profile]


PK_SIMILARITY = Analysis(
    name=NAME,
    validation=("pk-similarity-r",),  # reference sets of bioparity validate (MANIFEST.yaml)
    title=gettext_noop("PK similarity"),
    description=gettext_noop(
        "Pairwise PK similarity of parallel arms: GMR and 90% CI per metric (test vs EU-ref, US-ref, bridge)"
    ),
    read=read_pk_parameters,
    compute=pk_similarity_kind,
    options=(
        Option(
            "arms",
            gettext_noop("arms in order, first = test, comma-separated (default test,eu-ref,us-ref)"),
            "test,eu-ref,us-ref",
            type="list",
        ),
        Option(
            "metrics",
            gettext_noop("PPTESTCD codes, comma-separated (default AUCIFO,AUCLST,CMAX)"),
            "AUCIFO,AUCLST,CMAX",
            type="list",
        ),
        Option(
            "variance",
            gettext_noop("welch (default; per comparison, FDA 2001) or pooled (one model over all arms)"),
            "welch",
            ("welch", "pooled"),
        ),
        Option(
            "covariates",
            gettext_noop(
                "ANCOVA covariate columns (one value per subject), comma-separated (e.g. WT; default none; "
                "as bioparity pk-similarity --covariates)"
            ),
            "",
            type="list",
        ),
        Option("alpha", gettext_noop("one-sided level (default 0.05 = 90% CI)"), 0.05, type="number"),
        Option("theta1", gettext_noop("lower limit (default 0.80; upper = 1/theta1)"), 0.80, type="number"),
        Option(
            "population",
            gettext_noop("completers (default: every metric present) or available"),
            "completers",
            ("completers", "available"),
        ),
        Option(
            "aucpext_rule",
            gettext_noop("keep (default: %AUCext > 20% kept and counted, EMA) or exclude"),
            "keep",
            ("keep", "exclude"),
        ),
    ),
    tables=pk_tables,
    summary=pk_summary,
    flags=pk_flags,
    figures=pk_figures,
    follows=(nca.NAME,),
    # the three-arm input of the packaged reference case (CMAX and AUCIFO per subject)
    example=packaged_example(
        "validation/reference/be/pk_similarity_cli_input.csv", {"metrics": "AUCIFO,CMAX"}
    ),
)

ANALYSES = (PK_SIMILARITY,)
