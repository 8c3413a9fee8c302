"""The one entry of NCA for every front end: :func:`run_nca` (a table and an :class:`NCASpec` in,
a result out).

``bioparity nca``, the workspace NCA, ``bioparity nca-batch`` (one call per Dask partition) and the
validation suite all call :func:`run_nca`, so a table gives the same profiles and the same numbers
everywhere. The steps: :func:`prepare_input` resolves the spec against the table (grouping rule, dose, column
names; :mod:`bioparity.nca.spec`) and converts per-row concentration units; then the single-dose NCA
(:func:`bioparity.nca.single.frame.nca`) or, with dose records, the multiple-dose NCA
(:func:`bioparity.nca.multiple.intervals.nca_multiple_dose`) runs, with the reviewer's lambda_z choices
(:mod:`bioparity.nca.review`). :func:`result_table` gives the long table with units.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any, overload

import pandas as pd

from bioparity.errors import InputError
from bioparity.nca.covariates import subject_covariates, with_covariates
from bioparity.nca.multiple.intervals import IntervalResult, nca_multiple_dose
from bioparity.nca.multiple.tss import SteadyStateTime, time_to_steady_state
from bioparity.nca.review import review_tables
from bioparity.nca.samples import Where
from bioparity.nca.single.frame import nca, nca_blocks
from bioparity.nca.single.results import NCAResult
from bioparity.nca.spec import NCASpec
from bioparity.nca.unit_column import convert_conc_column
from bioparity.nca.units import add_units


def prepare_input(
    frame: pd.DataFrame, spec: NCASpec | None = None, *, where: Where | None = None
) -> tuple[pd.DataFrame, NCASpec]:
    """The table and the spec as the analysis uses them: the spec resolved against the table's columns
    and, with a unit column, every concentration (and LLOQ) converted into one unit.

    Parameters
    ----------
    frame : DataFrame
        One row per sample.
    spec : NCASpec, optional
        The input spec (default: ``NCASpec()``).
    where : Where, optional
        The table's file, for errors naming row and column.

    Returns
    -------
    (DataFrame, NCASpec)
        The table (converted rows carry the target unit in the unit column, so preparing again changes
        nothing) and the resolved spec, whose ``conc_unit`` is the unit of the concentrations.
    """
    resolved = (spec or NCASpec()).resolve(frame, file=None if where is None else where.file)
    if resolved.conc_unit_column is None:
        return frame, resolved
    converted, unit = convert_conc_column(
        frame,
        conc=resolved.conc,
        unit_column=resolved.conc_unit_column,
        target=resolved.conc_unit,
        lloq=resolved.lloq,
        where=where,
    )
    converted[resolved.conc_unit_column] = unit
    return converted, dataclasses.replace(resolved, conc_unit=unit)


@overload
def run_nca(
    frame: pd.DataFrame,
    spec: NCASpec | None = ...,
    *,
    dosing: None = ...,
    review: pd.DataFrame | None = ...,
    lambda_z_points: pd.DataFrame | None = ...,
    lambda_z_exclude: pd.DataFrame | None = ...,
    where: Where | None = ...,
    dosing_where: Where | None = ...,
    review_where: Where | None = ...,
) -> NCAResult: ...


@overload
def run_nca(
    frame: pd.DataFrame,
    spec: NCASpec | None = ...,
    *,
    dosing: pd.DataFrame,
    review: None = ...,
    lambda_z_points: None = ...,
    lambda_z_exclude: None = ...,
    where: Where | None = ...,
    dosing_where: Where | None = ...,
    review_where: Where | None = ...,
) -> IntervalResult: ...


def run_nca(
    frame: pd.DataFrame,
    spec: NCASpec | None = None,
    *,
    dosing: pd.DataFrame | None = None,
    review: pd.DataFrame | None = None,
    lambda_z_points: pd.DataFrame | None = None,
    lambda_z_exclude: pd.DataFrame | None = None,
    where: Where | None = None,
    dosing_where: Where | None = None,
    review_where: Where | None = None,
) -> NCAResult | IntervalResult:
    """NCA of every profile of a long table as the spec says: single dose, or multiple dose from records.

    Parameters
    ----------
    frame : DataFrame
        One row per sample (columns as named by ``spec``).
    spec : NCASpec, optional
        Columns, grouping, dose, units and settings (default: ``NCASpec()``, PKNCA's defaults).
    dosing : DataFrame, optional
        Dose records ``subject`` (or the spec's subject column), ``time``, ``dose`` [, ``duration``]
        on the samples' clock: multiple-dose NCA, one set of parameters per dosing interval.
    review : DataFrame, optional
        A reviewer's lambda_z choices (profile keys, ``time``, ``action``, ``reason``; see
        :mod:`bioparity.nca.review`), single dose.
    lambda_z_points : DataFrame, optional
        Manual lambda_z windows per profile (``lambda_z_start``, ``lambda_z_end``, ``lambda_z_reason``).
    lambda_z_exclude : DataFrame, optional
        Points left out of lambda_z (``lambda_z_time``, ``lambda_z_reason``); not together with
        ``review``.
    where, dosing_where, review_where : Where, optional
        Files of the tables, for errors naming row and column.

    Returns
    -------
    NCAResult or IntervalResult
        :class:`~bioparity.nca.single.results.NCAResult` (single dose) or
        :class:`~bioparity.nca.multiple.intervals.IntervalResult` (with ``dosing``).

    Examples
    --------
    >>> import pandas as pd
    >>> data = pd.DataFrame({"Subject": 1, "time": [0.0, 1.0, 3.0], "conc": [0.0, 10.0, 5.0], "dose": 100.0})
    >>> res = run_nca(data)  # 'Subject' found for 'subject'; the dose column used (dose="auto")
    >>> list(res.profiles.columns), round(float(res.value("CMAX")[0]), 1)
    (['Subject'], 10.0)
    """
    w = where or Where()
    frame, spec = prepare_input(frame, spec, where=w)
    kept = subject_covariates(frame, spec.subject, spec.keep, w) if spec.keep else None
    choices = None if review is None or review.empty else _subject_named(review, spec.subject)
    if dosing is not None:
        if any(table is not None for table in (choices, lambda_z_points, lambda_z_exclude)):
            raise InputError("lambda_z choices apply to single-dose NCA; not supported with dose records")
        dosed = nca_multiple_dose(
            frame, _subject_named(dosing, spec.subject), subject=spec.subject, time=spec.time,
            conc=spec.conc, groups=spec.groups, tau=spec.tau, blq=spec.blq, lloq=spec.lloq,
            options=spec.options, where=w, dosing_where=dosing_where,
        )  # fmt: skip
        if kept is None:
            return dosed
        return dataclasses.replace(dosed, intervals=with_covariates(dosed.intervals, kept, spec.subject))
    return _with_unit(
        nca(frame, **_single_dose(frame, spec, choices, lambda_z_points, lambda_z_exclude, w, review_where)),
        spec,
        kept,
    )


def run_nca_blocks(
    frame: pd.DataFrame,
    spec: NCASpec | None = None,
    *,
    review: pd.DataFrame | None = None,
    lambda_z_points: pd.DataFrame | None = None,
    lambda_z_exclude: pd.DataFrame | None = None,
    where: Where | None = None,
    review_where: Where | None = None,
) -> Iterator[NCAResult]:
    """Single-dose :func:`run_nca` in consecutive parts of profiles, each computed while the caller
    handles the previous ones (:func:`bioparity.nca.single.frame.nca_blocks`): the same checks and errors
    first, then the same values, part by part in profile order.

    Parameters
    ----------
    frame : DataFrame
        One row per sample (columns as named by ``spec``).
    spec : NCASpec, optional
        As for :func:`run_nca`.
    review, lambda_z_points, lambda_z_exclude : DataFrame, optional
        As for :func:`run_nca`.
    where, review_where : Where, optional
        Files of the tables, for errors naming row and column.

    Returns
    -------
    iterator of NCAResult
        One result per part of the profiles.

    Examples
    --------
    >>> import pandas as pd
    >>> data = pd.DataFrame({"subject": 1, "time": [0.0, 1.0, 3.0], "conc": [0.0, 10.0, 5.0]})
    >>> [round(float(part.value("CMAX")[0]), 1) for part in run_nca_blocks(data)]
    [10.0]
    """
    w = where or Where()
    frame, spec = prepare_input(frame, spec, where=w)
    kept = subject_covariates(frame, spec.subject, spec.keep, w) if spec.keep else None
    choices = None if review is None or review.empty else _subject_named(review, spec.subject)
    settings = _single_dose(frame, spec, choices, lambda_z_points, lambda_z_exclude, w, review_where)
    return (_with_unit(part, spec, kept) for part in nca_blocks(frame, **settings))


def _single_dose(
    frame: pd.DataFrame,
    spec: NCASpec,
    choices: pd.DataFrame | None,
    lambda_z_points: pd.DataFrame | None,
    lambda_z_exclude: pd.DataFrame | None,
    where: Where,
    review_where: Where | None,
) -> dict[str, Any]:
    """The keyword arguments of :func:`~bioparity.nca.single.frame.nca` for a resolved spec, with the
    reviewer's choices turned into points to exclude and include."""
    include = None
    if choices is not None:
        if lambda_z_exclude is not None:
            raise InputError(
                "review choices and a lambda_z_exclude table both given; put every choice in one"
            )
        lambda_z_exclude, include = review_tables(
            choices, frame, keys=spec.keys, time=spec.time, conc=spec.conc, where=review_where
        )
    return dict(
        subject=spec.subject, time=spec.time, conc=spec.conc, dose=spec.dose, groups=spec.groups,
        blq=spec.blq, lloq=spec.lloq, duration=spec.duration, options=spec.options,
        parameters=spec.parameters, intervals=spec.intervals,
        lambda_z_points=None if lambda_z_points is None else _subject_named(lambda_z_points, spec.subject),
        lambda_z_exclude=lambda_z_exclude, lambda_z_include=include, where=where,
    )  # fmt: skip


def _with_unit(result: NCAResult, spec: NCASpec, kept: pd.DataFrame | None = None) -> NCAResult:
    """``result`` with the unit its rows were converted into, when a unit column was converted, and the
    ``kept`` subject-level columns (:func:`~bioparity.nca.covariates.subject_covariates`) appended to its
    profile columns."""
    if kept is not None:
        result = dataclasses.replace(result, profiles=with_covariates(result.profiles, kept, spec.subject))
    if spec.conc_unit_column is None or spec.conc_unit is None:
        return result
    return dataclasses.replace(result, conc_unit=spec.conc_unit)


def run_time_to_steady_state(
    frame: pd.DataFrame,
    spec: NCASpec,
    *,
    dosing: pd.DataFrame,
    terminal: NCAResult | None = None,
    where: Where | None = None,
    dosing_where: Where | None = None,
) -> SteadyStateTime:
    """Time to steady state of every profile (fraction ``spec.tss_fraction``), from the troughs and,
    with the ``terminal`` result of a multiple-dose :func:`run_nca` on the same data, from lambda_z.

    Parameters
    ----------
    frame : DataFrame
        One row per sample, on the clock of the dose records.
    spec : NCASpec
        The spec of the multiple-dose run.
    dosing : DataFrame
        Dose records as for :func:`run_nca`.
    terminal : NCAResult, optional
        ``IntervalResult.terminal`` of the same data.
    where, dosing_where : Where, optional
        Files of the tables, for errors naming row and column.

    Returns
    -------
    SteadyStateTime
        TSSMONO and CTRSSMON (monoexponential fit of the troughs) and, with ``terminal``, TSSLAMZ.
    """
    w = where or Where()
    frame, spec = prepare_input(frame, spec, where=w)
    return time_to_steady_state(
        frame, _subject_named(dosing, spec.subject), subject=spec.subject, time=spec.time, conc=spec.conc,
        groups=spec.groups, fraction=spec.tss_fraction, terminal=terminal, where=w, dosing_where=dosing_where,
    )  # fmt: skip


def result_table(result: NCAResult | IntervalResult | SteadyStateTime, spec: NCASpec) -> pd.DataFrame:
    """The long table of a result (``to_frame()``), with PPORRES/PPORRESU and PPSTRESU when the spec
    states the concentration unit (:func:`bioparity.nca.units.add_units`).

    Parameters
    ----------
    result : NCAResult, IntervalResult or SteadyStateTime
        A result of :func:`run_nca` or :func:`run_time_to_steady_state`.
    spec : NCASpec
        The resolved spec of the run (from :func:`prepare_input`), for the units.

    Returns
    -------
    DataFrame
        One row per profile (or interval) and parameter.
    """
    long = result.to_frame()
    if spec.conc_unit is None:
        return long
    return add_units(long, conc=spec.conc_unit, time=spec.time_unit, dose=spec.dose_unit)


def _subject_named(table: pd.DataFrame, subject: str) -> pd.DataFrame:
    """An auxiliary table (doses, choices, windows) with its ``subject`` column named like the samples'."""
    if subject in table.columns or "subject" not in table.columns:
        return table
    return table.rename(columns={"subject": subject})
