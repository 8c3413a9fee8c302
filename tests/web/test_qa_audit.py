"""Findings of the GxP QA audit (notes/qa-audit.md) seen on the pages, on a demo store of this module's own.

F2: the program's audit trail as a reader sees it (page, CSV, PDF) says what a change changed, old -> new,
and whose access a share gave or removed. Before, the three rows of switching segregation of duties off, on
again and editing the description all read ``name: MB-201 (IgG1 mAb)``; removing the partner's access read
nothing at all; no share row named the partner organisation. The stored rows held the before and after all
along.

F9: a dataset's page names who stored it and the newer versions of the same name (a superseded version
is kept as it is; before, its page did not say that a newer one existed, nor who had uploaded it).
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
from datetime import UTC
from pathlib import Path

import pytest
from sqlalchemy import select

from bioparity.audit.trail import verify_session
from bioparity.demo.load import PARTNER, PROGRAM
from bioparity.store import make_sessionmaker
from bioparity.store.models import AnalysisRun, Dataset, Organisation, Program, Study, User
from bioparity.workspace import Actor, datasets, programs
from bioparity.workspace.security_events import trail_rows
from tests.web.conftest import DemoStore, demo_client, own_demo_store

# the changes below must not reach other tests' program (own_demo_store)
store = own_demo_store("audit-details")


@pytest.fixture(scope="module")
def changed(store: DemoStore) -> str:
    """As the owner: segregation of duties off and on again, a new description, the partner's share
    removed and offered again. The program's id."""
    sessions = make_sessionmaker(store.engine)
    with sessions.begin() as s:
        actor = Actor.of(s.scalars(select(User).where(User.username == "olivia")).one())
        program = s.scalars(select(Program).where(Program.name == PROGRAM)).one()
        partner = s.scalars(select(Organisation).where(Organisation.name == PARTNER)).one()
        sod = {"segregation_of_duties": False}
        programs.update_program(s, actor, program.id, sod, reason=SOD_OFF)
        programs.update_program(
            s, actor, program.id, {"segregation_of_duties": True}, reason="  CC-12 closed "
        )
        programs.update_program(s, actor, program.id, {"description": "Phase 1 done"})
        programs.unshare_program(s, actor, program.id, partner.id, reason="CMC work package ended")
        programs.share_program(s, actor, program.id, partner.id, "viewer", reason="read-only for the report")
        return str(program.id)


#: A reason with characters a CSV and a PDF must keep (quotes, comma, non-ASCII).
SOD_OFF = 'CC-12: one-person "pilot" lab, 2 weeks; 临时'


def _rows(store: DemoStore, program_id: str, action: str) -> list[dict[str, str]]:
    with demo_client(store, "olivia") as olivia:
        exported = olivia.get(f"/ui/programs/{program_id}/audit.csv")
    assert exported.status_code == 200
    return [r for r in csv.DictReader(io.StringIO(exported.text)) if r["action"] == action]


def test_an_update_names_each_changed_field_old_and_new(store: DemoStore, changed: str) -> None:
    details = [r["details"] for r in _rows(store, changed, "update")]
    assert details[-3:] == [
        f"name: {PROGRAM}; segregation_of_duties: true → false",
        f"name: {PROGRAM}; segregation_of_duties: false → true",
        f"name: {PROGRAM}; description: Synthetic demonstration program: IgG1 mAb biosimilar candidate "
        "with EU and US reference product, three-arm PK similarity study, comparative analytical "
        "assessment. → Phase 1 done",
    ]


def test_share_rows_name_the_partner_and_a_removal_says_what_was_removed(
    store: DemoStore, changed: str
) -> None:
    (removed,) = _rows(store, changed, "unshare")
    assert removed["details"] == f"role: analyst; status: accepted; scope: caa; partner: {PARTNER}"
    shared = [r["details"] for r in _rows(store, changed, "share")]
    assert shared == [
        f"role: analyst; status: pending; scope: caa; partner: {PARTNER}",  # the demo's share
        f"role: viewer; status: pending; scope: whole program; partner: {PARTNER}",
    ]
    (accepted,) = _rows(store, changed, "share_accept")  # the demo's: the partner's owner accepted
    assert accepted["details"].startswith(f"role: analyst; scope: caa; partner: {PARTNER}; ")
    assert "status: pending → accepted" in accepted["details"]


