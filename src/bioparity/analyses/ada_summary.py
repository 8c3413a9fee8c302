"""Immunogenicity summary: the ``ada-summary`` kind (ADA incidence per arm, treatment-emergent ADA and
differences between arms), with each sample's status from the validated cut points when the listing
carries the assay signals.

The reader and the numbers are those of ``bioparity ada-summary``: a listing with one row per subject and
visit (``USUBJID, ARM, VISIT`` and ``ADA`` as ``POS``/``NEG``, optional ``TITRE``); treatment-emergent
ADA (treatment-induced, or boosted by at least ``boost_fold`` in titre) with the baseline prevalence
apart, or positives at any visit, with Wilson intervals and the difference to a reference arm (FDA,
Immunogenicity Testing of Therapeutic Protein Products - Developing and Validating Assays for Anti-Drug
Antibody Detection, 2019; Shankar et al. 2014, AAPS J 16:658).

With the option ``cut_point_run`` (a signed, successful ``ada-cutpoint`` run of the same program; on the
command line the path of its result) the ``ADA`` column is derived from the listing's ``SIGNAL``,
``SIGNAL_DRUG`` [and ``NC``] by tiered testing (screen, then confirm; Shankar et al. 2008, J Pharm Biomed
Anal 48:1267, section 2; FDA 2019 ADA guidance, section III) at that run's reported screening and
confirmatory cut points, as ``bioparity ada-summary --cut-points`` does; the run's result file and its
SHA-256 are recorded in every row (``cut_point_run``), the run's inputs and audit row (checked by
``bioparity audit verify``). Cut points typed as options (``screening_cut_point``,
``confirmatory_cut_point``) are taken too, recorded as typed.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from bioparity.analyses.ada_sensitivity import CUT_POINT_RUN, CUT_POINT_RUN_OPTION, validated_cut_point_file
from bioparity.analyses.contract import Analysis, InputColumn, Option, example_file
from bioparity.analyses.frames import frame_result, result_records
from bioparity.analyses.options import number_option, optional_number, text_option
from bioparity.analyses.tables import ReportTables, Table, cell, generic_tables, panels
from bioparity.analyses.terms import value_words
from bioparity.bioassay import ValidatedCutPoint, ada_status
from bioparity.bioassay.cutpoint import NORMALIZATIONS
from bioparity.clinical import DIFFERENCE_METHODS as PROPORTION_METHODS
from bioparity.clinical import (
    IncidenceResult,
    TreatmentEmergentResult,
    ada_incidence,
    incidence_difference,
)
from bioparity.clinical.immunogenicity import ADA_WALD_DEGENERATE, titre_values, treatment_emergent_ada
from bioparity.clinical.proportions import wald_notes
from bioparity.errors import DataFileError, InputError
from bioparity.i18n import gettext as _
from bioparity.i18n import gettext_noop, translations
from bioparity.i18n.notes import note_template, note_text
from bioparity.i18n.printing import ITEM_SEPARATOR
from bioparity.io.limits import check_csv_limits
from bioparity.io.readers import read_csv_cells, require_file
from bioparity.nca.samples import Where, reject_empty_identifiers

NAME = "ada-summary"
#: Incidence definitions: treatment-emergent (default) or positive at any visit (baseline included).
INCIDENCE_DEFINITIONS = ("treatment-emergent", "any-visit")
#: Intervals of the difference between arms: every method of :func:`bioparity.clinical.ci_difference` (the
#: one list ``bioparity ada-summary --method`` checks against too), the default first.
DIFFERENCE_METHODS = ("newcombe", *(m for m in PROPORTION_METHODS if m != "newcombe"))
#: What the result records as the source of cut points typed as options (no stored run).
TYPED = gettext_noop("typed options")


def source_in_words(value: str, language: str) -> str:
    """The recorded source of the cut points in the reader's words: :data:`TYPED` translated, a run's
    result file as stored.

    Examples
    --------
    >>> source_in_words("typed options", "zh-CN"), source_in_words("cp.json (sha256 0a1b)", "zh-CN")
    ('以选项输入', 'cp.json (sha256 0a1b)')
    """
    return translations(language).gettext(value) if value == TYPED else value


#: The note of a summary whose ADA status comes from validated cut points (see bioparity.i18n.notes).
STATUS_FROM_CUT_POINTS = note_template(
    "{result} status from the validated cut points of {run} (screening {screening}, confirmatory "
    "{confirmatory} % inhibition): {positives:d} positive samples.",
    shown={"run": source_in_words},
)
#: Result columns renamed as ``bioparity ada-summary`` writes them.
OUTPUT_NAMES = {
    "ci_lower": "lower",
    "ci_upper": "upper",
    "conf_level": "conf",
    "prevalence_ci_lower": "prevalence_lower",
    "prevalence_ci_upper": "prevalence_upper",
}
#: Columns of the stored result table.
TABLE, ARM, TIMEPOINT, INCIDENCE = "table", "arm", "timepoint", "incidence"
#: The options that type the cut points in (instead of naming an ``ada-cutpoint`` run).
TYPED_OPTIONS = ("screening_cut_point", "confirmatory_cut_point", "normalization", "normalization_factor")
#: Column of the difference rows flagging a degenerate (Wald) interval.
DEGENERATE = "degenerate"
#: The listing's subject, arm and visit columns (required, never blank) and its titre column.
KEYS, TITRE = ("USUBJID", "ARM", "VISIT"), "TITRE"

_HELP = {
    "USUBJID": "subject",
    "ARM": "treatment arm",
    "VISIT": "visit (timepoint); the baseline is BASELINE, PREDOSE, DAY 0 ... or the option baseline",
    "ADA": "ADA result POS/NEG (leave out when SIGNAL is given with the cut points)",
    "TITRE": "titre as the reciprocal dilution, >= 1 (40 for 1:40); needed for baseline-positive subjects "
    "(treatment-boosted rule)",
    "SIGNAL": "screening signal (ADA status from the cut points)",
    "SIGNAL_DRUG": "signal with excess drug (confirmatory assay, screen-positive samples)",
    "NC": "negative control of the plate (floating cut point)",
}
COLUMNS = tuple(InputColumn(name, name in KEYS, help) for name, help in _HELP.items())


def read_listing(path: Path) -> pd.DataFrame:
    """The ADA listing as text cells; a listing needs ``USUBJID``, ``ARM`` and ``VISIT``, and the result
    column (``ADA``) or ``SIGNAL``.

    Refused here, naming the file, data row, line and column (so that an upload is refused, not only a
    run): a blank ``USUBJID``, ``ARM`` or ``VISIT`` cell (it would be counted as a subject, arm or visit of
    its own) and a ``TITRE`` that is not a number >= 1 (:func:`bioparity.clinical.immunogenicity.
    titre_values`: text such as ``1:40``, ``inf``, zero or negative). Result codes and signals are checked
    by the summary, which names their row too."""
    label = str(path)
    require_file(path, label, "an existing CSV file")
    check_csv_limits(path, label)
    # empty, not UTF-8, ragged, shifted or a column named twice: located here; the cells are then read as
    # before (no trimming of leading spaces, which read_csv_cells would do, so subject ids stay as written)
    read_csv_cells(path, label)
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise DataFileError(f"cannot be read as CSV: {exc}", file=str(path)) from exc
    frame.columns = [str(c).strip() for c in frame.columns]
    missing = [c for c in KEYS if c not in frame.columns]
    if missing:
        raise DataFileError(
            f"missing column(s) {', '.join(missing)}; columns found: {', '.join(frame.columns)}",
            file=str(path),
            expected="columns USUBJID, ARM, VISIT and ADA (POS/NEG) or SIGNAL (with the cut points)",
        )
    where = Where(file=label)
    reject_empty_identifiers(frame, KEYS, where)
    if TITRE in frame.columns:
        titre_values(frame[TITRE], TITRE, where)
    return frame


def incidence_results(
    frame: pd.DataFrame, incidence: str, *, result: str, conf: float, **emergent: Any
) -> tuple[list[IncidenceResult], TreatmentEmergentResult | None]:
    """The incidence tables of the chosen definition (and the treatment-emergent result, if that one)."""
    if incidence not in INCIDENCE_DEFINITIONS:
        raise InputError(f"unknown incidence {incidence!r}; expected treatment-emergent or any-visit")
    if incidence == "any-visit":
        return [ada_incidence(frame, result=result, conf=conf)], None
    te = treatment_emergent_ada(frame, result=result, conf=conf, **emergent)
    return [ada_incidence(frame, result=result, conf=conf, overall=False), te.as_incidence()], te


def summary_frame(
    incidences: list[IncidenceResult],
    emergent: TreatmentEmergentResult | None,
    reference_arm: str | None,
    method: str,
    conf: float,
) -> pd.DataFrame:
    """Incidence rows, treatment-emergent rows and difference rows in one table (``table`` says which),
    named as ``bioparity ada-summary`` writes them."""
    parts = [i.to_frame().assign(table="incidence") for i in incidences]
    if emergent is not None:
        parts.append(emergent.to_frame().assign(table="treatment-emergent"))
    if reference_arm is not None:
        for i in incidences:
            diff = incidence_difference(i, reference_arm=reference_arm, method=method, conf=conf)
            parts.append(diff.to_frame().assign(table="difference"))
    return pd.concat(parts, ignore_index=True).rename(columns=OUTPUT_NAMES)


def _flagged(value: Any) -> bool:
    """Whether a cell of the ``degenerate`` column is set (True, or 1 / "true" read back from a file)."""
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1")
    return bool(value is True or (isinstance(value, (int, float, np.bool_)) and value == 1))


def interval_notes(table: pd.DataFrame) -> tuple[str, ...]:
    """The warning of the degenerate intervals among the summary's difference rows (one note,
    :data:`bioparity.clinical.immunogenicity.ADA_WALD_DEGENERATE`, counting the difference rows), or none.

    Parameters
    ----------
    table : pandas.DataFrame
        The summary table (:func:`summary_frame`, or a stored result's table; a table stored before the
        ``degenerate`` column existed has no note).

    Returns
    -------
    tuple of str
        The note, or empty.
    """
    if DEGENERATE not in table.columns or TABLE not in table.columns:
        return ()
    rows = table[table[TABLE] == "difference"]
    return wald_notes([_flagged(v) for v in rows[DEGENERATE]], ADA_WALD_DEGENERATE)


def _cut_points(options: Mapping[str, Any]) -> tuple[dict[str, ValidatedCutPoint], str] | None:
    """The validated cut points and their source: those of the ``ada-cutpoint`` result ``cut_point_run``
    names (the path of a copy of it: :func:`validated_cut_point_file`, with its name and SHA-256), else the
    ones typed as options (:data:`TYPED`); None when neither is given."""
    source = text_option(options, CUT_POINT_RUN, "")
    typed = [n for n in TYPED_OPTIONS if options.get(n) not in ("", None, "none")]
    if source:
        if typed:
            raise InputError(
                f"give the option cut_point_run or typed cut points ({', '.join(typed)}), not both"
            )
        return validated_cut_point_file(source, os.path.basename(source))
    screening = optional_number(options, "screening_cut_point")
    if screening is None:
        return None
    confirmatory = optional_number(options, "confirmatory_cut_point")
    if confirmatory is None:
        raise InputError(
            "ADA status from typed cut points: give confirmatory_cut_point with screening_cut_point (or "
            "cut_point_run, a signed ada-cutpoint run)"
        )
    normalization = text_option(options, "normalization", "none")
    factor = optional_number(options, "normalization_factor")
    if normalization != "none" and factor is None:
        raise InputError(f"normalization {normalization!r} needs normalization_factor (the run's NF)")
    kind = "fixed" if normalization == "none" else "floating"
    nf = math.nan if factor is None else factor
    return {
        "screening": ValidatedCutPoint("screening", screening, "", math.nan, kind, normalization, nf),
        "confirmatory": ValidatedCutPoint(
            "confirmatory", confirmatory, "", math.nan, "fixed", "none", math.nan
        ),
    }, TYPED


def ada_summary_kind(frame: pd.DataFrame, options: Mapping[str, Any]) -> dict[str, Any]:
    """ADA incidence per arm, treatment-emergent ADA and differences (``bioparity ada-summary``)."""
    result = text_option(options, "result", "ADA")
    given = _cut_points(options)
    notes = []
    cut_points, run = given if given is not None else (None, "")
    if cut_points is not None:
        frame = ada_status(frame, cut_points, cut_point_run=run, result=result)
        positives = int((frame[result] == "POS").sum())
        screening = cell(cut_points["screening"].cut_point, 5)
        confirmatory = cell(cut_points["confirmatory"].cut_point, 5)
        notes.append(
            STATUS_FROM_CUT_POINTS.format(
                result=result, run=run, screening=screening, confirmatory=confirmatory, positives=positives
            )
        )
    incidence = text_option(options, "incidence", "treatment-emergent")
    conf = number_option(options, "conf", 0.95)
    reference = text_option(options, "reference_arm", "") or None
    incidences, emergent = incidence_results(
        frame,
        incidence,
        result=result,
        conf=conf,
        titre=TITRE,
        baseline=text_option(options, "baseline", "") or None,
        boost_fold=number_option(options, "boost_fold", 4.0),
    )
    table = summary_frame(incidences, emergent, reference, text_option(options, "method", "newcombe"), conf)
    table = table.assign(incidence_definition=incidence)
    if cut_points is not None:
        table = table.assign(cut_point_run=run)
    return frame_result(table, notes=[*notes, *interval_notes(table)])


def _percent(value: Any) -> str:
    number = pd.to_numeric(pd.Series([value]), errors="coerce").iloc[0]
    return "—" if pd.isna(number) else f"{100 * float(number):.1f}"


def _rows(part: pd.DataFrame, columns: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
    return tuple(
        (
            str(r[ARM]),
            str(r[TIMEPOINT]),
            *(cell(r.get(c)) for c in columns),
            _percent(r.get(INCIDENCE)),
            _("%(lower)s to %(upper)s")
            % {"lower": _percent(r.get("lower")), "upper": _percent(r.get("upper"))},
        )
        for r in part.to_dict("records")
    )


def ada_summary_tables(frame: pd.DataFrame, options: Mapping[str, Any] | None = None) -> ReportTables:
    """ADA incidence per arm and timepoint (Wilson CIs), the differences to the reference arm; the
    complete result in the appendix."""
    if not {TABLE, ARM, TIMEPOINT, INCIDENCE} <= set(frame.columns):
        return generic_tables(frame)
    level = cell(100 * float(frame["conf"].iloc[0])) if "conf" in frame.columns and len(frame) else "95"
    incidence = frame[frame[TABLE] == "incidence"]
    main = [
        Table(
            _("ADA incidence per arm and timepoint (%(level)s%% Wilson CI)") % {"level": level},
            (
                _("arm"),
                _("timepoint"),
                _("positive"),
                _("evaluable"),
                _("incidence (%)"),
                _("%(level)s%% CI (%%)") % {"level": level},
            ),
            _rows(incidence, ("n_positive", "n_evaluable")),
            (False, False, True, True, True, False),
        )
    ]
    difference = frame[frame[TABLE] == "difference"]
    if len(difference):
        reference = str(difference["reference_arm"].iloc[0])
        shown = difference.assign(incidence=difference["diff"])
        flags = [_flagged(v) for v in difference.get(DEGENERATE, pd.Series([False] * len(difference)))]
        rows = tuple(
            (*row[:-1], _("%(interval)s (degenerate)") % {"interval": row[-1]}) if flag else row
            for row, flag in zip(_rows(shown, ()), flags, strict=True)
        )
        main.append(
            Table(
                _("Difference in incidence to %(reference)s (%(level)s%% CI, %(method)s)")
                % {
                    "reference": reference,
                    "level": level,
                    "method": value_words("method", difference["method"].iloc[0]),
                },
                (
                    _("arm"),
                    _("timepoint"),
                    _("difference (percentage points)"),
                    _("%(level)s%% CI") % {"level": level},
                ),
                rows,
                (False, False, True, False),
                note=" ".join(note_text(n) for n in interval_notes(frame)),
                css=tuple("fail" if flag else "" for flag in flags),
            )
        )
    appendix = panels(frame, [TABLE, ARM, TIMEPOINT], _("Complete immunogenicity summary"))
    return ReportTables(tuple(main), tuple(appendix))


#: An arm's incidence in the one-line summary (zh-CN with full-width parentheses), and the line itself.
ARM_INCIDENCE = gettext_noop("%(arm)s %(positive)s/%(evaluable)s (%(percent)s%%)")
SUMMARY_LINE = gettext_noop("%(label)s %(result)s: %(arms)s")


def ada_summary_line(result: Mapping[str, Any], options: Mapping[str, Any]) -> str:
    """``treatment-emergent ADA: T 0/3 (0.0%), R 1/3 (33.3%)``, with the cut-point run when applied."""
    records = result_records(result)
    wanted = "TREATMENT-EMERGENT" if options.get("incidence") != "any-visit" else "OVERALL"
    parts = [
        _(ARM_INCIDENCE)
        % {
            "arm": r[ARM],
            "positive": cell(r.get("n_positive")),
            "evaluable": cell(r.get("n_evaluable")),
            "percent": _percent(r.get(INCIDENCE)),
        }
        for r in records
        if r.get(TABLE) == "incidence" and r.get(TIMEPOINT) == wanted
    ]
    label = _("treatment-emergent") if wanted == "TREATMENT-EMERGENT" else _("any-visit")
    run = str(options.get(CUT_POINT_RUN) or "") or (
        _(TYPED) if options.get("screening_cut_point") not in ("", None) else ""
    )
    source = _("; status from the cut points of %(run)s") % {"run": run} if run else ""
    incidences = _(ITEM_SEPARATOR).join(parts)
    return (
        _(SUMMARY_LINE) % {"label": label, "result": options.get("result", "ADA"), "arms": incidences}
        + source
    )


def example_data() -> bytes:
    """Two arms x 10 subjects, baseline and weeks 4 and 12, screening signals (S/N) and signals with
    excess drug: to be classified by the cut points 1.2 (screening) and 20% inhibition (confirmatory)."""
    rng = np.random.default_rng(62)
    rows = []
    for arm, rate in (("test", 0.3), ("reference", 0.2)):
        for i in range(10):
            responder = rng.random() < rate
            for week, visit in ((0, "BASELINE"), (4, "WEEK 4"), (12, "WEEK 12")):
                positive = responder and week > 0
                signal = float(np.exp(rng.normal(0.0, 0.12))) * (4.0 if positive else 1.0)
                inhibition = rng.normal(70.0, 8.0) if positive else rng.normal(5.0, 5.0)
                drug = signal * (1.0 - inhibition / 100.0)
                rows.append((f"{arm[0].upper()}{i + 1:02d}", arm, visit, round(signal, 4), round(drug, 4)))
    frame = pd.DataFrame(rows, columns=["USUBJID", "ARM", "VISIT", "SIGNAL", "SIGNAL_DRUG"])
    return frame.to_csv(index=False).encode()


ADA_SUMMARY = Analysis(
    name=NAME,
    # reference sets of bioparity validate (MANIFEST.yaml)
    validation=("ada-summary-r", "clinical-published"),
    title=gettext_noop("Immunogenicity summary (ADA incidence)"),
    description=gettext_noop(
        "ADA incidence per arm (treatment-emergent or any visit), differences between arms; ADA "
        "status from validated cut points"
    ),
    read=read_listing,
    compute=ada_summary_kind,
    columns=COLUMNS,
    options=(
        Option(
            "incidence",
            gettext_noop(
                "treatment-emergent (induced + boosted, baseline prevalence apart; default) or any-visit"
            ),
            "treatment-emergent",
            INCIDENCE_DEFINITIONS,
        ),
        Option("reference_arm", gettext_noop("arm to compare the others with ('' = no differences)"), ""),
        Option("conf", gettext_noop("two-sided confidence level (default 0.95)"), 0.95, type="number"),
        Option(
            "method",
            gettext_noop(
                "interval of the differences: newcombe (default), newcombe-cc (with continuity correction), "
                "mn, fm or wald (flagged when an arm has 0 or all positive)"
            ),
            "newcombe",
            DIFFERENCE_METHODS,
        ),
        Option("baseline", gettext_noop("baseline visit label ('' = BASELINE, PREDOSE, DAY 0 ...)"), ""),
        Option(
            "boost_fold",
            gettext_noop("titre rise over a positive baseline that counts (default 4)"),
            4.0,
            type="number",
        ),
        Option("result", gettext_noop("result column (ADA, NAB, ...)"), "ADA"),
        Option.optional_number(
            "screening_cut_point",
            gettext_noop(
                "reported screening cut point of an ada-cutpoint run: ADA status from SIGNAL "
                "(empty = the ADA column)"
            ),
        ),
        Option.optional_number(
            "confirmatory_cut_point",
            gettext_noop("reported confirmatory cut point (% inhibition) of the same run"),
        ),
        Option(
            "normalization",
            gettext_noop(
                "floating screening cut point: none (fixed, default), additive on log scale (NC x exp(NF)), "
                "multiplicative (NC x NF) or additive (NC + NF)"
            ),
            "none",
            NORMALIZATIONS,
        ),
        Option.optional_number(
            "normalization_factor", gettext_noop("normalisation factor NF of a floating cut point (needs NC)")
        ),
        replace(
            CUT_POINT_RUN_OPTION,
            help=gettext_noop(
                "id of a signed ada-cutpoint run of this program: its reported screening and confirmatory "
                "cut points (floating: each sample's NC x NF); on the command line the path of its JSON "
                "result"
            ),
        ),
    ),
    tables=ada_summary_tables,
    summary=ada_summary_line,
    study_kinds=("clinical",),
    example=example_file(
        "ada-listing.csv",
        example_data,
        {
            "screening_cut_point": 1.2,
            "confirmatory_cut_point": 20.0,
            "reference_arm": "reference",
        },
    ),
)

ANALYSES = (ADA_SUMMARY,)
