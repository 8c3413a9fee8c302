"""Runs computed in the background, as the pages show them.

A run form submits the run (:func:`submit_run`: checked at once, computed in the background) and leads
to the run's page, ``/ui/runs/{id}``; until the run is stored that page is its status
(:func:`job_page`, ``job.html`` with the ``_job_status.html`` partial), which ``static/job-status.js``
keeps up to date and reloads once the run is finished: it then shows the result, as before.

A run form carries a one-time submission token (``{{ submission_field() }}``, a new random one each time
the form is shown): the same form sent twice (a double click, the browser sending it again) leads to the
run the first one requested instead of requesting a second identical run (the token is the request's
idempotency key, :func:`bioparity.workspace.jobs.create_job`). A form sent without it still runs.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup
from starlette.concurrency import run_in_threadpool

from bioparity.analyses.registry import kind_words
from bioparity.api.deps import request_run
from bioparity.i18n import gettext as _
from bioparity.web.session import read_unit
from bioparity.web.templating import TEMPLATES, program_crumbs, render
from bioparity.workspace.access import Actor, require_dataset
from bioparity.workspace.jobs import AfterStore, JobStatus

#: The form field of a run form's one-time submission token.
SUBMISSION_FIELD = "submission_token"


def submission_field() -> Markup:
    """``<input type="hidden" name="submission_token" value="...">``: a new random token (192 bits)
    each time a run form is shown."""
    return Markup(f'<input type="hidden" name="{SUBMISSION_FIELD}" value="{secrets.token_urlsafe(24)}">')


TEMPLATES.env.globals["submission_field"] = submission_field


def submission_token(value: object) -> str | None:
    """The submission token a form sent (None when it sent none: a form of an older page, a script)."""
    return value.strip() or None if isinstance(value, str) else None


async def submit_run(
    request: Request,
    actor: Actor,
    dataset_id: str,
    kind: str,
    options: Mapping[str, Any],
    after_store: AfterStore | None = None,
    *,
    token: str | None = None,
) -> str:
    """Record the run request (checked like a run computed at once: permission, kind, options; a
    refusal raises and records nothing) and hand it to the app's job runner; returns the run's id.
    ``token``: the form's submission token; sent again, the run it requested first (nothing new)."""
    requested = await run_in_threadpool(
        request_run, request, actor, dataset_id, kind, options, after_store=after_store, request_key=token
    )
    return requested.job.id


def safe_then(run_id: str, then: str) -> bool:
    """Whether ``then`` (where to go once the run is stored) is a page of that run: nothing else is
    followed (no open redirect)."""
    return then.startswith(f"/ui/runs/{run_id}/") and "//" not in then and "\\" not in then


def job_page(request: Request, actor: Actor, status: JobStatus) -> HTMLResponse:
    """The page of a run not stored yet: queued or running with its progress, or why it failed."""
    with read_unit(request) as session:
        dataset, _study, program = require_dataset(session, actor, status.dataset_id)
    title = _("%(kind)s of %(dataset)s v%(version)s") % {
        "kind": kind_words(status.kind),
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
