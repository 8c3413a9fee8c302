"""Studies' datasets, analysis runs and signatures."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated

from fastapi import APIRouter, Path, Request, Response

from bioparity.analyses.registry import all_analyses
from bioparity.api.deps import CurrentActor, read_unit, unit_of_work, write_unit
from bioparity.api.errors import ERROR_RESPONSES
from bioparity.api.schemas import (
    UUID_PATTERN,
    DatasetIn,
    DatasetOut,
    DeriveIn,
    KindOut,
    RunIn,
    RunOut,
    SignatureOut,
    SignIn,
    StudyOut,
)
from bioparity.errors import InputError
from bioparity.workspace import analyses, datasets, programs, signatures

router = APIRouter(responses=ERROR_RESPONSES)
StudyId = Annotated[str, Path(pattern=UUID_PATTERN)]
DatasetId = Annotated[str, Path(pattern=UUID_PATTERN)]
RunId = Annotated[str, Path(pattern=UUID_PATTERN)]

_CONTENT_TYPES = ("text/csv", "text/tab-separated-values", "text/plain", "application/octet-stream")


@router.get("/analysis-kinds", tags=["analyses"])
def list_kinds(actor: CurrentActor) -> list[KindOut]:
    """The analyses a dataset can be run through, with their options schema (type, default, choices),
    the columns they read and the kinds whose results they take."""
    return [KindOut.of(k) for k in all_analyses().values()]


@router.get("/studies/{study_id}", tags=["studies"])
def get_study(study_id: StudyId, actor: CurrentActor, request: Request) -> StudyOut:
    with unit_of_work(request) as session:
        return StudyOut.of(programs.get_study(session, actor, study_id))


@router.get("/studies/{study_id}/datasets", tags=["datasets"])
def list_datasets(study_id: StudyId, actor: CurrentActor, request: Request) -> list[DatasetOut]:
    with unit_of_work(request) as session:
        return [DatasetOut.of(d) for d in datasets.list_datasets(session, actor, study_id)]


def _content(body: DatasetIn) -> bytes:
    if (body.content is None) == (body.content_base64 is None):
        raise InputError("give the file in exactly one of 'content' (text) or 'content_base64'")
    if body.content is not None:
        try:
            return body.content.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise InputError(f"content is not valid UTF-8 text: {exc.reason}") from None
    try:
        return base64.b64decode(body.content_base64 or "", validate=True)
    except (binascii.Error, ValueError):
        raise InputError("content_base64 is not valid base64") from None


@router.post("/studies/{study_id}/datasets", status_code=201, tags=["datasets"])
def upload_dataset(study_id: StudyId, body: DatasetIn, actor: CurrentActor, request: Request) -> DatasetOut:
    """Upload a file as a new immutable version of dataset ``name``; it is validated first (for
    ``analysis_kind`` when given), and a rejected file changes nothing.

    ``column_map``, ``units`` and ``unit_columns`` are the upload page's column mapping: checked the
    same way (against the kind's columns and the file), stored with the dataset and applied to every
    run on it."""
    content = _content(body)
    with read_unit(request) as session:
        pending = datasets.check_upload(
            session,
            actor,
            study_id,
            name=body.name,
            filename=body.filename,
            content=content,
            media_type=body.media_type,
            analysis_kind=body.analysis_kind,
            rename=body.column_map,
            units=body.units,
            unit_columns=body.unit_columns,
        )
    parsed = datasets.parse_upload(pending)  # outside any transaction: a large file holds no lock
    return DatasetOut.of(write_unit(request, lambda session: datasets.store_upload(session, actor, parsed)))


@router.get("/datasets/{dataset_id}", tags=["datasets"])
def get_dataset(dataset_id: DatasetId, actor: CurrentActor, request: Request) -> DatasetOut:
    with unit_of_work(request) as session:
        return DatasetOut.of(datasets.get_dataset(session, actor, dataset_id))


@router.get(
    "/datasets/{dataset_id}/content",
    tags=["datasets"],
    response_class=Response,
    responses={200: {"content": {t: {"schema": {"type": "string"}} for t in _CONTENT_TYPES}}},
)
def get_dataset_content(dataset_id: DatasetId, actor: CurrentActor, request: Request) -> Response:
    """The stored file, byte for byte (its SHA-256 is in the X-Content-SHA256 header)."""
    with unit_of_work(request) as session:
        dataset = datasets.get_dataset(session, actor, dataset_id)
        content = datasets.dataset_content(session, dataset)
    return Response(
        content,
        media_type=dataset.media_type,
        headers={
            "X-Content-SHA256": dataset.sha256,
            "Content-Disposition": f'attachment; filename="{dataset.id}-{dataset.version}"',
            "X-Content-Type-Options": "nosniff",
        },
    )


@router.post("/datasets/{dataset_id}/runs", status_code=201, tags=["analyses"])
def run_analysis(dataset_id: DatasetId, body: RunIn, actor: CurrentActor, request: Request) -> RunOut:
    """Run an analysis kind on the dataset and store the result with its provenance."""
    with read_unit(request) as session:
        pending = analyses.check_run(session, actor, dataset_id, body.kind, body.options)
    computed = analyses.compute_run(pending)  # outside any transaction
    return RunOut.of(write_unit(request, lambda session: analyses.store_run(session, actor, computed)))


@router.post("/runs/{run_id}/datasets", status_code=201, tags=["datasets"])
def derive_dataset(run_id: RunId, body: DeriveIn, actor: CurrentActor, request: Request) -> DatasetOut:
    """Store the table of a succeeded run (e.g. NCA PP) as a new dataset version in its study."""
    with read_unit(request) as session:
        pending = datasets.check_derive(
            session, actor, run_id, name=body.name, analysis_kind=body.analysis_kind
        )
    parsed = datasets.parse_upload(pending)
    return DatasetOut.of(write_unit(request, lambda session: datasets.store_upload(session, actor, parsed)))


@router.get("/studies/{study_id}/runs", tags=["analyses"])
def list_runs(study_id: StudyId, actor: CurrentActor, request: Request) -> list[RunOut]:
    with unit_of_work(request) as session:
        return [RunOut.of(r) for r in analyses.list_runs(session, actor, study_id)]


@router.get("/runs/{run_id}", tags=["analyses"])
def get_run(run_id: RunId, actor: CurrentActor, request: Request) -> RunOut:
    with unit_of_work(request) as session:
        return RunOut.of(analyses.get_run(session, actor, run_id))


@router.get("/runs/{run_id}/signatures", tags=["signatures"])
def list_signatures(run_id: RunId, actor: CurrentActor, request: Request) -> list[SignatureOut]:
    """Signatures of the run, each with ``valid`` re-checked against the stored result now."""
    with unit_of_work(request) as session:
        return [SignatureOut.of(s) for s in signatures.list_signatures(session, actor, run_id)]


@router.post("/runs/{run_id}/signatures", status_code=201, tags=["signatures"])
def sign_run(run_id: RunId, body: SignIn, actor: CurrentActor, request: Request) -> SignatureOut:
    """Sign the run's result: re-enter your password and state the meaning."""
    with unit_of_work(request) as session:
        sig = signatures.sign_run(session, actor, run_id, password=body.password, meaning=body.meaning)
        run = analyses.get_run(session, actor, run_id)
        return SignatureOut.of(signatures.check_signature(run, sig))
