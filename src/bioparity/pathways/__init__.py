"""Regulatory pathway engine: totality of evidence and readiness per region.

Rules are data (``rules/*.yaml``, one versioned file per region, each rule citing document, section
and date); the engine applies them to a program profile and its evidence inventory and says, per
region, whether the program is ``ready``, has ``gaps`` or is ``not eligible for streamlined pathway``,
with the evidence and citation behind every requirement and the work left.

Public API: :func:`assess_program`, the inventory dataclasses, :func:`load_program`,
:func:`load_rules` / :func:`load_rule_file`, :func:`explain_rule` (the text of
``bioparity pathways --explain RULE_ID``) and the result classes. The inventory schema is
documented in :mod:`bioparity.pathways.inventory`.
"""

from bioparity.pathways.checks import CHECKS
from bioparity.pathways.engine import (
    REGION_CODES,
    REGION_ORDER,
    assess_program,
    assess_region,
    evaluate_rule,
    explain_rule,
    region_code,
)
from bioparity.pathways.inventory import (
    CAA_CATEGORIES,
    CLINICAL_KINDS,
    MANUAL_ITEMS,
    MODALITIES,
    AnalyticalBridge,
    CAAAttribute,
    ClinicalStudy,
    EvidenceInventory,
    ImmunogenicityAssessment,
    ManualItem,
    PKComparison,
    PKStudy,
    ProcessComparability,
    ProgramProfile,
)
from bioparity.pathways.program_file import load_program, parse_program
from bioparity.pathways.results import (
    GAPS,
    NOT_ELIGIBLE,
    READY,
    STATUS_WORDS,
    PathwayAssessment,
    RegionReadiness,
    RequirementResult,
)
from bioparity.pathways.rules import (
    RegionRules,
    Rule,
    load_rule_file,
    load_rules,
    parse_region_rules,
    section_parts,
    section_text,
)

__all__ = [
    "CAA_CATEGORIES",
    "CHECKS",
    "CLINICAL_KINDS",
    "GAPS",
    "MANUAL_ITEMS",
    "MODALITIES",
    "NOT_ELIGIBLE",
    "READY",
    "REGION_CODES",
    "REGION_ORDER",
    "STATUS_WORDS",
    "AnalyticalBridge",
    "CAAAttribute",
    "ClinicalStudy",
    "EvidenceInventory",
    "ImmunogenicityAssessment",
    "ManualItem",
    "PKComparison",
    "PKStudy",
    "PathwayAssessment",
    "ProcessComparability",
    "ProgramProfile",
    "RegionReadiness",
    "RegionRules",
    "RequirementResult",
    "Rule",
    "assess_program",
    "assess_region",
    "evaluate_rule",
    "explain_rule",
    "load_program",
    "load_rule_file",
    "load_rules",
    "parse_program",
    "parse_region_rules",
    "region_code",
    "section_parts",
    "section_text",
]
