"""Datasets: uploaded files stored once by SHA-256, immutable, versioned by name within a study.

An upload is validated before anything is stored (against the reader of the analysis kind it is meant
for, or as a plain CSV table), and everything it writes — bytes, dataset row, audit row — is in the
caller's transaction: a rejected or failed upload leaves the store unchanged.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path, PurePath

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from bioparity.audit import append_event, sha256_hex
from bioparity.errors import DataFileError, InputError
from bioparity.io import read_table
from bioparity.io.tables_out import csv_bytes
from bioparity.store.models import Blob, Dataset
from bioparity.workspace.access import Actor, require_dataset, require_run, require_study
from bioparity.workspace.adapters import result_frame
from bioparity.workspace.registry import get_kind
from bioparity.workspace.roles import Permission
from bioparity.workspace.snapshots import snapshot

MAX_UPLOAD_BYTES = 50 * 1024 * 1024


def _safe_filename(filename: str) -> str:
    name = PurePath(filename.replace("\\", "/")).name.strip()
    if not name or name in {".", ".."}:
        raise InputError(f"filename {filename!r} has no usable file name, e.g. 'grid.csv'")
    return name


def read_stored(content: bytes, filename: str, reader: Callable[[Path], pd.DataFrame]) -> pd.DataFrame:
    """Run a file reader on stored bytes; errors name the dataset's file, not a temporary path."""
    with tempfile.TemporaryDirectory(prefix="bioparity-") as folder:
        path = Path(folder) / filename
        path.write_bytes(content)
        try:
            return reader(path)
        except DataFileError as exc:
            raise DataFileError(
                exc.problem,
                file=filename,
                row=exc.row,
                line=exc.line,
                column=exc.column,
                value=exc.value,
                expected=exc.expected,
            ) from None


def read_plain_csv(path: Path) -> pd.DataFrame:
    """The check applied to a dataset not meant for a particular analysis: a CSV with a header and rows."""
    return read_table(path, [])


def _store_blob(session: Session, digest: str, content: bytes) -> None:
    """Insert the bytes unless already stored; concurrent uploads of the same bytes both succeed."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(Blob).values(sha256=digest, size=len(content), content=content)
    session.execute(statement.on_conflict_do_nothing(index_elements=["sha256"]))


def upload_dataset(
    session: Session,
    actor: Actor,
    study_id: str,
    *,
    name: str,
    filename: str,
    content: bytes,
    media_type: str = "text/csv",
    analysis_kind: str | None = None,
    derived_from_run: str | None = None,
) -> Dataset:
    """Validate and store a new version of dataset ``name`` in the study."""
    study, program = require_study(session, actor, study_id, Permission.write_data)
    if not name.strip():
        raise InputError("dataset name must not be empty")
    if len(content) > MAX_UPLOAD_BYTES:
        raise InputError(f"file too large: {len(content)} bytes; at most {MAX_UPLOAD_BYTES} bytes")
    filename = _safe_filename(filename)
    reader = read_plain_csv if analysis_kind is None else get_kind(analysis_kind).read
    frame = read_stored(content, filename, reader)

    digest = sha256_hex(content)
    _store_blob(session, digest, content)
    latest = session.scalar(
        select(func.max(Dataset.version)).where(Dataset.study_id == study.id, Dataset.name == name)
    )
    dataset = Dataset(
        study_id=study.id,
        name=name,
        version=(latest or 0) + 1,
        sha256=digest,
        filename=filename,
        media_type=media_type,
        validated_for=analysis_kind,
        n_rows=len(frame),
        created_by=actor.user_id,
        derived_from_run=derived_from_run,
    )
    session.add(dataset)
    session.flush()
    append_event(
        session,
        actor_id=actor.user_id,
        actor=actor.username,
        action="upload",
        object_type="dataset",
        object_id=dataset.id,
        org_id=program.org_id,
        program_id=program.id,
        after=snapshot(dataset),
    )
    return dataset


def list_datasets(session: Session, actor: Actor, study_id: str) -> Sequence[Dataset]:
    study, _ = require_study(session, actor, study_id)
    query = select(Dataset).where(Dataset.study_id == study.id).order_by(Dataset.name, Dataset.version)
    return list(session.scalars(query))


def get_dataset(session: Session, actor: Actor, dataset_id: str) -> Dataset:
    return require_dataset(session, actor, dataset_id)[0]


def dataset_content(session: Session, dataset: Dataset) -> bytes:
    """The stored bytes, checked against their address (a corrupted blob is an error, not data)."""
    blob = session.get(Blob, dataset.sha256)
    if blob is None or sha256_hex(blob.content) != dataset.sha256:
        raise DataFileError(
            "stored content does not match its SHA-256: the store is corrupted",
            file=dataset.filename,
            expected=f"content with SHA-256 {dataset.sha256}",
        )
    return bytes(blob.content)


def derive_dataset(
    session: Session, actor: Actor, run_id: str, *, name: str | None = None, analysis_kind: str | None = None
) -> Dataset:
    """Store the table of a succeeded run as a new dataset version in the run's study.

    The CSV is written deterministically from the stored result (same run, same bytes, same SHA-256), and
    the dataset records the run it came from; it is validated for ``analysis_kind`` like an upload.
    """
    run, study, _program = require_run(session, actor, run_id, Permission.write_data)
    if run.status != "succeeded" or run.result_json is None:
        raise InputError(
            f"run {run.id} has status {run.status!r}; only a succeeded run's table can be stored"
        )
    table = result_frame(json.loads(run.result_json))
    content = csv_bytes(table)
    return upload_dataset(
        session,
        actor,
        study.id,
        name=name or f"{run.kind}-result",
        filename=f"{run.kind}-result.csv",
        content=content,
        analysis_kind=analysis_kind,
        derived_from_run=run.id,
    )
