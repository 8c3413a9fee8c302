"""Plain-English summaries of a region's readiness, and of one rule, for a briefing document."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from bioparity.pathways.checks import CHECKS
from bioparity.pathways.results import RequirementResult

if TYPE_CHECKING:
    from bioparity.pathways.rules import RegionRules, Rule


def _item(r: RequirementResult) -> str:
    return f"{r.title} - {r.detail} [{r.rule_id}]"


def region_explanation(
    region_name: str,
    status: str,
    pathway: str,
    traditional_complete: bool | None,
    results: Sequence[RequirementResult],
) -> str:
    """A short paragraph: the verdict, why, what is missing or at risk, and how firm the rules are."""
    requirements = [r for r in results if r.kind == "requirement"]
    missing = [r for r in results if r.status == "missing"]
    at_risk = [r for r in results if r.status == "at_risk"]
    met = [r for r in requirements if r.status == "met"]
    parts = [f"{region_name}: {status}."]
    if pathway == "traditional":
        failed = [r for r in results if r.kind == "eligibility" and r.status == "missing"]
        parts.append(
            "The streamlined pathway without a comparative efficacy study is not available: "
            + "; ".join(_item(r) for r in failed)
            + "."
        )
        open_reqs = [r for r in requirements if r.status != "met"]
        if traditional_complete:
            parts.append(
                f"The traditional package is complete ({len(met)} of {len(requirements)} requirements met)."
            )
        else:
            parts.append(
                f"Under the traditional pathway {len(open_reqs)} of {len(requirements)} requirements are "
                "open: " + "; ".join(_item(r) for r in open_reqs) + "."
            )
    else:
        parts.append(
            "The program meets the conditions for the streamlined pathway (comparative analytical and "
            "PK data "
            "without a comparative efficacy study)"
            + (", with points to justify." if any(r.kind == "eligibility" for r in at_risk) else ".")
        )
        parts.append(f"{len(met)} of {len(requirements)} requirements are met.")
        if met:
            parts.append("Met: " + "; ".join(f"{r.rule_id} ({r.detail})" for r in met) + ".")
        if missing:
            parts.append("Missing: " + "; ".join(_item(r) for r in missing) + ".")
        if at_risk:
            parts.append("At risk: " + "; ".join(_item(r) for r in at_risk) + ".")
    read = [r.rule_id for r in results if r.interpretation]
    soft = [r.rule_id for r in results if r.unconfirmed]
    if read:
        parts.append(f"Our interpretation rather than guideline text: {', '.join(read)}.")
    if soft:
        parts.append(f"Resting on facts not yet verified against the guideline text: {', '.join(soft)}.")
    return " ".join(parts)


def _logic(rule: Rule) -> list[str]:
    check = CHECKS[rule.check]
    lines = [f"check: {rule.check} - {check.description}"]
    for key, value in rule.params.items():
        shown = ", ".join(map(str, value)) if isinstance(value, (list, tuple)) else str(value)
        lines.append(f"  {key}: {shown or '(none)'}")
    if rule.when:
        conditions = []
        if "flag" in rule.when:
            conditions.append(f"the program has {rule.when['flag']}")
        if "modality_in" in rule.when:
            conditions.append(f"modality in {', '.join(rule.when['modality_in'])}")
        if "min_indications" in rule.when:
            conditions.append(f"at least {rule.when['min_indications']} indications are claimed")
        lines.append("applies when: " + "; ".join(conditions))
    if rule.risk_resolved_by:
        lines.append(f"'at risk' counts as met when recorded: {rule.risk_resolved_by}")
    return lines


def describe_rule(region: RegionRules, rule: Rule) -> str:
    """Plain text for ``bioparity pathways --explain RULE_ID``: the rule, its source and its logic."""
    doc = rule.citation.document
    pathway = {"any": "both pathways", "streamlined": "streamlined pathway only"}.get(
        rule.pathway, "traditional pathway only"
    )
    lines = [
        f"{rule.id}: {rule.title}",
        f"region: {region.name} (rules {region.rules_version}, reviewed {region.reviewed or 'not stated'})",
        f"kind: {rule.kind} ({pathway})",
        "",
        "source:",
        f"  document: {doc.title}",
        f"  reference: {doc.reference or '(no document number)'}{f' {doc.version}' if doc.version else ''}",
        f"  status: {doc.status}; date of the text: {doc.date}",
        f"  section: {rule.citation.section}",
        f"  cited as of: {rule.citation.date}",
    ]
    if doc.url:
        lines.append(f"  url: {doc.url}")
    if doc.note:
        lines.append(f"  about the document: {doc.note}")
    flags = []
    if rule.interpretation:
        flags.append("our interpretation rather than guideline text")
    if rule.unconfirmed or doc.unconfirmed:
        flags.append("UNCONFIRMED: not verified against the text itself")
    if flags:
        lines.append("  " + "; ".join(flags))
    lines += ["", "logic:", *(f"  {line}" for line in _logic(rule))]
    policy = region.reference
    if rule.check == "reference_product" or rule.check in ("caa_similarity", "pk_similarity"):
        lines.append(
            f"  reference policy: local {policy.local or 'any'}; foreign accepted: "
            f"{', '.join(policy.foreign_accepted) or 'none'}; bridge: {policy.bridge}"
            + (f"; local reference only for: {', '.join(policy.local_only)}" if policy.local_only else "")
            + (f"; PK bridge: {policy.pk_bridge}" if policy.bridge == "analytical_and_pk" else "")
        )
        if policy.bridge == "analytical_and_pk":
            lines.append(
                "  PK bridge metrics per pair: single dose "
                + ", ".join(policy.pk_metrics["single"])
                + "; multiple dose "
                + ", ".join(policy.pk_metrics["multiple"])
            )
    if rule.note:
        lines += ["", f"note: {rule.note}"]
    lines += ["", f"work when missing: {rule.work}"]
    if rule.risk_work != rule.work:
        lines.append(f"work when at risk: {rule.risk_work}")
    return "\n".join(lines)
