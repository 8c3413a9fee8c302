"""What a program and its studies may be named and target, through the API and the workspace functions
the pages call, on SQLite and on PostgreSQL (the web audit of 2026-12-06)."""

from __future__ import annotations

import json
import re
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


#: The target regions that have a rule set (the regulators' codes and their jurisdictions' names).
KNOWN_REGIONS = ("EU", "EMA", "US", "USA", "FDA", "UK", "GB", "MHRA", "CN", "CHINA", "NMPA", "CA", "CANADA",
                 "HC", "WHO")  # fmt: skip


def test_a_target_region_without_rules_is_refused_naming_it(client: TestClient, a: Company) -> None:
    # Before: "Mars" was stored, and the dashboard said only "target region 'Mars' has no rule file".
    known = ", ".join(KNOWN_REGIONS)
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


def test_the_openapi_schema_lists_the_target_regions(client: TestClient, a: Company) -> None:
    """The schema said only 'array of strings': a client learnt the accepted regions from a 422. Not an
    enum (names are accepted in any case): a description naming every region, and examples that work."""
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    for model in ("ProgramIn", "ProgramPatch"):
        field = schemas[model]["properties"]["target_regions"]
        assert set(re.findall(r"[A-Z]+", field["description"])) >= set(KNOWN_REGIONS), model
        assert "in any case" in field["description"] and "enum" not in json.dumps(field)
        assert field["examples"] and all(
            {r.upper() for r in example} <= set(KNOWN_REGIONS) for example in field["examples"]
        )
    for i, example in enumerate(schemas["ProgramIn"]["properties"]["target_regions"]["examples"]):
        created = client.post("/programs", headers=a.auth("owner"), json=_program(a, f"P-ex{i}", example))
        assert created.status_code == 201, created.text
        for patch in schemas["ProgramPatch"]["properties"]["target_regions"]["examples"]:
            patched = client.patch(
                f"/programs/{created.json()['id']}", headers=a.auth("owner"), json={"target_regions": patch}
            )
            assert patched.status_code == 200 and patched.json()["target_regions"] == patch, patched.text
