"""Frozen results of the assay analyses: numbers, settings used and the software version."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from bioparity import __version__
from bioparity._results import ResultMixin, plain, verdict, with_rows
from bioparity.i18n import gettext_noop

#: The analysis scale of a cut-point tier (its ``transform``) in words, the one wording of it: English in
#: :meth:`CutPointResult.summary`, translated by :func:`bioparity.analyses.ada_cutpoint.scale_words` (the
#: command line, the run page and the reports). The transformation step: Shankar et al. 2008, J Pharm
#: Biomed Anal 48:1267, Appendix 1 section 2; Devanarayan et al. 2017, AAPS J 19:1487, "Data transformation".
SCALE_WORDS = {"none": gettext_noop("no transformation"), "log": gettext_noop("log scale")}


@dataclass(frozen=True)
class Outlier:
    """One value (or donor) removed by an outlier step, with the step and the reason.

    Attributes
    ----------
    step : str
        ``analytical`` (one run's value of a donor, outside the fences of that donor's values across
        runs) or ``biological`` (a donor whose mean is outside the fences of the donor means).
    donor : str
        Donor removed from (or whose value was removed).
    run : str
        Run of an analytical outlier; ``""`` for a biological outlier (the whole donor).
    value : float
        The value (analytical) or donor mean (biological), on the analysis (transformed) scale.
    lower_fence, upper_fence : float
        Boxplot fences ``Q1 - 1.5 IQR`` and ``Q3 + 1.5 IQR`` (analysis scale; quartiles as the result's
        ``outlier_quartiles``: R type 7 by default, or Tukey's hinges).
    """

    step: str  # "analytical" (a donor's values across runs) or "biological" (donor means)
    donor: str
    run: str  # "" for a biological outlier (the whole donor)
    value: float  # on the analysis (transformed) scale
    lower_fence: float
    upper_fence: float

    @property
    def code(self) -> str:
        """``step:donor[/run]`` as the result stores it: ``analytical:D03/R2``, ``biological:D08``
        (reports print it in words, :func:`bioparity.bioassay.cutpoint.outliers_in_words`)."""
        return f"{self.step}:{self.donor}" + (f"/{self.run}" if self.run else "")


@dataclass(frozen=True, repr=False)
class CutPointResult(ResultMixin):
    """A cut point (screening, confirmatory or titration) with every estimate and the decisions taken.

    Cut points on the analysis scale (``*_t``) and on the data scale (back-transformed when the log was
    taken). ``cut_point`` is the one selected by ``method``.

    Attributes
    ----------
    tier : str
        ``screening``, ``confirmatory`` or ``titration``.
    fpr : float
        Target false-positive rate (e.g. 0.05 screening, 0.01 confirmatory, 0.001 titration).
    transform : str
        Scale of the analysis actually used: ``none`` or ``log`` (natural log).
    method : str
        Estimate selected as ``cut_point``: ``parametric``, ``robust``, ``nonparametric`` or
        ``parametric_lcl`` (``auto`` resolved).
    cut_point : float
        The selected cut point on the data scale (signal units for screening and titration, %
        inhibition for the confirmatory tier).
    parametric, robust, nonparametric, parametric_lcl : float
        Every estimate on the data scale: ``mean + z SD``, ``median + z 1.4826 MAD``, the
        ``1 - fpr`` sample quantile, and the lower confidence limit of the parametric cut point.
    parametric_t, robust_t, nonparametric_t, parametric_lcl_t : float
        The same estimates on the analysis scale.
    mean_t, sd_t, median_t, mad_t : float
        Mean, SD (n - 1), median and scaled MAD of the analysed values (analysis scale).
    n_donors, n_runs, n_values : int
        Donors, runs and donor-run values left after outlier removal.
    var_donor, var_residual : float
        REML variance components between donors and residual (analysis scale squared); NaN when
        too few values.
    run_means_p : float
        p value of the Wald F test of equal run means (NaN with one run or too few values).
    run_variances_p : float
        p value of Levene's test (mean-centred) of equal run variances (NaN likewise).
    cut_point_type : str
        ``fixed``, ``floating`` (run means differ, variances do not) or ``dynamic`` (run variances
        differ: ``cut_point`` is the pooled estimate for reference, the validation runs' own cut points are
        in ``notes``; see :mod:`bioparity.bioassay.cutpoint`, step 4).
    normalization : str
        ``none``, ``additive on log scale`` (plate cut point ``NC exp(NF)``), ``multiplicative``
        (plate cut point ``NC NF``) or ``additive`` (raw scale, plate cut point ``NC + NF``; option
        ``normalisation = additive`` of :func:`bioparity.bioassay.compute_cut_point`, step 6).
    normalization_factor : float
        NF, the cut-point estimate of the values normalised by the run's negative control; NaN
        without an ``nc`` column.
    skewness_raw, skewness_log : float
        Adjusted Fisher-Pearson skewness G1 of the raw and of the log values: every donor x run value
        (replicates averaged) before the outlier steps, as ``transform = auto`` judges them (NaN when a
        value <= 0).
    shapiro_p : float
        Shapiro-Wilk p value of the donor means across runs (drives ``method="auto"``; see
        :mod:`bioparity.bioassay.cutpoint`, step 5).
    shapiro_w : float
        Shapiro-Wilk statistic W of the same values.
    shapiro_n : int
        Number of values tested: the donors left after outlier removal (one mean each).
    normality_values : str
        The values tested, in words (``donor means``).
    quantile_type : int
        R quantile type (Hyndman and Fan 1996, 1-9) of the nonparametric estimate.
    lcl_confidence : float
        Confidence of the lower confidence limit of the parametric cut point.
    outliers : tuple of Outlier
        Values and donors removed, in the order found.
    notes : tuple of str
        Every decision taken (transform and method selected, replicates averaged, outliers removed,
        warnings about the run comparison).
    settings : dict, default {}
        ``remove_outliers``, ``outlier_quartiles`` (``type7``, ``tukey``...:
        :data:`bioparity.bioassay.stats.OUTLIER_QUARTILES`) and the outlier rule in words; the table
        (:meth:`to_frame`) has ``outlier_quartiles`` on every row.
    software_version : str
        bioparity version that produced the result.
    """

    SETTINGS = ("tier", "fpr", "transform", "method", "quantile_type", "lcl_confidence", "settings")

    tier: str
    fpr: float
    transform: str
    method: str
    cut_point: float
    parametric: float
    robust: float
    nonparametric: float
    parametric_lcl: float
    parametric_t: float
    robust_t: float
    nonparametric_t: float
    parametric_lcl_t: float
    mean_t: float
    sd_t: float
    median_t: float
    mad_t: float
    n_donors: int
    n_runs: int
    n_values: int
    var_donor: float
    var_residual: float
    run_means_p: float
    run_variances_p: float
    cut_point_type: str
    normalization: str
    normalization_factor: float
    skewness_raw: float
    skewness_log: float
    shapiro_p: float
    shapiro_w: float
    shapiro_n: int
    normality_values: str
    quantile_type: int
    lcl_confidence: float
    outliers: tuple[Outlier, ...]
    notes: tuple[str, ...]
    settings: dict[str, Any] = field(default_factory=dict)
    software_version: str = __version__

    def to_frame(self) -> pd.DataFrame:
        """One row per estimate (parametric, robust, nonparametric, parametric LCL), settings repeated."""
        rows = []
        base = {k: v for k, v in self.plain_dict().items() if k not in ("outliers", "notes", "settings")}
        for method in ("parametric", "robust", "nonparametric", "parametric_lcl"):
            row: dict[str, Any] = {"tier": self.tier, "estimate": method}
            row["cut_point_estimate"] = getattr(self, method)
            row["cut_point_estimate_t"] = getattr(self, method + "_t")
            row["selected"] = method == self.method
            row.update(base)
            row["n_outliers"] = len(self.outliers)
            # the boxplot rule's quartiles (Shankar 2008 / Devanarayan 2017 leave them open): stated
            row["outlier_quartiles"] = self.settings.get("outlier_quartiles", "type7")
            row["outliers"] = "; ".join(o.code for o in self.outliers)
            row["notes"] = " | ".join(self.notes)
            rows.append(row)
        return pd.DataFrame(rows)

    def outlier_frame(self) -> pd.DataFrame:
        """The removed values, one row each, with the step and the fences."""
        return pd.DataFrame(
            [plain(o) for o in self.outliers],
            columns=["step", "donor", "run", "value", "lower_fence", "upper_fence"],
        )

    def _repr_fields(self) -> list[str]:
        return ["tier", "fpr", "transform", "method", "cut_point", "n_donors", "n_runs", "outliers"]

    def summary(self) -> str:
        scale = SCALE_WORDS.get(self.transform, self.transform)
        return (
            f"{self.tier.capitalize()} cut point ({self.method}, {scale}, "
            f"false positive rate {100 * self.fpr:g}%): {self.cut_point:.4g}\n"
            f"{self.n_donors} donors x {self.n_runs} runs ({self.n_values} values), "
            f"{len(self.outliers)} outlier(s) removed; parametric {self.parametric:.4g}, "
            f"robust {self.robust:.4g}, nonparametric {self.nonparametric:.4g}\n"
            f"Shapiro-Wilk on {self.shapiro_n} {self.normality_values}: W = {self.shapiro_w:.4g}, "
            f"p = {self.shapiro_p:.3g}"
        )


class _NotesAsText(ResultMixin):
    """``to_frame`` with the ``notes`` tuple joined into one text column (repeated on every row)."""

    notes: tuple[str, ...]

    def to_frame(self) -> pd.DataFrame:
        """One row per run / level / sample: array fields as columns, settings and notes repeated."""
        columns: dict[str, Any] = {}
        for name, value in self.plain_dict().items():
            if name == "notes":
                continue
            columns[name] = getattr(self, name) if isinstance(getattr(self, name), np.ndarray) else value
        columns["notes"] = " | ".join(self.notes)
        return pd.DataFrame(columns)


@dataclass(frozen=True, repr=False)
class SensitivityResult(_NotesAsText):
    """Per-run concentrations at the cut point and the concentration detected in 95% of runs.

    Attributes
    ----------
    runs : numpy.ndarray of str
        Run labels, sorted.
    concentration_at_cut_point : numpy.ndarray of float
        Positive-control concentration whose signal equals the cut point, per run (concentration
        units of the input); NaN where the cut point is not crossed inside the tested range.
    cut_point : float
        Screening cut point used for every run (signal units); NaN when each run had its own
        (``cut_point_type`` floating, see ``run_cut_points``).
    method : str
        ``linear`` (interpolation on log10 concentration) or ``4pl``.
    mean, sd : float
        Mean and SD (n - 1) of the per-run concentrations that are not NaN.
    sensitivity_95 : float
        Concentration detected in 95 % of runs, ``mean + t_factor sd``; NaN when a run's signal stays
        below the cut point at the highest concentration tested (see the notes).
    t_factor : float
        One-sided Student t quantile ``t(0.95, n_runs - 1)``.
    n_runs : int
        Runs used (those where the cut point was crossed).
    notes : tuple of str
        Runs left out and why.
    software_version : str
        bioparity version that produced the result.
    concentration_unit : str
        Unit of the positive-control concentrations, so of ``concentration_at_cut_point``, ``mean``,
        ``sd`` and ``sensitivity_95`` (e.g. ``ng/mL``; ``""`` when not stated).
    cut_point_type : str
        ``fixed`` (one cut point for every run) or ``floating (each run's own)``.
    run_cut_points : numpy.ndarray of float or None
        The cut point each run's curve was read at (signal units).
    """

    SETTINGS = ("cut_point", "method", "concentration_unit", "cut_point_type")

    runs: np.ndarray
    concentration_at_cut_point: np.ndarray
    cut_point: float
    method: str
    mean: float
    sd: float
    sensitivity_95: float
    t_factor: float
    n_runs: int
    notes: tuple[str, ...]
    software_version: str = __version__
    concentration_unit: str = ""
    cut_point_type: str = "fixed"
    run_cut_points: np.ndarray | None = None

    def summary(self) -> str:
        unit = f" {self.concentration_unit}" if self.concentration_unit else ""
        shown = (
            f"{self.sensitivity_95:.4g}{unit}"
            if math.isfinite(self.sensitivity_95)
            else "not reported (see notes)"
        )
        at = f"{self.cut_point:.4g}" if math.isfinite(self.cut_point) else "each run's own (floating)"
        return (
            f"Sensitivity (concentration detected in 95% of runs, {self.method} interpolation at cut point "
            f"{at}): {shown}\n"
            f"{self.n_runs} runs: mean {self.mean:.4g}{unit}, SD {self.sd:.4g}{unit}, t {self.t_factor:.4g}"
        )


def _tolerance_words(tolerance: float, drug_unit: str) -> str:
    """One ADA level's drug tolerance in words (NaN: not detected without drug; 0: detected at drug level 0
    only, which "up to drug 0" would read as a tolerance)."""
    if np.isnan(tolerance):
        return "not detected without drug"
    return "detected without drug only" if tolerance == 0 else f"detected up to drug {tolerance:g}{drug_unit}"


@dataclass(frozen=True, repr=False)
class DrugToleranceResult(_NotesAsText):
    """Per ADA level, the highest drug level at which the sample is still detected (signal >= cut point).

    Attributes
    ----------
    ada_levels : numpy.ndarray of float
        ADA (positive-control antibody) concentrations tested, ascending.
    drug_tolerance : numpy.ndarray of float
        For each ADA level, the highest drug level up to which every tested drug level is detected
        (drug concentration units); NaN when not detected even at the lowest drug level.
    detected_at_all_levels : numpy.ndarray of bool
        The ADA level is detected at every drug level tested (the tolerance is then at least the
        highest drug level).
    cut_point : float
        Screening cut point used for every well (signal units); NaN when each run had its own
        (``cut_point_type`` floating, see ``run_cut_points``).
    notes : tuple of str
        Levels not detected, detected throughout, or detected again above a miss (non-monotone); samples
        whose runs disagree (floating cut point).
    software_version : str
        bioparity version that produced the result.
    ada_unit : str
        Unit of ``ada_levels`` (e.g. ``ng/mL``; ``""`` when not stated).
    drug_unit : str
        Unit of the drug levels, so of ``drug_tolerance`` (e.g. ``ug/mL``; ``""`` when not stated).
    cut_point_type : str
        ``fixed`` (one cut point for every well) or ``floating (each run's own)``.
    run_cut_points : str
        Each run's own cut point, ``"R1 1.2; R2 1.35"`` (``""`` for a fixed cut point).
    """

    SETTINGS = ("cut_point", "ada_unit", "drug_unit", "cut_point_type")

    ada_levels: np.ndarray
    drug_tolerance: np.ndarray  # NaN when not detected even without drug
    detected_at_all_levels: np.ndarray
    cut_point: float
    notes: tuple[str, ...]
    software_version: str = __version__
    ada_unit: str = ""
    drug_unit: str = ""
    cut_point_type: str = "fixed"
    run_cut_points: str = ""

    def summary(self) -> str:
        ada, drug = (f" {u}" if u else "" for u in (self.ada_unit, self.drug_unit))
        rows = [
            f"ADA {a:g}{ada}: " + _tolerance_words(t, drug)
            for a, t in zip(self.ada_levels.tolist(), self.drug_tolerance.tolist(), strict=True)
        ]
        own = f"each run's own ({self.run_cut_points})"
        at = f"{self.cut_point:g}" if math.isfinite(self.cut_point) else own
        return with_rows(f"Drug tolerance at cut point {at}, {len(rows)} ADA levels", rows)


@dataclass(frozen=True, repr=False)
class IsrResult(ResultMixin):
    """Incurred sample reanalysis (ICH M10 section 7): per-sample % difference, pass share, verdict.

    Attributes
    ----------
    samples : numpy.ndarray of str
        Sample identifiers, in input order.
    original, repeat : numpy.ndarray of float
        Original and repeat concentrations (> 0, concentration units of the input).
    percent_difference : numpy.ndarray of float
        ``100 (repeat - original) / mean(repeat, original)`` per sample (%).
    within_limit : numpy.ndarray of bool
        ``|percent_difference| <= limit_percent``.
    assay : str
        ``chromatographic`` or ``ligand-binding``.
    limit_percent : float
        Limit on the absolute % difference: 20 (chromatographic) or 30 (ligand-binding).
    n_samples, n_within : int
        Samples reanalysed and samples within the limit.
    share_within : float
        ``n_within / n_samples`` (a fraction, not a percentage).
    passed : bool
        At least two thirds of the samples are within the limit.
    software_version : str
        bioparity version that produced the result.
    """

    SETTINGS = ("assay", "limit_percent")

    samples: np.ndarray
    original: np.ndarray
    repeat: np.ndarray
    percent_difference: np.ndarray
    within_limit: np.ndarray
    assay: str
    limit_percent: float
    n_samples: int
    n_within: int
    share_within: float
    passed: bool
    software_version: str = __version__

    def failures(self) -> pd.DataFrame:
        """The samples outside the limit (the listing ICH M10 asks to investigate)."""
        frame = self.to_frame()
        return frame.loc[~frame["within_limit"]].reset_index(drop=True)

    def summary(self) -> str:
        return (
            f"ISR ({self.assay}, ICH M10 section 7): {self.n_within} of {self.n_samples} samples within "
            f"+/-{self.limit_percent:g}% ({100 * self.share_within:.1f}%): {verdict(self.passed)}"
        )


@dataclass(frozen=True, repr=False)
class LinearityResult(ResultMixin):
    """Linearity of an analytical procedure (ICH Q2(R2), 2023, section 3.2.1; ICH Q2(R1), 2005, Part II
    section 2): the least-squares line of the response on the nominal level, its residuals and the
    lack-of-fit test against replicates.

    Attributes
    ----------
    level, response, fitted, residual : numpy.ndarray of float
        Per observation, in input order: nominal level (concentration, amount or % of target), measured
        response, the line's value and ``response - fitted``.
    n, n_levels, df : int
        Observations, distinct levels and residual degrees of freedom (``n - 2``).
    slope, intercept : float
        Least-squares slope and y-intercept (response units per level unit, response units).
    slope_se, intercept_se : float
        Their standard errors.
    slope_ci_lower, slope_ci_upper, intercept_ci_lower, intercept_ci_upper : float
        Two-sided t intervals at ``conf_level`` (``n - 2`` degrees of freedom).
    r, r_squared : float
        Correlation coefficient of level and response, and the coefficient of determination.
    residual_sd : float
        ``sqrt(RSS / (n - 2))``.
    rss : float
        Residual sum of squares.
    target : float
        Level of 100% of the test concentration (NaN when not given).
    intercept_percent : float
        ``100 intercept / (intercept + slope target)``: the y-intercept as a percentage of the response the
        line gives at the target level (NaN without a target).
    lof_f, lof_p : float
        Lack-of-fit F statistic (lack-of-fit mean square over pure-error mean square) and its p value; NaN
        when it cannot be tested (no replicated level, or fewer than 3 levels).
    lof_df1, lof_df2 : int
        Its degrees of freedom (``n_levels - 2``, ``n - n_levels``; 0 when not tested).
    conf_level : float
        Two-sided confidence level of the intervals.
    alpha : float
        Level of the lack-of-fit test.
    passed : bool or None
        No significant lack of fit at ``alpha`` (None when not tested). ICH Q2 sets no acceptance
        criterion for r or the intercept: those are the validation protocol's.
    flags : tuple of str
        Findings in words (fewer than 5 levels, lack of fit, a level without replicates when testing).
    software_version : str
        bioparity version that produced the result.
    """

    SETTINGS = ("conf_level", "alpha", "target")
    REPR_FIELDS = ("n", "n_levels", "slope", "intercept", "r_squared", "lof_p", "passed")

    level: np.ndarray
    response: np.ndarray
    fitted: np.ndarray
    residual: np.ndarray
    n: int
    n_levels: int
    df: int
    slope: float
    slope_se: float
    slope_ci_lower: float
    slope_ci_upper: float
    intercept: float
    intercept_se: float
    intercept_ci_lower: float
    intercept_ci_upper: float
    r: float
    r_squared: float
    residual_sd: float
    rss: float
    target: float
    intercept_percent: float
    lof_f: float
    lof_df1: int
    lof_df2: int
    lof_p: float
    conf_level: float
    alpha: float
    passed: bool | None
    flags: tuple[str, ...] = ()
    software_version: str = __version__

    def to_frame(self) -> pd.DataFrame:
        """One row per observation (level, response, fitted, residual) with the line's numbers repeated."""
        frame = pd.DataFrame(
            {"level": self.level, "response": self.response, "fitted": self.fitted, "residual": self.residual}
        )
        scalars = {k: v for k, v in self.plain_dict().items() if k not in frame.columns and k != "flags"}
        return frame.assign(**scalars, flags="; ".join(self.flags))

    def summary(self) -> str:
        level = f"{100 * self.conf_level:g}%"
        lines = [
            f"Linearity (ICH Q2): {self.n} results at {self.n_levels} levels; "
            f"response = {self.intercept:.5g} + {self.slope:.5g} level",
            f"slope {self.slope:.5g} ({level} CI {self.slope_ci_lower:.5g} to {self.slope_ci_upper:.5g}), "
            f"intercept {self.intercept:.5g} "
            f"({self.intercept_ci_lower:.5g} to {self.intercept_ci_upper:.5g})",
            f"r = {self.r:.5f}, R^2 = {self.r_squared:.5f}, residual SD {self.residual_sd:.4g}",
        ]
        if math.isfinite(self.intercept_percent):
            lines.append(f"intercept {self.intercept_percent:.2f}% of the response at target {self.target:g}")
        if math.isfinite(self.lof_p):
            lines.append(
                f"lack of fit F({self.lof_df1}, {self.lof_df2}) = {self.lof_f:.4g}, p = {self.lof_p:.4g}: "
                f"{verdict(self.passed)}"
            )
        else:
            lines.append(f"lack of fit not tested (no replicates): {verdict(self.passed)}")
        return "\n".join(lines)
