"""The API's ``GET /programs/{id}/audit?run=<id>``: one analysis run's own trail, as on the audit page's
``?run=`` (the run, its signatures, its refused and failed signing attempts; 21 CFR 11.10(e), EU GMP Annex 11
§12.4), by the same selection (``programs.about_run``) and the same withholding rule for partners
(``programs.withheld_audit_rows``); 404 for a run that is not one of the program's. Before, the API ignored
``run`` and answered every row of the program. On SQLite and PostgreSQL (the ``backend`` fixture)."""

from __future__ import annotations

import io
from collections.abc import Callable

import pandas as pd
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.workspace.conftest import Company
from tests.workspace.helpers import sign, stored_run_trail, uploaded_run
from tests.workspace.test_part11d_records import _browser
from tests.workspace.test_share_scope import _share


def test_the_api_gives_one_runs_trail_as_the_audit_page_does(
    sessions: sessionmaker[Session], client: TestClient, company_factory: Callable[[str], Company]
) -> None:
    a, b, other = company_factory("Run trail"), company_factory("Run partner"), company_factory("Run other")
    _share(client, a, b, "reviewer", None)
    _dataset, run_id = uploaded_run(client, a)
    _dataset, next_run = uploaded_run(client, a)  # another run of the program: none of its rows
    assert sign(client, a, run_id, "analyst", "authored").status_code == 201
    assert sign(client, a, next_run, "analyst", "authored").status_code == 201
    for company in (a, b):  # a wrong password each: the owner's reviewer and the partner's
        assert sign(client, company, run_id, "reviewer", "reviewed", password="not it").status_code == 403
    with sessions() as s:
        expected = stored_run_trail(s, a.program.id, run_id)
    actions = [action for _seq, _actor, action in expected]
    assert actions == ["run", "sign", "sign_failed", "sign_failed"]
    trail = f"/programs/{a.program.id}/audit"

    def api(company: Company, role: str, **query: object) -> tuple[list[int], str]:
        answer = client.get(trail, headers=company.auth(role), params={"run": run_id, **query})
        assert answer.status_code == 200, answer.text
        return [r["seq"] for r in answer.json()], answer.headers["X-Audit-Withheld"]

    def page(company: Company, role: str) -> list[int]:
        exported = _browser(sessions, client, company, role).get(f"/ui{trail}.csv", params={"run": run_id})
        return list(pd.read_csv(io.BytesIO(exported.content))["seq"])

    # the owner's members: every row about the run, the same as the audit page's ?run= (its CSV export)
    owner_rows, owner_withheld = api(a, "viewer")
    assert owner_rows == [seq for seq, _actor, _action in expected] and owner_withheld == "0"
    assert page(a, "viewer") == owner_rows
    # a partner's member: without the owner's reviewer's failed attempt (security event), its own stays
    partner_rows, partner_withheld = api(b, "reviewer")
    own = b.users["reviewer"].username
    assert partner_rows == [s for s, who, act in expected if act != "sign_failed" or who == own]
    assert page(b, "reviewer") == partner_rows
    assert int(partner_withheld) >= 1  # the program's number withheld, as without the filter
    # paging runs over the run's rows: one at a time, after the run row
    assert api(a, "viewer", limit=1)[0] == owner_rows[:1]
    assert api(a, "viewer", after_seq=owner_rows[0], limit=2)[0] == owner_rows[1:3]
    # a run of another program, or no run at all: 404, not an empty trail
    _dataset, foreign = uploaded_run(client, other)
    for run in (foreign, "00000000-0000-4000-8000-000000000000"):
        answer = client.get(trail, headers=a.auth("viewer"), params={"run": run})
        assert answer.status_code == 404, answer.text
    assert client.get(trail, headers=a.auth("viewer"), params={"run": "x"}).status_code == 422
