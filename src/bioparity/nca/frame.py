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
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from bioparity.errors import DataFileError
from bioparity.nca.engine import nca_arrays
from bioparity.nca.options import NCAOptions
from bioparity.nca.profiles import pad_profiles
from bioparity.nca.results import NCAResult

_MISSING = {"", "NA", "NAN", ".", "NULL", "NONE"}
_BLQ_TOKENS = {"BLQ", "BQL", "BLOQ", "<LLOQ", "<LOQ", "LLOQ", "<LOD", "NQ"}


@dataclass(frozen=True)
class Where:
    """Where the table came from, for error messages: file name and how data rows map to file lines."""

    file: str | None = None
    line_offset: int | None = 1  # line = row + offset for text files (header on line 1); None: no lines

    def error(
        self,
        problem: str,
        pos: int | None,
        column: str | None,
        value: object = None,
        expected: str | None = None,
    ) -> DataFileError:
        row = None if pos is None else int(pos) + 1
        line = None if row is None or self.line_offset is None else row + self.line_offset
        return DataFileError(
            problem, file=self.file, row=row, line=line, column=column, value=value, expected=expected
        )


def stripped_text(series: pd.Series) -> pd.Series:
    return series.astype("string").str.strip().fillna("")


def _arrow_finite_numbers(series: pd.Series) -> npt.NDArray[np.float64] | None:
    """All cells of an Arrow-backed text column as float64 when every one is a finite decimal number.

    Arrow's cast (correctly rounded, like Python's ``float``) on the whitespace-trimmed text; ``None`` as
    soon as any cell is empty, missing, a marker, non-finite or not a number, so that the general path
    below parses, flags and reports that column exactly as before. This only makes clean columns fast.
    """
    if not (isinstance(series.dtype, pd.StringDtype) and series.dtype.storage == "pyarrow"):
        return None
    import pyarrow as pa  # type: ignore[import-untyped]
    import pyarrow.compute as pc  # type: ignore[import-untyped]

    if not len(series):
        return None
    text = pa.array(series.array)  # the column's own Arrow data, no copy (a ChunkedArray)
    if text.null_count:
        return None
    try:
        numbers = pc.cast(pc.utf8_trim_whitespace(text), pa.float64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    values = np.asarray(numbers.to_numpy(), dtype=np.float64)
    if not np.isfinite(values).all():
        return None
    return values


def parse_numbers(
    series: pd.Series, column: str, where: Where, *, allow_missing: bool, blq_tokens: bool = False
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
    """Numbers of a column (NaN = missing); with ``blq_tokens`` also a BLQ mask. Errors name the row."""
    if pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype):
        values = series.to_numpy(dtype=float, na_value=np.nan)
        blq = np.zeros(values.size, dtype=bool)
    elif (fast := _arrow_finite_numbers(series)) is not None:
        values = fast
        blq = np.zeros(values.size, dtype=bool)
    else:
        text = stripped_text(series)
        upper = text.str.upper()
        missing = upper.isin(_MISSING).to_numpy()
        blq = np.zeros(len(text), dtype=bool)
        if blq_tokens:
            blq = (upper.isin(_BLQ_TOKENS) | upper.str.match(r"^<\s*[0-9.]+").fillna(False)).to_numpy(
                dtype=bool
            )
        values = pd.to_numeric(text.where(~(missing | blq), None), errors="coerce").to_numpy(
            dtype=float, na_value=np.nan
        )
        bad = np.isnan(values) & ~missing & ~blq
        values[blq] = 0.0  # a BLQ sample is a concentration of 0 flagged BLQ (PKNCA convention)
        if bad.any():
            i = int(np.argmax(bad))
            raise where.error(
                "not a number",
                i,
                column,
                text.iloc[i],
                "a number" + (" or a BLQ marker such as BLQ" if blq_tokens else ""),
            )
    if np.isinf(values).any():
        i = int(np.argmax(np.isinf(values)))
        raise where.error("not a finite number", i, column, series.iloc[i], "a finite number")
    if not allow_missing and np.isnan(values).any():
        i = int(np.argmax(np.isnan(values)))
        raise where.error("empty cell", i, column, None, "a number")
    return values, blq


def profile_codes(frame: pd.DataFrame, keys: Sequence[str]) -> tuple[npt.NDArray[np.int64], pd.DataFrame]:
    """Profile number of every row (in order of first appearance) and the key values of each profile."""
    grouped = frame.groupby(list(keys), sort=False, dropna=False)
    codes: npt.NDArray[np.int64] = np.asarray(grouped.ngroup().to_numpy(), dtype=np.int64)
    first = pd.Series(np.arange(len(frame))).groupby(codes).min().to_numpy()
    ids = frame.iloc[first][list(keys)].reset_index(drop=True)
    return codes, ids


@dataclass(frozen=True)
class PreparedSamples:
    """A validated long table as padded profiles: row data, profile codes and keys, padded arrays."""

    frame: pd.DataFrame
    codes: npt.NDArray[np.int64]
    ids: pd.DataFrame
    t: npt.NDArray[np.float64]
    T: npt.NDArray[np.float64]
    C: npt.NDArray[np.float64]
    B: npt.NDArray[np.bool_]


def prepare_samples(
    frame: pd.DataFrame,
    *,
    keys: Sequence[str],
    time: str,
    conc: str,
    blq: str | None = None,
    lloq: str | None = None,
    extra: Sequence[str] = (),
    where: Where,
) -> PreparedSamples:
    """Validate a long sample table (columns, identifiers, numbers, sorted unique times per profile)
    and pad it into ``(profiles x samples)`` arrays. Errors name the data row and column."""
    keys = list(keys)
    w = where
    needed = [*keys, time, conc] + [c for c in (blq, lloq) if c] + [c for c in extra if c not in keys]
    missing_cols = [c for c in needed if c not in frame.columns]
    if missing_cols:
        raise DataFileError(
            f"missing column(s) {', '.join(repr(c) for c in missing_cols)}; "
            f"columns found: {', '.join(map(str, frame.columns))}",
            file=w.file,
            expected=f"columns {', '.join(needed)} (map names with --subject/--time/--conc/--dose)",
        )
    if frame.empty:
        raise DataFileError("has no data rows", file=w.file, expected="one row per sample")
    frame = frame.reset_index(drop=True)
    for k in keys:
        col = frame[k]
        if pd.api.types.is_numeric_dtype(col.dtype):
            empty = col.isna().to_numpy()
        else:
            empty = stripped_text(col).eq("").to_numpy()
        if empty.any():
            i = int(np.argmax(empty))
            raise w.error("empty identifier", i, k, None, "a subject or group value on every row")
    t, _ = parse_numbers(frame[time], time, w, allow_missing=False)
    c, blq_mask = parse_numbers(frame[conc], conc, w, allow_missing=True, blq_tokens=True)
    neg = c < 0
    if neg.any():
        i = int(np.argmax(neg))
        raise w.error(
            "negative concentration",
            i,
            conc,
            frame[conc].iloc[i],
            "a concentration >= 0 (0 or BLQ for below the limit)",
        )
    if blq is not None:
        flag = stripped_text(frame[blq]).str.upper().isin({"1", "Y", "YES", "TRUE", "T", "BLQ"}).to_numpy()
        blq_mask |= flag
    if lloq is not None:
        limit, _ = parse_numbers(frame[lloq], lloq, w, allow_missing=True)
        blq_mask |= ~np.isnan(limit) & ~np.isnan(c) & (c < limit)
    codes, ids = profile_codes(frame, keys)
    order = np.argsort(codes, kind="stable")
    sc, st = codes[order], t[order]
    same = np.concatenate(([False], sc[1:] == sc[:-1]))
    dup = same & np.concatenate(([False], st[1:] == st[:-1]))
    if dup.any():
        i = int(order[np.argmax(dup)])
        raise w.error(
            "duplicated time within a profile",
            i,
            time,
            frame[time].iloc[i],
            "one sample per time in each profile (average or remove replicates first)",
        )
    unsorted = same & np.concatenate(([False], st[1:] < st[:-1]))
    if unsorted.any():
        i = int(order[np.argmax(unsorted)])
        raise w.error(
            "time earlier than the previous sample of the same profile",
            i,
            time,
            frame[time].iloc[i],
            "times sorted increasingly within each profile",
        )
    P = len(ids)
    _, (T, C, B) = pad_profiles(codes, t, c, blq_mask.astype(float), n_profiles=P)
    return PreparedSamples(frame, codes, ids, t, T, C, B == 1.0)


def nca(
    frame: pd.DataFrame,
    *,
    subject: str = "subject",
    time: str = "time",
    conc: str = "conc",
    dose: str | None = None,
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
    below it is BLQ). ``duration`` is the infusion length (number or column). ``lambda_z_points`` is a
    table with the key columns and ``lambda_z_start``, ``lambda_z_end``, ``lambda_z_reason`` to set
    the lambda_z points by hand for some profiles; the reason is required and reported.
    ``lambda_z_exclude`` / ``lambda_z_include`` are tables with the key columns and ``lambda_z_time``,
    ``lambda_z_reason``, one row per sample to leave out of the lambda_z fit / to use as the only
    lambda_z points (Phoenix-style "exclude" and "include" of individual points); reasons are reported.
    ``unit_column`` names a column with each row's concentration unit: concentrations (and ``lloq``) are
    converted into ``conc_unit`` (default: the first row's unit), recorded as ``result.conc_unit``.
    """
    w = where or Where()
    opts = options or NCAOptions()
    unit = ""
    if unit_column is not None:
        from bioparity.nca.unit_column import convert_conc_column

        frame, unit = convert_conc_column(
            frame, conc=conc, unit_column=unit_column, target=conc_unit, lloq=lloq, where=w
        )
    keys = [*groups, subject]
    extra = [c for c in (dose,) if c] + ([duration] if isinstance(duration, str) else [])
    prep = prepare_samples(frame, keys=keys, time=time, conc=conc, blq=blq, lloq=lloq, extra=extra, where=w)
    frame, codes, ids, t = prep.frame, prep.codes, prep.ids, prep.t
    P = len(ids)
    dose_p = None
    if dose is not None:
        d, _ = parse_numbers(frame[dose], dose, w, allow_missing=True)
        nonpos = ~np.isnan(d) & (d <= 0)
        if nonpos.any():
            i = int(np.argmax(nonpos))
            raise w.error("dose <= 0", i, dose, frame[dose].iloc[i], "a dose > 0 (blank if unknown)")
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
    result = nca_arrays(
        T,
        C,
        options=opts,
        blq=B,
        dose=dose_p,
        duration=dur_p,
        parameters=parameters,
        intervals=intervals,
        lambda_z_window=window,
        lambda_z_note=notes,
        lambda_z_exclude=excl_t,
        lambda_z_include=incl_t,
        lambda_z_exclude_note=excl_notes,
        profiles=ids,
    )
    return dataclasses.replace(result, conc_unit=unit) if unit else result


def constant_per_profile(
    values: npt.NDArray[np.float64],
    codes: npt.NDArray[np.int64],
    P: int,
    column: str,
    w: Where,
    frame: pd.DataFrame,
) -> npt.NDArray[np.float64]:
    """The one value of each profile (NaN if all blank); a profile with two different values is an error."""
    s = pd.Series(values)
    first = s.groupby(codes).first().reindex(range(P)).to_numpy(dtype=float)
    ref = first[codes]
    differs = ~np.isnan(values) & ~np.isnan(ref) & (values != ref)
    if differs.any():
        i = int(np.argmax(differs))
        raise w.error(
            "value differs from earlier rows of the same profile",
            i,
            column,
            frame[column].iloc[i],
            "one value per profile",
        )
    return np.asarray(first, dtype=np.float64)


def _windows(
    table: pd.DataFrame, ids: pd.DataFrame, keys: list[str]
) -> tuple[tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]], tuple[str, ...]]:
    """Per-profile manual lambda_z windows from a table keyed like the profiles."""
    where = Where(file="lambda_z points table")
    need = [*keys, "lambda_z_start", "lambda_z_end", "lambda_z_reason"]
    missing = [c for c in need if c not in table.columns]
    if missing:
        raise DataFileError(
            f"missing column(s) {', '.join(missing)}", file=where.file, expected=f"columns {', '.join(need)}"
        )
    table = table.reset_index(drop=True)
    start, _ = parse_numbers(table["lambda_z_start"], "lambda_z_start", where, allow_missing=False)
    end, _ = parse_numbers(table["lambda_z_end"], "lambda_z_end", where, allow_missing=False)
    reason = stripped_text(table["lambda_z_reason"])
    if (reason == "").any():
        i = int(np.argmax((reason == "").to_numpy()))
        raise where.error(
            "empty reason", i, "lambda_z_reason", None, "why these points were chosen (it is reported)"
        )
    left = ids.astype("string").reset_index().rename(columns={"index": "_profile"})
    right = table[keys].astype("string").assign(_row=np.arange(len(table)))
    merged = left.merge(right, on=keys, how="inner")
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
    where = Where(file=name)
    need = [*keys, "lambda_z_time", "lambda_z_reason"]
    missing = [c for c in need if c not in table.columns]
    if missing:
        raise DataFileError(
            f"missing column(s) {', '.join(missing)}", file=name, expected=f"columns {', '.join(need)}"
        )
    table = table.reset_index(drop=True)
    t, _ = parse_numbers(table["lambda_z_time"], "lambda_z_time", where, allow_missing=False)
    reason = stripped_text(table["lambda_z_reason"])
    if (reason == "").any():
        i = int(np.argmax((reason == "").to_numpy()))
        raise where.error("empty reason", i, "lambda_z_reason", None, "why the point is excluded or included")
    left = ids.astype("string").reset_index().rename(columns={"index": "_profile"})
    right = table[keys].astype("string").assign(_row=np.arange(len(table)))
    merged = left.merge(right, on=keys, how="right")
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
    text = pd.Series([f"t={v:g}: {r}" for v, r in zip(t[rows], reason.to_numpy()[rows], strict=True)])
    joined = text.groupby(prof).agg("; ".join).reindex(range(len(ids)), fill_value="")
    return times, tuple(str(x) for x in joined)
