"""Bioequivalence of a crossover or replicate study: the ``be`` kind.

Average bioequivalence (EMA CPMP/EWP/QWP/1401/98 Rev. 1, 2010, section 4.1.8; FDA 2001, Statistical
Approaches to Establishing Bioequivalence), EMA average bioequivalence with expanding limits, Method A
(ANOVA) or B (mixed model) (EMA Questions & Answers on the BE guideline, EMA/CHMP/600958/2010 Rev. 1), and
FDA reference-scaled average BE (FDA draft guidance on progesterone, 2011), as replicateBE computes them.
The result is the method's :class:`~bioparity.be.results.BEResult` (ratios in percent), not a table; when
PK values are missing, its ``notes`` name the first few left out by data row, file line, subject, period
and treatment (:func:`bioparity.be.methods.missing_note`; all of them in ``missing_cells``).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from bioparity.analyses.contract import Analysis, Option, packaged_example
from bioparity.analyses.options import number_option, text_option
from bioparity.analyses.terms import term, value_words
from bioparity.be import BE_METHODS, crossover_data, evaluate_be
from bioparity.be.data import read_crossover_file
from bioparity.be.methods import missing_note
from bioparity.i18n import gettext as _
from bioparity.i18n import gettext_noop
from bioparity.io import read_table
from bioparity.io.pp import CROSSOVER_COLUMNS

NAME = "be"


def read_crossover(path: Path) -> pd.DataFrame:
    """One row per subject and period: ``subject, period, sequence, treatment (T/R), PK``.

    CSV files are read in replicateBE's conventions (``#`` description lines, missing values as ``.``,
    ``NA`` or blank, ``,``/``;``/tab separators), as ``bioparity be`` reads them; other formats as tables.
    """
    if path.suffix.lower() in {".csv", ".txt"}:
        frame = read_crossover_file(path)
    else:
        frame = read_table(path, CROSSOVER_COLUMNS)
    crossover_data(frame, file=str(path))  # structural checks now, so a bad file is refused at upload
    return frame


def be_kind(frame: pd.DataFrame, options: Mapping[str, Any]) -> dict[str, Any]:
    """ABE, EMA ABEL (Method A/B) or FDA RSABE on a crossover/replicate study."""
    res = evaluate_be(
        crossover_data(frame),
        text_option(options, "method", "abe"),
        alpha=number_option(options, "alpha", 0.05),
    )
    # percent and ``pass``: the stored record (reports divide by 100); the missing PK values left out
    # named in ``notes`` (the first few, as ``bioparity be`` names them): a run without any stored as before
    note = missing_note(res.missing_cells)
    return res.to_record() | ({"notes": [note]} if note is not None else {})


def _percent(value: Any) -> str:
    return f"{value:.2f}" if isinstance(value, (int, float)) and not isinstance(value, bool) else "—"


def be_summary(result: Mapping[str, Any], options: Mapping[str, Any]) -> str:
    """``average bioequivalence: PE 104.12%, 90% CI 97.32-111.40%, limits 80.00-125.00%: pass``."""
    alpha = result.get("alpha", options.get("alpha", 0.05))
    level = f"{100 * (1 - 2 * float(alpha)):g}%"
    verdict = term("pass" if result.get("pass") else "fail")
    return _(
        "%(method)s: PE %(pe)s%%, %(level)s CI %(lower)s-%(upper)s%%, limits %(low)s-%(high)s%%: %(verdict)s"
    ) % {
        "method": value_words("method", result.get("method")),
        "pe": _percent(result.get("pe")),
        "level": level,
        "lower": _percent(result.get("ci_lower")),
        "upper": _percent(result.get("ci_upper")),
        "low": _percent(result.get("lower_limit")),
        "high": _percent(result.get("upper_limit")),
        "verdict": verdict,
    }


BE = Analysis(
    name=NAME,
    title=gettext_noop("Bioequivalence"),
    description=gettext_noop(
        "Bioequivalence of a crossover or replicate study (ABE, EMA ABEL Method A/B, FDA RSABE)"
    ),
    read=read_crossover,
    compute=be_kind,
    options=(
        Option("method", gettext_noop("abe, ema-abel-a, ema-abel-b or fda-rsabe"), "abe", tuple(BE_METHODS)),
        Option("alpha", gettext_noop("one-sided level (default 0.05)"), 0.05, type="number"),
    ),
    summary=be_summary,
    # replicateBE's files may be separated by ';' or tabs (bioparity.be.data.read_crossover_file)
    separators=(",", ";", "\t"),
    # replicateBE reference data set 01 (4-period full replicate, RTRT/TRTR)
    example=packaged_example("validation/reference/replicate_be/rds01.csv", {"method": "ema-abel-a"}),
)

ANALYSES = (BE,)
