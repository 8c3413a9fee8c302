"""Noncompartmental analysis per profile: the ``nca`` kind (PKNCA-compatible parameters, CDISC PP table).

The reader (``read_concentrations``) and the compute (``nca_kind``) run the NCA input spec through
:func:`bioparity.nca.run_nca`, the entry ``bioparity nca`` uses too (parameters as PKNCA, Denney et al. 2015,
and Gabrielsson & Weiner, Pharmacokinetic and Pharmacodynamic Data Analysis, 5th ed., chapter 2). This
module also holds how the kind is offered and shown: options, input columns and their units, the report
tables (summary statistics and review flags per arm and per value of every other profile grouping column
that varies, e.g. the analyte or the period; per-subject parameters by group), the concentration-time
plot, and the lambda_z review page.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from bioparity.analyses.contract import (
    SOURCE_FILE,
    SOURCE_LINE_OFFSET,
    Action,
    Analysis,
    InputColumn,
    Option,
    RunView,
    example_file,
)
from bioparity.analyses.figures import (
    Figure,
    ProfilePlot,
    arm_column,
    bands_caption,
    line_profiles,
    named_arm_column,
    profile_plot,
    semilog_means_note,
)
from bioparity.analyses.frames import frame_result
from bioparity.analyses.options import list_option
from bioparity.analyses.tables import (
    PORTRAIT_BUDGET,
    ReportTables,
    Table,
    cell,
    generic_tables,
    panels,
    unit_label,
)
from bioparity.analyses.terms import key_label
from bioparity.columns import AmbiguousColumnError
from bioparity.errors import BioparityError, DataFileError, InputError
from bioparity.i18n import gettext as _
from bioparity.i18n import gettext_noop, translations
from bioparity.i18n.notes import compile_template, note_template, note_text
from bioparity.io.adsl import AdslPeriods, adsl_periods, is_adsl
from bioparity.io.nca_input import (
    ARM_WITHIN_SUBJECT,
    ARMS_POOLED,
    PERIOD,
    TREATMENT,
    NCADoses,
    NCASamples,
    check_sdtm_ex,
    dm_arms,
    missing_concentrations,
    read_doses,
    samples_of,
    with_dm_arms,
)
from bioparity.io.readers import LoadedTable, read_any_table
from bioparity.io.sdtm import PC_GROUPS, PC_IN_PP, is_sdtm_dm, is_sdtm_ex, is_sdtm_pc
from bioparity.left_out import STORED_RESULT, left_out_rows
from bioparity.nca import GROUP_COLUMNS, NCAOptions, NCASpec, Where, result_table, run_nca, spec_from_options
from bioparity.nca.lambda_z import LAMZ_REASONS, LAMZ_TOO_FEW_POINTS
from bioparity.nca.multiple.intervals import IntervalResult
from bioparity.nca.review import ACTIONS, WHOLE_PROFILE, choices_frame
from bioparity.nca.single.engine import LAMZ_NOT_ESTIMATED
from bioparity.nca.single.results import EXCLUDED_BY_USER
from bioparity.nca.summary import SummaryStatistics, flag_counts, split_columns, summary_statistics

NAME = "nca"
#: Columns of the PP result table the tables and the review read.
TESTCD, RESULT, RESULT_UNIT = "PPTESTCD", "PPSTRESN", "PPSTRESU"

#: NCA parameter groups (CDISC PPTESTCD codes) for the per-subject tables; other codes go to "Other".
#: (The group names are translated where they are printed.)
NCA_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        gettext_noop("Exposure"),
        ("CMAX", "TMAX", "CLST", "TLST", "CMIN", "TMIN", "CAVG", "C0", "TLAG", "CTROUGH"),
    ),
    (
        gettext_noop("Area under the curve"),
        ("AUCLST", "AUCALL", "AUCIFO", "AUCIFP", "AUCPEO", "AUCPEP", "AUCTAU"),
    ),
    (
        gettext_noop("Terminal phase (lambda_z)"),
        ("LAMZ", "LAMZHL", "R2", "R2ADJ", "LAMZLL", "LAMZUL", "LAMZNPT"),
    ),
    (gettext_noop("Lambda_z review"), ("LAMZSPN", "CLSTP")),
    (
        gettext_noop("Clearance, volume and moments"),
        ("CLFO", "CLO", "VZFO", "VZO", "MRTEVIFO", "MRTIVIFO", "CLFTAU", "CLTAU", "VZFTAU", "VZTAU"),
    ),
    (gettext_noop("Moments (AUMC)"), ("AUMCLST", "AUMCIFO", "AUMCTAU")),
    (
        gettext_noop("Fluctuation, swing and accumulation"),
        ("FLUCP", "FLUCPTAU", "SWING", "SWINGTAU", "PTROUGHR", "AILAMZ", "ARAUC", "ARCMAX"),
    ),
)
#: Usual names of a column giving each concentration's unit (``bioparity nca --conc-unit-column``):
#: the standard and original result units of the CDISC SDTM Pharmacokinetic Concentrations (PC) domain.
CONC_UNIT_COLUMNS = ("conc_unit", "PCSTRESU", "PCORRESU")
#: The review flags (``flag_*`` columns of the PP table, :data:`bioparity.nca.single.parameters.FLAGS`) in
#: words, with the thresholds of the run's :class:`~bioparity.nca.NCAOptions` (translated where printed).
FLAG_TEXT = {
    "flag_lambda_z_few_points": gettext_noop(
        "fewer than %(points)d points after Tmax: lambda_z not estimated"
    ),
    "flag_lambda_z_manual": gettext_noop("lambda_z from points selected by the reviewer"),
    "flag_lambda_z_points_excluded": gettext_noop("samples excluded from the lambda_z fit by the reviewer"),
    "flag_r2adj_low": gettext_noop("adjusted R2 of the lambda_z fit below %(r2adj)g"),
    "flag_span_ratio_low": gettext_noop("span ratio (fit time range / half-life) below %(span)g"),
    "flag_aucpeo_high": gettext_noop("AUC extrapolated beyond Tlast above %(aucpext)g%%"),
    "flag_blq_imputed": gettext_noop("a BLQ sample after the dose kept as 0 or imputed"),
    "flag_no_time0": gettext_noop("no sample at the dose time: AUC from time 0 not computed"),
}
#: The stored reason of the values that need lambda_z when too few points follow Tmax.
_TOO_FEW = LAMZ_NOT_ESTIMATED.format(reason=LAMZ_REASONS[LAMZ_TOO_FEW_POINTS])
#: A ``lambda_z_method`` text with the samples the reviewer excluded, and one excluded sample in it.
_EXCLUDED = compile_template(EXCLUDED_BY_USER).pattern
_POINT = re.compile(r"(?:^|; )t=(?P<t>[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?|nan|inf): ")


def profile_columns(frame: pd.DataFrame) -> tuple[list[str], str | None]:
    """The grouping columns and the subject column of the profiles of an NCA table (the PP result table
    or the samples), in the table's column order.

    The grouping columns are those of the grouping rule of the NCA input spec (:mod:`bioparity.nca.spec`:
    arm, period, treatment, analyte, formulation, sequence, visit, any letter case) and, for a table read
    from SDTM, the profile groups of a PC domain (:data:`bioparity.io.sdtm.PC_GROUPS`: STUDYID, PCTESTCD,
    PCSPEC, PCRFTDTC) or of a PP domain (:data:`bioparity.io.sdtm.PC_IN_PP`: PPCAT, PPSPEC, PPRFTDTC).
    The subject is the spec's subject column (``subject``, any letter case), else ``USUBJID`` (CDISC
    SDTMIG v3.4, section 4.1.2.3), else None.
    """
    names = [str(c) for c in frame.columns]
    spec = NCASpec().resolve(names)
    subject = spec.subject if spec.subject in names else ("USUBJID" if "USUBJID" in names else None)
    grouping = {*spec.groups, *PC_GROUPS, *PC_IN_PP.values()}
    return [c for c in names if c in grouping and c != subject], subject


def _profile_keys(frame: pd.DataFrame) -> list[str]:
    """The columns naming each profile in the per-profile tables (:func:`profile_columns`): the grouping
    columns of the spec's rule (arm, period, analyte, ...), the SDTM ones (PCTESTCD, PCSPEC, STUDYID)
    where they hold more than one value (a single study's STUDYID names no profile apart), the subject;
    for a multiple-dose table also the dosing interval."""
    groups, subject = profile_columns(frame)
    named = NCASpec().resolve(frame).groups
    split = [c for c in groups if c in named or frame[c].nunique(dropna=False) > 1]
    keys = [*split, *([subject] if subject else [])]
    if INTERVAL in frame.columns:  # multiple dose: one row per dosing interval and parameter
        return [*keys, *(c for c in (INTERVAL, "start", "end") if c in frame.columns)]
    for extra in ("start", "end"):
        if extra in frame.columns and frame.duplicated([*keys, "PPTESTCD"]).any():
            keys.append(extra)
    return keys


def _constant_within(frame: pd.DataFrame, keys: list[str], column: str) -> bool:
    if not keys:
        return False
    return bool((frame.groupby(keys, sort=False)[column].nunique(dropna=False) <= 1).all())


#: Profiles from which the per-subject tables of the appendix print as listings (:attr:`Table.listing`:
#: aligned lines of fixed-width text, one line a profile, as the subject listings of a clinical study
#: report, ICH E3 section 16.2): a 2,004-profile report's five tables of 2,005 rows, 76,000 cells, took
#: WeasyPrint 74 s of CPU (203 s wall at a load of 4-8), the whole report as listings 12.5 s. Fewer
#: profiles (the demo's 201) keep their tables, which WeasyPrint lays out in a few seconds.
LISTING_FROM = 500


def listed(tables: list[Table]) -> list[Table]:
    """The per-subject ``tables`` as listings when one has :data:`LISTING_FROM` rows or more, else as
    they are."""
    many = max((len(t.rows) for t in tables), default=0) >= LISTING_FROM
    return [replace(t, listing=True) for t in tables] if many else tables


def _result_tables(
    frame: pd.DataFrame, settings: NCAOptions | None = None, options: Mapping[str, Any] | None = None
) -> ReportTables:
    """Summary statistics per arm and parameter, flags per subject, the reasons and flags of each profile,
    one table per parameter group (``settings``: the run's NCA options, for the flags' thresholds).

    A multiple-dose table (a ``dose_number`` column) is summarised per dosing interval instead
    (:func:`_interval_tables`): the steady-state (last) interval and the intervals first, the statistics
    of every interval in the appendix (``options``: the run's options, for the time unit and tau).
    """
    if not {"PPTESTCD", "PPSTRESN"} <= set(frame.columns):
        return generic_tables(frame)
    keys = _profile_keys(frame)
    arm, by = _summary_groups(frame)
    subject = profile_columns(frame)[1]
    unit_col = "PPSTRESU" if "PPSTRESU" in frame.columns else None
    units: dict[str, str] = {}
    if unit_col:
        for code, g in frame.groupby("PPTESTCD", sort=False):
            found = sorted(set(g[unit_col].fillna("").astype(str)) - {""})
            units[str(code)] = found[0] if len(found) == 1 else ""
    main: list[Table] = []
    appendix: list[Table] = []
    if INTERVAL in frame.columns:
        main, appendix = _interval_tables(frame, options or {})
    else:
        summary = parameter_statistics(frame)
        main.append(
            _statistics_table(
                summary.to_frame(),
                _("Summary statistics per arm and parameter (PPSTRESN by PPTESTCD)"),
                _split_note(by) + _(STATISTICS_NOTE) + _geometric_note(summary.notes),
                by=by,
            )
        )
    flags = [c for c in frame.columns if str(c).startswith("flag_")]
    run_settings = settings or NCAOptions()
    if flags and subject is not None:
        counts = flag_counts(frame, group=arm, by=by, subject=subject).to_frame()
        labels = [key_label(str(c)) for c in counts.columns[: 1 + len(by)]]  # the arm, the analyte, ...
        main.append(
            Table(
                _("Review flags: subjects with the flag per arm"),
                (*labels, _("flag"), _("subjects flagged"), _("subjects")),
                # the flag in words with the run's thresholds (as the reasons table says it), not the code
                tuple(
                    (
                        *(cell(v) for v in row[: len(labels)]),
                        _flag_words(f"flag_{row[len(labels)]}", run_settings),
                        *(cell(v) for v in row[len(labels) + 1 :]),
                    )
                    for row in counts.itertuples(index=False)
                ),
                (*(False for _label in labels), False, True, True),
                note=_split_note(by)
                + _("Counted per subject: a flag on several parameters of one profile counts once."),
            )
        )
    reasons = _reasons_table(frame, keys, run_settings)
    if reasons is not None:
        main.append(reasons)
    # the subject-level columns kept (option keep: body weight) beside the subject, not among the methods
    kept = [c for c in spec_from_options(options or {}).keep if c in frame.columns and c not in keys]
    shown = [*keys, *kept]
    # one row per profile that exists (not the cross product of arms and subjects); a subject without a
    # kept value is still one (dropna)
    wide = (
        frame.groupby([*shown, "PPTESTCD"], sort=False, dropna=not kept)["PPSTRESN"]
        .first()
        .unstack("PPTESTCD")
    )
    codes = [str(c) for c in dict.fromkeys(frame["PPTESTCD"].astype(str))]
    placed: set[str] = set()
    groups: list[tuple[str, list[str]]] = []
    for name, members in NCA_GROUPS:
        chosen = [c for c in members if c in codes]
        placed |= set(chosen)
        if chosen:
            groups.append((name, chosen))
    other = [c for c in codes if c not in placed]
    for i in range(0, len(other), 8):
        groups.append((gettext_noop("Other parameters"), other[i : i + 8]))
    key_width = sum(max(len(k), 10) + 2 for k in shown)
    # the profile's columns (arm, subject, ...) in the reader's words where the registry has them (a
    # Chinese report printed "arm", "subject" over its per-subject tables)
    key_headers = {k: key_label(k) for k in shown}
    merged: list[tuple[list[str], list[str]]] = []
    for name, chosen in groups:
        width = sum(max(len(unit_label(c, units.get(c, ""))), 9) + 2 for c in chosen)
        if (
            merged
            and key_width
            + width
            + sum(max(len(unit_label(c, units.get(c, ""))), 9) + 2 for c in merged[-1][1])
            <= PORTRAIT_BUDGET
        ):
            merged[-1][0].append(name)
            merged[-1][1].extend(chosen)
        else:
            merged.append(([name], list(chosen)))
    for names, chosen in merged:
        part = wide[chosen].reset_index()
        headers = {c: unit_label(c, units.get(c, "")) for c in chosen} | key_headers
        title = _("%(groups)s: PPSTRESN per subject (PPTESTCD as columns)") % {
            "groups": "; ".join(_(n) for n in names)
        }
        appendix += listed(
            panels(
                part, shown, title, headers=headers, budget=PORTRAIT_BUDGET, wide=False, digits=SIGNIFICANT
            )
        )
    others = [c for c in frame.columns if c not in {*shown, "PPTESTCD", "PPSTRESN", "PPSTRESU", "PPORRESU"}]
    numeric = [
        c
        for c in others
        if pd.api.types.is_numeric_dtype(frame[c])
        and not pd.api.types.is_bool_dtype(frame[c])
        and not _constant_within(frame, keys, c)
    ]
    for c in numeric:  # a number per parameter (e.g. PPORRES): per-subject tables like PPSTRESN
        values = pd.to_numeric(frame[c], errors="coerce")
        same = values.eq(pd.to_numeric(frame["PPSTRESN"], errors="coerce")) | (
            values.isna() & frame["PPSTRESN"].isna()
        )
        differ = [str(x) for x in dict.fromkeys(frame.loc[~same, "PPTESTCD"].astype(str))]
        if not differ:
            appendix.append(_equal_note(c, len(codes)))
            continue
        sub = frame[frame["PPTESTCD"].astype(str).isin(differ)]
        part = sub.groupby([*keys, "PPTESTCD"], sort=False)[c].first().unstack("PPTESTCD")[differ]
        unit_of = {}
        if c == "PPORRES" and "PPORRESU" in frame.columns:
            unit_of = {
                str(k): str(v) for k, v in frame.groupby("PPTESTCD", sort=False)["PPORRESU"].first().items()
            }
        headers = {x: unit_label(x, unit_of.get(x, "")) for x in differ} | key_headers
        title = _("%(column)s per subject where it differs from PPSTRESN (other parameters: equal)") % {
            "column": c
        }
        appendix += listed(
            panels(
                part.reset_index(),
                keys,
                title,
                headers=headers,
                budget=PORTRAIT_BUDGET,
                wide=False,
                digits=SIGNIFICANT,
            )
        )
    # the units (two columns) on portrait pages with the per-subject tables, the landscape table of the
    # other columns last: printed after it, two short unit tables made landscape pages of their own and a
    # half-empty portrait page before them (the portrait part ended at 54% of the zh-CN report's page 25)
    for c in ("PPORRESU", "PPSTRESU"):
        if c in frame.columns:
            u = frame.groupby("PPTESTCD", sort=False)[c].first().reset_index()
            title = _("%(column)s (units) by parameter") % {"column": c}
            appendix += panels(u, ["PPTESTCD"], title, budget=PORTRAIT_BUDGET, wide=False)
    rest = [c for c in others if c not in numeric]
    if rest:
        appendix.append(_varying_table(frame, keys, rest))
    none = () if reasons is not None else (_("No value is missing and no profile has a review flag."),)
    return ReportTables(tuple(main), tuple(appendix), notes=none)


#: Significant digits of the parameters printed in the report's tables: the summary statistics and the
#: appendix's per-subject values alike (the appendix printed six, ``3.92136e+06`` under a mean of
#: ``3.7246e+06``).
SIGNIFICANT = 5
#: The note under a table of summary statistics (translated where printed).
STATISTICS_NOTE = gettext_noop(
    "SD and CV% with n - 1; geometric CV% = 100·sqrt(exp(s²log) - 1); no geometric "
    "statistics for times of samples (Tmax, Tlast, lambda_z interval), R2, span ratio and counts."
)
#: The column of a multiple-dose PP table numbering the dosing intervals of a profile (1 = first dose).
INTERVAL = "dose_number"
#: The steady-state parameters of a multiple-dose run's main table, in this order: AUC(0-tau), Cmax,ss,
#: Cmin,ss, Ctrough,ss, Cavg, fluctuation and swing (EMA CPMP/EWP/QWP/1401/98 Rev. 1, section 4.1.5), and
#: the accumulation ratios of AUCTAU and Cmax against dose 1 (Gabrielsson & Weiner 2016, chapter 2).
STEADY_STATE_CODES = ("AUCTAU", "CMAX", "CMIN", "CTROUGH", "CAVG", "FLUCP", "SWING", "ARAUC", "ARCMAX")
STEADY_STATE_NOTE = gettext_noop(
    "Each arm's last dosing interval (its highest dose number). CMAX and CMIN observed in the interval, "
    "CTROUGH observed at its end (dose + tau), CAVG = AUCTAU / tau, FLUCP = 100·(CMAX - CMIN) / CAVG, "
    "SWING = 100·(CMAX - CMIN) / CMIN (percent, as PKNCA), ARAUC and ARCMAX: AUCTAU and CMAX over those "
    "of dose 1 of the same profile. Every parameter of every interval in the appendix."
)
NO_TAU_NOTE = gettext_noop(
    "The option tau (the dosing interval after the last dose) was not given: the last dose has no "
    "interval, so its parameters are missing (PKNCA and Phoenix need tau for the last dose)."
)


def with_arms(
    samples: NCASamples,
    dm: str | os.PathLike[str] | LoadedTable | None,
    *,
    given: str,
    label: str | None = None,
) -> NCASamples:
    """The samples with each subject's arm from an SDTM DM domain, when one is given (``bioparity nca
    --dm``, ``bioparity nca-batch --dm`` on each partition, the workspace NCA's option ``dm``):
    :func:`bioparity.io.nca_input.with_dm_arms`, the one reader and merge of all three.

    Parameters
    ----------
    samples : NCASamples
        The concentrations as read (:func:`bioparity.io.nca_input.samples_of`).
    dm : str, os.PathLike, LoadedTable or None
        The DM file or the DM read already; None or ``''``: none given, the samples are returned as they
        are.
    given : str
        How the DM was given, for the message refusing it (``--dm dm.xpt``, ``option dm (dm.xpt)``).
    label : str, optional
        How messages name the DM file (default: the path as given).

    Returns
    -------
    NCASamples
        The samples with ARM (and ACTARM) as profile columns, or unchanged without a DM.

    Raises
    ------
    InputError
        A DM given for samples that have an arm column already (which arm would the statistics use?).
    DataFileError
        A DM that does not fit (:func:`~bioparity.io.nca_input.with_dm_arms`: columns, a subject with two
        arms, sampled subjects missing from it, named with the file).
    """
    if dm is None or (not isinstance(dm, LoadedTable) and not str(dm).strip()):
        return samples
    if named_arm_column(samples.frame, file=samples.where.file) is not None:
        raise InputError(_("%(given)s: the input has an arm column already") % {"given": given})
    return with_dm_arms(samples, dm, label=label)


def read_adsl(path: str | os.PathLike[str] | None, *, label: str | None = None) -> AdslPeriods | None:
    """The periods of an ADaM ADSL file (``bioparity nca --adsl``, the workspace NCA's option ``adsl``;
    batch NCA reads it once for every partition through :func:`bioparity.io.adsl.adsl_periods` too), for
    :func:`bioparity.io.nca_input.samples_of`; None or ``''``: none given.

    Raises
    ------
    DataFileError
        An ADSL without USUBJID or a period start, a bad date, a USUBJID twice (file, row, column named).
    """
    if path is None or not str(path).strip():
        return None
    return adsl_periods(read_any_table(path, label=label))


def arms_notes(samples: NCASamples) -> list[str]:
    """``[ARMS_POOLED]`` for an SDTM PC domain without an arm column (and no DM given, which would have
    added ARM) and without an ADSL's planned treatment (TRTP, which groups them then:
    :func:`~bioparity.analyses.figures.arm_column`): its summary statistics pool the subjects of every arm,
    which must be said wherever they are shown (EMA CPMP/EWP/QWP/1401/98 Rev. 1, section 4.1.8: descriptive
    statistics per treatment); else ``[]`` (a plain table's own columns say what it is). And, for each arm
    column (ARM, ACTARM, any letter case) whose value changes within a subject, the note of
    :data:`~bioparity.io.nca_input.ARM_WITHIN_SUBJECT` (:func:`arm_changes`), which the summary statistics
    would otherwise count silently in two arms.

    Parameters
    ----------
    samples : NCASamples
        The samples of the run, after :func:`with_arms`.

    Returns
    -------
    list of str
        The notes of :data:`bioparity.io.nca_input.ARMS_POOLED` and ``ARM_WITHIN_SUBJECT``, or nothing.
    """
    pooled = samples.sdtm_pc is not None and arm_column(samples.frame, file=samples.where.file) is None
    return ([ARMS_POOLED] if pooled else []) + arm_changes(samples.frame, samples.spec.subject)


#: The arm columns that CDISC fixes per subject (SDTMIG v3.4, section 5.2, DM: ARM, ACTARM), in upper case;
#: a treatment column is not one (a crossover's treatment changes within a subject by design).
_SUBJECT_ARMS = ("ARM", "ACTARM")
#: How many subjects :func:`arm_changes` names in its note (their count is said in full).
_NAMED_SUBJECTS = 5


def arm_columns(columns: Iterable[object]) -> list[str]:
    """The arm columns among ``columns``: ARM and ACTARM in any letter case (``arm``), in their order."""
    return [str(c) for c in columns if str(c).upper() in _SUBJECT_ARMS]


def arm_changes(frame: pd.DataFrame, subject: str, rows: Sequence[str] | None = None) -> list[str]:
    """One :data:`~bioparity.io.nca_input.ARM_WITHIN_SUBJECT` note per arm column of ``frame`` (ARM or
    ACTARM in any letter case, e.g. ``arm``: :func:`arm_columns`) that has two or more values for one
    ``subject``: the number of such subjects and, for the first :data:`_NAMED_SUBJECTS` of them, each arm
    with its first data row (``S001: test (row 1), eu-ref (row 231)``, rows numbered from 1 as in the file
    read; ``rows``: the text of each row of ``frame`` instead, when its rows were gathered from a larger
    data set, as ``bioparity nca-batch`` checks the first rows of every partition together). Empty without
    a subject column or when every subject has one arm."""
    if subject not in frame.columns:
        return []
    notes = []
    where = [f"row {i + 1}" for i in range(len(frame))] if rows is None else list(rows)
    for column in arm_columns(frame.columns):
        pairs = pd.DataFrame(
            {"subject": frame[subject].to_numpy(), "arm": frame[column].to_numpy(), "row": where}
        )
        pairs = pairs.dropna().drop_duplicates(["subject", "arm"])
        counts = pairs["subject"].value_counts(sort=False)
        changed = counts.index[counts > 1]
        if changed.empty:
            continue
        firsts = pairs[pairs["subject"].isin(changed)]
        named = list(dict.fromkeys(firsts["subject"]))[:_NAMED_SUBJECTS]
        subjects = "; ".join(
            f"{who}: "
            + ", ".join(f"{arm} ({row})" for arm, row in zip(first["arm"], first["row"], strict=True))
            for who, first in ((who, firsts[firsts["subject"] == who]) for who in named)
        )
        notes.append(ARM_WITHIN_SUBJECT.format(column=column, n=len(changed), subjects=subjects))
    return notes


def _summary_groups(frame: pd.DataFrame) -> tuple[str | None, list[str]]:
    """The arm column of the summary statistics (:func:`~bioparity.analyses.figures.arm_column`, the lines
    of the concentration-time figure too) and the other profile grouping columns (:func:`profile_columns`)
    that must split them so that a subject gives one value per group and parameter
    (:func:`bioparity.nca.summary.split_columns`): the analyte, or the period of repeated profiles of one
    treatment, never a crossover's period or sequence. A single-analyte table stays as it was. Without an
    arm column, a crossover's planned treatment of each period (``TRTP``, from the ADSL:
    :func:`bioparity.io.nca_input.with_derived_period`) groups them: statistics per treatment, not pooled
    over the treatments of a period (EMA CPMP/EWP/QWP/1401/98 Rev. 1, section 4.1.8)."""
    arm = arm_column(frame)
    groups, subject = profile_columns(frame)
    # the SDTM visit variables of a table whose profiles they split (``--group VISITNUM``, or VISITNUM taken
    # from EX for a crossover: :meth:`bioparity.io.nca_input.ExDomain.dose_per_profile`)
    groups += [c for c in frame.columns if str(c).upper() in _VISIT_GROUPS and c not in groups]
    within = [c for c in (arm, INTERVAL, TESTCD) if c is not None and c in frame.columns]
    return arm, split_columns(frame, [c for c in groups if c != arm], subject=subject, within=within)


#: SDTM visit variables (SDTMIG v3.4, section 4.4.7) that split summary statistics as profile columns.
_VISIT_GROUPS = ("VISITNUM", "VISIT", "EPOCH")


#: Said under summary statistics split by more grouping columns than the arm (translated where printed).
SPLIT_NOTE = gettext_noop("One row per %(columns)s as well: their profiles are never pooled.")


def _split_note(by: Sequence[str]) -> str:
    """:data:`SPLIT_NOTE` for the grouping columns ``by`` with a space after it (empty without any)."""
    return _(SPLIT_NOTE) % {"columns": ", ".join(key_label(c) for c in by)} + " " if by else ""


def _statistics_table(stats: pd.DataFrame, title: str, note: str, *, by: Sequence[str] = ()) -> Table:
    """Summary statistics (:meth:`~bioparity.nca.summary.SummaryStatistics.to_frame`: the group, the
    further grouping columns ``by``, the dose number of a multiple-dose table, the parameter and its unit,
    the statistics) as printed: the parameter with its unit, numbers to 5 significant digits, counts as
    whole numbers."""
    headers = {
        INTERVAL: _("dose number"),
        "parameter": _("parameter (unit)"),
        "n_missing": _("n missing"),
        "sd": _("SD"),
        "cv_percent": _("CV%"),
        "mean": _("mean"),
        "median": _("median"),
        "min": _("min"),
        "max": _("max"),
        "geometric_mean": _("geometric mean"),
        "geometric_cv_percent": _("geometric CV%"),
    }
    stats = stats.assign(
        parameter=[unit_label(p, u) for p, u in zip(stats["parameter"], stats["unit"], strict=True)]
    ).drop(columns=["unit", "software_version"], errors="ignore")
    body = [
        tuple(
            cell(v, SIGNIFICANT) if c not in ("n", "n_missing", INTERVAL) else cell(v)
            for c, v in zip(stats.columns, r, strict=True)
        )
        for r in stats.itertuples(index=False)
    ]
    named = (stats.columns[0], *by)
    return Table(
        title,
        # the arm (the group) and the further grouping columns (analyte, period) in the reader's words; the
        # other columns as headed above
        tuple(headers.get(c, key_label(str(c)) if c in named else c) for c in stats.columns),
        tuple(body),
        tuple(c not in (stats.columns[0], *by, "parameter") for c in stats.columns),
        note=note,
        wide=True,  # 12 columns of up to 10 characters: a landscape page, the max column kept
    )


def interval_statistics(table: pd.DataFrame) -> pd.DataFrame:
    """Summary statistics of a multiple-dose PP table per arm (when it has one), other grouping column
    with several values (analyte, period: :func:`_summary_groups`), dosing interval (dose number) and
    parameter (:func:`~bioparity.nca.summary.summary_statistics` with ``interval="dose_number"``): dose 1
    and the last dose are never pooled, nor two analytes. Columns: the arm (or ``group``), those grouping
    columns, ``dose_number``, ``parameter``, ``unit``, ``n``, ``n_missing``, ``mean``, ``sd``,
    ``cv_percent``, ``geometric_mean``, ``geometric_cv_percent``, ``median``, ``min``, ``max``."""
    if INTERVAL not in table.columns:
        raise InputError(f"statistics per dosing interval: the NCA table has no column {INTERVAL}")
    return parameter_statistics(table).to_frame().drop(columns="software_version")


def parameter_statistics(table: pd.DataFrame) -> SummaryStatistics:
    """The summary statistics of a PP table (one row per profile, or dosing interval, and parameter) that
    the report shows and ``bioparity nca`` writes (``OUT.summary.csv``): one function for both, so that the
    command line and the workspace give the same numbers.

    Per arm (:func:`~bioparity.analyses.figures.arm_column`: an arm column in any letter case, else a
    crossover's TRTP from the ADSL; ``group`` = ``all`` without either), other grouping column that
    splits a subject's profiles (the analyte always, the period of repeated profiles of one treatment,
    never a crossover's period or sequence: :func:`_summary_groups`) and parameter; a multiple-dose table per
    dosing interval as well (``dose_number``, as :func:`interval_statistics`). Its ``to_frame()`` columns:
    the arm (or ``group``), those grouping columns, ``dose_number`` (multiple dose), ``parameter``,
    ``unit`` (PPSTRESU, empty without units), ``n``, ``n_missing``, ``mean``, ``sd``, ``cv_percent``,
    ``geometric_mean``, ``geometric_cv_percent``, ``median``, ``min``, ``max``, ``software_version``; its
    ``notes`` say where geometric statistics were left out for values <= 0
    (:func:`~bioparity.nca.summary.summary_statistics`: SD with n - 1,
    geometric CV% = 100 sqrt(exp(s^2 of log) - 1), Kirkwood, Biometrics 35:908-909, 1979; EMA
    CPMP/EWP/QWP/1401/98 Rev. 1, section 4.1.8: descriptive statistics per treatment).
    """
    unit = RESULT_UNIT if RESULT_UNIT in table.columns else None
    arm, by = _summary_groups(table)
    interval = INTERVAL if INTERVAL in table.columns else None
    table = table if interval else _partial_areas_apart(table)
    return summary_statistics(table, group=arm, by=by, unit=unit, interval=interval)


def _partial_areas_apart(table: pd.DataFrame) -> pd.DataFrame:
    """A single-dose PP table with each partial area (``AUCINT``, one row per requested interval and
    profile) named after its interval, ``AUCINT_0_24`` (the names of ``NCAResult.to_wide``), so that the
    areas of two intervals are summarised apart, never averaged into one AUCINT. Unchanged without
    AUCINT rows."""
    partial = (table[TESTCD] == "AUCINT").to_numpy(dtype=bool)
    if not partial.any() or not {"start", "end"} <= set(table.columns):
        return table
    codes = table[TESTCD].astype(str)
    start = pd.to_numeric(table["start"][partial], errors="coerce")
    end = pd.to_numeric(table["end"][partial], errors="coerce")
    named = codes.to_numpy(dtype=object)
    named[partial] = [f"AUCINT_{a:g}_{b:g}" for a, b in zip(start, end, strict=True)]
    return table.assign(**{TESTCD: named})


def _interval_tables(frame: pd.DataFrame, options: Mapping[str, Any]) -> tuple[list[Table], list[Table]]:
    """The main tables of a multiple-dose run (the steady-state interval's summary statistics, the dosing
    intervals) and the first of its appendix (the summary statistics of every interval)."""
    summary = parameter_statistics(frame)
    stats = summary.to_frame().drop(columns="software_version")
    group = str(stats.columns[0])
    by = _summary_groups(frame)[1]
    last = stats.groupby([group, *by], sort=False)[INTERVAL].transform("max")
    order = {code: i for i, code in enumerate(STEADY_STATE_CODES)}
    steady = stats[(stats[INTERVAL] == last) & stats["parameter"].isin(list(order))]
    steady = steady.assign(_order=steady["parameter"].map(order)).sort_values(
        [group, *by, "_order"], kind="stable"
    )
    doses = sorted({int(d) for d in steady[INTERVAL]})
    steady = steady.drop(columns=["_order", *([INTERVAL] if len(doses) == 1 else [])])
    tau_note = "" if options.get("tau") not in ("", None) else " " + _(NO_TAU_NOTE)
    main = [
        _statistics_table(
            steady,
            _("Steady state: summary statistics of the last dosing interval (dose %(dose)s) per arm")
            % {"dose": ", ".join(map(str, doses)) or "—"},
            _(STEADY_STATE_NOTE) + tau_note + " " + _split_note(by) + _(STATISTICS_NOTE),
            by=by,
        ),
        _dosing_intervals_table(frame, str(options.get("time_unit") or "h"), tau_note),
    ]
    every = _statistics_table(
        stats,
        _("Summary statistics per dosing interval (dose number), arm and parameter"),
        _split_note(by) + _(STATISTICS_NOTE) + _geometric_note(summary.notes),
        by=by,
    )
    return main, [every]


def _geometric_note(notes: Sequence[str]) -> str:
    """The rows of a statistics table left without geometric statistics for a value <= 0 (the notes of
    :func:`~bioparity.nca.summary.summary_statistics`), after a space; empty when there are none."""
    if not notes:
        return ""
    return " " + _("No geometric statistics where a value is <= 0: %(rows)s.") % {"rows": "; ".join(notes)}


def _dosing_intervals_table(frame: pd.DataFrame, time_unit: str, tau_note: str) -> Table:
    """One row per dose number: the profiles dosed, the start and end of the interval and tau, as a range
    where the profiles differ (a dash where tau is not known)."""
    columns = [str(c) for c in frame.columns]
    intervals = frame[columns[: columns.index("end") + 1]].drop_duplicates()  # profile keys, dose, start, end
    start = pd.to_numeric(intervals["start"], errors="coerce")
    end = pd.to_numeric(intervals["end"], errors="coerce")
    parts = pd.DataFrame(
        {INTERVAL: intervals[INTERVAL].astype(int), "start": start, "end": end, "tau": end - start}
    )
    rows = []
    for dose, g in parts.groupby(INTERVAL, sort=True):
        rows.append((cell(dose), cell(len(g)), *(_range(g[c]) for c in ("start", "end", "tau"))))
    unit = {"unit": time_unit}
    return Table(
        _("Dosing intervals: start, end and tau per dose number"),
        (
            _("dose number"),
            _("profiles"),
            _("start (%(unit)s)") % unit,
            _("end (%(unit)s)") % unit,
            _("tau (%(unit)s)") % unit,
        ),
        tuple(rows),
        (True, True, True, True, True),
        note=_(
            "On the clock of the dose records (for an SDTM EX domain: hours since each subject's first "
            "dose); tau = end - start, the time to the next dose or, for the last dose, the option tau; "
            "a range where the profiles differ."
        )
        + tau_note,
    )


def _range(values: pd.Series) -> str:
    """``12``, ``11.5–12.5`` where values differ, a dash when none is known."""
    known = values.dropna()
    if known.empty:
        return "—"
    low, high = cell(float(known.min())), cell(float(known.max()))
    return low if low == high else f"{low}–{high}"


def _flag_text(column: str, settings: NCAOptions) -> str:
    """A review flag in words, in the current language, marked as a flag (an unknown flag: its name)."""
    return _("review flag: %(flag)s") % {"flag": _flag_words(column, settings)}


def review_flag_words(flags: Iterable[str], options: Mapping[str, Any]) -> dict[str, str]:
    """The review flags a page lists (their names without ``flag_``: ``blq_imputed``) in words with the
    run's thresholds, in the current language, by name.

    Parameters
    ----------
    flags : iterable of str
        Flag names, as the review page keeps them (``span_ratio_low``).
    options : mapping
        The run's options (the thresholds of its :class:`~bioparity.nca.NCAOptions`).

    Returns
    -------
    dict of str to str
        Each flag's words (an unknown flag: its name in words).

    Examples
    --------
    >>> review_flag_words(["blq_imputed"], {})
    {'blq_imputed': 'a BLQ sample after the dose kept as 0 or imputed'}
    """
    settings = spec_from_options(options).options
    return {flag: _flag_words(f"flag_{flag}", settings) for flag in flags}


def _flag_words(column: str, settings: NCAOptions) -> str:
    """A review flag (``flag_*`` column) in words with the run's thresholds, in the current language (an
    unknown flag: its name without the prefix, in words)."""
    limits = {
        "points": settings.min_points,
        "r2adj": settings.r2adj_min,
        "span": settings.min_span_ratio,
        "aucpext": settings.max_aucpext,
    }
    text = FLAG_TEXT.get(column)
    return _(text) % limits if text else column.removeprefix("flag_").replace("_", " ")


def _profile_groups(frame: pd.DataFrame, keys: list[str]) -> list[tuple[Any, list[int]]]:
    """The profiles of ``frame`` as ``frame.groupby(keys, sort=False)`` gives them (same keys, same order,
    rows with a missing key left out), each with the positions of its rows: a report's per-profile tables
    read the frame's columns once as lists, not each profile's rows as a frame of their own."""
    lookup = frame[keys].reset_index(drop=True)  # positions as the index
    return [(key, g.index.tolist()) for key, g in lookup.groupby(keys, sort=False)]


def _pick(values: list[Any], rows: list[int]) -> list[Any]:
    return [values[i] for i in rows]


def _profile_reasons(
    codes: list[str],
    stored: list[str] | None,
    methods: list[str],
    flags: Mapping[str, list[bool]],
    settings: NCAOptions,
) -> dict[str, list[str]]:
    """One profile's reasons and flags as printed, each with the parameters it concerns (in row order).

    ``codes``: the profile's PPTESTCD of each row; ``stored``: its ``reason`` of each row as text (None
    without the column); ``methods``: its ``lambda_z_method`` of each row as text (empty without the
    column); ``flags``: each ``flag_*`` column's values of the profile's rows (missing = False).
    The stored ``reason`` of each missing value in the current language; the samples the reviewer
    excluded from lambda_z with the reviewer's reasons (from the profile's ``lambda_z_method``; the flag
    of excluded samples is then not repeated); each other review flag in words (the flag of too few
    lambda_z points not where the reason already says it).
    """
    found: dict[str, list[str]] = {}
    stored = stored if stored is not None else [""] * len(codes)
    for code, value in zip(codes, stored, strict=True):
        if value:
            found.setdefault(note_text(value), []).append(code)
    skip = {"flag_lambda_z_few_points"} if _TOO_FEW in stored else set()
    for code, value in zip(codes, methods, strict=False):
        for text in _reviewer_exclusions(value):
            found.setdefault(text, []).append(code)
            skip.add("flag_lambda_z_points_excluded")
    for column in [c for c in flags if c not in skip]:
        chosen = [code for code, on in zip(codes, flags[column], strict=True) if on]
        if chosen:
            found.setdefault(_flag_text(str(column), settings), []).extend(chosen)
    return found


def _reviewer_exclusions(method: str) -> list[str]:
    """The samples a reviewer excluded from lambda_z, as stated in a ``lambda_z_method`` text
    (:data:`~bioparity.nca.single.results.EXCLUDED_BY_USER` around ``"; "``-joined
    :data:`~bioparity.nca.single.frame.POINT_REASON` notes): one text per reason in the current language,
    with the times it was given for; a whole profile excluded as its stored reason. None in another text.
    """
    found = _EXCLUDED.fullmatch(method)
    if found is None:
        return []
    notes = found.group("notes")
    points = list(_POINT.finditer(notes))
    if not points or points[0].start() != 0:
        return []
    times: dict[str, list[str]] = {}
    for point, after in zip(points, [*points[1:], None], strict=True):
        reason = notes[point.end() : len(notes) if after is None else after.start()]
        times.setdefault(reason, []).append(point.group("t"))
    return [
        note_text(reason)
        if reason.startswith(WHOLE_PROFILE)
        else _("sample at t = %(times)s excluded from lambda_z by the reviewer: %(reason)s")
        % {"times": ", ".join(at), "reason": note_text(reason)}
        for reason, at in times.items()
    ]


def _reasons_table(frame: pd.DataFrame, keys: list[str], settings: NCAOptions) -> Table | None:
    """Why values are missing and which review flags are set, per profile (None when nothing is).

    One row per profile and reason, the profiles in the order of the data; a stored reason in the
    report's language (:func:`~bioparity.i18n.notes.note_text`: the stored text is unchanged, a text no
    note template makes is printed as stored). A reason with the same parameters on every profile is one
    row for all profiles, first.
    """
    if not keys or "PPTESTCD" not in frame.columns:
        return None
    rows: list[tuple[tuple[str, ...], str, str]] = []  # profile keys, reason as printed, parameters
    # every column read once for all profiles, as text (``astype(str)``, ``str``) or flags (missing = off)
    raw_codes = frame["PPTESTCD"].tolist()
    all_codes = frame["PPTESTCD"].astype(str).tolist()
    all_stored = [str(v) for v in frame["reason"].tolist()] if "reason" in frame.columns else None
    all_methods = (
        [str(v) for v in frame["lambda_z_method"].tolist()] if "lambda_z_method" in frame.columns else []
    )
    all_flags = {
        c: frame[c].fillna(False).astype(bool).tolist() for c in frame.columns if str(c).startswith("flag_")
    }
    for key, at in _profile_groups(frame, keys):
        parts = key if isinstance(key, tuple) else (key,)
        n_codes = len({v for v in _pick(raw_codes, at) if not pd.isna(v)})  # Series.nunique
        reasons = _profile_reasons(
            _pick(all_codes, at),
            None if all_stored is None else _pick(all_stored, at),
            _pick(all_methods, at) if all_methods else [],
            {c: _pick(values, at) for c, values in all_flags.items()},
            settings,
        )
        for text, codes in reasons.items():
            chosen = list(dict.fromkeys(codes))
            params = _("all") if len(chosen) == n_codes else ", ".join(chosen)
            rows.append((tuple(cell(p) for p in parts), text, params))
    if not rows:
        return None
    n_profiles = frame.groupby(keys, sort=False).ngroups
    counts: dict[tuple[str, str], int] = {}
    for _key, text, params in rows:
        counts[text, params] = counts.get((text, params), 0) + 1
    everywhere = [p for p, n in counts.items() if n == n_profiles and n_profiles > 1]
    every = (_("all %(n)d profiles") % {"n": n_profiles},) + ("",) * (len(keys) - 1)
    body = [(*every, params, text) for text, params in everywhere]
    body += [(*k, params, text) for k, text, params in rows if (text, params) not in everywhere]
    return Table(
        _("Missing values and review flags per profile: the reasons"),
        (*(key_label(k) for k in keys), _("parameters (PPTESTCD)"), _("reason or review flag")),
        tuple(body),
        (False,) * (len(keys) + 2),
        note=_(
            "The profiles in the order of the data; the reasons stored with the result, in the report's "
            "language; every column of the result in the appendix."
        ),
    )


def _equal_note(column: str, n_codes: int) -> Table:
    return Table(
        _("%(column)s: equal to PPSTRESN for every profile and parameter") % {"column": column},
        (_("column"), _("parameters"), _("value")),
        ((column, str(n_codes), "= PPSTRESN"),),
        (False, True, False),
    )


#: ``pandas.api.types.infer_dtype`` of a column whose values are all of one type.
_ONE_TYPE = frozenset({"string", "boolean", "floating", "integer", "empty"})


def _printed_ids(values: pd.Series) -> tuple[np.ndarray, list[str]]:
    """The cells of a column as :func:`cell` prints them: each cell's number in the list of printed texts
    (distinct values printed once; two values printed alike share a number) and that list.

    Values of one type are told apart as pandas does; mixed types by type and ``repr`` (pandas holds
    ``True``, ``1`` and ``1.0`` equal, :func:`cell` prints them ``yes``, ``1`` and ``1``)."""
    homogeneous = pd.api.types.infer_dtype(values, skipna=False) in _ONE_TYPE
    codes, uniques = pd.factorize(
        values if homogeneous else pd.Series([(type(v), repr(v)) for v in values], dtype=object),
        use_na_sentinel=False,
    )
    # the first value of each (type, repr)
    first = uniques if homogeneous else values.iloc[pd.Series(codes).drop_duplicates().index]
    texts = [cell(v) for v in first]
    ids, printed = pd.factorize(pd.Series(texts, dtype=object))
    return ids[codes], [str(t) for t in printed]


def _column_entries(codes: list[str], texts: list[str]) -> list[tuple[str, str]]:
    """What one profile's column adds to the table of other columns: each value it has (in row order;
    not empty, ``no`` or missing) with the parameters that have it (``all`` when every one does)."""
    out = []
    for value in dict.fromkeys(texts):
        if value in {"", "no", _("no"), "—"}:
            continue
        chosen = [p for p, t in zip(codes, texts, strict=True) if t == value]
        out.append((value, _("all") if len(chosen) == len(texts) else ", ".join(chosen)))
    return out


def _varying_table(frame: pd.DataFrame, keys: list[str], columns: list[str]) -> Table:
    """Columns whose value differs between the parameters of one profile (per-parameter flags, methods).

    Printed compactly: one row per column, value and set of parameters, with the profiles that have
    it; empty, ``no`` and missing values are not listed (they are the absence of the flag or method).
    """
    subject = profile_columns(frame)[1]
    # a profile named by its subject and the grouping columns that split the subject's profiles (analyte,
    # period), not by the arm (a subject is in one arm)
    label_keys = (
        [*_summary_groups(frame)[1], subject]
        if subject in keys and not frame.duplicated([*keys, "PPTESTCD"]).any()
        else keys
    )
    n_profiles = frame.groupby(keys, sort=False).ngroups
    found: dict[tuple[str, str, str], list[str]] = {}
    listed: set[str] = set()
    all_codes = np.array([str(p) for p in frame["PPTESTCD"].tolist()], dtype=object)
    # each distinct value printed once (a column holds a few: 637,000 cells of a 2,004-profile run were
    # printed one by one), each cell as the number of its printed text
    printed = {c: _printed_ids(frame[c]) for c in columns}
    # what one profile adds for one column depends only on its parameters and its column's texts: worked
    # out once per distinct pair (most profiles share them)
    seen: dict[tuple[bytes, str, bytes], list[tuple[str, str]]] = {}
    for key, at in _profile_groups(frame, keys):
        parts = key if isinstance(key, tuple) else (key,)
        label = " / ".join(str(p) for p, k in zip(parts, keys, strict=True) if k in label_keys)
        codes = all_codes[at]
        codes_key = "\x1f".join(codes).encode()
        for c in columns:
            ids, texts = printed[c]
            mine = ids[at]
            pattern = (codes_key, str(c), mine.tobytes())
            entries = seen.get(pattern)
            if entries is None:
                entries = seen[pattern] = _column_entries(list(codes), [texts[i] for i in mine])
            for value, params in entries:
                found.setdefault((str(c), value, params), []).append(label)
                listed.add(str(c))
    rows = []
    for (c, value, params), profiles in found.items():
        who = (
            _("all %(n)d profiles") % {"n": n_profiles}
            if len(profiles) == n_profiles
            else ", ".join(profiles)
        )
        rows.append((c, note_text(value), params, str(len(profiles)), who))
    rows += [
        (str(c), _("no or empty everywhere"), _("all"), "0", "—") for c in columns if str(c) not in listed
    ]
    return Table(
        _("Other columns: settings, review flags and methods per profile and parameter"),
        (_("column"), _("value"), _("parameters (PPTESTCD)"), _("profiles"), _("which profiles")),
        tuple(rows),
        (False, False, False, True, False),
        note=_("Values other than empty or 'no'; a flag not listed with 'yes' is 'no' for every profile."),
        wide=False,
    )


REVIEW_NOTE = gettext_noop(
    "Each choice was made in the NCA review with the reason shown; bioparity nca --review with these "
    "choices gives the same result."
)


#: The actions of a review choice (:data:`bioparity.nca.review.ACTIONS`: the stored codes) in words, and
#: the choice's own columns (the profile's keys before them are column names of the data, printed as they
#: are).
REVIEW_WORDS: dict[str, str] = {
    "include": gettext_noop("include"),
    "exclude": gettext_noop("exclude"),
    "time": gettext_noop("time"),
    "action": gettext_noop("action"),
    "reason": gettext_noop("reason"),
}


def review_words(code: str) -> str:
    """A review choice's action (``exclude``) or column (``time``) in the reader's words; a profile key
    (a column name of the data) or an unknown code as stored.

    Parameters
    ----------
    code : str
        The stored action, or a column of a stored choice.

    Returns
    -------
    str
        Its words in the current language.

    Examples
    --------
    >>> from bioparity.i18n import use_language
    >>> with use_language("zh-CN"):
    ...     review_words("exclude"), review_words("include"), review_words("action"), review_words("USUBJID")
    ('排除', '纳入', '操作', 'USUBJID')
    """
    return _(REVIEW_WORDS[code]) if code in REVIEW_WORDS else code


def _review_action(code: str, language: str) -> str:
    """A review choice's stored action in ``language`` (the audit row's presenter of ``{action}``)."""
    return translations(language).gettext(REVIEW_WORDS[code]) if code in ACTIONS else code


#: The audit row of a review choice (its recorded ``name``, English: the page translates it where it shows
#: it, :func:`bioparity.i18n.notes.note_text`; the action said in words): a sample time, or the whole
#: profile; ``{profile}`` is the profile's key values (column values of the data, as stored).
REVIEW_AUDIT_AT = note_template(
    "NCA review of run {run}: {action} {profile} t={time}; reason: {reason}", shown={"action": _review_action}
)
REVIEW_AUDIT_WHOLE = note_template(
    "NCA review of run {run}: {action} {profile} whole profile; reason: {reason}",
    shown={"action": _review_action},
)


def _review_cell(key: str, value: Any) -> str:
    """A stored choice's cell as the report and the review page print it: the action in words, an empty
    time as the whole profile, anything else as stored."""
    if key == "time" and value == "":
        return _("whole profile")
    if key == "action":
        return review_words(str(value))
    return str(value)


def review_table(options: Mapping[str, Any]) -> Table | None:
    """The reviewer's lambda_z choices stored in the option ``review`` (a list of records), as a table: the
    profile's keys as stored, the time, the action in words and the reason (:func:`review_words`)."""
    choices = options.get("review")
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], Mapping):
        return None
    keys = [str(k) for k in choices[0]]
    rows = tuple(tuple(_review_cell(k, c.get(k, "")) for k in keys) for c in choices)
    return Table(
        _("Reviewer's lambda_z choices"),
        tuple(review_words(k) for k in keys),
        rows,
        (False,) * len(keys),
        note=_(REVIEW_NOTE),
    )


