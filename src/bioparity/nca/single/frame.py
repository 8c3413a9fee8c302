"""NCA of a long table (one row per sample): validation with row-level errors, then the array engine.

Checks run on whole columns (no loop over rows or profiles) and the first problem is reported with the
data row (1-based, the first row after the header is row 1), the column and what was expected:
non-numeric or negative concentrations, missing or non-numeric times, duplicated or unsorted times within
a profile, non-numeric or non-positive doses, doses that change within a profile. A missing concentration
is dropped and counted; a BLQ marker (``BLQ``, ``BQL``, ``BLOQ``, ``<LLOQ``, ``<`` followed by a number)
is a BLQ sample handled by the BLQ rule; a missing dose leaves the dose-based parameters missing with
the reason "dose missing".
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from bioparity.errors import InputError, require_columns
from bioparity.i18n.notes import note_template
from bioparity.nca.arguments import call_arguments
from bioparity.nca.options import NCAOptions
from bioparity.nca.profiles import pad_profiles
from bioparity.nca.samples import (
    Where,
    constant_per_profile,
    matched_profiles,
    parse_numbers,
    prepare_samples,
    text_cells,
)
from bioparity.nca.single.engine import nca_array_blocks, nca_arrays
from bioparity.nca.single.results import NCAResult
from bioparity.nca.unit_column import convert_conc_column

#: The reason given for one lambda_z point chosen by hand (the time, then the reviewer's reason);
#: a profile's points are ``"; "``-joined in its lambda_z note.
POINT_REASON = note_template("t={t:g}: {reason}")


def nca(
    frame: pd.DataFrame,
    *,
    subject: str = "subject",
    time: str = "time",
    conc: str = "conc",
    dose: str | float | None = None,
    groups: Sequence[str] = (),
    blq: str | None = None,
    lloq: str | None = None,
    duration: float | str | None = None,
    options: NCAOptions | None = None,
    parameters: Sequence[str] | None = None,
    intervals: Sequence[tuple[float, float]] = (),
    lambda_z_points: pd.DataFrame | None = None,
    lambda_z_exclude: pd.DataFrame | None = None,
    lambda_z_include: pd.DataFrame | None = None,
    unit_column: str | None = None,
    conc_unit: str | None = None,
    where: Where | None = None,
) -> NCAResult:
    """NCA of every profile (``groups`` + ``subject``) of a long table; times are relative to the dose.

    ``blq`` names a column of BLQ markers (true/1/Y), ``lloq`` one of lower limits (a concentration
    below it is BLQ). ``dose`` is a column or one dose for every profile; ``duration`` is the infusion
    length (number or column). ``lambda_z_points`` is a
    table with the key columns and ``lambda_z_start``, ``lambda_z_end``, ``lambda_z_reason`` to set
    the lambda_z points by hand for some profiles; the reason is required and reported.
    ``lambda_z_exclude`` / ``lambda_z_include`` are tables with the key columns and ``lambda_z_time``,
    ``lambda_z_reason``, one row per sample to leave out of the lambda_z fit / to use as the only
    lambda_z points (Phoenix-style "exclude" and "include" of individual points); reasons are reported.
    ``unit_column`` names a column with each row's concentration unit: concentrations (and ``lloq``) are
    converted into ``conc_unit`` (default: the first row's unit), recorded as ``result.conc_unit``.

    Parameters
    ----------
    frame : pandas.DataFrame
        The samples, one row per sample (e.g. read from SDTM PC or a CSV file).
    subject : str, default "subject"
        Subject identifier column (the last key of a profile).
    time : str, default "time"
        Column of sample times relative to the dose (time unit of the data).
    conc : str, default "conc"
        Concentration column: numbers >= 0, blank for missing, or a BLQ marker (``BLQ``, ``<LLOQ``, ...).
    dose : str, float or None, default None
        Column holding the dose of each profile (constant within it) or one dose > 0 for all; None
        computes no dose-based parameter.
    groups : sequence of str, default ()
        Further key columns (e.g. period, treatment, analyte); a profile is ``groups + [subject]``.
    blq : str or None, default None
        Column of BLQ markers (``true``, ``1``, ``Y``, ``BLQ``).
    lloq : str or None, default None
        Column of lower limits of quantification: a concentration below it is BLQ.
    duration : float, str or None, default None
        Infusion length (time unit of the data), one number or a column; needed for ``route='iv-infusion'``.
    options : NCAOptions or None, default None
        Settings; None uses ``NCAOptions()`` (PKNCA's defaults).
    parameters : sequence of str or None, default None
        CDISC codes or PKNCA names to report; None reports every one that applies.
    intervals : sequence of (float, float), default ()
        Partial AUC intervals ``(start, end)`` (code ``AUCINT``).
    lambda_z_points : pandas.DataFrame or None, default None
        Key columns plus ``lambda_z_start``, ``lambda_z_end``, ``lambda_z_reason``: lambda_z points set
        by hand for some profiles (the reason is required and reported).
    lambda_z_exclude, lambda_z_include : pandas.DataFrame or None, default None
        Key columns plus ``lambda_z_time`` and ``lambda_z_reason``, one row per sample to leave out of /
        to use as the only points of the lambda_z fit.
    unit_column : str or None, default None
        Column with each row's concentration unit; concentrations (and ``lloq``) are converted to
        ``conc_unit``.
    conc_unit : str or None, default None
        Target concentration unit with ``unit_column`` (default: the first row's unit).
    where : Where or None, default None
        File name and line offset for error messages; None names no file.

    Returns
    -------
    NCAResult
        One row of values per profile, with the profile keys in ``result.profiles``.

    Raises
    ------
    bioparity.errors.DataFileError
        When a column is missing or a cell is invalid (row, column and value named): a non-numeric or
        negative concentration, a missing time, duplicated or unsorted times within a profile, a dose
        <= 0 or changing within a profile.
    bioparity.errors.InputError
        When a setting is invalid (see :func:`nca_arrays`).

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"subject": [1, 1, 1], "time": [0, 1, 3], "conc": ["BLQ", "10", "5"]})
    >>> res = nca(frame, parameters=["CMAX", "TMAX", "AUCLST"])
    >>> res.to_wide()[["subject", "CMAX", "TMAX"]]
       subject  CMAX  TMAX
    0        1  10.0   1.0
    """
    args, unit = _engine_args(**locals())
    result = nca_arrays(**args)
    return dataclasses.replace(result, conc_unit=unit) if unit else result


def nca_blocks(frame: pd.DataFrame, **options: Any) -> Iterator[NCAResult]:
    """:func:`nca` in consecutive parts of profiles, computed in threads ahead of the caller
    (:func:`~bioparity.nca.single.engine.nca_array_blocks`), for a caller that writes each part as it
    comes. The table is checked first, with the errors of :func:`nca`; the parts hold the values
    :func:`nca` gives, in profile order.

    Parameters
    ----------
    frame : pandas.DataFrame
        The samples, one row per sample.
    **options
        The keyword arguments of :func:`nca`.

    Returns
    -------
    iterator of NCAResult
        The result of each part of the profiles, in profile order.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"subject": [1, 1, 1], "time": [0, 1, 3], "conc": ["BLQ", "10", "5"]})
    >>> [part.n_profiles for part in nca_blocks(frame, parameters=["CMAX"])]
    [1]
    """
    args, unit = _engine_args(**call_arguments(nca, frame, **options))
    parts = nca_array_blocks(**args)
    return (dataclasses.replace(part, conc_unit=unit) for part in parts) if unit else parts


def _engine_args(
    frame: pd.DataFrame,
    *,
    subject: str,
    time: str,
    conc: str,
    dose: str | float | None,
    groups: Sequence[str],
    blq: str | None,
    lloq: str | None,
    duration: float | str | None,
    options: NCAOptions | None,
    parameters: Sequence[str] | None,
    intervals: Sequence[tuple[float, float]],
    lambda_z_points: pd.DataFrame | None,
    lambda_z_exclude: pd.DataFrame | None,
    lambda_z_include: pd.DataFrame | None,
    unit_column: str | None,
    conc_unit: str | None,
    where: Where | None,
) -> tuple[dict[str, Any], str]:
    """The checked table as the arguments of the array engine, and the concentration unit converted
    into ('' without a unit column); the arguments and errors are those of :func:`nca`."""
    w = where or Where()
    opts = options or NCAOptions()
    unit = ""
    if unit_column is not None:
        frame, unit = convert_conc_column(
            frame, conc=conc, unit_column=unit_column, target=conc_unit, lloq=lloq, where=w
        )
    keys = [*groups, subject]
    extra = [c for c in (dose, duration) if isinstance(c, str)]
    prep = prepare_samples(frame, keys=keys, time=time, conc=conc, blq=blq, lloq=lloq, extra=extra, where=w)
    frame, codes, ids, t = prep.frame, prep.codes, prep.ids, prep.t
    P = len(ids)
    dose_p: npt.ArrayLike | None = None
    if isinstance(dose, int | float):
        if not dose > 0:
            raise InputError(f"dose {dose:g}; expected a dose > 0 (or no dose)")
        dose_p = float(dose)
    elif dose is not None:
        d, _ = parse_numbers(frame[dose], dose, w, allow_missing=True)
        w.reject(~np.isnan(d) & (d <= 0), "dose <= 0", dose, frame[dose], "a dose > 0 (blank if unknown)")
        dose_p = constant_per_profile(d, codes, P, dose, w, frame)
    dur_p: npt.ArrayLike | None = None
    if isinstance(duration, str):
        dd, _ = parse_numbers(frame[duration], duration, w, allow_missing=False)
        dur_p = constant_per_profile(dd, codes, P, duration, w, frame)
    elif duration is not None:
        dur_p = float(duration)
    T, C, B = prep.T, prep.C, prep.B
    window = None
    notes: tuple[str, ...] = ()
    if lambda_z_points is not None:
        window, notes = _windows(lambda_z_points, ids, keys)
    excl_t = incl_t = None
    excl_notes: tuple[str, ...] = ()
    if lambda_z_exclude is not None:
        excl_t, excl_notes = _point_times(lambda_z_exclude, ids, keys, "lambda_z_exclude table", codes, t)
    if lambda_z_include is not None:
        incl_t, incl_notes = _point_times(lambda_z_include, ids, keys, "lambda_z_include table", codes, t)
        base = list(notes) if notes else [""] * len(ids)
        notes = tuple(n or m for n, m in zip(base, incl_notes, strict=True))
    args = {
        "time": T, "conc": C, "options": opts, "blq": B, "dose": dose_p, "duration": dur_p,
        "parameters": parameters, "intervals": intervals, "lambda_z_window": window, "lambda_z_note": notes,
        "lambda_z_exclude": excl_t, "lambda_z_include": incl_t, "lambda_z_exclude_note": excl_notes,
        "profiles": ids,
    }  # fmt: skip
    return args, unit


def _choices(
    table: pd.DataFrame, keys: list[str], name: str, numbers: Sequence[str], why: str
) -> tuple[pd.DataFrame, Where, list[npt.NDArray[np.float64]], pd.Series]:
    """A table of lambda_z choices checked: the key columns, the ``numbers`` columns (parsed, none empty)
    and ``lambda_z_reason`` (``why``, required on every row); with the ``Where`` of its errors."""
    where = Where(file=name)
    require_columns(table.columns, [*keys, *numbers, "lambda_z_reason"], file=name)
    table = table.reset_index(drop=True)
    values = [parse_numbers(table[c], c, where, allow_missing=False)[0] for c in numbers]
    reason = text_cells(table["lambda_z_reason"])
    where.reject(reason == "", "empty reason", "lambda_z_reason", None, why)
    return table, where, values, reason


def _windows(
    table: pd.DataFrame, ids: pd.DataFrame, keys: list[str]
) -> tuple[tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]], tuple[str, ...]]:
    """Per-profile manual lambda_z windows from a table keyed like the profiles."""
    table, where, (start, end), reason = _choices(
        table,
        keys,
        "lambda_z points table",
        ("lambda_z_start", "lambda_z_end"),
        "why these points were chosen (it is reported)",
    )
    merged = matched_profiles(ids, table[keys], how="inner")
    if merged["_profile"].duplicated().any():
        i = int(merged.loc[merged["_profile"].duplicated(), "_row"].iloc[0])
        raise where.error("profile listed twice", i, keys[-1], None, "one row per profile")
    unmatched = np.setdiff1d(np.arange(len(table)), merged["_row"].to_numpy())
    if unmatched.size:
        raise where.error(
            "no such profile in the data",
            int(unmatched[0]),
            keys[-1],
            None,
            "a subject (and groups) present in the data",
        )
    P = len(ids)
    ws = np.full(P, np.nan)
    we = np.full(P, np.nan)
    notes = np.full(P, "", dtype=object)
    prof = merged["_profile"].to_numpy(dtype=np.int64)
    rows = merged["_row"].to_numpy(dtype=np.int64)
    ws[prof] = start[rows]
    we[prof] = end[rows]
    notes[prof] = reason.to_numpy(dtype=object)[rows]
    return (ws, we), tuple(str(n) for n in notes)


def _point_times(
    table: pd.DataFrame,
    ids: pd.DataFrame,
    keys: list[str],
    name: str,
    codes: npt.NDArray[np.int64],
    sample_times: npt.NDArray[np.float64],
) -> tuple[npt.NDArray[np.float64], tuple[str, ...]]:
    """Per-profile NaN-padded times of individually selected lambda_z points, and the reasons as text."""
    table, where, (t,), reason = _choices(
        table, keys, name, ("lambda_z_time",), "why the point is excluded or included"
    )
    merged = matched_profiles(ids, table[keys], how="right")
    if merged["_profile"].isna().any():
        i = int(merged.loc[merged["_profile"].isna(), "_row"].iloc[0])
        raise where.error(
            "no such profile in the data", i, keys[-1], None, "a subject (and groups) in the data"
        )
    prof = merged["_profile"].to_numpy(dtype=np.int64)
    rows = merged["_row"].to_numpy(dtype=np.int64)
    sampled = pd.MultiIndex.from_arrays([codes, sample_times])
    absent = ~pd.MultiIndex.from_arrays([prof, t[rows]]).isin(sampled)
    if absent.any():
        i = int(rows[np.argmax(absent)])
        raise where.error(
            "no sample at this time in the profile",
            i,
            "lambda_z_time",
            t[i],
            "the time of a sample of the profile",
        )
    _, (times,) = pad_profiles(prof, t[rows], n_profiles=len(ids))
    text = pd.Series(
        [POINT_REASON.format(t=v, reason=r) for v, r in zip(t[rows], reason.to_numpy()[rows], strict=True)]
    )
    joined = text.groupby(prof).agg("; ".join).reindex(range(len(ids)), fill_value="")
    return times, tuple(str(x) for x in joined)
