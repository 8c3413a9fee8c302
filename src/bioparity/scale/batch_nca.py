"""Batch NCA: NCA of a data set larger than memory, one Dask partition at a time, read as ``bioparity nca``
reads its input.

Input: a Parquet file or a directory of Parquet files (each row group of each file is one partition;
Hive-partitioned directories, ``subject=17/part.parquet``, are read with their partition columns), or one
file of another format ``bioparity nca`` reads (CSV, XLSX, SAS XPT), read whole and cut into partitions of
:data:`ROWS_PER_PART` rows. Either a plain table or an SDTM PC domain, with an optional SDTM EX domain
(``dosing``) giving each subject's own dose.

The rows are read by the rules of :mod:`bioparity.io.nca_input`, the reader of ``bioparity nca`` and of
the workspace NCA: the :class:`~bioparity.nca.NCASpec` resolved against the columns (the grouping rule
and ``dose="auto"`` of :mod:`bioparity.nca.spec`); an SDTM PC domain's rows read by
:func:`~bioparity.io.nca_input.pc_samples` (profiles by STUDYID, PCTESTCD, PCSPEC, PCRFTDTC and USUBJID,
times from PCELTM); what needs every row is decided once, before any NCA: the concentration unit
(PCSTRESU one unit on every row with a result: :func:`~bioparity.io.nca_input.one_unit` over the rows of
each partition that decide it) and whether the EX domain holds one dose record for every sampled subject
(:meth:`~bioparity.io.nca_input.ExDomain.single_dose`: single-dose NCA with each subject's EXDOSE and
infusion duration, sample times PCDTC - EXSTDTC when PC has PCDTC). With the spec's ``tau`` (``--tau``) the EX
domain is read once and put on the samples of each partition by
:func:`~bioparity.io.nca_input.doses_of`, the reader of ``bioparity nca --dosing --tau`` (multiple-dose NCA:
each dosing interval, the periods of a crossover from an ADSL or from the EPOCH of EX), a profile being
then a subject (and period), not a PCRFTDTC; without ``tau`` repeated doses are refused, naming a subject.

Every profile (grouping columns + subject, keyed as the reader keys them) must sit in one partition for
``map_partitions`` to see it whole: :func:`nca_dask` checks that from the key columns alone; profiles split
across partitions are brought together by a Dask shuffle on the profile keys, and each partition is put
back into the original row order before the NCA (so duplicated or unsorted times are still reported, and
located). Each partition runs :func:`bioparity.nca.run_nca` (the entry of every front end) and yields its
long table; because every value depends on its own profile only, the result equals the in-memory NCA of
the whole table, row for row (profile order: by partition, then first appearance).

Errors name the input file and the row within that file (1-based; a CSV's line too), or the EX domain's
file and row.
"""

from __future__ import annotations

import dataclasses
import time as _time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from bioparity.analyses.nca import arm_changes, arm_columns, arms_notes, with_arms
from bioparity.errors import DataFileError, InputError
from bioparity.io.adsl import AdslPeriods, adsl_periods
from bioparity.io.nca_input import (
    ADSL_UNUSED,
    DM_ARMS,
    REFERENCE,
    ExDomain,
    NCADoses,
    NCASamples,
    dm_arms,
    doses_of,
    one_unit,
    pc_given_groups,
    pc_samples,
    pc_unit_cells,
    read_ex,
    reference_periods,
    with_derived_period,
    with_unit,
)
from bioparity.io.readers import FORMATS, LoadedTable, read_any_table
from bioparity.io.sdtm import PC_READ, is_sdtm_ex, is_sdtm_pc, pc_profile_keys
from bioparity.nca import NCASpec, Where, result_table, run_nca
from bioparity.nca.covariates import subject_covariates
from bioparity.nca.samples import text_cells
from bioparity.scale.cluster import Execution, dask_client, describe

if TYPE_CHECKING:
    import dask.dataframe as dd
    from distributed import Client

_PART, _ROW, _KEY = "_bioparity_piece", "_bioparity_row", "_bioparity_key_"
_SUBJECT = "_bioparity_subject"
_LOCAL_SCHEDULERS = ("sync", "synchronous", "single-threaded", "threads", "threading", "processes")
#: Rows per partition of an input read whole (CSV, XLSX, XPT).
ROWS_PER_PART = 100_000


@dataclass(frozen=True, eq=False)
class _Piece:
    """The rows of one partition: a row group of a Parquet file (``fragment``), or rows of a table read
    whole (``rows``); ``first_row``: rows of the file before them; ``line_offset``: a data row's file line
    minus its row number (CSV), else None."""

    path: str
    first_row: int
    line_offset: int | None = None
    fragment: Any = None  # pyarrow.dataset.ParquetFileFragment (picklable)
    rows: pd.DataFrame | None = None


