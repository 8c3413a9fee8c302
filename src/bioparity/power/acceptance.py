"""Acceptance limits of an average-BE or PK-similarity confidence interval, as ratios.

Here rather than in :mod:`bioparity.be` because the planning functions (:mod:`bioparity.power`) check the same
limits and :mod:`bioparity.be` builds on :mod:`bioparity.power`, not the other way round;
:mod:`bioparity.be.limits` re-exports both names.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from bioparity.errors import InputError

#: An upper acceptance limit at or above this (1000%) is a limit written in percent (125 for 1.25).
PERCENT_LIKE = 10.0
#: Variance models of a parallel-arm comparison of log values: Welch's (each pair of arms with its own
#: variances and Welch-Satterthwaite degrees of freedom) or one residual variance pooled over the arms.
VARIANCE_MODELS: tuple[str, ...] = ("welch", "pooled")


def acceptance_limits(theta1: float, theta2: float | None = None) -> tuple[float, float]:
    """Acceptance limits of an average-BE or PK-similarity CI as ratios; ``theta2`` defaults to ``1/theta1``.

    The guidelines' limits are 0.80-1.25 (EMA, Guideline on the investigation of bioequivalence,
    CPMP/EWP/QWP/1401/98 Rev. 1, 2010, section 4.1.8; FDA, Statistical Approaches to Establishing
    Bioequivalence, 2001, section IV.A); the limits must bracket 1. Limits written in percent (``80``,
    ``125``), as the result tables print them, are refused with that hint instead of being applied as
    8000% or 12500%: an upper limit of :data:`PERCENT_LIKE` (1000%) or more is taken for percent.

    >>> acceptance_limits(0.8)
    (0.8, 1.25)
    >>> acceptance_limits(0.8, 125)
    Traceback (most recent call last):
    ...
    bioparity.errors.InputError: acceptance limits theta1 = 0.8, theta2 = 125 must be ratios with \
0 < theta1 < 1 < theta2 < 10: 0.80 and 1.25 for 80.00-125.00% (not 80 and 125)
    """
    t1 = float(theta1)
    t2 = float(theta2) if theta2 is not None else 1.0 / t1 if t1 != 0 else math.inf
    if not 0 < t1 < 1 < t2 < PERCENT_LIKE:
        default = " (1/theta1 by default)" if theta2 is None else ""
        raise InputError(
            f"acceptance limits theta1 = {t1:g}, theta2 = {t2:g}{default} must be ratios with "
            f"0 < theta1 < 1 < theta2 < {PERCENT_LIKE:g}: 0.80 and 1.25 for 80.00-125.00% (not 80 and 125)"
        )
    return t1, t2


def arm_comparison_settings(
    arms: Sequence[object], variance: str, alpha: float, theta1: float, theta2: float | None
) -> tuple[list[str], float, float]:
    """The settings of pairwise ``arms[i] / arms[j]`` comparisons of parallel arms (the PK-similarity
    analysis of :mod:`bioparity.be.similarity` and its planning in :mod:`bioparity.power.multi_arm`),
    checked: at least two distinct arms, a variance model of :data:`VARIANCE_MODELS`, the one-sided level
    ``alpha`` of each of the two one-sided tests in (0, 0.5) (Schuirmann 1987, J Pharmacokinet Biopharm
    15:657-680) and the acceptance limits of :func:`acceptance_limits`.

    Returns the arms as text and the limits ``(theta1, theta2)``; an :class:`~bioparity.errors.InputError`
    names the first setting out of its domain.
    """
    arm_list = [str(a) for a in arms]
    if len(arm_list) < 2 or len(set(arm_list)) != len(arm_list):
        raise InputError(f"need at least two distinct arms; got {arm_list}")
    if variance not in VARIANCE_MODELS:
        raise InputError(f"unknown variance model {variance!r}; expected one of {', '.join(VARIANCE_MODELS)}")
    if not 0 < alpha < 0.5:
        raise InputError(f"alpha must be in (0, 0.5); got {alpha}")
    return (arm_list, *acceptance_limits(theta1, theta2))
