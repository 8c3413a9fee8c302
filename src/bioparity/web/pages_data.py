"""Datasets and analyses: upload with row-level feedback, run an analysis, view, sign, reports."""

from __future__ import annotations

import base64
import io
import json
import math
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

import numpy as np
import pandas as pd
from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup, escape
from sqlalchemy import and_, select
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile as StarletteUploadFile

from bioparity.analyses import nca as nca_kind
from bioparity.analyses.contract import Analysis, Option
from bioparity.analyses.figures import Figure, ProfilePlot
from bioparity.analyses.registry import all_analyses, next_kinds, option_errors
from bioparity.analyses.terms import coded_value, key_label, setting_text, yes_no_text
from bioparity.api.deps import client_address, unit_of_work, write_unit
from bioparity.errors import BioparityError, DataFileError
from bioparity.i18n import current_language, gettext_noop
from bioparity.i18n import gettext as _
from bioparity.io import readers
from bioparity.io.readers import SheetChoice
from bioparity.io.tables_out import csv_bytes
from bioparity.memo import Memo
from bioparity.power import DESIGN_NAMES, get_design, power_tost, sample_size_tost
from bioparity.power.cv_check import cv_percent_warning
from bioparity.report import html_to_pdf, render_program_report, render_run_report
from bioparity.report.context import MAX_TABLE_ROWS, RunContext, run_context
from bioparity.report.evidence import collect
from bioparity.report.html import option_text, report_tables
from bioparity.store.lookup import by_id
from bioparity.store.models import AnalysisRun, Dataset, Program, User
from bioparity.web import plots
from bioparity.web.downloads import disposition, export_response, file_name, program_part, run_file_name
from bioparity.web.forms import FormText
from bioparity.web.notices import NOTICE_FIELDS, SIGNATURE_FIELD, ErrorNotice, Notice, notice_redirect
from bioparity.web.pages_jobs import SUBMISSION_FIELD, job_page, safe_then, submission_token, submit_run
from bioparity.web.session import PageActor, read_unit
from bioparity.web.templating import (
    TEMPLATES,
    ScriptJSON,
    error_text,
    label,
    program_crumbs,
    render,
    to_json,
)
from bioparity.workspace import analyses, datasets, jobs, programs, signatures
from bioparity.workspace.access import program_permissions, require_dataset, require_study
from bioparity.workspace.errors import NotFoundError, PermissionDeniedError
from bioparity.workspace.roles import Permission
from bioparity.workspace.signatures import content_key
from bioparity.workspace.upload_worker import parse_upload_apart

router = APIRouter()
PREVIEW_ROWS = 15
#: Characters of a file line or a cell shown in a preview (a longer one is cut).
PREVIEW_CHARS = 300


def _preview(content: bytes, error_line: int | None) -> list[tuple[int, str, bool]]:
    """Numbered lines of the file: the first lines and those around the problem (marked)."""
    try:
        lines = content.decode("utf-8-sig").splitlines()
    except UnicodeDecodeError:
        return []
    wanted = set(range(1, min(len(lines), 8) + 1))
    if error_line is not None:
        wanted |= set(range(max(1, error_line - 3), min(len(lines), error_line + 3) + 1))
    return [(n, lines[n - 1][:PREVIEW_CHARS], n == error_line) for n in sorted(wanted)]


def _kinds() -> dict[str, Analysis]:
    return all_analyses()


@router.get("/studies/{study_id}/upload")
def upload_form(request: Request, actor: PageActor, study_id: str) -> Response:
    return _upload_page(request, actor, study_id)


#: Largest file kept in the mapping form (base64, posted back with the mapping); a larger one is chosen again.
STAGED_MAX_BYTES = 700_000  # base64 stays under the 1 MiB limit of a form field


def unit_fields() -> list[tuple[Option, list[str]]]:
    """The unit options of every kind's input columns (asked for at upload, stored with the dataset),
    each with the kinds that use it."""
    fields: dict[str, tuple[Option, list[str]]] = {}
    for analysis in _kinds().values():
        for option in analysis.unit_options:
            fields.setdefault(option.name, (option, []))[1].append(analysis.name)
    return list(fields.values())


def _needs_mapping(kind: Analysis | None, header: list[str]) -> bool:
    """A required column is missing, or a column seems to give units per row (confirmed in the form);
    never for a layout the kind reads by its own rules (an SDTM PC domain for NCA)."""
    if kind is None or not header or kind.layout_of(header) is not None:
        return False
    missing = any(c.required and c.name not in header for c in kind.columns)
    return missing or bool(datasets.detect_unit_columns(kind, header))


def _separator_read(content: bytes, filename: str, kind: Analysis) -> bool:
    """Whether the kind's reader takes the file's column separator (:func:`datasets.require_separator`)."""
    try:
        datasets.require_separator(content, filename, kind)
    except DataFileError:
        return False
    return True


