"""Table-driven readiness of realistic biosimilar programs, each expectation justified by a cited rule.

How an expectation is checked:

* ``ready``: every applicable rule is met (the cited rules are the conditions that make it so);
* ``gaps``: the rules not met are exactly the cited ones;
* ``not eligible for streamlined pathway``: the eligibility rules that fail are exactly the cited ones.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from bioparity.pathways import GAPS, NOT_ELIGIBLE, READY, assess_program
from tests.pathways import profiles


@dataclass(frozen=True)
class Expect:
    status: str
    rules: tuple[str, ...]
    why: str


# A global program files in China against the CN reference, where no streamlined pathway exists.
CHINA_NOT_STREAMLINED = Expect(
    NOT_ELIGIBLE, ("NMPA.ELIG.NO_STREAMLINED",), "comparative efficacy still expected"
)


def all_ready(**others: Expect) -> dict[str, Expect]:
    """Ready in EMA, FDA, MHRA, WHO and Health Canada unless overridden; China not streamlined."""
    ready = {
        "EMA": Expect(
            READY, ("EMA.ELIG.MODALITY", "EMA.ELIG.MOA", "EMA.PK.SIMILARITY"), "tailored approach met"
        ),
        "FDA": Expect(
            READY, ("FDA.ELIG.MANUFACTURING", "FDA.REF.COMPARATOR"), "CES not needed, EU-RP bridged"
        ),
        "MHRA": Expect(READY, ("MHRA.ELIG.CES_NOT_NEEDED", "MHRA.REF.COMPARATOR"), "EU-RP representative"),
        "WHO": Expect(
            READY, ("WHO.ELIG.MODALITY", "WHO.CAA.SIMILARITY"), "well characterised, data sufficient"
        ),
        "HC": Expect(
            READY, ("HC.ELIG.CES_NOT_REQUIRED", "HC.IMM.COMPARATIVE"), "2025 draft: no CES in most cases"
        ),
        "NMPA": CHINA_NOT_STREAMLINED,
    }
    return {**ready, **others}


@dataclass(frozen=True)
class Case:
    name: str
    build: Callable[[], profiles.Program]
    expected: dict[str, Expect]


CASES = [
    Case("igg1-full-caa-3arm-pk", profiles.igg1_full_3arm, all_ready()),
    Case(
        "igg1-failed-us-bridge",
        profiles.igg1_failed_us_bridge,
        all_ready(
            FDA=Expect(
                GAPS,
                ("FDA.REF.COMPARATOR", "FDA.CAA.SIMILARITY"),
                "EU-RP not bridged to US-RP, so the CAA against EU-RP does not count for FDA",
            )
        ),
    ),
    Case(
        "igg1-cmax-fails-vs-eu",
        profiles.igg1_cmax_fails_vs_eu,
        all_ready(
            EMA=Expect(GAPS, ("EMA.PK.SIMILARITY",), "Cmax CI vs EU-RP below 0.80"),
            FDA=Expect(
                GAPS,
                ("FDA.REF.COMPARATOR", "FDA.CAA.SIMILARITY"),
                "three-arm PK bridge: every pair (incl. T vs EU) must meet the margins, so the EU-sourced "
                "CAA no longer counts (FDA clinical pharmacology guidance IV.B)",
            ),
            MHRA=Expect(GAPS, ("MHRA.PK.CONFIRMATORY",), "MHRA relies on the EU-RP arm"),
            WHO=Expect(GAPS, ("WHO.PK.SIMILARITY",), "WHO dossier relies on the EU-RP arm"),
            HC=Expect(GAPS, ("HC.PK.SIMILARITY",), "HC dossier relies on the EU-RP arm"),
        ),
    ),
    Case(
        "pegylated-protein-no-advice",
        profiles.pegfilgrastim,
        {
            "EMA": Expect(GAPS, ("EMA.ELIG.MODALITY",), "PEGylated: in scope only with justification"),
            "FDA": Expect(
                GAPS, ("FDA.ELIG.MODALITY",), "PEGylated: highly purified/well characterised to argue"
            ),
            "MHRA": Expect(GAPS, ("MHRA.ELIG.CES_NOT_NEEDED",), "justification needed for the product class"),
            "WHO": Expect(GAPS, ("WHO.ELIG.MODALITY",), "conjugated product: characterisation to justify"),
            "HC": Expect(GAPS, ("HC.ELIG.CES_NOT_REQUIRED",), "rationale needed for the product class"),
            "NMPA": CHINA_NOT_STREAMLINED,
        },
    ),
    Case(
        "pegylated-protein-with-scientific-advice",
        lambda: profiles.pegfilgrastim(scientific_advice=True),
        all_ready(
            EMA=Expect(READY, ("EMA.ELIG.MODALITY",), "at-risk scope resolved by scientific advice"),
            FDA=Expect(READY, ("FDA.ELIG.MODALITY",), "at-risk scope resolved by agreement with FDA"),
        ),
    ),
    Case(
        "insulin-clamp-studies",
        profiles.insulin_glargine,
        all_ready(
            EMA=Expect(
                READY, ("EMA.ELIG.MODALITY", "EMA.PK.SIMILARITY"), "insulin in scope; clamp PK vs EU-RP"
            ),
            FDA=Expect(READY, ("FDA.REF.COMPARATOR", "FDA.PK.SIMILARITY"), "US-RP used directly, no bridge"),
        ),
    ),
    Case(
        "antibody-drug-conjugate",
        profiles.trastuzumab_emtansine,
        {  # one treatment everywhere: no guideline names ADCs; the conjugate must be shown characterisable
            "EMA": Expect(GAPS, ("EMA.ELIG.MODALITY",), "ADC: tailored approach only with scientific advice"),
            "FDA": Expect(GAPS, ("FDA.ELIG.MODALITY",), "ADC: agree with FDA that no CES is needed"),
            "MHRA": Expect(GAPS, ("MHRA.ELIG.CES_NOT_NEEDED",), "no carve-out, but justification needed"),
            "WHO": Expect(GAPS, ("WHO.ELIG.MODALITY",), "conjugate characterisation to justify"),
            "HC": Expect(GAPS, ("HC.ELIG.CES_NOT_REQUIRED",), "rationale needed for the product class"),
            "NMPA": CHINA_NOT_STREAMLINED,
        },
    ),
    Case(
        "unclear-mechanism-of-action",
        profiles.unclear_mechanism,
        {
            "EMA": Expect(NOT_ELIGIBLE, ("EMA.ELIG.MOA",), "MoA must be understood and covered by assays"),
            "FDA": Expect(NOT_ELIGIBLE, ("FDA.ELIG.QA_EFFICACY",), "QA-efficacy relationship not understood"),
            "MHRA": Expect(GAPS, ("MHRA.ELIG.MOA",), "justification for no efficacy trial at risk"),
            "WHO": Expect(GAPS, ("WHO.ELIG.CASE_BY_CASE",), "case-by-case waiver at risk"),
            "HC": Expect(GAPS, ("HC.ELIG.MOA",), "rationale at risk"),
            "NMPA": CHINA_NOT_STREAMLINED,
        },
    ),
    Case(
        "china-only-local-reference",
        profiles.china_only_local_reference,
        {"NMPA": Expect(NOT_ELIGIBLE, ("NMPA.ELIG.NO_STREAMLINED",), "traditional package complete")},
    ),
    Case(
        "global-program-eu-reference-for-china",
        profiles.global_program_with_eu_reference_for_china,
        all_ready(NMPA=Expect(NOT_ELIGIBLE, ("NMPA.ELIG.NO_STREAMLINED",), "and NMPA.REF.LOCAL missing")),
    ),
    Case(
        "interchangeability-presentation-not-recorded",
        lambda: profiles.interchangeable(presentation_recorded=False),
        all_ready(
            FDA=Expect(GAPS, ("FDA.IC.INTERCHANGEABILITY",), "no switching study, presentation to justify")
        ),
    ),
    Case(
        "interchangeability-presentation-recorded",
        lambda: profiles.interchangeable(presentation_recorded=True),
        all_ready(
            FDA=Expect(READY, ("FDA.IC.INTERCHANGEABILITY",), "switching studies generally not needed (2024)")
        ),
    ),
    Case(
        "failed-comparative-efficacy-study",
        profiles.failed_ces_vs_eu,
        all_ready(
            EMA=Expect(GAPS, ("EMA.CLIN.NO_CONTRADICTION",), "totality of evidence includes the failed CES"),
            FDA=Expect(GAPS, ("FDA.CLIN.NO_CONTRADICTION",), "CES vs bridged EU-RP counts for FDA"),
            MHRA=Expect(GAPS, ("MHRA.CLIN.NO_CONTRADICTION",), "failed CES against the relied reference"),
            WHO=Expect(GAPS, ("WHO.CLIN.NO_CONTRADICTION",), "failed CES against the relied reference"),
            HC=Expect(GAPS, ("HC.CLIN.NO_CONTRADICTION",), "failed CES against the relied reference"),
        ),
    ),
    Case(
        "ada-higher-than-eu-reference",
        profiles.immunogenicity_differs_vs_eu,
        all_ready(
            EMA=Expect(GAPS, ("EMA.IMM.COMPARATIVE",), "ADA not comparable with EU-RP"),
            MHRA=Expect(GAPS, ("MHRA.IMM.COMPARATIVE",), "relies on EU-RP"),
            WHO=Expect(GAPS, ("WHO.IMM.COMPARATIVE",), "relies on EU-RP"),
            HC=Expect(GAPS, ("HC.IMM.COMPARATIVE",), "relies on EU-RP"),
        ),  # FDA compares with the US-RP arm, where ADA is comparable
    ),
    Case(
        "six-reference-lots",
        profiles.few_reference_lots,
        all_ready(FDA=Expect(GAPS, ("FDA.CAA.SIMILARITY",), "fewer than ~10 reference lots: at risk")),
    ),
    Case(
        "non-clonal-cell-line",
        profiles.non_clonal_cell_line,
        all_ready(
            FDA=Expect(NOT_ELIGIBLE, ("FDA.ELIG.MANUFACTURING",), "clonal cell line is an FDA condition")
        ),
    ),
    Case(
        "two-indications-without-extrapolation-justification",
        profiles.no_extrapolation_justification,
        all_ready(
            EMA=Expect(GAPS, ("EMA.EXTRAP.INDICATIONS",), "extrapolation needs justification"),
            FDA=Expect(GAPS, ("FDA.EXTRAP.INDICATIONS",), "extrapolation needs justification"),
            MHRA=Expect(GAPS, ("MHRA.EXTRAP.INDICATIONS",), "extrapolation needs justification"),
            WHO=Expect(GAPS, ("WHO.EXTRAP.INDICATIONS",), "extrapolation needs justification"),
        ),  # HC stays ready: the 2026 final guidance dropped the per-indication rationale (s. 6.1)
    ),
    Case(
        "fusion-protein-without-moa-assays",
        profiles.etanercept_without_functional_assays,
        all_ready(
            EMA=Expect(GAPS, ("EMA.CAA.SIMILARITY",), "MoA-related functional assays missing"),
            FDA=Expect(GAPS, ("FDA.CAA.SIMILARITY",), "MoA-related functional assays missing"),
            MHRA=Expect(GAPS, ("MHRA.CAA.SIMILARITY",), "in-vitro functional data missing"),
            WHO=Expect(GAPS, ("WHO.CAA.SIMILARITY",), "biological characterisation incomplete"),
            HC=Expect(GAPS, ("HC.CAA.SIMILARITY",), "functional properties missing"),
        ),
    ),
]


def test_at_least_twelve_profiles() -> None:
    assert len(CASES) >= 12
    assert len({c.name for c in CASES}) == len(CASES)


@pytest.mark.parametrize(
    ("case", "region"),
    [(c, r) for c in CASES for r in c.expected],
    ids=[f"{c.name}-{r}" for c in CASES for r in c.expected],
)
def test_region_status_is_justified_by_cited_rules(case: Case, region: str) -> None:
    program, inventory = case.build()
    result = assess_program(program, inventory).region(region)
    expect = case.expected[region]
    by_id = {r.rule_id: r for r in result.requirements}
    assert set(expect.rules) <= set(by_id), f"cited rules not applied: {set(expect.rules) - set(by_id)}"
    assert result.status == expect.status, result.explanation
    if expect.status == READY:
        assert all(r.status == "met" for r in result.requirements)
        assert result.work_left == ()
    elif expect.status == GAPS:
        assert {r.rule_id for r in result.requirements if r.status != "met"} == set(expect.rules)
        assert len(result.work_left) >= 1
    else:
        failing = {
            r.rule_id for r in result.requirements if r.kind == "eligibility" and r.status == "missing"
        }
        assert failing == set(expect.rules)
        assert result.pathway == "traditional"


def test_china_only_program_has_a_complete_traditional_package() -> None:
    # NMPA.REF.LOCAL is met by the hand-entered "local reference used", NMPA.PK.CHINESE_SUBJECTS by PK-CN.
    result = assess_program(*profiles.china_only_local_reference()).region("NMPA")
    assert result.traditional_package_complete is True
    met = {r.rule_id: r for r in result.requirements if r.status == "met"}
    assert met["NMPA.REF.LOCAL"].evidence == ("manual:local_reference_used@NMPA",)
    assert "NMPA.CLIN.CES" in met and "NMPA.PK.CHINESE_SUBJECTS" in met


def test_china_only_program_with_ongoing_ces_lists_the_ces_as_work() -> None:
    result = assess_program(*profiles.china_only_local_reference("ongoing")).region("NMPA")
    assert result.traditional_package_complete is False
    assert any("comparative efficacy trial including Chinese patients" in w for w in result.work_left)


def test_eu_reference_for_china_is_not_accepted() -> None:
    result = assess_program(*profiles.global_program_with_eu_reference_for_china()).region("NMPA")
    rule = next(r for r in result.requirements if r.rule_id == "NMPA.REF.LOCAL")
    assert rule.status == "missing" and "not accepted" in rule.detail


def test_global_program_reports_pk_in_chinese_subjects_as_work_left() -> None:
    result = assess_program(*profiles.igg1_full_3arm()).region("NMPA")
    assert "NMPA: PK study in Chinese subjects needed (T vs China-sourced reference)" in result.work_left


def test_failed_bridge_explanation_names_the_failed_bridge_and_rule() -> None:
    result = assess_program(*profiles.igg1_failed_us_bridge()).region("FDA")
    assert "analytical bridge EU-RP vs US-RP failed" in result.explanation
    assert "[FDA.REF.COMPARATOR]" in result.explanation


def test_requirements_cite_document_section_and_date() -> None:
    result = assess_program(*profiles.igg1_full_3arm()).region("EMA")
    imm = next(r for r in result.requirements if r.rule_id == "EMA.IMM.COMPARATIVE")
    assert imm.citation == (
        "Guideline on immunogenicity assessment of therapeutic proteins (EMEA/CHMP/BMWP/14327/2006 Rev 1, "
        "final), assay strategy; binding and neutralising antibodies [section number unconfirmed], "
        "2017-06-01"
    )  # a section known by its topic is not printed as "section assay strategy", its number flagged
    assert (imm.source, imm.source_date) == (
        "EMEA/CHMP/BMWP/14327/2006 Rev 1 (final, 2017-06-01)",
        "2017-06-01",
    )
    assert imm.evidence == ("immuno:ada-PK-101-EU",)


def test_region_selection_and_unknown_region() -> None:
    program, inventory = profiles.igg1_full_3arm()
    assert list(assess_program(program, inventory, regions=["FDA", "EMA"]).statuses) == ["FDA", "EMA"]
    with pytest.raises(ValueError, match="no rules for region"):
        assess_program(program, inventory, regions=["PMDA"])


def test_results_export_one_row_per_requirement() -> None:
    result = assess_program(*profiles.igg1_failed_us_bridge())
    frame = result.to_frame()
    assert len(frame) == sum(len(r.requirements) for r in result.regions)
    row = frame[(frame.region == "FDA") & (frame.rule_id == "FDA.REF.COMPARATOR")].iloc[0]
    assert row.status == "missing" and row.region_status == GAPS
    assert "bridge:bridge-EU-US" in row.evidence
    record = result.to_dict()
    assert record["statuses"]["FDA"] == GAPS
    assert record["regions"][1]["requirements"][0]["rule_id"].startswith("FDA.")


def test_the_summary_counts_requirements_as_the_explanation_does() -> None:
    # Before: "11 requirements, 10 met" (eligibility conditions counted as requirements) beside an
    # explanation saying "7 of 8 requirements are met".
    result = assess_program(*profiles.etanercept_without_functional_assays()).region("EMA")
    assert "7 of 8 requirements are met." in result.explanation
    assert result.summary().splitlines()[0] == (
        "European Union (EMA): gaps, streamlined pathway; 7 of 8 requirements met, "
        "3 of 3 eligibility conditions met"
    )
