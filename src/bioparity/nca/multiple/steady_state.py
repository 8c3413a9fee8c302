"""Multiple dosing: dosing intervals from dose records and the parameters of each interval, vectorised.

A dosing interval starts at a dose and lasts ``tau``: the time to the next dose of the same profile, or
for the last dose the ``tau`` given (Phoenix and PKNCA both need it stated for the last dose). Every
interval of every profile is one row of ``(intervals x samples)`` arrays, built by gathering the
profile's samples and shifting them to the dose time, so one NumPy pass computes all intervals at once.

Per interval (Phoenix WinNonlin / PKNCA definitions; CDISC PPTESTCD codes):

* ``AUCTAU``, ``AUMCTAU``: area over ``[dose, dose + tau]`` by the AUC method of the options (times
  relative to the dose for the moment), interpolated inside the data when a bound is not sampled;
  missing when the samples do not cover both bounds (default: no extrapolation). With a predicted
  concentration at ``dose + tau`` (Phoenix WinNonlin's rule when tau ends after the last sample:
  ``C(tau) = exp(intercept - lambda_z tau)`` of the terminal fit) the area is extended from the last
  sample, when it is > 0, to ``tau`` by the interval rule of the AUC method (log down for lin-up/log-down
  when ``C(tau)`` is lower, linear otherwise) and ``CTROUGH`` is the predicted concentration;
* ``CMAX``, ``TMAX`` (after the dose), ``CMIN``, ``TMIN``: observed, samples inside the interval;
* ``CTROUGH``: the concentration observed at ``dose + tau`` (missing when not sampled, as PKNCA);
* ``CAVG = AUCTAU / tau``; ``FLUCP = 100 (CMAX - CMIN) / CAVG``; ``FLUCPTAU = 100 (CMAX - CTROUGH) / CAVG``;
  ``SWING = 100 (CMAX - CMIN) / CMIN``; ``SWINGTAU = 100 (CMAX - CTROUGH) / CTROUGH`` (percent, as PKNCA;
  Phoenix reports swing as a ratio, 1/100 of this); ``PTROUGHR = CMAX / CTROUGH``;
* with the profile's lambda_z: ``AILAMZ = 1 / (1 - exp(-lambda_z tau))`` (Phoenix Accumulation_Index);
* with the dose: ``CLFTAU`` (``CLTAU`` for IV) ``= dose / AUCTAU``, ``VZFTAU`` (``VZTAU``)
  ``= dose / (lambda_z AUCTAU)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from bioparity.i18n.notes import note_template
from bioparity.nca.auc import auc_interval, aumc_interval, cumulative_area, interval_rule
from bioparity.nca.profiles import (
    BoolArray,
    FloatArray,
    IntArray,
    first_true_index,
    last_true_index,
    row_take,
)

#: Why an interval value is missing (index into INTERVAL_REASONS).
INTERVAL_REASONS = (
    "",
    note_template("no tau for the last dose: give tau"),
    note_template("samples do not cover the start of the interval (dose time)"),
    note_template("samples do not cover the end of the interval (dose + tau)"),
    note_template("no sample inside the interval"),
    note_template("no sample at the end of the interval"),
    note_template("lambda_z not estimated"),
    note_template("dose missing"),
    note_template("Cmin is 0"),
    note_template("Ctrough is 0"),
    note_template("lambda_z not estimated: not extrapolated to the end of the interval"),
    note_template("last sample is 0 (BLQ) before the end of the interval: not extrapolated"),
    note_template("not computable"),
)
_R = {text: i for i, text in enumerate(INTERVAL_REASONS)}


@dataclass(frozen=True)
class DosingIntervals:
    """One row per dosing interval: its profile, dose number (1-based), start (dose time), tau, dose."""

    profile: IntArray
    dose_number: IntArray
    start: FloatArray
    tau: FloatArray
    dose: FloatArray

    @property
    def end(self) -> FloatArray:
        return np.asarray(self.start + self.tau, dtype=float)

    @property
    def n(self) -> int:
        return int(self.profile.size)


def dosing_intervals(
    profile: npt.ArrayLike, dose_time: npt.ArrayLike, dose: npt.ArrayLike, tau_last: float | None = None
) -> DosingIntervals:
    """Intervals between consecutive doses of each profile; the last one lasts ``tau_last``.

    ``profile``, ``dose_time`` and ``dose`` give one dose record each (any order). Without ``tau_last``
    the last dose of a profile has ``tau = NaN`` (its values are missing with a reason).
    """
    p = np.asarray(profile, dtype=np.int64)
    t = np.asarray(dose_time, dtype=float)
    d = np.asarray(dose, dtype=float)
    order = np.lexsort((t, p))
    p, t, d = p[order], t[order], d[order]
    same_next = np.concatenate((p[1:] == p[:-1], [False]))
    nxt = np.concatenate((t[1:], [np.nan]))
    last_tau = np.nan if tau_last is None else float(tau_last)
    tau = np.where(same_next, nxt - t, last_tau)
    first = np.concatenate(([True], p[1:] != p[:-1]))
    group_start = np.maximum.accumulate(np.where(first, np.arange(p.size), 0))
    number = np.arange(p.size) - group_start + 1
    return DosingIntervals(p, number.astype(np.int64), t, tau, d)


def _masked_extreme(values: FloatArray, mask: BoolArray, largest: bool) -> tuple[FloatArray, IntArray]:
    fill = -np.inf if largest else np.inf
    v = np.where(mask, values, fill)
    idx = np.argmax(v, axis=1) if largest else np.argmin(v, axis=1)
    idx = np.where(mask.any(axis=1), idx, -1).astype(np.int64)
    return row_take(values, idx), idx


def _ratio(a: FloatArray, b: FloatArray) -> FloatArray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(np.where(b != 0, a / b, np.nan), dtype=float)


def interval_parameters(
    time: FloatArray,
    conc: FloatArray,
    intervals: DosingIntervals,
    *,
    auc_method: str,
    lambda_z: FloatArray | None = None,
    c_tau_predicted: FloatArray | None = None,
) -> tuple[dict[str, FloatArray], dict[str, npt.NDArray[np.int8]], BoolArray]:
    """Values and missing-value reasons (codes into INTERVAL_REASONS) of every interval parameter, and
    which intervals were extrapolated to their end.

    ``time``/``conc`` are cleaned, left-compacted, NaN-padded profiles (BLQ handled) on the dose clock;
    ``lambda_z`` is one terminal rate per profile (NaN where not estimated). ``c_tau_predicted`` (one per
    interval, NaN = none) asks for AUCTAU/AUMCTAU/CTROUGH to be extrapolated to ``dose + tau`` when the
    samples end before it (Phoenix rule, see the module docstring).
    """
    iv = intervals
    R = iv.n
    Tr = time[iv.profile] - iv.start[:, None]
    Cr = conc[iv.profile]
    tau = iv.tau
    valid = ~np.isnan(Tr) & ~np.isnan(Cr)
    area = cumulative_area(Tr, Cr, last_true_index(Cr > 0), auc_method)
    g0_auc, g0_aumc = area.at(np.zeros(R))
    g1_auc, g1_aumc = area.at(np.where(np.isnan(tau), 0.0, tau))
    covers_start = (valid & (Tr <= 0)).any(axis=1)
    covers_end = (valid & (Tr >= tau[:, None])).any(axis=1)
    no_tau = np.isnan(tau)
    inside = valid & (Tr >= 0) & (Tr <= tau[:, None])
    any_inside = inside.any(axis=1)

    extrapolated = np.zeros(R, dtype=bool)
    ext_auc = ext_aumc = np.zeros(R)
    ext_reason = np.full(R, _R[INTERVAL_REASONS[3]])
    if c_tau_predicted is not None:
        i_last = last_true_index(valid)
        t_last, c_last = row_take(Tr, i_last), row_take(Cr, i_last)
        wanted = ~no_tau & covers_start & ~covers_end
        pred = np.asarray(c_tau_predicted, dtype=float)
        extrapolated = wanted & ~np.isnan(pred) & (c_last > 0)
        ext_reason = np.where(
            ~(c_last > 0) & ~np.isnan(pred),
            _R["last sample is 0 (BLQ) before the end of the interval: not extrapolated"],
            _R["lambda_z not estimated: not extrapolated to the end of the interval"],
        )
        rule = interval_rule(c_last, pred, auc_method)
        t_end = np.where(extrapolated, tau, t_last)
        with np.errstate(invalid="ignore", divide="ignore"):
            ext_auc = np.where(extrapolated, auc_interval(t_last, c_last, t_end, pred, rule), 0.0)
            ext_aumc = np.where(extrapolated, aumc_interval(t_last, c_last, t_end, pred, rule), 0.0)
    reason_auc = np.select(
        [no_tau, ~covers_start, ~covers_end & ~extrapolated],
        [_R[INTERVAL_REASONS[1]], _R[INTERVAL_REASONS[2]], ext_reason],
        0,
    )
    ok = reason_auc == 0
    auctau = np.where(ok, g1_auc - g0_auc + ext_auc, np.nan)
    aumctau = np.where(ok, g1_aumc - g0_aumc + ext_aumc, np.nan)
    cmax, i_max = _masked_extreme(Cr, inside, largest=True)
    cmin, i_min = _masked_extreme(Cr, inside, largest=False)
    at_end = inside & (Tr == tau[:, None])
    ctrough = row_take(Cr, first_true_index(at_end))
    if c_tau_predicted is not None:
        ctrough = np.where(extrapolated, np.asarray(c_tau_predicted, dtype=float), ctrough)
    with np.errstate(divide="ignore", invalid="ignore"):
        cavg = auctau / tau
    values: dict[str, FloatArray] = {
        "AUCTAU": auctau,
        "AUMCTAU": aumctau,
        "CMAX": cmax,
        "TMAX": row_take(Tr, i_max),
        "CMIN": cmin,
        "TMIN": row_take(Tr, i_min),
        "CTROUGH": ctrough,
        "CAVG": cavg,
        "FLUCP": 100.0 * _ratio(cmax - cmin, cavg),
        "FLUCPTAU": 100.0 * _ratio(cmax - ctrough, cavg),
        "SWING": 100.0 * _ratio(cmax - cmin, cmin),
        "SWINGTAU": 100.0 * _ratio(cmax - ctrough, ctrough),
        "PTROUGHR": _ratio(cmax, ctrough),
    }
    no_sample = np.where(no_tau, _R[INTERVAL_REASONS[1]], np.where(any_inside, 0, _R[INTERVAL_REASONS[4]]))
    no_end = np.where(
        no_sample > 0, no_sample, np.where(at_end.any(axis=1) | extrapolated, 0, _R[INTERVAL_REASONS[5]])
    )
    reasons: dict[str, npt.NDArray[np.int64]] = {
        "AUCTAU": reason_auc,
        "AUMCTAU": reason_auc,
        "CMAX": no_sample,
        "TMAX": no_sample,
        "CMIN": no_sample,
        "TMIN": no_sample,
        "CTROUGH": no_end,
        "CAVG": reason_auc,
        "FLUCP": np.where(reason_auc > 0, reason_auc, no_sample),
        "FLUCPTAU": np.where(reason_auc > 0, reason_auc, no_end),
        "SWING": np.where(no_sample > 0, no_sample, np.where(cmin == 0, _R["Cmin is 0"], 0)),
        "SWINGTAU": np.where(no_end > 0, no_end, np.where(ctrough == 0, _R["Ctrough is 0"], 0)),
        "PTROUGHR": np.where(no_end > 0, no_end, np.where(ctrough == 0, _R["Ctrough is 0"], 0)),
    }
    if lambda_z is not None:
        lz = lambda_z[iv.profile]
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            values["AILAMZ"] = 1.0 / (1.0 - np.exp(-lz * tau))
        reasons["AILAMZ"] = np.where(
            no_tau, _R[INTERVAL_REASONS[1]], np.where(np.isnan(lz), _R["lambda_z not estimated"], 0)
        )
        with np.errstate(divide="ignore", invalid="ignore"):
            values["CLTAU"] = _ratio(iv.dose, auctau)
            values["VZTAU"] = _ratio(iv.dose, lz * auctau)
        no_dose = np.isnan(iv.dose)
        reasons["CLTAU"] = np.where(reason_auc > 0, reason_auc, np.where(no_dose, _R["dose missing"], 0))
        reasons["VZTAU"] = np.where(reasons["CLTAU"] > 0, reasons["CLTAU"], reasons["AILAMZ"])
    generic = len(INTERVAL_REASONS) - 1
    out_reasons = {
        k: np.where(np.isnan(values[k]), np.where(r > 0, r, generic), 0).astype(np.int8)
        for k, r in reasons.items()
    }
    return values, out_reasons, extrapolated


def accumulation_ratios(
    intervals: DosingIntervals, values: dict[str, FloatArray], codes: tuple[str, ...] = ("AUCTAU", "CMAX")
) -> dict[str, FloatArray]:
    """Each interval's value over the first interval's value of the same profile (ARAUC, ARCMAX, ...).

    The first dose is the reference (dose number 1); a ratio is missing where either value is.
    """
    first_row = np.full(int(intervals.profile.max()) + 1 if intervals.n else 0, -1, dtype=np.int64)
    is_first = intervals.dose_number == 1
    first_row[intervals.profile[is_first]] = np.flatnonzero(is_first)
    ref = first_row[intervals.profile]
    out: dict[str, FloatArray] = {}
    names = {"AUCTAU": "ARAUC", "CMAX": "ARCMAX", "CMIN": "ARCMIN", "CTROUGH": "ARCTROUGH"}
    for c in codes:
        base = np.where(ref >= 0, values[c][np.maximum(ref, 0)], np.nan)
        out[names[c]] = _ratio(values[c], base)
    return out
