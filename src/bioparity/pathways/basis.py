"""Which reference products' evidence counts for a region, and the objects every check shares.

Evidence counts for a region only when it was generated against a reference the region accepts:
its local reference (EU for EMA, US for FDA, ...) or the reference the program relies on for that
region (``ProgramProfile.reference_sourcing``, or the hand-entered ``local_reference_used``) when the
region accepts it and the bridge the region asks for is in place. Evidence that relies on a bridged
reference also cites the bridge, so that a change of the bridge shows in every requirement using it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from bioparity.i18n import gettext as _
from bioparity.pathways.inventory import (
    MULTIPLE_DOSE_METRICS,
    SINGLE_DOSE_METRICS,
    EvidenceInventory,
    PKStudy,
    ProgramProfile,
)

Status = Literal["met", "missing", "at_risk"]


@dataclass(frozen=True)
class ReferencePolicy:
    """Which reference products a region accepts, for which comparisons, and what links a foreign one.

    ``bridge`` is ``analytical_and_pk`` (a three-way analytical comparison of the proposed product
    and both reference products, plus a PK bridge where ``pk_bridge`` asks for it),
    ``representativeness`` (a recorded justification that the foreign reference is representative)
    or ``none``. ``local`` is ``None`` where any reference in ``foreign_accepted`` may be used
    directly (WHO). ``local_only`` lists the kinds of comparison that must be made against the local
    reference whatever the bridge (EMA: the quality comparison, ``caa``). ``pk_bridge`` is
    ``always`` (FDA: three-arm PK with every pair within the margins whenever a non-US comparator is
    relied on) or ``if_used_in_pk`` (EMA: when the foreign comparator is used in the PK study).
    ``pk_metrics`` gives the primary metrics a PK bridge must report for each pair, by dosing.
    """

    local: str | None
    foreign_accepted: tuple[str, ...]
    bridge: str
    local_only: tuple[str, ...] = ()
    pk_bridge: str = "always"
    pk_metrics: Mapping[str, tuple[str, ...]] = field(
        default_factory=lambda: {"single": SINGLE_DOSE_METRICS, "multiple": MULTIPLE_DOSE_METRICS}
    )


@dataclass(frozen=True)
class Context:
    """Everything one region's checks may look at."""

    region: str
    program: ProgramProfile
    inventory: EvidenceInventory
    policy: ReferencePolicy


@dataclass(frozen=True)
class Finding:
    status: Status
    evidence: tuple[str, ...]
    detail: str


@dataclass(frozen=True)
class ReferenceBasis:
    """The references whose evidence counts for a region, and the evidence that justifies them."""

    relied: str | None
    accepted: frozenset[str]
    bridge_evidence: tuple[str, ...]
    finding: Finding


def _relied_reference(ctx: Context) -> tuple[str | None, tuple[str, ...]]:
    relied = ctx.program.reference_sourcing.get(ctx.region)
    if relied is not None:
        return relied, ()
    item = ctx.inventory.manual("local_reference_used", ctx.region)
    if item is not None and item.value and ctx.policy.local is not None:
        return ctx.policy.local, (f"manual:{item.key}",)
    return None, ()


def pk_metric_gaps(study: PKStudy, a: str, b: str, metrics: Mapping[str, tuple[str, ...]]) -> list[str]:
    """Problems of the comparison of arms ``a`` and ``b`` in ``study``: required metrics absent or failing.

    The required metrics are those of the study's dosing (``metrics["single"]`` or
    ``metrics["multiple"]``); an empty list means the pair is complete and within its limits.
    """
    required = metrics[study.dosing]
    pair = [c for c in study.comparisons if {c.test, c.reference} == {a, b}]
    reported = {c.metric for c in pair}
    problems = []
    absent = [m for m in required if m not in reported]
    if absent:
        problems.append(
            _("%(metrics)s not reported for %(a)s vs %(b)s") % {"metrics": ", ".join(absent), "a": a, "b": b}
        )
    failed = [c.metric for c in pair if c.metric in required and not c.passed]
    if failed:
        problems.append(
            _("%(metrics)s outside the limits for %(a)s vs %(b)s")
            % {"metrics": ", ".join(failed), "a": a, "b": b}
        )
    return problems


def _analytical_bridge(ctx: Context, relied: str, local: str) -> tuple[list[str], list[str]]:
    """Evidence and problems of the three-way analytical bridge (T, ``relied``, ``local``)."""
    inv = ctx.inventory
    pair = frozenset({relied, local})
    bridges = [b for b in inv.analytical_bridges if b.reference_pair == pair]
    evidence = [f"bridge:{b.id}" for b in bridges]
    names = {"relied": relied, "local": local}
    if not bridges:
        return evidence, [
            _("no analytical bridge T vs %(relied)s-RP vs %(local)s-RP (three-way comparison)") % names
        ]
    if not all(b.passed for b in bridges):
        return evidence, [_("the analytical bridge %(relied)s-RP vs %(local)s-RP failed") % names]
    if any(b.three_way for b in bridges):
        return evidence, []
    # A two-way bridge of the references counts as three-way when T was also compared with both.
    t_refs = {a.reference for a in inv.caa}
    lacking = [r for r in (relied, local) if r not in t_refs]
    if lacking:
        return evidence, [
            _(
                "the analytical bridge compares only %(relied)s-RP and %(local)s-RP; the proposed product is "
                "not compared with the %(lacking)s reference (three-way comparison needed)"
            )
            % {**names, "lacking": _(" and ").join(lacking)}
        ]
    return evidence, []


