"""ADA assay cut points (screening, confirmatory, titration) from validation data.

Input: one value per donor and run (replicate wells of a donor in a run are averaged first; an
analyst or plate factor is part of the run label). Steps, each reported in the result:

1. **Transformation** (Shankar et al. 2008, J Pharm Biomed Anal 48:1267, Appendix 1 section 2; Devanarayan
   et al. 2017, AAPS J 19:1487, "Data transformation"): ``auto`` takes the log when the raw data are
   right-skewed and the log reduces the absolute skewness; ``none`` / ``log`` force it. The skewness is
   that of every donor x run value (replicates averaged), before the outlier steps (which judge values on
   the scale chosen here). Unlike the normality test of step 5 this is a comparison of two estimates, not a
   test with a size that correlated values inflate, and it describes the values the cut point is a
   percentile of: ``mean + z SD`` and the quantile of step 5 are taken over the donor x run values, one
   donor effect plus one run's error each, as an in-study sample is measured. Judged on the donor means
   instead (seeded simulation, 4,000 studies of 23 donors x 3 runs, total SD 0.25 split by the intraclass
   correlation 0.5 / 0.8 / 0.95), the rule would see the donor effect's shape only: with normal donor
   effects and additive normal errors it picks log in 29% / 28% / 28% of studies (all values: 13% / 19% /
   26%); with log-normal donor effects and errors (normal on the log scale, the usual immunoassay model)
   in 70% / 72% / 72% (all values: 85% / 80% / 74%); with normal donor effects and multiplicative errors,
   whose single values are skewed, in 47% / 33% / 29% (all values: 70% / 42% / 31%); with log-normal donor
   effects and additive errors, whose single values are less skewed than the donors, in 52% / 65% / 72%
   (all values: 26% / 51% / 69%). The two agree in 96% to 98% of studies at 0.95 and differ most at 0.5,
   where the run error weighs most in a single value; the rule stays on all values.
2. **Analytical outliers**: within each donor, its values across runs outside the boxplot fences
   (``Q1 - 1.5 IQR``, ``Q3 + 1.5 IQR``; Shankar 2008, Appendix 1; Devanarayan 2017, "Outlier evaluation");
   removed and listed. Neither paper fixes how the quartiles are computed: ``outlier_quartiles`` chooses
   R ``quantile`` type 7 (default) or Tukey's hinges (R ``boxplot.stats``) or another R type
   (:data:`bioparity.bioassay.stats.OUTLIER_QUARTILES`), and the result states it (``outlier_quartiles``).
3. **Biological outliers**: donor means across donors outside the boxplot fences; the donor is removed
   and listed. One pass per step (no iteration).
4. **Run means and variances** (Shankar 2008, Appendix 1 section 3): REML fit of
   ``y = mu + run + donor + e`` (run fixed, donor random); Wald F test of equal run means
   (denominator df by containment, ``n - p - (donors - 1)``) and Levene's test (mean-centred, Levene 1960)
   of equal run variances. ``fixed`` cut point when neither is significant at 5%, ``floating`` when
   the means differ and the variances do not, ``dynamic`` when the variances differ: a normalisation factor
   shifts a run's cut point but cannot rescale its spread, so no fixed or floating cut point holds for every
   run and each in-study run needs its own cut point from its own negative samples (Shankar 2008,
   Appendix 1 section 3 and its decision scheme: different run variances -> dynamic, run-specific cut
   points). A dynamic tier's ``cut_point`` is the pooled estimate of the validation runs, for reference
   only: no normalisation factor is computed, the validation runs' own cut points (the same estimate on
   each run's values) are listed in a note, and :mod:`bioparity.bioassay.classify` refuses to apply it as
   one cut point (``floating (variances differ)``, stored by earlier versions, is read as ``dynamic``).
   Values that donor and run fit exactly (no residual scatter: every donor shifted by one amount between
   runs, or all values equal) have no REML estimate and are refused (:data:`NO_RESIDUAL_SCATTER`; a
   residual variance below 1e-10 of the donor variance, :data:`bioparity.bioassay.reml.MAX_VARIANCE_RATIO`).
5. **Cut points** on the analysis scale for the target false-positive rate ``fpr``:
   parametric ``mean + z SD`` with ``z = qnorm(1 - fpr)`` (Shankar 2008, Appendix 1 section 4);
   robust ``median + z * 1.4826 MAD`` (Devanarayan 2017, "Cut point computation");
   nonparametric ``quantile(1 - fpr, type)`` (R ``quantile``, type 7 default);
   lower confidence limit of the parametric cut point ``mean + k SD`` with
   ``k = qt(1 - conf, n - 1, sqrt(n) z) / sqrt(n)``, ``n`` = donors (Devanarayan 2017: 90% for screening,
   80% for confirmatory). ``method = auto`` selects parametric when Shapiro-Wilk ``p >= 0.05`` on the
   **donor means across runs** (one value per donor, after the transform and the outlier steps),
   nonparametric otherwise. The donor is the unit: the cut point is a percentile of the values of new
   donors, and the outlier steps of Shankar 2008 (Appendix 1) and Devanarayan 2017 ("Outlier evaluation")
   already judge the donors' distribution on their means (biological outliers) and each donor's runs apart
   (analytical outliers). The donor x run values are not independent (every donor is measured in every
   run, so a donor's values share its donor effect): tested as if they were, Shapiro-Wilk counts each
   donor once per run and rejects normality more often than its 5% (normal data of 23 donors x 3 runs,
   4,000 simulated studies: 7%, 18% and 40% of the tests on all values reject at intraclass correlations
   0.5, 0.8 and 0.95; 5% of those on the donor means). Residuals of a donor + run model are
   not used either: they remove the donor effect, the very distribution the cut point is a percentile of.
   The result states the values tested (``normality_values``, ``donor means``), their number
   (``shapiro_n``), ``W`` (``shapiro_w``) and ``p`` (``shapiro_p``); a stored result without
   ``normality_values`` was made by the earlier rule, which tested every donor x run value (its note
   :data:`METHOD_SELECTED_ALL_VALUES` names no values; the package version, 0.1.0, did not change).
   Then: Shankar 2008,
   Appendix 1 section 4, takes the empirical percentile when the values are not normal, and so does
   Devanarayan 2017's scheme ("Cut point computation"), where the robust estimate replaces mean and SD by
   median and MAD for values normal apart from a few extreme ones; the robust estimate still assumes a
   symmetric normal core, so for values that are not normal it is chosen explicitly (``method = robust``),
   never by ``auto``. The earlier rule selected the robust estimate here: a stored result whose ``method``
   is ``robust`` with the note ``method selected: robust (...)`` was chosen by it (every estimate is stored
   beside the one chosen). When fewer than ``1 / fpr`` values are analysed the nonparametric cut point
   lies between the largest values and a note says so (:data:`FEW_VALUES_FOR_PERCENTILE`).
6. **Normalisation factor** for a floating cut point (Shankar 2008, Appendix 1 section 5; the section number
   is not verified here): the same estimate computed on the values normalised by the negative control
   ``nc`` of their run, additive on the log scale (``NF`` = estimate of ``log(signal) - log(NC)``; plate
   cut point ``NC * exp(NF)``) or, on the raw scale, multiplicative (``NF`` = estimate of ``signal / NC``;
   plate cut point ``NC * NF``) or additive (``NF`` = estimate of ``signal - NC``; plate cut point
   ``NC + NF``). Option
   ``normalization`` (the spelling of the stored field; ``normalisation``, the earlier spelling, is
   accepted as an alias): ``auto`` (the default, unchanged: additive on the log scale, multiplicative on
   the raw scale), ``multiplicative`` (the same as ``auto``: on the log scale the difference of logs is the
   log of the ratio) or ``additive`` (raw scale only; refused on the log scale, where the difference of
   raw signals is not what the estimate is computed on). The rule applied is stored in ``normalization``
   (``additive on log scale``, ``multiplicative`` or ``additive``) and read back by the classification,
   sensitivity and drug-tolerance steps; results stored before the option carry one of the first two.
   Which rule ``auto`` picks is bioparity's convention, chosen so that the factor is computed on the scale
   the cut point is estimated on (on the log scale a difference of logs is a ratio of signals): that
   Shankar 2008, Appendix 1 section 5, Devanarayan 2017 or the FDA 2019 guidance prescribe additive on the
   log scale and multiplicative on the raw scale is *not verified* (their text could not be read when this
   was checked, 2026-12-07); choose ``additive`` or ``multiplicative`` when the validation plan says which.
   The confirmatory tier is never normalised: % inhibition compares each sample with itself, the negative
   control does not enter it (:data:`CONFIRMATORY_NOT_NORMALISED`); the titration tier takes the screening
   tier's rule.

Confirmatory cut points use % inhibition ``100 (1 - signal_with_drug / signal_without_drug)`` per donor
and run (Shankar 2008, section 3.2; FDA 2019 ADA guidance, section IV.B.2; both section numbers not
verified here), no transform by default, 1% FPR, never normalised by the negative control; titration cut
points use the screening data at 0.1% FPR (Devanarayan 2017, "Titer cut point") with the screening tier's
normalisation rule.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats as sps

from bioparity.arrays import broadcast_named
from bioparity.bioassay.reml import NoResidualScatterError, RemlFit, reml_fit
from bioparity.bioassay.results import CutPointResult, Outlier
from bioparity.bioassay.stats import (
    DEFAULT_OUTLIER_QUARTILES,
    SHAPIRO_MAX_N,
    boxplot_fences,
    boxplot_flags,
    check_outlier_quartiles,
    mad,
    normal_quantile_lcl_factor,
    quantile,
    shapiro_wilk,
    skewness,
)
from bioparity.errors import DataFileError, InputError
from bioparity.i18n import gettext_noop, translations
from bioparity.i18n.notes import note_template
from bioparity.i18n.printing import LIST_SEPARATOR

TRANSFORMS = ("auto", "none", "log")
#: The cut-point estimates, each computed by :func:`_estimate`; ``METHODS`` adds ``auto``.
ESTIMATES = ("parametric", "robust", "nonparametric", "parametric_lcl")
METHODS = ("auto", *ESTIMATES)
TIERS = ("screening", "confirmatory", "titration")
#: The types of cut point a result states (step 4 of the module docstring) and the normalisations of a
#: floating one (step 6): the only words a cut-point result applied to other data may carry.
CUT_POINT_TYPES = ("fixed", "floating", "dynamic", "floating (variances differ)")
#: The types of a cut point that no single value or normalisation factor applies to (run variances differ):
#: ``dynamic``, and ``floating (variances differ)`` as results of earlier versions stored it.
DYNAMIC_TYPES = ("dynamic", "floating (variances differ)")
NORMALIZATIONS = ("none", "additive on log scale", "multiplicative", "additive")
#: The normalisation rules a floating cut point's factor may be asked for (step 6 of the module docstring):
#: option ``normalization``; ``NORMALISATION_RULES`` is the earlier name.
NORMALIZATION_RULES = ("auto", "additive", "multiplicative")
NORMALISATION_RULES = NORMALIZATION_RULES
#: ``normalization = additive`` with a log-scale analysis: the factor is a difference of logs (a ratio).
ADDITIVE_ON_LOG = (
    "normalization 'additive' (plate cut point NC + NF, NF estimated on signal - NC) is for the "
    "untransformed scale, but the screening values are analysed on the log scale, where the normalisation "
    "is log(signal) - log(NC) (plate cut point NC x exp(NF)): give transform none with normalization "
    "additive, or normalization auto"
)

# The notes of a cut-point analysis (templates: see bioparity.i18n.notes).
EXCLUDED_DONORS = note_template("donors excluded by the user: {donors}")
REPLICATES_AVERAGED = note_template("replicate wells of a donor within a run averaged before analysis")
#: The transform of ``transform = auto`` and the skewness it was chosen by, naming the values judged (step 1
#: of the module docstring: every donor x run value, before the outlier steps), which differ from the values
#: analysed and from the donor means of the normality test.
TRANSFORM_SELECTED = note_template(
    "transform selected: {transform} (skewness raw {skew_raw:.3g}, log {skew_log:.3g}, of the {n:d} donor x "
    "run values before the outlier steps)"
)
#: The note of the earlier wording, which did not name the values judged: kept so that a stored result's
#: note still reads back in the reader's language.
TRANSFORM_SELECTED_UNNAMED = note_template(
    "transform selected: {transform} (skewness raw {skew_raw:.3g}, log {skew_log:.3g})"
)
#: An outlier removed, in words: a value of one run outside the fences of its donor's values across runs
#: (analytical), or a donor whose mean is outside the fences of the donor means (biological).
OUTLIER_WORDS = {
    "analytical": gettext_noop("donor %(donor)s, run %(run)s (analytical outlier)"),
    "biological": gettext_noop("donor %(donor)s (biological outlier)"),
}
#: The start of an outlier's code (:attr:`Outlier.code`) in a list of them (``, `` in a note, ``; `` in
#: the result table's ``outliers`` column).
_OUTLIER_CODE = re.compile(r"(?:^|, |; )(analytical|biological):")


def outliers_in_words(codes: str, language: str) -> str:
    """The outliers' codes of a note in the reader's words (the note keeps the codes).

    Parameters
    ----------
    codes : str
        :attr:`Outlier.code` of each outlier, ``", "``-joined (``analytical:D03/R2, biological:D08``).
    language : str
        The reader's language.

    Returns
    -------
    str
        One clause per outlier, joined by the reader's list separator (``"; "``, zh-CN ``"；"``);
        ``codes`` as stored when it is not such a list.

    Examples
    --------
    >>> outliers_in_words("analytical:D03/R2, biological:D08", "en")
    'donor D03, run R2 (analytical outlier); donor D08 (biological outlier)'
    >>> outliers_in_words("no codes", "en")
    'no codes'
    """
    parts = _OUTLIER_CODE.split(codes)  # ['', step, donor[/run], step, donor[/run], ...]
    if len(parts) < 3 or parts[0]:
        return codes
    catalogue = translations(language)
    shown = []
    for step, where in zip(parts[1::2], parts[2::2], strict=True):
        donor, slash, run = where.rpartition("/") if step == "analytical" else (where, "", "")
        if step == "analytical" and not slash:
            return codes
        shown.append(catalogue.gettext(OUTLIER_WORDS[step]) % {"donor": donor, "run": run})
    return str(catalogue.gettext(LIST_SEPARATOR)).join(shown)


OUTLIERS_REMOVED = note_template(
    "{n:d} outlier(s) removed: {outliers}", shown={"outliers": outliers_in_words}
)
ONE_RUN = note_template("one run only: run means and variances not compared")
NO_RUN_COMPARISON = note_template(
    "run comparison not possible (too few values per run); fixed cut point assumed"
)
RUN_VARIANCES_DIFFER = note_template(
    "run variances differ (Levene p = {p:.3g}): no fixed or floating cut point holds for every run (a "
    "normalisation factor cannot rescale a run's spread); dynamic cut point: each in-study run needs its own "
    "cut point from that run's negative samples (Shankar et al. 2008, Appendix 1 section 3); the cut point "
    "reported is the pooled estimate of the validation runs, for reference only, and no normalisation factor "
    "was computed; the validation runs' own cut points ({method}, data scale): {runs}"
)
#: The values the normality of ``method = auto`` is judged on (step 5 of the module docstring).
NORMALITY_VALUES = "donor means"
METHOD_SELECTED = note_template(
    "method selected: {method} (Shapiro-Wilk on {n:d} donor means across runs: W = {w:.4g}, p = {p:.3g})"
)
#: The note of the earlier rule, which tested every donor x run value (results stored without
#: ``normality_values``): kept so that a stored result's note still reads back in the reader's language.
METHOD_SELECTED_ALL_VALUES = note_template("method selected: {method} (Shapiro-Wilk p = {p:.3g})")
#: The empirical percentile of fewer than 1/FPR values: between the two largest (R quantile type 7), so one
#: or two donors make it (Devanarayan et al. 2017 advise enough donors for a nonparametric cut point).
FEW_VALUES_FOR_PERCENTILE = note_template(
    "the nonparametric cut point at FPR {fpr:g} of {n:d} values (fewer than 1/FPR) lies between the largest "
    "values, so one or two donors set it: consider more donors, or a transform that makes the values normal "
    "and the parametric estimate"
)
SHAPIRO_APPROXIMATE = note_template(
    "Shapiro-Wilk p of {n:d} values is approximate: Royston's algorithm (R shapiro.test) holds for 3 to 5000 "
    "values"
)
#: The notes above with the transform or method chosen and a result's notes under the tier they are about
#: (``LABELLED`` with ``tier.capitalize()``), spelt out: templates of their own, so that a translated note
#: names the choice and the tier in the reader's words (a stored code as a placeholder value would stay
#: English). Never formatted: the notes are made from the general templates, and match these.
CHOSEN_WORDS = (
    note_template(
        "transform selected: log (skewness raw {skew_raw:.3g}, log {skew_log:.3g}, of the {n:d} donor x run "
        "values before the outlier steps)"
    ),
    note_template(
        "transform selected: none (skewness raw {skew_raw:.3g}, log {skew_log:.3g}, of the {n:d} donor x run "
        "values before the outlier steps)"
    ),
    note_template("transform selected: log (skewness raw {skew_raw:.3g}, log {skew_log:.3g})"),
    note_template("transform selected: none (skewness raw {skew_raw:.3g}, log {skew_log:.3g})"),
    note_template(
        "method selected: parametric (Shapiro-Wilk on {n:d} donor means across runs: W = {w:.4g}, "
        "p = {p:.3g})"
    ),
    note_template(
        "method selected: nonparametric (Shapiro-Wilk on {n:d} donor means across runs: W = {w:.4g}, "
        "p = {p:.3g})"
    ),
    note_template("method selected: parametric (Shapiro-Wilk p = {p:.3g})"),
    note_template("method selected: robust (Shapiro-Wilk p = {p:.3g})"),
    note_template("method selected: nonparametric (Shapiro-Wilk p = {p:.3g})"),
    note_template("Screening: {note}.", wrapper=True),
    note_template("Confirmatory: {note}.", wrapper=True),
    note_template("Titration: {note}.", wrapper=True),
)
#: Above this share of a tier's donors (biological) or values (analytical) removed as outliers, a note asks
#: that the removal be justified (Devanarayan et al. 2017, AAPS J 19:1487-1498, "Outlier evaluation":
#: outlier exclusion should be limited and justified; the rule itself is not changed).
OUTLIER_SHARE_LIMIT = 0.10
MANY_DONORS_REMOVED = note_template(
    "{k:d} of {n:d} donors ({share:.0%}) removed as biological outliers, more than 10%: outlier exclusion "
    "should be limited and justified (Devanarayan et al. 2017, AAPS J 19:1487-1498); "
    "review the donors removed"
)
MANY_VALUES_REMOVED = note_template(
    "{k:d} of {n:d} values ({share:.0%}) removed as analytical outliers, more than 10%: outlier exclusion "
    "should be limited and justified (Devanarayan et al. 2017, AAPS J 19:1487-1498); "
    "review the values removed"
)
NO_NORMALISATION = note_template(
    "floating cut point but no negative-control column 'nc': normalisation factor not computed"
)
#: A confirmatory tier whose run means differ: % inhibition compares each sample with itself, the negative
#: control does not enter it, and :mod:`bioparity.bioassay.classify` applies the confirmatory cut point as
#: one value (the earlier note said the data had no 'nc' column, also when they had one).
CONFIRMATORY_NOT_NORMALISED = note_template(
    "floating confirmatory cut point (the run means of % inhibition differ): % inhibition compares each "
    "sample with itself (with and without excess drug), so the negative control does not enter it and no "
    "normalisation factor is computed; the confirmatory cut point is applied as one value"
)


def tier_in_words(tier: str, language: str) -> str:
    """A tier's code (``screening``) in the reader's words; any other text as stored.

    Parameters
    ----------
    tier : str
        The stored tier (a value of :data:`TIERS`, or other text).
    language : str
        The reader's language.

    Returns
    -------
    str
        The tier's name in ``language``.

    Examples
    --------
    >>> tier_in_words("screening", "zh-CN"), tier_in_words("other", "zh-CN")
    ('筛选', 'other')
    """
    return translations(language).gettext(tier) if tier in TIERS else tier


#: Data that donor and run fit exactly (:class:`~bioparity.bioassay.reml.NoResidualScatterError`): what is
#: degenerate and, as what was expected, what the user can check.
NO_RESIDUAL_SCATTER = note_template(
    "{tier} values of {donors:d} donors x {runs:d} runs have no residual scatter: donor and run fit every "
    "value (each donor's values differ between runs by the same amount, or all values are equal), so the "
    "variance components and the comparison of the runs cannot be estimated",
    shown={"tier": tier_in_words},
)
SCATTER_EXPECTED = note_template(
    "values measured in each run, each with its own scatter: check that no run's values were copied from "
    "another run or computed from it (one offset or factor for every donor)"
)


def outlier_rule(quartiles: str) -> str:
    """``boxplot 1.5 IQR, type-7 quartiles`` or ``boxplot 1.5 IQR, Tukey's hinges (R boxplot.stats)``."""
    if quartiles == "tukey":
        return "boxplot 1.5 IQR, Tukey's hinges (R boxplot.stats)"
    return f"boxplot 1.5 IQR, {quartiles.replace('type', 'type-')} quartiles"


