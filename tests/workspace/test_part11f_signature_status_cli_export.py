"""QA audit of the run report's signatures and the command line's audit export (part11f), each test failing
on the main before:

1. The run report printed a signature that no longer verifies as "INVALID: …" where the program report
   says "not verified: …", and printed a signature of a run that a later approved run supersedes as
   "valid" (the program report and the run page say "superseded"). Both reports now print each
   signature's status with one template macro (``_signing.html.j2``) from the same facts (21 CFR 11.50,
   11.70): valid, superseded by run N, or not verified, in English and Chinese.
2. ``bioparity audit export`` wrote the whole trail without a trace in it (the web downloads record an
   ``export`` row): it now records one, made by the command line's actor (``system (account@host)``, as
   the account commands record), with the file's path, format, SHA-256 and filter; ``bioparity audit
   verify`` still passes (EU GMP Annex 11 §9).
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections.abc import Callable
from html import unescape
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from bioparity.cli.main import app
from bioparity.report import render_program_report, render_run_report
from bioparity.report.context import run_context
from bioparity.report.evidence import collect
from bioparity.store.models import AnalysisRun, AuditEvent, Program
from bioparity.workspace import accounts
from tests.workspace.conftest import Company, url_of
from tests.workspace.helpers import signed_by as _sign
from tests.workspace.helpers import stored_run as _run
from tests.workspace.test_part11d_records import _browser


def _cells(html: str) -> list[str]:
    """The status cells of a report's signatures, as text."""
    found = re.findall(r'<td class="signature-status[^"]*">(.*?)</td>', html, re.S)
    return [unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in found]


def _run_statuses(sessions: sessionmaker[Session], c: Company, run_id: str, lang: str) -> list[str]:
    with sessions() as s:
        html = render_run_report(run_context(s, c.actor("viewer"), run_id), lang=lang)
    table = re.search(r'<table class="signatures">.*?</table>', html, re.S)
    assert table is not None, "no signature table in the run report"
    return _cells(table.group(0))


def _program_statuses(sessions: sessionmaker[Session], c: Company, lang: str) -> list[str]:
    with sessions() as s:
        html = render_program_report(s, collect(s, s.get_one(Program, c.program.id)), lang=lang)
    return _cells(html)


def _superseded_run(sessions: sessionmaker[Session], c: Company) -> tuple[str, str]:
    """An authored run and the later run of its kind in its study, reviewed and approved, which supersedes
    it: their ids (older, newer)."""
    older = _run(sessions, c, "analyst")
    _sign(sessions, c, older, "analyst", "authored")
    newer = _run(sessions, c, "analyst")
    _sign(sessions, c, newer, "analyst", "authored")
    _sign(sessions, c, newer, "reviewer", "reviewed")
    _sign(sessions, c, newer, "statistician", "approved")
    return older, newer


