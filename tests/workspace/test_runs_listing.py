"""``GET /studies/{id}/runs``: each run with its result (the contract as it was), or with ``result=false``
the runs without their results, which are then not read from the store (an NCA result of 2,004 profiles
is 10.9 MB of JSON: the list with results took 0.6 s of CPU a request, without 16 ms)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session, sessionmaker

from tests.workspace.conftest import Company
from tests.workspace.helpers import signed_by, stored_run


@pytest.fixture
def statements(engine: Engine) -> Iterator[list[str]]:
    """The SQL statements the engine sends while the test runs."""
    sent: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        sent.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    yield sent
    event.remove(engine, "before_cursor_execute", record)


def test_the_runs_of_a_study_without_their_results_read_no_result(
    sessions: sessionmaker[Session],
    client: TestClient,
    company_factory: Callable[[str], Company],
    statements: list[str],
) -> None:
    a = company_factory("Runs without results")
    older = stored_run(sessions, a, "analyst")
    newer = stored_run(sessions, a, "analyst")
    signed_by(sessions, a, newer, "analyst", "authored")
    signed_by(sessions, a, newer, "reviewer", "reviewed")
    signed_by(sessions, a, newer, "statistician", "approved")  # supersedes the older run
    path = f"/studies/{a.study.id}/runs"
    viewer = a.auth("viewer")

    statements.clear()
    full = client.get(path, headers=viewer).json()
    assert any("analysis_runs.result_json" in s for s in statements)  # the contract as it was: results read
    assert [r["id"] for r in full] == [older, newer]
    assert all(r["result"] is not None for r in full)

    statements.clear()
    answer = client.get(path, params={"result": "false"}, headers=viewer)
    assert answer.status_code == 200
    # the approved run's signatures are checked against its result (superseded_by): that run's only
    reads = [s for s in statements if "analysis_runs.result_json" in s and "analysis_runs.study_id" in s]
    assert reads == [], reads
    summary = answer.json()
    # the same runs and fields, the result left out (its SHA-256 kept)
    assert summary == [{k: v for k, v in r.items() if k != "result"} for r in full]
    assert {r["id"]: r["superseded_by"] for r in summary} == {older: newer, newer: None}
    assert all(r["result_sha256"] for r in summary)

    assert client.get(path, params={"result": "true"}, headers=viewer).json() == full
    assert client.get(path, params={"result": "maybe"}, headers=viewer).status_code == 422
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    assert "result" in schemas["RunOut"]["properties"]
    assert "result" not in schemas["RunSummaryOut"]["properties"]
