"""Crossover / replicate study data as checked integer-coded arrays, with the design bookkeeping.

:func:`crossover_data` turns a long table (one row per subject and period: ``subject, period,
sequence, treatment, PK``) into a :class:`CrossoverData`: log responses and integer codes for
subject, period and sequence, ready for the numerical cores. It checks that every subject stays in
one sequence, that no subject has two rows for one period, and that the treatment of each row is the
letter of the subject's sequence at that period. Rows with a missing PK value are not analysed but
counted and reported (as replicateBE does with ``na.omit``), never dropped silently: each one is named
(:class:`MissingPK`: data row, file line, subject, period, treatment).

The bookkeeping mirrors replicateBE's report: the design string with sequences in the preferred order
(T first, e.g. ``TRTR|RTRT``), subjects per sequence, missing (subject, period) cells per sequence and
per period among analysed subjects, and the numbers of subjects with two T (``n_tt``) and two R
(``n_rr``) observations.

:func:`read_crossover_file` reads the data files replicateBE reads (its ``get.data``): ``#`` description
lines before the header, column names in any case, ``,``, ``;`` or tab as separator, extra columns such as
``logPK`` ignored, and missing PK values marked ``.`` (replicateBE's ``na = "."``), ``NA`` or left blank;
the markers are an argument (``bioparity be --na``). Any other non-numeric PK is an error naming the file,
line and column (replicateBE would coerce it to NA with a warning; a regulator would ask about it).
"""

from __future__ import annotations

import csv
import os
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from bioparity.arrays import BoolArray, FloatArray, IntArray
from bioparity.delimited import parser_error, require_file, require_short_cells, require_utf8
from bioparity.errors import DataFileError, InputError, refuse_first_row, require_columns
from bioparity.problems import (
    A_PK_ABOVE_ZERO,
    A_PK_OR_MARKERS,
    A_PK_OR_NA,
    A_SUBJECT_ON_EVERY_ROW,
    A_TR_SEQUENCE,
    AN_EXISTING_CSV,
    COLUMNS,
    COLUMNS_ANY_CASE,
    COLUMNS_ANY_CASE_OR_PARALLEL,
    EACH_NAME_ONCE,
    EMPTY_SUBJECT,
    EMPTY_TABLE,
    INVALID_SEQUENCE,
    LETTERS_PER_PERIOD,
    MISSING_COLUMNS_FOUND,
    NAMED_TWICE,
    NO_HEADER_LINE,
    NOT_A_NUMBER,
    NOT_NUMBER_NOR_MISSING,
    ONE_ROW_PER_SUBJECT_AND_PERIOD,
    PERIOD_LABELS,
    PERIODS_NUMBERED,
    PK_NOT_POSITIVE,
    SAME_SEQUENCE_PER_SUBJECT,
    SAME_SUBJECT_AND_PERIOD,
    SEQUENCE_LENGTH_DIFFERS,
    SUBJECT_IN_TWO_SEQUENCES,
    T_OR_R,
    THE_SEQUENCE_LETTER,
    TREATMENT_NOT_IN_SEQUENCE,
    UNKNOWN_TREATMENT,
)

#: Preferred order of the sequences of known designs (replicateBE ``info.design``): T first.
PREFERRED_ORDERS: tuple[tuple[str, ...], ...] = (
    ("TRTR", "RTRT", "TRRT", "RTTR"),
    ("TRRT", "RTTR", "TTRR", "RRTT"),
    ("TRTR", "RTRT"),
    ("TRRT", "RTTR"),
    ("TTRR", "RRTT"),
    ("TRT", "RTR"),
    ("TRR", "RTT"),
    ("TRR", "RTR"),
    ("TRR", "RTR", "RRT"),
    ("TR", "RT", "TT", "RR"),
    ("TR", "RT"),
)

REQUIRED_COLUMNS: tuple[str, ...] = ("subject", "period", "sequence", "treatment", "PK")

