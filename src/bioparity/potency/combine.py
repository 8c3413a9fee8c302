"""Combination of independent assays (Ph. Eur. 5.3, section 6; USP <1034>, section 4.3).

Each assay i gives a log potency M_i (natural log) with confidence limits on the log scale of width
L_i = ln(upper_i) - ln(lower_i) and t_i (the assay's t quantile on its df_i). Then (Ph. Eur. 5.3,
section 6.2):

* weights w_i = 4 t_i^2 / L_i^2 (= 1 / s_i^2, s_i the standard error of M_i);
* homogeneity: chi^2 = sum w_i (M_i - M_w)^2 on n - 1 df; the estimates are taken as homogeneous when
  p >= ``alpha`` (0.05);
* weighted geometric mean: M_w = sum w_i M_i / sum w_i, limits M_w +- t sqrt(1 / sum w_i), t on
  sum df_i (section 6.2.1);
* semi-weighted (when heterogeneous, section 6.2.2): s_b^2 = sum (M_i - M_u)^2 / (n - 1) - sum s_i^2 / n
  (set to 0 when negative), w'_i = 1 / (s_i^2 + s_b^2), M_s = sum w'_i M_i / sum w'_i, limits
  M_s +- t sqrt(1 / sum w'_i); bioparity takes t on n - 1 df here (a stated, conservative choice: wider
  than t on the summed df of section 6.2.1). Which t section 6.2.2 itself prescribes is not verified: the
  chapter's text could not be retrieved in the development sessions, and the heterogeneous (semi-weighted)
  method differs between the 9th and 10th editions of the Ph. Eur. (the vendor comparison "Compendial
  guidance" of the Biological Assay Package, help.bioassay.de/add_ons/concepts/compendial_guidance_coa.html,
  which shows the formulas but not their text);
* unweighted (section 6.2.3): M_u = mean M_i, limits M_u +- t s / sqrt(n), s^2 = sum (M_i - M_u)^2/(n-1),
  t on n - 1 df.

``method='auto'`` reports the weighted mean when homogeneous, else the semi-weighted one.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
from scipy import stats

from bioparity._results import ResultMixin, software_version
from bioparity.errors import InputError
from bioparity.i18n.notes import note_template
from bioparity.potency.linear import t_quantile

# The flags of a combination of assays (templates: see bioparity.i18n.notes).
ASSAYS_LEFT_OUT = note_template("assays left out (no usable CI or not converged): {assays}")
TOO_FEW_ASSAYS = note_template("{n:d} usable assay(s): combination needs at least 2")
INVALID_LEFT_OUT = note_template(
    "assays left out (a validity test or suitability criterion failed): {assays}"
)
HETEROGENEOUS = note_template("potency estimates heterogeneous (chi-square p = {p:.3g})")

if TYPE_CHECKING:
    from bioparity.potency.results import PotencyEstimate

COMBINATION_METHODS = ("auto", "weighted", "semi-weighted", "unweighted")


@dataclass(frozen=True, repr=False)
class CombinedPotency(ResultMixin):
    """Combined potency of one sample over ``n_assays`` independent assays, all three estimators.

    ``method`` is the one reported as ``potency``/``ci_lower``/``ci_upper``; the others stay
    available (``weighted``, ``semi_weighted``, ``unweighted``: (potency, lower, upper)).

    Attributes
    ----------
    sample : str
        Test sample combined.
    n_assays : int
        Number of assays combined (>= 2).
    method : str
        Estimator reported: ``weighted``, ``semi-weighted`` or ``unweighted`` (``auto`` resolved).
    potency : float
        Combined relative potency (geometric mean of the assays' potencies with the chosen weights).
    ci_lower, ci_upper : float
        Limits of its ``conf_level`` confidence interval.
    chi_square : float
        Homogeneity statistic sum w_i (M_i - M_w)^2 (Ph. Eur. 5.3 section 6.2.1).
    chi_square_df : int
        Its degrees of freedom, ``n_assays - 1``.
    chi_square_p : float
        Upper-tail p value of the homogeneity test.
    homogeneous : bool
        ``chi_square_p >= alpha``.
    weighted, semi_weighted, unweighted : tuple of (float, float, float)
        (potency, lower, upper) of each estimator (sections 6.2.1, 6.2.2 and 6.2.3).
    weights : tuple of float
        The weights w_i = 4 t_i^2 / L_i^2 of the assays (1 / variance of the log potency).
    conf_level : float
        Confidence level of the combined intervals.
    alpha : float
        Level of the homogeneity test.
    settings : dict, default {}
        ``method_requested`` and ``assay_conf_level``.
    software_version : str
        bioparity version that produced the result.
    """

    SETTINGS = ("method", "conf_level", "alpha", "settings")
    REPR_FIELDS = ("sample", "n_assays", "method", "potency", "ci_lower", "ci_upper", "homogeneous")

    sample: str
    n_assays: int
    method: str
    potency: float
    ci_lower: float
    ci_upper: float
    chi_square: float
    chi_square_df: int
    chi_square_p: float
    homogeneous: bool
    weighted: tuple[float, float, float]
    semi_weighted: tuple[float, float, float]
    unweighted: tuple[float, float, float]
    weights: tuple[float, ...]
    conf_level: float
    alpha: float
    settings: dict[str, Any] = field(default_factory=dict)
    software_version: str = field(default_factory=software_version)

    def row(self) -> dict[str, Any]:
        """Flat record for the output table."""
        rec: dict[str, Any] = {
            "sample": self.sample,
            "n_assays": self.n_assays,
            "combination_method": self.method,
            "relative_potency": self.potency,
            "ci_lower": self.ci_lower,
            "ci_upper": self.ci_upper,
            "conf_level": self.conf_level,
            "homogeneity_chi_square": self.chi_square,
            "homogeneity_df": self.chi_square_df,
            "homogeneity_p": self.chi_square_p,
        }
        for name in ("weighted", "semi_weighted", "unweighted"):
            est, lo, hi = getattr(self, name)
            rec |= {f"{name}_potency": est, f"{name}_ci_lower": lo, f"{name}_ci_upper": hi}
        return rec

    def summary(self) -> str:
        state = "homogeneous" if self.homogeneous else "heterogeneous"
        return (
            f"Combined potency of {self.sample} over {self.n_assays} assays ({self.method}): "
            f"{self.potency:.4g}, {100 * self.conf_level:g}% CI {self.ci_lower:.4g} to {self.ci_upper:.4g}\n"
            f"homogeneity chi-square {self.chi_square:.4g} on {self.chi_square_df} df, "
            f"p {self.chi_square_p:.3g}: {state} at alpha {self.alpha:g}"
        )


def combine_assays(
    potency: npt.ArrayLike,
    ci_lower: npt.ArrayLike,
    ci_upper: npt.ArrayLike,
    df: npt.ArrayLike,
    *,
    conf_level: float = 0.95,
    assay_conf_level: float | None = None,
    method: str = "auto",
    alpha: float = 0.05,
    sample: str = "",
) -> CombinedPotency:
    """Combine independent potency estimates (with their CIs and error df) into one (see module doc).

    ``assay_conf_level`` is the level of the given intervals (default: ``conf_level``).

    Parameters
    ----------
    potency : array_like of float, shape (n,)
        Relative potency of each assay (> 0), n >= 2.
    ci_lower, ci_upper : array_like of float, shape (n,)
        Confidence limits of each assay (0 < lower < upper, finite), at ``assay_conf_level``.
    df : array_like of float, shape (n,)
        Residual degrees of freedom of each assay (> 0; 1e6 or more is taken as infinite, normal
        quantile).
    conf_level : float, default 0.95
        Confidence level of the combined intervals.
    assay_conf_level : float or None, default None
        Level of the given assay intervals, used to recover each assay's standard error; ``None``
        means ``conf_level``.
    method : str, default "auto"
        ``auto`` (weighted when homogeneous, else semi-weighted), ``weighted``, ``semi-weighted`` or
        ``unweighted``.
    alpha : float, default 0.05
        Level of the chi-square homogeneity test.
    sample : str, default ""
        Sample name, carried into the result and error messages.

    Returns
    -------
    CombinedPotency
        The chosen estimate with its CI, all three estimators, the weights and the homogeneity test.

    Raises
    ------
    InputError
        When ``method`` is unknown, fewer than 2 assays are given, or an assay has a non-positive or
        non-finite potency, limits or df.

    References
    ----------
    European Pharmacopoeia, chapter 5.3, section 6 (combination of assay results), 6.2.1-6.2.3;
    USP <1034> Analysis of biological assays, section 4.3.

    Examples
    --------
    >>> c = combine_assays([1.02, 0.97, 1.05], [0.93, 0.88, 0.95], [1.12, 1.07, 1.16], [20, 18, 22])
    >>> c.method, round(c.potency, 4), round(c.ci_lower, 4), round(c.ci_upper, 4)
    ('weighted', 1.0122, 0.9595, 1.0679)
    >>> round(c.chi_square_p, 3)
    0.485
    """
    if method not in COMBINATION_METHODS:
        raise InputError(f"combination method {method!r}: expected one of {', '.join(COMBINATION_METHODS)}")
    r = np.asarray(potency, dtype=float)
    lo = np.asarray(ci_lower, dtype=float)
    hi = np.asarray(ci_upper, dtype=float)
    dfs = np.asarray(df, dtype=float)
    n = r.size
    if n < 2:
        raise InputError(f"sample {sample!r}: combination needs at least 2 assays, got {n}")
    bad = ~(np.isfinite(r) & np.isfinite(lo) & np.isfinite(hi) & (r > 0) & (lo > 0) & (hi > lo) & (dfs > 0))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(
            f"sample {sample!r}, assay {i + 1}: potency {r[i]:g} with limits [{lo[i]:g}, {hi[i]:g}] and df "
            f"{dfs[i]:g} cannot be combined (needs 0 < lower < upper and finite limits)"
        )
    level = conf_level if assay_conf_level is None else assay_conf_level
    m = np.log(r)
    width = np.log(hi) - np.log(lo)
    t_i = np.array(
        [t_quantile(level, int(d)) if d < 1e6 else float(stats.norm.ppf(0.5 + level / 2)) for d in dfs]
    )
    w = 4.0 * t_i**2 / width**2
    s2 = 1.0 / w
    m_w = float((w * m).sum() / w.sum())
    chi2 = float((w * (m - m_w) ** 2).sum())
    p = float(stats.chi2.sf(chi2, n - 1))
    t_w = t_quantile(conf_level, int(dfs.sum()))
    half_w = t_w * math.sqrt(1.0 / w.sum())
    m_u = float(m.mean())
    var_between = float(((m - m_u) ** 2).sum() / (n - 1))
    s_b2 = max(var_between - float(s2.sum() / n), 0.0)
    w_semi = 1.0 / (s2 + s_b2)
    m_s = float((w_semi * m).sum() / w_semi.sum())
    t_n = t_quantile(conf_level, n - 1)
    half_s = t_n * math.sqrt(1.0 / w_semi.sum())
    half_u = t_n * math.sqrt(var_between / n)

    def back(centre: float, half: float) -> tuple[float, float, float]:
        return math.exp(centre), math.exp(centre - half), math.exp(centre + half)

    results = {
        "weighted": back(m_w, half_w),
        "semi-weighted": back(m_s, half_s),
        "unweighted": back(m_u, half_u),
    }
    homogeneous = p >= alpha
    chosen = method if method != "auto" else ("weighted" if homogeneous else "semi-weighted")
    est, clo, chi = results[chosen]
    return CombinedPotency(
        sample=sample,
        n_assays=n,
        method=chosen,
        potency=est,
        ci_lower=clo,
        ci_upper=chi,
        chi_square=chi2,
        chi_square_df=n - 1,
        chi_square_p=p,
        homogeneous=homogeneous,
        weighted=results["weighted"],
        semi_weighted=results["semi-weighted"],
        unweighted=results["unweighted"],
        weights=tuple(float(v) for v in w),
        conf_level=conf_level,
        alpha=alpha,
        settings={"method_requested": method, "assay_conf_level": level},
    )


def combine_estimates(
    estimates: Sequence[PotencyEstimate], *, conf_level: float = 0.95, method: str = "auto"
) -> list[dict[str, Any]]:
    """One combined row per test sample over its assays (Ph. Eur. 5.3, section 6), in first-seen order.

    An assay enters the combination when its fit converged, its interval is finite with a positive
    lower limit (section 6 combines the log potencies and their limits) and it is valid: no Ph. Eur. 5.3
    test of validity failed (sections 3.2.4, 3.3.4, 3.4), no USP <1032> equivalence criterion failed and
    every suitability criterion set was met (only valid assays give a reportable value: USP <1032>,
    section 3.6; USP <1034>, section 4.3); the others are left out and named in ``flags``, each reason
    apart. With fewer than 2 usable assays the row has no estimate (NaN) and says why;
    heterogeneous estimates (the chi-square test of section 6.2.1) are flagged. Each row has
    ``assay = "combined"``, the sample, the model, :meth:`CombinedPotency.row` and ``flags``.
    """
    rows: list[dict[str, Any]] = []
    for sample in dict.fromkeys(e.sample for e in estimates):
        ests = [e for e in estimates if e.sample == sample]
        usable = [
            e
            for e in ests
            if e.converged and math.isfinite(e.ci_lower) and math.isfinite(e.ci_upper) and e.ci_lower > 0
        ]
        left_out = [e.assay for e in ests if e not in usable]
        flags = [ASSAYS_LEFT_OUT.format(assays=", ".join(left_out))] if left_out else []
        invalid = [e.assay for e in usable if not _valid(e)]
        if invalid:
            flags.append(INVALID_LEFT_OUT.format(assays=", ".join(invalid)))
            usable = [e for e in usable if _valid(e)]
        base: dict[str, Any] = {"assay": "combined", "sample": sample, "model": ests[0].model}
        if len(usable) < 2:
            flags.append(TOO_FEW_ASSAYS.format(n=len(usable)))
            nan = float("nan")
            rows.append(
                base | {"relative_potency": nan, "ci_lower": nan, "ci_upper": nan, "flags": "; ".join(flags)}
            )
            continue
        comb = combine_assays(
            [e.relative_potency for e in usable], [e.ci_lower for e in usable], [e.ci_upper for e in usable],
            [e.df for e in usable], conf_level=conf_level, method=method, sample=sample,
        )  # fmt: skip
        if not comb.homogeneous:
            flags.append(HETEROGENEOUS.format(p=comb.chi_square_p))
        rec = comb.row()
        rec.pop("sample")
        rows.append(base | rec | {"flags": "; ".join(flags), "software_version": comb.software_version})
    return rows


def _valid(estimate: PotencyEstimate) -> bool:
    """No Ph. Eur. 5.3 validity test, USP <1032> equivalence criterion or suitability criterion failed."""
    sim = estimate.similarity
    failed = "fail" in (sim.significance_verdict, sim.equivalence_verdict)
    return not failed and all(estimate.suitability.values())
