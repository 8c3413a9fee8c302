"""Issue #16 items 11 and 12: the pages' forms apply the API's validation (blank, over-long and NUL names
are refused, not stored, on SQLite and PostgreSQL alike), and concurrent new versions of one dataset name
all succeed (the server retries a lost race instead of answering 409)."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing

import pytest
from sqlalchemy import func, select

from bioparity.store import make_sessionmaker
from bioparity.store.models import Dataset, Program, Study
from tests.security.conftest import LiveServer, form_token, sign_in

BAD_NAMES = {"blank": "   ", "too long": "x" * 5000, "NUL": "a\x00b", "control": "a\x1bb"}


def _count(live: LiveServer, model: type[Program] | type[Study]) -> int:
    with make_sessionmaker(live.engine)() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


@pytest.mark.parametrize("case", sorted(BAD_NAMES))
def test_program_and_study_forms_refuse_what_the_api_refuses(live: LiveServer, case: str) -> None:
    bad = BAD_NAMES[case]
    program = {
        "org_id": live.company.org.id,
        "name": bad,
        "inn": "adalimumab",
        "reference_product": "Humira",
        "modality": "monoclonal antibody",
    }
    programs_before, studies_before = _count(live, Program), _count(live, Study)
    with closing(sign_in(live, "owner")) as client:
        token = form_token(client, "/ui/programs")
        page = client.post("/ui/programs", data={**program, "target_regions": "EU", "csrf_token": token})
        assert page.status_code == 422, page.text[:300]
        assert "program name" in page.text
        api = client.post(
            "/programs", json={**program, "target_regions": ["EU"]}, headers={"Origin": live.url}
        )
        assert api.status_code == 422
        study = client.post(
            f"/ui/programs/{live.company.program.id}/studies",
            data={"name": bad, "kind": "pk", "csrf_token": token},
        )
        assert study.status_code == 422 and "study name" in study.text
        description = client.post(
            f"/ui/programs/{live.company.program.id}/studies",
            data={"name": "fine", "kind": "pk", "description": "d\x00", "csrf_token": token},
        )
        assert description.status_code == 422 and "description" in description.text
    assert (_count(live, Program), _count(live, Study)) == (programs_before, studies_before)


def test_concurrent_new_versions_of_one_dataset_all_succeed(live: LiveServer) -> None:
    name = f"versions-{uuid.uuid4().hex[:8]}"
    n = 24
    url = f"/studies/{live.company.study.id}/datasets"

    def upload(i: int) -> int:
        with live.client() as client:
            content = f"id,value\n{i},{i * 0.25}\n"
            answer = client.post(
                url,
                headers=live.company.auth("analyst"),
                json={"name": name, "filename": f"v{i}.csv", "content": content},
            )
            assert answer.status_code == 201, answer.text
            return int(answer.json()["version"])

    with ThreadPoolExecutor(max_workers=n) as pool:
        versions = sorted(pool.map(upload, range(n)))
    assert versions == list(range(1, n + 1))
    with make_sessionmaker(live.engine)() as session:
        stored = session.scalars(select(Dataset.version).where(Dataset.name == name)).all()
    assert sorted(stored) == list(range(1, n + 1))
