"""Table-driven: for every shipped rule, a program that meets it and one that misses it.

The meeting program is complete for every region (local reference of each region, every CAA category,
PK in Chinese subjects against each reference, equivalent clinical, PD and switching studies, every
manual item recorded). The missing program changes exactly what the rule's check looks at (the
mutation per check below) and drops scientific advice, so that an "at risk" finding is not resolved.
The only rule kind that cannot be missed is a stated agency position (``position``: MHRA's "no in
vivo animal studies required" and "an authorised biosimilar is interchangeable"), which is checked to be met
for any program.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any, cast

import pytest

from bioparity.pathways import (
    MANUAL_ITEMS,
    ClinicalStudy,
    EvidenceInventory,
    ManualItem,
    ProgramProfile,
    RegionRules,
    Rule,
    evaluate_rule,
    load_rules,
)
from tests.pathways import profiles

LOCAL = {"EMA": "EU", "FDA": "US", "MHRA": "UK", "NMPA": "CN", "HC": "CA", "WHO": "EU"}
REFS = ("EU", "US", "UK", "CN", "CA")

Program = tuple[ProgramProfile, EvidenceInventory]


def complete_program() -> Program:
    program = ProgramProfile(
        name="complete", modality="monoclonal_antibody", moa_understood=True, reference_sourcing=LOCAL,
        indications=("rheumatoid arthritis", "Crohn's disease"), interchangeability_sought=True,
        pd_marker_accepted=True,
    )  # fmt: skip
    clinical = tuple(
        ClinicalStudy(f"{kind}-{ref}", kind, ref, "equivalent", "patients", ("chinese",))
        for ref in REFS
        for kind in ("comparative_efficacy", "pd_similarity", "switching")
    )
    inventory = EvidenceInventory(
        caa=tuple(a for ref in REFS for a in profiles.caa(ref)),
        pk_studies=tuple(profiles.pk_study(f"PK-{ref}", ("T", ref), subjects=("chinese",)) for ref in REFS),
        immunogenicity=tuple(profiles.immuno(f"PK-{ref}", ref) for ref in REFS),
        clinical_studies=clinical,
        manual_items=tuple(ManualItem(code, True) for code in MANUAL_ITEMS),
    )
    return program, inventory


def _drop_manual(inventory: EvidenceInventory, *codes: str) -> EvidenceInventory:
    return replace(inventory, manual_items=tuple(m for m in inventory.manual_items if m.code not in codes))


def _outcome(inventory: EvidenceInventory, outcome: str) -> EvidenceInventory:
    studies = tuple(replace(c, outcome=outcome) for c in inventory.clinical_studies)
    return replace(inventory, clinical_studies=studies)


def _miss_clinical(rule: Rule, program: ProgramProfile, inv: EvidenceInventory) -> Program:
    kind = rule.params["kind"]
    return program, replace(inv, clinical_studies=tuple(c for c in inv.clinical_studies if c.kind != kind))


MISS: dict[str, Callable[[Rule, ProgramProfile, EvidenceInventory], Program]] = {
    "modality_scope": lambda r, p, i: (replace(p, modality="polyclonal_antibody"), i),
    "program_flag": lambda r, p, i: (replace(p, **{str(r.params["flag"]): cast(Any, False)}), i),
    "reference_product": lambda r, p, i: (replace(p, reference_sourcing={k: "KR" for k in LOCAL}), i),
    "caa_similarity": lambda r, p, i: (p, replace(i, caa=())),
    "pk_similarity": lambda r, p, i: (p, replace(i, pk_studies=())),
    "immunogenicity": lambda r, p, i: (
        p, replace(i, immunogenicity=tuple(replace(a, comparable=False) for a in i.immunogenicity))
    ),
    "clinical_study": _miss_clinical,
    "no_contradicting_clinical_result": lambda r, p, i: (p, _outcome(i, "not_equivalent")),
    "manual_item": lambda r, p, i: (p, _drop_manual(i, r.params["code"])),
    "pathway_not_established": lambda r, p, i: (p, _drop_manual(i, r.params["agreed_by"])),
    "interchangeability": lambda r, p, i: (
        p,
        replace(
            i,
            clinical_studies=tuple(
                replace(c, outcome="not_equivalent") if c.kind == "switching" else c
                for c in i.clinical_studies
            ),
        ),
    ),
}  # fmt: skip

RULES: list[tuple[RegionRules, Rule]] = [(rs, r) for rs in load_rules().values() for r in rs.rules]


@pytest.mark.parametrize(("region", "rule"), RULES, ids=[r.id for _, r in RULES])
def test_a_complete_program_meets_the_rule(region: RegionRules, rule: Rule) -> None:
    result = evaluate_rule(rule, region, *complete_program())
    assert result.status == "met", result.detail


@pytest.mark.parametrize(("region", "rule"), RULES, ids=[r.id for _, r in RULES])
def test_a_program_lacking_what_the_rule_checks_misses_it(region: RegionRules, rule: Rule) -> None:
    program, inventory = complete_program()
    if rule.check == "position":
        assert evaluate_rule(rule, region, program, EvidenceInventory()).status == "met"
        return
    program, inventory = MISS[rule.check](
        rule, program, _drop_manual(inventory, "scientific_advice_supports_waiver")
    )
    result = evaluate_rule(rule, region, program, inventory)
    assert result.status != "met", result.detail
    assert result.work  # a rule that is not met says what to do


def test_every_check_used_by_a_rule_has_a_miss_case() -> None:
    assert {r.check for _, r in RULES} - {"position"} <= set(MISS)
    positions = sorted(r.id for _, r in RULES if r.check == "position")
    assert positions == ["MHRA.IC.INTERCHANGEABLE", "MHRA.NONCLIN.IN_VIVO"]
