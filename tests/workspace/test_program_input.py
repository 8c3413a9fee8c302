"""What a program and its studies may be named and target, through the API and the workspace functions
the pages call, on SQLite and on PostgreSQL (the web audit of 2026-12-06)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from bioparity.report.evidence import collect, readiness
from bioparity.server import create_app
from bioparity.store.models import Program, Study
from tests.workspace.conftest import PASSWORD, Company


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
        "EMA",  # created as ["EU", "US"]: stored as the codes of the regions' rule sets
        "FDA",
    ]
    listed = {p["name"] for p in client.get("/programs", headers=a.auth("owner")).json()}
    assert "P-mars" not in listed
    # The regulators' codes and their jurisdictions' names, in any case, are accepted as before, and
    # stored as the code of each region's rule set (one region, one spelling).
    body = _program(a, "P-known", [" eu", "FDA", "nmpa", "Canada", "who", "uk"])
    accepted = client.post("/programs", headers=a.auth("owner"), json=body)
    assert accepted.status_code == 201, accepted.text
    assert accepted.json()["target_regions"] == ["EMA", "FDA", "NMPA", "HC", "WHO", "MHRA"]


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


CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')


def _page_client(engine: Engine, a: Company) -> tuple[TestClient, str]:
    """The owner of ``a`` signed in to the pages, and a CSRF token of the programs page."""
    pages = TestClient(create_app(engine=engine, run_migrations=False))
    token = CSRF.search(pages.get("/ui/login").text)
    assert token is not None
    sign_in = {"username": a.users["owner"].username, "password": PASSWORD, "csrf_token": token.group(1)}
    assert pages.post("/ui/login", data=sign_in).url.path == "/ui/programs"
    form = CSRF.search(pages.get("/ui/programs").text)
    assert form is not None
    return pages, form.group(1)


def test_a_region_named_twice_in_any_spelling_is_refused(
    client: TestClient, engine: Engine, a: Company
) -> None:
    # Before: ["EU", "EMA"] and ["eu", "EU"] were stored as two regions (compared by spelling).
    for regions in (["EU", "EMA"], ["eu", " EU"], ["Canada", "hc"]):
        twice = client.post("/programs", headers=a.auth("owner"), json=_program(a, "P-twice", regions))
        assert twice.status_code == 422, twice.text
        shown = [r.strip() for r in regions]
        assert twice.json()["detail"] == f"target_regions lists a region twice: {shown}"
    patched = client.patch(
        f"/programs/{a.program.id}", headers=a.auth("owner"), json={"target_regions": ["US", "usa"]}
    )
    assert patched.status_code == 422 and "lists a region twice" in patched.json()["detail"]
    assert client.get(f"/programs/{a.program.id}", headers=a.auth("owner")).json()["target_regions"] == [
        "EMA",
        "FDA",
    ]
    patched = client.patch(
        f"/programs/{a.program.id}", headers=a.auth("owner"), json={"target_regions": ["gb", "eu", "us"]}
    )
    assert patched.status_code == 200 and patched.json()["target_regions"] == ["MHRA", "EMA", "FDA"]
    # The page's form: the same refusal on the error page; accepted spellings stored as one code each.
    pages, token = _page_client(engine, a)
    form = {"org_id": a.org.id, "name": "P-form", "inn": "x", "reference_product": "y", "modality": "mAb"}
    answer = pages.post("/ui/programs", data={**form, "target_regions": "EU, eu", "csrf_token": token})
    assert answer.status_code == 422 and answer.headers["content-type"].startswith("text/html")
    assert "target_regions lists a region twice: [&#39;EU&#39;, &#39;eu&#39;]" in answer.text
    created = pages.post(
        "/ui/programs",
        data={**form, "target_regions": "eu; usa", "csrf_token": token},
        follow_redirects=False,
    )
    assert created.status_code == 303, created.text
    program_id = created.headers["location"].rsplit("/", 1)[1]
    stored = client.get(f"/programs/{program_id}", headers=a.auth("owner")).json()
    assert stored["name"] == "P-form" and stored["target_regions"] == ["EMA", "FDA"]
    assert "<dd>EMA, FDA</dd>" in pages.get(f"/ui/programs/{program_id}").text


def _stored_regions(
    sessions: sessionmaker[Session], program_id: str, regions: list[str], modality: str
) -> None:
    """Target regions written behind the workspace's checks (as programs stored before them hold)."""
    with sessions.begin() as s:
        s.execute(
            update(Program).where(Program.id == program_id).values(target_regions=regions, modality=modality)
        )


def test_a_stored_program_with_an_unknown_region_is_flagged_naming_it(
    client: TestClient, engine: Engine, sessions: sessionmaker[Session], a: Company
) -> None:
    created = client.post("/programs", headers=a.auth("owner"), json=_program(a, "P-stored", ["EU"]))
    assert created.status_code == 201, created.text
    program_id = created.json()["id"]
    pages, _token = _page_client(engine, a)
    flagged = "target region &#39;Mars&#39; has no rule file; not assessed"

    def readiness_of() -> tuple[list[str] | None, list[str]]:
        with sessions() as s:
            program = s.get(Program, program_id)
            assert program is not None
            assessment, notes = readiness(collect(s, program))
        return (None if assessment is None else list(assessment.statuses)), notes

    # Beside a known region: that one is assessed, the unknown one named.
    _stored_regions(sessions, program_id, ["EU", "Mars", "eu"], "monoclonal antibody")
    regions, notes = readiness_of()
    assert regions == ["EMA"] and notes[0] == "target region 'Mars' has no rule file; not assessed"
    page = pages.get(f"/ui/programs/{program_id}").text
    assert flagged in page and 'aria-labelledby="readiness"' in page
    # Alone: nothing is assessed (before: every region was, as if the program targeted them all).
    _stored_regions(sessions, program_id, ["Mars"], "monoclonal antibody")
    regions, notes = readiness_of()
    assert regions is None and notes == ["target region 'Mars' has no rule file; not assessed"]
    page = pages.get(f"/ui/programs/{program_id}").text
    assert flagged in page and 'aria-labelledby="readiness"' not in page  # no region table
    # With a modality the rules do not know either: both named (before: only the modality).
    _stored_regions(sessions, program_id, ["EU", "Mars"], "vaccine")
    regions, notes = readiness_of()
    assert regions is None and notes == [
        "modality 'vaccine' is not one the pathway rules know",
        "target region 'Mars' has no rule file; not assessed",
    ]
    assert flagged in pages.get(f"/ui/programs/{program_id}").text
