"""Which comparator may support which comparison, per region; bridges and PK metric completeness.

Expectations come from the cited texts, not from the code:

* EMA, CHMP/437/04 Rev 1 section 3.3: the quality comparison is against the EEA-authorised reference;
  a non-EEA comparator may be used in clinical (and in vivo non-clinical) studies only, bridged by
  analytical data comparing all three products and, where it is used in the PK study, PK bridging.
* FDA clinical pharmacology guidance (December 2016) IV.B: a non-US-licensed comparator needs a
  three-way analytical comparison and a three-arm PK study in which each pair meets the margins.
* EMA / FDA: a single-dose PK comparison reports AUC0-inf (and AUC0-t for FDA) and Cmax; a
  multiple-dose study in patients AUCtau, Cmax,ss and Ctrough.
* CDE biosimilar Q&A (31 July 2019): the clinical package is agreed with CDE after the CMC comparison.
"""

from __future__ import annotations

from dataclasses import replace

from bioparity.pathways import (
    GAPS,
    NOT_ELIGIBLE,
    READY,
    AnalyticalBridge,
    EvidenceInventory,
    ManualItem,
    PKComparison,
    PKStudy,
    ProgramProfile,
    assess_program,
    parse_program,
)
from tests.pathways import profiles


def _status(result_region: object, rule_id: str) -> tuple[str, str]:
    req = next(r for r in result_region.requirements if r.rule_id == rule_id)  # type: ignore[attr-defined]
    return req.status, req.detail


def _us_only_caa() -> profiles.Program:
    """The whole analytical comparison against the US-sourced product, plus a two-way EU-US bridge."""
    program = ProgramProfile(
        name="US-only CAA", modality="monoclonal_antibody", moa_understood=True,
        reference_sourcing={"EMA": "US", "FDA": "US"}, target_regions=("EMA", "FDA"),
    )  # fmt: skip
    inventory = EvidenceInventory(
        caa=profiles.caa("US"),
        analytical_bridges=(AnalyticalBridge("bridge-EU-US", ("EU", "US"), passed=True),),
        pk_studies=(profiles.pk_study("PK-1", ("T", "EU", "US")),),
        immunogenicity=(profiles.immuno("PK-1", "US"), profiles.immuno("PK-1", "EU")),
        manual_items=(
            ManualItem("enhanced_analytical_dossier", True),
            ManualItem("no_in_vivo_animal_studies_justified", True),
        ),
    )
    return program, inventory


def test_us_only_caa_is_not_ready_for_ema_but_ready_for_fda() -> None:
    result = assess_program(*_us_only_caa())
    assert result.statuses == {"EMA": GAPS, "FDA": READY}
    status, detail = _status(result.region("EMA"), "EMA.CAA.SIMILARITY")
    assert status == "missing"
    assert "must be against the EU reference" in detail and "US comparator" in detail
    # the bridge itself is incomplete too: T was never compared with the EU product analytically
    status, detail = _status(result.region("EMA"), "EMA.REF.COMPARATOR")
    assert status == "missing" and "three-way comparison needed" in detail


def test_ema_quality_comparison_needs_the_eu_product_even_with_a_three_way_bridge() -> None:
    program, inventory = _us_only_caa()
    bridged = replace(inventory, analytical_bridges=(AnalyticalBridge("b3", ("T", "EU", "US"), passed=True),))
    ema = assess_program(program, bridged).region("EMA")
    assert _status(ema, "EMA.REF.COMPARATOR")[0] == "met"  # bridge complete (three-way + 3-arm PK)
    assert _status(ema, "EMA.CAA.SIMILARITY")[0] == "missing"  # but quality must be vs EU-RP
    assert _status(ema, "EMA.PK.SIMILARITY")[0] == "met"  # the bridged US comparator may serve in PK


