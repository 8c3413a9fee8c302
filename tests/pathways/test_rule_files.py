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


def test_the_2025_documents_are_cited_as_drafts_with_their_dates() -> None:
    rules = load_rules()
    ema = rules["EMA"].documents["EMA-RP-TAILORED-2025"]
    assert (ema.reference, ema.status, ema.date) == ("EMA/CHMP/BMWP/60916/2025", "draft", "2025-03-17")
    fda = rules["FDA"].documents["FDA-CES-DRAFT-2025"]
    assert (fda.status, fda.date) == ("draft", "2025-10")
    assert rules["HC"].documents["HC-DRAFT-2025"].date == "2025-06-10"
    assert rules["NMPA"].documents["NMPA-2015"].date == "2015-02-28"


def test_interpretations_are_flagged() -> None:
    rules = load_rules()
    scope = next(r for r in rules["EMA"].rules if r.id == "EMA.ELIG.MODALITY")
    assert scope.interpretation and scope.unconfirmed and "our reading" in scope.note


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
