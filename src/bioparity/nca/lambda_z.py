"""Terminal elimination rate (lambda_z) by log-linear regression, all profiles at once.

Best-fit rule (PKNCA ``pk.calc.half.life``; Denney, Duvvuri & Buckeridge, PKNCA documentation; defaults
``min.hl.points = 3``, ``adj.r.squared.factor = 1e-4``, ``allow.tmax.in.half.life = FALSE``): candidate
points are the samples after Tmax (``allow_tmax=True`` includes Tmax) with a concentration > 0 (BLQ
excluded) and after the end of an infusion. For each ``k >= min_points`` fit ``ln C ~ t`` on the last
``k`` candidates. Let ``best`` be the largest adjusted R² over all these fits; keep the fits with
``lambda_z > 0`` and ``adj.R² > best - adj_r2_factor`` (default 1e-4), and of those choose the one with
the most points.

PKNCA's options text describes the factor as "times the number of data points added"; its code (read
for this implementation, and the behaviour reproduced by the Theoph reference results) compares with the
plain ``best - factor``, which is what is done here.

Vectorisation: candidates are right-aligned in a ``(P, N)`` array, so the last ``k`` candidates of every
profile are its last ``k`` columns; suffix sums of x, y, x², xy, y² then give every fit of every profile
with one pass per ``k`` (no loop over profiles). Data are centred on each profile's last candidate first,
which keeps the one-pass sums accurate (R² to ~1e-16 absolute, lambda_z to ~1e-15 relative on Theoph).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bioparity.i18n.notes import note_template
from bioparity.nca.profiles import BoolArray, FloatArray, IntArray, compact_right

#: Why lambda_z is missing or to be read with care (codes stored per profile).
LAMZ_OK = 0
LAMZ_TOO_FEW_POINTS = 1
LAMZ_NO_POSITIVE_FIT = 2
LAMZ_MANUAL_NOT_POSITIVE = 3
LAMZ_MANUAL_TOO_FEW = 4
LAMZ_REASONS = {
    LAMZ_OK: "",
    LAMZ_TOO_FEW_POINTS: note_template("too few points after Tmax for lambda_z"),
    LAMZ_NO_POSITIVE_FIT: note_template(
        "no candidate lambda_z fit with lambda_z > 0 within the adjusted R2 tolerance"
    ),
    LAMZ_MANUAL_NOT_POSITIVE: note_template("lambda_z <= 0 with the manually selected points"),
    LAMZ_MANUAL_TOO_FEW: note_template(
        "fewer than 2 points with concentration > 0 in the manual lambda_z window"
    ),
}


@dataclass(frozen=True)
class LambdaZFit:
    """One terminal-phase fit per profile (NaN where none); ``reason`` holds LAMZ_* codes."""

    lambda_z: FloatArray
    intercept: FloatArray  # ln C at t = 0 of the fitted line
    r_squared: FloatArray
    adj_r_squared: FloatArray
    n_points: FloatArray
    time_first: FloatArray
    time_last: FloatArray
    n_candidates: IntArray
    manual: BoolArray
    reason: IntArray

    def predict(self, t: FloatArray) -> FloatArray:
        """Concentration on the fitted line at ``t``."""
        return np.exp(self.intercept - self.lambda_z * t)


def _fit_masked(x: FloatArray, y: FloatArray, use: BoolArray) -> tuple[FloatArray, ...]:
    """OLS of y on x over ``use`` per row with two-pass centred sums: slope, intercept, R², n, x range."""
    n = use.sum(axis=1).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        xm = np.where(use, x, 0.0).sum(axis=1) / n
        ym = np.where(use, y, 0.0).sum(axis=1) / n
        dx = np.where(use, x - xm[:, None], 0.0)
        dy = np.where(use, y - ym[:, None], 0.0)
        sxx = (dx * dx).sum(axis=1)
        sxy = (dx * dy).sum(axis=1)
        syy = (dy * dy).sum(axis=1)
        slope = sxy / sxx
        intercept = ym - slope * xm
        ss_res = (np.where(use, dy - slope[:, None] * dx, 0.0) ** 2).sum(axis=1)
        r2 = 1.0 - ss_res / syy
    first = np.where(use, x, np.inf).min(axis=1)
    last = np.where(use, x, -np.inf).max(axis=1)
    return slope, intercept, r2, n, first, last


def _suffix_fit(
    sx: FloatArray, sy: FloatArray, sxx_: FloatArray, sxy_: FloatArray, syy_: FloatArray, k: FloatArray | int
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """R², slope and intercept of the OLS line from the sums of x, y, x², xy, y² over ``k`` points.

    R² = 1 - SSres/SStot is NaN when all y are equal (SStot = 0), as in R.
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        sxx = sxx_ - sx * sx / k
        sxy = sxy_ - sx * sy / k
        syy = syy_ - sy * sy / k
        r2 = np.where(syy > 0, sxy * sxy / (sxx * syy), np.nan)
        slope = sxy / sxx
        intercept = (sy - slope * sx) / k
    return r2, slope, intercept


