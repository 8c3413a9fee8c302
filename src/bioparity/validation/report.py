"""The installation / operational qualification report, as HTML (deterministic) and PDF (WeasyPrint).

The report is written in one language (``lang``: English or Simplified Chinese, recorded in section 3);
case names, quantities and reference-set provenance are data and stay as the reference files give them.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

import jinja2

from bioparity.i18n import LANGUAGE_NAMES, chosen_language, install_jinja, use_language
from bioparity.i18n import gettext as _
from bioparity.i18n.printing import fonts, listing, page_counter
from bioparity.io.files import atomic_write_bytes, atomic_write_text
from bioparity.validation.cases import CaseResult
from bioparity.validation.coverage import status_words
from bioparity.validation.runner import ValidationRun


def report_date() -> str:
    """The run date (UTC): ``SOURCE_DATE_EPOCH`` when set (reproducible builds convention), else today."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = dt.datetime.fromtimestamp(int(epoch), dt.UTC) if epoch else dt.datetime.now(dt.UTC)
    return moment.strftime("%Y-%m-%d")


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("bioparity.validation", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    install_jinja(env)
    env.globals.update(page_counter=page_counter, status_words=status_words)
    return env


def _number(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.10g}"
    return str(value)


@dataclass(frozen=True)
class ListingLine:
    """One line of a fixed-width listing and whether it marks a failure (shown in red)."""

    text: str
    failed: bool = False


def case_listing(run: ValidationRun) -> list[ListingLine]:
    """Section 5: every case with expected, observed, comparison and result, one line each.

    Cases are grouped by reference set (a heading line names the area and the set), so each group's
    columns are only as wide as its own longest case name and every line fits a landscape page.
    """
    headers = ("#", _("case"), _("quantity"), _("expected"), _("observed"), _("comparison"), _("result"))
    groups: dict[tuple[str, str], list[tuple[int, CaseResult]]] = {}
    for i, c in enumerate(run.cases, start=1):
        groups.setdefault((c.area, c.reference), []).append((i, c))
    out: list[ListingLine] = []
    for (area, reference), members in groups.items():
        rows = [
            (
                str(i),
                c.case,
                c.quantity,
                _number(c.expected),
                _number(c.observed),
                f"{c.comparison} {_number(c.tolerance)}",
                _("pass") if c.passed else _("FAIL"),
            )
            for i, c in members
        ]
        text = listing(headers, rows, right=(0, 3, 4))
        if out:
            out.append(ListingLine(""))
        out.append(
            ListingLine(
                _("%(area)s / %(reference)s: %(n)d cases")
                % {"area": area, "reference": reference, "n": len(members)}
            )
        )
        out.extend([ListingLine(text[0]), ListingLine(text[1])])
        out.extend(ListingLine(t, not c.passed) for t, (_, c) in zip(text[2:], members, strict=True))
    return out


def file_listing(run: ValidationRun) -> list[str]:
    """Appendix A: every installed file with its SHA-256."""
    return listing(("SHA-256", _("file")), [(f.sha256, f.path) for f in run.system.files])


def render_html(run: ValidationRun, lang: str | None = None) -> str:
    """The report as one self-contained HTML document; same inputs and environment give the same bytes.

    Parameters
    ----------
    run : ValidationRun
        The result of :func:`run_validation`.
    lang : str or None, default None
        The report's language (``en`` or ``zh-CN``); None: the current language. Recorded in section 3.

    Returns
    -------
    str
        The HTML document.
    """
    language = chosen_language(lang)
    env = _environment()
    env.filters["num"] = _number
    template = env.get_template("report.html.j2")
    with use_language(language):
        return template.render(
            run=run,
            date=report_date(),
            cases=case_listing(run),
            files=file_listing(run),
            language=language,
            language_label=f"{LANGUAGE_NAMES[language]} ({language})",
            fonts=fonts(language),
        )


def write_report(run: ValidationRun, out: Path, lang: str | None = None) -> Path:
    """Write the report as ``.html`` or ``.pdf`` (chosen by the suffix), atomically.

    Parameters
    ----------
    run : ValidationRun
        The result of :func:`run_validation`.
    out : pathlib.Path
        The file to write; ``.pdf`` gives a PDF (WeasyPrint), anything else HTML.
    lang : str or None, default None
        The report's language (``en`` or ``zh-CN``); None: the current language.

    Returns
    -------
    pathlib.Path
        The file written.
    """
    html = render_html(run, lang)
    if out.suffix.lower() == ".pdf":
        import weasyprint  # type: ignore[import-untyped]  # heavy import, only for PDF

        return atomic_write_bytes(out, weasyprint.HTML(string=html).write_pdf() or b"")
    return atomic_write_text(out, html)
