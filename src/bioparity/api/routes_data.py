"""Studies' datasets, analysis runs and signatures."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request, Response
from fastapi.responses import JSONResponse

from bioparity.analyses.registry import all_analyses
from bioparity.api.deps import (
    Bearer,
    CurrentActor,
    PathId,
    client_address,
    read_unit,
    request_run,
    unit_of_work,
    write_unit,
)
from bioparity.api.errors import ERROR_RESPONSES
from bioparity.api.file_names import disposition, run_file_name
from bioparity.api.schemas import (
    DatasetIn,
    DatasetOut,
    DeriveIn,
    JobOut,
    KindOut,
    RunIn,
    RunOut,
    RunSummaryOut,
    SignatureOut,
    SignIn,
    StudyOut,
)
from bioparity.audit import sha256_hex
from bioparity.errors import InputError
from bioparity.workspace import access, adam, analyses, datasets, events, jobs, programs, signatures
from bioparity.workspace.upload_worker import parse_upload_apart

router = APIRouter(responses=ERROR_RESPONSES)
StudyId = PathId
DatasetId = PathId
RunId = PathId

#: The fields of an upload body that :func:`bioparity.workspace.datasets.check_upload` takes as they are.
_UPLOAD = {"name", "filename", "media_type", "analysis_kind", "units", "unit_columns", "reason"}
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
    run on it. A new version of a name whose earlier version a signed run used needs a ``reason``
    (422 naming it otherwise)."""
    content = _content(body)
    with read_unit(request) as session:
        fields = body.model_dump(include=_UPLOAD)
        pending = datasets.check_upload(
            session, actor, study_id, content=content, rename=body.column_map, **fields
        )
    parsed = parse_upload_apart(pending)  # outside any transaction: a large file holds no lock
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
def get_dataset_content(
    dataset_id: DatasetId, actor: CurrentActor, bearer: Bearer, request: Request
) -> Response:
    """The stored file, byte for byte (its SHA-256 is in the X-Content-SHA256 header). Each download is
    recorded in the program's audit trail as an ``export`` row of the dataset (who, when, the dataset's
    name, version and id, the SHA-256 and size of the bytes handed out, and whether through the web page
    or the API)."""
    with read_unit(request) as session:
        dataset, _study, program = access.require_dataset(session, actor, dataset_id)
        content = datasets.dataset_content(session, dataset)
    # a refusal (404, a tampered file) raised above and recorded nothing; the row has its own write
    # transaction, as an export's (bioparity.web.downloads.export_response)
    via = "api" if bearer is not None and bearer.credentials else "web"  # as current_actor chose the token
    write_unit(
        request,
        lambda session: events.record_dataset_download(
            session, actor, program, dataset, content=content, via=via
        ),
    )
    return Response(
        content,
        media_type=dataset.media_type,
        headers={
            "X-Content-SHA256": dataset.sha256,
            "Content-Disposition": f'attachment; filename="{dataset.id}-{dataset.version}"',
            "X-Content-Type-Options": "nosniff",
        },
    )


#: Seconds a client is asked to wait before polling a run's status again.
POLL_AFTER_SECONDS = "1"
_ACCEPTED_HEADERS = {
    "Location": {"description": "The run's URL (answers 202 with the status until the run is stored).",
                 "schema": {"type": "string"}},
    "Retry-After": {"description": "Seconds to wait before polling.", "schema": {"type": "string"}},
    "Idempotent-Replayed": {"description": "true: the answer of an earlier request with the same "
                            "Idempotency-Key (nothing new was requested)", "schema": {"type": "string"}},
}  # fmt: skip
#: The optional header making a run request idempotent (IETF draft "The Idempotency-Key HTTP Header Field").
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=jobs.REQUEST_KEY_MAX,
        description="Optional: a key of your choosing, unique per request (e.g. a UUID). The same request "
        "sent again with the same key (a retry after a lost answer) answers the run the first one requested "
        "instead of requesting another; the same key with another dataset, kind or options is refused (422).",
    ),
]


