"""System and sample suitability criteria (USP <1032>, section 4.5; USP <1034>, section 3.5).

Each criterion is optional (None = not applied) and, when set, yields a pass/fail entry and a flag
on failure: minimum R^2 of the unconstrained model, maximum ratio of the potency CI limits
(upper / lower, a precision criterion), slope limits (|b| for logistic models, the common slope for
parallel-line), minimum ratio of the asymptotes |d - c| relative to the response scale is not assumed:
``min_asymptote_ratio`` compares max(c, d) / min(c, d) for logistic models.
"""

from __future__ import annotations

from dataclasses import dataclass

from bioparity.i18n.notes import note_template
from bioparity.potency.results import ModelFit

#: The flag of a failed suitability criterion (template: see bioparity.i18n.notes).
SUITABILITY_FAILED = note_template("suitability {name} failed: {text}")


@dataclass(frozen=True)
class SuitabilityCriteria:
    """Configurable suitability criteria; None disables a criterion."""

    min_r_squared: float | None = None
    max_ci_ratio: float | None = None
    min_abs_slope: float | None = None
    max_abs_slope: float | None = None
    min_asymptote_ratio: float | None = None


def assess_suitability(fit: ModelFit, criteria: SuitabilityCriteria) -> tuple[dict[str, bool], list[str]]:
    """Apply ``criteria`` to a fit: (name -> passed, flags for the failures)."""
    out: dict[str, bool] = {}
    flags: list[str] = []

    def check(name: str, ok: bool, text: str) -> None:
        out[name] = ok
        if not ok:
            flags.append(SUITABILITY_FAILED.format(name=name, text=text))

    c = criteria
    if c.min_r_squared is not None:
        check("r_squared", fit.r_squared >= c.min_r_squared, f"R2 {fit.r_squared:.4g} < {c.min_r_squared:g}")
    if c.max_ci_ratio is not None:
        ratio = fit.ci_upper / fit.ci_lower if fit.ci_lower > 0 else float("inf")
        check("ci_ratio", ratio <= c.max_ci_ratio, f"CI upper/lower {ratio:.4g} > {c.max_ci_ratio:g}")
    slope = fit.parameters.get("b", fit.parameters.get("slope", fit.parameters.get("slope_standard")))
    if slope is not None and c.min_abs_slope is not None:
        check("min_slope", abs(slope) >= c.min_abs_slope, f"|slope| {abs(slope):.4g} < {c.min_abs_slope:g}")
    if slope is not None and c.max_abs_slope is not None:
        check("max_slope", abs(slope) <= c.max_abs_slope, f"|slope| {abs(slope):.4g} > {c.max_abs_slope:g}")
    if c.min_asymptote_ratio is not None and "c" in fit.parameters:
        lo, hi = sorted((fit.parameters["c"], fit.parameters["d"]))
        ratio = hi / lo if lo > 0 else float("inf")
        check("asymptote_ratio", ratio >= c.min_asymptote_ratio, f"{ratio:.4g} < {c.min_asymptote_ratio:g}")
    return out, flags
