"""Issue #16 item 1: decompression bombs and runaway files are refused before parsing, naming the limit.

The XLSX of the finding (a few KB declaring A1:XFD1048576) is refused with under 1 s of CPU time and less than
100 MB of memory growth, in process and through a real ``bioparity serve`` process (upload over HTTP).
"""

from __future__ import annotations

import base64
import contextlib
import os
import resource
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import numpy as np
import pandas as pd
import pytest

from bioparity.errors import DataFileError
from bioparity.io.limits import TableLimits, check_input_limits
from bioparity.io.readers import read_any_table
from bioparity.io.table import read_table
from tests.live_server import Served, serve
from tests.security.bombs import xlsx_bomb, zip_bomb_xlsx

PASSWORD = "correct horse battery staple 42"
MB = 1024 * 1024


def _peak_rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


@pytest.mark.parametrize("declared", [True, False], ids=["dimension-declared", "cell-only"])
def test_xlsx_bomb_refused_fast_and_small(tmp_path: Path, declared: bool) -> None:
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(xlsx_bomb(declare_dimension=declared))
    assert path.stat().st_size < 5000
    before = _peak_rss()
    start = time.process_time()  # CPU time: a busy machine stretches the wall clock, not the work
    with pytest.raises(DataFileError) as caught:
        read_any_table(path)
    assert time.process_time() - start < 1.0
    assert _peak_rss() - before < 100 * MB
    message = str(caught.value)
    assert "16,384 columns" in message and "limit of 1,000" in message
    assert "BIOPARITY_MAX_COLUMNS" in message and str(path) in message


def test_xlsx_inflating_beyond_the_uncompressed_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BIOPARITY_MAX_UNCOMPRESSED_BYTES", str(8 * MB))
    path = tmp_path / "inflate.xlsx"
    path.write_bytes(zip_bomb_xlsx(32 * MB))
    assert path.stat().st_size < MB  # 32 MB of spaces compress to ~32 KB
    with pytest.raises(DataFileError, match="uncompressed bytes, more than the limit of 8,388,608"):
        read_any_table(path)


def test_ordinary_xlsx_still_reads(tmp_path: Path) -> None:
    path = tmp_path / "ok.xlsx"
    frame = pd.DataFrame({"subject": ["1", "1"], "time": [0.0, 1.5], "conc": [0.0, 2.25]})
    frame.to_excel(path, index=False)
    table = read_any_table(path)
    assert table.frame["conc"].tolist() == [0.0, 2.25]


def test_xlsx_rows_beyond_the_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BIOPARITY_MAX_ROWS", "50")
    path = tmp_path / "rows.xlsx"
    pd.DataFrame({"a": np.arange(60.0)}).to_excel(path, index=False)
    with pytest.raises(DataFileError, match=r"61 rows, more than the limit of 50 \(BIOPARITY_MAX_ROWS\)"):
        read_any_table(path)


def test_parquet_limits_from_the_footer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    wide = tmp_path / "wide.parquet"
    pd.DataFrame({f"c{i}": [1.0] for i in range(1001)}).to_parquet(wide)
    with pytest.raises(DataFileError, match="1,001 columns, more than the limit of 1,000"):
        read_any_table(wide)
    long = tmp_path / "long.parquet"
    pd.DataFrame({"a": np.arange(200.0)}).to_parquet(long)
    monkeypatch.setenv("BIOPARITY_MAX_ROWS", "100")
    with pytest.raises(DataFileError, match="200 rows, more than the limit of 100"):
        read_any_table(long)
    monkeypatch.setenv("BIOPARITY_MAX_ROWS", "1000")
    monkeypatch.setenv("BIOPARITY_MAX_UNCOMPRESSED_BYTES", "100")
    with pytest.raises(DataFileError, match=r"the row groups hold .* uncompressed bytes"):
        read_any_table(long)


