"""Runs computed in the background, as the pages show them.

A run form submits the run (:func:`submit_run`: checked at once, computed in the background) and leads
to the run's page, ``/ui/runs/{id}``; until the run is stored that page is its status
(:func:`job_page`, ``job.html`` with the ``_job_status.html`` partial), which ``static/job-status.js``
keeps up to date and reloads once the run is finished: it then shows the result, as before.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from bioparity.analyses.registry import all_analyses
from bioparity.api.deps import job_runner, write_unit
from bioparity.i18n import gettext as _
from bioparity.web.session import read_unit
from bioparity.web.templating import program_crumbs, render
from bioparity.workspace import jobs
from bioparity.workspace.access import Actor, require_dataset
from bioparity.workspace.jobs import AfterStore, JobStatus


async def submit_run(
    request: Request,
    actor: Actor,
    dataset_id: str,
    kind: str,
    options: Mapping[str, Any],
    after_store: AfterStore | None = None,
) -> str:
    """Record the run request (checked like a run computed at once: permission, kind, options; a
    refusal raises and records nothing) and hand it to the app's job runner; returns the run's id."""
    runner = job_runner(request)

    def record() -> str:
        job = write_unit(
            request,
            lambda session: jobs.create_job(
                session, actor, dataset_id, kind, options, executor=runner.description(kind)
            ),
        )
        return job.id

    run_id = await run_in_threadpool(record)
    runner.submit(run_id, actor, after_store)
    return run_id


def safe_then(run_id: str, then: str) -> bool:
    """Whether ``then`` (where to go once the run is stored) is a page of that run: nothing else is
    followed (no open redirect)."""
    return then.startswith(f"/ui/runs/{run_id}/") and "//" not in then and "\\" not in then


def job_page(request: Request, actor: Actor, status: JobStatus) -> HTMLResponse:
    """The page of a run not stored yet: queued or running with its progress, or why it failed."""
    with read_unit(request) as session:
        dataset, _study, program = require_dataset(session, actor, status.dataset_id)
    kind = all_analyses().get(status.kind)
    title = _("%(kind)s of %(dataset)s v%(version)s") % {
        "kind": _(kind.title) if kind else status.kind,
        "dataset": dataset.name,
        "version": dataset.version,
    }
    page: HTMLResponse = render(
        request,
        "job.html",
        status=status,
        dataset=dataset,
        program=program,
        title=title,
        crumbs=program_crumbs(
            program, (f"{dataset.name} v{dataset.version}", f"/ui/datasets/{dataset.id}"), (title, None)
        ),
    )
    return page
