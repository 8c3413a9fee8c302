"""A run started from the pages is computed in the background: its page says queued / running with the
progress, updates itself (no reload by the user), then shows the result; a failed run says why."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from bioparity.demo import DEMO_USERS
from bioparity.server import create_app
from bioparity.store import make_sessionmaker
from bioparity.store.models import AnalysisRun
from bioparity.workspace.executors import InProcessExecutor
from tests.web.conftest import (
    ARTIFACTS,
    RUN_IN_PROGRESS,
    RUN_TIMEOUT_S,
    DemoStore,
    FormClient,
    Server,
    axe_violations,
    finished_run_page,
    serving,
    sign_in,
)
from tests.workspace.helpers import GatedExecutor

PASSWORD = {u.username: u.password for u in DEMO_USERS}


def _dataset_of(demo_store: DemoStore, kind: str) -> str:
    with make_sessionmaker(demo_store.engine)() as session:
        run = session.get(AnalysisRun, demo_store.summary.runs[kind])
        assert run is not None
        return run.dataset_id


@pytest.fixture
def gated_server(demo_store: DemoStore) -> Iterator[tuple[Server, GatedExecutor]]:
    """A server on the demo store whose analyses wait at their first stage until the test lets them go."""
    executor = GatedExecutor()
    app = create_app(engine=demo_store.engine, run_migrations=False, executor=executor)
    summary = demo_store.summary
    try:
        with serving(app) as url:
            yield Server(url, demo_store.url, summary.program_id, "", summary.runs), executor
    finally:
        executor.gate.set()
        app.state.jobs.close(wait=True)


def test_a_run_page_shows_the_progress_and_then_the_result(
    browser: Any, gated_server: tuple[Server, GatedExecutor], demo_store: DemoStore
) -> None:
    server, executor = gated_server
    # axe-core is injected inline, which the pages' CSP forbids: this context bypasses it (as test_browser).
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(60_000)
    sign_in(page, server, "sam", PASSWORD["sam"])
    page.goto(f"{server.url}/ui/datasets/{_dataset_of(demo_store, 'power')}")
    page.click("#run-power")
    page.wait_for_url("**/ui/runs/**")
    run_url = page.url
    executor.wait_holding()
    page.wait_for_selector("#job-status[data-status=running]")  # polled: the page was not reloaded
    assert page.locator("#job-state").inner_text() == "running"
    page.wait_for_function("() => document.querySelector('#job-message').textContent.startsWith('reading')")
    assert page.locator("#job-progress").evaluate("bar => bar.value") == pytest.approx(0.05)
    assert page.locator("#job-percent").inner_text() == "5% done"
    assert page.locator("#job-message").get_attribute("role") == "status"
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        assert axe_violations(page) == [], width
        assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
        page.screenshot(path=str(ARTIFACTS / f"run-in-progress-{width}.png"), full_page=True)

    executor.gate.set()
    page.wait_for_selector(RUN_IN_PROGRESS, state="detached", timeout=RUN_TIMEOUT_S * 1000)
    page.wait_for_load_state()
    assert page.url == run_url  # the run is where its status was
    assert "Power" in page.locator("h1").inner_text() and "succeeded" in page.locator("h1").inner_text()
    assert page.locator("#job-status").count() == 0 and page.locator("#run-summary").count() == 1
    context.close()


@pytest.fixture
def gated_app(demo_store: DemoStore) -> Iterator[tuple[Any, GatedExecutor]]:
    executor = GatedExecutor()
    app = create_app(engine=demo_store.engine, run_migrations=False, executor=executor)
    try:
        yield app, executor
    finally:
        executor.gate.set()
        app.state.jobs.close(wait=True)


def test_the_pages_of_a_run_in_progress_and_of_a_failed_run(
    gated_app: tuple[Any, GatedExecutor], demo_store: DemoStore
) -> None:
    app, executor = gated_app
    client = FormClient(app)
    client.post("/ui/login", data={"username": "sam", "password": PASSWORD["sam"]})
    dataset = _dataset_of(demo_store, "power")
    submitted = client.post(f"/ui/datasets/{dataset}/runs", data={"kind": "power"})
    assert submitted.status_code == 200 and "/ui/runs/" in str(submitted.url)
    executor.wait_holding()
    page = client.get(submitted.url.path).text
    # Without JavaScript the page reloads itself; with it, job-status.js polls the status URL.
    assert '<noscript><meta http-equiv="refresh" content="5"></noscript>' in page
    assert '<script src="/ui/static/job-status.js"></script>' in page
    run_id = submitted.url.path.rsplit("/", 1)[1]
    assert f'data-status-url="/runs/{run_id}/status" data-status="running"' in page
    listed = client.get(f"/ui/datasets/{dataset}").text  # the dataset lists it as in progress
    assert 'id="dataset-jobs"' in listed and f'href="/ui/runs/{run_id}"' in listed
    status = client.get(f"/runs/{run_id}/status")  # the page's session cookie reads the status
    assert status.status_code == 200 and status.json()["status"] == "running"
    executor.gate.set()
    done = finished_run_page(client, submitted).text
    assert 'id="job-status"' not in done and "http-equiv" not in done and 'id="run-summary"' in done

    # A dataset the kind does not fit: the run is not stored, its page says why.
    in_process = create_app(engine=demo_store.engine, run_migrations=False, executor=InProcessExecutor())
    failing = FormClient(in_process)
    failing.post("/ui/login", data={"username": "sam", "password": PASSWORD["sam"]})
    concentrations = _dataset_of(demo_store, "nca")
    refused = finished_run_page(
        failing, failing.post(f"/ui/datasets/{concentrations}/runs", data={"kind": "power"})
    )
    assert 'data-status="failed"' in refused.text and 'role="alert" id="job-error"' in refused.text
    assert "Not run:" in refused.text and "missing column(s)" in refused.text
    assert "Traceback" not in refused.text and "job-status.js" not in refused.text
    in_process.state.jobs.close(wait=True)


def test_the_demo_loader_stores_completed_runs(demo_store: DemoStore) -> None:
    """`bioparity demo --load` computes its runs at once (no server, no job): every one is stored."""
    with make_sessionmaker(demo_store.engine)() as session:
        runs = [session.get(AnalysisRun, run_id) for run_id in demo_store.summary.runs.values()]
        assert runs and all(r is not None and r.status == "succeeded" and r.result_json for r in runs)
