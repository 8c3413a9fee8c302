"""Comparative analytical assessment (CAA): quality ranges, equivalence tests, tolerance intervals.

Public API: :func:`assess` (all attributes x comparisons from a long table), :func:`compare` (one
method on two arrays of lot values), the tolerance factors, the method registry and the catalogue.
"""

from bioparity.caa.assess import assess, compare, default_comparisons
from bioparity.caa.catalogue import TIER_METHODS, AttributeSpec, Catalogue
from bioparity.caa.equivalence import EquivalenceArrays, equivalence_test_means
from bioparity.caa.inputs import check_long_table, read_catalogue, read_long_table
from bioparity.caa.methods import METHOD_NAMES, METHODS, Method
from bioparity.caa.quality_range import (
    count_inside,
    min_max_limits,
    nonparametric_limits,
    quality_range_limits,
    tolerance_interval_limits,
)
from bioparity.caa.results import CAAResult, ComparisonResult
from bioparity.caa.tolerance import nonparametric_min_lots, nonparametric_order, tolerance_factor

__all__ = [
    "METHODS",
    "METHOD_NAMES",
    "TIER_METHODS",
    "AttributeSpec",
    "CAAResult",
    "Catalogue",
    "ComparisonResult",
    "EquivalenceArrays",
    "Method",
    "assess",
    "check_long_table",
    "compare",
    "count_inside",
    "default_comparisons",
    "equivalence_test_means",
    "min_max_limits",
    "nonparametric_limits",
    "nonparametric_min_lots",
    "nonparametric_order",
    "quality_range_limits",
    "read_catalogue",
    "read_long_table",
    "tolerance_factor",
    "tolerance_interval_limits",
]
