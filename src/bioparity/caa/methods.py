"""The registry of CAA methods, keyed by stable names.

Each :class:`Method` evaluates a :class:`ComparisonBatch` (many attributes x comparisons at once) and
returns a :class:`MethodOutput` of per-row arrays plus one reason string per row. Adding a method
means writing one ``evaluate`` function and one :data:`METHODS` entry.

=====================  ================================================================================
name                   criterion
=====================  ================================================================================
``equivalence``        90% CI of mu_T - mu_R inside ± margin_multiplier·s_R (FDA 2017 tier 1)
``quality-range``      >= min_fraction of test lots inside mean_R ± k·s_R (FDA 2019/2025 QR, EMA x-sigma)
``tolerance-interval`` >= min_fraction of test lots inside the normal beta/gamma tolerance interval of R
``min-max``            >= min_fraction of test lots inside [min R, max R]
``nonparametric``      >= min_fraction of test lots inside a distribution-free tolerance interval of R
``descriptive``        none: summary statistics and plots (tier 3); never reported as a pass
=====================  ================================================================================
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from bioparity._results import share_percent
from bioparity.arrays import BoolArray, FloatArray, IntArray
from bioparity.caa.equivalence import RECOMMENDED_LOTS, equivalence_test_means
from bioparity.caa.quality_range import (
    count_inside,
    min_max_limits,
    nonparametric_limits,
    quality_range_limits,
    tolerance_interval_limits,
)
from bioparity.caa.tolerance import nonparametric_min_lots
from bioparity.i18n.notes import note_template
from bioparity.i18n.printing import lot_values_in

ObjArray = npt.NDArray[np.object_]


@dataclass(frozen=True)
class ComparisonBatch:
    """Rows = (attribute, comparison) pairs: the summary of both sources and their lot values.

    ``test_values``/``test_rows``/``test_lots`` list every test lot with the row it belongs to (likewise
    ``reference_values``/``reference_rows``); ``settings`` holds one array per setting name.
    """

    n_test: IntArray
    mean_test: FloatArray
    sd_test: FloatArray
    n_reference: IntArray
    mean_reference: FloatArray
    sd_reference: FloatArray
    min_reference: FloatArray
    max_reference: FloatArray
    test_values: FloatArray
    test_rows: IntArray
    test_lots: ObjArray
    reference_values: FloatArray
    reference_rows: IntArray
    settings: Mapping[str, npt.NDArray[Any]]
    test_source: ObjArray
    reference_source: ObjArray

    @property
    def size(self) -> int:
        return int(self.n_test.size)

    def setting(self, name: str) -> npt.NDArray[Any]:
        return self.settings[name]

    def take(self, rows: npt.NDArray[np.intp]) -> ComparisonBatch:
        """The sub-batch of ``rows`` (lot arrays filtered and renumbered)."""
        new_index = np.full(self.size, -1, dtype=np.int64)
        new_index[rows] = np.arange(rows.size)
        keep_t = new_index[self.test_rows] >= 0
        keep_r = new_index[self.reference_rows] >= 0
        return ComparisonBatch(
            n_test=self.n_test[rows],
            mean_test=self.mean_test[rows],
            sd_test=self.sd_test[rows],
            n_reference=self.n_reference[rows],
            mean_reference=self.mean_reference[rows],
            sd_reference=self.sd_reference[rows],
            min_reference=self.min_reference[rows],
            max_reference=self.max_reference[rows],
            test_values=self.test_values[keep_t],
            test_rows=new_index[self.test_rows[keep_t]],
            test_lots=self.test_lots[keep_t],
            reference_values=self.reference_values[keep_r],
            reference_rows=new_index[self.reference_rows[keep_r]],
            settings={k: v[rows] for k, v in self.settings.items()},
            test_source=self.test_source[rows],
            reference_source=self.reference_source[rows],
        )


@dataclass(frozen=True)
class MethodOutput:
    """Per-row results of one method (NaN where a quantity does not apply)."""

    statistic: str
    estimate: FloatArray
    lower_limit: FloatArray
    upper_limit: FloatArray
    ci_lower: FloatArray
    ci_upper: FloatArray
    factor: FloatArray
    n_inside: FloatArray
    passed: BoolArray
    evaluable: BoolArray
    reasons: list[str]


@dataclass(frozen=True)
class Method:
    """A registered method: how to evaluate it, its default settings and the lots it needs.

    The instances live in :data:`METHODS`, keyed by ``name`` (the table in the module docstring).

    Attributes
    ----------
    name : str
        Stable name used in catalogues and results (``quality-range``, ``equivalence``, ...).
    title : str
        One line for reports and listings.
    evaluate : callable
        ``evaluate(batch) -> MethodOutput``: evaluates a :class:`ComparisonBatch` of many attributes x
        comparisons at once.
    defaults : mapping of str to object
        The method's default settings (e.g. ``{"k": 3.0, "min_fraction": 0.9}``), used where the
        catalogue and the plan leave a field open.
    min_reference_lots, min_test_lots : int
        Technical minimum numbers of reference and test lots (the default plan raises them to 10 for
        the statistical methods).
    needs_reference_sd : bool
        Whether the method needs ``s_R > 0`` (a range or margin scaled by the reference SD).
    formal : bool, default True
        Whether the method has a pass/fail criterion (False for ``descriptive``: never reported as a
        pass).
    """

    name: str
    title: str
    evaluate: Callable[[ComparisonBatch], MethodOutput]
    defaults: Mapping[str, Any]
    min_reference_lots: int
    min_test_lots: int
    needs_reference_sd: bool
    formal: bool = True


# The reasons of a row's verdict and the ranges they name (templates: see bioparity.i18n.notes).
INSIDE = note_template(
    "{n_inside:d}/{n:d} {source} lots ({share}) inside {label} {range}; required >= {required:.0%}"
)
#: Added to :data:`INSIDE` after ``"; "``.
OUTSIDE = note_template("outside: {lots}", shown={"lots": lot_values_in})
TOLERANCE_LABEL = note_template("{coverage:.0%}/{confidence:.0%} tolerance interval (k = {k}, {method})")
MIN_MAX_LABEL = note_template("reference min-max range")
DISTRIBUTION_FREE_LABEL = note_template(
    "{coverage:.0%}/{confidence:.0%} distribution-free range (order statistic r = {order})"
)
DISTRIBUTION_FREE_TOO_FEW = note_template(
    "a {coverage:.0%}/{confidence:.0%} distribution-free range needs >= {need} reference lots; "
    "{source} has {n:d}"
)
NO_CI = note_template("no confidence interval: needs >= 2 lots per source and SD_R > 0")
CI_INSIDE = note_template(
    "{level:.0%} CI of mean difference ({lower}, {upper}) inside margin {margin} = ±{multiplier}·SD_R "
    "({variance} variance, df {df:.1f})"
)
CI_NOT_INSIDE = note_template(
    "{level:.0%} CI of mean difference ({lower}, {upper}) not inside margin {margin} = ±{multiplier}·SD_R "
    "({variance} variance, df {df:.1f})"
)
#: Added to :data:`CI_INSIDE` or :data:`CI_NOT_INSIDE` after ``"; "``.
FEW_LOTS_WARNING = note_template("warning: fewer than {n} lots for {sources}")
#: Added to :data:`CI_INSIDE` or :data:`CI_NOT_INSIDE` after ``"; "``.
LOT_IMBALANCE = note_template(
    "lot imbalance: {n_test} v {n_reference} lots (n_T > 1.5 n_R) inflates "
    "the type I error of the estimated margin (Dong, Weng & Tsong 2017)"
)
DESCRIPTIVE_SHIFT = note_template(
    "tier 3: graphical comparison, no formal criterion; mean difference = {shift} SD_R"
)
DESCRIPTIVE_ONLY = note_template("tier 3: graphical comparison, no formal criterion")


def _g(x: float) -> str:
    return "inf" if x == np.inf else "-inf" if x == -np.inf else f"{x:.4g}"


def _range_text(lo: float, hi: float) -> str:
    if lo == -np.inf:
        return f"<= {_g(hi)}"
    if hi == np.inf:
        return f">= {_g(lo)}"
    return f"[{_g(lo)}, {_g(hi)}]"


def _range_outcome(
    batch: ComparisonBatch,
    lower: FloatArray,
    upper: FloatArray,
    label: list[str],
    evaluable: BoolArray,
    factor: FloatArray,
) -> MethodOutput:
    """Count test lots inside the per-row range and judge against ``min_fraction``."""
    n_counted, inside = count_inside(batch.test_values, batch.test_rows, lower, upper)
    # no range (too few reference lots for it, SD_R undefined): no count either, never "0 inside"
    formed = ~(np.isnan(lower) | np.isnan(upper))
    n_inside = np.where(formed, n_counted, np.nan)
    evaluable = evaluable & formed  # e.g. no reference lot: the lot minimums then say why
    with np.errstate(invalid="ignore", divide="ignore"):
        fraction = n_inside / batch.n_test
    required = batch.setting("min_fraction").astype(float)
    passed = evaluable & (fraction >= required - 1e-12)
    reasons: list[str] = []
    outside_rows = batch.test_rows[~inside]
    outside_text = [
        f"{lot} ({_g(v)})"
        for lot, v in zip(batch.test_lots[~inside], batch.test_values[~inside], strict=True)
    ]
    outside_by_row: dict[int, list[str]] = {}
    for row, text in zip(outside_rows.tolist(), outside_text, strict=True):
        outside_by_row.setdefault(row, []).append(text)
    for i in range(batch.size):
        if not evaluable[i]:
            reasons.append(label[i])
            continue
        text = INSIDE.format(
            n_inside=int(n_inside[i]),
            n=int(batch.n_test[i]),
            source=batch.test_source[i],
            share=share_percent(fraction[i]),
            label=label[i],
            range=_range_text(float(lower[i]), float(upper[i])),
            required=required[i],
        )
        if i in outside_by_row:
            text += "; " + OUTSIDE.format(lots=", ".join(outside_by_row[i]))
        reasons.append(text)
    nan = np.full(batch.size, np.nan)
    return MethodOutput(
        statistic="fraction_inside",
        estimate=np.asarray(fraction, dtype=float),
        lower_limit=lower,
        upper_limit=upper,
        ci_lower=nan,
        ci_upper=nan.copy(),
        factor=factor,
        n_inside=n_inside.astype(float),
        passed=passed,
        evaluable=evaluable,
        reasons=reasons,
    )


def _quality_range(batch: ComparisonBatch) -> MethodOutput:
    k = batch.setting("k").astype(float)
    lower, upper = quality_range_limits(
        batch.mean_reference, batch.sd_reference, k, batch.setting("direction")
    )
    label = [f"mean_R ± {_g(float(x))}·SD_R" for x in k]
    return _range_outcome(batch, lower, upper, label, np.ones(batch.size, dtype=bool), k)


def _tolerance_interval(batch: ComparisonBatch) -> MethodOutput:
    methods = batch.setting("tolerance_method").astype(str)
    lower = np.full(batch.size, np.nan)
    upper = lower.copy()
    k = lower.copy()
    for name in np.unique(methods):  # at most three methods: a loop over names, not rows
        m = methods == name
        lo, hi, kk = tolerance_interval_limits(
            batch.mean_reference[m],
            batch.sd_reference[m],
            batch.n_reference[m],
            coverage=batch.setting("coverage")[m].astype(float),
            confidence=batch.setting("confidence")[m].astype(float),
            method=str(name),
            direction=batch.setting("direction")[m],
        )
        lower[m], upper[m], k[m] = lo, hi, kk
    cov, conf = batch.setting("coverage"), batch.setting("confidence")
    label = [
        TOLERANCE_LABEL.format(coverage=float(c), confidence=float(g), k=_g(float(x)), method=t)
        for c, g, x, t in zip(cov, conf, k, methods, strict=True)
    ]
    return _range_outcome(batch, lower, upper, label, np.isfinite(k), k)


def _min_max(batch: ComparisonBatch) -> MethodOutput:
    lower, upper = min_max_limits(batch.min_reference, batch.max_reference, batch.setting("direction"))
    label = [MIN_MAX_LABEL] * batch.size
    return _range_outcome(
        batch, lower, upper, label, np.ones(batch.size, dtype=bool), np.full(batch.size, np.nan)
    )


def _nonparametric(batch: ComparisonBatch) -> MethodOutput:
    direction = batch.setting("direction")
    lower = np.full(batch.size, np.nan)
    upper = lower.copy()
    order = np.zeros(batch.size, dtype=np.int64)
    cov = batch.setting("coverage").astype(float)
    conf = batch.setting("confidence").astype(float)
    pairs = np.stack([cov, conf], axis=1) if batch.size else np.empty((0, 2))
    for c, g in np.unique(pairs, axis=0):  # one call per distinct (coverage, confidence)
        m = (cov == c) & (conf == g)
        keep = m[batch.reference_rows]
        remap = np.cumsum(m) - 1
        lo, hi, r = nonparametric_limits(
            batch.reference_values[keep],
            remap[batch.reference_rows[keep]],
            int(m.sum()),
            coverage=float(c),
            confidence=float(g),
            direction=direction[m],
        )
        lower[m], upper[m], order[m] = lo, hi, r
    evaluable = order >= 1
    label = []
    for i in range(batch.size):
        side = 2 if direction[i] == "two-sided" else 1
        if evaluable[i]:
            label.append(DISTRIBUTION_FREE_LABEL.format(coverage=cov[i], confidence=conf[i], order=order[i]))
        else:
            need = nonparametric_min_lots(float(cov[i]), float(conf[i]), side=side)
            label.append(
                DISTRIBUTION_FREE_TOO_FEW.format(
                    coverage=cov[i],
                    confidence=conf[i],
                    need=need,
                    source=batch.reference_source[i],
                    n=int(batch.n_reference[i]),
                )
            )
    return _range_outcome(batch, lower, upper, label, evaluable, order.astype(float))


def _equivalence(batch: ComparisonBatch) -> MethodOutput:
    mult = batch.setting("margin_multiplier").astype(float)
    alpha = batch.setting("alpha").astype(float)
    variance = batch.setting("variance").astype(str)
    direction = batch.setting("direction").astype(str)
    res = equivalence_test_means(
        batch.mean_test,
        batch.sd_test,
        batch.n_test,
        batch.mean_reference,
        batch.sd_reference,
        batch.n_reference,
        margin_multiplier=mult,
        alpha=alpha,
        variance=variance,
        direction=direction,
    )
    evaluable = np.isfinite(res.ci_lower) & np.isfinite(res.ci_upper)
    lower = np.where(direction == "higher-is-worse", -np.inf, -res.margin)
    upper = np.where(direction == "lower-is-worse", np.inf, res.margin)
    reasons = []
    for i in range(batch.size):
        if not evaluable[i]:
            reasons.append(NO_CI)
            continue
        level = 1 - 2 * alpha[i]
        text = (CI_INSIDE if res.passed[i] else CI_NOT_INSIDE).format(
            level=level,
            lower=_g(res.ci_lower[i]),
            upper=_g(res.ci_upper[i]),
            margin=_range_text(float(lower[i]), float(upper[i])),
            multiplier=_g(mult[i]),
            variance=variance[i],
            df=res.df[i],
        )
        sizes = ((batch.test_source[i], batch.n_test[i]), (batch.reference_source[i], batch.n_reference[i]))
        short = [str(s) for s, n in sizes if n < RECOMMENDED_LOTS]
        if short:
            text += "; " + FEW_LOTS_WARNING.format(n=RECOMMENDED_LOTS, sources=" and ".join(short))
        if batch.n_test[i] > 1.5 * batch.n_reference[i]:
            # Dong, Weng & Tsong 2017: with n_T > 1.5 n_R the estimated margin inflates the type I error
            # further; they propose n_T* = min(n_T, 1.5 n_R) in the standard error.
            text += "; " + LOT_IMBALANCE.format(n_test=batch.n_test[i], n_reference=batch.n_reference[i])
        reasons.append(text)
    nan = np.full(batch.size, np.nan)
    return MethodOutput(
        statistic="mean_difference",
        estimate=res.difference,
        lower_limit=np.asarray(lower, dtype=float),
        upper_limit=np.asarray(upper, dtype=float),
        ci_lower=res.ci_lower,
        ci_upper=res.ci_upper,
        factor=mult,
        n_inside=nan,
        passed=res.passed & evaluable,
        evaluable=evaluable,
        reasons=reasons,
    )


def _descriptive(batch: ComparisonBatch) -> MethodOutput:
    with np.errstate(invalid="ignore", divide="ignore"):
        shift = (batch.mean_test - batch.mean_reference) / batch.sd_reference
    reasons = [DESCRIPTIVE_SHIFT.format(shift=_g(d)) if np.isfinite(d) else DESCRIPTIVE_ONLY for d in shift]
    nan = np.full(batch.size, np.nan)
    return MethodOutput(
        statistic="standardised_mean_difference",
        estimate=np.asarray(shift, dtype=float),
        lower_limit=nan,
        upper_limit=nan.copy(),
        ci_lower=nan.copy(),
        ci_upper=nan.copy(),
        factor=nan.copy(),
        n_inside=nan.copy(),
        passed=np.zeros(batch.size, dtype=bool),
        evaluable=np.ones(batch.size, dtype=bool),
        reasons=reasons,
    )


METHODS: dict[str, Method] = {
    m.name: m
    for m in (
        Method(
            "equivalence",
            "Equivalence test of means (FDA 2017 tier 1)",
            _equivalence,
            {"margin_multiplier": 1.5, "alpha": 0.05, "variance": "welch"},
            3,
            2,
            True,
        ),
        Method(
            "quality-range",
            "Quality range mean_R ± k·SD_R",
            _quality_range,
            {"k": 3.0, "min_fraction": 0.9},
            3,
            1,
            True,
        ),
        Method(
            "tolerance-interval",
            "Normal tolerance interval of the reference lots",
            _tolerance_interval,
            {"coverage": 0.99, "confidence": 0.95, "tolerance_method": "exact", "min_fraction": 1.0},
            3,
            1,
            True,
        ),
        Method("min-max", "Reference min-max range", _min_max, {"min_fraction": 1.0}, 3, 1, False),
        Method(
            "nonparametric",
            "Distribution-free tolerance interval",
            _nonparametric,
            {"coverage": 0.90, "confidence": 0.90, "min_fraction": 1.0},
            3,
            1,
            False,
        ),
        Method(
            "descriptive",
            "Descriptive / graphical comparison (tier 3)",
            _descriptive,
            {},
            1,
            1,
            False,
            formal=False,
        ),
    )
}
METHOD_NAMES = tuple(METHODS)