@dataclass(frozen=True)
class _Source:
    """The data set as given (``name``) and the file and line offset of each piece, for errors."""

    name: str
    paths: tuple[str, ...]
    line_offsets: tuple[int | None, ...]

    def place(self, piece: int, row: int) -> tuple[str, int, int | None]:
        """File, 1-based row and line (or None) of the 0-based ``row`` of the file of ``piece``."""
        offset = self.line_offsets[piece]
        return self.paths[piece], row + 1, None if offset is None else row + 1 + offset

    def text(self, piece: int, row: int) -> str:
        """``part0.parquet, row 3`` for the 0-based ``row`` of ``piece``; ``row 3 (line 4)`` when every
        piece is of one file (as ``bioparity nca`` names a row of its file)."""
        path, number, line = self.place(piece, row)
        at = f"row {number}" + ("" if line is None else f" (line {line})")
        return at if len(set(self.paths)) == 1 else f"{path}, {at}"

    def locate(self, exc: DataFileError, frame: pd.DataFrame) -> DataFileError:
        """``exc``, raised on the labelled rows ``frame``, at the file and row they came from (an error
        naming a file of its own, the EX domain's, is returned as it is)."""
        if exc.file is not None:
            return exc
        if exc.row is None:
            return exc.relocated(self.name, row=None, line=None)
        i = exc.row - 1
        path, row, line = self.place(int(frame[_PART].iloc[i]), int(frame[_ROW].iloc[i]))
        return exc.relocated(path, row=row, line=line)

    @contextmanager
    def located(self, frame: pd.DataFrame) -> Iterator[None]:
        """A :class:`~bioparity.errors.DataFileError` of the block, raised on the labelled rows ``frame``,
        raised again at the file and row they came from (:meth:`locate`)."""
        try:
            yield
        except DataFileError as exc:
            located = self.locate(exc, frame)
            if located is exc:
                raise
            raise located from exc


@dataclass(frozen=True, eq=False)
class _Input:
    """How the rows of a partition become NCA samples, as :mod:`bioparity.io.nca_input` reads a file.

    ``spec`` is the spec as given, ``names`` the data set's columns; ``conc_unit`` (the unit and where it
    was read), ``ex`` and ``periods`` (a crossover's period of each subject and PCRFTDTC:
    :func:`~bioparity.io.nca_input.reference_periods`, a part may hold one period of a subject) are
    decided over the whole data set first (:func:`nca_dask`); ``dm``: the SDTM DM domain read once, whose
    arms every part's samples gain (:func:`~bioparity.analyses.nca.with_arms`, as ``bioparity nca --dm``);
    ``adsl``: the periods of an ADaM ADSL read once, which place every part's samples in their period
    (:func:`~bioparity.io.nca_input.with_derived_period`, as ``bioparity nca --adsl``).
    """

    spec: NCASpec
    names: tuple[str, ...]
    conc_unit: tuple[str, str] | None = None
    ex: ExDomain | None = None
    periods: pd.Series | None = None
    dm: LoadedTable | None = None
    adsl: AdslPeriods | None = None
    dosing: LoadedTable | None = None

    sdtm: bool = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "sdtm", is_sdtm_pc(pd.DataFrame(columns=list(self.names))))

    def read_columns(self) -> list[str]:
        """The columns read: the profile keys, time, concentration and the optional columns the spec
        names; of an SDTM PC domain, those the reader reads (:data:`~bioparity.io.sdtm.PC_READ`)."""
        spec = self.spec.resolve(self.names)
        named = (spec.dose, spec.duration, spec.blq, spec.lloq, spec.conc_unit_column)
        if self.sdtm:
            domain = [c for c in self.names if c.upper() in PC_READ]
            columns = [*domain, *self.spec.given_groups(self.names)]
        else:
            columns = [*spec.keys, spec.time, spec.conc]
        named_columns = [c for c in named if isinstance(c, str)]
        return list(dict.fromkeys([*columns, *named_columns, *self.per_subject()]))

    def per_subject(self) -> list[str]:
        """The columns that hold one value per subject over the whole data set, checked before any NCA
        (:func:`_per_subject_checks`): the kept columns (``keep``, as ``bioparity nca --keep``) and the arm
        columns (ARM, ACTARM in any letter case: of a plain table every one, of an SDTM PC those among the
        ``--group`` columns, as the samples of ``bioparity nca`` have them)."""
        keep = self.spec.resolve(self.names).keep
        arms = arm_columns(self.spec.given_groups(self.names) if self.sdtm else self.names)
        return list(dict.fromkeys([*keep, *arms]))

    def keys(self, raw: pd.DataFrame) -> pd.DataFrame:
        """The profile keys of each row, as the samples are keyed (:attr:`NCASpec.keys`; for an SDTM PC
        domain the keys :func:`~bioparity.io.sdtm.read_sdtm_pc` makes, e.g. USUBJID without blanks)."""
        if not self.sdtm:
            return raw[self.spec.resolve(self.names).keys].reset_index(drop=True)
        keys, groups = pc_profile_keys(raw)
        given = pc_given_groups(raw, self.spec, groups)
        keys = keys.assign(**{g: raw[g].to_numpy() for g in given})
        if self.dosing is not None:  # multiple-dose: PCRFTDTC is each sample's dose, not its profile
            groups = [g for g in groups if g != REFERENCE]
        return keys[[*groups, *given, "subject"]]

    def samples(self, raw: pd.DataFrame) -> tuple[NCASamples, NCADoses | None]:
        """The samples of the rows ``raw`` (errors name their row in ``raw``, and no file), and with
        ``dosing`` (multiple-dose NCA, ``tau`` given) the dose records on their clock, read by
        :func:`~bioparity.io.nca_input.doses_of` as ``bioparity nca --dosing --tau`` reads them (periods
        from an ADSL or from the EPOCH of EX included)."""
        where = Where(file=None, line_offset=None)
        if not self.sdtm:
            samples = NCASamples(raw, self.spec.resolve(raw), where)
        else:
            samples = with_derived_period(pc_samples(raw, self.spec, where), self.periods, self.adsl)
            if self.conc_unit is not None:
                samples = with_unit(samples, "conc_unit", *self.conc_unit)
        if self.dm is not None:
            samples = with_arms(samples, self.dm, given=f"dm ({self.dm.file})")
        if self.dosing is not None:
            return doses_of(self.dosing, samples, tau=self.spec.tau)
        if self.ex is None:
            return samples, None
        single = self.ex.single_dose(self.ex.on_samples(samples))
        if single is None:  # checked over the whole data set before (_ex_domain)
            raise InputError("batch NCA is single-dose: a subject has several EX dose records")
        return single, None


