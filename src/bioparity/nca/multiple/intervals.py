"""NCA of multiple-dose studies from a sample table and dose records: one result per dosing interval.

Samples and doses share one clock (hours since the first dose, or any common origin). Dose records are
``subject,time,dose[,route,duration]`` (plus grouping columns shared with the samples); a dose record
applies to every concentration profile with the same keys (for example all analytes of a subject). The
terminal phase (lambda_z, and the usual single-dose parameters) is taken after the last dose of each
profile; every interval gets the steady-state parameters of :mod:`bioparity.nca.multiple.steady_state` and the
accumulation ratios against the first dose.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pandas as pd

from bioparity._results import software_version, values_text
from bioparity.errors import DataFileError
from bioparity.i18n.notes import note_template
from bioparity.nca.blq import clean_blq
from bioparity.nca.multiple.steady_state import (
    INTERVAL_REASONS,
    DosingIntervals,
    accumulation_ratios,
    dosing_intervals,
    interval_parameters,
)
from bioparity.nca.options import NCAOptions
from bioparity.nca.parameter_table import ParameterTable
from bioparity.nca.profiles import FloatArray, compact_left
from bioparity.nca.samples import Where, matched_profiles, parse_numbers, prepare_samples
from bioparity.nca.single.engine import nca_arrays
from bioparity.nca.single.results import NCAResult
from bioparity.problems import A_POSITIVE_DOSE, DOSE_NOT_POSITIVE

#: The reason of an interval value extrapolated to the end of the interval (not a missing value).
EXTRAPOLATED = note_template("extrapolated to the end of the interval with lambda_z (Phoenix rule)")
# A dose record's problems (a DataFileError, shown in the reader's language).
NEGATIVE_DURATION = note_template("negative duration")
A_DURATION_HOURS = note_template("a duration >= 0 (hours)")
TWO_DOSES_AT_ONCE = note_template("two doses at the same time")
ONE_DOSE_PER_TIME = note_template("one dose record per time")
DOSE_COLUMNS_MISSING = note_template("missing column(s) {missing} in the dose records")
DOSE_COLUMNS = note_template("columns {columns} (one row per dose)")

#: Interval parameters in report order, with their labels (CDISC PPTEST where one exists).
INTERVAL_LABELS = {
    "AUCTAU": "AUC Over Dosing Interval",
    "AUMCTAU": "AUMC Over Dosing Interval",
    "CMAX": "Max Conc",
    "TMAX": "Time of CMAX",
    "CMIN": "Min Conc",
    "TMIN": "Time of CMIN Observation",
    "CTROUGH": "Conc Trough",
    "CAVG": "Average Conc",
    "FLUCP": "Fluctuation%",
    "FLUCPTAU": "Fluctuation% Tau",
    "SWING": "Swing",
    "SWINGTAU": "Swing Tau",
    "PTROUGHR": "Peak Trough Ratio",
    "AILAMZ": "Accumulation Index using Lambda z",
    "CLFTAU": "Total CL by F for Dose Int",
    "CLTAU": "Total CL for Dose Int",
    "VZFTAU": "Vz by F for Dose Int",
    "VZTAU": "Vz for Dose Int",
    "ARAUC": "Accumulation Ratio AUCTAU",
    "ARCMAX": "Accumulation Ratio Cmax",
}


@dataclass(frozen=True, repr=False)
class IntervalResult(ParameterTable):
    """Parameters of every dosing interval (``values[r, k]`` = code ``codes[k]`` of interval ``r``).

    ``intervals`` holds the profile keys, ``dose_number``, ``start`` and ``end`` (dose clock), ``tau``
    and ``dose`` of each interval; ``reason[r, k]`` indexes ``reason_text`` (why a value is missing).
    ``terminal`` is the single-dose NCA after the last dose of each profile (lambda_z and friends).

    Attributes
    ----------
    intervals : pandas.DataFrame
        ``R`` rows, one per dosing interval: the profile keys, ``dose_number`` (1 = first dose), ``start``
        and ``end`` (on the shared clock, time unit of the data), ``tau`` (``end - start``), ``dose``,
        ``duration`` (infusion length, NaN if none) and ``tau_extrapolated`` (AUCTAU extrapolated to the
        end of tau with lambda_z).
    codes : tuple of str
        Parameter codes, the ``K`` columns of ``values`` (CDISC PPTESTCD where one exists: AUCTAU, CMAX,
        CMIN, CTROUGH, CAVG, FLUCP, SWING, PTROUGHR, AILAMZ, CLFTAU or CLTAU, ..., ARAUC, ARCMAX).
    values : numpy.ndarray
        ``(R, K)`` values in the units of the data (fluctuation and swing as percent and ratio); NaN when
        missing.
    reason : numpy.ndarray
        ``(R, K)`` int8 index into ``reason_text`` (0: present).
    reason_text : tuple of str
        Why a value is missing, in words.
    terminal : NCAResult
        Single-dose NCA of the samples after each profile's last dose (lambda_z, half-life, ...).
    options : NCAOptions
        Settings of the analysis.
    n_dose_records_unmatched : int, default 0
        Dose records whose keys match no sampled profile (reported, not an error).
    n_missing_samples, n_blq_samples : int, default 0
        Samples left out for a missing concentration, and BLQ samples the BLQ rule drops, in every dosing
        interval (``terminal`` counts only those after the last dose).
    software_version : str
        bioparity version that computed the result.
    """

    SETTINGS = ("options",)
    ROWS = "intervals"

    intervals: pd.DataFrame
    codes: tuple[str, ...]
    values: FloatArray
    reason: npt.NDArray[np.int8]
    reason_text: tuple[str, ...]
    terminal: NCAResult
    options: NCAOptions
    n_dose_records_unmatched: int = 0
    n_missing_samples: int = 0
    n_blq_samples: int = 0
    software_version: str = field(default_factory=software_version)

    def to_frame(self) -> pd.DataFrame:
        """Long table: profile keys, dose_number, start, end, PPTESTCD, PPSTRESN, reason."""
        keys = self.intervals.drop(
            columns=["start", "end", "tau", "dose", "duration", "tau_extrapolated"], errors="ignore"
        )
        out, rows = self._long_table(
            keys, start=self.intervals["start"].to_numpy(), end=self.intervals["end"].to_numpy()
        )
        # per line: its code (the lines of a row hold the codes in order) and its reason, as indices into
        # the codes and the texts, so that the tests below run on the K codes, not the R x K lines
        code = np.tile(np.arange(len(self.codes)), len(self.intervals))
        texts = (*self.reason_text, EXTRAPOLATED)
        reason = self.reason.ravel().astype(np.intp)
        if "tau_extrapolated" in self.intervals.columns:
            ext = (
                self.intervals["tau_extrapolated"].to_numpy(dtype=bool)[rows]
                & _of_codes(self.codes, EXTRAPOLATED_CODES)[code]
            )
            reason = np.where(ext & (np.asarray(texts) == "")[reason], len(texts) - 1, reason)
        out["reason"] = np.asarray(texts, dtype=object)[reason]
        lz = (
            _of_codes(self.codes, ("AILAMZ", "VZTAU", "VZFTAU"))[code]
            | np.asarray([t.startswith("extrapolated") for t in texts])[reason]
        )
        out["lambda_z_method"] = np.asarray(["", self.terminal.lambda_z_method], dtype=object)[
            lz.astype(np.intp)
        ]
        return out

    def to_wide(self) -> pd.DataFrame:
        """One row per interval, one column per parameter."""
        return pd.concat(
            [self.intervals.reset_index(drop=True), pd.DataFrame(self.values, columns=list(self.codes))],
            axis=1,
        )

    def summary(self) -> str:
        return (
            f"Multiple-dose NCA: {len(self.intervals)} dosing intervals in {self.terminal.n_profiles} "
            f"profile(s) ({self.options.auc_method}), {len(self.codes)} parameters per interval\n"
            f"{values_text(np.asarray(self.codes))}\n"
            f"{int(np.isnan(self.values).sum())} of {self.values.size} values missing; "
            f"{self.n_dose_records_unmatched} dose records without samples"
        )


def _of_codes(codes: Sequence[str], chosen: Sequence[str]) -> npt.NDArray[np.bool_]:
    """Which of ``codes`` are among ``chosen``."""
    return np.asarray([c in chosen for c in codes], dtype=bool)


#: Values that follow the extrapolated area or trough when AUCTAU is extrapolated to the end of tau.
EXTRAPOLATED_CODES = (
    "AUCTAU", "AUMCTAU", "CTROUGH", "CAVG", "FLUCP", "FLUCPTAU", "SWINGTAU", "PTROUGHR", "CLFTAU",
    "CLTAU", "VZFTAU", "VZTAU", "ARAUC",
)  # fmt: skip

#: Intervals per block of work (bounds the (intervals x samples) temporaries).
BLOCK_INTERVALS = 16384


_Parts = tuple[dict[str, FloatArray], dict[str, npt.NDArray[np.int8]], npt.NDArray[np.bool_]]


def _blocked(
    time: FloatArray,
    conc: FloatArray,
    iv: DosingIntervals,
    method: str,
    lz: FloatArray,
    c_tau: FloatArray | None,
) -> _Parts:
    """interval_parameters over blocks of intervals, in threads (NumPy releases the GIL)."""

    def run(lo: int) -> _Parts:
        sl = slice(lo, min(lo + BLOCK_INTERVALS, iv.n))
        sub = DosingIntervals(iv.profile[sl], iv.dose_number[sl], iv.start[sl], iv.tau[sl], iv.dose[sl])
        pred = None if c_tau is None else c_tau[sl]
        return interval_parameters(time, conc, sub, auc_method=method, lambda_z=lz, c_tau_predicted=pred)

    starts = range(0, max(iv.n, 1), BLOCK_INTERVALS)
    workers = min(len(starts), os.cpu_count() or 1)
    if workers > 1:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            parts = list(pool.map(run, starts))
    else:
        parts = [run(lo) for lo in starts]
    values = {k: np.concatenate([p[0][k] for p in parts]) for k in parts[0][0]}
    reasons = {k: np.concatenate([p[1][k] for p in parts]) for k in parts[0][1]}
    return values, reasons, np.concatenate([p[2] for p in parts])


def _dose_durations(dosing: pd.DataFrame, column: str | None, where: Where) -> npt.NDArray[np.float64]:
    """Infusion duration of each dose record (hours; NaN where blank or without the column)."""
    if column is None or column not in dosing.columns:
        return np.full(len(dosing), np.nan)
    dur, _ = parse_numbers(dosing[column].reset_index(drop=True), column, where, allow_missing=True)
    where.reject(dur < 0, NEGATIVE_DURATION, column, dosing[column], A_DURATION_HOURS)
    return dur


def dose_records(
    dosing: pd.DataFrame, keys: list[str], time: str, dose: str, where: Where
) -> tuple[pd.DataFrame, npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    present = [k for k in keys if k in dosing.columns]
    need = [*present, time, dose]
    missing = [c for c in need if c not in dosing.columns] + (
        [keys[-1]] if keys[-1] not in dosing.columns else []
    )
    if missing:
        raise DataFileError(
            DOSE_COLUMNS_MISSING.format(missing=", ".join(dict.fromkeys(missing))),
            file=where.file,
            expected=DOSE_COLUMNS.format(columns=", ".join(dict.fromkeys([keys[-1], *need]))),
        )
    dosing = dosing.reset_index(drop=True)
    t, _ = parse_numbers(dosing[time], time, where, allow_missing=False)
    d, _ = parse_numbers(dosing[dose], dose, where, allow_missing=True)
    where.reject(~np.isnan(d) & (d <= 0), DOSE_NOT_POSITIVE, dose, dosing[dose], A_POSITIVE_DOSE)
    dup = dosing.assign(_t=t).duplicated([*present, "_t"]).to_numpy()
    where.reject(dup, TWO_DOSES_AT_ONCE, time, dosing[time], ONE_DOSE_PER_TIME)
    return dosing[present], t, d


def match_doses(
    ids: pd.DataFrame, dose_keys: pd.DataFrame
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Pair every dose record with the profiles it belongs to, by the key columns the two tables share.

    Parameters
    ----------
    ids : pandas.DataFrame
        The profile keys, one row per profile (row ``p`` is profile ``p``).
    dose_keys : pandas.DataFrame
        The key columns of the dose records found in both tables (the first result of
        :func:`dose_records`), one row per dose record.

    Returns
    -------
    profile : numpy.ndarray of int64
        Profile (row of ``ids``) of each matched pair, in profile order.
    record : numpy.ndarray of int64
        Dose record (row of ``dose_keys``) of each matched pair; a record matching no profile is in no pair.
    """
    merged = matched_profiles(ids, dose_keys, how="inner")
    return merged["_profile"].to_numpy(dtype=np.int64), merged["_row"].to_numpy(dtype=np.int64)


