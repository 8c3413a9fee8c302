"""Shared behaviour of bioparity's immutable result objects, and the one vocabulary they use.

Every computation returns a frozen dataclass that mixes in :class:`ResultMixin`: the numbers,
the settings used and the software version, exportable with ``to_dict()`` and ``to_frame()`` and
described in words by ``summary()``.

Vocabulary (every public result class follows it; ``tests/test_result_contract.py`` checks the classes):

``ci_lower`` / ``ci_upper``
    Bounds of a two-sided confidence interval (``<name>_ci_lower`` / ``<name>_ci_upper`` for a second
    interval in the same result, e.g. ``prevalence_ci_lower``).
``conf_level``
    Two-sided confidence level of that interval, as a fraction (0.90, 0.95).
``alpha``
    Only the significance level of a test, stated where it is used: for the two one-sided tests (TOST)
    the one-sided level of each test (alpha 0.05 is the 90% CI criterion, ``conf_level = 1 - 2 alpha``,
    Schuirmann 1987); elsewhere the level of a named test (homogeneity, poolability, validity).
``confidence``
    The level of a one-sided bound or of a tolerance interval (ICH Q1E appendix B; Howe 1969), never of
    a two-sided CI.
``lower_limit`` / ``upper_limit``
    Acceptance or specification limits the estimate or interval is compared with;
    ``margin_lower`` / ``margin_upper`` are equivalence margins on the scale of a difference or ratio.
``passed``
    The pass/fail verdict (a bool, or None where no verdict applies, e.g. not evaluable).
Ratios and CVs
    Fractions in the objects (a geometric mean ratio of 96.58% is ``0.9658``, a CV of 30% is ``0.30``);
    percent appears only in presentation (``to_frame()`` tables, command-line output, reports) and in
    fields whose name says so (``*_percent``).

JSON: ``to_dict()`` returns plain Python values that ``json.dumps(..., allow_nan=False)`` accepts: NaN
becomes ``None`` and an infinity the string ``"inf"`` or ``"-inf"`` (which ``float()`` reads back).
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from bioparity import __version__


def plain(value: Any) -> Any:
    """Convert NumPy values (and containers of them) to JSON-friendly Python values."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    return value


def json_safe(value: Any) -> Any:
    """:func:`plain` values made strict JSON: NaN -> None, +/-inf -> ``"inf"``/``"-inf"``, recursively.

    Data frames become lists of records and pandas' missing values (``NA``, ``NaT``) None.
    """
    if isinstance(value, pd.DataFrame):
        return json_safe(value.to_dict(orient="records"))
    value = plain(value)
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return value
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [json_safe(v) for v in value]
    if value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    return value


def json_record(record: dict[str, Any], counts: tuple[str, ...] = ()) -> dict[str, Any]:
    """:func:`json_safe` of a record (the ``to_dict()`` of a result), the values of the keys ``counts``
    (in nested records too) written as whole numbers (:func:`whole_counts`)."""
    out: dict[str, Any] = whole_counts(json_safe(record), counts)
    return out


def whole_counts(value: Any, counts: tuple[str, ...]) -> Any:
    """``value`` with each float under a key of ``counts`` that is a whole number written as an int, in
    nested records and lists (a count of lots stored in a float column, beside NaN where it does not
    apply, is ``5`` in the JSON, not ``5.0``); other values unchanged.

    Examples
    --------
    >>> whole_counts({"n_inside": 5.0, "rows": [{"n_inside": None}, {"n_inside": [2.0]}]}, ("n_inside",))
    {'n_inside': 5, 'rows': [{'n_inside': None}, {'n_inside': [2]}]}
    """
    if not counts:
        return value
    if isinstance(value, dict):
        return {k: _whole(v) if k in counts else whole_counts(v, counts) for k, v in value.items()}
    if isinstance(value, list):
        return [whole_counts(v, counts) for v in value]
    return value


def _whole(value: Any) -> Any:
    if isinstance(value, list):
        return [_whole(v) for v in value]
    return int(value) if isinstance(value, float) and value.is_integer() else value