def _eu_caa_us_pk() -> profiles.Program:
    """Quality against the EU product, PK only against the US product (2-arm), no bridge."""
    program = ProgramProfile(
        name="EU CAA, US PK", modality="monoclonal_antibody", moa_understood=True,
        reference_sourcing={"EMA": "US", "FDA": "US"}, target_regions=("EMA", "FDA"),
    )  # fmt: skip
    inventory = EvidenceInventory(
        caa=profiles.caa("EU"),
        pk_studies=(profiles.pk_study("PK-US", ("T", "US")),),
        immunogenicity=(profiles.immuno("PK-US", "US"),),
        manual_items=(
            ManualItem("enhanced_analytical_dossier", True),
            ManualItem("no_in_vivo_animal_studies_justified", True),
        ),
    )
    return program, inventory


def test_eu_only_caa_with_us_pk_requires_a_bridge() -> None:
    result = assess_program(*_eu_caa_us_pk())
    ema, fda = result.region("EMA"), result.region("FDA")
    assert ema.status == GAPS and fda.status == GAPS
    status, detail = _status(ema, "EMA.REF.COMPARATOR")
    assert status == "missing" and "bridge from the US comparator to the EU reference required" in detail
    assert "no PK study with T, US and EU arms" in detail  # the comparator is used in PK: PK bridge
    assert _status(ema, "EMA.PK.SIMILARITY")[0] == "missing"  # T vs US does not count unbridged
    assert _status(ema, "EMA.CAA.SIMILARITY")[0] == "met"
    status, detail = _status(fda, "FDA.CAA.SIMILARITY")
    assert status == "missing" and "not compared against US" in detail


def test_bridge_missing_cmax_is_incomplete() -> None:
    program, inventory = profiles.igg1_full_3arm()
    study = inventory.pk_studies[0]
    no_cmax = tuple(c for c in study.comparisons if not (c.test == "EU" and c.metric == "Cmax"))
    incomplete = replace(inventory, pk_studies=(replace(study, comparisons=no_cmax),))
    fda = assess_program(program, incomplete).region("FDA")
    status, detail = _status(fda, "FDA.REF.COMPARATOR")
    assert status == "missing" and "Cmax not reported for EU vs US" in detail
    assert fda.status == GAPS
    # the complete 3-arm study bridges
    assert _status(assess_program(program, inventory).region("FDA"), "FDA.REF.COMPARATOR")[0] == "met"


def test_each_pk_bridge_pair_must_meet_the_margins() -> None:
    fda = assess_program(*profiles.igg1_cmax_fails_vs_eu()).region("FDA")
    status, detail = _status(fda, "FDA.REF.COMPARATOR")
    assert status == "missing" and "Cmax outside the limits for T vs EU" in detail


def test_two_way_bridge_counts_as_three_way_when_t_was_compared_with_both() -> None:
    program, inventory = profiles.igg1_full_3arm()
    two_way = replace(
        inventory,
        caa=profiles.caa("EU") + profiles.caa("US"),
        analytical_bridges=(AnalyticalBridge("bridge-EU-US", ("EU", "US"), passed=True),),
    )
    fda = assess_program(program, two_way).region("FDA")
    assert _status(fda, "FDA.REF.COMPARATOR")[0] == "met"
    eu_only = replace(two_way, caa=profiles.caa("EU"))
    status, detail = _status(assess_program(program, eu_only).region("FDA"), "FDA.REF.COMPARATOR")
    assert status == "missing" and "not compared with the US reference" in detail


def _multiple_dose(metrics: tuple[str, ...]) -> PKStudy:
    comparisons = tuple(
        PKComparison(f"T-EU-{i}", "T", "EU", m, 1.0, 0.92, 1.08) for i, m in enumerate(metrics)
    )
    return PKStudy("PK-MD", ("T", "EU"), comparisons, population="patients", dosing="multiple")