def nca_multiple_dose(
    frame: pd.DataFrame,
    dosing: pd.DataFrame,
    *,
    subject: str = "subject",
    time: str = "time",
    conc: str = "conc",
    groups: Sequence[str] = (),
    dose_time: str = "time",
    dose: str = "dose",
    duration: str | None = "duration",
    tau: float | None = None,
    blq: str | None = None,
    lloq: str | None = None,
    options: NCAOptions | None = None,
    terminal_parameters: Sequence[str] | None = None,
    where: Where | None = None,
    dosing_where: Where | None = None,
) -> IntervalResult:
    """Steady-state and per-interval NCA of every profile (``groups`` + ``subject``) of ``frame``.

    ``dosing`` has one row per dose (``subject``, the grouping columns it shares with ``frame``,
    ``dose_time``, ``dose`` and optionally ``duration``, the infusion length of each dose in hours,
    needed for ``route='iv-infusion'``: the last dose's duration sets where the terminal phase may start);
    ``tau`` is the dosing interval after the last dose (without it the last
    dose gets no interval parameters, with the reason stated). Sample times and dose times share a clock.

    Parameters
    ----------
    frame : pandas.DataFrame
        The samples, one row per sample, times on the same clock as the doses.
    dosing : pandas.DataFrame
        The dose records, one row per dose.
    subject : str, default "subject"
        Subject column, in both tables.
    time : str, default "time"
        Sample time column of ``frame``.
    conc : str, default "conc"
        Concentration column of ``frame`` (numbers >= 0, blank, or a BLQ marker).
    groups : sequence of str, default ()
        Further profile keys of ``frame``; those also in ``dosing`` match doses to profiles.
    dose_time : str, default "time"
        Dose time column of ``dosing``.
    dose : str, default "dose"
        Dose amount column of ``dosing`` (> 0; blank if unknown: the dose-based values are then missing).
    duration : str or None, default "duration"
        Infusion length column of ``dosing`` (used when present; needed for ``route='iv-infusion'``).
    tau : float or None, default None
        Dosing interval after the last dose (time unit of the data); None: the last dose has no interval.
    blq : str or None, default None
        Column of BLQ markers in ``frame``.
    lloq : str or None, default None
        Column of lower limits of quantification in ``frame`` (a concentration below it is BLQ).
    options : NCAOptions or None, default None
        Settings; None uses ``NCAOptions()``. ``auctau_extrapolate`` chooses the Phoenix rule for an
        interval ending after the last sample.
    terminal_parameters : sequence of str or None, default None
        Codes computed in the terminal (last dose) NCA; None: all that apply.
    where : Where or None, default None
        File of the samples, for error messages.
    dosing_where : Where or None, default None
        File of the dose records, for error messages (default: "dose records").

    Returns
    -------
    IntervalResult
        The parameters of every dosing interval and the terminal NCA after the last dose.

    Raises
    ------
    bioparity.errors.DataFileError
        When a column is missing or a cell invalid in either table (row and column named), a dose is <= 0
        or two doses of a profile share a time.
    bioparity.errors.InputError
        When a setting is invalid (e.g. an infusion without a duration).

    References
    ----------
    Denney W, Duvvuri S, Buckeridge C. The PKNCA R package. J Pharmacokinet Pharmacodyn 2015;42(S1):S65
    (``auctau``, ``ctrough``, ``cav``, ``fluctuation``, ``swing``). Gabrielsson J, Weiner D.
    Pharmacokinetic and Pharmacodynamic Data Analysis, 5th ed. 2016, chapter 2 (multiple dosing,
    accumulation). EMA CPMP/EWP/QWP/1401/98 Rev. 1, section 4.1.5 (steady-state parameters:
    AUC(0-tau), Cmax,ss, Cmin,ss, Ctrough,ss, fluctuation).

    Examples
    --------
    >>> import pandas as pd
    >>> samples = pd.DataFrame({"subject": 1, "time": [0.0, 1.0, 12.0, 13.0, 24.0],
    ...                         "conc": [0.0, 10.0, 2.0, 11.0, 2.5]})
    >>> doses = pd.DataFrame({"subject": [1, 1], "time": [0.0, 12.0], "dose": [100.0, 100.0]})
    >>> res = nca_multiple_dose(samples, doses, tau=12.0)
    >>> res.to_wide()[["dose_number", "start", "end", "CMAX", "CTROUGH"]]
       dose_number  start   end  CMAX  CTROUGH
    0            1    0.0  12.0  10.0      2.0
    1            2   12.0  24.0  11.0      2.5
    """
    w = where or Where()
    dw = dosing_where or Where(file="dose records")
    opts = options or NCAOptions()
    keys = [*groups, subject]
    prep = prepare_samples(frame, keys=keys, time=time, conc=conc, blq=blq, lloq=lloq, where=w)
    ids = prep.ids
    P = len(ids)
    dkeys, dt, dd = dose_records(dosing, keys, dose_time, dose, dw)
    dur = _dose_durations(dosing, duration, dw)
    prof, rows = match_doses(ids, dkeys)
    unmatched = len(dkeys) - len(np.unique(rows))
    iv = dosing_intervals(prof, dt[rows], dd[rows], tau_last=tau)
    iv_duration = dur[rows][np.lexsort((dt[rows], prof))]  # the order dosing_intervals sorts into

    # terminal phase: samples at or after each profile's last dose, on the last-dose clock
    last_dose = np.full(P, np.nan)
    np.fmax.at(last_dose, iv.profile, iv.start)
    dose_last = np.full(P, np.nan)
    is_last = np.concatenate((iv.profile[1:] != iv.profile[:-1], [True])) if iv.n else np.zeros(0, bool)
    dose_last[iv.profile[is_last]] = iv.dose[is_last]
    duration_last = np.full(P, np.nan)
    duration_last[iv.profile[is_last]] = iv_duration[is_last]
    rel = prep.T - np.where(np.isnan(last_dose), 0.0, last_dose)[:, None]
    Tt, Ct, Bt = compact_left(rel >= 0, rel, prep.C, prep.B.astype(float))
    needed = ["LAMZ", "CLSTP", "TLST"] if opts.auctau_extrapolate else ["LAMZ"]
    terminal = nca_arrays(
        Tt,
        Ct,
        options=opts,
        blq=Bt == 1.0,
        dose=dose_last,
        duration=duration_last if opts.route == "iv-infusion" else None,
        parameters=None if terminal_parameters is None else [*terminal_parameters, *needed],
        profiles=ids,
    )
    lz = np.asarray(terminal.value("LAMZ"), dtype=float)
    c_tau = None
    if opts.auctau_extrapolate:
        # Phoenix: C(tau) on the terminal line, exp(intercept - lz tau) = Clast,pred e^(-lz (tau - Tlast))
        clstp = terminal.value("CLSTP")[iv.profile]
        tlst = terminal.value("TLST")[iv.profile]
        with np.errstate(over="ignore", invalid="ignore"):
            c_tau = np.where(is_last, clstp * np.exp(-lz[iv.profile] * (iv.tau - tlst)), np.nan)
    clean = clean_blq(prep.T, prep.C, prep.B, opts.blq)
    values, reasons, extrapolated = _blocked(clean.time, clean.conc, iv, opts.auc_method, lz, c_tau)
    ratios = accumulation_ratios(iv, values)
    values.update(ratios)
    for k in ratios:
        reasons[k] = np.where(np.isnan(ratios[k]), len(INTERVAL_REASONS) - 1, 0).astype(np.int8)
    if opts.route == "extravascular":
        values["CLFTAU"], values["VZFTAU"] = values.pop("CLTAU"), values.pop("VZTAU")
        reasons["CLFTAU"], reasons["VZFTAU"] = reasons.pop("CLTAU"), reasons.pop("VZTAU")
    codes = tuple(c for c in INTERVAL_LABELS if c in values)
    table = ids.iloc[iv.profile].reset_index(drop=True)
    table["dose_number"] = iv.dose_number
    table["start"] = iv.start
    table["end"] = iv.end
    table["tau"] = iv.tau
    table["dose"] = iv.dose
    table["duration"] = iv_duration
    table["tau_extrapolated"] = extrapolated
    return IntervalResult(
        intervals=table,
        codes=codes,
        values=np.column_stack([values[c] for c in codes]) if iv.n else np.empty((0, len(codes))),
        reason=np.column_stack([reasons[c] for c in codes]) if iv.n else np.empty((0, len(codes)), np.int8),
        reason_text=INTERVAL_REASONS,
        terminal=terminal,
        options=opts,
        n_dose_records_unmatched=unmatched,
        n_missing_samples=int(clean.n_missing_dropped.sum()),
        n_blq_samples=int(clean.n_blq_dropped.sum()),
    )
