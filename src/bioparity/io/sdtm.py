"""CDISC SDTM at the edges: detecting and reading a PC (pharmacokinetic concentrations) domain, and
writing NCA results as a PP (pharmacokinetic parameters) domain in SAS transport (XPT v5).

PC mapping: subject ``USUBJID``; profile groups ``STUDYID``, ``PCTESTCD`` (analyte), ``PCSPEC``
(matrix) and ``PCRFTDTC`` (reference dose time) when present; time = ``PCELTM`` (ISO 8601 elapsed
time, converted to hours) or, when absent, ``PCTPTNUM`` taken as hours; concentration ``PCSTRESN``;
BLQ when ``PCSTRESC`` is a BLQ marker (BLQ, <LLOQ, ...) or ``PCSTRESN < PCLLOQ``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd

from bioparity.errors import DataFileError
from bioparity.natural_order import natural_ranks
from bioparity.nca.samples import Where
from bioparity.problems import (
    A_DATETIME,
    A_DOSE_START,
    A_DURATION,
    A_PC_TIME_COLUMN,
    A_PCDTC_COLUMN,
    A_SAMPLED_SUBJECT,
    A_STUDY_DAY,
    AN_ELAPSED_TIME,
    EMPTY_DOSE_START,
    INVALID_STUDY_DAY,
    NO_REFERENCE_DATETIME,
    NOT_ISO_DATETIME,
    NOT_ISO_DURATION,
    PC_WITHOUT_PCDTC,
    PC_WITHOUT_TIME,
)

PC_REQUIRED = ("USUBJID", "PCTESTCD", "PCSTRESN")
PC_GROUPS = ("STUDYID", "PCTESTCD", "PCSPEC", "PCRFTDTC")
#: The PP column :func:`pp_domain` writes each PC profile group into: the profile groups of a PP domain
#: (the analyte PCTESTCD as PPCAT, the matrix PCSPEC as PPSPEC, PCRFTDTC as PPRFTDTC).
PC_IN_PP = {"STUDYID": "STUDYID", "PCTESTCD": "PPCAT", "PCSPEC": "PPSPEC", "PCRFTDTC": "PPRFTDTC"}
_BLQ = re.compile(r"^\s*(BLQ|BQL|BLOQ|NQ|<\s*LLOQ|<\s*LOQ|<\s*[0-9.]+)\s*$", re.IGNORECASE)
_DURATION = re.compile(
    r"^(?P<sign>-)?P(?:(?P<w>[\d.]+)W)?(?:(?P<d>[\d.]+)D)?(?:T(?:(?P<h>[\d.]+)H)?(?:(?P<m>[\d.]+)M)?(?:(?P<s>[\d.]+)S)?)?$"
)


def is_sdtm_pc(frame: pd.DataFrame) -> bool:
    """True when the table looks like an SDTM PC domain (USUBJID, PCTESTCD, PCSTRESN)."""
    cols = {c.upper() for c in frame.columns}
    return all(c in cols for c in PC_REQUIRED)


def iso8601_duration_hours(text: str) -> float:
    """``PT1H30M`` -> 1.5, ``-PT15M`` -> -0.25, ``P1DT2H`` -> 26; NaN for an empty string."""
    t = text.strip().upper()
    if not t:
        return float("nan")
    m = _DURATION.match(t)
    if not m or t in {"P", "-P", "PT", "-PT"}:
        raise ValueError(text)
    parts = {k: float(v) if v else 0.0 for k, v in m.groupdict().items() if k != "sign"}
    hours = parts["w"] * 168 + parts["d"] * 24 + parts["h"] + parts["m"] / 60 + parts["s"] / 3600
    return -hours if m.group("sign") else hours


def hours_to_iso8601(hours: float) -> str:
    """Hours as an ISO 8601 duration (``PT24H``, ``-PT0.5H``); empty for NaN or infinity."""
    if not np.isfinite(hours):
        return ""
    sign = "-" if hours < 0 else ""
    return f"{sign}PT{abs(hours):g}H"


def _duration_hours(column: pd.Series, file: str | None, expected: str) -> npt.NDArray[np.float64]:
    """The ISO 8601 durations of an SDTM column in hours (blank: NaN); an error names the first other text."""
    texts = column.astype("string").fillna("").tolist()
    hours = np.empty(len(texts))
    for i, text in enumerate(texts):  # per-row parse of a text format, at the edge only
        try:
            hours[i] = iso8601_duration_hours(str(text))
        except ValueError:
            raise DataFileError(
                NOT_ISO_DURATION,
                file=file,
                row=i + 1,
                column=str(column.name),
                value=text,
                expected=expected,
            ) from None
    return hours


def pc_profile_keys(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """The profile keys of the rows of a PC domain as :func:`read_sdtm_pc` reads them: ``subject``
    (USUBJID without surrounding blanks) and the grouping columns present (STUDYID, PCTESTCD, PCSPEC,
    PCRFTDTC; text, empty when missing), with the names of those grouping columns."""
    df = frame.rename(columns={c: c.upper() for c in frame.columns}).reset_index(drop=True)
    out = pd.DataFrame({"subject": df["USUBJID"].astype("string").str.strip()})
    groups = [g for g in PC_GROUPS if g in df.columns]
    for g in groups:
        out[g] = df[g].astype("string").fillna("")
    return out, groups


#: The columns of a PC domain that :func:`read_sdtm_pc` and the NCA readers read (when present).
PC_READ = ("USUBJID", *PC_GROUPS, "PCELTM", "PCTPTNUM", "PCSTRESN", "PCSTRESC", "PCLLOQ", "PCSTRESU", "PCDTC")


def read_sdtm_pc(frame: pd.DataFrame, file: str | None = None) -> tuple[pd.DataFrame, list[str]]:
    """A PC domain as a plain long table (``subject``, ``time``, ``conc`` with BLQ markers, groups).

    Returns the table and the names of its grouping columns. Unparseable PCELTM values are reported
    with their row.
    """
    df = frame.rename(columns={c: c.upper() for c in frame.columns}).reset_index(drop=True)
    out, groups = pc_profile_keys(df)
    if "PCELTM" in df.columns:
        out["time"] = _duration_hours(df["PCELTM"], file, AN_ELAPSED_TIME)
    elif "PCTPTNUM" in df.columns:
        out["time"] = pd.to_numeric(df["PCTPTNUM"], errors="coerce")
    else:
        raise DataFileError(PC_WITHOUT_TIME, file=file, expected=A_PC_TIME_COLUMN)
    conc = pd.to_numeric(df["PCSTRESN"], errors="coerce")
    blq = np.zeros(len(df), dtype=bool)
    if "PCSTRESC" in df.columns:
        blq |= df["PCSTRESC"].astype("string").fillna("").str.match(_BLQ).fillna(False).to_numpy(dtype=bool)
    if "PCLLOQ" in df.columns:
        lloq = pd.to_numeric(df["PCLLOQ"], errors="coerce").to_numpy(dtype=float)
        c = conc.to_numpy(dtype=float)
        blq |= ~np.isnan(lloq) & ~np.isnan(c) & (c < lloq)
    conc_text = conc.map(lambda v: "" if pd.isna(v) else repr(float(v))).astype(object)
    conc_text[blq] = "BLQ"
    out["conc"] = conc_text
    return out, groups


_PP_LABELS = {
    "STUDYID": "Study Identifier",
    "DOMAIN": "Domain Abbreviation",
    "USUBJID": "Unique Subject Identifier",
    "PPSEQ": "Sequence Number",
    "PPGRPID": "Group ID",
    "PPTESTCD": "Parameter Short Name",
    "PPTEST": "Parameter Name",
    "PPCAT": "Parameter Category",
    "PPORRES": "Result or Finding in Original Units",
    "PPSTRESC": "Character Result/Finding in Std Format",
    "PPSTRESN": "Numeric Result/Finding in Standard Units",
    "PPORRESU": "Original Units",
    "PPSTRESU": "Standard Units",
    "PPSTAT": "Completion Status",
    "PPREASND": "Reason Parameter Not Calculated",
    "PPSPEC": "Specimen Material Type",
    "PPRFTDTC": "Date/Time of Reference Point",
    "VISITNUM": "Visit Number",
    "VISIT": "Visit Name",
    "VISITDY": "Planned Study Day of Visit",
    "EPOCH": "Epoch",
    "TAETORD": "Planned Order of Element within Arm",
    "PPSTINT": "Planned Start of Assessment Interval",
    "PPENINT": "Planned End of Assessment Interval",
}


#: SDTM timing variables a PP record carries under their own names (SDTMIG v3.4, PP domain, assumption 4:
#: any timing variable may be added to PP; section 4.4: VISITNUM, VISIT, EPOCH), from the profile columns of
#: the NCA table or, for an SDTM PC input, from the PC records of each profile (:func:`pc_profile_timing`).
PP_TIMING = ("VISITNUM", "VISIT", "VISITDY", "EPOCH", "TAETORD")
#: Profile columns that are not written into PPGRPID: those PP has variables for (PC_IN_PP, the analyte,
#: PP_TIMING), and the subject's arm, a subject-level variable of DM (SDTMIG v3.4, section 5.2).
_NOT_IN_GRPID = {"STUDYID", "PCTESTCD", "PCSPEC", "PCRFTDTC", "ANALYTE", "ARM", "ACTARM", *PP_TIMING}


def pp_domain(
    long: pd.DataFrame,
    *,
    subject: str,
    labels: Mapping[str, str],
    studyid: str = "",
    groups: Sequence[str] = (),
    timing: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """An NCA long table (``result.to_frame()``) as an SDTM PP domain: one record per subject, profile and
    parameter, PPTEST from ``labels`` (code -> label, e.g. ``bioparity.nca.LABELS``); with units
    (:func:`bioparity.nca.add_units`) PPORRES/PPORRESU and PPSTRESU are filled.

    The profile columns ``groups`` decide the variables that tell a subject's profiles apart (SDTMIG v3.4,
    PP domain): PCTESTCD or ``analyte`` is PPCAT, PCSPEC PPSPEC, PCRFTDTC PPRFTDTC (the reference dose of
    the profile: two periods of a crossover have two), VISITNUM, VISIT, EPOCH (:data:`PP_TIMING`) their own
    variables; ``timing`` (:func:`pc_profile_timing`) adds those of an SDTM PC input that are not profile
    columns. Any other profile column without a PP variable (a plain table's ``period``, ``treatment``,
    ``sequence``, ``--group`` columns) is written into PPGRPID as ``name=value`` pairs joined by ``; ``
    (``period=2``), which ties the records of one profile together (PPGRPID: SDTMIG v3.4, section 4.5.4)
    so that no two records share their keys (:data:`PP_KEYS`); the subject's arm is left to DM.
    """
    long = in_key_order(
        with_profile_timing(long, subject=subject, groups=groups, timing=timing), subject, groups
    )
    prof = long[subject].astype(str) if subject in long.columns else long.iloc[:, 0].astype(str)
    values = long["PPSTRESN"].to_numpy(dtype=float)
    present = ~np.isnan(values)
    resc = np.where(present, [f"{v:.10g}" for v in values], "")
    pp = pd.DataFrame(
        {
            "STUDYID": long["STUDYID"].astype(str) if "STUDYID" in long.columns else studyid,
            "DOMAIN": "PP",
            "USUBJID": prof,
            "PPTESTCD": long["PPTESTCD"].astype(str),
            "PPTEST": [labels.get(c, c) for c in long["PPTESTCD"]],
            PC_IN_PP["PCTESTCD"]: analyte_values(long),
            "PPORRES": (
                [f"{v:.10g}" if np.isfinite(v) else "" for v in long["PPORRES"].to_numpy(dtype=float)]
                if "PPORRES" in long.columns
                else resc
            ),
            "PPORRESU": long["PPORRESU"].astype(str) if "PPORRESU" in long.columns else "",
            "PPSTRESC": resc,
            "PPSTRESN": values,
            "PPSTRESU": long["PPSTRESU"].astype(str) if "PPSTRESU" in long.columns else "",
            "PPSTAT": np.where(present, "", "NOT DONE"),
            "PPREASND": np.where(present, "", long["reason"].astype(str).str.slice(0, 200)),
            PC_IN_PP["PCSPEC"]: long["PCSPEC"].astype(str) if "PCSPEC" in long.columns else "",
            PC_IN_PP["PCRFTDTC"]: long["PCRFTDTC"].astype(str) if "PCRFTDTC" in long.columns else "",
            "PPSTINT": [hours_to_iso8601(s) for s in long["start"]],
            "PPENINT": [hours_to_iso8601(e) for e in long["end"]],
        }
    )
    pp.insert(3, "PPSEQ", pp.groupby(["STUDYID", "USUBJID"], sort=False).cumcount().to_numpy() + 1)
    grpid = pp_group_columns(groups)
    if grpid:
        pairs = [c + "=" + long[c].astype("string").fillna("").astype(str) for c in grpid]
        pp.insert(4, "PPGRPID", [("; ".join(p))[:200] for p in zip(*pairs, strict=True)])
    by_name = {str(c).upper(): c for c in reversed(long.columns)}
    at = list(pp.columns).index(PC_IN_PP["PCRFTDTC"])
    for name in (n for n in PP_TIMING if n in by_name):
        column = long[by_name[name]]
        numeric = name in ("VISITNUM", "VISITDY", "TAETORD")  # numbers in SDTM
        text = column.astype("string").fillna("").astype(str)
        pp.insert(at, name, pd.to_numeric(column, errors="coerce") if numeric else text)
        at += 1
    return pp


def with_profile_timing(
    long: pd.DataFrame, *, subject: str, groups: Sequence[str], timing: pd.DataFrame | None
) -> pd.DataFrame:
    """The NCA long table with the SDTM timing variables of each profile (``timing``:
    :func:`pc_profile_timing`, one row per profile) as columns; unchanged without them."""
    if timing is None or not len(timing):
        return long
    keys = [subject, *(g for g in groups if g in timing.columns)]
    right = timing.astype({k: str for k in keys})
    left = long.astype({k: str for k in keys})[keys]
    found = left.merge(right, on=keys, how="left", validate="many_to_one")
    return long.assign(**{c: found[c].to_numpy() for c in timing.columns if c not in keys})


def in_key_order(long: pd.DataFrame, subject: str, groups: Sequence[str] = ()) -> pd.DataFrame:
    """An NCA long table in the order of the PP and ADPP keys, index reset: by study, subject, analyte
    (PPCAT/PARCAT1), specimen (PPSPEC), VISITNUM, reference dose (PPRFTDTC, ISO 8601 text, so in time
    order), the other profile columns (``groups``, numbers as numbers: period 10 after period 2), the
    dosing interval (``dose_number``, ``start``); a profile's parameters keep the order of the NCA.

    SDTMIG v3.3, section 3.2.1 (dataset-level metadata: a domain's key variables, which also give the
    order its records are sorted in) and section 4.1.9 (assigning natural keys in the metadata); PPSEQ
    "ensures uniqueness of subject records within a domain" (PP domain specification), so it is numbered
    1..n per subject after this sort, not in the order the input file happened to list subjects in.
    ADPP (ADaMIG v1.3, BDS: records identified by USUBJID, PARAMCD and the timing variables) in the same
    order. Subjects in the order of :func:`bioparity.natural_order.natural_ranks` (subject 2 before subject
    10, ``X1-2`` before ``X1-10``), their USUBJID written as it is."""
    by_name = {str(c).upper(): c for c in reversed(long.columns)}
    names = [c for c in ("STUDYID",) if c in long.columns] + [subject]
    names += [c for c in ("PCTESTCD", "ANALYTE", "PCSPEC", "VISITNUM", "PCRFTDTC") if c in by_name]
    keys = [by_name.get(n, n) for n in names]
    keys += [g for g in (*groups, "dose_number", "start") if g in long.columns and g not in keys]
    table = pd.DataFrame(index=range(len(long)))
    for i, column in enumerate(dict.fromkeys(keys)):
        values = long[column].reset_index(drop=True)
        if column == subject:  # numbers in the IDs as numbers, "010" and "10" two subjects all the same
            table[f"k{i}"] = natural_ranks(values)
            continue
        numbers = pd.to_numeric(values, errors="coerce")
        numeric = bool(numbers.notna().all())
        table[f"k{i}"] = numbers if numeric else values.astype("string").fillna("")
    order = table.sort_values(list(table.columns), kind="stable").index.to_numpy()
    return long.iloc[order].reset_index(drop=True)


#: The variables that identify a PP record (its natural key): no two records of a written PP share them.
PP_KEYS = (
    "STUDYID",
    "USUBJID",
    "PPGRPID",
    "PPTESTCD",
    "PPCAT",
    "PPSPEC",
    "VISITNUM",
    "PPRFTDTC",
    "PPSTINT",
    "PPENINT",
)


def per_dose_intervals(long: pd.DataFrame, *, subject: str, origin: pd.Series) -> pd.DataFrame:
    """A multiple-dose NCA long table (``start`` and ``end`` of each dosing interval in hours since the
    subject's first dose) with each interval referenced to its own dose, for SDTM PP and ADaM ADPP:
    PCRFTDTC (written as PPRFTDTC) = the date/time of the interval's dose, ``origin`` (the subject's first
    EXSTDTC, per USUBJID: :func:`first_dose_datetimes`) + ``start`` hours (an interval starts at its
    dose), and ``start``/``end`` in hours since that dose (PPSTINT ``PT0H``, PPENINT ``PT12H`` for tau =
    12 h in every interval).

    SDTMIG v3.4, PP domain: PPRFTDTC is the date/time of the reference dose of the parameter's profile,
    and PPSTINT/PPENINT the start and end of the assessment interval relative to it (ISO 8601
    durations), so every interval's parameters reference that interval's dose, not the first. A subject
    without a first dose date/time keeps an empty PPRFTDTC."""
    hours = pd.to_numeric(long["start"], errors="coerce").astype(float)
    first = long[subject].astype("string").str.strip().map(origin)
    when = pd.to_datetime(first) + pd.to_timedelta(hours.to_numpy(), unit="h")
    minutes = when.dt.strftime("%Y-%m-%dT%H:%M")
    text = minutes.where(when.dt.second.fillna(0) == 0, when.dt.strftime("%Y-%m-%dT%H:%M:%S"))
    end = pd.to_numeric(long["end"], errors="coerce").astype(float)
    return long.assign(
        PCRFTDTC=text.fillna("").astype(str).to_numpy(),
        start=(hours - hours).to_numpy(),
        end=(end - hours).to_numpy(),
    )


def pp_group_columns(groups: Sequence[str]) -> list[str]:
    """The profile columns :func:`pp_domain` writes into PPGRPID: those without a PP variable of their own.

    A crossover's period derived from the order of its PCRFTDTC
    (:func:`bioparity.io.nca_input.with_derived_period`) is one of them: PPRFTDTC tells a subject's periods
    apart, and PPGRPID (``period=2``) ties each period's records together and to the APERIOD of ADPP and
    ADNCA (SDTMIG v3.3/v3.4, PP domain specification: PPGRPID is "used to tie together a block of related
    records in a single domain to support relationships within the domain and between domains")."""
    return [g for g in groups if g.upper() not in _NOT_IN_GRPID]


def pc_profile_timing(pc: pd.DataFrame, groups: Sequence[str]) -> pd.DataFrame | None:
    """The SDTM timing variables (:data:`PP_TIMING`) of each profile of a PC domain that are not profile
    columns: one row per ``subject`` and ``groups`` (the profile columns as :func:`read_sdtm_pc` and
    :func:`bioparity.io.nca_input.pc_samples` name them), a variable's value where all the profile's
    records share it, else missing (a profile sampled over several visits has no one VISITNUM; its
    reference dose is in PPRFTDTC). None when the PC has none of them."""
    df = pc.rename(columns={c: c.upper() for c in pc.columns}).reset_index(drop=True)
    taken = {g.upper() for g in groups}
    names = [n for n in PP_TIMING if n in df.columns and n not in taken]
    if not names:
        return None
    keys, _pc_groups = pc_profile_keys(df)
    groups = [g for g in groups if g in keys.columns or g in pc.columns or g.upper() in df.columns]
    for g in groups:
        if g not in keys.columns:
            keys[g] = pc[g].to_numpy() if g in pc.columns else df[g.upper()].to_numpy()
    table = keys[["subject", *groups]].astype(str).assign(**{n: df[n].to_numpy() for n in names})
    by = table.groupby(["subject", *groups], sort=False, dropna=False)
    one = by[names].nunique(dropna=False) == 1
    return by[names].first().where(one).reset_index()


def interval_timing(
    long: pd.DataFrame,
    samples: pd.DataFrame,
    *,
    subject: str,
    time: str,
    groups: Sequence[str],
    nominal: np.ndarray | None = None,
) -> pd.DataFrame:
    """The SDTM timing variables (:data:`PP_TIMING` columns of ``samples`` that are not profile columns) of
    each dosing interval of a multiple-dose NCA long table, one row per row of ``long`` (its order).

    ``long``: ``start``/``end`` of each interval in hours since the subject's first dose (before
    :func:`per_dose_intervals`); ``samples``: the samples on the same clock (``time``), with the profile
    columns (``subject``, ``groups``) and each sample's timing variables (an SDTM PC's own:
    :func:`pc_sample_timing`). An interval's value is the one all its samples share, from its dose up to the
    next (``start <= time < end``: a pre-dose sample at the next dose is that dose's), missing where they
    differ or none was taken: the visit of the parameters of that interval (SDTMIG v3.4, PP domain,
    assumption 4: timing variables may be added to PP; VISITNUM "Visit Number", VISIT "Visit Name"), as
    the pharmaverse admiral ADPP template's AVISIT/AVISITN per record, so that a steady-state interval
    (Day 14) is told from the first (Day 1) by its visit, not its dose number only. ``nominal``: each
    sample's planned hours since its reference dose (PCELTM, in the row order of ``samples``); when given,
    a sample planned before its reference dose (a pre-dose sample of the next dose, taken minutes before
    it, in the next dose's visit) counts for no interval."""
    taken = {str(g).upper() for g in groups}
    names = [c for c in samples.columns if str(c).upper() in PP_TIMING and str(c).upper() not in taken]
    keys = [subject, *(g for g in groups if g in long.columns and g in samples.columns and g != subject)]
    if not names:
        return pd.DataFrame(index=pd.RangeIndex(len(long)))
    texts = {k: str for k in keys}
    bounds = long[[*keys, "start", "end"]].astype(texts).reset_index(drop=True)
    intervals = bounds.drop_duplicates().reset_index(drop=True)
    intervals["_interval"] = np.arange(len(intervals))
    taken_at = samples[[*keys, time, *names]].astype(texts)
    if nominal is not None:  # pre-dose samples of the next dose: not of this interval's visit
        taken_at = taken_at[~(np.asarray(nominal, dtype=float) < 0)]
    taken_at = taken_at.assign(_t=pd.to_numeric(taken_at[time], errors="coerce").astype(float))
    starts = intervals.assign(_t=pd.to_numeric(intervals["start"], errors="coerce").astype(float))
    # each sample to the latest interval of its profile starting at or before it (one pass, not a product)
    both = pd.merge_asof(
        taken_at.dropna(subset=["_t"]).sort_values("_t"),
        starts.dropna(subset=["_t"]).sort_values("_t")[[*keys, "_t", "end", "_interval"]],
        on="_t",
        by=keys,
        direction="backward",
    )
    end = pd.to_numeric(both["end"], errors="coerce").to_numpy(dtype=float)
    inside = both[both["_t"].to_numpy(dtype=float) < end]  # NaN end (no interval): outside
    by = inside.astype({"_interval": np.int64}).groupby("_interval", sort=False)
    shared = by[names].first().where(by[names].nunique(dropna=False) == 1)
    per_interval = intervals.join(shared, on="_interval")
    found = bounds.merge(per_interval, on=[*keys, "start", "end"], how="left", validate="many_to_one")
    return found[names].reset_index(drop=True)


def analyte_values(long: pd.DataFrame) -> pd.Series | str:
    """PPCAT of each record: PCTESTCD of an SDTM PC input, else the column named ``analyte`` (any letter
    case) of a plain one, else empty. SDTMIG v3.4, PP domain: PPCAT is the analyte the parameter was
    computed from, so that two analytes of one subject (total antibody and conjugated ADC) are told apart."""
    named = next((c for c in ("PCTESTCD", "analyte") if c in long.columns), None)
    named = named or next((c for c in long.columns if str(c).lower() == "analyte"), None)
    return long[named].astype(str) if named is not None else ""


#: The data set label of PP (SDTMIG v3.4, PP domain specification: "Pharmacokinetics Parameters"; FDA Study
#: Data Technical Conformance Guide, section 3.3.2: every data set of a transport file has a label).
PP_DATASET_LABEL = "Pharmacokinetics Parameters"


def write_sdtm_pp(pp: pd.DataFrame, path: str | os.PathLike[str]) -> None:
    """Write a PP domain as SAS transport v5 (``.xpt``), table name PP, with variable labels and the data
    set label :data:`PP_DATASET_LABEL`."""
    from bioparity.io.files import write_xport_atomic

    pp = pp.copy()
    pp["PPSEQ"] = pp["PPSEQ"].astype(float)
    labels: list[str | None] = [_PP_LABELS.get(c, c) for c in pp.columns]
    write_xport_atomic(pp, path, table_name="PP", column_labels=labels, file_label=PP_DATASET_LABEL)


# --- DM (demographics) domain: each subject's arm ---------------------------------------------------

DM_REQUIRED = ("USUBJID", "ARM")


def is_sdtm_dm(frame: pd.DataFrame) -> bool:
    """True when the table looks like an SDTM DM domain: USUBJID and ARM (SDTMIG v3.4, section 5.2: DM has
    one record per subject with its planned arm), and neither concentrations (PC, a ``conc`` column) nor
    dose records (EX)."""
    cols = {str(c).upper() for c in frame.columns}
    return (
        all(c in cols for c in DM_REQUIRED)
        and "CONC" not in cols
        and not is_sdtm_pc(frame)
        and not is_sdtm_ex(frame)
    )


# --- EX (exposure) domain: dose records for multiple-dose NCA ------------------------------------------

EX_REQUIRED = ("USUBJID", "EXDOSE")
_IV_BOLUS = {"INTRAVENOUS BOLUS", "IV BOLUS"}
_IV_ANY = {"INTRAVENOUS", "INTRAVENOUS DRIP", "INTRAVENOUS BOLUS", "IV", "IV BOLUS", "IV INFUSION"}


def is_sdtm_ex(frame: pd.DataFrame) -> bool:
    """True when the table looks like an SDTM EX domain (USUBJID, EXDOSE and EXSTDTC or EXSTDY)."""
    cols = {c.upper() for c in frame.columns}
    return all(c in cols for c in EX_REQUIRED) and ("EXSTDTC" in cols or "EXSTDY" in cols)


def iso_instants(values: pd.Series) -> pd.Series:
    """ISO 8601 date-times (date only allowed) as pandas timestamps, NaT where a value is empty or not ISO
    8601 (:func:`_iso_datetimes` refuses those, naming the row)."""
    text = values.astype("string").fillna("").str.strip()
    return pd.to_datetime(text.where(text != "", None), format="ISO8601", errors="coerce")


def _iso_datetimes(values: pd.Series, column: str, file: str | None) -> pd.Series:
    """ISO 8601 date-times (date only allowed) as pandas timestamps; errors name the row."""
    text = values.astype("string").fillna("").str.strip()
    parsed = iso_instants(values)
    bad = (text != "").to_numpy() & parsed.isna().to_numpy()
    Where(file=file, line_offset=None).reject(bad, NOT_ISO_DATETIME, column, text, A_DATETIME)
    return parsed


def read_sdtm_ex(
    frame: pd.DataFrame, file: str | None = None, *, origin: pd.Series | None = None
) -> pd.DataFrame:
    """An EX domain as plain dose records: ``subject, time, dose, route, duration`` (+ STUDYID, EXDOSU).

    ``time`` is in hours since ``origin`` (a date-time per USUBJID) or, by default, since the subject's
    first EXSTDTC; without date-times it is ``EXSTDY`` in hours (study day 1 = 0 h, day -1 = -24 h).
    ``duration`` (hours) is EXDUR (ISO 8601) or else EXENDTC - EXSTDTC, NaN for an instantaneous dose;
    ``route`` maps EXROUTE to extravascular, iv-bolus or iv-infusion (INTRAVENOUS with a duration > 0
    is an infusion). Rows without EXSTDTC and EXSTDY are an error (row and column named).
    """
    df = frame.rename(columns={c: c.upper() for c in frame.columns}).reset_index(drop=True)
    where = Where(file=file, line_offset=None)  # errors name the data row
    out = pd.DataFrame({"subject": df["USUBJID"].astype("string").str.strip()})
    if "STUDYID" in df.columns:
        out.insert(0, "STUDYID", df["STUDYID"].astype("string").fillna(""))
    start = _iso_datetimes(df["EXSTDTC"], "EXSTDTC", file) if "EXSTDTC" in df.columns else None
    if start is not None and start.notna().all():
        if origin is None:
            first = start.groupby(out["subject"]).transform("min")
        else:
            first = out["subject"].map(origin)
            where.reject(
                first.isna(),
                NO_REFERENCE_DATETIME,
                "USUBJID",
                out["subject"],
                A_SAMPLED_SUBJECT,
            )
        out["time"] = ((start - first).dt.total_seconds() / 3600.0).to_numpy(dtype=float)
    elif "EXSTDY" in df.columns:
        day = pd.to_numeric(df["EXSTDY"], errors="coerce").to_numpy(dtype=float)
        where.reject(
            np.isnan(day) | (day == 0),
            INVALID_STUDY_DAY,
            "EXSTDY",
            df["EXSTDY"],
            A_STUDY_DAY,
        )
        out["time"] = np.where(day > 0, day - 1.0, day) * 24.0
    else:
        assert start is not None
        i = int(np.argmax(start.isna().to_numpy()))
        raise where.error(EMPTY_DOSE_START, i, "EXSTDTC", None, A_DOSE_START)
    out["dose"] = pd.to_numeric(df["EXDOSE"], errors="coerce").to_numpy(dtype=float)
    duration = np.full(len(df), np.nan)
    if "EXDUR" in df.columns:
        duration = _duration_hours(df["EXDUR"], file, A_DURATION)
    if "EXENDTC" in df.columns and start is not None:
        end = _iso_datetimes(df["EXENDTC"], "EXENDTC", file)
        span = ((end - start).dt.total_seconds() / 3600.0).to_numpy(dtype=float)
        duration = np.where(np.isnan(duration) & (span > 0), span, duration)
    out["duration"] = duration
    route = (
        df["EXROUTE"].astype("string").fillna("").str.strip().str.upper() if "EXROUTE" in df.columns else None
    )
    if route is not None:
        iv = route.isin(_IV_ANY).to_numpy()
        bolus = route.isin(_IV_BOLUS).to_numpy()
        out["route"] = np.where(
            iv & ~bolus & (duration > 0), "iv-infusion", np.where(iv, "iv-bolus", "extravascular")
        )
        out["EXROUTE"] = route.to_numpy()
    if "EXDOSU" in df.columns:
        out["EXDOSU"] = df["EXDOSU"].astype("string").fillna("")
    return out


def first_dose_datetimes(ex: pd.DataFrame, file: str | None = None) -> pd.Series:
    """The first EXSTDTC of each USUBJID of an EX domain (the origin of a shared clock)."""
    df = ex.rename(columns={c: c.upper() for c in ex.columns})
    start = _iso_datetimes(df["EXSTDTC"], "EXSTDTC", file)
    return start.groupby(df["USUBJID"].astype("string").str.strip()).min()


def pc_hours_since(pc: pd.DataFrame, origin: pd.Series, file: str | None = None) -> npt.NDArray[np.float64]:
    """Sample times of a PC domain in hours since ``origin`` (per USUBJID), from PCDTC."""
    df = pc.rename(columns={c: c.upper() for c in pc.columns})
    if "PCDTC" not in df.columns:
        raise DataFileError(PC_WITHOUT_PCDTC, file=file, expected=A_PCDTC_COLUMN)
    when = _iso_datetimes(df["PCDTC"], "PCDTC", file)
    first = df["USUBJID"].astype("string").str.strip().map(origin)
    return np.asarray(((when - first).dt.total_seconds() / 3600.0).to_numpy(dtype=float))


def pc_hours_since_each(
    pc: pd.DataFrame, starts: pd.Series, file: str | None = None
) -> npt.NDArray[np.float64]:
    """Sample times of a PC domain in hours since ``starts`` (the ISO 8601 date-time of each record's own
    dose, e.g. the EXSTDTC of its profile's dose), from PCDTC."""
    df = pc.rename(columns={c: c.upper() for c in pc.columns})
    if "PCDTC" not in df.columns:
        raise DataFileError(PC_WITHOUT_PCDTC, file=file, expected=A_PCDTC_COLUMN)
    when = _iso_datetimes(df["PCDTC"], "PCDTC", file).reset_index(drop=True)
    start = _iso_datetimes(starts.reset_index(drop=True), "EXSTDTC", file)
    return np.asarray(((when - start).dt.total_seconds() / 3600.0).to_numpy(dtype=float))


def doses_on_sample_clock(
    ex: pd.DataFrame,
    *,
    ex_file: str | None = None,
    pc: pd.DataFrame | None = None,
    pc_file: str | None = None,
) -> tuple[pd.DataFrame, npt.NDArray[np.float64] | None]:
    """Dose records of an EX domain and, for an SDTM PC domain, its sample times on the same clock.

    Multiple-dose NCA needs samples and doses on one clock. The dose times are hours since each subject's
    first EXSTDTC (:func:`read_sdtm_ex`); with ``pc`` the sample times are PCDTC in hours since that same
    first dose (:func:`pc_hours_since`), or for a PC without PCDTC PCRFTDTC + PCELTM
    (:func:`pc_reference_hours_since`), returned in the PC row order (``None`` without ``pc``: a plain
    sample table is already on the clock of its dose records).
    """
    doses = read_sdtm_ex(ex, file=ex_file)
    if pc is None:
        return doses, None
    origin = first_dose_datetimes(ex, file=ex_file)
    on_reference = pc_reference_hours_since(pc, origin, file=pc_file)
    return doses, pc_hours_since(pc, origin, file=pc_file) if on_reference is None else on_reference


def pc_reference_hours_since(
    pc: pd.DataFrame, origin: pd.Series, file: str | None = None
) -> npt.NDArray[np.float64] | None:
    """Sample times of a PC domain without PCDTC in hours since ``origin`` (per USUBJID): its reference dose
    PCRFTDTC - ``origin`` + its PCELTM, when every record has both (None otherwise, and for a PC with PCDTC,
    whose actual times :func:`pc_hours_since` takes).

    SDTMIG v3.4, PC domain: PCELTM is the planned elapsed time of the sample from its reference point
    PCTPTREF, whose date/time is PCRFTDTC; so PCRFTDTC + PCELTM is the sample's planned date/time, on the
    clock of the subject's EX doses (the dose times of :func:`read_sdtm_ex`)."""
    df = pc.rename(columns={c: c.upper() for c in pc.columns})
    if "PCDTC" in df.columns or "PCRFTDTC" not in df.columns or "PCELTM" not in df.columns:
        return None
    reference = _iso_datetimes(df["PCRFTDTC"], "PCRFTDTC", file).reset_index(drop=True)
    elapsed = _duration_hours(df["PCELTM"].reset_index(drop=True), file, AN_ELAPSED_TIME)
    if bool(reference.isna().any()) or bool(np.isnan(elapsed).any()):
        return None
    first = df["USUBJID"].astype("string").str.strip().reset_index(drop=True).map(origin)
    hours = ((reference - first).dt.total_seconds() / 3600.0).to_numpy(dtype=float) + elapsed
    return np.asarray(hours, dtype=float)


def pc_nominal_hours(pc: pd.DataFrame, file: str | None = None) -> np.ndarray | None:
    """The nominal time of each record of a PC domain since its reference dose, in hours, in its row order:
    PCELTM (ISO 8601 duration; blank: NaN), or None when the PC has no PCELTM.

    SDTMIG v3.4, PC domain: PCELTM is the "planned elapsed time ... relative to a planned fixed reference
    (PCTPTREF)", the reference being the dose whose date/time is PCRFTDTC; so it is ADNCA's NRRLT, nominal
    relative time from reference dose (ADaMIG for Non-compartmental Analysis Input Data v1.0, timing
    variables; the pharmaverse admiral ADPC template derives NRRLT from the planned time point in the same
    way, ``derive_var_nfrlt``). PCTPTNUM is an ordering number, not a time, and is not used."""
    by_name = {str(c).upper(): c for c in reversed(pc.columns)}
    if "PCELTM" not in by_name:
        return None
    return _duration_hours(pc[by_name["PCELTM"]].reset_index(drop=True), file, AN_ELAPSED_TIME)


#: The planned time point of a PC record (SDTMIG v3.4, PC domain: PCTPT "Planned Time Point Name",
#: PCTPTNUM "Planned Time Point Number"), ADNCA's ATPT/ATPTN (:func:`bioparity.io.adam.adnca_domain`).
PC_TIME_POINT = ("PCTPTNUM", "PCTPT")


def pc_sample_timing(pc: pd.DataFrame) -> pd.DataFrame:
    """The SDTM timing variables (:data:`PP_TIMING`: VISITNUM, VISIT, VISITDY, EPOCH, TAETORD) and planned
    time point (:data:`PC_TIME_POINT`: PCTPTNUM, PCTPT) of each record of a PC domain, in its row order,
    under their SDTM names (none: no columns): the visit and time point of each sample, which ADNCA carries
    per record (:func:`bioparity.io.adam.adnca_domain`)."""
    by_name = {str(c).upper(): c for c in reversed(pc.columns)}
    names = [n for n in (*PP_TIMING, *PC_TIME_POINT) if n in by_name]
    return pd.DataFrame({n: pc[by_name[n]].to_numpy() for n in names}, index=pd.RangeIndex(len(pc)))
