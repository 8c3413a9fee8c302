"""CMC results as pathway evidence (issue #23): comparative stability as a CAA attribute of the category
``stability`` (Health Canada's quality comparison asks for it) and a process change of the proposed product
bridged by an ICH Q5E comparability exercise, cited with the comparative analytical assessment; a failing one
puts the requirement at risk and says why."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from bioparity.errors import DataFileError, InputError
from bioparity.pathways import (
    GAPS,
    READY,
    CAAAttribute,
    ProcessComparability,
    assess_program,
    parse_program,
)
from tests.pathways.profiles import MAB_CATEGORIES, caa, igg1_full_3arm, with_inventory

#: Every category of the full CAA but stability, which the stability comparison supplies.
WITHOUT_STABILITY = tuple(c for c in MAB_CATEGORIES if c[0] != "stability")
RATE = CAAAttribute(
    id="stability-purity-25C-EU", name="purity degradation rate (25C)", category="stability",
    reference="EU", passed=True, n_test_lots=3, n_reference_lots=3,
    method="ICH Q1E: equivalence of degradation rates",
)  # fmt: skip


def _caa_requirement(inventory_changes: Mapping[str, object], region: str, rule: str) -> tuple[str, str, str]:
    program, inventory = with_inventory(igg1_full_3arm(), **inventory_changes)
    readiness = assess_program(program, inventory, regions=[region]).region(region)
    found = next(r for r in readiness.requirements if r.rule_id == rule)
    return readiness.status, found.status, found.detail


def test_health_canada_needs_the_stability_comparison() -> None:
    without = {"caa": caa("EU", WITHOUT_STABILITY)}
    region, status, detail = _caa_requirement(without, "HC", "HC.CAA.SIMILARITY")
    assert (region, status) == (GAPS, "missing") and "stability" in detail
    passing = {"caa": (*caa("EU", WITHOUT_STABILITY), RATE)}
    assert _caa_requirement(passing, "HC", "HC.CAA.SIMILARITY")[:2] == (READY, "met")
    failing = {"caa": (*caa("EU", WITHOUT_STABILITY), CAAAttribute(**{**RATE.__dict__, "passed": False}))}
    region, status, detail = _caa_requirement(failing, "HC", "HC.CAA.SIMILARITY")
    assert (region, status) == (GAPS, "at_risk")
    assert detail == "non-critical attributes outside the similarity criterion: purity degradation rate (25C)"


def test_a_process_change_is_cited_and_a_failed_one_puts_the_caa_at_risk() -> None:
    shown = ProcessComparability("site-transfer", "site-b vs site-a", passed=True, n_attributes=25)
    program, inventory = with_inventory(igg1_full_3arm(), process_changes=(shown,))
    assert inventory.evidence_ids()[-1] == "q5e:site-transfer"
    ema = assess_program(program, inventory, regions=["EMA"]).region("EMA")
    found = next(r for r in ema.requirements if r.rule_id == "EMA.CAA.SIMILARITY")
    assert ema.status == READY and found.status == "met" and "q5e:site-transfer" in found.evidence
    assert found.detail.endswith("; process changes shown comparable: site-b vs site-a")
    failed = ProcessComparability(
        "site-transfer", "site-b vs site-a", passed=False, not_comparable=("afucosylated_glycans",)
    )
    for region, rule in (("EMA", "EMA.CAA.SIMILARITY"), ("FDA", "FDA.CAA.SIMILARITY")):
        status, found_status, detail = _caa_requirement({"process_changes": (failed,)}, region, rule)
        assert (status, found_status) == (GAPS, "at_risk")
        assert (
            detail == "process change site-b vs site-a not shown comparable (ICH Q5E): afucosylated_glycans"
        )
    # with the quality comparison itself incomplete, the reason is given with the missing categories
    status, found_status, detail = _caa_requirement(
        {"process_changes": (failed,), "caa": caa("EU", WITHOUT_STABILITY[:-1])}, "EMA", "EMA.CAA.SIMILARITY"
    )
    assert found_status == "missing" and detail.endswith(
        "; process change site-b vs site-a not shown comparable (ICH Q5E): afucosylated_glycans"
    )


def test_a_process_change_is_read_from_the_program_file() -> None:
    data = {
        "program": {"name": "demo", "modality": "monoclonal_antibody", "moa_understood": True},
        "evidence": {
            "process_changes": [
                {"id": "scale-up", "change": "2000 L vs 200 L", "passed": False, "n_attributes": 12,
                 "not_comparable": ["HMW species"]}
            ]
        },
    }  # fmt: skip
    _, inventory = parse_program(data)
    assert inventory.process_changes == (
        ProcessComparability("scale-up", "2000 L vs 200 L", False, 12, ("HMW species",)),
    )
    data["evidence"]["process_changes"][0]["passed"] = True  # type: ignore[index]
    with pytest.raises(DataFileError, match=r"evidence.process_changes\[0\].*passed, yet not comparable"):
        parse_program(data)
    with pytest.raises(InputError, match="not valid"):
        ProcessComparability("bad id", "x", True)
