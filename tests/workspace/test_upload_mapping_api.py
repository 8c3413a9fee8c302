"""The API upload takes the upload page's column mapping: renamed columns, units and per-row unit columns
(issue 17), checked the same way, stored with the dataset and applied to every run; on SQLite and
PostgreSQL (see conftest.py).

The data are R ``datasets::Theoph`` (tests/data/reference/nca/theoph.csv, header ``Subject,Wt,Dose,Time,
conc``, concentrations in mg/L). The mixed-unit file gives every third row in ng/mL (x 1000) and the others
in mg/L or ug/mL (the same numbers) in an SDTM-style ``PCSTRESU`` column; converted, it must give the NCA
of the file in one unit and PKNCA 0.12.1's numbers (tests/data/reference/expected/
nca_theoph_linuplogdown.csv; relative tolerance 1e-6 against its 15 printed digits), as
``bioparity nca --conc-unit-column PCSTRESU --conc-unit mg/L`` does.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from bioparity.cli.main import app
from tests.workspace.conftest import Company
from tests.workspace.helpers import run_and_wait

REFERENCE = Path(__file__).parents[1] / "data" / "reference"
THEOPH = REFERENCE / "nca" / "theoph.csv"
PKNCA = REFERENCE / "expected" / "nca_theoph_linuplogdown.csv"
MAP = {"Subject": "subject", "Time": "time", "Dose": "dose"}


def _mixed() -> pd.DataFrame:
    theoph = pd.read_csv(THEOPH)
    mixed = theoph.assign(PCSTRESU=np.where(np.arange(len(theoph)) % 2 == 0, "mg/L", "ug/mL"))
    every_third = np.arange(len(theoph)) % 3 == 0
    mixed.loc[every_third, "conc"] = theoph.loc[every_third, "conc"] * 1000.0
    mixed.loc[every_third, "PCSTRESU"] = "ng/mL"
    return mixed


MIXED = _mixed().to_csv(index=False)


@pytest.fixture(scope="module")
def a(company_factory: Callable[[str], Company]) -> Company:
    return company_factory("map")


def _upload(client: TestClient, company: Company, content: str = MIXED, **extra: Any) -> Any:
    body = {
        "name": "theoph",
        "filename": "theoph.csv",
        "content": content,
        "analysis_kind": "nca",
        "column_map": MAP,
    } | extra
    return client.post(f"/studies/{company.study.id}/datasets", headers=company.auth("analyst"), json=body)


def _request(client: TestClient, company: Company, dataset_id: str, **options: Any) -> Any:
    return client.post(
        f"/datasets/{dataset_id}/runs",
        headers=company.auth("analyst"),
        json={"kind": "nca", "options": options},
    )


def _run(client: TestClient, company: Company, dataset_id: str, **options: Any) -> dict[str, Any]:
    run = run_and_wait(client, dataset_id, company.auth("analyst"), "nca", options)
    assert run["status"] == "succeeded", run
    return run


def _table(run: dict[str, Any]) -> pd.DataFrame:
    result = run["result"]
    return pd.DataFrame(result["rows"], columns=result["columns"])


def test_a_unit_column_found_in_the_header_is_stored_and_every_row_converted(
    client: TestClient, a: Company, tmp_path: Path
) -> None:
    stored = _upload(client, a, name="theoph-mixed", units={"conc_unit": "mg/L", "dose_unit": "mg/kg"})
    assert stored.status_code == 201, stored.text
    body = stored.json()
    assert body["column_map"] == MAP
    assert body["units"] == {"conc_unit": "mg/L", "dose_unit": "mg/kg"}
    assert body["unit_columns"] == {"conc": "PCSTRESU"}  # detected by its usual name
    again = client.get(f"/datasets/{body['id']}", headers=a.auth("viewer")).json()
    assert {k: again[k] for k in ("column_map", "units", "unit_columns")} == {
        "column_map": MAP,
        "units": {"conc_unit": "mg/L", "dose_unit": "mg/kg"},
        "unit_columns": {"conc": "PCSTRESU"},
    }
    run = _run(client, a, body["id"])
    assert run["options"]["conc_unit"] == "mg/L"  # seeded from the upload
    table = _table(run)
    assert set(table.loc[table["PPTESTCD"] == "CMAX", "PPORRESU"]) == {"mg/L"}
    assert set(table.loc[table["PPTESTCD"] == "AUCLST", "PPSTRESU"]) == {"h*mg/L"}
    expected = pd.read_csv(PKNCA)
    for ours, theirs in (("AUCLST", "auclast"), ("CMAX", "cmax"), ("AUMCLST", "aumclast")):
        got = table[table["PPTESTCD"] == ours].set_index("subject")["PPORRES"]
        got = got.set_axis(got.index.astype(int)).sort_index()
        want = expected[expected["PPTESTCD"] == theirs].set_index("Subject")["PPORRES"].sort_index()
        assert len(got) == 12
        assert got.to_numpy(dtype=float) == pytest.approx(want.to_numpy(), rel=1e-6), ours

    # The same numbers as the file in one unit, and as the command line with the unit column.
    plain = _upload(client, a, pd.read_csv(THEOPH).to_csv(index=False), name="theoph-plain",
                    units={"conc_unit": "mg/L", "dose_unit": "mg/kg"})  # fmt: skip
    assert plain.json()["unit_columns"] == {}
    reference = _table(_run(client, a, plain.json()["id"]))
    keys = ["subject", "PPTESTCD"]
    merged = table.merge(reference, on=keys, suffixes=("", "_plain"))
    assert len(merged) == len(table) == len(reference)
    np.testing.assert_allclose(merged["PPORRES"].astype(float), merged["PPORRES_plain"].astype(float),
                               rtol=1e-9, equal_nan=True)  # fmt: skip
    assert (merged["PPORRESU"] == merged["PPORRESU_plain"]).all()
    cli = _cli_nca(MIXED, tmp_path)
    cli = cli.rename(columns={"Subject": "subject"}).astype({"subject": str})
    both = table.astype({"subject": str}).merge(cli, on=keys, suffixes=("", "_cli"))
    assert len(both) == len(table)
    np.testing.assert_allclose(both["PPORRES"].astype(float), both["PPORRES_cli"].astype(float),
                               rtol=1e-12, equal_nan=True)  # fmt: skip
    assert (both["PPORRESU"] == both["PPORRESU_cli"].fillna("")).all()  # unitless codes: empty


def _cli_nca(content: str, folder: Path) -> pd.DataFrame:
    (folder / "mixed.csv").write_text(content)
    args = ["nca", str(folder / "mixed.csv"), "--out", str(folder / "pp.csv"), "--subject", "Subject",
            "--time", "Time", "--dose", "Dose", "--conc-unit-column", "PCSTRESU", "--conc-unit", "mg/L",
            "--dose-unit", "mg/kg"]  # fmt: skip
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    return pd.read_csv(folder / "pp.csv")


def test_a_run_may_convert_into_another_unit_but_not_into_none(client: TestClient, a: Company) -> None:
    stored = _upload(client, a, name="theoph-target")  # no unit given: the first row's unit is kept
    assert stored.status_code == 201, stored.text
    assert stored.json()["units"] == {"conc_unit": "ng/mL"}  # row 1 is in ng/mL
    in_ng = _table(_run(client, a, stored.json()["id"]))
    in_ug = _table(_run(client, a, stored.json()["id"], conc_unit="ug/L"))
    cmax = {t: f[f["PPTESTCD"] == "CMAX"].set_index("subject") for t, f in (("ng", in_ng), ("ug", in_ug))}
    assert set(cmax["ug"]["PPORRESU"]) == {"ug/L"} and set(cmax["ng"]["PPORRESU"]) == {"ng/mL"}
    assert cmax["ng"].loc["1", "PPORRES"] == pytest.approx(10500.0, rel=1e-12)  # subject 1: 10.5 mg/L
    np.testing.assert_allclose(cmax["ug"]["PPORRES"], cmax["ng"]["PPORRES"], rtol=1e-12)  # 1 ug/L = 1 ng/mL
    refused = _request(client, a, stored.json()["id"], conc_unit="")
    assert refused.status_code == 422
    assert "gives the unit of conc per row (column PCSTRESU)" in refused.json()["detail"]
    assert "set option conc_unit" in refused.json()["detail"] and "e.g. ng/mL" in refused.json()["detail"]


def test_no_unit_column_when_the_upload_says_so(client: TestClient, a: Company) -> None:
    stored = _upload(client, a, pd.read_csv(THEOPH).assign(PCSTRESU="mg/L").to_csv(index=False),
                     name="theoph-no-unit-column", unit_columns={})  # fmt: skip
    assert stored.status_code == 201, stored.text
    assert stored.json()["unit_columns"] == {} and stored.json()["units"] == {}


REFUSED = [
    ("not a column of the kind", {"column_map": {"Subject": "subjects"}},
     "column mapping: subjects is not a column of nca; expected one of subject, time, conc"),
    ("unit column of a column without units per row", {"unit_columns": {"time": "PCSTRESU"}},
     "nca does not take the units of time per row; columns that may have units per row: conc"),
    ("unit column not in the file", {"unit_columns": {"conc": "CONCU"}},
     "theoph.csv, column 'CONCU': missing column 'CONCU'"),
    ("unit column also mapped", {"unit_columns": {"conc": "Subject"}},
     "'Subject' cannot give the unit of conc per row and also be mapped to subject"),
    ("mapping without a kind", {"analysis_kind": None}, "give analysis_kind too"),
    ("unknown unit option", {"units": {"mass_unit": "kg"}}, "units ['mass_unit'] are unknown"),
    ("mapped column not in the header", {"column_map": {"ID": "subject", "Time": "time"}},
     "'ID' chosen in the mapping are not in the header"),
]  # fmt: skip


@pytest.mark.parametrize(("problem", "extra", "message"), REFUSED, ids=[r[0] for r in REFUSED])
def test_a_mapping_that_does_not_fit_is_refused_and_nothing_stored(
    client: TestClient, a: Company, problem: str, extra: dict[str, Any], message: str
) -> None:
    before = client.get(f"/studies/{a.study.id}/datasets", headers=a.auth("viewer")).json()
    response = _upload(client, a, name=f"refused-{problem}", **extra)
    assert response.status_code == 422, response.text
    assert message in response.json()["detail"]
    assert client.get(f"/studies/{a.study.id}/datasets", headers=a.auth("viewer")).json() == before


def test_a_row_with_a_wrong_unit_is_refused_with_its_row_line_and_column(
    client: TestClient, a: Company
) -> None:
    bad = _mixed()
    bad.loc[5, "PCSTRESU"] = "mg"  # a mass, not a concentration
    response = _upload(client, a, bad.to_csv(index=False), name="theoph-bad-unit")
    assert response.status_code == 422
    body = response.json()
    assert (body["file"], body["row"], body["line"], body["column"]) == ("theoph.csv", 6, 7, "PCSTRESU")
    assert "cannot convert 'mg' to 'ng/mL'" in body["detail"]


def test_the_openapi_schema_documents_the_mapping(client: TestClient, a: Company) -> None:
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    upload = schemas["DatasetIn"]["properties"]
    for name in ("column_map", "units", "unit_columns"):
        assert upload[name].get("description"), name
    assert "PCSTRESU" in upload["unit_columns"]["description"]
    assert set(schemas["DatasetOut"]["properties"]) >= {"column_map", "units", "unit_columns"}
    assert "unit_columns" in schemas["ColumnOut"]["properties"]
    kinds = client.get("/analysis-kinds", headers=a.auth("viewer")).json()
    conc = next(c for k in kinds if k["name"] == "nca" for c in k["columns"] if c["name"] == "conc")
    assert conc["unit_option"] == "conc_unit" and "PCSTRESU" in conc["unit_columns"]
