"""Issue #16 item 8: no CSV written by bioparity can carry a spreadsheet formula; numbers stay numbers.

Cells starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return are prefixed with ``'`` (OWASP, "CSV
Injection"); number cells such as ``-5`` are unchanged and every float reads back as the same float64.
Checked on the shared writer and at each place a CSV leaves the product: command outputs, the web result
download and a derived dataset (SQLite and PostgreSQL).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from bioparity.cli.main import app
from bioparity.io.tables_out import csv_bytes, neutralise_cell, write_table
from tests.workspace.conftest import (  # noqa: F401  (fixtures)
    PASSWORD,
    Company,
    backend,
    client,
    company_factory,
    engine,
    sessions,
)
from tests.workspace.helpers import run_and_wait, upload

PAYLOADS = ["=1+1", "+1+1", "-1+1", "@SUM(A1:A2)", "\t=1+1", "\r=1+1", '=HYPERLINK("http://x","y")']
DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")


def _cells(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8"), newline="")))


def _assert_no_formula(rows: list[list[str]]) -> None:
    for row in rows:
        for cell in row:
            if cell.startswith(DANGEROUS_START):
                float(cell)  # only a number may start like that (raises ValueError otherwise)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_each_owasp_start_is_neutralised(payload: str) -> None:
    assert neutralise_cell(payload) == "'" + payload
    rows = _cells(csv_bytes(pd.DataFrame({"text": [payload], payload: [1.0]})))
    assert rows[0][1] == "'" + payload  # the header too
    assert rows[1][0] == "'" + payload
    _assert_no_formula(rows)


def test_numbers_stay_numbers() -> None:
    frame = pd.DataFrame(
        {
            "x": [-5.0, 1.12, 0.1 + 0.2, -1e-300, np.nan],
            "n": [-5, 3, 0, -1, 7],
            "text_numbers": ["-5", "+1.5", "-1e-3", "-inf", "x"],
        }
    )
    rows = _cells(csv_bytes(frame))
    assert [r[0] for r in rows[1:]] == ["-5", "1.12", "0.30000000000000004", "-1e-300", ""]
    assert [r[1] for r in rows[1:]] == ["-5", "3", "0", "-1", "7"]
    assert [r[2] for r in rows[1:]] == ["-5", "+1.5", "-1e-3", "-inf", "x"]
    assert "1.1200000000000001" not in csv_bytes(frame).decode()


def test_csv_round_trips_to_the_same_float64(tmp_path: Path) -> None:
    rng = np.random.default_rng(20261205)
    values = np.concatenate(
        [
            rng.lognormal(0, 3, 5000),
            -rng.lognormal(0, 3, 5000),
            [0.0, -0.0, 5e-324, 1.7976931348623157e308, 1.12, 0.1 + 0.2, 1 / 3, 1e16, 123456789.123456789],
        ]
    )
    frame = pd.DataFrame({"v": values, "label": [f"-{i}x" for i in range(values.size)]})
    path = write_table(frame, tmp_path / "out.csv")
    rows = _cells(path.read_bytes())[1:]
    back = np.array([float(r[0]) for r in rows])  # Python's correctly rounded parser, not our code
    np.testing.assert_array_equal(back, values)  # bit-for-bit, tolerance 0
    assert np.array_equal(np.signbit(back), np.signbit(values))
    assert all(r[1].startswith("'-") for r in rows)
    assert len(pd.read_csv(path)) == values.size


def test_parquet_keeps_types_and_text(tmp_path: Path) -> None:
    frame = pd.DataFrame({"v": [-5.0, 1.12], "s": ["=1+1", "ok"], "b": [True, False]})
    path = write_table(frame, tmp_path / "out.parquet")
    back = pd.read_parquet(path)
    assert back["s"].tolist() == ["=1+1", "ok"]  # a typed store, not a spreadsheet: unchanged
    assert back["v"].tolist() == [-5.0, 1.12] and back["b"].tolist() == [True, False]


def test_cli_output_is_neutralised(tmp_path: Path) -> None:
    data = tmp_path / "conc.csv"
    lines = ["subject,time,conc"]
    for subject in ("=1+1", "@cmd", "-5"):
        lines += [f'"{subject}",{t},{c}' for t, c in ((0, 0), (1, 5), (2, 4), (4, 2), (8, 1), (12, 0.5))]
    data.write_text("\n".join(lines) + "\n")
    out = tmp_path / "pp.csv"
    result = CliRunner().invoke(app, ["nca", str(data), "--out", str(out)])
    assert result.exit_code == 0, result.output
    rows = _cells(out.read_bytes())
    _assert_no_formula(rows)
    subjects = {row[0] for row in rows[1:]}
    assert subjects == {"'=1+1", "'@cmd", "-5"}
    cmax = [float(r[4]) for r in rows[1:] if r[3] == "CMAX"]
    assert cmax == [5.0, 5.0, 5.0]


# --- the workspace: web download and derived dataset ----------------------------------------------------

CONC = "subject,time,conc,dose\n" + "".join(
    f"{s},{t},{c},100\n"
    for s in ("=1+1", "@cmd", "-7")
    for t, c in ((0, 0), (0.5, 2.5), (1, 5), (2, 4), (4, 2), (8, 1), (12, 0.5), (24, 0.12))
)


@pytest.fixture(scope="module")
def a(company_factory: Callable[[str], Company]) -> Company:  # noqa: F811
    return company_factory("Formula")


@pytest.fixture(scope="module")
def nca_run(client: TestClient, a: Company) -> dict[str, object]:  # noqa: F811
    created = upload(client, a, content=CONC, name="conc", filename="conc.csv", analysis_kind="nca")
    assert created.status_code == 201, created.text
    run = run_and_wait(client, created.json()["id"], a.auth("analyst"), "nca")
    assert run["status"] == "succeeded", run
    return run


def _stored_values(run: dict[str, object]) -> list[float]:
    result = run["result"]
    assert isinstance(result, dict)
    col = result["columns"].index("PPSTRESN")
    return [np.nan if row[col] is None else float(row[col]) for row in result["rows"]]


def _check(content: bytes, run: dict[str, object]) -> None:
    rows = _cells(content)
    _assert_no_formula(rows)
    header = rows[0]
    assert {r[header.index("subject")] for r in rows[1:]} == {"'=1+1", "'@cmd", "-7"}
    col = header.index("PPSTRESN")
    values = [np.nan if r[col] == "" else float(r[col]) for r in rows[1:]]
    np.testing.assert_array_equal(values, _stored_values(run))  # same float64 as stored


def test_web_result_download_is_neutralised(
    client: TestClient,  # noqa: F811
    a: Company,
    nca_run: dict[str, object],
) -> None:
    login = client.post("/auth/login", json={"username": a.users["analyst"].username, "password": PASSWORD})
    assert login.status_code == 200, login.text
    try:
        response = client.get(f"/ui/runs/{nca_run['id']}/result.csv")
    finally:
        client.cookies.clear()
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    _check(response.content, nca_run)


def test_derived_dataset_is_neutralised(client: TestClient, a: Company, nca_run: dict[str, object]) -> None:  # noqa: F811
    derived = client.post(f"/runs/{nca_run['id']}/datasets", headers=a.auth("analyst"), json={})
    assert derived.status_code == 201, derived.text
    content = client.get(f"/datasets/{derived.json()['id']}/content", headers=a.auth("analyst"))
    assert content.status_code == 200
    _check(content.content, nca_run)