def _suggest(kind: Analysis, header: list[str], previous: datasets.ColumnMap) -> dict[str, str]:
    """Expected column -> file column: the previous version's mapping, else the same name in any case."""
    chosen: dict[str, str] = {}
    for target in kind.expected_columns:
        reused = [src for src, dst in previous.rename.items() if dst == target and src in header]
        same = [c for c in header if c.lower() == target.lower()]
        if reused or same:
            chosen[target] = (reused or same)[0]
    return chosen


def _suggest_unit_columns(kind: Analysis, header: list[str], previous: datasets.ColumnMap) -> dict[str, str]:
    """Expected column -> the file column with its unit per row: the previous version's, else found by
    the usual names."""
    found = datasets.detect_unit_columns(kind, header, previous.rename)
    reused = {k: v for k, v in previous.unit_columns.items() if v in header}
    return {**found, **reused}


def _mapping_context(
    kind: Analysis,
    content: bytes,
    filename: str,
    header: list[str],
    suggested: dict[str, str],
    unit_columns: dict[str, str],
) -> dict[str, Any]:
    """What the mapping step of the upload form shows: the file's first rows, a select per column and,
    for the columns that may have units per row, a select of the column giving them."""
    columns, rows, _frame = _table_preview(content, filename)
    return {
        "chosen": kind.name,
        "mapping_kind": kind,
        "header": header,
        "suggested": suggested,
        "unit_columns": unit_columns,
        "map_columns": columns,
        "map_rows": rows[:8],
        "staged": base64.b64encode(content).decode() if len(content) <= STAGED_MAX_BYTES else "",
        "staged_name": filename,
    }


def _upload_page(
    request: Request, actor: PageActor, study_id: str, status_code: int = 200, **context: Any
) -> HTMLResponse:
    """The upload form of a study (``chosen``: the analysis kind selected; by default the first kind for
    the study's kind), rendered in the unit that checked the study (the menu reads through it too)."""
    with read_unit(request) as session:
        study, program = require_study(session, actor, study_id, Permission.write_data)
        if "chosen" not in context:
            context["chosen"] = next((k.name for k in _kinds().values() if study.kind in k.study_kinds), "")
        page: HTMLResponse = render(
            request,
            "upload.html",
            status_code=status_code,
            study=study,
            program=program,
            kinds=_kinds(),
            unit_fields=unit_fields(),
            crumbs=program_crumbs(program, (_("Upload to %(name)s") % {"name": study.name}, None)),
            **context,
        )
        return page


def _previous_map(request: Request, actor: PageActor, study_id: str, name: str) -> str | None:
    with read_unit(request) as session:
        for dataset in reversed(list(datasets.list_datasets(session, actor, study_id))):
            if dataset.name == name and dataset.column_map:
                return dataset.column_map
    return None


