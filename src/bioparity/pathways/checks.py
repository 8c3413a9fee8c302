"""The registry of checks that rule files name by code.

A rule says *which* check to run and with which parameters; the check says *how* evidence is judged.
Adding a kind of requirement means registering one function here with the JSON schema of its
parameters (validated when the rule files load). Each check returns a :class:`Finding`: the status,
the evidence it relied on (``"<kind>:<id>"`` references) and a plain-English detail.

Which references count for a region is decided in :mod:`bioparity.pathways.basis`. The details are
worded in the current language (:mod:`bioparity.i18n`); the check descriptions are translated where shown.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from bioparity.i18n import gettext as _
from bioparity.i18n import gettext_noop
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
from bioparity.pathways.results import STATUS_WORDS

__all__ = ["CHECKS", "Check", "Context", "Finding", "ReferencePolicy", "code_words", "register"]

#: Codes of the rules and the inventory as words (``charge_variants`` -> charge variants), marked for
#: translation: categories, manual items, clinical study kinds and outcomes; the statuses are marked with
#: the results (:data:`~bioparity.pathways.results.STATUS_WORDS`).
_CODE_WORDS = frozenset(
    {
        gettext_noop("primary structure"),
        gettext_noop("higher order structure"),
        gettext_noop("glycosylation"),
        gettext_noop("charge variants"),
        gettext_noop("size variants"),
        gettext_noop("purity impurities"),
        gettext_noop("potency"),
        gettext_noop("moa functional"),
        gettext_noop("conjugation"),
        gettext_noop("stability"),
        gettext_noop("local reference used"),
        gettext_noop("reference representativeness justified"),
        gettext_noop("extrapolation justified"),
        gettext_noop("scientific advice supports waiver"),
        gettext_noop("no in vivo animal studies justified"),
        gettext_noop("presentation same as reference"),
        gettext_noop("enhanced analytical dossier"),
        gettext_noop("cde clinical package agreed"),
        gettext_noop("comparative efficacy"),
        gettext_noop("pd similarity"),
        gettext_noop("switching"),
        gettext_noop("safety immunogenicity"),
        gettext_noop("equivalent"),
        gettext_noop("not equivalent"),
        gettext_noop("ongoing"),
        gettext_noop("planned"),
        *STATUS_WORDS,
        gettext_noop("eligibility"),
        gettext_noop("requirement"),
        # subject populations (``subject_population`` of a rule, ``subject_populations`` of a study)
        gettext_noop("chinese"),
        gettext_noop("japanese"),
        gettext_noop("caucasian"),
    }
)


def code_words(code: str) -> str:
    """A code of the rules (``charge_variants``, ``at_risk``) as words in the current language.

    Examples
    --------
    >>> code_words("charge_variants"), code_words("at_risk"), code_words("EU")
    ('charge variants', 'at risk', 'EU')
    """
    words = code.replace("_", " ")
    return _(words) if words in _CODE_WORDS else words


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


def _fact_schema(key: str, names: Iterable[str], otherwise: str) -> dict[str, Any]:
    """Parameters of a check on one named fact: ``key`` (required) names it among ``names``; ``otherwise``
    is the status when the fact does not hold, ``missing`` (the check's default) or ``at_risk``."""
    return {
        "properties": {key: {"enum": list(names)}, otherwise: {"enum": ["missing", "at_risk"]}},
        "required": [key],
    }


_MODALITY_LIST = {"type": "array", "items": {"enum": list(MODALITIES)}, "uniqueItems": True}
_CATEGORY_LIST = {"type": "array", "items": {"enum": list(CAA_CATEGORIES)}, "uniqueItems": True}


@register(
    "modality_scope",
    gettext_noop("the product class is within the scope of the streamlined pathway"),
    {
        "properties": {"in_scope": _MODALITY_LIST, "at_risk": _MODALITY_LIST, "out_of_scope": _MODALITY_LIST},
        "required": ["in_scope", "at_risk", "out_of_scope"],
    },
)
def _modality_scope(ctx: Context, params: Mapping[str, Any]) -> Finding:
    modality = ctx.program.modality
    evidence = (f"program:modality={modality}",)
    label = {"label": _(MODALITIES[modality])}
    if modality in params["in_scope"]:
        return Finding("met", evidence, _("%(label)s: within scope") % label)
    if modality in params["at_risk"]:
        return Finding(
            "at_risk",
            evidence,
            _("%(label)s: within scope only with a product-specific justification") % label,
        )
    return Finding("missing", evidence, _("%(label)s: outside the scope of the streamlined pathway") % label)


_FLAGS = ("moa_understood", "clonal_cell_line", "pk_study_feasible", "glycosylated")
_FLAG_TEXT = {
    "moa_understood": gettext_noop("the mechanism of action is understood and covered by functional assays"),
    "clonal_cell_line": gettext_noop("the product is made from a clonal cell line"),
    "pk_study_feasible": gettext_noop(
        "a comparative PK study in a suitable population is feasible and relevant"
    ),
    "glycosylated": gettext_noop("the product is glycosylated"),
}


@register(
    "program_flag",
    gettext_noop("a yes/no property of the program holds"),
    _fact_schema("flag", _FLAGS, "when_false"),
)
def _program_flag(ctx: Context, params: Mapping[str, Any]) -> Finding:
    name = params["flag"]
    value = bool(getattr(ctx.program, name))
    evidence = (f"program:{name}={str(value).lower()}",)
    if value:
        return Finding("met", evidence, _(_FLAG_TEXT[name]))
    status: Status = params.get("when_false", "missing")
    return Finding(status, evidence, _("not the case that %(fact)s") % {"fact": _(_FLAG_TEXT[name])})


@register(
    "reference_product",
    gettext_noop("the reference product relied on is acceptable (bridged if foreign)"),
    {},
)
def _reference_product(ctx: Context, params: Mapping[str, Any]) -> Finding:
    return reference_basis(ctx).finding


@register(
    "caa_similarity",
    gettext_noop("comparative analytical assessment covers the required categories and passes"),
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
    failed_critical = [a.shown for a in used if not a.passed and a.critical]
    failed_other = [a.shown for a in used if not a.passed and not a.critical]
    min_lots = params.get("min_reference_lots")
    few_lots = [
        a.shown
        for a in used
        if min_lots is not None
        and a.category in required
        and a.n_reference_lots is not None
        and a.n_reference_lots < min_lots
    ]
    refs = ", ".join(sorted(accepted)) or _("no accepted reference")
    if absent or failed_critical:
        parts = []
        if absent:
            parts.append(
                _("not compared against %(refs)s: %(categories)s")
                % {"refs": refs, "categories": ", ".join(code_words(c) for c in absent)}
            )
        if failed_critical:
            parts.append(
                _("critical attributes not similar: %(names)s") % {"names": ", ".join(failed_critical)}
            )
        others = sorted({a.reference for a in ctx.inventory.caa if a.reference not in accepted})
        if others and "caa" in ctx.policy.local_only:
            parts.append(
                _(
                    "the quality comparison must be against the %(local)s reference; results against the "
                    "%(others)s comparator do not count for it even with a bridge"
                )
                % {"local": ctx.policy.local, "others": ", ".join(others)}
            )
        elif basis.relied is not None and basis.relied in others:
            parts.append(
                _("results against the %(reference)s reference do not count without an accepted bridge")
                % {"reference": basis.relied}
            )
        return Finding("missing", evidence, "; ".join(parts + not_bridged))
    if failed_other or few_lots or not_bridged:
        parts = []
        if failed_other:
            parts.append(
                _("non-critical attributes outside the similarity criterion: %(names)s")
                % {"names": ", ".join(failed_other)}
            )
        if few_lots:
            parts.append(
                _("fewer than %(n)s reference lots for: %(names)s")
                % {"n": min_lots, "names": ", ".join(few_lots)}
            )
        return Finding("at_risk", evidence, "; ".join(parts + not_bridged))
    bridged = (
        _("; process changes shown comparable: %(changes)s")
        % {"changes": ", ".join(c.change for c in changes)}
        if changes
        else ""
    )
    return Finding(
        "met",
        evidence,
        _("%(attributes)d attributes in %(categories)d categories similar to the %(refs)s reference")
        % {"attributes": len(used), "categories": len(required), "refs": refs}
        + bridged,
    )


def _not_comparable(changes: tuple[ProcessComparability, ...]) -> list[str]:
    """Why the lots compared with the reference may not stand for the commercial product: each process
    change of the proposed product not shown comparable (ICH Q5E, CPMP/ICH/5721/03, 2004, section 1.4:
    the product after the change must be shown comparable to the product before it)."""
    return [
        (
            _("process change %(change)s not shown comparable (ICH Q5E): %(what)s")
            if c.not_comparable
            else _("process change %(change)s not shown comparable (ICH Q5E)")
        )
        % {"change": c.change, "what": ", ".join(c.not_comparable)}
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
    gettext_noop(
        "comparative PK: 90% CI of the GMR within the limits for every primary metric of the study's dosing"
    ),
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
    where = _(" in %(subjects)s subjects") % {"subjects": code_words(subjects)} if subjects else ""
    if params.get("require_local_arm"):
        reference = ctx.policy.local if any(c.reference == ctx.policy.local for _, c in t_vs) else None
    else:
        reference = preferred_reference(ctx, basis, {c.reference for _, c in t_vs})
    if reference is None:
        if params.get("require_local_arm"):
            wanted = _("the %(reference)s reference") % {"reference": ctx.policy.local}
        elif accepted:
            wanted = _("the %(reference)s reference") % {"reference": "/".join(sorted(accepted))}
        else:
            wanted = _("an accepted reference")
        return Finding(
            "missing",
            (),
            _("no PK comparison of T with %(wanted)s%(where)s") % {"wanted": wanted, "where": where},
        )
    metrics = {
        "single": tuple(params["metrics"]),
        "multiple": tuple(params.get("metrics_multiple_dose", MULTIPLE_DOSE_METRICS)),
    }
    chosen_studies = [
        s for s in studies if any(c.test == "T" and c.reference == reference for c in s.comparisons)
    ]
    chosen = [(s, c) for s, c in t_vs if c.reference == reference]
    evidence = with_bridge(basis, {reference}, [f"pk:{s.id}/{c.id}" for s, c in chosen])
    dose = {"single": _("single dose"), "multiple": _("multiple dose")}
    problems = [
        f"{s.id} ({dose.get(s.dosing, s.dosing)}): {p}"
        for s in chosen_studies
        for p in pk_metric_gaps(s, "T", reference, metrics)
    ]
    if problems:
        return Finding("missing", evidence, "; ".join(problems))
    failed = [f"{c.metric} [{c.ci_lower:.4f}, {c.ci_upper:.4f}]" for _s, c in chosen if not c.passed]
    if failed:
        return Finding(
            "at_risk",
            evidence,
            _("secondary metrics outside the limits: %(metrics)s") % {"metrics": ", ".join(failed)},
        )
    used = sorted({m for s in chosen_studies for m in metrics[s.dosing]})
    return Finding(
        "met",
        evidence,
        _("T vs %(reference)s%(where)s: %(metrics)s within the limits")
        % {"reference": reference, "where": where, "metrics": ", ".join(used)},
    )


@register(
    "immunogenicity",
    gettext_noop("comparative immunogenicity (ADA, optionally NAb) shows no relevant difference"),
    {"properties": {"require_nab": {"type": "boolean"}}},
)
def _immunogenicity(ctx: Context, params: Mapping[str, Any]) -> Finding:
    basis = reference_basis(ctx)
    candidates = [i for i in ctx.inventory.immunogenicity if i.reference in basis.accepted]
    reference = preferred_reference(ctx, basis, {i.reference for i in candidates})
    if reference is None:
        refs = ", ".join(sorted(basis.accepted)) or _("an accepted reference")
        return Finding(
            "missing", (), _("no comparative immunogenicity data against %(refs)s") % {"refs": refs}
        )
    chosen = [i for i in candidates if i.reference == reference]
    evidence = with_bridge(basis, {reference}, [f"immuno:{i.id}" for i in chosen])
    if not all(i.comparable for i in chosen):
        bad = ", ".join(i.id for i in chosen if not i.comparable)
        return Finding(
            "missing",
            evidence,
            _("ADA response not comparable with the %(reference)s reference (%(studies)s)")
            % {"reference": reference, "studies": bad},
        )
    if params.get("require_nab") and not all(i.nab_assessed for i in chosen):
        return Finding("at_risk", evidence, _("neutralising antibodies not assessed"))
    return Finding(
        "met", evidence, _("ADA comparable with the %(reference)s reference") % {"reference": reference}
    )


@register(
    "clinical_study",
    gettext_noop("a clinical study of the given kind against an accepted reference showed equivalence"),
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
    where = _(" including %(subjects)s subjects") % {"subjects": code_words(subjects)} if subjects else ""
    if not studies:
        return Finding(
            "missing",
            evidence,
            _("no %(kind)s study%(where)s against an accepted reference")
            % {"kind": code_words(params["kind"]), "where": where},
        )
    if all(c.outcome == "equivalent" for c in studies):
        names = _(", ").join(c.id for c in studies)
        return Finding(
            "met", evidence, _("%(label)s: %(value)s") % {"label": names, "value": code_words("equivalent")}
        )
    outcomes = _(", ").join(
        _("%(label)s: %(value)s") % {"label": c.id, "value": code_words(c.outcome)} for c in studies
    )
    return Finding("missing", evidence, outcomes)


@register(
    "no_contradicting_clinical_result",
    gettext_noop("no clinical study against an accepted reference failed"),
    {},
)
def _no_contradicting(ctx: Context, params: Mapping[str, Any]) -> Finding:
    basis = reference_basis(ctx)
    studies = [c for c in ctx.inventory.clinical_studies if c.reference in basis.accepted]
    evidence = with_bridge(basis, {c.reference for c in studies}, [f"clinical:{c.id}" for c in studies])
    failed = [c.id for c in studies if c.outcome == "not_equivalent"]
    if failed:
        return Finding(
            "missing",
            evidence,
            _("clinical studies that did not show equivalence: %(studies)s") % {"studies": ", ".join(failed)},
        )
    return Finding("met", evidence, _("no clinical result contradicts similarity"))


@register(
    "manual_item",
    gettext_noop("a fact recorded by hand is true"),
    _fact_schema("code", MANUAL_ITEMS, "when_absent"),
)
def _manual_item(ctx: Context, params: Mapping[str, Any]) -> Finding:
    item = ctx.inventory.manual(params["code"], ctx.region)
    if item is None:
        status: Status = params.get("when_absent", "missing")
        return Finding(status, (), _("not recorded: %(item)s") % {"item": code_words(params["code"])})
    evidence = (f"manual:{item.key}",)
    note = _(" (%(note)s)") % {"note": item.note} if item.note else ""
    if item.value:
        return Finding("met", evidence, _("recorded%(note)s") % {"note": note})
    return Finding("missing", evidence, _("recorded as not done%(note)s") % {"note": note})


@register(
    "pathway_not_established",
    gettext_noop(
        "the region has no established streamlined (no-CES) pathway unless the agency agreed the package"
    ),
    {"properties": {"agreed_by": {"enum": list(MANUAL_ITEMS)}}},
)
def _pathway_not_established(ctx: Context, params: Mapping[str, Any]) -> Finding:
    code = params.get("agreed_by")
    item = ctx.inventory.manual(code, ctx.region) if code else None
    if item is not None and item.value:
        note = _(" (%(note)s)") % {"note": item.note} if item.note else ""
        return Finding(
            "met",
            (f"manual:{item.key}",),
            _("clinical package agreed with the agency%(note)s") % {"note": note},
        )
    evidence = () if item is None else (f"manual:{item.key}",)
    how = _("; record %(item)s to use an agreed package") % {"item": code_words(code)} if code else ""
    return Finding(
        "missing",
        evidence,
        _("no streamlined pathway without a comparative efficacy study in %(region)s%(how)s")
        % {"region": ctx.region, "how": how},
    )


@register(
    "interchangeability",
    gettext_noop(
        "interchangeability: switching data (if any) show no added risk; presentation same or justified"
    ),
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
        return Finding(
            "missing",
            tuple(evidence),
            _("switching study shows a difference: %(studies)s") % {"studies": ", ".join(failed)},
        )
    if item is not None and not item.value:
        return Finding(
            "missing", tuple(evidence), _("presentation differs from the reference and is not justified")
        )
    switching_text = (
        _("switching study %(studies)s: %(outcomes)s")
        % {
            "studies": ", ".join(c.id for c in switching),
            "outcomes": ", ".join(code_words(c.outcome) for c in switching),
        }
        if switching
        else _("no switching study (generally not needed)")
    )
    if item is None:
        return Finding(
            "at_risk",
            tuple(evidence),
            _("%(switching)s; presentation not recorded") % {"switching": switching_text},
        )
    return Finding(
        "met",
        tuple(evidence),
        _("%(switching)s; presentation same as the reference or justified") % {"switching": switching_text},
    )


@register(
    "position",
    gettext_noop(
        "a stated position of the agency that needs no evidence (shown for information; always met)"
    ),
    {"properties": {"statement": {"type": "string", "minLength": 1}}, "required": ["statement"]},
)
def _position(ctx: Context, params: Mapping[str, Any]) -> Finding:
    return Finding("met", (), _(params["statement"]))  # a rule file's text, translated like a message