#: Missing-value markers of replicateBE's data files (``na = "."``) and ``NA``; blank is always missing.
DEFAULT_NA: tuple[str, ...] = (".", "NA")

#: ``frame.attrs`` key of :func:`read_crossover_file`: ``line = row + offset`` (the lines before the header).
LINE_OFFSET = "line_offset"


@dataclass(frozen=True)
class MissingPK:
    """One row whose PK value is missing (not analysed), as a regulator asks for it.

    Attributes
    ----------
    row : int
        1-based data row of the table.
    line : int
        Line of the file (``row + 1`` for a table whose header is on line 1; after replicateBE's ``#``
        description lines, later).
    subject, period, treatment : str
        The row's labels as in the file (treatment upper-cased, ``T`` or ``R``).
    """

    row: int
    line: int
    subject: str
    period: str
    treatment: str


@dataclass(frozen=True)
class CrossoverData:
    """Analysed observations of a crossover or replicate study, integer-coded.

    Observation arrays (length N, rows with a PK value): ``log_pk``, ``subject`` (0..n-1),
    ``period`` (0..P-1 in sorted period order), ``sequence`` (index into ``sequences``) and
    ``is_test``. Subject-level: ``subject_ids`` (original labels) and ``subject_sequence``.
    Built by :func:`crossover_data`, which checks the table; the bookkeeping fields are those of
    replicateBE's report.

    Attributes
    ----------
    log_pk : numpy.ndarray of float, shape (N,)
        Natural logarithm of each analysed PK value (rows with a missing value are left out).
    subject : numpy.ndarray of int, shape (N,)
        Subject code of each observation, 0..n-1, indexing ``subject_ids``.
    period : numpy.ndarray of int, shape (N,)
        Period position of each observation, 0..P-1 (periods in sorted order, the position of the
        treatment letter in the sequence string).
    sequence : numpy.ndarray of int, shape (N,)
        Sequence of each observation, an index into ``sequences``.
    is_test : numpy.ndarray of bool, shape (N,)
        True for a test (T) observation, False for reference (R).
    subject_ids : tuple of str
        The n analysed subjects' labels as in the input (subjects with at least one PK value).
    subject_sequence : numpy.ndarray of int, shape (n,)
        Sequence index of each analysed subject.
    sequences : tuple of str
        The sequences in replicateBE's preferred order, T first (``("TRTR", "RTRT")``).
    periods : tuple of str
        The period labels, in the order of the positions 0..P-1.
    subjects_per_sequence : tuple of int
        Analysed subjects in each sequence (in the order of ``sequences``).
    missing_per_sequence : tuple of int
        Missing (subject, period) cells of the analysed subjects, per sequence.
    missing_per_period : tuple of int
        Analysed subjects without a value in each period.
    n_tt : int
        Subjects with at least two T observations (CVwT needs them).
    n_rr : int
        Subjects with at least two R observations (CVwR needs them).
    n_tr : int
        Subjects with at least one T and one R observation (they carry the treatment contrast).
    missing_values : int
        Rows whose PK value is missing (counted and reported, not analysed).
    subjects_without_data : tuple of str
        Labels of subjects with no PK value at all (not among the n analysed).
    missing_cells : tuple of MissingPK
        Each row counted in ``missing_values``, in the order of the table.
    """

    log_pk: FloatArray
    subject: IntArray
    period: IntArray
    sequence: IntArray
    is_test: BoolArray
    subject_ids: tuple[str, ...]
    subject_sequence: IntArray
    sequences: tuple[str, ...]
    periods: tuple[str, ...]
    subjects_per_sequence: tuple[int, ...]
    missing_per_sequence: tuple[int, ...]
    missing_per_period: tuple[int, ...]
    n_tt: int
    n_rr: int
    n_tr: int
    missing_values: int
    subjects_without_data: tuple[str, ...]
    missing_cells: tuple[MissingPK, ...] = ()

    @property
    def n(self) -> int:
        """Number of analysed subjects (at least one PK value)."""
        return len(self.subject_ids)

    @property
    def design(self) -> str:
        """Sequences in the preferred order joined by ``|`` (``TRTR|RTRT``)."""
        return "|".join(self.sequences)

    @property
    def test_replicated(self) -> bool:
        """True when some sequence has T twice or more (CVwT estimable)."""
        return any(s.count("T") >= 2 for s in self.sequences)

    @property
    def reference_replicated(self) -> bool:
        """True when some sequence has R twice or more (CVwR estimable)."""
        return any(s.count("R") >= 2 for s in self.sequences)

    @property
    def replicate_kind(self) -> str:
        """``full`` (T and R replicated), ``partial`` (only R), or ``none`` (plain crossover)."""
        if self.reference_replicated:
            return "full" if self.test_replicated else "partial"
        return "none"


