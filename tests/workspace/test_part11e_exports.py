"""QA audit of the program report and the exports (part11e), each test failing on the main before:

1. The program report's "Analyses and signatures" listed every signature as "name, meaning, time" without
   saying whether it still holds: a signature whose signed content no longer verifies, or one on a run a
   later approved run of its kind supersedes, read like a valid one, and neither the signer's role nor the
   rules at signing were printed (21 CFR 11.50, 11.70). Each signature is now a row with the signer's
   printed name, meaning, time (UTC), role and rules at signing (in the run report's words) and its status:
   valid, superseded by run N (the run page's "Superseded") or not verified (the run report's check).
2. The audit trail's CSV export did not say who exported it or when (its PDF does) and its file name had
   no date: the file name ends with the UTC date, and the response says who (``X-Exported-By``), when
   (``X-Exported-At``, the time of the export's audit row), the program (``X-Program-Id``), the rows
   withheld from the reader (``X-Audit-Withheld``) and the SHA-256 of the file (``X-Content-SHA256``); the
   CSV itself stays a header row and the rows (a comment line breaks CSV readers; EU GMP Annex 11 §8.1).
3. Exports of the audit trail (CSV, PDF) and of the program and run reports (PDF) were not recorded: each
   is now an ``export`` row of the trail (who, what, format, file name, the file's SHA-256; Annex 11 §9),
   in the hash chain (``bioparity audit verify`` stays intact); a partner's member sees their own exports
   only (others' are withheld like others' failed signing attempts).
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Callable
from datetime import UTC, datetime
from html import unescape
from typing import Any
from urllib.parse import unquote

import pandas as pd
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from bioparity.report import render_program_report
from bioparity.report.evidence import collect
from bioparity.store.models import AnalysisRun, Program
from bioparity.workspace.integrity import verify_session_integrity
from tests.workspace.conftest import Company
from tests.workspace.helpers import signed_by as _sign
from tests.workspace.helpers import stored_run as _run
from tests.workspace.test_part11d_records import _browser
from tests.workspace.test_share_scope import _share


def _signature_rows(sessions: sessionmaker[Session], c: Company) -> list[list[str]]:
    """The rows of the program report's signature table (cells as text), English."""
    with sessions() as s:
        program = s.get_one(Program, c.program.id)
        html = render_program_report(s, collect(s, program), lang="en")
    table = re.search(r'<table class="program-signatures">.*?</table>', html, re.S)
    assert table is not None, "no signature table in the program report"
    rows = re.findall(r"<tr>(.*?)</tr>", table.group(0).split("<tbody>")[1], re.S)
    return [
        [
            unescape(re.sub(r"<[^>]+>", "", cell)).strip()
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", r, re.S)
        ]
        for r in rows
    ]


def test_the_program_report_says_whether_each_signature_holds_and_the_role_and_rules_at_signing(
    sessions: sessionmaker[Session], company_factory: Callable[[str], Company]
) -> None:
    c = company_factory("Program report signatures")
    older = _run(sessions, c, "analyst")
    _sign(sessions, c, older, "analyst", "authored")
    newer = _run(sessions, c, "analyst")
    _sign(sessions, c, newer, "analyst", "authored")
    _sign(sessions, c, newer, "reviewer", "reviewed")
    _sign(sessions, c, newer, "statistician", "approved")
    rows = _signature_rows(sessions, c)
    # the printed name with the user name it was signed with (21 CFR 11.50(a)(1), as the run page says it)
    signer = {role: f"{c.users[role].display_name} ({c.users[role].username})" for role in c.users}
    assert [(r[2], r[3], r[5], r[6]) for r in rows] == [
        (signer["analyst"], "authored", "analyst", "segregation of duties on"),
        (signer["analyst"], "authored", "analyst", "segregation of duties on"),
        (signer["reviewer"], "reviewed", "reviewer", "segregation of duties on"),
        (signer["statistician"], "approved", "statistician", "segregation of duties on"),
    ]
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC", r[4]) for r in rows)
    assert [r[7] for r in rows] == [f"superseded by run {newer[:8]}…", "valid", "valid", "valid"]
    # the approved run's result changed behind the signatures' back: its signed content no longer verifies
    with sessions.begin() as s:
        stored = s.get_one(AnalysisRun, newer).result_json
        s.execute(update(AnalysisRun).where(AnalysisRun.id == newer).values(result_json='{"changed": true}'))
    statuses = [r[7] for r in _signature_rows(sessions, c)]
    assert statuses[0] == "valid"  # nothing approved supersedes the older run any more
    assert all(status.startswith("not verified: ") for status in statuses[1:]), statuses
    with sessions.begin() as s:  # as it was (the module's store is verified whole by a later test)
        s.execute(update(AnalysisRun).where(AnalysisRun.id == newer).values(result_json=stored))


