"""The periods of a crossover from an ADaM ADSL data set: each subject's period start and end dates (and
times) and planned and actual treatment per period, which place a PC sample's reference dose (PCRFTDTC) in
its period.

ADaMIG v1.3 (CDISC, 2021), section 3.2.7 "Treatment Timing Variables": ``APxxSDT`` / ``APxxSTM`` /
``APxxSDTM`` are the start date, time and date-time of period xx, ``APxxEDT`` / ``APxxETM`` / ``APxxEDTM``
its end, one record per subject; section 3.2.5: ``TRTxxP`` is the planned and ``TRTxxA`` the actual
treatment of period xx. In a BDS data set ``APERIOD`` is the period a record falls in, ``TRTP`` the
``TRTxxP`` and ``TRTA`` the ``TRTxxA`` of that period (section 3.3.3, "Timing Variables for BDS": "the value
of APERIOD ... is the period associated with the record"; the pharmaverse admiral function
``derive_vars_period`` takes APxxSDT/APxxEDT to build the period reference data set the same way).

A period counted from ADSL differs from the order of the sampled doses when a subject was not sampled in
every period (dropped after period 1 is fine; missed in period 1, its period 2 would be called 1) or a run-in
dose was sampled: ADSL gives the true period, which :func:`assign_periods` looks up.

Values are read as a SAS transport file or a text table holds them: a date as an ISO 8601 text, a date of a
SAS data set (pyreadstat gives a date or timestamp) or a SAS date number (days since 1960-01-01); a time as
``HH:MM[:SS]``, a time object or seconds since midnight; a date-time as ISO 8601, a timestamp or seconds
since 1960-01-01 00:00.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from bioparity.errors import DataFileError
from bioparity.i18n.notes import note_template
from bioparity.io.readers import LoadedTable
from bioparity.nca.samples import Where

#: A period start variable of ADSL: APxxSDT (date) or APxxSDTM (date-time), xx = 01..99.
_START = re.compile(r"^AP(\d\d)SDTM?$")
#: SAS dates and date-times count from this day.
_SAS_EPOCH = pd.Timestamp("1960-01-01")

ADSL_WITHOUT_COLUMN = note_template("ADaM ADSL without this column")
A_ADSL_COLUMNS = note_template(
    "USUBJID and the period start dates APxxSDT (or date-times APxxSDTM) of an ADaM ADSL (ADaMIG v1.3, "
    "section 3.2.7)"
)
NOT_A_PERIOD_DATE = note_template("not a date, time or date-time of an ADSL period")
A_PERIOD_DATE = note_template(
    "an ISO 8601 date (or date-time), HH:MM:SS, or a SAS date, time or date-time number"
)
TWO_ADSL_RECORDS = note_template("this USUBJID has a second ADSL record")
A_ONE_ADSL_RECORD = note_template("one ADSL record per USUBJID")
SUBJECT_NOT_IN_ADSL = note_template(
    "a subject with samples that the ADSL {adsl} does not have (subjects missing from it: {subjects})"
)
A_ADSL_SUBJECT = note_template("one ADSL record (USUBJID) per sampled subject")
OUTSIDE_EVERY_PERIOD = note_template(
    "a reference dose outside every period of its subject in the ADSL {adsl} (a run-in dose, or a period "
    "start date APxxSDT missing or later than the dose)"
)
A_DOSE_IN_A_PERIOD = note_template(
    "a PCRFTDTC on or after the subject's APxxSDT(M) and not after its APxxEDT(M)"
)

#: The BDS treatment variables of a record (ADaMIG v1.3, section 3.3.3) and the suffix of the ADSL variable
#: of period xx each is read from (section 3.2.5): TRTP = TRTxxP (planned), TRTA = TRTxxA (actual).
PERIOD_TREATMENTS = {"TRTP": "P", "TRTA": "A"}

#: How many subjects missing from an ADSL or a DM domain an error lists (then ``...``; the count is always
#: given).
MISSING_LISTED = 10


def missing_subjects(subjects: pd.Series, known: npt.NDArray[np.bool_]) -> str:
    """The sampled subjects that a subject-level table (ADSL, DM) does not have, for an error: their count,
    then the first :data:`MISSING_LISTED` of them in the order of the samples, each once (``3: S1, S4, S9``;
    ``...`` after the last listed when there are more). ``known``: per sample, whether the table has its
    subject."""
    missing = list(dict.fromkeys(subjects[~known].astype(str)))
    listed = ", ".join(missing[:MISSING_LISTED]) + (", ..." if len(missing) > MISSING_LISTED else "")
    return f"{len(missing)}: {listed}"


@dataclass(frozen=True)
class AdslPeriods:
    """The periods of every subject of an ADSL, one row per subject and period with a start: ``subject``
    (USUBJID, stripped), ``period`` (int, the xx of APxx), ``start`` and ``end`` (timestamps; a date
    without a time starts at 00:00 and ends at 24:00 of its day; no end: NaT), ``TRTP`` (TRTxxP) and
    ``TRTA`` (TRTxxA; each ``''`` without it); ``file``: the ADSL's name for messages; ``treatments``: the
    variables of :data:`PERIOD_TREATMENTS` that the ADSL gives (it has their TRTxxP / TRTxxA)."""

    rows: pd.DataFrame
    file: str
    treatments: tuple[str, ...]


def is_adsl(frame: pd.DataFrame) -> bool:
    """True when the table looks like an ADaM ADSL with periods: USUBJID and at least one APxxSDT or
    APxxSDTM (ADaMIG v1.3, section 3.2.7), and no concentration or dose column."""
    cols = {str(c).upper() for c in frame.columns}
    return (
        "USUBJID" in cols
        and any(_START.match(c) for c in cols)
        and not cols & {"PCSTRESN", "EXDOSE", "CONC", "AVAL"}
    )


def adsl_periods(table: LoadedTable) -> AdslPeriods:
    """The periods of an ADSL read from a file (:func:`bioparity.io.readers.read_any_table`).

    Raises
    ------
    DataFileError
        An ADSL without USUBJID or any APxxSDT/APxxSDTM; a date, time or date-time that is none; a second
        record of one USUBJID; each naming the file, row and column.
    """
    where = Where(file=table.file, line_offset=table.line_offset)
    frame = table.frame.rename(columns={c: str(c).upper() for c in table.frame.columns})
    frame = frame.reset_index(drop=True)
    periods = sorted({int(m[1]) for c in frame.columns if (m := _START.match(str(c)))})
    if "USUBJID" not in frame.columns or not periods:
        column = "USUBJID" if "USUBJID" not in frame.columns else "AP01SDT"
        raise DataFileError(ADSL_WITHOUT_COLUMN, file=table.file, column=column, expected=A_ADSL_COLUMNS)
    subjects = frame["USUBJID"].astype("string").str.strip()
    where.reject(
        subjects.duplicated().to_numpy(dtype=bool), TWO_ADSL_RECORDS, "USUBJID", subjects, A_ONE_ADSL_RECORD
    )
    parts = []
    given: set[str] = set()
    for xx in periods:
        p = f"AP{xx:02d}"
        start = _instants(frame, where, p + "SDTM", p + "SDT", p + "STM", end=False)
        end = _instants(frame, where, p + "EDTM", p + "EDT", p + "ETM", end=True)
        part = pd.DataFrame({"subject": subjects, "period": xx, "start": start, "end": end})
        for variable, suffix in PERIOD_TREATMENTS.items():
            column = f"TRT{xx:02d}{suffix}"
            given |= {variable} if column in frame.columns else set()
            part[variable] = frame[column].astype("string").fillna("").str.strip() if column in frame else ""
        parts.append(part)
    rows = pd.concat(parts, ignore_index=True)
    rows = rows[rows["start"].notna()].sort_values(["subject", "start", "period"], kind="stable")
    treatments = tuple(v for v in PERIOD_TREATMENTS if v in given)
    return AdslPeriods(rows.reset_index(drop=True), table.file, treatments)


def _instants(
    frame: pd.DataFrame, where: Where, datetime: str, date: str, time: str, *, end: bool
) -> pd.Series:
    """The date-time of ``datetime`` where given, else ``date`` (+ ``time``; a date alone: its 00:00, or for
    an ``end`` the next day's 00:00 less a nanosecond, so that the whole day is in the period)."""
    out = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
    if date in frame.columns:
        days = _parsed(frame[date], where, date, _date_value)
        out = days.dt.normalize()
        if time in frame.columns:
            clock = _parsed(frame[time], where, time, _time_value)
            whole_day = pd.Timedelta(days=1) - pd.Timedelta(1) if end else pd.Timedelta(0)
            out = (out + clock).where(clock.notna(), out + whole_day)
        elif end:
            out = out + pd.Timedelta(days=1) - pd.Timedelta(1)
    if datetime in frame.columns:
        stamps = _parsed(frame[datetime], where, datetime, _datetime_value)
        out = stamps.where(stamps.notna(), out)
    return out


def _parsed(column: pd.Series, where: Where, name: str, parse: Callable[[object], object]) -> pd.Series:
    """Each cell of ``column`` parsed by ``parse`` (None: empty), refused naming the row where it is not."""
    values, bad = [], []
    for cell in column.tolist():
        try:
            value = parse(cell)
        except (TypeError, ValueError, OverflowError):
            value, failed = None, True
        else:
            failed = False
        values.append(value)
        bad.append(failed)
    where.reject(np.asarray(bad), NOT_A_PERIOD_DATE, name, column.astype("string"), A_PERIOD_DATE)
    cells = pd.Series(values, index=column.index, dtype=object)
    return cells.astype("timedelta64[ns]") if parse is _time_value else cells.astype("datetime64[ns]")


def _empty(cell: object) -> bool:
    return (
        cell is None
        or (isinstance(cell, float) and np.isnan(cell))
        or cell is pd.NaT
        or (isinstance(cell, str) and not cell.strip())
    )


def _date_value(cell: object) -> pd.Timestamp | None:
    """A date: ISO 8601 text, a date/timestamp, or SAS days since 1960-01-01."""
    if _empty(cell):
        return None
    if isinstance(cell, int | float | np.integer | np.floating) and not isinstance(cell, bool):
        return _SAS_EPOCH + pd.Timedelta(days=float(cell))
    return _datetime_value(cell)


def _datetime_value(cell: object) -> pd.Timestamp | None:
    """A date-time: ISO 8601 text, a date/timestamp, or SAS seconds since 1960-01-01 00:00."""
    if _empty(cell):
        return None
    if isinstance(cell, int | float | np.integer | np.floating) and not isinstance(cell, bool):
        return _SAS_EPOCH + pd.Timedelta(seconds=float(cell))
    if isinstance(cell, dt.date | pd.Timestamp | np.datetime64):
        return pd.Timestamp(cell)
    if not isinstance(cell, str):
        raise TypeError(cell)
    return pd.Timestamp(pd.to_datetime(cell.strip(), format="ISO8601"))


def _time_value(cell: object) -> pd.Timedelta | None:
    """A time of day: ``HH:MM[:SS]``, a time object, or SAS seconds since midnight."""
    if _empty(cell):
        return None
    if isinstance(cell, int | float | np.integer | np.floating) and not isinstance(cell, bool):
        return pd.Timedelta(seconds=float(cell))
    if isinstance(cell, dt.time):
        return pd.Timedelta(hours=cell.hour, minutes=cell.minute, seconds=cell.second)
    if not isinstance(cell, str) or not re.fullmatch(r"\d\d:\d\d(:\d\d(\.\d+)?)?", cell.strip()):
        raise ValueError(cell)
    text = cell.strip()
    return pd.Timedelta(text if text.count(":") == 2 else text + ":00")


def _ns(stamps: pd.Series) -> pd.Series:
    """Time stamps in nanoseconds (pandas may read them in microseconds), naive: a PCRFTDTC with a UTC offset
    keeps its local clock time, which is what an ADSL date and time without an offset state."""
    if isinstance(stamps.dtype, pd.DatetimeTZDtype):
        stamps = stamps.dt.tz_localize(None)
    return stamps.astype("datetime64[ns]")


def assign_periods(
    adsl: AdslPeriods, subjects: pd.Series, instants: pd.Series, where: Where | None, column: str
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """The ADSL period (and its TRTxxP / TRTxxA) of each sample, from its subject and reference dose
    date-time: the subject's period with the latest start at or before the dose, when the dose is not after
    that period's end (ADaMIG v1.3, section 3.3.3).

    Parameters
    ----------
    adsl : AdslPeriods
        The periods (:func:`adsl_periods`).
    subjects, instants : Series
        USUBJID and the reference dose (PCRFTDTC, as timestamps) of each sample, in the samples' order.
    where, column : Where or None, str
        The samples' file, and the column the reference dose was read from, for errors. ``where`` None:
        nothing is refused, a subject the ADSL lacks or an instant outside its periods gets period -1 (the
        EX doses of multiple-dose NCA, :func:`bioparity.io.nca_input.read_doses`: a run-in dose, or a
        subject without samples, belongs to no profile).

    Returns
    -------
    tuple
        Period numbers (int64) of the samples, and their treatments (object arrays) keyed by the BDS
        variable, for those of ``adsl.treatments``: ``TRTP`` from TRTxxP, ``TRTA`` from TRTxxA.

    Raises
    ------
    DataFileError
        A sampled subject that the ADSL does not have (every such subject listed), or a reference dose
        outside every period of its subject, at the first such sample (file, row and column).
    """
    subject = subjects.astype("string").str.strip().fillna("").reset_index(drop=True)
    known = subject.isin(set(adsl.rows["subject"])).to_numpy(dtype=bool)
    if not known.all() and where is not None:
        problem = SUBJECT_NOT_IN_ADSL.format(adsl=adsl.file, subjects=missing_subjects(subject, known))
        where.reject(~known, problem, "USUBJID", subject, A_ADSL_SUBJECT)
    samples = pd.DataFrame(
        {"subject": subject.astype(str), "when": _ns(pd.to_datetime(instants)).reset_index(drop=True)}
    )
    samples["_order"] = np.arange(len(samples))
    ordered = samples.dropna(subset=["when"]).sort_values("when", kind="stable")
    rows = adsl.rows.astype({"subject": str}).sort_values("start", kind="stable")
    rows["start"], rows["end"] = _ns(rows["start"]), _ns(rows["end"])
    matched = pd.merge_asof(
        ordered, rows, left_on="when", right_on="start", by="subject", direction="backward"
    ).sort_values("_order")
    period = np.full(len(samples), -1, dtype=np.int64)
    treatments = {v: np.full(len(samples), "", dtype=object) for v in adsl.treatments}
    inside = matched["period"].notna() & ~(matched["end"].notna() & (matched["when"] > matched["end"]))
    at = matched["_order"].to_numpy(dtype=np.int64)[inside.to_numpy()]
    period[at] = matched.loc[inside, "period"].to_numpy(dtype=np.int64)
    for variable, values in treatments.items():
        values[at] = matched.loc[inside, variable].to_numpy(dtype=object)
    if where is None:
        return period, treatments
    problem = OUTSIDE_EVERY_PERIOD.format(adsl=adsl.file)
    where.reject(
        period < 0, problem, column, instants.astype("string").reset_index(drop=True), A_DOSE_IN_A_PERIOD
    )
    return period, treatments
