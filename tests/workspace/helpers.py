"""Small builders shared by the workspace tests (objects created through the API or the services)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Mapping
from typing import Any

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bioparity.progress import StageCallback
from bioparity.store.models import AnalysisRun, AuditEvent, Signature, new_id
from bioparity.workspace import analyses, datasets, signatures
from bioparity.workspace.analyses import PendingRun
from bioparity.workspace.executors import ComputeExecutor, WorkerOutcome, outcome_of
from tests.conftest import read_reference
from tests.workspace.conftest import PASSWORD, Company

SAMPLESIZE_CSV = (
    "design,cv,theta0,theta1,theta2,alpha,target_power\n"
    "2x2,0.3,0.95,,,,0.8\n"
    "parallel,0.35,0.95,0.8,1.25,0.05,0.9\n"
)


def powertost_n_and_power() -> tuple[int, float]:
    """PowerTOST sampleN.TOST(CV = 0.3, theta0 = 0.95, targetpower = 0.8), 2x2 crossover, 80-125%, alpha
    0.05: n and the achieved power (the reference table of tests/data/reference/expected)."""
    ref = read_reference("expected/sample_size_tost.csv")
    row = ref.query(
        "design == '2x2' and cv == 0.3 and theta0 == 0.95 and theta1 == 0.8 and alpha == 0.05 "
        "and target_power == 0.8"
    )
    assert len(row) == 1
    return int(row["n"].iloc[0]), float(row["power"].iloc[0])


def upload(
    client: TestClient,
    company: Company,
    role: str = "analyst",
    content: str | None = SAMPLESIZE_CSV,
    **extra: Any,
) -> Any:
    body = {"name": "grid", "filename": "grid.csv", "content": content, "analysis_kind": "samplesize"} | extra
    return client.post(f"/studies/{company.study.id}/datasets", headers=company.auth(role), json=body)


#: How long a test waits for a background run; generous, so that a loaded machine does not fail it (the
#: first run of a test session also starts the worker process).
JOB_TIMEOUT_S = 300.0


def wait_for_job(
    client: httpx.Client, accepted: httpx.Response, headers: Mapping[str, str]
) -> dict[str, Any]:
    """Poll the status URL of a run request answered 202 until the job is done or failed; returns the
    final status."""
    assert accepted.status_code == 202, accepted.text
    status_url = accepted.json()["status_url"]
    assert accepted.headers["location"] == accepted.json()["run_url"]
    deadline = time.monotonic() + JOB_TIMEOUT_S
    while True:
        status = client.get(status_url, headers=headers)
        assert status.status_code == 200, status.text
        body: dict[str, Any] = status.json()
        if body["status"] in ("done", "failed"):
            return body
        assert time.monotonic() < deadline, f"run not finished after {JOB_TIMEOUT_S} s: {body}"
        time.sleep(0.02)


def run_and_wait(
    client: httpx.Client,
    dataset_id: str,
    headers: Mapping[str, str],
    kind: str,
    options: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Request a run, wait for its job and return the stored run (``GET /runs/{id}``)."""
    accepted = client.post(
        f"/datasets/{dataset_id}/runs", headers=headers, json={"kind": kind, "options": dict(options or {})}
    )
    status = wait_for_job(client, accepted, headers)
    assert status["run_stored"], status
    stored = client.get(status["run_url"], headers=headers)
    assert stored.status_code == 200, stored.text
    run: dict[str, Any] = stored.json()
    return run


def uploaded_run(client: TestClient, company: Company) -> tuple[str, str]:
    """Upload the sample-size grid and run it; returns (dataset id, run id). The upload gives a reason: an
    earlier version of the grid may be the input of a run signed by an earlier test of the company."""
    response = upload(client, company, reason="the next grid of this test")
    assert response.status_code == 201, response.text
    dataset_id = response.json()["id"]
    run = run_and_wait(client, dataset_id, company.auth("analyst"), "samplesize")
    assert run["status"] == "succeeded", run
    return dataset_id, str(run["id"])


