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


#: The standard acceptance range of the CI of the GMR T/R, percent (EMA CPMP/EWP/QWP/1401/98 Rev. 1, 4.1.8).
STANDARD_LIMITS = (80.0, 125.0)


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def be_statement(result: Mapping[str, Any], options: Mapping[str, Any]) -> str:
    """How a BE result was judged, in the reader's language: the acceptance range, its rounding and source,
    and for a reference-scaled method whether the limits were widened, by which rule and with which cap.

    Sources: EMA Guideline on the investigation of bioequivalence (CPMP/EWP/QWP/1401/98 Rev. 1, 2010),
    section 4.1.8 (90% CI of the ratio within 80.00-125.00%, bounds rounded to two decimals) and 4.1.10
    (highly variable drugs: Cmax only, limits ``exp(-/+ 0.760 sWR)`` when CVwR > 30%, CVwR capped at 50%,
    i.e. 69.84-143.19%, point estimate within 80.00-125.00%, prospectively planned and clinically
    justified); FDA, Statistical Approaches to Establishing Bioequivalence (2001); FDA Draft
    Guidance on Progesterone (2011): reference-scaled criterion when sWR >= 0.294, ``theta_s =
    ln(1.25)/0.25``, no cap, point estimate within 80.00-125.00%. Empty for a result without limits.

    Examples
    --------
    >>> be_statement({"method": "abe", "alpha": 0.05, "lower_limit": 80.0, "upper_limit": 125.0}, {})[:62]
    'Acceptance: the 90% CI of the geometric mean ratio T/R within '
    """
    low, high = _number(result.get("lower_limit")), _number(result.get("upper_limit"))
    if low is None or high is None:
        return ""
    alpha = _number(result.get("alpha", options.get("alpha", 0.05)))
    alpha = 0.05 if alpha is None else alpha
    method, scaled = str(result.get("method", "abe")), bool(result.get("scaled"))
    values = {
        "level": f"{100 * (1 - 2 * alpha):g}%",
        "limits": f"{_percent(low)}-{_percent(high)}%",
        "cvwr": _percent(result.get("cvwr")),
        "swr": f"{v:.4f}" if (v := _number(result.get("swr"))) is not None else "—",
    }
    if method.startswith("ema-abel") and scaled:
        text = _(
            "Acceptance (EMA CPMP/EWP/QWP/1401/98 Rev. 1, 4.1.10, highly variable drug products): CVwR "
            "%(cvwr)s%% is above 30%%, so the %(level)s CI of the GMR T/R must lie within the widened limits "
            "%(limits)s, exp(-/+0.760 sWR), its bounds rounded to two decimals, and the point estimate "
            "within 80.00-125.00%%. The widening is capped at CVwR 50%% (69.84-143.19%%), applies to Cmax "
            "only, and must be planned in the protocol and justified clinically."
        )
        if (_number(result.get("cvwr")) or 0.0) > 50.0:
            text += " " + _("Here CVwR is above 50%%: the limits are those of the cap.")
    elif method.startswith("ema-abel"):
        text = _(
            "Acceptance (EMA CPMP/EWP/QWP/1401/98 Rev. 1, 4.1.8 and 4.1.10): CVwR %(cvwr)s%% is not "
            "above 30%%, so the limits are not widened: the %(level)s CI of the GMR T/R within %(limits)s, "
            "its bounds rounded to two decimals, and the point estimate within 80.00-125.00%%."
        )
    elif method == "fda-rsabe" and scaled:
        text = _(
            "Acceptance (FDA Draft Guidance on Progesterone, 2011, reference-scaled average "
            "bioequivalence): sWR %(swr)s is at least 0.294, so the 95%% upper bound of (muT - muR)^2 - "
            "theta_s^2 sWR^2, theta_s = ln(1.25)/0.25, must not exceed 0 (no cap on sWR), and the point "
            "estimate must lie within 80.00-125.00%%; the limits %(limits)s implied by sWR are shown for "
            "information."
        )
    elif method == "fda-rsabe":
        text = _(
            "Acceptance (FDA Draft Guidance on Progesterone, 2011): sWR %(swr)s is below 0.294, so "
            "average bioequivalence without scaling: the %(level)s CI of the GMR T/R within %(limits)s, "
            "its bounds rounded to two decimals, and the point estimate within 80.00-125.00%%."
        )
    elif (round(low, 2), round(high, 2)) == STANDARD_LIMITS:
        text = _(
            "Acceptance: the %(level)s CI of the geometric mean ratio T/R within %(limits)s, its bounds "
            "rounded to two decimals (EMA CPMP/EWP/QWP/1401/98 Rev. 1, 4.1.8; FDA, Statistical "
            "Approaches to Establishing Bioequivalence, 2001)."
        )
    else:
        text = _(
            "Acceptance: the %(level)s CI of the geometric mean ratio T/R within %(limits)s, its bounds "
            "rounded to two decimals; limits set by the options theta1 and theta2, not the standard "
            "80.00-125.00%% (EMA CPMP/EWP/QWP/1401/98 Rev. 1, 4.1.8)."
        )
    return text % values


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
    statement=be_statement,
    # replicateBE's files may be separated by ';' or tabs (bioparity.be.data.read_crossover_file)
    separators=(",", ";", "\t"),
    # replicateBE reference data set 01 (4-period full replicate, RTRT/TRTR)
    example=packaged_example("validation/reference/replicate_be/rds01.csv", {"method": "ema-abel-a"}),
)

ANALYSES = (BE,)
