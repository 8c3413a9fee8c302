"""Benchmark: the report PDFs of the demo program, as the web workspace's "Report (PDF)" download makes them.

Loads the demo (``bioparity demo --load``) into a throwaway SQLite store once, then renders each report in
a fresh process (no memo of an earlier rendering, imports done before the clock starts, as in a running
server): the comparative analytical assessment (CAA) run report in English and in Chinese (25 attribute
plots, a 750-row complete-result appendix), the program report and the NCA run report of PK-101 (201
profiles: the reasons and flags per profile, the other columns per profile and parameter). Each phase is
timed: gathering the run (context), the HTML (tables and figures drawn by matplotlib) and WeasyPrint's
layout into the PDF; the figures are the median wall and CPU time (user + system of the process:
independent of the load other users put on the machine) of ``--repeat`` renderings.

``--nca-subjects N`` adds the NCA run report of a large study: N subjects and two analytes, 2 x N
profiles (``bench/_big_nca.py``; 1002: 2,004 profiles, 46,092 PP rows), uploaded to the demo's PK study.

Targets: the CAA report PDF of the demo <= 10 s wall on the project's 2-core machine; the 2,004-profile
NCA report PDF <= 30 s wall.

Run: ``.venv/bin/python bench/report_pdf.py [--repeat N] [--quick] [--nca-subjects N] [--json]``
(one rendering: ``--child DB REPORT LANG``, REPORT ``caa``, ``program``, ``nca``, ``audit`` or
``run:RUN_ID``)
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from _big_nca import SUBJECTS as BIG_SUBJECTS
from _figures import Figure, at_most, emit, machine

HERE = Path(__file__).resolve().parent
#: The reports rendered: (name, report, language).
REPORTS = (
    ("CAA run report", "caa", "en"),
    ("CAA run report (zh-CN)", "caa", "zh-CN"),
    ("program report", "program", "en"),
    ("NCA run report", "nca", "en"),
    ("audit trail, 300 events", "audit", "en"),
)
#: Events of the audit trail exported (the demo's own trail is short: a program's grows by the thousand).
AUDIT_EVENTS = 300
#: Target for the CAA run report PDF (context + HTML + PDF), wall seconds.
TARGET_S = 10.0
#: Target for the NCA run report PDF of 2,004 profiles (``--nca-subjects 1002``), wall seconds.
BIG_NCA_TARGET_S = 30.0
PHASES = ("context", "html", "pdf")


def _timed(out: dict[str, float], phase: str, work: Callable[[], Any]) -> Any:
    wall, cpu = time.perf_counter(), time.process_time()
    value = work()
    out[f"{phase}_wall"] = time.perf_counter() - wall
    out[f"{phase}_cpu"] = time.process_time() - cpu
    return value


def render(db: str, report: str, lang: str, html_only: bool = False) -> dict[str, float]:
    """Wall and CPU seconds of each phase of one report PDF (in this process) and its size (``html_only``:
    the context and the HTML, no PDF)."""
    import weasyprint  # type: ignore[import-untyped]  # noqa: F401  # before the clock, as in a server
    from sqlalchemy import select

    from bioparity.demo.load import PROGRAM
    from bioparity.i18n import use_language
    from bioparity.report import html_to_pdf, render_program_report, render_run_report
    from bioparity.report.context import run_context
    from bioparity.report.evidence import collect
    from bioparity.store import make_engine, make_sessionmaker
    from bioparity.store.models import AnalysisRun, Program
    from bioparity.workspace import accounts
    from bioparity.workspace.access import Actor

    out: dict[str, float] = {}
    if report == "audit":
        html = _timed(out, "html", _audit_html)
        out["context_wall"] = out["context_cpu"] = 0.0
        pdf = _timed(out, "pdf", lambda: html_to_pdf(html))
        out["kib"] = len(pdf) / 1024
        return out
    # the context in the reader's language too, as for a signed-in user's download
    with make_sessionmaker(make_engine(f"sqlite:///{db}"))() as session, use_language(lang):
        actor = Actor.of(accounts.get_user_by_name(session, "sam"))
        if report == "program":
            program = session.scalars(select(Program).where(Program.name == PROGRAM)).one()
            evidence = _timed(out, "context", lambda: collect(session, program))
            html = _timed(
                out, "html", lambda: render_program_report(session, evidence, lang=lang, for_pdf=True)
            )
        else:
            if report.startswith("run:"):  # a run by its ID (the large NCA run)
                run = session.get(AnalysisRun, report.removeprefix("run:"))
            else:
                run = session.scalars(select(AnalysisRun).where(AnalysisRun.kind == report)).first()
            assert run is not None
            ctx = _timed(out, "context", lambda: run_context(session, actor, run.id))
            html = _timed(out, "html", lambda: render_run_report(ctx, lang=lang, for_pdf=True))
    if html_only:
        return out
    pdf = _timed(out, "pdf", lambda: html_to_pdf(html))
    out["kib"] = len(pdf) / 1024
    return out


def _audit_html() -> str:
    """The audit-trail PDF template filled with :data:`AUDIT_EVENTS` events like a program's."""
    import hashlib
    from types import SimpleNamespace

    from bioparity.web.templating import TEMPLATES

    rows = []
    for i in range(AUDIT_EVENTS):
        digest = hashlib.sha256(str(i).encode()).hexdigest()
        event = SimpleNamespace(
            seq=i + 1,
            actor="sam.statistician",
            action="run.create",
            object_type="analysis_run",
            object_id=digest[:32],
            row_hash=hashlib.sha256(digest.encode()).hexdigest(),
        )
        details = (
            f"kind pk-similarity, dataset PK-101 concentrations v{i % 7 + 1}, options alpha=0.05, "
            f"input sha256 {digest}, reason: re-run after the review of subject S{i:03d} "
            "(lambda_z points 3-6 excluded)"
        )
        rows.append(SimpleNamespace(event=event, at="2026-12-06T11:53:35Z", details=details))
    html: str = TEMPLATES.get_template("audit_export.html").render(
        program=SimpleNamespace(name="XB-101"),
        rows=rows,
        chosen={"action": None, "actor_name": None, "object_type": None},
        exported="2026-12-06T12:00:00Z",
        by="Olivia",
        page_footer="",
    )
    return html