def _estimate(
    y: np.ndarray, method: str, z: float, fpr: float, qtype: int, donors: int, conf: float
) -> float:
    """One cut-point estimate of ``y`` on its own scale (the same rule as the cut point)."""
    if method == "parametric":
        return float(np.mean(y) + z * np.std(y, ddof=1))
    if method == "robust":
        return float(np.median(y) + z * mad(y))
    if method == "nonparametric":
        return quantile(y, 1.0 - fpr, qtype)
    return float(np.mean(y) + normal_quantile_lcl_factor(donors, 1.0 - fpr, conf) * np.std(y, ddof=1))


def choose_transform(values: np.ndarray) -> tuple[str, float, float]:
    """``log`` when the raw values are right-skewed and the log lowers |skewness|, else ``none``."""
    raw = skewness(values)
    logged = skewness(np.log(values)) if np.all(values > 0) else math.nan
    use_log = raw > 0 and not math.isnan(logged) and abs(logged) < abs(raw)
    return ("log" if use_log else "none"), raw, logged


def inhibition(signal: np.ndarray, signal_drug: np.ndarray) -> np.ndarray:
    """% signal inhibition by excess drug: ``100 * (1 - signal_drug / signal)``.

    Parameters
    ----------
    signal : numpy.ndarray
        Signal of each sample without added drug (> 0, any signal unit).
    signal_drug : numpy.ndarray
        Signal of the same samples spiked with excess drug (same unit and shape, or broadcastable).

    Returns
    -------
    numpy.ndarray
        % inhibition per sample (negative when the drug raised the signal).

    Raises
    ------
    InputError
        When a signal without drug is <= 0.

    References
    ----------
    Shankar G. et al. (2008), Recommendations for the validation of immunoassays used for detection
    of host antibodies against biotechnology products, J Pharm Biomed Anal 48:1267, section 3.2.

    Examples
    --------
    >>> import numpy as np
    >>> inhibition(np.array([200.0, 150.0]), np.array([40.0, 140.0])).round(2).tolist()
    [80.0, 6.67]
    """
    signal, signal_drug = broadcast_named(
        signal=np.asarray(signal, dtype=float), signal_drug=np.asarray(signal_drug, dtype=float)
    )
    if np.any(signal <= 0):
        raise InputError("% inhibition needs signals without drug > 0")
    return np.asarray(100.0 * (1.0 - signal_drug / signal), dtype=float)  # 0-d for one sample