@router.post("/studies/{study_id}/upload")
async def upload(request: Request, actor: PageActor, study_id: str) -> Response:
    form = await request.form()
    upload_file = form.get("file")
    staged = str(form.get("staged", ""))
    name = str(form.get("name", ""))
    analysis_kind = str(form.get("analysis_kind", ""))
    reason = str(form.get("reason", ""))
    if isinstance(upload_file, StarletteUploadFile) and upload_file.filename:
        content = await upload_file.read()
        filename = upload_file.filename
    elif staged:
        try:
            content = base64.b64decode(staged, validate=True)
        except ValueError:
            content = b""
        filename = str(form.get("staged_name", "")) or "upload.csv"
    else:
        return _upload_page(request, actor, study_id, 422, chosen=analysis_kind, name=name,
                            error=_("Choose a file to upload."))  # fmt: skip
    # The file's own name without folders (a client may send "..\\data\\pk.csv"), as the stored filename.
    dataset_name = name.strip() or PurePath(filename.replace("\\", "/")).name.rsplit(".", 1)[0]
    kind = _kinds().get(analysis_kind)
    mapping_step = form.get("mapping") == "1"
    chosen_sources = [
        (str(form.get(f"map_{target}", "")), target)
        for target in (kind.expected_columns if kind else {})
        if str(form.get(f"map_{target}", ""))
    ]
    rename = dict(chosen_sources)
    # One file column chosen for two expected columns: the dictionary kept only the last choice.
    twice = {source: [t for s, t in chosen_sources if s == source] for source in rename}
    twice = {source: targets for source, targets in twice.items() if len(targets) > 1}
    # In the mapping step, the column giving each column's unit per row ("" = one unit for all rows).
    unit_columns = (
        {c.name: str(form.get(f"unitcol_{c.name}", "")) for c in kind.columns if c.unit_columns}
        if mapping_step and kind is not None
        else None
    )
    units = {
        o.name: str(form.get(o.name, "")).strip()
        for o, _kinds_using in unit_fields()
        if str(form.get(o.name, "")).strip()
    }
    header = datasets.header_columns(content, filename)
    # A file the kind's reader cannot take (';' or tabs) goes to store(), which refuses it with the
    # readers' message (datasets.check_upload): no mapping is asked for that cannot succeed.
    if (
        not mapping_step
        and kind is not None
        and _needs_mapping(kind, header)
        and _separator_read(content, filename, kind)
    ):
        stored_map = await run_in_threadpool(_previous_map, request, actor, study_id, dataset_name)
        previous = datasets.ColumnMap.parse(stored_map)
        return _upload_page(
            request,
            actor,
            study_id,
            **_mapping_context(
                kind,
                content,
                filename,
                header,
                _suggest(kind, header, previous),
                _suggest_unit_columns(kind, header, previous),
            ),
            name=dataset_name,
            units={**previous.units, **units},
            reused=bool(previous.rename or previous.unit_columns),
        )

    def store() -> Dataset:
        # In a worker thread: parsing a large file must not stop the server answering other requests.
        for source, targets in twice.items():
            raise DataFileError(
                f"the mapping chooses this column for {', '.join(targets)}",
                file=filename,
                column=source,
                expected="a different column of the file for each expected column",
            )
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
                rename=rename,
                units=units,
                unit_columns=unit_columns,
                reason=reason or None,
            )
        parsed = parse_upload_apart(pending)  # outside any transaction
        return write_unit(request, lambda session: datasets.store_upload(session, actor, parsed))

    try:
        dataset = await run_in_threadpool(store)
    except (NotFoundError, PermissionDeniedError):
        raise
    except BioparityError as exc:
        where = exc if isinstance(exc, DataFileError) else None
        mapping: dict[str, Any] = {"chosen": analysis_kind}
        if mapping_step and kind is not None:  # the mapping form again, with the choices made
            chosen_map = {target: source for source, target in rename.items()}
            mapping = _mapping_context(kind, content, filename, header, chosen_map, unit_columns or {})
        if isinstance(exc, datasets.ReasonRequiredError):  # the form asks for the reason, the file kept
            if len(content) <= STAGED_MAX_BYTES:
                mapping |= {"staged": base64.b64encode(content).decode(), "staged_name": filename}
            return _upload_page(request, actor, study_id, 422, **mapping, name=dataset_name, units=units,
                                ask_reason=True, reason=reason, reason_error=error_text(exc))  # fmt: skip
        return _upload_page(
            request,
            actor,
            study_id,
            422,
            **mapping,
            name=dataset_name,
            error=error_text(exc),
            where=where,
            preview=_preview(content, where.line if where else None),
            units=units,
            ask_reason=bool(reason),
            reason=reason,
        )
    stored = {"rows": dataset.n_rows, "version": dataset.version}
    notice = _("Stored %(rows)d checked rows as version %(version)d.") % stored
    return notice_redirect(request, f"/ui/datasets/{dataset.id}", notice)


def _table_preview(content: bytes, filename: str) -> tuple[list[str], list[list[Any]], pd.DataFrame | None]:
    if not filename.lower().endswith(".csv"):
        return [], [], None
    try:
        frame = pd.read_csv(io.BytesIO(content))
    except (ValueError, UnicodeDecodeError):
        return [], [], None
    head = frame.head(PREVIEW_ROWS).astype(object).where(frame.head(PREVIEW_ROWS).notna(), None)
    rows = [[_cut(v) for v in row] for row in head.to_numpy().tolist()]
    return [_cut(str(c)) for c in frame.columns], rows, frame


def _cut(value: Any) -> Any:
    """A preview cell: text longer than :data:`PREVIEW_CHARS` cut there (marked by an ellipsis)."""
    if isinstance(value, str) and len(value) > PREVIEW_CHARS:
        return value[:PREVIEW_CHARS] + "…"
    return value


def _workbook_sheet(content: bytes, filename: str) -> SheetChoice | None:
    """The sheet a stored workbook is read from (:func:`bioparity.io.readers.data_sheet`); None for
    another format or a workbook that no longer reads."""
    if readers.FORMATS.get(PurePath(filename).suffix.lower()) != "xlsx":
        return None
    try:
        with pd.ExcelFile(io.BytesIO(content), engine="openpyxl") as book:
            return readers.data_sheet(book, filename)
    except (DataFileError, ValueError, OSError, zipfile.BadZipFile):
        return None


def numeric_columns(rows: list[list[Any]]) -> list[bool]:
    """Per column of preview rows, whether every value given is a number (its heading is then
    right-aligned over the numbers)."""
    columns = list(zip(*rows, strict=True)) if rows else []
    return [
        any(v is not None for v in c) and all(v is None or isinstance(v, (int, float)) for v in c)
        for c in columns
    ]


TEMPLATES.env.filters["numeric_columns"] = numeric_columns


