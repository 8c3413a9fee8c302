"""The option ``cut_point_run`` (type ``run``) through the API and the web pages: the schema lists it with
the kinds it takes, the dataset page's form offers it, and a run typed there uses the signed
``ada-cutpoint`` run's floating cut point, each run's ``NC x exp(NF)`` (Shankar et al. 2008, J Pharm Biomed
Anal 48:1267, Appendix 1 section 5; checked by hand from the stored factor, relative 1e-12); an unsigned
run is refused through the API with the reason."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from bioparity.analyses.frames import result_records
from tests.analyses.kinds_support import Workspace, text_of
from tests.bioassay.test_floating_drug_tolerance_and_cut_point_file import NC, _curves, _validation
from tests.workspace.conftest import PASSWORD
from tests.workspace.helpers import run_and_wait, sign


def _cut_point_run(workspace: Workspace, path: Path, version: int) -> dict[str, Any]:
    """An ada-cutpoint run of a dataset of its own name (a signed run's dataset cannot be replaced by the
    next upload of the same name without a reason: the other kinds' tests upload ``ada-cutpoint-data``)."""
    body = {
        "name": f"cut-point-run-validation-{version}",
        "filename": path.name,
        "content": path.read_text(encoding="utf-8"),
        "analysis_kind": "ada-cutpoint",
    }
    auth = workspace.company.auth("analyst")
    created = workspace.client.post(
        f"/studies/{workspace.company.study.id}/datasets", headers=auth, json=body
    )
    assert created.status_code == 201, created.text
    run = run_and_wait(workspace.client, created.json()["id"], auth, "ada-cutpoint")
    assert run["status"] == "succeeded", run.get("error")
    return run


def test_the_option_through_the_api_and_the_web_form(workspace: Workspace, tmp_path: Path) -> None:
    kinds = workspace.client.get("/analysis-kinds", headers=workspace.company.auth("viewer")).json()
    schema = next(k for k in kinds if k["name"] == "ada-sensitivity")
    option = next(o for o in schema["option_schema"] if o["name"] == "cut_point_run")
    assert option["type"] == "run" and option["kinds"] == ["ada-cutpoint"]

    unsigned, source = (
        _cut_point_run(workspace, _validation(tmp_path / "validation.csv"), i) for i in (1, 2)
    )
    signed = sign(workspace.client, workspace.company, source["id"], "analyst", "authored")
    assert signed.status_code == 201, signed.text
    reported = [r for r in result_records(source["result"]) if r["tier"] == "screening" and r["selected"]]
    own = [NC[r] * math.exp(reported[0]["normalization_factor"]) for r in sorted(NC)]  # NC x exp(NF)

    curves = _curves(tmp_path / "pc.csv", nc=NC).read_bytes()
    page, report = workspace.web_run("ada-sensitivity", "pc.csv", curves, cut_point_run=source["id"])
    assert f"screening cut point from ada-cutpoint-run-{source['id']}.json (sha256" in text_of(page)
    assert "cut points of an ada-cutpoint run" in text_of(page) or "cut_point_run" in text_of(page)
    assert "floating" in text_of(report)

    run = workspace.api_run("ada-sensitivity", "pc.csv", curves, cut_point_run=source["id"])
    refused = workspace.client.post(
        f"/datasets/{run['dataset_id']}/runs",
        headers=workspace.company.auth("analyst"),
        json={"kind": "ada-sensitivity", "options": {"cut_point_run": unsigned["id"]}},
    )
    assert refused.status_code in (400, 422) and "is not signed" in refused.text, refused.text

    # the dataset page's form offers the signed run in a select, not the unsigned one
    client = workspace.client
    analyst = workspace.company.users["analyst"].username
    client.post("/ui/login", data={"username": analyst, "password": PASSWORD})
    page = client.get(f"/ui/datasets/{run['dataset_id']}").text
    client.post("/ui/logout")
    assert f'<option value="{source["id"]}"' in page and f'value="{unsigned["id"]}"' not in page
    assert "ada-cutpoint run of " in page and f"id {source['id'][:8]}" in page
    table = pd.DataFrame(run["result"]["rows"], columns=run["result"]["columns"])
    assert table["run_cut_points"].tolist() == pytest.approx(own, rel=1e-12)
    assert run["options"]["cut_point_run"] == source["id"]
    assert json.dumps(run).count(source["id"]) >= 2  # the options and the note name the run
