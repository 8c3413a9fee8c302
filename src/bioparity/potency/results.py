"""Immutable results of a relative potency analysis: one estimate per assay and test sample.

Each result carries the numbers, the settings used and the software version, and exports with
``to_dict()`` (nested, JSON-ready) and ``to_frame()`` (one flat row per assay and test sample: the
command-line output table).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from bioparity._results import ResultMixin, json_safe, software_version, with_rows


@dataclass(frozen=True)
class AnovaRow:
    """One line of an analysis of variance: source, degrees of freedom, sum of squares, F and p."""

    source: str
    df: int
    ss: float
    ms: float
    f: float
    p: float


@dataclass(frozen=True)
class EquivalenceCheck:
    """One USP <1032> equivalence criterion: an estimate, its CI and the margins it must lie within."""

    measure: str
    estimate: float
    ci_lower: float
    ci_upper: float
    margin_lower: float
    margin_upper: float

    @property
    def passed(self) -> bool | None:
        """True when the CI lies within the margins; None when a margin or the CI is missing."""
        values = (self.ci_lower, self.ci_upper, self.margin_lower, self.margin_upper)
        if any(math.isnan(v) for v in values):
            return None
        return self.margin_lower <= self.ci_lower and self.ci_upper <= self.margin_upper


@dataclass(frozen=True)
class Similarity:
    """Similarity (parallelism) both ways, side by side.

    ``significance_tests`` are Ph. Eur. 5.3 tests of validity (name -> p value; pass when p >= alpha);
    ``required_significant`` the tests that must instead reject (Ph. Eur. 5.3, sections 3.2.4 and 3.3.4:
    the regression must be significant; pass when p < alpha); ``equivalence`` the USP <1032> criteria
    (CI within margins, at ``equivalence_level``).
    """

    significance_tests: dict[str, float]
    alpha: float
    equivalence: tuple[EquivalenceCheck, ...]
    equivalence_level: float
    required_significant: dict[str, float] = field(default_factory=dict)

    @property
    def significance_verdict(self) -> str:
        """``pass`` when no test of validity rejects at ``alpha`` and every required test (the regression)
        does, else ``fail``; ``not assessed`` without tests."""
        ps = [p for p in self.significance_tests.values() if not math.isnan(p)]
        required = [p for p in self.required_significant.values() if not math.isnan(p)]
        if not ps and not required:
            return "not assessed"
        return (
            "pass"
            if min(ps, default=1.0) >= self.alpha and max(required, default=0.0) < self.alpha
            else "fail"
        )

    @property
    def equivalence_verdict(self) -> str:
        """``pass``/``fail`` over the criteria that have margins; ``not assessed`` when none do."""
        judged = [c.passed for c in self.equivalence if c.passed is not None]
        if not judged:
            return "not assessed"
        return "pass" if all(judged) else "fail"


@dataclass(frozen=True, repr=False)
class PotencyEstimate(ResultMixin):
    """Relative potency of one test sample against the standard in one assay.

    ``relative_potency`` is test / standard in the units of the nominal doses; ``ci_lower``/``ci_upper``
    the ``conf_level`` interval by ``ci_method``; ``parameters`` the fitted model; ``anova`` the
    analysis of variance (parallel-line and slope-ratio); ``flags`` every review flag (never silent).

    Attributes
    ----------
    assay : str
        Assay identifier.
    sample : str
        Test sample.
    model : str
        ``parallel-line``, ``slope-ratio``, ``4pl`` or ``5pl``.
    relative_potency : float
        Potency of the test relative to the standard (dimensionless; multiply by the test's assumed
        potency to get its potency in the standard's units). NaN when it cannot be estimated.
    ci_lower, ci_upper : float
        Limits of the ``conf_level`` confidence interval of the relative potency (NaN when unbounded,
        e.g. Fieller's g >= 1).
    conf_level : float
        Confidence level of the interval (e.g. 0.95).
    ci_method : str
        How the interval was computed: ``Fieller`` (linear models) or
        ``Wald (delta method) on log potency, t on residual df`` (logistic models).
    df : int
        Residual degrees of freedom of the fit.
    residual_variance : float
        Residual mean square s^2 (response units squared, after any transform).
    parameters : dict of str to float
        Fitted parameters: parallel-line ``intercept_standard``, ``intercept_test``, ``slope`` (common,
        per unit of ln dose), ``slope_standard``, ``slope_test``; slope-ratio ``intercept``,
        ``slope_standard``, ``slope_test``; logistic ``b``, ``c``, ``d`` (``f`` for 5PL), ``e_standard``
        and ``e_test`` (EC50s in dose units).
    similarity : Similarity
        Ph. Eur. 5.3 significance tests (``significance_tests``: name -> p value, with
        ``significance_verdict``) and USP <1032> equivalence checks (``equivalence``, with
        ``equivalence_verdict``): ``pass``, ``fail`` or ``not assessed``.
    suitability : dict of str to bool
        Criterion -> met, for the criteria set in the options (``r_squared``, ``ci_ratio``,
        ``min_slope``, ``max_slope``, ``asymptote_ratio``).
    flags : tuple of str
        Review flags: failed tests or criteria, possible outliers (kept), non-convergence, imprecise
        or unbounded Fieller limits.
    converged : bool
        The (iterative) fit converged; always True for the linear models.
    anova : tuple of AnovaRow, default ()
        Analysis of variance of the linear models (source, df, SS, MS, F, p); empty for 4PL/5PL.
    settings : dict, default {}
        The analysis options used (``AnalysisOptions.settings()``).
    software_version : str
        bioparity version that produced the result.
    """

    SETTINGS = ("model", "conf_level", "ci_method", "settings")
    REPR_FIELDS = (
        "assay",
        "sample",
        "model",
        "relative_potency",
        "ci_lower",
        "ci_upper",
        "conf_level",
        "flags",
    )

    assay: str
    sample: str
    model: str
    relative_potency: float
    ci_lower: float
    ci_upper: float
    conf_level: float
    ci_method: str
    df: int
    residual_variance: float
    parameters: dict[str, float]
    similarity: Similarity
    suitability: dict[str, bool]
    flags: tuple[str, ...]
    converged: bool
    anova: tuple[AnovaRow, ...] = ()
    settings: dict[str, Any] = field(default_factory=dict)
    software_version: str = field(default_factory=software_version)

    @property
    def log_potency(self) -> float:
        """Natural log of the relative potency (the scale of the combination of assays)."""
        return math.log(self.relative_potency) if self.relative_potency > 0 else float("nan")

    def row(self) -> dict[str, Any]:
        """One flat record: identifiers, potency and CI, parameters, similarity, suitability, flags."""
        rec: dict[str, Any] = {
            "assay": self.assay,
            "sample": self.sample,
            "model": self.model,
            "relative_potency": self.relative_potency,
            "ci_lower": self.ci_lower,
            "ci_upper": self.ci_upper,
            "conf_level": self.conf_level,
            "ci_method": self.ci_method,
            "df": self.df,
            "residual_variance": self.residual_variance,
            "converged": self.converged,
        }
        rec |= {f"param_{k}": v for k, v in self.parameters.items()}
        sim = self.similarity
        rec |= {f"ph_eur_p_{k}": v for k, v in (sim.required_significant | sim.significance_tests).items()}
        rec["similarity_ph_eur"] = sim.significance_verdict
        for c in sim.equivalence:
            rec[f"equiv_{c.measure}"] = c.estimate
            rec[f"equiv_{c.measure}_ci_lower"] = c.ci_lower
            rec[f"equiv_{c.measure}_ci_upper"] = c.ci_upper
            rec[f"equiv_{c.measure}_margins"] = (
                "" if math.isnan(c.margin_lower) else f"{c.margin_lower:g},{c.margin_upper:g}"
            )
        rec["similarity_usp1032"] = sim.equivalence_verdict
        rec |= {f"suitability_{k}": v for k, v in self.suitability.items()}
        rec["flags"] = "; ".join(self.flags)
        rec["software_version"] = self.software_version
        return rec

    def to_frame(self) -> pd.DataFrame:
        """The flat record as a one-row frame."""
        return pd.DataFrame([self.row()])

    def to_dict(self) -> dict[str, Any]:
        """All fields, nested, plus the similarity verdicts."""
        out = super().to_dict()
        out["similarity"]["significance_verdict"] = self.similarity.significance_verdict
        out["similarity"]["equivalence_verdict"] = self.similarity.equivalence_verdict
        out["log_potency"] = json_safe(self.log_potency)
        return out

    def summary(self) -> str:
        suitable = "all met" if all(self.suitability.values()) else "not all met"
        return (
            f"Relative potency of {self.sample} in assay {self.assay} ({self.model}): "
            f"{self.relative_potency:.4g}, {100 * self.conf_level:g}% CI {self.ci_lower:.4g} to "
            f"{self.ci_upper:.4g} ({self.ci_method})\n"
            f"similarity: Ph. Eur. 5.3 tests {self.similarity.significance_verdict}, USP <1032> "
            f"{self.similarity.equivalence_verdict}; suitability criteria {suitable}; "
            f"{len(self.flags)} flag(s)"
        )


@dataclass(frozen=True, repr=False)
class PotencyTable(ResultMixin):
    """All estimates of one analysis (one per assay and test sample) and the settings used.

    Attributes
    ----------
    estimates : tuple of PotencyEstimate
        One estimate per assay and test sample, in order of first appearance.
    settings : dict
        The analysis options used (``AnalysisOptions.settings()``).
    software_version : str
        bioparity version that produced the result.
    """

    SETTINGS = ("settings",)
    REPR_FIELDS = ("estimates", "settings")

    estimates: tuple[PotencyEstimate, ...]
    settings: dict[str, Any]
    software_version: str = field(default_factory=software_version)

    def to_frame(self) -> pd.DataFrame:
        """One row per assay and test sample (columns of the union of the rows, in first-seen order)."""
        rows = [e.row() for e in self.estimates]
        return pd.DataFrame(rows)

    def to_dict(self) -> dict[str, Any]:
        """Estimates and settings as plain Python values."""
        return {
            "estimates": [e.to_dict() for e in self.estimates],
            "settings": json_safe(self.settings),
            "software_version": self.software_version,
        }

    def summary(self) -> str:
        rows = [
            f"{e.assay} {e.sample}: {e.relative_potency:.4g} (CI {e.ci_lower:.4g} to {e.ci_upper:.4g})"
            for e in self.estimates
        ]
        head = f"Relative potency, {len(self.estimates)} estimate(s) ({self.settings.get('model', '')} model)"
        return with_rows(head, rows)


@dataclass(frozen=True)
class ModelFit:
    """What one model returns for one assay and test sample, before suitability and packaging.

    ``tests`` are the Ph. Eur. 5.3 validity tests (name -> p value), ``required_significant`` those that
    must be significant (the regression of the linear models), ``equivalence`` the USP <1032> measures with
    their CIs (margins filled in later), ``r_squared`` of the unconstrained model.
    """

    relative_potency: float
    ci_lower: float
    ci_upper: float
    ci_method: str
    df: int
    s2: float
    parameters: dict[str, float]
    tests: dict[str, float]
    equivalence: tuple[EquivalenceCheck, ...]
    flags: tuple[str, ...]
    r_squared: float
    converged: bool = True
    anova: tuple[AnovaRow, ...] = ()
    required_significant: dict[str, float] = field(default_factory=dict)
