"""NCA of a partitioned Parquet data set larger than memory, one Dask partition at a time.

Each row group of each file is one Dask partition. The :class:`~bioparity.nca.NCASpec` is resolved once
against the data set's column names (the grouping rule and ``dose="auto"`` of :mod:`bioparity.nca.spec`,
as in ``bioparity nca`` and the workspace). Every profile (grouping columns + subject) must sit in
one partition for ``map_partitions`` to see it whole: :func:`nca_dask` checks that from the key columns
alone; profiles split across partitions are brought together by a Dask shuffle on the profile keys, and
each partition is put back into the original row order before the NCA (so duplicated or unsorted times
are still reported, and located). Each partition runs :func:`bioparity.nca.run_nca` (the entry of every
front end) and yields its long table; because every value depends on its own
profile only, the result equals the in-memory NCA of the whole table, row for row (profile order: by
partition, then first appearance). Hive-partitioned directories (``subject=17/part.parquet``) are read
with their partition columns.

Errors name the Parquet file and the row within that file (1-based).
"""

from __future__ import annotations

import time as _time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from bioparity.errors import DataFileError, InputError
from bioparity.nca import NCASpec, Where, result_table, run_nca
from bioparity.scale.cluster import Execution, dask_client, describe

if TYPE_CHECKING:
    import dask.dataframe as dd
    from distributed import Client

_PART, _ROW = "_bioparity_piece", "_bioparity_row"
_LOCAL_SCHEDULERS = ("sync", "synchronous", "single-threaded", "threads", "threading", "processes")


def _read_columns(spec: NCASpec) -> list[str]:
    """The columns a batch NCA reads: the profile keys, time, concentration and the optional columns named
    by the (resolved) spec."""
    optional = (spec.dose, spec.duration, spec.blq, spec.lloq, spec.conc_unit_column)
    return list(
        dict.fromkeys([*spec.keys, spec.time, spec.conc, *(c for c in optional if isinstance(c, str))])
    )


@dataclass(frozen=True)
class _Piece:
    """One row group of one Parquet file: the unit read by one Dask partition."""

    fragment: Any  # pyarrow.dataset.ParquetFileFragment (picklable)
    path: str
    first_row: int  # rows of the file before this row group


def _pieces(dataset: Any) -> list[_Piece]:
    """Every row group of every file, in the dataset's file order (row offsets from the footers)."""
    out = []
    for fragment in dataset.get_fragments():
        offset = 0
        for group in fragment.split_by_row_group():
            out.append(_Piece(group, fragment.path, offset))
            offset += int(group.row_groups[0].num_rows)
    return out


def _read_piece(piece: _Piece, index: int, read_columns: list[str], schema: Any) -> pd.DataFrame:
    """The rows of one piece (Hive partition columns filled in), labelled with piece and row in file."""
    frame: pd.DataFrame = piece.fragment.to_table(schema=schema, columns=read_columns).to_pandas()
    frame[_PART] = np.full(len(frame), index, dtype=np.int64)
    frame[_ROW] = piece.first_row + np.arange(len(frame), dtype=np.int64)
    return frame


