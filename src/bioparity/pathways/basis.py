"""Which reference products' evidence counts for a region, and the objects every check shares.

Evidence counts for a region only when it was generated against a reference the region accepts:
its local reference (EU for EMA, US for FDA, ...) or the reference the program relies on for that
region (``ProgramProfile.reference_sourcing``, or the hand-entered ``local_reference_used``) when the
region accepts it and the bridge the region asks for is in place. Evidence that relies on a bridged
reference also cites the bridge, so that a change of the bridge shows in every requirement using it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bioparity.pathways.inventory import EvidenceInventory, ProgramProfile

Status = Literal["met", "missing", "at_risk"]


@dataclass(frozen=True)
class ReferencePolicy:
    """Which reference products a region accepts and what links a foreign one to the local one.

    ``bridge`` is ``analytical_and_pk`` (analytical bridge of the two references plus passing PK
    comparisons between their arms), ``representativeness`` (a recorded justification that the
    foreign reference is representative) or ``none``. ``local`` is ``None`` where any reference in
    ``foreign_accepted`` may be used directly (WHO).
    """

    local: str | None
    foreign_accepted: tuple[str, ...]
    bridge: str


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


def _pk_between(inv: EvidenceInventory, a: str, b: str) -> list[tuple[str, bool]]:
    return [
        (f"pk:{s.id}/{c.id}", c.passed)
        for s in inv.pk_studies
        for c in s.comparisons
        if {c.test, c.reference} == {a, b}
    ]


def reference_basis(ctx: Context) -> ReferenceBasis:
    """Decide which reference products' evidence counts for ``ctx.region``."""
    policy = ctx.policy
    relied, manual_evidence = _relied_reference(ctx)
    local = frozenset() if policy.local is None else frozenset({policy.local})
    if relied is None:
        finding = Finding("missing", (), f"no reference product sourcing is recorded for {ctx.region}")
        return ReferenceBasis(None, local, (), finding)
    if relied == policy.local:
        finding = Finding("met", manual_evidence, f"the locally licensed reference ({relied}) is used")
        return ReferenceBasis(relied, local, (), finding)
    if relied not in policy.foreign_accepted:
        accepted_text = ", ".join(policy.foreign_accepted) or "none"
        finding = Finding(
            "missing",
            (),
            f"the reference sourced from {relied} is not accepted for {ctx.region} "
            f"(local: {policy.local or 'any'}; accepted foreign sources: {accepted_text})",
        )
        return ReferenceBasis(relied, local, (), finding)
    if policy.bridge == "none":
        finding = Finding("met", (), f"a reference sourced from {relied} is accepted for {ctx.region}")
        return ReferenceBasis(relied, local | {relied}, (), finding)
    if policy.bridge == "representativeness":
        item = ctx.inventory.manual("reference_representativeness_justified", ctx.region)
        evidence: tuple[str, ...] = () if item is None else (f"manual:{item.key}",)
        if item is not None and item.value:
            finding = Finding(
                "met", evidence, f"the {relied}-sourced reference is justified as representative"
            )
            return ReferenceBasis(relied, local | {relied}, evidence, finding)
        finding = Finding(
            "missing",
            evidence,
            f"no justification recorded that the {relied}-sourced reference is representative",
        )
        return ReferenceBasis(relied, local, (), finding)
    # analytical_and_pk: the two reference products must be bridged analytically and by PK.
    assert policy.local is not None
    pair = {relied, policy.local}
    bridges = [b for b in ctx.inventory.analytical_bridges if set(b.references) == pair]
    pk = _pk_between(ctx.inventory, relied, policy.local)
    evidence = (*(f"bridge:{b.id}" for b in bridges), *(ref for ref, _ in pk))
    problems = []
    if not bridges:
        problems.append(f"no analytical bridge {relied}-RP vs {policy.local}-RP")
    elif not all(b.passed for b in bridges):
        problems.append(f"the analytical bridge {relied}-RP vs {policy.local}-RP failed")
    if not pk:
        problems.append(f"no PK comparison of the {relied} and {policy.local} reference arms")
    elif not all(ok for _, ok in pk):
        problems.append(f"the PK comparison of the {relied} and {policy.local} reference arms failed")
    if problems:
        return ReferenceBasis(relied, local, (), Finding("missing", evidence, "; ".join(problems)))
    detail = f"the {relied}-sourced reference is bridged to the {policy.local} reference (analytical and PK)"
    return ReferenceBasis(relied, local | {relied}, evidence, Finding("met", evidence, detail))


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
