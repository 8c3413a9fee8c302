"""Validation and broadcasting of the inputs of the clinical cores.

The numerical functions assume clean arrays; every domain check lives here and names the parameter,
the first offending scenario and what was expected (a :class:`~bioparity.errors.ScenarioError`).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import special

from bioparity._results import fixed, values_text
from bioparity.arrays import FloatArray, IntArray, as_float, broadcast_named, broadcast_shape
from bioparity.errors import InputError
from bioparity.power.scenarios import check

__all__ = [
    "as_float",
    "broadcast",
    "check",
    "check_conf",
    "counts",
    "flat_tables",
    "method_name",
    "table_fields",
    "tables_and_level",
    "tables_text",
    "z_two_sided",
]


def broadcast(**arrays: npt.ArrayLike) -> list[FloatArray]:
    """Float arrays broadcast to one shape (copies), in the order given; an InputError names the shapes."""
    shaped = broadcast_named(**{name: as_float(name, v) for name, v in arrays.items()})
    return [np.array(v, dtype=float) for v in shaped]


def counts(
    x1: npt.ArrayLike, n1: npt.ArrayLike, x2: npt.ArrayLike, n2: npt.ArrayLike
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Broadcast two binomial samples (``x_i`` successes of ``n_i``); check 0 <= x <= n, n >= 1, whole."""
    a, b, c, d = broadcast(x1=x1, n1=n1, x2=x2, n2=n2)
    for name, x, n in (("1", a, b), ("2", c, d)):
        check(
            np.isfinite(n) & (n >= 1) & (n == np.round(n)), f"n{name}", n, "a whole number of subjects >= 1"
        )
        check(
            np.isfinite(x) & (x >= 0) & (x == np.round(x)),
            f"x{name}",
            x,
            "a whole number of responders >= 0",
        )
        check(x <= n, f"x{name}", x, f"at most n{name} responders")
    return a, b, c, d


def check_conf(conf: npt.ArrayLike, name: str = "conf") -> FloatArray:
    """A confidence level strictly between 0 and 1 (0.95 for a 95% CI)."""
    c = as_float(name, conf)
    check(np.isfinite(c) & (c > 0) & (c < 1), name, c, "a confidence level between 0 and 1 (0.90 or 0.95)")
    return c


def z_two_sided(conf: npt.ArrayLike) -> FloatArray:
    """``z`` with ``P(|Z| <= z) = conf``: the critical value of a two-sided ``conf`` interval."""
    level = np.asarray(conf, dtype=float)
    if level.size > 1 and bool((level == level.flat[0]).all()):  # one level for all (the usual case)
        return np.full(level.shape, special.ndtri(0.5 + 0.5 * level.flat[0]))
    return np.asarray(special.ndtri(0.5 + 0.5 * level), dtype=float)


def method_name(method: str, methods: Collection[str], what: str = "") -> str:
    """``method`` stripped and lower-cased, checked against ``methods``; ``what`` (e.g. "for a ratio of
    proportions") completes the error message."""
    name = str(method).strip().lower()
    if name not in methods:
        context = f" {what}" if what else ""
        raise InputError(f"unknown method {method!r}{context}; expected one of {', '.join(methods)}")
    return name


def tables_and_level(
    x1: npt.ArrayLike, n1: npt.ArrayLike, x2: npt.ArrayLike, n2: npt.ArrayLike, conf: npt.ArrayLike
) -> list[FloatArray]:
    """Checked 2x2 tables (:func:`counts`) and a checked confidence level, broadcast to one shape."""
    a, b, c, d = counts(x1, n1, x2, n2)
    level = check_conf(conf)
    if (
        broadcast_shape(tables=a.shape, conf=level.shape) == a.shape
    ):  # the tables are copies of that shape already
        return [a, b, c, d, np.array(np.broadcast_to(level, a.shape), dtype=float)]
    return broadcast(x1=a, n1=b, x2=c, n2=d, conf=level)


def table_fields(
    a: FloatArray, b: FloatArray, c: FloatArray, d: FloatArray, level: FloatArray, method: str
) -> dict[str, Any]:
    """The fields an interval for two proportions reports about its tables: ``p1, p2, x1, n1, x2, n2,
    conf_level, method``."""
    return {
        "p1": np.asarray(a / b),
        "p2": np.asarray(c / d),
        "x1": a.astype(np.int64),
        "n1": b.astype(np.int64),
        "x2": c.astype(np.int64),
        "n2": d.astype(np.int64),
        "conf_level": level,
        "method": method,
    }


def tables_text(
    p1: FloatArray, x1: IntArray, n1: IntArray, p2: FloatArray, x2: IntArray, n2: IntArray
) -> str:
    """The two groups' proportions and counts as a summary states them (the fields of :func:`table_fields`).

    Parameters
    ----------
    p1, x1, n1 : numpy.ndarray
        Proportion, responders and subjects of group 1.
    p2, x2, n2 : numpy.ndarray
        The same for group 2.

    Returns
    -------
    str
        ``"p1 P1 (X1 of N1), p2 P2 (X2 of N2)"``, proportions with :func:`fixed` decimals.
    """
    return (
        f"p1 {values_text(p1, fixed)} ({values_text(x1)} of {values_text(n1)}), "
        f"p2 {values_text(p2, fixed)} ({values_text(x2)} of {values_text(n2)})"
    )


def flat_tables(
    x1: FloatArray, n1: FloatArray, x2: FloatArray, n2: FloatArray, z: FloatArray
) -> tuple[tuple[int, ...], list[FloatArray]]:
    """Tables and critical values broadcast together: their shape and the flattened float arrays."""
    arrays = [np.asarray(v, dtype=float) for v in np.broadcast_arrays(x1, n1, x2, n2, z)]
    return arrays[0].shape, [v.ravel() for v in arrays]
