"""Readers of the inputs of NCA: concentrations (a plain long table or an SDTM PC domain) and dose records
(plain, or an SDTM EX domain put on the samples' clock); a reviewer's lambda_z choices are read by
:func:`bioparity.io.review.read_review`.

Each reader returns the data for :func:`bioparity.nca.run_nca` with a :class:`~bioparity.nca.Where`, so
that errors found later still name the file, row and line. An SDTM PC domain is recognised by its
columns (:func:`bioparity.io.sdtm.is_sdtm_pc`) and read as ``subject``, ``time``, ``conc`` with its
grouping columns (STUDYID, PCTESTCD, PCSPEC, PCRFTDTC) put before the spec's own ``groups``.

Units written in the domains are used, never guessed past: the concentration unit is PCSTRESU and the
dose unit EXDOSU when the column holds one unit on every row with a result; a column with two units, a
result without its unit, or a unit given as an option that is not the file's stops the run naming the
file, row and column (a unit mismatch is a question a regulator asks: neither is picked silently).
``--conc-unit-column PCSTRESU`` converts a PC domain with several units instead.

An EX domain with exactly one dose record for each sampled subject is a single dose: the samples then
carry each subject's EXDOSE (single-dose NCA with the subject's own dose); repeated doses give the dose
records of multiple-dose NCA.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from bioparity.errors import DataFileError, InputError
from bioparity.i18n.notes import note_template
from bioparity.io.adsl import AdslPeriods, assign_periods, missing_subjects
from bioparity.io.readers import LoadedTable, read_any_table
from bioparity.io.sdtm import (
    doses_on_sample_clock,
    first_dose_datetimes,
    is_sdtm_ex,
    is_sdtm_pc,
    iso_instants,
    pc_hours_since,
    pc_hours_since_each,
    read_sdtm_ex,
    read_sdtm_pc,
)
from bioparity.nca.samples import Where, parse_numbers, text_cells
from bioparity.nca.spec import NCASpec
from bioparity.nca.units import UnitRole, input_unit
from bioparity.problems import (
    A_DM_COLUMNS,
    A_DM_SUBJECT,
    A_DOSE_RECORD_PER_SUBJECT,
    A_DURATION_ON_EVERY_INFUSION,
    A_ONE_ARM,
    A_PCDTC_OR_DOSE_LINK,
    A_ROUTE_OPTION,
    DM_WITHOUT_COLUMN,
    INFUSION_WITHOUT_DURATION,
    NO_DOSE_RECORD,
    NOT_A_POSITIVE_DOSE,
    NOT_THE_FILE_UNIT,
    ONE_UNIT,
    ONE_UNIT_OR_COLUMN,
    PC_WITHOUT_PCDTC,
    RESULT_WITHOUT_UNIT,
    ROUTE_DIFFERS,
    ROW,
    ROW_LINE,
    SUBJECT_NOT_IN_DM,
    THE_FILE_UNIT,
    THE_SUBJECTS_DOSE,
    THE_UNIT_OF_ROW,
    TWO_ARMS_IN_DM,
    UNIT_DIFFERS,
)

#: The subject-level columns ``--dm`` takes from an SDTM DM domain (planned and actual arm).
DM_ARMS = ("ARM", "ACTARM")
#: The note of an NCA of an SDTM PC domain without an arm, given no DM domain: said by ``bioparity nca``
#: and stored in the workspace run's ``notes`` (shown on its page and in its report), one text for both.
ARMS_POOLED = note_template(
    "SDTM PC has no arm and no DM domain was given (bioparity nca --dm DM.xpt; in the workspace, the NCA "
    "option dm): the summary statistics pool the subjects of every arm; give the DM domain for statistics "
    "per ARM"
)
#: The note of an arm column (ARM, ACTARM, any letter case) whose value changes within a subject: CDISC
#: SDTMIG v3.4, section 5.2 (DM) gives each subject one ARM and one ACTARM, so the subject is counted in the
#: summary statistics of each of its arms. Said, never refused: the numbers stay as computed. A treatment
#: column is not checked (a crossover's treatment changes within a subject by design).
ARM_WITHIN_SUBJECT = note_template(
    "column {column} changes within {n:d} subject(s), though a subject has one arm (CDISC SDTMIG DM): the "
    "summary statistics count each such subject in every arm it has; check the subject identifiers and arms "
    "(first rows of each arm: {subjects})"
)


@dataclass(frozen=True)
class NCASamples:
    """A concentration table ready for :func:`bioparity.nca.run_nca`.

    ``spec`` is the given spec resolved against the table's columns, adapted to an SDTM PC domain when the
    file is one (``sdtm_pc`` then holds the domain as read, and ``note`` says what was detected).
    ``units`` names, per unit of the spec (``conc_unit``, ``dose_unit``), the file column it was read
    from (``PCSTRESU of pc.xpt``); a unit not listed there was given as an option or is missing.
    ``dose_from`` says where the dose column came from when it is not the file's own (EX per subject);
    ``derived`` says which profile columns were derived rather than read (:func:`with_derived_period`);
    ``adsl`` the ADSL periods that placed the samples in their period, which place the EX doses of
    multiple-dose NCA too (:func:`read_doses`). ``detected``: the profile columns of an SDTM PC domain that
    the note names (:data:`PC_DETECTED`, before USUBJID); the note is made from them and ``derived`` by
    :func:`pc_note`.
    """

    frame: pd.DataFrame
    spec: NCASpec
    where: Where
    sdtm_pc: pd.DataFrame | None = None
    note: str = ""
    units: Mapping[str, str] = field(default_factory=dict)
    dose_from: str = ""
    derived: tuple[str, ...] = ()
    adsl: AdslPeriods | None = None
    detected: tuple[str, ...] = ()


@dataclass(frozen=True)
class NCADoses:
    """Dose records on the clock of the samples, with their file (``note``: an SDTM EX domain read).

    ``per_subject`` is true when the records are one dose per subject, put into the samples as their
    dose column for single-dose NCA (:func:`read_doses`); false for multiple-dose NCA. ``per_profile``:
    one dose per profile instead (:meth:`ExDomain.dose_per_profile`, a crossover), ``per_subject`` true too.
    ``origin``: each subject's first EXSTDTC (per USUBJID) when the multiple-dose records' times are hours
    since it (every EXSTDTC given), to date each dosing interval's dose
    (:func:`bioparity.io.sdtm.per_dose_intervals`); with one dose per profile, the origin of ADNCA AFRLT
    (the subject's first dose given in EX, sampled or not: :meth:`ExDomain.first_given`,
    :func:`bioparity.io.adam.adnca_domain`); None otherwise. ``notes``: what a run stores of a
    multiple-dose read whose periods could not be found (:class:`EpochPeriods`), each a note.
    """

    frame: pd.DataFrame
    where: Where
    note: str = ""
    per_subject: bool = False
    per_profile: bool = False
    origin: pd.Series | None = None
    notes: tuple[str, ...] = ()


def read_samples(
    path: str | os.PathLike[str], spec: NCASpec, *, label: str | None = None, adsl: AdslPeriods | None = None
) -> NCASamples:
    """The concentrations of ``path`` (CSV, XLSX, Parquet or XPT; plain or SDTM PC) for ``spec``
    (``label``: how messages name the file, default the path as given; ``adsl``: the periods of an ADaM
    ADSL, :func:`with_derived_period`)."""
    return samples_of(read_any_table(path, label=label), spec, adsl=adsl)


def samples_of(table: LoadedTable, spec: NCASpec, *, adsl: AdslPeriods | None = None) -> NCASamples:
    """The concentrations of a table read from a file (:func:`read_samples`), for ``spec``: a plain table
    with the spec resolved against its columns, or an SDTM PC domain read by its own rules (module
    documentation). The workspace NCA reads its stored datasets through this function too, and batch NCA
    (:mod:`bioparity.scale.batch_nca`) its parts: :func:`pc_samples` on each part, the unit of
    :func:`pc_unit_cells` checked over all parts."""
    where = Where(file=table.file, line_offset=table.line_offset)
    if not is_sdtm_pc(table.frame):
        if adsl is not None:
            raise InputError(ADSL_UNUSED.format(adsl=adsl.file))
        return NCASamples(table.frame, spec.resolve(table.frame, file=table.file), where)
    samples = with_derived_period(pc_samples(table.frame, spec, where), adsl=adsl)
    cells = pc_unit_cells(table.frame, samples.spec)
    if cells is None:
        return samples
    unit = one_unit(*cells, where, given=spec.conc_unit, option="--conc-unit", role="concentration")
    return (
        samples if unit is None else with_unit(samples, "conc_unit", unit, f"{cells[0].name} of {table.file}")
    )


def pc_samples(pc: pd.DataFrame, spec: NCASpec, where: Where) -> NCASamples:
    """The samples of the rows of an SDTM PC domain, each row read on its own (:func:`read_sdtm_pc`; the
    columns the spec names are kept, the domain's grouping columns come before the spec's own ``groups``),
    without the concentration unit, which needs every row (:func:`pc_unit_cells`)."""
    samples, pc_groups = read_sdtm_pc(pc, file=where.file)
    named = spec.resolve(pc)  # columns the spec names in the domain (dose, duration, units, keep) are kept
    given = pc_given_groups(pc, spec, pc_groups)
    options = (named.dose, named.duration, named.conc_unit_column, named.blq, named.lloq)
    for column in (*options, *given, *named.keep):
        if isinstance(column, str) and column in pc.columns:
            samples[column] = pc[column].to_numpy()
    groups = (*pc_groups, *given)
    spec = dataclasses.replace(spec, subject="subject", time="time", conc="conc", groups=groups)
    note = pc_note(where.file, groups, ())
    return NCASamples(samples, spec.resolve(samples), where, sdtm_pc=pc, note=note, detected=groups)


def pc_note(file: str | None, groups: Sequence[str], derived: Sequence[str]) -> str:
    """The note of an SDTM PC read: :data:`PC_DETECTED` naming the profile columns ``groups`` (and USUBJID),
    then each rule of a derived profile column (``derived``: :data:`PERIOD_DERIVED`, or the period of an
    ADSL), ``"; "``-joined. Made whole from its parts wherever they change (:func:`with_derived_period`,
    :func:`reference_on_dose_clock`), never patched as text.

    Examples
    --------
    >>> pc_note("pc.xpt", ["PCTESTCD", "PCRFTDTC"], [])
    'pc.xpt: SDTM PC domain detected (profiles by PCTESTCD, PCRFTDTC, USUBJID)'
    """
    return "; ".join([PC_DETECTED.format(file=file, groups=", ".join([*groups, "USUBJID"])), *derived])


#: The notes of the SDTM readers (note templates: said and shown in the reader's language, as
#: :data:`PERIOD_DERIVED`; stored in English): the PC domain detected, the EX domain read, how the sample
#: times and each profile's dose were found.
PC_DETECTED = note_template("{file}: SDTM PC domain detected (profiles by {groups})")
EX_READ = note_template("{file}: SDTM EX domain read ({n} dose records)")
SAMPLE_TIMES_FROM_EX = note_template("sample times PCDTC - EXSTDTC")
SAMPLE_TIMES_FROM_PROFILE_DOSE = note_template("sample times PCDTC - EXSTDTC of the profile's dose")
ONE_DOSE_PER_PROFILE = note_template("one dose record per profile (USUBJID, {keys})")
PCRFTDTC_FROM_EX = note_template("PCRFTDTC = EXSTDTC of each profile's dose")
SAMPLE_TIMES_FROM_REFERENCE = note_template(
    "sample times PCRFTDTC + PCELTM - the subject's first EXSTDTC (PC has no PCDTC: planned times after "
    "each sample's reference dose)"
)


#: The profile column of the period derived for an SDTM PC whose subjects have several reference doses
#: (:func:`with_derived_period`); a plain table's ``period`` (the grouping rule of :mod:`bioparity.nca.spec`,
#: ADaM APERIOD in ADPP and ADNCA).
PERIOD = "period"
#: What the note of an SDTM PC read adds, and the result records, when the period was derived (a note
#: template: said and shown in the reader's language, :func:`bioparity.i18n.notes.note_text`).
PERIOD_DERIVED = note_template(
    "period derived per subject from the order of its PCRFTDTC (1 = the subject's earliest reference dose): "
    "the PC has no VISITNUM, VISIT, EPOCH or period profile column"
)
#: Profile columns (upper case) that already tell the periods of a crossover apart: no period is derived.
_PERIOD_LIKE = {"PERIOD", "APERIOD", "VISITNUM", "VISIT", "EPOCH"}


def reference_periods(subjects: pd.Series, references: pd.Series) -> pd.Series | None:
    """The period of each (subject, reference dose date/time) of an SDTM PC: the rank of the date/time among
    the subject's own (1 = earliest; two analytes of one dose share it), indexed by :func:`_period_keys`.
    None when no subject has two reference doses, or a PCRFTDTC is empty or not ISO 8601 (no order to take).

    A crossover's period is the order of the subject's doses, whatever their calendar dates (CDISC SDTMIG
    v3.4, PC: PCRFTDTC is the date/time of the reference dose of the sample; subjects of one period are
    often dosed on different days, so the date itself is no period)."""
    when = iso_instants(references)
    if bool(when.isna().any()):
        return None
    table = pd.DataFrame(
        {"subject": subjects.astype("string").str.strip().to_numpy(), "when": when.to_numpy()}
    ).drop_duplicates()
    period = table.groupby("subject")["when"].rank(method="dense").astype(np.int64)
    if len(period) == 0 or int(period.max()) < 2:
        return None
    keys = _period_keys(table["subject"], table["when"].astype(str))
    return pd.Series(period.to_numpy(), index=keys.to_numpy())


def _period_keys(subjects: pd.Series, instants: pd.Series) -> pd.Series:
    """``subject`` + ``\x1f`` + the instant as text (:func:`_instants`), one key per row."""
    return (
        subjects.astype("string").str.strip().astype(str).reset_index(drop=True)
        + "\x1f"
        + (instants.astype(str).reset_index(drop=True))
    )


#: The note of a period (and planned treatment) read from an ADaM ADSL (:func:`with_derived_period` with
#: ``adsl``): said, stored and recorded as the rule used, in place of :data:`PERIOD_DERIVED`.
PERIOD_FROM_ADSL = note_template(
    "period from the ADSL {adsl}: the subject's ADSL period xx with the latest start APxxSDT/APxxSTM "
    "(APxxSDTM) at or before the sample's PCRFTDTC, not after its end APxxEDT/APxxETM (ADaMIG v1.3 "
    "APERIOD)"
)
#: :data:`PERIOD_FROM_ADSL` when the ADSL has the planned treatment of each period (TRTxxP).
PERIOD_AND_TREATMENT_FROM_ADSL = note_template(
    "period from the ADSL {adsl}: the subject's ADSL period xx with the latest start APxxSDT/APxxSTM "
    "(APxxSDTM) at or before the sample's PCRFTDTC, not after its end APxxEDT/APxxETM (ADaMIG v1.3 "
    "APERIOD); TRTP = TRTxxP of that period"
)
#: :data:`PERIOD_FROM_ADSL` when the ADSL has the planned and actual treatment of each period (TRTxxP and
#: TRTxxA).
PERIOD_AND_TREATMENTS_FROM_ADSL = note_template(
    "period from the ADSL {adsl}: the subject's ADSL period xx with the latest start APxxSDT/APxxSTM "
    "(APxxSDTM) at or before the sample's PCRFTDTC, not after its end APxxEDT/APxxETM (ADaMIG v1.3 "
    "APERIOD); TRTP = TRTxxP and TRTA = TRTxxA of that period"
)
#: :data:`PERIOD_FROM_ADSL` when the ADSL has the actual treatment of each period (TRTxxA) but not the
#: planned one.
PERIOD_AND_ACTUAL_TREATMENT_FROM_ADSL = note_template(
    "period from the ADSL {adsl}: the subject's ADSL period xx with the latest start APxxSDT/APxxSTM "
    "(APxxSDTM) at or before the sample's PCRFTDTC, not after its end APxxEDT/APxxETM (ADaMIG v1.3 "
    "APERIOD); TRTA = TRTxxA of that period"
)
#: The rule said for the treatment variables an ADSL gives (:attr:`bioparity.io.adsl.AdslPeriods.treatments`).
_ADSL_RULES = {
    (): PERIOD_FROM_ADSL,
    ("TRTP",): PERIOD_AND_TREATMENT_FROM_ADSL,
    ("TRTA",): PERIOD_AND_ACTUAL_TREATMENT_FROM_ADSL,
    ("TRTP", "TRTA"): PERIOD_AND_TREATMENTS_FROM_ADSL,
}
#: The profile column of the planned treatment of a period read from ADSL (ADaMIG v1.3: TRTP = TRTxxP).
TREATMENT = "TRTP"


#: The refusal of an ADSL that places no sample in a period (:func:`with_derived_period`).
ADSL_UNUSED = note_template(
    "ADSL {adsl}: the ADSL periods place an SDTM PC's samples by their PCRFTDTC; this input has no PCRFTDTC, "
    "or its VISITNUM, VISIT, EPOCH or period column tells the periods apart already"
)


def _derives_period(samples: NCASamples) -> bool:
    """An SDTM PC read with PCRFTDTC as a profile column and no column that tells the periods apart."""
    spec, frame = samples.spec, samples.frame
    groups = {str(g).upper() for g in spec.groups} | {str(c).upper() for c in frame.columns}
    return samples.sdtm_pc is not None and REFERENCE in spec.groups and not groups & _PERIOD_LIKE


def with_derived_period(
    samples: NCASamples, periods: pd.Series | None = None, adsl: AdslPeriods | None = None
) -> NCASamples:
    """The samples of an SDTM PC domain with the profile column :data:`PERIOD` derived per subject from the
    order of its reference doses (:func:`reference_periods`), when PCRFTDTC is a profile column and no
    VISITNUM, VISIT, EPOCH or period column tells the periods apart; unchanged otherwise.

    Without it, the summary statistics of a crossover would be split by PCRFTDTC, whose dates are each
    subject's own: one subject per row instead of one period (EMA CPMP/EWP/QWP/1401/98 Rev. 1, section
    4.1.8: descriptive statistics per treatment and period). ``periods``: the periods of the whole data set
    (batch NCA derives them from every part's profile keys); default, from the samples themselves. The
    note and ``derived`` of the result say the column was derived.

    ``adsl``: the periods of an ADaM ADSL (:func:`bioparity.io.adsl.adsl_periods`, ``--adsl``): each
    sample's period is then the subject's ADSL period of its PCRFTDTC
    (:func:`bioparity.io.adsl.assign_periods`, also with one dose per subject, and the TRTxxP and TRTxxA of
    that period, where the ADSL has them, as the profile columns ``TRTP`` and ``TRTA``); the note and
    ``derived`` say :data:`PERIOD_FROM_ADSL` (or one of its variants naming the treatments) instead."""
    spec, frame = samples.spec, samples.frame
    if adsl is not None and not _derives_period(samples):  # ignored it would be, not used
        raise InputError(ADSL_UNUSED.format(adsl=adsl.file))
    if not _derives_period(samples):
        return samples
    if adsl is not None:
        return _with_adsl_period(samples, adsl)
    if periods is None:
        periods = reference_periods(frame[spec.subject], frame[REFERENCE])
    if periods is None:
        return samples
    keys = _period_keys(frame[spec.subject], _instants(frame[REFERENCE]))
    found = keys.map(periods)
    if bool(found.isna().any()):
        return samples
    frame = frame.assign(**{PERIOD: found.to_numpy(dtype=np.int64)})
    spec = dataclasses.replace(spec, groups=(*spec.groups, PERIOD)).resolve(frame)
    return _derived(dataclasses.replace(samples, frame=frame, spec=spec), PERIOD_DERIVED)


def _derived(samples: NCASamples, rule: str, **changes: Any) -> NCASamples:
    """``samples`` with the ``rule`` of a derived profile column added to ``derived`` and its note."""
    derived = (*samples.derived, rule)
    note = pc_note(samples.where.file, samples.detected, derived)
    return dataclasses.replace(samples, note=note, derived=derived, **changes)


def _with_adsl_period(samples: NCASamples, adsl: AdslPeriods) -> NCASamples:
    """The samples with the period of each from the ADSL, and its TRTP / TRTA where the ADSL has TRTxxP /
    TRTxxA (:func:`with_derived_period`)."""
    spec, frame = samples.spec, samples.frame
    period, treatments = assign_periods(
        adsl, frame[spec.subject], iso_instants(frame[REFERENCE]), samples.where, REFERENCE
    )
    columns = {PERIOD: period} | treatments
    frame = frame.assign(**columns)
    spec = dataclasses.replace(spec, groups=(*spec.groups, *columns)).resolve(frame)
    rule = _ADSL_RULES[adsl.treatments].format(adsl=adsl.file)
    return _derived(samples, rule, frame=frame, spec=spec, adsl=adsl)


def with_dm_arms(
    samples: NCASamples, path: str | os.PathLike[str] | LoadedTable, *, label: str | None = None
) -> NCASamples:
    """The samples with each subject's ARM (and ACTARM, when the DM has it) from an SDTM DM domain, as
    profile columns: an SDTM PC domain has no arm (SDTMIG v3.4, section 5.2: ARM and ACTARM are variables of
    DM, one record per subject), so without them the summary statistics would pool the arms. A subject
    belongs to one arm, so the columns never split its profiles; the summary statistics are per ARM
    (:func:`bioparity.analyses.nca.parameter_statistics`), ADPP and ADNCA carry both. ``bioparity nca
    --dm``, ``bioparity nca-batch --dm`` (on each partition) and the workspace NCA's option ``dm`` all read
    the DM through this function.

    Parameters
    ----------
    samples : NCASamples
        The concentrations (:func:`samples_of`; an SDTM PC domain or a plain table).
    path : str, os.PathLike or LoadedTable
        The DM file (CSV, XLSX, Parquet or XPT), or the DM read already
        (:func:`~bioparity.io.readers.read_any_table`: batch NCA reads it once for every partition).
    label : str, optional
        How messages name the DM file (default: the path as given).

    Returns
    -------
    NCASamples
        The samples with the columns ARM (and ACTARM) put first among the profile groups.

    Raises
    ------
    DataFileError
        Naming the file, row and column: a DM without USUBJID or ARM, a USUBJID with two different arms
        (:func:`dm_arms`); a sampled subject (USUBJID of PC, or the subject column of a plain table) that
        the DM does not have, at its first sample, with the DM file and every such subject named.
    """
    table = path if isinstance(path, LoadedTable) else read_any_table(path, label=label)
    arms = dm_arms(table)
    frame = samples.frame.copy()
    subjects = frame[samples.spec.subject].astype("string").str.strip()
    known = subjects.isin(arms.index).to_numpy(dtype=bool)
    if not known.all():
        problem = SUBJECT_NOT_IN_DM.format(dm=table.file, subjects=missing_subjects(subjects, known))
        column = "USUBJID" if samples.sdtm_pc is not None else samples.spec.subject
        samples.where.reject(~known, problem, column, subjects, A_DM_SUBJECT)
    for c in arms.columns:
        frame[c] = subjects.map(arms[c]).to_numpy()
    groups = (*arms.columns, *(g for g in samples.spec.groups if g.upper() not in DM_ARMS))
    spec = dataclasses.replace(samples.spec, groups=groups).resolve(frame)
    return dataclasses.replace(samples, frame=frame, spec=spec)


def dm_arms(table: LoadedTable) -> pd.DataFrame:
    """Each subject's arm in an SDTM DM domain read from a file: one row per USUBJID (the index, stripped
    text), columns ARM and, when the DM has it, ACTARM (text, empty when missing). The workspace checks an
    uploaded DM with it, and :func:`with_dm_arms` reads one.

    Parameters
    ----------
    table : LoadedTable
        The DM as read (:func:`bioparity.io.readers.read_any_table`); column names in any letter case.

    Returns
    -------
    DataFrame
        Indexed by USUBJID, with the columns of :data:`DM_ARMS` the domain has.

    Raises
    ------
    DataFileError
        A DM without USUBJID or ARM (naming the file and column), or a USUBJID with two records of different
        arms (naming the row and line of the second).
    """
    where = Where(file=table.file, line_offset=table.line_offset)
    dm = table.frame.rename(columns={c: str(c).upper() for c in table.frame.columns}).reset_index(drop=True)
    for column in ("USUBJID", "ARM"):
        if column not in dm.columns:
            raise DataFileError(DM_WITHOUT_COLUMN, file=table.file, column=column, expected=A_DM_COLUMNS)
    arms = [c for c in DM_ARMS if c in dm.columns]
    dm["USUBJID"] = dm["USUBJID"].astype("string").str.strip()
    dm[arms] = dm[arms].astype("string").fillna("").astype(object)
    first = dm.drop_duplicates("USUBJID")
    again = dm.merge(first, on="USUBJID", how="left", suffixes=("", "_first"))
    differs = np.zeros(len(dm), dtype=bool)
    for c in arms:
        differs |= (again[c] != again[c + "_first"]).to_numpy()
    where.reject(differs, TWO_ARMS_IN_DM, "USUBJID", dm["USUBJID"], A_ONE_ARM)
    return first.set_index("USUBJID")[arms]


def pc_given_groups(pc: pd.DataFrame, spec: NCASpec, pc_groups: Sequence[str]) -> tuple[str, ...]:
    """The spec's own grouping columns in an SDTM PC domain (its spelling), after the domain's grouping
    columns ``pc_groups`` (:func:`bioparity.io.sdtm.pc_profile_keys`), which they do not repeat."""
    return tuple(g for g in spec.given_groups(pc) if g.upper() not in pc_groups)


def pc_unit_cells(pc: pd.DataFrame, spec: NCASpec) -> tuple[pd.Series, npt.NDArray[np.bool_]] | None:
    """PCSTRESU of the rows of an SDTM PC domain and which rows have a result (a number in PCSTRESN), when
    PCSTRESU gives the unit of the concentrations (:func:`one_unit`); None without PCSTRESU or when the
    spec names a unit column (``conc_unit_column``: each row converted instead)."""
    column = _column(pc, "PCSTRESU")
    if column is None or spec.conc_unit_column is not None:
        return None
    return pc[column], pd.to_numeric(pc[_column(pc, "PCSTRESN")], errors="coerce").notna().to_numpy()


def with_unit(
    samples: NCASamples, name: Literal["conc_unit", "dose_unit"], unit: str, source: str
) -> NCASamples:
    """The samples with the unit ``name`` of the spec read from a file's column, ``source`` saying which
    (``PCSTRESU of pc.xpt``)."""
    if name == "conc_unit":
        spec = dataclasses.replace(samples.spec, conc_unit=unit)
    else:
        spec = dataclasses.replace(samples.spec, dose_unit=unit)
    return dataclasses.replace(samples, spec=spec, units={**samples.units, name: source})


def _column(frame: pd.DataFrame, name: str) -> str | None:
    """The column of an SDTM domain named ``name`` in any letter case (SDTM names are upper case)."""
    return next((str(c) for c in frame.columns if str(c).upper() == name), None)


def one_unit(
    units: pd.Series,
    results: npt.NDArray[np.bool_],
    where: Where,
    *,
    given: str | None,
    option: str,
    role: UnitRole,
    first_at: str | None = None,
) -> str | None:
    """The one unit of a unit column (PCSTRESU, EXDOSU), or ``None`` when the column is empty.

    Parameters
    ----------
    units : Series
        The unit column (its name is the column named in errors).
    results : array of bool
        Rows with a result (a number): each must have the unit. Rows without one (BLQ, not done) may
        leave it empty; a unit they do give must be the same.
    where : Where
        The file, for errors naming row and line.
    given : str or None
        The unit given as an option: it must be the file's unit (the same text), else an error.
    option : str
        The option's name for the message (``--conc-unit``).
    role : {"concentration", "dose"}
        What the unit states: a unit of another dimension is refused
        (:func:`bioparity.nca.units.input_unit`, the rule of the unit options too).
    first_at : str, optional
        Where the first unit is written, for messages (default: its row in ``where``, ``row 1 (line 2)``);
        for rows gathered from several files (batch NCA).

    Raises
    ------
    DataFileError
        At the first row whose unit differs from the first row's (both units named), whose result has
        no unit, at the first row when the unit is not one of ``role`` (``h`` in PCSTRESU), or, with
        ``given``, at the first row with a unit when that unit is not ``given``.
        CDISC SDTMIG v3.4, section 6.3.5.9 (PC): PCSTRESU is the unit of PCSTRESN; section 6.1.1 (EX):
        EXDOSU is the unit of EXDOSE.
    """
    cells = text_cells(units).to_numpy(dtype=object)
    written = cells != ""
    if not written.any():
        return None
    column = str(units.name)
    first = int(np.argmax(written))
    unit = str(cells[first])
    at_first = first_at or _row_text(where, first)
    bad = (results | written) & (cells != unit)
    if bad.any():
        i = int(np.argmax(bad))
        if cells[i] == "":
            raise where.error(
                RESULT_WITHOUT_UNIT, i, column, None, THE_UNIT_OF_ROW.format(unit=repr(unit), row=at_first)
            )
        raise where.error(
            UNIT_DIFFERS.format(unit=repr(unit), row=at_first),
            i,
            column,
            cells[i],
            ONE_UNIT_OR_COLUMN.format(option=option, column=column) if option == "--conc-unit" else ONE_UNIT,
        )
    refusal = input_unit(unit, role).refusal
    if refusal is not None:
        raise where.error(refusal[0], first, column, unit, refusal[1])
    if given is not None and given.strip() != unit:
        raise where.error(
            NOT_THE_FILE_UNIT.format(option=option, unit=repr(given.strip())),
            first,
            column,
            unit,
            THE_FILE_UNIT.format(option=option, unit=unit, column=column),
        )
    return unit


def read_doses(
    path: str | os.PathLike[str], samples: NCASamples, *, tau: float | None = None, label: str | None = None
) -> tuple[NCASamples, NCADoses]:
    """Dose records of ``path`` for ``samples``: each subject's single dose, or multiple-dose records on
    the samples' clock.

    Plain records (``subject, time, dose[, duration]``) share the samples' clock already and give
    multiple-dose NCA. An SDTM EX domain gives its dose unit (EXDOSU, see :func:`one_unit`) and:

    * with exactly one dose record for every sampled subject (and no ``tau``, which asks for a dosing
      interval): a single dose. The samples gain the column ``EXDOSE`` with their subject's dose, which
      becomes the spec's dose; the sample times are those of the samples (PCELTM), or for a PC domain
      with PCDTC the hours since the subject's EXSTDTC (the clock of multiple-dose NCA). The result is
      ``per_subject``. Each such record must have a dose > 0 and the route of the spec.
    * otherwise: times in hours since each subject's first dose; an SDTM PC sample table is then put on
      that clock from PCDTC (:func:`bioparity.io.sdtm.doses_on_sample_clock`).

    A ``subject`` column is renamed to the samples' subject column when that one has another name.
    ``label`` is how messages name the file (default: the path as given).
    """
    return doses_of(read_any_table(path, label=label), samples, tau=tau)


def doses_of(
    table: LoadedTable, samples: NCASamples, *, tau: float | None = None
) -> tuple[NCASamples, NCADoses]:
    """:func:`read_doses` of a dose table read already (``bioparity nca-batch`` reads its EX once and puts
    it on the samples of each partition, :mod:`bioparity.scale.batch_nca`)."""
    where = Where(file=table.file, line_offset=table.line_offset)
    doses, note, origin = table.frame, "", None
    said_notes: tuple[str, ...] = ()
    if is_sdtm_ex(doses):
        ex = read_ex(table, samples.spec.dose_unit)
        samples = ex.on_samples(samples)
        note = EX_READ.format(file=table.file, n=len(ex.records))
        if tau is None and (found := ex.single_dose_noted(samples)) is not None:
            single, said = found
            return single, NCADoses(ex.records, where, note + said, per_subject=True)
        if tau is None and (per_profile := ex.dose_per_profile(samples)) is not None:
            single, said = per_profile
            return single, NCADoses(
                ex.records, where, note + said, per_subject=True, per_profile=True, origin=ex.first_given()
            )
        unlinked = "" if tau is not None else ex.unlinked_note(samples)  # --tau: multiple dose asked for
        if unlinked and samples.sdtm_pc is not None and _column(samples.sdtm_pc, "PCDTC") is None:
            raise DataFileError(PC_WITHOUT_PCDTC, file=samples.where.file, expected=A_PCDTC_OR_DOSE_LINK)
        epochs = epoch_periods(samples, ex)  # before PCRFTDTC leaves the profile columns
        samples, said = reference_on_dose_clock(samples, epochs=bool(epochs.rule))
        note += ("" if epochs.rule else unlinked) + said
        doses, times = doses_on_sample_clock(
            doses, ex_file=table.file, pc=samples.sdtm_pc, pc_file=samples.where.file
        )
        assert ex.frame is not None
        if samples.adsl is not None:  # each dose in its ADSL period, as the samples of its profile
            period, _ = assign_periods(
                samples.adsl, doses["subject"], iso_instants(ex.frame["EXSTDTC"]), None, ""
            )
            doses = doses.assign(**{PERIOD: period})
        samples, doses = epochs.placed(samples, doses)
        doses = with_profile_columns(doses, ex.frame, samples.spec)
        note += "".join("; " + n for n in (epochs.rule, *epochs.notes) if n)
        said_notes = epochs.notes
        if ex.origin is not None and bool(iso_instants(ex.frame["EXSTDTC"]).notna().all()):
            origin = ex.origin  # the dose clock is hours since each subject's first EXSTDTC
        if times is not None:
            samples = dataclasses.replace(samples, frame=samples.frame.assign(**{samples.spec.time: times}))
            pc = samples.sdtm_pc
            if pc is not None and _column(pc, "PCDTC") is None:  # sdtm.pc_reference_hours_since
                note += "; " + SAMPLE_TIMES_FROM_REFERENCE
    if samples.spec.subject not in doses.columns:  # ``subject`` named like the samples' subject column
        doses = doses.rename(columns={"subject": samples.spec.subject})
    return samples, NCADoses(doses, where, note, origin=origin, notes=said_notes)


#: What the note of a multiple-dose read of an SDTM PC with PCRFTDTC adds (:func:`reference_on_dose_clock`;
#: a note template, said in the reader's language), worded from the periods actually used: none (one
#: profile per subject), those of an ADaM ADSL (``--adsl``), or those of the EPOCH of EX
#: (:func:`epoch_periods`).
REFERENCE_ON_DOSE_CLOCK = note_template(
    "multiple-dose NCA: PCRFTDTC is each sample's reference dose, not a profile of its own: one profile per "
    "subject, its dosing intervals from the EX doses, each sample after the latest dose at or before it"
)
REFERENCE_ON_DOSE_CLOCK_ADSL = note_template(
    "multiple-dose NCA: PCRFTDTC is each sample's reference dose, not a profile of its own: one profile per "
    "subject and ADSL period, its dosing intervals from the EX doses of that period, each sample after the "
    "latest dose at or before it"
)
REFERENCE_ON_DOSE_CLOCK_EPOCH = note_template(
    "multiple-dose NCA: PCRFTDTC is each sample's reference dose, not a profile of its own: one profile per "
    "subject and period from the EX EPOCH, its dosing intervals from the EX doses of that period, each "
    "sample after the latest dose at or before it"
)


def reference_on_dose_clock(samples: NCASamples, *, epochs: bool = False) -> tuple[NCASamples, str]:
    """The samples of an SDTM PC domain for multiple-dose NCA: PCRFTDTC, when it is a profile column, is
    no longer one, nor is a period derived from its order (:data:`PERIOD_DERIVED`); with the note
    ``; ``:data:`REFERENCE_ON_DOSE_CLOCK` (:data:`REFERENCE_ON_DOSE_CLOCK_ADSL` when the samples have an
    ADSL's periods, :data:`REFERENCE_ON_DOSE_CLOCK_EPOCH` when ``epochs``: the periods come from the EPOCH
    of EX, :func:`epoch_periods`). Unchanged (no note) for a plain table or a PC without PCRFTDTC.
    A period read from an ADSL (``--adsl``: the ADSL period of each sample's PCRFTDTC) is kept.

    CDISC SDTMIG v3.3/v3.4, PC domain: PCRFTDTC is the "Date/Time of Reference Point", the dose the sample's
    planned elapsed time PCELTM counts from; in a multiple-dose study each day's samples have that day's
    dose, so PCRFTDTC tells the sample's dosing interval, not a profile. Multiple-dose NCA puts every sample
    of a subject on one clock with the EX doses (:func:`bioparity.io.sdtm.doses_on_sample_clock`) and gives
    each dosing interval from them (EMA CPMP/EWP/QWP/1401/98 Rev. 1, section 4.1.5: AUC(0-tau), Cmax,ss of
    the dosing interval after multiple dosing); the intervals are dated by their own dose
    (:func:`bioparity.io.sdtm.per_dose_intervals`). Kept as a profile column, each reference dose was a
    profile of its own with every EX dose of its subject, and their order a "period" (27 intervals for 3
    subjects x 3 sampled doses, 18 of them empty). A crossover's periods come from its ADSL (``--adsl``:
    kept), a ``--group`` such as EPOCH or a period column, not from the order of the doses."""
    spec, frame = samples.spec, samples.frame
    reference = next((g for g in spec.groups if g.upper() == REFERENCE), None)
    if samples.sdtm_pc is None or reference is None:
        return samples, ""
    derived = PERIOD_DERIVED in samples.derived
    dropped = {reference, *((PERIOD,) if derived else ())}
    frame = frame.drop(columns=[c for c in dropped if c in frame.columns])
    spec = dataclasses.replace(spec, groups=tuple(g for g in spec.groups if g not in dropped)).resolve(frame)
    # the note, made again: PCRFTDTC no longer among the profile columns, no period derived from its order
    detected = tuple(g for g in samples.detected if g != reference)
    kept = tuple(d for d in samples.derived if d != PERIOD_DERIVED)
    note = pc_note(samples.where.file, detected, kept)
    moved = dataclasses.replace(samples, frame=frame, spec=spec, note=note, derived=kept, detected=detected)
    if samples.adsl is not None:
        return moved, "; " + REFERENCE_ON_DOSE_CLOCK_ADSL
    return moved, "; " + (REFERENCE_ON_DOSE_CLOCK_EPOCH if epochs else REFERENCE_ON_DOSE_CLOCK)


#: The note of a multiple-dose crossover whose periods came from the EPOCH of its EX records
#: (:func:`epoch_periods`): said, stored and recorded as the rule used (``derived``), as the ADSL rule is.
PERIOD_FROM_EX_EPOCH = note_template(
    "period from the EPOCH of {ex}: each subject's epochs numbered in the order of their first EXSTDTC "
    "(1 = earliest), each EX dose in the period of its epoch and each sample in the period of its reference "
    "dose (PCRFTDTC = EXSTDTC of an EX record of the subject, or its date for a PCRFTDTC without a time), "
    "else of its own EPOCH in PC"
)
#: The note of a multiple-dose read of an SDTM PC whose EX gives no period (:func:`epoch_periods`): the
#: numbers are those of one profile per subject, as before; a crossover needs its periods given.
NO_PERIOD_GIVEN = note_template(
    "EX {ex} looks like periods (a subject with two treatments EXTRT, or a break in its doses longer than "
    "twice its usual interval), but none is given (no EPOCH on every EX record, no --adsl, no period "
    "column): one profile per subject with all its EX doses, the periods not told apart; for a crossover, "
    "give each EX record its EPOCH (and each PC record its PCRFTDTC or EPOCH), or the ADaM ADSL (bioparity "
    "nca --adsl; in the workspace, the NCA option adsl)"
)
#: The note of a multiple-dose read whose EX gives a subject several epochs that nothing in PC ties a
#: sample to (:func:`epoch_periods`).
NO_SAMPLE_EPOCH = note_template(
    "EX {ex} gives subjects several epochs (EPOCH), but PC has neither PCRFTDTC nor EPOCH to place a sample "
    "in one: one profile per subject with all its EX doses, the periods not told apart; give each PC record "
    "its PCRFTDTC (the EXSTDTC of its reference dose) or EPOCH, or the ADaM ADSL (bioparity nca --adsl)"
)
#: The refusal of a sample that the EPOCH of EX places in no period (:func:`epoch_periods`).
SAMPLE_IN_NO_EPOCH = note_template(
    "this sample's PCRFTDTC is the EXSTDTC of no EX record of its subject in {ex}, and its EPOCH (if any) "
    "none of the subject's EX epochs: it is in no period"
)
A_SAMPLE_EPOCH = note_template(
    "the EXSTDTC of one of the subject's EX records (PCRFTDTC), or one of its EX epochs (EPOCH)"
)
#: The profile column of the treatment of a period read from EX (:func:`epoch_periods`): a plain table's
#: ``treatment`` (the grouping rule of :mod:`bioparity.nca.spec`), ADaM TRTA in ADPP and ADNCA.
EX_TREATMENT = "treatment"
#: What a run says and records besides :data:`PERIOD_FROM_EX_EPOCH` when EX gives one EXTRT per subject and
#: period (SDTMIG v3.4 EX: EXTRT, the name of the treatment given; ADaMIG v1.3, section 3.3.3: TRTA, the
#: actual treatment of the record's period).
TREATMENT_FROM_EXTRT = note_template(
    "treatment (ADaM TRTA) = the EXTRT of the subject's EX doses in that period"
)
#: The epoch column of SDTM (a timing variable of every general-observation domain, EX and PC included).
EPOCH = "EPOCH"


@dataclass(frozen=True)
class EpochPeriods:
    """The periods of a multiple-dose crossover read from the EPOCH of its EX records
    (:func:`epoch_periods`): ``samples`` the period of each sample (row of the samples), ``doses`` that of
    each EX record (row of :attr:`ExDomain.records`), both None when no period was found; ``rule`` the
    note of the rule used (:data:`PERIOD_FROM_EX_EPOCH`, empty when none; the samples' ``derived`` holds it
    once placed); ``notes`` why no period was found (:data:`NO_PERIOD_GIVEN`, :data:`NO_SAMPLE_EPOCH`), which
    the run says and stores (:attr:`NCADoses.notes`); ``treatments`` the EXTRT of each sample's period
    (:data:`TREATMENT_FROM_EXTRT`), None unless EX gives one per subject and period."""

    samples: npt.NDArray[np.int64] | None = None
    doses: npt.NDArray[np.int64] | None = None
    rule: str = ""
    notes: tuple[str, ...] = ()
    treatments: npt.NDArray[np.object_] | None = None

    def placed(self, samples: NCASamples, doses: pd.DataFrame) -> tuple[NCASamples, pd.DataFrame]:
        """The samples with the profile column :data:`PERIOD` (the rule in their ``derived``), and
        :data:`EX_TREATMENT` with ``treatments``, and the dose records
        (:func:`bioparity.io.sdtm.read_sdtm_ex`, rows of EX) with their period; unchanged without periods."""
        if self.samples is None or self.doses is None:
            return samples, doses
        columns: dict[str, np.ndarray] = {PERIOD: self.samples}
        rules: tuple[str, ...] = (self.rule,)
        if self.treatments is not None:
            columns[EX_TREATMENT] = self.treatments
            rules += (TREATMENT_FROM_EXTRT,)
        frame = samples.frame.assign(**columns)
        spec = dataclasses.replace(samples.spec, groups=(*samples.spec.groups, *columns)).resolve(frame)
        derived = (*samples.derived, *rules)
        placed = dataclasses.replace(samples, frame=frame, spec=spec, derived=derived)
        return placed, doses.assign(**{PERIOD: self.doses})


def _period_given(samples: NCASamples) -> bool:
    """Whether the samples' profile columns tell periods apart already: an ADSL's period, or a VISITNUM,
    VISIT, EPOCH or period column of the input or of ``--group`` (a period derived from the order of the
    PCRFTDTC does not count: a multiple-dose read drops it, :func:`reference_on_dose_clock`)."""
    if samples.adsl is not None:
        return True
    derived = PERIOD_DERIVED in samples.derived
    named = {str(g).upper() for g in samples.spec.groups if not (derived and g == PERIOD)}
    return bool(named & _PERIOD_LIKE)


def epoch_periods(samples: NCASamples, ex: ExDomain) -> EpochPeriods:
    """The periods of a multiple-dose crossover given as an SDTM PC and an EX whose records have an EPOCH
    (no ``--adsl``, no period column): each subject's epochs numbered 1, 2, ... in the order of their first
    dose, each EX record in the period of its epoch, each sample in the period of its reference dose (the
    EX record of its subject whose EXSTDTC is its PCRFTDTC) or, without one, of its own EPOCH in PC.

    So each period is a profile with its own doses and dosing intervals, as with ``--adsl``
    (:func:`with_derived_period`); without periods, one profile per subject has every dose of both periods,
    and the last dosing interval of a period runs over the washout up to the next period's first dose.
    CDISC SDTMIG v3.4: EPOCH, a timing variable of EX and PC, is the trial epoch of the record (the epochs of
    a crossover's treatment periods, e.g. ``TREATMENT 1`` and ``TREATMENT 2``); PCRFTDTC is the date/time of
    the sample's reference dose. Section numbers not verified here.

    Without periods the samples are read as before and ``notes`` says why: EX without EPOCH on every
    record though its doses look like periods (:data:`NO_PERIOD_GIVEN`, :func:`_looks_like_periods`), or a
    PC with neither PCRFTDTC nor EPOCH (:data:`NO_SAMPLE_EPOCH`); nothing is said for a plain table, a read
    with ``--adsl`` or a period column, when every subject has one epoch (a parallel study), or when EX
    without EPOCH does not look like periods. A sample placed in no period is refused, naming its row."""
    pc, frame = samples.sdtm_pc, ex.frame
    if pc is None or frame is None or _period_given(samples):
        return EpochPeriods()
    name = ex.where.file
    epochs = text_cells(frame[EPOCH]) if EPOCH in frame.columns else None
    if epochs is None or bool((epochs == "").any()):
        return EpochPeriods(notes=(NO_PERIOD_GIVEN.format(ex=name),) if _looks_like_periods(ex) else ())
    subjects = ex.records["subject"].astype("string").str.strip().reset_index(drop=True)
    records = pd.DataFrame({"subject": subjects, "epoch": epochs, "time": ex.records["time"].to_numpy()})
    first = records.groupby(["subject", "epoch"])["time"].transform("min")
    dose_period = first.groupby(records["subject"]).rank(method="dense").to_numpy(dtype=np.int64)
    if len(dose_period) == 0 or int(dose_period.max()) < 2:
        return EpochPeriods()
    spec = samples.spec
    sampled = samples.frame[spec.subject].astype("string").str.strip().reset_index(drop=True)
    found = pd.Series(np.nan, index=sampled.index)
    reference = next((g for g in spec.groups if g.upper() == REFERENCE), None)
    if reference is not None and "EXSTDTC" in frame.columns:
        when = iso_instants(frame["EXSTDTC"]).reset_index(drop=True)
        sample_when = iso_instants(samples.frame[reference]).reset_index(drop=True)
        found = _period_of(subjects, when, dose_period, sampled, sample_when)
        dates = sample_when.dt.normalize().where(text_cells(samples.frame[reference]).str.len() == 10)
        found = found.fillna(_period_of(subjects, when.dt.normalize(), dose_period, sampled, dates))
    own = _column(pc, EPOCH)
    if own is not None:
        named = pd.Series(dose_period, index=_key_text([subjects, epochs])).groupby(level=0).first()
        found = found.fillna(_key_text([sampled, text_cells(pc[own]).reset_index(drop=True)]).map(named))
    elif reference is None:
        return EpochPeriods(notes=(NO_SAMPLE_EPOCH.format(ex=name),))
    column = reference or own
    samples.where.reject(
        found.isna().to_numpy(),
        SAMPLE_IN_NO_EPOCH.format(ex=name),
        column,
        samples.frame[reference] if reference is not None else pc[own],
        A_SAMPLE_EPOCH,
    )
    rule = PERIOD_FROM_EX_EPOCH.format(ex=name)
    placed = np.asarray(found.to_numpy(dtype=float), dtype=np.int64)
    treatments = _period_treatments(frame, subjects, dose_period, sampled, placed)
    return EpochPeriods(placed, dose_period, rule, treatments=treatments)


def _period_of(
    subjects: pd.Series,
    doses: pd.Series,
    dose_period: npt.NDArray[np.int64],
    sampled: pd.Series,
    samples_at: pd.Series,
) -> pd.Series:
    """The period of each sample (``sampled``: its subject) whose ``samples_at`` (an instant, or a date) is
    that of EX records (``subjects``, ``doses``, ``dose_period``: of each record) of its subject in one
    period only; missing otherwise (a value of two periods, or none, places nothing)."""
    table = pd.DataFrame({"key": _key_text([subjects, doses.astype(str)]), "period": dose_period})
    once = table[doses.notna().to_numpy()].drop_duplicates().drop_duplicates("key", keep=False)
    keys = _key_text([sampled, samples_at.astype(str)]).where(samples_at.notna().to_numpy())
    return keys.map(pd.Series(once["period"].to_numpy(), index=once["key"].to_numpy()))


def _period_treatments(
    ex: pd.DataFrame,
    subjects: pd.Series,
    dose_period: npt.NDArray[np.int64],
    sampled: pd.Series,
    placed: npt.NDArray[np.int64],
) -> npt.NDArray[np.object_] | None:
    """The EXTRT of each sample's period (``sampled``: its subject, ``placed``: its period) when EX (names
    in capitals; ``subjects`` and ``dose_period`` of its rows) gives every record an EXTRT and each subject
    one per period; None otherwise (no treatment made up)."""
    if "EXTRT" not in ex.columns:
        return None
    names = text_cells(ex["EXTRT"]).reset_index(drop=True)
    keys = _key_text([subjects, pd.Series(dose_period)])
    if bool((names == "").any()) or bool((names.groupby(keys).nunique() > 1).any()):
        return None
    found = _key_text([sampled, pd.Series(placed)]).map(names.groupby(keys).first())
    return None if bool(found.isna().any()) else found.to_numpy(dtype=object)


def _looks_like_periods(ex: ExDomain) -> bool:
    """Whether the doses of an EX domain look like the periods of a crossover: a subject given two
    treatments (EXTRT), or a subject with a break between two doses longer than twice the median interval
    between its doses (a washout). Only decides whether :data:`NO_PERIOD_GIVEN` is said (a parallel study
    dosed at a steady rhythm is read without a note, as before); the numbers never depend on it."""
    subjects = ex.records["subject"].astype("string").str.strip().reset_index(drop=True)
    if ex.frame is not None and "EXTRT" in ex.frame.columns:
        treatments = text_cells(ex.frame["EXTRT"]).reset_index(drop=True)
        if bool((treatments[treatments != ""].groupby(subjects[treatments != ""]).nunique() > 1).any()):
            return True
    times = pd.DataFrame({"subject": subjects, "time": ex.records["time"].to_numpy(dtype=float)})
    gaps = times.sort_values(["subject", "time"]).groupby("subject")["time"].diff()
    usual = gaps.groupby(times["subject"]).transform("median")
    return bool((gaps > 2 * usual).any())


def with_profile_columns(doses: pd.DataFrame, ex: pd.DataFrame, spec: NCASpec) -> pd.DataFrame:
    """The dose records of an EX domain (rows of ``ex``, names in capitals) with the values of the
    samples' profile columns that EX has too (``--group EPOCH`` or ``VISITNUM``, under the samples' name),
    so that each profile gets the doses of its own epoch or visit (:func:`bioparity.nca.run_nca` matches
    dose records to profiles by the columns they share); unchanged for the others (the study, analyte,
    matrix and arm never pick a dose: :data:`_NOT_DOSE_KEYS`)."""
    names = [
        g for g in spec.groups
        if g not in doses.columns and g.upper() in ex.columns and g.upper() not in _NOT_DOSE_KEYS
    ]  # fmt: skip
    return doses.assign(**{g: text_cells(ex[g.upper()]).to_numpy(dtype=object) for g in names})


@dataclass(frozen=True, eq=False)
class ExDomain:
    """An SDTM EX domain read once (:func:`read_ex`), to be put on samples (:meth:`on_samples`,
    :meth:`single_dose`): by :func:`read_doses` on the samples of one file, by batch NCA on each part.

    ``records`` are its dose records (:func:`bioparity.io.sdtm.read_sdtm_ex`), ``dose_unit`` its EXDOSU
    with the column it was read from (``("mg", "EXDOSU")``, None when EX gives no unit), ``origin`` each
    subject's first EXSTDTC (the origin of PCDTC sample times; None without EXSTDTC).
    """

    records: pd.DataFrame
    where: Where
    dose_unit: tuple[str, str] | None
    origin: pd.Series | None
    frame: pd.DataFrame | None = None  # the domain as read, names in capitals, rows as ``records``

    def first_given(self) -> pd.Series | None:
        """Each subject's first EXSTDTC of a record with a dose given (EXDOSE not 0; a missing EXDOSE
        counts), per USUBJID: the first dose of ADNCA AFRLT (the pharmaverse admiral ADPC/ADNCA template:
        the earliest EX record with EXDOSE > 0); None without EXSTDTC."""
        if self.origin is None or self.frame is None:
            return None
        dose = pd.to_numeric(self.frame["EXDOSE"], errors="coerce")
        return first_dose_datetimes(self.frame[~(dose <= 0).to_numpy()], file=self.where.file)

    def on_samples(self, samples: NCASamples) -> NCASamples:
        """The samples with the dose unit of the EX domain (EXDOSU), when it gives one."""
        if self.dose_unit is None:
            return samples
        unit, column = self.dose_unit
        return with_unit(samples, "dose_unit", unit, f"{column} of {self.where.file}")

    def single_dose(self, samples: NCASamples) -> NCASamples | None:
        """The samples with each subject's EXDOSE (and infusion duration) when the EX records hold exactly
        one dose for every sampled subject, on the clock PCDTC - EXSTDTC for a PC domain with PCDTC (the
        clock of multiple-dose NCA); ``None`` when a subject has several (multiple-dose NCA). A PC without
        PCRFTDTC gains it from EXSTDTC (:meth:`with_reference`). :meth:`single_dose_noted` with its note."""
        found = self.single_dose_noted(samples)
        return None if found is None else found[0]

    def single_dose_noted(self, samples: NCASamples) -> tuple[NCASamples, str] | None:
        """:meth:`single_dose` and what its note says of the samples (``; sample times PCDTC - EXSTDTC``
        and :data:`REFERENCE_FROM_EX`, each when it applies), from one search of each sample's dose
        record."""
        matched = _records_of_subjects(self.records, samples, self.where)
        if matched is None:
            return None
        single = _single_doses(self.records, samples, self.where, matched)
        single, reference_note = self.with_reference(single, matched)
        if not self.on_pcdtc_clock(single):
            return single, reference_note
        assert single.sdtm_pc is not None and self.origin is not None
        times = pc_hours_since(single.sdtm_pc, self.origin, file=single.where.file)
        single = dataclasses.replace(single, frame=single.frame.assign(**{single.spec.time: times}))
        return single, "; " + SAMPLE_TIMES_FROM_EX + reference_note

    def with_reference(self, samples: NCASamples, matched: npt.NDArray[np.int64]) -> tuple[NCASamples, str]:
        """The samples of an SDTM PC domain without PCRFTDTC with the profile column PCRFTDTC = EXSTDTC
        of each sample's dose record (``matched``: its position in :attr:`records`), and a note saying
        so; unchanged (no note) for a plain table, a PC with PCRFTDTC or an EX without EXSTDTC.

        SDTMIG v3.4, PP domain: PPRFTDTC is the date/time of the reference dose of the profile, the link
        from the PP records to their PC records; a PC without PCRFTDTC leaves EX's EXSTDTC as the source.
        Each profile follows one dose here, so the column splits no profile
        (:func:`bioparity.io.sdtm.pp_domain` writes it as PPRFTDTC; ADPP and ADNCA carry it)."""
        frame, spec = samples.frame, samples.spec
        have = {str(g).upper() for g in spec.groups} | {str(c).upper() for c in frame.columns}
        if samples.sdtm_pc is None or self.frame is None or "EXSTDTC" not in self.frame.columns:
            return samples, ""
        if REFERENCE in have:
            return samples, ""
        starts = self.frame["EXSTDTC"].astype("string").fillna("").str.strip().to_numpy(dtype=object)
        frame = frame.assign(**{REFERENCE: starts[matched]})
        spec = dataclasses.replace(spec, groups=(*spec.groups, REFERENCE)).resolve(frame)
        said = REFERENCE_FROM_EX
        return dataclasses.replace(samples, frame=frame, spec=spec), said

    def dose_per_profile(self, samples: NCASamples) -> tuple[NCASamples, str] | None:
        """Single-dose NCA of an SDTM PC domain whose subjects have several EX doses, when each profile
        follows one of them (a crossover: one dose per period); else ``None`` (multiple-dose NCA).

        The dose of a profile is the EX record of its USUBJID whose EXSTDTC is the profile's PCRFTDTC
        (the same date-time) or, for a PC without PCRFTDTC, with the values of the profile's columns that
        EX has too (``--group VISITNUM`` or ``EPOCH``; without such a group, VISITNUM when PC and EX both
        have it, which then becomes a profile column; SDTMIG v3.4, section 4.4.7: VISITNUM identifies the
        visit of EX and PC records alike). Used when every sample finds exactly one record; a sample
        without one, or two records of one subject and visit, leave the multiple-dose NCA. Each profile
        then has its record's EXDOSE (the checks of :func:`_single_doses`), its times PCDTC - that
        record's EXSTDTC when PC has PCDTC (else PCELTM), and PCRFTDTC = that EXSTDTC
        (:meth:`with_reference`)."""
        pc, ex = samples.sdtm_pc, self.frame
        if pc is None or ex is None:
            return None
        spec, frame = samples.spec, samples.frame
        keys = _dose_keys(pc, ex, spec)
        if keys is None:
            return None
        if keys and keys[0] not in frame.columns:  # VISITNUM of PC and EX made a profile column
            frame = frame.assign(**{keys[0]: pc[keys[0]].to_numpy()})
            spec = dataclasses.replace(spec, groups=(*spec.groups, keys[0])).resolve(frame)
        if keys:
            sample_keys = _key_text([frame[spec.subject], *(frame[k] for k in keys)])
            dose_keys = _key_text([self.records["subject"], *(ex[k.upper()] for k in keys)])
        else:  # PCRFTDTC of the profile = EXSTDTC of its dose
            reference = next(g for g in spec.groups if g.upper() == REFERENCE)
            sample_keys = _key_text([frame[spec.subject], _instants(frame[reference])])
            dose_keys = _key_text([self.records["subject"], _instants(ex["EXSTDTC"])])
        sampled = self.records["subject"].isin(set(frame[spec.subject].astype("string").str.strip()))
        if dose_keys[sampled.to_numpy()].duplicated().any():  # two doses at one visit: multiple dose
            return None
        once = dose_keys.drop_duplicates(keep=False)
        found = sample_keys.map(pd.Series(once.index.to_numpy(), index=once.to_numpy()))
        if found.isna().any():
            return None
        matched = np.asarray(found.to_numpy(dtype=float), dtype=np.int64)
        samples = dataclasses.replace(samples, frame=frame, spec=spec)
        single = _single_doses(self.records, samples, self.where, matched)
        keyed = ", ".join(k.upper() for k in keys) or "PCRFTDTC = EXSTDTC"
        note = "; " + ONE_DOSE_PER_PROFILE.format(keys=keyed)
        single = dataclasses.replace(
            single, dose_from=f"EXDOSE of {self.where.file}, one dose record per profile"
        )
        if _column(pc, "PCDTC") is not None:
            starts = ex["EXSTDTC"].astype("string").fillna("").to_numpy(dtype=object)[matched]
            times = pc_hours_since_each(pc, pd.Series(starts), file=single.where.file)
            single = dataclasses.replace(single, frame=single.frame.assign(**{single.spec.time: times}))
            note += "; " + SAMPLE_TIMES_FROM_PROFILE_DOSE
        single, reference_note = self.with_reference(single, matched)
        return single, note + reference_note

    def unlinked_note(self, samples: NCASamples) -> str:
        """What the note of a multiple-dose read adds when nothing ties an SDTM PC profile to one EX dose
        record (:meth:`dose_per_profile`: a PC without PCRFTDTC, and no VISITNUM in both PC and EX nor a
        ``--group`` column EX has): :data:`UNLINKED_DOSES`; empty otherwise.

        Each sample then follows the latest dose at or before it (multiple-dose NCA, one profile per
        subject), which is right for repeated doses but not for a crossover: a period's pre-dose sample,
        taken before its own dose, would end the previous period's profile (after the washout), and the
        last period has no dosing interval without ``--tau``. Which dose a sample belongs to is the data's
        to say (SDTMIG v3.4: PCRFTDTC, the date/time of the sample's reference dose; VISITNUM of PC and
        EX), not a guess from the clock."""
        pc = samples.sdtm_pc
        if pc is None or self.frame is None or REFERENCE in samples.spec.groups:
            return ""
        if _dose_keys(pc, self.frame, samples.spec) is not None:
            return ""
        return "; " + UNLINKED_DOSES

    def on_pcdtc_clock(self, samples: NCASamples) -> bool:
        """Whether single-dose sample times are PCDTC - EXSTDTC (a PC domain with PCDTC, EX with EXSTDTC)."""
        pc = samples.sdtm_pc
        return pc is not None and _column(pc, "PCDTC") is not None and self.origin is not None


def read_ex(table: LoadedTable, dose_unit: str | None = None) -> ExDomain:
    """An SDTM EX domain read from a file (:class:`ExDomain`); ``dose_unit`` is the ``--dose-unit`` given,
    which must be its EXDOSU (:func:`ex_dose_unit`)."""
    where = Where(file=table.file, line_offset=table.line_offset)
    found = ex_dose_unit(table.frame, where, dose_unit)
    records = read_sdtm_ex(table.frame, file=table.file)
    origin = first_dose_datetimes(table.frame, file=table.file) if _column(table.frame, "EXSTDTC") else None
    upper = table.frame.rename(columns={c: str(c).upper() for c in table.frame.columns})
    return ExDomain(records, where, found, origin, upper.reset_index(drop=True))


#: The profile column of the samples holding each profile's reference dose date/time (SDTM PC's own name).
REFERENCE = "PCRFTDTC"
#: What the note of an SDTM EX read adds when a PC without PCRFTDTC took it from EX
#: (:meth:`ExDomain.with_reference`).
REFERENCE_FROM_EX = "; " + PCRFTDTC_FROM_EX
#: What the note of a multiple-dose read adds when no PC profile is tied to one EX dose
#: (:meth:`ExDomain.unlinked_note`; a note template, said in the reader's language).
UNLINKED_DOSES = note_template(
    "nothing ties a PC sample to one EX dose record (PC has no PCRFTDTC; VISITNUM is not in both PC and EX): "
    "multiple-dose NCA, each sample after the latest dose at or before it, one profile per subject; for a "
    "crossover (one dose per period) add PCRFTDTC to PC (the EXSTDTC of each sample's reference dose), or "
    "VISITNUM to both PC and EX, or name a column both have with --group (e.g. EPOCH)"
)
#: Profile columns that never pick a profile's dose record in EX (study, analyte, matrix, arm).
_NOT_DOSE_KEYS = {"STUDYID", "PCTESTCD", "PCSPEC", "ARM", "ACTARM"}


def _records_of_subjects(
    records: pd.DataFrame, samples: NCASamples, where: Where
) -> npt.NDArray[np.int64] | None:
    """The position in the EX ``records`` of each sample's dose record when every sampled subject has
    exactly one (subjects without samples may have several); ``None`` when a sampled subject has several
    (multiple-dose NCA). A sampled subject without a dose record is refused, naming its row."""
    spec = samples.spec
    sampled = samples.frame[spec.subject].astype("string").str.strip()
    subjects = records["subject"].astype("string").str.strip().reset_index(drop=True)
    per_subject = sampled.map(subjects.value_counts()).fillna(0).to_numpy(dtype=int)
    if (per_subject > 1).any():
        return None
    samples.where.reject(
        per_subject == 0,
        NO_DOSE_RECORD.format(file=where.file),
        spec.subject if samples.sdtm_pc is None else "USUBJID",
        sampled,
        A_DOSE_RECORD_PER_SUBJECT,
    )
    once = subjects.drop_duplicates(keep=False)
    position = pd.Series(once.index.to_numpy(), index=once.to_numpy())
    return np.asarray(sampled.map(position).to_numpy(dtype=float), dtype=np.int64)


def _dose_keys(pc: pd.DataFrame, ex: pd.DataFrame, spec: NCASpec) -> list[str] | None:
    """The profile columns that pick each profile's EX dose record (:meth:`ExDomain.dose_per_profile`):
    ``[]`` for PCRFTDTC = EXSTDTC, the profile columns EX has too, else ``[VISITNUM]`` (PC's spelling) when
    PC and EX both have it; None when nothing can pick a record (EX without EXSTDTC: None as well)."""
    if "EXSTDTC" not in ex.columns:
        return None
    if REFERENCE in {str(g).upper() for g in spec.groups}:
        return []
    keys = [g for g in spec.groups if g.upper() in ex.columns and g.upper() not in _NOT_DOSE_KEYS]
    visit = _column(pc, "VISITNUM")
    if not keys and visit is not None and "VISITNUM" in ex.columns:
        keys = [visit]
    return keys or None


def _instants(column: pd.Series) -> pd.Series:
    """ISO 8601 date-times as one text per instant (``2026-01-05T08:00`` and ``...T08:00:00`` are one)."""
    return pd.Series(iso_instants(column).astype(str).to_numpy(), index=column.index)


def _key_text(columns: Sequence[pd.Series]) -> pd.Series:
    """One text key per row of ``columns`` (the subject, then the timing columns), numbers written as numbers
    (VISITNUM ``1`` of a CSV and ``1.0`` of an XPT are one visit), texts without surrounding blanks."""
    parts = []
    for column in columns:
        numbers = pd.to_numeric(column, errors="coerce")
        if bool(numbers.notna().all()):
            parts.append(numbers.map(repr).astype(str).to_numpy(dtype=object))
        else:
            parts.append(column.astype("string").fillna("").str.strip().astype(str).to_numpy(dtype=object))
    return pd.Series(["\x1f".join(row) for row in zip(*parts, strict=True)])


def _row_text(where: Where, pos: int) -> str:
    """``row 3 (line 4)`` (``row 3`` in a file without lines) for the 0-based data row ``pos``."""
    if where.line_offset is None:
        return ROW.format(row=pos + 1)
    return ROW_LINE.format(row=pos + 1, line=pos + 1 + where.line_offset)


#: The samples' column holding each subject's dose taken from an EX domain with one dose per subject.
EX_DOSE = "EXDOSE"


def ex_dose_unit(ex: pd.DataFrame, where: Where, given: str | None = None) -> tuple[str, str] | None:
    """The dose unit of an EX domain and its column (EXDOSU, see :func:`one_unit`; ``given``: the
    ``--dose-unit``, which must be that unit), or ``None`` when the domain gives none."""
    column = _column(ex, "EXDOSU")
    if column is None:
        return None
    results = pd.to_numeric(ex[_column(ex, "EXDOSE")], errors="coerce").notna().to_numpy()
    unit = one_unit(ex[column], results, where, given=given, option="--dose-unit", role="dose")
    return None if unit is None else (unit, column)


def check_sdtm_ex(table: LoadedTable) -> pd.DataFrame:
    """An SDTM EX domain read alone, as :func:`read_doses` reads it (its dose records, and EXDOSU one
    unit on every row): a file refused later is refused now, naming the row and column. Returns the
    dose records (:func:`bioparity.io.sdtm.read_sdtm_ex`)."""
    ex_dose_unit(table.frame, Where(file=table.file, line_offset=table.line_offset))
    return read_sdtm_ex(table.frame, file=table.file)


def _single_doses(
    records: pd.DataFrame, samples: NCASamples, where: Where, matched: npt.NDArray[np.int64]
) -> NCASamples:
    """The samples with the dose (column :data:`EX_DOSE`) of their EX dose record (``records``:
    :func:`bioparity.io.sdtm.read_sdtm_ex`; ``matched``: the position in ``records`` of each sample's
    record, one per subject (:func:`_records_of_subjects`) or per profile
    (:meth:`ExDomain.dose_per_profile`)), each used record checked: a dose > 0, the route of the spec."""
    spec = samples.spec
    second = spec.dose if spec.dose is not None or EX_DOSE not in samples.frame.columns else EX_DOSE
    if second is not None:
        given = f"the column {second!r}" if isinstance(second, str) else "--dose"
        raise InputError(
            f"two doses given: --dosing {where.file} (EXDOSE per subject) and {given}; "
            "give one (--dose none keeps a dose column out)"
        )
    used = np.zeros(len(records), dtype=bool)
    used[matched] = True
    dose = records["dose"].to_numpy(dtype=float)
    where.reject(used & ~(dose > 0), NOT_A_POSITIVE_DOSE, "EXDOSE", records["dose"], THE_SUBJECTS_DOSE)
    if "route" in records.columns:  # the route of the analysis is --route: EX must not say another
        other = used & (records["route"] != spec.options.route).to_numpy()
        if other.any():
            i = int(np.argmax(other))
            route = records["route"].iloc[i]
            raise where.error(
                ROUTE_DIFFERS.format(route=route, analysed=spec.options.route),
                i,
                "EXROUTE",
                records["EXROUTE"].iloc[i],
                A_ROUTE_OPTION.format(route=route),
            )
    frame = samples.frame.assign(**{EX_DOSE: dose[matched]})
    duration = spec.duration
    if spec.options.route == "iv-infusion" and "duration" in records.columns:
        frame, duration = _infusion_durations(records, frame, matched, used, spec, where)
    return dataclasses.replace(
        samples,
        frame=frame,
        spec=dataclasses.replace(spec, dose=EX_DOSE, duration=duration),
        dose_from=f"EXDOSE of {where.file}, one dose record per subject"
        + ("; infusion durations from EX" if duration == EX_DURATION else ""),
    )


#: The samples' column holding each subject's infusion duration (hours) taken from an EX domain.
EX_DURATION = "EXDUR_H"


def _infusion_durations(
    records: pd.DataFrame,
    frame: pd.DataFrame,
    matched: npt.NDArray[np.int64],
    used: npt.NDArray[np.bool_],
    spec: NCASpec,
    where: Where,
) -> tuple[pd.DataFrame, str | float | None]:
    """Each subject's infusion duration from its EX record (EXDUR, or EXENDTC - EXSTDTC: ``duration`` of
    :func:`bioparity.io.sdtm.read_sdtm_ex`, hours) as the column :data:`EX_DURATION` of the samples, when
    EX gives one for every dosed subject; the spec's own duration when EX gives none. A duration given
    both ways is refused, as a dose is (which one holds is the user's call, never a silent choice)."""
    hours = records["duration"].to_numpy(dtype=float)
    given = used & np.isfinite(hours)
    if not given.any():
        return frame, spec.duration
    if spec.duration is not None:
        other = f"the column {spec.duration!r}" if isinstance(spec.duration, str) else "--duration"
        raise InputError(
            f"two infusion durations given: --dosing {where.file} (EXDUR or EXENDTC - EXSTDTC per "
            f"subject) and {other}; give one"
        )
    lacking = used & ~np.isfinite(hours)
    where.reject(
        lacking,
        INFUSION_WITHOUT_DURATION,
        "EXDUR",
        records["EXDUR"] if "EXDUR" in records.columns else None,
        A_DURATION_ON_EVERY_INFUSION,
    )
    return frame.assign(**{EX_DURATION: hours[matched]}), EX_DURATION


def missing_concentrations(frame: pd.DataFrame, spec: NCASpec, where: Where) -> pd.DataFrame:
    """The samples the analysis leaves out because their concentration is missing (an empty cell, ``NA``,
    ``.``, ``NaN``; a BLQ marker is not missing), so that a command can name each one.

    ``spec`` must be resolved against ``frame`` (:meth:`~bioparity.nca.NCASpec.resolve`). One row per such
    sample, in the order of the table: ``row`` (1-based data row), ``line`` (file line, or missing for
    files without lines), the profile columns and the time as written.
    """
    values, blq = parse_numbers(frame[spec.conc], spec.conc, where, allow_missing=True, blq_tokens=True)
    rows = np.flatnonzero(np.isnan(values) & ~blq)
    found = frame.iloc[rows][[*spec.keys, spec.time]].reset_index(drop=True)
    found.insert(0, "row", rows + 1)
    offset = where.line_offset
    found.insert(1, "line", [None if offset is None else int(r) + 1 + offset for r in rows])
    return found