def order_sequences(sequences: list[str]) -> tuple[str, ...]:
    """The sequences in the preferred order of a known design, else sorted with T first."""
    found = set(sequences)
    for order in PREFERRED_ORDERS:
        if set(order) == found:
            return order
    return tuple(sorted(found, reverse=True))


def crossover_data(frame: pd.DataFrame, *, file: str | None = None) -> CrossoverData:
    """Check and code a long crossover table (columns :data:`REQUIRED_COLUMNS`; PK may be NaN).

    Row numbers in errors are 1-based data rows of ``frame``; lines are ``row + frame.attrs["line_offset"]``
    (set by :func:`read_crossover_file`; 1, a header on line 1, when absent).

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per subject and period: ``subject, period, sequence, treatment, PK``.
    file : str, optional
        The file name to put in error messages.

    Returns
    -------
    CrossoverData
        Log PK and the coded design (subjects, periods, sequences, treatment per row), with the
        bookkeeping replicateBE reports (subjects and missing values per sequence and period).

    Raises
    ------
    DataFileError
        For a missing column or a value the design cannot use, naming the row and column.
    InputError
        For data with a single sequence.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"subject": [1, 1, 2, 2, 3, 3, 4, 4], "period": [1, 2] * 4,
    ...                       "sequence": ["TR", "TR", "RT", "RT"] * 2, "treatment": list("TRRTTRRT"),
    ...                       "PK": [100, 90, 95, None, 80, 85, 110, 100]})
    >>> data = crossover_data(frame)
    >>> data.design, data.n, data.subjects_per_sequence, data.missing_values, data.missing_per_period
    ('TR|RT', 4, (2, 2), 1, (0, 1))
    >>> data.missing_cells
    (MissingPK(row=4, line=5, subject='2', period='2', treatment='T'),)
    """
    require_columns(frame.columns, REQUIRED_COLUMNS, file=file)
    if len(frame) == 0:
        raise DataFileError(EMPTY_TABLE, file=file, expected=ONE_ROW_PER_SUBJECT_AND_PERIOD)
    subject_label = frame["subject"].astype(str).str.strip().to_numpy()
    period_label = frame["period"].astype(str).str.strip().to_numpy()
    seq_label = frame["sequence"].astype(str).str.strip().str.upper().to_numpy()
    trt_label = frame["treatment"].astype(str).str.strip().str.upper().to_numpy()
    pk = pd.to_numeric(frame["PK"], errors="coerce").to_numpy(dtype=float)
    offset = int(frame.attrs.get(LINE_OFFSET, 1))

    fail = partial(refuse_first_row, file=file, line_offset=offset)
    fail(
        frame["subject"].isna().to_numpy() | (subject_label == ""),
        EMPTY_SUBJECT,
        "subject",
        subject_label,
        A_SUBJECT_ON_EVERY_ROW,
    )
    fail(~np.isin(trt_label, ["T", "R"]), UNKNOWN_TREATMENT, "treatment", trt_label, T_OR_R)
    bad_seq = np.array([not s or set(s) - {"T", "R"} != set() for s in seq_label])
    fail(bad_seq, INVALID_SEQUENCE, "sequence", seq_label, A_TR_SEQUENCE)
    lengths = np.fromiter((len(s) for s in seq_label), dtype=np.int64, count=len(seq_label))
    fail(
        lengths != lengths[0],
        SEQUENCE_LENGTH_DIFFERS,
        "sequence",
        seq_label,
        LETTERS_PER_PERIOD.format(n=lengths[0]),
    )
    raw_pk = frame["PK"].to_numpy()
    non_numeric = np.isnan(pk) & ~pd.isna(frame["PK"]).to_numpy()
    non_numeric &= ~np.isin(np.asarray(raw_pk, dtype=str), ["", "NA", "NaN", "nan", ".", "ND"])
    fail(non_numeric, NOT_A_NUMBER, "PK", raw_pk, A_PK_OR_NA)
    fail(~np.isnan(pk) & ~(pk > 0) | np.isinf(pk), PK_NOT_POSITIVE, "PK", raw_pk, A_PK_ABOVE_ZERO)

    n_periods = int(lengths[0])
    period_code, period_names = _period_positions(period_label, n_periods, file)

    # one sequence per subject, one row per subject and period
    subj_codes, subj_uniques = pd.factorize(subject_label)
    first_seq = pd.Series(seq_label).groupby(subj_codes).transform("first").to_numpy()
    fail(
        first_seq != seq_label,
        SUBJECT_IN_TWO_SEQUENCES,
        "sequence",
        seq_label,
        SAME_SEQUENCE_PER_SUBJECT,
    )
    dup = pd.DataFrame({"s": subj_codes, "p": period_code}).duplicated().to_numpy()
    fail(dup, SAME_SUBJECT_AND_PERIOD, "period", period_label, ONE_ROW_PER_SUBJECT_AND_PERIOD)
    letter = np.array([s[p] for s, p in zip(seq_label, period_code, strict=True)])
    fail(
        letter != trt_label,
        TREATMENT_NOT_IN_SEQUENCE,
        "treatment",
        trt_label,
        THE_SEQUENCE_LETTER,
    )

    sequences = order_sequences(sorted(set(seq_label)))
    if len(sequences) < 2:
        raise InputError(f"only one sequence ({sequences[0]}) in the data; a crossover needs at least two")

    keep = ~np.isnan(pk)
    missing_values = int((~keep).sum())
    analysed_subjects, subj = np.unique(subj_codes[keep], return_inverse=True)
    ids = tuple(str(subj_uniques[i]) for i in analysed_subjects)
    no_data = sorted(set(range(len(subj_uniques))) - set(analysed_subjects.tolist()))
    seq_index = {s: i for i, s in enumerate(sequences)}
    obs_seq = np.array([seq_index[s] for s in seq_label[keep]], dtype=np.int64)
    n_sub = len(ids)
    subject_sequence = np.zeros(n_sub, dtype=np.int64)
    subject_sequence[subj] = obs_seq
    is_test = trt_label[keep] == "T"
    per = period_code[keep]
    return CrossoverData(
        log_pk=np.log(pk[keep]),
        subject=subj.astype(np.int64),
        period=per,
        sequence=obs_seq,
        is_test=is_test,
        subject_ids=ids,
        subject_sequence=subject_sequence,
        sequences=sequences,
        periods=period_names,
        **_bookkeeping(subj, subject_sequence, is_test, per, n_seq=len(sequences), n_periods=n_periods),
        missing_values=missing_values,
        subjects_without_data=tuple(str(subj_uniques[i]) for i in no_data),
        missing_cells=tuple(
            MissingPK(
                int(i) + 1,
                int(i) + 1 + offset,
                str(subject_label[i]),
                str(period_label[i]),
                str(trt_label[i]),
            )
            for i in np.flatnonzero(~keep)
        ),
    )


