"""An SDTM PC domain and its EX domain uploaded through the pages and run as NCA from the dataset page's
form, the EX dataset chosen in the option ``dosing`` (the study's other datasets are offered), with the
numbers of ``bioparity nca pc.xpt --dosing ex.xpt``; a refusal is the command line's message on the run's
page (no server error); the lambda_z review opens on the SDTM profiles.

The files are R's Theoph as the domains of docs/tutorials/nca-sdtm.md (tests/nca/test_nca_sdtm_units.py):
subject 9's EXDOSE is 267.84 mg and its AUCinf 97.5200039392502 h*mg/L (PKNCA 0.12.1).
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd
import pyreadstat
import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from bioparity.server import create_app
from bioparity.store import make_sessionmaker
from bioparity.store.models import AnalysisRun
from bioparity.workspace.executors import InProcessExecutor
from bioparity.workspace.integrity import verify_workspace
from tests.nca.test_nca_sdtm_units import theoph_domains
from tests.web.conftest import FormClient, finished_run_page
from tests.workspace.conftest import PASSWORD, Company, database, make_company

REFERENCE = Path(__file__).parents[1] / "data" / "reference" / "nca" / "theoph.csv"


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[FormClient, Company, dict[str, Path], sessionmaker[Session]]]:
    theoph = pd.read_csv(REFERENCE).assign(dose_mg=lambda d: d["Dose"] * d["Wt"])
    pc, ex = theoph_domains(theoph)
    files = {name: tmp_path / name for name in ("pc.xpt", "ex.xpt", "pc.csv")}
    pc.to_csv(files["pc.csv"], index=False)
    pyreadstat.write_xport(pc, str(files["pc.xpt"]), table_name="PC", file_format_version=5)
    pyreadstat.write_xport(ex, str(files["ex.xpt"]), table_name="EX", file_format_version=5)
    with signed_in(tmp_path, "sdtm-web") as (client, company, sessions):
        yield client, company, files, sessions


@contextmanager
def signed_in(tmp_path: Path, label: str) -> Iterator[tuple[FormClient, Company, sessionmaker[Session]]]:
    """A workspace (SQLite in ``tmp_path``) with a company's PK study, its analyst signed in to the pages
    (runs computed in the process)."""
    with database("sqlite", tmp_path) as engine:
        sessions = make_sessionmaker(engine)
        company = make_company(sessions, label)
        app = create_app(engine=engine, run_migrations=False, executor=InProcessExecutor())
        client = FormClient(app)
        try:
            login = {"username": company.users["analyst"].username, "password": PASSWORD}
            assert client.post("/ui/login", data=login).status_code == 200
            yield client, company, sessions
        finally:
            client.close()
            app.state.jobs.close(wait=True)


def run_from_form(
    client: FormClient, sessions: sessionmaker[Session], dataset_id: str, fields: dict[str, str]
) -> tuple[Any, AnalysisRun]:
    """NCA of a dataset run from its page's form with these option fields (``opt_dosing``, ...): the
    finished run's page and the stored run (succeeded, with its result)."""
    page = finished_run_page(
        client, client.post(f"/ui/datasets/{dataset_id}/runs", data={"kind": "nca", **fields})
    )
    assert page.status_code == 200 and "succeeded" in page.text
    with sessions() as session:
        run = session.scalar(select(AnalysisRun).where(AnalysisRun.id == page.url.path.rsplit("/", 1)[-1]))
        assert run is not None and run.result_json is not None
        session.expunge(run)
    return page, run


def _upload(client: FormClient, company: Company, path: Path) -> str:
    """``path`` uploaded on the study's upload page, checked for NCA; returns the dataset's id."""
    page = client.post(
        f"/ui/studies/{company.study.id}/upload",
        data={"name": path.stem, "analysis_kind": "nca"},
        files={"file": (path.name, path.read_bytes(), "application/octet-stream")},
    )
    assert page.status_code == 200 and "/ui/datasets/" in page.url.path, page.text[:2000]
    return str(page.url.path).rsplit("/", 1)[-1]


