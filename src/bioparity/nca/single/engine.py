"""Noncompartmental analysis of many profiles at once: the array-level entry point.

``nca_arrays`` takes padded ``(profiles x samples)`` arrays (see :mod:`bioparity.nca.profiles`), sorted
by time within each row, and returns an :class:`~bioparity.nca.single.results.NCAResult`. All work is
NumPy over whole arrays; the only Python loops run over parameters and over the number of lambda_z points.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from bioparity.errors import InputError
from bioparity.i18n.notes import note_template
from bioparity.nca.arguments import call_arguments
from bioparity.nca.lambda_z import LAMZ_OK, LAMZ_REASONS, LAMZ_TOO_FEW_POINTS
from bioparity.nca.options import NCAOptions
from bioparity.nca.profiles import BoolArray, FloatArray
from bioparity.nca.single.context import NCAContext
from bioparity.nca.single.parameters import DEFAULT_CODES, FLAGS, REASONS, Parameter, pknca_name, resolve
from bioparity.nca.single.results import NCAResult

_INTERVAL_REASON = note_template("the interval starts before the first sample")
#: Why lambda_z is missing, with the reason of the fit (:data:`~bioparity.nca.lambda_z.LAMZ_REASONS`).
LAMZ_NOT_ESTIMATED = note_template("lambda_z not estimated: {reason}")

#: Profiles per block of work (a memory/cache trade-off, not a semantic setting).
BLOCK_PROFILES = 8192


def _as_2d(name: str, a: npt.ArrayLike) -> FloatArray:
    arr = np.asarray(a, dtype=float)
    if arr.ndim == 1:
        arr = arr[None, :]
    if arr.ndim != 2:
        raise InputError(f"{name} must be a (profiles x samples) array; got shape {arr.shape}")
    return arr


def _per_profile(name: str, a: npt.ArrayLike | None, P: int) -> FloatArray | None:
    if a is None:
        return None
    arr = np.asarray(a, dtype=float)
    try:
        return np.broadcast_to(arr, (P,)).astype(float)
    except ValueError as exc:
        raise InputError(
            f"{name} must be a scalar or one value per profile ({P}); got shape {arr.shape}"
        ) from exc


def _times_per_profile(name: str, a: npt.ArrayLike, P: int) -> FloatArray:
    arr = np.asarray(a, dtype=float)
    if arr.ndim != 2 or arr.shape[0] != P:
        raise InputError(
            f"{name} must be a (profiles x k) array of times with {P} rows; got shape {arr.shape}"
        )
    return arr


def nca_arrays(
    time: npt.ArrayLike,
    conc: npt.ArrayLike,
    *,
    options: NCAOptions | None = None,
    blq: npt.ArrayLike | None = None,
    dose: npt.ArrayLike | None = None,
    duration: npt.ArrayLike | None = None,
    parameters: Sequence[str] | None = None,
    intervals: Sequence[tuple[float, float]] = (),
    lambda_z_window: tuple[npt.ArrayLike, npt.ArrayLike] | None = None,
    lambda_z_note: Sequence[str] = (),
    lambda_z_exclude: npt.ArrayLike | None = None,
    lambda_z_include: npt.ArrayLike | None = None,
    lambda_z_exclude_note: Sequence[str] = (),
    profiles: pd.DataFrame | None = None,
    max_workers: int | None = None,
) -> NCAResult:
    """NCA of every row of ``time``/``conc`` (NaN padded; times relative to the dose, sorted per row).

    ``blq`` marks BLQ samples (a concentration of 0 is BLQ too); ``dose`` (per profile, NaN = missing)
    enables clearance and volume; ``duration`` is the infusion length for ``route='iv-infusion'``.
    ``parameters`` are CDISC codes or PKNCA names (default: all that apply to the route and dose).
    ``intervals`` adds partial AUCs (code AUCINT, lin-up/log-down or linear as ``auc_method``, zero after
    Tlast). ``lambda_z_window`` = (start, end) per profile selects the lambda_z points by hand where
    start is not NaN; ``lambda_z_note`` records why, per profile. ``lambda_z_exclude`` and
    ``lambda_z_include`` are ``(profiles x k)`` NaN-padded times of samples to leave out of lambda_z or to
    use as the only lambda_z points (Phoenix-style), ``lambda_z_exclude_note`` says why, per profile.
    ``max_workers`` threads share the blocks of profiles (default: one per CPU).

    Parameters
    ----------
    time : array_like
        ``(P, N)`` sample times relative to the dose (one row per profile, NaN padded at the end, sorted
        increasingly within a row); a 1-D array is one profile.
    conc : array_like
        ``(P, N)`` concentrations (>= 0; NaN = missing, dropped and counted), same shape as ``time``.
    options : NCAOptions or None, default None
        Settings (AUC method, route, BLQ rule, lambda_z rule, review thresholds); None uses
        ``NCAOptions()`` (PKNCA's defaults).
    blq : array_like of bool or None, default None
        ``(P, N)`` BLQ markers, broadcast to the shape of ``time``; None: only concentrations of 0 are BLQ.
    dose : array_like or None, default None
        Dose per profile (scalar or ``(P,)``; NaN = missing, the dose-based parameters of that profile are
        then missing with the reason); None computes no clearance or volume.
    duration : array_like or None, default None
        Infusion length per profile (time unit of the data); required (> 0) for ``route='iv-infusion'``.
    parameters : sequence of str or None, default None
        CDISC codes (``"AUCLST"``) or PKNCA names (``"auclast"``) to report; their dependencies are computed
        but not reported. None reports every parameter that applies to the route and dose.
    intervals : sequence of (float, float), default ()
        ``(start, end)`` of each partial AUC (code ``AUCINT``, zero after Tlast); finite, start < end.
    lambda_z_window : (array_like, array_like) or None, default None
        Per-profile ``(start, end)`` times of the lambda_z points chosen by hand (NaN start: automatic).
    lambda_z_note : sequence of str, default ()
        Per profile, why the lambda_z points were chosen by hand (reported).
    lambda_z_exclude : array_like or None, default None
        ``(P, k)`` NaN-padded times of samples left out of the lambda_z fit.
    lambda_z_include : array_like or None, default None
        ``(P, k)`` NaN-padded times of the only samples used in the lambda_z fit.
    lambda_z_exclude_note : sequence of str, default ()
        Per profile, why samples were excluded (reported).
    profiles : pandas.DataFrame or None, default None
        ``P`` rows identifying the profiles (kept in the result); None numbers them 0 to ``P - 1``.
    max_workers : int or None, default None
        Threads sharing the blocks of profiles; None: one per CPU.

    Returns
    -------
    NCAResult
        ``(P, K)`` values with review flags and the reason for each missing value.

    Raises
    ------
    bioparity.errors.InputError
        When shapes disagree, an infusion has no duration > 0, a requested parameter needs a dose that is
        not given, a partial interval is invalid or a parameter name is unknown.

    References
    ----------
    Denney W, Duvvuri S, Buckeridge C. Simple, automatic noncompartmental analysis: the PKNCA R package.
    J Pharmacokinet Pharmacodyn 2015;42(S1):S65. Purves RD. J Pharmacokinet Biopharm 1992;20(3):211-226
    (linear-up/log-down trapezoids). Gabrielsson J, Weiner D. Pharmacokinetic and Pharmacodynamic Data
    Analysis, 5th ed. Stockholm: Swedish Pharmaceutical Press; 2016, chapter 2 (NCA parameters).

    Examples
    --------
    >>> res = nca_arrays([[0.0, 1.0, 3.0]], [[0.0, 10.0, 5.0]], parameters=["CMAX", "AUCLST"])
    >>> res.codes, [round(float(v), 4) for v in res.values[0]]  # 5 + 2 x 5 / ln 2
    (('CMAX', 'AUCLST'), [10.0, 19.427])
    """
    plan = _plan(
        time, conc, options=options, blq=blq, dose=dose, duration=duration, parameters=parameters,
        intervals=intervals, lambda_z_window=lambda_z_window, lambda_z_note=lambda_z_note,
        lambda_z_exclude=lambda_z_exclude, lambda_z_include=lambda_z_include,
        lambda_z_exclude_note=lambda_z_exclude_note, profiles=profiles,
    )  # fmt: skip
    # Blocks of profiles keep the working set in cache and temporaries small (no loop per profile);
    # NumPy releases the GIL in its kernels, so blocks run on the available cores in threads.
    starts_ = range(0, max(plan.n_profiles, 1), BLOCK_PROFILES)
    workers = min(len(starts_), max_workers if max_workers is not None else (os.cpu_count() or 1))
    if workers > 1:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            blocks = list(pool.map(plan.block, starts_))
    else:
        blocks = [plan.block(lo) for lo in starts_]
    return plan.result(blocks, 0, plan.n_profiles)


def nca_array_blocks(
    time: npt.ArrayLike, conc: npt.ArrayLike, *, max_workers: int | None = None, **settings: Any
) -> Iterator[NCAResult]:
    """:func:`nca_arrays` in consecutive parts of :data:`BLOCK_PROFILES` profiles, for a caller that
    handles each part while the next ones are computed (e.g. writes the long table as it comes).

    The settings are checked now (the same errors as :func:`nca_arrays`); the parts are then computed by
    ``max_workers`` threads (default: one per CPU), at most two per thread ahead of the caller, so that
    the memory held stays that of a few parts. Each part is the :class:`NCAResult` of its profiles, with
    the values :func:`nca_arrays` gives them (the blocks are the same).

    Parameters
    ----------
    time, conc : array_like
        ``(P, N)`` sample times and concentrations, as for :func:`nca_arrays`.
    max_workers : int or None, default None
        Threads computing parts; None: one per CPU.
    **settings
        The keyword arguments of :func:`nca_arrays` (``options``, ``dose``, ``profiles``, ...).

    Returns
    -------
    iterator of NCAResult
        The parts in profile order.

    Examples
    --------
    >>> parts = list(nca_array_blocks([[0.0, 1.0, 3.0]] * 3, [[0.0, 10.0, 5.0]] * 3, parameters=["CMAX"]))
    >>> len(parts), parts[0].n_profiles, float(parts[0].value("CMAX")[2])
    (1, 3, 10.0)
    """
    args = call_arguments(nca_arrays, time, conc, **settings)
    del args["max_workers"]  # this function's own argument
    plan = _plan(**args)
    starts_ = range(0, max(plan.n_profiles, 1), BLOCK_PROFILES)
    workers = min(len(starts_), max_workers if max_workers is not None else (os.cpu_count() or 1))
    return _parts_ahead(plan, starts_, workers)


def _parts_ahead(plan: _Plan, starts_: range, workers: int) -> Iterator[NCAResult]:
    """The part of each start, computed by ``workers`` threads at most ``2 * workers`` parts ahead."""
    pending: deque[tuple[int, Future[_Block]]] = deque()
    with ThreadPoolExecutor(max_workers=max(workers, 1)) as pool:
        try:
            for lo in starts_:
                pending.append((lo, pool.submit(plan.block, lo)))
                if len(pending) >= 2 * workers:
                    first, done = pending.popleft()
                    yield plan.result([done.result()], first, min(first + BLOCK_PROFILES, plan.n_profiles))
            while pending:
                first, done = pending.popleft()
                yield plan.result([done.result()], first, min(first + BLOCK_PROFILES, plan.n_profiles))
        finally:
            for _, waiting in pending:  # the caller stopped early: compute nothing more
                waiting.cancel()


@dataclass(frozen=True)
class _Plan:
    """The checked inputs of :func:`nca_arrays`: what each block of profiles needs, and the layout of
    the result."""

    T: FloatArray
    C: FloatArray
    B: BoolArray | None
    dose: FloatArray | None
    duration: FloatArray | None
    window_start: FloatArray | None
    window_end: FloatArray | None
    exclude: FloatArray | None
    include: FloatArray | None
    options: NCAOptions
    order: list[Parameter]
    out_params: list[Parameter]
    spans: list[tuple[float, float]]
    profiles: pd.DataFrame
    lambda_z_note: tuple[str, ...]
    lambda_z_exclude_note: tuple[str, ...]

    @property
    def n_profiles(self) -> int:
        return int(self.T.shape[0])

    def block(self, lo: int) -> _Block:
        """Values, reasons and flags of the profiles ``lo`` to ``lo + BLOCK_PROFILES``."""
        sl = slice(lo, min(lo + BLOCK_PROFILES, self.n_profiles))

        def part(a: npt.NDArray[Any] | None) -> npt.NDArray[Any] | None:
            return None if a is None else a[sl]

        ctx = NCAContext(
            self.T[sl], self.C[sl], options=self.options, blq=part(self.B), dose=part(self.dose),
            duration=part(self.duration), window_start=part(self.window_start),
            window_end=part(self.window_end), exclude_times=part(self.exclude),
            include_times=part(self.include),
        )  # fmt: skip
        return _block(ctx, self.order, self.out_params, self.spans)

    def result(self, blocks: Sequence[_Block], lo: int, hi: int) -> NCAResult:
        """The result of profiles ``lo:hi`` from their blocks, in order."""
        out_params, spans, opts = self.out_params, self.spans, self.options
        codes = tuple(p.code for p in out_params) + ("AUCINT",) * len(spans)
        names = tuple(pknca_name(p.code, opts.route) for p in out_params) + ("aucint.last",) * len(spans)
        applies = {
            f: np.asarray([f in p.flags for p in out_params] + [f == "blq_imputed"] * len(spans), dtype=bool)
            for f in FLAGS
        }
        whole = (lo, hi) == (0, self.n_profiles)
        return NCAResult(
            codes=codes,
            pknca_names=names,
            starts=np.asarray([0.0] * len(out_params) + [a for a, _ in spans], dtype=float),
            ends=np.asarray([np.inf] * len(out_params) + [b for _, b in spans], dtype=float),
            values=np.concatenate([b.values for b in blocks]),
            flags={f: np.concatenate([b.flags[f] for b in blocks]) for f in FLAGS},
            flag_applies=applies,
            reason=np.concatenate([b.reason for b in blocks]),
            reason_text=REASON_TEXT,
            profiles=self.profiles if whole else self.profiles.iloc[lo:hi].reset_index(drop=True),
            options=opts,
            n_blq_dropped=np.concatenate([b.n_blq_dropped for b in blocks]),
            n_missing_dropped=np.concatenate([b.n_missing_dropped for b in blocks]),
            n_blq_kept=np.concatenate([b.n_blq_kept for b in blocks]),
            lambda_z_note=self.lambda_z_note[lo:hi],
            lambda_z_method=opts.lambda_z_method(),
            lambda_z_exclude_note=self.lambda_z_exclude_note[lo:hi],
        )


def _plan(
    time: npt.ArrayLike,
    conc: npt.ArrayLike,
    *,
    options: NCAOptions | None,
    blq: npt.ArrayLike | None,
    dose: npt.ArrayLike | None,
    duration: npt.ArrayLike | None,
    parameters: Sequence[str] | None,
    intervals: Sequence[tuple[float, float]],
    lambda_z_window: tuple[npt.ArrayLike, npt.ArrayLike] | None,
    lambda_z_note: Sequence[str],
    lambda_z_exclude: npt.ArrayLike | None,
    lambda_z_include: npt.ArrayLike | None,
    lambda_z_exclude_note: Sequence[str],
    profiles: pd.DataFrame | None,
) -> _Plan:
    """The arguments of :func:`nca_arrays` checked and resolved (errors: see there)."""
    opts = options or NCAOptions()
    T = _as_2d("time", time)
    C = _as_2d("conc", conc)
    if T.shape != C.shape:
        raise InputError(f"time and conc must have the same shape; got {T.shape} and {C.shape}")
    P = T.shape[0]
    B = None if blq is None else np.broadcast_to(np.asarray(blq, dtype=bool), T.shape)
    dose_arr = _per_profile("dose", dose, P)
    dur = _per_profile("duration", duration, P)
    if opts.route == "iv-infusion" and (dur is None or np.isnan(dur).any() or (dur <= 0).any()):
        raise InputError("route 'iv-infusion' needs an infusion duration > 0 for every profile")
    ws = we = None
    if lambda_z_window is not None:
        ws = _per_profile("lambda_z window start", lambda_z_window[0], P)
        we = _per_profile("lambda_z window end", lambda_z_window[1], P)
    excl = None if lambda_z_exclude is None else _times_per_profile("lambda_z_exclude", lambda_z_exclude, P)
    incl = None if lambda_z_include is None else _times_per_profile("lambda_z_include", lambda_z_include, P)
    requested = list(parameters) if parameters is not None else list(DEFAULT_CODES)
    order = resolve(requested, opts.route, dose_arr is not None)
    if parameters is not None and dose_arr is None:
        needing = [p.code for p in resolve(requested, opts.route, True) if p.needs_dose]
        if needing:
            raise InputError(f"parameter(s) {', '.join(needing)} need a dose; give one per profile")
    out_params = [p for p in order if parameters is None or _is_requested(p.code, p.pknca, requested)]
    spans = [(float(a), float(b)) for a, b in intervals]
    for a, b in spans:
        if not (np.isfinite(a) and b > a):
            raise InputError(f"partial AUC interval ({a}, {b}) invalid; expected finite start < end")

    return _Plan(
        T, C, B, dose_arr, dur, ws, we, excl, incl, opts, order, out_params, spans,
        profiles if profiles is not None else pd.DataFrame({"profile": np.arange(P)}),
        tuple(lambda_z_note), tuple(lambda_z_exclude_note),
    )  # fmt: skip


REASON_TEXT = (
    "",
    *REASONS.values(),
    *(LAMZ_NOT_ESTIMATED.format(reason=LAMZ_REASONS[c]) for c in sorted(LAMZ_REASONS) if c != LAMZ_OK),
    _INTERVAL_REASON,
    note_template("not computable"),
)


@dataclass(frozen=True)
class _Block:
    values: FloatArray
    reason: npt.NDArray[np.int8]
    flags: dict[str, BoolArray]
    n_blq_dropped: npt.NDArray[np.int64]
    n_missing_dropped: npt.NDArray[np.int64]
    n_blq_kept: npt.NDArray[np.int64]


def _block(
    ctx: NCAContext, order: list[Parameter], out_params: list[Parameter], spans: list[tuple[float, float]]
) -> _Block:
    """All requested values, reasons and flags of one block of profiles."""
    opts = ctx.options
    P = ctx.n_profiles
    computed: dict[str, FloatArray] = {}
    for p in order:
        computed[p.code] = np.asarray(p.compute(ctx, computed), dtype=float)
    fit = ctx.fit
    flags: dict[str, BoolArray] = {
        "lambda_z_few_points": fit.reason == LAMZ_TOO_FEW_POINTS,
        "lambda_z_manual": fit.manual,
        "lambda_z_points_excluded": (
            np.zeros(P, dtype=bool)
            if ctx.exclude_times is None
            else np.asarray(~np.isnan(ctx.exclude_times).all(axis=1), dtype=bool)
        ),
        "r2adj_low": np.nan_to_num(fit.adj_r_squared, nan=np.inf) < opts.r2adj_min,
        "span_ratio_low": np.zeros(P, dtype=bool),
        "aucpeo_high": np.zeros(P, dtype=bool),
        "blq_imputed": ctx.clean.blq_imputed,
        "no_time0": ctx.no_time0,
    }
    if "LAMZSPN" in computed:
        flags["span_ratio_low"] = np.nan_to_num(computed["LAMZSPN"], nan=np.inf) < opts.min_span_ratio
    if "AUCPEO" in computed:
        flags["aucpeo_high"] = np.nan_to_num(computed["AUCPEO"], nan=-np.inf) > opts.max_aucpext
    keys = list(REASONS)
    lz_base = len(REASONS) + 1
    lz_code = np.where(fit.reason > 0, lz_base + fit.reason - 1, 1 + keys.index("lambda_z"))
    profile_reason: dict[str, tuple[BoolArray, npt.NDArray[np.int64] | int]] = {
        "no_data": (ctx.n_auc_points < 2, 1 + keys.index("no_data")),
        "no_time0": (ctx.no_time0, 1 + keys.index("no_time0")),
        "lambda_z": (np.isnan(fit.lambda_z) | (fit.reason != LAMZ_OK), lz_code),
        "no_dose": (
            np.isnan(ctx.dose) if ctx.dose is not None else np.ones(P, bool),
            1 + keys.index("no_dose"),
        ),
        "auc_not_positive": (~(computed.get("AUCIFO", np.ones(P)) > 0), 1 + keys.index("auc_not_positive")),
    }
    generic = len(REASON_TEXT) - 1
    columns: list[FloatArray] = []
    reasons: list[npt.NDArray[np.int8]] = []
    for p in out_params:
        v = computed[p.code]
        missing = np.isnan(v)
        r = np.where(missing, generic, 0)
        for key in reversed(p.reasons):
            mask, code = profile_reason[key]
            r = np.where(missing & mask, code, r)
        columns.append(v)
        reasons.append(r.astype(np.int8))
    for a, b in spans:
        ga, _ = ctx.area.at(np.full(P, a))
        gb, _ = ctx.area.at(np.full(P, min(b, 1e300)))
        before = ~(ctx.auc_profile[0][:, 0] <= a)
        v = np.where(before | (ctx.n_auc_points < 2), np.nan, gb - ga)
        r = np.where(before, REASON_TEXT.index(_INTERVAL_REASON), np.where(np.isnan(v), generic, 0))
        columns.append(v)
        reasons.append(r.astype(np.int8))
    return _Block(
        values=np.column_stack(columns) if columns else np.empty((P, 0)),
        reason=np.column_stack(reasons) if reasons else np.empty((P, 0), dtype=np.int8),
        flags=flags,
        n_blq_dropped=ctx.clean.n_blq_dropped,
        n_missing_dropped=ctx.clean.n_missing_dropped,
        n_blq_kept=ctx.clean.n_blq_kept,
    )


def _is_requested(code: str, pknca: str, requested: Sequence[str]) -> bool:
    keys = {r.strip().upper() for r in requested} | {r.strip() for r in requested}
    return code in keys or pknca in keys
