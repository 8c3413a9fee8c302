"""Findings W8-W11 and W19-W21 of the web QA pass (notes/web-qa-findings.md), driven as the demo users do:
a semicolon-separated file is refused at upload (not after a column mapping that cannot succeed), a
workbook is read from its one sheet with data and the dataset page names it (data on two sheets is
refused naming them), ..."""

from __future__ import annotations

import csv
import html
import io
import re
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bioparity.store import make_sessionmaker
from bioparity.store.models import Study
from tests.io.test_workbook_sheets import PROFILE, workbook
from tests.web.conftest import DemoStore, FormClient, demo_client

SEMICOLON_REFUSAL = "the header is one column &#39;time;conc&#39;: the file looks semicolon-separated"


@pytest.fixture(scope="module")
def sam(demo_store: DemoStore) -> Iterator[FormClient]:
    with demo_client(demo_store, "sam") as client:
        yield client


@contextmanager
def in_chinese(client: FormClient) -> Iterator[FormClient]:
    """The client with its pages in zh-CN (English again on leaving)."""
    client.post("/ui/account/language", data={"language": "zh-CN"})
    try:
        yield client
    finally:
        client.post("/ui/account/language", data={"language": "en"})


@pytest.fixture(scope="module")
def pk_study(demo_store: DemoStore) -> str:
    with make_sessionmaker(demo_store.engine)() as session:
        study = session.scalar(select(Study.id).where(Study.name == "PK-101"))
    assert study is not None
    return str(study)


def upload(client: FormClient, study: str, name: str, filename: str, content: bytes, **form: str) -> Any:
    return client.post(
        f"/ui/studies/{study}/upload",
        data={"name": name, "analysis_kind": "nca", **form},
        files={"file": (filename, content, "application/octet-stream")},
    )


def test_a_semicolon_separated_file_is_refused_before_the_column_mapping(
    sam: FormClient, pk_study: str
) -> None:
    # Before: the mapping step opened (selects offering time/conc split on ';', a preview of one column
    # 'time;conc'), and only after mapping was the file refused as semicolon-separated.
    page = upload(sam, pk_study, "qa-semi", "semi2.csv", b"time;conc\n0;0\n1;4.2\n2;7.5\n")
    assert page.status_code == 422
    assert 'name="mapping"' not in page.text and "map_time" not in page.text
    assert SEMICOLON_REFUSAL in page.text
    assert "save it as &#39;CSV UTF-8 (comma delimited)&#39;" in page.text
    tab = upload(sam, pk_study, "qa-tab", "tab.csv", b"subject\ttime\tconc\nA\t0\t0\n")
    assert tab.status_code == 422 and "the file looks tab-separated" in tab.text
    assert "map_time" not in tab.text


def test_a_workbook_is_read_from_its_one_sheet_with_data_and_the_page_says_which(
    sam: FormClient, pk_study: str, tmp_path: Path
) -> None:
    # Before: the first sheet was read: "missing column(s) subject, time, conc; columns found: this sheet
    # is notes" for Notes+Data, and with the data first any other sheet was ignored without a word.
    two = workbook(tmp_path / "twosheets.xlsx", {"Notes": [["this sheet is notes"]], "Data": PROFILE})
    refused = upload(sam, pk_study, "qa-two-sheets", "twosheets.xlsx", two.read_bytes(), dose_unit="mg")
    assert refused.status_code == 422
    assert "has data on 2 sheets (&#39;Notes&#39;, &#39;Data&#39;), and one sheet is read" in refused.text
    cover = workbook(tmp_path / "cover.xlsx", {"Cover": [], "Data": PROFILE})
    stored = upload(sam, pk_study, "qa-cover-sheet", "cover.xlsx", cover.read_bytes(), dose_unit="mg")
    assert stored.status_code == 200 and "Stored 7 checked rows" in stored.text
    sheet = re.search(r'<dd id="dataset-sheet">([^<]*)</dd>', stored.text)
    assert sheet is not None
    assert (
        html.unescape(sheet.group(1)) == "Data: the only sheet with data of the workbook's sheets Cover, Data"
    )
    with in_chinese(sam):
        chinese = sam.get(stored.url.path).text
    assert "Data：工作簿各工作表（Cover, Data）中唯一有数据的工作表" in chinese


def test_a_cell_of_two_million_characters_is_refused_at_upload(
    sam: FormClient, pk_study: str, tmp_path: Path
) -> None:
    # Before: accepted as 39 rows, and the dataset page was 2 MB of HTML with the id written out in full.
    huge = "x" * 2_000_000
    content = f"subject,time,conc\nA,0,0\nA,1,4.2\n{huge},2,7.5\n".encode()
    page = upload(sam, pk_study, "qa-hugecell", "hugecell.csv", content, dose_unit="mg")
    assert page.status_code == 422
    assert (
        "hugecell.csv, row 3 (line 4), column &#39;subject&#39;: a cell of 2,000,000 characters, more than "
        "the limit of 10,000" in page.text
    )
    assert len(page.text) < 100_000  # the file's lines are shown cut, not in full
    with in_chinese(sam):
        chinese = upload(sam, pk_study, "qa-hugecell", "hugecell.csv", content, dose_unit="mg").text
        sheets = workbook(tmp_path / "two.xlsx", {"Notes": [["notes"]], "Data": PROFILE}).read_bytes()
        two = upload(sam, pk_study, "qa-two-sheets", "two.xlsx", sheets, dose_unit="mg").text
    assert "单元格有 2,000,000 个字符，超过上限 10,000" in chinese
    assert "每个单元格至多 10,000 个字符" in chinese
    assert "有 2 个工作表含数据（'Notes', 'Data'），而只能读取一个工作表" in html.unescape(two)


