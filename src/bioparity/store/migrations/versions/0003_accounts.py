"""Account lifecycle and consent: forced password change, throttling and lockout, session idle time,
session-bound API tokens, membership invitations and share invitations.

Shares that existed before this revision stay in force (status ``accepted``).

Revision ID: 0003_accounts
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_accounts"
down_revision = "0002_audit_keys"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("must_change_password", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("password_changed_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("auth_tokens", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("session_id", sa.String(length=36), nullable=True))
    with op.batch_alter_table("program_shares", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("status", sa.String(length=20), nullable=False, server_default="accepted")
        )
        batch_op.add_column(sa.Column("pending_role", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("invited_by", sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column("responded_by", sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column("responded_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "auth_throttle",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("locked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_auth_throttle")),
    )
    op.create_table(
        "membership_invitations",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("org_id", sa.String(length=36), nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=36), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("responded_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_membership_invitations_created_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organisations.id"], name=op.f("fk_membership_invitations_org_id_organisations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_membership_invitations")),
    )
    with op.batch_alter_table("membership_invitations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_membership_invitations_org_id"), ["org_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_membership_invitations_username"), ["username"], unique=False)


def downgrade() -> None:
    op.drop_table("membership_invitations")
    op.drop_table("auth_throttle")
    with op.batch_alter_table("program_shares", schema=None) as batch_op:
        for column in ("responded_at", "responded_by", "invited_by", "pending_role", "status"):
            batch_op.drop_column(column)
    with op.batch_alter_table("auth_tokens", schema=None) as batch_op:
        batch_op.drop_column("session_id")
        batch_op.drop_column("last_used_at")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("password_changed_at")
        batch_op.drop_column("must_change_password")
