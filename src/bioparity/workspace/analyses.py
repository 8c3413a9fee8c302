"""Running an analysis kind (:mod:`bioparity.analyses`) on a stored dataset and keeping the result with
its provenance.

A run records the kind, the SHA-256 of each input, the options, the software version, the result as
canonical JSON and that JSON's SHA-256. The same inputs, options and software give the same result text
byte for byte (and the same ``run_key``), so a stored result can always be reproduced and compared.

An option of type ``dataset`` (e.g. NCA's ``dosing``) names a second dataset of the same study: its bytes
are read with the first's, ``compute`` gets the path of a copy named as the dataset's file, and the run's
inputs record its SHA-256 under the option's name.
"""

from __future__ import annotations

import json
import os
import platform
import tempfile
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import scipy
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, defer

from bioparity._results import software_version
from bioparity.analyses.contract import Option
from bioparity.analyses.registry import effective_options, get_analysis
from bioparity.audit import canonical_json, sha256_hex
from bioparity.errors import BioparityError, DataFileError, InputError
from bioparity.i18n import DEFAULT_LANGUAGE, use_language
from bioparity.i18n import gettext as _
from bioparity.progress import StageCallback, report_stage
from bioparity.store.models import AnalysisRun, Dataset, Study
from bioparity.workspace.access import Actor, require_dataset, require_run, require_study
from bioparity.workspace.datasets import (
    UPLOAD_FOLDER_PREFIX,
    ColumnMap,
    dataset_content,
    option_dataset_ids,
    read_mapped,
)
from bioparity.workspace.errors import NotFoundError
from bioparity.workspace.events import record
from bioparity.workspace.roles import Permission
from bioparity.workspace.signatures import run_signatures, runs_signatures
from bioparity.workspace.snapshots import snapshot


def software_versions() -> str:
    """What produced a result: bioparity and the numerical libraries under it."""
    return (
        f"bioparity {software_version()}; numpy {np.__version__}; scipy {scipy.__version__}; "
        f"pandas {pd.__version__}; python {platform.python_version()}"
    )


@dataclass(frozen=True)
class RunInput:
    """A second input a run reads, with its stored bytes: the dataset an option of type ``dataset`` names,
    or the result (JSON) of the run an option of type ``run`` names (``dataset_id`` then that run's id)."""

    option: str
    dataset_id: str
    filename: str
    sha256: str
    content: bytes


@dataclass(frozen=True)
class PendingRun:
    """A run that passed the checks that need the store (permission, kind, options), with the dataset's
    stored bytes (and those of the datasets its options name); :func:`compute_run` then needs no store."""

    dataset_id: str
    study_id: str
    kind: str
    options: Mapping[str, Any]
    filename: str
    sha256: str
    content: bytes
    column_map: str | None = None
    inputs: tuple[RunInput, ...] = ()


@dataclass(frozen=True)
class ComputedRun:
    """The outcome of :func:`compute_run`: a succeeded result or a failure kept as evidence."""

    pending: PendingRun
    status: str
    result_json: str | None
    error: str | None
    software_version: str


def check_options(
    session: Session, actor: Actor, dataset_id: str, kind: str, options: Mapping[str, Any] | None = None
) -> tuple[Dataset, dict[str, Any]]:
    """Check that the caller may run ``kind`` on the dataset with these options (only reads the store,
    not the dataset's bytes); returns the dataset and the effective options (defaults filled in)."""
    dataset, _study, _program = require_dataset(session, actor, dataset_id, Permission.write_data)
    spec = get_analysis(kind)
    mapping = ColumnMap.parse(dataset.column_map)
    # Units chosen at upload are the defaults of the kind's unit options (a given option wins).
    seeded = {k: v for k, v in mapping.units.items() if k in spec.option_help}
    effective = effective_options(spec, {**seeded, **(options or {})})
    for column in spec.columns:
        source = mapping.unit_columns.get(column.name)
        if source and column.unit_option and not str(effective.get(column.unit_option) or "").strip():
            values: dict[str, Any] = {"file": dataset.filename, "column": column.name, "source": source}
            values |= {"option": column.unit_option, "example": seeded.get(column.unit_option)}
            raise InputError(
                _(
                    "%(file)s gives the unit of %(column)s per row (column %(source)s): set "
                    "option %(option)s to the unit to convert into, e.g. %(example)s"
                )
                % values
                if values["example"]
                else _(
                    "%(file)s gives the unit of %(column)s per row (column %(source)s): set "
                    "option %(option)s to the unit to convert into"
                )
                % values
            )
    _option_datasets(session, actor, dataset, spec.dataset_options, effective)
    _option_runs(session, actor, dataset, spec.run_options, effective)
    return dataset, dict(effective)