def review_rows(options: Mapping[str, Any]) -> list[dict[str, str]]:
    """The stored review choices as the review page lists them: each cell as the report prints it
    (:func:`review_table`), by column."""
    records = review_choices(options).to_dict("records")
    return [{str(k): _review_cell(str(k), v) for k, v in c.items()} for c in records]


def nca_tables(frame: pd.DataFrame, options: Mapping[str, Any] | None = None) -> ReportTables:
    """Summary statistics per arm and parameter, flags per subject, one table per parameter group; the
    reviewer's lambda_z choices with the settings. A multiple-dose run: the steady-state interval and the
    dosing intervals first, the statistics of every interval in the appendix (:func:`_interval_tables`)."""
    tables = _result_tables(frame, spec_from_options(options or {}).options, options)
    review = review_table(options or {})
    return replace(
        tables,
        settings=() if review is None else (review,),
        appendix_note=(
            _(
                ", after the summary statistics of every dosing interval; one table per parameter group with "
                "the dosing intervals of each subject as rows"
            )
            if INTERVAL in frame.columns
            else _(", one table per parameter group with subjects as rows")
        )
        # the precision stated (the assessor compares the appendix's values with the summary statistics)
        + _(", parameters to %(digits)d significant digits as in the summary statistics")
        % {"digits": SIGNIFICANT}
        + (
            _(", printed as listings (one line per profile, aligned columns) from %(profiles)d profiles on")
            % {"profiles": LISTING_FROM}
            if any(t.listing for t in tables.appendix)
            else ""
        )
        # where the individual concentrations are: a listing of their own (ICH E3 16.2.5), not printed here
        + _(
            "; the individual concentrations (every sample of every profile) are the input dataset, "
            "identified by its SHA-256 above, and are not printed in this report"
        ),
    )


