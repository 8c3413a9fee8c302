"""Programs, their sharing with partner organisations, studies and the program's audit rows."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from bioparity.api.deps import AfterSeq, CurrentActor, Limit, PathId, unit_of_work
from bioparity.api.errors import ERROR_RESPONSES
from bioparity.api.schemas import (
    UUID_PATTERN,
    AuditEventOut,
    OptionalReasonIn,
    ProgramIn,
    ProgramOut,
    ProgramPatch,
    ReasonIn,
    ShareIn,
    ShareOut,
    StudyIn,
    StudyOut,
    from_record,
)
from bioparity.api.schemas_accounts import PartnerOut, ShareInvitationOut
from bioparity.store.models import Organisation, ProgramShare
from bioparity.workspace import programs
from bioparity.workspace.roles import share_scope_kinds

router = APIRouter(responses=ERROR_RESPONSES, tags=["programs"])
ProgramId = PathId
OrgId = PathId
#: ``GET /programs/{id}/audit?run=``: one analysis run's own trail.
RunFilter = Annotated[
    str | None,
    Query(
        pattern=UUID_PATTERN,
        description="Only the rows about this analysis run of the program: the run, its signatures and its "
        "refused or failed signing attempts (404 if it is not a run of the program).",
    ),
]


@router.get("/programs")
def list_programs(actor: CurrentActor, request: Request) -> list[ProgramOut]:
    """Programs of your organisations and programs shared with them."""
    with unit_of_work(request) as session:
        return [ProgramOut.of(p) for p in programs.list_programs(session, actor)]


@router.post("/programs", status_code=201)
def create_program(body: ProgramIn, actor: CurrentActor, request: Request) -> ProgramOut:
    """Owners and statisticians of the organisation ``org_id``."""
    with unit_of_work(request) as session:
        fields = body.model_dump(exclude={"org_id"})
        program = programs.create_program(session, actor, body.org_id, **fields)
        return ProgramOut.of(program)


@router.get("/programs/{program_id}")
def get_program(program_id: ProgramId, actor: CurrentActor, request: Request) -> ProgramOut:
    with unit_of_work(request) as session:
        return ProgramOut.of(programs.get_program(session, actor, program_id))


@router.patch("/programs/{program_id}")
def update_program(
    program_id: ProgramId, body: ProgramPatch, actor: CurrentActor, request: Request
) -> ProgramOut:
    """Owners and statisticians; switching ``segregation_of_duties`` (owners only) needs a ``reason``."""
    with unit_of_work(request) as session:
        changes = body.model_dump(exclude_none=True, exclude={"reason"})
        program = programs.update_program(session, actor, program_id, changes, reason=body.reason)
        return ProgramOut.of(program)


def _share_out(share: ProgramShare, org: Organisation) -> ShareOut:
    return from_record(ShareOut, share, org_id=org.id, org_name=org.name, scope=_scope_out(share))


def _scope_out(share: ProgramShare) -> list[str] | None:
    """The share's scope as the API shows it: its study kinds, or null for the whole program."""
    kinds = share_scope_kinds(share.scope)
    return None if kinds is None else list(kinds)


@router.get("/programs/{program_id}/shares")
def list_shares(program_id: ProgramId, actor: CurrentActor, request: Request) -> list[ShareOut]:
    """Owners: the program's partners and open invitations (status pending, accepted or declined)."""
    with unit_of_work(request) as session:
        return [_share_out(s, o) for s, o in programs.list_shares(session, actor, program_id)]


@router.post("/programs/{program_id}/shares", status_code=201)
def share_program(program_id: ProgramId, body: ShareIn, actor: CurrentActor, request: Request) -> ShareOut:
    """Owners of the program's organisation: invite a partner organisation at a role (by id from
    GET /orgs/{org_id}/partners, or by exact name). Nothing is shared until an owner of the partner
    accepts (POST /orgs/{org_id}/share-invitations/{program_id}/accept)."""
    with unit_of_work(request) as session:
        org_id = body.org_id or programs.organisation_by_name(session, body.org_name or "").id
        share = programs.share_program(
            session, actor, program_id, org_id, body.role, body.scope, reason=body.reason
        )
        partner = session.get(Organisation, share.org_id)
        assert partner is not None
        return _share_out(share, partner)


@router.get("/orgs/{org_id}/partners", tags=["organisations"])
def partners(org_id: OrgId, actor: CurrentActor, request: Request) -> list[PartnerOut]:
    """Owners: organisations with an accepted share between them and this one (either way)."""
    with unit_of_work(request) as session:
        return [
            PartnerOut(id=o.id, name=o.name) for o in programs.partner_organisations(session, actor, org_id)
        ]


