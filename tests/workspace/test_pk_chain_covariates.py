"""The workspace chain concentrations -> NCA (option ``keep``) -> derived dataset -> PK similarity with a
covariate: the body weight carried through the NCA run gives R's ANCOVA (``lm``, relative 1e-9; reference and
script in ``tests/data/pk_similarity/mab_weight_cmax_ancova.*``). Before, the NCA run dropped the weight and
the PK similarity run could only be unadjusted."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from tests.nca.test_nca_keep_covariates import CONC, check_against_r
from tests.workspace.conftest import Company
from tests.workspace.helpers import run_and_wait, upload


@pytest.fixture(scope="module")
def a(company_factory: Callable[[str], Company]) -> Company:
    return company_factory("PKcov")


def test_the_workspace_chain_keeps_the_weight_for_the_ancova(client: TestClient, a: Company) -> None:
    created = upload(client, a, content=CONC.read_text(), name="mab", filename="mab.csv", analysis_kind="nca")
    assert created.status_code == 201, created.text
    run = run_and_wait(client, created.json()["id"], a.auth("analyst"), "nca", {"keep": "weight"})
    assert run["status"] == "succeeded", run
    assert "weight" in run["result"]["columns"]
    derived = client.post(
        f"/runs/{run['id']}/datasets", headers=a.auth("analyst"), json={"analysis_kind": "pk-similarity"}
    )
    assert derived.status_code == 201, derived.text
    options = {"metrics": "CMAX", "covariates": "weight", "variance": "pooled"}
    sim = run_and_wait(client, derived.json()["id"], a.auth("analyst"), "pk-similarity", options)
    assert sim["status"] == "succeeded", sim
    check_against_r(pd.DataFrame(sim["result"]["rows"], columns=sim["result"]["columns"]), "pooled")


def test_the_nca_kind_offers_the_option(client: TestClient, a: Company) -> None:
    kinds = client.get("/analysis-kinds", headers=a.auth("analyst")).json()
    nca = next(k for k in kinds if k["name"] == "nca")
    keep = next(o for o in nca["option_schema"] if o["name"] == "keep")
    assert keep["type"] == "list" and keep["default"] == ""
