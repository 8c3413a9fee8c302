"""Apply the regional rule sets to a program and its evidence.

For each region: the eligibility rules decide whether the streamlined pathway (no comparative
efficacy study) is open; then the requirements of that pathway (or of the traditional pathway, when
an eligibility condition fails) are checked. A rule whose check is ``at_risk`` counts as met when the
manual item named by its ``risk_resolved_by`` is recorded as true for the region (for example
scientific advice agreeing the approach).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from bioparity._results import software_version
from bioparity.errors import InputError
from bioparity.i18n import gettext as _
from bioparity.pathways.basis import Context, Finding
from bioparity.pathways.checks import CHECKS, code_words
from bioparity.pathways.explain import describe_rule, region_explanation
from bioparity.pathways.inventory import EvidenceInventory, ProgramProfile
from bioparity.pathways.results import (
    GAPS,
    NOT_ELIGIBLE,
    READY,
    PathwayAssessment,
    RegionReadiness,
    RequirementResult,
)
from bioparity.pathways.rules import RegionRules, Rule, load_rules

#: Order in which regions are reported when the program does not choose.
REGION_ORDER = ("EMA", "FDA", "MHRA", "NMPA", "WHO", "HC")
#: The target regions a program may name (upper case; what users type is compared in upper case) -> the
#: region code of the rule set that applies there: the regulators' codes of :data:`REGION_ORDER` and the
#: usual names of their jurisdictions.
REGION_CODES = {
    "EU": "EMA",
    "EMA": "EMA",
    "US": "FDA",
    "USA": "FDA",
    "FDA": "FDA",
    "UK": "MHRA",
    "GB": "MHRA",
    "MHRA": "MHRA",
    "CN": "NMPA",
    "CHINA": "NMPA",
    "NMPA": "NMPA",
    "CA": "HC",
    "CANADA": "HC",
    "HC": "HC",
    "WHO": "WHO",
}


def region_code(name: str) -> str | None:
    """The region code of the rule set for a program's target region, as typed; None when no rule set
    applies there.

    Parameters
    ----------
    name : str
        A target region as a user typed it: a regulator's code or its jurisdiction's name
        (:data:`REGION_CODES`), in any case, surrounding blanks ignored.

    Returns
    -------
    str or None
        The code of the region's rule set (``EMA``, ``FDA``, ``MHRA``, ``NMPA``, ``HC``, ``WHO``), or None.

    Examples
    --------
    >>> region_code(" eu "), region_code("USA"), region_code("PMDA")
    ('EMA', 'FDA', None)
    """
    return REGION_CODES.get(name.strip().upper())


def _applies(when: Mapping[str, Any], program: ProgramProfile) -> bool:
    if "flag" in when and not getattr(program, when["flag"]):
        return False
    if "modality_in" in when and program.modality not in when["modality_in"]:
        return False
    return not ("min_indications" in when and len(program.indications) < when["min_indications"])


def _evaluate(rule: Rule, ctx: Context) -> RequirementResult:
    finding = CHECKS[rule.check].function(ctx, rule.params)
    if finding.status == "at_risk" and rule.risk_resolved_by is not None:
        item = ctx.inventory.manual(rule.risk_resolved_by, ctx.region)
        if item is not None:
            evidence = (*finding.evidence, f"manual:{item.key}")
            if item.value:
                resolved = _("%(detail)s; resolved: %(item)s")
                detail = resolved % {"detail": finding.detail, "item": code_words(rule.risk_resolved_by)}
                finding = Finding("met", evidence, detail)
            else:
                finding = Finding("at_risk", evidence, finding.detail)
    work = {"met": "", "missing": _(rule.work), "at_risk": _(rule.risk_work)}[finding.status]
    return RequirementResult(  # the rule file's texts in the current language (extracted from the files)
        rule_id=rule.id,
        kind=rule.kind,
        title=_(rule.title),
        status=finding.status,
        evidence=finding.evidence,
        detail=finding.detail,
        citation=rule.citation.text(),
        interpretation=rule.interpretation,
        unconfirmed=rule.unconfirmed or rule.citation.document.unconfirmed,
        work=work,
        software_version=software_version(),
        source=rule.citation.document.label(),
        source_date=rule.citation.document.date,
        section=rule.citation.section,
    )


def evaluate_rule(
    rule: Rule, region: RegionRules, program: ProgramProfile, inventory: EvidenceInventory
) -> RequirementResult:
    """Apply one rule of ``region`` to a program, whatever its ``when`` condition or pathway.

    Useful to see how a single rule judges the evidence (the CLI's ``--explain``, tests of a rule
    file). An ``at_risk`` finding becomes ``met`` when the rule's ``risk_resolved_by`` manual item is
    recorded as true for the region.

    Parameters
    ----------
    rule : Rule
        The rule to apply (normally one of ``region.rules``).
    region : RegionRules
        The rule set it belongs to; supplies the region code and its reference policy.
    program : ProgramProfile
        The program profile.
    inventory : EvidenceInventory
        The program's evidence.

    Returns
    -------
    RequirementResult
        Status (``met``, ``missing``, ``at_risk``), the evidence cited, the detail, the citation and
        the work left.

    Examples
    --------
    >>> from bioparity.pathways import ProgramProfile, EvidenceInventory, load_rules
    >>> ema = load_rules()["EMA"]
    >>> p = ProgramProfile(name="demo", modality="monoclonal_antibody", moa_understood=True)
    >>> evaluate_rule(ema.rule("EMA.CAA.SIMILARITY"), ema, p, EvidenceInventory()).status
    'missing'
    """
    return _evaluate(rule, Context(region.region, program, inventory, region.reference))


def explain_rule(rule_id: str, rules: Mapping[str, RegionRules] | None = None) -> str:
    """The text of ``bioparity pathways --explain RULE_ID``: the rule, its source (document, section,
    date, status) and its logic. An unknown id raises :class:`InputError` naming similar ids.

    Parameters
    ----------
    rule_id : str
        Rule id, e.g. ``"EMA.CAA.SIMILARITY"`` (case and surrounding blanks ignored).
    rules : mapping of str to RegionRules or None, default None
        Rule sets to search, by region code; ``None`` searches the rule files shipped with bioparity.

    Returns
    -------
    str
        Multi-line text: id and title, region and rules version, the cited source (document,
        reference, status, date, section; flagged when unconfirmed or an interpretation), the check
        with its parameters and the region's reference policy, the note and the work when missing.

    Raises
    ------
    InputError
        When no rule has that id; the message lists the rules of the same region (or all rules).

    Examples
    --------
    >>> text = explain_rule("ema.caa.similarity")
    >>> text.startswith("EMA.CAA.SIMILARITY: Quality comparability exercise"), "check: caa_similarity" in text
    (True, True)
    """
    rule_sets = load_rules() if rules is None else rules
    wanted = rule_id.strip().upper()
    for region in rule_sets.values():
        for rule in region.rules:
            if rule.id == wanted:
                return describe_rule(region, rule)
    ids = sorted(r.id for region in rule_sets.values() for r in region.rules)
    prefix = wanted.split(".")[0]
    similar = [i for i in ids if i.startswith(prefix + ".")] or ids
    raise InputError(
        f"no rule {rule_id!r}; rules{' of ' + prefix if similar is not ids else ''}: {', '.join(similar)}"
    )


def assess_region(
    program: ProgramProfile, inventory: EvidenceInventory, rules: RegionRules
) -> RegionReadiness:
    """Readiness of ``program`` for one region's rule set.

    The eligibility rules that apply (by their ``when`` condition) decide the pathway: streamlined
    when none is ``missing``, traditional otherwise. The requirements of that pathway (and those of
    ``any`` pathway) are then evaluated. The status is ``ready`` when every result is ``met``,
    ``gaps`` when the program is eligible but something is missing or at risk, and ``not eligible for
    streamlined pathway`` when an eligibility condition fails.

    Parameters
    ----------
    program : ProgramProfile
        The program profile.
    inventory : EvidenceInventory
        The program's evidence.
    rules : RegionRules
        The region's rule set (e.g. ``load_rules()["FDA"]``).

    Returns
    -------
    RegionReadiness
        Status, pathway, every requirement's result, the work left and a plain-English explanation.

    See Also
    --------
    assess_program : every target region at once.
    """
    ctx = Context(rules.region, program, inventory, rules.reference)
    applicable = [r for r in rules.rules if _applies(r.when, program)]
    eligibility = [_evaluate(r, ctx) for r in applicable if r.kind == "eligibility"]
    eligible = all(e.status != "missing" for e in eligibility)
    pathway = "streamlined" if eligible else "traditional"
    requirements = [
        _evaluate(r, ctx) for r in applicable if r.kind == "requirement" and r.pathway in (pathway, "any")
    ]
    results = (*eligibility, *requirements)
    if not eligible:
        status = NOT_ELIGIBLE
        complete: bool | None = all(r.status == "met" for r in requirements)
    else:
        status = READY if all(r.status == "met" for r in results) else GAPS
        complete = None
    work_left = tuple(dict.fromkeys(r.work for r in results if r.status != "met"))
    explanation = region_explanation(_(rules.name), status, pathway, complete, results)
    return RegionReadiness(
        region=rules.region,
        region_name=_(rules.name),
        status=status,
        pathway=pathway,
        traditional_package_complete=complete,
        requirements=results,
        work_left=work_left,
        explanation=explanation,
        rules_version=rules.rules_version,
        software_version=software_version(),
    )


def _region_codes(
    program: ProgramProfile, available: Iterable[str], regions: Iterable[str] | None
) -> list[str]:
    known = list(available)
    wanted = list(regions) if regions is not None else list(program.target_regions)
    if not wanted:
        return [c for c in REGION_ORDER if c in known] + sorted(c for c in known if c not in REGION_ORDER)
    unknown = [c for c in wanted if c not in known]
    if unknown:
        raise InputError(
            f"no rules for region(s) {', '.join(unknown)}; regions with rules: {', '.join(known)}"
        )
    return list(dict.fromkeys(wanted))


def assess_program(
    program: ProgramProfile,
    inventory: EvidenceInventory,
    *,
    rules: Mapping[str, RegionRules] | None = None,
    regions: Iterable[str] | None = None,
) -> PathwayAssessment:
    """Readiness of a biosimilar program in each region.

    Parameters
    ----------
    program : ProgramProfile
        The program profile (see :mod:`bioparity.pathways.inventory`).
    inventory : EvidenceInventory
        The program's evidence.
    rules : mapping of str to RegionRules or None, default None
        Rule sets by region code; default: the rule files shipped with bioparity (:func:`load_rules`).
    regions : iterable of str or None, default None
        Region codes to assess, in the order given (duplicates dropped); default:
        ``program.target_regions``, or every region with rules in :data:`REGION_ORDER`.

    Returns
    -------
    PathwayAssessment
        One :class:`RegionReadiness` per region, with each requirement's status, evidence and citation.

    Raises
    ------
    InputError
        When a requested region has no rule set; the message lists the regions with rules.

    Examples
    --------
    >>> from bioparity.pathways import ProgramProfile, EvidenceInventory, assess_program
    >>> p = ProgramProfile(name="demo", modality="polyclonal_antibody", moa_understood=True)
    >>> assess_program(p, EvidenceInventory(), regions=["EMA"]).statuses
    {'EMA': 'not eligible for streamlined pathway'}
    """
    rule_sets = load_rules() if rules is None else dict(rules)
    codes = _region_codes(program, rule_sets, regions)
    results = tuple(assess_region(program, inventory, rule_sets[c]) for c in codes)
    return PathwayAssessment(
        program=program.name,
        modality=program.modality,
        regions=results,
        rules_versions={c: rule_sets[c].rules_version for c in codes},
        software_version=software_version(),
    )


__all__ = [
    "GAPS",
    "NOT_ELIGIBLE",
    "READY",
    "assess_program",
    "assess_region",
    "evaluate_rule",
    "explain_rule",
    "region_code",
]