def _aggregate(frame: pd.DataFrame) -> pd.DataFrame:
    need = {"donor", "run", "value"}
    if not need <= set(frame.columns):
        raise InputError(f"cut point data need columns {sorted(need)}; got {sorted(frame.columns)}")
    data = frame.assign(donor=frame["donor"].astype(str), run=frame["run"].astype(str))
    value = pd.to_numeric(data["value"], errors="coerce")
    if value.isna().any() or not np.all(np.isfinite(value.to_numpy(dtype=float))):
        raise InputError("cut point values must be finite numbers (missing values are not dropped)")
    data = data.assign(value=value.astype(float))
    cols = ["donor", "run"]
    agg: dict[str, tuple[str, str]] = {"value": ("value", "mean"), "n_replicates": ("value", "size")}
    if "nc" in data.columns:
        agg["nc"] = ("nc", "mean")
    result: pd.DataFrame = data.groupby(cols, sort=True).agg(**agg).reset_index()
    return result


def fit_key(y: np.ndarray, x: np.ndarray, donors: np.ndarray) -> bytes:
    """The identity of a REML fit's data: the bytes of the values, the fixed-effects matrix and the donor
    codes, with their shapes (two fits with the same key are the same computation)."""
    parts = [np.ascontiguousarray(a) for a in (y, x, donors)]
    return b"|".join(repr((a.shape, a.dtype.str)).encode() + a.tobytes() for a in parts)


