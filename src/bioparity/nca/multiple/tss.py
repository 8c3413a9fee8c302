"""Time to steady state, per profile, vectorised: from trough concentrations, or from lambda_z.

Two documented methods:

* ``TSSMONO`` — monoexponential fit of the troughs (Maganti, Panebianco & Maes, AAPS J 10:141-7, 2008;
  PKNCA ``pk.tss.monoexponential``, individual fits): the troughs ``C(t)`` at the dose times, ``t`` since
  the first dose, are fitted by least squares with ``C(t) = Css (1 - exp(ln(1 - f) t / Tss))``, and
  ``Tss`` is the time when the fraction ``f`` (default 0.9) of the plateau ``Css`` (``CTRSSMON``) is
  reached. For a fixed ``Tss`` the best ``Css`` is linear (``sum(C g) / sum(g^2)`` with
  ``g = 1 - exp(ln(1 - f) t / Tss)``), so the fit is a one-dimensional minimisation over ``log Tss``: a
  grid, then golden-section search, for all profiles at once. Maganti et al. prefer this method to the
  stepwise linear-trend and Helmert-contrast tests, whose answer depends on the number of subjects.
* ``TSSLAMZ`` — from the terminal rate, assuming linear kinetics and a constant interval: the fraction of
  steady state reached at time ``t`` after the first dose is ``1 - exp(-lambda_z t)``, so the time to the
  fraction ``f`` is ``-ln(1 - f) / lambda_z`` (3.32 half-lives for 90%; Rowland & Tozer, Clinical
  Pharmacokinetics and Pharmacodynamics, ch. "Multiple-dose regimens").

A fit whose optimum is at an end of the search range (troughs flat from the first dose, or still rising
linearly at the last one), with fewer than 3 troughs or a plateau <= 0 is missing with the reason stated.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pandas as pd

from bioparity._results import ResultMixin, software_version, values_text
from bioparity.errors import InputError
from bioparity.i18n.notes import note_template
from bioparity.nca.multiple.intervals import dose_records, match_doses
from bioparity.nca.parameter_table import ParameterTable, ProfileFields
from bioparity.nca.profiles import FloatArray, pad_profiles
from bioparity.nca.samples import Where, prepare_samples
from bioparity.nca.single.results import NCAResult

TSS_REASONS = (
    "",
    note_template("fewer than 3 trough concentrations"),
    note_template("no interior least-squares optimum: troughs flat from the first dose or still rising"),
    note_template("fitted plateau <= 0"),
    note_template("lambda_z not estimated"),
)
TSS_LABELS = {
    "TSSMONO": "Time to Steady State, Monoexponential Troughs",
    "CTRSSMON": "Steady-State Trough Conc, Monoexponential",
    "TSSLAMZ": "Time to Steady State from Lambda z",
}
_GRID = 81
_GOLDEN_STEPS = 60
_BLOCK = 4096  # profiles per block: bounds the (profiles x grid x troughs) temporary


def _check_fraction(fraction: float) -> None:
    if not 0 < fraction < 1:
        raise InputError(f"steady-state fraction {fraction!r}; expected a number between 0 and 1 (e.g. 0.9)")


def tss_from_lambda_z(lambda_z: npt.ArrayLike, fraction: float = 0.9) -> FloatArray:
    """Time to reach ``fraction`` of steady state, ``-ln(1 - f) / lambda_z`` (NaN where lambda_z <= 0)."""
    _check_fraction(fraction)
    lz = np.asarray(lambda_z, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(np.where(lz > 0, -np.log1p(-fraction) / lz, np.nan), dtype=float)


def _rss(
    t: FloatArray, y: FloatArray, w: npt.NDArray[np.bool_], c: float, tss: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Residual sum of squares and plateau of the best Css at each Tss (``tss`` broadcasts on t[..., :1])."""
    g = np.where(w, -np.expm1(c * t / tss), 0.0)
    sgy = (g * y).sum(axis=-1)
    sgg = (g * g).sum(axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        css = sgy / sgg
        rss = (y * y).sum(axis=-1) - sgy * css
    return rss, css


def tss_monoexponential(
    time: npt.ArrayLike, conc: npt.ArrayLike, fraction: float = 0.9
) -> tuple[FloatArray, FloatArray, npt.NDArray[np.int8]]:
    """``(Tss, Css, reason)`` per row of NaN-padded ``(profiles x troughs)`` arrays (time since dose 1).

    ``reason`` indexes :data:`TSS_REASONS` (0 where the fit succeeded).
    """
    _check_fraction(fraction)
    T = np.atleast_2d(np.asarray(time, dtype=float))
    Y = np.atleast_2d(np.asarray(conc, dtype=float))
    if T.shape != Y.shape:
        raise InputError(f"time and conc must have the same shape; got {T.shape} and {Y.shape}")
    parts = [
        _fit_block(T[i : i + _BLOCK], Y[i : i + _BLOCK], fraction) for i in range(0, max(len(T), 1), _BLOCK)
    ]
    return (
        np.concatenate([q[0] for q in parts]),
        np.concatenate([q[1] for q in parts]),
        np.concatenate([q[2] for q in parts]),
    )


def _fit_block(
    T: FloatArray, Y: FloatArray, fraction: float
) -> tuple[FloatArray, FloatArray, npt.NDArray[np.int8]]:
    P = T.shape[0]
    w = ~np.isnan(T) & ~np.isnan(Y)
    t = np.where(w, T, 0.0)
    y = np.where(w, Y, 0.0)
    n = w.sum(axis=1)
    c = float(np.log1p(-fraction))
    pos = np.where(w & (t > 0), t, np.inf).min(axis=1)
    tmax = np.where(w, t, -np.inf).max(axis=1)
    ok = (n >= 3) & np.isfinite(pos) & (tmax > 0)
    lo = np.log(np.where(ok, pos, 1.0) / 100.0)
    hi = np.log(np.where(ok, tmax, 1.0) * 100.0)
    # grid over log Tss: (P, G) residual sums, the data broadcast as (P, 1, N)
    u = lo[:, None] + (hi - lo)[:, None] * np.linspace(0.0, 1.0, _GRID)[None, :]
    rss, _ = _rss(t[:, None, :], y[:, None, :], w[:, None, :], c, np.exp(u)[:, :, None])
    rss = np.where(np.isnan(rss), np.inf, rss)
    j = np.argmin(rss, axis=1)
    interior = (j > 0) & (j < _GRID - 1)
    a = np.take_along_axis(u, np.clip(j - 1, 0, _GRID - 1)[:, None], axis=1)[:, 0]
    b = np.take_along_axis(u, np.clip(j + 1, 0, _GRID - 1)[:, None], axis=1)[:, 0]
    # golden-section search inside the bracket around the best grid point
    r = (np.sqrt(5.0) - 1.0) / 2.0
    x1 = b - r * (b - a)
    x2 = a + r * (b - a)
    f1 = _rss(t, y, w, c, np.exp(x1)[:, None])[0]
    f2 = _rss(t, y, w, c, np.exp(x2)[:, None])[0]
    for _ in range(_GOLDEN_STEPS):
        left = f1 <= f2  # the minimum is in [a, x2], else in [x1, b]
        a, b = np.where(left, a, x1), np.where(left, x2, b)
        x1, x2 = np.where(left, b - r * (b - a), x2), np.where(left, x1, a + r * (b - a))
        f_new = _rss(t, y, w, c, np.exp(np.where(left, x1, x2))[:, None])[0]
        f1, f2 = np.where(left, f_new, f2), np.where(left, f1, f_new)
    u_best = (a + b) / 2.0
    tss = np.exp(u_best)
    _, css = _rss(t, y, w, c, tss[:, None])
    reason = np.zeros(P, dtype=np.int8)
    reason[~interior] = 2
    reason[(reason == 0) & ~(css > 0)] = 3
    reason[~ok] = 1
    good = reason == 0
    return np.where(good, tss, np.nan), np.where(good, css, np.nan), reason


@dataclass(frozen=True, repr=False)
class SteadyStateTime(ParameterTable, ProfileFields):
    """Time to steady state of every profile: ``values[p, k]`` is ``codes[k]``, ``reason`` indexes
    :data:`TSS_REASONS`; ``n_troughs`` counts the trough samples (at dose times) of each profile.

    Attributes
    ----------
    profiles : pandas.DataFrame
        ``P`` rows: the key columns of each profile.
    codes : tuple of str
        ``TSSMONO`` (time to the fraction of the plateau, monoexponential fit of the troughs),
        ``CTRSSMON`` (fitted trough plateau, concentration unit) and, with a terminal NCA, ``TSSLAMZ``
        (from lambda_z).
    values : numpy.ndarray
        ``(P, K)`` values: times since each profile's first dose (time unit of the data) and the plateau
        (concentration unit); NaN when missing.
    reason : numpy.ndarray
        ``(P, K)`` int8 index into :data:`TSS_REASONS` (0: present).
    n_troughs : numpy.ndarray
        ``(P,)`` number of trough samples (samples at dose times) of each profile.
    fraction : float
        Fraction of steady state the times refer to (0 < fraction < 1, e.g. 0.9).
    software_version : str
        bioparity version that computed the result.
    """

    SETTINGS = ("fraction",)

    reason: npt.NDArray[np.int8]
    n_troughs: npt.NDArray[np.int64]
    fraction: float
    software_version: str = field(default_factory=software_version)

    def _repr_fields(self) -> list[str]:
        return ["codes", "fraction"]

    # Field by field, as most results (not ParameterTable's row count and long table).
    __repr__ = ResultMixin.__repr__
    to_dict = ResultMixin.to_dict

    def summary(self) -> str:
        found = ", ".join(f"{c} {values_text(self.values[:, k])}" for k, c in enumerate(self.codes))
        return (
            f"Time to steady state ({100 * self.fraction:g}% of the plateau) of {len(self.profiles)} "
            f"profile(s): {found}"
        )

    def to_frame(self) -> pd.DataFrame:
        """Long table: profile columns, PPTESTCD, PPSTRESN, reason, method."""
        out, rows = self._long_table(self.profiles)
        out["reason"] = np.asarray(TSS_REASONS, dtype=object)[self.reason.ravel()]
        pct = f"{100 * self.fraction:g}%"
        methods = {
            "TSSMONO": f"monoexponential least-squares fit of {{n}} troughs, {pct} of plateau (Maganti 2008)",
            "CTRSSMON": "plateau of the monoexponential fit of {n} troughs",
            "TSSLAMZ": f"-ln(1 - {self.fraction:g}) / lambda_z (linear kinetics, {pct} of steady state)",
        }
        n = self.n_troughs[rows]
        out["method"] = [methods[c].format(n=k) for c, k in zip(out["PPTESTCD"], n, strict=True)]
        return out


def time_to_steady_state(
    frame: pd.DataFrame,
    dosing: pd.DataFrame,
    *,
    subject: str = "subject",
    time: str = "time",
    conc: str = "conc",
    groups: Sequence[str] = (),
    dose_time: str = "time",
    dose: str = "dose",
    fraction: float = 0.9,
    terminal: NCAResult | None = None,
    where: Where | None = None,
    dosing_where: Where | None = None,
) -> SteadyStateTime:
    """Time to steady state of each profile from its troughs (samples at dose times) and, with the
    ``terminal`` result of :func:`~bioparity.nca.multiple.intervals.nca_multiple_dose` on the same data,
    from lambda_z. Sample and dose times share one clock; times are measured from each profile's first dose.

    Parameters
    ----------
    frame : pandas.DataFrame
        The samples, one row per sample (BLQ troughs count as 0).
    dosing : pandas.DataFrame
        The dose records, one row per dose; a sample at a dose time is a trough.
    subject : str, default "subject"
        Subject column, in both tables.
    time : str, default "time"
        Sample time column of ``frame`` (same clock as the doses).
    conc : str, default "conc"
        Concentration column of ``frame``.
    groups : sequence of str, default ()
        Further profile keys of ``frame``; those also in ``dosing`` match doses to profiles.
    dose_time : str, default "time"
        Dose time column of ``dosing``.
    dose : str, default "dose"
        Dose amount column of ``dosing`` (validated, not used in the fit).
    fraction : float, default 0.9
        Fraction of the plateau (of steady state) defining Tss; strictly between 0 and 1.
    terminal : NCAResult or None, default None
        ``result.terminal`` of :func:`~bioparity.nca.multiple.intervals.nca_multiple_dose` on the same
        samples and keys; adds ``TSSLAMZ``. None: troughs only.
    where : Where or None, default None
        File of the samples, for error messages.
    dosing_where : Where or None, default None
        File of the dose records, for error messages.

    Returns
    -------
    SteadyStateTime
        TSSMONO and CTRSSMON (and TSSLAMZ) per profile with the reason for any missing value.

    Raises
    ------
    bioparity.errors.InputError
        When ``fraction`` is not in (0, 1) or ``terminal`` belongs to other profiles.
    bioparity.errors.DataFileError
        When a column is missing or a cell is invalid in either table (row and column named).

    References
    ----------
    Maganti L, Panebianco DL, Maes AL. Evaluation of methods for estimating time to steady state with
    examples from phase 1 studies. AAPS J 2008;10(1):141-147. Rowland M, Tozer TN. Clinical
    Pharmacokinetics and Pharmacodynamics, 4th ed. 2011, chapter 11 (multiple-dose regimens).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> t = np.arange(0.0, 120.0, 12.0)
    >>> trough = 10 * (1 - np.exp(np.log(0.1) * t / 48.0))  # 90 % of the plateau 10 at 48 h
    >>> samples = pd.DataFrame({"subject": 1, "time": t, "conc": trough})
    >>> doses = pd.DataFrame({"subject": 1, "time": t, "dose": 100.0})
    >>> res = time_to_steady_state(samples, doses)
    >>> [round(float(v), 3) for v in res.values[0]]
    [48.0, 10.0]
    """
    _check_fraction(fraction)
    w = where or Where()
    keys = [*groups, subject]
    prep = prepare_samples(frame, keys=keys, time=time, conc=conc, where=w)
    ids, P = prep.ids, len(prep.ids)
    dkeys, dt, _ = dose_records(dosing, keys, dose_time, dose, dosing_where or Where(file="dose records"))
    prof, rows = match_doses(ids, dkeys)
    dose_t = dt[rows]
    first = np.full(P, np.inf)
    np.minimum.at(first, prof, dose_t)
    c_long = prep.C[prep.codes, _positions(prep.codes)]  # per long row; BLQ troughs are 0
    is_trough = pd.MultiIndex.from_arrays([prep.codes, prep.t]).isin(
        pd.MultiIndex.from_arrays([prof, dose_t])
    )
    t_rel = prep.t - first[prep.codes]
    _, (Tt, Ct) = pad_profiles(prep.codes[is_trough], t_rel[is_trough], c_long[is_trough], n_profiles=P)
    tss, css, r = tss_monoexponential(Tt, Ct, fraction)
    values = [tss, css]
    reasons = [r, r]
    codes: tuple[str, ...] = ("TSSMONO", "CTRSSMON")
    if terminal is not None:
        if len(terminal.profiles) != P or not terminal.profiles.astype(str).equals(ids.astype(str)):
            raise InputError(
                "terminal: the NCA result of other profiles; run it on the same samples and keys"
            )
        lz = terminal.value("LAMZ")
        values.append(tss_from_lambda_z(lz, fraction))
        reasons.append(np.where(np.isnan(lz), TSS_REASONS.index("lambda_z not estimated"), 0).astype(np.int8))
        codes = (*codes, "TSSLAMZ")
    return SteadyStateTime(
        profiles=ids,
        codes=codes,
        values=np.column_stack(values),
        reason=np.column_stack(reasons).astype(np.int8),
        n_troughs=np.bincount(prep.codes[is_trough], minlength=P).astype(np.int64),
        fraction=fraction,
    )


def _positions(codes: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Position of each long row within its profile (rows of a profile keep their order)."""
    order = np.argsort(codes, kind="stable")
    sc = codes[order]
    starts = np.searchsorted(sc, sc, side="left")
    pos = np.empty_like(codes)
    pos[order] = np.arange(codes.size) - starts
    return pos