def _parquet_pieces(dataset: Any) -> list[_Piece]:
    """Every row group of every file, in the dataset's file order (row offsets from the footers)."""
    out = []
    for fragment in dataset.get_fragments():
        offset = 0
        for group in fragment.split_by_row_group():
            out.append(_Piece(fragment.path, offset, fragment=group))
            offset += int(group.row_groups[0].num_rows)
    return out


def _open(source: str | Path) -> tuple[list[_Piece], list[str], Any, pd.DataFrame]:
    """The pieces of ``source``, its column names, its Arrow schema (Parquet; else None) and an empty
    frame of its columns and types."""
    name, path = str(source), Path(source)
    if not path.exists():
        raise DataFileError(
            "not found", file=name, expected="a Parquet file or directory of Parquet files, or a CSV, XLSX "
            "or XPT file"
        )  # fmt: skip
    if path.is_file() and FORMATS.get(path.suffix.lower(), "parquet") != "parquet":
        table = read_any_table(path)
        rows = table.frame.reset_index(drop=True)
        pieces = [
            _Piece(table.file, start, table.line_offset, rows=rows.iloc[start : start + ROWS_PER_PART])
            for start in range(0, len(rows), ROWS_PER_PART)
        ]
        return pieces, [str(c) for c in rows.columns], None, rows.iloc[:0]
    import pyarrow.dataset as pads  # type: ignore[import-untyped]

    try:
        dataset = pads.dataset(name, format="parquet", partitioning="hive")
    except (OSError, ValueError) as exc:
        raise DataFileError(f"not a readable Parquet data set ({exc})", file=name) from exc
    empty = dataset.schema.empty_table().to_pandas()
    return _parquet_pieces(dataset), list(dataset.schema.names), dataset.schema, empty


def _read_piece(piece: _Piece, index: int, read_columns: list[str], schema: Any) -> pd.DataFrame:
    """The rows of one piece (Hive partition columns filled in), labelled with piece and row in file."""
    if piece.rows is not None:
        frame = piece.rows[read_columns].reset_index(drop=True)
    else:
        frame = piece.fragment.to_table(schema=schema, columns=read_columns).to_pandas()
    frame[_PART] = np.full(len(frame), index, dtype=np.int64)
    frame[_ROW] = piece.first_row + np.arange(len(frame), dtype=np.int64)
    return frame


