"""Analyses requested through the API run as background jobs (on SQLite and on PostgreSQL): 202 Accepted
with the run's URL, queued / running with progress, done with the run stored exactly as before; a failed
job says why; a job whose server stopped is failed, never left running."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, inspect, select
from sqlalchemy.orm import Session, sessionmaker

from bioparity.server import create_app
from bioparity.store import upgrade_schema
from bioparity.store.models import AnalysisJob, AnalysisRun, AuditEvent, utc_now
from bioparity.workspace import jobs
from bioparity.workspace.analyses import READING
from bioparity.workspace.integrity import upgrade
from tests.workspace.conftest import Company
from tests.workspace.helpers import GatedExecutor, powertost_n_and_power, run_and_wait, upload, wait_for_job

# PowerTOST sampleN.TOST(CV = 0.3, theta0 = 0.95, targetpower = 0.8), 2x2 crossover (reference table).
GRID = "design,cv,theta0,target_power\n2x2,0.3,0.95,0.8\n"


@pytest.fixture(scope="module")
def a(company_factory: Callable[[str], Company]) -> Company:
    return company_factory("Jobs")


@pytest.fixture(scope="module")
def grid(client: TestClient, a: Company) -> str:
    created = upload(client, a, content=GRID, name="grid", filename="grid.csv", analysis_kind="samplesize")
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


@pytest.fixture
def gated(engine: Engine) -> Iterator[tuple[TestClient, GatedExecutor]]:
    """A second server on the same store whose analyses wait for the test to let them go on."""
    executor = GatedExecutor()
    app = create_app(engine=engine, run_migrations=False, web=False, executor=executor)
    try:
        with TestClient(app) as client:
            yield client, executor
    finally:
        executor.gate.set()
        app.state.jobs.close(wait=True)


def test_a_run_request_is_accepted_at_once_and_polled_until_the_run_is_stored(
    client: TestClient, a: Company, grid: str, sessions: sessionmaker[Session]
) -> None:
    accepted = client.post(f"/datasets/{grid}/runs", headers=a.auth("analyst"), json={"kind": "samplesize"})
    assert accepted.status_code == 202, accepted.text
    body = accepted.json()
    run_id = body["run_id"]
    assert accepted.headers["location"] == body["run_url"] == f"/runs/{run_id}"
    assert body["status_url"] == f"/runs/{run_id}/status" and accepted.headers["retry-after"] == "1"
    assert (body["status"], body["progress"], body["run_stored"]) == ("queued", 0.0, False)
    assert (body["kind"], body["dataset_id"], body["study_id"]) == ("samplesize", grid, a.study.id)

    done = wait_for_job(client, accepted, a.auth("analyst"))
    assert (done["status"], done["progress"], done["run_stored"], done["error"]) == ("done", 1.0, True, None)
    assert done["created_at"] <= done["started_at"] <= done["finished_at"]
    run = client.get(done["run_url"], headers=a.auth("viewer")).json()
    assert run["id"] == run_id and run["status"] == "succeeded"
    n, power = powertost_n_and_power()
    assert run["result"]["rows"][0][run["result"]["columns"].index("n")] == n == 40
    assert run["result"]["rows"][0][run["result"]["columns"].index("power")] == pytest.approx(power, abs=1e-9)
    # The run is stored as a run computed at once: provenance and exactly one audit row.
    assert run["inputs"] == {"dataset": hashlib.sha256(GRID.encode()).hexdigest()}
    with sessions() as s:
        events = s.scalars(select(AuditEvent.action).where(AuditEvent.object_id == run_id)).all()
        job = s.get(AnalysisJob, run_id)
        assert job is not None and "worker process" in job.executor  # the default: a worker process
    assert events == ["run"]


def test_a_job_shows_its_progress_and_waits_its_turn(
    gated: tuple[TestClient, GatedExecutor], a: Company, grid: str
) -> None:
    client, executor = gated
    first = client.post(f"/datasets/{grid}/runs", headers=a.auth("analyst"), json={"kind": "samplesize"})
    second = client.post(f"/datasets/{grid}/runs", headers=a.auth("analyst"), json={"kind": "samplesize"})
    executor.wait_holding()
    # No transaction is held while it computes: another write goes through at once (on SQLite it would
    # wait for the write lock, then answer 503).
    other = upload(client, a, content=GRID, name="grid-while-computing", analysis_kind="samplesize")
    assert other.status_code == 201, other.text
    running = client.get(first.json()["status_url"], headers=a.auth("viewer")).json()
    assert (running["status"], running["progress"]) == ("running", READING)
    assert running["message"].startswith("reading grid.csv") and running["started_at"] is not None
    queued = client.get(second.json()["status_url"], headers=a.auth("viewer")).json()
    assert (queued["status"], queued["message"]) == ("queued", "waiting for a worker")  # one slot
    # The run's URL answers the status (202) until the run is stored.
    pending = client.get(first.json()["run_url"], headers=a.auth("viewer"))
    assert pending.status_code == 202 and pending.headers["retry-after"] == "1"
    assert pending.json()["status"] == "running"
    executor.gate.set()
    for accepted in (first, second):
        assert wait_for_job(client, accepted, a.auth("analyst"))["status"] == "done"
        assert client.get(accepted.json()["run_url"], headers=a.auth("viewer")).status_code == 200


def test_a_job_stopped_with_its_server_is_failed_and_stores_nothing(
    engine: Engine, a: Company, grid: str, sessions: sessionmaker[Session]
) -> None:
    executor = GatedExecutor()
    app = create_app(engine=engine, run_migrations=False, web=False, executor=executor)
    with TestClient(app) as client:
        body = {"kind": "samplesize"}
        accepted = client.post(f"/datasets/{grid}/runs", headers=a.auth("analyst"), json=body)
        executor.wait_holding()
    # The server stopped (its lifespan ended) while the job was running: failed at once, clearly.
    executor.gate.set()  # the computation ends after all; its result must not be stored
    app.state.jobs.close(wait=True)
    run_id = accepted.json()["run_id"]
    with sessions() as s:
        job = s.get(AnalysisJob, run_id)
        assert job is not None and job.status == "failed" and s.get(AnalysisRun, run_id) is None
        assert job.error == (
            "the server stopped while this analysis was running (server shut down); nothing was stored: "
            "run it again (the same dataset and options give the same result)"
        )


def test_jobs_left_by_a_stopped_server_are_failed_when_a_server_starts(
    engine: Engine, a: Company, grid: str, sessions: sessionmaker[Session]
) -> None:
    """A server killed while holding jobs renews their heartbeat no more: a server starting fails them
    (not re-queued, see bioparity.workspace.jobs); a job whose server is alive is left alone."""
    now = utc_now()
    ages = {"running-stale": 300, "queued-stale": 90, "running-alive": 1}
    with sessions.begin() as s:
        ids = {}
        for label, age in ages.items():
            job = AnalysisJob(
                study_id=a.study.id, dataset_id=grid, kind="samplesize", options_json="{}",
                status=label.split("-")[0], progress=0.35, message="computing", executor="elsewhere",
                created_by=a.users["analyst"].id, created_at=now - timedelta(seconds=age),
                heartbeat_at=now - timedelta(seconds=age),
            )  # fmt: skip
            s.add(job)
            s.flush()
            ids[label] = job.id
    with TestClient(create_app(engine=engine, run_migrations=False, web=False)):
        pass  # starting is enough
    with sessions() as s:
        got = {label: s.get(AnalysisJob, job_id) for label, job_id in ids.items()}
        assert {label: j.status for label, j in got.items() if j} == {
            "running-stale": "failed", "queued-stale": "failed", "running-alive": "running",
        }  # fmt: skip
    status = TestClient(create_app(engine=engine, run_migrations=False, web=False)).get(
        f"/runs/{ids['queued-stale']}/status", headers=a.auth("viewer")
    )
    assert status.json()["error"] == (
        "the server stopped while this analysis was waiting for a worker (no sign of life from the server "
        "holding it); nothing was stored: run it again (the same dataset and options give the same result)"
    )
    with sessions.begin() as s:  # the live one's server is this test: it stops now
        assert jobs.fail_stopped_jobs(s, [ids["running-alive"]], "test over") == [ids["running-alive"]]


def test_a_run_stored_without_a_job_answers_done(client: TestClient, a: Company, grid: str) -> None:
    run = run_and_wait(client, grid, a.auth("analyst"), "samplesize")
    status = client.get(f"/runs/{run['id']}/status", headers=a.auth("viewer")).json()
    assert (status["status"], status["run_stored"], status["progress"]) == ("done", True, 1.0)
    missing = client.get("/runs/00000000-0000-4000-8000-000000000000/status", headers=a.auth("viewer"))
    assert missing.status_code == 404


def test_an_existing_database_gains_the_jobs_table(empty_engine: Engine) -> None:
    upgrade_schema(empty_engine, "0005_user_language")
    assert "analysis_jobs" not in inspect(empty_engine).get_table_names()
    upgrade(empty_engine)
    assert "analysis_jobs" in inspect(empty_engine).get_table_names()
    with Session(empty_engine) as s:
        assert s.scalar(select(func.count()).select_from(AnalysisJob)) == 0
