"""Datasets and analyses: upload with row-level feedback, run an analysis, view, sign, reports."""

from __future__ import annotations

import io
import json
from typing import Annotated, Any
from urllib.parse import urlencode

import pandas as pd
from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from bioparity.api.deps import unit_of_work, write_unit
from bioparity.errors import BioparityError, DataFileError
from bioparity.io.tables_out import csv_bytes
from bioparity.report import html_to_pdf, render_program_report, render_run_report
from bioparity.report.context import MAX_TABLE_ROWS, run_context
from bioparity.report.evidence import collect
from bioparity.report.figures import profile_plot
from bioparity.report.html import report_tables
from bioparity.store.models import AnalysisRun, Dataset
from bioparity.web import plots
from bioparity.web.downloads import disposition, file_name, program_part, run_file_name
from bioparity.web.session import PageActor, read_unit
from bioparity.web.templating import render
from bioparity.workspace import analyses, datasets, programs, signatures
from bioparity.workspace.access import program_permissions, require_dataset, require_study
from bioparity.workspace.errors import NotFoundError, PermissionDeniedError
from bioparity.workspace.registry import AnalysisKind, analysis_kinds
from bioparity.workspace.roles import SIGN_PERMISSION, Permission

router = APIRouter()
PREVIEW_ROWS = 15
#: Which analysis a derived table feeds by default (NCA's PP table -> PK similarity).
NEXT_KIND = {"nca": "pk-similarity"}


def _program_crumbs(program: Any) -> list[tuple[str, str | None]]:
    return [("Programs", "/ui/programs"), (program.name, f"/ui/programs/{program.id}")]


def _preview(content: bytes, error_line: int | None) -> list[tuple[int, str, bool]]:
    """Numbered lines of the file: the first lines and those around the problem (marked)."""
    try:
        lines = content.decode("utf-8-sig").splitlines()
    except UnicodeDecodeError:
        return []
    wanted = set(range(1, min(len(lines), 8) + 1))
    if error_line is not None:
        wanted |= set(range(max(1, error_line - 3), min(len(lines), error_line + 3) + 1))
    return [(n, lines[n - 1][:300], n == error_line) for n in sorted(wanted)]


def _kinds() -> dict[str, AnalysisKind]:
    return analysis_kinds()


@router.get("/studies/{study_id}/upload")
def upload_form(request: Request, actor: PageActor, study_id: str) -> Response:
    with read_unit(request) as session:
        study, program = require_study(session, actor, study_id, Permission.write_data)
        return render(
            request,
            "upload.html",
            study=study,
            program=program,
            kinds=_kinds(),
            chosen="nca" if study.kind == "pk" else ("caa" if study.kind == "caa" else ""),
            crumbs=[*_program_crumbs(program), (f"Upload to {study.name}", None)],
        )


@router.post("/studies/{study_id}/upload")
async def upload(
    request: Request,
    actor: PageActor,
    study_id: str,
    file: UploadFile,
    name: Annotated[str, Form()] = "",
    analysis_kind: Annotated[str, Form()] = "",
) -> Response:
    content = await file.read()
    filename = file.filename or "upload.csv"
    dataset_name = name.strip() or filename.rsplit(".", 1)[0]

    def store() -> Dataset:
        # In a worker thread: parsing a large file must not stop the server answering other requests.
        with read_unit(request) as session:
            pending = datasets.check_upload(
                session,
                actor,
                study_id,
                name=dataset_name,
                filename=filename,
                content=content,
                media_type="text/csv" if filename.lower().endswith(".csv") else "application/octet-stream",
                analysis_kind=analysis_kind or None,
            )
        parsed = datasets.parse_upload(pending)  # outside any transaction
        return write_unit(request, lambda session: datasets.store_upload(session, actor, parsed))

    try:
        dataset = await run_in_threadpool(store)
    except (NotFoundError, PermissionDeniedError):
        raise
    except BioparityError as exc:
        with read_unit(request) as session:
            study, program = require_study(session, actor, study_id, Permission.write_data)
        where = exc if isinstance(exc, DataFileError) else None
        page: HTMLResponse = render(
            request,
            "upload.html",
            status_code=422,
            study=study,
            program=program,
            kinds=_kinds(),
            chosen=analysis_kind,
            name=dataset_name,
            error=str(exc),
            where=where,
            preview=_preview(content, where.line if where else None),
            crumbs=[*_program_crumbs(program), (f"Upload to {study.name}", None)],
        )
        return page
    return RedirectResponse(
        f"/ui/datasets/{dataset.id}?message=Stored+{dataset.n_rows}+checked+rows+as+version+{dataset.version}.",
        status_code=303,
    )


