"""Rendering the reports (Jinja2 templates in ``report/templates``) from stored data only.

A report is written in one language, chosen when it is generated (``lang``; by default the current one,
e.g. the signed-in user's for a web download) and recorded in its provenance; the same stored data give
the same bytes per language. Chinese text is set in Noto Sans CJK SC (:mod:`bioparity.i18n.printing`),
which WeasyPrint embeds in the PDF.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
from collections.abc import Callable
from contextlib import nullcontext
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from bioparity import __version__
from bioparity.analyses import caa as caa_kind
from bioparity.analyses.figures import (
    BarPlot,
    CAAPlot,
    Figure,
    ForestPlot,
    PlotData,
    PowerPlot,
    ProfilePlot,
    XYPlot,
    forest_plot,
)
from bioparity.analyses.format import column_map_text, fmt_fixed, fmt_time, fmt_value, result_text, utc_second
from bioparity.analyses.pk_similarity import pk_tables
from bioparity.analyses.registry import kind_words
from bioparity.analyses.tables import ReportTables, Table
from bioparity.analyses.terms import comparison_words, input_name, labelled, term
from bioparity.i18n import LANGUAGE_NAMES, chosen_language, current_language, install_jinja, use_language
from bioparity.i18n import gettext as _
from bioparity.i18n.notes import note_text
from bioparity.i18n.printing import fonts, page_counter
from bioparity.memo import Memo
from bioparity.report import static
from bioparity.report.context import MAX_TABLE_ROWS, RunContext, localised
from bioparity.report.evidence import (
    ProgramEvidence,
    evidence_as_of,
    evidence_sha256,
    pk_rows,
    readiness,
    requirement_source,
    table_rows,
)
from bioparity.report.tables import run_tables, table_html
from bioparity.store.models import Organisation, ProgramShare
from bioparity.workspace.signatures import content_key


def language_label(language: str) -> str:
    """``简体中文 (zh-CN)``: a report's language as its provenance records it."""
    return f"{LANGUAGE_NAMES.get(language, language)} ({language})"


def flag_class(name: str, count: int) -> str:
    """``ok`` for a flag count of zero or a count of passes, none for a count of descriptive comparisons,
    ``bad`` for any other count.

    A count of failures is ``bad`` even when its name holds the word for a pass: in Chinese "fail" (不通过)
    contains "pass" (通过), so "comparisons fail" was printed green."""
    if not count:
        return "ok"
    if "descriptive" in name or term("descriptive") in name:
        return ""  # a descriptive comparison (CAA tier 3) is neither a pass nor a failure: not coloured
    failing = "fail" in name or term("fail") in name
    passing = "pass" in name or term("pass") in name
    return "ok" if passing and not failing else "bad"


#: Characters of a SHA-256 digest (hex) printed in a table cell of the program report: 48 bits, which tell
#: a program's few hundred digests apart (two alike at about 2**24 of them); the appendix prints them whole.
DIGEST_CHARS = 12
#: Characters of a run ID (a UUID) printed there: its first group, 32 bits.
RUN_ID_CHARS = 8


def shortened(value: Any, chars: int) -> str:
    """The first ``chars`` characters of an identifier and an ellipsis (the whole of a shorter one).

    Examples
    --------
    >>> shortened("d451329eb1f8d0dcbacae4ead0a87dc29cd0802bb2d0daee0857e846e1a07377", 12)
    'd451329eb1f8…'
    >>> shortened("a1b2", 12)
    'a1b2'
    """
    text = str(value)
    return text if len(text) <= chars else text[:chars] + "…"


def css_string(text: str) -> Markup:
    r"""``text`` as a CSS string (``content`` of a page's margin box), safe inside the report's ``<style>``.

    Examples
    --------
    >>> str(css_string('Run "7" </style>'))
    '"Run \\"7\\" \\3c /style>"'
    """
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3c ").replace("\n", " ")
    return Markup(f'"{escaped}"')


def page_foot(document: str) -> dict[str, Markup]:
    """The text at the foot of every page beside its number (CSS strings for ``_style.html.j2``): the
    document's identity on the left (a run's ID; a program and its evidence digest), the software that
    printed it on the right: a page read on its own is traced to its report (the number alone said
    "page 9 of 28" of what)."""
    return {"foot_left": css_string(document), "foot_right": css_string(f"bioparity {__version__}")}