def test_pc_and_ex_uploaded_run_from_the_form_with_each_subjects_dose(
    site: tuple[FormClient, Company, dict[str, Path], sessionmaker[Session]],
) -> None:
    client, company, files, sessions = site
    pc_id = _upload(client, company, files["pc.xpt"])
    ex_id = _upload(client, company, files["ex.xpt"])
    page = client.get(f"/ui/datasets/{pc_id}").text
    field = re.search(r'<select id="opt-nca-dosing" name="opt_dosing"[^>]*>(.*?)</select>', page, re.S)
    assert field is not None, "no select for the option dosing"
    options = re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', field.group(1))
    assert options == [("", "(none)"), (ex_id, "ex v1 (ex.xpt)")]  # none, and the study's other dataset

    run_page, run = run_from_form(client, sessions, pc_id, {"opt_dosing": ex_id})
    run_id = run.id
    inputs, result = json.loads(run.inputs_json), json.loads(run.result_json or "{}")
    assert set(inputs) == {"dataset", "dosing"} and inputs["dosing"] in run_page.text  # shown on the page
    table = pd.DataFrame(result["rows"], columns=result["columns"])
    nine = table[table["subject"] == "9"].set_index("PPTESTCD")
    auc = 97.5200039392502
    assert nine.loc["AUCIFO", "PPSTRESN"] == pytest.approx(auc, rel=1e-9)
    assert nine.loc["CLFO", "PPSTRESN"] == pytest.approx(267.84 / auc, rel=1e-9)
    assert (nine.loc["CLFO", "PPSTRESU"], nine.loc["CMAX", "PPSTRESU"]) == ("L/h", "mg/L")

    review = client.get(f"/ui/runs/{run_id}/review")  # the SDTM profiles, as the run read them
    assert review.status_code == 200
    # the profile's PCRFTDTC is the EXSTDTC of its dose (PC has none): SDTM PP's PPRFTDTC
    assert "THEO-1 / THEOPH / PLASMA / 2026-01-05T08:00 / 9" in html.unescape(review.text)

    # `bioparity audit verify` checks the second dataset too: intact as stored; a run whose option names
    # another dataset than the bytes it read (here edited in the database) is reported by option name
    engine = sessions.kw["bind"]
    assert verify_workspace(engine).intact
    with engine.begin() as conn:
        conn.execute(
            update(AnalysisRun)
            .where(AnalysisRun.id == run_id)
            .values(options_json=json.dumps({"dosing": pc_id}, separators=(",", ":")))
        )
    problems = verify_workspace(engine).problems
    assert any(
        f"analysis run {run_id} (nca): its input hash {inputs['dosing']} for option dosing is not the "
        f"SHA-256 of dataset {pc_id}" in p
        for p in problems
    ), problems


def test_a_unit_option_that_is_not_pcstresu_fails_the_run_with_the_command_lines_message(
    site: tuple[FormClient, Company, dict[str, Path], sessionmaker[Session]],
) -> None:
    client, company, files, _sessions = site
    pc_id = _upload(client, company, files["pc.xpt"])
    page = finished_run_page(client, client.post(
        f"/ui/datasets/{pc_id}/runs", data={"kind": "nca", "opt_conc_unit": "ng/mL"}
    ))  # fmt: skip
    assert page.status_code == 200
    assert (
        "pc.xpt, row 1, column 'PCSTRESU': --conc-unit 'ng/mL' is not the unit of the file (got 'mg/L')"
        in html.unescape(page.text)
    )
    refused = client.post(f"/ui/datasets/{pc_id}/runs", data={"kind": "nca", "opt_dosing": "nope"})
    assert refused.status_code == 422  # the form again, saying why
    assert "option dosing: no dataset &#39;nope&#39; in the study of pc.xpt" in refused.text


def test_a_pc_domain_as_csv_is_stored_without_a_mapping_step(
    site: tuple[FormClient, Company, dict[str, Path], sessionmaker[Session]],
) -> None:
    """USUBJID, PCSTRESN, PCELTM are read by the SDTM rules: no column is mapped to subject, time, conc,
    and PCSTRESU is not taken as a unit column to convert (it is the unit checked on every row)."""
    client, company, files, sessions = site
    pc_id = _upload(client, company, files["pc.csv"])
    with sessions() as session:
        run_page = finished_run_page(client, client.post(f"/ui/datasets/{pc_id}/runs", data={"kind": "nca"}))
        assert "succeeded" in run_page.text
        run = session.scalar(
            select(AnalysisRun).where(AnalysisRun.id == run_page.url.path.rsplit("/", 1)[-1])
        )
        assert run is not None and "column_map" not in json.loads(run.inputs_json)