def _table_preview(content: bytes, filename: str) -> tuple[list[str], list[list[Any]], pd.DataFrame | None]:
    if not filename.lower().endswith(".csv"):
        return [], [], None
    try:
        frame = pd.read_csv(io.BytesIO(content))
    except (ValueError, UnicodeDecodeError):
        return [], [], None
    head = frame.head(PREVIEW_ROWS).astype(object).where(frame.head(PREVIEW_ROWS).notna(), None)
    return [str(c) for c in frame.columns], head.to_numpy().tolist(), frame


def _option_fields(kind: AnalysisKind) -> list[dict[str, Any]]:
    return [
        {
            "name": name,
            "help": help_text,
            "value": kind.defaults.get(name, ""),
            "number": isinstance(kind.defaults.get(name), (int, float))
            and not isinstance(kind.defaults.get(name), bool),
        }
        for name, help_text in kind.options.items()
    ]


@router.get("/datasets/{dataset_id}")
def dataset_page(request: Request, actor: PageActor, dataset_id: str, message: str = "") -> Response:
    with read_unit(request) as session:
        dataset, study, program = require_dataset(session, actor, dataset_id)
        granted = program_permissions(session, actor.user_id, program)
        content = datasets.dataset_content(session, dataset)
        columns, rows, frame = _table_preview(content, dataset.filename)
        profile = None if frame is None else profile_plot(frame)
        figures = {}
        if profile is not None:
            figures = {
                "profile-linear": plots.profiles_figure(profile, log=False),
                "profile-log": plots.profiles_figure(profile, log=True),
                "profile-individual": plots.individual_figure(profile),
            }
        runs = [r for r in analyses.list_runs(session, actor, study.id) if r.dataset_id == dataset.id]
        source_run = session.get(AnalysisRun, dataset.derived_from_run) if dataset.derived_from_run else None
        kinds = _kinds()
        order = sorted(kinds, key=lambda k: (k != dataset.validated_for, k))
        return render(
            request,
            "dataset.html",
            dataset=dataset,
            study=study,
            program=program,
            columns=columns,
            rows=rows,
            figures=figures,
            runs=runs,
            source_run=source_run,
            kinds=[(kinds[k], _option_fields(kinds[k])) for k in order],
            can_write=Permission.write_data in granted,
            message=message,
            crumbs=[*_program_crumbs(program), (f"{dataset.name} v{dataset.version}", None)],
        )


def _parse_option(raw: str, default: Any) -> Any:
    text = raw.strip()
    if isinstance(default, bool):
        return text.lower() in {"1", "true", "yes", "on"}
    if isinstance(default, (int, float)):
        try:
            return int(text) if isinstance(default, int) and text.lstrip("-").isdigit() else float(text)
        except ValueError:
            return text  # the analysis refuses it with a message naming the option
    return text


@router.post("/datasets/{dataset_id}/runs")
async def run(request: Request, actor: PageActor, dataset_id: str) -> Response:
    form = await request.form()
    kind_name = str(form.get("kind", ""))
    kind = _kinds().get(kind_name)
    options: dict[str, Any] = {}
    if kind is not None:
        for name in kind.options:
            value = form.get(f"opt_{name}")
            if value is not None:
                options[name] = _parse_option(str(value), kind.defaults.get(name, ""))

    def compute_and_store() -> AnalysisRun:
        with read_unit(request) as session:
            pending = analyses.check_run(session, actor, dataset_id, kind_name, options)
        computed = analyses.compute_run(pending)  # outside any transaction
        return write_unit(request, lambda session: analyses.store_run(session, actor, computed))

    run_ = await run_in_threadpool(compute_and_store)
    return RedirectResponse(f"/ui/runs/{run_.id}", status_code=303)


def _sign_meanings(granted: frozenset[Permission]) -> list[str]:
    return [m.value for m, p in SIGN_PERMISSION.items() if p in granted]