def _pk_bridge(ctx: Context, relied: str, local: str) -> tuple[list[str], list[str]]:
    """Evidence and problems of the PK bridge: a study with T, ``relied`` and ``local`` arms, every pair
    reporting each primary metric within its limits."""
    policy = ctx.policy
    studies = [s for s in ctx.inventory.pk_studies if {"T", relied, local} <= set(s.arms)]
    if not studies:
        return [], [
            _("no PK study with T, %(relied)s and %(local)s arms (three-arm PK bridge)")
            % {"relied": relied, "local": local}
        ]
    best: tuple[list[str], list[str]] | None = None
    for study in studies:
        pairs = (("T", local), ("T", relied), (relied, local))
        evidence = [
            f"pk:{study.id}/{c.id}"
            for c in study.comparisons
            if any({c.test, c.reference} == {a, b} for a, b in pairs)
        ]
        problems = [p for a, b in pairs for p in pk_metric_gaps(study, a, b, policy.pk_metrics)]
        problems = [
            _("PK bridge %(study)s: %(problem)s") % {"study": study.id, "problem": p} for p in problems
        ]
        if not problems:
            return evidence, []
        if best is None or len(problems) < len(best[1]):
            best = (evidence, problems)
    assert best is not None
    return best


def reference_basis(ctx: Context) -> ReferenceBasis:
    """Decide which reference products' evidence counts for ``ctx.region``."""
    policy = ctx.policy
    relied, manual_evidence = _relied_reference(ctx)
    local = frozenset() if policy.local is None else frozenset({policy.local})
    if relied is None:
        text = _("no reference product sourcing is recorded for %(region)s") % {"region": ctx.region}
        return ReferenceBasis(None, local, (), Finding("missing", (), text))
    names = {"relied": relied, "region": ctx.region, "local": policy.local or _("any")}
    if relied == policy.local:
        finding = Finding(
            "met", manual_evidence, _("the locally licensed reference (%(relied)s) is used") % names
        )
        return ReferenceBasis(relied, local, (), finding)
    if relied not in policy.foreign_accepted:
        accepted_text = ", ".join(policy.foreign_accepted) or _("none")
        finding = Finding(
            "missing",
            (),
            _(
                "the reference sourced from %(relied)s is not accepted for %(region)s "
                "(local: %(local)s; accepted foreign sources: %(accepted)s)"
            )
            % {**names, "accepted": accepted_text},
        )
        return ReferenceBasis(relied, local, (), finding)
    if policy.bridge == "none":
        finding = Finding(
            "met", (), _("a reference sourced from %(relied)s is accepted for %(region)s") % names
        )
        return ReferenceBasis(relied, local | {relied}, (), finding)
    if policy.bridge == "representativeness":
        item = ctx.inventory.manual("reference_representativeness_justified", ctx.region)
        evidence: tuple[str, ...] = () if item is None else (f"manual:{item.key}",)
        if item is not None and item.value:
            finding = Finding(
                "met", evidence, _("the %(relied)s-sourced reference is justified as representative") % names
            )
            return ReferenceBasis(relied, local | {relied}, evidence, finding)
        finding = Finding(
            "missing",
            evidence,
            _("no justification recorded that the %(relied)s-sourced reference is representative") % names,
        )
        return ReferenceBasis(relied, local, (), finding)
    # analytical_and_pk: three-way analytical bridge, and a three-arm PK bridge where required.
    assert policy.local is not None
    a_evidence, problems = _analytical_bridge(ctx, relied, policy.local)
    used_in_pk = any(
        c.test == "T" and c.reference == relied for s in ctx.inventory.pk_studies for c in s.comparisons
    )
    p_evidence: list[str] = []
    if policy.pk_bridge == "always" or used_in_pk:
        p_evidence, pk_problems = _pk_bridge(ctx, relied, policy.local)
        problems += pk_problems
    evidence = (*a_evidence, *p_evidence)
    if problems:
        detail = _(
            "bridge from the %(relied)s comparator to the %(local)s reference required: %(problems)s"
        ) % {
            **names,
            "problems": "; ".join(problems),
        }
        return ReferenceBasis(relied, local, (), Finding("missing", evidence, detail))
    how = _("analytical, three-way and PK") if p_evidence else _("analytical, three-way")
    detail = _("the %(relied)s-sourced comparator is bridged to the %(local)s reference (%(how)s)") % {
        **names,
        "how": how,
    }
    return ReferenceBasis(relied, local | {relied}, evidence, Finding("met", evidence, detail))


def accepted_for(ctx: Context, basis: ReferenceBasis, kind: str) -> frozenset[str]:
    """The references whose ``kind`` of evidence (``caa``, ``pk``, ...) counts for the region."""
    if kind in ctx.policy.local_only and ctx.policy.local is not None:
        return frozenset({ctx.policy.local})
    return basis.accepted


def with_bridge(basis: ReferenceBasis, used_refs: set[str], evidence: list[str]) -> tuple[str, ...]:
    """Evidence ids plus the bridge evidence when a non-local reference was relied on."""
    if basis.relied is not None and basis.relied in used_refs and basis.bridge_evidence:
        evidence = evidence + [e for e in basis.bridge_evidence if e not in evidence]
    return tuple(evidence)


def preferred_reference(ctx: Context, basis: ReferenceBasis, available: set[str]) -> str | None:
    """The reference to compare T against: the local one if there is evidence for it, else the relied one."""
    local = ctx.policy.local
    if local is not None and local in available:
        return local
    if basis.relied is not None and basis.relied in basis.accepted and basis.relied in available:
        return basis.relied
    return None
