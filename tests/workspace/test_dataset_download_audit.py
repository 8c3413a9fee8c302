"""QA audit (qadownload): downloading a dataset's stored file was not in the audit trail.

A partner's viewer downloaded the subject-level PK data of a study (122,889 bytes) and no record said so,
while the exports of the audit trail and of the reports are ``export`` rows (21 CFR 11.10(e), EU GMP
Annex 11 §9: an audit trail of actions on GxP records; a data-protection officer asks who took
subject-level data out). Each download of a dataset's file (``GET /datasets/{id}/content``: the dataset
page's link, signed in with the session cookie, and the API, with a bearer token) is now an ``export`` row
of object ``dataset``: who, when, the dataset's name, version and id, the SHA-256 and size of the bytes
handed out and whether through the web page or the API. The owner reads it on the program's audit page
and in its CSV export; a partner's member sees their own downloads only, as with the other exports; a
download refused (404) writes no row. Runs on SQLite and PostgreSQL (the ``backend`` fixture).
"""

from __future__ import annotations

import hashlib
import io
import uuid
from collections.abc import Callable
from html import unescape
from typing import Any

import pandas as pd
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bioparity.store.models import AuditEvent, Blob, Dataset
from bioparity.workspace import accounts
from bioparity.workspace.integrity import verify_session_integrity
from tests.workspace.conftest import PASSWORD, Company
from tests.workspace.helpers import upload

#: A small subject-level PK table (the kind of file a partner took out).
PK_CSV = "subject,period,treatment,time,conc\n" + "".join(
    f"{s},1,T,{t},{10.0 * (s + 1) / (t + 1):.3f}\n" for s in range(1, 13) for t in range(8)
)


def _browser(sessions: sessionmaker[Session], client: TestClient, c: Company, role: str) -> TestClient:
    """The browser of ``c``'s member of ``role``, signed in (the session cookie the dataset page's link
    sends); the app's lifespan is ``client``'s."""
    with sessions.begin() as s:
        _token, secret = accounts.login(s, c.users[role].username, PASSWORD)
    return TestClient(client.app, cookies={"bioparity_session": secret})


def _share(client: TestClient, a: Company, b: Company, role: str) -> None:
    """``a`` shares its whole program with ``b`` at ``role``; ``b``'s owner accepts."""
    body = {"org_id": b.org.id, "role": role, "reason": "partner review"}
    shared = client.post(f"/programs/{a.program.id}/shares", headers=a.auth("owner"), json=body)
    assert shared.status_code == 201, shared.text
    accepted = client.post(
        f"/orgs/{b.org.id}/share-invitations/{a.program.id}/accept", headers=b.auth("owner")
    )
    assert accepted.status_code == 200, accepted.text


def _downloads(client: TestClient, c: Company, who: Company, role: str) -> list[dict[str, Any]]:
    """The dataset downloads (``export`` rows of a dataset) of ``c``'s program trail as ``who``'s member
    of ``role`` reads them through the API."""
    rows = client.get(f"/programs/{c.program.id}/audit", headers=who.auth(role)).json()
    return [r for r in rows if r["action"] == "export" and r["object_type"] == "dataset"]


def _rows_in_store(sessions: sessionmaker[Session]) -> int:
    with sessions() as s:
        return int(s.scalar(select(func.count()).select_from(AuditEvent)) or 0)


