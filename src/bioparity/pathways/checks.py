"""The registry of checks that rule files name by code.

A rule says *which* check to run and with which parameters; the check says *how* evidence is judged.
Adding a kind of requirement means registering one function here with the JSON schema of its
parameters (validated when the rule files load). Each check returns a :class:`Finding`: the status,
the evidence it relied on (``"<kind>:<id>"`` references) and a plain-English detail.

Which references count for a region is decided in :mod:`bioparity.pathways.basis`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from bioparity.pathways.basis import (
    Context,
    Finding,
    ReferencePolicy,
    Status,
    accepted_for,
    pk_metric_gaps,
    preferred_reference,
    reference_basis,
    with_bridge,
)
from bioparity.pathways.inventory import (
    CAA_CATEGORIES,
    CLINICAL_KINDS,
    MANUAL_ITEMS,
    MODALITIES,
    MULTIPLE_DOSE_METRICS,
    PK_METRICS,
    ProcessComparability,
)

__all__ = ["CHECKS", "Check", "Context", "Finding", "ReferencePolicy", "register"]

CheckFunction = Callable[[Context, Mapping[str, Any]], Finding]


@dataclass(frozen=True)
class Check:
    code: str
    description: str
    params_schema: dict[str, Any]
    function: CheckFunction


CHECKS: dict[str, Check] = {}


def register(
    code: str, description: str, params_schema: dict[str, Any]
) -> Callable[[CheckFunction], CheckFunction]:
    """Register a check under a stable code (used by rule files)."""

    def decorate(function: CheckFunction) -> CheckFunction:
        schema = {"type": "object", "additionalProperties": False, **params_schema}
        CHECKS[code] = Check(code, description, schema, function)
        return function

    return decorate


_MODALITY_LIST = {"type": "array", "items": {"enum": list(MODALITIES)}, "uniqueItems": True}
_CATEGORY_LIST = {"type": "array", "items": {"enum": list(CAA_CATEGORIES)}, "uniqueItems": True}


@register(
    "modality_scope",
    "the product class is within the scope of the streamlined pathway",
    {
        "properties": {"in_scope": _MODALITY_LIST, "at_risk": _MODALITY_LIST, "out_of_scope": _MODALITY_LIST},
        "required": ["in_scope", "at_risk", "out_of_scope"],
    },
)
def _modality_scope(ctx: Context, params: Mapping[str, Any]) -> Finding:
    modality = ctx.program.modality
    evidence = (f"program:modality={modality}",)
    label = MODALITIES[modality]
    if modality in params["in_scope"]:
        return Finding("met", evidence, f"{label}: within scope")
    if modality in params["at_risk"]:
        return Finding(
            "at_risk", evidence, f"{label}: within scope only with a product-specific justification"
        )
    return Finding("missing", evidence, f"{label}: outside the scope of the streamlined pathway")


_FLAGS = ("moa_understood", "clonal_cell_line", "pk_study_feasible", "glycosylated")
_FLAG_TEXT = {
    "moa_understood": "the mechanism of action is understood and covered by functional assays",
    "clonal_cell_line": "the product is made from a clonal cell line",
    "pk_study_feasible": "a comparative PK study in a suitable population is feasible and relevant",
    "glycosylated": "the product is glycosylated",
}


@register(
    "program_flag",
    "a yes/no property of the program holds",
    {
        "properties": {"flag": {"enum": list(_FLAGS)}, "when_false": {"enum": ["missing", "at_risk"]}},
        "required": ["flag"],
    },
)
def _program_flag(ctx: Context, params: Mapping[str, Any]) -> Finding:
    name = params["flag"]
    value = bool(getattr(ctx.program, name))
    evidence = (f"program:{name}={str(value).lower()}",)
    if value:
        return Finding("met", evidence, _FLAG_TEXT[name])
    status: Status = params.get("when_false", "missing")
    return Finding(status, evidence, f"not the case that {_FLAG_TEXT[name]}")


@register("reference_product", "the reference product relied on is acceptable (bridged if foreign)", {})
def _reference_product(ctx: Context, params: Mapping[str, Any]) -> Finding:
    return reference_basis(ctx).finding


@register(
    "caa_similarity",
    "comparative analytical assessment covers the required categories and passes",
    {
        "properties": {
            "categories": _CATEGORY_LIST,
            "if_glycosylated": _CATEGORY_LIST,
            "if_conjugated": _CATEGORY_LIST,
            "min_reference_lots": {"type": "integer", "minimum": 1},
        },
        "required": ["categories"],
    },
)
def _caa_similarity(ctx: Context, params: Mapping[str, Any]) -> Finding:
    basis = reference_basis(ctx)
    accepted = accepted_for(ctx, basis, "caa")
    required = list(params["categories"])
    if ctx.program.glycosylated:
        required += [c for c in params.get("if_glycosylated", []) if c not in required]
    if ctx.program.modality in ("pegylated_protein", "antibody_drug_conjugate"):
        required += [c for c in params.get("if_conjugated", []) if c not in required]
    used = [a for a in ctx.inventory.caa if a.reference in accepted]
    changes = ctx.inventory.process_changes
    evidence = with_bridge(
        basis, {a.reference for a in used}, [f"caa:{a.id}" for a in used] + [f"q5e:{c.id}" for c in changes]
    )
    not_bridged = _not_comparable(changes)
    covered = {a.category for a in used}
    absent = [c for c in required if c not in covered]
    failed_critical = [a.name for a in used if not a.passed and a.critical]
    failed_other = [a.name for a in used if not a.passed and not a.critical]
    min_lots = params.get("min_reference_lots")
    few_lots = [
        a.name
        for a in used
        if min_lots is not None
        and a.category in required
        and a.n_reference_lots is not None
        and a.n_reference_lots < min_lots
    ]
    refs = ", ".join(sorted(accepted)) or "no accepted reference"
    if absent or failed_critical:
        parts = []
        if absent:
            parts.append(f"not compared against {refs}: {', '.join(c.replace('_', ' ') for c in absent)}")
        if failed_critical:
            parts.append(f"critical attributes not similar: {', '.join(failed_critical)}")
        others = sorted({a.reference for a in ctx.inventory.caa if a.reference not in accepted})
        if others and "caa" in ctx.policy.local_only:
            parts.append(
                f"the quality comparison must be against the {ctx.policy.local} reference; results "
                f"against the {', '.join(others)} comparator do not count for it even with a bridge"
            )
        elif basis.relied is not None and basis.relied in others:
            parts.append(
                f"results against the {basis.relied} reference do not count without an accepted bridge"
            )
        return Finding("missing", evidence, "; ".join(parts + not_bridged))
    if failed_other or few_lots or not_bridged:
        parts = []
        if failed_other:
            parts.append(
                f"non-critical attributes outside the similarity criterion: {', '.join(failed_other)}"
            )
        if few_lots:
            parts.append(f"fewer than {min_lots} reference lots for: {', '.join(few_lots)}")
        return Finding("at_risk", evidence, "; ".join(parts + not_bridged))
    bridged = f"; process changes shown comparable: {', '.join(c.change for c in changes)}" if changes else ""
    return Finding(
        "met",
        evidence,
        f"{len(used)} attributes in {len(required)} categories similar to the {refs} reference{bridged}",
    )


def _not_comparable(changes: tuple[ProcessComparability, ...]) -> list[str]:
    """Why the lots compared with the reference may not stand for the commercial product: each process
    change of the proposed product not shown comparable (ICH Q5E, CPMP/ICH/5721/03, 2004, section 1.4:
    the product after the change must be shown comparable to the product before it)."""
    return [
        f"process change {c.change} not shown comparable (ICH Q5E)"
        + (f": {', '.join(c.not_comparable)}" if c.not_comparable else "")
        for c in changes
        if not c.passed
    ]


_METRIC_LIST = {
    "type": "array",
    "items": {"enum": sorted(set(PK_METRICS.values()))},
    "minItems": 1,
    "uniqueItems": True,
}


@register(
    "pk_similarity",
    "comparative PK: 90% CI of the GMR within the limits for every primary metric of the study's dosing",
    {
        "properties": {
            "metrics": _METRIC_LIST,
            "metrics_multiple_dose": _METRIC_LIST,
            "require_local_arm": {"type": "boolean"},
            "subject_population": {"type": "string"},
        },
        "required": ["metrics"],
    },
)
def _pk_similarity(ctx: Context, params: Mapping[str, Any]) -> Finding:
    basis = reference_basis(ctx)
    accepted = accepted_for(ctx, basis, "pk")
    subjects = params.get("subject_population")
    studies = [s for s in ctx.inventory.pk_studies if subjects is None or subjects in s.subject_populations]
    t_vs = [(s, c) for s in studies for c in s.comparisons if c.test == "T" and c.reference in accepted]
    where = f" in {subjects} subjects" if subjects else ""
    if params.get("require_local_arm"):
        reference = ctx.policy.local if any(c.reference == ctx.policy.local for _, c in t_vs) else None
    else:
        reference = preferred_reference(ctx, basis, {c.reference for _, c in t_vs})
    if reference is None:
        if params.get("require_local_arm"):
            wanted = f"the {ctx.policy.local} reference"
        else:
            wanted = f"the {'/'.join(sorted(accepted))} reference" if accepted else "an accepted reference"
        return Finding("missing", (), f"no PK comparison of T with {wanted}{where}")
    metrics = {
        "single": tuple(params["metrics"]),
        "multiple": tuple(params.get("metrics_multiple_dose", MULTIPLE_DOSE_METRICS)),
    }
    chosen_studies = [
        s for s in studies if any(c.test == "T" and c.reference == reference for c in s.comparisons)
    ]
    chosen = [(s, c) for s, c in t_vs if c.reference == reference]
    evidence = with_bridge(basis, {reference}, [f"pk:{s.id}/{c.id}" for s, c in chosen])
    problems = [
        f"{s.id} ({s.dosing} dose): {p}"
        for s in chosen_studies
        for p in pk_metric_gaps(s, "T", reference, metrics)
    ]
    if problems:
        return Finding("missing", evidence, "; ".join(problems))
    failed = [f"{c.metric} [{c.ci_lower:.4f}, {c.ci_upper:.4f}]" for _, c in chosen if not c.passed]
    if failed:
        return Finding("at_risk", evidence, f"secondary metrics outside the limits: {', '.join(failed)}")
    used = sorted({m for s in chosen_studies for m in metrics[s.dosing]})
    return Finding("met", evidence, f"T vs {reference}{where}: {', '.join(used)} within the limits")


@register(
    "immunogenicity",
    "comparative immunogenicity (ADA, optionally NAb) shows no relevant difference",
    {"properties": {"require_nab": {"type": "boolean"}}},
)
def _immunogenicity(ctx: Context, params: Mapping[str, Any]) -> Finding:
    basis = reference_basis(ctx)
    candidates = [i for i in ctx.inventory.immunogenicity if i.reference in basis.accepted]
    reference = preferred_reference(ctx, basis, {i.reference for i in candidates})
    if reference is None:
        refs = ", ".join(sorted(basis.accepted)) or "an accepted reference"
        return Finding("missing", (), f"no comparative immunogenicity data against {refs}")
    chosen = [i for i in candidates if i.reference == reference]
    evidence = with_bridge(basis, {reference}, [f"immuno:{i.id}" for i in chosen])
    if not all(i.comparable for i in chosen):
        bad = ", ".join(i.id for i in chosen if not i.comparable)
        return Finding(
            "missing", evidence, f"ADA response not comparable with the {reference} reference ({bad})"
        )
    if params.get("require_nab") and not all(i.nab_assessed for i in chosen):
        return Finding("at_risk", evidence, "neutralising antibodies not assessed")
    return Finding("met", evidence, f"ADA comparable with the {reference} reference")


@register(
    "clinical_study",
    "a clinical study of the given kind against an accepted reference showed equivalence",
    {
        "properties": {"kind": {"enum": list(CLINICAL_KINDS)}, "subject_population": {"type": "string"}},
        "required": ["kind"],
    },
)
def _clinical_study(ctx: Context, params: Mapping[str, Any]) -> Finding:
    basis = reference_basis(ctx)
    subjects = params.get("subject_population")
    studies = [
        c
        for c in ctx.inventory.clinical_studies
        if c.kind == params["kind"]
        and c.reference in basis.accepted
        and (subjects is None or subjects in c.subject_populations)
    ]
    evidence = with_bridge(basis, {c.reference for c in studies}, [f"clinical:{c.id}" for c in studies])
    where = f" including {subjects} subjects" if subjects else ""
    if not studies:
        return Finding(
            "missing",
            evidence,
            f"no {params['kind'].replace('_', ' ')} study{where} against an accepted reference",
        )
    if all(c.outcome == "equivalent" for c in studies):
        return Finding("met", evidence, f"{', '.join(c.id for c in studies)}: equivalent")
    outcomes = ", ".join(f"{c.id}: {c.outcome.replace('_', ' ')}" for c in studies)
    return Finding("missing", evidence, outcomes)


@register("no_contradicting_clinical_result", "no clinical study against an accepted reference failed", {})
def _no_contradicting(ctx: Context, params: Mapping[str, Any]) -> Finding:
    basis = reference_basis(ctx)
    studies = [c for c in ctx.inventory.clinical_studies if c.reference in basis.accepted]
    evidence = with_bridge(basis, {c.reference for c in studies}, [f"clinical:{c.id}" for c in studies])
    failed = [c.id for c in studies if c.outcome == "not_equivalent"]
    if failed:
        return Finding(
            "missing", evidence, f"clinical studies that did not show equivalence: {', '.join(failed)}"
        )
    return Finding("met", evidence, "no clinical result contradicts similarity")


@register(
    "manual_item",
    "a fact recorded by hand is true",
    {
        "properties": {"code": {"enum": list(MANUAL_ITEMS)}, "when_absent": {"enum": ["missing", "at_risk"]}},
        "required": ["code"],
    },
)
def _manual_item(ctx: Context, params: Mapping[str, Any]) -> Finding:
    item = ctx.inventory.manual(params["code"], ctx.region)
    if item is None:
        status: Status = params.get("when_absent", "missing")
        return Finding(status, (), f"not recorded: {params['code'].replace('_', ' ')}")
    evidence = (f"manual:{item.key}",)
    note = f" ({item.note})" if item.note else ""
    if item.value:
        return Finding("met", evidence, f"recorded{note}")
    return Finding("missing", evidence, f"recorded as not done{note}")


@register(
    "pathway_not_established",
    "the region has no established streamlined (no-CES) pathway unless the agency agreed the package",
    {"properties": {"agreed_by": {"enum": list(MANUAL_ITEMS)}}},
)
def _pathway_not_established(ctx: Context, params: Mapping[str, Any]) -> Finding:
    code = params.get("agreed_by")
    item = ctx.inventory.manual(code, ctx.region) if code else None
    if item is not None and item.value:
        note = f" ({item.note})" if item.note else ""
        return Finding("met", (f"manual:{item.key}",), f"clinical package agreed with the agency{note}")
    evidence = () if item is None else (f"manual:{item.key}",)
    how = f"; record {code.replace('_', ' ')} to use an agreed package" if code else ""
    return Finding(
        "missing",
        evidence,
        f"no streamlined pathway without a comparative efficacy study in {ctx.region}{how}",
    )


@register(
    "interchangeability",
    "interchangeability: switching data (if any) show no added risk; presentation same or justified",
    {"properties": {"presentation_item": {"enum": list(MANUAL_ITEMS)}}, "required": ["presentation_item"]},
)
def _interchangeability(ctx: Context, params: Mapping[str, Any]) -> Finding:
    basis = reference_basis(ctx)
    switching = [
        c for c in ctx.inventory.clinical_studies if c.kind == "switching" and c.reference in basis.accepted
    ]
    item = ctx.inventory.manual(params["presentation_item"], ctx.region)
    evidence = [f"clinical:{c.id}" for c in switching] + ([f"manual:{item.key}"] if item is not None else [])
    failed = [c.id for c in switching if c.outcome == "not_equivalent"]
    if failed:
        return Finding("missing", tuple(evidence), f"switching study shows a difference: {', '.join(failed)}")
    if item is not None and not item.value:
        return Finding(
            "missing", tuple(evidence), "presentation differs from the reference and is not justified"
        )
    switching_text = (
        f"switching study {', '.join(c.id for c in switching)}: {', '.join(c.outcome for c in switching)}"
        if switching
        else "no switching study (generally not needed)"
    )
    if item is None:
        return Finding("at_risk", tuple(evidence), f"{switching_text}; presentation not recorded")
    return Finding(
        "met", tuple(evidence), f"{switching_text}; presentation same as the reference or justified"
    )


@register(
    "position",
    "a stated position of the agency that needs no evidence (shown for information; always met)",
    {"properties": {"statement": {"type": "string", "minLength": 1}}, "required": ["statement"]},
)
def _position(ctx: Context, params: Mapping[str, Any]) -> Finding:
    return Finding("met", (), params["statement"])
