"""Analyses run from the workspace on stored datasets: results against R PowerTOST, full provenance,
identical stored results on re-runs, and the one-line registration of a new kind."""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bioparity.analyses import Analysis, all_analyses, register, unregister
from bioparity.analyses.frames import table_reader
from bioparity.audit import canonical_json
from bioparity.io.power_grid import POWER_GRID_COLUMNS
from bioparity.store.models import AnalysisJob, AnalysisRun
from tests.conftest import read_reference
from tests.workspace.conftest import Company
from tests.workspace.helpers import run_and_wait, upload, wait_for_job


@pytest.fixture(scope="module")
def a(company_factory: Callable[[str], Company]) -> Company:
    return company_factory("A")


def _run(client: TestClient, a: Company, csv: str, kind: str, **options: Any) -> dict[str, Any]:
    created = upload(client, a, content=csv, name=f"{kind}-grid", analysis_kind=kind)
    assert created.status_code == 201, created.text
    return run_and_wait(client, created.json()["id"], a.auth("analyst"), kind, options)


def _frame(result: Mapping[str, Any]) -> pd.DataFrame:
    return pd.DataFrame(result["rows"], columns=result["columns"])


def test_samplesize_runs_match_powertost(client: TestClient, a: Company) -> None:
    ref = read_reference("expected/sample_size_tost.csv")
    inputs = ref.drop(columns=["n", "power"])
    run = _run(client, a, inputs.to_csv(index=False), "samplesize")
    assert run["status"] == "succeeded"
    got = _frame(run["result"])
    assert len(got) == len(ref) == 188
    np.testing.assert_array_equal(got["n"].to_numpy(), ref["n"].to_numpy())  # identical n, every scenario
    np.testing.assert_allclose(got["power"].to_numpy(dtype=float), ref["power"].to_numpy(), rtol=0, atol=1e-9)


def test_power_runs_match_powertost(client: TestClient, a: Company) -> None:
    ref = read_reference("expected/power_tost.csv")
    inputs = ref[["design", "cv", "theta0", "n"]]
    run = _run(client, a, inputs.to_csv(index=False), "power", method="exact")
    got = _frame(run["result"])
    np.testing.assert_allclose(
        got["power"].to_numpy(dtype=float), ref["power_exact"].to_numpy(), rtol=0, atol=1e-9
    )
    nct = _run(client, a, inputs.to_csv(index=False), "power", method="nct")
    got = _frame(nct["result"])
    np.testing.assert_allclose(
        got["power"].to_numpy(dtype=float), ref["power_nct"].to_numpy(), rtol=0, atol=1e-7
    )


def test_a_run_records_its_provenance(client: TestClient, a: Company) -> None:
    csv = "design,cv,theta0,n\n2x2,0.3,0.95,40\n"
    run = _run(client, a, csv, "power")
    assert run["inputs"] == {"dataset": hashlib.sha256(csv.encode()).hexdigest()}
    assert run["options"] == {"method": "exact"}
    assert run["software_version"].startswith("bioparity ") and "numpy" in run["software_version"]
    assert run["result_sha256"] == hashlib.sha256(canonical_json(run["result"]).encode()).hexdigest()
    # PowerTOST power.TOST(CV = 0.3, theta0 = 0.95, n = 40) = 0.8158453 (PowerTOST README)
    assert _frame(run["result"])["power"][0] == pytest.approx(0.8158453, abs=5e-8)


def test_rerunning_identical_inputs_stores_the_identical_result(
    client: TestClient, a: Company, sessions: sessionmaker[Session]
) -> None:
    csv = "design,cv,theta0,theta1,theta2,alpha,target_power\n2x2,0.25,0.95,,,,0.9\n2x4x4,0.45,0.9,,,,0.8\n"
    first = _run(client, a, csv, "samplesize")
    second = run_and_wait(client, first["dataset_id"], a.auth("statistician"), "samplesize")
    assert second["id"] != first["id"]
    for key in ("result", "result_sha256", "run_key", "inputs", "options", "software_version"):
        assert second[key] == first[key]
    with sessions() as s:
        stored = [s.get(AnalysisRun, r["id"]) for r in (first, second)]
        texts = {r.result_json for r in stored if r is not None}
    assert len(texts) == 1


