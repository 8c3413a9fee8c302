"""Relative potency of every test sample in every assay: dispatch to the model, similarity, suitability."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from bioparity.errors import InputError
from bioparity.potency.design import STANDARD, AssayData
from bioparity.potency.logistic import fit_logistic_parallel
from bioparity.potency.parallel_line import fit_parallel_line
from bioparity.potency.results import ModelFit, PotencyEstimate, PotencyTable, Similarity
from bioparity.potency.slope_ratio import fit_slope_ratio
from bioparity.potency.suitability import SuitabilityCriteria, assess_suitability

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
        """Plain record of the settings (kept in every result)."""
        return {
            "model": self.model,
            "conf_level": self.conf_level,
            "alpha": self.alpha,
            "equivalence_level": self.equivalence_level,
            "margins": {k: list(v) for k, v in self.margins.items()},
            "suitability": dataclasses.asdict(self.suitability),
            "transform": self.transform,
            "joint": self.joint and self.model == "parallel-line",
            "fit": "ordinary least squares on the (transformed) response scale, natural-log dose, unweighted",
        }


def _fit(data: AssayData, o: AnalysisOptions) -> ModelFit:
    if o.model == "parallel-line":
        return fit_parallel_line(data, o.conf_level, alpha=o.alpha, equivalence_level=o.equivalence_level)
    if o.model == "slope-ratio":
        return fit_slope_ratio(data, o.conf_level, alpha=o.alpha, equivalence_level=o.equivalence_level)
    return fit_logistic_parallel(
        data, o.model, o.conf_level, alpha=o.alpha, equivalence_level=o.equivalence_level
    )


def analyse_assay(data: AssayData, options: AnalysisOptions | None = None) -> PotencyEstimate:
    """Relative potency of one test sample in one assay, with similarity and suitability."""
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
    sim = Similarity(fit.tests, o.alpha, checks, o.equivalence_level)
    suit, suit_flags = assess_suitability(fit, o.suitability)
    flags = list(fit.flags) + suit_flags
    if sim.significance_verdict == "fail":
        failed = [k for k, p in fit.tests.items() if p < o.alpha]
        flags.append(f"Ph. Eur. 5.3 validity test failed: {', '.join(failed)} (p < {o.alpha:g})")
    if sim.equivalence_verdict == "fail":
        failed = [c.measure for c in checks if c.passed is False]
        flags.append(f"USP <1032> equivalence failed: {', '.join(failed)} CI outside the margins")
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
            raise InputError(f"assay {assay!r} has no rows of sample {STANDARD!r} (the reference standard)")
        tests = [s for s in pd.unique(part.loc[~is_std, "sample"])]
        if not tests:
            raise InputError(f"assay {assay!r} has only the standard; add at least one test sample")
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
    """Analyse every assay and test sample of a long table; one estimate each (see :func:`analyse_assay`)."""
    o = options or AnalysisOptions()
    joint = o.joint and o.model == "parallel-line"
    estimates = tuple(analyse_assay(d, o) for d in assays_from_frame(frame, joint))
    return PotencyTable(estimates, o.settings())
