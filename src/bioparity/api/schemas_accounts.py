"""Request and response bodies of the account lifecycle and the invitations (part of the OpenAPI schema)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from bioparity.api.schemas import Secret, StrictModel, from_record
from bioparity.store import models as m
from bioparity.workspace.roles import Role


class PasswordChangeIn(StrictModel):
    current_password: Secret
    new_password: Secret = Field(description="At least 10 characters.")


class InvitationOut(BaseModel):
    """An invitation into an organisation; the user becomes a member only by accepting it."""

    id: str
    org_id: str
    org_name: str
    username: str
    role: Role
    status: str
    created_at: datetime | None
    expires_at: datetime | None

    @classmethod
    def of(cls, invitation: m.MembershipInvitation, org_name: str) -> InvitationOut:
        return from_record(cls, invitation, org_name=org_name, role=Role(invitation.role))


class PartnerOut(BaseModel):
    id: str
    name: str


class ShareInvitationOut(BaseModel):
    """A program another organisation offers to yours (a new share, or a higher role on an accepted one)."""

    program_id: str
    program_name: str
    from_org_id: str
    from_org_name: str
    role: str = Field(description="The role offered.")
    current_role: str | None = Field(description="The role in force now (accepted shares), else null.")
    scope: list[str] | None = Field(None, description="The study kinds offered (null: the whole program).")
    created_at: datetime | None