def test_a_partners_dataset_downloads_are_in_the_owners_audit_trail_page_and_csv(
    sessions: sessionmaker[Session], client: TestClient, company_factory: Callable[[str], Company]
) -> None:
    a, b, c = company_factory("Download owner"), company_factory("Download partner"), company_factory("Other")
    _share(client, a, b, "viewer")
    _share(client, a, c, "viewer")
    stored = upload(client, a, content=PK_CSV, name="PK conc", filename="pk.csv", analysis_kind=None)
    assert stored.status_code == 201, stored.text
    dataset_id = stored.json()["id"]
    with sessions() as s:  # the file as stored: its record's SHA-256 and the stored bytes
        dataset = s.get_one(Dataset, dataset_id)
        sha, blob = dataset.sha256, bytes(s.get_one(Blob, dataset.sha256).content)
    assert hashlib.sha256(blob).hexdigest() == sha

    # the partner's viewer downloads the file through the dataset page's link and through the API
    viewer = b.users["viewer"].username
    web = _browser(sessions, client, b, "viewer").get(f"/datasets/{dataset_id}/content")
    api = client.get(f"/datasets/{dataset_id}/content", headers=b.auth("viewer"))
    for answer in (web, api):
        assert answer.status_code == 200 and answer.content == blob
        assert answer.headers["X-Content-SHA256"] == sha

    rows = _downloads(client, a, a, "owner")
    who = (viewer, b.users["viewer"].id, dataset_id)
    assert [(r["actor"], r["actor_id"], r["object_id"]) for r in rows] == [who, who]
    expected = {"name": "PK conc", "version": 1, "sha256": sha, "bytes": len(blob)}
    assert [r["after"] for r in rows] == [expected | {"via": "web"}, expected | {"via": "api"}]
    # a partner's member sees their own downloads (as their own exports), another partner none of them
    assert [r["seq"] for r in _downloads(client, a, b, "viewer")] == [r["seq"] for r in rows]
    assert _downloads(client, a, b, "owner") == []
    assert _downloads(client, a, c, "viewer") == []

    # the owner's audit page and its CSV export say it, worded like the other exports
    owner = _browser(sessions, client, a, "viewer")
    page = unescape(owner.get(f"/ui/programs/{a.program.id}/audit?action=export&object_type=dataset").text)
    for via in ("web page", "API"):
        said = (
            f"name: PK conc; SHA-256: {sha[:12]}; version: 1; bytes: {len(blob)}; downloaded through: {via}"
        )
        assert said in page, said
    exported = owner.get(f"/ui/programs/{a.program.id}/audit.csv?object_type=dataset&action=export")
    assert exported.status_code == 200
    table = pd.read_csv(io.BytesIO(exported.content), dtype=str)
    assert (
        list(zip(table["user"], table["action"], table["object_type"], table["object_id"], strict=True))
        == [(viewer, "export", "dataset", dataset_id)] * 2
    )
    assert list(table["details"]) == [
        f"name: PK conc; sha256: {sha[:12]}; version: 1; bytes: {len(blob)}; via: {via}"
        for via in ("web", "api")
    ]
    with sessions.begin() as s:  # the owner's auditor reads Chinese
        accounts.set_language(s, a.actor("reviewer"), "zh-CN")
    chinese = unescape(
        _browser(sessions, client, a, "reviewer").get(f"/ui/programs/{a.program.id}/audit").text
    )
    assert f"字节数: {len(blob)}; 下载途径: 网页" in chinese and "下载途径: API" in chinese

    # a refused download (no such dataset; a dataset of a program not shared with the reader) writes nothing
    outsider = _browser(sessions, client, c, "viewer")
    private = upload(client, c, content=PK_CSV, name="C only", analysis_kind=None).json()["id"]
    before = _rows_in_store(sessions)
    assert client.get(f"/datasets/{uuid.uuid4()}/content", headers=b.auth("viewer")).status_code == 404
    assert outsider.get(f"/datasets/{uuid.uuid4()}/content").status_code == 404
    assert client.get(f"/datasets/{private}/content", headers=b.auth("viewer")).status_code == 404
    assert outsider.get(f"/datasets/{dataset_id}x/content").status_code == 422  # not an id: refused as such
    assert _rows_in_store(sessions) == before
    assert len(_downloads(client, a, a, "owner")) == 2

    with sessions() as s:  # the rows are in the hash chain like any other
        assert verify_session_integrity(s).problems == ()
