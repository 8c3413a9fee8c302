"""Operating characteristics (OCs) of a CAA plan: how often it passes, by seeded simulation.

The EMA reflection paper on the statistical comparison of quality attributes (EMA/CHMP/138502/2017,
final 2021) asks for the operating characteristics of whichever criterion is used. For one
attribute's plan (method, k or margin, required fraction, spread check, direction) and its lot
numbers, the probability of passing is estimated under four scenarios, with lot values normal,
``mu_R = 0`` and ``sigma_R = 1`` (every method is location-scale invariant):

* ``equal``: test distribution equal to the reference distribution;
* ``shift_1sd`` / ``shift_2sd``: test mean shifted by 1 and 2 sigma_R (towards the worse side for a
  one-sided attribute);
* ``sd_doubled``: test SD twice the reference SD, equal means.

Each probability is the fraction of ``n_sim`` simulated assessments that pass, with its Monte Carlo
standard error ``sqrt(p (1 - p) / n_sim)``. The simulation is vectorised (one array per scenario) and
runs the same numerical cores as the assessment (:mod:`bioparity.caa.quality_range`,
:func:`bioparity.caa.equivalence.equivalence_test_means`).

For the equivalence test with the margin ``c·s_R`` estimated from the reference lots, the type I error
at the margin (true difference ``c·sigma_R``) exceeds the nominal alpha and does not fall with more
lots (Burdick, Thomas & Cheng 2017, "Statistical considerations in demonstrating CMC analytical
similarity for a biosimilar product", Stat Biopharm Res 9(3):249-257, doi:10.1080/19466315.2017.1280412;
Dong, Weng & Tsong 2017, "A further look at the current equivalence test for analytical similarity
assessment", Springer, doi:10.1007/978-3-319-67386-8_5: "the type I error is typically increased ...
cannot be improved by increasing sample size"). tests/caa/test_operating_published.py checks these
OCs against exact values by numerical integration and against these published findings.
:func:`equivalence_type1_limit` gives the large-sample
value: with ``d = xbar_T - xbar_R`` and ``s_R ~ sigma (1 + N(0, 1/(2 n_R)))`` (delta method),
``d - c s_R`` has variance ``sigma^2 (1/n_T + 1/n_R + c^2 / (2 n_R))`` while the test uses
``sigma^2 (1/n_T + 1/n_R)``, so

    alpha_inf = Phi( -z_{1-alpha} / sqrt(1 + c^2 / (2 n_R (1/n_T + 1/n_R))) )

which is 0.094 for ``n_T = n_R``, ``c = 1.5``, alpha 0.05, and grows when the reference has fewer
lots than the test (lot imbalance).

The spread check's false-failure probability is exact: with both sources' lots from one normal
distribution, ``s_T^2 / s_R^2`` follows the F distribution with ``(n_T - 1, n_R - 1)`` degrees of freedom
(Casella & Berger, *Statistical Inference*, 2nd ed. 2002, section 5.3.2, definition 5.3.6), so

    P(s_T / s_R > m) = P(F(n_T - 1, n_R - 1) > m^2)

which is 0.1214 for 10 v 10 lots and ``m = 1.5`` (:func:`spread_false_failure`). Over ``N`` attributes
whose lots vary independently, a truly similar product fails at least one spread check with probability
``1 - prod(1 - p_i)`` (:func:`familywise_false_failure`): 0.925 for 20 such attributes. Stangler &
Schiestl 2019 ("Similarity assessment of quality attributes of biological medicines: the calculation of
operating characteristics to compare different statistical approaches", AAPS Open 5:4,
doi:10.1186/s41120-019-0033-9) ask for exactly this: false rejection rates and "potential multiplicity
effects as typically many quality attributes are compared in parallel". :func:`spread_familywise`
states it per comparison of an assessment.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats

import bioparity.caa.quality_range as ranges
from bioparity._results import ResultMixin, percent, software_version
from bioparity.arrays import FloatArray
from bioparity.caa.catalogue import AttributeSpec
from bioparity.caa.equivalence import equivalence_test_means
from bioparity.errors import InputError
from bioparity.i18n import gettext_noop, translations
from bioparity.i18n.notes import note_template

#: Scenario name -> (test mean shift in sigma_R, test SD / reference SD).
SCENARIOS: dict[str, tuple[float, float]] = {
    "equal": (0.0, 1.0),
    "shift_1sd": (1.0, 1.0),
    "shift_2sd": (2.0, 1.0),
    "sd_doubled": (0.0, 2.0),
}
DEFAULT_SIMULATIONS = 10_000
#: Fixed default seed (the date of FDA's final CAA guidance): the same plan gives the same OCs.
DEFAULT_SEED = 20250909


@dataclass(frozen=True, repr=False)
class OperatingCharacteristics(ResultMixin):
    """Pass probabilities of one plan at given lot numbers, with Monte Carlo SEs.

    ``probability``/``mc_se`` map scenario names (:data:`SCENARIOS`) to values;
    ``equivalence_type1`` is the equivalence test's pass probability at a true difference equal to
    the margin (its actual type I error; NaN when the plan has no equivalence test), with
    ``equivalence_type1_limit`` the large-sample value from :func:`equivalence_type1_limit`;
    ``spread_false_failure`` the exact probability that the spread check alone fails at equal
    distributions (:func:`spread_false_failure`; NaN when the plan has no spread check).
    """

    SETTINGS = ("method", "n_test", "n_reference", "n_sim", "seed", "settings")
    REPR_FIELDS = ("method", "n_test", "n_reference", "probability", "n_sim", "seed")

    method: str
    n_test: int
    n_reference: int
    probability: dict[str, float]
    mc_se: dict[str, float]
    equivalence_type1: float
    equivalence_type1_se: float
    equivalence_type1_limit: float
    spread_false_failure: float
    n_sim: int
    seed: int
    settings: str
    software_version: str = field(default_factory=software_version)

    def summary(self) -> str:
        shown = ", ".join(f"{s} {percent(p, 1)}" for s, p in self.probability.items())
        lines = [
            f"Operating characteristics of {self.method} with {self.n_test} test and {self.n_reference} "
            f"reference lots ({self.n_sim} simulated assessments, seed {self.seed})",
            f"pass probability: {shown} (MC SE <= {max(self.mc_se.values(), default=0.0):.3f})",
        ]
        if np.isfinite(self.equivalence_type1):
            lines.append(
                f"equivalence test at the margin: {percent(self.equivalence_type1, 1)} "
                f"(large-sample {percent(self.equivalence_type1_limit, 1)})"
            )
        if np.isfinite(self.spread_false_failure):
            lines.append(
                f"spread check alone fails at equal distributions: {percent(self.spread_false_failure, 1)} "
                "(exact, F distribution)"
            )
        return "\n".join(lines)

    def to_frame(self) -> pd.DataFrame:
        rows = [
            {
                "scenario": s,
                "shift_sd": SCENARIOS[s][0],
                "sd_ratio": SCENARIOS[s][1],
                "probability": p,
                "mc_se": self.mc_se[s],
            }
            for s, p in self.probability.items()
        ]
        if np.isfinite(self.equivalence_type1):
            rows.append(
                {
                    "scenario": "equivalence_type1_at_margin",
                    "shift_sd": np.nan,
                    "sd_ratio": 1.0,
                    "probability": self.equivalence_type1,
                    "mc_se": self.equivalence_type1_se,
                }
            )
        if np.isfinite(self.spread_false_failure):
            rows.append(
                {
                    "scenario": "spread_false_failure",
                    "shift_sd": 0.0,
                    "sd_ratio": 1.0,
                    "probability": self.spread_false_failure,
                    "mc_se": 0.0,
                }
            )
        frame = pd.DataFrame(rows)
        frame["method"] = self.method
        frame["n_test"] = self.n_test
        frame["n_reference"] = self.n_reference
        frame["n_sim"] = self.n_sim
        frame["seed"] = self.seed
        return frame


def equivalence_type1_limit(
    margin_multiplier: float, alpha: float, n_test: float, n_reference: float
) -> float:
    """Large-sample type I error of the equivalence test with the margin ``c·s_R`` estimated.

    ``Phi(-z_{1-alpha} / sqrt(1 + c^2 / (2 n_R (1/n_T + 1/n_R))))`` (see the module docstring; the
    inflation found by Burdick, Thomas & Cheng 2017 and Dong, Weng & Tsong 2017).

    >>> round(equivalence_type1_limit(1.5, 0.05, 10, 10), 4)
    0.0941
    """
    c, a = float(margin_multiplier), float(alpha)
    ratio = c**2 / (2 * n_reference * (1 / n_test + 1 / n_reference))
    return float(stats.norm.cdf(-stats.norm.ppf(1 - a) / np.sqrt(1 + ratio)))


def spread_false_failure(
    margin: npt.ArrayLike, n_test: npt.ArrayLike, n_reference: npt.ArrayLike
) -> FloatArray:
    """Exact probability that the spread check ``s_T / s_R <= margin`` fails when both sources are equal.

    With the test and reference lots drawn from one normal distribution, ``s_T^2 / s_R^2`` follows
    ``F(n_T - 1, n_R - 1)``, so the check fails with probability ``P(F(n_T - 1, n_R - 1) > margin^2)``
    (R: ``pf(margin^2, n_T - 1, n_R - 1, lower.tail = FALSE)``). It depends on neither the mean nor
    the SD, only on the lot numbers and the margin.

    Parameters
    ----------
    margin : array_like of float
        Largest accepted ``s_T / s_R`` (> 0); 1.5 in the default plan.
    n_test, n_reference : array_like of int
        Lots of each source; NaN is returned where either is below 2 (no SD).

    Returns
    -------
    numpy.ndarray of float
        The false-failure probability per element (broadcast shape of the inputs).

    References
    ----------
    G. Casella and R. L. Berger, Statistical Inference, 2nd ed. (2002), section 5.3.2, definition
    5.3.6 (the ratio of two sample variances of normal samples follows Snedecor's F distribution).
    Stangler & Schiestl 2019, AAPS Open 5:4 (false rejection rates of CAA criteria).

    Examples
    --------
    >>> round(float(spread_false_failure(1.5, 10, 10)), 4)
    0.1214
    """
    m, nt, nr = np.broadcast_arrays(
        np.asarray(margin, dtype=float), np.asarray(n_test, dtype=float), np.asarray(n_reference, dtype=float)
    )
    ok = (nt >= 2) & (nr >= 2) & (m > 0)
    out = np.full(m.shape, np.nan)
    out[ok] = stats.f.sf(m[ok] ** 2, nt[ok] - 1, nr[ok] - 1)
    return out


def familywise_false_failure(probabilities: npt.ArrayLike) -> float:
    """Probability that at least one of several independent checks fails: ``1 - prod(1 - p_i)``.

    Parameters
    ----------
    probabilities : array_like of float
        Each check's probability of failing (NaN entries, checks not made, are left out).

    Returns
    -------
    float
        ``1 - prod(1 - p_i)``; 0 when there is no check. Attributes whose lot values are correlated
        (e.g. charge variants measured on the same lots) fail together more often than independent ones,
        so the true value lies between ``max p_i`` and this one.

    References
    ----------
    F. Bretz, T. Hothorn and P. Westfall, Multiple Comparisons Using R (2010), chapter 2 (the
    familywise error rate). Stangler & Schiestl 2019, AAPS Open 5:4 (multiplicity over the many
    quality attributes of a similarity assessment).

    Examples
    --------
    >>> round(familywise_false_failure([0.1214121372721707] * 20), 4)
    0.9249
    """
    p = np.asarray(probabilities, dtype=float).ravel()
    p = p[np.isfinite(p)]
    # log1p keeps 1 - prod(1 - p) accurate when every p is small
    return float(-np.expm1(np.log1p(-p).sum())) if p.size else 0.0


@dataclass(frozen=True)
class _Draws:
    """Standard normal lot values of ``n_sim`` simulated assessments and their summary statistics."""

    ref: FloatArray
    test: FloatArray
    m_r: FloatArray
    s_r: FloatArray
    m_t: FloatArray
    s_t: FloatArray


def _draws(n_test: int, n_reference: int, n_sim: int, seed: int) -> _Draws:
    rng = np.random.default_rng(seed)
    ref = rng.standard_normal((n_sim, n_reference))
    test = rng.standard_normal((n_sim, n_test))
    return _Draws(
        ref, test, ref.mean(axis=1), ref.std(axis=1, ddof=1), test.mean(axis=1), test.std(axis=1, ddof=1)
    )


def _passes(
    spec: AttributeSpec, method: str, d: _Draws, shift: float, ratio: float, *, spread: bool
) -> npt.NDArray[np.bool_]:
    """Whether each simulated assessment passes ``method`` with ``spec``; the test lots are
    ``shift + ratio · d.test`` (so their mean and SD follow from ``d`` without recomputing)."""
    ref = d.ref
    n_sim, n_t = d.test.shape
    n_r = ref.shape[1]
    direction = str(spec.direction or "two-sided")
    m_r, s_r = d.m_r, d.s_r
    m_t, s_t = shift + ratio * d.m_t, ratio * d.s_t
    if method == "equivalence":
        res = equivalence_test_means(
            m_t,
            s_t,
            n_t,
            m_r,
            s_r,
            n_r,
            margin_multiplier=float(spec.margin_multiplier or 1.5),
            alpha=float(spec.alpha or 0.05),
            variance=str(spec.variance or "welch"),
            direction=direction,
        )
        passed = res.passed & np.isfinite(res.ci_lower)
    else:
        if method == "quality-range":
            lower, upper = ranges.quality_range_limits(m_r, s_r, float(spec.k or 3.0), direction)
        elif method == "tolerance-interval":
            lower, upper, _ = ranges.tolerance_interval_limits(
                m_r,
                s_r,
                n_r,
                coverage=float(spec.coverage or 0.99),
                confidence=float(spec.confidence or 0.95),
                method=str(spec.tolerance_method or "exact"),
                direction=direction,
            )
        elif method == "min-max":
            lower, upper = ranges.min_max_limits(ref.min(axis=1), ref.max(axis=1), direction)
        elif method == "nonparametric":
            rows = np.repeat(np.arange(n_sim), n_r)
            lower, upper, order = ranges.nonparametric_limits(
                ref.ravel(),
                rows,
                n_sim,
                coverage=float(spec.coverage or 0.9),
                confidence=float(spec.confidence or 0.9),
                direction=direction,
            )
            if not (order >= 1).all():
                return np.zeros(n_sim, dtype=bool)
        else:
            raise InputError(f"no operating characteristics for method {method!r}")
        test = shift + ratio * d.test
        n_inside, _ = ranges.count_inside(test.ravel(), np.repeat(np.arange(n_sim), n_t), lower, upper)
        required = float(spec.min_fraction if spec.min_fraction is not None else 0.9)
        passed = n_inside / n_t >= required - 1e-12
    if spread:
        passed = passed & (s_t / s_r <= float(spec.sd_ratio_margin or 1.5))
    return np.asarray(passed, dtype=bool)


def _require_resolved(spec: AttributeSpec, method: str) -> None:
    """Refuse a plan with unset constants: a silent fallback could differ from the plan's resolved
    value (min_fraction is 0.9 for the quality range but 1.0 for the other ranges, k depends on the tier)."""
    from bioparity.caa.methods import METHODS

    if method not in METHODS:
        raise InputError(f"no operating characteristics for method {method!r}")
    missing = [name for name in METHODS[method].defaults if getattr(spec, name) is None]
    if missing:
        raise InputError(
            f"attribute {spec.name!r}: the {method} plan is not resolved ({', '.join(missing)} not set); "
            "pass the settings or resolve the attribute with Catalogue.resolve(name) first"
        )


def operating_characteristics(
    spec: AttributeSpec,
    n_test: int,
    n_reference: int,
    *,
    n_sim: int = DEFAULT_SIMULATIONS,
    seed: int = DEFAULT_SEED,
    draws: _Draws | None = None,
) -> OperatingCharacteristics:
    """Probability that the plan ``spec`` (a resolved :class:`AttributeSpec`) passes, per scenario.

    The same seed gives the same draws for every plan with these lot numbers (common random numbers:
    differences between plans are not Monte Carlo noise); ``draws`` passes them in ready-made.

    Example: the quality range mean_R ± 3·s_R with >= 90% of 10 test lots inside, 10 reference lots,
    passes about half the time when the test SD is doubled (without a spread check).
    """
    method = str(spec.method)
    if method == "descriptive":
        raise InputError(
            "a descriptive (tier 3) plan has no pass/fail criterion and no operating characteristics"
        )
    _require_resolved(spec, method)
    if n_test < 2 or n_reference < 2:
        raise InputError(
            f"operating characteristics need >= 2 lots per source; got {n_test} test, {n_reference} reference"
        )
    if n_sim < 100:
        raise InputError(f"n_sim must be >= 100 for a usable Monte Carlo SE; got {n_sim}")
    d = draws if draws is not None else _draws(n_test, n_reference, n_sim, seed)
    sign = -1.0 if spec.direction == "lower-is-worse" else 1.0
    prob: dict[str, float] = {}
    se: dict[str, float] = {}
    for name, (shift, ratio) in SCENARIOS.items():
        passed = _passes(spec, method, d, sign * shift, ratio, spread=bool(spec.spread_check))
        p = float(passed.mean())
        prob[name], se[name] = p, float(np.sqrt(p * (1 - p) / n_sim))
    type1 = type1_se = limit = float("nan")
    if method == "equivalence" or spec.sensitivity == "equivalence":
        c = float(spec.margin_multiplier or 1.5)
        passed = _passes(spec, "equivalence", d, sign * c, 1.0, spread=False)
        type1 = float(passed.mean())
        type1_se = float(np.sqrt(type1 * (1 - type1) / n_sim))
        limit = equivalence_type1_limit(c, float(spec.alpha or 0.05), n_test, n_reference)
    spread = float("nan")
    if spec.spread_check:
        spread = float(spread_false_failure(float(spec.sd_ratio_margin or 1.5), n_test, n_reference))
    settings = plan_text(spec)
    return OperatingCharacteristics(
        method=method,
        n_test=int(n_test),
        n_reference=int(n_reference),
        probability=prob,
        mc_se=se,
        equivalence_type1=type1,
        equivalence_type1_se=type1_se,
        equivalence_type1_limit=limit,
        spread_false_failure=spread,
        n_sim=int(n_sim),
        seed=int(seed),
        settings=settings,
    )


# The parts of a plan's description (note templates: stored in English, printed in the reader's words).
PLAN_QUALITY_RANGE = note_template("quality range mean_R ± {k:g}·s_R, >= {fraction:.0%} of test lots inside")
PLAN_EQUIVALENCE = note_template(
    "equivalence test of means, {level:.0%} CI within ±{multiplier:g}·s_R ({variance})"
)
PLAN_TOLERANCE = note_template(
    "{coverage:.0%}/{confidence:.0%} tolerance interval ({method}), >= {fraction:.0%} of test lots inside"
)
PLAN_MIN_MAX = note_template("reference min-max range, >= {fraction:.0%} of test lots inside")
PLAN_NONPARAMETRIC = note_template(
    "{coverage:.0%}/{confidence:.0%} distribution-free range, >= {fraction:.0%} inside"
)
PLAN_DESCRIPTIVE = note_template("descriptive (tier 3): no formal criterion")
#: The one-sided directions of an attribute (:data:`bioparity.caa.equivalence.DIRECTIONS`) in words.
DIRECTION_WORDS = {
    "higher-is-worse": gettext_noop("higher is worse"),
    "lower-is-worse": gettext_noop("lower is worse"),
}


def direction_in_words(direction: str, language: str) -> str:
    """A one-sided direction's code (``lower-is-worse``) in the reader's words; any other text as stored.

    Parameters
    ----------
    direction : str
        The stored direction.
    language : str
        The reader's language.

    Returns
    -------
    str
        The direction in ``language``.

    Examples
    --------
    >>> direction_in_words("lower-is-worse", "en"), direction_in_words("lower-is-worse", "zh-CN")
    ('lower is worse', '数值越低越不利')
    """
    words = DIRECTION_WORDS.get(direction)
    return direction if words is None else translations(language).gettext(words)


PLAN_ONE_SIDED = note_template("one-sided ({direction})", shown={"direction": direction_in_words})
PLAN_SPREAD = note_template("spread s_T/s_R <= {margin:g}")
PLAN_SENSITIVITY = note_template("sensitivity: {method} test")
PLAN_SENSITIVITY_EQUIVALENCE = note_template("sensitivity: equivalence test")  # (the one method spelt out)
PLAN_LOTS = note_template(">= {reference} reference and {test} test lots")
PLAN_FEWER_LOTS = note_template("fewer lots justified: {justification}")


def plan_text(spec: AttributeSpec) -> str:
    """One line stating an attribute's plan: method, its constants, spread check, sensitivity."""
    method = str(spec.method)
    if method == "quality-range":
        core = PLAN_QUALITY_RANGE.format(k=spec.k, fraction=spec.min_fraction)
    elif method == "equivalence":
        level = 1 - 2 * float(spec.alpha or 0.05)
        core = PLAN_EQUIVALENCE.format(level=level, multiplier=spec.margin_multiplier, variance=spec.variance)
    elif method == "tolerance-interval":
        core = PLAN_TOLERANCE.format(
            coverage=spec.coverage,
            confidence=spec.confidence,
            method=spec.tolerance_method,
            fraction=spec.min_fraction,
        )
    elif method == "min-max":
        core = PLAN_MIN_MAX.format(fraction=spec.min_fraction)
    elif method == "nonparametric":
        core = PLAN_NONPARAMETRIC.format(
            coverage=spec.coverage, confidence=spec.confidence, fraction=spec.min_fraction
        )
    else:
        return PLAN_DESCRIPTIVE
    parts = [core]
    if spec.direction and spec.direction != "two-sided":
        parts.append(PLAN_ONE_SIDED.format(direction=spec.direction))
    if spec.spread_check:
        parts.append(PLAN_SPREAD.format(margin=spec.sd_ratio_margin))
    if spec.sensitivity and spec.sensitivity != "none":
        parts.append(PLAN_SENSITIVITY.format(method=spec.sensitivity))
    parts.append(PLAN_LOTS.format(reference=spec.min_reference_lots, test=spec.min_test_lots))
    if spec.lot_justification:
        parts.append(PLAN_FEWER_LOTS.format(justification=spec.lot_justification))
    return "; ".join(parts)


def oc_columns(
    specs: list[AttributeSpec],
    attr_idx: npt.NDArray[np.int64],
    n_test: npt.NDArray[np.int64],
    n_reference: npt.NDArray[np.int64],
    *,
    n_sim: int = DEFAULT_SIMULATIONS,
    seed: int = DEFAULT_SEED,
) -> dict[str, Any]:
    """OC columns for the result table: one simulation per distinct (plan, n_test, n_reference)."""
    size = attr_idx.size
    cols: dict[str, Any] = {f"oc_{s}": np.full(size, np.nan) for s in SCENARIOS}
    cols["oc_mc_se_max"] = np.full(size, np.nan)
    cols["oc_equivalence_type1"] = np.full(size, np.nan)
    cols["oc_equivalence_type1_limit"] = np.full(size, np.nan)
    cols["oc_spread_false_failure"] = np.full(size, np.nan)
    cache: dict[tuple[Any, ...], OperatingCharacteristics | None] = {}
    draws: dict[tuple[int, int], _Draws] = {}
    for row in range(size):
        spec = specs[int(attr_idx[row])]
        nt, nr = int(n_test[row]), int(n_reference[row])
        key = (tuple(getattr(spec, f) for f in _OC_FIELDS), nt, nr)
        if key not in cache:
            if (nt, nr) not in draws and spec.method != "descriptive" and nt >= 2 and nr >= 2:
                draws[(nt, nr)] = _draws(nt, nr, n_sim, seed)
            cache[key] = (
                None
                if spec.method == "descriptive" or nt < 2 or nr < 2
                else operating_characteristics(
                    spec,
                    nt,
                    nr,
                    n_sim=n_sim,
                    seed=seed,
                    draws=draws[(nt, nr)],
                )
            )
        oc = cache[key]
        if oc is None:
            continue
        for s in SCENARIOS:
            cols[f"oc_{s}"][row] = oc.probability[s]
        cols["oc_mc_se_max"][row] = max(oc.mc_se.values())
        cols["oc_equivalence_type1"][row] = oc.equivalence_type1
        cols["oc_equivalence_type1_limit"][row] = oc.equivalence_type1_limit
        cols["oc_spread_false_failure"][row] = oc.spread_false_failure
    return cols


_OC_FIELDS = (
    "method",
    "direction",
    "k",
    "margin_multiplier",
    "alpha",
    "variance",
    "min_fraction",
    "coverage",
    "confidence",
    "tolerance_method",
    "spread_check",
    "sd_ratio_margin",
    "sensitivity",
)


#: Columns of :func:`plan_summary` (the OC columns of the result table it summarises).
SUMMARY_COLUMNS = (
    "plan",
    "n_test",
    "n_reference",
    "comparisons",
    "oc_equal",
    "oc_shift_1sd",
    "oc_shift_2sd",
    "oc_sd_doubled",
    "oc_mc_se_max",
    "oc_equivalence_type1",
    "oc_equivalence_type1_limit",
    "oc_spread_false_failure",
)


def plan_summary(table: pd.DataFrame) -> pd.DataFrame:
    """One row per distinct plan and lot numbers of an assessment table, with its OCs.

    ``table`` is :attr:`bioparity.caa.CAAResult.table` (or its stored records); rows without
    operating characteristics (descriptive attributes, OCs not computed) are left out.
    """
    if "oc_equal" not in table.columns:
        return pd.DataFrame(columns=list(SUMMARY_COLUMNS))
    formal = table[pd.to_numeric(table["oc_equal"], errors="coerce").notna()]
    if formal.empty:
        return pd.DataFrame(columns=list(SUMMARY_COLUMNS))
    keys = ["plan", "n_test", "n_reference"]
    grouped = formal.groupby(keys, sort=False)
    # a result stored by an older version may lack a later column (filled with NaN below)
    out = grouped.first()[[c for c in SUMMARY_COLUMNS if c in formal.columns and c not in keys]]
    out.insert(0, "comparisons", grouped.size())
    return out.reset_index().reindex(columns=list(SUMMARY_COLUMNS))


#: Columns of :func:`spread_familywise`.
FAMILYWISE_COLUMNS = (
    "comparison",
    "spread_checks",
    "spread_expected_failures",
    "spread_familywise",
    "formal_attributes",
    "plan_familywise",
)


def spread_familywise(table: pd.DataFrame) -> pd.DataFrame:
    """Per comparison, how often a truly similar product fails at least one spread check (or criterion).

    ``spread_checks`` counts the attributes with a spread check and >= 2 lots per source,
    ``spread_expected_failures`` is the sum of their exact false-failure probabilities
    (``oc_spread_false_failure``, :func:`spread_false_failure`) and ``spread_familywise`` the
    probability that at least one fails at equal distributions (:func:`familywise_false_failure`,
    attributes independent). ``formal_attributes`` and ``plan_familywise`` do the same for the whole
    plan of each formal attribute (one minus the simulated ``oc_equal``: range or test and spread check).

    Parameters
    ----------
    table : pandas.DataFrame
        :attr:`bioparity.caa.CAAResult.table` (or its stored records) with the OC columns.

    Returns
    -------
    pandas.DataFrame
        One row per comparison with a spread check, columns :data:`FAMILYWISE_COLUMNS` (empty without
        OC columns or spread checks).

    References
    ----------
    Stangler & Schiestl 2019, AAPS Open 5:4, doi:10.1186/s41120-019-0033-9 (false rejection rates and
    multiplicity over the quality attributes compared in parallel).
    """
    if "oc_spread_false_failure" not in table.columns:
        return pd.DataFrame(columns=list(FAMILYWISE_COLUMNS))
    rows = []
    for comparison, g in table.groupby("comparison", sort=False):
        spread = pd.to_numeric(g["oc_spread_false_failure"], errors="coerce").dropna()
        if spread.empty:
            continue
        equal = pd.to_numeric(g["oc_equal"], errors="coerce").dropna()
        rows.append(
            {
                "comparison": str(comparison),
                "spread_checks": int(spread.size),
                "spread_expected_failures": float(spread.sum()),
                "spread_familywise": familywise_false_failure(spread),
                "formal_attributes": int(equal.size),
                "plan_familywise": familywise_false_failure(1 - equal),
            }
        )
    return pd.DataFrame(rows, columns=list(FAMILYWISE_COLUMNS))