def _choice_words(option: Option, choice: Any) -> str:
    """A choice of an option as its select shows it: a flag as yes or no, a code in words with the code
    (:func:`~bioparity.analyses.terms.coded_value`), any other choice as the field shows it."""
    if option.type == "flag":
        return yes_no_text(choice)
    return str(coded_value(option.name, option.text(choice)))


def option_fields(
    kind: Analysis,
    given: dict[str, str] | None = None,
    others: Mapping[str, str] | None = None,
    runs: Mapping[str, Mapping[str, str]] | None = None,
) -> list[dict[str, Any]]:
    """The form fields of a kind's options schema: a select where the option lists choices, else a text
    input (a decimal keyboard for numbers). An option of type ``dataset`` is a select of ``others`` (the
    study's other datasets: id -> label) and none; one of type ``run`` a select of ``runs[option name]``
    (the program's runs it may name: id -> label) and none. Each field is labelled in the reader's words (the
    kind's :attr:`~bioparity.analyses.contract.Analysis.labels`, else the shared ones) and each choice says
    its words (:func:`_choice_words`: ``linear up, log down (lin-up-log-down)``, yes/no); the form posts the
    code."""
    fields = []
    for o in kind.options:
        choices = [o.text(c) for c in o.choices or ()]
        labels = {o.text(c): _choice_words(o, c) for c in o.choices or ()}
        if o.type in ("dataset", "run"):
            labels = dict(others or {}) if o.type == "dataset" else dict((runs or {}).get(o.name, {}))
            choices = ["", *labels]
        fields.append(
            {
                "name": o.name,
                "label": option_label(kind, o.name),
                "help": o.help,
                "value": (given or {}).get(o.name, o.text(o.default)),
                "choices": choices,
                "labels": labels,
                "number": o.type in ("number", "integer"),
            }
        )
    return fields


def _offered(kinds: dict[str, Analysis], dataset: Dataset) -> list[str]:
    """The analyses a dataset fits: the kind it was checked for, or every kind for a plain table."""
    if dataset.validated_for in kinds:
        return [dataset.validated_for]
    return sorted(kinds)


def _dataset_page(
    request: Request,
    actor: PageActor,
    dataset_id: str,
    *,
    message: str = "",
    status_code: int = 200,
    run_kind: str = "",
    given: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    run_error: str = "",
) -> HTMLResponse:
    with read_unit(request) as session:
        dataset, study, program = require_dataset(session, actor, dataset_id)
        granted = program_permissions(session, actor.user_id, program, study.kind)
        content = datasets.dataset_content(session, dataset)  # its seal and SHA-256 checked on each view
        mapping = datasets.ColumnMap.parse(dataset.column_map)
        units = dict(mapping.units)
        stored = _stored_view(dataset, content, units)
        runs = analyses.dataset_runs(session, dataset)  # without their results
        named = analyses.option_datasets(session, runs)
        active = jobs.active_jobs(session, dataset.id)
        # Shown by kind and id: its result (an NCA result is a megabyte of JSON) is not read.
        source_run = by_id(session, AnalysisRun, dataset.derived_from_run, deferred=("result_json",))
        # Who stored it, and the later uploads of its name (it is superseded by them, kept as it is), in one
        # statement: the uploader outer-joined with each newer version (none: one row without a version).
        later = and_(
            Dataset.study_id == study.id, Dataset.name == dataset.name, Dataset.version > dataset.version
        )
        found = session.execute(
            select(User.display_name, User.username, Dataset.id, Dataset.version, Dataset.created_at)
            .outerjoin(Dataset, later)
            .where(User.id == dataset.created_by)
            .order_by(Dataset.version)
        ).all()
        uploader = f"{found[0].display_name} ({found[0].username})" if found else ""
        newer = [(row.id, row.version, row.created_at) for row in found if row.id is not None]
        kinds = _kinds()
        others: dict[str, str] = {}  # what an option naming a second dataset may choose (NCA's dose records)
        if any(kinds[k].dataset_options for k in _offered(kinds, dataset)):  # the study's, read with it
            query = select(Dataset).where(Dataset.study_id == study.id, Dataset.id != dataset.id)
            for d in session.scalars(query.order_by(Dataset.name, Dataset.version)):
                others[d.id] = analyses.dataset_label(d)
        usable = {  # what an option naming a stored run may choose (ada-sensitivity's cut_point_run)
            o.name: analyses.usable_runs(session, program.id, o.kinds)
            for k in _offered(kinds, dataset)
            for o in kinds[k].run_options
        }
        offered = []
        for k in _offered(kinds, dataset):
            seeded = {u: v for u, v in units.items() if u in kinds[k].option_help}
            values = given if k == run_kind else seeded
            offered.append((kinds[k], option_fields(kinds[k], values, others, usable)))
        page: HTMLResponse = render(
            request,
            "dataset.html",
            status_code=status_code,
            dataset=dataset,
            study=study,
            program=program,
            columns=stored.columns,
            rows=stored.rows,
            sheet=stored.sheet,
            figures=stored.figures,
            profile_caption=stored.caption,
            runs=[(r, key_options(r, named.values())) for r in runs],
            active_jobs=active,
            source_run=source_run,
            uploader=uploader,
            newer=newer,
            kinds=offered,
            rename=mapping.rename,
            units=units,
            unit_columns=mapping.unit_columns,
            run_kind=run_kind,
            errors=errors or {},
            run_error=run_error,
            can_write=Permission.write_data in granted,
            message=message,
            crumbs=program_crumbs(program, (_version_label(dataset), None)),
        )
        return page