@router.get("/runs/{run_id}")
def run_page(
    request: Request,
    actor: PageActor,
    run_id: str,
    message: str = "",
    error: str = "",
    attribute: str | None = None,
) -> Response:
    with read_unit(request) as session:
        ctx = run_context(session, actor, run_id, attribute=attribute)
        granted = program_permissions(session, actor.user_id, ctx.program)
        figures: dict[str, Any] = {}
        if ctx.forest is not None:
            figures["forest"] = plots.forest_figure(ctx.forest)
        if ctx.profiles is not None:
            figures["profile-linear"] = plots.profiles_figure(ctx.profiles, log=False)
            figures["profile-log"] = plots.profiles_figure(ctx.profiles, log=True)
        if ctx.power is not None:
            figures["power"] = plots.power_figure(ctx.power)
        if ctx.caa is not None:
            figures["caa"] = plots.caa_figure(ctx.caa)
        kinds = _kinds()
        return render(
            request,
            "run.html",
            ctx=ctx,
            figures=figures,
            tables=report_tables(ctx),
            max_rows=MAX_TABLE_ROWS,
            meanings=_sign_meanings(granted),
            can_write=Permission.write_data in granted,
            kinds=sorted(kinds),
            next_kind=NEXT_KIND.get(ctx.run.kind, ""),
            message=message,
            error=error,
            options_text=json.dumps(ctx.options, sort_keys=True),
            crumbs=[
                *_program_crumbs(ctx.program),
                (f"{ctx.dataset.name} v{ctx.dataset.version}", f"/ui/datasets/{ctx.dataset.id}"),
                (ctx.title, None),
            ],
        )


@router.post("/runs/{run_id}/sign")
def sign(
    request: Request,
    actor: PageActor,
    run_id: str,
    password: Annotated[str, Form()],
    meaning: Annotated[str, Form()],
) -> Response:
    try:
        with unit_of_work(request) as session:
            signatures.sign_run(session, actor, run_id, password=password, meaning=meaning)
    except NotFoundError:
        raise
    except BioparityError as exc:
        return RedirectResponse(
            f"/ui/runs/{run_id}?" + urlencode({"error": f"Not signed: {exc}"}), status_code=303
        )
    return RedirectResponse(f"/ui/runs/{run_id}?message=Signed+as+{meaning}.", status_code=303)


@router.post("/runs/{run_id}/derive")
def derive(
    request: Request,
    actor: PageActor,
    run_id: str,
    name: Annotated[str, Form()] = "",
    analysis_kind: Annotated[str, Form()] = "",
) -> Response:
    with read_unit(request) as session:
        pending = datasets.check_derive(
            session, actor, run_id, name=name.strip() or None, analysis_kind=analysis_kind or None
        )
    parsed = datasets.parse_upload(pending)  # outside any transaction
    dataset = write_unit(request, lambda session: datasets.store_upload(session, actor, parsed))
    return RedirectResponse(
        f"/ui/datasets/{dataset.id}?message=Result+stored+as+dataset+version+{dataset.version}.",
        status_code=303,
    )


@router.get("/runs/{run_id}/result.csv")
def result_csv(request: Request, actor: PageActor, run_id: str) -> Response:
    with read_unit(request) as session:
        ctx = run_context(session, actor, run_id)
    frame = pd.DataFrame(ctx.rows, columns=ctx.columns)
    return Response(
        csv_bytes(frame),
        media_type="text/csv",
        headers={
            "Content-Disposition": disposition(
                run_file_name(ctx.program.name, ctx.study.name, ctx.run.kind, ctx.run.id, "csv")
            )
        },
    )


def _report_response(html: str, fmt: str, stem: str) -> Response:
    """The report as PDF (a download) or HTML (shown, saved under the same meaningful name)."""
    if fmt == "pdf":
        return Response(
            html_to_pdf(html),
            media_type="application/pdf",
            headers={"Content-Disposition": disposition(f"{stem}.pdf")},
        )
    return HTMLResponse(html, headers={"Content-Disposition": disposition(f"{stem}.html", inline=True)})


@router.get("/runs/{run_id}/report.{fmt}")
def run_report(request: Request, actor: PageActor, run_id: str, fmt: str) -> Response:
    if fmt not in {"html", "pdf"}:
        return Response(status_code=404)
    with read_unit(request) as session:
        ctx = run_context(session, actor, run_id)
        html = render_run_report(ctx)
    stem = run_file_name(ctx.program.name, ctx.study.name, ctx.run.kind, ctx.run.id, fmt).rsplit(".", 1)[0]
    return _report_response(html, fmt, stem)


@router.get("/programs/{program_id}/report.{fmt}")
def program_report(request: Request, actor: PageActor, program_id: str, fmt: str) -> Response:
    if fmt not in {"html", "pdf"}:
        return Response(status_code=404)
    with read_unit(request) as session:
        program = programs.get_program(session, actor, program_id)
        html = render_program_report(session, collect(session, program))
        stem = file_name(program_part(program.name), "similarity-summary", ext=fmt).rsplit(".", 1)[0]
    return _report_response(html, fmt, stem)
