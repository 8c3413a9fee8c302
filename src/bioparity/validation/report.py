"""The installation / operational qualification report, as HTML (deterministic) and PDF (WeasyPrint)."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import jinja2

from bioparity.io.files import atomic_write_bytes, atomic_write_text
from bioparity.validation.runner import ValidationRun


def report_date() -> str:
    """The run date (UTC): ``SOURCE_DATE_EPOCH`` when set (reproducible builds convention), else today."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = dt.datetime.fromtimestamp(int(epoch), dt.UTC) if epoch else dt.datetime.now(dt.UTC)
    return moment.strftime("%Y-%m-%d")


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("bioparity.validation", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def _number(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.10g}"
    return str(value)


def render_html(run: ValidationRun) -> str:
    """The report as one self-contained HTML document; same inputs and environment give the same bytes."""
    env = _environment()
    env.filters["num"] = _number
    template = env.get_template("report.html.j2")
    return template.render(run=run, date=report_date())


def write_report(run: ValidationRun, out: Path) -> Path:
    """Write the report as ``.html`` or ``.pdf`` (chosen by the suffix), atomically."""
    html = render_html(run)
    if out.suffix.lower() == ".pdf":
        import weasyprint  # type: ignore[import-untyped]  # heavy import, only for PDF

        return atomic_write_bytes(out, weasyprint.HTML(string=html).write_pdf() or b"")
    return atomic_write_text(out, html)
