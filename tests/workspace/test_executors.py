"""Where background analyses are computed: a worker process that dies fails its job with a message saying
so (and the next run gets a new one), a Dask cluster configured by BIOPARITY_DASK_SCHEDULER computes the
same result text, and bad settings are refused naming the variable."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from bioparity.analyses.registry import effective_options, get_analysis
from bioparity.errors import InputError
from bioparity.server import create_app
from bioparity.store import make_sessionmaker
from bioparity.workspace.analyses import PendingRun
from bioparity.workspace.executors import (
    DaskExecutor,
    InProcessExecutor,
    LocalProcessExecutor,
    WorkerLostError,
    executor_from_environment,
    job_workers,
)
from tests.workspace.conftest import database, make_company
from tests.workspace.helpers import powertost_n_and_power, run_and_wait, upload

GRID = b"design,cv,theta0,target_power\n2x2,0.3,0.95,0.8\n"


def _pending() -> PendingRun:
    kind = get_analysis("samplesize")
    return PendingRun(
        dataset_id="d", study_id="s", kind="samplesize", options=effective_options(kind, {}),
        filename="grid.csv", sha256=hashlib.sha256(GRID).hexdigest(), content=GRID,
    )  # fmt: skip


def _n_and_power(result_json: str | None) -> tuple[int, float]:
    result = json.loads(result_json or "{}")
    row = dict(zip(result["columns"], result["rows"][0], strict=True))
    return int(row["n"]), float(row["power"])


def _ignore(fraction: float, message: str) -> None:
    """No progress display in these tests."""


def test_a_worker_process_that_dies_fails_its_job_and_is_replaced() -> None:
    executor = LocalProcessExecutor(1)
    try:
        broken = executor._current().executor.submit(
            os._exit, 3
        )  # the worker is killed, as by the OOM killer
        with pytest.raises(BrokenProcessPool):
            broken.result(timeout=300)
        with pytest.raises(
            WorkerLostError, match=r"stopped unexpectedly .* nothing was stored: run it again"
        ):
            executor.compute("job-1", _pending(), _ignore)
        outcome = executor.compute("job-2", _pending(), _ignore)  # a new worker process
    finally:
        executor.close()
    # PowerTOST sampleN.TOST(CV = 0.3, theta0 = 0.95, targetpower = 0.8): n = 40 (reference table)
    expected = powertost_n_and_power()
    n, power = _n_and_power(outcome.result_json)
    assert outcome.status == "succeeded" and n == expected[0] == 40
    assert power == pytest.approx(expected[1], abs=1e-9)


@pytest.fixture
def dask_scheduler() -> Iterator[str]:
    """A Dask cluster in this process (threads), reached through its scheduler address like a remote one."""
    import distributed

    dist: Any = distributed
    with dist.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, dashboard_address=":0"
    ) as cluster:
        yield str(cluster.scheduler_address)


def test_runs_are_computed_on_the_configured_dask_cluster(
    dask_scheduler: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("BIOPARITY_DASK_SCHEDULER", dask_scheduler)
    executor = executor_from_environment()
    assert isinstance(executor, DaskExecutor) and executor.description.endswith(dask_scheduler)
    try:
        on_dask = executor.compute("job-1", _pending(), _ignore)
    finally:
        executor.close()
    here = InProcessExecutor().compute("job-2", _pending(), _ignore)
    assert on_dask.status == here.status == "succeeded"
    assert on_dask.result_json == here.result_json  # the same result text, wherever it is computed
    assert _n_and_power(on_dask.result_json)[0] == 40

    # Through a server configured by the environment: the run is stored as always.
    with database("sqlite", tmp_path) as engine:
        company = make_company(make_sessionmaker(engine), "dask")
        with TestClient(create_app(engine=engine, web=False)) as client:
            created = upload(client, company, content=GRID.decode(), name="grid", analysis_kind="samplesize")
            run = run_and_wait(client, created.json()["id"], company.auth("analyst"), "samplesize")
    assert run["status"] == "succeeded" and run["result"] == json.loads(here.result_json or "{}")


def test_job_settings_are_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BIOPARITY_DASK_SCHEDULER", raising=False)
    monkeypatch.setenv("BIOPARITY_JOB_WORKERS", "0")
    assert job_workers() == 0 and isinstance(executor_from_environment(), InProcessExecutor)
    monkeypatch.setenv("BIOPARITY_JOB_WORKERS", "2")
    assert isinstance(executor_from_environment(), LocalProcessExecutor)
    monkeypatch.setenv("BIOPARITY_JOB_WORKERS", "many")
    with pytest.raises(InputError, match="BIOPARITY_JOB_WORKERS='many' is not a whole number from 0 to 64"):
        create_app("sqlite://", web=False)
