"""Small builders shared by the workspace tests (objects created through the API or the services)."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi.testclient import TestClient

from tests.workspace.conftest import PASSWORD, Company

SAMPLESIZE_CSV = (
    "design,cv,theta0,theta1,theta2,alpha,target_power\n"
    "2x2,0.3,0.95,,,,0.8\n"
    "parallel,0.35,0.95,0.8,1.25,0.05,0.9\n"
)


def upload(
    client: TestClient,
    company: Company,
    role: str = "analyst",
    content: str | None = SAMPLESIZE_CSV,
    **extra: Any,
) -> Any:
    body = {"name": "grid", "filename": "grid.csv", "content": content, "analysis_kind": "samplesize"} | extra
    return client.post(f"/studies/{company.study.id}/datasets", headers=company.auth(role), json=body)


def uploaded_run(client: TestClient, company: Company) -> tuple[str, str]:
    """Upload the sample-size grid and run it; returns (dataset id, run id)."""
    response = upload(client, company)
    assert response.status_code == 201, response.text
    dataset_id = response.json()["id"]
    run = client.post(
        f"/datasets/{dataset_id}/runs", headers=company.auth("analyst"), json={"kind": "samplesize"}
    )
    assert run.status_code == 201, run.text
    return dataset_id, run.json()["id"]


def sign(
    client: httpx.Client, company: Company, run_id: str, role: str, meaning: str, password: str = PASSWORD
) -> Any:
    return client.post(
        f"/runs/{run_id}/signatures",
        headers=company.auth(role),
        json={"password": password, "meaning": meaning},
    )