def _bookkeeping(
    subj: IntArray,
    subject_sequence: IntArray,
    is_test: BoolArray,
    per: IntArray,
    *,
    n_seq: int,
    n_periods: int,
) -> dict[str, Any]:
    """The replicateBE report fields of :class:`CrossoverData` from the coded observations."""
    n_sub = subject_sequence.size
    counts = np.bincount(subj, minlength=n_sub)
    sub_per_seq = np.bincount(subject_sequence, minlength=n_seq)
    miss_seq = np.bincount(subject_sequence, weights=n_periods - counts, minlength=n_seq).astype(np.int64)
    miss_per = n_sub - np.bincount(per, minlength=n_periods)
    n_t = np.bincount(subj, weights=is_test, minlength=n_sub)
    n_r = counts - n_t
    return {
        "subjects_per_sequence": tuple(int(v) for v in sub_per_seq),
        "missing_per_sequence": tuple(int(v) for v in miss_seq),
        "missing_per_period": tuple(int(v) for v in miss_per),
        "n_tt": int((n_t >= 2).sum()),
        "n_rr": int((n_r >= 2).sum()),
        "n_tr": int(((n_t >= 1) & (n_r >= 1)).sum()),
    }


def without_subjects(data: CrossoverData, left_out: BoolArray) -> CrossoverData:
    """``data`` without the subjects marked in ``left_out`` (length n): their observations removed, the other
    subjects recoded, the bookkeeping recounted; the missing rows of the file (``missing_cells``,
    ``missing_values``) stay as read.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"subject": [1, 1, 2, 3, 3], "period": [1, 2, 1, 1, 2],
    ...                       "sequence": ["TR", "TR", "RT", "RT", "RT"], "treatment": list("TRRRT"),
    ...                       "PK": [100, 90, 95, 80, 85]})
    >>> kept = without_subjects(crossover_data(frame), np.array([False, True, False]))
    >>> kept.subject_ids, kept.n_tr, kept.subjects_per_sequence, kept.missing_per_period
    (('1', '3'), 2, (1, 1), (0, 0))
    """
    keep_obs = ~left_out[data.subject]
    kept_subjects = np.flatnonzero(~left_out)
    code = np.full(data.n, -1, dtype=np.int64)
    code[kept_subjects] = np.arange(kept_subjects.size)
    subj = code[data.subject[keep_obs]]
    subject_sequence = data.subject_sequence[kept_subjects]
    return replace(
        data,
        log_pk=data.log_pk[keep_obs],
        subject=subj,
        period=data.period[keep_obs],
        sequence=data.sequence[keep_obs],
        is_test=data.is_test[keep_obs],
        subject_ids=tuple(data.subject_ids[i] for i in kept_subjects),
        subject_sequence=subject_sequence,
        **_bookkeeping(
            subj,
            subject_sequence,
            data.is_test[keep_obs],
            data.period[keep_obs],
            n_seq=len(data.sequences),
            n_periods=len(data.periods),
        ),
    )