def _reml_fit(y: np.ndarray, x: np.ndarray, donors: np.ndarray, fits: dict[bytes, RemlFit]) -> RemlFit:
    """``y = x b + donor + e`` by REML (:func:`bioparity.bioassay.reml.reml_fit`), once per data."""
    key = fit_key(y, x, donors)
    if key not in fits:
        fits[key] = reml_fit(y, x, {"donor": donors})
    return fits[key]


def _normalization_rule(normalization: str, normalisation: str | None = None) -> str:
    """The normalisation rule asked for: ``normalization``, or ``normalisation`` (the earlier spelling of
    the option, an alias); one of :data:`NORMALIZATION_RULES`.

    Parameters
    ----------
    normalization : str
        The rule under the option's name.
    normalisation : str or None, default None
        The rule under the earlier spelling; ``None`` when not given.

    Returns
    -------
    str
        ``auto``, ``additive`` or ``multiplicative``.

    Raises
    ------
    InputError
        When the rule is not one of them, or both spellings are given with different rules.

    Examples
    --------
    >>> _normalization_rule("auto", "additive")
    'additive'
    """
    if normalisation is not None and normalisation != normalization:
        if normalization != "auto":
            raise InputError(
                f"normalization {normalization!r} and normalisation {normalisation!r} disagree: give one"
            )
        normalization = normalisation
    if normalization not in NORMALIZATION_RULES:
        raise InputError(
            f"normalization must be one of {', '.join(NORMALIZATION_RULES)}; got {normalization!r}"
        )
    return normalization