_ENV = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html", "j2"]),
    keep_trailing_newline=True,
)
install_jinja(_ENV)
_ENV.filters["value"] = fmt_value
_ENV.filters["time"] = fmt_time
_ENV.filters["table_html"] = table_html
_ENV.filters["term"] = term
_ENV.filters["kind_words"] = kind_words  # a run's kind by its title (the stored run keeps the code)
_ENV.filters["result_text"] = result_text
_ENV.filters["labelled"] = labelled
_ENV.filters["utc_second"] = utc_second
_ENV.filters["from_json"] = json.loads
_ENV.filters["column_map_text"] = column_map_text
_ENV.filters["note"] = note_text
_ENV.filters["shortened"] = shortened
_ENV.globals.update(
    page_counter=page_counter,
    flag_class=flag_class,
    fonts=fonts,
    digest_chars=DIGEST_CHARS,
    run_id_chars=RUN_ID_CHARS,
)


def option_text(value: Any) -> str:
    """An option's value as printed: an option left empty (stored ``""``) as a dash, as a missing table
    value, not as an empty cell that reads as a value lost in printing."""
    return "—" if value == "" else fmt_value(value)


_ENV.filters["input_name"] = input_name
_ENV.filters["option_text"] = option_text


def svg_image(svg: str, alt: str) -> Markup:
    """An SVG as an ``<img>`` with a data URI (self-contained HTML that WeasyPrint also renders)."""
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return Markup('<img class="plot" alt="{}" src="data:image/svg+xml;base64,{}">').format(alt, Markup(data))


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


#: Figures drawn for reports (SVG text) by drawing, plot data, language and text mode (see :func:`drawn`).
_DRAWN = Memo(128)


def drawn(draw: Callable[..., str], data: PlotData, **options: Any) -> str:
    """``draw(data, **options)``, the SVG of a plot, drawn once per plot, language and text mode.

    The key is a digest of the plot data's ``repr`` (every field; floats to the last digit), so the same
    plot is not drawn again by matplotlib (about 0.15 s a plot) for a second download of a report, or for
    the program report's forest plot of a PK similarity run."""
    digest = hashlib.sha256(repr(data).encode("utf-8")).hexdigest()
    key = (draw.__name__, digest, tuple(sorted(options.items())), current_language(), static.text_mode())
    svg: str = _DRAWN.get(key, lambda: draw(data, **options))
    return svg


def figure_images(figure: Figure) -> list[Markup]:
    """The figure drawn by matplotlib as SVG images (the renderer knows plot types, not analysis kinds)."""
    data = figure.data
    if isinstance(data, ForestPlot):
        alt = _("Forest plot of GMRs and CIs against the limits")
        return [svg_image(drawn(static.forest_svg, data), alt)]
    if isinstance(data, ProfilePlot):
        images = [
            svg_image(
                drawn(static.profiles_svg, data, log=log),
                _("Mean concentration-time profiles per arm, semi-log")
                if log
                else _("Mean concentration-time profiles per arm, linear"),
            )
            for log in (False, True)
        ]
        if data.individual:
            alt = _("Individual profiles per arm, semi-log")
            images.append(svg_image(drawn(static.individual_svg, data), alt))
        for log in (False, True) if data.bands else ():  # too many profiles to draw one by one
            alt = _("Individual profiles summarised per nominal time: median and percentile band")
            images.append(svg_image(drawn(static.bands_svg, data, log=log), alt))
        return images
    if isinstance(data, PowerPlot):
        return [svg_image(drawn(static.power_svg, data), _("Power curves"))]
    if isinstance(data, CAAPlot):
        alt = _("Lot values of %(attribute)s by source") % {"attribute": data.name or data.attribute}
        return [svg_image(drawn(static.caa_svg, data, small=True), alt)]
    if isinstance(data, XYPlot):
        return [svg_image(drawn(static.xy_svg, data), figure.label or data.title)]
    if isinstance(data, BarPlot):
        return [svg_image(drawn(static.bar_svg, data), figure.label or data.title)]
    raise TypeError(f"no renderer for plot data {type(data).__name__}")  # pragma: no cover


def run_plots(ctx: RunContext) -> list[Markup]:
    """The run's figures that are not part of a series, in the kind's order."""
    return [image for figure in ctx.single_figures for image in figure_images(figure)]


def series_plots(ctx: RunContext) -> list[dict[str, Any]]:
    """Each series of figures (e.g. one plot per CAA attribute, failed attributes first) in full."""
    return [
        {
            "title": s.group_title or s.title,
            "note": s.note,
            "images": [image for figure in s.figures for image in figure_images(figure)],
        }
        for s in ctx.series
    ]


#: Report tables of stored runs, by the run's stored content and the language they are worded in.
_TABLES = Memo(64)


def report_tables(ctx: RunContext) -> ReportTables:
    """The run's main tables and appendix, laid out by its analysis kind (in the current language)."""
    key = (content_key(ctx.run), current_language())
    tables: ReportTables = _TABLES.get(
        key, lambda: run_tables(ctx.run.kind, ctx.columns, ctx.rows, ctx.options)
    )
    return tables