def _period_positions(
    labels: npt.NDArray[np.object_], n_periods: int, file: str | None
) -> tuple[IntArray, tuple[str, ...]]:
    """Position (0-based) of each row's period in the sequence strings, and the label of each position.

    Whole-number labels 1..P are positions themselves (so a period with no data at all is allowed);
    other labels must be exactly P distinct values, taken in sorted order.
    """
    uniq = sorted(set(labels.tolist()))
    try:
        numbers = np.array([float(u) for u in uniq])
    except ValueError:
        numbers = None
    if (
        numbers is not None
        and np.all(numbers == np.round(numbers))
        and numbers.min() >= 1
        and numbers.max() <= n_periods
    ):
        codes = np.array([int(float(v)) - 1 for v in labels.tolist()], dtype=np.int64)
        return codes, tuple(str(k + 1) for k in range(n_periods))
    if len(uniq) != n_periods:
        raise DataFileError(
            PERIOD_LABELS.format(labels=len(uniq), letters=n_periods),
            file=file,
            column="period",
            expected=PERIODS_NUMBERED.format(n=n_periods),
        )
    order = sorted(uniq, key=float) if numbers is not None else uniq
    return pd.Index(order).get_indexer(labels).astype(np.int64), tuple(str(o) for o in order)


def read_crossover_file(path: str | os.PathLike[str], *, na: Sequence[str] = DEFAULT_NA) -> pd.DataFrame:
    """Read a crossover / replicate data file in replicateBE's conventions (see the module docstring).

    Returns a frame with text columns ``subject, period, sequence, treatment`` and float ``PK`` (NaN for a
    cell equal to one of the ``na`` markers or blank). Errors name the file, line and column.
    """
    file = Path(path)
    label = str(path)
    require_file(file, label, AN_EXISTING_CSV)  # not found, or a folder
    try:
        lines = file.read_text(encoding="utf-8-sig").splitlines()
    except UnicodeDecodeError:
        require_utf8(file.read_bytes(), label)  # raises: the line and byte, or an Excel workbook named as one
        raise
    skip = 0
    while skip < len(lines) and (not lines[skip].strip() or lines[skip].lstrip().startswith("#")):
        skip += 1
    if skip == len(lines):
        raise DataFileError(
            NO_HEADER_LINE, file=label, expected=COLUMNS.format(columns=", ".join(REQUIRED_COLUMNS))
        )
    header = lines[skip]
    sep = max((",", ";", "\t"), key=header.count)
    try:
        raw = pd.read_csv(
            file, sep=sep, skiprows=skip, dtype=str, keep_default_na=False, skipinitialspace=True,
            quotechar='"', quoting=csv.QUOTE_MINIMAL, encoding="utf-8-sig",
        )  # fmt: skip
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise parser_error(exc, file, label, header_line=skip + 1, sep=sep) from exc
    require_short_cells(raw, label, line_offset=skip + 1)
    names = {str(c).strip().strip("'").lower(): str(c) for c in raw.columns}
    wanted = {c: c.lower() for c in REQUIRED_COLUMNS}
    header_names = [n.strip().strip("'").lower() for n in next(csv.reader([header], delimiter=sep), [])]
    for column, low in wanted.items():
        if header_names.count(low) > 1:  # pandas would read the second as "PK.1" and analyse the first only
            raise DataFileError(
                NAMED_TWICE,
                file=label,
                line=skip + 1,
                column=column,
                expected=EACH_NAME_ONCE,
            )
    missing = [c for c, low in wanted.items() if low not in names]
    if missing:
        raise DataFileError(
            MISSING_COLUMNS_FOUND.format(missing=", ".join(missing), found=", ".join(map(str, raw.columns))),
            file=label,
            line=skip + 1,
            expected=(COLUMNS_ANY_CASE_OR_PARALLEL if "period" in missing else COLUMNS_ANY_CASE).format(
                columns=", ".join(REQUIRED_COLUMNS)
            ),
        )
    out = pd.DataFrame({c: raw[names[low]].astype(str).str.strip() for c, low in wanted.items()})
    markers = {m.strip() for m in na}
    text = out["PK"].to_numpy(dtype=object)
    pk = np.full(len(out), np.nan)
    shown = ", ".join(repr(m) for m in sorted(markers)) + " or blank"
    for i, cell in enumerate(text):
        if cell == "" or cell in markers:
            continue
        try:
            if "_" in cell or not cell.isascii():  # float() also reads 1_000 and non-ASCII digits
                raise ValueError(cell)
            pk[i] = float(cell)
        except ValueError:
            raise DataFileError(
                NOT_NUMBER_NOR_MISSING,
                file=label,
                row=i + 1,
                line=skip + i + 2,
                column="PK",
                value=cell,
                expected=A_PK_OR_MARKERS.format(markers=shown),
            ) from None
    out["PK"] = pk
    out.attrs[LINE_OFFSET] = skip + 1  # the header's line: data row r is on line r + skip + 1
    return out
