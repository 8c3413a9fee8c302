"""Every attribute and condition of a stability data set in one call (the table behind the CLI).

Each ``attribute x condition`` group (stress conditions such as temperature, light or oxidation are
analysed as separate groups) is evaluated per product with :func:`bioparity.stability.fit_stability`
(ICH Q1E poolability and shelf life) and, when both the test and the reference product are present,
compared with :func:`bioparity.stability.compare_slopes` (difference of mean degradation rates against
the attribute's ``slope_margin``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd

from bioparity._results import ResultMixin, json_record, software_version, verdict, with_rows
from bioparity.errors import InputError
from bioparity.problems import LONG_TERM_NOT_FOUND, NO_SPECIFICATION_ENTRY, STABILITY_TIME_UNIT_REFUSED
from bioparity.stability.core import REPEATED_RESULTS, StabilityResult, compare_slopes, fit_stability

#: Units of a stability study's ``time`` (ICH Q1E, CPMP/ICH/420/02, 2003, states a shelf life in months;
#: stress studies run in hours or days), as written in the outputs.
TIME_UNITS = ("hours", "days", "weeks", "months", "years")
#: The spellings accepted for each (case-insensitive), singular and the usual abbreviations.
_TIME_SPELLINGS = {
    spelling: unit
    for unit, spellings in (
        ("hours", ("hours", "hour", "h", "hr", "hrs")),
        ("days", ("days", "day", "d")),
        ("weeks", ("weeks", "week", "w", "wk", "wks")),
        ("months", ("months", "month", "mo", "mon")),
        ("years", ("years", "year", "y", "yr", "yrs")),
    )
    for spelling in spellings
}
#: The time unit when none is given: months, the unit of ICH Q1E's shelf lives.
DEFAULT_TIME_UNIT = "months"
#: Column of the results table with ``long_term`` given: the long-term (recommended storage) condition's
#: rows are :data:`LONG_TERM`, every other condition's :data:`SUPPORTIVE`.
ROLE = "role"
LONG_TERM, SUPPORTIVE = "long-term", "supportive"
#: Column of the results table with ``long_term`` given: the shelf-life claim of the attribute and product,
#: the long-term row's ``supported_shelf_life`` (on that row; empty on the supportive rows).
CLAIM = "shelf_life_claim"


def stability_time_unit(text: object, *, source: str = "time_unit") -> str:
    """The unit of a stability study's ``time`` as the outputs write it (one of :data:`TIME_UNITS`).

    Parameters
    ----------
    text : object
        The unit as given (``month``, ``Months``, ``wk``...); blank or None gives :data:`DEFAULT_TIME_UNIT`.
    source : str, default "time_unit"
        Where it was given, named in the error (``spec.yaml: time_unit``, ``option time_unit``).

    Returns
    -------
    str
        ``hours``, ``days``, ``weeks``, ``months`` or ``years``.

    Raises
    ------
    InputError
        When ``text`` is not one of those units (``12``, ``fortnights``), naming ``source``.

    Examples
    --------
    >>> [stability_time_unit(u) for u in ("Month", "wk", None, "years")]
    ['months', 'weeks', 'months', 'years']
    """
    written = "" if text is None else str(text).strip()
    if not written:
        return DEFAULT_TIME_UNIT
    unit = _TIME_SPELLINGS.get(written.lower())
    if unit is None:
        raise InputError(STABILITY_TIME_UNIT_REFUSED.format(source=source, unit=repr(written)))
    return unit


def _with_unit(frame: pd.DataFrame, after: str, unit: str) -> pd.DataFrame:
    """``frame`` with a ``time_unit`` column right after its column ``after`` (at the end without it)."""
    if frame.empty:
        return frame
    names = [str(c) for c in frame.columns]
    frame.insert(names.index(after) + 1 if after in names else len(names), "time_unit", unit)
    return frame


@dataclass(frozen=True, repr=False)
class StabilityTable(ResultMixin):
    """``table``: one row per attribute, condition and product (decision flow, shelf life);
    ``lots``: one row per lot (regression, fitted line, lot shelf life); ``slopes``: one row per
    attribute and condition with the slope-difference equivalence; ``settings``: what was used;
    ``fits``: ``(attribute, condition, product, StabilityResult)`` per analysis (for plots).

    Attributes
    ----------
    table : pandas.DataFrame
        One row per attribute, condition and product: ``attribute``, ``condition``, ``product`` and
        the columns of :meth:`StabilityResult.summary_row` (model, lots, F tests and p values,
        pooling, common slope, limits, shelf life, worst lot, flags).
    lots : pandas.DataFrame
        One row per lot (:meth:`StabilityResult.to_frame` plus ``product``): own intercept, slope
        and its SE, the chosen model's line and the lot's shelf life.
    slopes : pandas.DataFrame
        One row per attribute and condition where both products are present: the fields of
        :class:`SlopeComparison`, with ``passed`` named ``equivalent``.
    settings : dict
        ``confidence``, ``alpha_pool``, ``max_time``, ``dids_variance``, ``test``, ``reference``,
        ``slope_alpha``, ``time_unit`` (the unit of ``time``, of every shelf life and of the slopes'
        "per time unit"; each of the three tables has it as a ``time_unit`` column).
    fits : tuple of (str, str, str, StabilityResult), default ()
        ``(attribute, condition, product, result)`` for every fit, in table order.
    software_version : str
        bioparity version that produced the table.
    """

    SETTINGS = ("settings",)
    REPR_FIELDS = ("table", "lots", "slopes", "settings")

    table: pd.DataFrame
    lots: pd.DataFrame
    slopes: pd.DataFrame
    settings: dict[str, Any]
    fits: tuple[tuple[str, str, str, StabilityResult], ...] = ()
    software_version: str = field(default_factory=software_version)

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def to_dict(self) -> dict[str, Any]:
        return json_record(
            {
                "table": self.table,
                "lots": self.lots,
                "slopes": self.slopes,
                "settings": dict(self.settings),
                "software_version": self.software_version,
            }
        )

    def summary(self) -> str:
        t = self.table
        unit = self.settings.get("time_unit", "")
        head = (
            f"Stability of {t['attribute'].nunique()} attribute(s) x {t['condition'].nunique()} "
            f"condition(s), {t['product'].nunique()} products: {len(t)} analyses"
        )
        rows = [
            " ".join(f"{r['attribute']} {r['condition']} {r['product']}:".split())
            + f" shelf life {r['shelf_life']:.3g} {unit} ({r['pooling']})"
            for r in t.to_dict(orient="records")
        ]
        rows += [
            " ".join(f"{r['attribute']} {r['condition']}".split()) + f" slopes: {verdict(r['equivalent'])}"
            for r in self.slopes.to_dict(orient="records")
        ]
        return with_rows(head, rows)


def _repeated(sub: pd.DataFrame) -> str:
    """The results of one attribute x condition x product that repeat another exactly (lot, time, value),
    as ``lot B1 at 3 (rows 11, 41)`` (rows when ``sub`` has the reader's ``row``); empty when none."""
    keys = ["lot", "time", "value"]
    dup = sub[sub.duplicated(keys, keep=False)]
    if dup.empty:
        return ""
    places = []
    for (lot, time, _value), rows in dup.groupby(keys, sort=False):
        where = f"lot {lot} at {time:g}"
        if "row" in rows.columns:
            where += " (rows " + ", ".join(str(int(r)) for r in rows["row"]) + ")"
        places.append(where)
    return ", ".join(places)


def stability_table(
    data: pd.DataFrame,
    attributes: Mapping[str, Mapping[str, Any]],
    *,
    confidence: float = 0.95,
    alpha_pool: float = 0.25,
    max_time: float | None = None,
    dids_variance: str = "separate",
    test: str = "test",
    reference: str = "reference",
    slope_alpha: float = 0.05,
    time_unit: str = DEFAULT_TIME_UNIT,
    long_term: str | None = None,
) -> StabilityTable:
    """Analyse ``data`` (columns ``attribute, lot, time, value`` [+ ``product``, ``condition``]).

    ``attributes`` maps each attribute to ``{lower, upper, model, slope_margin}``; an attribute of the
    data without an entry is an error (its acceptance criterion is needed for a shelf life).

    Parameters
    ----------
    data : pandas.DataFrame
        One row per result: ``attribute``, ``lot``, ``time`` (>= 0) and ``value``, optionally
        ``product`` (default one product named ``product``) and ``condition`` (default ``""``).
    attributes : mapping of str to mapping
        Specification per attribute: ``lower`` and/or ``upper`` acceptance criteria, ``model``
        (``linear`` by default, or ``log``) and ``slope_margin`` (equivalence margin on the slope
        difference, per time unit; optional).
    confidence : float, default 0.95
        Confidence level of the shelf-life bound: one-sided with one criterion, two-sided limits with
        both (ICH Q1E Appendix B.1).
    alpha_pool : float, default 0.25
        Level of the ICH Q1E poolability tests.
    max_time : float or None, default None
        End of the search for the crossing; default five times the last time point of each fit
        (attribute, condition and product).
    dids_variance : str, default "separate"
        ``separate`` or ``pooled`` variance when lots are not pooled (see :func:`fit_stability`).
    test : str, default "test"
        Product label of the proposed product.
    reference : str, default "reference"
        Product label of the reference product; the slopes are compared when both are present.
    slope_alpha : float, default 0.05
        Level of each one-sided test of the slope comparison (a 90 % interval).
    time_unit : str, default "months"
        Unit of ``time`` (:func:`stability_time_unit`: hours, days, weeks, months or years); it changes
        no number, it is written beside them: the ``time_unit`` column of each table (after
        ``shelf_life``, ``lot_shelf_life`` and the slope ``margin``) and ``settings``.
    long_term : str or None, default None
        The long-term (recommended storage) condition, one of the data's ``condition`` values. With it the
        results table gets :data:`ROLE` (``long-term`` for that condition's rows, ``supportive`` for every
        other condition: accelerated and stress data support the claim, they do not make it) and
        :data:`CLAIM`, the long-term row's ``supported_shelf_life`` (:func:`with_long_term`); ``settings``
        records it. Without it the table is as before (no such columns, no such setting).

    Returns
    -------
    StabilityTable
        The per-product summary, the per-lot rows, the slope comparisons and every fit.

    Raises
    ------
    InputError
        When ``time_unit`` is not a time unit of a stability study, an attribute of the data has no
        specification, or for any problem of
        :func:`fit_stability` or :func:`compare_slopes`.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> t = np.tile([0, 3, 6, 9, 12.0], 6)
    >>> data = pd.DataFrame({"attribute": "purity", "lot": np.repeat(list("ABCDEF"), 5), "time": t,
    ...                      "value": 100 - np.repeat([0.50, 0.52, 0.48, 0.55, 0.53, 0.51], 5) * t,
    ...                      "product": np.repeat(["test"] * 3 + ["reference"] * 3, 5)})
    >>> data["value"] += np.tile([0.2, -0.1, 0.0, 0.1, -0.2, 0.1, -0.2, 0.0, 0.2, -0.1], 3)
    >>> result = stability_table(data, {"purity": {"lower": 90, "slope_margin": 0.1}})
    >>> result.table[["product", "pooling"]].values.tolist(), result.slopes["equivalent"].tolist()
    ([['test', 'dics'], ['reference', 'dids']], [True])
    """
    unit = stability_time_unit(time_unit)
    frame = data.copy()
    for col, default in (("product", "product"), ("condition", "")):
        if col not in frame.columns:
            frame[col] = default
    if long_term is not None:
        check_long_term(frame["condition"], long_term)  # before any fit
    unknown = sorted(set(frame["attribute"]) - set(attributes))
    if unknown:
        raise InputError(NO_SPECIFICATION_ENTRY.format(attributes=", ".join(unknown)))
    summary: list[dict[str, Any]] = []
    lots: list[pd.DataFrame] = []
    fits: list[tuple[str, str, str, StabilityResult]] = []
    slopes: list[dict[str, Any]] = []
    for (attr, cond), group in frame.groupby(["attribute", "condition"], sort=False):
        spec = attributes[str(attr)]
        model = str(spec.get("model", "linear"))
        for prod, sub in group.groupby("product", sort=False):
            res = fit_stability(
                sub["time"].to_numpy(float),
                sub["value"].to_numpy(float),
                sub["lot"].to_numpy(object),
                lower=spec.get("lower"),
                upper=spec.get("upper"),
                model=model,
                confidence=confidence,
                alpha_pool=alpha_pool,
                dids_variance=dids_variance,
                max_time=max_time,
                attribute=str(attr),
                condition=str(cond),
                time_unit=unit,
            )
            if places := _repeated(sub):
                res = replace(res, flags=(*res.flags, REPEATED_RESULTS.format(places=places)))
            row = res.summary_row()
            summary.append(
                {"attribute": row.pop("attribute"), "condition": row.pop("condition"), "product": prod} | row
            )
            lots.append(res.to_frame().assign(product=prod))
            fits.append((str(attr), str(cond), str(prod), res))
        present = set(group["product"])
        if test in present and reference in present:
            cmp = compare_slopes(
                group["time"].to_numpy(float),
                group["value"].to_numpy(float),
                group["lot"].to_numpy(object),
                group["product"].to_numpy(object),
                test=test,
                reference=reference,
                margin=spec.get("slope_margin"),
                alpha=slope_alpha,
                model=model,
                attribute=str(attr),
                condition=str(cond),
            )
            row = {("equivalent" if k == "passed" else k): v for k, v in cmp.plain_dict().items()}
            row["flags"] = "; ".join(cmp.flags)
            slopes.append(row)
    settings = {
        "confidence": confidence,
        "alpha_pool": alpha_pool,
        "max_time": max_time,
        "dids_variance": dids_variance,
        "test": test,
        "reference": reference,
        "slope_alpha": slope_alpha,
        "time_unit": unit,
    } | ({"long_term": long_term} if long_term is not None else {})
    table = _with_unit(pd.DataFrame(summary), "shelf_life", unit)
    return StabilityTable(
        table=table if long_term is None else with_long_term(table, long_term),
        lots=_with_unit(
            pd.concat(lots, ignore_index=True) if lots else pd.DataFrame(), "lot_shelf_life", unit
        ),
        slopes=_with_unit(pd.DataFrame(slopes), "margin", unit),
        settings=settings,
        fits=tuple(fits),
    )


def check_long_term(conditions: Any, long_term: str) -> None:
    """Refuse a ``long_term`` condition that is none of the data's ``condition`` values (column and values
    found named), before any analysis.

    Examples
    --------
    >>> check_long_term(["5C", "25C"], "5C")
    >>> check_long_term(["5C", "25C"], "2-8C")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    bioparity.errors.InputError: long-term condition '2-8C' is not in column 'condition'; values found: 25C...
    """
    found = sorted({str(c) for c in conditions})
    if str(long_term) not in found:
        raise InputError(
            LONG_TERM_NOT_FOUND.format(
                condition=repr(long_term), values=", ".join(v if v else "(blank)" for v in found)
            )
        )


def with_long_term(table: pd.DataFrame, long_term: str) -> pd.DataFrame:
    """The results ``table`` (one row per attribute, condition and product) with :data:`ROLE` and
    :data:`CLAIM`: the shelf-life claim of an attribute and product rests on the long-term (recommended
    storage) condition's real-time data, its ``supported_shelf_life`` (ICH Q5C, real-time/real-temperature
    data at the proposed storage condition: section number not verified; ICH Q1E, extrapolation from
    long-term data, accelerated data supportive: section number not verified); accelerated and stress
    conditions are supportive and claim nothing. The other columns unchanged.

    Examples
    --------
    >>> t = pd.DataFrame({"attribute": ["p", "p"], "condition": ["5C", "40C"], "product": ["x", "x"],
    ...                   "supported_shelf_life": [24.0, 3.0]})
    >>> with_long_term(t, "5C")[["role", "shelf_life_claim"]].values.tolist()
    [['long-term', 24.0], ['supportive', nan]]
    """
    out = table.copy()
    if out.empty:
        return out
    mine = out["condition"].astype(str) == str(long_term)
    out[ROLE] = [LONG_TERM if m else SUPPORTIVE for m in mine]
    out[CLAIM] = out["supported_shelf_life"].where(mine)
    return out