def _unlabelled(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows as read, without the piece, row and key labels."""
    return frame.drop(columns=[c for c in frame.columns if c in (_PART, _ROW) or str(c).startswith(_KEY)])


def _nca_partition(
    frame: pd.DataFrame, given: _Input, source: _Source, empty: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The long NCA table of the profiles of one partition (original row order restored).

    A partition without rows (a shuffle can leave some empty) gives ``empty``, the output schema.
    """
    if frame.empty and empty is not None:
        return empty
    frame = frame.sort_values([_PART, _ROW], kind="stable").reset_index(drop=True)
    with source.located(frame):
        samples, doses = given.samples(_unlabelled(frame))
        if doses is None:
            return result_table(run_nca(samples.frame, samples.spec, where=samples.where), samples.spec)
        result = run_nca(
            samples.frame, samples.spec, dosing=doses.frame, where=samples.where, dosing_where=doses.where
        )
    return result_table(result, samples.spec)


def _meta(
    probe: pd.DataFrame, given: _Input, source: _Source, unit_sources: Mapping[str, str]
) -> tuple[pd.DataFrame, list[str], NCASamples]:
    """The output schema: the NCA of a 3-sample profile made from the first row (read as every row is);
    the notes of the units bioparity does not know, as that row is read (the units of the options, of
    PCSTRESU and of EXDOSU: :meth:`~bioparity.nca.NCASpec.unit_notes`; ``unit_sources`` names the
    options); and that row's samples, whose profile columns (a derived period, the arms) every row has."""
    frame = probe.head(1).reset_index(drop=True)
    with source.located(frame):
        samples, doses = given.samples(_unlabelled(frame))
    spec = samples.spec
    notes = spec.unit_notes({**unit_sources, **samples.units})
    three = pd.concat([samples.frame.head(1)] * 3, ignore_index=True)
    three[spec.conc] = [0.0, 1.0, 0.5]
    if doses is None:
        three[spec.time] = [0.0, 1.0, 2.0]
        return result_table(run_nca(three, spec), spec).iloc[:0], notes, samples
    keys = [c for c in spec.keys if c in doses.frame.columns]  # the first row's profile's doses
    mine = doses.frame.merge(three.head(1)[keys], on=keys)
    first = float(mine[spec.time].min()) if spec.time in mine.columns else 0.0
    three[spec.time] = [first, first + 1.0, first + 2.0]
    table = result_table(run_nca(three, spec, dosing=mine.head(1)), spec)
    return table.iloc[:0], notes, dataclasses.replace(samples, note=doses.note)


def _distinct_keys(frame: pd.DataFrame, given: _Input) -> pd.DataFrame:
    return given.keys(frame).drop_duplicates()


def _subject_values(frame: pd.DataFrame, given: _Input, columns: list[str]) -> pd.DataFrame:
    """The first row of each subject and values of ``columns`` in a partition (the subject as the samples
    are keyed, the values and the piece and row labels): what :func:`_per_subject_checks` reads of every
    partition. The first row with a value of one column for a subject is among them."""
    subject = given.keys(frame).iloc[:, -1].to_numpy()
    values = frame[[*columns, _PART, _ROW]].reset_index(drop=True).assign(**{_SUBJECT: subject})
    return values.drop_duplicates([_SUBJECT, *columns])


def _per_subject_checks(values: pd.DataFrame, given: _Input, source: _Source) -> list[str]:
    """What ``bioparity nca`` checks of the columns that hold one value per subject, over every partition
    together (a subject's profiles may sit in different partitions), from the first rows of each subject
    and value of every partition (:func:`_subject_values`), in the data set's order: a kept column with two
    values for a subject is refused, naming the file, row and column of the second value and the row of
    the first (:func:`~bioparity.nca.covariates.subject_covariates`); an arm column that changes within a
    subject is said in the note of :func:`~bioparity.analyses.nca.arm_changes`, its rows named as in the
    input. Returns the notes."""
    values = values.sort_values([_PART, _ROW], kind="stable").reset_index(drop=True)
    parts, rows = values[_PART].to_numpy(dtype=np.int64), values[_ROW].to_numpy(dtype=np.int64)

    def place(i: int) -> tuple[str, int, int | None]:
        return source.place(int(parts[i]), int(rows[i]))

    keep = list(given.spec.resolve(given.names).keep)
    if keep:
        subject_covariates(values, _SUBJECT, keep, place=place)
    one_file = len(set(source.paths)) == 1
    texts = [
        f"row {row}" if one_file else f"{path}, row {row}"
        for path, row, _line in (place(i) for i in range(len(values)))
    ]
    arms = values[[_SUBJECT, *(c for c in arm_columns(values.columns) if c not in keep)]]
    return arm_changes(arms, _SUBJECT, texts)


def _with_keys(frame: pd.DataFrame, given: _Input) -> pd.DataFrame:
    """The rows with their profile keys as extra columns (``_bioparity_key_0``, ...), to shuffle on."""
    keys = given.keys(frame)
    return frame.assign(**{f"{_KEY}{i}": keys.iloc[:, i].to_numpy() for i in range(keys.shape[1])})


def _unit_rows(frame: pd.DataFrame, spec: NCASpec) -> pd.DataFrame:
    """The rows of a partition of an SDTM PC domain that decide the concentration unit over the whole data
    set (:func:`~bioparity.io.nca_input.one_unit`): its first row with a unit in PCSTRESU, its first row
    with a result, and its first row whose unit differs from that first one or whose result has none.
    Columns ``unit`` (the text), ``result`` and the piece and row labels."""
    cells = pc_unit_cells(frame, spec)
    assert cells is not None
    text, results = text_cells(cells[0]).to_numpy(dtype=object), cells[1]
    written = text != ""
    picks = [int(np.argmax(results))] if results.any() else []
    if written.any():
        first = int(np.argmax(written))
        bad = (results | written) & (text != text[first])
        picks += [first, int(np.argmax(bad))] if bad.any() else [first]
    rows = sorted(set(picks))
    return pd.DataFrame(
        {
            "unit": text[rows].astype(object),
            "result": results[rows].astype(bool),
            _PART: frame[_PART].to_numpy(dtype=np.int64)[rows],
            _ROW: frame[_ROW].to_numpy(dtype=np.int64)[rows],
        }
    )


def _conc_unit(rows: pd.DataFrame, column: str, spec: NCASpec, source: _Source) -> tuple[str, str] | None:
    """The unit of the concentrations over all partitions, and where it was read (``PCSTRESU of parts``),
    from the rows of each that decide it (:func:`_unit_rows`): :func:`one_unit` on those rows in the data
    set's order finds the row it would find on all rows, and names it in its file."""
    rows = rows.sort_values([_PART, _ROW], kind="stable").reset_index(drop=True)
    written = (rows["unit"] != "").to_numpy()
    first = int(np.argmax(written))
    at = source.text(int(rows[_PART].iloc[first]), int(rows[_ROW].iloc[first])) if written.any() else None
    with source.located(rows):
        unit = one_unit(
            rows["unit"].rename(column), rows["result"].to_numpy(dtype=bool), Where(),
            given=spec.conc_unit, option="--conc-unit", role="concentration", first_at=at,
        )  # fmt: skip
    return None if unit is None else (unit, f"{column} of {source.name}")


def _ex_domain(dosing: str | Path, given: _Input, keys: pd.DataFrame) -> ExDomain:
    """The EX domain ``dosing`` read once, when it holds at most one dose record for every subject of the
    profile ``keys`` (batch NCA is single-dose); a subject with several is refused, naming it."""
    table = read_any_table(dosing)
    if not is_sdtm_ex(table.frame):
        raise DataFileError(
            "not an SDTM EX domain; batch NCA takes the dose of each subject from an EX domain with one "
            "dose record per subject",
            file=table.file,
            expected="columns USUBJID, EXDOSE and EXSTDTC or EXSTDY (plain dose records: bioparity nca "
            "--dosing, multiple-dose NCA)",
        )
    ex = read_ex(table, given.spec.dose_unit)
    subjects = keys.iloc[:, -1].astype("string").str.strip()
    counts = subjects.map(ex.records["subject"].value_counts()).fillna(0).to_numpy(dtype=int)
    if (counts > 1).any():
        i = int(np.argmax(counts > 1))
        raise InputError(
            f"{table.file}: {counts[i]} dose records for subject {subjects.iloc[i]}: multiple-dose NCA, "
            f"which batch NCA runs with --tau (the dosing interval, as bioparity nca --dosing "
            f"{table.file} --tau); expected one dose record per subject (each subject's own dose) without it"
        )
    return ex


def nca_dask(
    source: str | Path,
    spec: NCASpec | None = None,
    *,
    dosing: str | Path | None = None,
    dm: str | Path | None = None,
    adsl: str | Path | None = None,
) -> tuple[dd.DataFrame, bool]:
    """Lazy NCA of a Parquet file or directory (Hive partitioning understood), or of a CSV, XLSX or XPT
    file; was a shuffle needed?

    Partitions are the row groups of the Parquet files (never merged or split by Dask's optimiser, so the
    partition check below holds for the computation), or :data:`ROWS_PER_PART` rows of a file read whole.
    Computes only what needs every row (the profile keys; of an SDTM PC domain, the rows deciding the
    unit) and a 3-sample probe for the output schema; the NCA runs when the result is computed or written.

    Parameters
    ----------
    source : str or pathlib.Path
        A Parquet file or a directory of Parquet files (Hive-partitioned directories understood), or a
        CSV, XLSX or SAS XPT file; a plain table (columns as the spec names them) or an SDTM PC domain
        (read as ``bioparity nca`` reads it, :mod:`bioparity.io.nca_input`).
    spec : NCASpec or None, default None
        Columns, grouping rule, dose, units and settings, resolved against the data set's columns;
        None uses ``NCASpec()`` (columns found by name). A unit column needs ``conc_unit`` here.
    dosing : str or pathlib.Path or None, default None
        An SDTM EX domain (XPT, CSV, ...) with one dose record for every sampled subject: single-dose NCA
        with each subject's EXDOSE, as ``bioparity nca --dosing`` (and its unit, EXDOSU); with the spec's
        ``tau``, any dose records: multiple-dose NCA, as ``bioparity nca --dosing --tau``.
    dm : str or pathlib.Path or None, default None
        An SDTM DM domain (USUBJID, ARM, optional ACTARM): each subject's arm as profile columns ARM and
        ACTARM, as ``bioparity nca --dm`` (:func:`bioparity.analyses.nca.with_arms`); read once.
    adsl : str or pathlib.Path or None, default None
        An ADaM ADSL (USUBJID, APxxSDT[/APxxSTM] or APxxSDTM, optional APxxEDT..., TRTxxP, TRTxxA): each
        sample's period from its PCRFTDTC and the subject's period dates, as ``bioparity nca --adsl``
        (:func:`bioparity.io.adsl.assign_periods`); read once.

    Returns
    -------
    dask.dataframe.DataFrame
        Lazy long NCA table (the columns of :func:`bioparity.nca.result_table`), one partition per
        input piece.
    bool
        Whether a shuffle on the profile keys was needed (a profile in more than one piece).

    Raises
    ------
    bioparity.errors.DataFileError
        When ``source`` is missing, unreadable, has no rows or lacks a column the spec names, when
        PCSTRESU holds two units (both rows named) or ``dosing`` is not an EX domain; errors met when the
        NCA runs name the input file and its row (or the EX domain's); a DM that does not fit (no USUBJID
        or ARM, a subject with two arms; a sampled subject missing from it: the input file and row).
    bioparity.errors.InputError
        When the spec has a unit column without a target ``conc_unit``, or a subject has several EX
        dose records (multiple-dose NCA: ``bioparity nca --dosing``), or a unit is of another dimension
        than what it states (:func:`bioparity.nca.units.input_unit`).
    """
    plan = _plan(source, spec, dosing, {}, (dm, adsl))
    return plan.frame, plan.shuffled


@dataclass(frozen=True)
class _Plan:
    """The lazy NCA of :func:`nca_dask`, whether a shuffle was needed, and the notes of the units that
    bioparity does not know (carried as written)."""

    frame: dd.DataFrame
    shuffled: bool
    unit_notes: tuple[str, ...]
    read: Said


def _plan(
    source: str | Path,
    spec: NCASpec | None,
    dosing: str | Path | None,
    unit_sources: Mapping[str, str],
    subject_level: tuple[str | Path | None, str | Path | None] = (None, None),
) -> _Plan:
    """:func:`nca_dask`, with the notes of its units (``unit_sources`` names the options in them)."""
    import dask
    import dask.dataframe as dd
    from dask.base import compute

    dask_compute: Any = compute  # unannotated in dask
    name = str(source)
    pieces, names, schema, empty = _open(source)
    given = _Input(spec or NCASpec(), tuple(names))
    if dosing is not None and given.spec.tau is not None:  # multiple-dose NCA, as bioparity nca --tau
        given = dataclasses.replace(given, dosing=read_any_table(dosing))
    s = given.spec.resolve(names)
    if s.conc_unit_column is not None and s.conc_unit is None:
        raise InputError("a unit column needs the target unit (conc_unit) in batch NCA: partitions differ")
    columns = given.read_columns()
    missing = [c for c in columns if c not in names]
    if missing:
        raise DataFileError(
            f"missing column(s) {', '.join(repr(c) for c in missing)}; columns found: {', '.join(names)}",
            file=name,
            expected=f"columns {', '.join(columns)}",
        )
    if not pieces:
        raise DataFileError("has no data rows", file=name, expected="one row per sample")
    where = _Source(name, tuple(p.path for p in pieces), tuple(p.line_offset for p in pieces))
    empty = empty[columns]
    meta_in = empty.assign(**{_PART: pd.Series(dtype=np.int64), _ROW: pd.Series(dtype=np.int64)})
    from_map: Any = dd.from_map  # unannotated in dask
    ddf = from_map(
        _read_piece,
        pieces,
        range(len(pieces)),
        read_columns=columns,  # not ``columns``: that name would let Dask project away the labels
        schema=schema,
        meta=meta_in,
        label="read-pieces",
    )
    # what needs every row, in one pass over the data: the profile keys, the rows deciding the unit
    wanted = [ddf.map_partitions(_distinct_keys, given, meta=given.keys(meta_in))]
    per_subject = given.per_subject()
    if per_subject:
        meta_values = _subject_values(meta_in, given, per_subject)
        wanted.append(ddf.map_partitions(_subject_values, given, per_subject, meta=meta_values))
    unit_cells = pc_unit_cells(empty, given.spec) if given.sdtm else None
    if unit_cells is not None:
        wanted.append(ddf.map_partitions(_unit_rows, given.spec, meta=_unit_rows(meta_in, given.spec)))
    found = dask_compute(*wanted)
    keys = found[0]
    arm_notes = _per_subject_checks(found[1], given, where) if per_subject else []
    if unit_cells is not None:
        unit = _conc_unit(found[-1], str(unit_cells[0].name), given.spec, where)
        given = dataclasses.replace(given, conc_unit=unit)
    # a single-dose crossover's period, from every part's reference doses (multiple-dose: doses_of)
    if given.sdtm and REFERENCE in keys.columns and given.dosing is None:
        given = dataclasses.replace(given, periods=reference_periods(keys["subject"], keys[REFERENCE]))
    if dosing is not None and given.dosing is None:
        given = dataclasses.replace(given, ex=_ex_domain(dosing, given, keys))
    dm, adsl = subject_level
    if dm is not None:  # read once, its columns and arms checked before any NCA
        table = read_any_table(dm)
        dm_arms(table)
        given = dataclasses.replace(given, dm=table)
    if adsl is not None:  # read once, its period dates checked before any NCA
        periods = adsl_periods(read_any_table(adsl))
        if not given.sdtm:
            raise InputError(ADSL_UNUSED.format(adsl=periods.file))
        given = dataclasses.replace(given, adsl=periods)
    shuffled = bool(keys.duplicated().any())  # a profile in more than one piece
    if shuffled:
        # P2P (Dask's default with a distributed client) needs that client at compute time; a local
        # scheduler set in the config gets the task-based shuffle.
        local = dask.config.get("scheduler", None) in _LOCAL_SCHEDULERS
        keyed = ddf.map_partitions(_with_keys, given, meta=_with_keys(meta_in, given))
        on = [c for c in keyed.columns if str(c).startswith(_KEY)]
        ddf = keyed.shuffle(on=on, shuffle_method="tasks" if local else None)
    probe = _read_piece(pieces[0], 0, columns, schema).head(1)
    if probe.empty:
        probe = ddf.head(1, npartitions=-1)
    meta, notes, first = _meta(probe, given, where, unit_sources)
    said = Said(
        first.derived,
        tuple(c for c in DM_ARMS if c in first.frame.columns),
        (*arms_notes(first), *arm_notes),  # the first row's samples: an SDTM PC without arms pools them
        first.note if given.dosing is not None else "",  # _meta: the note of the multiple-dose read
    )
    return _Plan(
        ddf.map_partitions(_nca_partition, given, where, meta, meta=meta), shuffled, tuple(notes), said
    )


@dataclass(frozen=True)
class Said:
    """What the reading of the data set adds to the run, as ``bioparity nca`` says and records it:
    ``derived`` the rule of a derived profile column (a crossover's period from PCRFTDTC or from ADSL:
    :func:`~bioparity.io.nca_input.with_derived_period`), ``arms`` the DM columns given to every subject
    (ARM, ACTARM), ``notes`` the notes of the samples (:func:`~bioparity.analyses.nca.arms_notes`: an SDTM
    PC without arms pools them; an arm column that changes within a subject, over every partition:
    :func:`_per_subject_checks`); ``dosing`` the note of a multiple-dose read of EX (``tau`` given:
    :func:`~bioparity.io.nca_input.doses_of`, as ``bioparity nca --dosing --tau`` says it)."""

    derived: tuple[str, ...] = ()
    arms: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    dosing: str = ""


@dataclass(frozen=True)
class BatchNCARun:
    """What :func:`nca_parquet` wrote and how it ran.

    Attributes
    ----------
    out : str
        The Parquet directory written (one file per partition; the long NCA table of
        :func:`bioparity.nca.result_table`).
    n_partitions : int
        Number of Dask partitions (row groups of the input files).
    shuffled : bool
        Whether profiles split across partitions had to be brought together by a shuffle.
    seconds : float
        Wall-clock time of the run, in seconds.
    execution : Execution
        Backend, workers and threads the run used.
    unit_notes : tuple of str
        The notes of the units bioparity does not know (carried as written, no conversion:
        :meth:`bioparity.nca.NCASpec.unit_notes`).
    said : Said
        The derived profile columns, the DM arms and the notes of the samples (:class:`Said`).
    """

    out: str
    n_partitions: int
    shuffled: bool
    seconds: float
    execution: Execution
    unit_notes: tuple[str, ...] = ()
    said: Said = field(default_factory=Said)


def nca_parquet(
    source: str | Path,
    out: str | Path,
    spec: NCASpec | None = None,
    *,
    dosing: str | Path | None = None,
    dm: str | Path | None = None,
    adsl: str | Path | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    client: Client | None = None,
    unit_sources: Mapping[str, str] | None = None,
) -> BatchNCARun:
    """NCA of the Parquet data set ``source`` into the Parquet directory ``out`` (one file per partition).

    Runs on ``client``, a new local cluster of ``workers`` processes, the cluster at ``scheduler``, or in
    this process (``workers=0``); no step holds more than one partition per worker in memory, apart
    from the partition check (one row per profile and partition).

    Parameters
    ----------
    source : str or pathlib.Path
        A Parquet file or directory of Parquet files, or a CSV, XLSX or XPT file; a plain table or an
        SDTM PC domain (see :func:`nca_dask`).
    out : str or pathlib.Path
        Output directory; must not exist or be empty.
    spec : NCASpec or None, default None
        What to compute (see :func:`nca_dask`); None: ``NCASpec()``.
    dosing : str or pathlib.Path or None, default None
        An SDTM EX domain with one dose record per subject (see :func:`nca_dask`).
    dm : str or pathlib.Path or None, default None
        An SDTM DM domain: each subject's arm (see :func:`nca_dask`).
    adsl : str or pathlib.Path or None, default None
        An ADaM ADSL: each sample's period (see :func:`nca_dask`).
    workers : int or None, default None
        Worker processes of a new local cluster (None: one per CPU; 0: in this process, synchronously).
    scheduler : str or None, default None
        Address of an existing Dask scheduler to run on instead.
    client : distributed.Client or None, default None
        A client to run on (``workers`` and ``scheduler`` are then ignored).
    unit_sources : mapping of str to str or None, default None
        How the notes of unknown units name the spec's ``conc_unit``, ``time_unit`` and ``dose_unit``
        (e.g. ``--conc-unit``; default ``option conc_unit``); units read from PCSTRESU or EXDOSU are named
        by their column and file.

    Returns
    -------
    BatchNCARun
        Where the result was written, the number of partitions, whether a shuffle was needed, timing.

    Raises
    ------
    bioparity.errors.InputError
        When ``out`` is a non-empty directory, or the spec is invalid.
    bioparity.errors.DataFileError
        When the input is missing or invalid (file and row named).
    ClusterError
        When a scheduler cannot be reached.

    Examples
    --------
    >>> import pandas as pd, tempfile, pathlib
    >>> tmp = pathlib.Path(tempfile.mkdtemp())
    >>> pd.DataFrame({"subject": 1, "time": [0.0, 1.0, 3.0], "conc": [0.0, 10.0, 5.0]}).to_parquet(
    ...     tmp / "pc.parquet")
    >>> run = nca_parquet(tmp / "pc.parquet", tmp / "out", NCASpec(parameters=("AUCLST",)), workers=0)
    >>> table = pd.read_parquet(run.out)
    >>> run.n_partitions, round(float(table.loc[table.PPTESTCD == "AUCLST", "PPSTRESN"].iloc[0]), 4)
    (1, 19.427)
    >>> import shutil; shutil.rmtree(tmp)
    """
    out_path = Path(out)
    if out_path.exists() and any(out_path.iterdir()):
        raise InputError(f"output directory {out_path} exists and is not empty; expected a new or empty one")
    start = _time.perf_counter()
    sources = dict(unit_sources or {})
    if client is not None:
        return _write(source, out_path, spec, (dosing, dm, adsl), client, start, sources)
    with dask_client(workers, scheduler) as own:
        return _write(source, out_path, spec, (dosing, dm, adsl), own, start, sources)


def _write(
    source: str | Path,
    out: Path,
    spec: NCASpec | None,
    domains: tuple[str | Path | None, str | Path | None, str | Path | None],
    client: Client | None,
    start: float,
    unit_sources: Mapping[str, str],
) -> BatchNCARun:
    """:func:`nca_parquet` on ``client``; ``domains``: the EX, DM and ADSL data sets (or None)."""
    import dask

    scheduler = "synchronous" if client is None else None
    with dask.config.set(scheduler=scheduler) if scheduler else _current(client):
        plan = _plan(source, spec, domains[0], unit_sources, domains[1:])
        to_parquet: Any = plan.frame.to_parquet  # unannotated in dask
        to_parquet(str(out), write_index=False)
    return BatchNCARun(
        out=str(out),
        n_partitions=int(plan.frame.npartitions),
        shuffled=plan.shuffled,
        seconds=_time.perf_counter() - start,
        execution=describe(client),
        unit_notes=plan.unit_notes,
        said=plan.read,
    )


def _current(client: Client | None) -> Any:
    assert client is not None
    return client.as_current()
