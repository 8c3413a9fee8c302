"""Stored codes and keys shown to a reader in their words: verdicts, statuses, yes/no, result keys.

A stored result keeps its codes (``pass``, ``within limits``, ``at_risk``, ``approved``, ...) in English:
they are data, read by other code and compared in tests. Pages and reports print them through
:func:`term`, which gives the reader's language (:mod:`bioparity.i18n`); a code without a translation
(an attribute name, a kind's identifier) is printed as stored.

The keys of a stored result and of a run's options (``ci_lower``, ``cvwr``, ``share_within``, ...) are a
data contract too (the JSON of ``bioparity run --json``, the CSV columns): pages and reports print them
through :data:`LABELS` (:func:`key_label`, :func:`labelled`), a label with its unit in the reader's
language. Stored fractions stay fractions; a label marked ``percent`` shows them times 100.

References
----------
GNU gettext manual, section 4.7 "Special Cases of Translatable Strings" (``gettext_noop``: strings marked
where they are defined, translated where they are shown).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bioparity.i18n import current_language, gettext_noop
from bioparity.i18n import gettext as _
from bioparity.i18n.printing import VERSUS, comparison_in

#: Stored code -> its English words (marked for translation); codes absent here are shown as stored.
TERMS: dict[str, str] = {
    # the input of a run (its analysed dataset)
    "dataset": gettext_noop("dataset"),
    # verdicts of result tables
    "pass": gettext_noop("pass"),
    "fail": gettext_noop("fail"),
    "yes": gettext_noop("yes"),
    "no": gettext_noop("no"),
    "similar": gettext_noop("similar"),
    "not similar": gettext_noop("not similar"),
    "within limits": gettext_noop("within limits"),
    "outside limits": gettext_noop("outside limits"),
    "descriptive": gettext_noop("descriptive"),
    "not-evaluable": gettext_noop("not evaluable"),
    "equivalent": gettext_noop("equivalent"),
    "not shown equivalent": gettext_noop("not shown equivalent"),
    "not assessed": gettext_noop("not assessed"),
    "insufficient data": gettext_noop("insufficient data"),
    # statistical methods of a comparison (CAA)
    "quality-range": gettext_noop("quality range"),
    "equivalence": gettext_noop("equivalence test"),
    "tolerance-interval": gettext_noop("tolerance interval"),
    "min-max": gettext_noop("min-max range"),
    # a CAA comparison's direction, key statistic and spread check (the appendix of the stored result)
    "two-sided": gettext_noop("two-sided"),
    "higher-is-worse": gettext_noop("higher is worse"),
    "lower-is-worse": gettext_noop("lower is worse"),
    "fraction_inside": gettext_noop("fraction of test lots inside"),
    "mean_difference": gettext_noop("mean difference"),
    "standardised_mean_difference": gettext_noop("standardised mean difference"),
    "off": gettext_noop("off"),
    # ADA cut points: tiers, estimates, scales, cut-point types, normalisation
    "screening": gettext_noop("screening"),
    "confirmatory": gettext_noop("confirmatory"),
    "titration": gettext_noop("titration"),
    "parametric": gettext_noop("parametric"),
    "robust": gettext_noop("robust"),
    "nonparametric": gettext_noop("nonparametric"),
    "parametric_lcl": gettext_noop("parametric LCL"),
    "log": gettext_noop("log"),
    "linear": gettext_noop("linear"),
    "none": gettext_noop("none"),
    "fixed": gettext_noop("fixed"),
    "floating": gettext_noop("floating"),
    "dynamic": gettext_noop("dynamic"),
    "floating (variances differ)": gettext_noop("floating (variances differ)"),
    "additive on log scale": gettext_noop("additive on log scale"),
    "multiplicative": gettext_noop("multiplicative"),
    "additive": gettext_noop("additive"),
    # sections of stacked result tables (stability, profiles)
    "shelf life": gettext_noop("shelf life"),
    "slope difference": gettext_noop("slope difference"),
    "lot regression": gettext_noop("lot regression"),
    "lot": gettext_noop("lot"),
    "species": gettext_noop("species"),
    # what a lot's distance is measured to (profiles)
    "leave-one-out": gettext_noop("leave-one-out"),
    "to reference centre": gettext_noop("to reference centre"),
    # readiness (pathways)
    "ready": gettext_noop("ready"),
    "gaps": gettext_noop("gaps"),
    "not eligible for streamlined pathway": gettext_noop("not eligible for streamlined pathway"),
    "met": gettext_noop("met"),
    "missing": gettext_noop("missing"),
    "at_risk": gettext_noop("at risk"),
    "at risk": gettext_noop("at risk"),
    "streamlined": gettext_noop("streamlined"),
    "traditional": gettext_noop("traditional"),
    "eligibility": gettext_noop("eligibility"),
    "requirement": gettext_noop("requirement"),
    # runs and signatures (21 CFR 11.50: the meaning of a signature is printed with it)
    "queued": gettext_noop("queued"),
    "running": gettext_noop("running"),
    "succeeded": gettext_noop("succeeded"),
    "failed": gettext_noop("failed"),
    "authored": gettext_noop("authored"),
    "reviewed": gettext_noop("reviewed"),
    "approved": gettext_noop("approved"),
    "superseded": gettext_noop("superseded"),
    "draft": gettext_noop("draft"),
}

#: Verdict words that mark a good outcome, and a bad one (cells are coloured by them).
GOOD_WORDS = ("pass", "similar", "within limits", "met", "ready", "equivalent")
BAD_WORDS = ("fail", "not similar", "outside limits", "missing", "gaps", "not shown equivalent")


def term(value: Any) -> str:
    """A stored code in the reader's words (:data:`TERMS`); any other value as stored.

    Parameters
    ----------
    value : Any
        A stored code (``"pass"``, ``"at_risk"``, ...) or any value.

    Returns
    -------
    str
        The translation of the code's words in the current language, else ``str(value)``.

    Examples
    --------
    >>> term("at_risk"), term("AUCIFO")
    ('at risk', 'AUCIFO')
    """
    text = str(value)
    words = TERMS.get(text)
    return text if words is None else _(words)


def versus(test: Any, reference: Any) -> str:
    """A comparison of two sources or arms, ``test vs ref-eu``: their names as stored, the "vs" in the
    reader's words (zh-CN ``test 对比 ref-eu``), as PK similarity and the CAA tables print it.

    Examples
    --------
    >>> versus("test", "eu-ref")
    'test vs eu-ref'
    """
    return _(VERSUS) % {"test": test, "reference": reference}


def comparison_words(label: Any) -> str:
    """A stored comparison label (a CAA result's ``comparison``, ``test vs ref-eu``) as :func:`versus`
    prints it; a label without `` vs `` as stored. The stored result, its CSV and the appendix keep the
    label (data).

    Examples
    --------
    >>> comparison_words("ref-eu vs ref-us"), comparison_words("pooled")
    ('ref-eu vs ref-us', 'pooled')
    """
    return comparison_in(str(label), current_language())


def yes_no_text(flag: Any) -> str:
    """``yes`` or ``no`` in the reader's words.

    Examples
    --------
    >>> yes_no_text(True), yes_no_text(0)
    ('yes', 'no')
    """
    return _("yes") if flag else _("no")


def verdict_words(good: bool) -> frozenset[str]:
    """The verdict words (English and the reader's) that mark a good (or a bad) outcome, lower-cased.

    Examples
    --------
    >>> "pass" in verdict_words(True), "fail" in verdict_words(False)
    (True, True)
    """
    words = GOOD_WORDS if good else BAD_WORDS
    return frozenset(w for word in words for w in (word, term(word).lower()))


@dataclass(frozen=True)
class KeyLabel:
    """How a stored key is headed on a page: its words with the unit, and whether its value is a fraction
    shown in percent.

    Attributes
    ----------
    text : str
        The English label, marked for translation; a Python format (``%%`` for a percent sign) that may
        name the confidence level of an interval, ``%(level)s``.
    percent : bool, default False
        The stored value is a fraction (0.9) printed in percent (90) under a label that says ``(%)``.
    decimals : int or None, default None
        Decimals a number is printed with (None: as any number, to six significant digits).
    """

    text: str
    percent: bool = False
    decimals: int | None = None


def _percent(text: str, decimals: int | None = None) -> KeyLabel:
    return KeyLabel(text, percent=True, decimals=decimals)


def _ratio(text: str) -> KeyLabel:
    """A ratio, CV or limit the record stores in percent, printed to two decimals as the BE guideline
    rounds it (EMA CPMP/EWP/QWP/1401/98 Rev. 1, 2010, section 4.1.8: 80.00-125.00%)."""
    return KeyLabel(text, decimals=2)


#: Stored result keys, option names and result-table columns printed in a key/value layout (the
#: bioequivalence record, the scalars of a tabular result, the options, the generic result table) -> their
#: label. Pages print the keys in this order (the BE record's contract order first); a key absent here is
#: printed as stored. Values that the record stores in percent already (the BE record) say ``(%)`` without
#: ``percent``.
LABELS: dict[str, KeyLabel] = {
    # the bioequivalence record (bioparity.be.results.BEResult.to_record: ratios, CVs and limits in percent)
    "method": KeyLabel(gettext_noop("method")),
    "n": KeyLabel(gettext_noop("subjects (n)")),
    "design": KeyLabel(gettext_noop("design")),
    "pe": _ratio(gettext_noop("point estimate T/R (%%)")),
    "ci_lower": _ratio(gettext_noop("%(level)s CI lower bound (%%)")),
    "ci_upper": _ratio(gettext_noop("%(level)s CI upper bound (%%)")),
    "cvwr": _ratio(gettext_noop("CVwR: within-subject CV of R (%%)")),
    "cvwt": _ratio(gettext_noop("CVwT: within-subject CV of T (%%)")),
    "lower_limit": _ratio(gettext_noop("lower acceptance limit (%%)")),
    "upper_limit": _ratio(gettext_noop("upper acceptance limit (%%)")),
    "df": KeyLabel(gettext_noop("degrees of freedom of the CI")),
    "pass": KeyLabel(gettext_noop("passed (overall decision)")),
    "reasons": KeyLabel(gettext_noop("reasons")),
    # notes stored with a result without a table (be: missing PK values, reference scaling)
    "notes": KeyLabel(gettext_noop("notes")),
    "alpha": KeyLabel(gettext_noop("significance level α")),
    "df_method": KeyLabel(gettext_noop("degrees of freedom method")),
    "scaled": KeyLabel(gettext_noop("reference scaling applied")),
    "ci_pass": KeyLabel(gettext_noop("CI within the limits")),
    "pe_pass": KeyLabel(gettext_noop("point estimate within 80.00-125.00%%")),
    "criterion_upper_bound": KeyLabel(gettext_noop("95%% upper bound of the RSABE criterion")),
    # the within-subject SDs to four decimals as replicateBE prints swR (it was 0.446445 beside ratios of two
    # decimals), the outlier's studentised residual to three as the CLI prints it (``bioparity be``)
    "swr": KeyLabel(gettext_noop("sWR: within-subject SD of R (log scale)"), decimals=4),
    "swt": KeyLabel(gettext_noop("sWT: within-subject SD of T (log scale)"), decimals=4),
    "cvw": _ratio(gettext_noop("CVw: within-subject CV (%%)")),
    "n_tr": KeyLabel(gettext_noop("subjects with T and R")),
    "n_tt": KeyLabel(gettext_noop("subjects with T at least twice")),
    "n_rr": KeyLabel(gettext_noop("subjects with R at least twice")),
    "subjects_per_sequence": KeyLabel(gettext_noop("subjects per sequence")),
    # missing_values counts rows whose PK cell is empty; the per-sequence and per-period counts are every
    # observation not analysed (no row at all, or an empty cell): "missing values 0" beside "missing values
    # per sequence 7, 3" read as a contradiction (replicateBE rds01: 10 periods without a row)
    "missing_per_sequence": KeyLabel(gettext_noop("observations missing per sequence (no row or no value)")),
    "missing_per_period": KeyLabel(gettext_noop("observations missing per period (no row or no value)")),
    "missing_values": KeyLabel(gettext_noop("rows with an empty PK value")),
    "missing_cells": KeyLabel(gettext_noop("missing values not analysed")),
    "row": KeyLabel(gettext_noop("data row")),
    "line": KeyLabel(gettext_noop("file line")),
    "period": KeyLabel(gettext_noop("period")),
    "treatment": KeyLabel(gettext_noop("treatment")),
    "subjects_without_data": KeyLabel(gettext_noop("subjects without data")),
    "outliers": KeyLabel(gettext_noop("reference outliers flagged")),
    "sequence": KeyLabel(gettext_noop("sequence")),
    "subject": KeyLabel(gettext_noop("subject")),
    "studentized_residual": KeyLabel(gettext_noop("studentised residual"), decimals=3),
    "cvwr_without_outliers": _ratio(gettext_noop("CVwR without the flagged outliers (%%)")),
    "lower_limit_without_outliers": _ratio(
        gettext_noop("lower acceptance limit without the flagged outliers (%%)")
    ),
    "upper_limit_without_outliers": _ratio(
        gettext_noop("upper acceptance limit without the flagged outliers (%%)")
    ),
    "pass_without_outliers": KeyLabel(gettext_noop("passed without the flagged outliers")),
    "software_version": KeyLabel(gettext_noop("software version")),
    # scalars stored with a result table
    "passed": KeyLabel(gettext_noop("passed")),
    "n_within": KeyLabel(gettext_noop("repeats within the limit")),
    "share_within": _percent(gettext_noop("share of repeats within the limit (%%)"), 1),
    "n_runs_used": KeyLabel(gettext_noop("runs used")),
    "sensitivity_95": KeyLabel(gettext_noop("sensitivity: concentration detected in 95%% of runs")),
    "comparable": KeyLabel(gettext_noop("comparable (ICH Q5E)")),
    "n_profiles": KeyLabel(gettext_noop("profiles")),
    "n_intervals": KeyLabel(gettext_noop("dosing intervals")),
    "n_missing_dropped": KeyLabel(gettext_noop("samples without a value left out")),
    "n_blq_dropped": KeyLabel(gettext_noop("samples below the LLOQ left out")),
    "n_blq_kept": KeyLabel(gettext_noop("samples below the LLOQ (or 0) kept as 0 or imputed, not left out")),
    "n_blq_kept_after_dose": KeyLabel(
        gettext_noop(
            "samples after the dose below the LLOQ (or 0) kept as 0 or imputed, not left out (a pre-dose 0 "
            "is the baseline, not counted)"
        )
    ),
    "all_species_within": KeyLabel(gettext_noop("every species of every test lot within its range")),
    "n_test": KeyLabel(gettext_noop("test lots")),
    "n_test_within": KeyLabel(gettext_noop("test lots within the distance threshold")),
    "threshold_rule": KeyLabel(gettext_noop("distance threshold rule")),
    "n_rows": KeyLabel(gettext_noop("rows of the result table")),
    # scenario grids of power and sample size (fractions, as PowerTOST takes them)
    "cv": _percent(gettext_noop("CV (%%)")),
    "theta0": _percent(gettext_noop("true ratio T/R (%%)")),
    "theta1": _percent(gettext_noop("lower acceptance limit θ1 (%%)")),
    "theta2": _percent(gettext_noop("upper acceptance limit θ2 (%%)")),
    # power in percent to two decimals, as the run's summary prints it ("from 38.53% to 100.00%")
    "target_power": _percent(gettext_noop("target power (%%)"), 2),
    "power": _percent(gettext_noop("power (%%)"), 2),
    # options of the analysis kinds (their names as typed on the command line and stored with a run)
    "arms": KeyLabel(gettext_noop("arms (test first)")),
    "metrics": KeyLabel(gettext_noop("PK metrics")),
    "variance": KeyLabel(gettext_noop("variance model")),
    "population": KeyLabel(gettext_noop("analysis population")),
    "aucpext_rule": KeyLabel(gettext_noop("subjects with %%AUCext > 20%%")),
    "auc_method": KeyLabel(gettext_noop("AUC method")),
    "route": KeyLabel(gettext_noop("route of administration")),
    "dose": KeyLabel(gettext_noop("dose")),
    "conc_unit": KeyLabel(gettext_noop("concentration unit")),
    "concentration_unit": KeyLabel(gettext_noop("concentration unit")),
    "ada_unit": KeyLabel(gettext_noop("unit of the ADA levels")),
    "drug_unit": KeyLabel(gettext_noop("unit of the drug levels")),
    "time_unit": KeyLabel(gettext_noop("time unit")),
    "dose_unit": KeyLabel(gettext_noop("dose unit")),
    "review": KeyLabel(gettext_noop("lambda_z review choices")),
    "dosing": KeyLabel(gettext_noop("dose records (dataset)")),
    "dm": KeyLabel(gettext_noop("each subject's arm (DM dataset)")),
    "adsl": KeyLabel(gettext_noop("each sample's period (ADSL dataset)")),
    "tau": KeyLabel(gettext_noop("dosing interval after the last dose (tau)")),
    "extrapolate_tau": KeyLabel(gettext_noop("AUCTAU extrapolated to the end of tau with lambda_z")),
    "fpr": KeyLabel(gettext_noop("screening false-positive rate")),
    "confirm_fpr": KeyLabel(gettext_noop("confirmatory false-positive rate")),
    "titration_fpr": KeyLabel(gettext_noop("titration false-positive rate")),
    "transform": KeyLabel(gettext_noop("transformation")),
    "quantile_type": KeyLabel(gettext_noop("quantile type (R, 1-9)")),
    "remove_outliers": KeyLabel(gettext_noop("remove outliers")),
    "outlier_quartiles": KeyLabel(gettext_noop("quartiles of the outlier rule")),
    "cut_point": KeyLabel(gettext_noop("cut point")),
    "incidence": KeyLabel(gettext_noop("incidence definition")),
    "reference_arm": KeyLabel(gettext_noop("reference arm")),
    "conf": KeyLabel(gettext_noop("confidence level")),
    "baseline": KeyLabel(gettext_noop("baseline visit")),
    "boost_fold": KeyLabel(gettext_noop("titre rise counted as boosted (fold)")),
    "result": KeyLabel(gettext_noop("result column")),
    "screening_cut_point": KeyLabel(gettext_noop("screening cut point")),
    "confirmatory_cut_point": KeyLabel(gettext_noop("confirmatory cut point (%% inhibition)")),
    "normalization": KeyLabel(gettext_noop("normalisation")),
    "normalization_factor": KeyLabel(gettext_noop("normalisation factor")),
    # ada-cutpoint's option as runs stored before it took the stored field's spelling (normalization) name it
    "normalisation": KeyLabel(gettext_noop("normalisation rule of a floating cut point")),
    "cut_point_run": KeyLabel(gettext_noop("cut points from run")),
    "catalogue": KeyLabel(gettext_noop("attribute catalogue")),
    "plan": KeyLabel(gettext_noop("statistical plan")),
    "region": KeyLabel(gettext_noop("region filed")),
    "pool_references": KeyLabel(gettext_noop("pooled-reference comparison")),
    "pre": KeyLabel(gettext_noop("pre-change lots (label)")),
    "post": KeyLabel(gettext_noop("post-change lots (label)")),
    "test": KeyLabel(gettext_noop("test lots (label)")),
    "reference": KeyLabel(gettext_noop("reference lots (label)")),
    "oc_simulations": KeyLabel(gettext_noop("simulations of the operating characteristics")),
    "seed": KeyLabel(gettext_noop("random seed")),
    "lower": KeyLabel(gettext_noop("lower acceptance criterion")),
    "upper": KeyLabel(gettext_noop("upper acceptance criterion")),
    "model": KeyLabel(gettext_noop("model")),
    "slope_margin": KeyLabel(gettext_noop("equivalence margin of the slope difference")),
    "confidence": KeyLabel(gettext_noop("confidence level of the shelf-life bound")),
    "alpha_pool": KeyLabel(gettext_noop("level of the poolability tests")),
    "max_time": KeyLabel(gettext_noop("longest shelf life searched")),
    "dids_variance": KeyLabel(gettext_noop("variance of separate lot regressions (dids)")),
    "slope_alpha": KeyLabel(gettext_noop("one-sided level of the slope comparison")),
    "long_term": KeyLabel(gettext_noop("long-term condition")),
    "assay": KeyLabel(gettext_noop("assay type")),
    "conf_level": KeyLabel(gettext_noop("confidence level of the potency CI")),
    "equivalence_level": KeyLabel(gettext_noop("confidence level of the equivalence CIs")),
    "equivalence_margins": KeyLabel(gettext_noop("USP <1032> equivalence margins")),
    "combine": KeyLabel(gettext_noop("combine the assays per sample")),
    "combine_method": KeyLabel(gettext_noop("combination method")),
    "pairwise": KeyLabel(gettext_noop("fit each test with the standard alone")),
    "min_r2": KeyLabel(gettext_noop("minimum R² (suitability)")),
    "max_ci_ratio": KeyLabel(gettext_noop("maximum CI upper/lower ratio (suitability)")),
    "k": KeyLabel(gettext_noop("k of the quality range (mean ± k SD)")),
    "threshold": KeyLabel(gettext_noop("distance threshold")),
    "total": KeyLabel(gettext_noop("sum of the parts")),
    "closure_tolerance": KeyLabel(gettext_noop("closure tolerance")),
    "zero_replacement": KeyLabel(gettext_noop("zero replacement")),
    # the arm of a profile (NCA's per-subject tables; "subject" above)
    "arm": KeyLabel(gettext_noop("arm")),
    # the other grouping columns of NCA profiles (bioparity.nca.GROUP_COLUMNS; period, treatment, sequence
    # above): headers of the per-subject listings and the summary tables (a zh-CN report printed "analyte")
    "analyte": KeyLabel(gettext_noop("analyte")),
    "formulation": KeyLabel(gettext_noop("formulation")),
    "visit": KeyLabel(gettext_noop("visit")),
    # columns of the PK similarity result table (its appendix; ratios and CVs stored in percent, printed to
    # two decimals as its main table prints them: "96.58 (89.19, 104.59)", "27.25/29.45")
    "metric": KeyLabel(gettext_noop("metric")),
    "test_arm": KeyLabel(gettext_noop("test arm")),
    "gmr": _ratio(gettext_noop("GMR (%%)")),
    # per arm, sqrt(exp(s^2) - 1) of the log values: the geometric (between-subject) CV
    "cv_test": _ratio(gettext_noop("geometric CV%% test")),
    "cv_reference": _ratio(gettext_noop("geometric CV%% reference")),
    "cv_pooled": _ratio(gettext_noop("CV%% pooled")),
    "ci_level": _percent(gettext_noop("CI level (%%)")),
    "covariates": KeyLabel(gettext_noop("covariates")),
    "subgroup": KeyLabel(gettext_noop("subgroup")),
    "n_missing_test": KeyLabel(gettext_noop("missing values test")),
    "n_missing_reference": KeyLabel(gettext_noop("missing values reference")),
    # counts of subjects (the header read like a percentage beside the rule's column "subjects with ...")
    "n_aucpext_over_test": KeyLabel(gettext_noop("test subjects with %%AUCext > 20%%")),
    "n_aucpext_over_reference": KeyLabel(gettext_noop("reference subjects with %%AUCext > 20%%")),
}

#: (key, stored code) of an option value or of a method stored with a result -> its English words (marked
#: for translation). The stored code stays what the record, the JSON of ``bioparity run --json`` and the CSV
#: downloads hold; pages, reports and the command line's text print these words instead
#: (:func:`value_words`), in a key/value layout with the code after them (:func:`coded_value`:
#: ``EMA ABEL, Method A (ema-abel-a)``) so that a reviewer can match the record. Every choice of every
#: kind's text options has an entry (a contract test keeps it so); flags are printed yes/no and numbers as
#: numbers. The words of a code that :data:`TERMS` already has are the same message.
VALUE_LABELS: dict[tuple[str, str], str] = {
    # bioequivalence (bioparity.be.methods): the method of the run and of its record, the CI's df
    ("method", "abe"): gettext_noop("average bioequivalence"),
    ("method", "ema-abel-a"): gettext_noop("EMA ABEL, Method A"),
    ("method", "ema-abel-b"): gettext_noop("EMA ABEL, Method B"),
    ("method", "fda-rsabe"): gettext_noop("FDA RSABE"),
    # the PK parameter of a be run (EMA 1401/98 Rev. 1, 4.1.10: limits widened for Cmax only)
    ("metric", ""): gettext_noop("not stated"),
    ("metric", "cmax"): "Cmax",
    ("metric", "auc0-t"): "AUC0-t",
    ("metric", "auc0-inf"): "AUC0-inf",
    ("metric", "other"): gettext_noop("another PK parameter"),
    ("df_method", "residual"): gettext_noop("fixed-effects model residual"),
    ("df_method", "contain"): gettext_noop("containment"),
    ("df_method", "satterthwaite"): gettext_noop("Satterthwaite"),
    # power and sample size: the design (the other designs' names, 2x2, 2x3x3, ..., are the notation
    # users know: printed as stored) and PowerTOST's methods
    ("design", "parallel"): gettext_noop("parallel groups"),
    ("method", "exact"): gettext_noop("exact, Owen's Q"),
    ("method", "nct"): gettext_noop("noncentral t approximation"),
    ("method", "shifted"): gettext_noop("shifted central t approximation"),
    # NCA
    ("auc_method", "lin-up-log-down"): gettext_noop("linear up, log down"),
    ("auc_method", "linear"): gettext_noop("linear trapezoidal"),
    ("route", "extravascular"): gettext_noop("extravascular"),
    ("route", "iv-bolus"): gettext_noop("intravenous bolus"),
    ("route", "iv-infusion"): gettext_noop("intravenous infusion"),
    # the dose of a profile: a column, a number or, by default, the file's dose column when it has one
    ("dose", "auto"): gettext_noop("automatic: the dose column when present"),
    # PK similarity
    ("variance", "welch"): gettext_noop("Welch, per comparison"),
    ("variance", "pooled"): gettext_noop("pooled over all arms"),
    ("population", "completers"): gettext_noop("completers"),
    ("population", "available"): gettext_noop("all available values"),
    ("aucpext_rule", "keep"): gettext_noop("kept and counted"),
    ("aucpext_rule", "exclude"): gettext_noop("excluded"),
    # the subgroup of a PK similarity row (all subjects, or by ADA status)
    ("subgroup", "all"): gettext_noop("all subjects"),
    ("subgroup", "ADA-negative"): gettext_noop("ADA-negative subjects"),
    ("subgroup", "ADA-positive"): gettext_noop("ADA-positive subjects"),
    # comparative analytical assessment and comparability
    ("catalogue", ""): gettext_noop("tiers from the data"),
    ("catalogue", "igg1-mab-example"): gettext_noop("IgG1 mAb example catalogue"),
    ("plan", "qr-2025"): gettext_noop("quality range by criticality, 2025"),
    ("plan", "tiered-2017"): gettext_noop("tiered approach, FDA 2017"),
    ("region", ""): gettext_noop("not stated"),
    ("region", "ema"): gettext_noop("EMA, European Union"),
    ("region", "fda"): gettext_noop("FDA, United States"),
    # relative potency
    ("model", "parallel-line"): gettext_noop("parallel-line"),
    ("model", "slope-ratio"): gettext_noop("slope-ratio"),
    ("model", "4pl"): gettext_noop("four-parameter logistic"),
    ("model", "5pl"): gettext_noop("five-parameter logistic"),
    ("combine_method", "auto"): gettext_noop("automatic"),
    ("combine_method", "weighted"): gettext_noop("weighted"),
    ("combine_method", "semi-weighted"): gettext_noop("semi-weighted"),
    ("combine_method", "unweighted"): gettext_noop("unweighted"),
    ("transform", "auto"): gettext_noop("automatic"),
    ("transform", "none"): gettext_noop("none"),
    ("transform", "log"): gettext_noop("log"),
    # ADA: cut points, sensitivity, incidence
    ("method", "auto"): gettext_noop("automatic"),
    ("method", "parametric"): gettext_noop("parametric"),
    ("method", "robust"): gettext_noop("robust"),
    ("method", "nonparametric"): gettext_noop("nonparametric"),
    ("method", "parametric_lcl"): gettext_noop("parametric LCL"),
    ("method", "linear"): gettext_noop("linear interpolation"),
    ("method", "4pl"): gettext_noop("four-parameter logistic"),
    # the quartiles of the cut point's boxplot outlier rule (bioparity.bioassay.stats.OUTLIER_QUARTILES)
    ("outlier_quartiles", "tukey"): gettext_noop("Tukey's hinges (as R boxplot.stats)"),
    ("outlier_quartiles", "type1"): gettext_noop("R quantile type 1"),
    ("outlier_quartiles", "type2"): gettext_noop("R quantile type 2"),
    ("outlier_quartiles", "type3"): gettext_noop("R quantile type 3"),
    ("outlier_quartiles", "type4"): gettext_noop("R quantile type 4"),
    ("outlier_quartiles", "type5"): gettext_noop("R quantile type 5"),
    ("outlier_quartiles", "type6"): gettext_noop("R quantile type 6"),
    ("outlier_quartiles", "type7"): gettext_noop("R quantile type 7"),
    ("outlier_quartiles", "type8"): gettext_noop("R quantile type 8"),
    ("outlier_quartiles", "type9"): gettext_noop("R quantile type 9"),
    ("incidence", "treatment-emergent"): gettext_noop("treatment-emergent"),
    ("incidence", "any-visit"): gettext_noop("positive at any visit"),
    ("method", "newcombe"): gettext_noop("Newcombe hybrid score"),
    ("method", "newcombe-cc"): gettext_noop("Newcombe hybrid score with continuity correction"),
    ("method", "wald"): gettext_noop("Wald"),
    ("method", "mn"): gettext_noop("Miettinen-Nurminen"),
    ("method", "fm"): gettext_noop("Farrington-Manning"),
    ("normalization", "none"): gettext_noop("none"),
    ("normalization", "additive on log scale"): gettext_noop("additive on log scale"),
    ("normalization", "multiplicative"): gettext_noop("multiplicative"),
    ("normalization", "additive"): gettext_noop("additive"),
    ("normalization", "auto"): gettext_noop("automatic"),  # ada-cutpoint's option (the rule asked for)
    # ada-cutpoint's option as runs stored before it took the stored field's spelling name it
    ("normalisation", "auto"): gettext_noop("automatic"),
    ("normalisation", "multiplicative"): gettext_noop("multiplicative"),
    ("normalisation", "additive"): gettext_noop("additive"),
    # profiles: the distance threshold by default (a quantile is typed q0.95, printed as typed)
    ("threshold", "max"): gettext_noop("maximum of the reference leave-one-out distances"),
    # stability and comparability
    ("model", "linear"): gettext_noop("linear"),
    ("model", "log"): gettext_noop("log"),
    ("dids_variance", "separate"): gettext_noop("separate lot regressions"),
    ("dids_variance", "pooled"): gettext_noop("pooled"),
    # incurred sample reanalysis
    ("assay", "ligand-binding"): gettext_noop("ligand-binding assay"),
    ("assay", "chromatographic"): gettext_noop("chromatographic assay"),
}


def value_words(key: str, value: Any) -> str:
    """A stored code of an option or method in the reader's words (:data:`VALUE_LABELS`); any other value
    as text, as stored. For a table cell, whose stored code the report's appendix prints.

    Parameters
    ----------
    key : str
        The option name or result key the value is stored under (``method``, ``df_method``, ...).
    value : Any
        The stored value.

    Examples
    --------
    >>> value_words("method", "ema-abel-a"), value_words("method", "TRTR"), value_words("model", "4pl")
    ('EMA ABEL, Method A', 'TRTR', 'four-parameter logistic')
    """
    text = str(value)
    words = VALUE_LABELS.get((key, text)) if isinstance(value, str) else None
    return text if words is None else _(words)


def coded_value(key: str, value: Any) -> Any:
    """A stored code of an option or method in the reader's words followed by the code, as a key/value
    layout prints it (``EMA ABEL, Method A (ema-abel-a)``: the code matches the record and the CSV); the
    words alone when they are the code itself (``log``) or the code is empty; any other value unchanged.

    Examples
    --------
    >>> coded_value("method", "ema-abel-a"), coded_value("model", "log"), coded_value("region", "")
    ('EMA ABEL, Method A (ema-abel-a)', 'log', 'not stated')
    >>> coded_value("method", "TRTR"), coded_value("alpha", 0.05)
    ('TRTR', 0.05)
    """
    if not isinstance(value, str) or (key, value) not in VALUE_LABELS:
        return value
    words = value_words(key, value)
    return words if words == value or not value else f"{words} ({value})"


def value_text(key: str, value: Any) -> str:
    """A stored option or setting value as one line of text prints it: a flag yes/no, a fraction under a
    ``percent`` label in percent and a number to its label's decimals (:func:`shown_value`), a code in words
    (:func:`value_words`); any other value as stored.

    Examples
    --------
    >>> value_text("method", "exact"), value_text("share_within", 0.25), value_text("log", True)
    ("exact, Owen's Q", '25.0', 'yes')
    """
    if isinstance(value, bool):
        return yes_no_text(value)
    shown = shown_value(key, value)
    if isinstance(shown, float):
        return f"{shown:.10g}"
    return value_words(key, shown)


def setting_text(key: str, value: Any, label: str | None = None) -> str:
    """``label: value``: a run option or a stored setting under its label in the reader's words
    (:func:`key_label`, or ``label`` given), its value as :func:`value_text` prints it. The stored options
    (the run's JSON, the CSV downloads) keep the key and the code.

    Examples
    --------
    >>> setting_text("method", "exact"), setting_text("later_option", "x")
    ("method: exact, Owen's Q", 'later_option: x')
    >>> from bioparity.i18n import use_language
    >>> with use_language("zh-CN"):
    ...     setting_text("method", "exact")
    "方法：精确法，Owen's Q"
    """
    shown = key_label(key) if label is None else label
    return _("%(label)s: %(value)s") % {"label": shown, "value": value_text(key, value)}


#: Order of the labelled keys (pages print a record's keys in it, keys without a label after them).
_ORDER = {key: i for i, key in enumerate(LABELS)}


def ci_level(record: Mapping[str, Any]) -> str:
    """The confidence level of the interval a record states (``90%``), empty when it does not say.

    ``conf_level`` when the record has one; otherwise, for the two one-sided tests (a record with
    ``alpha`` and ``ci_lower``), ``1 - 2 alpha`` (Schuirmann 1987, J Pharmacokinet Biopharm 15:657).

    Examples
    --------
    >>> ci_level({"alpha": 0.05, "ci_lower": 97.3}), ci_level({"conf_level": 0.95}), ci_level({})
    ('90%', '95%', '')
    """
    level = record.get("conf_level")
    if level is None and "ci_lower" in record and "alpha" in record:
        level = 1.0 - 2.0 * float(record["alpha"])
    if isinstance(level, int | float) and not isinstance(level, bool):
        return f"{round(100.0 * level, 10):g}%"
    return ""


def key_label(key: str, level: str = "") -> str:
    """A stored key in the reader's words with its unit (:data:`LABELS`); a key without a label as stored.

    Parameters
    ----------
    key : str
        A stored result key, option name or result-table column.
    level : str, default ""
        The confidence level of the record's interval (:func:`ci_level`), named by labels of CI bounds.

    Examples
    --------
    >>> key_label("cvwr"), key_label("ci_lower", "90%"), key_label("ci_lower"), key_label("AUCIFO")
    ('CVwR: within-subject CV of R (%)', '90% CI lower bound (%)', 'CI lower bound (%)', 'AUCIFO')
    """
    label = LABELS.get(key)
    if label is None:
        return key
    return str(_(label.text) % {"level": level}).strip()


def input_name(key: str) -> str:
    """A run's input (a key of its stored ``inputs``) in the reader's words: ``dataset`` (the analysed one)
    or the option naming another dataset or run under its label (NCA's ``dosing``: dose records), as the
    run page and the reports print it beside the input's SHA-256; printed as stored, the key was English on
    a Chinese page ("输入 SHA-256（dataset）").

    Examples
    --------
    >>> input_name("dataset"), input_name("dosing")
    ('dataset', 'dose records (dataset)')
    """
    return key_label(key) if key in LABELS else term(key)


def shown_value(key: str, value: Any) -> Any:
    """The value as a page prints it under the key's label: a fraction times 100 for a ``percent`` label,
    a number as text to the label's ``decimals``; any other value as stored.

    Examples
    --------
    >>> shown_value("share_within", 0.9), shown_value("cvwr", 46.9643), shown_value("share_within", None)
    ('90.0', '46.96', None)
    >>> shown_value("power", 0.8158), shown_value("n", 77)
    ('81.58', 77)
    """
    label = LABELS.get(key)
    if label is None or not isinstance(value, int | float) or isinstance(value, bool):
        return value
    number = 100.0 * value if label.percent else value
    if label.decimals is None or not math.isfinite(number):
        return number
    return f"{number:.{label.decimals}f}"


def labelled(record: Mapping[str, Any], own: Mapping[str, str] | None = None) -> list[tuple[str, Any]]:
    """A record as (label, value shown) pairs, in the order of :data:`LABELS` (keys without one last, as
    stored, in name order); an option or method code in words with the code (:func:`coded_value`).

    Examples
    --------
    >>> labelled({"share_within": 0.9, "passed": True, "extra_key": 1})
    [('passed', True), ('share of repeats within the limit (%)', '90.0'), ('extra_key', 1)]
    >>> labelled({"method": "abe"})
    [('method', 'average bioequivalence (abe)')]

    ``own`` are the kind's words for its keys (:attr:`~bioparity.analyses.contract.Analysis.labels`,
    marked with ``gettext_noop``): they come before the shared :data:`LABELS`, so that a key another kind
    labelled first (``conf_level``: "confidence level of the potency CI") is printed in this kind's words.

    >>> labelled({"conf_level": 0.95}, {"conf_level": "confidence level of the slope CI"})
    [('confidence level of the slope CI', 0.95)]
    """
    level = ci_level(record)
    own = own or {}
    keys = sorted(record, key=lambda k: (_ORDER.get(str(k), len(_ORDER)), str(k)))
    return [
        (
            _(own[str(k)]) if str(k) in own else key_label(str(k), level),
            coded_value(str(k), record[k])
            if str(k) in own
            else shown_value(str(k), coded_value(str(k), record[k])),
        )
        for k in keys
    ]