def test_the_page_and_the_pdf_show_the_same_details(store: DemoStore, changed: str, tmp_path: Path) -> None:
    with demo_client(store, "olivia") as olivia:
        page = olivia.get(f"/ui/programs/{changed}/audit").text
        pdf = olivia.get(f"/ui/programs/{changed}/audit.pdf")
    assert "segregation of duties: yes → no" in page  # the field and its values in words (CSV: as stored)
    assert f"partner: {PARTNER}" in page
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is missing: run scripts/system-deps.sh")
    (tmp_path / "audit.pdf").write_bytes(pdf.content)
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "audit.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "segregation of duties: yes → no" in " ".join(text.split())


def test_who_answered_a_share_is_named_by_user_name_not_by_id(store: DemoStore, changed: str) -> None:
    """Web QA F2: the demo's share_accept row read "responded by: — → 6500e500-299b-..." on the page: the
    partner owner's user id, naming nobody to a reader. The page names the user (the CSV, which is data,
    keeps the recorded id)."""
    with make_sessionmaker(store.engine)() as s:
        carl = s.scalars(select(User).where(User.username == "carl")).one().id
    (accepted,) = _rows(store, changed, "share_accept")
    assert f"responded_by: null → {carl}" in accepted["details"]
    with demo_client(store, "olivia") as olivia:
        page = olivia.get(f"/ui/programs/{changed}/audit").text
    assert "responded by: — → carl;" in page
    assert carl not in page


@pytest.fixture(scope="module")
def caa_v2(store: DemoStore) -> tuple[str, str]:
    """Version 2 of the approved CAA run's input ``caa-lots`` (one value changed), stored by sam: the ids
    of version 1 and version 2."""
    sessions = make_sessionmaker(store.engine)
    with sessions.begin() as s:
        study = s.scalars(select(Study).where(Study.name == "CAA-01")).one()
        first = s.scalars(
            select(Dataset).where(Dataset.study_id == study.id, Dataset.name == "caa-lots")
        ).one()
        content = datasets.dataset_content(s, first).replace(b",98.4,%", b",99.4,%", 1)
        sam = Actor.of(s.scalars(select(User).where(User.username == "sam")).one())
        second = datasets.upload_dataset(
            s,
            sam,
            study.id,
            name="caa-lots",
            filename="caa.csv",
            content=content,
            analysis_kind="caa",
            reason="lot 3 purity re-integrated (deviation DV-7)",
        )
        return str(first.id), str(second.id)


def test_a_superseded_dataset_names_its_newer_versions_and_who_stored_it(
    store: DemoStore, caa_v2: tuple[str, str]
) -> None:
    old_id, new_id = caa_v2
    with demo_client(store, "rita") as rita:  # a reader (the partner lost its share above)
        old, new = rita.get(f"/ui/datasets/{old_id}").text, rita.get(f"/ui/datasets/{new_id}").text
    assert re.search(rf'id="dataset-newer"><a href="/ui/datasets/{new_id}">v2</a> \(\d{{4}}-', old)
    assert '<dd id="dataset-uploader">Paula Partner (paula)</dd>' in old
    assert 'id="dataset-newer"' not in new and '<dd id="dataset-uploader">Sam Statistician (sam)</dd>' in new