def _child(db: str, report: str, lang: str) -> dict[str, float]:
    """One rendering in a fresh process (nothing memoised from an earlier one)."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", db, report, lang]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False, cwd=HERE.parent)
    if proc.returncode != 0:
        raise SystemExit(f"rendering {report} ({lang}) failed: {proc.stderr.strip()[-500:]}")
    result: dict[str, float] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def figures(repeat: int = 3, quick: bool = False, nca_subjects: int = 0) -> list[Figure]:
    """Median wall and CPU seconds per report (all phases), and the CPU seconds of each phase."""
    from _big_nca import add_run
    from bioparity.demo import load_demo
    from bioparity.store import make_engine

    out: list[Figure] = []
    with tempfile.TemporaryDirectory(prefix="bioparity-bench-") as folder:
        db = str(Path(folder) / "demo.sqlite3")
        os.environ["BIOPARITY_AUDIT_KEY_FILE"] = str(Path(folder) / "audit.key")
        load_demo(make_engine(f"sqlite:///{db}"))
        reports = list(REPORTS[:1] if quick else REPORTS)
        if nca_subjects:
            name = f"NCA run report, {2 * nca_subjects:,} profiles"
            reports = [(name, f"run:{add_run(db, nca_subjects)}", "en"), *([] if quick else reports)]
        for name, report, lang in reports:
            load = os.getloadavg()[0]
            runs = [_child(db, report, lang) for _ in range(repeat)]
            wall = statistics.median(sum(r[f"{p}_wall"] for p in PHASES) for r in runs)
            cpu = statistics.median(sum(r[f"{p}_cpu"] for p in PHASES) for r in runs)
            split = ", ".join(f"{p} {statistics.median(r[f'{p}_cpu'] for r in runs):.2f} s" for p in PHASES)
            setting = (
                f"demo, {runs[0]['kib']:,.0f} KiB PDF; median of {repeat}, imports excluded; "
                f"load average {load:.1f} before, {os.getloadavg()[0]:.1f} after"
            )
            target = at_most(TARGET_S, wall) if (report, lang) == ("caa", "en") else ("", None)
            if report.startswith("run:") and nca_subjects == BIG_SUBJECTS:
                target = at_most(BIG_NCA_TARGET_S, wall)
            out.append(Figure("report_pdf", f"{name} PDF wall", wall, "s", setting, *target))
            out.append(Figure("report_pdf", f"{name} PDF CPU", cpu, "s", f"user + system; {split}"))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--repeat", type=int, default=3, help="renderings of each report; the median is reported"
    )
    parser.add_argument("--quick", action="store_true", help="the English CAA report once")
    parser.add_argument(
        "--nca-subjects", type=int, default=0, help="also the NCA report of a run of N subjects, 2 analytes"
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON (for run_all.py)")
    parser.add_argument("--child", nargs=3, metavar=("DB", "REPORT", "LANG"), help=argparse.SUPPRESS)
    parser.add_argument("--html-only", action="store_true", help=argparse.SUPPRESS)  # with --child
    args = parser.parse_args()
    if args.child:
        db, report, lang = args.child
        print(json.dumps(render(db, report, lang, html_only=args.html_only)))
        return
    if not args.json:
        print(machine())  # the load average before the runs
    emit(figures(1 if args.quick else args.repeat, args.quick, args.nca_subjects), args.json)


if __name__ == "__main__":
    main()
