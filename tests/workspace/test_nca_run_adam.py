"""A workspace NCA run offers its ADaM ADPP and ADNCA (``GET /runs/{id}/adpp.xpt``, ``adnca.xpt``, ``.csv``).

Two front ends, one set of records: the workspace's data sets of a run equal, variable by variable and with
their labels (read with pyreadstat), what ``bioparity nca IN --adpp --adnca`` writes for the same file and
options (the command line is the reference), single dose (a plain three-arm table) and multiple dose (SDTM
PC with EX dose records, tau and DM arms). Whoever may read the run may download them, each download an
``export`` row of the run; another organisation's viewer without a share gets 404 and writes no row; a
stored input whose SHA-256 is not the one the run recorded is refused.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pyreadstat
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from bioparity.cli.main import app
from bioparity.errors import InputError
from bioparity.store.models import AnalysisRun, AuditEvent, Program, Study
from bioparity.workspace import accounts
from bioparity.workspace.adam import run_adam
from tests.nca.test_nca_multiple_dose_workspace import TAU, steady_state_domains
from tests.workspace.conftest import PASSWORD, Company
from tests.workspace.helpers import run_and_wait, upload
from tests.workspace.test_pk_chain import _three_arm_concentrations


@pytest.fixture(scope="module")
def a(company_factory: Callable[[str], Company]) -> Company:
    return company_factory("ADaM owner")


def _stored(client: TestClient, a: Company, frame: pd.DataFrame, name: str, kind: str | None = "nca") -> str:
    created = upload(
        client, a, content=frame.to_csv(index=False), name=name, filename=f"{name}.csv", analysis_kind=kind
    )
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


def _cli(tmp_path: Path, infile: Path, *options: str) -> dict[str, Path]:
    """``bioparity nca`` of ``infile`` with ``options``, writing ADPP and ADNCA as XPT."""
    written = {name: tmp_path / f"cli-{name}.xpt" for name in ("adpp", "adnca")}
    args = ["nca", str(infile), "--out", str(tmp_path / "pp.csv"), *options]
    done = CliRunner().invoke(app, [*args, "--adpp", str(written["adpp"]), "--adnca", str(written["adnca"])])
    assert done.exit_code == 0, done.output
    return written


def _same_as_cli(client: TestClient, a: Company, run_id: str, cli: dict[str, Path], tmp_path: Path) -> None:
    """Each ADaM data set of the run (XPT) equals the command line's, values, labels and data set label."""
    for name, reference in cli.items():
        answer = client.get(f"/runs/{run_id}/{name}.xpt", headers=a.auth("viewer"))
        assert answer.status_code == 200, answer.text
        assert answer.headers["content-type"] == "application/x-sas-xport"
        path = tmp_path / f"ws-{name}.xpt"
        path.write_bytes(answer.content)
        ours, meta = pyreadstat.read_xport(str(path))
        theirs, their_meta = pyreadstat.read_xport(str(reference))
        assert len(ours) > 0 and meta.column_names == their_meta.column_names
        for column in theirs.columns:  # variable by variable
            pd.testing.assert_series_equal(ours[column], theirs[column], check_exact=True, obj=column)
        assert meta.column_labels == their_meta.column_labels and all(meta.column_labels)
        assert (
            meta.file_label
            == their_meta.file_label
            == {
                "adpp": "Pharmacokinetic Parameters Analysis",
                "adnca": "Pharmacokinetic Concentrations Analysis",
            }[name]
        )
        csv = client.get(f"/runs/{run_id}/{name}.csv", headers=a.auth("viewer"))
        assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")


def test_single_dose_run_gives_the_adpp_and_adnca_of_bioparity_nca(
    client: TestClient, a: Company, tmp_path: Path
) -> None:
    conc = _three_arm_concentrations(per_arm=4)
    infile = tmp_path / "conc.csv"
    conc.to_csv(infile, index=False)
    run = run_and_wait(
        client, _stored(client, a, conc, "sd-conc"), a.auth("analyst"), "nca", {"dose": "dose"}
    )
    assert run["status"] == "succeeded", run
    # the file has no STUDYID: the workspace names the study, as `--studyid` does on the command line
    cli = _cli(tmp_path, infile, "--dose", "dose", "--studyid", a.study.name)
    _same_as_cli(client, a, run["id"], cli, tmp_path)
    adpp, _meta = pyreadstat.read_xport(str(cli["adpp"]))
    assert set(adpp["STUDYID"]) == {a.study.name} and a.study.name


def test_multiple_dose_run_of_pc_ex_dm_gives_the_adpp_and_adnca_of_bioparity_nca(
    client: TestClient, a: Company, tmp_path: Path
) -> None:
    pc, ex = (
        steady_state_domains()
    )  # doses every 12 h, tau 12 (tests/nca/test_nca_multiple_dose_workspace.py)
    subjects = list(dict.fromkeys(pc["USUBJID"]))
    arms = ["TEST" if i % 2 else "REFERENCE" for i in range(len(subjects))]
    dm = pd.DataFrame({"STUDYID": pc["STUDYID"].iloc[0] if "STUDYID" in pc else "S1", "DOMAIN": "DM",
                       "USUBJID": subjects, "ARM": arms, "ACTARM": arms})  # fmt: skip
    files = {"pc": pc, "ex": ex, "dm": dm}
    for name, frame in files.items():
        frame.to_csv(tmp_path / f"{name}.csv", index=False)
    ids = {name: _stored(client, a, frame, name) for name, frame in files.items()}
    options = {"dosing": ids["ex"], "dm": ids["dm"], "tau": TAU}
    run = run_and_wait(client, ids["pc"], a.auth("analyst"), "nca", options)
    assert run["status"] == "succeeded", run
    cli = _cli(
        tmp_path, tmp_path / "pc.csv", "--dosing", str(tmp_path / "ex.csv"), "--tau", str(TAU), "--dm",
        str(tmp_path / "dm.csv"),
    )  # fmt: skip
    _same_as_cli(client, a, run["id"], cli, tmp_path)


