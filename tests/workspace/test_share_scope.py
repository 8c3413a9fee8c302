"""A share's scope (QA audit F11): a program shared with a partner for some study kinds only. The partner's
members read the whole program, as before, but create studies, upload, run and sign only in studies of
those kinds; elsewhere they are refused (403) in words. A share without a scope (every share stored before
scopes existed) covers the whole program. On SQLite and PostgreSQL.

Before this change a share had no scope: the partner analyst's uploads into the clinical PK study below
were accepted (201), and ``scope`` was an unknown field of the share body (422)."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session, sessionmaker

from bioparity.errors import InputError
from bioparity.store import current_revision, make_sessionmaker, upgrade_schema
from bioparity.store.models import AuditEvent, ProgramShare
from bioparity.workspace import PermissionDeniedError, programs
from bioparity.workspace.integrity import upgrade
from tests.workspace.conftest import Company, make_company
from tests.workspace.helpers import SAMPLESIZE_CSV, sign, uploaded_run
from tests.workspace.test_study_names import _downgrade

BODY = {"name": "b-data", "filename": "b.csv", "content": SAMPLESIZE_CSV, "analysis_kind": "samplesize"}


def _share(
    client: TestClient, a: Company, b: Company, role: str, scope: list[str] | None
) -> dict[str, object]:
    """``a`` shares its program with ``b`` at ``role`` and ``scope`` (left out when None); ``b`` accepts
    when the share awaits it. The share as the API shows it."""
    body: dict[str, object] = {"org_id": b.org.id, "role": role, "reason": "test"}
    if scope is not None:
        body["scope"] = scope
    response = client.post(f"/programs/{a.program.id}/shares", headers=a.auth("owner"), json=body)
    assert response.status_code == 201, response.text
    if response.json()["status"] == "pending" or response.json()["pending_role"]:
        accept = f"/orgs/{b.org.id}/share-invitations/{a.program.id}/accept"
        response = client.post(accept, headers=b.auth("owner"))
        assert response.status_code == 200
    shown: dict[str, object] = response.json()
    return shown


def _caa_study(client: TestClient, a: Company) -> str:
    response = client.post(
        f"/programs/{a.program.id}/studies", headers=a.auth("owner"), json={"name": "CAA-1", "kind": "caa"}
    )
    assert response.status_code == 201
    return str(response.json()["id"])


def test_a_scoped_partner_reads_everything_but_writes_only_in_its_study_kinds(
    client: TestClient, company_factory: Callable[[str], Company]
) -> None:
    a, b = company_factory("Dev"), company_factory("Cmc")
    dataset_id, run_id = uploaded_run(client, a)  # in a's PK study "PK study 1"
    caa = _caa_study(client, a)
    shown = _share(client, a, b, "analyst", ["caa"])
    assert shown["scope"] == ["caa"] and shown["status"] == "accepted"
    offers = client.get(f"/programs/{a.program.id}/shares", headers=a.auth("owner")).json()
    assert [s["scope"] for s in offers] == [["caa"]]

    analyst = b.auth("analyst")
    # reading: the whole program, as before
    assert client.get(f"/studies/{a.study.id}/datasets", headers=analyst).status_code == 200
    assert client.get(f"/datasets/{dataset_id}/content", headers=analyst).text == SAMPLESIZE_CSV
    assert client.get(f"/runs/{run_id}/signatures", headers=analyst).status_code == 200
    # writing: in the comparative analytical assessment study only
    assert client.post(f"/studies/{caa}/datasets", headers=analyst, json=BODY).status_code == 201
    refused = client.post(f"/studies/{a.study.id}/datasets", headers=analyst, json=BODY)
    assert refused.status_code == 403
    assert refused.json()["detail"] == (
        f"the share of {a.program.name!r} with {b.org.name} covers comparative analytical assessment "
        "studies only; 'PK study 1' is a PK similarity study; ask an owner of the program's organisation "
        "to widen the share"
    )
    studies = f"/programs/{a.program.id}/studies"
    assert client.post(studies, headers=analyst, json={"name": "CAA-2", "kind": "caa"}).status_code == 201
    created = client.post(studies, headers=analyst, json={"name": "Clin-1", "kind": "clinical"})
    assert created.status_code == 403
    assert "'Clin-1' is a clinical study" in created.json()["detail"]
    rerun = client.post(
        f"/datasets/{dataset_id}/runs", headers=analyst, json={"kind": "samplesize", "options": {}}
    )
    assert rerun.status_code == 403 and "covers comparative analytical assessment" in rerun.json()["detail"]
    # a role refusal stays a role refusal: the viewer is refused for its role, not the scope
    viewer = client.post(f"/studies/{caa}/datasets", headers=b.auth("viewer"), json=BODY)
    assert viewer.status_code == 403 and viewer.json()["detail"].startswith("your role (viewer")
    # a's own members are not limited by a share
    assert (
        client.post(f"/studies/{a.study.id}/datasets", headers=a.auth("analyst"), json=BODY).status_code
        == 201
    )

    # the whole program again (scope left out): the PK study is open to the partner analyst
    assert _share(client, a, b, "analyst", None)["scope"] is None
    assert client.post(f"/studies/{a.study.id}/datasets", headers=analyst, json=BODY).status_code == 201


def test_a_scoped_reviewer_cannot_sign_outside_its_scope(
    client: TestClient, company_factory: Callable[[str], Company]
) -> None:
    a, b = company_factory("Sig"), company_factory("Rev")
    _dataset_id, run_id = uploaded_run(client, a)
    assert sign(client, a, run_id, "analyst", "authored").status_code == 201
    _share(client, a, b, "reviewer", ["caa", "clinical"])
    refused = sign(client, b, run_id, "reviewer", "reviewed")
    assert refused.status_code == 403
    assert "covers comparative analytical assessment or clinical studies only" in refused.json()["detail"]
    _share(client, a, b, "reviewer", ["pk"])
    assert sign(client, b, run_id, "reviewer", "reviewed").status_code == 201


def test_a_scope_names_known_study_kinds(
    client: TestClient, company_factory: Callable[[str], Company]
) -> None:
    a, b = company_factory("Bad"), company_factory("Scope")
    shares = f"/programs/{a.program.id}/shares"
    for scope in ([], ["assay"]):
        body = {"org_id": b.org.id, "role": "viewer", "scope": scope, "reason": "test"}
        assert client.post(shares, headers=a.auth("owner"), json=body).status_code == 422
    with pytest.raises(InputError, match="one or more study kinds"):
        programs._share_scope([])
    assert programs._share_scope(["clinical", "caa", "caa"]) == "caa,clinical"  # each once, in kind order


def test_the_audit_records_the_scope_old_and_new(
    client: TestClient, sessions: sessionmaker[Session], company_factory: Callable[[str], Company]
) -> None:
    a, b = company_factory("Aud"), company_factory("It")
    _share(client, a, b, "viewer", None)
    _share(client, a, b, "viewer", ["caa"])
    with sessions() as s:
        share = s.scalars(select(ProgramShare).where(ProgramShare.program_id == a.program.id)).one()
        rows = s.scalars(
            select(AuditEvent)
            .where(AuditEvent.object_id == share.id, AuditEvent.action == "update")
            .order_by(AuditEvent.seq)
        ).all()
    (update,) = rows
    assert json.loads(update.before_json or "{}")["scope"] is None
    assert json.loads(update.after_json or "{}")["scope"] == "caa"


def test_migration_0010_keeps_every_share_program_wide_and_goes_down_and_up(empty_engine: Engine) -> None:
    upgrade(empty_engine)
    sessions = make_sessionmaker(empty_engine)
    a, b = make_company(sessions, "MigA"), make_company(sessions, "MigB")
    with sessions.begin() as s:
        s.add(ProgramShare(program_id=a.program.id, org_id=b.org.id, role="analyst", status="accepted"))
    with sessions.begin() as s:
        programs.share_program(s, a.actor("owner"), a.program.id, b.org.id, "analyst", ["caa"], reason="test")
    _downgrade(empty_engine, "0009_audit_reason")  # a share as stored before scopes existed
    assert current_revision(empty_engine) == "0009_audit_reason"
    with empty_engine.connect() as conn:
        assert conn.execute(text("SELECT role, status FROM program_shares")).all() == [
            ("analyst", "accepted")
        ]
    upgrade_schema(empty_engine)
    with empty_engine.connect() as conn:
        kept = conn.execute(text("SELECT role, status, scope FROM program_shares")).all()
    assert kept == [("analyst", "accepted", None)]  # the whole program, as before
    with sessions.begin() as s:
        programs.share_program(s, a.actor("owner"), a.program.id, b.org.id, "analyst", ["caa"], reason="test")
    refused = pytest.raises(
        PermissionDeniedError, match="covers comparative analytical assessment studies only"
    )
    with refused, sessions.begin() as s:
        programs.create_study(s, b.actor("analyst"), a.program.id, name="PK-2", kind="pk")