def test_invalid_runs_are_refused_and_store_nothing(
    client: TestClient, a: Company, sessions: sessionmaker[Session]
) -> None:
    plain = upload(client, a, name="plain", analysis_kind=None, content="design,cv,theta0\n2x2,0.3,0.95\n")
    dataset_id = plain.json()["id"]
    with sessions() as s:
        before = s.scalar(select(func.count()).select_from(AnalysisRun))
    url = f"/datasets/{dataset_id}/runs"
    # The file is read in the background: the job fails with the reader's message, and nothing is stored.
    wrong_columns = client.post(url, headers=a.auth("analyst"), json={"kind": "power"})
    failed = wait_for_job(client, wrong_columns, a.auth("analyst"))
    assert failed["status"] == "failed" and "missing column(s) 'n'" in failed["error"]
    assert not failed["run_stored"]
    not_stored = client.get(failed["run_url"], headers=a.auth("analyst"))
    assert not_stored.status_code == 404 and "missing column(s) 'n'" in not_stored.json()["detail"]
    unknown_kind = client.post(url, headers=a.auth("analyst"), json={"kind": "astrology"})
    assert unknown_kind.status_code == 422 and "power" in unknown_kind.json()["detail"]
    bad_option = client.post(url, headers=a.auth("analyst"), json={"kind": "power", "options": {"cv": 1}})
    assert bad_option.status_code == 422 and "does not accept" in bad_option.json()["detail"]
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(AnalysisRun)) == before


@pytest.fixture
def temporary_kinds() -> Iterator[list[str]]:
    """Names of kinds a test registers; they are removed afterwards."""
    names: list[str] = []
    yield names
    for name in names:
        unregister(name)


def _kind(name: str, compute: Callable[[pd.DataFrame, Mapping[str, Any]], dict[str, Any]]) -> Analysis:
    return Analysis(
        name=name, title=name, description=f"{name} of a power grid", read=table_reader(POWER_GRID_COLUMNS),
        compute=compute,
    )  # fmt: skip


def test_a_new_kind_is_one_registration(
    client: TestClient, a: Company, temporary_kinds: list[str], sessions: sessionmaker[Session]
) -> None:
    def mean_cv(frame: pd.DataFrame, options: Mapping[str, Any]) -> dict[str, Any]:
        return {"mean_cv": float(frame["cv"].mean())}

    register(_kind("mean-cv", mean_cv))
    temporary_kinds.append("mean-cv")
    kinds = [k["name"] for k in client.get("/analysis-kinds", headers=a.auth("viewer")).json()]
    assert kinds == sorted([*all_analyses()]) and "mean-cv" in kinds  # listed like a built-in kind
    run = _run(client, a, "design,cv,theta0,n\n2x2,0.2,0.95,24\n2x2,0.4,0.95,24\n", "mean-cv")
    assert run["result"] == {"mean_cv": pytest.approx(0.3)}
    with sessions() as s:  # worker processes know the built-in kinds only: computed in the server
        job = s.get(AnalysisJob, run["id"])
        assert job is not None and job.executor == "the server process"
    with pytest.raises(ValueError, match="already registered"):
        register(_kind("power", mean_cv))


def test_a_crashing_analysis_is_stored_as_failed_and_cannot_be_signed(
    client: TestClient, a: Company, temporary_kinds: list[str]
) -> None:
    def crash(frame: pd.DataFrame, options: Mapping[str, Any]) -> dict[str, Any]:
        raise ZeroDivisionError("a defect")

    register(_kind("crash", crash))
    temporary_kinds.append("crash")
    run = _run(client, a, "design,cv,theta0,n\n2x2,0.2,0.95,24\n", "crash")
    assert run["status"] == "failed" and run["result"] is None and "ZeroDivisionError" in run["error"]
    body = {
        "username": a.users["analyst"].username,
        "password": "correct horse battery",
        "meaning": "authored",
    }
    assert (
        client.post(f"/runs/{run['id']}/signatures", headers=a.auth("analyst"), json=body).status_code == 409
    )


def test_stored_results_are_plain_json(client: TestClient, a: Company) -> None:
    run = _run(client, a, "design,cv,theta0,n,method\n2x2,0.3,0.95,40,\nparallel,0.3,0.95,40,nct\n", "power")
    text = json.dumps(run["result"])
    assert "NaN" not in text
    frame = pd.read_csv(io.StringIO(pd.DataFrame(run["result"]["rows"]).to_csv(index=False)))
    assert len(frame) == 2


def test_the_kinds_endpoint_lists_the_options_schema(client: TestClient, a: Company) -> None:
    listed = {k["name"]: k for k in client.get("/analysis-kinds", headers=a.auth("viewer")).json()}
    for name, analysis in all_analyses().items():
        schema = analysis.schema()
        # types, defaults, choices as defined; the API lists `kinds` of every option (empty but for a run one)
        assert listed[name]["option_schema"] == [{"kinds": [], **o} for o in schema["options"]]
        assert listed[name]["columns"] == schema["columns"] and listed[name]["title"] == analysis.title
        assert listed[name]["options"] == analysis.option_help
    alpha = next(o for o in listed["pk-similarity"]["option_schema"] if o["name"] == "alpha")
    assert alpha == {"name": "alpha", "help": alpha["help"], "type": "number", "default": 0.05,
                     "choices": None, "label": "alpha", "kinds": []}  # fmt: skip
    pool = next(o for o in listed["caa"]["option_schema"] if o["name"] == "pool_references")
    assert pool["type"] == "flag" and pool["default"] is False and pool["choices"] == [False, True]
    assert listed["pk-similarity"]["follows"] == ["nca"]
