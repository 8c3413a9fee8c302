"""The shipped rule files are valid and complete; a broken rule file names the file and the rule."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml

from bioparity.errors import RuleFileError
from bioparity.pathways import CHECKS, MODALITIES, load_rule_file, load_rules

RULES_DIR = Path(str(resources.files("bioparity.pathways").joinpath("rules")))


def test_shipped_rules_cover_the_six_regions() -> None:
    rules = load_rules()
    assert set(rules) == {"EMA", "FDA", "MHRA", "NMPA", "WHO", "HC"}
    for region in rules.values():
        assert re.fullmatch(r"\d{4}\.\d+", region.rules_version)
        kinds = {r.check for r in region.rules}
        # every region says what makes the streamlined pathway available and what the evidence must show
        assert {"reference_product", "caa_similarity", "pk_similarity", "immunogenicity"} <= kinds
        assert any(r.kind == "eligibility" for r in region.rules)
        assert any(r.pathway == "traditional" and r.check == "clinical_study" for r in region.rules)


def test_every_rule_cites_a_defined_document_with_section_and_date() -> None:
    for region in load_rules().values():
        for rule in region.rules:
            assert rule.citation.document.key in region.documents
            assert rule.citation.section.strip()
            assert re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", rule.citation.date)
            assert rule.id.startswith(region.region + ".")


# Status and date of each text as stated by its publisher (or, where flagged, by a report of it):
# EMA reflection paper adopted by CHMP 16 March 2026 (reg-news.com report, final text not read); FDA
# CES draft October 2025; Health Canada final guidance 19 May 2026 (Smart & Biggar; Aitken Klee);
# CDE notice 2021 No. 18 of 10 February 2021; NMPA notice 2018 No. 52 of 6 July 2018; EMA
# immunogenicity guideline Rev 1 published 1 June 2017 (EMA page); FDA immunogenicity testing
# guidance February 2019 (FDA page); FDA interchangeability draft announced 20 June 2024 (Federal
# Register notice; text not read); MHRA guidance last updated 27 February 2025 (gov.uk publication page);
# NMPA 2015 guideline published by CFDA notice 2015 No. 7 of 28 February 2015; EMA insulin guideline
# Rev 1 first published 11 March 2015, in operation 1 September 2015 (EMA page; was cited from memory as of
# 26 February 2015); EMA statistical reflection paper adopted by CHMP 22 July 2021 (RAPS, 27 July 2021);
# FDA comparative analytical assessment guidance final, Federal Register 9 September 2025 (90 FR 43458).
CURRENT_TEXTS = [
    ("EMA", "EMA-RP-TAILORED-2026", "final", "2026-03-16", True),
    ("EMA", "EMA-IMMUNO-2017", "final", "2017-06-01", False),
    ("EMA", "EMA-INSULIN-2015", "final", "2015-03-11", False),
    ("EMA", "EMA-STAT-RP-2021", "final", "2021-07-22", False),
    ("FDA", "FDA-CES-DRAFT-2025", "draft", "2025-10", True),
    ("FDA", "FDA-IMMUNO-2019", "final", "2019-02", False),
    ("FDA", "FDA-CAA-2025", "final", "2025-09-09", False),
    ("FDA", "FDA-IC-DRAFT-2024", "draft", "2024-06-20", True),
    ("HC", "HC-2026", "final", "2026-05-19", False),
    ("NMPA", "CDE-2021-18", "final", "2021-02-10", False),
    ("NMPA", "NMPA-2018-52", "final", "2018-07-06", False),
    ("NMPA", "CDE-QA-2019", "final", "2019-07-31", True),
    ("WHO", "WHO-2022", "final", "2022-04-08", False),
    ("MHRA", "MHRA-2021", "final", "2025-02-27", False),
    ("NMPA", "NMPA-2015", "interim", "2015-02-28", False),
]


@pytest.mark.parametrize(("region", "key", "status", "date", "unconfirmed"), CURRENT_TEXTS)
def test_cited_texts_have_their_published_status_and_date(
    region: str, key: str, status: str, date: str, unconfirmed: bool
) -> None:
    doc = load_rules()[region].documents[key]
    assert (doc.status, doc.date, doc.unconfirmed) == (status, date, unconfirmed)


def test_no_rule_cites_the_superseded_2025_drafts_for_a_verdict_it_no_longer_supports() -> None:
    rules = load_rules()
    assert "EMA-RP-TAILORED-2025" not in rules["EMA"].documents
    # the final Health Canada guidance dropped the per-indication rationale (s. 6.1)
    assert not any(r.id == "HC.EXTRAP.INDICATIONS" for r in rules["HC"].rules)
    assert "HC-DRAFT-2025" not in rules["HC"].documents


# Headings of the table of contents of the EMA draft reflection paper EMA/CHMP/BMWP/60916/2025 (17 March
# 2025, page 2; read 2026-12-07 on a copy of the draft): the final text of 16 March 2026 could not be read,
# so the rules cite these numbers, flagged unconfirmed.
TAILORED_DRAFT_SECTIONS = {
    "2": "scope",
    "3.1.2": "prerequisites for similarity assessment",
    "3.1.3": "similarity assessment protocol",
    "3.1.6": "physicochemical and functional similarity",
    "3.2.1": "utility and limitations of comparative clinical",
    "3.2.2": "relevance of pk studies",
}


def test_tailored_approach_citations_are_sections_of_the_draft_and_flagged() -> None:
    ema = load_rules()["EMA"]
    citing = [r for r in ema.rules if r.citation.document.key == "EMA-RP-TAILORED-2026"]
    assert len(citing) == 4
    for rule in citing:
        assert rule.unconfirmed, rule.id
        numbers = re.findall(r"(?<![\d.])(\d(?:\.\d){0,2})(?![\d.])", rule.citation.section)
        assert numbers and set(numbers) <= set(TAILORED_DRAFT_SECTIONS), (rule.id, numbers)
        for number, topic in re.findall(r"(\d(?:\.\d){0,2}) \(([^)]*)\)", rule.citation.section):
            assert TAILORED_DRAFT_SECTIONS[number] in topic.lower().replace("pharmacokinetic", "pk"), rule.id
    doc = ema.documents["EMA-RP-TAILORED-2026"]
    assert doc.reference == "EMA/CHMP/BMWP/60916/2025"
    assert "Last checked 2026-12-07" in doc.note and "not confirmed on an EMA page" in doc.note


def test_who_guidelines_cite_annex_3_of_technical_report_series_1043() -> None:
    # WHO publication page of the seventy-fifth ECBS report (4-8 April 2022): WHO TRS No. 1043,
    # ISBN 9789240057081; the post-ECBS version of the guidelines is headed "Annex 3"
    doc = load_rules()["WHO"].documents["WHO-2022"]
    assert doc.reference == "WHO TRS No. 1043, Annex 3"
    assert "seventy-fifth report, WHO Technical Report Series No. 1043, 2022" in doc.note
    assert "978-92-4-005708-1" in doc.note and "(not read)" not in doc.note


def test_every_declared_document_is_cited() -> None:
    for region in load_rules().values():
        cited = {r.citation.document.key for r in region.rules}
        assert set(region.documents) == cited, (region.region, set(region.documents) - cited)


def test_a_section_marked_unconfirmed_makes_the_rule_unconfirmed() -> None:
    for region in load_rules().values():
        for rule in region.rules:
            if "unconfirmed" in rule.citation.section:
                assert rule.unconfirmed, rule.id


def test_every_region_states_when_its_rules_were_reviewed() -> None:
    for region in load_rules().values():
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", region.reviewed), region.region


def test_interpretations_are_flagged() -> None:
    rules = load_rules()
    scope = next(r for r in rules["EMA"].rules if r.id == "EMA.ELIG.MODALITY")
    assert (
        scope.interpretation
        and scope.unconfirmed
        and "No EMA text names antibody-drug conjugates" in scope.note
    )


def test_adc_and_polyclonal_treatment_is_the_same_in_every_region() -> None:
    for region in load_rules().values():
        for rule in region.rules:
            if rule.check == "modality_scope":
                assert "antibody_drug_conjugate" in rule.params["at_risk"], rule.id
                assert rule.params["out_of_scope"] == ["polyclonal_antibody"], rule.id
                assert rule.interpretation and "polyclonal" in rule.note.lower(), rule.id


def _shipped(name: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((RULES_DIR / name).read_text(encoding="utf-8"))
    return data


def _write(tmp_path: Path, data: Any, name: str = "ema.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def _rule(data: dict[str, Any], rule_id: str) -> dict[str, Any]:
    rule: dict[str, Any] = next(r for r in data["rules"] if r["id"] == rule_id)
    return rule


def test_unknown_check_code_names_file_and_rule(tmp_path: Path) -> None:
    data = _shipped("ema.yaml")
    _rule(data, "EMA.PK.SIMILARITY")["check"]["code"] = "pk_similarty"
    path = _write(tmp_path, data)
    with pytest.raises(
        RuleFileError, match=r"ema\.yaml, rule EMA\.PK\.SIMILARITY, field 'check\.code'"
    ) as info:
        load_rule_file(path)
    assert info.value.rule_id == "EMA.PK.SIMILARITY" and info.value.file == str(path)
    assert "pk_similarity" in str(info.value)  # lists the known checks


@pytest.mark.parametrize(
    ("rule_id", "mutate", "message"),
    [
        ("EMA.IMM.COMPARATIVE", lambda r: r.pop("citation"), "'citation' is a required property"),
        ("EMA.IMM.COMPARATIVE", lambda r: r["citation"].update(date="March 2025"), "does not match"),
        ("EMA.IMM.COMPARATIVE", lambda r: r["citation"].update(document="EMA-RP-2099"), "not in 'documents'"),
        ("EMA.IMM.COMPARATIVE", lambda r: r.pop("interpretation"), "'interpretation' is a required property"),
        ("EMA.IMM.COMPARATIVE", lambda r: r.update(kind="recommendation"), "is not one of"),
        ("EMA.IMM.COMPARATIVE", lambda r: r["check"].update(params={"require_nab": "yes"}), "is not of type"),
        ("EMA.PK.SIMILARITY", lambda r: r["check"]["params"].update(metrics=["AUC"]), "is not one of"),
        ("EMA.ELIG.MODALITY", lambda r: r["check"]["params"]["out_of_scope"].clear(), "not placed"),
        ("EMA.ELIG.MODALITY", lambda r: r.update(risk_resolved_by="advice"), "unknown manual item"),
        (
            "EMA.CAA.SIMILARITY",
            lambda r: r.update(id="FDA.CAA.SIMILARITY"),
            "must start with the region code",
        ),
    ],
)
def test_broken_rule_names_file_and_rule(tmp_path: Path, rule_id: str, mutate: Any, message: str) -> None:
    data = _shipped("ema.yaml")
    mutate(_rule(data, rule_id))
    path = _write(tmp_path, data)
    with pytest.raises(RuleFileError) as info:
        load_rule_file(path)
    text = str(info.value)
    assert text.startswith(str(path)) and message in text
    expected_id = "FDA.CAA.SIMILARITY" if rule_id == "EMA.CAA.SIMILARITY" else rule_id
    assert f"rule {expected_id}" in text


def test_rule_without_id_is_named_by_position(tmp_path: Path) -> None:
    data = _shipped("fda.yaml")
    del data["rules"][2]["id"]
    with pytest.raises(RuleFileError, match=r"fda\.yaml, rule #3 \(no id\): 'id' is a required property"):
        load_rule_file(_write(tmp_path, data, "fda.yaml"))


def test_duplicate_rule_id(tmp_path: Path) -> None:
    data = _shipped("who.yaml")
    data["rules"].append(dict(data["rules"][0]))
    with pytest.raises(RuleFileError, match=r"who\.yaml, rule WHO\.ELIG\.MODALITY: rule id is used twice"):
        load_rule_file(_write(tmp_path, data, "who.yaml"))


def test_file_level_problems(tmp_path: Path) -> None:
    bad_yaml = tmp_path / "nmpa.yaml"
    bad_yaml.write_text("rules: [\n", encoding="utf-8")
    with pytest.raises(RuleFileError, match=r"nmpa\.yaml: is not valid YAML"):
        load_rule_file(bad_yaml)
    data = _shipped("nmpa.yaml")
    data["schema_version"] = 2
    with pytest.raises(RuleFileError, match=r"nmpa\.yaml, field 'schema_version': 1 was expected"):
        load_rule_file(_write(tmp_path, data, "nmpa.yaml"))


def test_a_directory_of_rules_can_replace_the_shipped_ones(tmp_path: Path) -> None:
    for name in ("ema.yaml", "fda.yaml"):
        _write(tmp_path, _shipped(name), name)
    assert set(load_rules(tmp_path)) == {"EMA", "FDA"}
    _write(tmp_path, _shipped("ema.yaml"), "ema-copy.yaml")
    with pytest.raises(RuleFileError, match="region EMA is also defined"):
        load_rules(tmp_path)


def test_registry_and_modalities_are_consistent() -> None:
    assert {"modality_scope", "program_flag", "reference_product", "caa_similarity", "pk_similarity"} <= set(
        CHECKS
    )
    for region in load_rules().values():
        for rule in region.rules:
            if rule.check == "modality_scope":
                placed = [m for key in ("in_scope", "at_risk", "out_of_scope") for m in rule.params[key]]
                assert sorted(placed) == sorted(MODALITIES)