class ResultMixin:
    """``to_dict``, ``to_frame``, ``summary`` and a short ``repr`` for frozen result dataclasses.

    Array fields of one common shape become the columns of ``to_frame()``; scalar fields
    (settings) are repeated on every row so that each row is self-describing. ``SETTINGS`` names the
    fields that hold the options the result was computed with (checked by the contract test).
    """

    software_version: str
    #: Fields holding the options that produced the result (every class lists its own).
    SETTINGS: ClassVar[tuple[str, ...]] = ()
    #: Fields shown by ``repr`` where a class narrows them (empty: every field but the version).
    REPR_FIELDS: ClassVar[tuple[str, ...]] = ()
    #: Count fields stored as floats (NaN where a count does not apply), written as ints by :meth:`to_dict`.
    COUNTS: ClassVar[tuple[str, ...]] = ()

    def plain_dict(self) -> dict[str, Any]:
        """All fields as plain Python values (lists for arrays), NaN and infinities kept as floats: the
        values for tables; :meth:`to_dict` is the strict-JSON form."""
        assert dataclasses.is_dataclass(self)
        return {f.name: plain(getattr(self, f.name)) for f in dataclasses.fields(self)}

    def to_dict(self) -> dict[str, Any]:
        """All fields as plain Python values, strict JSON (NaN -> None, infinities as ``"inf"``)."""
        return json_record(self.plain_dict(), self.COUNTS)

    def to_frame(self) -> pd.DataFrame:
        """One row per scenario: array fields as columns, scalar settings repeated."""
        assert dataclasses.is_dataclass(self)
        columns: dict[str, Any] = {}
        shape: tuple[int, ...] | None = None
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if isinstance(value, np.ndarray) and value.ndim > 0:
                shape = value.shape if shape is None else shape
                columns[f.name] = value.ravel()
            else:
                columns[f.name] = plain(value)
        if shape is None:
            return pd.DataFrame([columns])
        return pd.DataFrame(columns, index=pd.RangeIndex(int(np.prod(shape))))

    def _table_record(self, **settings: Any) -> dict[str, Any]:
        """``to_dict()`` of a result whose numbers are its long table: the settings, ``records`` (the rows
        of ``to_frame()``) and the software version, strict JSON."""
        return json_record(
            {**settings, "records": self.to_frame(), "software_version": self.software_version}
        )

    def summary(self) -> str:
        """A few readable lines: what was computed, the verdict and the key numbers with units."""
        raise NotImplementedError(f"{type(self).__name__} has no summary()")

    def _repr_fields(self) -> list[str]:
        """Field names shown by ``repr``: :attr:`REPR_FIELDS` where a class sets it, else every field but
        the version; subclasses may narrow it further."""
        assert dataclasses.is_dataclass(self)
        if self.REPR_FIELDS:
            return list(self.REPR_FIELDS)
        return [f.name for f in dataclasses.fields(self) if f.name != "software_version"]

    def __repr__(self) -> str:
        for most in (6, 1):  # arrays of up to 6 values in full, unless the line gets long
            parts = [f"{name}={_short(getattr(self, name), most)}" for name in self._repr_fields()]
            text = f"{type(self).__name__}({', '.join(parts)})"
            if len(text) <= 300:
                break
        return text


def _short(value: Any, most: int = 6) -> str:
    """A one-line ``repr`` of a field: long arrays, sequences, tables and texts are abbreviated."""
    if isinstance(value, np.ndarray):
        if value.size == 1:
            return repr(value.item())
        if value.size <= most:
            return " ".join(np.array2string(value, precision=6, separator=", ").split())
        return f"<{value.size} values>"
    if isinstance(value, pd.DataFrame):
        return f"<table {value.shape[0]} x {value.shape[1]}>"
    if isinstance(value, (tuple, list)) and len(value) > max(most, 3):
        return f"<{len(value)} items>"
    if isinstance(value, dict) and len(value) > 6:
        return f"<{len(value)} entries>"
    if isinstance(value, ResultMixin):
        return f"<{type(value).__name__}>"
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def software_version() -> str:
    """The bioparity version string recorded in every result."""
    return __version__


# --- wording shared by the summaries ----------------------------------------------------------------


def percent(value: Any, digits: int = 2) -> str:
    """A fraction as percent text (``0.96583 -> '96.58%'``); ``n/a`` for None or NaN."""
    if value is None:
        return "n/a"
    x = float(value)
    if math.isnan(x):
        return "n/a"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return f"{100.0 * x:.{digits}f}%"


