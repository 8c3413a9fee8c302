"""Regulatory rules as data: loading and validating the per-region rule files.

Each region has one YAML file in ``bioparity/pathways/rules/`` (shipped with the package), versioned by
``rules_version``. A rule names the check to run (:mod:`bioparity.pathways.checks`), cites a document,
section and date, says whether it is our ``interpretation`` rather than guideline text and whether the
fact is ``unconfirmed`` (not verified against the guideline text itself). Files are validated against
``rule_schema.json`` and then semantically (known check codes and parameters, cited documents defined,
unique rule ids prefixed by the region); any problem raises :class:`RuleFileError` naming the file and
the rule id.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from bioparity.errors import RuleFileError
from bioparity.pathways.basis import ReferencePolicy
from bioparity.pathways.checks import CHECKS
from bioparity.pathways.inventory import (
    MANUAL_ITEMS,
    MODALITIES,
    MULTIPLE_DOSE_METRICS,
    PK_METRICS,
    SINGLE_DOSE_METRICS,
)


@dataclass(frozen=True)
class Document:
    key: str
    title: str
    date: str
    status: str
    reference: str = ""
    unconfirmed: bool = False
    note: str = ""
    version: str = ""
    url: str = ""

    def label(self) -> str:
        """``reference version (status, date)``, e.g. ``CHMP/437/04 Rev 1 (final, 2014-10-23)``."""
        ident = " ".join(p for p in (self.reference, self.version) if p) or self.title
        return f"{ident} ({self.status}, {self.date})"


@dataclass(frozen=True)
class Citation:
    document: Document
    section: str
    date: str

    def text(self) -> str:
        """``Title (reference, status), section S, date`` as a briefing would cite it."""
        doc = self.document
        ref = f"{doc.reference}, " if doc.reference else ""
        flag = " [citation unconfirmed]" if doc.unconfirmed else ""
        version = f"{doc.version}, " if doc.version else ""
        return f"{doc.title} ({ref}{version}{doc.status}), section {self.section}, {self.date}{flag}"


@dataclass(frozen=True)
class Rule:
    id: str
    kind: str
    pathway: str
    title: str
    citation: Citation
    interpretation: bool
    unconfirmed: bool
    check: str
    params: Mapping[str, Any]
    work: str
    risk_work: str
    risk_resolved_by: str | None
    when: Mapping[str, Any]
    note: str


@dataclass(frozen=True)
class RegionRules:
    region: str
    name: str
    rules_version: str
    reference: ReferencePolicy
    documents: Mapping[str, Document]
    rules: tuple[Rule, ...]
    file: str
    reviewed: str = ""

    def rule(self, rule_id: str) -> Rule:
        """The rule with id ``rule_id`` (``KeyError`` naming the region's rules otherwise)."""
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise KeyError(rule_id)


@cache
def _schema() -> dict[str, Any]:
    text = resources.files("bioparity.pathways").joinpath("rule_schema.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def _rule_at(data: Any, path: list[Any]) -> tuple[str | None, str | None]:
    """Rule id and field of a schema error path such as ``['rules', 3, 'check', 'code']``."""
    if len(path) >= 2 and path[0] == "rules" and isinstance(path[1], int):
        rules = data.get("rules") if isinstance(data, dict) else None
        rule = rules[path[1]] if isinstance(rules, list) and path[1] < len(rules) else None
        rule_id = rule.get("id") if isinstance(rule, dict) else None
        label = str(rule_id) if isinstance(rule_id, str) else f"#{path[1] + 1} (no id)"
        field = ".".join(str(p) for p in path[2:]) or None
        return label, field
    return None, ".".join(str(p) for p in path) or None


def _validate_schema(data: Any, file: str) -> None:
    validator = jsonschema.Draft202012Validator(_schema())
    errors = sorted(validator.iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path])
    if errors:
        error = errors[0]
        rule_id, field = _rule_at(data, list(error.absolute_path))
        more = f" (and {len(errors) - 1} more problem(s))" if len(errors) > 1 else ""
        raise RuleFileError(f"{error.message}{more}", file=file, rule_id=rule_id, field=field)


def _validate_rule(raw: Mapping[str, Any], region: str, documents: Mapping[str, Document], file: str) -> None:
    rule_id = raw["id"]
    if rule_id.split(".")[0] != region:
        raise RuleFileError(
            f"rule ids must start with the region code '{region}.'", file=file, rule_id=rule_id
        )
    if raw["citation"]["document"] not in documents:
        raise RuleFileError(
            f"cites document {raw['citation']['document']!r}, which is not in 'documents' "
            f"(defined: {', '.join(documents)})",
            file=file,
            rule_id=rule_id,
            field="citation.document",
        )
    code = raw["check"]["code"]
    if code not in CHECKS:
        raise RuleFileError(
            f"unknown check {code!r}; known checks: {', '.join(sorted(CHECKS))}",
            file=file,
            rule_id=rule_id,
            field="check.code",
        )
    params = raw["check"].get("params", {})
    problems = sorted(
        jsonschema.Draft202012Validator(CHECKS[code].params_schema).iter_errors(params),
        key=lambda e: [str(p) for p in e.absolute_path],
    )
    if problems:
        where = ".".join(["check", "params", *(str(p) for p in problems[0].absolute_path)])
        raise RuleFileError(
            f"{problems[0].message} (check {code!r})", file=file, rule_id=rule_id, field=where
        )
    if code == "modality_scope":
        listed = [m for key in ("in_scope", "at_risk", "out_of_scope") for m in params[key]]
        unplaced = [m for m in MODALITIES if m not in listed]
        doubled = sorted({m for m in listed if listed.count(m) > 1})
        if unplaced or doubled:
            raise RuleFileError(
                "every modality must be placed in exactly one of in_scope / at_risk / out_of_scope"
                + (f"; not placed: {', '.join(unplaced)}" if unplaced else "")
                + (f"; placed twice: {', '.join(doubled)}" if doubled else ""),
                file=file,
                rule_id=rule_id,
                field="check.params",
            )
    unknown = [m for m in raw.get("when", {}).get("modality_in", []) if m not in MODALITIES]
    if unknown:
        raise RuleFileError(
            f"unknown modality {unknown[0]!r}", file=file, rule_id=rule_id, field="when.modality_in"
        )
    resolved_by = raw.get("risk_resolved_by")
    if resolved_by is not None and resolved_by not in MANUAL_ITEMS:
        raise RuleFileError(
            f"unknown manual item {resolved_by!r}; known: {', '.join(MANUAL_ITEMS)}",
            file=file,
            rule_id=rule_id,
            field="risk_resolved_by",
        )


def parse_region_rules(data: Any, file: str) -> RegionRules:
    """Validate one parsed rule file and build its :class:`RegionRules`."""
    _validate_schema(data, file)
    region = data["region"]
    documents = {
        key: Document(
            key=key,
            title=doc["title"],
            date=str(doc["date"]),
            status=doc["status"],
            reference=doc.get("reference", ""),
            unconfirmed=bool(doc.get("unconfirmed", False)),
            note=doc.get("note", ""),
            version=doc.get("version", ""),
            url=doc.get("url", ""),
        )
        for key, doc in data["documents"].items()
    }
    seen: set[str] = set()
    rules = []
    for raw in data["rules"]:
        if raw["id"] in seen:
            raise RuleFileError("rule id is used twice", file=file, rule_id=raw["id"])
        seen.add(raw["id"])
        _validate_rule(raw, region, documents, file)
        cite = raw["citation"]
        rules.append(
            Rule(
                id=raw["id"],
                kind=raw["kind"],
                pathway=raw.get("pathway", "any"),
                title=raw["title"],
                citation=Citation(documents[cite["document"]], cite["section"], cite["date"]),
                interpretation=raw["interpretation"],
                unconfirmed=bool(raw.get("unconfirmed", False)),
                check=raw["check"]["code"],
                params=raw["check"].get("params", {}),
                work=raw["work"],
                risk_work=raw.get("risk_work", raw["work"]),
                risk_resolved_by=raw.get("risk_resolved_by"),
                when=raw.get("when", {}),
                note=raw.get("note", ""),
            )
        )
    ref = data["reference"]
    metrics = ref.get("pk_metrics", {"single": SINGLE_DOSE_METRICS, "multiple": MULTIPLE_DOSE_METRICS})
    unknown_metrics = [m for m in [*metrics["single"], *metrics["multiple"]] if m not in PK_METRICS.values()]
    if unknown_metrics:
        raise RuleFileError(
            f"unknown PK metric {unknown_metrics[0]!r}; known: {', '.join(sorted(set(PK_METRICS.values())))}",
            file=file,
            field="reference.pk_metrics",
        )
    policy = ReferencePolicy(
        ref["local"],
        tuple(ref["foreign_accepted"]),
        ref["bridge"],
        local_only=tuple(ref.get("local_only", ())),
        pk_bridge=ref.get("pk_bridge", "always"),
        pk_metrics={k: tuple(v) for k, v in metrics.items()},
    )
    return RegionRules(
        region,
        data["name"],
        data["rules_version"],
        policy,
        documents,
        tuple(rules),
        file,
        reviewed=str(data.get("reviewed", "")),
    )


def all_rules(rule_sets: Mapping[str, RegionRules] | None = None) -> dict[str, tuple[RegionRules, Rule]]:
    """Every rule by id, with its region's rule set (default: the shipped rules)."""
    sets = load_rules() if rule_sets is None else rule_sets
    return {r.id: (rs, r) for rs in sets.values() for r in rs.rules}


def load_rule_file(path: str | os.PathLike[str]) -> RegionRules:
    """Read and validate one rule file (YAML)."""
    file = str(path)
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise RuleFileError(f"cannot be read: {exc.strerror or exc}", file=file) from exc
    except yaml.YAMLError as exc:
        raise RuleFileError(f"is not valid YAML: {exc}", file=file) from exc
    return parse_region_rules(data, file)


def load_rules(directory: str | os.PathLike[str] | None = None) -> dict[str, RegionRules]:
    """All rule files of ``directory`` (default: the rules shipped with bioparity), by region code."""
    if directory is None:
        return dict(_packaged_rules())
    return _load_directory(Path(directory))


def _load_directory(folder: Path) -> dict[str, RegionRules]:
    regions: dict[str, RegionRules] = {}
    for path in sorted(folder.glob("*.yaml")):
        rules = load_rule_file(path)
        if rules.region in regions:
            raise RuleFileError(
                f"region {rules.region} is also defined in {regions[rules.region].file}", file=str(path)
            )
        regions[rules.region] = rules
    if not regions:
        raise RuleFileError("no rule files (*.yaml) found", file=str(folder))
    return regions


@cache
def _packaged_rules() -> tuple[tuple[str, RegionRules], ...]:
    with resources.as_file(resources.files("bioparity.pathways").joinpath("rules")) as folder:
        return tuple(_load_directory(Path(folder)).items())
