"""CDISC ADaM outputs of NCA: ADPP (parameters, BDS) and ADNCA (concentrations with dose-relative times).

ADPP is built from any NCA long table (``PPTESTCD``, ``PPSTRESN``, ``start``, ``end``, ``reason`` and,
after :func:`bioparity.nca.units.add_units`, ``PPSTRESU``): PARAMCD/PARAM per parameter and analyte
(:func:`pk_parameter_params`; PPTESTCD kept, the analyte in PARCAT1), AVAL/AVALU, PPSTINT/PPENINT
(ISO 8601), ANL01FL = "Y" for computed values, PPREASND otherwise.
ADNCA has one record per sample: PARAMCD/PARAM per analyte (:func:`concentration_params`), AFRLT (time since
the first dose), ARRLT (since the most recent dose), DOSEA (that dose; DOSEU its unit), AVAL/AVALU and the
NCA exclusion flag for samples before the first dose.

Both carry the columns that tell a subject's profiles apart (``groups``: the analyte, PCTESTCD, the arm, the
period), so that two analytes or periods of one subject are two sets of records a reader can tell apart, not
duplicates: the treatment, period and sequence as the ADaM BDS variables TRTA, APERIOD and TRTSEQA (ADaMIG
v1.3, section 3.3), the dosing interval of ADPP as DOSENUM, others under their names in capitals, at most 8
characters (SAS transport v5 names); STUDYID is the data's own when they have one. Both carry the
subject-level columns kept through NCA (``--keep``: :func:`kept_variables`) under the same names, types and
labels, after their other variables.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from bioparity.errors import InputError
from bioparity.io.sdtm import PP_TIMING, analyte_values, hours_to_iso8601, in_key_order, iso_instants
from bioparity.problems import KEPT_ADAM_NAME_TAKEN, KEPT_NOT_AN_ADAM_NAME


def adpp_domain(
    long: pd.DataFrame,
    *,
    subject: str,
    labels: Mapping[str, str],
    studyid: str = "",
    groups: Sequence[str] = (),
    profile: Sequence[str] | None = None,
    keep: Sequence[str] = (),
) -> pd.DataFrame:
    """ADPP records (one per profile, interval and parameter) from an NCA long table; ``groups``: the
    profile grouping columns carried (see the module's note; ``profile``: those of them that tell a
    subject's profiles apart, default all, without the per-interval PCRFTDTC of multiple dosing), and the
    profile's SDTM timing variables
    (VISITNUM, VISIT, EPOCH: columns of ``long``, e.g. from :func:`bioparity.io.sdtm.with_profile_timing`),
    as in PP. PARAMCD, PARAM and PARCAT1 per analyte: :func:`pk_parameter_params`; PPTESTCD is kept (the
    SDTM PP code, for tracing a record to PP). Records in the order of the keys, as PP
    (:func:`bioparity.io.sdtm.in_key_order`). The analysis visit is the profile's visit: AVISITN = VISITNUM,
    AVISIT = VISIT where ``long`` has them (ADaMIG v1.3, section 3.3.3, timing variables for BDS; the
    pharmaverse admiral ADPP template sets ``AVISITN = VISITNUM`` and AVISIT from VISIT, which it also puts
    in title case and leaves empty for screening or unscheduled visits: here VISIT is copied unchanged, no
    visit window or renaming applied, as in ADNCA), missing for a profile sampled over several visits (its
    VISITNUM is); each dosing interval of multiple dosing has its own where ``long`` gives it
    (:func:`bioparity.io.sdtm.interval_timing`). TRTP/TRTA: :func:`with_treatments`, a subject's periods
    counted over its profiles as in ADNCA (the dosing intervals of one profile, each in its own visit, are
    one period). ``keep``: the subject-level columns kept through NCA (``--keep``), each carried as a
    column of its own (:func:`kept_variables`), after the others; their labels in ``attrs["labels"]``
    (:func:`write_adam`)."""
    long = in_key_order(long, subject, groups)
    values = long["PPSTRESN"].to_numpy(dtype=float)
    present = ~np.isnan(values)
    unit = long["PPSTRESU"].astype(str) if "PPSTRESU" in long.columns else pd.Series("", index=long.index)
    code = long["PPTESTCD"].astype(str)
    analyte = analyte_values(long)
    paramcd, param = pk_parameter_params(code, analyte, unit, labels)
    out = pd.DataFrame(
        {
            "STUDYID": long["STUDYID"].astype(str) if "STUDYID" in long.columns else studyid,
            "USUBJID": long[subject].astype(str),
            "PARAMCD": paramcd,
            "PARAM": param,
            "AVAL": values,
            "AVALU": unit.to_numpy(),
            "PARCAT1": analyte if isinstance(analyte, str) else analyte.to_numpy(),
            "PPTESTCD": code.to_numpy(),
            "PPSTINT": [hours_to_iso8601(s) for s in long["start"]],
            "PPENINT": [hours_to_iso8601(e) for e in long["end"]],
            "PPREASND": np.where(present, "", long["reason"].astype(str).str.slice(0, 200)),
            "ANL01FL": np.where(present, "Y", ""),
        }
    )
    if isinstance(analyte, str) and not analyte:
        out = out.drop(columns="PARCAT1")  # no analyte: nothing to categorise by
    timing = [c for c in long.columns if str(c).upper() in PP_TIMING]  # the profile's visit, as PP
    out = _carry(out, long, ["dose_number", "PCTESTCD", "PCSPEC", *groups, *timing])
    keys = [_adam_name(c) for c in (groups if profile is None else profile) if c in long.columns]
    out = with_treatments(_with_analysis_timing(out, long), profile=[k for k in keys if k in out.columns])
    return _with_kept(out, long, [k for k in keep if k not in (*groups, *timing)], "ADPP")


#: An ADaM variable name (ADaMIG general variable conventions, as SAS transport v5 names): at most 8
#: characters, upper-case letters, digits and underscores, the first a letter.
_ADAM_VARIABLE = re.compile(r"[A-Z][A-Z0-9_]{0,7}")
#: The label of a kept column in ADPP and ADNCA (at most 40 characters: the name has at most 8): what it is
#: and where it came from; its meaning is the user's (e.g. baseline body weight), which bioparity cannot know.
KEPT_LABEL = "Subject-Level {column} (NCA Input)"
#: Labels of the kept columns named as a variable of SDTM DM (SDTMIG v3.4, section 5.2, DM), which an ADaM
#: variable of the same name copies with its label ("same name, same meaning, same values").
_DM_LABELS = {
    "AGE": "Age",
    "AGEU": "Age Units",
    "SEX": "Sex",
    "RACE": "Race",
    "ETHNIC": "Ethnicity",
    "COUNTRY": "Country",
}


def kept_variables(keep: Sequence[str]) -> dict[str, str]:
    """The ADaM variable of each kept column (``--keep``) in ADPP and ADNCA: its name in capitals, as every
    carried column.

    A subject-level variable such as baseline body weight is a column of ADPP, beside the parameter, and of
    ADNCA, beside each concentration, as an ADSL variable copied to a BDS data set (both are BDS): the
    ADaMIG section "Creation of Derived Columns Versus Creation of Derived Rows" (section 4.2 of ADaMIG
    v1.0, as quoted by Widel and Minjoe, SAS Global Forum 2013, paper 137-2013) lets BDS columns support
    the analysis, study-specific analysis model covariates among them (wording read in the CDISC wiki's
    restatement of that section; its number in ADaMIG v1.3 not verified here). Its name is the user's
    column name, so the user chooses it (``WEIGHTBL``, as the ADSL of the CDISC pilot study names the
    baseline weight): a name that is no ADaM variable name (at most 8 characters, letters, digits and
    underscores, the first a letter) is refused rather than cut or changed.

    Raises
    ------
    InputError
        A kept column whose name in capitals is no ADaM variable name.

    Examples
    --------
    >>> kept_variables(["weight", "AGE"])
    {'weight': 'WEIGHT', 'AGE': 'AGE'}
    """
    names = {}
    for column in keep:
        name = str(column).upper()
        if not _ADAM_VARIABLE.fullmatch(name):
            raise InputError(KEPT_NOT_AN_ADAM_NAME.format(column=column, name=name))
        names[str(column)] = name
    return names


def _with_kept(out: pd.DataFrame, long: pd.DataFrame, keep: Sequence[str], dataset: str) -> pd.DataFrame:
    """The records ``out`` of ``dataset`` (ADPP, ADNCA; ``long``: their source, row for row) with the kept
    columns of ``long`` (:func:`kept_variables`) after the others, numbers where every value given is one
    (blanks missing: SAS transport Num), and their labels in ``attrs["labels"]``: a DM variable's own
    (:data:`_DM_LABELS`), else :data:`KEPT_LABEL`; a name ``out`` has already is refused."""
    labels = {}
    for column, name in kept_variables([k for k in keep if k in long.columns]).items():
        if name in out.columns:
            raise InputError(KEPT_ADAM_NAME_TAKEN.format(column=column, name=name, dataset=dataset))
        values = long[column]
        numbers = pd.to_numeric(values, errors="coerce")
        blank = values.isna() | values.astype("string").str.strip().eq("").fillna(True)
        out[name] = (numbers if bool((numbers.notna() | blank).all()) else values).to_numpy()
        labels[name] = _DM_LABELS.get(name, KEPT_LABEL.format(column=column))
    out.attrs["labels"] = labels
    return out


#: The record-level treatment variables of a BDS data set (ADaMIG v1.3, section 3.3.3) and the DM arm each
#: is filled from when no ADSL gives it (:func:`with_treatments`): planned from ARM, actual from ACTARM.
TREATMENT_FROM_ARM = {"TRTP": "ARM", "TRTA": "ACTARM"}
#: ADPP variables of which a subject with several values has several periods (a crossover).
_PERIOD_LIKE = ("APERIOD", "VISITNUM", "VISIT", "EPOCH")


def with_treatments(
    records: pd.DataFrame, *, profile: Sequence[str] | None = None, dated: bool | None = None
) -> pd.DataFrame:
    """``records`` (ADPP, ADNCA) with TRTP and TRTA filled from the subject's arm where nothing gave them.

    ADaMIG v1.3, section 3.3.3 (treatment variables of a BDS data set): TRTP / TRTA are the planned / actual
    treatment of the record, TRTxxP / TRTxxA of ADSL for the record's period; the pharmaverse admiral ADPP
    template sets ``TRTP = TRT01P, TRTA = TRT01A``. TRTP / TRTA of an ADSL's TRTxxP / TRTxxA (``--adsl``)
    and TRTA of a plain table's ``treatment`` column are kept. Without them, a subject of a parallel design
    has one treatment, its arm: TRTP is DM's ARM (SDTMIG v3.4, section 5.2, DM: "Description of Planned
    Arm") and TRTA its ACTARM ("Description of Actual Arm"), copied unchanged (a plain table's ``arm`` is
    carried as ARM). A subject with several periods (APERIOD) has a sequence of treatments, of which ARM
    names the sequence, not the treatment of a record: nothing is filled then (a subject with several
    APERIOD, visits, epochs or reference doses other than the dosing intervals of multiple dosing), nor where
    the arm is missing; the variable is left out rather than made up (what is left out:
    :func:`missing_treatments`).

    ``profile``: for records per sample (ADNCA), the columns that tell a subject's profiles apart besides
    USUBJID; a subject's periods are then counted over its profiles, each with a visit or epoch where all
    its records share one, else none (as the profile's ADPP records: a single-dose profile sampled over
    two visits, or a multiple-dose profile over the visits of its doses, is one period). ``dated``: whether
    several reference doses (PCRFTDTC) of a subject are several periods (default: unless the records have
    DOSENUM, each dosing interval's own dose date)."""
    dated = "DOSENUM" not in records.columns if dated is None else dated
    periods = [c for c in (*_PERIOD_LIKE, *(("PCRFTDTC",) if dated else ())) if c in records.columns]
    view = records if profile is None else _per_profile(records, ["USUBJID", *profile], periods)
    by = view.groupby("USUBJID", sort=False)
    if any(bool((by[c].nunique(dropna=False) > 1).any()) for c in periods):
        return records
    found = {trt: arm for trt, arm in TREATMENT_FROM_ARM.items() if trt not in records and arm in records}
    return records.assign(**{trt: records[arm].to_numpy() for trt, arm in found.items()})


def _per_profile(records: pd.DataFrame, keys: Sequence[str], columns: Sequence[str]) -> pd.DataFrame:
    """One row per profile (``keys``) with each of ``columns`` where all its records share one value, else
    missing (:func:`bioparity.io.sdtm.pc_profile_timing` for a PC's profiles)."""
    keys = [k for k in dict.fromkeys(keys) if k in records.columns]
    values = [c for c in columns if c not in keys]
    if not values:
        return records[keys].drop_duplicates()
    by = records.groupby(keys, sort=False, dropna=False)
    one = by[values].nunique(dropna=False) == 1
    return by[values].first().where(one).reset_index()


def missing_treatments(records: pd.DataFrame) -> list[str]:
    """The treatment variables (TRTP, TRTA) that ADPP ``records`` lack (:func:`with_treatments`)."""
    return [trt for trt in TREATMENT_FROM_ARM if trt not in records.columns]


def pk_parameter_params(
    code: pd.Series, analyte: pd.Series | str, unit: pd.Series, labels: Mapping[str, str]
) -> tuple[object, object]:
    """PARAMCD and PARAM of ADPP records: one PARAMCD per parameter and analyte.

    ADaMIG v1.3, section 3.3.4 (BDS parameter variables): PARAM describes AVAL unambiguously and PARAMCD maps
    one-to-one to PARAM; PARCATy only categorises PARAMs (PARAM to PARCATy is many-to-one, it never
    qualifies a PARAM; checked by Pinnacle 21 rule AD0124: one PARCATy value per PARAMCD). So two analytes
    (conjugated ADC and total antibody) cannot share PARAMCD ``CMAX`` told apart by PARCAT1: with one
    analyte (or none) PARAMCD is the PPTESTCD (``CMAX``) and PARAM ``<PPTEST> (<unit>)``; with several,
    PARAMCD is the PPTESTCD with the analyte's number (analytes sorted by name) after ``_``, cut to 8
    characters (``CMAX_1``, ``AUCIFO_2``, ``MRTEVI_1``; made unique by :func:`_unique_codes`), and PARAM
    ``<analyte> <PPTEST> (<unit>)``. The analyte is PARCAT1 (one per PARAMCD) and PPTESTCD is kept.

    >>> code = pd.Series(["CMAX", "CMAX", "MRTEVIFO"]); unit = pd.Series(["ug/mL", "ug/mL", "h"])
    >>> cd, param = pk_parameter_params(code, pd.Series(["ADC", "TAB", "ADC"]), unit, {"CMAX": "Max Conc"})
    >>> cd.tolist(), param.tolist()
    (['CMAX_1', 'CMAX_2', 'MRTEVI_1'], ['ADC Max Conc (ug/mL)', 'TAB Max Conc (ug/mL)', 'ADC MRTEVIFO (h)'])
    >>> pk_parameter_params(code, "", unit, {"CMAX": "Max Conc"})[0].tolist()
    ['CMAX', 'CMAX', 'MRTEVIFO']
    """
    label = code.map(lambda c: labels.get(c, c))
    suffix = np.where(unit != "", " (" + unit + ")", "")
    names = pd.Series(analyte, index=code.index).astype(str)
    order = sorted({n for n in names if n})  # by name: the same codes whatever the order of the rows
    if len(order) < 2:
        return code.to_numpy(), (label + suffix).to_numpy()
    number = names.map({n: i + 1 for i, n in enumerate(order)}).fillna(0).astype(int).astype(str)
    wanted = [(c, n) for c, n in zip(code, number, strict=True)]
    codes = _unique_codes(
        {pair: pair[0][: 7 - len(pair[1])] + "_" + pair[1] for pair in dict.fromkeys(wanted)}
    )
    paramcd = np.asarray([codes[pair] for pair in wanted], dtype=object)
    return paramcd, (names + " " + label + suffix).to_numpy()


def _unique_codes(wanted: Mapping[tuple[str, str], str]) -> dict[tuple[str, str], str]:
    """The codes of ``wanted`` (key -> code of at most 8 characters), a code already taken by an earlier key
    changed by a letter before its last ``_`` (``MRTEVI_1``, ``MRTEVA_1``) until it is free."""
    taken: dict[tuple[str, str], str] = {}
    for key, code in wanted.items():
        stem, _sep, number = code.rpartition("_")
        letters = iter("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        while code in taken.values():
            code = stem[:-1] + next(letters) + "_" + number
        taken[key] = code
    return taken


#: ADaM names of profile columns: the BDS treatment, period and sequence variables, and the dosing interval
#: under 8 characters (SAS transport v5 names); any other column: its name in capitals, cut to 8 characters.
_ADAM_NAMES = {"dose_number": "DOSENUM", "treatment": "TRTA", "period": "APERIOD", "sequence": "TRTSEQA"}


#: Carried variables that are numeric in ADaM (APERIOD, AVISITN, ATPTN) and SDTM (VISITNUM, VISITDY,
#: TAETORD): written as numbers also where some or all of them are missing (SAS transport: a variable's type
#: is the standard's, whatever its values; Pinnacle 21 flags a type other than the SDTM/ADaM one).
_NUMBERS = {"APERIOD", "AVISITN", "ATPTN", "VISITNUM", "VISITDY", "TAETORD"}


def _carry(
    out: pd.DataFrame, source: pd.DataFrame, columns: Sequence[str], names: Mapping[str, str] | None = None
) -> pd.DataFrame:
    """``out`` with each of ``columns`` found in ``source`` added under its ADaM name (``names``, keyed by
    the column's name in capitals, else :data:`_ADAM_NAMES`, else its name in capitals, at most 8
    characters), except those ``out`` has already (STUDYID, USUBJID); those of :data:`_NUMBERS` as numbers
    when every value given is one (blanks missing)."""
    for column in dict.fromkeys(columns):
        name = _adam_name(column, names)
        if column in source.columns and name not in out.columns:
            values = source[column]
            numbers = pd.to_numeric(values, errors="coerce")
            blank = values.isna() | values.astype("string").str.strip().eq("").fillna(True)
            # numbers in ADaM and SDTM, also where some or all are missing (a profile over several visits)
            numeric = name in _NUMBERS and bool((numbers.notna() | blank).all())
            out[name] = (numbers if numeric else values).to_numpy()
    return out


def _adam_name(column: str, names: Mapping[str, str] | None = None) -> str:
    """The ADaM name a carried ``column`` is written under (:func:`_carry`)."""
    return (names or {}).get(column.upper()) or _ADAM_NAMES.get(column.lower(), column.upper()[:8])


def adnca_domain(
    samples: pd.DataFrame,
    doses: pd.DataFrame,
    *,
    subject: str,
    time: str,
    conc: str,
    dose_time: str = "time",
    dose: str = "dose",
    conc_unit: str = "",
    dose_unit: str = "",
    studyid: str = "",
    groups: Sequence[str] = (),
    by: Sequence[str] = (),
    reference: str | None = None,
    first_dose: pd.Series | None = None,
    nominal: str | None = None,
    keep: Sequence[str] = (),
) -> pd.DataFrame:
    """ADNCA concentration records: times relative to the first and to the most recent dose, the dose DOSEA
    with its unit ``dose_unit`` as DOSEU (EXDOSU, or the dose unit given; left out without one: the
    pharmaverse admiral ADPC template's ``DOSEA = EXDOSE``, ``DOSEU = EXDOSU``); ``groups``:
    the profile grouping columns carried (see the module's note); ``by``: columns of ``samples`` and
    ``doses`` that tie a sample to its dose records besides the subject (the profile columns of single-dose
    records, one per profile: each period of a crossover its own DOSEA).

    AFRLT is the time since the subject's first dose, ARRLT since the dose the sample follows (its
    reference dose): ADaMIG for Non-compartmental Analysis Input Data v1.0, AFRLT "actual relative time
    from (analyte) first dose", ARRLT "actual relative time from reference dose" (labels as listed by the
    pharmaverse ADNCA template, which follows that IG; the IG text itself was not at hand). ``reference``:
    a column of ``samples`` with each sample's reference dose date/time (ISO 8601, PCRFTDTC) when the sample
    times count from it, one clock per profile (single-dose NCA of a crossover, one dose per period): AFRLT
    then adds the hours from the subject's first dose to the sample's reference dose, so that period 2's
    AFRLT counts from period 1's dose while its ARRLT counts from its own. ``first_dose``: each subject's
    first dose date/time in EX (per USUBJID: :func:`bioparity.io.sdtm.first_dose_datetimes`), the origin
    of AFRLT when given, so that a dose in EX before the first sampled one (a run-in dose without samples)
    counts (the pharmaverse admiral ADPC/ADNCA template takes the subject's earliest EX dose with EXDOSE > 0,
    FANLDTM, as AFRLT's origin); without it, the subject's earliest reference dose. A dose record of dose 0
    (none given) is no first dose in either case; ARRLT still counts from the latest record.

    Each sample's SDTM timing variables (:data:`bioparity.io.sdtm.PP_TIMING`: VISITNUM, VISIT, VISITDY,
    EPOCH, TAETORD; columns of ``samples`` in any letter case, for an SDTM PC input its own per record:
    :func:`bioparity.io.sdtm.pc_sample_timing`) are carried per record under their SDTM names, unchanged
    (ADaMIG v1.3, section 3.1.1: a variable named as an SDTM variable is a copy of it). The analysis visit
    and time point are those of the PC record (:data:`ANALYSIS_TIMING`): AVISITN/AVISIT = VISITNUM/VISIT and
    ATPTN/ATPT = PCTPTNUM/PCTPT (:data:`bioparity.io.sdtm.PC_TIME_POINT`) where the samples have them, left
    out where not (ADaMIG v1.3, section 3.3.3, timing variables for BDS: AVISIT, AVISITN, ATPT, ATPTN; the
    pharmaverse admiral ADPC template sets ``ATPT = PCTPT``, ``ATPTN = PCTPTNUM`` for the concentration
    records and its ADPP template ``AVISITN = VISITNUM``). No visit window is applied: a SAP's windowing
    rules, when it has any, give other values.

    TRTP/TRTA of each record as in ADPP (:func:`with_treatments`): an ADSL's TRTP carried, else a parallel
    design's DM ARM/ACTARM (ADaMIG v1.3, section 3.3.3; the pharmaverse admiral ADPC template sets
    ``TRTP = TRT01P``, ``TRTA = TRT01A``), a subject's periods counted over its profiles (``groups``), a
    crossover's left out (never made up); several reference doses of a subject are several periods only
    with ``reference`` (single dose), not the dosing intervals of multiple dosing.

    ``nominal``: a column of ``samples`` with each sample's nominal (planned) hours since its reference
    dose (SDTM PCELTM: :func:`bioparity.io.sdtm.pc_nominal_hours`), written as NRRLT and, where the
    sample's reference dose is the subject's first dose (AFRLT = ARRLT and NRRLT not negative, or a sample
    before the first dose), as NFRLT; RRLTU/FRLTU ``h``
    (ADaMIG for Non-compartmental Analysis Input Data v1.0, timing variables: NFRLT "nominal relative time
    from first dose", NRRLT "from reference dose", units in FRLTU/RRLTU; pharmaverse admiral
    ``derive_var_nfrlt``). The nominal time of a later reference dose since the first (and of a sample
    before the first dose) is not in PCELTM: where the sample has a planned study day (SDTM VISITDY,
    "Planned Study Day of Visit"), NFRLT is admiral's ``derive_var_nfrlt`` with its default first dose day
    1: ``24 * (VISITDY - 1) + NRRLT`` hours (``VISITDY - 1 + 1`` for a negative day: there is no day 0),
    which takes the visit's planned day as the planned day of the sample's reference dose, given at the
    same clock time as the first; without VISITDY it is left empty rather than made up. Without
    ``nominal`` neither is written.

    ``keep``: the subject-level columns kept through NCA (``--keep``), each sample's value carried as in
    ADPP (:func:`kept_variables`: the same name, type and label), after the other variables, so that ADNCA
    and ADPP give each subject the same value."""
    timing = [c for c in samples.columns if str(c).upper() in PP_TIMING]
    carried = [
        c for c in dict.fromkeys(["STUDYID", *groups, *timing]) if c in samples.columns and c != subject
    ]
    points = [c for c in samples.columns if str(c).upper() in ANALYSIS_TIMING and c not in carried]
    kept = [k for k in keep if k in samples.columns and k not in (*groups, *timing)]  # as ADPP's
    wanted = [subject, time, conc, *carried, *points, *([nominal] if nominal else []), *kept]
    s = samples[list(dict.fromkeys(wanted))].copy()
    s["_order"] = np.arange(len(s))
    s[subject] = s[subject].astype(str)
    d = doses[[subject, dose_time, dose]].rename(columns={dose_time: "_dose_time", dose: "_dose"}).copy()
    d[subject] = d[subject].astype(str)
    tie = [f"_by{i}" for i in range(len(by))]  # text copies: the carried columns keep their values
    for key, column in zip(tie, by, strict=True):
        s[key] = samples[column].astype(str).to_numpy()
        d[key] = doses[column].astype(str).to_numpy()
    for column in ("_dose_time", "_dose"):  # dose records read as text (CSV) are numbers here
        d[column] = pd.to_numeric(d[column], errors="coerce").astype(float)
    given = d[~(d["_dose"] <= 0)]  # a zero dose is none given: no first dose (an unknown one, NaN, is)
    first = given.groupby(subject)["_dose_time"].min().rename("_first")
    s = s.join(first, on=subject)
    s["_t"] = pd.to_numeric(s[time], errors="coerce").astype(float)
    merged = pd.merge_asof(
        s.sort_values("_t"),
        d.sort_values("_dose_time").astype({"_dose_time": float}),
        left_on="_t",
        right_on="_dose_time",
        by=[subject, *tie],
        direction="backward",
    ).sort_values("_order")
    since_first = (merged["_t"] - merged["_first"]).to_numpy(dtype=float)
    if reference is not None:  # each profile on its own clock: add its reference dose's hours since the first
        since_first = since_first + _hours_since_first(merged[reference], merged[subject], first_dose)
    before = since_first < 0
    paramcd, param = concentration_params(analyte_values(merged), conc_unit)
    out = pd.DataFrame(
        {
            "STUDYID": merged["STUDYID"].astype(str).to_numpy() if "STUDYID" in merged.columns else studyid,
            "USUBJID": merged[subject].to_numpy(),
            "PARAMCD": paramcd,
            "PARAM": param,
            "AVAL": pd.to_numeric(merged[conc], errors="coerce").to_numpy(),
            "AVALU": conc_unit,
            "AFRLT": since_first,
            "ARRLT": (merged["_t"] - merged["_dose_time"]).to_numpy(),
            "DOSEA": merged["_dose"].to_numpy(),
            "NCAXFL": np.where(before, "Y", ""),
            "NCAXRSN": np.where(before, "sample before the first dose", ""),
        }
    )
    out = _carry(out, merged, carried)
    if dose_unit:  # the unit of each dose given (none where DOSEA is missing)
        out.insert(
            list(out.columns).index("DOSEA") + 1, "DOSEU", np.where(out["DOSEA"].isna(), "", dose_unit)
        )
    if nominal:
        _add_nominal(out, pd.to_numeric(merged[nominal], errors="coerce").to_numpy(dtype=float))
    out = _with_analysis_timing(out, merged)
    profile = [_adam_name(c) for c in carried if c in groups]  # each profile's period, as its ADPP records'
    out = with_treatments(out, profile=profile, dated=reference is not None)
    return _with_kept(out, merged, kept, "ADNCA")


#: ADNCA's analysis visit and time point (ADaMIG v1.3, section 3.3.3), keyed by the SDTM variable of the PC
#: record each is copied from (:func:`adnca_domain`).
ANALYSIS_TIMING = {"VISITNUM": "AVISITN", "VISIT": "AVISIT", "PCTPTNUM": "ATPTN", "PCTPT": "ATPT"}


def _with_analysis_timing(out: pd.DataFrame, source: pd.DataFrame) -> pd.DataFrame:
    """``out`` with the analysis visit and time point (:data:`ANALYSIS_TIMING`) copied from the SDTM
    variables of ``source`` (any letter case) that it has, each under its ADaM name."""
    sources = {str(c).upper(): c for c in reversed(source.columns) if str(c).upper() in ANALYSIS_TIMING}
    return _carry(out, source, [sources[n] for n in ANALYSIS_TIMING if n in sources], names=ANALYSIS_TIMING)


#: Hours within which a sample's reference dose is its subject's first (AFRLT - ARRLT): a tenth of a second.
_SAME_DOSE_HOURS = 0.1 / 3600


def _add_nominal(out: pd.DataFrame, since_reference: np.ndarray) -> None:
    """NFRLT/FRLTU and NRRLT/RRLTU after ARRLT (see :func:`adnca_domain`): NFRLT = NRRLT where the sample's
    nominal time counts from the subject's first dose (a sample before it, or one after it whose reference
    dose is the first and whose NRRLT is not negative: a sample planned before its reference dose, taken
    after the first, is a later dose's pre-dose sample), else from the sample's VISITDY where ``out`` has
    one (:func:`planned_hours_since_first`)."""
    since_first = out["AFRLT"].to_numpy(dtype=float)
    same = np.abs(since_first - out["ARRLT"].to_numpy(dtype=float)) < _SAME_DOSE_HOURS
    first = (since_first < 0) | (same & ~(since_reference < 0))
    day = pd.to_numeric(out["VISITDY"], errors="coerce") if "VISITDY" in out.columns else np.nan
    planned = planned_hours_since_first(np.asarray(day, dtype=float), since_reference)
    at = list(out.columns).index("ARRLT") + 1
    out.insert(at, "NFRLT", np.where(first, since_reference, planned))
    out.insert(at + 1, "FRLTU", "h")
    out.insert(at + 2, "NRRLT", since_reference)
    out.insert(at + 3, "RRLTU", "h")


def planned_hours_since_first(visit_day: np.ndarray, since_reference: np.ndarray) -> np.ndarray:
    """Nominal hours since the first dose of samples with planned study day ``visit_day`` (SDTM VISITDY)
    and nominal hours ``since_reference`` since their reference dose (PCELTM): the pharmaverse admiral
    ``derive_var_nfrlt`` with ``first_dose_day = 1``, ``24 * (VISITDY - 1) + hours``, a negative day one
    day later (``VISITDY - 1 + 1``: no day 0 in the study day convention, SDTMIG v3.4, section 4.4.4, --DY);
    NaN where either is missing. VISITDY is the "planned study day of the start of the visit based upon
    RFSTDTC" (SDTMIG v3.4, SV and findings domains), so day 1 is taken as the day of the first dose, as
    admiral's default does.

    >>> planned_hours_since_first(np.array([1.0, 8.0, -1.0, np.nan]), np.array([2.0, 0.5, -0.5, 1.0]))
    array([  2. , 168.5, -24.5,   nan])
    """
    offset = np.where(visit_day < 0, visit_day, visit_day - 1.0)
    return np.asarray(24.0 * offset + since_reference, dtype=float)


def _hours_since_first(when: pd.Series, subject: pd.Series, origin: pd.Series | None = None) -> np.ndarray:
    """The hours from each subject's first dose to each row's date/time of ``when`` (ISO 8601): the first
    dose is ``origin`` (a date/time per subject) when given, else the subject's earliest ``when`` (NaN
    where a date/time is empty or not ISO 8601, or a subject has no origin: no time is made up)."""
    parsed = iso_instants(when)
    if origin is not None:
        first = pd.Series(subject.astype("string").str.strip().map(origin).to_numpy(), index=parsed.index)
    else:
        first = parsed.groupby(subject.to_numpy()).transform("min")
    return np.asarray(((parsed - first).dt.total_seconds() / 3600.0).to_numpy(dtype=float))


def concentration_params(analyte: pd.Series | str, unit: str = "") -> tuple[object, object]:
    """PARAMCD and PARAM of ADNCA concentration records, one per analyte (ADaMIG v1.3, section 3.3.4: one
    PARAMCD per analysed parameter; ADaMIG for Non-compartmental Analysis Input Data v1.0: one parameter
    per analyte and matrix, PARAMCD from PCTESTCD). ``analyte``: PCTESTCD or the analyte of each record
    (:func:`bioparity.io.sdtm.analyte_values`; ``""`` without one: PARAMCD ``CONC``).

    PARAMCD is the analyte in capitals, letters, digits and ``_`` only, at most 8 characters, not starting
    with a digit (``C`` put before), made unique by a number at its end when two analytes would share one
    (``total antibody``, ``total antibody-2``: ``TOTALANT``, ``TOTALAN2``); PARAM is
    ``<analyte> Concentration (<unit>)``.

    >>> concentration_params(pd.Series(["ADC", "TAB", "ADC"]), "ug/mL")[0].tolist()
    ['ADC', 'TAB', 'ADC']
    >>> concentration_params(pd.Series(["total antibody", "total antibody-2", "4-OH"]))[0].tolist()
    ['TOTALANT', 'TOTALAN2', 'C4OH']
    """
    suffix = f" ({unit})" if unit else ""
    if isinstance(analyte, str) or analyte.eq("").all():
        return "CONC", f"Concentration{suffix}"
    names = analyte.astype(str)
    codes: dict[str, str] = {}
    for name in dict.fromkeys(names):
        code = re.sub(r"[^A-Z0-9_]", "", name.upper()) or "CONC"
        code = ("C" + code if code[0].isdigit() else code)[:8]
        n = 1
        while code in codes.values():
            n += 1
            code = code[: 8 - len(str(n))] + str(n)
        codes[name] = code
    return names.map(codes).to_numpy(), (names + " Concentration" + suffix).to_numpy()


#: Variable labels of ADPP and ADNCA (at most 40 characters, SAS transport v5): ADaMIG v1.3, section 3
#: (ADSL and BDS variables: STUDYID, USUBJID, PARAMCD, PARAM, PARCAT1, AVAL, AVALU, APERIOD, TRTP, TRTA,
#: AVISIT, AVISITN, ATPT, ATPTN, ANL01FL), ADaMIG for Non-compartmental Analysis Input Data v1.0 (AFRLT,
#: ARRLT, NFRLT, NRRLT, DOSEA, DOSEU, NCAXFL, NCAXRSN), the SDTM variables carried from PC, PP and DM by their
#: SDTMIG v3.4 labels. FDA Study Data Technical Conformance Guide, section 3.3.2: every variable of a
#: transport file has a label. A column without one here is labelled with its name (as SDTM PP:
#: :func:`bioparity.io.sdtm.write_sdtm_pp`).
ADAM_LABELS = {
    "STUDYID": "Study Identifier",
    "USUBJID": "Unique Subject Identifier",
    "ARM": "Description of Planned Arm",
    "ACTARM": "Description of Actual Arm",
    "PARAMCD": "Parameter Code",
    "PARAM": "Parameter",
    "PARCAT1": "Parameter Category 1",
    "AVAL": "Analysis Value",
    "AVALU": "Analysis Value Unit",
    "APERIOD": "Period",
    "TRTP": "Planned Treatment",
    "TRTA": "Actual Treatment",
    "ANL01FL": "Analysis Flag 01",
    "AFRLT": "Actual Relative Time from First Dose",
    "ARRLT": "Actual Relative Time from Reference Dose",
    "NFRLT": "Nominal Relative Time from First Dose",
    "NRRLT": "Nominal Rel Time from Ref Dose",
    "FRLTU": "Rel Time Units",
    "RRLTU": "Rel Time Units",
    "DOSEA": "Actual Treatment Dose",
    "DOSEU": "Treatment Dose Units",
    "DOSENUM": "Dose Number",
    "NCAXFL": "NCA Exclusion Flag",
    "NCAXRSN": "NCA Exclusion Reason",
    "PPTESTCD": "Parameter Short Name",
    "PPSTINT": "Planned Start of Assessment Interval",
    "PPENINT": "Planned End of Assessment Interval",
    "PPREASND": "Reason Parameter Not Calculated",
    "PCTESTCD": "Pharmacokinetic Test Short Name",
    "PCSPEC": "Specimen Material Type",
    "PCRFTDTC": "Date/Time of Reference Point",
    "VISITNUM": "Visit Number",
    "VISIT": "Visit Name",
    "VISITDY": "Planned Study Day of Visit",
    "EPOCH": "Epoch",
    "TAETORD": "Planned Order of Element within Arm",
    "AVISITN": "Analysis Visit (N)",
    "AVISIT": "Analysis Visit",
    "ATPTN": "Analysis Timepoint (N)",
    "ATPT": "Analysis Timepoint",
}
#: Data set labels (ADaMIG v1.3, section 2.3; ADNCA: the ADaM NCA input data set).
ADAM_DATASET_LABELS = {
    "ADPP": "Pharmacokinetic Parameters Analysis",
    "ADNCA": "Pharmacokinetic Concentrations Analysis",
}


def write_adam(frame: pd.DataFrame, path: str | os.PathLike[str], name: str) -> None:
    """Write an ADaM data set as SAS transport v5 (``.xpt``, with the variable labels of
    :data:`ADAM_LABELS` and of ``frame.attrs["labels"]``, the kept columns of :func:`adpp_domain` and
    :func:`adnca_domain`, and the data set label of :data:`ADAM_DATASET_LABELS`) or CSV (by the file
    suffix)."""
    from bioparity.io.files import write_frame_atomic, write_xport_atomic

    if str(path).lower().endswith(".xpt"):
        known = {**ADAM_LABELS, **frame.attrs.get("labels", {})}  # and those of kept columns (ADPP, ADNCA)
        labels: list[str | None] = [known.get(str(c), str(c))[:40] for c in frame.columns]
        write_xport_atomic(
            frame, path, table_name=name, column_labels=labels, file_label=ADAM_DATASET_LABELS.get(name)
        )
    else:
        write_frame_atomic(frame, path)
