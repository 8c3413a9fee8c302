"""Regulatory constants and acceptance limits for reference-scaled bioequivalence.

EMA ABEL (EMA Guideline on the Investigation of Bioequivalence, CPMP/EWP/QWP/1401/98 Rev. 1, 2010,
section 4.1.10; EMA PKWP Questions & Answers EMA/618604/2008 Rev. 13):
``swR = sqrt(ln(CVwR^2 + 1))``, limits ``exp(-/+ k swR)`` with ``k = 0.760`` when CVwR > 30%, CVwR capped
at 50% (69.84-143.19%), else 80.00-125.00%; point estimate within 80.00-125.00%.

FDA RSABE (FDA Draft Guidance on Progesterone, 2011; Davit et al. 2012, AAPS J 14:915-924):
``theta_s = ln(1.25) / 0.25``; scaling when ``swR >= 0.294``; no cap; point estimate within 0.80-1.25.

>>> [round(float(v), 5) for v in abel_limits(0.35)]
[0.77232, 1.2948]
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

# re-exported: the BE functions and their callers read the acceptance limits from here
from bioparity.power.acceptance import PERCENT_LIKE as PERCENT_LIKE
from bioparity.power.acceptance import acceptance_limits as acceptance_limits
from bioparity.power.conversions import cv_to_se


@dataclass(frozen=True)
class ScalingRule:
    """Constants of one regulator's reference-scaling rule (PowerTOST ``reg_const`` names in comments).

    Attributes
    ----------
    name : str
        The regulator (``EMA``, ...).
    k : float
        Regulatory constant of the expanded limits ``exp(+/- k swR)`` (``r_const``).
    cv_switch : float
        CVwR above which the limits are expanded (``CVswitch``).
    cv_cap : float
        CVwR at which the expansion stops (``CVcap``; inf: no cap).
    pe_lower, pe_upper : float
        Point-estimate constraint (0.80-1.25).
    """

    name: str
    k: float  # r_const
    cv_switch: float  # CVswitch
    cv_cap: float  # CVcap (inf: no cap)
    pe_lower: float = 0.80
    pe_upper: float = 1.25


EMA = ScalingRule("EMA", k=0.760, cv_switch=0.30, cv_cap=0.50)

#: FDA regulatory standard deviation sigma_w0 and the scaling constant theta_s = ln(1.25) / sigma_w0.
FDA_SIGMA_W0 = 0.25
FDA_THETA_S = math.log(1.25) / FDA_SIGMA_W0
#: FDA switching standard deviation (reference-scaling from swR >= 0.294, i.e. CVwR of about 30%).
FDA_SWR_SWITCH = 0.294
FDA = ScalingRule("FDA", k=FDA_THETA_S, cv_switch=0.30, cv_cap=math.inf)

#: The exact EMA k, ln(1.25) / sqrt(ln(1.09)), for comparison with the rounded 0.760 of the guideline
#: (section 4.1.10); the switching CV of 30% gives this value exactly.
EMA_K_EXACT = math.log(1.25) / math.sqrt(math.log(1.09))


def abel_limits(
    cvwr: npt.ArrayLike, rule: ScalingRule = EMA
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Expanded limits (ratios) for a within-subject reference CV (ratio), vectorised (PowerTOST ``scABEL``).

    CVwR <= switch: 0.80-1.25; above: ``exp(-/+ k * swR)`` with CVwR capped at ``cv_cap``.

    Parameters
    ----------
    cvwr : array_like
        Within-subject CV of the reference (ratio, 0.3 for 30%).
    rule : ScalingRule, default EMA
        The regulator's constants (EMA: k = 0.760, switch 30%, cap 50%).

    Returns
    -------
    lower, upper : numpy.ndarray
        The limits as ratios (0.6984-1.4319 at the EMA cap).

    References
    ----------
    EMA, Guideline on the investigation of bioequivalence, CPMP/EWP/QWP/1401/98 Rev. 1, section 4.1.10.

    Examples
    --------
    The table of the EMA guideline (section 4.1.10: 30% -> 80.00-125.00%, 35% -> 77.23-129.48%, ...,
    >= 50% -> 69.84-143.19%):

    >>> lower, upper = abel_limits([0.30, 0.35, 0.40, 0.45, 0.50, 0.60])
    >>> (100 * lower).round(2).tolist()
    [80.0, 77.23, 74.62, 72.15, 69.84, 69.84]
    >>> (100 * upper).round(2).tolist()
    [125.0, 129.48, 134.02, 138.59, 143.19, 143.19]
    """
    cv = np.asarray(cvwr, dtype=float)
    capped = np.minimum(cv, rule.cv_cap)
    upper = np.where(cv <= rule.cv_switch, 1.25, np.exp(rule.k * cv_to_se(capped)))
    return np.asarray(1.0 / upper), np.asarray(upper)