def nca_flags(table: pd.DataFrame, options: Mapping[str, Any]) -> list[tuple[str, int]]:
    """Review flags counted per subject (not per parameter row), each named in words with the run's
    thresholds (as the report's review-flag table names it)."""
    subject = profile_columns(table)[1]
    if TESTCD not in table.columns or subject is None:
        return []
    try:
        settings = spec_from_options(options).options
    except BioparityError:  # options stored by an older version: the flag's words with default thresholds
        settings = NCAOptions()
    counts = flag_counts(table, group=None, subject=subject)
    return [
        (_("subjects flagged: %(flag)s") % {"flag": _flag_words(f"flag_{f}", settings)}, int(n))
        for f, n in zip(counts.flags, counts.flagged, strict=True)
    ]


#: The BLQ samples the rule kept, in the summary line: as counted before (the pre-dose baseline included)
#: and since (after the dose only; translated where said).
KEPT_WORDS = gettext_noop("; BLQ samples kept as 0 or imputed (not left out): %(kept)s")
KEPT_AFTER_DOSE_WORDS = gettext_noop(
    "; BLQ samples after the dose kept as 0 or imputed (not left out; a pre-dose 0 is the baseline, not "
    "counted): %(kept)s"
)


def nca_summary(result: Mapping[str, Any], options: Mapping[str, Any]) -> str:
    """``NCA of 201 profiles: 33 parameters per profile; 0 missing and 0 BLQ samples left out; BLQ
    samples kept as 0 or imputed (not left out): 201``: the BLQ samples the rule keeps are counted apart,
    so that "0 BLQ samples left out" beside the flag "BLQ imputed" on every subject reads as both true
    (results stored before they were counted have no ``n_blq_kept``: the clause is left out). Results
    stored since a pre-dose 0 (the baseline, time <= 0, kept as 0) is no longer counted hold
    ``n_blq_kept_after_dose`` and say so; older ones keep their words (``n_blq_kept``, the baseline
    included). A
    multiple-dose run (``n_intervals`` stored) says so, with its dosing intervals: its parameters are per
    interval."""
    columns = result.get("columns") or []
    codes = {r[columns.index(TESTCD)] for r in result.get("rows") or []} if TESTCD in columns else set()
    after = result.get("n_blq_kept_after_dose")
    kept = result.get("n_blq_kept") if after is None else after
    values = {
        "profiles": result.get("n_profiles", "?"),
        "intervals": result.get("n_intervals"),
        "parameters": len(codes),
        "missing": result.get("n_missing_dropped", 0),
        "blq": result.get("n_blq_dropped", 0),
    }
    head = (
        _(
            "Multiple-dose NCA of %(profiles)s profiles in %(intervals)s dosing intervals: %(parameters)d "
            "parameters per interval; %(missing)s missing and %(blq)s BLQ samples left out"
        )
        if values["intervals"]
        else _(
            "NCA of %(profiles)s profiles: %(parameters)d parameters per profile; %(missing)s missing and "
            "%(blq)s BLQ samples left out"
        )
    )
    return (
        head % values
        + (_(KEPT_WORDS if after is None else KEPT_AFTER_DOSE_WORDS) % {"kept": kept} if kept else "")
        + missing_note(result)
    )