@dataclass(frozen=True)
class StoredView:
    """What a dataset page shows of the stored file: the first rows (column names and rows), the sheet of
    a workbook, the concentration-time profiles as the JSON of their script elements, and their caption."""

    columns: list[str]
    rows: list[list[Any]]
    sheet: SheetChoice | None
    figures: dict[str, ScriptJSON]
    caption: str


#: A dataset page's :class:`StoredView`, by what it is made from: the stored file (its SHA-256), its name,
#: the mapping and units stored with it, the kind it was checked for (all sealed with the record) and the
#: page language. The file was read, parsed, grouped into profiles and drawn on every view (0.15 s of CPU
#: for the demo's concentrations; the seal and the SHA-256 of the content are still checked on each view).
_STORED_VIEWS = Memo(32)


def _stored_view(dataset: Dataset, content: bytes, units: Mapping[str, str]) -> StoredView:
    key = (dataset.sha256, dataset.filename, dataset.column_map, dataset.validated_for, current_language())
    view: StoredView = _STORED_VIEWS.get(key, lambda: _read_stored_view(dataset, content, units))
    return view


def _read_stored_view(dataset: Dataset, content: bytes, units: Mapping[str, str]) -> StoredView:
    columns, rows, frame = _table_preview(content, dataset.filename)
    sheet = _workbook_sheet(content, dataset.filename)
    if frame is not None:  # as the analyses read it: columns renamed, units per row converted
        frame = datasets.apply_mapping(frame, dataset)
    profile = _profiles(dataset, content, frame, units)
    figures = {}
    if profile is not None:
        figures = {
            "profile-linear": to_json(plots.profiles_figure(profile, log=False)),
            "profile-log": to_json(plots.profiles_figure(profile, log=True)),
            "profile-individual": to_json(plots.individual_figure(profile)),
        }
    caption = "" if profile is None else nca_kind.profile_caption(profile, counts=True)
    return StoredView(columns, rows, sheet, figures, caption)


def _profiles(
    dataset: Dataset, content: bytes, frame: pd.DataFrame | None, units: Mapping[str, str]
) -> ProfilePlot | None:
    """The concentration-time profiles of a dataset, its samples as an NCA run reads them
    (:func:`~bioparity.analyses.nca.sample_profiles`: an SDTM PC domain in hours and the unit of PCSTRESU):
    from the mapped table of a delimited file, or (an XPT, XLSX or Parquet file checked for NCA) from
    the stored file read as the run reports read it (:func:`~bioparity.workspace.datasets.mapped_table`)."""
    if frame is None and dataset.validated_for == nca_kind.NAME:
        frame = datasets.mapped_table(dataset, content)
    return None if frame is None else nca_kind.sample_profiles(frame, units)


def _version_label(dataset: Dataset) -> str:
    """``name vN``: a dataset and its version, as the pages name it."""
    return _("%(name)s v%(version)s") % {"name": dataset.name, "version": dataset.version}


def option_label(kind: Analysis | None, name: str) -> str:
    """An option's label in the reader's words: the kind's own
    (:attr:`~bioparity.analyses.contract.Analysis.labels`), else the shared one
    (:func:`~bioparity.analyses.terms.key_label`), else its name."""
    return _(kind.labels[name]) if kind is not None and name in kind.labels else key_label(name)


def key_options(run_: AnalysisRun, datasets_: Iterable[Dataset] = ()) -> Markup:
    """The options of a run that differ from its kind's defaults (or the defining ones), as one line in the
    reader's words: each under its label with its value in words (:func:`option_label`,
    :func:`~bioparity.analyses.terms.setting_text`: ``method: exact, Owen's Q``, not ``method=exact``; the
    run's stored options and its JSON keep the codes); an option naming a dataset (NCA's ``dosing``) as
    that dataset (``dosing: ex v1 (ex.xpt)``, a link to its page) when it is among ``datasets_`` (the
    study's), never as a bare id."""
    options = json.loads(run_.options_json)
    kind = _kinds().get(run_.kind)
    defaults = kind.defaults if kind else {}
    shown = {k: v for k, v in options.items() if defaults.get(k) != v and v not in ("", None)}
    if not shown and kind is not None:
        shown = {k: v for k, v in options.items() if k in kind.choices and v not in ("", None)}
    named = datasets.option_dataset_ids(run_)
    known = {d.id: d for d in datasets_ if d.id in named.values()}
    parts = []
    for key, value in sorted(shown.items()):
        dataset = known.get(named.get(key, ""))
        if dataset is None:
            parts.append(escape(setting_text(key, value, option_label(kind, key))))
        else:
            link = Markup('<a href="/ui/datasets/{}">{}</a>').format(
                dataset.id, analyses.dataset_label(dataset)
            )
            parts.append(
                Markup(_("%(label)s: %(value)s")) % {"label": option_label(kind, key), "value": link}
            )
    return Markup(_("; ")).join(parts) or escape(_("defaults"))