def test_the_mapping_step_shows_a_long_cell_cut(sam: FormClient, pk_study: str) -> None:
    # Columns to map (Subject, Time, Conc): the mapping step's preview showed every cell in full.
    content = f"Subject,Time,Conc\nA,0,0\n{'x' * 200_000},1,4.2\n".encode()
    page = upload(sam, pk_study, "qa-hugecell-map", "hugecell-map.csv", content, dose_unit="mg")
    assert page.status_code == 200 and 'name="map_subject"' in page.text
    assert f"<td>{'x' * 300}…</td>" in page.text
    assert "x" * 301 not in page.text  # (the file itself is in the form, base64-encoded, to post it back)


def test_the_readiness_heading_counts_requirements_as_the_explanation_does(
    sam: FormClient, demo_store: DemoStore
) -> None:
    # Before: "European Union (EMA): gaps 6 of 10 requirements met" over "3 of 7 requirements are met": the
    # heading counted the eligibility conditions (3, all met) as requirements too.
    page = sam.get(f"/ui/programs/{demo_store.summary.program_id}").text
    region = re.search(r'<details class="card readiness" id="region-EMA">(.*?)</details>', page, re.S)
    assert region is not None
    heading = re.search(r'<span class="hint">(.*?)</span></h3>', region.group(1), re.S)
    explanation = re.search(r'<p class="explanation">(.*?)</p>', region.group(1), re.S)
    assert heading is not None and explanation is not None
    assert re.fullmatch(
        r"3 of 7 requirements met · 3 of 3 eligibility conditions met · rules [\w.-]+", heading.group(1)
    ), heading.group(1)
    assert "3 of 7 requirements are met." in explanation.group(1)
    rows = re.findall(r"<tr><td>[^<]*<span class=\"hint\">\[[^,]+, (\w+)\]", region.group(1))
    assert (rows.count("requirement"), rows.count("eligibility")) == (7, 3)


def test_the_nca_summary_counts_the_blq_samples_kept_apart_from_those_left_out(
    sam: FormClient, demo_store: DemoStore
) -> None:
    # Before: "0 missing and 0 BLQ samples left out" beside "subjects with blq imputed: 201", which read
    # as a contradiction: the pre-dose BLQ samples are kept as 0 (the BLQ rule's "first=keep"), not left out.
    page = sam.get(f"/ui/runs/{demo_store.summary.runs['nca']}").text
    summary = re.search(r'id="run-summary"[^>]*>(.*?)</', page, re.S)
    assert summary is not None
    # The demo's concentrations (demo.synthetic.pk_concentrations) have 201 pre-dose 0 and 41 'BLQ' cells,
    # all kept by the default BLQ rule; the pre-dose 0 is the baseline, not counted (it was: 242).
    assert (
        "0 missing and 0 BLQ samples left out; BLQ samples after the dose kept as 0 or imputed (not left "
        "out; a pre-dose 0 is the baseline, not counted): 41"
    ) in summary.group(1)
    with in_chinese(sam):
        chinese = sam.get(f"/ui/runs/{demo_store.summary.runs['nca']}").text
    assert (
        "；给药后按 0 保留或已填补（未剔除；给药前的 0 为基线，不计入）的低于定量下限样品：41 个" in chinese
    )


def test_the_audit_export_numbers_its_events_and_says_why_sequence_numbers_have_gaps(
    sam: FormClient, demo_store: DemoStore, tmp_path: Path
) -> None:
    # Before: the sequence numbers jumped (20 -> 22, 34 -> 44: other programs' events; the chain is the
    # workspace's) and nothing in the export said so.
    program = demo_store.summary.program_id
    exported = sam.get(f"/ui/programs/{program}/audit.csv")
    assert exported.status_code == 200
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [r["position"] for r in rows] == [str(n) for n in range(1, len(rows) + 1)]
    seqs = [int(r["seq"]) for r in rows]
    assert seqs == sorted(seqs) and seqs[-1] - seqs[0] + 1 > len(seqs)  # gaps: other programs' events
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext (poppler-utils) is missing: run scripts/system-deps.sh")
    pdf = tmp_path / "audit.pdf"
    pdf.write_bytes(sam.get(f"/ui/programs/{program}/audit.pdf").content)
    text = " ".join(
        subprocess.run(
            ["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True
        ).stdout.split()
    )
    assert (
        "# is the workspace's audit sequence number: its gaps are events of other programs (or events the "
        "filter leaves out). The hash chain runs over the whole workspace trail and is verified with "
        "“bioparity audit verify”."
    ) in text
