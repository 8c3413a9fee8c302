"""Datasets: uploaded files stored once by SHA-256, immutable, versioned by name within a study.

An upload is validated before anything is stored (against the reader of the analysis kind it is meant
for, or as a plain CSV table), and everything it writes — bytes, dataset row, audit row — is in the
caller's transaction: a rejected or failed upload leaves the store unchanged. Each dataset record carries
a MAC with the audit key (:mod:`bioparity.workspace.sealing`), checked whenever its bytes are read, so a
blob swapped and re-pointed by someone without the key is refused rather than served.

Files are parsed from a private temporary folder named ``bioparity-upload-<pid>-*`` that is removed
afterwards; :func:`clean_stale_upload_folders` removes those of processes that died (kill -9) and runs
when a server starts.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import time
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
from bioparity.store.models import Blob, Dataset, new_id
from bioparity.workspace.access import Actor, require_dataset, require_run, require_study
from bioparity.workspace.adapters import result_frame
from bioparity.workspace.registry import get_kind
from bioparity.workspace.roles import Permission
from bioparity.workspace.sealing import dataset_mac, dataset_sealed
from bioparity.workspace.snapshots import snapshot

MAX_UPLOAD_BYTES = 50 * 1024 * 1024

#: Temporary folders of uploads being parsed: ``bioparity-upload-<pid>-<random>``.
UPLOAD_FOLDER_PREFIX = "bioparity-upload-"
_OWNED = re.compile(rf"^{re.escape(UPLOAD_FOLDER_PREFIX)}(\d+)-")
# Folders of versions before the pid was in the name: ``bioparity-<8 random characters>``.
_LEGACY = re.compile(r"^bioparity-[a-z0-9_]{8}$")
LEGACY_FOLDER_AGE_S = 3600.0


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def clean_stale_upload_folders(folder: Path | None = None) -> list[Path]:
    """Remove upload folders left in the temporary directory by processes that no longer run.

    A folder whose name carries the id of a live process is kept (it may be in use); old-style folders
    without a process id are removed once older than an hour. Returns the folders removed.
    """
    base = Path(folder or tempfile.gettempdir())
    removed: list[Path] = []
    try:
        entries = list(base.iterdir())
    except OSError:
        return removed
    now = time.time()
    for entry in entries:
        owned = _OWNED.match(entry.name)
        try:
            if not entry.is_dir() or entry.is_symlink():
                continue
            if owned is not None:
                stale = not _process_alive(int(owned.group(1)))
            else:
                stale = bool(_LEGACY.match(entry.name)) and now - entry.stat().st_mtime > LEGACY_FOLDER_AGE_S
        except OSError:
            continue
        if stale:
            shutil.rmtree(entry, ignore_errors=True)
            if not entry.exists():
                removed.append(entry)
    return removed


def _safe_filename(filename: str) -> str:
    name = PurePath(filename.replace("\\", "/")).name.strip()
    if not name or name in {".", ".."}:
        raise InputError(f"filename {filename!r} has no usable file name, e.g. 'grid.csv'")
    return name


def read_stored(content: bytes, filename: str, reader: Callable[[Path], pd.DataFrame]) -> pd.DataFrame:
    """Run a file reader on stored bytes; errors name the dataset's file, not a temporary path."""
    with tempfile.TemporaryDirectory(prefix=f"{UPLOAD_FOLDER_PREFIX}{os.getpid()}-") as folder:
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
        id=new_id(),
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
    dataset.mac = dataset_mac(dataset)
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
    """The stored bytes, checked against the record's seal and their address (tampering is an error)."""
    if not dataset_sealed(dataset):
        raise DataFileError(
            "the dataset record does not carry the workspace's seal (audit-key MAC): it was changed or "
            "inserted outside the application; run `bioparity audit verify`",
            file=dataset.filename,
            expected=f"dataset {dataset.id} as recorded at upload",
        )
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
    content = table.to_csv(index=False, lineterminator="\n", float_format="%.17g").encode("utf-8")
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
