"""Stability regression per ICH Q1E: per-lot fits, ANCOVA poolability, shelf life, slope equivalence.

Everything here is closed-form least squares on per-lot sums (``numpy.bincount``), vectorised across
lots; there is no Python loop per lot.

**Models** (ICH Q1E *Evaluation for Stability Data*, CPMP/ICH/420/02, 2003, Appendix B.2 and B.3;
LeBlond, Griffith and Aubuchon, *Linear Regression 102: Stability Shelf Life Estimation Using Analysis
of Covariance*, J Valid Technol 17(3):47-68, 2011). With lots ``g = 1..k`` and ``n`` results:

* ``dids`` (different intercepts, different slopes): ``y = a_g + b_g t`` (the full ANCOVA model);
* ``dics`` (different intercepts, common slope): ``y = a_g + b t``;
* ``cics`` (common intercept, common slope, the lots pooled): ``y = a + b t``.

**Poolability** (ICH Q1E Appendix B.2.1, B.3): with ``MSE = RSS_dids / (n - 2k)`` the residual mean
square of the full model,

* equality of slopes: ``F_slope = ((RSS_dics - RSS_dids) / (k - 1)) / MSE`` on ``(k - 1, n - 2k)`` df;
* equality of intercepts: ``F_int = ((RSS_cics - RSS_dics) / (k - 1)) / MSE`` on ``(k - 1, n - 2k)`` df

(the sequential ANCOVA ``y ~ t + lot + t:lot``, R ``anova(dids, dics, cics)``). Decision flow at the
level ``alpha_pool = 0.25``: slopes differ (``p < 0.25``) -> ``dids``; else intercepts differ ->
``dics``; else ``cics``.

**Shelf life** (ICH Q1E Appendix B.1, B.2): the earliest time at which the ``confidence`` (95%)
confidence bound of the mean crosses the acceptance criterion (lower bound for a lower limit, upper bound
for an upper limit). With one criterion the bound is one-sided (an attribute known to decrease, or to
increase); with both a lower and an upper criterion the limits are two-sided (ICH Q1E Appendix B.1: "for
an attribute that can either increase or decrease, or whose direction of change is not known, two-sided
95 percent confidence limits should be calculated and compared to the upper and lower acceptance
criteria"), i.e. each side at ``1 - (1 - confidence) / 2`` (97.5%). Bound of lot ``g`` at time ``t``:
``m_g(t) -/+ t_{level, df} * s * sqrt(1/n_g + (t - tbar_g)^2 / Sxx)`` with, per model, ``s^2`` and ``df``
of that model (``cics``: ``1/n``, ``tbar``, ``Sxx`` over all results; ``dics``: per-lot ``n_g``,
``tbar_g`` and the pooled within-lot ``Sxx``; ``dids``: each lot's own regression (ICH Q1E B.2.2.1,
``dids_variance="separate"``, as JMP) or the full model's pooled MSE (``"pooled"``, LeBlond 2011
Table IX)). With several lots the shelf life is that of the worst lot (the minimum). The bound is
concave in ``t`` (linear minus the norm of an affine map), so the crossing in ``[0, max_time]`` is
unique and found by vectorised bisection.

**Extrapolation**: a shelf life beyond the last time point of the data it rests on (the study's for pooled
lots; for lots not pooled, that of the lot followed for the shortest time, whose own line is extrapolated)
is flagged, never capped (ICH Q1E sections 2.3-2.4 and Appendix A limit extrapolation); for a biological
product ICH Q5C (CPMP/ICH/138/95, 1995) bases the shelf life on real-time/real-temperature data, so the
result also gives ``supported_shelf_life = min(shelf_life, last_time_point)``, the claim the data support
without extrapolation (a bound within the criterion up to ``max_time`` included).

**Log model**: ``model="log"`` fits ``ln(value)`` on time (and compares ``ln`` of the limits): the
first-order degradation model (ICH Q1E Appendix B.1: the relationship may be linear on an arithmetic
or a logarithmic scale).

**Equivalence of degradation rates** (test vs reference product; the comparative stability of a
biosimilar, EMA *Guideline on similar biological medicinal products containing biotechnology-derived
proteins as active substance: quality issues (revision 1)*, EMA/CHMP/BWP/247713/2012): from the full
model (one slope per lot, pooled MSE), the difference of the products' mean lot slopes
``D = mean_T(b_g) - mean_R(b_g)`` with ``Var(D) = MSE * (sum_T 1/Sxx_g / k_T^2 + sum_R 1/Sxx_g / k_R^2)``
and the two-sided ``1 - 2 alpha`` (90%) t interval on ``n - 2k`` df; equivalent when the interval lies
within ``[-margin, margin]`` (two one-sided tests, Schuirmann 1987).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats

from bioparity._results import ResultMixin, number, software_version, verdict
from bioparity.arrays import FloatArray, IntArray, broadcast_named
from bioparity.errors import InputError
from bioparity.i18n import gettext_noop
from bioparity.i18n.notes import note_template
from bioparity.i18n.printing import time_unit_in

#: The worst lot of a shelf life whose lots are pooled (``cics``): stored in English, shown in the reader's
#: words (:mod:`bioparity.analyses.stability`).
POOLED_LOTS = gettext_noop("all lots (pooled)")

MODELS = ("linear", "log")
POOLED_MODELS = ("cics", "dics", "dids")
DIDS_VARIANCES = ("separate", "pooled")

# The review flags of a shelf life and of a slope comparison (templates: see bioparity.i18n.notes).
ONE_LOT = note_template("one lot: no poolability test, the lot's own regression is used")
NO_RESIDUAL_DF = note_template("no residual df in the full model: lots not pooled")
MODEL_IMPOSED = note_template("model {forced} imposed; the ICH Q1E decision flow selects {chosen}")
NO_CRITERION = note_template("no acceptance criterion given: no shelf life")
OUTSIDE_AT_ZERO = note_template("the confidence bound is outside the acceptance criterion at time 0")
WITHIN_UP_TO = note_template(
    "the confidence bound stays within the acceptance criterion up to max_time {horizon:g}"
)
EXTRAPOLATES = note_template(
    "shelf life {shelf:.4g} extrapolates beyond the last time point {last:g} "
    "(ICH Q1E sections 2.3-2.4 and Appendix A limit extrapolation; justify it)"
)
#: :data:`EXTRAPOLATES` with the unit of time (the study's ``time_unit``): the note made when the unit is
#: known (:func:`bioparity.stability.stability_table` always knows it); the template without the unit stays
#: for a fit without one and so that stored notes made from it keep translating.
EXTRAPOLATES_IN_UNIT = note_template(
    "shelf life {shelf:.4g} {unit} extrapolates beyond the last time point {last:g} {unit} "
    "(ICH Q1E sections 2.3-2.4 and Appendix A limit extrapolation; justify it)",
    shown={"unit": time_unit_in},
)
#: :data:`EXTRAPOLATES_IN_UNIT` when the lots are not pooled (``dids``) and the shelf life (the worst lot's
#: crossing, a claim on every lot) lies beyond the last time point of a lot followed for less time than the
#: study (the worst lot's own, or another lot's): that lot's line, fitted to its results alone, is
#: extrapolated; ICH Q1E section 2.4 limits extrapolation beyond the observed range of the data the line
#: rests on.
LOT_EXTRAPOLATES = note_template(
    "shelf life {shelf:.4g} {unit} extrapolates lot {lot}'s own regression line beyond its last time "
    "point {last:g} {unit} (lots not pooled; ICH Q1E sections 2.3-2.4 and Appendix A limit "
    "extrapolation; justify it)",
    shown={"unit": time_unit_in},
)
#: Beside :data:`EXTRAPOLATES` (a separate note, so that stored notes of that template keep translating): a
#: biotechnological/biological product (a biosimilar) has its shelf life from real-time/real-temperature
#: data (ICH Q5C, CPMP/ICH/138/95, 1995; the exact wording and its section were not verified here): the Q1E
#: extrapolation is generally not accepted for it. Also beside :data:`WITHIN_UP_TO` (no crossing within
#: ``max_time``: any claim beyond the last time point extrapolates); the number the data support is
#: :attr:`StabilityResult.supported_shelf_life`.
REAL_TIME_FOR_BIOLOGICS = note_template(
    "ICH Q5C (biological products): shelf life from real-time data; extrapolation generally not accepted"
)
#: Results that repeat another of the same lot and time with the same value: true replicates, or a row
#: entered twice that weighs its time point double in the regression (a data-integrity question a reviewer
#: asks); stated, not refused, as equal rounded replicates are possible.
REPEATED_RESULTS = note_template(
    "results repeated exactly (same lot, time and value): {places}; check that no row was entered twice"
)
OTHER_PRODUCTS = note_template("lots of other products ignored in the means (kept in the pooled MSE): {lots}")
FEW_LOTS = note_template("fewer than 3 lots of a product: the mean slope rests on few lots")

# Data that cannot give a shelf life or a slope comparison (an InputError, shown in the reader's language).
NOT_FINITE_RESULTS = note_template(
    "time and value must be finite numbers (remove or fix missing results first)"
)
NEGATIVE_TIME = note_template("time must be >= 0 (time since the start of the study)")
LOG_NEEDS_POSITIVE = note_template("model 'log' needs every value > 0 (ln(value) is fitted)")
TOO_FEW_RESULTS = note_template(
    "{attribute}: lot(s) {lots} need at least 3 results at 2 or more time points for a regression with a "
    "residual variance"
)
TOO_FEW_RESULTS_SLOPES = note_template(
    "{attribute}: lot(s) {lots} need at least 3 results at 2 or more time points"
)
NO_LOT_OF_PRODUCT = note_template("{attribute}: no lot of product {product} (products present: {present})")


@dataclass(frozen=True)
class _Lots:
    """Per-lot sums of one data set (lots in order of first appearance)."""

    names: tuple[str, ...]
    index: npt.NDArray[np.intp]
    n: FloatArray
    tbar: FloatArray
    ybar: FloatArray
    sxx: FloatArray
    sxy: FloatArray
    syy: FloatArray


def _lot_sums(time: FloatArray, y: FloatArray, lot: npt.ArrayLike) -> _Lots:
    labels = np.asarray(lot, dtype=object).astype(str)
    uniq, first, inverse = np.unique(labels, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")  # lots in order of first appearance
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    idx = np.asarray(rank[inverse.ravel()], dtype=np.intp)
    names = uniq[order]
    k = len(names)
    n = np.bincount(idx, minlength=k).astype(float)
    tbar = np.bincount(idx, weights=time, minlength=k) / n
    ybar = np.bincount(idx, weights=y, minlength=k) / n
    dt = time - tbar[idx]
    dy = y - ybar[idx]
    sxx = np.bincount(idx, weights=dt * dt, minlength=k).astype(float)
    sxy = np.bincount(idx, weights=dt * dy, minlength=k).astype(float)
    syy = np.bincount(idx, weights=dy * dy, minlength=k).astype(float)
    return _Lots(tuple(str(x) for x in names), idx, n, tbar, ybar, sxx, sxy, syy)


def _last_time_of_line(time: FloatArray, lots: _Lots, pooling: str, worst: int) -> tuple[float, int | None]:
    """The last time point of the data the shelf life rests on, and the lot it belongs to (None: the study's).

    Pooled lots (``cics``, ``dics``): the study's last time point. Lots not pooled (``dids``): each lot's line
    is fitted to its own results, and the shelf life (the earliest crossing) is a claim on every lot, so it
    extrapolates the line of any lot followed for a shorter time than the shelf life: the shortest lot's last
    time point (the worst lot's on a tie). ICH Q1E (CPMP/ICH/420/02, 2003) section 2.4: extrapolation is
    beyond the observed range of the data."""
    if pooling != "dids":
        return float(time.max()), None
    last = np.zeros(len(lots.names))
    np.maximum.at(last, lots.index, time)
    shortest = worst if last[worst] == last.min() else int(np.argmin(last))
    return float(last[shortest]), shortest


def _check_inputs(time: Any, value: Any, lot: Any, model: str) -> tuple[FloatArray, FloatArray, FloatArray]:
    t = np.asarray(time, dtype=float)
    v = np.asarray(value, dtype=float)
    lots = np.asarray(lot, dtype=object)
    if not (t.ndim == v.ndim == lots.ndim == 1 and t.size == v.size == lots.size):
        raise InputError("time, value and lot must be 1-D arrays of the same length")
    if not (np.all(np.isfinite(t)) and np.all(np.isfinite(v))):
        raise InputError(NOT_FINITE_RESULTS)
    if np.any(t < 0):
        raise InputError(NEGATIVE_TIME)
    if model not in MODELS:
        raise InputError(f"model {model!r} unknown; expected one of {', '.join(MODELS)}")
    if model == "log":
        if np.any(v <= 0):
            raise InputError(LOG_NEEDS_POSITIVE)
        y = np.log(v)
    else:
        y = v
    return t, v, y


def _first_crossing(bound_minus_limit: Any, max_time: float, size: int, iterations: int = 200) -> FloatArray:
    """First ``t`` in ``[0, max_time]`` with ``f(t) < 0`` for a concave ``f`` (vectorised over ``size``).

    ``f(0) < 0`` gives 0; ``f(max_time) >= 0`` gives inf (no crossing in the search range).
    """
    lo = np.zeros(size)
    hi = np.full(size, float(max_time))
    f0 = bound_minus_limit(lo)
    f1 = bound_minus_limit(hi)
    for _ in range(iterations):
        mid = 0.5 * (lo + hi)
        ok = bound_minus_limit(mid) >= 0
        lo = np.where(ok, mid, lo)
        hi = np.where(ok, hi, mid)
        if np.all(hi - lo <= 1e-13 * np.maximum(1.0, hi)):
            break
    out = 0.5 * (lo + hi)
    out = np.where(f0 < 0, 0.0, out)
    return np.where(f1 >= 0, np.inf, out)


#: What the one-sided bound of a lot's mean needs besides its line (columns ``bound_<name>`` of
#: :meth:`StabilityResult.to_frame`): the residual variance and its df, n, mean time and Sxx.
BOUND_PARAMETERS = ("s2", "df", "n", "tbar", "sxx")


def bound_level(confidence: float, two_sided: bool) -> float:
    """One-sided level of each confidence bound: ``confidence`` for a one-sided bound, ``1 - (1 -
    confidence) / 2`` for each side of two-sided ``confidence`` limits (ICH Q1E, CPMP/ICH/420/02, 2003,
    Appendix B.1).

    Parameters
    ----------
    confidence : float
        Confidence level of the bound or of the two-sided limits, e.g. 0.95.
    two_sided : bool
        Two-sided limits (an attribute with both a lower and an upper criterion).

    Returns
    -------
    float
        The level of each one-sided bound (0.975 for two-sided 95% limits).

    Examples
    --------
    >>> bound_level(0.95, False), bound_level(0.95, True)
    (0.95, 0.975)
    """
    return 1.0 - (1.0 - confidence) / 2.0 if two_sided else confidence


def confidence_bound(
    time: Any,
    intercept: Any,
    slope: Any,
    s2: Any,
    df: Any,
    n: Any,
    tbar: Any,
    sxx: Any,
    confidence: Any,
    side: str = "lower",
) -> FloatArray:
    """One-sided confidence bound of the mean of each line at ``time`` (lines x times), model scale.

    ``a + b t -/+ t_{confidence, df} * sqrt(s2 * (1/n + (t - tbar)^2 / Sxx))``: the bound that decides the
    shelf life (ICH Q1E, CPMP/ICH/420/02, 2003, Appendix B.1; R ``predict(lm, interval = "confidence",
    level = 2 * confidence - 1)``), with the variance terms of the chosen model (module docstring).

    The line arguments (and ``confidence``) broadcast together: one line per element of their broadcast
    shape, e.g. ``(lots,)`` for the lots of one fit, or ``(scenarios, lots)``; the times are a last axis.

    Parameters
    ----------
    time : array_like, shape (times,) or scalar
        Times at which to evaluate the bound.
    intercept, slope : array_like
        The lines (one per lot, or scalars for one line).
    s2, df : array_like
        Residual variance of the model and its degrees of freedom.
    n, tbar, sxx : array_like
        Number of results, mean time and sum of squares of time about ``tbar`` of the line's data.
    confidence : float or array_like
        One-sided confidence level, e.g. 0.95 (or one per line).
    side : str, default "lower"
        ``lower`` (for a lower acceptance criterion) or ``upper``.

    Returns
    -------
    numpy.ndarray, shape ``(*lines, times)``
        The bounds: the lines' broadcast shape (``(1,)`` for scalars: one row for one line) and one
        column per time.

    Raises
    ------
    InputError
        When ``side`` is neither ``lower`` nor ``upper``, ``time`` has more than one axis, or the line
        arguments do not broadcast together (naming each with its shape).

    References
    ----------
    ICH Q1E *Evaluation for Stability Data* (CPMP/ICH/420/02, 2003), Appendix B.1.

    Examples
    --------
    >>> b = confidence_bound([0.0, 12.0], 100.0, -0.2, 0.25, 10, 12, 6.0, 360.0, 0.95)
    >>> [round(float(v), 6) for v in b[0]]
    [99.611975, 97.211975]
    """
    if side not in ("lower", "upper"):
        raise InputError(f"side {side!r} unknown; expected lower or upper")
    times = np.asarray(time, dtype=float)
    if times.ndim > 1:
        raise InputError(f"time must be one time or a 1-D array of times: got shape {times.shape}")
    tt = np.atleast_1d(times)
    lines = {"intercept": intercept, "slope": slope, "s2": s2, "df": df, "n": n, "tbar": tbar, "sxx": sxx}
    a, b, var, dof, count, mean_t, ss_t, level = (  # the times on a last axis of every line
        np.atleast_1d(v)[..., None]
        for v in broadcast_named(
            **{name: np.asarray(values, dtype=float) for name, values in lines.items()},
            confidence=np.asarray(confidence, dtype=float),
        )
    )
    mean = a + b * tt
    half = stats.t.ppf(level, dof) * np.sqrt(var * (1.0 / count + (tt - mean_t) ** 2 / ss_t))
    return np.asarray(mean - half if side == "lower" else mean + half, dtype=float)


@dataclass(frozen=True, repr=False)
class StabilityResult(ResultMixin):
    """One attribute (and condition): per-lot regressions, poolability, the chosen model, shelf life.

    Arrays (one entry per lot, in order of first appearance): ``lots``, ``n``, ``intercept`` and
    ``slope`` of each lot's own regression, ``fitted_intercept``/``fitted_slope`` and
    ``lot_shelf_life`` under the chosen model (in the model's scale: ln for ``log``). Scalars: the
    ANCOVA F tests and p values, ``pooling`` (cics/dics/dids), ``shelf_life`` (the worst lot's, inf
    if the bound stays within the limits up to ``max_time``), ``worst_lot`` and the settings.

    Times are in the unit of the input (usually months); values in the unit of the attribute, or
    its natural log for the ``log`` model.

    Attributes
    ----------
    attribute : str
        Quality attribute analysed (e.g. ``"purity"``).
    condition : str
        Storage condition (e.g. ``"5C"``, ``"25C/60RH"``); empty when not given.
    model : str
        ``linear`` (value on time) or ``log`` (ln value on time).
    lots : tuple of str
        Lot names, in order of first appearance; the arrays below follow this order.
    n : numpy.ndarray of int
        Results per lot (whole numbers: ``6`` in the JSON, not ``6.0``).
    intercept, slope : numpy.ndarray
        Each lot's own least-squares line (value at time 0; change per time unit).
    slope_se : numpy.ndarray
        Standard error of each lot's own slope.
    fitted_intercept, fitted_slope : numpy.ndarray
        Each lot's line under the chosen pooling (equal across lots for ``cics``; equal slopes for
        ``dics``).
    lot_shelf_life : numpy.ndarray
        Time at which each lot's confidence bound crosses the acceptance criterion (inf when it
        does not within ``max_time``; NaN without a criterion).
    bound_s2, bound_df, bound_n, bound_tbar, bound_sxx : numpy.ndarray
        Per lot, the residual variance s^2 and its df, n, mean time and Sxx of the bound
        ``m(t) -/+ t_{conf, df} s sqrt(1/n + (t - tbar)^2 / Sxx)`` under the chosen model.
    n_results : int
        Total number of results.
    rss : dict of str to float
        Residual sum of squares of ``dids``, ``dics`` and ``cics``.
    df : dict of str to int
        Their residual degrees of freedom (n - 2k, n - k - 1, n - 2).
    f_slope, p_slope : float
        F statistic and p value of equality of slopes (NaN with one lot).
    df_slope : tuple of (int, int)
        Its degrees of freedom ``(k - 1, n - 2k)``.
    f_intercept, p_intercept : float
        F statistic and p value of equality of intercepts given common slopes.
    df_intercept : tuple of (int, int)
        Its degrees of freedom ``(k - 1, n - 2k)``.
    pooling : str
        Model used for the shelf life: ``cics``, ``dics`` or ``dids``.
    shelf_life : float
        Shelf life in time units: the earliest crossing over the lots (inf when no bound crosses
        within ``max_time``, NaN without an acceptance criterion, 0 when outside at time 0).
    worst_lot : str
        Lot that sets the shelf life (``"all lots (pooled)"`` for ``cics``; empty without a criterion).
    lower_limit, upper_limit : float or None
        Acceptance criteria on the original scale.
    confidence : float
        Confidence level of the bound (0.95): one-sided, or of two-sided limits (``two_sided``).
    alpha_pool : float
        Level of the poolability tests (0.25).
    dids_variance : str
        ``separate`` or ``pooled``: variance of the bound when the lots are not pooled.
    max_time : float
        End of the search for the crossing (time units).
    max_observed_time : float
        Last time point of the data; a longer shelf life is an extrapolation (flagged).
    last_time_point : float
        Last time point of the data the shelf life rests on: ``max_observed_time`` for pooled lots, the
        last time point of the lot followed for the shortest time when lots are not pooled (``dids``:
        each lot's own line); a longer shelf life extrapolates (flagged).
    supported_shelf_life : float
        ``min(shelf_life, last_time_point)``: the shelf life the data support without extrapolation (NaN
        without a criterion). The shelf life is not capped (a flag says it extrapolates); for a
        biotechnological/biological product ICH Q5C (CPMP/ICH/138/95, 1995) bases the shelf life on
        real-time/real-temperature data (section not verified here), so this is the claim the real-time
        data of the condition support.
    flags : tuple of str
        Review flags (extrapolation, imposed pooling, bound outside at time 0, ...).
    two_sided : bool, default False
        Two-sided ``confidence`` limits (each side at :attr:`bound_level`, ICH Q1E Appendix B.1: both a
        lower and an upper criterion) instead of a one-sided bound.
    software_version : str
        bioparity version that produced the result.
    """

    SETTINGS = (
        "model",
        "lower_limit",
        "upper_limit",
        "confidence",
        "two_sided",
        "alpha_pool",
        "dids_variance",
        "max_time",
    )
    REPR_FIELDS = ("attribute", "condition", "model", "lots", "pooling", "shelf_life", "worst_lot")

    attribute: str
    condition: str
    model: str
    lots: tuple[str, ...]
    n: IntArray
    intercept: FloatArray
    slope: FloatArray
    slope_se: FloatArray
    fitted_intercept: FloatArray
    fitted_slope: FloatArray
    lot_shelf_life: FloatArray
    bound_s2: FloatArray
    bound_df: FloatArray
    bound_n: FloatArray
    bound_tbar: FloatArray
    bound_sxx: FloatArray
    n_results: int
    rss: dict[str, float]
    df: dict[str, int]
    f_slope: float
    df_slope: tuple[int, int]
    p_slope: float
    f_intercept: float
    df_intercept: tuple[int, int]
    p_intercept: float
    pooling: str
    shelf_life: float
    worst_lot: str
    lower_limit: float | None
    upper_limit: float | None
    confidence: float
    alpha_pool: float
    dids_variance: str
    max_time: float
    max_observed_time: float
    last_time_point: float
    supported_shelf_life: float
    flags: tuple[str, ...]
    two_sided: bool = False
    software_version: str = field(default_factory=software_version)

    @property
    def bound_level(self) -> float:
        """One-sided level of each bound: ``confidence``, or ``1 - (1 - confidence) / 2`` for two-sided
        limits (ICH Q1E Appendix B.1; 0.975 for two-sided 95%)."""
        return bound_level(self.confidence, self.two_sided)

    def bound(self, time: Any, side: str = "lower") -> FloatArray:
        """The ``side`` confidence bound of each lot's mean at ``time`` (lots x times), model scale.

        ``m_g(t) -/+ t_{level, df} * s * sqrt(1/n_g + (t - tbar_g)^2 / Sxx)`` under the chosen model
        (module docstring), at :attr:`bound_level`; ``side`` is "lower" or "upper".
        """
        return confidence_bound(
            time, self.fitted_intercept, self.fitted_slope, self.bound_s2, self.bound_df, self.bound_n,
            self.bound_tbar, self.bound_sxx, self.bound_level, side,
        )  # fmt: skip

    def to_frame(self) -> pd.DataFrame:
        """One row per lot with the regression, the chosen model's line and the lot's shelf life."""
        k = len(self.lots)
        return pd.DataFrame(
            {
                "attribute": [self.attribute] * k,
                "condition": [self.condition] * k,
                "lot": list(self.lots),
                "n": self.n.astype(int),
                "intercept": self.intercept,
                "slope": self.slope,
                "slope_se": self.slope_se,
                "pooling": [self.pooling] * k,
                "fitted_intercept": self.fitted_intercept,
                "fitted_slope": self.fitted_slope,
                "lot_shelf_life": self.lot_shelf_life,
                **{f"bound_{name}": getattr(self, f"bound_{name}") for name in BOUND_PARAMETERS},
            }
        )

    def summary_row(self) -> dict[str, Any]:
        """One row for the results table: the decision flow and the shelf life with the settings."""
        return {
            "attribute": self.attribute,
            "condition": self.condition,
            "model": self.model,
            "n_lots": len(self.lots),
            "n_results": self.n_results,
            "f_slope": self.f_slope,
            "df_slope": f"{self.df_slope[0]},{self.df_slope[1]}",
            "p_slope": self.p_slope,
            "f_intercept": self.f_intercept,
            "df_intercept": f"{self.df_intercept[0]},{self.df_intercept[1]}",
            "p_intercept": self.p_intercept,
            "alpha_pool": self.alpha_pool,
            "pooling": self.pooling,
            "common_slope": float(self.fitted_slope[0]) if self.pooling != "dids" else float("nan"),
            "lower": self.lower_limit,
            "upper": self.upper_limit,
            "confidence": self.confidence,
            "two_sided": self.two_sided,
            "bound_level": self.bound_level,
            "dids_variance": self.dids_variance,
            "shelf_life": self.shelf_life,
            "supported_shelf_life": self.supported_shelf_life,
            "worst_lot": self.worst_lot,
            "max_observed_time": self.max_observed_time,
            "last_time_point": self.last_time_point,
            "max_time": self.max_time,
            "flags": "; ".join(self.flags),
            "software_version": self.software_version,
        }

    def summary(self) -> str:
        sides = (("lower", self.lower_limit), ("upper", self.upper_limit))
        limits = " and ".join(f"{side} limit {v:g}" for side, v in sides if v is not None)
        where = f" ({self.condition})" if self.condition else ""
        sided = "two-sided" if self.two_sided else "one-sided"
        return (
            f"Stability of {self.attribute}{where}, {self.model} model, {len(self.lots)} lots: pooling "
            f"{self.pooling}, shelf life {self.shelf_life:.3g} (worst lot {self.worst_lot})\n"
            f"poolability: slopes p {number(self.p_slope, 3)}, intercepts p {number(self.p_intercept, 3)} "
            f"(alpha {self.alpha_pool:g}); {100 * self.confidence:g}% {sided} bound against the {limits}"
        )


def fit_stability(
    time: Any,
    value: Any,
    lot: Any,
    *,
    lower: float | None = None,
    upper: float | None = None,
    model: str = "linear",
    confidence: float = 0.95,
    alpha_pool: float = 0.25,
    dids_variance: str = "separate",
    max_time: float | None = None,
    pooling: str | None = None,
    attribute: str = "attribute",
    condition: str = "",
    two_sided: bool | None = None,
    time_unit: str = "",
) -> StabilityResult:
    """Per-lot regressions, ICH Q1E poolability and shelf life of one attribute (see module docstring).

    ``lower``/``upper`` are the acceptance criteria on the original scale (at least one, unless only the
    regression is wanted: then ``shelf_life`` is NaN). ``max_time`` bounds the search for the crossing
    (default five times the last time point). ``pooling`` ("cics", "dics" or "dids") overrides the
    decision flow (the tests are still reported and a flag says the model was imposed).

    Parameters
    ----------
    time : array_like of float, shape (n,)
        Time of each result since the start of the study (>= 0; e.g. months).
    value : array_like of float, shape (n,)
        Result of the attribute (finite; > 0 for the ``log`` model).
    lot : array_like, shape (n,)
        Lot of each result; every lot needs at least 3 results at 2 or more time points.
    lower, upper : float or None, default None
        Lower and upper acceptance criteria, original scale (``lower < upper``; > 0 for ``log``).
    model : str, default "linear"
        ``linear`` or ``log`` (first-order degradation: ln value linear in time).
    confidence : float, default 0.95
        Confidence level of the bound of the mean, in (0.5, 1): one-sided with one criterion,
        two-sided with both (see ``two_sided``).
    alpha_pool : float, default 0.25
        Level of the poolability tests, in (0, 1) (ICH Q1E: 0.25).
    dids_variance : str, default "separate"
        Variance of the bound when lots are not pooled: ``separate`` (each lot's own regression) or
        ``pooled`` (the full model's MSE).
    max_time : float or None, default None
        End of the search for the crossing (> 0); default five times the last time point.
    pooling : str or None, default None
        Impose ``cics``, ``dics`` or ``dids`` instead of the decision flow.
    attribute : str, default "attribute"
        Attribute name, carried into the result and messages.
    condition : str, default ""
        Storage condition, carried into the result.
    two_sided : bool or None, default None
        Two-sided ``confidence`` limits (each side at ``1 - (1 - confidence) / 2``) instead of a
        one-sided bound; ``None``: two-sided exactly when both ``lower`` and ``upper`` are given (ICH
        Q1E Appendix B.1: an attribute that can increase or decrease). For an attribute known to
        decrease (increase), give only the lower (upper) criterion, or pass ``False``.
    time_unit : str, default ""
        Unit of ``time`` (``months``...; :func:`bioparity.stability.stability_time_unit`), written in the
        extrapolation flag beside the shelf life and the last time point; no number depends on it. Empty:
        the flag names no unit.

    Returns
    -------
    StabilityResult
        Per-lot regressions, the poolability tests, the chosen model and the shelf life.

    Raises
    ------
    InputError
        When the arrays differ in length or hold non-finite or negative times, a setting is out of
        range, ``lower >= upper``, a lot has too few results or time points, the ``log`` model meets
        a value or limit <= 0, or ``pooling`` is unknown.

    References
    ----------
    ICH Q1E, Evaluation for stability data (CPMP/ICH/420/02, 2003), Appendix B.1-B.3; LeBlond D.,
    Griffith T., Aubuchon K. (2011), Linear regression 102: stability shelf life estimation using
    analysis of covariance, J Valid Technol 17(3):47-68.

    Examples
    --------
    Three lots losing 0.5 % per month; the intercepts differ, the slopes do not (dics):

    >>> import numpy as np
    >>> t = np.tile([0, 3, 6, 9, 12.0], 3)
    >>> lot = np.repeat(["A", "B", "C"], 5)
    >>> noise = np.array([0.3, -0.2, 0.1, -0.3, 0.1, -0.1, 0.2, -0.2, 0.1, 0.0, 0.2, 0.0, -0.1, 0.2, -0.3])
    >>> value = 100 - 0.5 * t + np.repeat([0.0, 0.4, -0.3], 5) + noise
    >>> r = fit_stability(t, value, lot, lower=90)
    >>> r.pooling, round(r.shelf_life, 2), r.worst_lot
    ('dics', 18.42, 'C')
    """
    t, _v, y = _check_inputs(time, value, lot, model)
    if not 0.5 < confidence < 1:
        raise InputError(f"confidence {confidence} must be in (0.5, 1), e.g. 0.95")
    if not 0 < alpha_pool < 1:
        raise InputError(f"alpha_pool {alpha_pool} must be in (0, 1); ICH Q1E uses 0.25")
    if dids_variance not in DIDS_VARIANCES:
        raise InputError(
            f"dids_variance {dids_variance!r} unknown; expected one of {', '.join(DIDS_VARIANCES)}"
        )
    if lower is not None and upper is not None and lower >= upper:
        raise InputError(f"lower limit {lower} must be below the upper limit {upper}")
    lots = _lot_sums(t, y, lot)
    k = len(lots.names)
    n_all = int(t.size)
    flags: list[str] = []
    if np.any(lots.n < 3) or np.any(lots.sxx <= 0):
        bad = [lots.names[i] for i in np.flatnonzero((lots.n < 3) | (lots.sxx <= 0))]
        raise InputError(TOO_FEW_RESULTS.format(attribute=attribute, lots=", ".join(bad)))
    # per-lot regressions (= the dids fit)
    slope = lots.sxy / lots.sxx
    intercept = lots.ybar - slope * lots.tbar
    rss_lot = np.maximum(lots.syy - slope * lots.sxy, 0.0)
    rss_dids = float(rss_lot.sum())
    df_dids = n_all - 2 * k
    # dics
    sxx_w = float(lots.sxx.sum())
    b_common = float(lots.sxy.sum()) / sxx_w
    rss_dics = float(max(lots.syy.sum() - b_common * lots.sxy.sum(), 0.0))
    df_dics = n_all - k - 1
    # cics
    tbar = float(t.mean())
    ybar = float(y.mean())
    sxx = float(((t - tbar) ** 2).sum())
    b_cics = float(((t - tbar) * (y - ybar)).sum()) / sxx
    a_cics = ybar - b_cics * tbar
    rss_cics = float(max(((y - ybar) ** 2).sum() - b_cics * ((t - tbar) * (y - ybar)).sum(), 0.0))
    df_cics = n_all - 2

    nan = float("nan")
    if k >= 2 and df_dids > 0:
        mse = rss_dids / df_dids
        f_slope = ((rss_dics - rss_dids) / (k - 1)) / mse if mse > 0 else nan
        f_int = ((rss_cics - rss_dics) / (k - 1)) / mse if mse > 0 else nan
        p_slope = float(stats.f.sf(f_slope, k - 1, df_dids))
        p_int = float(stats.f.sf(f_int, k - 1, df_dids))
        if p_slope < alpha_pool:
            chosen = "dids"
        elif p_int < alpha_pool:
            chosen = "dics"
        else:
            chosen = "cics"
    else:
        f_slope = f_int = p_slope = p_int = nan
        chosen = "dids"
        if k < 2:
            flags.append(ONE_LOT)
        else:
            flags.append(NO_RESIDUAL_DF)

    if pooling is not None:
        forced = str(pooling).strip().lower()
        if forced not in POOLED_MODELS:
            raise InputError(f"pooling {pooling!r} unknown; expected one of {', '.join(POOLED_MODELS)}")
        if forced != chosen:
            flags.append(MODEL_IMPOSED.format(forced=forced, chosen=chosen))
        chosen = forced
    pooling = chosen

    with np.errstate(divide="ignore", invalid="ignore"):
        slope_se = np.sqrt(np.where(lots.n > 2, rss_lot / (lots.n - 2), nan) / lots.sxx)

    # the chosen model's lines and bound ingredients (per lot)
    if pooling == "cics":
        fit_a = np.full(k, a_cics)
        fit_b = np.full(k, b_cics)
        n_eff = np.full(k, float(n_all))
        t_c = np.full(k, tbar)
        s_xx = np.full(k, sxx)
        s2 = np.full(k, rss_cics / df_cics)
        dfs = np.full(k, float(df_cics))
    elif pooling == "dics":
        fit_a = lots.ybar - b_common * lots.tbar
        fit_b = np.full(k, b_common)
        n_eff, t_c = lots.n, lots.tbar
        s_xx = np.full(k, sxx_w)
        s2 = np.full(k, rss_dics / df_dics)
        dfs = np.full(k, float(df_dics))
    else:
        fit_a, fit_b = intercept, slope
        n_eff, t_c, s_xx = lots.n, lots.tbar, lots.sxx
        if dids_variance == "pooled" and df_dids > 0:
            s2 = np.full(k, rss_dids / df_dids)
            dfs = np.full(k, float(df_dids))
        else:
            s2 = rss_lot / (lots.n - 2)
            dfs = lots.n - 2
    two = (lower is not None and upper is not None) if two_sided is None else bool(two_sided)
    tq = stats.t.ppf(bound_level(confidence, two), dfs)
    max_obs = float(t.max())
    horizon = float(max_time) if max_time is not None else 5.0 * max_obs
    if not horizon > 0:
        raise InputError(f"max_time {max_time} must be > 0")

    def half_width(tt: FloatArray) -> FloatArray:
        return np.asarray(tq * np.sqrt(s2 * (1.0 / n_eff + (tt - t_c) ** 2 / s_xx)), dtype=float)

    crossing = np.full(k, np.inf)

    def tf(x: float) -> float:
        return math.log(x) if model == "log" else float(x)

    if lower is not None:
        if model == "log" and lower <= 0:
            raise InputError(f"{attribute}: model 'log' needs a lower limit > 0 (got {lower})")
        lo_lim = tf(lower)
        crossing = np.minimum(
            crossing, _first_crossing(lambda tt: fit_a + fit_b * tt - half_width(tt) - lo_lim, horizon, k)
        )
    if upper is not None:
        if model == "log" and upper <= 0:
            raise InputError(f"{attribute}: model 'log' needs an upper limit > 0 (got {upper})")
        up_lim = tf(upper)
        crossing = np.minimum(
            crossing, _first_crossing(lambda tt: up_lim - (fit_a + fit_b * tt + half_width(tt)), horizon, k)
        )
    worst_i = int(np.argmin(crossing))
    last, short = _last_time_of_line(t, lots, pooling, worst_i)
    if lower is None and upper is None:
        shelf = nan
        worst = ""
        crossing = np.full(k, nan)
        flags.append(NO_CRITERION)
    else:
        shelf = float(crossing[worst_i])
        worst = POOLED_LOTS if pooling == "cics" else lots.names[worst_i]
        if shelf == 0.0:
            flags.append(OUTSIDE_AT_ZERO)
        elif math.isinf(shelf):  # no crossing within max_time: any claim beyond `last` extrapolates
            flags += [WITHIN_UP_TO.format(horizon=horizon), REAL_TIME_FOR_BIOLOGICS]
        elif shelf > last:
            if short is not None and last < max_obs and time_unit:
                lot_name = lots.names[short]
                extrapolates = LOT_EXTRAPOLATES.format(shelf=shelf, unit=time_unit, lot=lot_name, last=last)
            elif time_unit:
                extrapolates = EXTRAPOLATES_IN_UNIT.format(shelf=shelf, last=last, unit=time_unit)
            else:
                extrapolates = EXTRAPOLATES.format(shelf=shelf, last=last)
            flags += [extrapolates, REAL_TIME_FOR_BIOLOGICS]
    return StabilityResult(
        attribute=attribute,
        condition=condition,
        model=model,
        lots=lots.names,
        n=lots.n.astype(np.int64),
        intercept=intercept,
        slope=slope,
        slope_se=slope_se,
        fitted_intercept=np.asarray(fit_a, dtype=float),
        fitted_slope=np.asarray(fit_b, dtype=float),
        lot_shelf_life=crossing,
        bound_s2=np.asarray(s2, dtype=float),
        bound_df=np.asarray(dfs, dtype=float),
        bound_n=np.asarray(n_eff, dtype=float),
        bound_tbar=np.asarray(t_c, dtype=float),
        bound_sxx=np.asarray(s_xx, dtype=float),
        n_results=n_all,
        rss={"dids": rss_dids, "dics": rss_dics, "cics": rss_cics},
        df={"dids": df_dids, "dics": df_dics, "cics": df_cics},
        f_slope=float(f_slope),
        df_slope=(k - 1, df_dids),
        p_slope=p_slope,
        f_intercept=float(f_int),
        df_intercept=(k - 1, df_dids),
        p_intercept=p_int,
        pooling=pooling,
        shelf_life=shelf,
        worst_lot=worst,
        lower_limit=lower,
        upper_limit=upper,
        confidence=confidence,
        two_sided=two,
        alpha_pool=alpha_pool,
        dids_variance=dids_variance,
        max_time=horizon,
        max_observed_time=max_obs,
        last_time_point=last,
        supported_shelf_life=min(shelf, last) if not math.isnan(shelf) else nan,
        flags=tuple(flags),
    )


@dataclass(frozen=True, repr=False)
class SlopeComparison(ResultMixin):
    """Equivalence of degradation rates: difference of mean lot slopes, test minus reference.

    ``difference`` is ``mean_T(b_g) - mean_R(b_g)`` (per time unit, in the model's scale), with its
    standard error ``se`` on ``df`` degrees of freedom (full model, pooled MSE), the two-sided
    ``1 - 2 alpha`` interval ``ci_lower``/``ci_upper`` (``conf_level``) and ``passed`` when it lies within
    ``[-margin, margin]``.

    Attributes
    ----------
    attribute, condition : str
        Attribute and storage condition compared.
    model : str
        ``linear`` or ``log`` (slopes of ln value).
    test, reference : str
        Product labels compared.
    n_lots_test, n_lots_reference : int
        Lots of each product.
    mean_slope_test, mean_slope_reference : float
        Mean of the lots' slopes of each product (per time unit, model scale).
    difference : float
        ``mean_slope_test - mean_slope_reference``.
    se : float
        Standard error of the difference.
    df : int
        Residual degrees of freedom of the full model, ``n - 2k``.
    ci_lower, ci_upper : float
        Limits of the two-sided ``conf_level`` interval of the difference.
    conf_level : float
        ``1 - 2 alpha`` (0.90 by default).
    margin : float or None
        Equivalence margin on the slope difference (same units); ``None`` when not given.
    passed : bool or None
        The interval lies within ``[-margin, margin]``; ``None`` without a margin.
    flags : tuple of str
        Review flags (lots of other products ignored, fewer than 3 lots of a product).
    software_version : str
        bioparity version that produced the result.
    """

    SETTINGS = ("model", "margin", "conf_level", "test", "reference")

    attribute: str
    condition: str
    model: str
    test: str
    reference: str
    n_lots_test: int
    n_lots_reference: int
    mean_slope_test: float
    mean_slope_reference: float
    difference: float
    se: float
    df: int
    ci_lower: float
    ci_upper: float
    conf_level: float
    margin: float | None
    passed: bool | None
    flags: tuple[str, ...]
    software_version: str = field(default_factory=software_version)

    def summary(self) -> str:
        where = f" ({self.condition})" if self.condition else ""
        margin = "no margin given" if self.margin is None else f"margin +/-{self.margin:g}"
        return (
            f"Slope equivalence of {self.attribute}{where} ({self.model} model): {verdict(self.passed)}\n"
            f"difference of mean slopes {self.test} - {self.reference} {self.difference:.4g} per time unit, "
            f"{100 * self.conf_level:g}% CI {self.ci_lower:.4g} to {self.ci_upper:.4g} (df {self.df}); "
            f"{margin}"
        )


def compare_slopes(
    time: Any,
    value: Any,
    lot: Any,
    product: Any,
    *,
    test: str = "test",
    reference: str = "reference",
    margin: float | None = None,
    alpha: float = 0.05,
    model: str = "linear",
    attribute: str = "attribute",
    condition: str = "",
) -> SlopeComparison:
    """Difference of mean degradation rates of two products with its ``1 - 2 alpha`` CI (module docstring).

    ``lot`` names must be unique across products (a lot belongs to one product); ``margin`` > 0 is the
    equivalence margin on the slope difference (same units: per time unit, ln scale for ``log``).

    Parameters
    ----------
    time : array_like of float, shape (n,)
        Time of each result (>= 0).
    value : array_like of float, shape (n,)
        Result of the attribute (> 0 for the ``log`` model).
    lot : array_like, shape (n,)
        Lot of each result (at least 3 results at 2 or more time points per lot).
    product : array_like, shape (n,)
        Product of each result; lots of products other than ``test`` and ``reference`` enter the
        pooled MSE only.
    test : str, default "test"
        Label of the proposed product.
    reference : str, default "reference"
        Label of the reference product.
    margin : float or None, default None
        Equivalence margin (> 0) on the slope difference; ``None`` reports the interval without a
        verdict.
    alpha : float, default 0.05
        Level of each one-sided test, in (0, 0.5); the interval is ``1 - 2 alpha``.
    model : str, default "linear"
        ``linear`` or ``log``.
    attribute, condition : str, default "attribute" and ""
        Attribute name and storage condition, carried into the result (and the messages).

    Returns
    -------
    SlopeComparison
        The difference of mean slopes, its interval and the verdict.

    Raises
    ------
    InputError
        When the arrays differ in length, a setting is out of range, a lot appears under two
        products, a product has no lot, a lot has too few results, or no residual df remains.

    References
    ----------
    D. J. Schuirmann (1987), A comparison of the two one-sided tests procedure and the power approach
    for assessing the equivalence of average bioavailability, J Pharmacokinet Biopharm 15:657-680;
    ICH Q1E (2003), Appendix B.

    Examples
    --------
    >>> import numpy as np
    >>> t = np.tile([0, 3, 6, 9, 12.0], 6)
    >>> lot = np.repeat(list("ABCDEF"), 5)
    >>> product = np.repeat(["test"] * 3 + ["reference"] * 3, 5)
    >>> rate = np.repeat([0.50, 0.52, 0.48, 0.55, 0.53, 0.51], 5)  # % per month
    >>> value = 100 - rate * t + np.tile([0.2, -0.1, 0.0, 0.1, -0.2, 0.1, -0.2, 0.0, 0.2, -0.1], 3)
    >>> c = compare_slopes(t, value, lot, product, margin=0.1)
    >>> round(c.difference, 4), round(c.ci_lower, 4), round(c.ci_upper, 4), c.conf_level, c.passed
    (0.0233, -0.0013, 0.048, 0.9, True)
    """
    t, _v, y = _check_inputs(time, value, lot, model)
    prod = np.asarray(product, dtype=object).astype(str)
    if prod.shape != t.shape:
        raise InputError("product must have one entry per result")
    if not 0 < alpha < 0.5:
        raise InputError(f"alpha {alpha} must be in (0, 0.5); 0.05 gives a 90% interval")
    if margin is not None and not margin > 0:
        raise InputError(f"margin {margin} must be > 0")
    lots = _lot_sums(t, y, lot)
    k = len(lots.names)
    # product of each lot: must be unique
    pairs = np.unique(np.stack([lots.index.astype(str), prod]), axis=1)
    per_lot = np.bincount(pairs[0].astype(int), minlength=k)
    mixed = [lots.names[i] for i in np.flatnonzero(per_lot > 1)]
    if mixed:
        raise InputError(f"{attribute}: lot(s) {', '.join(mixed)} appear under more than one product")
    lp = np.empty(k, dtype=object)
    lp[lots.index] = prod
    is_t = lp == test
    is_r = lp == reference
    for label, mask in ((test, is_t), (reference, is_r)):
        if not mask.any():
            raise InputError(
                NO_LOT_OF_PRODUCT.format(attribute=attribute, product=repr(label), present=sorted(set(prod)))
            )
    if np.any(lots.n < 3) or np.any(lots.sxx <= 0):
        bad = [lots.names[i] for i in np.flatnonzero((lots.n < 3) | (lots.sxx <= 0))]
        raise InputError(TOO_FEW_RESULTS_SLOPES.format(attribute=attribute, lots=", ".join(bad)))
    slope = lots.sxy / lots.sxx
    rss = float(np.maximum(lots.syy - slope * lots.sxy, 0.0).sum())
    df = int(t.size - 2 * k)
    if df <= 0:
        raise InputError(f"{attribute}: no residual degrees of freedom for the slope comparison")
    mse = rss / df
    kt, kr = int(is_t.sum()), int(is_r.sum())
    mt = float(slope[is_t].mean())
    mr = float(slope[is_r].mean())
    diff = mt - mr
    se = math.sqrt(
        mse * (float((1 / lots.sxx[is_t]).sum()) / kt**2 + float((1 / lots.sxx[is_r]).sum()) / kr**2)
    )
    q = float(stats.t.ppf(1 - alpha, df))
    lo, hi = diff - q * se, diff + q * se
    flags: list[str] = []
    others = sorted(set(lp[~(is_t | is_r)]))
    if others:
        flags.append(OTHER_PRODUCTS.format(lots=", ".join(others)))
    if min(kt, kr) < 3:
        flags.append(FEW_LOTS)
    equivalent = None if margin is None else bool(-margin <= lo and hi <= margin)
    return SlopeComparison(
        attribute=attribute,
        condition=condition,
        model=model,
        test=test,
        reference=reference,
        n_lots_test=kt,
        n_lots_reference=kr,
        mean_slope_test=mt,
        mean_slope_reference=mr,
        difference=diff,
        se=se,
        df=df,
        ci_lower=lo,
        ci_upper=hi,
        conf_level=1 - 2 * alpha,
        margin=margin,
        passed=equivalent,
        flags=tuple(flags),
    )
