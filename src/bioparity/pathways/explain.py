"""Plain-language summaries of a region's readiness, and of one rule, for a briefing document.

The sentences are in the current language (:mod:`bioparity.i18n`), and so are the rule files' region names,
rule titles and work items (extracted into the catalogue like messages); citations are printed as the rule
files write them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from bioparity.i18n import current_language
from bioparity.i18n import gettext as _
from bioparity.pathways.checks import CHECKS, code_words
from bioparity.pathways.results import RequirementResult
from bioparity.pathways.rules import guideline_status, section_parts, section_words

if TYPE_CHECKING:
    from bioparity.pathways.rules import RegionRules, Rule


def _item(r: RequirementResult) -> str:
    """One requirement in a sentence: its title, the finding and the rule id (punctuated for the language)."""
    return _("%(title)s - %(detail)s [%(rule)s]") % {"title": r.title, "detail": r.detail, "rule": r.rule_id}


def _items(texts: Sequence[str]) -> str:
    """Items of a sentence, "; " between them (the full-width "；" in Chinese)."""
    return _("; ").join(texts)


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
    parts = [_("%(region)s: %(status)s.") % {"region": region_name, "status": code_words(status)}]
    n = {"met": len(met), "n": len(requirements)}
    if pathway == "traditional":
        failed = [r for r in results if r.kind == "eligibility" and r.status == "missing"]
        parts.append(
            _("The streamlined pathway without a comparative efficacy study is not available: %(items)s.")
            % {"items": _items([_item(r) for r in failed])}
        )
        open_reqs = [r for r in requirements if r.status != "met"]
        if traditional_complete:
            parts.append(_("The traditional package is complete (%(met)d of %(n)d requirements met).") % n)
        else:
            parts.append(
                _("Under the traditional pathway %(open)d of %(n)d requirements are open: %(items)s.")
                % {
                    "open": len(open_reqs),
                    "n": len(requirements),
                    "items": _items([_item(r) for r in open_reqs]),
                }
            )
    else:
        parts.append(
            _(
                "The program meets the conditions for the streamlined pathway (comparative analytical and "
                "PK data without a comparative efficacy study), with points to justify."
            )
            if any(r.kind == "eligibility" for r in at_risk)
            else _(
                "The program meets the conditions for the streamlined pathway (comparative analytical and "
                "PK data without a comparative efficacy study)."
            )
        )
        parts.append(_("%(met)d of %(n)d requirements are met.") % n)
        if met:
            parts.append(
                _("Met: %(items)s.")
                % {
                    "items": _items(
                        [_("%(rule)s (%(detail)s)") % {"rule": r.rule_id, "detail": r.detail} for r in met]
                    )
                }
            )
        if missing:
            parts.append(_("Missing: %(items)s.") % {"items": _items([_item(r) for r in missing])})
        if at_risk:
            parts.append(_("At risk: %(items)s.") % {"items": _items([_item(r) for r in at_risk])})
    read = [r.rule_id for r in results if r.interpretation]
    soft = [r.rule_id for r in results if r.unconfirmed]
    if read:
        parts.append(
            _("Our interpretation rather than guideline text: %(rules)s.") % {"rules": ", ".join(read)}
        )
    if soft:
        parts.append(
            _("Resting on facts not yet verified against the guideline text: %(rules)s.")
            % {"rules": ", ".join(soft)}
        )
    return join_sentences(parts)


def join_sentences(sentences: Sequence[str]) -> str:
    """Sentences as one paragraph (a space between them in English, none in Chinese).

    Examples
    --------
    >>> join_sentences(["One.", "Two."])
    'One. Two.'
    """
    text = sentences[0] if sentences else ""
    for sentence in sentences[1:]:
        text = _("%(previous)s %(next)s") % {"previous": text, "next": sentence}
    return text


def _logic(rule: Rule) -> list[str]:
    check = CHECKS[rule.check]
    lines = [
        _("check: %(code)s - %(description)s") % {"code": rule.check, "description": _(check.description)}
    ]
    for key, value in rule.params.items():
        shown = ", ".join(map(str, value)) if isinstance(value, (list, tuple)) else str(value)
        lines.append(f"  {key}: {shown or _('(none)')}")
    if rule.when:
        conditions = []
        if "flag" in rule.when:
            conditions.append(_("the program has %(flag)s") % {"flag": rule.when["flag"]})
        if "modality_in" in rule.when:
            conditions.append(
                _("modality in %(modalities)s") % {"modalities": ", ".join(rule.when["modality_in"])}
            )
        if "min_indications" in rule.when:
            conditions.append(
                _("at least %(n)s indications are claimed") % {"n": rule.when["min_indications"]}
            )
        lines.append(_("applies when: %(conditions)s") % {"conditions": _items(conditions)})
    if rule.risk_resolved_by:
        lines.append(_("'at risk' counts as met when recorded: %(item)s") % {"item": rule.risk_resolved_by})
    return lines


def describe_rule(region: RegionRules, rule: Rule) -> str:
    """Plain text for ``bioparity pathways --explain RULE_ID``: the rule, its source and its logic."""
    doc = rule.citation.document
    pathway = {"any": _("both pathways"), "streamlined": _("streamlined pathway only")}.get(
        rule.pathway, _("traditional pathway only")
    )
    version = f" {doc.version}" if doc.version else ""
    lines = [
        f"{rule.id}: {_(rule.title)}",
        _("region: %(name)s (rules %(version)s, reviewed %(reviewed)s)")
        % {
            "name": _(region.name),
            "version": region.rules_version,
            "reviewed": region.reviewed or _("not stated"),
        },
        _("kind: %(kind)s (%(pathway)s)") % {"kind": code_words(rule.kind), "pathway": pathway},
        "",
        _("source:"),
        _("  document: %(title)s") % {"title": doc.title_in(current_language())},
        _("  reference: %(reference)s")
        % {"reference": (doc.reference_in(current_language()) or _("(no document number)")) + version},
        _("  status: %(status)s; date of the text: %(date)s")
        % {"status": guideline_status(doc.status), "date": doc.date},
        _("  section: %(section)s") % {"section": _section(rule.citation.section)},
        _("  cited as of: %(date)s") % {"date": rule.citation.date},
    ]
    if doc.url:
        lines.append(f"  url: {doc.url}")
    if doc.note:
        lines.append(_("  about the document: %(note)s") % {"note": _(doc.note)})
    flags = []
    if rule.interpretation:
        flags.append(_("our interpretation rather than guideline text"))
    if rule.unconfirmed or doc.unconfirmed:
        flags.append(_("UNCONFIRMED: not verified against the text itself"))
    if flags:
        lines.append("  " + _items(flags))
    lines += ["", _("logic:"), *(f"  {line}" for line in _logic(rule))]
    lines += _policy_lines(region, rule)
    if rule.note:
        lines += ["", _("note: %(note)s") % {"note": _(rule.note)}]
    lines += ["", _("work when missing: %(work)s") % {"work": _(rule.work)}]
    if rule.risk_work != rule.work:
        lines.append(_("work when at risk: %(work)s") % {"work": _(rule.risk_work)})
    return "\n".join(lines)


def _policy_lines(region: RegionRules, rule: Rule) -> list[str]:
    """The region's reference policy, for the rules that depend on it."""
    policy = region.reference
    if not (rule.check == "reference_product" or rule.check in ("caa_similarity", "pk_similarity")):
        return []
    text = _("  reference policy: local %(local)s; foreign accepted: %(foreign)s; bridge: %(bridge)s") % {
        "local": policy.local or _("any"),
        "foreign": ", ".join(policy.foreign_accepted) or _("none"),
        "bridge": policy.bridge,
    }
    if policy.local_only:
        text += _("; local reference only for: %(kinds)s") % {"kinds": ", ".join(policy.local_only)}
    if policy.bridge == "analytical_and_pk":
        text += _("; PK bridge: %(when)s") % {"when": policy.pk_bridge}
    lines = [text]
    if policy.bridge == "analytical_and_pk":
        lines.append(
            _("  PK bridge metrics per pair: single dose %(single)s; multiple dose %(multiple)s")
            % {
                "single": ", ".join(policy.pk_metrics["single"]),
                "multiple": ", ".join(policy.pk_metrics["multiple"]),
            }
        )
    return lines


def _section(section: str) -> str:
    """The cited section as the rule file gives it ("3.3 (reference medicinal product)"), its topic in the
    reader's language (zh-CN "3.3（参照药）"), an unconfirmed number flagged as the reports flag it."""
    text, _numbered, confirmed = section_parts(section)
    shown = section_words(text, framed=False)
    return shown if confirmed else _("%(section)s [section number unconfirmed]") % {"section": shown}
