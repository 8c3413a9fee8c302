"""The NCA input spec: which columns hold what, how samples form profiles, the dose, units and settings.

One :class:`NCASpec` describes an NCA run for every front end (``bioparity nca``, the workspace,
``bioparity nca-batch`` on Dask, the validation suite). :meth:`NCASpec.resolve` matches it to the columns
of a table and returns the resolved spec (the columns actually found); :func:`bioparity.nca.run_nca`
runs it. :func:`spec_from_options` builds it from the option names that the command line and the
workspace share (``dose``, ``group``, ``auc_method``, ``conc_unit``, ...).

Grouping rule (defined here, once)
    A profile is one subject within one combination of the grouping columns. The grouping columns are
    the table's columns named ``arm``, ``period``, ``treatment``, ``analyte``, ``formulation``,
    ``sequence`` or ``visit`` (:data:`GROUP_COLUMNS`, in that order, letter case ignored), followed by
    the columns listed in ``groups``. They split the profiles and are carried to the output, so that the
    parameter table holds what the next analysis needs: a crossover subject has one profile per period
    (and treatment), as the bioequivalence analysis of the periods requires (EMA Guideline on the
    Investigation of Bioequivalence, CPMP/EWP/QWP/1401/98 Rev. 1, section 4.1.8: parameters per subject
    and period), and the arm of a parallel PK similarity study is kept as a column (a subject belongs to
    one arm, so ``arm`` never splits a profile there). Letter case is ignored because SDTM and ADaM
    exports write names in upper case (``PERIOD``) and spreadsheets often in title case (``Period``); the
    table's own spelling is kept in the output.

Column names
    A column named in the spec (subject, time, conc, a dose or duration column, ``groups``, ...) is the
    column of exactly that name or, when there is none, the one column whose name differs from it only
    in letter case (``Subject`` for ``subject``); two such columns are ambiguous and an error naming the
    file (:class:`bioparity.columns.Columns`, the lookup of every reader).

Dose
    ``dose="auto"`` (the default) uses the column named ``dose`` (any case) when the table has one, and
    no dose otherwise; a column name uses that column; a number, or text that is a number and not a
    column name, is the dose of every profile; ``None`` is no dose. Without a dose the dose-normalised
    parameters (CL, Vz, ...) are missing with their reason.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from bioparity.columns import Columns
from bioparity.errors import InputError
from bioparity.nca.blq import BLQRule
from bioparity.nca.options import NCAOptions
from bioparity.nca.units import UNIT_FIELDS, unit_notes

#: Columns that, when present (any letter case), split the profiles with the subject and are kept.
GROUP_COLUMNS = ("arm", "period", "treatment", "analyte", "formulation", "sequence", "visit")

#: ``dose`` value: use the column named ``dose`` when there is one.
AUTO = "auto"

#: Texts of the ``dose`` option that mean "no dose".
NO_DOSE = ("", "none")


def _names(value: str | Iterable[str] | None) -> tuple[str, ...] | None:
    """Column names or codes as a tuple (one name given as text is one name, not its letters)."""
    if value is None:
        return None
    return (value,) if isinstance(value, str) else tuple(value)


@dataclass(frozen=True)
class NCASpec:
    """How to read a concentration-time table and which NCA to run on it.

    Parameters
    ----------
    subject, time, conc : str
        Columns of the subject, the sample time (hours after the dose, or on the dose records' clock)
        and the concentration (BLQ markers such as ``BLQ`` allowed).
    dose : str, float or None
        ``"auto"`` (the column ``dose`` when present), a column name, one dose for every profile, or
        ``None`` (no dose).
    groups : tuple of str
        Grouping columns besides those found by the grouping rule (see the module docstring).
    blq, lloq : str or None
        Column flagging BLQ samples (1/Y/TRUE/BLQ); column of lower limits of quantification.
    duration : str, float or None
        Infusion duration in hours, or the column holding it (single dose).
    conc_unit, time_unit, dose_unit : str or None
        Units of the input; with ``conc_unit`` the output gains PPORRESU/PPSTRESU.
    conc_unit_column : str or None
        Column with each row's concentration unit: concentrations are converted into ``conc_unit``
        (default: the unit of the first row with a number).
    options : NCAOptions
        AUC method, route, BLQ rule, lambda_z rules, review-flag limits, AUCTAU extrapolation.
    parameters : tuple of str or None
        PPTESTCD codes or PKNCA names to report (``None``: all).
    intervals : tuple of (float, float)
        Partial AUC intervals (code AUCINT).
    tau : float or None
        Dosing interval after the last dose (multiple dose).
    tss_fraction : float
        Fraction of steady state for the time to steady state.
    keep : tuple of str
        Subject-level columns (one value per subject, e.g. body weight) copied to every profile of the
        subject in the result, for a covariate-adjusted analysis of the parameters; they split nothing
        (:mod:`bioparity.nca.covariates`).
    """

    subject: str = "subject"
    time: str = "time"
    conc: str = "conc"
    dose: str | float | None = AUTO
    groups: tuple[str, ...] = ()
    blq: str | None = None
    lloq: str | None = None
    duration: str | float | None = None
    conc_unit: str | None = None
    time_unit: str = "h"
    dose_unit: str | None = None
    conc_unit_column: str | None = None
    options: NCAOptions = field(default_factory=NCAOptions)
    parameters: tuple[str, ...] | None = None
    intervals: tuple[tuple[float, float], ...] = ()
    tau: float | None = None
    tss_fraction: float = 0.9
    keep: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "groups", _names(self.groups))
        object.__setattr__(self, "keep", keep_names(self.keep))
        object.__setattr__(self, "parameters", _names(self.parameters))
        object.__setattr__(self, "intervals", tuple((float(a), float(b)) for a, b in self.intervals))
        if isinstance(self.dose, bool) or isinstance(self.duration, bool):
            raise InputError("dose and duration are a column name, a number or None, not true/false")
        if isinstance(self.dose, int | float) and not self.dose > 0:
            raise InputError(f"dose {self.dose:g}; expected a dose > 0 (or none)")
        if self.tau is not None and not self.tau > 0:
            raise InputError(f"tau {self.tau:g}: the dosing interval must be a positive number of hours")

    @property
    def keys(self) -> list[str]:
        """The profile key columns: the grouping columns, then the subject."""
        return [*self.groups, self.subject]

    @property
    def dose_record_settings(self) -> tuple[str, ...]:
        """The options set in this spec that only multiple-dose NCA uses (``tau``, ``extrapolate_tau``,
        by the names of :func:`spec_from_options`): a run without dose records must refuse them rather
        than ignore them."""
        given = {"tau": self.tau is not None, "extrapolate_tau": self.options.auctau_extrapolate}
        return tuple(name for name, on in given.items() if on)

    def resolve(self, columns: pd.DataFrame | Iterable[Hashable], *, file: str | None = None) -> NCASpec:
        """This spec with the column names of a table (a frame or its column names) filled in.

        Parameters
        ----------
        columns : DataFrame or iterable of column names
            The table, or only its column names (enough: resolution never reads the data).
        file : str, optional
            The table's file, named in the error of an ambiguous name.

        Returns
        -------
        NCASpec
            Named columns in the table's spelling; ``groups`` holding every grouping column (the
            grouping rule, then the given ones); ``dose`` a column name, a number or ``None``. A name
            that matches no column is kept as it is (the analysis then reports it as missing, naming
            the file). Resolving a resolved spec again changes nothing.

        Raises
        ------
        DataFileError
            A name without an exact column that two columns match ignoring letter case (``Time`` and
            ``TIME`` for ``time``): :meth:`bioparity.columns.Columns.optional`, naming ``file``.
        """
        find = Columns(columns.columns if isinstance(columns, pd.DataFrame) else columns, file=file)
        subject, time, conc = find.named(self.subject), find.named(self.time), find.named(self.conc)
        explicit = [find.named(g) for g in self.groups]
        taken = {subject, time, conc, *explicit}
        found = (find.optional(g) for g in GROUP_COLUMNS)
        detected = [c for c in found if c is not None and c not in taken]
        return dataclasses.replace(
            self,
            subject=subject,
            time=time,
            conc=conc,
            groups=tuple(dict.fromkeys([*detected, *explicit])),
            dose=_column_or_number(self.dose, find, auto=True),
            duration=_column_or_number(self.duration, find, auto=False),
            blq=None if self.blq is None else find.named(self.blq),
            lloq=None if self.lloq is None else find.named(self.lloq),
            conc_unit_column=None if self.conc_unit_column is None else find.named(self.conc_unit_column),
            keep=tuple(find.named(k) for k in self.keep),
        )

    def unit_notes(self, sources: Mapping[str, str] | None = None) -> list[str]:
        """The notes of the spec's units that bioparity does not know (carried as written), after
        refusing a known unit of another dimension (:func:`bioparity.nca.units.unit_notes`: the rule of
        every front end).

        Parameters
        ----------
        sources : mapping of str to str, optional
            Where each of ``conc_unit``, ``time_unit``, ``dose_unit`` was given, for the messages
            (``--conc-unit``, ``PCSTRESU of pc.csv``); default ``option conc_unit``, ...

        Returns
        -------
        list of str
            One note per unknown unit (note templates of :mod:`bioparity.problems`).

        Examples
        --------
        >>> NCASpec(conc_unit="ng/mL", dose_unit="mg").unit_notes()
        []
        >>> NCASpec(conc_unit="IU/mL", dose_unit="kIU").unit_notes()
        []
        """
        return unit_notes({name: getattr(self, name) for name in UNIT_FIELDS}, sources or {})

    def given_groups(
        self, columns: pd.DataFrame | Iterable[Hashable], *, file: str | None = None
    ) -> tuple[str, ...]:
        """The spec's own ``groups`` in the spelling of a table's columns (a frame or its column names),
        without the grouping columns the grouping rule would add (see :meth:`resolve`, and ``file``)."""
        find = Columns(columns.columns if isinstance(columns, pd.DataFrame) else columns, file=file)
        return tuple(find.named(g) for g in self.groups)


def _column_or_number(value: str | float | None, find: Columns, *, auto: bool) -> str | float | None:
    """A dose or duration: a column found in the table, a number, or ``None``."""
    if value is None or isinstance(value, int | float):
        return value
    if auto and value == AUTO:
        return find.optional("dose")
    column = find.optional(value)
    if column is not None:
        return column
    try:
        return float(value)
    except ValueError:
        return value  # neither a column nor a number: reported as a missing column with the file


def keep_names(value: str | Iterable[str] | None) -> tuple[str, ...]:
    """The kept columns (``--keep WT,AGE``, the option ``keep``): comma-separated text or names, each
    name stripped, empty ones dropped, each once.

    Examples
    --------
    >>> keep_names("WT, AGE,")
    ('WT', 'AGE')
    >>> keep_names(["WT", "WT,SEX"])
    ('WT', 'SEX')
    """
    items = (value,) if isinstance(value, str) else tuple(value or ())
    names = (n.strip() for item in items for n in str(item).split(","))
    return tuple(dict.fromkeys(n for n in names if n))


def dose_option(text: str | float | None) -> str | float | None:
    """The ``dose`` option as given on the command line or in the workspace, as an :class:`NCASpec` dose.

    Parameters
    ----------
    text : str, float or None
        ``None`` or ``"auto"``: the column ``dose`` when present; ``""`` or ``"none"``: no dose; a
        number; otherwise a column name (or a number written as text, resolved against the table).

    Returns
    -------
    str, float or None
        The value for :attr:`NCASpec.dose`.
    """
    if text is None:
        return AUTO
    if isinstance(text, str):
        stripped = text.strip()
        return None if stripped.lower() in NO_DOSE else stripped
    return float(text)


def spec_from_options(values: Mapping[str, Any]) -> NCASpec:
    """An :class:`NCASpec` from the options shared by ``bioparity nca`` and the workspace NCA.

    Parameters
    ----------
    values : mapping
        Option name -> value, as the command line parses them (``subject``, ``time``, ``conc``,
        ``dose`` (text, see :func:`dose_option`), ``group`` (list), ``blq``, ``lloq``, ``duration``,
        ``conc_unit``, ``time_unit``, ``dose_unit``, ``conc_unit_column``, ``auc_method``, ``route``,
        ``blq_rule``, ``min_points``, ``adj_r2_factor``, ``r2adj_min``, ``max_aucpext``,
        ``min_span_ratio``, ``lambda_z_max_points``, ``lambda_z_start_after``, ``extrapolate_tau``,
        ``parameters`` (comma-separated), ``interval`` (list of ``START,END``), ``tau``,
        ``tss_fraction``, ``keep`` (comma-separated or a list)). Missing names take the defaults; empty
        text is "not given"; other names are ignored.

    Returns
    -------
    NCASpec
        The spec (not resolved against a table yet).
    """
    given = {k: v for k, v in values.items() if not (isinstance(v, str) and not v.strip() and k != "dose")}
    for name, value in given.items():
        if name in _TEXT_OPTIONS and value is not None and not isinstance(value, str):
            raise InputError(f"option {name}={value!r}; expected text")
    spec_fields = {f.name for f in dataclasses.fields(NCASpec)} - {
        "dose",
        "groups",
        "options",
        "duration",
        "keep",
    }
    option_fields = {f.name for f in dataclasses.fields(NCAOptions)} - {"blq", "auctau_extrapolate"}
    options = NCAOptions(
        **{k: _strip(v) for k, v in given.items() if k in option_fields and v is not None},
        blq=BLQRule.parse(given.get("blq_rule") or "pknca"),
        auctau_extrapolate=bool(given.get("extrapolate_tau", False)),
    )
    parameters = given.get("parameters")
    return NCASpec(
        **{k: _strip(v) for k, v in given.items() if k in spec_fields - {"parameters", "intervals"}},
        dose=dose_option(values.get("dose")),
        groups=tuple(given.get("group") or ()),
        duration=_number_or_text(given.get("duration")),
        options=options,
        parameters=None if not parameters else tuple(p.strip() for p in str(parameters).split(",")),
        intervals=tuple(_interval(i) for i in given.get("interval") or ()),
        keep=keep_names(given.get("keep")),
    )


_TEXT_OPTIONS = frozenset(
    {"subject", "time", "conc", "blq", "lloq", "conc_unit", "time_unit", "dose_unit", "conc_unit_column",
     "auc_method", "route", "blq_rule", "parameters"}
)  # fmt: skip


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _number_or_text(value: Any) -> str | float | None:
    if value is None or isinstance(value, int | float):
        return value
    try:
        return float(value)
    except ValueError:
        return str(value).strip()


def _interval(text: str) -> tuple[float, float]:
    try:
        a, b = (float(x) for x in text.split(","))
    except ValueError:
        raise InputError(f"--interval {text!r}; expected START,END in hours, e.g. 0,24") from None
    return a, b
