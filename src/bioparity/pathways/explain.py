"""Plain-English summaries of a region's readiness, for pasting into a briefing document."""

from __future__ import annotations

from collections.abc import Sequence

from bioparity.pathways.results import RequirementResult


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
