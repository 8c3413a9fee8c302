"""Validation pack: re-run every reference case on the installed build and write a qualification report.

``run_validation()`` compares bioparity's numbers with the reference results shipped in
``bioparity/validation/reference`` (PowerTOST, PKNCA, replicateBE, tolerance-factor tables, published
confidence intervals; R ``lm`` / ``nls`` / ``lme4`` values and published examples for stability shelf life,
ADA cut points, linearity and relative potency; provenance in ``reference/MANIFEST.yaml``);
``write_report()`` writes the installation / operational qualification report as HTML or PDF.
"""

from bioparity.validation.cases import CaseResult, compare
from bioparity.validation.report import render_html, write_report
from bioparity.validation.runner import AREAS, ValidationRun, packaged_reference_dir, run_validation

__all__ = [
    "AREAS",
    "CaseResult",
    "ValidationRun",
    "compare",
    "packaged_reference_dir",
    "render_html",
    "run_validation",
    "write_report",
]
