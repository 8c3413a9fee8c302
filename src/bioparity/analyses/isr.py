"""Incurred sample reanalysis: the ``isr`` kind (ICH M10 Bioanalytical Method Validation and Study Sample
Analysis, 2022, section 7: at least two thirds of the repeats within 20% (chromatographic) or 30%
(ligand-binding) of the mean of the original and the repeat).

The reader and the numbers are those of ``bioparity isr``: one row per reanalysed sample
(``sample, original, repeat``, concentrations > 0, each sample once); the stored table is the one
``bioparity isr --out`` writes (per sample the % difference and whether it is within the limit).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from bioparity.analyses.contract import Analysis, InputColumn, Option, example_file
from bioparity.analyses.frames import frame_records, frame_result
from bioparity.analyses.options import text_option
from bioparity.analyses.tables import ReportTables, Table, cell, generic_tables, is_number, panels
from bioparity.analyses.terms import term, yes_no_text
from bioparity.bioassay import ISR_LIMITS, isr
from bioparity.i18n import gettext as _
from bioparity.i18n import gettext_noop
from bioparity.io.bioassay import read_isr_data

NAME = "isr"
#: Columns of the stored result table.
SAMPLES, ORIGINAL, REPEAT = "samples", "original", "repeat"
DIFFERENCE, WITHIN, LIMIT, PASSED = "percent_difference", "within_limit", "limit_percent", "passed"

COLUMNS = (
    InputColumn("sample", True, "incurred sample id (each sample once)"),
    InputColumn("original", True, "concentration of the original analysis (> 0)"),
    InputColumn("repeat", True, "concentration of the reanalysis (> 0)"),
)


def isr_kind(frame: pd.DataFrame, options: Mapping[str, Any]) -> dict[str, Any]:
    """One row per sample (% difference, within the limit) and the verdict of the two-thirds rule."""
    result = isr(frame, text_option(options, "assay", "ligand-binding"))
    return frame_result(
        result.to_frame(), passed=result.passed, share_within=result.share_within, n_within=result.n_within
    )


def isr_tables(frame: pd.DataFrame, options: Mapping[str, Any] | None = None) -> ReportTables:
    """Per sample: original, repeat, % difference and within the limit (outside first marked), the samples
    outside the limit to investigate; the complete result in the appendix."""
    if not {SAMPLES, ORIGINAL, REPEAT, DIFFERENCE, WITHIN} <= set(frame.columns):
        return generic_tables(frame)
    limit = cell(frame[LIMIT].iloc[0]) if LIMIT in frame.columns and len(frame) else "?"
    records = frame_records(frame)

    def row(r: Mapping[str, Any]) -> tuple[str, ...]:
        return (
            str(r[SAMPLES]),
            cell(r[ORIGINAL], 5),
            cell(r[REPEAT], 5),
            _difference(r[DIFFERENCE]),
            yes_no_text(r[WITHIN]),
        )

    headers = (
        _("sample"),
        _("original"),
        _("repeat"),
        _("% difference"),
        _("within ±%(limit)s%%") % {"limit": limit},
    )
    numeric = (False, True, True, True, False)
    main = Table(
        _("Incurred sample reanalysis per sample (ICH M10 section 7)"),
        headers,
        tuple(row(r) for r in records),
        numeric,
        css=tuple("" if r[WITHIN] else "fail" for r in records),
        note=_("% difference = 100 (repeat - original) / mean(repeat, original)."),
    )
    outside = [r for r in records if not r[WITHIN]]
    extra = (
        Table(_("Samples outside the limit (to investigate)"), headers, tuple(map(row, outside)), numeric),
    )
    # the appendix under the kind's headers, the numbers as the main table prints them (the % difference to
    # one decimal: text, right-aligned as the stored numbers)
    text = (
        frame.assign(**{DIFFERENCE: frame[DIFFERENCE].map(lambda v: _difference(v) if is_number(v) else v)})
        if DIFFERENCE in frame
        else frame
    )
    appendix = panels(
        text,
        [SAMPLES],
        _("Complete ISR result"),
        headers={c: _(h) % {"limit": limit} if c == WITHIN else _(h) for c, h in APPENDIX_HEADERS.items()},
        numbers=frame,
        column_digits=dict.fromkeys((ORIGINAL, REPEAT), 5),
    )
    note = _(
        ", concentrations to 5 significant digits and the % difference to one decimal as in the main table"
    )
    return ReportTables((main,), tuple(appendix), extra=extra if outside else (), appendix_note=note)


#: Headers of the appendix's columns (the complete stored result; translated where printed, ``%(limit)s``
#: the limit of the assay type): the main table's words. A column absent here (added by a later version) is
#: headed by its stored name.
APPENDIX_HEADERS: dict[str, str] = {
    SAMPLES: gettext_noop("sample"),
    ORIGINAL: gettext_noop("original"),
    REPEAT: gettext_noop("repeat"),
    DIFFERENCE: gettext_noop("% difference"),
    WITHIN: gettext_noop("within ±%(limit)s%%"),
    "assay": gettext_noop("assay type"),
    LIMIT: gettext_noop("limit (±, percent)"),
    "n_samples": gettext_noop("samples repeated"),
    "n_within": gettext_noop("repeats within the limit"),
    "share_within": gettext_noop("share within the limit"),
    PASSED: gettext_noop("passed"),
    "software_version": gettext_noop("software version"),
}


def _difference(value: Any) -> str:
    """The % difference as printed (``-9.8``, ``+11.2``): one decimal, signed."""
    return f"{float(value):+.1f}"


def isr_summary(result: Mapping[str, Any], options: Mapping[str, Any]) -> str:
    """``ISR pass: 19 of 20 repeats (95.0%) within ±30% (ICH M10: at least two thirds)``."""
    verdict = term("pass" if result.get(PASSED) else "fail")
    limit = ISR_LIMITS.get(str(options.get("assay")), float("nan"))
    return _(
        "ISR %(verdict)s: %(within)s of %(n)s repeats (%(share)s%%) within ±%(limit)s%% "
        "(ICH M10: at least two thirds)"
    ) % {
        "verdict": verdict,
        "within": result.get("n_within"),
        "n": result.get("n_rows"),
        "share": f"{100 * float(result.get('share_within') or 0):.1f}",
        "limit": f"{limit:g}",
    }


def isr_flags(table: pd.DataFrame, options: Mapping[str, Any]) -> list[tuple[str, int]]:
    """Samples outside the limit."""
    outside = int((table[WITHIN] == False).sum()) if WITHIN in table.columns else 0  # noqa: E712
    return [(_("samples outside the limit"), outside)]


def example_data() -> bytes:
    """20 incurred samples of a ligand-binding assay, 10% CV between runs, two repeats far off."""
    rng = np.random.default_rng(10)
    original = np.round(np.exp(rng.normal(3.0, 1.0, 20)), 3)
    repeat = np.round(original * np.exp(rng.normal(0.0, 0.1, 20)), 3)
    repeat[[4, 13]] = np.round(original[[4, 13]] * np.array([1.55, 0.6]), 3)
    frame = pd.DataFrame({"sample": [f"S{i + 1:03d}" for i in range(20)], "original": original})
    return frame.assign(repeat=repeat).to_csv(index=False).encode()


ISR = Analysis(
    name=NAME,
    validation=("isr-r",),  # reference sets of bioparity validate (MANIFEST.yaml)
    title=gettext_noop("Incurred sample reanalysis"),
    description=gettext_noop(
        "Incurred sample reanalysis per ICH M10: % difference of each repeat and the two-thirds rule"
    ),
    read=read_isr_data,
    compute=isr_kind,
    columns=COLUMNS,
    options=(
        Option(
            "assay",
            gettext_noop("ligand-binding (±30%, default) or chromatographic (±20%)"),
            "ligand-binding",
            tuple(ISR_LIMITS),
        ),
    ),
    tables=isr_tables,
    summary=isr_summary,
    flags=isr_flags,
    # the bioanalysis of a clinical study's samples; not "pk": the upload form preselects the first kind
    # in name order that lists the study's kind, and that must stay nca for PK studies
    study_kinds=("clinical",),
    example=example_file("isr.csv", example_data),
)

ANALYSES = (ISR,)