def compute_cut_point(
    frame: pd.DataFrame,
    *,
    tier: str = "screening",
    fpr: float | None = None,
    transform: str | None = None,
    method: str = "auto",
    quantile_type: int = 7,
    lcl_confidence: float | None = None,
    remove_outliers: bool = True,
    exclude_donors: Sequence[str] = (),
    outlier_quartiles: str = DEFAULT_OUTLIER_QUARTILES,
    fits: dict[bytes, RemlFit] | None = None,
    normalization: str = "auto",
    normalisation: str | None = None,
) -> CutPointResult:
    """Cut point of one tier from a frame with columns ``donor``, ``run``, ``value`` [, ``nc``].

    ``value`` is the screening signal (or S/N) for screening and titration, the % inhibition for the
    confirmatory tier. ``nc`` (negative-control signal of the run) enables the normalisation factor.
    Defaults: FPR 5% / 1% / 0.1%, transform ``auto`` / ``none`` / ``auto``, LCL confidence 90% / 80% /
    80% for screening / confirmatory / titration. The steps are those of the module docstring.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per well: ``donor``, ``run`` and ``value`` (finite numbers; replicate wells of a donor
        in a run are averaged), optionally ``nc`` (negative-control signal of the run, > 0).
    tier : str, default "screening"
        ``screening``, ``confirmatory`` or ``titration``; sets the defaults above.
    fpr : float or None, default None
        Target false-positive rate in (0, 0.5); ``None`` takes the tier's default.
    transform : str or None, default None
        ``auto`` (log when it lowers a positive skewness), ``none`` or ``log``; ``None`` takes the
        tier's default.
    method : str, default "auto"
        ``auto`` (parametric when Shapiro-Wilk p >= 0.05 on the donor means across runs, else
        nonparametric: step 5 of the module docstring), ``parametric``, ``robust``,
        ``nonparametric`` or ``parametric_lcl``.
    quantile_type : int, default 7
        R quantile type (1-9, Hyndman and Fan 1996) of the nonparametric estimate.
    lcl_confidence : float or None, default None
        Confidence of the lower confidence limit of the parametric cut point, in [0.5, 1);
        ``None`` takes the tier's default.
    remove_outliers : bool, default True
        Remove analytical, then biological, outliers by the boxplot rule (one pass each).
    exclude_donors : sequence of str, default ()
        Donors to leave out before the analysis (recorded in the notes).
    outlier_quartiles : str, default "type7"
        Quartiles of the boxplot rule: ``type7`` (R ``quantile`` type 7), ``tukey`` (Tukey's hinges, R
        ``fivenum``: the outliers of R ``boxplot.stats``) or ``type1``..``type9``; stated in the result
        (``settings`` and the table's ``outlier_quartiles``).
    fits : dict or None, default None
        REML fits already made, by the data they fitted (:func:`fit_key`): a fit of the same values, runs
        and donors is taken from it instead of fitted again, a new one added. The screening and titration
        tiers analyse the same values (:func:`screening_and_confirmatory` passes one dict to its tiers).
    normalization : str, default "auto"
        Normalisation of a floating cut point's factor (step 6 of the module docstring): ``auto``
        (additive on the log scale, multiplicative on the raw scale), ``multiplicative`` (``NC * NF``) or
        ``additive`` (``NC + NF``, raw scale only); the rule applied is stored in the result's
        ``normalization``.
    normalisation : str or None, default None
        The earlier spelling of ``normalization``, accepted as an alias (refused when both are given and
        differ).

    Returns
    -------
    CutPointResult
        Every estimate on both scales, the one selected, the run comparison and the cut point type,
        the normalisation factor, the outliers removed and the notes.

    Raises
    ------
    InputError
        When an option is out of range, a column is missing, a value is not finite, an excluded
        donor is not in the data, the log is taken of a value <= 0, an ``nc`` is <= 0, fewer than
        3 donors remain, or ``normalization = additive`` meets a log-scale analysis (:data:`ADDITIVE_ON_LOG`).
    DataFileError
        When the values have no residual scatter (:data:`NO_RESIDUAL_SCATTER`); without a file name,
        which the caller adds (:meth:`DataFileError.relocated <bioparity.errors.DataFileError.relocated>`).

    References
    ----------
    Shankar G. et al. (2008), J Pharm Biomed Anal 48:1267, Appendix 1; Devanarayan V. et al. (2017),
    Recommendations for systematic statistical computation of immunogenicity cut points, AAPS J
    19:1487; FDA, Immunogenicity Testing of Therapeutic Protein Products - Developing and Validating
    Assays for Anti-Drug Antibody Detection, guidance for industry, 2019.

    Examples
    --------
    Eight donors in two runs; run R1 reads 4 units higher than R2, so the run means differ and the cut
    point floats:

    >>> import pandas as pd
    >>> base = {"D1": 95, "D2": 102, "D3": 110, "D4": 98, "D5": 105, "D6": 120, "D7": 90, "D8": 100}
    >>> frame = pd.DataFrame([(d, r, v + o) for d, v in base.items() for r, o in (("R1", 2), ("R2", -2))],
    ...                      columns=["donor", "run", "value"])
    >>> result = compute_cut_point(frame)
    >>> result.transform, result.method, round(result.cut_point, 2), result.cut_point_type
    ('log', 'parametric', 118.13, 'floating')
    """
    if tier not in TIERS:
        raise InputError(f"tier must be one of {', '.join(TIERS)}; got {tier!r}")
    fpr = {"screening": 0.05, "confirmatory": 0.01, "titration": 0.001}[tier] if fpr is None else fpr
    if not 0.0 < fpr < 0.5:
        raise InputError(f"the false-positive rate must be in (0, 0.5); got {fpr}")
    transform = ("none" if tier == "confirmatory" else "auto") if transform is None else transform
    if transform not in TRANSFORMS:
        raise InputError(f"transform must be one of {', '.join(TRANSFORMS)}; got {transform!r}")
    if method not in METHODS:
        raise InputError(f"method must be one of {', '.join(METHODS)}; got {method!r}")
    rule = _normalization_rule(normalization, normalisation)
    conf = (0.90 if tier == "screening" else 0.80) if lcl_confidence is None else lcl_confidence
    if not 0.5 <= conf < 1.0:
        raise InputError(f"the LCL confidence must be in [0.5, 1); got {conf}")
    check_outlier_quartiles(outlier_quartiles)
    notes: list[str] = []
    data = _aggregate(frame)
    if exclude_donors:
        unknown = sorted(set(map(str, exclude_donors)) - set(data["donor"]))
        if unknown:
            raise InputError(f"excluded donors not in the data: {', '.join(unknown)}")
        data = data.loc[~data["donor"].isin(list(map(str, exclude_donors)))]
        notes.append(EXCLUDED_DONORS.format(donors=", ".join(map(str, exclude_donors))))
    if (data["n_replicates"] > 1).any():
        notes.append(REPLICATES_AVERAGED)
    raw = data["value"].to_numpy(dtype=float)
    chosen, skew_raw, skew_log = choose_transform(raw)
    if transform == "auto":
        transform = chosen
        notes.append(
            TRANSFORM_SELECTED.format(transform=chosen, skew_raw=skew_raw, skew_log=skew_log, n=raw.size)
        )
    if transform == "log" and np.any(raw <= 0):
        raise InputError("log transform needs values > 0; use --transform none")
    data = data.assign(y=np.log(raw) if transform == "log" else raw)

    outliers: list[Outlier] = []
    if remove_outliers:
        n_values_before, n_donors_before = len(data), data["donor"].nunique()
        keep = np.ones(len(data), dtype=bool)
        for _donor, idx in data.groupby("donor", sort=True).indices.items():
            yv = data["y"].to_numpy()[idx]
            flags = boxplot_flags(yv, method=outlier_quartiles)
            if flags.any():
                lo, hi = boxplot_fences(yv, method=outlier_quartiles)
                for i in np.asarray(idx)[flags]:
                    row = data.iloc[i]
                    outliers.append(
                        Outlier("analytical", str(row["donor"]), str(row["run"]), float(row["y"]), lo, hi)
                    )
                keep[np.asarray(idx)[flags]] = False
        data = data.loc[keep]
        means = data.groupby("donor", sort=True)["y"].mean()
        bflags = boxplot_flags(means.to_numpy(), method=outlier_quartiles)
        if bflags.any():
            lo, hi = boxplot_fences(means.to_numpy(), method=outlier_quartiles)
            for donor, m in means[bflags].items():
                outliers.append(Outlier("biological", str(donor), "", float(m), lo, hi))
            data = data.loc[~data["donor"].isin(list(means.index[bflags]))]
        if outliers:
            shown = ", ".join(o.code for o in outliers)
            notes.append(OUTLIERS_REMOVED.format(n=len(outliers), outliers=shown))
        for template, step, total in (
            (MANY_VALUES_REMOVED, "analytical", n_values_before),
            (MANY_DONORS_REMOVED, "biological", n_donors_before),
        ):
            k = sum(o.step == step for o in outliers)
            if total and k / total > OUTLIER_SHARE_LIMIT:
                notes.append(template.format(k=k, n=total, share=k / total))
    y = data["y"].to_numpy(dtype=float)
    donors = sorted(data["donor"].unique())
    runs = sorted(data["run"].unique())
    if len(donors) < 3:
        raise InputError(f"a cut point needs at least 3 donors after outlier removal; {len(donors)} left")

    # variance components and run comparison
    var_donor = var_res = p_means = p_vars = math.nan
    run_codes = pd.Categorical(data["run"], categories=runs).codes.astype(np.int64)
    donor_codes = pd.Categorical(data["donor"], categories=donors).codes.astype(np.int64)
    x = np.column_stack([np.ones(len(y))] + [(run_codes == j).astype(float) for j in range(1, len(runs))])
    if len(y) - x.shape[1] >= 2:
        try:
            fit = _reml_fit(y, x, donor_codes, {} if fits is None else fits)
        except NoResidualScatterError as exc:  # the file's problem, not the fit's: located by the caller
            raise DataFileError(
                NO_RESIDUAL_SCATTER.format(tier=tier, donors=len(donors), runs=len(runs)),
                expected=SCATTER_EXPECTED,
            ) from exc
        var_donor, var_res = fit.variances["donor"], fit.residual_variance
        if len(runs) > 1:
            b, cov = fit.beta[1:], fit.beta_cov[1:, 1:]
            f_stat = float(b @ np.linalg.solve(cov, b)) / len(b)
            df2 = len(y) - x.shape[1] - (len(donors) - 1)
            p_means = float(sps.f.sf(f_stat, len(b), df2)) if df2 > 0 else math.nan
            groups = [y[run_codes == j] for j in range(len(runs))]
            if all(g.size >= 2 for g in groups):
                p_vars = float(sps.levene(*groups, center="mean").pvalue)
    if len(runs) == 1:
        cp_type = "fixed"
        notes.append(ONE_RUN)
    elif math.isnan(p_means) or math.isnan(p_vars):
        cp_type = "fixed"
        notes.append(NO_RUN_COMPARISON)
    elif p_vars < 0.05:
        cp_type = "dynamic"
    elif p_means < 0.05:
        cp_type = "floating"
    else:
        cp_type = "fixed"

    z = float(sps.norm.ppf(1.0 - fpr))
    mean_t, sd_t = float(np.mean(y)), float(np.std(y, ddof=1))
    med_t, mad_t = float(np.median(y)), mad(y)
    # one rule per estimate (_estimate) for the cut points and the normalisation factor
    par_t, rob_t, np_t, lcl_t = (_estimate(y, m, z, fpr, quantile_type, len(donors), conf) for m in ESTIMATES)
    # normality of the donors' distribution: one mean per donor, independent (step 5), not the donor x run
    # values, which repeat each donor
    donor_means = data.groupby("donor", sort=True)["y"].mean().to_numpy(dtype=float)
    sw_w, sw_p = shapiro_wilk(donor_means)
    if donor_means.size > SHAPIRO_MAX_N:
        notes.append(SHAPIRO_APPROXIMATE.format(n=donor_means.size))
    if method == "auto":  # the empirical percentile when not normal (step 5; Shankar 2008, App. 1 sec. 4)
        method = "parametric" if (math.isnan(sw_p) or sw_p >= 0.05) else "nonparametric"
        notes.append(METHOD_SELECTED.format(method=method, n=donor_means.size, w=sw_w, p=sw_p))
    if method == "nonparametric" and len(y) * fpr < 1.0:
        notes.append(FEW_VALUES_FOR_PERCENTILE.format(fpr=fpr, n=len(y)))

    def back(v: float) -> float:
        return float(np.exp(v)) if transform == "log" else v

    if cp_type == "dynamic":  # each validation run's own cut point: the same estimate on its values alone
        own = [y[run_codes == j] for j in range(len(runs))]
        each = (back(_estimate(v, method, z, fpr, quantile_type, v.size, conf)) for v in own)
        shown = ", ".join(f"{run} {cut:.4g}" for run, cut in zip(runs, each, strict=True))
        notes.append(RUN_VARIANCES_DIFFER.format(p=p_vars, method=method, runs=shown))

    estimates_t = {"parametric": par_t, "robust": rob_t, "nonparametric": np_t, "parametric_lcl": lcl_t}
    normalization, nf = "none", math.nan
    if cp_type == "dynamic":
        pass  # a factor would shift each run's cut point, the runs' spreads differ (step 4): none is given
    elif tier != "confirmatory" and "nc" in data.columns and data["nc"].notna().all():
        nc = data["nc"].to_numpy(dtype=float)
        if np.any(nc <= 0):
            raise InputError("negative-control signals 'nc' must be > 0 for a normalisation factor")
        if transform == "log":
            if rule == "additive":
                raise InputError(ADDITIVE_ON_LOG)
            # the cut-point factor estimated on the normalised values log(signal) - log(NC of the run)
            normalization, normed = "additive on log scale", y - np.log(nc)
        elif rule == "additive":  # plate cut point NC + NF (step 6)
            normalization, normed = "additive", y - nc
        else:
            normalization, normed = "multiplicative", y / nc
        nf = _estimate(normed, method, z, fpr, quantile_type, len(donors), conf)
    elif cp_type == "floating":
        notes.append(CONFIRMATORY_NOT_NORMALISED if tier == "confirmatory" else NO_NORMALISATION)
    return CutPointResult(
        tier=tier,
        fpr=fpr,
        transform=transform,
        method=method,
        cut_point=back(estimates_t[method]),
        parametric=back(par_t),
        robust=back(rob_t),
        nonparametric=back(np_t),
        parametric_lcl=back(lcl_t),
        parametric_t=par_t,
        robust_t=rob_t,
        nonparametric_t=np_t,
        parametric_lcl_t=lcl_t,
        mean_t=mean_t,
        sd_t=sd_t,
        median_t=med_t,
        mad_t=mad_t,
        n_donors=len(donors),
        n_runs=len(runs),
        n_values=len(y),
        var_donor=var_donor,
        var_residual=var_res,
        run_means_p=p_means,
        run_variances_p=p_vars,
        cut_point_type=cp_type,
        normalization=normalization,
        normalization_factor=nf,
        skewness_raw=skew_raw,
        skewness_log=skew_log,
        shapiro_p=sw_p,
        shapiro_w=sw_w,
        shapiro_n=int(donor_means.size),
        normality_values=NORMALITY_VALUES,
        quantile_type=quantile_type,
        lcl_confidence=conf,
        outliers=tuple(outliers),
        notes=tuple(notes),
        settings={
            "remove_outliers": remove_outliers,
            "outlier_quartiles": outlier_quartiles,
            "outlier_rule": outlier_rule(outlier_quartiles),
        },
    )