#: Where each profile's concentrations are when the report's figure summarises them (the appendix says it
#: too: the concentrations are not printed in the report).
EACH_PROFILE_NOTE = gettext_noop(
    "Each profile's concentrations are in the input dataset, identified by its SHA-256 in the provenance."
)


def concentration_profile(run: RunView) -> Figure | None:
    """Mean concentration-time profiles of the concentrations in the run's provenance chain.

    The concentrations are the first dataset of the chain checked for NCA, or the uploaded file the chain
    starts from; the unit is the ``conc_unit`` of the first NCA run of the chain that sets one. The lines
    and panels of a PK similarity run follow its ``arms`` (test first), those of an NCA run the arms' names.
    """
    source = next((s for s in run.chain if s.validated_for == NAME or s.produced_by is None), None)
    if source is None:
        return None
    settings = [run.options] if run.kind == NAME else []
    settings += [s.produced_options for s in run.chain if s.produced_by == NAME]
    # the figures follow the BLQ rule of the NCA whose parameters the report summarises
    # and its BLQ flag and LLOQ columns (``bioparity nca --blq/--lloq``), which mark BLQ samples as in the NCA
    wanted = ("conc_unit", "blq_rule", "blq", "lloq")
    given = {k: next((o[k] for o in settings if o.get(k)), "") for k in wanted}
    frame = source.load()
    options = {k: v for k, v in given.items() if v}
    # the arms in the order the PK similarity run lists them (test first), not in name order
    order = list_option(run.options, "arms", "") if run.kind != NAME else []
    plot = None if frame is None else sample_profiles(frame, options, treatments=_nca_table(run), order=order)
    if plot is None:
        return None
    return Figure(
        "profile",
        _("Concentration-time profiles"),
        _("Mean concentration-time profiles per arm"),
        plot,
        note=profile_caption(plot),
        on_page=False,
    )