@router.get("/orgs/{org_id}/share-invitations", tags=["organisations"])
def share_invitations(org_id: OrgId, actor: CurrentActor, request: Request) -> list[ShareInvitationOut]:
    """Owners: programs other organisations offer to this one, awaiting an answer."""
    with unit_of_work(request) as session:
        return [
            ShareInvitationOut(
                program_id=p.id,
                program_name=p.name,
                from_org_id=o.id,
                from_org_name=o.name,
                role=s.pending_role or s.role,
                current_role=s.role if s.status == "accepted" else None,
                scope=_scope_out(s),
                created_at=s.created_at,
            )
            for s, p, o in programs.share_invitations(session, actor, org_id)
        ]


@router.post("/orgs/{org_id}/share-invitations/{program_id}/accept", tags=["organisations"])
def accept_share(
    org_id: OrgId,
    program_id: ProgramId,
    actor: CurrentActor,
    request: Request,
    body: OptionalReasonIn | None = None,
) -> ShareOut:
    """Owners of the partner organisation: accept the program at the offered role; the body may give a
    ``reason``, kept in the audit trail."""
    reason = None if body is None else body.reason
    with unit_of_work(request) as session:
        share = programs.respond_share(session, actor, org_id, program_id, accept=True, reason=reason)
        partner = session.get(Organisation, share.org_id)
        assert partner is not None
        return _share_out(share, partner)


@router.post("/orgs/{org_id}/share-invitations/{program_id}/decline", status_code=204, tags=["organisations"])
def decline_share(
    org_id: OrgId, program_id: ProgramId, actor: CurrentActor, request: Request, body: ReasonIn | None = None
) -> Response:
    """Owners of the partner organisation: decline the program (or the higher role offered; the accepted
    role stays); the body gives the ``reason`` (required, 422 naming it when missing)."""
    reason = None if body is None else body.reason
    with unit_of_work(request) as session:
        programs.respond_share(session, actor, org_id, program_id, accept=False, reason=reason)
    return Response(status_code=204)


@router.delete("/programs/{program_id}/shares/{org_id}", status_code=204)
def unshare_program(
    program_id: ProgramId, org_id: OrgId, actor: CurrentActor, request: Request, body: ReasonIn | None = None
) -> Response:
    """Owners: end the share; the body gives the ``reason`` (required, 422 naming it when missing)."""
    with unit_of_work(request) as session:
        programs.unshare_program(
            session, actor, program_id, org_id, reason=None if body is None else body.reason
        )
    return Response(status_code=204)


@router.get("/programs/{program_id}/studies")
def list_studies(program_id: ProgramId, actor: CurrentActor, request: Request) -> list[StudyOut]:
    with unit_of_work(request) as session:
        return [StudyOut.of(s) for s in programs.list_studies(session, actor, program_id)]


@router.post("/programs/{program_id}/studies", status_code=201)
def create_study(program_id: ProgramId, body: StudyIn, actor: CurrentActor, request: Request) -> StudyOut:
    with unit_of_work(request) as session:
        study = programs.create_study(
            session, actor, program_id, name=body.name, kind=body.kind, description=body.description
        )
        return StudyOut.of(study)


#: The response header of ``GET /programs/{id}/audit`` giving the number of rows withheld from the reader.
WITHHELD_HEADER = programs.WITHHELD_HEADER


@router.get(
    "/programs/{program_id}/audit",
    responses={
        200: {
            "headers": {
                WITHHELD_HEADER: {
                    "description": "How many of the program's audit rows are withheld from you (0: none).",
                    "schema": {"type": "integer"},
                }
            }
        }
    },
)
def program_audit(
    program_id: ProgramId,
    actor: CurrentActor,
    request: Request,
    response: Response,
    after_seq: AfterSeq = 0,
    limit: Limit = 1000,
    run: RunFilter = None,
) -> list[AuditEventOut]:
    """Audit rows of the program: who changed, uploaded, ran and signed what, when. A member of a partner
    organisation (not of the owning one) does not receive the rows of the program's shares with other
    partner organisations nor other people's failed signing attempts (``sign_failed``); the header
    ``X-Audit-Withheld`` gives how many rows of the program are withheld (0 for the owning organisation's
    members, who read and verify the whole trail). ``run``: one run's own trail, as on the audit page's
    ``?run=`` (the run, its signatures, its refused and failed signing attempts; 404 for a run that is not
    the program's)."""
    with unit_of_work(request) as session:
        view = programs.program_audit_view(
            session, actor, program_id, after_seq=after_seq, limit=limit, run=run
        )
        response.headers[WITHHELD_HEADER] = str(view.withheld)
        return [AuditEventOut.of(e) for e in view.events]
