"""Large uploads are parsed in a lower-priority worker process (bioparity.workspace.upload_worker).

What the worker returns must be what the server process would have computed (row count and the column
mapping with the units found), and a bad file must raise the same ``DataFileError`` naming file, row
and column, whichever process read it.
"""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace

import pytest

from bioparity.errors import DataFileError
from bioparity.workspace import upload_worker
from bioparity.workspace.datasets import PendingUpload, parse_upload
from bioparity.workspace.executors import WORKER_NICENESS
from bioparity.workspace.upload_worker import PARSE_APART_BYTES, parse_upload_apart


def _pending(content: bytes, kind: str | None = "nca") -> PendingUpload:
    return PendingUpload(
        study_id="s",
        name="profiles",
        filename="profiles.csv",
        content=content,
        sha256="0" * 64,
        media_type="text/csv",
        analysis_kind=kind,
        derived_from_run=None,
        column_map=None,
    )


def _profiles(subjects: int) -> str:
    times = (0, 0.5, 1, 2, 4, 8, 12, 24)
    concs = (0, 4.1, 7.9, 9.6, 7.2, 3.9, 2.0, 0.5)
    rows = [
        f"{s},{t},{c * (1 + s % 7 / 10):.4g}"
        for s in range(subjects)
        for t, c in zip(times, concs, strict=True)
    ]
    return "subject,time,conc\n" + "\n".join(rows) + "\n"


@pytest.fixture(scope="module")
def large() -> str:
    text = _profiles(12_000)
    assert len(text) >= PARSE_APART_BYTES  # so the worker process is used
    return text


def _worker_pids() -> list[int]:
    pool = upload_worker._PARSER._pools.peek()  # the parser's pool, to look at its process from outside
    assert isinstance(pool, ProcessPoolExecutor)
    return list((getattr(pool, "_processes", None) or {}).keys())


def test_a_large_upload_is_parsed_in_a_lower_priority_process_with_the_same_result(large: str) -> None:
    pending = _pending(large.encode())
    apart = parse_upload_apart(pending)
    assert apart == parse_upload(pending)
    assert apart.n_rows == 96_000
    pids = _worker_pids()
    assert pids and os.getpid() not in pids
    if hasattr(os, "getpriority"):
        server = os.getpriority(os.PRIO_PROCESS, 0)
        assert os.getpriority(os.PRIO_PROCESS, pids[0]) >= server + WORKER_NICENESS


def test_a_bad_cell_in_a_large_upload_names_file_row_and_column(large: str) -> None:
    bad = large.replace("\n17,2,", "\n17,two,", 1).encode()
    pending = _pending(bad)
    with pytest.raises(DataFileError) as in_server:
        parse_upload(pending)
    with pytest.raises(DataFileError) as in_worker:
        parse_upload_apart(pending)
    assert str(in_worker.value) == str(in_server.value)
    assert (in_worker.value.file, in_worker.value.row, in_worker.value.column) == (
        in_server.value.file,
        in_server.value.row,
        in_server.value.column,
    )
    assert in_worker.value.file == "profiles.csv" and in_worker.value.column == "time"


def test_small_uploads_and_in_process_jobs_stay_in_the_server(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_worker(*_args: object) -> None:
        raise AssertionError("the worker process was asked")

    monkeypatch.setattr(upload_worker._PARSER, "parse", no_worker)
    small = _pending(_profiles(10).encode())
    assert parse_upload_apart(small).n_rows == 80
    monkeypatch.setenv("BIOPARITY_JOB_WORKERS", "0")
    large = replace(small, content=_profiles(12_000).encode())
    assert parse_upload_apart(large).n_rows == 96_000