def screening_and_confirmatory(
    frame: pd.DataFrame,
    *,
    fpr: float = 0.05,
    confirm_fpr: float | None = 0.01,
    titration_fpr: float | None = None,
    transform: str = "auto",
    method: str = "auto",
    quantile_type: int = 7,
    remove_outliers: bool = True,
    outlier_quartiles: str = DEFAULT_OUTLIER_QUARTILES,
    normalization: str = "auto",
    normalisation: str | None = None,
) -> list[CutPointResult]:
    """Screening cut point from ``signal``; confirmatory from ``signal_drug`` (% inhibition); titration.

    ``frame`` has ``donor``, ``run``, ``signal`` [, ``signal_drug``, ``nc``]. ``transform`` applies to
    the screening and titration tiers; % inhibition is analysed untransformed.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per well: ``donor``, ``run``, ``signal`` and, for the confirmatory tier,
        ``signal_drug`` (signal with excess drug); optionally ``nc`` (negative control of the run,
        used for the screening and titration normalisation factors).
    fpr : float, default 0.05
        False-positive rate of the screening cut point.
    confirm_fpr : float or None, default 0.01
        False-positive rate of the confirmatory cut point; ``None`` skips the confirmatory tier.
    titration_fpr : float or None, default None
        False-positive rate of the titration cut point (0.001 is usual); ``None`` skips it.
    transform : str, default "auto"
        Transform of the screening and titration tiers: ``auto``, ``none`` or ``log``.
    method : str, default "auto"
        Estimate selected in every tier (see :func:`compute_cut_point`).
    quantile_type : int, default 7
        R quantile type of the nonparametric estimates.
    remove_outliers : bool, default True
        Apply the boxplot outlier steps in every tier.
    outlier_quartiles : str, default "type7"
        Quartiles of the boxplot rule in every tier (see :func:`compute_cut_point`).
    normalization : str, default "auto"
        Normalisation of the screening and titration factors (see :func:`compute_cut_point`); the
        confirmatory tier is not normalised.
    normalisation : str or None, default None
        The earlier spelling of ``normalization``, accepted as an alias.

    Returns
    -------
    list of CutPointResult
        Screening, then confirmatory and titration when requested.

    Raises
    ------
    InputError
        When the confirmatory tier is asked for without a ``signal_drug`` column, or for any problem
        :func:`compute_cut_point` reports.
    """
    rule = _normalization_rule(normalization, normalisation)
    base = frame.rename(columns={"signal": "value"})
    fits: dict[bytes, RemlFit] = {}  # screening and titration fit the same values: once
    out = [
        compute_cut_point(
            base, tier="screening", fpr=fpr, transform=transform, method=method,
            quantile_type=quantile_type, remove_outliers=remove_outliers,
            outlier_quartiles=outlier_quartiles, fits=fits, normalization=rule,
        )
    ]  # fmt: skip
    if confirm_fpr is not None:
        if "signal_drug" not in frame.columns:
            raise InputError(
                "a confirmatory cut point needs a 'signal_drug' column (signal with excess drug)"
            )
        inh = frame.assign(
            value=inhibition(frame["signal"].to_numpy(float), frame["signal_drug"].to_numpy(float))
        ).drop(columns=["nc"], errors="ignore")
        out.append(
            compute_cut_point(
                inh, tier="confirmatory", fpr=confirm_fpr, transform="none", method=method,
                quantile_type=quantile_type, remove_outliers=remove_outliers,
                outlier_quartiles=outlier_quartiles,
            )
        )  # fmt: skip
    if titration_fpr is not None:
        out.append(
            compute_cut_point(
                base, tier="titration", fpr=titration_fpr, transform=transform, method=method,
                quantile_type=quantile_type, remove_outliers=remove_outliers,
                outlier_quartiles=outlier_quartiles, fits=fits, normalization=rule,
            )
        )  # fmt: skip
    return out