def test_xpt_limits_from_the_header(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import pyreadstat

    path = tmp_path / "pc.xpt"
    frame = pd.DataFrame({"A": np.arange(40.0), "B": np.arange(40.0), "C": np.arange(40.0)})
    pyreadstat.write_xport(frame, str(path), file_format_version=5)
    monkeypatch.setenv("BIOPARITY_MAX_COLUMNS", "2")
    with pytest.raises(DataFileError, match="3 columns, more than the limit of 2"):
        read_any_table(path)
    monkeypatch.setenv("BIOPARITY_MAX_COLUMNS", "10")
    monkeypatch.setenv("BIOPARITY_MAX_ROWS", "20")
    with pytest.raises(DataFileError, match="rows, more than the limit of 20"):
        read_any_table(path)
    monkeypatch.setenv("BIOPARITY_MAX_ROWS", "1000")
    assert len(read_any_table(path).frame) == 40


def test_csv_limits_before_parsing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    wide = tmp_path / "wide.csv"
    wide.write_text(",".join(f"c{i}" for i in range(1500)) + "\n" + ",".join("1" * 1500) + "\n")
    with pytest.raises(DataFileError, match="1,500 columns, more than the limit of 1,000"):
        read_any_table(wide)
    with pytest.raises(DataFileError, match="1,500 columns"):
        read_table(wide, [])
    long = tmp_path / "long.csv"
    long.write_text("a,b\n" + "1,2\n" * 30)
    monkeypatch.setenv("BIOPARITY_MAX_ROWS", "29")
    with pytest.raises(DataFileError, match="30 rows, more than the limit of 29"):
        read_table(long, [])
    monkeypatch.setenv("BIOPARITY_MAX_ROWS", "30")
    monkeypatch.setenv("BIOPARITY_MAX_CELLS", "59")
    with pytest.raises(DataFileError, match="60 cells, more than the limit of 59"):
        read_table(long, [])
    monkeypatch.setenv("BIOPARITY_MAX_CELLS", "60")
    assert len(read_table(long, [])) == 30


def test_limits_from_environment_must_be_whole_numbers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BIOPARITY_MAX_ROWS", "lots")
    with pytest.raises(DataFileError, match="BIOPARITY_MAX_ROWS='lots' is not a whole number"):
        TableLimits.from_environment()


def test_explicit_limits_override_the_defaults(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("a\n1\n2\n3\n")
    check_input_limits(path, "csv", "t.csv", TableLimits(max_rows=3))
    with pytest.raises(DataFileError, match=r"t\.csv: refused before reading: the file has 3 rows"):
        check_input_limits(path, "csv", "t.csv", TableLimits(max_rows=2))


# --- through a real server --------------------------------------------------------------------------------


def _cli(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "bioparity.cli.main", *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _rss(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise AssertionError(f"{field} not found for process {pid}")


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[tuple[Served, dict[str, str]]]:
    env = os.environ | {"BIOPARITY_DATABASE_URL": f"sqlite:///{tmp_path / 'store.db'}"}
    _cli(env, "db", "upgrade")
    _cli(env, "user", "create", "ana", "--reason", "test", "--password-stdin", stdin=PASSWORD + "\n")
    org = _cli(env, "org", "create", "Acme", "--owner", "ana", "--reason", "test")
    org_id = org.split("(", 1)[1].split(")", 1)[0]
    with serve(env["BIOPARITY_DATABASE_URL"], "--no-access-log", env=env) as server:
        url = server.url
        token = httpx.post(f"{url}/auth/login", json={"username": "ana", "password": PASSWORD}).json()[
            "token"
        ]
        headers = {"Authorization": f"Bearer {token}"}
        program = httpx.post(
            f"{url}/programs",
            headers=headers,
            json={
                "org_id": org_id,
                "name": "P1",
                "inn": "adalimumab",
                "reference_product": "Humira",
                "modality": "monoclonal antibody",
                "target_regions": ["eu"],
            },
        )
        assert program.status_code == 201, program.text
        study = httpx.post(
            f"{url}/programs/{program.json()['id']}/studies",
            headers=headers,
            json={"name": "PK", "kind": "pk"},
        )
        assert study.status_code == 201, study.text
        yield server, headers | {"X-Study": study.json()["id"]}


def test_xlsx_bomb_upload_refused_by_a_real_server(live_server: tuple[Served, dict[str, str]]) -> None:
    server, headers = live_server
    url, pid = server.url, server.process.pid
    study_id = headers.pop("X-Study")
    body = {
        "name": "bomb",
        "filename": "bomb.xlsx",
        "content_base64": base64.b64encode(xlsx_bomb()).decode(),
        "media_type": "application/octet-stream",
        "analysis_kind": "nca",
    }
    with contextlib.suppress(OSError):  # reset the peak (VmHWM) to the current RSS: the peak is the upload's
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    rss_before = _rss(pid, "VmRSS")
    cpu_before = server.cpu_seconds()
    response = httpx.post(f"{url}/studies/{study_id}/datasets", headers=headers, json=body, timeout=60)
    cpu = server.cpu_seconds() - cpu_before  # the server's work, not the wall clock a busy machine stretches
    peak = _rss(pid, "VmHWM")
    assert response.status_code == 422, response.text
    assert "16,384 columns" in response.text and "BIOPARITY_MAX_COLUMNS" in response.text
    assert cpu < 1.0, f"the server spent {cpu:.2f} s of CPU time on the refused upload"
    assert peak - rss_before < 100 * MB
    listed = httpx.get(f"{url}/studies/{study_id}/datasets", headers=headers, timeout=10)
    assert listed.status_code == 200 and listed.json() == []  # nothing stored
