"""Many uploads of one dataset name at the same moment each get their own version, without retries.

The version number is ``max(version) + 1`` of the name in its study; two writers that read it at once
would both write the same number and the loser would fail on the unique key. Writers of a study queue on
its row (PostgreSQL ``SELECT ... FOR UPDATE``; SQLite's ``BEGIN IMMEDIATE`` queues every writer), so a
single attempt each must be enough: the server's retry loop is a safety net, not the mechanism (under
load it ran out of attempts with 24 uploads at once).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bioparity.store.models import Dataset
from bioparity.workspace.datasets import check_upload, parse_upload, store_upload
from tests.workspace.conftest import Company

N = 12


def test_simultaneous_uploads_of_one_name_get_versions_1_to_n_in_one_attempt_each(
    sessions: sessionmaker[Session], company_factory: Callable[[str], Company]
) -> None:
    company = company_factory("versions")
    actor = company.actor("analyst")
    with sessions() as s:
        pending = [
            parse_upload(
                check_upload(
                    s,
                    actor,
                    company.study.id,
                    name="same-name",
                    filename=f"v{i}.csv",
                    content=f"id,value\n{i},{i * 0.25}\n".encode(),
                )
            )
            for i in range(N)
        ]
    start = threading.Barrier(N)

    def store(i: int) -> int:
        with sessions.begin() as s:
            start.wait(timeout=60)  # every writer reads the latest version at the same moment
            return store_upload(s, actor, pending[i]).version

    with ThreadPoolExecutor(max_workers=N) as pool:
        versions = sorted(pool.map(store, range(N)))
    assert versions == list(range(1, N + 1))
    with sessions() as s:
        stored = s.scalars(
            select(Dataset.version).where(Dataset.study_id == company.study.id, Dataset.name == "same-name")
        ).all()
    assert sorted(stored) == list(range(1, N + 1))