@router.post(
    "/datasets/{dataset_id}/runs",
    status_code=202,
    tags=["analyses"],
    responses={202: {"description": "Accepted: computed in the background", "headers": _ACCEPTED_HEADERS}},
)
def run_analysis(
    dataset_id: DatasetId,
    body: RunIn,
    actor: CurrentActor,
    request: Request,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> JobOut:
    """Request an analysis of the dataset; it is computed in the background and stored with its
    provenance exactly as before.

    The request is checked at once (permission, kind, options: 4xx, nothing recorded). The answer is
    202 Accepted with the run's id, its URL (``Location``, ``run_url``) and its status URL
    (``status_url``): poll that until ``status`` is ``done`` (GET ``run_url`` for the run) or
    ``failed`` (``error`` says why, e.g. the file, row and column a dataset does not fit the kind at).
    With an ``Idempotency-Key`` already sent with the same request: the same answer for that run (its
    status now), ``Idempotent-Replayed: true``, and nothing new requested.
    """
    requested = request_run(request, actor, dataset_id, body.kind, body.options, request_key=idempotency_key)
    job = requested.job
    if not requested.new:
        response.headers["Idempotent-Replayed"] = "true"
    response.headers["Location"] = f"/runs/{job.id}"
    response.headers["Retry-After"] = POLL_AFTER_SECONDS
    return JobOut.of(jobs.status_of(job))


@router.get("/runs/{run_id}/status", tags=["analyses"])
def run_status(run_id: RunId, actor: CurrentActor, request: Request) -> JobOut:
    """Where a requested run stands: queued, running (progress and message), done or failed (error).
    A run stored without a background job answers done (or failed)."""
    with read_unit(request) as session:
        return JobOut.of(jobs.job_status(session, actor, run_id))


@router.post("/runs/{run_id}/datasets", status_code=201, tags=["datasets"])
def derive_dataset(run_id: RunId, body: DeriveIn, actor: CurrentActor, request: Request) -> DatasetOut:
    """Store the table of a succeeded run (e.g. NCA PP) as a new dataset version in its study."""
    with read_unit(request) as session:
        pending = datasets.check_derive(
            session, actor, run_id, name=body.name, analysis_kind=body.analysis_kind, reason=body.reason
        )
    parsed = parse_upload_apart(pending)
    return DatasetOut.of(write_unit(request, lambda session: datasets.store_upload(session, actor, parsed)))


#: ``GET /studies/{id}/runs?result=false``: the runs without their results.
WithResults = Annotated[
    bool,
    Query(
        description="false: each run without its result (no result field; result_sha256 identifies it, "
        "GET /runs/{id} answers it), the stored results not read: an NCA result is megabytes of JSON",
    ),
]


@router.get("/studies/{study_id}/runs", tags=["analyses"])
def list_runs(
    study_id: StudyId, actor: CurrentActor, request: Request, result: WithResults = True
) -> list[RunOut] | list[RunSummaryOut]:
    """The study's runs in the order they were made, each with its result (``result=false``: without)."""
    with unit_of_work(request) as session:
        runs = analyses.list_runs(session, actor, study_id, results=result)
        used = signatures.superseded_by(session, runs)
        form = RunOut if result else RunSummaryOut
        return [form.of(r, used[r.id]) for r in runs]


@router.get(
    "/runs/{run_id}",
    tags=["analyses"],
    response_model=RunOut,
    responses={202: {"model": JobOut, "description": "Not stored yet: the run's status (see Retry-After)"}},
)
def get_run(run_id: RunId, actor: CurrentActor, request: Request) -> Any:
    """The stored run; 202 with its status while it is computed; 404 naming the reason when its
    analysis failed before anything was stored."""
    with unit_of_work(request) as session:
        status = jobs.job_status(session, actor, run_id)
        if status.run_stored:
            run = analyses.get_run(session, actor, run_id)
            return RunOut.of(run, signatures.superseded_by(session, [run])[run.id])
    if status.finished:
        raise jobs.RunNotStoredError(run_id, status.error or "")
    body = JobOut.of(status).model_dump(mode="json")
    return JSONResponse(body, status_code=202, headers={"Retry-After": POLL_AFTER_SECONDS})


def get_run_adam(dataset: str, fmt: str, run_id: str, actor: CurrentActor, request: Request) -> Response:
    """The ADaM data set of an NCA run: ``adpp`` (its parameters) or ``adnca`` (its concentrations), as SAS
    transport v5 (``xpt``, with labels) or CSV, the records ``bioparity nca --adpp/--adnca`` writes for the
    run's dataset and options (:func:`bioparity.workspace.adam.run_adam`: refused, 422, when the stored
    dataset's SHA-256 is not the one the run recorded). Whoever may read the run may download it; each
    download is an ``export`` row of the run in the program's audit trail (the file's name and SHA-256).
    The file is named as the run's report (:func:`bioparity.api.file_names.run_file_name`), the data set
    last: ``MB-201_PK-101_nca_run-3cdd892b_ADPP.xpt``."""
    with read_unit(request) as session:
        made = adam.run_adam(session, actor, run_id, dataset, fmt)
        name = run_file_name(
            made.program.name, made.study.name, made.run.kind, made.run.id, fmt, part=made.name
        )
    write_unit(  # its own write transaction, as a dataset download's; a refusal above recorded nothing
        request,
        lambda session: events.record_export(
            session,
            actor,
            made.program,
            "analysis_run",
            made.run.id,
            name=name,
            fmt=fmt,
            content=made.content,
        ),
    )
    return Response(
        made.content,
        media_type=made.media_type,
        headers={
            "X-Content-SHA256": sha256_hex(made.content),
            "Content-Disposition": disposition(name),
            "X-Content-Type-Options": "nosniff",
        },
    )


def _adam_route(dataset: str, fmt: str) -> None:
    """``GET /runs/{run_id}/<dataset>.<fmt>``: :func:`get_run_adam` of one data set and format."""

    def download(run_id: RunId, actor: CurrentActor, request: Request) -> Response:
        return get_run_adam(dataset, fmt, run_id, actor, request)

    download.__doc__ = get_run_adam.__doc__
    router.add_api_route(
        f"/runs/{{run_id}}/{dataset}.{fmt}",
        download,
        methods=["GET"],
        name=f"get_run_{dataset}_{fmt}",
        tags=["analyses"],
        response_class=Response,
        responses={200: {"content": {adam.ADAM_FORMATS[fmt]: {"schema": {"type": "string"}}}}},
    )


for _dataset in adam.ADAM_DATASETS:
    for _fmt in adam.ADAM_FORMATS:
        _adam_route(_dataset, _fmt)


@router.get("/runs/{run_id}/signatures", tags=["signatures"])
def list_signatures(run_id: RunId, actor: CurrentActor, request: Request) -> list[SignatureOut]:
    """Signatures of the run, each with ``valid`` re-checked against the stored result now, and
    ``superseded_by``: the later approved run the reports use instead of this one (null: none)."""
    with unit_of_work(request) as session:
        listed = signatures.list_signatures(session, actor, run_id)
        run = analyses.get_run(session, actor, run_id)
        used = signatures.superseded_by(session, [run])[run.id]
        return [SignatureOut.of(s, used) for s in listed]


@router.post("/runs/{run_id}/signatures", status_code=201, tags=["signatures"])
def sign_run(run_id: RunId, body: SignIn, actor: CurrentActor, request: Request) -> SignatureOut:
    """Sign the run's result: enter your user name and password and state the meaning.

    "authored" only by the person who ran the analysis; "reviewed" and "approved" not by them nor by
    anyone who signed it as authored (unless the program switches ``segregation_of_duties`` off);
    "reviewed" and "approved" only while a valid "authored" signature holds (signed in order: authored,
    reviewed, approved); "approved" only while a valid review by another person holds (under segregation
    of duties, not by the run's creator nor an author, even a review made while it was off); "reviewed"
    and "approved" not on a superseded run (a later approved run of its kind in its study is what the
    reports use). Refused with 403 (role, authorship, independence, a user name not yours, wrong
    password) or 409 (no result, superseded, already signed, not authored or no valid review yet), the
    reason in ``detail``; every refusal is recorded in the audit trail (``sign_failed``,
    ``sign_refused``)."""
    with unit_of_work(request) as session:
        sig = signatures.sign_run(
            session,
            actor,
            run_id,
            username=body.username,
            password=body.password,
            meaning=body.meaning,
            client=client_address(request),
        )
        run = analyses.get_run(session, actor, run_id)
        used = signatures.superseded_by(session, [run])[run.id]
        return SignatureOut.of(signatures.check_signature(run, sig), used)