def share_percent(value: Any) -> str:
    """A share of a count (``hi / n``) as whole percent, never misleading at the ends: a share that is
    not zero (or not all) but rounds to 0% (or 100%) gets one decimal, and ``<0.1%`` (``>99.9%``) when
    even that rounds to the end (1 of 201 subjects is ``0.5%``, not ``0%``); ``n/a`` for None or NaN.

    Examples
    --------
    >>> share_percent(3 / 119), share_percent(1 / 201), share_percent(199 / 200), share_percent(0.0)
    ('3%', '0.5%', '99.5%', '0%')
    >>> share_percent(1 / 2001), share_percent(2000 / 2001), share_percent(1.0), share_percent(None)
    ('<0.1%', '>99.9%', '100%', 'n/a')
    """
    if value is None or math.isnan(float(value)):
        return "n/a"
    x = 100.0 * float(value)
    whole = f"{x:.0f}"
    if 0.0 < x < 100.0 and whole in {"0", "100"}:
        tenth = f"{x:.1f}"
        if tenth == "0.0":
            return "<0.1%"
        if tenth == "100.0":
            return ">99.9%"
        return f"{tenth}%"
    return f"{whole}%"


def number(value: Any, digits: int = 4) -> str:
    """A number with ``digits`` significant digits; ``n/a`` for None or NaN."""
    if value is None:
        return "n/a"
    x = float(value)
    return "n/a" if math.isnan(x) else f"{x:.{digits}g}"


def verdict(passed: Any) -> str:
    """``PASS``, ``FAIL`` or ``not evaluated`` (None)."""
    if passed is None:
        return "not evaluated"
    return "PASS" if bool(passed) else "FAIL"


def values_text(values: Any, show: Any = number) -> str:
    """One value (also when every scenario has the same), or ``min to max`` over scenarios (NaN ignored)."""
    arr = np.asarray(values)
    if arr.dtype.kind in "fciub":
        finite = arr[np.isfinite(arr)] if arr.dtype.kind in "fc" else arr.ravel()
        if finite.size == 0:
            return "n/a"
        low, high = finite.min(), finite.max()
        return str(show(low.item())) if low == high else f"{show(low.item())} to {show(high.item())}"
    distinct = list(dict.fromkeys(str(v) for v in arr.ravel()))
    return ", ".join(distinct[:6]) + (f" (+{len(distinct) - 6} more)" if len(distinct) > 6 else "")


def count_passed(passed: Any) -> str:
    """Verdict of one scenario, or ``k of n pass`` over an array of scenarios."""
    arr = np.asarray(passed, dtype=bool)
    if arr.size == 1:
        return verdict(bool(arr.item()))
    return f"{int(arr.sum())} of {arr.size} scenarios pass"


def scenarios(values: Any) -> str:
    """``", k scenarios"`` for an array of ``k > 1`` scenarios, else ``""``."""
    size = int(np.asarray(values).size)
    return f", {size} scenarios" if size > 1 else ""


def fixed(value: Any, digits: int = 4) -> str:
    """A number with ``digits`` decimals; ``n/a`` for None or NaN."""
    if value is None or math.isnan(float(value)):
        return "n/a"
    return f"{float(value):.{digits}f}"


def interval_text(estimate: Any, ci_lower: Any, ci_upper: Any, conf_level: Any, show: Any = fixed) -> str:
    """``est, 95% CI lo to hi`` for one scenario; ranges over the scenarios otherwise."""
    level = values_text(conf_level, lambda c: f"{100 * c:g}%")
    if np.asarray(estimate).size == 1:
        est, lo, hi = (np.asarray(v).item() for v in (estimate, ci_lower, ci_upper))
        return f"{show(est)}, {level} CI {show(lo)} to {show(hi)}"
    return (
        f"{values_text(estimate, show)}\n{level} CI lower limits {values_text(ci_lower, show)}, "
        f"upper limits {values_text(ci_upper, show)}"
    )


def with_rows(head: str, rows: list[str], limit: int = 4) -> str:
    """``head`` and at most ``limit`` rows, one per line (``... k more rows`` after them)."""
    more = [f"... {len(rows) - limit} more rows"] if len(rows) > limit else []
    return "\n".join([head, *rows[:limit], *more])