def render_run_report(ctx: RunContext, lang: str | None = None, *, for_pdf: bool = False) -> str:
    """The HTML report of one run (deterministic: no clock, fixed plot output).

    Parameters
    ----------
    ctx : RunContext
        The run gathered by :func:`bioparity.report.context.run_context`, its session still open: the report
        looks up whether a later approved run of its kind in its study supersedes it (its signatures then
        read "superseded by run N", as in the program report), and draws the figures again when its
        language differs from the context's.
    lang : str or None, default None
        The report's language (``en`` or ``zh-CN``); None: the current language (a web download: the
        signed-in user's). Recorded in the report's provenance.
    for_pdf : bool, default False
        The HTML that :func:`bioparity.report.pdf.html_to_pdf` turns into the PDF: the same report, its
        figures with their text as SVG text (:func:`bioparity.report.static.text_as_text`), which
        WeasyPrint draws several times faster than text as paths.

    Returns
    -------
    str
        The HTML document; the same stored run gives the same text per language.
    """
    return _in_language(lang, partial(_run_report, ctx), for_pdf)


def _in_language(lang: str | None, render: Callable[[str], str], for_pdf: bool) -> str:
    """``render(language)`` run in the report's language: ``lang``, else the current one (figures with
    their text as text for a PDF)."""
    language = chosen_language(lang)
    with use_language(language), static.text_as_text() if for_pdf else nullcontext():
        return render(language)


def range_decimals(reasons: Any, row: dict[str, Any], decimals: int | None) -> Any:
    """A CAA row's stored reasons with its quality range ``[lower, upper]`` printed to ``decimals``, those
    of the run report's main table for the attribute (:func:`bioparity.analyses.caa.attribute_decimals`):
    the stored note prints 4 significant digits (``[6.57, 9.578]`` beside the main table's ``[6.57, 9.58]``).
    The stored text and numbers are unchanged; anything else in the reasons is printed as stored.

    >>> range_decimals("8/15 test lots (53%) inside mean_R ± 2.5·SD_R [6.57, 9.578]; required >= 90%",
    ...                {"lower_limit": 6.5703, "upper_limit": 9.5781}, 2)
    '8/15 test lots (53%) inside mean_R ± 2.5·SD_R [6.57, 9.58]; required >= 90%'
    """
    low, high = row.get("lower_limit"), row.get("upper_limit")
    if not isinstance(reasons, str) or decimals is None:
        return reasons
    if not (isinstance(low, int | float) and isinstance(high, int | float)):
        return reasons
    if not (math.isfinite(low) and math.isfinite(high)):
        return reasons
    stored = f"[{low:.4g}, {high:.4g}]"  # as bioparity.caa.methods writes a range
    return reasons.replace(stored, f"[{fmt_fixed(low, decimals)}, {fmt_fixed(high, decimals)}]")


def notes_not_under_tables(notes: list[str], tables: ReportTables) -> list[str]:
    """The run's notes that no table of its report prints under it: a note the kind prints with the table
    it explains (CAA: "Spread check by chance", under the plans and operating characteristics) is printed
    there only, not a second time pages earlier under "Flags and notes".

    >>> from bioparity.analyses.tables import Table
    >>> table = Table("plans", ("plan",), (("a",),), (False,), note="N1 holds. N2 holds.")
    >>> notes_not_under_tables(["N1 holds.", "N3 holds."], ReportTables((table,), ()))
    ['N3 holds.']
    """
    under = [t.note for t in (*tables.main, *tables.extra, *tables.appendix, *tables.settings) if t.note]
    return [n for n in notes if not any(note_text(n) in text for text in under)]


def _run_report(ctx: RunContext, language: str) -> str:
    # every run report says whether a later approved run supersedes it (by each signature's status); asked
    # of the caller's context, which keeps it (a copy in another language would look it up again)
    superseded_by = ctx.superseded_by
    ctx = localised(ctx)
    tables = report_tables(ctx)
    return _ENV.get_template("run_report.html.j2").render(
        ctx=ctx,
        result_notes=notes_not_under_tables(ctx.notes, tables),
        superseded_by=superseded_by,
        plots=run_plots(ctx),
        # one note per text: the figures of one kind often share it (e.g. the four ADA cut-point plots)
        plot_notes=list(dict.fromkeys(f.note for f in ctx.single_figures if f.note)),
        series=series_plots(ctx),
        tables=tables,
        max_rows=MAX_TABLE_ROWS,
        options_json=_json(ctx.options),
        language=language,
        language_label=language_label(language),
        **page_foot(_("Run %(id)s") % {"id": ctx.run.id}),
    )


