"""Relative potency of every test sample in every assay: dispatch to the model, similarity, suitability."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from bioparity.errors import InputError
from bioparity.i18n.notes import note_template
from bioparity.potency.design import STANDARD, AssayData
from bioparity.potency.logistic import fit_logistic_parallel
from bioparity.potency.parallel_line import fit_parallel_line
from bioparity.potency.results import ModelFit, PotencyEstimate, PotencyTable, Similarity
from bioparity.potency.slope_ratio import fit_slope_ratio
from bioparity.potency.suitability import SuitabilityCriteria, assess_suitability

# The flags of failed similarity tests (templates: see bioparity.i18n.notes).
VALIDITY_FAILED = note_template("Ph. Eur. 5.3 validity test failed: {tests} (p < {alpha:g})")
EQUIVALENCE_FAILED = note_template("USP <1032> equivalence failed: {measures} CI outside the margins")
# An assay without the standard or without a test sample (an InputError, in the reader's language).
NO_STANDARD = note_template("assay {assay} has no rows of sample {standard} (the reference standard)")
ONLY_STANDARD = note_template("assay {assay} has only the standard; add at least one test sample")

MODELS = ("parallel-line", "slope-ratio", "4pl", "5pl")
TRANSFORMS = ("none", "log")

#: Equivalence measures each model reports (keys of a margins mapping).
MEASURES = {
    "parallel-line": ("slope_ratio",),
    "slope-ratio": ("intercept_difference",),
    "4pl": ("slope_ratio", "lower_asymptote_difference", "upper_asymptote_difference", "parallelism_ss"),
    "5pl": ("slope_ratio", "lower_asymptote_difference", "upper_asymptote_difference", "parallelism_ss"),
}


@dataclass(frozen=True)
class AnalysisOptions:
    """Settings of a potency analysis.

    ``margins`` maps an equivalence measure (see :data:`MEASURES`) to its (lower, upper) margins
    (USP <1032>); ``alpha`` is the level of the Ph. Eur. 5.3 significance tests; the equivalence CIs
    are at ``equivalence_level`` (0.90: two one-sided tests at 5%). ``transform`` is applied to the
    responses before fitting (``log``: natural log, e.g. Ph. Eur. 5.3 example 5.1.4). ``joint``: for the
    parallel-line model, all test preparations of an assay are fitted with the standard in one model
    (common slope and residual error: the Ph. Eur. 5.3 multiple assay); otherwise each test is fitted with
    the standard alone (always so for the other models).

    Attributes
    ----------
    model : str, default "4pl"
        One of :data:`MODELS`: ``parallel-line`` (linear response in log dose, Ph. Eur. 5.3 section
        3.2), ``slope-ratio`` (linear response in dose, section 3.3), ``4pl`` or ``5pl`` (parallel
        four- or five-parameter logistic in log dose, section 3.4).
    conf_level : float, default 0.95
        Confidence level of the relative potency interval, in [0.5, 1).
    alpha : float, default 0.05
        Level of the Ph. Eur. 5.3 significance tests of validity (non-parallelism, non-linearity,
        intersection; regression must be significant), in (0, 0.5).
    equivalence_level : float, default 0.90
        Confidence level of the USP <1032> equivalence intervals, in [0.5, 1).
    margins : dict of str to (float, float), default {}
        Equivalence margins (lower, upper) by measure, lower < upper; the measures of the model are
        listed in ``MEASURES`` (``slope_ratio`` for parallel-line; ``intercept_difference`` for
        slope-ratio; ``slope_ratio``, ``lower_asymptote_difference``, ``upper_asymptote_difference``,
        ``parallelism_ss`` for 4PL/5PL). A measure without margins is reported but not judged.
    suitability : SuitabilityCriteria, default SuitabilityCriteria()
        System suitability criteria (USP <1032> section 4.5, USP <1034> section 3.5): minimum R^2,
        maximum ratio of the CI limits, slope limits, minimum asymptote ratio; each ``None`` (the
        default) is not applied.
    transform : str, default "none"
        ``none`` or ``log`` (natural log of the responses before fitting; responses must be > 0).
    joint : bool, default True
        Parallel-line model only: fit all test samples of an assay together with the standard.

    Raises
    ------
    InputError
        When the model or transform is unknown, a level is out of range, or a margin names a measure
        the model does not report or has lower >= upper.
    """

    model: str = "4pl"
    conf_level: float = 0.95
    alpha: float = 0.05
    equivalence_level: float = 0.90
    margins: dict[str, tuple[float, float]] = field(default_factory=dict)
    suitability: SuitabilityCriteria = field(default_factory=SuitabilityCriteria)
    transform: str = "none"
    joint: bool = True

    def __post_init__(self) -> None:
        if self.transform not in TRANSFORMS:
            raise InputError(f"--transform {self.transform!r}: expected one of {', '.join(TRANSFORMS)}")
        if self.model not in MODELS:
            raise InputError(f"--model {self.model!r}: expected one of {', '.join(MODELS)}")
        for name, value in (("conf-level", self.conf_level), ("equivalence level", self.equivalence_level)):
            if not 0.5 <= value < 1.0:
                raise InputError(f"{name} {value!r}: expected a value in [0.5, 1), e.g. 0.95")
        if not 0.0 < self.alpha < 0.5:
            raise InputError(f"alpha {self.alpha!r}: expected a value in (0, 0.5)")
        unknown = sorted(set(self.margins) - set(MEASURES[self.model]))
        if unknown:
            raise InputError(
                f"equivalence margins for {', '.join(unknown)} do not apply to the {self.model} model; "
                f"expected measures: {', '.join(MEASURES[self.model])}"
            )
        for name, (lo, hi) in self.margins.items():
            if not lo < hi:
                raise InputError(f"equivalence margins for {name}: lower {lo:g} must be below upper {hi:g}")

    def settings(self) -> dict[str, object]:
        """Plain record of the settings (kept in every result): every option in field order, margins as
        lists, ``joint`` as applied (parallel-line only), then how the models are fitted."""
        record: dict[str, object] = dataclasses.asdict(self)
        record["margins"] = {k: list(v) for k, v in self.margins.items()}
        record["joint"] = self.joint and self.model == "parallel-line"
        record["fit"] = (
            "ordinary least squares on the (transformed) response scale, natural-log dose, unweighted"
        )
        return record


def _fit(data: AssayData, o: AnalysisOptions) -> ModelFit:
    if o.model == "parallel-line":
        return fit_parallel_line(data, o.conf_level, alpha=o.alpha, equivalence_level=o.equivalence_level)
    if o.model == "slope-ratio":
        return fit_slope_ratio(data, o.conf_level, alpha=o.alpha, equivalence_level=o.equivalence_level)
    return fit_logistic_parallel(
        data, o.model, o.conf_level, alpha=o.alpha, equivalence_level=o.equivalence_level
    )


def analyse_assay(data: AssayData, options: AnalysisOptions | None = None) -> PotencyEstimate:
    """Relative potency of one test sample in one assay, with similarity and suitability.

    The model of ``options`` is fitted (:func:`fit_parallel_line`, :func:`fit_slope_ratio` or
    :func:`fit_logistic_parallel`); similarity is judged both ways, by the Ph. Eur. 5.3 significance
    tests at ``alpha`` and by the USP <1032> equivalence measures against ``margins``, and the
    suitability criteria are applied. Every failure becomes a flag; nothing is dropped.

    Parameters
    ----------
    data : AssayData
        Doses (in the standard's units) and responses of the standard and one test sample.
    options : AnalysisOptions or None, default None
        Model, levels, margins, suitability criteria and transform; ``None`` uses
        ``AnalysisOptions()`` (4PL, 95 % CI).

    Returns
    -------
    PotencyEstimate
        Relative potency (test/standard, dimensionless) with its CI, the fitted parameters, the
        similarity and suitability verdicts, the ANOVA (linear models) and the flags.

    Raises
    ------
    InputError
        When ``transform="log"`` meets a response <= 0, a log-dose model meets a dose <= 0, or the
        design leaves no residual degrees of freedom.

    References
    ----------
    European Pharmacopoeia, chapter 5.3, Statistical analysis of results of biological assays and
    tests, sections 3.2-3.4. USP <1032> Design and development of biological assays; USP <1034>
    Analysis of biological assays.

    Examples
    --------
    A test sample twice as potent as the standard (its response at nominal dose z is the standard's
    at 2 z), three doses in duplicate:

    >>> import numpy as np
    >>> dose = np.array([1, 1, 2, 2, 4, 4.0])
    >>> noise = np.array([0.1, -0.1, -0.1, 0.1, 0.1, -0.1])
    >>> data = AssayData.from_arrays(dose, 10 + 5 * np.log(dose) + noise,
    ...                              dose, 10 + 5 * np.log(2 * dose) + noise)
    >>> est = analyse_assay(data, AnalysisOptions(model="parallel-line"))
    >>> round(est.relative_potency, 6), round(est.ci_lower, 4), round(est.ci_upper, 4)
    (2.0, 1.91, 2.0978)
    >>> est.similarity.significance_verdict
    'pass'
    """
    o = options or AnalysisOptions()
    if o.transform == "log":
        if np.any(data.response <= 0):
            raise InputError(f"assay {data.assay!r}: --transform log needs responses > 0")
        data = dataclasses.replace(data, response=np.log(data.response))
    fit = _fit(data, o)
    checks = tuple(
        dataclasses.replace(c, margin_lower=o.margins[c.measure][0], margin_upper=o.margins[c.measure][1])
        if c.measure in o.margins
        else c
        for c in fit.equivalence
    )
    sim = Similarity(fit.tests, o.alpha, checks, o.equivalence_level, fit.required_significant)
    suit, suit_flags = assess_suitability(fit, o.suitability)
    flags = list(fit.flags) + suit_flags
    failed = [k for k, p in fit.tests.items() if p < o.alpha]
    if failed:  # a non-significant regression has its own flag from the model
        flags.append(VALIDITY_FAILED.format(tests=", ".join(failed), alpha=o.alpha))
    if sim.equivalence_verdict == "fail":
        failed = [c.measure for c in checks if c.passed is False]
        flags.append(EQUIVALENCE_FAILED.format(measures=", ".join(failed)))
    return PotencyEstimate(
        assay=data.assay,
        sample=data.sample,
        model=o.model,
        relative_potency=fit.relative_potency,
        ci_lower=fit.ci_lower,
        ci_upper=fit.ci_upper,
        conf_level=o.conf_level,
        ci_method=fit.ci_method,
        df=fit.df,
        residual_variance=fit.s2,
        parameters=fit.parameters,
        similarity=sim,
        suitability=suit,
        flags=tuple(flags),
        converged=fit.converged,
        anova=fit.anova,
        settings=o.settings(),
    )


def assays_from_frame(frame: pd.DataFrame, joint: bool = False) -> list[AssayData]:
    """Split a checked long table (assay, sample, dose, response[, row, column]) into standard/test pairs.

    Assays and samples keep their order of first appearance; the standard (``sample`` equal to
    ``standard``, any case) is paired with each test sample of the same assay. With ``joint`` every pair
    also carries the assay's other test samples (preparation codes 2, 3, ...) for a joint fit.
    """
    out: list[AssayData] = []
    for assay, part in frame.groupby("assay", sort=False):
        is_std = part["sample"].astype(str).str.strip().str.lower() == STANDARD
        if not is_std.any():
            raise InputError(NO_STANDARD.format(assay=repr(assay), standard=repr(STANDARD)))
        tests = [s for s in pd.unique(part.loc[~is_std, "sample"])]
        if not tests:
            raise InputError(ONLY_STANDARD.format(assay=repr(assay)))
        for sample in tests:
            others = [t for t in tests if t != sample] if joint else []
            sub = part[is_std | part["sample"].isin([sample, *others])]
            is_test = (sub["sample"] == sample).to_numpy()
            codes = {s: k for k, s in enumerate([sample, *others], start=1)}
            prep = np.array([codes.get(s, 0) for s in sub["sample"]], dtype=np.int64)
            rows = tuple(sub["row"].astype(str)) if "row" in sub.columns else ()
            cols = tuple(sub["column"].astype(str)) if "column" in sub.columns else ()
            if "block" in sub.columns and not rows:
                rows = tuple(sub["block"].astype(str))
            out.append(
                AssayData(
                    assay=str(assay),
                    sample=str(sample),
                    dose=sub["dose"].to_numpy(dtype=float),
                    response=sub["response"].to_numpy(dtype=float),
                    is_test=np.asarray(is_test, dtype=bool),
                    rows=rows,
                    columns=cols,
                    preparation=prep if others else None,
                )
            )
    return out


def analyse(frame: pd.DataFrame, options: AnalysisOptions | None = None) -> PotencyTable:
    """Analyse every assay and test sample of a long table; one estimate each (see :func:`analyse_assay`).

    Parameters
    ----------
    frame : pandas.DataFrame
        Long table with columns ``assay``, ``sample``, ``dose`` and ``response`` (one row per
        response) and optionally ``row`` and ``column`` (or ``block``) labels of randomised-block or
        Latin-square designs. The sample named ``standard`` (any case) is the reference standard of
        its assay; every other sample is a test, with doses in the standard's units.
    options : AnalysisOptions or None, default None
        Settings of the analysis; ``None`` uses ``AnalysisOptions()``.

    Returns
    -------
    PotencyTable
        One :class:`PotencyEstimate` per assay and test sample, in order of first appearance.

    Raises
    ------
    InputError
        When an assay has no standard or no test sample, or for any problem
        :func:`analyse_assay` reports.
    """
    o = options or AnalysisOptions()
    joint = o.joint and o.model == "parallel-line"
    estimates = tuple(analyse_assay(d, o) for d in assays_from_frame(frame, joint))
    return PotencyTable(estimates, o.settings())
