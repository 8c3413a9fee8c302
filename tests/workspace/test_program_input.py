"""What a program and its studies may be named and target, through the API and the workspace functions
the pages call, on SQLite and on PostgreSQL (the web audit of 2026-12-06)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bioparity.store.models import Study
from tests.workspace.conftest import Company


@pytest.fixture(scope="module")
def a(company_factory: Callable[[str], Company]) -> Company:
    return company_factory("Names")


def _studies(sessions: sessionmaker[Session], program_id: str) -> int:
    with sessions() as s:
        return int(
            s.scalar(select(func.count()).select_from(Study).where(Study.program_id == program_id)) or 0
        )


def test_a_study_name_taken_in_the_program_is_refused(
    client: TestClient, a: Company, sessions: sessionmaker[Session]
) -> None:
    # Before: a second "PK study 1" was stored; the readiness evidence names a study by its name.
    before = _studies(sessions, a.program.id)
    for sent in ("PK study 1", "  PK study 1 "):  # trimmed, as program names are
        twice = client.post(
            f"/programs/{a.program.id}/studies", headers=a.auth("owner"), json={"name": sent, "kind": "caa"}
        )
        assert twice.status_code == 409, twice.text
        assert twice.json()["detail"] == f"program {a.program.name!r} already has a study named 'PK study 1'"
    assert _studies(sessions, a.program.id) == before
    # Compared exactly after trimming, as program names are: another spelling is another study.
    other = client.post(
        f"/programs/{a.program.id}/studies",
        headers=a.auth("owner"),
        json={"name": "pk study 1", "kind": "pk"},
    )
    assert other.status_code == 201 and _studies(sessions, a.program.id) == before + 1


def _program(a: Company, name: str, regions: list[str]) -> dict[str, object]:
    return {"org_id": a.org.id, "name": name, "inn": "adalimumab", "reference_product": "Humira",
            "modality": "monoclonal antibody", "target_regions": regions}  # fmt: skip


def test_a_target_region_without_rules_is_refused_naming_it(client: TestClient, a: Company) -> None:
    # Before: "Mars" was stored, and the dashboard said only "target region 'Mars' has no rule file".
    known = "EU, EMA, US, USA, FDA, UK, GB, MHRA, CN, CHINA, NMPA, CA, CANADA, HC, WHO"
    refused = client.post("/programs", headers=a.auth("owner"), json=_program(a, "P-mars", ["EU", "Mars"]))
    assert refused.status_code == 422
    assert refused.json()["detail"] == f"unknown target region 'Mars'; expected one of {known} (in any case)"
    patched = client.patch(
        f"/programs/{a.program.id}", headers=a.auth("owner"), json={"target_regions": ["JP"]}
    )
    assert patched.status_code == 422 and "unknown target region 'JP'" in patched.json()["detail"]
    assert client.get(f"/programs/{a.program.id}", headers=a.auth("owner")).json()["target_regions"] == [
        "EU",
        "US",
    ]
    listed = {p["name"] for p in client.get("/programs", headers=a.auth("owner")).json()}
    assert "P-mars" not in listed
    # The regulators' codes and their jurisdictions' names, in any case, are accepted as before.
    body = _program(a, "P-known", [" eu", "FDA", "nmpa", "Canada", "who", "uk"])
    accepted = client.post("/programs", headers=a.auth("owner"), json=body)
    assert accepted.status_code == 201, accepted.text
    assert accepted.json()["target_regions"] == ["eu", "FDA", "nmpa", "Canada", "who", "uk"]