def adjusted_r_squared(r2: FloatArray, n: FloatArray) -> FloatArray:
    """``1 - (1 - R²)(n - 1)/(n - 2)``; NaN for n <= 2."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 2, 1.0 - (1.0 - r2) * (n - 1.0) / (n - 2.0), np.nan)


def lambda_z_best_fit(
    time: FloatArray,
    conc: FloatArray,
    tmax: FloatArray,
    *,
    dose_end: FloatArray | float = 0.0,
    min_points: int = 3,
    adj_r2_factor: float = 1e-4,
    allow_tmax: bool = False,
    window_start: FloatArray | None = None,
    window_end: FloatArray | None = None,
    max_points: int | None = None,
    start_after: FloatArray | float | None = None,
    exclude: BoolArray | None = None,
    include: BoolArray | None = None,
) -> LambdaZFit:
    """Lambda_z for every profile: PKNCA best fit, or points chosen by the user.

    ``time``/``conc`` are cleaned, left-compacted profiles (BLQ handled). In a manual window
    ``[window_start, window_end]`` (rows where ``window_start`` is not NaN) every sample with
    concentration > 0 is used as is (PKNCA ``manually.selected.points``), with no Tmax or best-fit rule;
    rows of ``include`` with any True use exactly those samples (Phoenix "include points").

    Phoenix-style restrictions of the best fit: at most ``max_points`` points, only samples at or after
    ``start_after`` (Phoenix "start time"), never the samples marked in ``exclude`` (which are also
    left out of manual windows).
    """
    P, N = time.shape
    end = np.broadcast_to(np.asarray(dose_end, dtype=float), (P,))
    after = time >= tmax[:, None] if allow_tmax else time > tmax[:, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        positive = ~np.isnan(conc) & (conc > 0)
        logc = np.where(positive, np.log(np.where(positive, conc, 1.0)), 0.0)
    usable = positive if exclude is None else positive & ~exclude
    cand = usable & after & (time > end[:, None])
    if start_after is not None:
        sa = np.broadcast_to(np.asarray(start_after, dtype=float), (P,))
        cand &= ~(time < sa[:, None])  # NaN start: no restriction
    m = cand.sum(axis=1)
    xo, yo = compact_right(cand, time, logc)
    # centre on the last candidate of each profile (column N-1 after right alignment)
    xr = xo[:, -1].copy()
    yr = yo[:, -1].copy()
    rcols = np.arange(N)[None, :] >= (N - m)[:, None]
    x = np.where(rcols, xo - xr[:, None], 0.0)
    y = np.where(rcols, yo - yr[:, None], 0.0)
    xs = np.cumsum(x[:, ::-1], axis=1)
    ys = np.cumsum(y[:, ::-1], axis=1)
    xxs = np.cumsum((x * x)[:, ::-1], axis=1)
    xys = np.cumsum((x * y)[:, ::-1], axis=1)
    yys = np.cumsum((y * y)[:, ::-1], axis=1)
    ks = range(min_points, (N if max_points is None else min(N, max_points)) + 1)
    n_k = max(len(ks), 0)
    adj = np.full((P, n_k), np.nan)
    lz = np.full((P, n_k), np.nan)
    for j, k in enumerate(ks):
        r2, slope, _ = _suffix_fit(xs[:, k - 1], ys[:, k - 1], xxs[:, k - 1], xys[:, k - 1], yys[:, k - 1], k)
        ok = m >= k
        adj[:, j] = np.where(ok, adjusted_r_squared(r2, np.full(P, float(k))), np.nan)
        lz[:, j] = np.where(ok, -slope, np.nan)
    if n_k:
        best = np.where(np.isnan(adj), -np.inf, adj).max(axis=1)
        with np.errstate(invalid="ignore"):
            keep = (lz > 0) & (adj > (best - adj_r2_factor)[:, None])
        any_keep = keep.any(axis=1)
        chosen_k = np.where(any_keep, min_points + (n_k - 1 - np.argmax(keep[:, ::-1], axis=1)), 0)
    else:
        any_keep = np.zeros(P, dtype=bool)
        chosen_k = np.zeros(P, dtype=np.int64)
    reason = np.where(m < min_points, LAMZ_TOO_FEW_POINTS, np.where(any_keep, LAMZ_OK, LAMZ_NO_POSITIVE_FIT))
    # the chosen fit, read from the same suffix sums at k = chosen_k
    col = np.maximum(chosen_k - 1, 0)[:, None]
    kf = np.maximum(chosen_k, 1).astype(float)
    at_k = [np.take_along_axis(a, col, axis=1)[:, 0] for a in (xs, ys, xxs, xys, yys)]
    r2, slope, a_centred = _suffix_fit(at_k[0], at_k[1], at_k[2], at_k[3], at_k[4], kf)
    n = chosen_k.astype(float)
    intercept = yr + a_centred - slope * xr
    first = np.take_along_axis(xo, (N - np.maximum(chosen_k, 1))[:, None], axis=1)[:, 0]
    last = xr
    fitted = chosen_k > 0
    manual = np.zeros(P, dtype=bool)
    chosen = np.zeros((P, N), dtype=bool)
    if window_start is not None:
        ws = np.broadcast_to(np.asarray(window_start, dtype=float), (P,))
        we = np.broadcast_to(np.asarray(window_end if window_end is not None else np.inf, dtype=float), (P,))
        in_window = ~np.isnan(ws)[:, None] & (time >= ws[:, None]) & (time <= we[:, None])
        manual |= ~np.isnan(ws)
        chosen |= in_window
    if include is not None:
        forced = np.asarray(include.any(axis=1), dtype=bool)
        chosen = np.where(forced[:, None], include, chosen)
        manual |= forced
    if manual.any():
        rows = np.flatnonzero(manual)
        use_rows = usable[rows] & chosen[rows]
        xm, ym = compact_right(use_rows, time[rows], logc[rows])
        n_in = use_rows.sum(axis=1)
        use = (np.arange(N)[None, :] >= (N - n_in)[:, None]) & (n_in[:, None] > 0)
        s_m, i_m, r2_m, n_m, f_m, l_m = _fit_masked(xm, ym, use)
        slope[rows], intercept[rows], r2[rows], n[rows], first[rows], last[rows] = (
            s_m,
            i_m,
            r2_m,
            n_m,
            f_m,
            l_m,
        )
        fitted[rows] = n_in >= 2
        reason[rows] = np.where(
            n_in < 2, LAMZ_MANUAL_TOO_FEW, np.where(-s_m > 0, LAMZ_OK, LAMZ_MANUAL_NOT_POSITIVE)
        )
    lam = -slope
    nan = np.full(P, np.nan)
    return LambdaZFit(
        lambda_z=np.where(fitted, lam, nan),
        intercept=np.where(fitted, intercept, nan),
        r_squared=np.where(fitted, r2, nan),
        adj_r_squared=np.where(fitted, adjusted_r_squared(r2, n), nan),
        n_points=np.where(fitted, n, nan),
        time_first=np.where(fitted, first, nan),
        time_last=np.where(fitted, last, nan),
        n_candidates=m.astype(np.int64),
        manual=manual,
        reason=reason.astype(np.int64),
    )