TEMPLATES.env.filters["key_options"] = key_options
# a run's options in words on its page, as its report prints them (the stored JSON in a details element)
TEMPLATES.env.filters["option_text"] = option_text
TEMPLATES.env.filters["dataset_label"] = analyses.dataset_label


@router.get("/datasets/{dataset_id}")
def dataset_page(request: Request, actor: PageActor, dataset_id: str, message: Notice) -> Response:
    return _dataset_page(request, actor, dataset_id, message=message)


@router.post("/datasets/{dataset_id}/runs")
async def run(request: Request, actor: PageActor, dataset_id: str) -> Response:
    form = await request.form()
    kind_name = str(form.get("kind", ""))
    kind = _kinds().get(kind_name)
    options: dict[str, Any] = {}
    given: dict[str, str] = {}
    if kind is not None:
        for option in kind.options:
            value = form.get(f"opt_{option.name}")
            if value is not None:
                given[option.name] = str(value)
                options[option.name] = option.parse(str(value))
        errors = option_errors(kind, options)
        if errors:
            return _dataset_page(request, actor, dataset_id, status_code=422, run_kind=kind_name, given=given,
                                 errors=errors)  # fmt: skip

    try:
        token = submission_token(form.get(SUBMISSION_FIELD))
        run_id = await submit_run(request, actor, dataset_id, kind_name, options, token=token)
    except (NotFoundError, PermissionDeniedError):
        raise
    except BioparityError as exc:
        return _dataset_page(request, actor, dataset_id, status_code=422, run_kind=kind_name, given=given,
                             run_error=error_text(exc))  # fmt: skip
    return RedirectResponse(f"/ui/runs/{run_id}", status_code=303)


def _sign_reasons(choices: signatures.SigningChoices) -> list[tuple[str, str]]:
    """Why the meanings not offered cannot be signed now: (meanings in words, reason), one row per reason."""
    grouped: dict[str, list[str]] = {}
    for refusal in choices.refusals:
        grouped.setdefault(refusal.message, []).append(label(refusal.meaning.value))
    return [(", ".join(words), reason) for reason, words in grouped.items()]


#: A run's figures as the JSON of their script elements, by the run's stored content, status and language
#: (what the figures are made from: see bioparity.report.context) and the figure.
_FIGURE_SCRIPTS = Memo(256)


def _figure_script(ctx: RunContext, figure: Figure) -> ScriptJSON:
    """``figure`` of the run of ``ctx`` as Plotly JSON for its ``<script>`` element (see :func:`to_json`)."""
    key = (content_key(ctx.run), ctx.run.status, ctx.language, figure.series, figure.item, figure.key)
    script: ScriptJSON = _FIGURE_SCRIPTS.get(key, lambda: to_json(plots.figure_json(figure.data)))
    return script


@router.get("/runs/{run_id}")
def run_page(
    request: Request, actor: PageActor, run_id: str, message: Notice, error: ErrorNotice, then: str = ""
) -> Response:
    """The run; until it is stored, where its analysis stands (``then``: a page of the run to go to
    once it is stored)."""
    with read_unit(request) as session:  # one unit for the whole page (_run_page's unit nests in it)
        run = by_id(session, AnalysisRun, run_id)  # kept: the page's require_run finds it loaded
        # NotFoundError if neither a stored run nor a job
        status = None if run is not None else jobs.job_status(session, actor, run_id)
        if status is not None and not status.run_stored:
            return job_page(request, actor, status)
        if then and safe_then(run_id, then):
            return RedirectResponse(then, status_code=303)
        return _run_page(request, actor, run_id, message=message, error=error)


