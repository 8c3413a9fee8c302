"""The potency -> CAA chain through the API (issue #19): a potency run's table stored as a dataset
validated for ``caa`` and assessed as the lots' tier-1 potency; the CAA numbers are checked against the
potency run's combined potencies (the quality range of the reference lots computed here by hand)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient

from tests.workspace.conftest import Company
from tests.workspace.helpers import run_and_wait, upload


@pytest.fixture(scope="module")
def a(company_factory: Callable[[str], Company]) -> Company:
    return company_factory("PotencyChain")


def _plates() -> str:
    """Two parallel-line plates of 3 test and 6 reference lots (doses 1-8, 3 replicates)."""
    rng = np.random.default_rng(19)
    lots = {f"test:T{i}": 1.0 + 0.03 * (i % 3) for i in range(1, 4)}
    lots |= {f"ref-eu:E{i}": 1.0 - 0.03 * (i % 3) for i in range(1, 7)}
    dose = np.repeat([1.0, 2.0, 4.0, 8.0], 3)
    rows = []
    for plate in ("P1", "P2"):
        for sample, rp in {"standard": 1.0, **lots}.items():
            y = 5 + 3 * np.log(dose * rp) + rng.normal(0, 0.1, dose.size)
            rows += [(plate, sample, d, k % 3 + 1, v) for k, (d, v) in enumerate(zip(dose, y, strict=True))]
    return pd.DataFrame(rows, columns=["assay", "sample", "dose", "replicate", "response"]).to_csv(
        index=False
    )


def test_potency_run_feeds_the_caa_kind(client: TestClient, a: Company) -> None:
    created = upload(
        client, a, content=_plates(), name="plates", filename="plates.csv", analysis_kind="potency"
    )
    assert created.status_code == 201, created.text
    options = {"model": "parallel-line", "combine": True}
    run = run_and_wait(client, created.json()["id"], a.auth("analyst"), "potency", options)
    assert run["status"] == "succeeded", run
    derived = client.post(
        f"/runs/{run['id']}/datasets", headers=a.auth("analyst"), json={"analysis_kind": "caa"}
    )
    assert derived.status_code == 201, derived.text
    assert derived.json()["derived_from_run"] == run["id"]
    caa = run_and_wait(client, derived.json()["id"], a.auth("analyst"), "caa")
    assert caa["status"] == "succeeded", caa
    table = pd.DataFrame(caa["result"]["rows"], columns=caa["result"]["columns"])
    row = table[table["comparison"] == "test vs ref-eu"].iloc[0]
    potency = pd.DataFrame(run["result"]["rows"], columns=run["result"]["columns"])
    combined = potency[potency["assay"] == "combined"].set_index("sample")["relative_potency"] * 100
    reference = combined[combined.index.str.startswith("ref-eu:")]
    assert row["attribute"] == "relative_potency" and row["tier"] == 1
    assert row["mean_test"] == pytest.approx(
        combined[combined.index.str.startswith("test:")].mean(), rel=1e-12
    )
    # qr-2025, tier 1: mean_R +/- 2.5 s_R of the reference lots' combined potencies
    assert row["lower_limit"] == pytest.approx(reference.mean() - 2.5 * reference.std(ddof=1), rel=1e-10)
    assert row["upper_limit"] == pytest.approx(reference.mean() + 2.5 * reference.std(ddof=1), rel=1e-10)
