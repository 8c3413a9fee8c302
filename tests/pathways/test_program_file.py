"""PROGRAM.yaml: the shipped examples load and give the documented verdicts; bad files are located."""

from __future__ import annotations

from pathlib import Path

import pytest

from bioparity.errors import DataFileError
from bioparity.pathways import GAPS, NOT_ELIGIBLE, READY, assess_program, load_program, parse_program

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "pathways"


def test_global_example_is_ready_except_china() -> None:
    program, inventory = load_program(EXAMPLES / "adalimumab_global.yaml")
    assert program.reference_sourcing["FDA"] == "EU" and len(inventory.caa) == 10
    statuses = assess_program(program, inventory).statuses
    # NMPA.ELIG.NO_STREAMLINED: no streamlined pathway in China; the rest meet every rule.
    assert statuses == {
        "EMA": READY,
        "FDA": READY,
        "MHRA": READY,
        "NMPA": NOT_ELIGIBLE,
        "WHO": READY,
        "HC": READY,
    }


def test_failed_bridge_example_has_fda_gaps() -> None:
    result = assess_program(*load_program(EXAMPLES / "adalimumab_failed_bridge.yaml"))
    assert result.statuses == {"EMA": READY, "FDA": GAPS, "MHRA": READY}
    fda = result.region("FDA")
    caa = next(r for r in fda.requirements if r.rule_id == "FDA.CAA.SIMILARITY")
    assert "do not count without an accepted bridge" in caa.detail


def test_china_example_reads_cdisc_metric_codes_and_manual_items() -> None:
    program, inventory = load_program(EXAMPLES / "bevacizumab_china.yaml")
    assert {c.metric for c in inventory.pk_studies[0].comparisons} == {"AUC0-inf", "Cmax"}
    nmpa = assess_program(program, inventory).region("NMPA")
    assert nmpa.status == NOT_ELIGIBLE and nmpa.traditional_package_complete is False
    assert nmpa.work_left[-1] == "NMPA: write the extrapolation justification"  # recorded as false


def _minimal(**evidence: object) -> dict[str, object]:
    return {
        "program": {"name": "x", "modality": "monoclonal_antibody", "moa_understood": True},
        "evidence": evidence,
    }


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"program": {"name": "x", "modality": "mab", "moa_understood": True}}, "at program: modality 'mab'"),
        ({"program": {"name": "x", "modality": "insulin"}}, "at program: missing key(s) moa_understood"),
        (_minimal(caa=[{"id": "a", "name": "n", "category": "potency", "reference": "EU", "passed": "yes"}]),
         "at evidence.caa[0].passed: got 'yes'; expected true or false"),
        (_minimal(caa=[{"id": "a", "name": "n", "category": "potency", "reference": "EU", "passed": True,
                         "tier": 1}]),
         "at evidence.caa[0]: unknown key(s) tier"),
        (_minimal(pk_studies=[{"id": "PK", "arms": ["T", "EU"], "comparisons": [
            {"id": "c", "test": "T", "reference": "EU", "metric": "Cmax", "ratio": 0.9, "ci": [0.78, 1.02],
             "passed": True}]}]),
         "at evidence.pk_studies[0].comparisons[0]: PK comparison c: stated passed=True contradicts the CI"),
        (_minimal(pk_studies=[{"id": "PK", "arms": ["T", "EU"], "comparisons": [
            {"id": "c", "test": "T", "reference": "US", "metric": "Cmax", "ratio": 0.9,
             "ci": [0.85, 1.0]}]}]),
         "comparison c uses arm 'US', not among the arms T, EU"),
        (_minimal(manual_items=[{"code": "local_reference_used", "value": True},
                                {"code": "local_reference_used", "value": False}]),
         "evidence ids must be unique"),
        (_minimal(lab_notes=[]), "at evidence: unknown key(s) lab_notes"),
    ],
)  # fmt: skip
def test_bad_program_entries_are_located(data: dict[str, object], message: str) -> None:
    with pytest.raises(DataFileError) as info:
        parse_program(data, "PROGRAM.yaml")
    assert str(info.value).startswith("PROGRAM.yaml: ")
    assert message in str(info.value)


def test_unreadable_and_invalid_files(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match="cannot be read"):
        load_program(tmp_path / "missing.yaml")
    bad = tmp_path / "PROGRAM.yaml"
    bad.write_text("program: {name: x\n", encoding="utf-8")
    with pytest.raises(DataFileError, match="is not valid YAML"):
        load_program(bad)


def test_us_comparator_example_is_not_ready_for_ema_but_ready_for_fda() -> None:
    result = assess_program(*load_program(EXAMPLES / "us_comparator_bridge.yaml"))
    assert result.statuses == {"EMA": GAPS, "FDA": READY}
    missing = {r.rule_id for r in result.region("EMA").requirements if r.status == "missing"}
    # quality vs the EU product missing; the US comparator is not bridged (no three-way, no 3-arm PK)
    assert missing == {"EMA.REF.COMPARATOR", "EMA.CAA.SIMILARITY", "EMA.PK.SIMILARITY", "EMA.IMM.COMPARATIVE"}


def test_china_example_with_cde_agreement_is_ready() -> None:
    result = assess_program(*load_program(EXAMPLES / "china_cde_agreed.yaml"))
    assert result.statuses == {"NMPA": READY}