def _nca_partition(
    frame: pd.DataFrame,
    spec: NCASpec,
    paths: tuple[str, ...],
    source: str,
    empty: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The long NCA table of the profiles of one partition (original row order restored).

    A partition without rows (a shuffle can leave some empty) gives ``empty``, the output schema.
    """
    if frame.empty and empty is not None:
        return empty
    frame = frame.sort_values([_PART, _ROW], kind="stable").reset_index(drop=True)
    try:
        result = run_nca(frame.drop(columns=[_PART, _ROW]), spec, where=Where(file=None, line_offset=None))
    except DataFileError as exc:
        file, row = source, None
        if exc.row is not None:  # row of the partition -> file and row of that file (1-based)
            i = exc.row - 1
            file, row = paths[int(frame[_PART].iloc[i])], int(frame[_ROW].iloc[i]) + 1
        raise exc.relocated(file, row=row, line=None) from exc
    return result_table(result, spec)


def _distinct_keys(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    return frame[keys].drop_duplicates()


def nca_dask(source: str | Path, spec: NCASpec | None = None) -> tuple[dd.DataFrame, bool]:
    """Lazy NCA of a Parquet file or directory (Hive partitioning understood); was a shuffle needed?

    Partitions are the row groups of the files (never merged or split by Dask's optimiser, so the
    partition check below holds for the computation). Computes only that check (key columns) and a
    3-sample probe for the output schema; the NCA runs when the result is computed or written.

    Parameters
    ----------
    source : str or pathlib.Path
        A Parquet file or a directory of Parquet files (Hive-partitioned directories understood).
    spec : NCASpec or None, default None
        Columns, grouping rule, dose, units and settings, resolved against the data set's columns;
        None uses ``NCASpec()`` (columns found by name). A unit column needs ``conc_unit`` here.

    Returns
    -------
    dask.dataframe.DataFrame
        Lazy long NCA table (the columns of :func:`bioparity.nca.result_table`), one partition per
        input row group.
    bool
        Whether a shuffle on the profile keys was needed (a profile in more than one row group).

    Raises
    ------
    bioparity.errors.DataFileError
        When ``source`` is missing, unreadable, has no rows or lacks a column the spec names; errors
        met when the NCA runs name the Parquet file and its row.
    bioparity.errors.InputError
        When the spec has a unit column without a target ``conc_unit``.
    """
    import dask
    import dask.dataframe as dd
    import pyarrow.dataset as pads  # type: ignore[import-untyped]

    name = str(source)
    if not Path(source).exists():
        raise DataFileError("not found", file=name, expected="a Parquet file or directory of Parquet files")
    try:
        dataset = pads.dataset(name, format="parquet", partitioning="hive")
    except (OSError, ValueError) as exc:
        raise DataFileError(f"not a readable Parquet data set ({exc})", file=name) from exc
    s = (spec or NCASpec()).resolve(dataset.schema.names)
    if s.conc_unit_column is not None and s.conc_unit is None:
        raise InputError("a unit column needs the target unit (conc_unit) in batch NCA: partitions differ")
    columns = _read_columns(s)
    missing = [c for c in columns if c not in dataset.schema.names]
    if missing:
        raise DataFileError(
            f"missing column(s) {', '.join(repr(c) for c in missing)}; columns found: "
            f"{', '.join(dataset.schema.names)}",
            file=name,
            expected=f"columns {', '.join(columns)}",
        )
    pieces = _pieces(dataset)
    if not pieces:
        raise DataFileError("has no data rows", file=name, expected="one row per sample")
    empty = dataset.schema.empty_table().select(columns).to_pandas()
    meta_in = empty.assign(**{_PART: pd.Series(dtype=np.int64), _ROW: pd.Series(dtype=np.int64)})
    from_map: Any = dd.from_map  # unannotated in dask
    ddf = from_map(
        _read_piece,
        pieces,
        range(len(pieces)),
        read_columns=columns,  # not ``columns``: that name would let Dask project away the labels
        schema=dataset.schema,
        meta=meta_in,
        label="read-parquet-pieces",
    )
    keys = ddf.map_partitions(_distinct_keys, s.keys, meta=meta_in[s.keys]).compute()
    shuffled = bool(keys.duplicated().any())  # a profile in more than one piece
    if shuffled:
        # P2P (Dask's default with a distributed client) needs that client at compute time; a local
        # scheduler set in the config gets the task-based shuffle.
        local = dask.config.get("scheduler", None) in _LOCAL_SCHEDULERS
        ddf = ddf.shuffle(on=s.keys, shuffle_method="tasks" if local else None)
    paths = tuple(p.path for p in pieces)
    probe = _read_piece(pieces[0], 0, columns, dataset.schema).head(1)
    if probe.empty:
        probe = ddf.head(1, npartitions=-1)
    probe = pd.concat([probe] * 3, ignore_index=True)
    probe[s.time] = [0.0, 1.0, 2.0]
    probe[s.conc] = [0.0, 1.0, 0.5]
    meta = _nca_partition(probe, s, paths, name).iloc[:0]
    return ddf.map_partitions(_nca_partition, s, paths, name, meta, meta=meta), shuffled


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
    """

    out: str
    n_partitions: int
    shuffled: bool
    seconds: float
    execution: Execution


def nca_parquet(
    source: str | Path,
    out: str | Path,
    spec: NCASpec | None = None,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    client: Client | None = None,
) -> BatchNCARun:
    """NCA of the Parquet data set ``source`` into the Parquet directory ``out`` (one file per partition).

    Runs on ``client``, a new local cluster of ``workers`` processes, the cluster at ``scheduler``, or in
    this process (``workers=0``); no step holds more than one partition per worker in memory, apart
    from the partition check (one row per profile and partition).

    Parameters
    ----------
    source : str or pathlib.Path
        A Parquet file or directory of Parquet files (see :func:`nca_dask`).
    out : str or pathlib.Path
        Output directory; must not exist or be empty.
    spec : NCASpec or None, default None
        What to compute (see :func:`nca_dask`); None: ``NCASpec()``.
    workers : int or None, default None
        Worker processes of a new local cluster (None: one per CPU; 0: in this process, synchronously).
    scheduler : str or None, default None
        Address of an existing Dask scheduler to run on instead.
    client : distributed.Client or None, default None
        A client to run on (``workers`` and ``scheduler`` are then ignored).

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
    if client is not None:
        return _write(source, out_path, spec, client, start)
    with dask_client(workers, scheduler) as own:
        return _write(source, out_path, spec, own, start)


def _write(
    source: str | Path, out: Path, spec: NCASpec | None, client: Client | None, start: float
) -> BatchNCARun:
    import dask

    scheduler = "synchronous" if client is None else None
    with dask.config.set(scheduler=scheduler) if scheduler else _current(client):
        result, shuffled = nca_dask(source, spec)
        to_parquet: Any = result.to_parquet  # unannotated in dask
        to_parquet(str(out), write_index=False)
    return BatchNCARun(
        out=str(out),
        n_partitions=int(result.npartitions),
        shuffled=shuffled,
        seconds=_time.perf_counter() - start,
        execution=describe(client),
    )


def _current(client: Client | None) -> Any:
    assert client is not None
    return client.as_current()