def test_multiple_dose_study_needs_auctau_cmaxss_and_ctrough() -> None:
    program, inventory = profiles.igg1_full_3arm()
    program = replace(program, target_regions=("EMA",))
    complete = replace(inventory, pk_studies=(_multiple_dose(("AUCtau", "Cmax,ss", "Ctrough")),))
    assert _status(assess_program(program, complete).region("EMA"), "EMA.PK.SIMILARITY")[0] == "met"
    no_trough = replace(inventory, pk_studies=(_multiple_dose(("AUCtau", "Cmax,ss")),))
    status, detail = _status(assess_program(program, no_trough).region("EMA"), "EMA.PK.SIMILARITY")
    assert status == "missing" and "Ctrough not reported for T vs EU" in detail and "multiple dose" in detail


def _comparison(cid: str, metric: str) -> dict[str, object]:
    return {"id": cid, "test": "T", "reference": "EU", "metric": metric, "ratio": 1.0, "ci": [0.9, 1.1]}


def test_program_file_accepts_steady_state_metrics_and_cdisc_codes() -> None:
    data = {
        "program": {"name": "md", "modality": "monoclonal_antibody", "moa_understood": True},
        "evidence": {
            "pk_studies": [
                {
                    "id": "PK-MD", "arms": ["T", "EU"], "population": "patients", "dosing": "multiple",
                    "comparisons": [
                        _comparison("a", "AUCTAU"),
                        _comparison("b", "Cmax,ss"),
                        _comparison("c", "CTROUGH"),
                    ],
                }
            ]
        },
    }  # fmt: skip
    _, inventory = parse_program(data)
    assert [c.metric for c in inventory.pk_studies[0].comparisons] == ["AUCtau", "Cmax,ss", "Ctrough"]


def test_china_cde_agreement_opens_the_agreed_package() -> None:
    program, inventory = profiles.china_only_local_reference("planned")
    without = assess_program(program, inventory).region("NMPA")
    assert without.status == NOT_ELIGIBLE and without.traditional_package_complete is False
    agreed = replace(
        inventory,
        manual_items=(
            *inventory.manual_items,
            ManualItem("cde_clinical_package_agreed", True, region="NMPA", note="CDE meeting 2026-09"),
        ),
    )
    nmpa = assess_program(program, agreed).region("NMPA")
    assert nmpa.status == READY, nmpa.explanation
    assert _status(nmpa, "NMPA.ELIG.NO_STREAMLINED") == (
        "met",
        "clinical package agreed with the agency (CDE meeting 2026-09)",
    )
    assert "NMPA.CLIN.CES" not in {r.rule_id for r in nmpa.requirements}


def test_cde_agreement_recorded_as_refused_keeps_the_traditional_package() -> None:
    program, inventory = profiles.china_only_local_reference("planned")
    refused = replace(
        inventory,
        manual_items=(
            *inventory.manual_items,
            ManualItem("cde_clinical_package_agreed", False, region="NMPA"),
        ),
    )
    nmpa = assess_program(program, refused).region("NMPA")
    assert nmpa.status == NOT_ELIGIBLE
    assert _status(nmpa, "NMPA.ELIG.NO_STREAMLINED")[0] == "missing"


def test_polyclonal_antibody_is_outside_every_streamlined_pathway() -> None:
    program, inventory = profiles.igg1_full_3arm()
    result = assess_program(replace(program, modality="polyclonal_antibody"), inventory)
    assert set(result.statuses.values()) == {NOT_ELIGIBLE}


def test_adc_with_scientific_advice_is_ready_where_the_rest_is_met() -> None:
    program, inventory = profiles.trastuzumab_emtansine()
    advice = replace(
        inventory,
        manual_items=(*inventory.manual_items, ManualItem("scientific_advice_supports_waiver", True)),
    )
    statuses = assess_program(program, advice).statuses
    assert {k: v for k, v in statuses.items() if k != "NMPA"} == dict.fromkeys(
        ("EMA", "FDA", "MHRA", "WHO", "HC"), READY
    )
