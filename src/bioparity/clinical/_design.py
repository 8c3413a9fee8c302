"""Checks of the settings of a two-group equivalence design: margins, the TOST level, group sizes, target
power and allocation (power and sample size of :mod:`~bioparity.clinical.sample_size_means` and
:mod:`~bioparity.clinical.sample_size_proportions`, and the equivalence decision).

Each names the parameter, the first offending scenario and what was expected (a
:class:`~bioparity.errors.ScenarioError`); the level is that of each of the two one-sided tests
(Schuirmann 1987).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from bioparity._results import fixed, values_text
from bioparity.arrays import FloatArray, IntArray
from bioparity.clinical._checks import check

__all__ = [
    "allocated_n1",
    "allocation_text",
    "check_group_sizes",
    "check_inside_margins",
    "check_margins",
    "check_proportion_difference_margins",
    "check_ratio_margins",
    "check_target",
    "check_tost_alpha",
    "found_text",
    "margins_text",
    "power_fields",
    "sample_size_fields",
]


def check_margins(lower: FloatArray, upper: FloatArray) -> None:
    """Equivalence margins: finite, ``margin_lower < margin_upper`` (the error names ``margin_upper``)."""
    check(
        np.isfinite(lower) & np.isfinite(upper) & (lower < upper),
        "margin_upper",
        upper,
        "margin_upper > margin_lower",
    )


def check_inside_margins(name: str, true: FloatArray, lower: FloatArray, upper: FloatArray) -> None:
    """The true difference of a sample-size search, strictly inside the margins: the message gives the
    difference (``name``, e.g. ``p1 - p2``) and the margins of the first scenario where it is not."""
    inside = np.asarray((true > lower) & (upper > true))
    if inside.all():
        return
    first = int(np.argmax(~inside.ravel()))
    lo, hi = (float(np.broadcast_to(m, inside.shape).ravel()[first]) for m in (lower, upper))
    check(inside, name, np.round(true, 12), f"a true difference strictly inside the margins ({lo:g}, {hi:g})")


def check_proportion_difference_margins(lower: FloatArray, upper: FloatArray) -> None:
    """Margins of a difference of proportions ``p1 - p2``: fractions within [-1, 1].

    ``p1 - p2`` cannot leave [-1, 1], so a margin outside it (15 typed for 15 percentage points) makes the
    equivalence test pass for almost any data and a sample size of 1 per group "reach" any power.
    """
    for name, margin in (("margin_lower", lower), ("margin_upper", upper)):
        check(
            (margin >= -1.0) & (margin <= 1.0),
            name,
            margin,
            "a margin of p1 - p2 as a fraction between -1 and 1 (0.15 for 15 percentage points)",
        )


def check_ratio_margins(lower: FloatArray) -> None:
    """Margins of a ratio ``p1 / p2``: ratios, so the lower one is > 0 (e.g. 0.8 and 1.25)."""
    check(lower > 0, "margin_lower", lower, "a ratio margin > 0 (e.g. 0.8 with margin_upper 1.25)")


def check_tost_alpha(alpha: FloatArray) -> None:
    """The one-sided level of each of the two one-sided tests, in (0, 0.5) (Schuirmann 1987)."""
    check((alpha > 0) & (alpha < 0.5), "alpha", alpha, "0 < alpha < 0.5 (0.05: 90% CI; 0.025: 95% CI)")


def check_group_sizes(n1: FloatArray, n2: FloatArray, minimum: int) -> None:
    """Subjects per group: whole numbers of at least ``minimum``."""
    for label, k in (("n1", n1), ("n2", n2)):
        check(
            np.isfinite(k) & (k >= minimum) & (k == np.round(k)),
            label,
            k,
            f"a whole number of subjects >= {minimum}",
        )


def check_target(power: FloatArray, ratio: FloatArray) -> None:
    """A target power in (0, 1) and an allocation ratio ``n1/n2 > 0`` (sample-size searches)."""
    check(np.isfinite(power) & (power > 0) & (power < 1), "target_power", power, "a probability in (0, 1)")
    check(np.isfinite(ratio) & (ratio > 0), "ratio", ratio, "an allocation ratio n1/n2 > 0")


def allocated_n1(ratio: FloatArray, n2: IntArray, minimum: int) -> IntArray:
    """Group 1's size for the allocation ``ratio = n1/n2``: ``ceil(ratio n2)``, at least ``minimum``.

    The ``1e-9`` keeps an exact product such as ``1.1 x 10`` (``11.000000000000002`` in floating point) at 11.
    """
    return np.maximum(np.ceil(ratio * n2 - 1e-9), minimum).astype(np.int64)


def power_fields(
    n1: FloatArray, n2: FloatArray, lower: FloatArray, upper: FloatArray, alpha: FloatArray
) -> dict[str, Any]:
    """The design fields of a power result: group sizes (as integers), margins and the TOST level."""
    return {
        "n1": n1.astype(np.int64),
        "n2": n2.astype(np.int64),
        "margin_lower": lower,
        "margin_upper": upper,
        "alpha": alpha,
    }


def margins_text(lower: FloatArray, upper: FloatArray, alpha: FloatArray) -> str:
    """The margins and the TOST level as a summary states them.

    Parameters
    ----------
    lower, upper : numpy.ndarray of float
        Equivalence margins (``margin_lower``, ``margin_upper``) of the scenarios.
    alpha : numpy.ndarray of float
        One-sided level of each of the two one-sided tests.

    Returns
    -------
    str
        ``"margins L to U; alpha A per one-sided test"`` with each value as :func:`values_text` shows it.
    """
    return (
        f"margins {values_text(lower)} to {values_text(upper)}; alpha {values_text(alpha)} per one-sided test"
    )


def found_text(n1: IntArray, n2: IntArray, n_total: IntArray, power: FloatArray, target: FloatArray) -> str:
    """What a sample-size search found, as a summary states it: ``"n1 A, n2 B (total T), power P (target
    Q)"`` with each value as :func:`values_text` shows it (the power to the fixed decimals)."""
    return (
        f"n1 {values_text(n1)}, n2 {values_text(n2)} (total {values_text(n_total)}), "
        f"power {values_text(power, fixed)} (target {values_text(target)})"
    )


def allocation_text(lower: FloatArray, upper: FloatArray, alpha: FloatArray, ratio: FloatArray) -> str:
    """The settings a sample-size summary ends with: :func:`margins_text` and ``"; allocation n1/n2 R"``."""
    return f"{margins_text(lower, upper, alpha)}; allocation n1/n2 {values_text(ratio)}"


def sample_size_fields(
    n1: IntArray,
    n2: IntArray,
    power: FloatArray,
    shape: tuple[int, ...],
    lower: FloatArray,
    upper: FloatArray,
    alpha: FloatArray,
    target: FloatArray,
    ratio: FloatArray,
) -> dict[str, Any]:
    """The fields of a sample-size result found on flat scenario arrays: ``n1, n2, n_total, power`` in the
    scenarios' ``shape``, then the settings as given: ``margin_lower, margin_upper, alpha, target_power,
    ratio``."""
    return {
        "n1": n1.reshape(shape),
        "n2": n2.reshape(shape),
        "n_total": (n1 + n2).reshape(shape),
        "power": power.reshape(shape),
        "margin_lower": lower,
        "margin_upper": upper,
        "alpha": alpha,
        "target_power": target,
        "ratio": ratio,
    }
