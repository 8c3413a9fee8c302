"""NCA of a partitioned Parquet data set larger than memory, one Dask partition at a time.

Every profile (``groups`` + ``subject``) must sit in one partition for ``map_partitions`` to see it
whole. :func:`nca_dask` checks that from the key columns alone; profiles split across partitions are
brought together by a Dask shuffle on the profile keys, and each partition is put back into the
original row order before the NCA (so duplicated or unsorted times are still reported, and located).
Each partition runs the validated in-memory engine (:func:`bioparity.nca.frame.nca`) and yields its
long table; because every value depends on its own profile only, the result equals the in-memory NCA
of the whole table, row for row (profile order: by partition, then first appearance).

Errors name the Parquet source, the partition and the row within that partition's file (1-based).
"""

from __future__ import annotations

import time as _time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from bioparity.errors import DataFileError, InputError
from bioparity.nca.frame import Where, nca
from bioparity.nca.options import NCAOptions
from bioparity.scale.cluster import Execution, dask_client, describe

if TYPE_CHECKING:
    import dask.dataframe as dd
    from distributed import Client

_PART, _ROW = "_bioparity_partition", "_bioparity_row"


@dataclass(frozen=True)
class BatchNCASettings:
    """Column names and NCA settings, as for :func:`bioparity.nca.frame.nca`."""

    subject: str = "subject"
    time: str = "time"
    conc: str = "conc"
    dose: str | None = None
    groups: tuple[str, ...] = ()
    blq: str | None = None
    lloq: str | None = None
    options: NCAOptions = field(default_factory=NCAOptions)
    parameters: tuple[str, ...] | None = None
    intervals: tuple[tuple[float, float], ...] = ()

    @property
    def keys(self) -> list[str]:
        return [*self.groups, self.subject]

    @property
    def columns(self) -> list[str]:
        return [*self.keys, self.time, self.conc, *(c for c in (self.dose, self.blq, self.lloq) if c)]


def _label(frame: pd.DataFrame, partition_info: dict[str, Any] | None = None) -> pd.DataFrame:
    """Add the partition number and the row within the partition (for order and error locations)."""
    part = 0 if partition_info is None else int(partition_info["number"])
    out = frame.copy()
    out[_PART] = np.full(len(frame), part, dtype=np.int64)
    out[_ROW] = np.arange(len(frame), dtype=np.int64)
    return out


def _nca_partition(frame: pd.DataFrame, settings: BatchNCASettings, source: str) -> pd.DataFrame:
    """The long NCA table of the profiles of one partition (original row order restored)."""
    frame = frame.sort_values([_PART, _ROW], kind="stable").reset_index(drop=True)
    try:
        result = nca(
            frame.drop(columns=[_PART, _ROW]),
            subject=settings.subject,
            time=settings.time,
            conc=settings.conc,
            dose=settings.dose,
            groups=settings.groups,
            blq=settings.blq,
            lloq=settings.lloq,
            options=settings.options,
            parameters=list(settings.parameters) if settings.parameters is not None else None,
            intervals=settings.intervals,
            where=Where(file=None, line_offset=None),
        )
    except DataFileError as exc:
        if exc.row is None:
            raise DataFileError(
                exc.problem, file=source, column=exc.column, value=exc.value, expected=exc.expected
            ) from exc
        i = exc.row - 1
        raise DataFileError(
            exc.problem,
            file=f"{source} (partition {int(frame[_PART].iloc[i])})",
            row=int(frame[_ROW].iloc[i]) + 1,
            column=exc.column,
            value=exc.value,
            expected=exc.expected,
        ) from exc
    return result.to_frame()


def _meta(ddf: dd.DataFrame, settings: BatchNCASettings, source: str) -> pd.DataFrame:
    """Empty frame with the output columns and dtypes: the engine run on a 3-sample copy of one real row."""
    first = ddf.head(1, npartitions=-1)
    if first.empty:
        raise DataFileError("has no data rows", file=source, expected="one row per sample")
    probe = pd.concat([first] * 3, ignore_index=True)
    probe[settings.time] = [0.0, 1.0, 2.0]
    probe[settings.conc] = [0.0, 1.0, 0.5]
    return _nca_partition(probe, settings, source).iloc[:0]


def _profiles_split(ddf: dd.DataFrame, keys: list[str]) -> bool:
    """Whether some profile has rows in more than one partition (reads the key columns only)."""
    per_partition = ddf[keys].map_partitions(lambda p: p.drop_duplicates(), meta=ddf[keys]._meta).compute()
    return bool(per_partition.duplicated().any())


def nca_dask(
    source: str | Path | dd.DataFrame, settings: BatchNCASettings | None = None
) -> tuple[dd.DataFrame, bool]:
    """Lazy NCA of a Parquet data set (path or Dask DataFrame); also says whether a shuffle was needed.

    Computes only the partition check and a 3-sample probe; the NCA itself runs when the returned
    frame is computed or written (:func:`nca_parquet`).
    """
    import dask.dataframe as dd

    s = settings or BatchNCASettings()
    name = "Dask DataFrame" if isinstance(source, dd.DataFrame) else str(source)
    if isinstance(source, dd.DataFrame):
        ddf = source
    else:
        path = Path(source)
        if not path.exists():
            raise DataFileError("not found", file=str(path), expected="a Parquet file or directory")
        ddf = dd.read_parquet(str(path))
    missing = [c for c in s.columns if c not in ddf.columns]
    if missing:
        raise DataFileError(
            f"missing column(s) {', '.join(repr(c) for c in missing)}; columns found: "
            f"{', '.join(map(str, ddf.columns))}",
            file=name,
            expected=f"columns {', '.join(s.columns)}",
        )
    ddf = ddf[s.columns].map_partitions(_label, meta=_label(ddf[s.columns]._meta))
    shuffled = _profiles_split(ddf, s.keys)
    if shuffled:
        ddf = ddf.shuffle(on=s.keys)
    meta = _meta(ddf, s, name)
    return ddf.map_partitions(_nca_partition, s, name, meta=meta), shuffled


@dataclass(frozen=True)
class BatchNCARun:
    """What :func:`nca_parquet` wrote and how it ran."""

    out: str
    n_partitions: int
    shuffled: bool
    seconds: float
    execution: Execution


def nca_parquet(
    source: str | Path,
    out: str | Path,
    settings: BatchNCASettings | None = None,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    client: Client | None = None,
) -> BatchNCARun:
    """NCA of the Parquet data set ``source`` into the Parquet directory ``out`` (one file per partition).

    Runs on ``client``, a new local cluster of ``workers`` processes, the cluster at ``scheduler``, or in
    this process (``workers=0``); no step holds more than one partition per worker in memory, apart
    from the partition check (one row per profile and partition).
    """
    out_path = Path(out)
    if out_path.exists() and any(out_path.iterdir()):
        raise InputError(f"output directory {out_path} exists and is not empty; expected a new or empty one")
    start = _time.perf_counter()
    if client is not None:
        return _write(source, out_path, settings, client, start)
    with dask_client(workers, scheduler) as own:
        return _write(source, out_path, settings, own, start)


def _write(
    source: str | Path, out: Path, settings: BatchNCASettings | None, client: Client | None, start: float
) -> BatchNCARun:
    import dask

    scheduler = "synchronous" if client is None else None
    with dask.config.set(scheduler=scheduler) if scheduler else _current(client):
        result, shuffled = nca_dask(source, settings)
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