def sign(
    client: httpx.Client,
    company: Company,
    run_id: str,
    role: str,
    meaning: str,
    password: str = PASSWORD,
    username: str | None = None,
) -> Any:
    """Sign as the member of ``role`` with both components: ``username`` (default: their own) and
    ``password``."""
    name = company.users[role].username if username is None else username
    return client.post(
        f"/runs/{run_id}/signatures",
        headers=company.auth(role),
        json={"username": name, "password": password, "meaning": meaning},
    )


def run_in(session: Session, company: Company, role: str) -> AnalysisRun:
    """A samplesize run made by the member of ``role`` in ``session`` (through the workspace, not the
    API), on a grid of a new name (no earlier version a signed run used)."""
    dataset = datasets.upload_dataset(
        session,
        company.actor(role),
        company.study.id,
        name=f"grid-{new_id()[:8]}",
        filename="grid.csv",
        content=SAMPLESIZE_CSV.encode(),
        analysis_kind="samplesize",
    )
    return analyses.run_analysis(session, company.actor(role), dataset.id, "samplesize")


def stored_run(sessions: sessionmaker[Session], company: Company, role: str) -> str:
    """The id of a stored samplesize run made by the member of ``role`` (:func:`run_in`, committed)."""
    with sessions.begin() as s:
        return run_in(s, company, role).id


def authored_run(sessions: sessionmaker[Session], company: Company, role: str) -> str:
    """The id of a stored samplesize run made by the member of ``role`` and signed by them as authored: a run
    that may be reviewed (signatures follow the order authored, reviewed, approved)."""
    run_id = stored_run(sessions, company, role)
    signed_by(sessions, company, run_id, role, "authored")
    return run_id


def signature_in(session: Session, company: Company, run_id: str, role: str, meaning: str) -> Signature:
    """The signature the member of ``role`` makes on ``run_id`` with ``meaning`` in ``session``
    (workspace)."""
    return signatures.sign_run(
        session,
        company.actor(role),
        run_id,
        username=company.users[role].username,
        password=PASSWORD,
        meaning=meaning,
    )


def signed_by(sessions: sessionmaker[Session], company: Company, run_id: str, role: str, meaning: str) -> str:
    """The id of the signature the member of ``role`` makes on ``run_id`` with ``meaning`` (committed)."""
    with sessions.begin() as s:
        return signature_in(s, company, run_id, role, meaning).id


class GatedExecutor(ComputeExecutor):
    """Computes in this process like ``BIOPARITY_JOB_WORKERS=0``, but holds each job at its first stage
    (reading the dataset, progress recorded) until the test opens ``gate``: a test sees a job running,
    and the next ones queued, for as long as it needs."""

    def __init__(self) -> None:
        self.description = "the test's gated executor"
        self.slots = 1
        self.gate = threading.Event()
        self.holding = threading.Event()

    def compute(self, job_id: str, pending: PendingRun, stage: StageCallback) -> WorkerOutcome:
        state = {"held": False}

        def held(fraction: float, message: str) -> None:
            stage(fraction, message)
            if not state["held"]:
                state["held"] = True
                self.holding.set()
                assert self.gate.wait(JOB_TIMEOUT_S), "the test never opened the gate"

        return outcome_of(pending, held)

    def wait_holding(self) -> None:
        """Until a job is held at its first stage."""
        assert self.holding.wait(JOB_TIMEOUT_S), f"no job started within {JOB_TIMEOUT_S} s"


def stored_run_trail(session: Session, program_id: str, run_id: str) -> list[tuple[int, str, str]]:
    """(seq, actor, action) of a run's audit rows read from the store, independently of the code under
    test (``programs.about_run``): rows whose object is the run, and ``sign`` rows whose state names it."""
    rows = session.execute(
        select(
            AuditEvent.seq, AuditEvent.actor, AuditEvent.action, AuditEvent.object_id, AuditEvent.after_json
        )
        .where(AuditEvent.program_id == program_id)
        .order_by(AuditEvent.seq)
    ).all()
    return [
        (seq, actor, action)
        for seq, actor, action, object_id, after in rows
        if object_id == run_id or (action == "sign" and json.loads(after or "{}").get("run_id") == run_id)
    ]