def _run_page(
    request: Request,
    actor: PageActor,
    run_id: str,
    *,
    message: str = "",
    error: str = "",
    status_code: int = 200,
    sign_error: str = "",
    meaning: str = "",
) -> HTMLResponse:
    # Other query parameters choose the item of a figure series (e.g. ?attribute=... for CAA plots).
    chosen = {
        k: v for k, v in request.query_params.items() if k not in {*NOTICE_FIELDS, SIGNATURE_FIELD, "then"}
    }
    with read_unit(request) as session:
        ctx = run_context(session, actor, run_id, chosen=chosen)
        granted = program_permissions(session, actor.user_id, ctx.program, ctx.study.kind)
        choices = signatures.signing_choices(session, actor, ctx.run, ctx.program, ctx.signatures)
        shown = [f for f in ctx.single_figures if f.on_page]
        series = [s for s in ctx.series if s.chosen is not None and s.chosen.on_page]
        figures = {f.key: _figure_script(ctx, f) for f in [*shown, *(s.chosen for s in series if s.chosen)]}
        kinds = _kinds()
        # An approved result resting on an older version of its input: named with the latest one.
        later = ctx.newer_input if ctx.approved else None
        newer = None if later is None else (ctx.dataset, later.dataset, later.stored_by)
        page: HTMLResponse = render(
            request,
            "run.html",
            newer=newer,
            status_code=status_code,
            sign_error=sign_error,
            chosen_meaning=meaning,
            ctx=ctx,
            figures=figures,
            shown_figures=shown,
            series=series,
            tables=report_tables(ctx),
            max_rows=MAX_TABLE_ROWS,
            meanings=[m.value for m in choices.meanings],
            may_sign=choices.may_sign,
            sign_reasons=_sign_reasons(choices),
            later=choices.later,
            can_write=Permission.write_data in granted,
            kinds=sorted(kinds),
            next_kind=next(iter(next_kinds(ctx.run.kind)), ""),
            message=message,
            error=error,
            options_text=json.dumps(ctx.options, sort_keys=True),
            crumbs=program_crumbs(
                ctx.program,
                (_version_label(ctx.dataset), f"/ui/datasets/{ctx.dataset.id}"),
                (ctx.title, None),
            ),
        )
        return page


@router.post("/runs/{run_id}/sign")
def sign(
    request: Request,
    actor: PageActor,
    run_id: str,
    password: FormText,
    meaning: FormText,
    username: FormText = "",
) -> Response:
    try:
        with unit_of_work(request) as session:
            signatures.sign_run(
                session,
                actor,
                run_id,
                username=username,
                password=password,
                meaning=meaning,
                client=client_address(request),
            )
    except NotFoundError:
        raise
    except BioparityError as exc:  # shown next to the form, the chosen meaning kept
        return _run_page(request, actor, run_id, status_code=422, sign_error=str(exc), meaning=meaning)
    notice = _("Signed as %(meaning)s.") % {"meaning": label(meaning)}
    return notice_redirect(request, f"/ui/runs/{run_id}", notice)


@router.post("/runs/{run_id}/derive")
def derive(
    request: Request,
    actor: PageActor,
    run_id: str,
    name: FormText = "",
    analysis_kind: FormText = "",
    reason: FormText = "",
) -> Response:
    with read_unit(request) as session:
        pending = datasets.check_derive(
            session,
            actor,
            run_id,
            name=name.strip() or None,
            analysis_kind=analysis_kind or None,
            reason=reason or None,
        )
    parsed = parse_upload_apart(pending)  # outside any transaction
    dataset = write_unit(request, lambda session: datasets.store_upload(session, actor, parsed))
    notice = _("Result stored as dataset version %(version)d.") % {"version": dataset.version}
    return notice_redirect(request, f"/ui/datasets/{dataset.id}", notice)


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


def _report_response(
    request: Request, actor: PageActor, what: tuple[Program, str, str], html: str, fmt: str, stem: str
) -> Response:
    """The report as PDF (a download, recorded as an export in the audit trail:
    :func:`~bioparity.web.downloads.export_response`) or HTML (shown, saved under the same meaningful
    name). ``what``: the report's program and the object it reports on (type and id)."""
    if fmt == "pdf":
        program, object_type, object_id = what
        return export_response(
            request,
            actor,
            program,
            (object_type, object_id),
            name=f"{stem}.pdf",
            content=html_to_pdf(html),
            media_type="application/pdf",
        )
    return HTMLResponse(html, headers={"Content-Disposition": disposition(f"{stem}.html", inline=True)})


@router.get("/runs/{run_id}/report.{fmt}")
def run_report(request: Request, actor: PageActor, run_id: str, fmt: str) -> Response:
    if fmt not in {"html", "pdf"}:
        raise HTTPException(404)  # the error page, not an empty body
    with read_unit(request) as session:
        ctx = run_context(session, actor, run_id)
        html = render_run_report(ctx, for_pdf=fmt == "pdf")
    stem = run_file_name(ctx.program.name, ctx.study.name, ctx.run.kind, ctx.run.id, fmt).rsplit(".", 1)[0]
    return _report_response(request, actor, (ctx.program, "analysis_run", ctx.run.id), html, fmt, stem)