def _nca_table(run: RunView) -> pd.DataFrame | None:
    """The NCA result table the report summarises: the run's own (an NCA run), else that of the NCA run in
    its chain (PK similarity); None without one."""
    if run.kind == NAME:
        return run.table
    return next((s.load() for s in run.chain if s.produced_by == NAME), None)


def with_result_lines(samples: NCASamples, table: pd.DataFrame | None) -> pd.DataFrame:
    """The samples' table with each profile's arm as the NCA result ``table`` has it (the column its summary
    statistics are grouped by: :func:`~bioparity.analyses.figures.arm_column`), so that the figure's lines
    are the groups of the report's tables (:func:`_summary_groups`; EMA CPMP/EWP/QWP/1401/98 Rev. 1,
    section 4.1.8: descriptive statistics per treatment).

    That column comes from a file the NCA read besides the samples, which a report does not read again: an
    SDTM DM domain's ARM (``--dm``, the option ``dm``: :func:`bioparity.io.nca_input.with_dm_arms`; SDTMIG
    v3.4, section 5.2: ARM, "Description of Planned Arm"), else the ADSL's planned treatment of the
    sample's period (``--adsl``, the option ``adsl``: ADaMIG v1.3, TRTP = TRTxxP). Each sample takes the
    value of its profile in ``table``, matched on the profile columns both have (subject, STUDYID, PCTESTCD,
    PCSPEC, PCRFTDTC, ...) but the period, which without the ADSL is the order of the sampled doses and may
    differ from the ADSL's. Unchanged when the samples have an arm column (or TRTP) already, ``table`` has
    neither, or a profile's keys match two values."""
    frame, spec = samples.frame, samples.spec
    line = None if table is None else arm_column(table)
    if table is None or line is None or arm_column(frame, file=samples.where.file) is not None:
        return frame
    groups, subject = profile_columns(table)
    keys = [c for c in (subject, *groups) if c in frame.columns and c not in (PERIOD, TREATMENT, line)]
    if subject is None or spec.subject not in frame.columns or not keys:
        return frame
    pairs = table[[*keys, line]].astype(str).drop_duplicates()
    if pairs.duplicated(keys).any():  # one arm per profile, or none drawn
        return frame
    found = frame[keys].astype(str).merge(pairs, on=keys, how="left", validate="many_to_one")
    return frame.assign(**{line: found[line].to_numpy()})


