"""Immunogenicity and bioanalytical assay statistics: ADA cut points, sensitivity, drug tolerance, ISR,
linearity of an analytical procedure.

Pure numerical core (no I/O): readers are in :mod:`bioparity.io.bioassay`, the commands in
:mod:`bioparity.cli.bioassay`.
"""

from __future__ import annotations

from bioparity.bioassay.classify import (
    ValidatedCutPoint,
    ada_status,
    classify_samples,
    validated_cut_points,
    with_validated_cut_point,
)
from bioparity.bioassay.cutpoint import compute_cut_point, inhibition, screening_and_confirmatory
from bioparity.bioassay.drug_tolerance import drug_tolerance
from bioparity.bioassay.isr import ISR_LIMITS, isr, isr_sample_count
from bioparity.bioassay.linearity import linearity
from bioparity.bioassay.reml import RemlFit, reml_fit
from bioparity.bioassay.results import (
    CutPointResult,
    DrugToleranceResult,
    IsrResult,
    LinearityResult,
    Outlier,
    SensitivityResult,
)
from bioparity.bioassay.sensitivity import sensitivity

__all__ = [
    "ISR_LIMITS",
    "CutPointResult",
    "DrugToleranceResult",
    "IsrResult",
    "LinearityResult",
    "Outlier",
    "RemlFit",
    "SensitivityResult",
    "ValidatedCutPoint",
    "ada_status",
    "classify_samples",
    "compute_cut_point",
    "drug_tolerance",
    "inhibition",
    "isr",
    "isr_sample_count",
    "linearity",
    "reml_fit",
    "screening_and_confirmatory",
    "sensitivity",
    "validated_cut_points",
    "with_validated_cut_point",
]