def test_an_approved_run_on_a_superseded_input_says_so_and_stays_approved(
    store: DemoStore, caa_v2: tuple[str, str]
) -> None:
    """F9: the approved CAA run rests on caa-lots v1 after v2 was stored. Before, neither its page nor the
    program dashboard said so; now both name v2, who stored it and when, and the run stays approved."""
    old_id, new_id = caa_v2
    with make_sessionmaker(store.engine)() as s:
        run = s.scalars(select(AnalysisRun).where(AnalysisRun.dataset_id == old_id)).one()
        run_id, program_id = (
            str(run.id),
            str(s.scalars(select(Study.program_id).where(Study.id == run.study_id)).one()),
        )
        newest = s.get(Dataset, new_id)
        assert newest is not None
        at = newest.created_at.replace(tzinfo=UTC).strftime("%Y-%m-%d %H:%M")
    expected = f"A newer version of dataset caa-lots (v2, stored by Sam Statistician (sam) at {at}"
    with demo_client(store, "rita") as rita:
        page, dashboard = rita.get(f"/ui/runs/{run_id}").text, rita.get(f"/ui/programs/{program_id}").text
    flag = re.search(r'id="newer-input"><p>(.*?)</p>', page, re.S)
    assert flag is not None, page
    assert expected in flag.group(1) and "this approved result uses v1" in flag.group(1), flag.group(1)
    assert f'href="/ui/datasets/{new_id}"' in flag.group(1)
    assert '<span class="badge valid">approved</span>' in page  # the approval is not undone
    row = re.search(rf'id="newer-input-{run_id}">(.*?)</p>', dashboard, re.S)
    assert row is not None and expected in row.group(1), dashboard
    assert "approved, used in reports" in dashboard


def test_the_trail_gives_the_reason_for_each_change_and_a_dash_where_none_was_asked(
    store: DemoStore, changed: str, tmp_path: Path
) -> None:
    """EU GMP Annex 11 section 9: the reason for a change is documented with it, in every view of the
    trail; rows that needed none (and rows written before reasons were asked for) read "—"."""
    updates = [(r["details"].split("; ")[-1], r["reason"]) for r in _rows(store, changed, "update")][-3:]
    assert updates == [
        ("segregation_of_duties: true → false", SOD_OFF),
        ("segregation_of_duties: false → true", "CC-12 closed"),  # trimmed
        (updates[2][0], "—"),  # a description needs no reason
    ]
    assert [r["reason"] for r in _rows(store, changed, "unshare")] == ["CMC work package ended"]
    assert [r["reason"] for r in _rows(store, changed, "share")] == [
        "CMC comparability partner: uploads and analyses the CAA lots (demo)",
        "read-only for the report",
    ]
    assert {r["reason"] for r in _rows(store, changed, "run")} == {"—"}
    with demo_client(store, "olivia") as olivia:
        page = olivia.get(f"/ui/programs/{changed}/audit").text
        pdf = olivia.get(f"/ui/programs/{changed}/audit.pdf")
    assert '<th scope="col">Reason</th>' in page
    assert '<td class="reason">CC-12: one-person &#34;pilot&#34; lab, 2 weeks; 临时</td>' in page
    assert '<td class="reason">—</td>' in page
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is missing: run scripts/system-deps.sh")
    (tmp_path / "audit.pdf").write_bytes(pdf.content)
    text = " ".join(
        subprocess.run(["pdftotext", str(tmp_path / "audit.pdf"), "-"], capture_output=True, text=True,
                       check=True).stdout.split()
    )  # fmt: skip
    assert "Reason" in text and "CMC work package ended" in text and "read-only for the report" in text


def test_the_audit_csv_reconciles_with_the_stored_chain(store: DemoStore, changed: str) -> None:
    """GxP audit F3.2: the CSV's ``at`` is rounded to the second, while a row's hash covers the time as
    stored (microseconds): the export now also gives ``recorded_at`` as stored, so each row matches the
    administrator's export of the whole trail by seq, time and row hash, and the chain verifies."""
    with demo_client(store, "olivia") as olivia:
        exported = olivia.get(f"/ui/programs/{changed}/audit.csv").text
    rows = list(csv.DictReader(io.StringIO(exported)))
    with make_sessionmaker(store.engine)() as s:
        stored = {e.seq: (e.at, e.row_hash) for e in trail_rows(s)}
        assert verify_session(s).intact
    assert rows and all(stored[int(r["seq"])] == (r["recorded_at"], r["row_hash"]) for r in rows)
    assert any("." in r["recorded_at"] and r["recorded_at"] != r["at"] for r in rows)