def profile_caption(plot: ProfilePlot, *, counts: bool = False) -> str:
    """The caption of the concentration-time figures of :func:`sample_profiles`, in the reader's language:
    how nominal times were found, what the semi-log scale cannot draw, what is drawn (the bands of a line of
    many profiles: :func:`~bioparity.analyses.figures.bands_caption`) and the BLQ rule with the run's BLQ
    flag and LLOQ columns; with ``counts`` (the dataset page's plots), the profiles of each line when no
    line is summarised (the bands' caption names them)."""
    notes = [_("Profiles: %(rule)s.") % {"rule": plot.time_rule}] if plot.time_rule else []
    notes += [note] if (note := semilog_means_note(plot)) else []  # what a log scale cannot draw
    if plot.bands:  # what the summary of the individual profiles draws (BLQ rule too), where each profile is
        return " ".join([*notes, bands_caption(plot), _(EACH_PROFILE_NOTE)])
    if counts:
        lines = line_profiles(plot, [line.name for line in plot.lines])
        notes.append(_("Mean and individual profiles drawn per line: %(lines)s.") % {"lines": lines})
    notes += [plot.blq_rule] if plot.blq_rule else []  # the BLQ samples of the means and of the profiles
    return " ".join(notes)


def nca_figures(run: RunView) -> list[Figure]:
    """The concentration-time profiles (report only)."""
    profile = concentration_profile(run)
    return [] if profile is None else [profile]


def _example() -> bytes:
    """R's Theoph (the PKNCA reference case shipped with the package): oral theophylline in 12 subjects,
    dose in mg (mg/kg times body weight), concentrations in mg/L."""
    packaged = resources.files("bioparity").joinpath("validation", "reference", "nca", "theoph.csv")
    with packaged.open("rb") as handle:
        theoph = pd.read_csv(handle)
    frame = pd.DataFrame(
        {
            "subject": theoph["Subject"],
            "time": theoph["Time"],
            "conc": theoph["conc"],
            "dose": (theoph["Dose"] * theoph["Wt"]).round(6),
        }
    )
    return frame.to_csv(index=False, lineterminator="\n").encode()


#: The options of multiple-dose NCA, the names and help of ``bioparity nca --tau`` and ``--extrapolate-tau``
#: (the command line takes its help from here): one definition for the command line, the API and the web
#: form. Both need dose records (option ``dosing``); the dosing interval of every dose but the last is the
#: time to the next dose (PKNCA and Phoenix WinNonlin both need tau stated for the last dose).
TAU = Option.optional_number(
    "tau",
    gettext_noop(
        "dosing interval after the last dose, in the time unit of the data, with dose records (none: the "
        "last dose has no interval parameters; with an EX domain of one dose per subject it asks for "
        "multiple-dose NCA of that interval)"
    ),
    label=gettext_noop("Dosing interval tau after the last dose"),
)
EXTRAPOLATE_TAU = Option(
    "extrapolate_tau",
    gettext_noop(
        "with dose records: extrapolate AUCTAU, AUMCTAU and CTROUGH past the last sample to the end of "
        "tau with lambda_z (Phoenix WinNonlin); false: missing with the reason (PKNCA)"
    ),
    False,
    (False, True),
    type="flag",
    label=gettext_noop("Extrapolate AUCTAU to the end of tau"),
)
#: The subject-level columns carried to the result (``bioparity nca --keep``): one definition for the
#: command line's words, the API and the web form (:mod:`bioparity.nca.covariates`).
KEEP = Option(
    "keep",
    gettext_noop(
        "subject-level columns to carry into the result, comma-separated (e.g. WT, for an ANCOVA in PK "
        "similarity with covariates WT): one value per subject, copied to each of its profiles, splitting "
        "nothing; same as bioparity nca --keep; '' = none"
    ),
    "",
    type="list",
    label=gettext_noop("Subject-level columns to keep (covariates)"),
)
#: The options that need dose records (``dosing`` itself and the settings of multiple-dose NCA).
DOSE_RECORD_OPTIONS = ("dosing", TAU.name, EXTRAPOLATE_TAU.name)

