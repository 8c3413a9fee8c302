"""A three-arm parallel PK study as SDTM PC + DM in the web workspace: the DM dataset (uploaded like the
other datasets, chosen in the NCA option ``dm``) gives each subject its arm, as ``bioparity nca --dm``
does (one reader and merge: :func:`bioparity.io.nca_input.with_dm_arms`); without it the run, its page
and its report say that the summary statistics pool the arms (before: pooled without a word, findings of
/work/notes/findings-ws-dm.md).

Data: R's Theoph (12 subjects) as the SDTM PC domain of docs/tutorials/nca-sdtm.md
(tests/nca/test_nca_sdtm_units.py), the subjects dealt into arms TEST, EU-REF and US-REF (4 each) by a DM
domain. Reference: PKNCA 0.12.1 on Theoph (tests/data/reference/expected/nca_theoph_linuplogdown.csv,
lin up/log down): each arm's mean Cmax and AUCinf is the mean of PKNCA's values of its four subjects.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyreadstat
import pytest
from scipy import stats
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from bioparity.analyses.nca import parameter_statistics
from bioparity.cli.main import app
from bioparity.i18n.notes import translate_note
from bioparity.io.nca_input import ARMS_POOLED
from bioparity.store.models import AnalysisRun, AuditEvent
from tests.conftest import read_reference
from tests.nca.test_nca_sdtm_units import theoph_domains
from tests.web.conftest import FormClient, finished_run_page
from tests.web.test_nca_sdtm_upload import REFERENCE, _upload, run_from_form, signed_in
from tests.web.test_report_pdf import _pdf_text
from tests.workspace.conftest import Company

ARMS = ("TEST", "EU-REF", "US-REF")
Site = tuple[FormClient, Company, dict[str, Path], sessionmaker[Session]]


def _arm_of(subject: str) -> str:
    return ARMS[(int(subject) - 1) % 3]


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    """pc.xpt (no arm), dm.xpt (ARM and ACTARM of every subject) and dm_short.xpt (subjects 11 and 12
    left out), with a signed-in analyst of a PK study."""
    theoph = pd.read_csv(REFERENCE).assign(dose_mg=lambda d: d["Dose"] * d["Wt"])
    pc, _ex = theoph_domains(theoph)
    subjects = list(dict.fromkeys(pc["USUBJID"]))
    arms = [_arm_of(s) for s in subjects]
    dm = pd.DataFrame({"STUDYID": "THEO-1", "DOMAIN": "DM", "USUBJID": subjects, "ARM": arms, "ACTARM": arms})
    files = {name: tmp_path / name for name in ("pc.xpt", "dm.xpt", "dm_short.xpt")}
    pyreadstat.write_xport(pc, str(files["pc.xpt"]), table_name="PC", file_format_version=5)
    pyreadstat.write_xport(dm, str(files["dm.xpt"]), table_name="DM", file_format_version=5)
    short = dm[~dm["USUBJID"].isin(["11", "12"])]
    pyreadstat.write_xport(short, str(files["dm_short.xpt"]), table_name="DM", file_format_version=5)
    with signed_in(tmp_path, "dm-arms") as (client, company, sessions):
        yield client, company, files, sessions


def _table(result: dict[str, Any]) -> pd.DataFrame:
    return pd.DataFrame(result["rows"], columns=result["columns"])


def test_the_dm_dataset_gives_the_arms_as_bioparity_nca_dm(site: Site, tmp_path: Path) -> None:
    """Uploaded for NCA, the DM dataset is offered in the option ``dm``; the run equals ``bioparity nca
    pc.xpt --dm dm.xpt``: the same profile keys (ARM, ACTARM first), parameters to 1e-12 and summary
    statistics per ARM; each arm's mean Cmax and AUCinf is PKNCA's; the run's inputs and its audit row
    record the DM dataset's SHA-256, as the command line's provenance records the file's."""
    client, company, files, sessions = site
    pc_id = _upload(client, company, files["pc.xpt"])
    dm_id = _upload(client, company, files["dm.xpt"])  # a DM domain is a dataset of a PK study too
    page = client.get(f"/ui/datasets/{pc_id}").text
    field = re.search(r'<select id="opt-nca-dm" name="opt_dm"[^>]*>(.*?)</select>', page, re.S)
    assert field is not None, "no select for the option dm"
    assert (dm_id, "dm v1 (dm.xpt)") in re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', field[1])

    run_page, run = run_from_form(client, sessions, pc_id, {"opt_dm": dm_id})
    result = json.loads(run.result_json or "{}")
    assert "notes" not in result  # the arms are known: nothing pooled
    workspace = _table(result)

    out = tmp_path / "cli" / "nca.csv"
    out.parent.mkdir()
    cli_run = CliRunner().invoke(
        app, ["nca", str(files["pc.xpt"]), "--out", str(out), "--dm", str(files["dm.xpt"])]
    )
    assert cli_run.exit_code == 0, cli_run.output
    cli = pd.read_csv(out, dtype={"subject": str, "ARM": str, "ACTARM": str})
    keys = ["ARM", "ACTARM", "STUDYID", "PCTESTCD", "PCSPEC", "subject"]
    assert list(workspace.columns[:6]) == list(cli.columns[:6]) == keys
    assert len(workspace) == len(cli) and result["n_profiles"] == 12
    got, want = (t.set_index([*keys, "PPTESTCD"]).sort_index() for t in (workspace, cli))
    assert got.index.equals(want.index)
    np.testing.assert_allclose(got["PPSTRESN"].to_numpy(float), want["PPSTRESN"].to_numpy(float), rtol=1e-12)

    summary = parameter_statistics(workspace).to_frame().set_index(["ARM", "parameter"]).sort_index()
    written = pd.read_csv(out.with_name("nca.summary.csv")).set_index(["ARM", "parameter"]).sort_index()
    assert summary.index.equals(written.index) and set(summary.index.get_level_values(0)) == set(ARMS)
    for column in ("n", "mean", "sd", "geometric_mean", "median", "min", "max"):
        np.testing.assert_allclose(
            summary[column].to_numpy(float), written[column].to_numpy(float), rtol=1e-12
        )

    pknca = read_reference("expected/nca_theoph_linuplogdown.csv")
    for code, name in (("CMAX", "cmax"), ("AUCIFO", "aucinf.obs")):
        values = pknca[pknca["PPTESTCD"] == name].assign(arm=lambda f: f["Subject"].astype(str).map(_arm_of))
        for arm, mean in values.groupby("arm")["PPORRES"].mean().items():
            stats = summary.loc[(str(arm), code), ["mean", "n"]].to_numpy(float)
            assert stats[0] == pytest.approx(mean, rel=1e-9) and stats[1] == 4

    digest = json.loads((tmp_path / "cli" / "nca.csv.provenance.json").read_text())["inputs"]["dm"]["sha256"]
    assert json.loads(run.inputs_json)["dm"] == digest
    assert f'<dt>Option dm</dt><dd><a href="/ui/datasets/{dm_id}">dm v1 (dm.xpt)</a></dd>' in run_page.text
    with sessions() as session:
        event = session.scalar(
            select(AuditEvent).where(AuditEvent.object_id == run.id, AuditEvent.action == "run")
        )
        assert event is not None
        assert json.loads(json.loads(event.after_json or "{}")["inputs_json"])["dm"] == digest
    report = client.get(f"/ui/runs/{run.id}/report.html").text
    assert f'Input SHA-256 (each subject&#39;s arm (DM dataset))</th><td class="hash">{digest}' in report
    assert "pool the subjects" not in report
    review = client.get(f"/ui/runs/{run.id}/review")  # the profiles as the run read them, with their arm
    assert review.status_code == 200 and "EU-REF / EU-REF / THEO-1 / THEOPH / PLASMA / 2" in html.unescape(
        review.text
    )


