"""Authentication, the caller's profile and API tokens, organisations and their members."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from bioparity.api.deps import (
    AfterSeq,
    Bearer,
    Cookie,
    CurrentActor,
    Limit,
    PathId,
    audit_rows,
    clear_session_cookie,
    client_address,
    request_token,
    set_session_cookie,
    unit_of_work,
)
from bioparity.api.errors import ERROR_RESPONSES
from bioparity.api.schemas import (
    ApiTokenCreated,
    ApiTokenIn,
    ApiTokenOut,
    AuditEventOut,
    LoginIn,
    MemberIn,
    MemberOut,
    MemberPatch,
    MeOut,
    OrgOut,
    ReasonIn,
    SessionOut,
    UserOut,
)
from bioparity.api.schemas_accounts import InvitationOut, PasswordChangeIn
from bioparity.store.models import Membership, User
from bioparity.workspace import accounts, security_events
from bioparity.workspace.roles import Role

router = APIRouter(responses=ERROR_RESPONSES)
OrgId = PathId
UserId = PathId
TokenId = PathId
InvitationId = PathId


@router.post("/auth/login", tags=["auth"])
def login(body: LoginIn, request: Request, response: Response) -> SessionOut:
    """Check user name and password; returns a session token (also set as an HttpOnly cookie).

    Failed attempts are counted per account and per client: after a few, further attempts must wait
    (429 with Retry-After); after the configured number the account is locked until an administrator
    unlocks it. A session ends after the idle timeout (default 30 min) or its absolute lifetime."""
    with unit_of_work(request) as session:
        token, secret = accounts.login(session, body.username, body.password, client=client_address(request))
    set_session_cookie(response, request, secret)
    return SessionOut(token=secret, expires_at=token.expires_at)


@router.post("/auth/logout", status_code=204, tags=["auth"])
def logout(actor: CurrentActor, request: Request, bearer: Bearer, cookie: Cookie) -> Response:
    """End the current session (the token used for this request is revoked, with the API tokens created
    bound to it)."""
    token = request_token(bearer, cookie)
    with unit_of_work(request) as session:
        accounts.logout(session, actor, token or "")
    response = Response(status_code=204)
    clear_session_cookie(response, request)
    return response


@router.get("/me", tags=["auth"])
def me(actor: CurrentActor, request: Request) -> MeOut:
    with unit_of_work(request) as session:
        user = session.get(User, actor.user_id)
        assert user is not None
        orgs = accounts.my_organisations(session, actor)
        return MeOut(
            user=UserOut.of(user), organisations=[OrgOut(id=o.id, name=o.name, role=Role(r)) for o, r in orgs]
        )


@router.get("/me/tokens", tags=["auth"])
def list_tokens(actor: CurrentActor, request: Request) -> list[ApiTokenOut]:
    with unit_of_work(request) as session:
        return [ApiTokenOut.of(t) for t in accounts.list_api_tokens(session, actor)]


@router.post("/me/tokens", status_code=201, tags=["auth"])
def create_token(body: ApiTokenIn, actor: CurrentActor, request: Request) -> ApiTokenCreated:
    """A token for scripts, after re-entering the password; the secret is shown only in this response.

    It expires after ``expires_in_days`` (at most the server's maximum, 90 days unless configured)."""
    with unit_of_work(request) as session:
        token, secret = accounts.create_api_token(
            session,
            actor,
            body.name,
            body.expires_in_days,
            password=body.password,
            bound_to_session=body.bound_to_session,
            client=client_address(request),
        )
        return ApiTokenCreated(token=secret, **ApiTokenOut.of(token).model_dump())


@router.delete("/me/tokens/{token_id}", status_code=204, tags=["auth"])
def revoke_token(token_id: TokenId, actor: CurrentActor, request: Request) -> Response:
    with unit_of_work(request) as session:
        accounts.revoke_api_token(session, actor, token_id)
    return Response(status_code=204)


@router.get("/orgs", tags=["organisations"])
def list_orgs(actor: CurrentActor, request: Request) -> list[OrgOut]:
    with unit_of_work(request) as session:
        return [
            OrgOut(id=o.id, name=o.name, role=Role(r)) for o, r in accounts.my_organisations(session, actor)
        ]


@router.get("/orgs/{org_id}", tags=["organisations"])
def get_org(org_id: OrgId, actor: CurrentActor, request: Request) -> OrgOut:
    with unit_of_work(request) as session:
        org, role = accounts.get_org(session, actor, org_id)
        return OrgOut(id=org.id, name=org.name, role=role)


def _member_out(pair: tuple[Membership, User]) -> MemberOut:
    membership, user = pair
    return MemberOut(
        user_id=user.id, username=user.username, display_name=user.display_name, role=Role(membership.role)
    )


@router.get("/orgs/{org_id}/members", tags=["organisations"])
def list_members(org_id: OrgId, actor: CurrentActor, request: Request) -> list[MemberOut]:
    with unit_of_work(request) as session:
        return [_member_out(p) for p in accounts.list_members(session, actor, org_id)]


@router.post("/orgs/{org_id}/members", status_code=202, tags=["organisations"])
def add_member(org_id: OrgId, body: MemberIn, actor: CurrentActor, request: Request) -> InvitationOut:
    """Owners only: invite a user name at a role. The user becomes a member when they accept
    (POST /me/invitations/{invitation_id}/accept). The answer is the same whether or not the user name
    exists."""
    with unit_of_work(request) as session:
        invitation = accounts.invite_member(session, actor, org_id, body.username, body.role)
        org, _ = accounts.get_org(session, actor, org_id)
        return InvitationOut.of(invitation, org.name)


@router.get("/orgs/{org_id}/invitations", tags=["organisations"])
def org_invitations(org_id: OrgId, actor: CurrentActor, request: Request) -> list[InvitationOut]:
    """Owners only: invitations of the organisation not yet answered."""
    with unit_of_work(request) as session:
        org, _ = accounts.get_org(session, actor, org_id)
        return [InvitationOut.of(i, org.name) for i in accounts.org_invitations(session, actor, org_id)]


@router.delete("/orgs/{org_id}/invitations/{invitation_id}", status_code=204, tags=["organisations"])
def withdraw_invitation(
    org_id: OrgId, invitation_id: InvitationId, actor: CurrentActor, request: Request
) -> Response:
    with unit_of_work(request) as session:
        accounts.withdraw_invitation(session, actor, org_id, invitation_id)
    return Response(status_code=204)


@router.get("/me/invitations", tags=["auth"])
def my_invitations(actor: CurrentActor, request: Request) -> list[InvitationOut]:
    """Open invitations into organisations addressed to you."""
    with unit_of_work(request) as session:
        return [InvitationOut.of(i, o.name) for i, o in accounts.my_invitations(session, actor)]


@router.post("/me/invitations/{invitation_id}/accept", tags=["auth"])
def accept_invitation(invitation_id: InvitationId, actor: CurrentActor, request: Request) -> MemberOut:
    """Become a member of the inviting organisation at the invited role."""
    with unit_of_work(request) as session:
        membership = accounts.respond_invitation(session, actor, invitation_id, accept=True)
        assert membership is not None
        user = session.get(User, membership.user_id)
        assert user is not None
        return _member_out((membership, user))


@router.post("/me/invitations/{invitation_id}/decline", status_code=204, tags=["auth"])
def decline_invitation(invitation_id: InvitationId, actor: CurrentActor, request: Request) -> Response:
    with unit_of_work(request) as session:
        accounts.respond_invitation(session, actor, invitation_id, accept=False)
    return Response(status_code=204)


@router.post("/me/password", status_code=204, tags=["auth"])
def change_password(body: PasswordChangeIn, actor: CurrentActor, request: Request) -> Response:
    """Change your password (the current one re-entered). Your other sessions and API tokens are
    revoked; a forced change after an administrator's reset is cleared."""
    with unit_of_work(request) as session:
        accounts.change_password(
            session, actor, body.current_password, body.new_password, client=client_address(request)
        )
    return Response(status_code=204)


@router.patch("/orgs/{org_id}/members/{user_id}", tags=["organisations"])
def change_member(
    org_id: OrgId, user_id: UserId, body: MemberPatch, actor: CurrentActor, request: Request
) -> MemberOut:
    with unit_of_work(request) as session:
        membership = accounts.change_member_role(
            session, actor, org_id, user_id, body.role, reason=body.reason
        )
        user = session.get(User, membership.user_id)
        assert user is not None
        return _member_out((membership, user))


@router.delete("/orgs/{org_id}/members/{user_id}", status_code=204, tags=["organisations"])
def remove_member(
    org_id: OrgId, user_id: UserId, actor: CurrentActor, request: Request, body: ReasonIn | None = None
) -> Response:
    """Owners: remove the member; the body gives the ``reason`` (required, 422 naming it when missing)."""
    with unit_of_work(request) as session:
        accounts.remove_member(session, actor, org_id, user_id, reason=None if body is None else body.reason)
    return Response(status_code=204)


@router.get("/orgs/{org_id}/audit", tags=["organisations"])
def org_audit(
    org_id: OrgId, actor: CurrentActor, request: Request, after_seq: AfterSeq = 0, limit: Limit = 1000
) -> list[AuditEventOut]:
    """Owners only: the organisation's audit rows (memberships, programs, data, signatures)."""
    return audit_rows(request, actor, accounts.org_audit, org_id, after_seq, limit)


@router.get("/orgs/{org_id}/security-events", tags=["organisations"])
def org_security_events(
    org_id: OrgId, actor: CurrentActor, request: Request, after_seq: AfterSeq = 0, limit: Limit = 1000
) -> list[AuditEventOut]:
    """Owners only: account events of the organisation's current members since each joined: sign-in,
    failed and refused sign-in, lock, unlock, password change and reset, deactivation, sign-out
    (21 CFR 11.300(d)). The administrator exports every user's with ``bioparity audit export``."""
    return audit_rows(request, actor, security_events.org_security_events, org_id, after_seq, limit)
