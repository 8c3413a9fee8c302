"""Power and sample size for average bioequivalence / PK similarity (TOST), PowerTOST-compatible.

Public API: :func:`power_tost`, :func:`sample_size_tost`, :func:`cv_from_ci`, the CV conversions and
the design registry.
"""

from bioparity.power.conversions import cv_from_ci, cv_to_mse, cv_to_se, group_sizes, mse_to_cv, se_to_cv
from bioparity.power.designs import DESIGN_NAMES, DESIGNS, Design, get_design
from bioparity.power.sample_size import SampleSizeResult, sample_size_tost
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
    "power_tost",
    "sample_size_tost",
    "se_to_cv",
]