def test_without_dm_the_run_its_page_and_its_report_say_the_arms_are_pooled(
    site: Site, tmp_path: Path
) -> None:
    """The note of ``bioparity nca`` (the same text) is in the stored result, on the run page, in the
    report's HTML and PDF, and in Chinese where the reader reads Chinese."""
    client, company, files, sessions = site
    pc_id = _upload(client, company, files["pc.xpt"])
    page, run = run_from_form(client, sessions, pc_id, {})
    assert json.loads(run.result_json or "{}")["notes"] == [ARMS_POOLED]
    cli_run = CliRunner().invoke(app, ["nca", str(files["pc.xpt"]), "--out", str(tmp_path / "nca.csv")])
    assert cli_run.exit_code == 0 and ARMS_POOLED in " ".join(cli_run.output.split())
    assert ARMS_POOLED in html.unescape(page.text)
    assert ARMS_POOLED in html.unescape(client.get(f"/ui/runs/{run.id}/report.html").text)
    pdf = client.get(f"/ui/runs/{run.id}/report.pdf")
    assert pdf.status_code == 200
    printed = " ".join(_pdf_text(pdf.content, tmp_path).split())
    assert "the summary statistics pool the subjects of every arm" in printed
    chinese = translate_note(ARMS_POOLED, "zh-CN")
    assert chinese.startswith("SDTM PC 没有组别") and "合并了所有组别的受试者" in chinese


