"""Readers of the inputs of NCA: concentrations (a plain long table or an SDTM PC domain) and dose records
(plain, or an SDTM EX domain put on the samples' clock); a reviewer's lambda_z choices are read by
:func:`bioparity.io.review.read_review`.

Each reader returns the data for :func:`bioparity.nca.run_nca` with a :class:`~bioparity.nca.Where`, so
that errors found later still name the file, row and line. An SDTM PC domain is recognised by its
columns (:func:`bioparity.io.sdtm.is_sdtm_pc`) and read as ``subject``, ``time``, ``conc`` with its
grouping columns (STUDYID, PCTESTCD, PCSPEC, PCRFTDTC) put before the spec's own ``groups``.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass

import numpy as np
import pandas as pd

from bioparity.io.readers import read_any_table
from bioparity.io.sdtm import doses_on_sample_clock, is_sdtm_ex, is_sdtm_pc, read_sdtm_pc
from bioparity.nca.samples import Where, parse_numbers
from bioparity.nca.spec import NCASpec


@dataclass(frozen=True)
class NCASamples:
    """A concentration table ready for :func:`bioparity.nca.run_nca`.

    ``spec`` is the given spec resolved against the table's columns, adapted to an SDTM PC domain when the
    file is one (``sdtm_pc`` then holds the domain as read, and ``note`` says what was detected).
    """

    frame: pd.DataFrame
    spec: NCASpec
    where: Where
    sdtm_pc: pd.DataFrame | None = None
    note: str = ""


@dataclass(frozen=True)
class NCADoses:
    """Dose records on the clock of the samples, with their file (``note``: an SDTM EX domain read)."""

    frame: pd.DataFrame
    where: Where
    note: str = ""


def read_samples(path: str | os.PathLike[str], spec: NCASpec) -> NCASamples:
    """The concentrations of ``path`` (CSV, XLSX, Parquet or XPT; plain or SDTM PC) for ``spec``."""
    table = read_any_table(path)
    where = Where(file=table.file, line_offset=table.line_offset)
    if not is_sdtm_pc(table.frame):
        return NCASamples(table.frame, spec.resolve(table.frame), where)
    pc = table.frame
    samples, pc_groups = read_sdtm_pc(pc, file=table.file)
    named = spec.resolve(pc)  # columns the spec names in the domain (dose, duration, units) are kept
    for column in (named.dose, named.duration, named.conc_unit_column, named.blq, named.lloq):
        if isinstance(column, str) and column in pc.columns:
            samples[column] = pc[column].to_numpy()
    groups = (*pc_groups, *spec.groups)
    spec = dataclasses.replace(spec, subject="subject", time="time", conc="conc", groups=groups)
    note = f"{table.file}: SDTM PC domain detected (profiles by {', '.join([*groups, 'USUBJID'])})"
    return NCASamples(samples, spec.resolve(samples), where, sdtm_pc=pc, note=note)


def read_doses(path: str | os.PathLike[str], samples: NCASamples) -> tuple[NCASamples, NCADoses]:
    """Dose records of ``path`` for multiple-dose NCA of ``samples``, both on one clock.

    Plain records (``subject, time, dose[, duration]``) share the samples' clock already. An SDTM EX
    domain gives times in hours since each subject's first dose; an SDTM PC sample table is then put on
    that clock from PCDTC (:func:`bioparity.io.sdtm.doses_on_sample_clock`). A ``subject`` column is
    renamed to the samples' subject column when that one has another name.
    """
    table = read_any_table(path)
    where = Where(file=table.file, line_offset=table.line_offset)
    doses, note = table.frame, ""
    if is_sdtm_ex(doses):
        doses, times = doses_on_sample_clock(
            doses, ex_file=table.file, pc=samples.sdtm_pc, pc_file=samples.where.file
        )
        if times is not None:
            samples = dataclasses.replace(samples, frame=samples.frame.assign(**{samples.spec.time: times}))
        note = f"{table.file}: SDTM EX domain read ({len(doses)} dose records)"
    if samples.spec.subject not in doses.columns:  # ``subject`` named like the samples' subject column
        doses = doses.rename(columns={"subject": samples.spec.subject})
    return samples, NCADoses(doses, where, note)


def missing_concentrations(frame: pd.DataFrame, spec: NCASpec, where: Where) -> pd.DataFrame:
    """The samples the analysis leaves out because their concentration is missing (an empty cell, ``NA``,
    ``.``, ``NaN``; a BLQ marker is not missing), so that a command can name each one.

    ``spec`` must be resolved against ``frame`` (:meth:`~bioparity.nca.NCASpec.resolve`). One row per such
    sample, in the order of the table: ``row`` (1-based data row), ``line`` (file line, or missing for
    files without lines), the profile columns and the time as written.
    """
    values, blq = parse_numbers(frame[spec.conc], spec.conc, where, allow_missing=True, blq_tokens=True)
    rows = np.flatnonzero(np.isnan(values) & ~blq)
    found = frame.iloc[rows][[*spec.keys, spec.time]].reset_index(drop=True)
    found.insert(0, "row", rows + 1)
    offset = where.line_offset
    found.insert(1, "line", [None if offset is None else int(r) + 1 + offset for r in rows])
    return found