@router.get("/programs/{program_id}/report.{fmt}")
def program_report(request: Request, actor: PageActor, program_id: str, fmt: str) -> Response:
    if fmt not in {"html", "pdf"}:
        raise HTTPException(404)  # the error page, not an empty body
    with read_unit(request) as session:
        program = programs.get_program(session, actor, program_id)
        html = render_program_report(session, collect(session, program), for_pdf=fmt == "pdf")
        stem = file_name(program_part(program.name), "similarity-summary", ext=fmt).rsplit(".", 1)[0]
    return _report_response(request, actor, (program, "program", program.id), html, fmt, stem)


#: The scenario fields of the power / sample-size form: name, label, default, hint (label and hint
#: translated when the page is shown).
POWER_FIELDS = (
    ("cv", gettext_noop("CV"), "0.30",
     gettext_noop("within-subject CV (crossover) or total CV (parallel), as a ratio: 0.30 = 30%")),
    ("theta0", gettext_noop("theta0"), "0.95", gettext_noop("assumed true ratio test/reference")),
    ("theta1", gettext_noop("theta1"), "0.80", gettext_noop("lower acceptance limit")),
    ("theta2", gettext_noop("theta2"), "1.25",
     gettext_noop("upper acceptance limit (1/theta1 for symmetric limits)")),
    ("alpha", gettext_noop("alpha"), "0.05", gettext_noop("one-sided level of each test (0.05 = 90% CI)")),
    ("target_power", gettext_noop("Target power"), "0.80",
     gettext_noop("the power the sample size must reach")),
)  # fmt: skip


#: Most points of the power curve: a sample size near the search limit (10 million) must not make the page
#: compute and draw millions of them.
CURVE_POINTS = 500


def _power_curve(scenario: dict[str, Any], n: int) -> tuple[list[int], list[float]]:
    """Power of TOST for total sizes from the design's smallest up to about twice the sample size (every
    size the design allows, or evenly spaced ones when there would be more than :data:`CURVE_POINTS`)."""
    steps = get_design(str(scenario["design"])).steps
    start = max(2 * steps, steps)
    stop = max(2 * n, start + 10 * steps)
    stride = steps * max(1, math.ceil((stop - start) / (steps * CURVE_POINTS)))
    sizes = list(range(start, stop + 1, stride))
    args = {k: scenario[k] for k in ("design", "cv", "theta0", "theta1", "theta2", "alpha")}
    return sizes, [float(p) for p in power_tost(n=np.asarray(sizes), **args).power]


@router.get("/power")
def power_page(request: Request, actor: PageActor) -> Response:
    """One TOST scenario from a form: the smallest total n whose power reaches the target and the power
    curve around it.

    Power of the two one-sided tests (Schuirmann 1987, J Pharmacokinet Biopharm 15:657) by the exact
    method (Owen's Q; Phillips 1990, J Pharmacokinet Biopharm 18:137), as PowerTOST's ``power.TOST``
    and ``sampleN.TOST`` compute it (see :mod:`bioparity.power`).
    """
    params = request.query_params
    submitted = "cv" in params
    values = {name: params.get(name, default).strip() for name, _l, default, _h in POWER_FIELDS}
    design = params.get("design", "2x2")
    errors: dict[str, str] = {}
    numbers: dict[str, float] = {}
    for name, field_label, _default, _hint in POWER_FIELDS:
        try:
            numbers[name] = float(values[name])
        except ValueError:
            errors[name] = _("%(label)s must be a number, e.g. %(default)s; got %(value)r") % {
                "label": _(field_label),
                "default": _default,
                "value": values[name],
            }
    if design not in DESIGN_NAMES:
        errors["design"] = _("design %(design)r unknown; choose one of %(designs)s") % {
            "design": design,
            "designs": ", ".join(DESIGN_NAMES),
        }
    result: dict[str, Any] | None = None
    figures: dict[str, Any] = {}
    problem = ""
    cv_warning = cv_percent_warning(numbers["cv"]) if submitted and "cv" in numbers else None
    if submitted and not errors:
        scenario: dict[str, Any] = {
            "design": design,
            **{k: numbers[k] for k in ("cv", "theta0", "theta1", "theta2", "alpha")},
        }
        try:
            size = sample_size_tost(**scenario, target_power=numbers["target_power"])
            n = int(np.ravel(size.n)[0])
            sizes, powers = _power_curve(scenario, n)
        except BioparityError as exc:
            problem = str(exc)
        else:
            result = {"n": n, "power": float(np.ravel(size.power)[0])}
            figures["power-curve"] = plots.power_curve_figure(sizes, powers, numbers["target_power"], n)
    page: HTMLResponse = render(
        request,
        "power.html",
        status_code=422 if errors or problem else 200,
        fields=[(name, _(text), default, _(hint)) for name, text, default, hint in POWER_FIELDS],
        values=values,
        design=design,
        designs=[(name, _(get_design(name).description)) for name in DESIGN_NAMES],
        errors=errors,
        problem=problem,
        cv_warning=cv_warning,
        result=result,
        figures=figures,
        crumbs=[(_("Programs"), "/ui/programs"), (_("Power and sample size"), None)],
    )
    return page