def _option_datasets(
    session: Session, actor: Actor, dataset: Dataset, options: Sequence[Option], values: Mapping[str, Any]
) -> list[tuple[str, Dataset]]:
    """The datasets named by the options of type ``dataset`` (option name, dataset), each one the caller
    may read in the study of ``dataset``; an unknown id or another study's dataset is refused naming
    the option."""
    found = []
    for option in options:
        value = str(values.get(option.name) or "").strip()
        if not value:
            continue
        try:
            other = require_dataset(session, actor, value)[0]
        except NotFoundError:
            other = None
        if other is None or other.study_id != dataset.study_id:
            raise InputError(
                _("option %(option)s: no dataset %(id)r in the study of %(file)s")
                % {"option": option.name, "id": value, "file": dataset.filename}
            )
        found.append((option.name, other))
    return found


def _option_runs(
    session: Session, actor: Actor, dataset: Dataset, options: Sequence[Option], values: Mapping[str, Any]
) -> list[tuple[str, AnalysisRun]]:
    """The stored runs named by the options of type ``run`` (option name, run): each one the caller may
    read, in the program of ``dataset``, of one of the option's kinds, succeeded and carrying a valid
    electronic signature (its result is evidence another run builds on: 21 CFR 11.70, signatures linked
    to their records; EU GMP Annex 11 section 14). Anything else is refused naming the option and why."""
    found = []
    program_id = require_dataset(session, actor, dataset.id)[2].id
    for option in options:
        value = str(values.get(option.name) or "").strip()
        if not value:
            continue
        words = {"option": option.name, "id": value, "kinds": ", ".join(option.kinds)}
        try:
            run, _study, program = require_run(session, actor, value)
        except NotFoundError:
            raise InputError(
                _("option %(option)s: no analysis run %(id)r that you can read") % words
            ) from None
        words |= {"kind": run.kind, "status": run.status}
        if program.id != program_id:
            raise InputError(
                _(
                    "option %(option)s: run %(id)r belongs to another program; choose a %(kinds)s run of "
                    "this one"
                )
                % words
            )
        if run.kind not in option.kinds:
            raise InputError(_("option %(option)s: run %(id)r is a %(kind)s run, not %(kinds)s") % words)
        if run.status != "succeeded" or run.result_json is None:
            raise InputError(
                _(
                    "option %(option)s: run %(id)r did not succeed (status %(status)s): it has no result "
                    "to use"
                )
                % words
            )
        if not any(s.valid for s in run_signatures(session, run)):
            raise InputError(
                _(
                    "option %(option)s: run %(id)r is not signed: its result can be used once it carries a "
                    "valid electronic signature"
                )
                % words
            )
        found.append((option.name, run))
    return found


def usable_runs(session: Session, program_id: str, kinds: Collection[str]) -> dict[str, str]:
    """The runs an option of type ``run`` of these kinds may name in the program (the ones
    :func:`_option_runs` accepts: succeeded, with a currently valid signature), newest first: id -> label
    (``ada-cutpoint run of 2026-12-07 08:15 UTC, id 1a2b3c4d``) for the web form's select."""
    query = (
        select(AnalysisRun)
        .join(Study, Study.id == AnalysisRun.study_id)
        .where(
            Study.program_id == program_id,
            AnalysisRun.kind.in_(list(kinds)),
            AnalysisRun.status == "succeeded",
        )
        .order_by(AnalysisRun.created_at.desc(), AnalysisRun.id)
    )
    runs = [run for run in session.scalars(query) if run.result_json is not None]
    signed = runs_signatures(session, runs)  # one statement for all of them, not one per run
    return {
        run.id: _("%(kind)s run of %(time)s, id %(id)s")
        % {"kind": run.kind, "time": f"{run.created_at:%Y-%m-%d %H:%M} UTC", "id": run.id[:8]}
        for run in runs
        if any(s.valid for s in signed.get(run.id, []))
    }


