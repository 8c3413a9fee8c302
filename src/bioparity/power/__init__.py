"""Power and sample size for average bioequivalence / PK similarity (TOST), PowerTOST-compatible.

Public API: :func:`power_tost`, :func:`sample_size_tost`, :func:`cv_from_ci`, the CV conversions and
the design registry; simulated power and sample size of scaled BE (:func:`power_scabel`,
:func:`sample_size_scabel`, :func:`power_rsabe`, :func:`sample_size_rsabe`, :func:`scabel_adjusted_alpha`).
"""

from bioparity.power.conversions import cv_from_ci, cv_to_mse, cv_to_se, group_sizes, mse_to_cv, se_to_cv
from bioparity.power.designs import DESIGN_NAMES, DESIGNS, Design, get_design
from bioparity.power.sample_size import SampleSizeResult, sample_size_tost
from bioparity.power.scaled import (
    power_rsabe,
    power_scabel,
    sample_size_rsabe,
    sample_size_scabel,
    scabel_adjusted_alpha,
)
from bioparity.power.tost import PowerResult, power_tost

__all__ = [
    "DESIGNS",
    "DESIGN_NAMES",
    "Design",
    "PowerResult",
    "SampleSizeResult",
    "cv_from_ci",
    "cv_to_mse",
    "cv_to_se",
    "get_design",
    "group_sizes",
    "mse_to_cv",
    "power_rsabe",
    "power_scabel",
    "power_tost",
    "sample_size_rsabe",
    "sample_size_scabel",
    "sample_size_tost",
    "scabel_adjusted_alpha",
    "se_to_cv",
]
