"""Rendering the reports (Jinja2 templates in ``report/templates``) from stored data only."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pandas as pd
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from sqlalchemy.orm import Session

from bioparity.report import figures, static
from bioparity.report.context import MAX_TABLE_ROWS, RunContext
from bioparity.report.evidence import ProgramEvidence, pk_rows, readiness, table_rows
from bioparity.report.format import fmt_time, fmt_value
from bioparity.report.tables import ReportTables, Table, pk_tables, run_tables
from bioparity.store.models import Organisation

_ENV = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html", "j2"]),
    keep_trailing_newline=True,
)
_ENV.filters["value"] = fmt_value
_ENV.filters["time"] = fmt_time


def svg_image(svg: str, alt: str) -> Markup:
    """An SVG as an ``<img>`` with a data URI (self-contained HTML that WeasyPrint also renders)."""
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return Markup('<img class="plot" alt="{}" src="data:image/svg+xml;base64,{}">').format(alt, Markup(data))


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def run_plots(ctx: RunContext) -> list[Markup]:
    plots = []
    if ctx.forest is not None:
        plots.append(
            svg_image(static.forest_svg(ctx.forest), "Forest plot of GMRs and CIs against the limits")
        )
    if ctx.profiles is not None:
        for log in (False, True):
            alt = "Mean concentration-time profiles per arm, " + ("semi-log" if log else "linear")
            plots.append(svg_image(static.profiles_svg(ctx.profiles, log=log), alt))
        if ctx.profiles.individual:
            plots.append(
                svg_image(static.individual_svg(ctx.profiles), "Individual profiles per arm, semi-log")
            )
    if ctx.power is not None:
        plots.append(svg_image(static.power_svg(ctx.power), "Power curves"))
    return plots


def caa_plots(ctx: RunContext) -> list[Markup]:
    """One plot per CAA attribute (lots by source, acceptance ranges shaded), failed attributes first."""
    return [
        svg_image(static.caa_svg(plot, small=True), f"Lot values of {plot.name or plot.attribute} by source")
        for plot in ctx.caa_all
    ]


def report_tables(ctx: RunContext) -> ReportTables:
    """The run's main tables and appendix (see :mod:`bioparity.report.tables`)."""
    return run_tables(ctx.run.kind, ctx.columns, ctx.rows, figures.caa_names(ctx.options))


def render_run_report(ctx: RunContext) -> str:
    """The HTML report of one run (deterministic: no clock, fixed plot output)."""
    return _ENV.get_template("run_report.html.j2").render(
        ctx=ctx,
        plots=run_plots(ctx),
        caa_plots=caa_plots(ctx),
        tables=report_tables(ctx),
        max_rows=MAX_TABLE_ROWS,
        options_json=_json(ctx.options),
    )


def _requirements_table(region: Any) -> Table:
    rows = []
    for r in region.requirements:
        source = ", ".join(
            p
            for p in (
                r.source,
                r.source_date if r.source_date not in r.source else "",
                f"section {r.section}" if r.section else "",
            )
            if p
        )
        guideline = r.citation + (f". Source: {source}" if source else "")
        rows.append(
            (
                f"{r.title} [{r.rule_id}]",
                r.kind,
                r.status.replace("_", " "),
                r.detail + (f" Work: {r.work}" if r.work and r.status != "met" else ""),
                "; ".join(r.evidence) or "—",
                guideline or "—",
            )
        )
    return Table(
        f"{region.region_name}: every requirement with its status, reason, evidence and guideline",
        ("requirement", "kind", "status", "reason", "evidence IDs", "guideline (source, date, section)"),
        tuple(rows),
        (False,) * 6,
    )


def render_program_report(session: Session, evidence: ProgramEvidence) -> str:
    """The program's similarity summary: readiness, PK similarity per study, CAA outcome, all runs."""
    assessment, notes = readiness(evidence)
    pk = []
    for study, run, rows in pk_rows(evidence):
        forest = figures.forest_plot(rows)
        image = None if forest is None else svg_image(static.forest_svg(forest), f"Forest plot, {study.name}")
        table = pk_tables(pd.DataFrame(rows)).main[0] if rows else None
        pk.append({"study": study, "run": run, "rows": rows, "plot": image, "table": table})
    caa = []
    for ev in evidence.studies:
        caa_run = ev.approved("caa")
        if caa_run is None:
            continue
        rows = table_rows(caa_run)
        by_comparison: dict[str, dict[str, int]] = {}
        for r in rows:
            counts = by_comparison.setdefault(str(r["comparison"]), {})
            counts[str(r["status"])] = counts.get(str(r["status"]), 0) + 1
        failed = [r for r in rows if r.get("status") == "fail"]
        caa.append({"study": ev.study, "run": caa_run, "counts": by_comparison, "failed": failed})
    org = session.get(Organisation, evidence.program.org_id)
    return _ENV.get_template("program_report.html.j2").render(
        program=evidence.program,
        org=org,
        evidence=evidence,
        assessment=assessment,
        notes=notes,
        pk=pk,
        caa=caa,
        requirements={r.region: _requirements_table(r) for r in assessment.regions} if assessment else {},
    )
