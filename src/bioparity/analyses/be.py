"""Bioequivalence of a crossover or replicate study: the ``be`` kind.

Average bioequivalence (EMA CPMP/EWP/QWP/1401/98 Rev. 1, 2010, section 4.1.8; FDA 2001, Statistical
Approaches to Establishing Bioequivalence), EMA average bioequivalence with expanding limits, Method A
(ANOVA) or B (mixed model) (EMA Questions & Answers on the BE guideline, EMA/CHMP/600958/2010 Rev. 1), and
FDA reference-scaled average BE (FDA draft guidance on progesterone, 2011), as replicateBE computes them.
The result is the method's :class:`~bioparity.be.results.BEResult` (ratios in percent), not a table; when
PK values are missing, its ``notes`` name the first few left out by data row, file line, subject, period
and treatment (:func:`bioparity.be.methods.missing_note`; all of them in ``missing_cells``). ABE of a
plain crossover (2x2) counts in ``n`` the subjects with both T and R data and names each other one in
``notes`` (EMA CPMP/EWP/QWP/1401/98 Rev. 1, 4.1.8; :func:`bioparity.be.methods.left_out_subjects`); the
replicate methods (EMA ABEL, FDA RSABE) use every subject with a PK value, and their ``n`` counts them
all (``n_tr``: those with both T and R).
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
from bioparity.be.methods import left_out_subjects, missing_note
from bioparity.errors import InputError
from bioparity.i18n import gettext as _
from bioparity.i18n import gettext_noop
from bioparity.io import read_table
from bioparity.io.pp import CROSSOVER_COLUMNS
from bioparity.pathways.explain import join_sentences

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


#: The PK parameter a ``be`` run analyses (option ``metric``; ``''``: not stated, as runs stored before the
#: option existed); their words are :data:`~bioparity.analyses.terms.VALUE_LABELS`'.
METRICS = ("", "cmax", "auc0-t", "auc0-inf", "other")

#: The metrics whose limits EMA never widens (CPMP/EWP/QWP/1401/98 Rev. 1, 4.1.10: Cmax only).
AUC_METRICS = ("auc0-t", "auc0-inf")


def check_metric(method: str, metric: str) -> None:
    """Refuse EMA ABEL on an AUC: the widened limits apply to Cmax only, AUC keeps 80.00-125.00%
    (EMA CPMP/EWP/QWP/1401/98 Rev. 1, 2010, section 4.1.10). FDA RSABE applies to AUC and Cmax alike
    (FDA Draft Guidance on Progesterone, 2011), so it is accepted for both.

    Examples
    --------
    >>> check_metric("fda-rsabe", "auc0-t")
    >>> check_metric("ema-abel-a", "auc0-inf")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    bioparity.errors.InputError: method ema-abel-a widens the limits, ... not AUC0-inf: use method abe ...
    """
    if method.startswith("ema-abel") and metric in AUC_METRICS:
        raise InputError(
            _(
                "method %(method)s widens the limits, which EMA CPMP/EWP/QWP/1401/98 Rev. 1 (4.1.10) "
                "allows for Cmax only, not %(metric)s: use method abe (80.00-125.00%%) for an AUC"
            )
            % {"method": method, "metric": value_words("metric", metric)}
        )


def be_kind(frame: pd.DataFrame, options: Mapping[str, Any]) -> dict[str, Any]:
    """ABE, EMA ABEL (Method A/B) or FDA RSABE on a crossover/replicate study.

    The option ``metric`` (the PK parameter analysed) is recorded in the result when given; a run without
    it (the default, and every run stored before it existed) gives the result it gave before. EMA ABEL
    on an AUC is refused (:func:`check_metric`).
    """
    method, metric = text_option(options, "method", "abe"), text_option(options, "metric", "")
    check_metric(method, metric)
    data = crossover_data(frame)
    res = evaluate_be(data, method, alpha=number_option(options, "alpha", 0.05))
    # percent and ``pass``: the stored record (reports divide by 100); the missing PK values left out
    # named in ``notes`` (the first few, as ``bioparity be`` names them), and each subject of a 2x2 ABE
    # not included for want of T or R data (EMA 4.1.8): a run without any stored as before
    notes = [
        *(n for n in (missing_note(res.missing_cells),) if n is not None),
        *left_out_subjects(data, method),
        *(n for n in (biosimilar_note(method),) if n is not None),
    ]
    return res.to_record() | ({"metric": metric} if metric else {}) | ({"notes": notes} if notes else {})


def biosimilar_note(method: str) -> str | None:
    """For a reference-scaled method: reference scaling is not accepted for a biosimilar PK similarity
    study, whose 90% CI must lie within 80.00-125.00% (FDA, Clinical Pharmacology Data to Support a
    Demonstration of Biosimilarity to a Reference Product, 2016, section IV; EMA Guideline on similar
    biological medicinal products containing monoclonal antibodies, EMA/CHMP/BMWP/403543/2010, section
    4.2). A note, not a refusal: the method is right for a generic highly variable drug. Every program of
    the workspace is a biosimilar candidate (:class:`bioparity.store.models.Program`), but the note does
    not depend on where the run is computed, so that ``bioparity run`` prints the result the workspace
    stores. None for ``abe``.

    Examples
    --------
    >>> biosimilar_note("abe") is None, biosimilar_note("fda-rsabe")[:36]
    (True, 'FDA RSABE scales the limits to the r')
    """
    if method == "abe":
        return None
    return _(
        "%(method)s scales the limits to the reference's variability, which is not accepted for a "
        "biosimilar PK similarity study: its 90%% CI must lie within 80.00-125.00%% (FDA, Clinical "
        "Pharmacology Data to Support a Demonstration of Biosimilarity, 2016, section IV; EMA/CHMP/BMWP/"
        "403543/2010, 4.2). In a biosimilar program, judge the PK similarity study with method abe."
    ) % {"method": value_words("method", method)}


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
        if (_number(result.get("cvwr")) or 0.0) > 50.0:  # joined without a space in Chinese
            text = join_sentences([text, _("Here CVwR is above 50%%: the limits are those of the cap.")])
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
    metric = str(result.get("metric") or options.get("metric") or "")
    if metric:  # the PK parameter first: the rule that follows is for it
        words = {"metric": value_words("metric", metric)}
        text = join_sentences([_("PK parameter analysed: %(metric)s.") % words, text])
    return text % values


BE = Analysis(
    name=NAME,
    # reference sets of bioparity validate (MANIFEST.yaml)
    validation=("replicatebe-ab", "replicatebe-vignette", "be-regulatory-vectors"),
    title=gettext_noop("Bioequivalence"),
    description=gettext_noop(
        "Bioequivalence of a crossover or replicate study (ABE, EMA ABEL Method A/B, FDA RSABE)"
    ),
    read=read_crossover,
    compute=be_kind,
    options=(
        Option("method", gettext_noop("abe, ema-abel-a, ema-abel-b or fda-rsabe"), "abe", tuple(BE_METHODS)),
        Option("alpha", gettext_noop("one-sided level (default 0.05)"), 0.05, type="number"),
        Option(
            "metric",
            gettext_noop(
                "PK parameter analysed: cmax, auc0-t, auc0-inf or other (empty: not stated); EMA ABEL "
                "is refused for an AUC"
            ),
            "",
            METRICS,
            label=gettext_noop("PK parameter"),
        ),
    ),
    summary=be_summary,
    statement=be_statement,
    # replicateBE's files may be separated by ';' or tabs (bioparity.be.data.read_crossover_file)
    separators=(",", ";", "\t"),
    # replicateBE reference data set 01 (4-period full replicate, RTRT/TRTR)
    example=packaged_example("validation/reference/replicate_be/rds01.csv", {"method": "ema-abel-a"}),
)

ANALYSES = (BE,)
