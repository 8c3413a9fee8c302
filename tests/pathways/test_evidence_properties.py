"""Changing one evidence item changes exactly the requirements that rest on it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from bioparity.pathways import (
    ClinicalStudy,
    EvidenceInventory,
    ManualItem,
    PKComparison,
    ProgramProfile,
    assess_program,
)
from tests.pathways import profiles


def _failing(c: PKComparison) -> PKComparison:
    return replace(c, ratio=0.75, ci_lower=0.70, ci_upper=0.79)


def flip(inventory: EvidenceInventory, evidence_id: str) -> EvidenceInventory:
    """Turn one passing item into a failing one (or a recorded fact into its negation)."""
    kind, _, key = evidence_id.partition(":")
    if kind == "caa":
        return replace(
            inventory, caa=tuple(replace(a, passed=not a.passed) if a.id == key else a for a in inventory.caa)
        )
    if kind == "bridge":
        bridges = tuple(
            replace(b, passed=not b.passed) if b.id == key else b for b in inventory.analytical_bridges
        )
        return replace(inventory, analytical_bridges=bridges)
    if kind == "pk":
        study_id, _, comp_id = key.partition("/")
        studies = tuple(
            replace(s, comparisons=tuple(_failing(c) if c.id == comp_id else c for c in s.comparisons))
            if s.id == study_id
            else s
            for s in inventory.pk_studies
        )
        return replace(inventory, pk_studies=studies)
    if kind == "immuno":
        ada = tuple(
            replace(i, comparable=not i.comparable) if i.id == key else i for i in inventory.immunogenicity
        )
        return replace(inventory, immunogenicity=ada)
    if kind == "clinical":
        outcome = {
            "equivalent": "not_equivalent",
            "not_equivalent": "equivalent",
            "ongoing": "not_equivalent",
        }
        clinical = tuple(
            replace(c, outcome=outcome.get(c.outcome, "equivalent")) if c.id == key else c
            for c in inventory.clinical_studies
        )
        return replace(inventory, clinical_studies=clinical)
    assert kind == "manual"
    items = tuple(replace(m, value=not m.value) if m.key == key else m for m in inventory.manual_items)
    return replace(inventory, manual_items=items)


def drop(inventory: EvidenceInventory, evidence_id: str) -> EvidenceInventory:
    """Remove one item from the inventory."""
    kind, _, key = evidence_id.partition(":")
    if kind == "pk":
        study_id, _, comp_id = key.partition("/")
        studies = tuple(
            replace(s, comparisons=tuple(c for c in s.comparisons if c.id != comp_id))
            if s.id == study_id
            else s
            for s in inventory.pk_studies
        )
        return replace(inventory, pk_studies=studies)
    field = {
        "caa": "caa",
        "bridge": "analytical_bridges",
        "immuno": "immunogenicity",
        "clinical": "clinical_studies",
        "manual": "manual_items",
    }[kind]
    kept = tuple(x for x in getattr(inventory, field) if (x.key if kind == "manual" else x.id) != key)
    return replace(inventory, **{field: kept})


def _results(
    program: ProgramProfile, inventory: EvidenceInventory
) -> dict[tuple[str, str], tuple[str, tuple[str, ...], str]]:
    assessment = assess_program(program, inventory)
    return {
        (region.region, r.rule_id): (r.status, r.evidence, r.detail)
        for region in assessment.regions
        for r in region.requirements
    }


def _with_equivalent_ces(base: profiles.Program) -> profiles.Program:
    program, inventory = base
    ces = ClinicalStudy("CES-RA", "comparative_efficacy", "EU", "equivalent", "moderate-to-severe RA")
    return program, replace(inventory, clinical_studies=(ces,))


def _with_advice(base: profiles.Program) -> profiles.Program:
    program, inventory = base
    advice = ManualItem("scientific_advice_supports_waiver", True)
    return program, replace(inventory, manual_items=(*inventory.manual_items, advice))


# Baselines in which every requirement that cites an item is met, so that each item matters.
BASELINES: dict[str, Callable[[], profiles.Program]] = {
    "igg1": profiles.igg1_full_3arm,
    "igg1+ces": lambda: _with_equivalent_ces(profiles.igg1_full_3arm()),
    "insulin": profiles.insulin_glargine,
    "pegylated+advice": lambda: _with_advice(profiles.pegfilgrastim()),
    "china-only": profiles.china_only_local_reference,
    "interchangeable": lambda: profiles.interchangeable(presentation_recorded=True),
}


@st.composite
def one_change(draw: st.DrawFn) -> tuple[str, str, str]:
    name = draw(st.sampled_from(sorted(BASELINES)))
    _, inventory = BASELINES[name]()
    item = draw(st.sampled_from(inventory.evidence_ids()))
    operation = draw(st.sampled_from(["flip", "drop"]))
    return name, item, operation


@settings(max_examples=150, deadline=None)
@given(one_change())
def test_one_evidence_change_changes_exactly_the_requirements_citing_it(change: tuple[str, str, str]) -> None:
    name, item, operation = change
    program, inventory = BASELINES[name]()
    before = _results(program, inventory)
    changed_inventory = flip(inventory, item) if operation == "flip" else drop(inventory, item)
    after = _results(program, changed_inventory)
    assert before.keys() == after.keys()  # the program did not change, nor did the rules that apply
    citing = {key for key, (_, evidence, _) in before.items() if item in evidence}
    changed = {key for key in before if before[key] != after[key]}
    assert citing, f"{item} is cited by no requirement in baseline {name}"
    assert changed == citing


def test_flipping_a_cited_item_turns_met_requirements_into_gaps() -> None:
    program, inventory = profiles.igg1_full_3arm()
    before = _results(program, inventory)
    after = _results(program, flip(inventory, "caa:glycosylation-EU"))
    changed = {key: after[key][0] for key in before if before[key] != after[key]}
    # glycosylation is critical: every region relying on the EU-RP CAA loses its CAA requirement
    assert changed == {
        ("EMA", "EMA.CAA.SIMILARITY"): "missing",
        ("FDA", "FDA.CAA.SIMILARITY"): "missing",
        ("MHRA", "MHRA.CAA.SIMILARITY"): "missing",
        ("WHO", "WHO.CAA.SIMILARITY"): "missing",
        ("HC", "HC.CAA.SIMILARITY"): "missing",
    }


def test_a_failing_secondary_pk_metric_is_at_risk_not_missing() -> None:
    program, inventory = profiles.igg1_full_3arm()
    after = _results(program, flip(inventory, "pk:PK-101/T-EU-AUC0-t"))
    assert after[("EMA", "EMA.PK.SIMILARITY")][0] == "at_risk"  # EMA requires AUC0-inf and Cmax


def test_property_holds_for_every_single_change_of_every_baseline() -> None:
    """Exhaustive companion of the hypothesis test (every item, both operations, every baseline)."""
    checked = 0
    for name, build in BASELINES.items():
        program, inventory = build()
        before = _results(program, inventory)
        for item in inventory.evidence_ids():
            citing = {key for key, (_, evidence, _) in before.items() if item in evidence}
            for change in (flip, drop):
                after = _results(program, change(inventory, item))
                assert {k for k in before if before[k] != after[k]} == citing, (name, item, change.__name__)
                checked += 1
    assert checked > 200
