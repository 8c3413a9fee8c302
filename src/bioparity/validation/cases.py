"""One validation case: a quantity computed by bioparity compared with a value computed by someone else."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class CaseResult:
    """Expected (reference) against observed (bioparity), with the tolerance and the verdict.

    ``comparison`` is ``abs`` (``|observed - expected| <= tolerance``), ``rel``
    (``|observed - expected| <= tolerance * |expected|``), ``exact`` (equal) or ``max-below``
    (``0 <= expected - observed <= tolerance``, to 1e-9: a table that rounds up).

    Attributes
    ----------
    area : str
        Validation area (``power``, ``nca``, ``be``, ...).
    reference : str
        The reference set the expected value comes from (a name in ``MANIFEST.yaml``).
    case : str
        The case within the reference set (data set, design, scenario).
    quantity : str
        What is compared (e.g. ``PE (%)``, ``n``).
    expected : float or str
        The reference value.
    observed : float or str
        bioparity's value.
    tolerance : float
        Allowed deviation, in the sense of ``comparison``.
    comparison : str
        ``abs``, ``rel``, ``exact`` or ``max-below``.
    passed : bool
        Whether ``observed`` agrees with ``expected`` within ``tolerance``.
    """

    area: str
    reference: str
    case: str
    quantity: str
    expected: float | str
    observed: float | str
    tolerance: float
    comparison: str
    passed: bool

    @property
    def deviation(self) -> float | None:
        """``observed - expected`` for numbers, None for categorical values."""
        if isinstance(self.expected, str) or isinstance(self.observed, str):
            return None
        if math.isnan(self.expected) or math.isnan(self.observed):
            return None
        return float(self.observed) - float(self.expected)


def compare(
    area: str,
    reference: str,
    case: str,
    quantity: str,
    expected: float | str,
    observed: float | str,
    tolerance: float = 0.0,
    comparison: str = "abs",
) -> CaseResult:
    """A :class:`CaseResult` with pass/fail decided by ``comparison`` (NaN passes only against NaN).

    Parameters
    ----------
    area, reference, case, quantity : str
        Labels of the case (see :class:`CaseResult`).
    expected : float or str
        The reference value; a string is compared exactly.
    observed : float or str
        bioparity's value.
    tolerance : float, default 0.0
        Allowed deviation.
    comparison : str, default "abs"
        ``abs`` (``|o - e| <= tol``), ``rel`` (``|o - e| <= tol |e|``), ``exact`` or ``max-below``
        (``0 <= e - o <= tol``, to 1e-9).

    Returns
    -------
    CaseResult
        The case with its verdict ``passed``.
    """
    if isinstance(expected, str) or isinstance(observed, str) or comparison == "exact":
        passed = _same(expected, observed)
    else:
        e, o = float(expected), float(observed)
        if math.isnan(e) or math.isnan(o):
            passed = math.isnan(e) and math.isnan(o)
        elif comparison == "rel":
            passed = abs(o - e) <= tolerance * abs(e)
        elif comparison == "max-below":
            passed = -1e-9 <= e - o <= tolerance  # a table rounded up: 0 <= table - exact < 1 unit
        else:
            passed = abs(o - e) <= tolerance
    return CaseResult(
        area,
        reference,
        case,
        quantity,
        _plain(expected),
        _plain(observed),
        tolerance,
        comparison,
        bool(passed),
    )


def _plain(value: float | str) -> float | str:
    return value if isinstance(value, str) else float(value)


def _same(a: float | str, b: float | str) -> bool:
    if isinstance(a, str) or isinstance(b, str):
        return str(a) == str(b)
    return (math.isnan(a) and math.isnan(b)) or float(a) == float(b)