#: The file layouts the NCA kind reads by their own rules (recognised by their columns, not mapped).
SDTM_PC, SDTM_EX, SDTM_DM, ADAM_ADSL = "SDTM PC", "SDTM EX", "SDTM DM", "ADaM ADSL"
#: The option naming the DM dataset that gives each subject its arm (``bioparity nca --dm``).
DM_OPTION = "dm"
#: The option naming the ADSL dataset whose period dates place the samples (``bioparity nca --adsl``).
ADSL_OPTION = "adsl"


def nca_layout(columns: Sequence[str]) -> str | None:
    """``SDTM PC`` for the columns of an SDTM PC domain (concentrations, read as ``bioparity nca`` reads
    it), ``SDTM EX`` for those of an EX domain (dose records for the option ``dosing``), ``SDTM DM`` for
    those of a DM domain (each subject's arm, for the option ``dm``), else None."""
    empty = pd.DataFrame(columns=list(columns))
    if is_sdtm_pc(empty):
        return SDTM_PC
    if is_sdtm_ex(empty):
        return SDTM_EX
    if is_adsl(empty):  # before DM: an ADSL has USUBJID and ARM too
        return ADAM_ADSL
    return SDTM_DM if is_sdtm_dm(empty) else None


def read_concentrations(path: Path) -> pd.DataFrame:
    """A concentration-time table (CSV, XLSX, Parquet, XPT): ``subject, time, conc``, an SDTM PC domain,
    an SDTM EX domain (the dose records of an NCA run of PC, option ``dosing``) or an SDTM DM domain (each
    subject's arm, option ``dm``: :func:`bioparity.io.nca_input.dm_arms`).

    A plain table has these three columns under exactly these names (the upload page maps other
    headers to them); grouping and dose columns follow the NCA input spec (:mod:`bioparity.nca.spec`).
    An SDTM domain is read as ``bioparity nca`` reads it (:func:`bioparity.io.nca_input.samples_of`,
    :func:`~bioparity.io.nca_input.check_sdtm_ex`: PCSTRESU and EXDOSU one unit on every row, PCELTM or
    PCTPTNUM times, ...). The NCA engine's input checks (numbers, negative concentrations, duplicated or
    unsorted times) run here too, so a bad file is refused at upload with its row and column, before
    anything is stored. The table is returned as the file holds it, with its file name and line offset
    in ``attrs`` (:data:`~bioparity.analyses.contract.SOURCE_FILE`) for :func:`nca_kind`.
    """
    table = read_any_table(path)
    layout = nca_layout([str(c) for c in table.frame.columns])
    if layout == SDTM_EX:
        check_sdtm_ex(table)
    elif layout == ADAM_ADSL:
        adsl_periods(table)
    elif layout == SDTM_DM:
        dm_arms(table)
    else:
        missing = [c for c in ("subject", "time", "conc") if c not in table.frame.columns]
        if missing and layout is None:
            raise DataFileError(
                f"missing column(s) {', '.join(missing)}; "
                f"columns found: {', '.join(map(str, table.frame.columns))}",
                file=str(path),
                expected="columns subject, time, conc (and optionally dose, arm, period, treatment, "
                "analyte), or an SDTM PC domain (USUBJID, PCTESTCD, PCSTRESN, PCELTM or PCTPTNUM)",
            )
        samples = samples_of(table, NCASpec(dose=None, parameters=("CMAX",)))
        run_nca(samples.frame, samples.spec, where=samples.where)
    frame = table.frame
    frame.attrs[SOURCE_FILE] = Path(path).name
    frame.attrs[SOURCE_LINE_OFFSET] = table.line_offset
    return frame


def nca_input(frame: pd.DataFrame, options: Mapping[str, Any]) -> tuple[NCASamples, NCADoses | None]:
    """The samples and dose records of a run, by the rules of ``bioparity nca`` (the same functions).

    ``frame`` is the table :func:`read_concentrations` returned (plain or SDTM PC); the option ``dosing``
    is the path of the dose records (an SDTM EX domain, or ``subject, time, dose`` on the samples'
    clock), ``''`` for none: :func:`bioparity.io.nca_input.read_doses` puts each subject's EXDOSE on
    the samples when EX holds one dose record per subject (single dose, unless ``tau`` asks for the dosing
    interval), else gives the records of multiple-dose NCA. ``tau`` and ``extrapolate_tau`` without dose
    records are refused (``bioparity nca`` refuses them without ``--dosing``). The option ``dm`` is the
    path of an SDTM DM domain giving each subject its arm (``--dm``: :func:`with_arms`), ``adsl`` that of an
    ADaM ADSL whose period dates place each sample in its period (``--adsl``: :func:`read_adsl`). Files are
    named
    by their file name in messages.
    """
    layout = nca_layout([str(c) for c in frame.columns])
    if layout == SDTM_EX:
        raise InputError(
            "this dataset is an SDTM EX domain (dose records): run NCA on the concentrations (the PC "
            "domain) with this dataset as the option dosing"
        )
    if layout == SDTM_DM:
        raise InputError(
            "this dataset is an SDTM DM domain (each subject's arm): run NCA on the concentrations (the PC "
            "domain) with this dataset as the option dm"
        )
    if layout == ADAM_ADSL:
        raise InputError(
            "this dataset is an ADaM ADSL (each subject's periods): run NCA on the concentrations (the PC "
            "domain) with this dataset as the option adsl"
        )
    file = frame.attrs.get(SOURCE_FILE) or None
    table = LoadedTable(frame, file or "", "", frame.attrs.get(SOURCE_LINE_OFFSET) if file else None)
    adsl = _option_file(options, ADSL_OPTION)
    samples = samples_of(table, spec_from_options(options), adsl=read_adsl(adsl, label=Path(adsl).name))
    dm = _option_file(options, DM_OPTION)
    if dm:
        name = Path(dm).name
        samples = with_arms(samples, dm, given=f"option {DM_OPTION} ({name})", label=name)
    dosing = _option_file(options, "dosing")
    if not dosing:
        if samples.spec.dose_record_settings:
            raise InputError(
                f"option {' and '.join(samples.spec.dose_record_settings)}: for multiple-dose NCA; give the "
                "dose records in the option dosing (an EX dataset), or leave it empty"
            )
        return samples, None
    return read_doses(dosing, samples, tau=samples.spec.tau, label=Path(dosing).name)


def _option_file(options: Mapping[str, Any], name: str) -> str:
    """The file an option of type ``dataset`` names (the workspace gives the path of the dataset's copy),
    ``''`` for none; a value that is no path is refused naming the option."""
    value = options.get(name) or ""
    if not isinstance(value, str | os.PathLike):
        raise InputError(f"option {name}={value!r}; expected a dataset or a file")
    return str(value).strip() and str(value)


def sample_profiles(
    frame: pd.DataFrame,
    options: Mapping[str, Any],
    *,
    treatments: pd.DataFrame | None = None,
    order: Sequence[str] = (),
) -> ProfilePlot | None:
    """The concentration-time profiles of a table of concentrations as an NCA run reads its samples
    (:func:`nca_input`, with ``options`` such as the units stored with a dataset): an SDTM PC domain by
    its rules (USUBJID, PCELTM durations as hours, PCSTRESN in the unit of PCSTRESU, named on the axis), a
    plain ``subject, time, conc`` table as it is; BLQ samples by the BLQ rule of ``options`` (``blq_rule``,
    PKNCA's by default, as the NCA). A table NCA does not read (an EX domain, a table of
    other data) is drawn as a plain table if it can be (:func:`profile_plot`), else not (None).
    ``treatments``: the NCA result table of the run the figure goes with, whose arm (ARM from a DM, TRTP
    from an ADSL) gives the lines (:func:`with_result_lines`); ``order``: the arms in the order of the
    analysis (PK similarity's ``arms``), which the lines and panels follow. Not drawn (None) either when two
    columns name the arm in two letter cases (``Trt`` and ``trt``:
    :func:`~bioparity.analyses.figures.arm_column` refuses to pick one), which the lines could not tell
    apart."""
    left = (*DOSE_RECORD_OPTIONS, DM_OPTION)  # the samples as the file holds them
    given = {k: v for k, v in options.items() if k not in left and v not in ("", None)}
    try:
        samples, _doses = nca_input(frame, given)
    except BioparityError:
        return None if nca_layout([str(c) for c in frame.columns]) else _drawn(profile_plot, frame)
    spec = samples.spec
    return _drawn(
        profile_plot,
        with_result_lines(samples, treatments),
        conc_unit=spec.conc_unit or "",
        time_unit=spec.time_unit or "h",
        by=spec.groups,
        blq=spec.options.blq,
        flags=(spec.blq, spec.lloq),
        order=order,
    )


def _drawn(plot: Callable[..., ProfilePlot | None], *args: Any, **kwargs: Any) -> ProfilePlot | None:
    """``plot(*args, **kwargs)``, or None when the table's arm column is ambiguous (a figure not drawn)."""
    try:
        return plot(*args, **kwargs)
    except AmbiguousColumnError:
        return None


def nca_kind(frame: pd.DataFrame, options: Mapping[str, Any]) -> dict[str, Any]:
    """NCA of every profile (subject + grouping columns): the PP long table with review flags.

    The options are those of ``bioparity nca`` (:func:`bioparity.nca.spec_from_options`): ``dose``,
    ``auc_method``, ``route``, ``conc_unit``, ``time_unit``, ``dose_unit``, ``review`` (the reviewer's
    lambda_z choices), ``dosing`` (``--dosing``, see :func:`nca_input`), ``tau`` and ``extrapolate_tau``
    (``--tau``, ``--extrapolate-tau``), ``dm`` (``--dm``: each subject's arm from an SDTM DM domain), ``keep``
    (``--keep``: subject-level columns such as body weight carried to the result); the
    same table and options give the same numbers as the command line, an SDTM PC domain included. A unit
    of another dimension is refused and a unit bioparity does not know is named in the result's ``notes``
    (:meth:`bioparity.nca.NCASpec.unit_notes`, as the command line warns); so is an SDTM PC domain without
    an arm and without ``dm``, whose summary statistics pool the arms (:func:`arms_notes`). Dose records
    with several doses per subject (or with ``tau``) give multiple-dose NCA: one set of parameters per
    dosing interval (the rows, as ``bioparity nca`` writes them), with the summary
    statistics per dosing interval (``interval_statistics``, :func:`interval_statistics`) and the lambda_z
    fit after each profile's last dose (``terminal_lambda_z``, :func:`terminal_lambda_z`), each stored as a
    table (``columns``, ``rows``). A single-dose result is the PP table with its counts, as before.
    """
    samples, doses = nca_input(frame, options)
    spec = samples.spec
    if isinstance(spec.dose, str) and spec.dose not in samples.frame.columns:
        raise InputError(f"option dose={spec.dose!r} is neither a column nor a number")
    # a unit of another dimension refused; one bioparity does not know is carried as written, with a note;
    # a period derived, not read; an SDTM PC without arm (no DM given) is said to pool the arms, as
    # bioparity nca says it
    notes = [*spec.unit_notes(samples.units), *samples.derived, *arms_notes(samples)]
    notes += [] if doses is None else list(doses.notes)  # a crossover's periods not told apart
    noted = {"notes": notes} if notes else {}  # a run of known units is stored as before
    choices = review_choices(options)
    if doses is not None and not doses.per_subject:
        if not choices.empty:
            raise InputError("lambda_z choices apply to single-dose NCA; not supported with dose records")
        dosed = run_nca(
            samples.frame, spec, dosing=doses.frame, where=samples.where, dosing_where=doses.where
        )
        n_missing = dosed.n_missing_samples  # every interval, not only after the last dose
        table = result_table(dosed, spec)
        return frame_result(
            table,
            n_profiles=int(dosed.terminal.n_profiles),
            n_intervals=len(dosed.intervals),
            n_missing_dropped=n_missing,
            n_blq_dropped=dosed.n_blq_samples,
            excluded_missing_concentration=_missing_samples(samples.frame, spec) if n_missing else [],
            **noted,
            **{
                STATISTICS_KEY: frame_result(interval_statistics(table)),
                TERMINAL_KEY: frame_result(terminal_lambda_z(dosed)),
            },
        )
    result = run_nca(
        samples.frame, spec, review=choices, where=samples.where, review_where=Where(file="review option")
    )
    n_missing = int(result.n_missing_dropped.sum())
    return frame_result(
        result_table(result, spec),
        n_profiles=int(result.n_profiles),
        n_missing_dropped=n_missing,
        n_blq_dropped=int(result.n_blq_dropped.sum()),
        n_blq_kept_after_dose=int(result.n_blq_kept.sum()),
        excluded_missing_concentration=_missing_samples(samples.frame, spec) if n_missing else [],
        **noted,
    )


