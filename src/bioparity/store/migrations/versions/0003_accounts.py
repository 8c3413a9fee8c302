"""Account lifecycle and consent: forced password change, throttling and lockout, session idle time,
session-bound API tokens, membership invitations and share invitations.

Shares that existed before this revision stay in force (status ``accepted``).

Revision ID: 0003_accounts
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bioparity.store.migrations._ops import add_columns, create_table, drop_columns, identifier, timestamp

revision = "0003_accounts"
down_revision = "0002_audit_keys"
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_columns(
        "users",
        sa.Column("must_change_password", sa.Boolean(), nullable=False, server_default=sa.false()),
        timestamp("password_changed_at", nullable=True),
    )
    add_columns(
        "auth_tokens", timestamp("last_used_at", nullable=True), identifier("session_id", nullable=True)
    )
    add_columns(
        "program_shares",
        sa.Column("status", sa.String(length=20), nullable=False, server_default="accepted"),
        sa.Column("pending_role", sa.String(length=20), nullable=True),
        identifier("invited_by", nullable=True),
        identifier("responded_by", nullable=True),
        timestamp("responded_at", nullable=True),
    )
    create_table(
        "auth_throttle",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        timestamp("last_failure_at", nullable=True),
        timestamp("locked_at", nullable=True),
        primary_key="key",
    )
    create_table(
        "membership_invitations",
        identifier("id"),
        identifier("org_id"),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        timestamp("created_at"),
        identifier("created_by"),
        timestamp("expires_at"),
        timestamp("responded_at", nullable=True),
        references={"created_by": "users.id", "org_id": "organisations.id"},
        indexed=("org_id", "username"),
    )


def downgrade() -> None:
    op.drop_table("membership_invitations")
    op.drop_table("auth_throttle")
    drop_columns("program_shares", "responded_at", "responded_by", "invited_by", "pending_role", "status")
    drop_columns("auth_tokens", "session_id", "last_used_at")
    drop_columns("users", "password_changed_at", "must_change_password")
