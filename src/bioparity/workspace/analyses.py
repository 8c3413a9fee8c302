"""Running a registered analysis on a stored dataset and keeping the result with its provenance.

A run records the kind, the SHA-256 of each input, the options, the software version, the result as
canonical JSON and that JSON's SHA-256. The same inputs, options and software give the same result text
byte for byte (and the same ``run_key``), so a stored result can always be reproduced and compared.
"""

from __future__ import annotations

import json
import platform
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import scipy
from sqlalchemy import select
from sqlalchemy.orm import Session

from bioparity._results import software_version
from bioparity.audit import append_event, canonical_json, sha256_hex
from bioparity.errors import BioparityError, DataFileError
from bioparity.store.models import AnalysisRun
from bioparity.workspace.access import Actor, require_dataset, require_run, require_study
from bioparity.workspace.datasets import dataset_content, read_stored
from bioparity.workspace.registry import effective_options, get_kind
from bioparity.workspace.roles import Permission
from bioparity.workspace.snapshots import snapshot


def software_versions() -> str:
    """What produced a result: bioparity and the numerical libraries under it."""
    return (
        f"bioparity {software_version()}; numpy {np.__version__}; scipy {scipy.__version__}; "
        f"pandas {pd.__version__}; python {platform.python_version()}"
    )


def run_analysis(
    session: Session, actor: Actor, dataset_id: str, kind: str, options: Mapping[str, Any] | None = None
) -> AnalysisRun:
    """Run ``kind`` on the dataset and store the run.

    Invalid inputs (unknown kind or option, a dataset that does not fit the kind) raise and store
    nothing. An unexpected failure inside the computation is stored as a run with status ``failed``.
    """
    dataset, study, program = require_dataset(session, actor, dataset_id, Permission.write_data)
    spec = get_kind(kind)
    options = effective_options(spec, options or {})
    frame = read_stored(dataset_content(session, dataset), dataset.filename, spec.read)
    inputs = {"dataset": dataset.sha256}
    versions = software_versions()
    run_key = sha256_hex(
        canonical_json({"kind": kind, "inputs": inputs, "options": options, "software": versions})
    )
    run = AnalysisRun(
        study_id=study.id,
        dataset_id=dataset.id,
        kind=kind,
        inputs_json=canonical_json(inputs),
        options_json=canonical_json(options),
        software_version=versions,
        run_key=run_key,
        created_by=actor.user_id,
    )
    try:
        result = spec.compute(frame, options)
    except DataFileError as exc:
        raise DataFileError(
            exc.problem,
            file=dataset.filename,
            row=exc.row,
            line=exc.line,
            column=exc.column,
            value=exc.value,
            expected=exc.expected,
        ) from exc
    except BioparityError:
        raise
    except Exception as exc:  # a defect, not a user error: keep the evidence of the attempt
        run.status, run.error = "failed", f"{type(exc).__name__}: {exc}"
    else:
        run.status = "succeeded"
        run.result_json = canonical_json(result)
        run.result_sha256 = sha256_hex(run.result_json)
    session.add(run)
    session.flush()
    append_event(
        session,
        actor_id=actor.user_id,
        actor=actor.username,
        action="run",
        object_type="analysis_run",
        object_id=run.id,
        org_id=program.org_id,
        program_id=program.id,
        after=snapshot(run),
    )
    return run


def run_result(run: AnalysisRun) -> Any:
    return None if run.result_json is None else json.loads(run.result_json)


def list_runs(session: Session, actor: Actor, study_id: str) -> Sequence[AnalysisRun]:
    study, _ = require_study(session, actor, study_id)
    query = select(AnalysisRun).where(AnalysisRun.study_id == study.id).order_by(AnalysisRun.created_at)
    return list(session.scalars(query))


def get_run(session: Session, actor: Actor, run_id: str) -> AnalysisRun:
    return require_run(session, actor, run_id)[0]
