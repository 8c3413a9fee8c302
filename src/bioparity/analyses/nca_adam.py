"""The ADaM ADPP and ADNCA data sets of an NCA, built one way for ``bioparity nca --adpp/--adnca`` and for
the workspace's downloads of an NCA run (:func:`bioparity.workspace.adam.run_adam`): the same samples, dose
records and NCA long table give the same records, whichever front end asks.

ADPP is :func:`bioparity.io.adam.adpp_domain` of the long table dated by :func:`pp_dating` (each profile's
VISITNUM, VISIT and EPOCH from an SDTM PC input; each dosing interval's reference dose with repeated doses),
ADNCA is :func:`bioparity.io.adam.adnca_domain` of the samples with their dose records
(:func:`adnca_records`). Data sets of FDA's Study Data Technical Conformance Guide (section 4.1.2, ADaM);
variables as ADaMIG v1.3 and the ADaM NCA implementation guide describe them (see :mod:`bioparity.io.adam`).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from bioparity.io.adam import adnca_domain, adpp_domain
from bioparity.io.nca_input import REFERENCE, NCADoses, NCASamples
from bioparity.io.sdtm import (
    interval_timing,
    pc_nominal_hours,
    pc_profile_timing,
    pc_sample_timing,
    per_dose_intervals,
    with_profile_timing,
)
from bioparity.nca import LABELS, NCASpec


@dataclass(frozen=True)
class PPDating:
    """The NCA long table as SDTM PP and ADPP date it: ``long`` with each dosing interval's reference dose
    (repeated doses), ``groups`` the columns that tell its records apart (the profile columns, and the
    reference dose with repeated doses) and ``timing`` each profile's VISITNUM, VISIT and EPOCH from the PC
    (None without a PC, or when each interval carries its own visit in ``long``)."""

    long: pd.DataFrame
    groups: tuple[str, ...]
    timing: pd.DataFrame | None


def pp_dating(
    long: pd.DataFrame,
    spec: NCASpec,
    pc: pd.DataFrame | None = None,
    origin: pd.Series | None = None,
    samples: pd.DataFrame | None = None,
) -> PPDating:
    """The long table of an NCA dated for SDTM PP and ADPP.

    ``pc``: the SDTM PC domain read, whose VISITNUM, VISIT and EPOCH the records of each profile carry;
    ``origin``: each subject's first EXSTDTC of multiple-dose NCA, so that each interval's records
    reference its own dose (:func:`~bioparity.io.sdtm.per_dose_intervals`); ``samples``: the samples of
    multiple-dose NCA on the dose clock, in the PC's row order, whose visits give each dosing interval's
    (:func:`~bioparity.io.sdtm.interval_timing`).

    Example: ``pp_dating(long, spec).long is long`` for single-dose NCA of a plain table.
    """
    groups, dated = tuple(spec.groups), long
    if origin is not None:  # PPRFTDTC, PPSTINT and PPENINT of each dosing interval from its own dose
        groups = (*spec.groups, *(() if REFERENCE in spec.groups else (REFERENCE,)))
        dated = per_dose_intervals(long, subject=spec.subject, origin=origin)
    timing = None if pc is None else pc_profile_timing(pc, spec.groups)
    if timing is not None and samples is not None and origin is not None:  # each interval's own visit
        assert pc is not None
        sampled = pc_sample_timing(pc)
        taken = samples.assign(**{c: sampled[c].to_numpy() for c in sampled.columns if c not in samples})
        each = interval_timing(
            long,
            taken,
            subject=spec.subject,
            time=spec.time,
            groups=spec.groups,
            nominal=pc_nominal_hours(pc),
        )
        dated, timing = dated.assign(**{c: each[c].to_numpy() for c in each.columns}), None
    return PPDating(dated, groups, timing)


def adpp_records(dating: PPDating, spec: NCASpec, *, studyid: str = "") -> pd.DataFrame:
    """The ADaM ADPP records of a dated NCA long table (:func:`pp_dating`): one per parameter and profile
    (:func:`~bioparity.io.adam.adpp_domain`), with the subject-level columns kept (``spec.keep``).

    Example: ``adpp_records(pp_dating(long, spec), spec)["PARAMCD"]`` holds ``CMAX`` for each profile."""
    timed = with_profile_timing(dating.long, subject=spec.subject, groups=spec.groups, timing=dating.timing)
    return adpp_domain(
        timed, subject=spec.subject, labels=LABELS, studyid=studyid, groups=dating.groups,
        profile=spec.groups, keep=spec.keep,
    )  # fmt: skip


def first_doses(frame: pd.DataFrame, spec: NCASpec) -> pd.DataFrame:
    """One dose record per profile (the subject and the profile columns) at time 0 (single dose): the dose of
    the spec, the profile's own when it is a column (each period's EXDOSE of a crossover), NaN without one.

    Example: a table of subjects 1 and 2 and ``dose=100`` gives two records, ``time`` 0, ``dose`` 100."""
    keys = [spec.subject, *(g for g in spec.groups if g in frame.columns and g != spec.subject)]
    records = frame[keys].drop_duplicates().assign(time=0.0)
    if isinstance(spec.dose, str) and spec.dose in frame.columns:
        first = frame.groupby(keys, sort=False, dropna=False)[spec.dose].first().rename("dose")
        records = records.merge(first.reset_index(), on=keys, how="left")
    else:
        records["dose"] = float(spec.dose) if isinstance(spec.dose, int | float) else float("nan")
    return records


def adnca_records(
    frame: pd.DataFrame, spec: NCASpec, samples: NCASamples, doses: NCADoses | None, *, studyid: str = ""
) -> pd.DataFrame:
    """The ADaM ADNCA concentration records of the samples of an NCA (BLQ markers give AVAL missing, as
    they have no number: :func:`~bioparity.io.adam.adnca_domain`).

    ``frame`` and ``spec``: the samples as the NCA read them (:func:`bioparity.nca.prepare_input`);
    ``samples`` and ``doses``: what was read (the SDTM PC whose VISITNUM, VISIT, EPOCH and nominal times
    each record carries; the dose records). Single dose (no dose records, or one dose per subject): each
    profile's times count from its reference dose, a dose per profile at time 0 (:func:`first_doses`), the
    subject's first EXSTDTC the origin of AFRLT with one dose per profile; repeated doses: the dose
    records.

    Example: ``adnca_records(frame, spec, samples, None)`` has one record per sample, AFRLT its time."""
    pc = samples.sdtm_pc
    single = doses is None or doses.per_subject
    reference = REFERENCE if single and pc is not None and REFERENCE in spec.groups else None
    first_dose = doses.origin if single and doses is not None and doses.per_profile else None
    records = first_doses(frame, spec) if single or doses is None else doses.frame
    nominal = None if pc is None else pc_nominal_hours(pc)
    if pc is not None:
        have = {str(c).upper() for c in frame.columns}
        timing = pc_sample_timing(pc)
        frame = frame.assign(**{c: timing[c].to_numpy() for c in timing.columns if c not in have})
    if nominal is not None:
        frame = frame.assign(_nominal=nominal)
    dose_time = "time" if "time" in records.columns else records.columns[1]
    return adnca_domain(
        frame, records, subject=spec.subject, time=spec.time, conc=spec.conc, dose_time=dose_time,
        conc_unit=spec.conc_unit or "", dose_unit=spec.dose_unit or "", studyid=studyid,
        groups=spec.groups, by=[g for g in spec.groups if g in records.columns and g != spec.subject],
        reference=reference, first_dose=first_dose, nominal=None if nominal is None else "_nominal",
        keep=spec.keep,
    )  # fmt: skip
