"""Concurrent writers: every write lands, with consecutive audit rows and an intact chain.

PostgreSQL: 20 threads x 50 writes, each its own transaction (a study and its audit row), all at once.
SQLite (one writer at a time by design): 4 threads x 10 writes, to show that writers queue, not fail.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import Engine, func, select

from bioparity.audit import verify_trail
from bioparity.store import make_sessionmaker
from bioparity.store.models import AuditEvent, Study
from bioparity.workspace import programs
from tests.workspace.conftest import make_company


def test_concurrent_writers_lose_nothing_and_keep_the_chain_intact(fresh_engine: Engine) -> None:
    threads, writes = (20, 50) if fresh_engine.dialect.name == "postgresql" else (4, 10)
    sessions = make_sessionmaker(fresh_engine)
    company = make_company(sessions, "C")
    with sessions() as s:
        audit_before = s.scalar(select(func.count()).select_from(AuditEvent)) or 0
    start = threading.Barrier(threads)

    def writer(index: int) -> int:
        actor = company.actor(("owner", "statistician", "analyst")[index % 3])
        start.wait()
        for k in range(writes):
            with sessions.begin() as s:
                programs.create_study(s, actor, company.program.id, name=f"w{index}-{k}", kind="pk")
        return writes

    began = time.perf_counter()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        done = sum(pool.map(writer, range(threads)))
    elapsed = time.perf_counter() - began

    assert done == threads * writes
    with sessions() as s:
        names = set(s.scalars(select(Study.name).where(Study.program_id == company.program.id)))
        seqs = list(s.scalars(select(AuditEvent.seq).order_by(AuditEvent.seq)))
    assert {f"w{i}-{k}" for i in range(threads) for k in range(writes)} <= names
    assert len(seqs) == audit_before + threads * writes
    assert seqs == list(range(1, len(seqs) + 1))
    result = verify_trail(fresh_engine)
    assert result.intact, result.message()
    assert result.rows_checked == len(seqs)
    print(f"{fresh_engine.dialect.name}: {threads}x{writes} writes in {elapsed:.2f} s")


def test_concurrent_uploads_of_the_same_bytes_all_succeed_and_store_them_once(fresh_engine: Engine) -> None:
    from bioparity.store.models import Blob, Dataset
    from bioparity.workspace import datasets
    from tests.workspace.helpers import SAMPLESIZE_CSV

    sessions = make_sessionmaker(fresh_engine)
    company = make_company(sessions, "U")
    threads = 8
    start = threading.Barrier(threads)

    def uploader(index: int) -> str:
        start.wait()
        with sessions.begin() as s:
            return datasets.upload_dataset(
                s, company.actor("analyst"), company.study.id, name=f"copy {index}", filename="grid.csv",
                content=SAMPLESIZE_CSV.encode(), analysis_kind="samplesize",
            ).sha256  # fmt: skip

    with ThreadPoolExecutor(max_workers=threads) as pool:
        digests = set(pool.map(uploader, range(threads)))
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(Blob)) == 1
        assert s.scalar(select(func.count()).select_from(Dataset)) == threads
    assert len(digests) == 1
    assert verify_trail(fresh_engine).intact