def test_subjects_missing_from_dm_fail_the_run_naming_the_file_and_the_subjects(site: Site) -> None:
    client, company, files, _sessions = site
    pc_id = _upload(client, company, files["pc.xpt"])
    short_id = _upload(client, company, files["dm_short.xpt"])
    page = finished_run_page(
        client, client.post(f"/ui/datasets/{pc_id}/runs", data={"kind": "nca", "opt_dm": short_id})
    )
    text = " ".join(html.unescape(page.text).split())
    assert "a subject with samples that the DM domain dm_short.xpt does not have" in text
    assert "(subjects missing from it: 2: 11, 12)" in text
    assert "pc.xpt, row " in text and "column 'USUBJID'" in text


def test_a_dm_dataset_is_not_analysed_as_concentrations_nor_given_for_a_table_with_arms(
    site: Site, tmp_path: Path
) -> None:
    client, company, files, _sessions = site
    dm_id = _upload(client, company, files["dm.xpt"])
    page = finished_run_page(client, client.post(f"/ui/datasets/{dm_id}/runs", data={"kind": "nca"}))
    assert "this dataset is an SDTM DM domain" in html.unescape(page.text)
    plain = tmp_path / "plain.csv"
    pd.read_csv(REFERENCE).rename(columns={"Subject": "subject", "Time": "time"}).assign(
        arm=lambda d: d["subject"].astype(str).map(_arm_of)
    )[["subject", "arm", "time", "conc"]].to_csv(plain, index=False)
    plain_id = _upload(client, company, plain)
    page = finished_run_page(
        client, client.post(f"/ui/datasets/{plain_id}/runs", data={"kind": "nca", "opt_dm": dm_id})
    )
    assert "option dm (dm.xpt): the input has an arm column already" in html.unescape(page.text)


def test_pk_similarity_of_the_nca_with_dm_compares_the_three_arms(site: Site) -> None:
    """The PP dataset stored from the NCA run with DM carries ARM: PK similarity compares the three arms
    (before, an SDTM PC gave a PP table with no arm at all). Reference: Welch's 90% CI (FDA 2001,
    Statistical Approaches to Establishing Bioequivalence, section VI) of the log PKNCA values of each
    arm's four subjects, by scipy, to 1e-9."""
    client, company, files, sessions = site
    pc_id = _upload(client, company, files["pc.xpt"])
    dm_id = _upload(client, company, files["dm.xpt"])
    _page, nca_run = run_from_form(client, sessions, pc_id, {"opt_dm": dm_id})
    stored = client.post(f"/ui/runs/{nca_run.id}/derive", data={"analysis_kind": "pk-similarity"})
    assert stored.status_code == 200 and "/ui/datasets/" in stored.url.path, stored.text[:2000]
    pp_id = stored.url.path.rsplit("/", 1)[-1]
    page = finished_run_page(
        client,
        client.post(
            f"/ui/datasets/{pp_id}/runs",
            data={"kind": "pk-similarity", "opt_arms": ",".join(ARMS), "opt_metrics": "CMAX,AUCIFO"},
        ),
    )
    assert page.status_code == 200 and "succeeded" in page.text
    with sessions() as session:
        run = session.get(AnalysisRun, page.url.path.rsplit("/", 1)[-1])
        assert run is not None
        table = _table(json.loads(run.result_json or "{}"))
    assert len(table) == 6  # 2 metrics x (TEST/EU-REF, TEST/US-REF, EU-REF/US-REF)
    pknca = read_reference("expected/nca_theoph_linuplogdown.csv")
    pknca = pknca.assign(arm=pknca["Subject"].astype(str).map(_arm_of))
    for metric, name in (("CMAX", "cmax"), ("AUCIFO", "aucinf.obs")):
        logs = (
            pknca[pknca["PPTESTCD"] == name].groupby("arm")["PPORRES"].apply(lambda v: np.log(v.to_numpy()))
        )
        for first, second in ((ARMS[0], ARMS[1]), (ARMS[0], ARMS[2]), (ARMS[1], ARMS[2])):
            a, b = logs[first], logs[second]
            va, vb = a.var(ddof=1) / a.size, b.var(ddof=1) / b.size
            df = (va + vb) ** 2 / (va**2 / (a.size - 1) + vb**2 / (b.size - 1))
            d, half = a.mean() - b.mean(), stats.t.ppf(0.95, df) * np.sqrt(va + vb)
            row = table[
                (table["metric"] == metric)
                & (table["test_arm"] == first)
                & (table["reference_arm"] == second)
            ]
            assert len(row) == 1
            got = row[["gmr", "ci_lower", "ci_upper"]].to_numpy(float)[0]
            np.testing.assert_allclose(got, 100 * np.exp([d, d - half, d + half]), rtol=1e-9)
