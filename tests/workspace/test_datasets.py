"""Datasets: content-addressed immutable versions; a malformed upload is refused and changes nothing."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bioparity.store.models import AuditEvent, Blob, Dataset
from bioparity.workspace import datasets, events
from tests.workspace.conftest import Company
from tests.workspace.helpers import SAMPLESIZE_CSV, upload


@pytest.fixture(scope="module")
def a(company_factory: Callable[[str], Company]) -> Company:
    return company_factory("A")


def _counts(sessions: sessionmaker[Session]) -> dict[str, Any]:
    with sessions() as s:
        return {
            "blobs": s.scalar(select(func.count()).select_from(Blob)),
            "datasets": s.scalar(select(func.count()).select_from(Dataset)),
            "audit": s.scalar(select(func.count()).select_from(AuditEvent)),
            "last_hash": s.scalar(select(AuditEvent.row_hash).order_by(AuditEvent.seq.desc()).limit(1)),
        }


MALFORMED = [
    ("text in a number column", SAMPLESIZE_CSV.replace("0.35", "0.3five"), "row 2 (line 3), column 'cv'"),
    ("missing column", "design,cv,theta0\n2x2,0.3,0.95\n", "missing column(s) 'target_power'"),
    (
        "empty required cell",
        SAMPLESIZE_CSV.replace("0.95,,,,0.8", ",,,,0.8"),
        "row 1 (line 2), column 'theta0'",
    ),
    ("unknown design", SAMPLESIZE_CSV.replace("parallel", "3x7"), "row 2 (line 3), column 'design'"),
    ("out-of-range value", SAMPLESIZE_CSV.replace(",0.9\n", ",1.4\n"), "column 'target_power'"),
    ("header only", "design,cv,theta0,theta1,theta2,alpha,target_power\n", "no data rows"),
]


@pytest.mark.parametrize(("problem", "content", "where"), MALFORMED, ids=[m[0] for m in MALFORMED])
def test_a_malformed_upload_is_refused_with_its_row_and_column_and_changes_nothing(
    client: TestClient, a: Company, sessions: sessionmaker[Session], problem: str, content: str, where: str
) -> None:
    before = _counts(sessions)
    response = upload(client, a, content=content, name=f"bad-{problem}")
    assert response.status_code == 422
    assert response.json()["detail"].startswith("grid.csv")
    assert where in response.json()["detail"]
    assert _counts(sessions) == before


def test_an_unparseable_plain_csv_is_refused(
    client: TestClient, a: Company, sessions: sessionmaker[Session]
) -> None:
    before = _counts(sessions)
    response = upload(client, a, content='a,b\n1,"unterminated\n', analysis_kind=None)
    detail = response.json()["detail"]
    assert response.status_code == 422 and "row 1 (line 2), column 'b': a quote opens a value" in detail
    raw = base64.b64encode(b"\xff\xfe\x00binary").decode()
    response = upload(client, a, content=None, content_base64=raw, analysis_kind=None)
    assert response.status_code == 422
    assert _counts(sessions) == before


def test_a_failure_while_storing_rolls_everything_back(
    a: Company, sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The blob and the dataset row are written before the audit row; if that fails, neither remains."""
    before = _counts(sessions)

    def broken_audit(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(events, "append_event", broken_audit)
    content = SAMPLESIZE_CSV.replace("0.3,", "0.31,").encode()
    with pytest.raises(RuntimeError, match="disk full"), sessions.begin() as s:
        datasets.upload_dataset(
            s, a.actor("analyst"), a.study.id, name="rollback", filename="g.csv", content=content,
            analysis_kind="samplesize",
        )  # fmt: skip
    assert _counts(sessions) == before


def test_uploads_are_versioned_immutable_and_stored_once_by_sha256(
    client: TestClient, a: Company, sessions: sessionmaker[Session]
) -> None:
    name = "versioned"
    first = upload(client, a, name=name).json()
    blobs = _counts(sessions)["blobs"]
    second = upload(client, a, name=name).json()
    changed = upload(client, a, name=name, content=SAMPLESIZE_CSV.replace("0.8\n", "0.85\n")).json()
    assert [first["version"], second["version"], changed["version"]] == [1, 2, 3]
    assert first["sha256"] == second["sha256"] == hashlib.sha256(SAMPLESIZE_CSV.encode()).hexdigest()
    assert changed["sha256"] != first["sha256"]
    assert _counts(sessions)["blobs"] == blobs + 1  # the identical second upload stored no new bytes
    content = client.get(f"/datasets/{first['id']}/content", headers=a.auth("viewer"))
    assert content.content == SAMPLESIZE_CSV.encode()
    assert content.headers["x-content-sha256"] == first["sha256"]
    assert content.headers["content-type"].startswith("text/csv")
    listed = client.get(f"/studies/{a.study.id}/datasets", headers=a.auth("viewer")).json()
    assert [d["version"] for d in listed if d["name"] == name] == [1, 2, 3]
    assert first["n_rows"] == 2 and first["validated_for"] == "samplesize"


def test_binary_uploads_round_trip_through_base64(client: TestClient, a: Company) -> None:
    data = b"design,cv,theta0,n\r\n2x2,0.25,0.95,24\r\n"
    encoded = base64.b64encode(data).decode()
    created = upload(
        client, a, content=None, content_base64=encoded, analysis_kind="power", name="b64",
        media_type="application/octet-stream",
    )  # fmt: skip
    assert created.status_code == 201, created.text
    assert client.get(f"/datasets/{created.json()['id']}/content", headers=a.auth("viewer")).content == data
    both = upload(client, a, name="both", content="x", content_base64="eA==")
    assert both.status_code == 422 and "exactly one" in both.json()["detail"]


def test_a_corrupted_blob_is_reported_not_served(
    client: TestClient, a: Company, sessions: sessionmaker[Session]
) -> None:
    created = upload(client, a, name="corrupt", content=SAMPLESIZE_CSV.replace("0.3,", "0.33,")).json()
    with sessions.begin() as s:
        blob = s.get(Blob, created["sha256"])
        assert blob is not None
        blob.content = blob.content.replace(b"0.33", b"0.99")
    response = client.get(f"/datasets/{created['id']}/content", headers=a.auth("viewer"))
    assert response.status_code == 422 and "does not match its SHA-256" in response.json()["detail"]