@pytest.mark.parametrize(
    ("lang", "valid", "superseded", "not_verified", "header"),
    [
        ("en", "valid", "superseded by run {run}", "not verified: ", "Status"),
        ("zh-CN", "有效", "已被运行 {run} 取代", "未通过验证：", "状态"),
    ],
)
def test_the_run_report_says_superseded_and_not_verified_as_the_program_report_does(
    sessions: sessionmaker[Session],
    client: TestClient,
    company_factory: Callable[[str], Company],
    lang: str,
    valid: str,
    superseded: str,
    not_verified: str,
    header: str,
) -> None:
    c = company_factory(f"Run report signatures {lang}")
    older, newer = _superseded_run(sessions, c)
    later = superseded.format(run=f"{newer[:8]}…")
    assert _run_statuses(sessions, c, older, lang) == [later]
    assert _run_statuses(sessions, c, newer, lang) == [valid, valid, valid]
    if lang == "en":  # the run report the browser shows (and downloads as PDF) says it too
        page = _browser(sessions, client, c, "viewer").get(f"/ui/runs/{older}/report.html")
        assert page.status_code == 200 and _cells(page.text) == [later]
    # one wording: the program report prints the same statuses of the same signatures
    assert _program_statuses(sessions, c, lang) == [later, valid, valid, valid]
    with sessions() as s:
        html = render_run_report(run_context(s, c.actor("viewer"), older), lang=lang)
    head = re.search(r'<table class="signatures"><thead>(.*?)</thead>', html, re.S)
    assert head is not None and f"<th>{header}</th>" in head.group(1)
    assert "INVALID" not in html and "无效：" not in html
    # the approved run's result changed behind the signatures' back: its signatures no longer verify
    with sessions.begin() as s:
        stored = s.get_one(AnalysisRun, newer).result_json
        s.execute(update(AnalysisRun).where(AnalysisRun.id == newer).values(result_json='{"changed": true}'))
    try:
        statuses = _run_statuses(sessions, c, newer, lang)
        assert len(statuses) == 3 and all(s.startswith(not_verified) for s in statuses), statuses
        assert _run_statuses(sessions, c, older, lang) == [valid]  # nothing approved supersedes it now
        assert _program_statuses(sessions, c, lang)[1:] == statuses
    finally:
        with sessions.begin() as s:  # as it was (the module's store is verified whole by the next test)
            s.execute(update(AnalysisRun).where(AnalysisRun.id == newer).values(result_json=stored))


def test_the_command_line_audit_export_is_recorded_in_the_trail(
    engine: Engine, sessions: sessionmaker[Session], company_factory: Callable[[str], Company], tmp_path: Path
) -> None:
    company_factory("Command line export")
    out = tmp_path / "trail.csv"
    runner, url = CliRunner(), url_of(engine)
    result = runner.invoke(app, ["audit", "export", "--out", str(out), "--database-url", url])
    assert result.exit_code == 0, result.output
    exported = out.read_bytes()
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    with sessions() as s:
        row = s.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)).one()
    assert (row.action, row.object_type, row.object_id, row.program_id, row.org_id) == (
        "export",
        "audit_trail",
        None,
        None,
        None,
    )
    assert row.seq == int(rows[-1]["seq"]) + 1  # after the rows it exported (not in the file itself)
    assert row.actor == accounts.command_line_actor().username and row.actor_id is None
    assert row.actor.startswith("system (")
    assert json.loads(row.after_json or "{}") == {
        "name": str(out.absolute()),
        "format": "csv",
        "sha256": hashlib.sha256(exported).hexdigest(),
    }
    since = runner.invoke(
        app, ["audit", "export", "--out", str(out), "--since", "2999-01-01", "--database-url", url]
    )
    assert since.exit_code == 0, since.output
    with sessions() as s:
        last = s.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)).one()
    assert json.loads(last.after_json or "{}")["filters"] == {"since": "2999-01-01"}
    # a file that cannot be written leaves no row
    count = int(rows[-1]["seq"]) + 2
    bad = runner.invoke(
        app, ["audit", "export", "--out", str(tmp_path / "no" / "such.csv"), "--database-url", url]
    )
    assert bad.exit_code != 0 and "cannot write" in bad.output
    with sessions() as s:
        assert s.scalars(select(AuditEvent.seq).order_by(AuditEvent.seq.desc()).limit(1)).one() == count
    # the export rows join the keyed hash chain: the trail still verifies
    verified = runner.invoke(app, ["audit", "verify", "--database-url", url])
    assert verified.exit_code == 0, verified.output


def test_a_superseded_runs_report_says_superseded_without_being_asked(
    sessions: sessionmaker[Session], company_factory: Callable[[str], Company]
) -> None:
    """The run report built as any caller builds it, through the public functions without a flag
    (``run_context``, then ``bioparity.report.render_run_report``), says a superseded run's signatures are
    superseded. Before, the lookup was opt-in (``run_context(..., superseded=True)``, which only the web
    download passed): another caller's report printed them "valid"."""
    c = company_factory("Run report superseded, unasked")
    older, newer = _superseded_run(sessions, c)
    assert _run_statuses(sessions, c, older, "en") == [f"superseded by run {newer[:8]}…"]  # no flag there
