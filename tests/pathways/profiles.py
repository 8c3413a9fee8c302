"""Realistic program profiles for the pathway tests, built from a few well-named helpers."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from bioparity.pathways import (
    AnalyticalBridge,
    CAAAttribute,
    ClinicalStudy,
    EvidenceInventory,
    ImmunogenicityAssessment,
    ManualItem,
    PKComparison,
    PKStudy,
    ProgramProfile,
)

Program = tuple[ProgramProfile, EvidenceInventory]

MAB_CATEGORIES = (
    ("primary_structure", "intact mass and peptide map", True),
    ("higher_order_structure", "CD and DSC", False),
    ("glycosylation", "afucosylated glycans", True),
    ("charge_variants", "acidic and basic variants", False),
    ("size_variants", "high-molecular-weight species", True),
    ("purity_impurities", "product-related impurities", False),
    ("potency", "TNF neutralisation potency", True),
    ("moa_functional", "FcgRIIIa binding and ADCC", True),
    ("stability", "forced degradation profile", False),
)


def caa(
    reference: str, categories: tuple[tuple[str, str, bool], ...] = MAB_CATEGORIES, lots: int = 12
) -> tuple[CAAAttribute, ...]:
    """One attribute per category, all similar, against ``reference``."""
    return tuple(
        CAAAttribute(
            id=f"{cat}-{reference}", name=name, category=cat, reference=reference, passed=True,
            critical=critical, n_test_lots=8, n_reference_lots=lots, method="quality_range",
        )
        for cat, name, critical in categories
    )  # fmt: skip


def pk_comparisons(
    test: str, reference: str, ratios: tuple[float, float, float] = (0.98, 1.01, 0.97)
) -> tuple[PKComparison, ...]:
    """AUC0-inf, AUC0-t and Cmax comparisons with CIs of about +-8% around the ratio."""
    out = []
    for metric, ratio in zip(("AUC0-inf", "AUC0-t", "Cmax"), ratios, strict=True):
        out.append(
            PKComparison(
                id=f"{test}-{reference}-{metric}", test=test, reference=reference, metric=metric,
                ratio=ratio, ci_lower=round(ratio * 0.92, 4), ci_upper=round(ratio * 1.08, 4),
            )
        )  # fmt: skip
    return tuple(out)


def pk_study(
    study_id: str,
    arms: tuple[str, ...],
    subjects: tuple[str, ...] = ("caucasian",),
    population: str = "healthy_volunteers",
) -> PKStudy:
    """A single-dose parallel PK study with every T-vs-reference and reference-vs-reference comparison."""
    refs = [a for a in arms if a != "T"]
    comparisons = [c for r in refs for c in pk_comparisons("T", r)]
    comparisons += [c for i, a in enumerate(refs) for b in refs[i + 1 :] for c in pk_comparisons(a, b)]
    return PKStudy(
        id=study_id,
        arms=arms,
        comparisons=tuple(comparisons),
        population=population,
        subject_populations=subjects,
    )


def immuno(study: str, reference: str) -> ImmunogenicityAssessment:
    return ImmunogenicityAssessment(
        id=f"ada-{study}-{reference}", study=study, reference=reference, comparable=True
    )


GLOBAL_SOURCING = {"EMA": "EU", "FDA": "EU", "MHRA": "EU", "WHO": "EU", "HC": "EU", "NMPA": "CN"}


def igg1_full_3arm() -> Program:
    """IgG1 mAb (adalimumab-like): full CAA vs EU-RP, EU/US analytical bridge, 3-arm PK all passing."""
    program = ProgramProfile(
        name="IgG1 mAb, full CAA, 3-arm PK", modality="monoclonal_antibody", moa_understood=True,
        reference_sourcing=GLOBAL_SOURCING, indications=("rheumatoid arthritis", "Crohn's disease"),
    )  # fmt: skip
    inventory = EvidenceInventory(
        caa=caa("EU"),
        analytical_bridges=(
            AnalyticalBridge("bridge-EU-US", ("T", "EU", "US"), passed=True, n_attributes=40),
        ),
        pk_studies=(pk_study("PK-101", ("T", "EU", "US")),),
        immunogenicity=(immuno("PK-101", "EU"), immuno("PK-101", "US")),
        manual_items=(
            ManualItem("enhanced_analytical_dossier", True),
            ManualItem("reference_representativeness_justified", True, note="EU product same as UK/CA"),
            ManualItem("extrapolation_justified", True),
            ManualItem("no_in_vivo_animal_studies_justified", True, region="EMA"),
        ),
    )
    return program, inventory


def with_inventory(base: Program, **changes: Any) -> Program:
    program, inventory = base
    return program, replace(inventory, **changes)


def with_program(base: Program, **changes: Any) -> Program:
    program, inventory = base
    return replace(program, **changes), inventory


def igg1_failed_us_bridge() -> Program:
    base = igg1_full_3arm()
    failed = (AnalyticalBridge("bridge-EU-US", ("T", "EU", "US"), passed=False, n_attributes=40),)
    return with_program(with_inventory(base, analytical_bridges=failed), name="IgG1 mAb, failed US bridge")


def igg1_cmax_fails_vs_eu() -> Program:
    program, inventory = igg1_full_3arm()
    study = inventory.pk_studies[0]
    comparisons = tuple(
        replace(c, ratio=0.86, ci_lower=0.78, ci_upper=0.95)
        if (c.test, c.reference, c.metric) == ("T", "EU", "Cmax")
        else c
        for c in study.comparisons
    )
    return replace(program, name="IgG1 mAb, Cmax vs EU-RP fails"), replace(
        inventory, pk_studies=(replace(study, comparisons=comparisons),)
    )


def pegfilgrastim(scientific_advice: bool = False) -> Program:
    """PEGylated, non-glycosylated E. coli protein; conjugation (PEG site/size) compared."""
    categories = tuple(c for c in MAB_CATEGORIES if c[0] not in ("glycosylation", "moa_functional"))
    categories += (
        ("moa_functional", "G-CSF receptor binding", True),
        ("conjugation", "PEG site and size", True),
    )
    program = ProgramProfile(
        name="PEGylated G-CSF" + (" with scientific advice" if scientific_advice else ""),
        modality="pegylated_protein", moa_understood=True, glycosylated=False,
        reference_sourcing=GLOBAL_SOURCING, indications=("neutropenia",),
    )  # fmt: skip
    manual = [
        ManualItem("enhanced_analytical_dossier", True),
        ManualItem("reference_representativeness_justified", True),
        ManualItem("no_in_vivo_animal_studies_justified", True, region="EMA"),
    ]
    if scientific_advice:
        manual.append(
            ManualItem("scientific_advice_supports_waiver", True, note="EMA, FDA, MHRA, WHO, HC advice")
        )
    inventory = EvidenceInventory(
        caa=caa("EU", categories),
        analytical_bridges=(AnalyticalBridge("bridge-EU-US", ("T", "EU", "US"), passed=True),),
        pk_studies=(pk_study("PK-201", ("T", "EU", "US")),),
        immunogenicity=(immuno("PK-201", "EU"), immuno("PK-201", "US")),
        manual_items=tuple(manual),
    )
    return program, inventory


def insulin_glargine() -> Program:
    """Insulin analogue: separate clamp PK studies against EU-RP and US-RP, CAA against both."""
    categories = tuple(c for c in MAB_CATEGORIES if c[0] not in ("glycosylation", "moa_functional"))
    categories += (("moa_functional", "insulin receptor binding and metabolic activity", True),)
    sourcing = {**GLOBAL_SOURCING, "FDA": "US"}
    program = ProgramProfile(
        name="Insulin glargine", modality="insulin", moa_understood=True, glycosylated=False,
        reference_sourcing=sourcing, indications=("diabetes mellitus",),
    )  # fmt: skip
    inventory = EvidenceInventory(
        caa=caa("EU", categories) + caa("US", categories),
        pk_studies=(pk_study("CLAMP-EU", ("T", "EU")), pk_study("CLAMP-US", ("T", "US"))),
        immunogenicity=(immuno("CLAMP-EU", "EU"), immuno("CLAMP-US", "US")),
        manual_items=(
            ManualItem("enhanced_analytical_dossier", True),
            ManualItem("reference_representativeness_justified", True),
            ManualItem("no_in_vivo_animal_studies_justified", True, region="EMA"),
        ),
    )
    return program, inventory


def trastuzumab_emtansine() -> Program:
    """Antibody-drug conjugate: full evidence, PK in patients (cytotoxic payload)."""
    program, inventory = igg1_full_3arm()
    categories = (*MAB_CATEGORIES, ("conjugation", "drug-to-antibody ratio distribution", True))
    study = replace(pk_study("PK-301", ("T", "EU", "US")), population="patients")
    return replace(
        program,
        name="ADC (T-DM1-like)",
        modality="antibody_drug_conjugate",
        indications=("HER2+ breast cancer",),
    ), replace(
        inventory,
        caa=caa("EU", categories),
        pk_studies=(study,),
        immunogenicity=(immuno("PK-301", "EU"), immuno("PK-301", "US")),
    )


def unclear_mechanism() -> Program:
    return with_program(igg1_full_3arm(), name="mAb with unclear mechanism", moa_understood=False)


def china_only_local_reference(ces_outcome: str = "equivalent") -> Program:
    """China-only program: CN-sourced reference (recorded by hand), PK in Chinese subjects, CES in China."""
    program = ProgramProfile(
        name=f"China-only bevacizumab (CES {ces_outcome})", modality="monoclonal_antibody",
        moa_understood=True,
        target_regions=("NMPA",), indications=("non-small-cell lung cancer",),
    )  # fmt: skip
    inventory = EvidenceInventory(
        caa=caa("CN"),
        pk_studies=(pk_study("PK-CN", ("T", "CN"), subjects=("chinese",)),),
        immunogenicity=(immuno("PK-CN", "CN"),),
        clinical_studies=(
            ClinicalStudy(
                "CES-CN", "comparative_efficacy", "CN", ces_outcome, "NSCLC first line", ("chinese",)
            ),
        ),
        manual_items=(
            ManualItem("local_reference_used", True, region="NMPA", note="CN-sourced Avastin lots"),
        ),
    )
    return program, inventory


def global_program_with_eu_reference_for_china() -> Program:
    """Global program that relies on the EU reference for China too."""
    program, inventory = igg1_full_3arm()
    return replace(
        program,
        name="Global mAb, EU reference for China",
        reference_sourcing={**GLOBAL_SOURCING, "NMPA": "EU"},
    ), inventory


def interchangeable(presentation_recorded: bool) -> Program:
    program, inventory = igg1_full_3arm()
    manual = inventory.manual_items
    if presentation_recorded:
        manual += (
            ManualItem("presentation_same_as_reference", True, region="FDA", note="same autoinjector"),
        )
    return replace(
        program, name=f"Interchangeable mAb (presentation recorded: {presentation_recorded})",
        interchangeability_sought=True,
    ), replace(inventory, manual_items=manual)  # fmt: skip


def failed_ces_vs_eu() -> Program:
    ces = ClinicalStudy("CES-RA", "comparative_efficacy", "EU", "not_equivalent", "moderate-to-severe RA")
    return with_program(
        with_inventory(igg1_full_3arm(), clinical_studies=(ces,)), name="mAb with a failed CES"
    )


def immunogenicity_differs_vs_eu() -> Program:
    program, inventory = igg1_full_3arm()
    ada = (replace(inventory.immunogenicity[0], comparable=False), inventory.immunogenicity[1])
    return replace(program, name="mAb with higher ADA than EU-RP"), replace(inventory, immunogenicity=ada)


def few_reference_lots() -> Program:
    return with_program(
        with_inventory(igg1_full_3arm(), caa=caa("EU", lots=6)), name="mAb with 6 reference lots"
    )


def non_clonal_cell_line() -> Program:
    return with_program(igg1_full_3arm(), name="mAb from a non-clonal cell pool", clonal_cell_line=False)


def no_extrapolation_justification() -> Program:
    program, inventory = igg1_full_3arm()
    manual = tuple(m for m in inventory.manual_items if m.code != "extrapolation_justified")
    return replace(program, name="mAb without extrapolation justification"), replace(
        inventory, manual_items=manual
    )


def etanercept_without_functional_assays() -> Program:
    program, inventory = igg1_full_3arm()
    categories = tuple(c for c in MAB_CATEGORIES if c[0] != "moa_functional")
    return replace(
        program, name="Fc-fusion without MoA functional assays", modality="fusion_protein"
    ), replace(inventory, caa=caa("EU", categories))
