"""Programs (biosimilar candidates), sharing with partner organisations, and studies."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bioparity.errors import InputError
from bioparity.i18n import gettext as _
from bioparity.i18n import gettext_noop
from bioparity.pathways import REGION_CODES, region_code
from bioparity.store.lookup import joined_pairs
from bioparity.store.models import AnalysisRun, AuditEvent, Organisation, Program, ProgramShare, Study
from bioparity.workspace.access import (
    Actor,
    program_orgs,
    require_org,
    require_program,
    require_study,
    visible_programs,
)
from bioparity.workspace.errors import ConflictError, NotFoundError
from bioparity.workspace.events import EXPORT, record, record_change, scope_audit
from bioparity.workspace.roles import GRANTS, SHARE_ROLES, Permission, Role, StudyKind
from bioparity.workspace.snapshots import snapshot
from bioparity.workspace.text import (
    DESCRIPTION_MAX,
    NAME_MAX,
    REGION_MAX,
    SHORT_NAME_MAX,
    optional_reason_text,
    plain_text,
    reason_text,
)

PROGRAM_FIELDS = (
    "name",
    "inn",
    "reference_product",
    "modality",
    "target_regions",
    "description",
    "segregation_of_duties",
)


def _regions(regions: Sequence[str]) -> list[str]:
    if not regions or any(not r.strip() for r in regions):
        raise InputError(_("target_regions must list at least one non-empty region code, e.g. ['EU', 'US']"))
    if len(regions) > 50:
        raise InputError(
            _("target_regions lists %(n)d regions; at most 50 are allowed") % {"n": len(regions)}
        )
    cleaned = [plain_text(r, gettext_noop("target region"), max_length=REGION_MAX) for r in regions]
    # The readiness of a program is assessed per target region with that region's rule set: a region
    # without one (a typo, "Mars") would only ever be reported as "not assessed".
    unknown = next((r for r in cleaned if region_code(r) is None), None)
    if unknown is not None:
        raise InputError(
            _("unknown target region %(region)r; expected one of %(regions)s (in any case)")
            % {"region": unknown, "regions": ", ".join(REGION_CODES)}
        )
    # Stored as the code of the region's rule set, so that one region is one spelling ("eu", "EU" and
    # "EMA" are all EMA) and a region named twice in two spellings is refused like one named twice.
    codes = [str(region_code(r)) for r in cleaned]
    if len(set(codes)) != len(codes):
        raise InputError(_("target_regions lists a region twice: %(regions)s") % {"regions": cleaned})
    return codes


def _flush_unless_taken(session: Session, taken: str) -> None:
    """Flush the new or renamed row; a unique name index that refuses it (another request wrote the name
    after the caller's check, or no check was made) is answered with ``taken``, as the check would be."""
    try:
        session.flush()
    except IntegrityError as exc:
        raise ConflictError(taken) from exc


_FIELD_LIMITS = {
    "name": NAME_MAX,
    "inn": NAME_MAX,
    "reference_product": NAME_MAX,
    "modality": SHORT_NAME_MAX,
    "description": DESCRIPTION_MAX,
}


def _program_field(key: str, value: Any) -> Any:
    """A changed program field, checked like the same field of a new program."""
    if key == "target_regions":
        return _regions(value)
    if key in _FIELD_LIMITS:
        if not isinstance(value, str):
            raise InputError(f"{key} must be text, not {type(value).__name__}")
        return plain_text(value, key, max_length=_FIELD_LIMITS[key], required=key != "description")
    return value


def create_program(
    session: Session,
    actor: Actor,
    org_id: str,
    *,
    name: str,
    inn: str,
    reference_product: str,
    modality: str,
    target_regions: Sequence[str],
    description: str = "",
) -> Program:
    org, _my_role = require_org(session, actor, org_id, Permission.create_program)
    name = plain_text(name, gettext_noop("program name"), max_length=NAME_MAX)
    texts = {"inn": inn, "reference_product": reference_product, "modality": modality}
    texts["description"] = description
    fields = {key: _program_field(key, value) for key, value in texts.items()}
    taken = _("organisation %(org)r already has a program named %(name)r") % {"org": org.name, "name": name}
    if session.scalar(select(Program.id).where(Program.org_id == org.id, Program.name == name)) is not None:
        raise ConflictError(taken)
    regions = _regions(target_regions)
    program = Program(org_id=org.id, name=name, target_regions=regions, created_by=actor.user_id, **fields)
    session.add(program)
    _flush_unless_taken(session, taken)
    record_change(session, actor, "create", "program", program, program)
    return program


def list_programs(session: Session, actor: Actor) -> Sequence[Program]:
    return list(session.scalars(visible_programs(actor.user_id).order_by(Program.name, Program.id)))


def get_program(session: Session, actor: Actor, program_id: str) -> Program:
    return require_program(session, actor, program_id)


def update_program(
    session: Session, actor: Actor, program_id: str, changes: dict[str, Any], *, reason: str | None = None
) -> Program:
    """Change the program's fields. Switching segregation of duties (a GxP control) needs a ``reason``
    (EU GMP Annex 11 section 9); a reason given with other changes is recorded as well."""
    program = require_program(session, actor, program_id, Permission.edit_program)
    unknown = set(changes) - set(PROGRAM_FIELDS)
    if unknown:
        raise InputError(f"cannot change {sorted(unknown)}; changeable fields: {', '.join(PROGRAM_FIELDS)}")
    if "segregation_of_duties" in changes:
        if not isinstance(changes["segregation_of_duties"], bool):
            raise InputError("segregation_of_duties must be true or false")
        # Whoever could approve their own runs must not be able to lift the rule: owners only.
        require_program(session, actor, program_id, Permission.manage_members)
        reason = reason_text(reason)
    else:
        reason = optional_reason_text(reason)
    before = snapshot(program)
    for key, value in changes.items():
        setattr(program, key, _program_field(key, value))
    _flush_unless_taken(
        session, _("the organisation already has a program named %(name)r") % {"name": changes.get("name")}
    )
    record_change(session, actor, "update", "program", program, program, before, reason=reason)
    return program


def _share_grants(role: str) -> frozenset[Permission]:
    return GRANTS[Role(role)]


def _share_scope(scope: Sequence[str] | None) -> str | None:
    """The stored scope of a share (:attr:`ProgramShare.scope`): None for the whole program, else the
    study kinds named, each once, in the order of :class:`StudyKind`."""
    if scope is None:
        return None
    unknown = [k for k in scope if k not in {k.value for k in StudyKind}]
    if unknown or not scope:
        raise InputError(
            _(
                "a share's scope lists one or more study kinds of %(kinds)s (or is left out for the "
                "whole program), not %(scope)s"
            )
            % {"kinds": ", ".join(StudyKind), "scope": list(scope)}
        )
    return ",".join(k.value for k in StudyKind if k.value in scope)


def share_program(
    session: Session,
    actor: Actor,
    program_id: str,
    partner_org_id: str,
    role: str,
    scope: Sequence[str] | None = None,
    *,
    reason: str | None,
) -> ProgramShare:
    """Owners: invite a partner organisation to the program at ``role``, for ``reason`` (required, kept
    in the audit row). Nothing is granted until an owner of the partner accepts (:func:`respond_share`).
    On an accepted share a lower role applies at once; a higher one waits for the partner's consent while
    the accepted role stays in force.

    ``scope``: the study kinds in which the partner may create studies, upload, run and sign (it reads
    the whole program whatever the scope); None shares the whole program. It applies at once, on a new
    share or a changed one (each share or change states the scope it wants)."""
    program = require_program(session, actor, program_id, Permission.share_program)
    stored_scope = _share_scope(scope)
    if role not in {r.value for r in SHARE_ROLES}:
        raise InputError(
            _("cannot share at role %(role)r; expected one of %(roles)s")
            % {"role": role, "roles": ", ".join(SHARE_ROLES)}
        )
    partner = session.get(Organisation, partner_org_id)
    if partner is None:
        raise NotFoundError("organisation", partner_org_id)
    reason = reason_text(reason)
    if partner.id == program.org_id:
        raise InputError(_("a program cannot be shared with its own organisation"))
    share = session.scalar(
        select(ProgramShare).where(ProgramShare.program_id == program.id, ProgramShare.org_id == partner.id)
    )
    before = None if share is None else snapshot(share)
    if share is None:
        share = ProgramShare(program_id=program.id, org_id=partner.id, role=role, status="pending")
        session.add(share)
    elif share.status != "accepted":
        share.role, share.status, share.pending_role = role, "pending", None
    elif _share_grants(role) <= _share_grants(share.role):
        share.role, share.pending_role = role, None
    else:
        share.pending_role = role
    share.invited_by, share.scope = actor.user_id, stored_scope
    session.flush()
    action = "share" if before is None else "update"
    record_change(session, actor, action, "share", share, program, before, reason=reason)
    return share


def organisation_by_name(session: Session, name: str) -> Organisation:
    """An organisation by its exact name (to invite a first-time partner)."""
    org = session.scalar(select(Organisation).where(Organisation.name == name.strip()))
    if org is None:
        raise NotFoundError("organisation", name)
    return org


def partner_organisations(session: Session, actor: Actor, org_id: str) -> Sequence[Organisation]:
    """Organisations with an accepted share between them and ``org_id`` (either way): the only ones the
    sharing page offers. Other organisations are invited by their exact name."""
    org, _my_role = require_org(session, actor, org_id, Permission.share_program)
    owned = select(Program.id).where(Program.org_id == org.id)
    theirs = select(ProgramShare.org_id).where(
        ProgramShare.program_id.in_(owned), ProgramShare.status == "accepted"
    )
    shared_with_us = (
        select(Program.org_id)
        .join(ProgramShare, ProgramShare.program_id == Program.id)
        .where(ProgramShare.org_id == org.id, ProgramShare.status == "accepted")
    )
    query = (
        select(Organisation)
        .where(or_(Organisation.id.in_(theirs), Organisation.id.in_(shared_with_us)))
        .where(Organisation.id != org.id)
        .order_by(Organisation.name)
    )
    return list(session.scalars(query))


def share_invitations(
    session: Session, actor: Actor, org_id: str
) -> Sequence[tuple[ProgramShare, Program, Organisation]]:
    """Owners of ``org_id``: programs other organisations offer to it (new shares or higher roles)."""
    org, _my_role = require_org(session, actor, org_id, Permission.manage_members)
    rows = session.execute(
        select(ProgramShare, Program, Organisation)
        .join(Program, Program.id == ProgramShare.program_id)
        .join(Organisation, Organisation.id == Program.org_id)
        .where(
            ProgramShare.org_id == org.id,
            or_(ProgramShare.status == "pending", ProgramShare.pending_role.is_not(None)),
        )
        .order_by(Organisation.name, Program.name)
    )
    return [(s, p, o) for s, p, o in rows]


def respond_share(
    session: Session, actor: Actor, org_id: str, program_id: str, *, accept: bool, reason: str | None = None
) -> ProgramShare:
    """Owners of the partner organisation accept or decline a program offered to it (or a higher role on
    an accepted share; declining that keeps the accepted role). A decline needs a ``reason`` (a decision
    on access to GMP data, EU GMP Annex 11 sections 9 and 12.3: the offering owner reads why); an
    acceptance may give one (the offer's reason was given when it was made). Kept in the audit row."""
    org, _my_role = require_org(session, actor, org_id, Permission.manage_members)
    share = session.scalar(
        select(ProgramShare).where(ProgramShare.program_id == program_id, ProgramShare.org_id == org.id)
    )
    if share is None or not (share.status == "pending" or share.pending_role is not None):
        raise NotFoundError("share invitation", program_id)
    reason = optional_reason_text(reason) if accept else reason_text(reason)
    program = session.get(Program, share.program_id)
    assert program is not None
    before = snapshot(share)
    if accept:
        share.role = share.pending_role or share.role
        share.status = "accepted"
    elif share.status == "pending":
        share.status = "declined"
    share.pending_role = None
    share.responded_by = actor.user_id
    share.responded_at = datetime.now(UTC)
    session.flush()
    action = "share_accept" if accept else "share_decline"
    record_change(session, actor, action, "share", share, program, before, reason=reason)
    return share


def unshare_program(
    session: Session, actor: Actor, program_id: str, partner_org_id: str, *, reason: str | None
) -> None:
    """Owners: end the share with a partner organisation, for ``reason`` (required, kept in the audit row)."""
    program = require_program(session, actor, program_id, Permission.share_program)
    share = session.scalar(
        select(ProgramShare).where(
            ProgramShare.program_id == program.id, ProgramShare.org_id == partner_org_id
        )
    )
    if share is None:
        raise NotFoundError("share", partner_org_id)
    reason = reason_text(reason)
    before = snapshot(share)
    session.delete(share)
    session.flush()
    record(session, actor, "unshare", "share", before["id"], program, before, reason=reason)


def list_shares(
    session: Session, actor: Actor, program_id: str
) -> Sequence[tuple[ProgramShare, Organisation]]:
    """Owners: the program's shares and invitations (``status`` pending, accepted or declined)."""
    program = require_program(session, actor, program_id, Permission.share_program)
    return joined_pairs(
        session, ProgramShare, Organisation, ProgramShare.program_id == program.id, order_by=Organisation.name
    )


def create_study(
    session: Session, actor: Actor, program_id: str, *, name: str, kind: str, description: str = ""
) -> Study:
    # a kind of none of the scopes is refused below as unknown
    new = (kind, name.strip()) if kind in {k.value for k in StudyKind} else None
    program = require_program(session, actor, program_id, Permission.write_data, new)
    if kind not in {k.value for k in StudyKind}:
        raise InputError(
            _("unknown study kind %(kind)r; expected one of %(kinds)s")
            % {"kind": kind, "kinds": ", ".join(StudyKind)}
        )
    name = plain_text(name, gettext_noop("study name"), max_length=NAME_MAX)
    description = plain_text(
        description, gettext_noop("description"), max_length=DESCRIPTION_MAX, required=False
    )
    # Trimmed and then compared exactly, as program names are: reports and readiness evidence name a
    # study by its name (e.g. "pk:<study>/..."), so two studies of one name could not be told apart.
    taken = _("program %(program)r already has a study named %(name)r") % {
        "program": program.name,
        "name": name,
    }
    if session.scalar(select(Study.id).where(Study.program_id == program.id, Study.name == name)) is not None:
        raise ConflictError(taken)
    study = Study(
        program_id=program.id, name=name, kind=kind, description=description, created_by=actor.user_id
    )
    session.add(study)
    # a study of that name created at the same moment by another request: uq_studies_program_name
    _flush_unless_taken(session, taken)
    record_change(session, actor, "create", "study", study, program)
    return study


def list_studies(session: Session, actor: Actor, program_id: str) -> Sequence[Study]:
    program = require_program(session, actor, program_id)
    query = select(Study).where(Study.program_id == program.id).order_by(Study.created_at, Study.id)
    return list(session.scalars(query))


def get_study(session: Session, actor: Actor, study_id: str) -> Study:
    return require_study(session, actor, study_id)[0]


#: The response header giving the number of a program's audit rows withheld from the reader
#: (:func:`withheld_audit_rows`): the API's audit listing and the web's audit exports.
WITHHELD_HEADER = "X-Audit-Withheld"


def withheld_audit_rows(session: Session, actor: Actor, program: Program) -> frozenset[int]:
    """The sequence numbers of the program's audit rows withheld from ``actor`` (least privilege between
    the partners of a program; EU GMP Annex 11 §12.1, 21 CFR 11.10(d)): none for a member of the owning
    organisation, whose auditors read and verify the whole trail; for a member of a partner organisation
    only, the rows of shares with *other* partner organisations (who else the program is shared with, at
    which role and scope, is the owner's business) and the failed signing attempts (``sign_failed``, a
    wrong password: a security event, 21 CFR 11.300(d)) and the exports of the trail and the reports
    (``export``: who read which records, :func:`~bioparity.workspace.events.record_export`) and the
    downloads of datasets' files (``export`` rows too,
    :func:`~bioparity.workspace.events.record_dataset_download`) of anyone but themselves. Everything
    else stays visible, the studies outside a share's scope too (README, "Share scope"), and so do refused
    signings (``sign_refused``: a rule of the study's records, not a password). A partner's owners see
    their own members' failed signing attempts with their other security events
    (:func:`bioparity.workspace.security_events.org_security_events`).

    One rule for every view of the trail, :func:`program_audit_view`: the API (``X-Audit-Withheld``
    header), the audit page and its PDF and CSV exports, which state the number withheld.
    """
    orgs = program_orgs(session, actor.user_id, program)
    if program.org_id in orgs:
        return frozenset()
    query = select(
        AuditEvent.seq,
        AuditEvent.object_type,
        AuditEvent.actor_id,
        AuditEvent.before_json,
        AuditEvent.after_json,
    ).where(
        AuditEvent.program_id == program.id,
        or_(AuditEvent.object_type == "share", AuditEvent.action.in_(("sign_failed", EXPORT))),
    )
    withheld = set()
    for seq, object_type, actor_id, before_json, after_json in session.execute(query):
        if object_type != "share":
            if actor_id != actor.user_id:
                withheld.add(seq)
            continue
        states = [json.loads(text) for text in (before_json, after_json) if text]
        if not any(isinstance(state, dict) and state.get("org_id") in orgs for state in states):
            withheld.add(seq)
    return frozenset(withheld)


@dataclass(frozen=True)
class AuditView:
    """The program's audit rows a person may read (every row, or all but those
    :func:`withheld_audit_rows` withholds) and how many are withheld."""

    program: Program
    events: Sequence[AuditEvent]
    withheld: int
    #: Whether the reader is a member of the owning organisation (reads the whole trail, verifies it).
    owner: bool


def about_run(event: AuditEvent, run_id: str) -> bool:
    """Whether ``event`` is about analysis run ``run_id``: the run itself (made, exported, its signing
    refused, ``sign_refused``, or failed on a wrong user name or password, ``sign_failed``; 21 CFR 11.10(e),
    EU GMP Annex 11 §12.4) or one of its signatures (``sign``, whose record names the run). One rule for the
    audit page's ``?run=`` (and its CSV and PDF exports) and the API's ``GET /programs/{id}/audit?run=``."""
    if event.object_id == run_id:
        return True
    if event.object_type != "signature" or not event.after_json:
        return False
    after = json.loads(event.after_json)
    return isinstance(after, dict) and after.get("run_id") == run_id


def _require_run_of(session: Session, program: Program, run_id: str) -> None:
    """Refuse (:class:`NotFoundError`, 404) a run id that is not a run of one of the program's studies."""
    found = session.execute(
        select(AnalysisRun.id)
        .join(Study, Study.id == AnalysisRun.study_id)
        .where(AnalysisRun.id == run_id, Study.program_id == program.id)
    ).first()
    if found is None:
        raise NotFoundError("analysis run", run_id)


def program_audit_view(
    session: Session,
    actor: Actor,
    program_id: str,
    *,
    after_seq: int = 0,
    limit: int | None = None,
    run: str | None = None,
) -> AuditView:
    """The program and its audit rows ``actor`` may read (:func:`withheld_audit_rows`) in order, ``limit``
    at a time (None: all) after sequence number ``after_seq``, and how many of its rows are withheld.

    ``run``: only the rows about that analysis run of the program (:func:`about_run`; the withheld rows
    stay withheld, the number withheld is still the program's), ``limit`` of them at a time; a run that
    is not one of the program's is refused (:class:`NotFoundError`)."""
    program = require_program(session, actor, program_id)
    withheld = withheld_audit_rows(session, actor, program)
    if run is None:
        events = scope_audit(session, program, after_seq=after_seq, limit=limit, without=withheld)
    else:
        _require_run_of(session, program, run)
        every = scope_audit(session, program, after_seq=after_seq, limit=None, without=withheld)
        events = [e for e in every if about_run(e, run)][:limit]
    owner = program.org_id in program_orgs(session, actor.user_id, program)
    return AuditView(program, events, len(withheld), owner)
