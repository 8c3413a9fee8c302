"""Findings of the web QA pass of 2026-12-06 (notes/web-qa-findings.md), driven as the demo users do: an
NCA run of an upload with a blank concentration names the sample it left out (it was the Cmax of its
profile), the column mapping of a run is shown as a mapping and not as an "Input SHA-256" holding a Python
dict, and the audit trail PDF prints each time inside its column."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from bioparity.store import make_sessionmaker
from bioparity.store.models import Study
from tests.web.conftest import DemoStore, FormClient, demo_client, finished_run_page

#: Subject A's concentration at 4 h (its highest, 9.1) is blank: the NCA leaves the sample out.
BLANK_AT_CMAX = (
    "subject,time,conc,dose\n"
    "A,0,0,100\nA,1,4.2,100\nA,2,7.5,100\nA,4,,100\nA,8,6.0,100\nA,12,3.9,100\nA,24,1.2,100\n"
    "B,0,0,100\nB,1,3.9,100\nB,2,7.1,100\nB,4,8.8,100\nB,8,5.9,100\nB,12,3.5,100\nB,24,1.0,100\n"
)
RUN_FORM = re.compile(
    r'name="submission_token" value="([^"]+)">\s*<input type="hidden" name="kind" value="nca"'
)


@pytest.fixture(scope="module")
def sam(demo_store: DemoStore) -> Iterator[FormClient]:
    with demo_client(demo_store, "sam") as client:
        yield client


@pytest.fixture(scope="module")
def blank_run(sam: FormClient, demo_store: DemoStore) -> str:
    """The page of an NCA run (units given at upload, so the run has a column map) of BLANK_AT_CMAX."""
    with make_sessionmaker(demo_store.engine)() as session:
        study = session.scalar(select(Study.id).where(Study.name == "PK-101"))
    stored = sam.post(
        f"/ui/studies/{study}/upload",
        data={"name": "qa-blank-cmax", "analysis_kind": "nca", "conc_unit": "ng/mL", "dose_unit": "mg"},
        files={"file": ("blank-cmax.csv", BLANK_AT_CMAX.encode(), "text/csv")},
    )
    assert stored.status_code == 200 and "Stored 14 checked rows" in stored.text
    token = RUN_FORM.search(stored.text)
    assert token is not None
    dataset = stored.url.path.rsplit("/", 1)[1]
    form = {
        "kind": "nca",
        "submission_token": token.group(1),
        "opt_conc_unit": "ng/mL",
        "opt_dose_unit": "mg",
    }
    run = sam.post(f"/ui/datasets/{dataset}/runs", data=form)
    page = finished_run_page(sam, run)
    assert 'id="run-summary"' in page.text
    return str(page.url.path)


def test_an_nca_run_names_the_sample_it_left_out_for_a_missing_concentration(
    sam: FormClient, blank_run: str
) -> None:
    # Before: "1 missing and 0 BLQ samples left out" and nothing said which; it was A's Cmax (9.1 at 4 h),
    # so A's CMAX read 7.5 at 2 h with no flag (the command line names the sample since d15e00c).
    page = sam.get(blank_run).text
    summary = re.search(r'id="run-summary"[^>]*>(.*?)</', page, re.S)
    assert summary is not None
    assert "1 missing and 0 BLQ samples left out" in summary.group(1)
    named = "; 1 row left out: row 4 subject=A time=4 (all in the stored result)"
    assert named in summary.group(1)
    report = sam.get(f"{blank_run}/report.html").text
    assert named in report
    sam.post("/ui/account/language", data={"language": "zh-CN"})
    try:
        chinese = sam.get(blank_run).text
    finally:
        sam.post("/ui/account/language", data={"language": "en"})
    assert "；剔除 1 行：第 4 行 subject=A time=4（完整清单见存储的结果）" in chinese


def test_the_column_map_of_a_run_is_shown_as_a_mapping_not_as_a_digest(
    sam: FormClient, blank_run: str
) -> None:
    # Before: "Input SHA-256 (column_map)  {'rename': {}, 'units': {'conc_unit': 'ng/mL', ...}}".
    page = sam.get(blank_run).text
    report = sam.get(f"{blank_run}/report.html").text
    for html in (page, report):
        assert "Input SHA-256 (column_map)" not in html
        assert "{&#39;rename&#39;" not in html and "{'rename'" not in html
        assert re.search(r"Input SHA-256 \(dataset\)", html)
    assert re.search(r"<dt>Column mapping and units</dt><dd>units: conc ng/mL, dose mg</dd>", page)
    assert re.search(r"<th>Column mapping and units</th><td>units: conc ng/mL, dose mg</td>", report)


def test_the_audit_pdf_prints_each_time_inside_its_column(demo_store: DemoStore, sam: FormClient) -> None:
    # Before: "2026-12-06T16:46:39+00:00" ran past its column into the user name ("+00:0olivia").
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext (poppler-utils) is missing: run scripts/system-deps.sh")
    exported = sam.get(f"/ui/programs/{demo_store.summary.program_id}/audit.pdf")
    assert exported.status_code == 200
    folder = Path(demo_store.url.removeprefix("sqlite:///")).parent
    pdf = folder / "audit-qa.pdf"
    pdf.write_bytes(exported.content)
    out = subprocess.run(
        ["pdftotext", "-bbox", "-f", "1", "-l", "1", str(pdf), "-"], check=True, capture_output=True
    ).stdout.decode("utf-8")
    words = re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>', out
    )
    header = {w: float(x0) for x0, _y, _x1, w in words if w in ("When", "User")}
    stamp = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00")
    # the times of the table's "When" column (not the export time in the line above the table)
    times = [
        float(x1) for x0, _y, x1, w in words if stamp.fullmatch(w) and abs(float(x0) - header["When"]) < 2
    ]
    assert len(times) > 5 and set(header) == {"When", "User"}
    assert max(times) < header["User"] - 3  # the cell's padding and border lie between them


def test_the_run_action_and_the_unit_fields_are_translated(
    sam: FormClient, blank_run: str, demo_store: DemoStore
) -> None:
    # Before, on zh-CN pages: the button "Review lambda_z" and the upload's "Concentration unit", "Time unit",
    # "Dose unit" (also inside the sentence "无：所有行均使用下方的concentration unit") stayed English.
    with make_sessionmaker(demo_store.engine)() as session:
        study = session.scalar(select(Study.id).where(Study.name == "PK-101"))
    sam.post("/ui/account/language", data={"language": "zh-CN"})
    try:
        run = sam.get(blank_run).text
        upload = sam.get(f"/ui/studies/{study}/upload").text
    finally:
        sam.post("/ui/account/language", data={"language": "en"})
    assert re.search(r'href="/ui/runs/[^"]+/review">审核 lambda_z</a>', run)
    assert "Review lambda_z" not in run
    for label in ("浓度单位", "时间单位", "剂量单位"):
        assert f">{label}</label>" in upload
    assert "Concentration unit" not in upload and "Dose unit" not in upload
    assert "列映射与单位" in run
