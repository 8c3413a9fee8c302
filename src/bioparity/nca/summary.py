"""Summary statistics of NCA parameters per group (arm) and parameter, as SAS and WinNonlin print them.

For the values ``x_1..x_n`` of one parameter in one group (missing values counted, not used):

* n, arithmetic mean, SD (``ddof = 1``), CV% = 100 SD / mean, median, minimum, maximum;
* geometric mean ``exp(mean(log x))`` and geometric CV% ``100 sqrt(exp(s^2_log) - 1)``, where
  ``s^2_log`` is the sample variance of ``log x`` (the coefficient of variation of a log-normal
  variable; Kirkwood, "Geometric means and measures of dispersion", Biometrics 35:908-909, 1979);
* no geometric statistics for times of observed samples (Tmax, Tlast, the lambda_z interval),
  goodness-of-fit values (R2, adjusted R2, span ratio) and point counts: these are not log-normal
  quantities (Tmax is analysed non-parametrically: EMA Guideline on the Investigation of
  Bioequivalence, CPMP/EWP/QWP/1401/98 Rev. 1, 2010, section 4.1.8);
* geometric statistics also not when any value is <= 0 (the log is undefined); the row says so.

Multiple dosing: with ``interval="dose_number"`` the statistics are per dosing interval (dose number) as
well, so that the first dose and the steady-state (last) interval are never pooled; the steady-state
parameters of EMA CPMP/EWP/QWP/1401/98 Rev. 1, section 4.1.5 (AUC(0-tau), Cmax,ss, Cmin,ss, Ctrough,ss,
fluctuation) are summarised at the last dose, and the accumulation ratios of dose 1 are 1 by definition.

Several analytes or periods: with ``by`` (the profile grouping columns other than the arm and the
subject, e.g. ``analyte``, ``period``, PCTESTCD) every combination is summarised apart, so that two
analytes of one arm (total antibody and conjugated ADC) or two periods are never pooled into one mean.
:func:`split_columns` chooses ``by`` so that each subject gives one value per group and parameter: the
analyte always splits; a crossover's period and sequence do not (each subject has one profile per
treatment; the guideline's descriptive statistics are per treatment: EMA CPMP/EWP/QWP/1401/98 Rev. 1,
section 4.1.8 and Appendix II "pharmacokinetic parameters ... descriptive statistics per treatment").

Review flags are counted per subject: a subject with a flag on several parameter rows counts once.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from bioparity import __version__
from bioparity._results import ResultMixin, values_text
from bioparity.errors import InputError, require_columns

#: Parameters summarised without geometric statistics (times of samples, fit diagnostics, counts).
NO_GEOMETRIC = frozenset(
    {
        "TMAX",
        "TMIN",
        "TLST",
        "TLAG",
        "LAMZLL",
        "LAMZUL",
        "LAMZNPT",
        "R2",
        "R2ADJ",
        "LAMZSPN",
        "ERTMAX",
        "ERTLST",
    }
)

STAT_COLUMNS = (
    "n",
    "n_missing",
    "mean",
    "sd",
    "cv_percent",
    "geometric_mean",
    "geometric_cv_percent",
    "median",
    "min",
    "max",
)


@dataclass(frozen=True, repr=False)
class SummaryStatistics(ResultMixin):
    """Summary statistics per group and parameter (one row each, in ``to_frame()``).

    ``groups`` holds the group values (e.g. the arm) per row, ``parameters`` the PPTESTCD codes and
    ``units`` the unit of each parameter (empty when the data carry none); the statistics are arrays of
    the same length; ``notes`` say where geometric statistics were not computed and why. Statistics per
    dosing interval as well (``interval_column``, e.g. ``dose_number``, not empty) hold the interval of
    each row in ``intervals``, a column of ``to_frame()`` after the group. Statistics by further grouping
    columns (``by_columns``, e.g. the analyte) hold each row's value of each in ``by_values`` (one tuple
    per column), columns of ``to_frame()`` right after the group.
    """

    SETTINGS = ("group_column", "interval_column", "by_columns")

    group_column: str
    groups: tuple[str, ...]
    parameters: tuple[str, ...]
    units: tuple[str, ...]
    n: np.ndarray
    n_missing: np.ndarray
    mean: np.ndarray
    sd: np.ndarray
    cv_percent: np.ndarray
    geometric_mean: np.ndarray
    geometric_cv_percent: np.ndarray
    median: np.ndarray
    min: np.ndarray
    max: np.ndarray
    notes: tuple[str, ...]
    interval_column: str = ""
    intervals: tuple[int, ...] = ()
    by_columns: tuple[str, ...] = ()
    by_values: tuple[tuple[str, ...], ...] = ()
    software_version: str = __version__

    def _repr_fields(self) -> list[str]:
        return ["group_column", "parameters", "n"]

    def summary(self) -> str:
        per = "".join(f", {c} ({len(set(v))})" for c, v in zip(self.by_columns, self.by_values, strict=True))
        per += f" and {self.interval_column} ({len(set(self.intervals))})" if self.interval_column else ""
        return (
            f"Summary statistics by {self.group_column}{per}: {len(set(self.groups))} groups x "
            f"{len(set(self.parameters))} parameters ({values_text(np.asarray(self.parameters))})"
            + (f"\n{len(self.notes)} note(s): {self.notes[0]}" if self.notes else "")
        )

    def to_frame(self) -> pd.DataFrame:
        interval = {self.interval_column: list(self.intervals)} if self.interval_column else {}
        frame = pd.DataFrame(
            {
                self.group_column: list(self.groups),
                **{c: list(v) for c, v in zip(self.by_columns, self.by_values, strict=True)},
                **interval,
                "parameter": list(self.parameters),
                "unit": list(self.units),
                **{c: getattr(self, c) for c in STAT_COLUMNS},
            }
        )
        frame["software_version"] = self.software_version
        return frame


@dataclass(frozen=True, repr=False)
class FlagCounts(ResultMixin):
    """Subjects with each review flag per group: ``flagged`` of ``subjects``; per group and combination
    of the ``by_columns`` (e.g. the analyte: ``by_values``, one tuple per column) when given."""

    SETTINGS = ("group_column", "by_columns")

    group_column: str
    groups: tuple[str, ...]
    flags: tuple[str, ...]
    flagged: np.ndarray
    subjects: np.ndarray
    by_columns: tuple[str, ...] = ()
    by_values: tuple[tuple[str, ...], ...] = ()
    software_version: str = __version__

    def summary(self) -> str:
        per_group = dict(zip(self.groups, np.asarray(self.subjects, dtype=int).tolist(), strict=True))
        flagged: dict[str, int] = {}
        for flag, k in zip(self.flags, np.asarray(self.flagged, dtype=int).tolist(), strict=True):
            flagged[flag] = flagged.get(flag, 0) + k
        shown = ", ".join(f"{f} {k}" for f, k in flagged.items() if k)
        return (
            f"Review flags by {self.group_column}: {len(per_group)} group(s), {sum(per_group.values())} "
            f"subjects; subjects flagged: {shown or 'none'}"
        )

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            {
                self.group_column: list(self.groups),
                **{c: list(v) for c, v in zip(self.by_columns, self.by_values, strict=True)},
                "flag": list(self.flags),
                "subjects_flagged": self.flagged,
                "subjects": self.subjects,
            }
        )


#: Order in which :func:`split_columns` tries the grouping columns (lower first, by lower-case name): what
#: is measured (analyte, specimen), then anything else, then when (period, visit, the reference time of
#: an SDTM profile), last the sequence (constant within a subject, it never separates a subject's profiles).
_SPLIT_RANK = {
    **dict.fromkeys(("analyte", "pctestcd", "ppcat", "pcspec", "ppspec", "specimen"), 0),
    **dict.fromkeys(("period", "visit", "visitnum", "epoch"), 2),
    # the reference dose date is the subject's own (subjects dosed on other days have other dates): a
    # period, visit or epoch, the same for every subject, splits first
    **dict.fromkeys(("pcrftdtc", "pprftdtc"), 3),
    "sequence": 4,
}


def split_columns(
    frame: pd.DataFrame,
    candidates: Sequence[str],
    *,
    subject: str | None,
    within: Sequence[str] = (),
) -> list[str]:
    """The grouping columns (of ``candidates``, in their order) that summary statistics must be split by so
    that a subject gives at most one value per group: per row of ``within`` (the arm, the parameter code,
    the dose number; for samples the nominal time) and subject.

    Columns with one value throughout split nothing and are never chosen. The rest are tried by rank
    (analyte and specimen first, then other columns, then period, visit and reference time, the sequence
    last) and taken while the subject's rows still repeat and the column separates some of them: two
    analytes of one arm are always split, a 2x2 crossover's period and sequence are not (each subject has
    one profile per treatment), repeated profiles of one treatment (two visits, a replicate design) are
    split by period or visit. Without a subject column every varying candidate is taken (nothing shows
    which columns separate a subject's profiles).

    >>> pk = pd.DataFrame({"subject": [1, 1, 2, 2], "treatment": ["T", "R", "R", "T"],
    ...                    "period": [1, 2, 1, 2], "sequence": ["TR", "TR", "RT", "RT"]})
    >>> split_columns(pk, ["period", "sequence"], subject="subject", within=["treatment"])
    []
    >>> one_treatment = pk.assign(treatment="T")  # two profiles of T per subject
    >>> split_columns(one_treatment, ["period", "sequence"], subject="subject", within=["treatment"])
    ['period']
    """
    varying = [c for c in candidates if frame[c].nunique(dropna=False) > 1]
    if subject is None:
        return varying
    taken: list[str] = []
    for column in sorted(varying, key=lambda c: _SPLIT_RANK.get(c.lower(), 1)):
        keys = [subject, *within, *taken]
        repeats = int(frame.duplicated(keys).sum())
        if repeats == 0:
            break
        if int(frame.duplicated([*keys, column]).sum()) < repeats:
            taken.append(column)
    return [c for c in varying if c in taken]


def describe(values: Sequence[float] | np.ndarray, *, geometric: bool = True) -> dict[str, float]:
    """The statistics of one set of values (NaN = missing, counted in ``n_missing``)."""
    v = np.asarray(values, dtype=float)
    finite = v[np.isfinite(v)]
    n = int(finite.size)
    out = {c: math.nan for c in STAT_COLUMNS}
    out["n"], out["n_missing"] = float(n), float(v.size - n)
    if n == 0:
        return out
    mean = float(finite.mean())
    out["mean"], out["median"] = mean, float(np.median(finite))
    out["min"], out["max"] = float(finite.min()), float(finite.max())
    if n > 1:
        sd = float(finite.std(ddof=1))
        out["sd"] = sd
        out["cv_percent"] = 100 * sd / mean if mean != 0 else math.nan
    if geometric and bool(np.all(finite > 0)):
        logs = np.log(finite)
        out["geometric_mean"] = float(np.exp(logs.mean()))
        if n > 1:
            out["geometric_cv_percent"] = float(100 * np.sqrt(np.expm1(logs.var(ddof=1))))
    return out


def summary_statistics(
    frame: pd.DataFrame,
    *,
    group: str | None = "arm",
    by: Sequence[str] = (),
    parameter: str = "PPTESTCD",
    value: str = "PPSTRESN",
    unit: str | None = "PPSTRESU",
    interval: str | None = None,
) -> SummaryStatistics:
    """Summary statistics of an NCA long table (one row per profile and parameter) by group and parameter.

    ``group=None`` (or a group column absent from the table) summarises all profiles together under
    ``all``. ``by`` names further grouping columns (the analyte, the period, ...): each combination of
    their values within a group is summarised apart (rows in the order of the group, then of these values
    as text), never pooled. ``interval`` (e.g. ``dose_number`` of a multiple-dose table) summarises each
    dosing interval apart, in the order of its numbers: the values of dose 1 and of the last dose are never
    pooled.
    Non-numeric values are an error naming the row, not silently dropped; empty cells are missing and
    counted in ``n_missing``.
    """
    by = [str(c) for c in by]
    need = [parameter, value, *by, *([interval] if interval else [])]
    require_columns(frame.columns, need, file=None, context=" in the NCA table (summary statistics)")
    numbers = _numbers(frame, value)
    group_column = group if group is not None and group in frame.columns else "group"
    groups = _text(frame[group]) if group_column == group else pd.Series("all", index=frame.index)
    units = (
        _text(frame[unit].fillna(""))
        if unit is not None and unit in frame.columns
        else pd.Series("", index=frame.index)
    )
    data = pd.DataFrame({"g": groups, "p": _text(frame[parameter]), "u": units, "v": numbers.astype(float)})
    if interval:
        data["i"] = _interval_numbers(frame, interval)
    data["s"], labels = _strata(frame, by)
    order = [str(p) for p in data["p"].unique()]  # in the order of first appearance
    rows: list[tuple[str, tuple[str, ...], int, str, str, dict[str, float]]] = []
    notes: list[str] = []
    for g in sorted(data["g"].unique()):
        in_group = data[data["g"] == g]
        for j in sorted(in_group["s"].unique()):
            s = labels[j]
            in_stratum = in_group[in_group["s"] == j]
            for i in sorted(in_stratum["i"].unique()) if interval else [0]:
                part = in_stratum[in_stratum["i"] == i] if interval else in_stratum
                where = ", ".join(
                    [f"{group_column} {g}", *(f"{c} {v}" for c, v in zip(by, s, strict=True))]
                    + ([f"{interval} {i}"] if interval else [])
                )
                for p in order:
                    sub = part[part["p"] == p]
                    if sub.empty:
                        continue
                    stats, unit_found, note = _parameter_statistics(sub, p, where)
                    notes += note
                    rows.append((g, s, int(i), p, unit_found, stats))

    def col(name: str) -> np.ndarray:
        return np.array([r[5][name] for r in rows], dtype=float)

    return SummaryStatistics(
        group_column=group_column,
        groups=tuple(r[0] for r in rows),
        parameters=tuple(r[3] for r in rows),
        units=tuple(r[4] for r in rows),
        n=col("n").astype(int),
        n_missing=col("n_missing").astype(int),
        mean=col("mean"),
        sd=col("sd"),
        cv_percent=col("cv_percent"),
        geometric_mean=col("geometric_mean"),
        geometric_cv_percent=col("geometric_cv_percent"),
        median=col("median"),
        min=col("min"),
        max=col("max"),
        notes=tuple(notes),
        interval_column=interval or "",
        intervals=tuple(r[2] for r in rows) if interval else (),
        by_columns=tuple(by),
        by_values=tuple(tuple(r[1][j] for r in rows) for j in range(len(by))),
    )


def _text(column: pd.Series) -> pd.Series:
    """``column.astype(str)`` as a categorical: each distinct value converted once, and the selections of
    the rows of one group or parameter taken on integer codes (a long NCA table has millions of rows and a
    few dozen distinct values). The plain text column where two values give the same text (``1`` and
    ``"1"``) or one gives a missing value."""
    codes, uniques = pd.factorize(column, use_na_sentinel=False)
    text = pd.Series(uniques, dtype=object).astype(str)
    if text.isna().any() or text.duplicated().any():
        return column.astype(str)
    categories = pd.Index(text.to_numpy(dtype=object), dtype=object)
    return pd.Series(pd.Categorical.from_codes(codes, categories=categories), index=column.index)


def _strata(frame: pd.DataFrame, by: Sequence[str]) -> tuple[np.ndarray, list[tuple[str, ...]]]:
    """Each row's combination of the values of the ``by`` columns (as text), numbered in sorted order, and
    the combinations (one empty combination without ``by``)."""
    if not by:
        return np.zeros(len(frame), dtype=np.int64), [()]
    strata = list(zip(*(frame[c].astype(str) for c in by), strict=True))
    labels = sorted(set(strata)) or [()]
    number = {k: j for j, k in enumerate(labels)}
    return np.fromiter((number[k] for k in strata), dtype=np.int64, count=len(strata)), labels


def _numbers(frame: pd.DataFrame, value: str) -> pd.Series:
    """The value column as numbers (empty cells missing); text that is not a number is an error naming
    its row."""
    if pd.api.types.is_numeric_dtype(frame[value]) and not pd.api.types.is_bool_dtype(frame[value]):
        return frame[value]  # numbers already (a long NCA table): no text to check
    numbers = pd.to_numeric(frame[value], errors="coerce")
    bad = numbers.isna() & frame[value].notna() & (frame[value].astype(str).str.strip() != "")
    if bool(bad.any()):
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(
            f"summary statistics: row {i + 1}, column {value}: {frame[value].iloc[i]!r} is not a number"
        )
    return numbers


def _interval_numbers(frame: pd.DataFrame, interval: str) -> pd.Series:
    """The dosing interval (dose number) of each row, whole numbers >= 1 (an error names the first row
    that is not one)."""
    numbers = pd.to_numeric(frame[interval], errors="coerce")
    whole = numbers.notna() & (numbers >= 1) & (numbers == np.floor(numbers))
    if not bool(whole.all()):
        i = int(np.flatnonzero(~whole.to_numpy())[0])
        cell = frame[interval].iloc[i]
        shown = cell.item() if isinstance(cell, np.generic) else cell
        raise InputError(
            f"summary statistics: row {i + 1}, column {interval}: {shown!r} is not a dose number (a whole "
            "number >= 1)"
        )
    return numbers.astype(np.int64)


def _parameter_statistics(
    sub: pd.DataFrame, parameter: str, where: str
) -> tuple[dict[str, float], str, list[str]]:
    """The statistics of one parameter's values in one group (and interval), its one unit, and the note
    when geometric statistics are left out for values <= 0."""
    found = sorted({str(u) for u in sub["u"].unique()} - {""})
    if len(found) > 1:
        raise InputError(
            f"summary statistics: parameter {parameter} in {where} has several units "
            f"({', '.join(found)}); convert them to one unit first"
        )
    geometric = parameter not in NO_GEOMETRIC
    stats = describe(sub["v"].to_numpy(), geometric=geometric)
    finite = sub["v"].to_numpy()
    finite = finite[np.isfinite(finite)]
    notes = []
    if geometric and finite.size and not bool(np.all(finite > 0)):
        notes.append(
            f"{parameter} ({where}): {int((finite <= 0).sum())} value(s) <= 0, "
            "geometric statistics not computed"
        )
    return stats, found[0] if found else "", notes


def flag_counts(
    frame: pd.DataFrame,
    *,
    group: str | None = "arm",
    by: Sequence[str] = (),
    subject: str = "subject",
    prefix: str = "flag_",
) -> FlagCounts:
    """How many subjects of each group have each flag (``flag_*`` columns) on at least one row; with
    ``by`` (the analyte, the period, as :func:`summary_statistics`) per group and combination of their
    values, so that a flag on one analyte's profile is not counted for the other's."""
    by = [str(c) for c in by]
    require_columns(frame.columns, [subject, *by], file=None, context=" in the NCA table (flag counts)")
    flags = [c for c in frame.columns if str(c).startswith(prefix)]
    group_column = group if group is not None and group in frame.columns else "group"
    groups = frame[group].astype(str) if group_column == group else pd.Series("all", index=frame.index)
    strata, labels = _strata(frame, by)
    out_g, out_s, out_f, flagged, subjects = [], [], [], [], []
    for g in sorted(groups.unique()):
        in_group = (groups == g).to_numpy()
        for j in sorted(set(strata[in_group].tolist())):
            part = frame[in_group & (strata == j)]
            n_subjects = int(part[subject].astype(str).nunique())
            for f in flags:
                on = part[f].map(lambda x: x is True or x == 1 or str(x).lower() == "true")
                out_g.append(str(g))
                out_s.append(labels[j])
                out_f.append(str(f).removeprefix(prefix))
                flagged.append(int(part.loc[on.to_numpy(dtype=bool), subject].astype(str).nunique()))
                subjects.append(n_subjects)
    return FlagCounts(
        group_column=group_column,
        groups=tuple(out_g),
        flags=tuple(out_f),
        flagged=np.array(flagged, dtype=int),
        subjects=np.array(subjects, dtype=int),
        by_columns=tuple(by),
        by_values=tuple(tuple(s[k] for s in out_s) for k in range(len(by))),
    )