def option_datasets(session: Session, runs: Iterable[AnalysisRun]) -> dict[str, Dataset]:
    """The datasets that the options of type ``dataset`` of ``runs`` name, by id (one query). Each is in
    its run's study (checked when the run was submitted), so a reader of the runs may read them."""
    ids = {i for run in runs for i in option_dataset_ids(run).values()}
    if not ids:
        return {}
    return {d.id: d for d in session.scalars(select(Dataset).where(Dataset.id.in_(ids)))}


def dataset_label(dataset: Dataset) -> str:
    """``name vN (file)``: a dataset as an option naming it is shown (``ex v1 (ex.xpt)``)."""
    return _("%(name)s v%(version)s (%(file)s)") % {
        "name": dataset.name,
        "version": dataset.version,
        "file": dataset.filename,
    }


def check_run(
    session: Session, actor: Actor, dataset_id: str, kind: str, options: Mapping[str, Any] | None = None
) -> PendingRun:
    """Check that the caller may run ``kind`` on the dataset with these options (only reads the store),
    and read the dataset's stored bytes."""
    dataset, effective = check_options(session, actor, dataset_id, kind, options)
    return PendingRun(
        dataset_id=dataset.id,
        study_id=dataset.study_id,
        kind=kind,
        options=effective,
        filename=dataset.filename,
        sha256=dataset.sha256,
        content=dataset_content(session, dataset),
        column_map=dataset.column_map,
        inputs=run_inputs(session, actor, dataset, kind, effective),
    )


def run_inputs(
    session: Session, actor: Actor, dataset: Dataset, kind: str, options: Mapping[str, Any]
) -> tuple[RunInput, ...]:
    """The datasets the options of type ``dataset`` of a run of ``kind`` on ``dataset`` name, with their
    stored bytes (checked against their seal), then the stored results of the runs its options of type
    ``run`` name (checked by :func:`_option_runs`)."""
    spec = get_analysis(kind)
    named = _option_datasets(session, actor, dataset, spec.dataset_options, options)
    runs = _option_runs(session, actor, dataset, spec.run_options, options)
    return tuple(
        RunInput(name, other.id, other.filename, other.sha256, dataset_content(session, other))
        for name, other in named
    ) + tuple(
        # the stored result as the file compute reads; its SHA-256 goes into the inputs (the run id stays
        # in the options): the lineage of the new run
        RunInput(
            name,
            run.id,
            f"{run.kind}-run-{run.id}.json",
            str(run.result_sha256),
            str(run.result_json).encode(),
        )
        for name, run in runs
    )


