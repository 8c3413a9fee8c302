"""QA audit of the program report and the exports (part11e), each test failing on the main before:

1. The program report's "Analyses and signatures" listed every signature as "name, meaning, time" without
   saying whether it still holds: a signature whose signed content no longer verifies, or one on a run a
   later approved run of its kind supersedes, read like a valid one, and neither the signer's role nor the
   rules at signing were printed (21 CFR 11.50, 11.70). Each signature is now a row with the signer's
   printed name, meaning, time (UTC), role and rules at signing (in the run report's words) and its status:
   valid, superseded by run N (the run page's "Superseded") or not verified (the run report's check).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html import unescape

from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from bioparity.report import render_program_report
from bioparity.report.evidence import collect
from bioparity.store.models import AnalysisRun, Program
from tests.workspace.conftest import Company
from tests.workspace.helpers import signed_by as _sign
from tests.workspace.helpers import stored_run as _run


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
    _sign(sessions, c, newer, "reviewer", "reviewed")
    _sign(sessions, c, newer, "statistician", "approved")
    rows = _signature_rows(sessions, c)
    assert [(r[2], r[3], r[5], r[6]) for r in rows] == [
        (c.users["analyst"].display_name, "authored", "analyst", "segregation of duties on"),
        (c.users["reviewer"].display_name, "reviewed", "reviewer", "segregation of duties on"),
        (c.users["statistician"].display_name, "approved", "statistician", "segregation of duties on"),
    ]
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC", r[4]) for r in rows)
    assert [r[7] for r in rows] == [f"superseded by run {newer[:8]}…", "valid", "valid"]
    # the approved run's result changed behind the signatures' back: its signed content no longer verifies
    with sessions.begin() as s:
        s.execute(update(AnalysisRun).where(AnalysisRun.id == newer).values(result_json='{"changed": true}'))
    statuses = [r[7] for r in _signature_rows(sessions, c)]
    assert statuses[0] == "valid"  # nothing approved supersedes the older run any more
    assert all(status.startswith("not verified: ") for status in statuses[1:]), statuses
