"""Comparative analytical assessment (CAA): quality ranges, equivalence tests, tolerance intervals.

Public API: :func:`assess` (all attributes x comparisons from a long table), :func:`compare` (one
method on two arrays of lot values), the tolerance factors, the method registry and the catalogue.
A measurement file is read by :func:`bioparity.io.caa.read_long_table`.

The names are imported on first use (module ``__getattr__``, PEP 562), so that importing this package,
or :mod:`bioparity.caa.tolerance` alone, does not load pandas and ``scipy.stats``;
``from bioparity.caa import X`` works as before.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bioparity.caa.assessment import assess, compare, default_comparisons
    from bioparity.caa.catalogue import TIER_METHODS, AttributeSpec, Catalogue
    from bioparity.caa.equivalence import EquivalenceArrays, equivalence_test_means
    from bioparity.caa.inputs import check_long_table, read_catalogue
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

#: Public name -> the submodule that defines it.
_SOURCES = {
    "assess": "assessment",
    "compare": "assessment",
    "default_comparisons": "assessment",
    "TIER_METHODS": "catalogue",
    "AttributeSpec": "catalogue",
    "Catalogue": "catalogue",
    "EquivalenceArrays": "equivalence",
    "equivalence_test_means": "equivalence",
    "check_long_table": "inputs",
    "read_catalogue": "inputs",
    "METHOD_NAMES": "methods",
    "METHODS": "methods",
    "Method": "methods",
    "count_inside": "quality_range",
    "min_max_limits": "quality_range",
    "nonparametric_limits": "quality_range",
    "quality_range_limits": "quality_range",
    "tolerance_interval_limits": "quality_range",
    "CAAResult": "results",
    "ComparisonResult": "results",
    "nonparametric_min_lots": "tolerance",
    "nonparametric_order": "tolerance",
    "tolerance_factor": "tolerance",
}

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
    "tolerance_factor",
    "tolerance_interval_limits",
]


def __getattr__(name: str) -> Any:
    source = _SOURCES.get(name)
    if source is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{source}"), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
