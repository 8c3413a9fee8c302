"""Areas under the concentration and first-moment curves, vectorised over padded profiles.

Each interval between two samples is integrated by one of three rules (PKNCA ``choose_interval_method``):

* zero: both concentrations are 0, or the interval lies after Tlast (AUClast semantics);
* linear trapezoid ``(t2 - t1)(C1 + C2)/2``;
* log trapezoid ``(t2 - t1)(C1 - C2)/ln(C1/C2)``, used by ``lin-up-log-down`` when ``0 < C2 < C1``.

The AUMC uses the matching moment formulas. A cumulative integral ``G(t)`` per profile, with exact
interpolation inside an interval (linear or log, as the interval's rule), gives the AUC between any two
times; AUClast is ``G(Tlast) - G(0)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bioparity.errors import InputError
from bioparity.nca.profiles import FloatArray, IntArray, row_take

AUC_METHODS = ("lin-up-log-down", "linear")
_ALIASES = {
    "lin up/log down": "lin-up-log-down",
    "linuplogdown": "lin-up-log-down",
    "lin-up/log-down": "lin-up-log-down",
}

ZERO, LINEAR, LOG = 0, 1, 2


def canonical_auc_method(method: str) -> str:
    """Normalise an AUC method name (PKNCA spelling ``lin up/log down`` accepted)."""
    m = _ALIASES.get(method.strip().lower(), method.strip().lower())
    if m not in AUC_METHODS:
        raise InputError(f"AUC method {method!r} unknown; expected one of {', '.join(AUC_METHODS)}")
    return m


def interval_rule(c1: FloatArray, c2: FloatArray, method: str) -> np.ndarray:
    """Rule code (ZERO, LINEAR, LOG) of each interval from its end concentrations."""
    rule = np.full(c1.shape, LINEAR, dtype=np.int8)
    if method == "lin-up-log-down":
        rule[(c2 < c1 * (1 - 1e-12)) & (c2 > 0)] = LOG  # equal up to rounding: linear (the log form's limit)
    rule[(c1 == 0) & (c2 == 0)] = ZERO
    rule[np.isnan(c1) | np.isnan(c2)] = ZERO
    return rule


def auc_interval(
    t1: FloatArray, c1: FloatArray, t2: FloatArray, c2: FloatArray, rule: np.ndarray
) -> FloatArray:
    """Area under the concentration curve of each interval by its rule."""
    dt = t2 - t1
    with np.errstate(divide="ignore", invalid="ignore"):
        lin = dt * (c1 + c2) / 2.0
        log = dt * (c2 - c1) / np.log(c2 / c1)
    out = np.where(rule == LOG, log, np.where(rule == LINEAR, lin, 0.0))
    return np.where((rule != ZERO) & (dt == 0), 0.0, out)


def aumc_interval(
    t1: FloatArray, c1: FloatArray, t2: FloatArray, c2: FloatArray, rule: np.ndarray
) -> FloatArray:
    """Area under the first-moment curve (C·t) of each interval by its rule."""
    dt = t2 - t1
    with np.errstate(divide="ignore", invalid="ignore"):
        lin = dt * (c2 * t2 + c1 * t1) / 2.0
        k = np.log(c2 / c1)
        log = dt * (c2 * t2 - c1 * t1) / k - dt * dt * (c2 - c1) / (k * k)
    out = np.where(rule == LOG, log, np.where(rule == LINEAR, lin, 0.0))
    return np.where((rule != ZERO) & (dt == 0), 0.0, out)


def interpolate(
    t1: FloatArray, c1: FloatArray, t2: FloatArray, c2: FloatArray, rule: np.ndarray, t: FloatArray
) -> FloatArray:
    """Concentration at ``t`` inside an interval, interpolated as the interval is integrated."""
    with np.errstate(divide="ignore", invalid="ignore"):
        f = (t - t1) / (t2 - t1)
        lin = c1 + f * (c2 - c1)
        log = np.exp(np.log(c1) + f * (np.log(c2) - np.log(c1)))
    return np.where(rule == LOG, log, np.where(rule == LINEAR, lin, 0.0))


@dataclass(frozen=True)
class CumulativeArea:
    """Cumulative AUC and AUMC at each sample of each profile, with the rules used per interval."""

    time: FloatArray
    conc: FloatArray
    rule: np.ndarray  # (P, N-1) rule of interval j -> j+1
    cum_auc: FloatArray  # (P, N) integral from the first sample to sample j
    cum_aumc: FloatArray

    def at(self, t: FloatArray) -> tuple[FloatArray, FloatArray]:
        """``G(t)`` for the AUC and the AUMC, from the first sample to ``t`` (NaN before the first sample).

        After the last sample the curve is taken as 0 (the area stops growing).
        """
        N = self.time.shape[1]
        before = self.time <= t[:, None]
        i = before.sum(axis=1).astype(np.int64) - 1  # last sample at or before t (valid samples come first)
        auc_i = row_take(self.cum_auc, i)
        aumc_i = row_take(self.cum_aumc, i)
        if N < 2:
            return auc_i, aumc_i
        j = np.clip(i, 0, N - 2)
        t1 = row_take(self.time, j)
        c1 = row_take(self.conc, j)
        t2 = row_take(self.time, j + 1)
        c2 = row_take(self.conc, j + 1)
        rule = np.take_along_axis(self.rule, j[:, None], axis=1)[:, 0]
        inside = (i >= 0) & (i <= N - 2) & ~np.isnan(t2) & (t > t1)
        rule = np.where(inside, rule, ZERO).astype(np.int8)
        ct = interpolate(t1, c1, t2, c2, rule, t)
        part_auc = np.where(inside, auc_interval(t1, c1, t, ct, rule), 0.0)
        part_aumc = np.where(inside, aumc_interval(t1, c1, t, ct, rule), 0.0)
        return auc_i + part_auc, aumc_i + part_aumc


def cumulative_area(time: FloatArray, conc: FloatArray, idx_tlast: IntArray, method: str) -> CumulativeArea:
    """Cumulative areas with AUClast semantics: every interval starting at or after Tlast counts 0."""
    t1, t2 = time[:, :-1], time[:, 1:]
    c1, c2 = conc[:, :-1], conc[:, 1:]
    rule = interval_rule(c1, c2, method)
    cols = np.arange(rule.shape[1])[None, :]
    rule[cols >= idx_tlast[:, None]] = ZERO  # idx_tlast = -1 (no measurable sample): everything is zero
    seg_auc = auc_interval(t1, c1, t2, c2, rule)
    seg_aumc = aumc_interval(t1, c1, t2, c2, rule)
    P = time.shape[0]
    zeros = np.zeros((P, 1))
    cum_auc = np.concatenate((zeros, np.cumsum(seg_auc, axis=1)), axis=1)
    cum_aumc = np.concatenate((zeros, np.cumsum(seg_aumc, axis=1)), axis=1)
    pad = np.isnan(time)
    cum_auc[pad] = np.nan
    cum_aumc[pad] = np.nan
    return CumulativeArea(time, conc, rule, cum_auc, cum_aumc)


def tail_after_tlast(
    time: FloatArray, conc: FloatArray, idx_tlast: IntArray
) -> tuple[FloatArray, FloatArray]:
    """AUC and AUMC of the linear interval from Tlast to the next sample (AUCall's extra piece)."""
    t1 = row_take(time, idx_tlast)
    c1 = row_take(conc, idx_tlast)
    nxt = np.where(idx_tlast >= 0, idx_tlast + 1, -1)
    nxt = np.where(nxt < time.shape[1], nxt, -1)
    t2 = row_take(time, nxt)
    c2 = row_take(conc, nxt)
    ok = ~np.isnan(t2) & ~np.isnan(t1)
    rule = np.where(ok, LINEAR, ZERO).astype(np.int8)
    auc = np.where(ok, auc_interval(t1, c1, t2, c2, rule), 0.0)
    aumc = np.where(ok, aumc_interval(t1, c1, t2, c2, rule), 0.0)
    return auc, aumc
