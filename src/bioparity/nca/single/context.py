"""Intermediate quantities shared by the NCA parameters, computed once for all profiles and cached."""

from __future__ import annotations

from functools import cached_property

import numpy as np

from bioparity.nca.auc import CumulativeArea, cumulative_area, tail_after_tlast
from bioparity.nca.blq import CleanProfiles, clean_blq
from bioparity.nca.lambda_z import LambdaZFit, lambda_z_best_fit
from bioparity.nca.options import NCAOptions
from bioparity.nca.profiles import BoolArray, FloatArray, IntArray, compact_left, last_true_index, row_take


def back_extrapolated_c0(time: FloatArray, conc: FloatArray) -> FloatArray:
    """C0 of an IV bolus (PKNCA ``pk.calc.c0`` order c0, logslope, c1).

    ``c0``: a measured concentration > 0 at time 0; ``logslope``: the log-linear line through the first
    two samples after 0 back to 0, when the second is lower and > 0; ``c1``: the first sample after 0.
    """
    at0 = (time == 0) & (conc > 0)
    c_at0 = np.where(at0.any(axis=1), np.where(at0, conc, 0.0).max(axis=1), np.nan)
    after = time > 0
    n_before = (time <= 0).sum(axis=1)
    i1 = np.where(after.any(axis=1), n_before, -1).astype(np.int64)
    i2 = np.where(after.sum(axis=1) >= 2, n_before + 1, -1).astype(np.int64)
    t1, c1 = row_take(time, i1), row_take(conc, i1)
    t2, c2 = row_take(time, i2), row_take(conc, i2)
    with np.errstate(divide="ignore", invalid="ignore"):
        logslope = np.where(
            (c2 < c1) & (c2 > 0), np.exp(np.log(c1) - (np.log(c2) - np.log(c1)) / (t2 - t1) * t1), np.nan
        )
    return np.where(~np.isnan(c_at0), c_at0, np.where(~np.isnan(logslope), logslope, c1))