@contextmanager
def option_files(inputs: Sequence[RunInput], options: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    """The options as ``compute`` takes them: each dataset option's value the path of a temporary copy of
    the dataset's file, named as that file (removed on leaving)."""
    with tempfile.TemporaryDirectory(prefix=f"{UPLOAD_FOLDER_PREFIX}{os.getpid()}-") as folder:
        given = dict(options)
        for i, extra in enumerate(inputs):  # a folder each: two inputs may share a file name
            path = os.path.join(folder, str(i), extra.filename)
            os.mkdir(os.path.dirname(path))
            with open(path, "wb") as handle:
                handle.write(extra.content)
            given[extra.option] = path
        yield given


#: Where a run stands when it starts each stage (reported to ``stage`` by :func:`compute_run`).
READING, COMPUTING, SERIALISING = 0.05, 0.35, 0.85


def compute_run(pending: PendingRun, stage: StageCallback | None = None) -> ComputedRun:
    """Read the dataset and compute (no store: servers run this outside any transaction).

    A dataset that does not fit the kind raises (nothing is stored); an unexpected failure inside the
    computation becomes a ``failed`` outcome. ``stage(fraction, message)`` hears of each stage
    (reading, computing, preparing the result).
    """
    spec = get_analysis(pending.kind)
    report_stage(stage, READING, f"reading {pending.filename} ({len(pending.content):,} bytes)")
    frame = read_mapped(pending.content, pending.filename, pending.column_map, spec, pending.options)
    report_stage(stage, COMPUTING, f"computing {pending.kind} on {len(frame):,} rows")
    versions = software_versions()
    with option_files(pending.inputs, pending.options) as options:
        try:
            with use_language(DEFAULT_LANGUAGE):  # a stored result is language-neutral, whoever asked
                result = spec.compute(frame, options)
        except DataFileError as exc:
            if exc.file is not None and exc.file in {extra.filename for extra in pending.inputs}:
                raise  # about a dataset named by an option, which its file name already names
            raise exc.relocated(pending.filename, row=exc.row, line=exc.line) from exc
        except BioparityError:
            raise
        except Exception as exc:  # a defect, not a user error: keep the evidence of the attempt
            return ComputedRun(pending, "failed", None, f"{type(exc).__name__}: {exc}", versions)
    report_stage(stage, SERIALISING, "preparing the result for storage")
    return ComputedRun(pending, "succeeded", canonical_json(result), None, versions)


def store_run(
    session: Session, actor: Actor, computed: ComputedRun, *, run_id: str | None = None
) -> AnalysisRun:
    """Write the run and its audit row (a short write; the permission is checked again).

    ``run_id`` is the id announced for a background run (:mod:`bioparity.workspace.jobs`); by default
    a new one."""
    pending = computed.pending
    dataset, study, program = require_dataset(session, actor, pending.dataset_id, Permission.write_data)
    if dataset.sha256 != pending.sha256:  # pragma: no cover - datasets are immutable
        raise InputError(f"dataset {dataset.id} changed while the analysis ran; run it again")
    inputs: dict[str, Any] = {"dataset": pending.sha256}
    inputs |= {extra.option: extra.sha256 for extra in pending.inputs}  # e.g. NCA's dose records
    if pending.column_map:  # the renaming and unit columns applied to the file are part of what it read
        inputs["column_map"] = json.loads(pending.column_map)
    options = dict(pending.options)
    run_key = sha256_hex(
        canonical_json(
            {
                "kind": pending.kind,
                "inputs": inputs,
                "options": options,
                "software": computed.software_version,
            }
        )
    )
    run = AnalysisRun(
        study_id=study.id,
        dataset_id=dataset.id,
        kind=pending.kind,
        inputs_json=canonical_json(inputs),
        options_json=canonical_json(options),
        software_version=computed.software_version,
        run_key=run_key,
        created_by=actor.user_id,
        status=computed.status,
        error=computed.error,
        result_json=computed.result_json,
        result_sha256=None if computed.result_json is None else sha256_hex(computed.result_json),
    )
    if run_id is not None:
        run.id = run_id
    session.add(run)
    session.flush()
    record(session, actor, "run", "analysis_run", run.id, program, after=snapshot(run))
    return run


def run_analysis(
    session: Session, actor: Actor, dataset_id: str, kind: str, options: Mapping[str, Any] | None = None
) -> AnalysisRun:
    """Run ``kind`` on the dataset and store the run, all in the caller's session (:func:`check_run`,
    :func:`compute_run`, :func:`store_run`; the server runs them apart).

    Invalid inputs (unknown kind or option, a dataset that does not fit the kind) raise and store
    nothing. An unexpected failure inside the computation is stored as a run with status ``failed``.
    """
    return store_run(session, actor, compute_run(check_run(session, actor, dataset_id, kind, options)))


def run_result(run: AnalysisRun) -> Any:
    return None if run.result_json is None else json.loads(run.result_json)


def list_runs(session: Session, actor: Actor, study_id: str, results: bool = True) -> Sequence[AnalysisRun]:
    """The study's runs in the order they were made; ``results=False``: without their results (not read
    from the store; an NCA result is megabytes of JSON)."""
    study, _program = require_study(session, actor, study_id)
    query = select(AnalysisRun).where(AnalysisRun.study_id == study.id).order_by(AnalysisRun.created_at)
    return list(session.scalars(query if results else query.options(defer(AnalysisRun.result_json))))


#: A dataset's runs without their results (built once: see bioparity.store.lookup).
_DATASET_RUNS = (
    select(AnalysisRun)
    .where(AnalysisRun.dataset_id == bindparam("dataset_id"))
    .order_by(AnalysisRun.created_at, AnalysisRun.id)
    .options(defer(AnalysisRun.result_json))
)


def dataset_runs(session: Session, dataset: Dataset) -> list[AnalysisRun]:
    """The runs of ``dataset`` in the order they were made, without their results (the caller has checked
    that the user may read it): what a page listing them shows (kind, status, time, options). Their
    results (an NCA result is megabytes of JSON) are not read, nor the other runs of the study."""
    return list(session.scalars(_DATASET_RUNS, {"dataset_id": dataset.id}))


def get_run(session: Session, actor: Actor, run_id: str) -> AnalysisRun:
    return require_run(session, actor, run_id)[0]