#: The keys of a multiple-dose result holding its summary statistics per dosing interval and its lambda_z
#: fit after the last dose (tables as ``frame_result`` stores them).
STATISTICS_KEY, TERMINAL_KEY = "interval_statistics", "terminal_lambda_z"
#: Why the NCA review offers no lambda_z choice for a multiple-dose run (translated where shown).
MULTIPLE_DOSE_REVIEW = gettext_noop(
    "lambda_z choices apply to single-dose NCA: in a multiple-dose run lambda_z is fitted after each "
    "profile's last dose by the automatic best-fit rule (it gives AILAMZ and VZFTAU of every interval) "
    "and is shown read only; bioparity nca refuses --review for repeated doses too."
)


def review_note(result: Any) -> str:
    """Beside the link to the NCA review: for a multiple-dose run, that its lambda_z is shown read only
    and why (empty for a single-dose run)."""
    if not isinstance(result, Mapping) or not result.get("n_intervals"):
        return ""
    return _(
        "Multiple-dose run: lambda_z after each profile's last dose, read only (choices apply to "
        "single-dose NCA)."
    )


#: The values of the lambda_z fit after the last dose that a multiple-dose result keeps (the NCA review
#: page draws the fit from them; AILAMZ and VZFTAU of every interval use this lambda_z), and its flags.
TERMINAL_CODES = ("LAMZ", "LAMZHL", "R2ADJ", "LAMZNPT", "LAMZLL", "LAMZUL", "LAMZSPN", "CLSTP", "TLST")
TERMINAL_FLAGS = ("flag_lambda_z_few_points", "flag_r2adj_low", "flag_span_ratio_low")


def terminal_lambda_z(result: IntervalResult) -> pd.DataFrame:
    """The lambda_z fit after each profile's last dose, from the terminal NCA of a multiple-dose result
    (:attr:`~bioparity.nca.multiple.intervals.IntervalResult.terminal`): the profile keys, ``last_dose``
    (the time of the last dose on the clock of the dose records), ``PPTESTCD`` and ``PPSTRESN`` of
    :data:`TERMINAL_CODES` (times since the last dose), the lambda_z review flags and the reason of a
    missing value. ``bioparity nca --dosing`` writes the same table beside its output
    (``OUT.terminal_lambda_z.csv``)."""
    terminal = result.terminal.with_codes(TERMINAL_CODES)  # not the long table of every code: 3x fewer rows
    keys = [str(c) for c in terminal.profiles.columns]
    last = result.intervals.groupby(keys, sort=False, dropna=False)["start"].max().rename("last_dose")
    at = terminal.profiles.merge(last.reset_index(), on=keys, how="left")["last_dose"].to_numpy(dtype=float)
    long = terminal.to_frame()
    long.insert(len(keys), "last_dose", np.repeat(at, len(terminal.codes)))
    columns = [
        *keys,
        "last_dose",
        "PPTESTCD",
        "PPSTRESN",
        *(f for f in TERMINAL_FLAGS if f in long),
        "reason",
    ]
    return long[columns].reset_index(drop=True)


def _missing_samples(frame: pd.DataFrame, spec: NCASpec) -> list[dict[str, Any]]:
    """The samples left out for a missing concentration (empty cell, ``NA``, ``.``): one record per sample
    with its data row (1-based, as in the upload's error messages), profile columns and time, so that the
    run names each one (as ``bioparity nca`` does in its provenance: a dropped sample may be the Cmax)."""
    found = missing_concentrations(frame, spec, Where(file=None, line_offset=None)).drop(columns="line")
    records: list[dict[str, Any]] = json.loads(found.to_json(orient="records"))
    return records


def missing_note(result: Mapping[str, Any]) -> str:
    """``; 2 rows left out: row 9 subject=PK101-0001 time=168; ... (all in the stored result)``: the samples
    left out for a missing concentration (empty when none is recorded: no sample missing, or a result stored
    before the samples were named)."""
    samples = result.get("excluded_missing_concentration") or []
    if not samples:
        return ""
    note = left_out_rows(samples, len(samples), _(STORED_RESULT), translate=True)
    return _("; %(note)s") % {"note": note}


def review_choices(options: Mapping[str, Any]) -> pd.DataFrame:
    """The NCA option ``review``: the reviewer's lambda_z choices (see :mod:`bioparity.nca.review`) as a
    list of records, or the same list as JSON text; ``""`` or ``[]`` = none."""
    value = options.get("review", "")
    if isinstance(value, str):
        if not value.strip():
            return pd.DataFrame()
        try:
            value = json.loads(value)
        except json.JSONDecodeError as exc:
            raise InputError(f"option review is not JSON ({exc}); expected a list of choices") from None
    if not isinstance(value, list):
        raise InputError(f"option review={value!r}; expected a list of choices")
    return choices_frame(value) if value else pd.DataFrame()


NCA = Analysis(
    name=NAME,
    # reference sets of bioparity validate (MANIFEST.yaml)
    validation=(
        "pknca-theoph",
        "metidanca-multiple-dose",
        "metidanca-tau-extrapolated",
        "nca-regulatory-t20",
    ),
    title=gettext_noop("Noncompartmental analysis"),
    description=gettext_noop(
        "Noncompartmental analysis per profile (PKNCA-compatible): the PP long table with review flags"
    ),
    read=read_concentrations,
    compute=nca_kind,
    columns=(
        InputColumn("subject", True, "subject identifier"),
        InputColumn("time", True, "time after dose", unit_option="time_unit"),
        InputColumn(
            "conc",
            True,
            "concentration (numbers; BLQ markers allowed)",
            unit_option="conc_unit",
            unit_columns=CONC_UNIT_COLUMNS,
        ),
        InputColumn("dose", False, "dose per profile", unit_option="dose_unit"),
        *(InputColumn(c, False, "splits profiles (with the subject)") for c in GROUP_COLUMNS),
    ),
    options=(
        Option(
            "auc_method",
            gettext_noop("lin-up-log-down (default) or linear"),
            "lin-up-log-down",
            ("lin-up-log-down", "linear"),
        ),
        Option(
            "route",
            gettext_noop("extravascular (default), iv-bolus or iv-infusion"),
            "extravascular",
            ("extravascular", "iv-bolus", "iv-infusion"),
        ),
        Option(
            "dose",
            gettext_noop(
                "auto (the 'dose' column if present), a column name, a number for every profile, or ''"
            ),
            "auto",
        ),
        Option(
            "conc_unit",
            gettext_noop(
                "concentration unit, e.g. ng/mL ('' = none: no PPORRESU/PPSTRESU columns); with a unit "
                "column, the unit every concentration is converted into"
            ),
            "",
            label=gettext_noop("Concentration unit"),
        ),
        Option(
            "time_unit",
            gettext_noop("time unit of the input (default h)"),
            "h",
            label=gettext_noop("Time unit"),
        ),
        Option(
            "dose_unit",
            gettext_noop("dose unit, e.g. mg (clearances and volumes then get units)"),
            "",
            label=gettext_noop("Dose unit"),
        ),
        Option(
            "dosing",
            gettext_noop(
                "dose records: a dataset of the study holding an SDTM EX domain (one record per subject: "
                "each subject's own dose, single-dose NCA; several: multiple-dose NCA) or subject, time, "
                "dose; same as bioparity nca --dosing; '' = none"
            ),
            "",
            type="dataset",
            label=gettext_noop("Dosing dataset (EX)"),
        ),
        Option(
            DM_OPTION,
            gettext_noop(
                "each subject's arm: a dataset of the study holding an SDTM DM domain (USUBJID, ARM, "
                "optional ACTARM), for concentrations without an arm column (an SDTM PC domain): summary "
                "statistics per ARM; same as bioparity nca --dm; '' = none (an SDTM PC then pools the arms, "
                "as a note of the run says)"
            ),
            "",
            type="dataset",
            label=gettext_noop("Demographics dataset (DM, arms)"),
        ),
        Option(
            ADSL_OPTION,
            gettext_noop(
                "each sample's period: a dataset of the study holding an ADaM ADSL (USUBJID, APxxSDT with "
                "APxxSTM or APxxSDTM, optional APxxEDT, TRTxxP and TRTxxA), for an SDTM PC crossover: the "
                "period of the subject whose dates hold the sample's PCRFTDTC, TRTP from TRTxxP, TRTA from "
                "TRTxxA; same as bioparity nca "
                "--adsl; '' = none (the period is then the order of the subject's sampled doses)"
            ),
            "",
            type="dataset",
            label=gettext_noop("Subject-level dataset (ADSL, periods)"),
        ),
        TAU,
        EXTRAPOLATE_TAU,
        KEEP,
        Option(
            "review",
            gettext_noop(
                "lambda_z review choices (subject, time, action include|exclude, reason) as JSON; "
                "set by the NCA review page, same as bioparity nca --review"
            ),
            "",
        ),
    ),
    tables=nca_tables,
    summary=nca_summary,
    flags=nca_flags,
    figures=nca_figures,
    actions=(Action(gettext_noop("Review lambda_z"), "review", "nca-review", note=review_note),),
    study_kinds=("pk",),
    # the kind's own words for its option keep (a name other kinds may mean otherwise by)
    labels={KEEP.name: gettext_noop("subject-level columns carried to the result (covariates)")},
    layout=nca_layout,
    example=example_file("theoph.csv", _example, {"conc_unit": "mg/L", "time_unit": "h", "dose_unit": "mg"}),
)

ANALYSES = (NCA,)
