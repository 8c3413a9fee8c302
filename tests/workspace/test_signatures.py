"""Electronic signatures: password re-entry, meaning, binding to the signed content, visible invalidation."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bioparity.audit import canonical_json
from bioparity.store.models import AnalysisRun, Signature
from tests.workspace.conftest import Company
from tests.workspace.helpers import sign, uploaded_run


@pytest.fixture(scope="module")
def a(company_factory: Callable[[str], Company]) -> Company:
    return company_factory("A")


def _signatures(client: TestClient, a: Company, run_id: str) -> list[dict[str, object]]:
    response = client.get(f"/runs/{run_id}/signatures", headers=a.auth("viewer"))
    assert response.status_code == 200
    result: list[dict[str, object]] = response.json()
    return result


def test_a_signature_binds_signer_time_meaning_and_content(client: TestClient, a: Company) -> None:
    _, run_id = uploaded_run(client, a)
    assert sign(client, a, run_id, "analyst", "authored").status_code == 201
    before = datetime.now(UTC)
    response = sign(client, a, run_id, "reviewer", "reviewed")
    assert response.status_code == 201, response.text
    sig = response.json()
    run = client.get(f"/runs/{run_id}", headers=a.auth("viewer")).json()
    content = canonical_json(
        {k: run[k] for k in ("kind", "inputs", "options", "software_version", "result")} | {"run_id": run_id}
    )
    assert sig["content_sha256"] == hashlib.sha256(content.encode()).hexdigest()
    assert sig["username"] == a.users["reviewer"].username and sig["display_name"].startswith("Reviewer")
    assert sig["meaning"] == "reviewed" and sig["valid"] is True
    signed_at = datetime.strptime(sig["signed_at"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    assert before <= signed_at <= datetime.now(UTC)
    assert sign(client, a, run_id, "reviewer", "reviewed").status_code == 409  # once per meaning
    assert sign(client, a, run_id, "statistician", "approved").status_code == 201
    audit = client.get(f"/programs/{a.program.id}/audit", headers=a.auth("viewer")).json()
    assert [e["object_id"] for e in audit if e["action"] == "sign"][-2] == sig["id"]


def test_a_wrong_password_refuses_the_signature_and_is_audited(
    client: TestClient, a: Company, sessions: sessionmaker[Session]
) -> None:
    _, run_id = uploaded_run(client, a)
    response = sign(client, a, run_id, "reviewer", "approved", password="not my password")
    assert response.status_code == 403 and "password" in response.json()["detail"]
    assert _signatures(client, a, run_id) == []
    audit = client.get(f"/programs/{a.program.id}/audit", headers=a.auth("viewer")).json()
    assert audit[-1]["action"] == "sign_failed" and audit[-1]["actor"] == a.users["reviewer"].username
    with sessions() as s:
        assert s.scalar(select(func.count()).where(Signature.run_id == run_id)) == 0


def test_changing_the_signed_result_invalidates_the_signature(
    client: TestClient, a: Company, sessions: sessionmaker[Session]
) -> None:
    _, run_id = uploaded_run(client, a)
    assert sign(client, a, run_id, "analyst", "authored").status_code == 201
    assert sign(client, a, run_id, "reviewer", "reviewed").status_code == 201
    assert sign(client, a, run_id, "statistician", "approved").status_code == 201
    with sessions.begin() as s:  # someone with database access edits the stored result
        run = s.get(AnalysisRun, run_id)
        assert run is not None and run.result_json is not None
        result = json.loads(run.result_json)
        result["rows"][0][-2] = 24  # a smaller sample size
        run.result_json = canonical_json(result)
    listed = _signatures(client, a, run_id)
    assert [s["valid"] for s in listed] == [False, False, False]
    assert all("changed after signing" in str(s["problem"]) for s in listed)


def test_changing_the_provenance_or_the_signature_record_invalidates_it(
    client: TestClient, a: Company, sessions: sessionmaker[Session]
) -> None:
    _, run_id = uploaded_run(client, a)
    sig_id = sign(client, a, run_id, "analyst", "authored").json()["id"]
    with sessions.begin() as s:
        sig = s.get(Signature, sig_id)
        assert sig is not None
        sig.meaning = "approved"  # upgrade an authored signature into an approval
    (listed,) = _signatures(client, a, run_id)
    assert listed["valid"] is False and "signature record was altered" in str(listed["problem"])

    _, other_run = uploaded_run(client, a)
    assert sign(client, a, other_run, "analyst", "authored").status_code == 201
    with sessions.begin() as s:
        run = s.get(AnalysisRun, other_run)
        assert run is not None
        run.options_json = canonical_json({"method": "shifted"})
    (listed,) = _signatures(client, a, other_run)
    assert listed["valid"] is False