class NCAContext:
    """Cleaned profiles and the shared intermediates (Cmax, Tlast, areas, lambda_z) of one analysis."""

    def __init__(
        self,
        time: FloatArray,
        conc: FloatArray,
        *,
        options: NCAOptions,
        blq: BoolArray | None = None,
        dose: FloatArray | None = None,
        duration: FloatArray | None = None,
        window_start: FloatArray | None = None,
        window_end: FloatArray | None = None,
        exclude_times: FloatArray | None = None,
        include_times: FloatArray | None = None,
    ) -> None:
        self.options = options
        self.raw_time = time
        self.raw_conc = conc
        self.raw_blq = blq
        P = time.shape[0]
        self.n_profiles = P
        self.dose = dose
        self.duration = (
            np.zeros(P) if duration is None else np.broadcast_to(np.asarray(duration, float), (P,))
        )
        self.window_start = window_start
        self.window_end = window_end
        self.exclude_times = exclude_times
        self.include_times = include_times

    @cached_property
    def clean(self) -> CleanProfiles:
        return clean_blq(self.raw_time, self.raw_conc, self.raw_blq, self.options.blq)

    @property
    def time(self) -> FloatArray:
        return self.clean.time

    @property
    def conc(self) -> FloatArray:
        return self.clean.conc

    @cached_property
    def cmax(self) -> FloatArray:
        valid = ~np.isnan(self.conc)
        return np.where(valid.any(axis=1), np.where(valid, self.conc, -np.inf).max(axis=1), np.nan)

    @cached_property
    def tmax(self) -> FloatArray:
        # PKNCA: NA when every concentration is 0 or missing; ties -> first (or last) time of Cmax
        at_max = (self.conc == self.cmax[:, None]) & (self.cmax[:, None] > 0)
        if self.options.first_tmax:
            idx = np.where(at_max.any(axis=1), np.argmax(at_max, axis=1), -1).astype(np.int64)
        else:
            idx = last_true_index(at_max)
        return row_take(self.time, idx)

    @cached_property
    def idx_tlast(self) -> IntArray:
        return last_true_index(np.asarray(self.conc > 0))

    @cached_property
    def tlast(self) -> FloatArray:
        return row_take(self.time, self.idx_tlast)

    @cached_property
    def clast(self) -> FloatArray:
        valid = ~np.isnan(self.conc)
        # PKNCA: 0 when all are BLQ, NA when there is no data at all
        return np.where(
            self.idx_tlast >= 0, row_take(self.conc, self.idx_tlast), np.where(valid.any(axis=1), 0.0, np.nan)
        )

    @cached_property
    def c0(self) -> FloatArray:
        return back_extrapolated_c0(self.time, self.conc)

    @cached_property
    def auc_profile(self) -> tuple[FloatArray, FloatArray]:
        """Samples integrated for the AUCs: the cleaned ones, with (0, C0) for an IV bolus.

        A measured time-0 sample is replaced by C0 (so the first interval is integrated from C0, as
        PKNCA's ``aucivlast``); without one, (0, C0) is added in front. Cmax, Tmax and lambda_z use the
        observed samples only.
        """
        if self.options.route != "iv-bolus":
            return self.time, self.conc
        P = self.n_profiles
        c0 = self.c0
        t = np.concatenate((np.zeros((P, 1)), self.time), axis=1)
        c = np.concatenate((c0[:, None], self.conc), axis=1)
        keep = ~np.isnan(t) & ~np.isnan(c)
        keep[:, 1:] &= ~(
            (self.time == 0) & ~np.isnan(c0)[:, None]
        )  # a measured time-0 sample is replaced by C0
        keep[:, 0] &= ~np.isnan(c0)
        t2, c2 = compact_left(keep, t, c)
        return t2, c2

    @cached_property
    def n_auc_points(self) -> IntArray:
        return np.asarray((~np.isnan(self.auc_profile[0])).sum(axis=1), dtype=np.int64)

    @cached_property
    def area(self) -> CumulativeArea:
        t, c = self.auc_profile
        return cumulative_area(t, c, last_true_index(c > 0), self.options.auc_method)

    @cached_property
    def area_from_zero(self) -> tuple[FloatArray, FloatArray]:
        """G(0) for AUC and AUMC; NaN where no sample is at or before time 0."""
        return self.area.at(np.zeros(self.n_profiles))

    @cached_property
    def area_to_tlast(self) -> tuple[FloatArray, FloatArray]:
        """G(Tlast) for AUC and AUMC (G(0) where every concentration is BLQ)."""
        return self.area.at(np.where(np.isnan(self.tlast), 0.0, self.tlast))

    @cached_property
    def no_time0(self) -> BoolArray:
        t = self.auc_profile[0]
        return ~(t[:, 0] <= 0)

    @cached_property
    def auc_tail(self) -> tuple[FloatArray, FloatArray]:
        t, c = self.auc_profile
        return tail_after_tlast(t, c, last_true_index(c > 0))

    @cached_property
    def fit(self) -> LambdaZFit:
        o = self.options
        dose_end = self.duration if o.route == "iv-infusion" else 0.0
        return lambda_z_best_fit(
            self.time,
            self.conc,
            self.tmax,
            dose_end=dose_end,
            min_points=o.min_points,
            adj_r2_factor=o.adj_r2_factor,
            allow_tmax=o.allow_tmax_in_lambda_z,
            window_start=self.window_start,
            window_end=self.window_end,
            max_points=o.lambda_z_max_points,
            start_after=o.lambda_z_start_after,
            exclude=_at_times(self.time, self.exclude_times),
            include=_at_times(self.time, self.include_times),
        )


def _at_times(time: FloatArray, times: FloatArray | None) -> BoolArray | None:
    """Samples whose time is one of ``times[p]`` (a NaN-padded list per profile)."""
    if times is None or times.shape[1] == 0:
        return None
    return np.asarray((time[:, :, None] == times[:, None, :]).any(axis=2))
