"""A run request sent twice with the same idempotency key (the API's ``Idempotency-Key`` header, a page's
one-time submission token) requests one run, on SQLite and on PostgreSQL: the web audit of 2026-12-06
found that a double click or a browser resubmitting the run form queued two identical runs."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from alembic import command
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, inspect, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bioparity.errors import InputError
from bioparity.store import make_sessionmaker, upgrade_schema
from bioparity.store.migrate import alembic_config
from bioparity.store.models import AnalysisJob, utc_now
from bioparity.workspace import datasets, jobs
from bioparity.workspace.integrity import upgrade
from tests.workspace.conftest import Company, make_company
from tests.workspace.helpers import SAMPLESIZE_CSV, upload, wait_for_job


@pytest.fixture(scope="module")
def a(company_factory: Callable[[str], Company]) -> Company:
    return company_factory("Idem")


@pytest.fixture(scope="module")
def grid(client: TestClient, a: Company) -> str:
    created = upload(client, a)
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


def _jobs_of(sessions: sessionmaker[Session], dataset_id: str) -> int:
    with sessions() as s:
        query = select(func.count()).select_from(AnalysisJob).where(AnalysisJob.dataset_id == dataset_id)
        return int(s.scalar(query) or 0)


def _post(
    client: TestClient, grid: str, headers: dict[str, str], key: str | None, **options: str
) -> httpx.Response:
    sent = headers | ({"Idempotency-Key": key} if key is not None else {})
    body = {"kind": "samplesize", "options": options}
    answer: httpx.Response = client.post(f"/datasets/{grid}/runs", headers=sent, json=body)
    return answer


def test_the_same_key_sent_twice_requests_one_run(
    client: TestClient, a: Company, grid: str, sessions: sessionmaker[Session]
) -> None:
    before = _jobs_of(sessions, grid)
    key = str(uuid.uuid4())
    first = _post(client, grid, a.auth("analyst"), key)
    again = _post(client, grid, a.auth("analyst"), key)
    assert first.status_code == again.status_code == 202, again.text
    run_id = first.json()["run_id"]
    assert again.json()["run_id"] == run_id and again.headers["location"] == f"/runs/{run_id}"
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert _jobs_of(sessions, grid) == before + 1
    done = wait_for_job(client, first, a.auth("analyst"))
    assert done["status"] == "done"
    # Sent again once the run is stored: still that run, now done.
    late = _post(client, grid, a.auth("analyst"), key)
    assert late.json()["run_id"] == run_id and late.json()["status"] == "done"
    assert _jobs_of(sessions, grid) == before + 1


def test_without_a_key_every_request_is_a_new_run(
    client: TestClient, a: Company, grid: str, sessions: sessionmaker[Session]
) -> None:
    before = _jobs_of(sessions, grid)
    ids = {_post(client, grid, a.auth("analyst"), None).json()["run_id"] for _ in range(2)}
    assert len(ids) == 2 and _jobs_of(sessions, grid) == before + 2


def test_a_key_belongs_to_its_requester(
    client: TestClient, a: Company, grid: str, sessions: sessionmaker[Session]
) -> None:
    # Keys are chosen by clients: another user's "1" is another request, never a way to reach their run.
    before = _jobs_of(sessions, grid)
    mine = _post(client, grid, a.auth("analyst"), "1").json()["run_id"]
    theirs = _post(client, grid, a.auth("statistician"), "1").json()["run_id"]
    assert mine != theirs and _jobs_of(sessions, grid) == before + 2


def test_a_key_sent_with_another_request_is_refused_naming_the_first_run(
    client: TestClient, a: Company, grid: str, sessions: sessionmaker[Session]
) -> None:
    key = str(uuid.uuid4())
    first = _post(client, grid, a.auth("analyst"), key).json()["run_id"]
    before = _jobs_of(sessions, grid)
    other = _post(client, grid, a.auth("analyst"), key, method="nct")
    assert other.status_code == 422
    assert f"already sent with another dataset, kind or options (run {first})" in other.text
    assert _jobs_of(sessions, grid) == before


@pytest.mark.parametrize("key", ["", "k" * (jobs.REQUEST_KEY_MAX + 1)])
def test_a_blank_or_overlong_key_is_refused(client: TestClient, a: Company, grid: str, key: str) -> None:
    assert _post(client, grid, a.auth("analyst"), key).status_code == 422
    with pytest.raises(InputError, match="an idempotency key must have 1 to 200 characters"):
        jobs.request_key_digest(key)


def test_copies_racing_each_other_request_one_run(
    client: TestClient, a: Company, grid: str, sessions: sessionmaker[Session]
) -> None:
    # On PostgreSQL the copies read "no job yet" at once; the unique index refuses all inserts but one,
    # and the losers' retried transactions find the winner's job. SQLite queues the writers.
    copies, key = 6, str(uuid.uuid4())
    before = _jobs_of(sessions, grid)
    start = threading.Barrier(copies)

    def send(_index: int) -> str:
        start.wait()
        answer = _post(client, grid, a.auth("analyst"), key)
        assert answer.status_code == 202, answer.text
        return str(answer.json()["run_id"])

    with ThreadPoolExecutor(max_workers=copies) as pool:
        ids = set(pool.map(send, range(copies)))
    assert len(ids) == 1 and _jobs_of(sessions, grid) == before + 1


def _queued(engine: Engine, label: str, request_key: str | None) -> tuple[Company, str, AnalysisJob]:
    """A new company on ``engine``, a sample-size grid of its study, and a job queued on it (no runner)."""
    company = make_company(make_sessionmaker(engine), label)
    with make_sessionmaker(engine).begin() as s:
        actor = company.actor("analyst")
        dataset = datasets.upload_dataset(
            s, actor, company.study.id, name="grid", filename="grid.csv",
            content=SAMPLESIZE_CSV.encode(), analysis_kind="samplesize",
        )  # fmt: skip
        job = jobs.create_job(s, actor, dataset.id, "samplesize", request_key=request_key).job
    return company, dataset.id, job


def test_the_store_refuses_a_second_job_with_the_same_key(fresh_engine: Engine) -> None:
    sessions = make_sessionmaker(fresh_engine)
    _company, _dataset, job = _queued(fresh_engine, "Uq", "k")
    copy = {c: getattr(job, c) for c in ("study_id", "dataset_id", "kind", "options_json", "status")}
    with pytest.raises(IntegrityError), sessions.begin() as s:  # written behind the lookup's back
        s.add(
            AnalysisJob(**copy, created_by=job.created_by, created_at=utc_now(), request_key=job.request_key)
        )


def test_migration_0007_keeps_the_jobs_before_it_without_a_key(empty_engine: Engine) -> None:
    upgrade(empty_engine)
    sessions = make_sessionmaker(empty_engine)
    company, dataset_id, job = _queued(empty_engine, "Mig", None)
    earlier = job.id
    config = alembic_config()
    with empty_engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0006_analysis_jobs")
    assert "request_key" not in {c["name"] for c in inspect(empty_engine).get_columns("analysis_jobs")}
    upgrade_schema(empty_engine)
    indexes = {i["name"]: i for i in inspect(empty_engine).get_indexes("analysis_jobs")}
    assert indexes["uq_analysis_jobs_request_key"]["unique"]
    assert indexes["uq_analysis_jobs_request_key"]["column_names"] == ["created_by", "request_key"]
    with sessions.begin() as s:
        kept = s.get(AnalysisJob, earlier)
        assert kept is not None and kept.request_key is None
        # Jobs without a key never collide; keyed ones answer their first job.
        plain = jobs.create_job(s, company.actor("analyst"), dataset_id, "samplesize")
        keyed = [
            jobs.create_job(s, company.actor("analyst"), dataset_id, "samplesize", request_key="x")
            for _ in "ab"
        ]
    assert plain.new and plain.job.id != earlier
    assert [k.new for k in keyed] == [True, False] and keyed[0].job.id == keyed[1].job.id