def _exports(client: TestClient, c: Company, who: Company, role: str) -> list[dict[str, Any]]:
    """The ``export`` rows of ``c``'s program trail as ``who``'s member of ``role`` reads them (API)."""
    rows = client.get(f"/programs/{c.program.id}/audit", headers=who.auth(role)).json()
    return [r for r in rows if r["action"] == "export"]


def test_exports_say_who_and_when_carry_the_date_and_are_recorded_in_the_trail(
    sessions: sessionmaker[Session], client: TestClient, company_factory: Callable[[str], Company]
) -> None:
    today = datetime.now(UTC).date().isoformat()  # the file names' date (UTC)
    a, b = company_factory("Export owner"), company_factory("Export partner")
    _share(client, a, b, "reviewer", None)
    run_id = _run(sessions, a, "analyst")
    browser = _browser(sessions, client, a, "viewer")
    exported = browser.get(f"/ui/programs/{a.program.id}/audit.csv?action=upload")
    assert exported.status_code == 200
    name = re.search(r'filename="([^"]+)"', exported.headers["content-disposition"])
    assert name is not None and name.group(1).endswith(f"_audit-trail_upload_{today}.csv"), name
    assert unquote(exported.headers["X-Exported-By"]) == a.users["viewer"].username
    assert exported.headers["X-Exported-At"].startswith(today)
    assert exported.headers["X-Program-Id"] == a.program.id and exported.headers["X-Audit-Withheld"] == "0"
    sha = hashlib.sha256(exported.content).hexdigest()
    assert exported.headers["X-Content-SHA256"] == sha
    assert exported.text.startswith("position,seq,")  # no comment line before the header row
    assert set(pd.read_csv(io.BytesIO(exported.content))["action"]) == {"upload"}
    (row,) = _exports(client, a, a, "owner")
    assert (row["actor"], row["object_type"], row["object_id"]) == (
        a.users["viewer"].username,
        "audit_trail",
        a.program.id,
    )
    assert row["after"] == {"name": name.group(1), "format": "csv", "sha256": sha}
    # the audit trail's PDF, the program report's PDF and the run report's PDF are exports too; the HTML
    # report shown in the browser is not a download
    assert browser.get(f"/ui/programs/{a.program.id}/report.html").status_code == 200
    for path in (
        f"/ui/programs/{a.program.id}/audit.pdf",
        f"/ui/programs/{a.program.id}/report.pdf",
        f"/ui/runs/{run_id}/report.pdf",
    ):
        answer = browser.get(path)
        assert answer.status_code == 200 and answer.content.startswith(b"%PDF"), path
        assert answer.headers["X-Content-SHA256"] == hashlib.sha256(answer.content).hexdigest()
    rows = _exports(client, a, a, "owner")
    assert [(r["object_type"], r["object_id"], r["after"]["format"]) for r in rows] == [
        ("audit_trail", a.program.id, "csv"),
        ("audit_trail", a.program.id, "pdf"),
        ("program", a.program.id, "pdf"),
        ("analysis_run", run_id, "pdf"),
    ]
    # a partner's member sees their own exports, not the owner's (nor another partner's)
    partner = _browser(sessions, client, b, "reviewer")
    assert partner.get(f"/ui/programs/{a.program.id}/report.pdf").status_code == 200
    assert [r["actor"] for r in _exports(client, a, b, "reviewer")] == [b.users["reviewer"].username]
    assert _exports(client, a, b, "analyst") == []
    assert len(_exports(client, a, a, "viewer")) == 5
    with sessions() as s:
        assert verify_session_integrity(s).problems == ()