def _requirements_table(region: Any) -> Table:
    rows = []
    for r in region.requirements:
        citation, source = requirement_source(r)
        guideline = citation + (_(". Source: %(source)s") % {"source": source} if source else "")
        reason = r.detail
        if r.work and r.status != "met":  # the work left follows the reason as its own sentence
            reason = _("%(reason)s. Work left: %(work)s") % {"reason": r.detail.rstrip(". "), "work": r.work}
        rows.append(
            (
                f"{r.title} [{r.rule_id}]",
                term(r.kind),
                term(r.status),
                reason,
                "; ".join(r.evidence) or "—",
                guideline or "—",
            )
        )
    return Table(
        _("%(region)s: every requirement with its status, reason, evidence and guideline")
        % {"region": region.region_name},
        (
            _("requirement"),
            _("kind"),
            _("status"),
            _("reason"),
            _("evidence IDs"),
            _("guideline (source, date, section)"),
        ),
        tuple(rows),
        (False,) * 6,
    )


def render_program_report(
    session: Session, evidence: ProgramEvidence, lang: str | None = None, *, for_pdf: bool = False
) -> str:
    """The program's similarity summary: readiness, PK similarity per study, CAA outcome, all runs.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        An open session of the store (the sponsor's name is read from it).
    evidence : ProgramEvidence
        The program's stored evidence (:func:`bioparity.report.evidence.collect`).
    lang : str or None, default None
        The report's language (``en`` or ``zh-CN``); None: the current language. Recorded in the report.
    for_pdf : bool, default False
        The HTML of the PDF: figures with their text as text (see :func:`render_run_report`).

    Returns
    -------
    str
        The HTML document; the same stored evidence gives the same text per language.
    """
    return _in_language(lang, partial(_program_report, session, evidence), for_pdf)


#: The partner organisations of a program (accepted shares), by name: named on its report's title page.
_PARTNERS = (
    select(Organisation.name)
    .join(ProgramShare, ProgramShare.org_id == Organisation.id)
    .where(ProgramShare.program_id == bindparam("program_id"), ProgramShare.status == "accepted")
    .order_by(Organisation.name)
)


def _program_report(session: Session, evidence: ProgramEvidence, language: str) -> str:
    assessment, notes = readiness(evidence)
    pk = []
    for study, run, rows in pk_rows(evidence):
        forest = forest_plot(rows)
        alt = _("Forest plot, %(study)s") % {"study": study.name}
        image = None if forest is None else svg_image(drawn(static.forest_svg, forest), alt)
        table = pk_tables(pd.DataFrame(rows)).main[0] if rows else None
        pk.append({"study": study, "run": run, "rows": rows, "plot": image, "table": table})
    caa = []
    for ev in evidence.studies:
        caa_run = ev.approved(caa_kind.NAME)
        if caa_run is None:
            continue
        rows = table_rows(caa_run)
        by_comparison: dict[str, dict[str, int]] = {}
        for r in rows:
            # the label's "vs" in the reader's words, the source codes as stored
            counts = by_comparison.setdefault(comparison_words(r[caa_kind.COMPARISON]), {})
            status = str(r[caa_kind.STATUS])
            counts[status] = counts.get(status, 0) + 1
        # the attribute as the run report names it (the catalogue's label), never the raw code alone
        names = caa_kind.caa_names(
            json.loads(caa_run.options_json), (str(r[caa_kind.ATTRIBUTE]) for r in rows)
        )
        # the reasons' ranges to the decimals of the run report's main table (per attribute)
        sds: dict[str, list[Any]] = {}
        for r in rows:
            sds.setdefault(str(r[caa_kind.ATTRIBUTE]), []).append(r.get("sd_reference"))
        failed = [
            {
                **r,
                "display_name": names[str(r[caa_kind.ATTRIBUTE])],
                "reasons": range_decimals(
                    r.get("reasons"), r, caa_kind.attribute_decimals(sds[str(r[caa_kind.ATTRIBUTE])])
                ),
            }
            for r in rows
            if r.get(caa_kind.STATUS) == "fail"
        ]
        caa.append({"study": ev.study, "run": caa_run, "counts": by_comparison, "failed": failed})
    org = session.get(Organisation, evidence.program.org_id)
    digest = evidence_sha256(evidence)
    foot = _("%(program)s, evidence SHA-256 %(digest)s") % {
        "program": evidence.program.name,
        "digest": shortened(digest, DIGEST_CHARS),
    }
    return _ENV.get_template("program_report.html.j2").render(
        program=evidence.program,
        org=org,
        partners=session.scalars(_PARTNERS, {"program_id": evidence.program.id}).all(),
        evidence_digest=digest,
        as_of=evidence_as_of(evidence),
        evidence=evidence,
        assessment=assessment,
        notes=notes,
        pk=pk,
        caa=caa,
        requirements={r.region: _requirements_table(r) for r in assessment.regions} if assessment else {},
        language=language,
        language_label=language_label(language),
        version=__version__,
        **page_foot(foot),
    )