def _exports(sessions: sessionmaker[Session], run_id: str) -> list[dict[str, Any]]:
    with sessions() as s:
        rows = s.scalars(
            select(AuditEvent).where(AuditEvent.action == "export", AuditEvent.object_id == run_id)
        ).all()
        return [json.loads(r.after_json or "{}") for r in rows]


def test_downloads_are_audited_and_refused_to_others_and_for_another_input(
    sessions: sessionmaker[Session],
    client: TestClient,
    a: Company,
    company_factory: Callable[[str], Company],
) -> None:
    other = company_factory("ADaM outsider")
    conc = _three_arm_concentrations(per_arm=2)
    run = run_and_wait(
        client, _stored(client, a, conc, "audit-conc"), a.auth("analyst"), "nca", {"dose": "dose"}
    )
    before = _exports(sessions, run["id"])
    answer = client.get(f"/runs/{run['id']}/adpp.xpt", headers=a.auth("viewer"))
    assert answer.status_code == 200
    rows = _exports(sessions, run["id"])
    assert len(rows) == len(before) + 1  # one row per download, naming the file and its SHA-256
    assert rows[-1]["sha256"] == answer.headers["X-Content-SHA256"] and rows[-1]["format"] == "xpt"
    assert answer.headers["content-disposition"].startswith(f'attachment; filename="{rows[-1]["name"]}";')

    with sessions.begin() as s:  # the run page links them; the link, signed in with the cookie, downloads
        _token, secret = accounts.login(s, a.users["viewer"].username, PASSWORD)
    browser = TestClient(client.app, cookies={"bioparity_session": secret})
    page = browser.get(f"/ui/runs/{run['id']}").text
    assert f'href="/runs/{run["id"]}/adpp.xpt"' in page and f'href="/runs/{run["id"]}/adnca.xpt"' in page
    linked = browser.get(f"/runs/{run['id']}/adnca.xpt")
    assert linked.status_code == 200 and len(_exports(sessions, run["id"])) == len(before) + 2

    with sessions() as s:
        n_rows = s.scalar(select(func.count()).select_from(AuditEvent))
    for path in ("adpp.xpt", "adnca.xpt", "adnca.csv"):  # another organisation, no share: not found
        assert client.get(f"/runs/{run['id']}/{path}", headers=other.auth("viewer")).status_code == 404
    assert client.get(f"/runs/{run['id']}/adsl.xpt", headers=a.auth("viewer")).status_code == 404
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(AuditEvent)) == n_rows

    with sessions() as s:  # the run's recorded input is not the stored dataset: refused, nothing made
        stored = s.get_one(AnalysisRun, run["id"])
        stored.inputs_json = json.dumps(json.loads(stored.inputs_json) | {"dataset": "0" * 64})
        with pytest.raises(InputError, match="not the 0000"):
            run_adam(s, a.actor("viewer"), run["id"], "adpp", "xpt")
        s.rollback()


def test_downloads_are_named_as_the_runs_report_and_result_table(
    sessions: sessionmaker[Session], client: TestClient, company_factory: Callable[[str], Company]
) -> None:
    """``<program>_<study>_nca_run-<8>_ADPP.xpt`` (web.downloads' pattern, the data set last), with RFC 6266
    ``filename`` and RFC 5987 ``filename*``; a non-ASCII program name gives an ASCII file name."""
    b = company_factory("ADaM names")
    with sessions.begin() as s:
        s.execute(update(Program).where(Program.id == b.program.id).values(name="MB-201 (IgG1 mAb)"))
        s.execute(update(Study).where(Study.id == b.study.id).values(name="PK 101/a"))
    conc = _three_arm_concentrations(per_arm=2)
    run = run_and_wait(
        client, _stored(client, b, conc, "named-conc"), b.auth("analyst"), "nca", {"dose": "dose"}
    )
    assert run["status"] == "succeeded", run
    eight = run["id"][:8]

    def said(path: str) -> str:
        answer = client.get(f"/runs/{run['id']}/{path}", headers=b.auth("viewer"))
        assert answer.status_code == 200, answer.text
        return str(answer.headers["content-disposition"])

    name = f"MB-201_PK-101-a_nca_run-{eight}_ADPP.xpt"
    assert said("adpp.xpt") == f"attachment; filename=\"{name}\"; filename*=UTF-8''{name}"
    with sessions.begin() as s:  # the web layer names the run's result table the same way
        _token, secret = accounts.login(s, b.users["viewer"].username, PASSWORD)
    browser = TestClient(client.app, cookies={"bioparity_session": secret})
    table = browser.get(f"/ui/runs/{run['id']}/result.csv")
    assert table.status_code == 200
    assert table.headers["content-disposition"].replace(".csv", "_ADPP.xpt") == said("adpp.xpt")

    with sessions.begin() as s:
        s.execute(update(Program).where(Program.id == b.program.id).values(name="MB-Zürich 201 (阿达木单抗)"))
    name = f"MB-Z-rich-201_PK-101-a_nca_run-{eight}_ADNCA.csv"
    assert said("adnca.csv") == f"attachment; filename=\"{name}\"; filename*=UTF-8''{name}"
