"""Initial workspace schema, the audit chain head and the append-only guard on audit rows.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bioparity.store.migrations._ops import create_table, drop_table, identifier, timestamp

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# The tables of this revision in the order of creation, each with its indexed columns (index
# ``ix_<table>_<column>``, created in this order); the downgrade drops them in the reverse order.
_INDEXED: dict[str, tuple[str, ...]] = {
    "audit_events": ("org_id", "program_id"),
    "audit_head": (),
    "blobs": (),
    "organisations": (),
    "users": (),
    "auth_tokens": ("user_id",),
    "memberships": ("org_id", "user_id"),
    "programs": ("org_id",),
    "program_shares": ("org_id", "program_id"),
    "studies": ("program_id",),
    "datasets": ("study_id",),
    "analysis_runs": ("dataset_id", "run_key", "study_id"),
    "signatures": ("run_id",),
}


def upgrade() -> None:
    create_table(
        "audit_events",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", sa.String(length=40), nullable=False),
        identifier("actor_id", nullable=True),
        sa.Column("actor", sa.String(length=100), nullable=False),
        identifier("org_id", nullable=True),
        identifier("program_id", nullable=True),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("object_type", sa.String(length=40), nullable=False),
        sa.Column("object_id", sa.String(length=64), nullable=True),
        sa.Column("before_json", sa.Text(), nullable=True),
        sa.Column("after_json", sa.Text(), nullable=True),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("row_hash", sa.String(length=64), nullable=False),
        primary_key="seq",
        indexed=_INDEXED["audit_events"],
    )
    create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
    )
    create_table(
        "blobs",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        timestamp("created_at"),
        primary_key="sha256",
    )
    create_table(
        "organisations",
        identifier("id"),
        sa.Column("name", sa.String(length=200), nullable=False),
        timestamp("created_at"),
        unique={"uq_organisations_name": ("name",)},
    )
    create_table(
        "users",
        identifier("id"),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        timestamp("created_at"),
        unique={"uq_users_username": ("username",)},
    )
    create_table(
        "auth_tokens",
        identifier("id"),
        identifier("user_id"),
        sa.Column("token_sha256", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        timestamp("created_at"),
        timestamp("expires_at", nullable=True),
        timestamp("revoked_at", nullable=True),
        references={"user_id": "users.id"},
        unique={"uq_auth_tokens_token_sha256": ("token_sha256",)},
        indexed=_INDEXED["auth_tokens"],
    )
    create_table(
        "memberships",
        identifier("id"),
        identifier("org_id"),
        identifier("user_id"),
        sa.Column("role", sa.String(length=20), nullable=False),
        timestamp("created_at"),
        references={"org_id": "organisations.id", "user_id": "users.id"},
        unique={"uq_memberships_org_user": ("org_id", "user_id")},
        indexed=_INDEXED["memberships"],
    )
    create_table(
        "programs",
        identifier("id"),
        identifier("org_id"),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("inn", sa.String(length=200), nullable=False),
        sa.Column("reference_product", sa.String(length=200), nullable=False),
        sa.Column("modality", sa.String(length=100), nullable=False),
        sa.Column("target_regions", sa.JSON(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        timestamp("created_at"),
        identifier("created_by"),
        references={"created_by": "users.id", "org_id": "organisations.id"},
        unique={"uq_programs_org_name": ("org_id", "name")},
        indexed=_INDEXED["programs"],
    )
    create_table(
        "program_shares",
        identifier("id"),
        identifier("program_id"),
        identifier("org_id"),
        sa.Column("role", sa.String(length=20), nullable=False),
        timestamp("created_at"),
        references={"org_id": "organisations.id", "program_id": "programs.id"},
        unique={"uq_program_shares_program_org": ("program_id", "org_id")},
        indexed=_INDEXED["program_shares"],
    )
    create_table(
        "studies",
        identifier("id"),
        identifier("program_id"),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        timestamp("created_at"),
        identifier("created_by"),
        references={"created_by": "users.id", "program_id": "programs.id"},
        indexed=_INDEXED["studies"],
    )
    create_table(
        "datasets",
        identifier("id"),
        identifier("study_id"),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("validated_for", sa.String(length=40), nullable=True),
        sa.Column("n_rows", sa.Integer(), nullable=True),
        timestamp("created_at"),
        identifier("created_by"),
        references={"created_by": "users.id", "sha256": "blobs.sha256", "study_id": "studies.id"},
        unique={"uq_datasets_study_name_version": ("study_id", "name", "version")},
        indexed=_INDEXED["datasets"],
    )
    create_table(
        "analysis_runs",
        identifier("id"),
        identifier("study_id"),
        identifier("dataset_id"),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("inputs_json", sa.Text(), nullable=False),
        sa.Column("options_json", sa.Text(), nullable=False),
        sa.Column("software_version", sa.String(length=200), nullable=False),
        sa.Column("run_key", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("result_json", sa.Text(), nullable=True),
        sa.Column("result_sha256", sa.String(length=64), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        timestamp("created_at"),
        identifier("created_by"),
        references={"created_by": "users.id", "dataset_id": "datasets.id", "study_id": "studies.id"},
        indexed=_INDEXED["analysis_runs"],
    )
    create_table(
        "signatures",
        identifier("id"),
        identifier("run_id"),
        identifier("user_id"),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("meaning", sa.String(length=20), nullable=False),
        sa.Column("signed_at", sa.String(length=40), nullable=False),
        sa.Column("content_sha256", sa.String(length=64), nullable=False),
        sa.Column("signature_sha256", sa.String(length=64), nullable=False),
        references={"run_id": "analysis_runs.id", "user_id": "users.id"},
        indexed=_INDEXED["signatures"],
    )
    op.execute(sa.text("INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, :h)").bindparams(h="0" * 64))
    _create_append_only_guard()


# The audit trail is append-only at the database level too: UPDATE and DELETE (and TRUNCATE on PostgreSQL)
# of audit rows raise. An administrator able to drop the guard can still tamper; the hash chain then
# shows it (`bioparity audit verify`).
_PG_GUARD = [
    """CREATE OR REPLACE FUNCTION bioparity_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP; END $$""",
    """CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION bioparity_audit_append_only()""",
    """CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION bioparity_audit_append_only()""",
]
_SQLITE_GUARD = [
    """CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
    BEGIN SELECT RAISE(ABORT, 'audit_events is append-only: UPDATE refused'); END""",
    """CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
    BEGIN SELECT RAISE(ABORT, 'audit_events is append-only: DELETE refused'); END""",
]


def _create_append_only_guard() -> None:
    dialect = op.get_bind().dialect.name
    for statement in _PG_GUARD if dialect == "postgresql" else _SQLITE_GUARD if dialect == "sqlite" else []:
        op.execute(sa.text(statement))


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(sa.text("DROP TRIGGER IF EXISTS audit_events_append_only ON audit_events"))
        op.execute(sa.text("DROP TRIGGER IF EXISTS audit_events_no_truncate ON audit_events"))
        op.execute(sa.text("DROP FUNCTION IF EXISTS bioparity_audit_append_only()"))
    elif dialect == "sqlite":
        op.execute(sa.text("DROP TRIGGER IF EXISTS audit_events_no_update"))
        op.execute(sa.text("DROP TRIGGER IF EXISTS audit_events_no_delete"))
    for table, indexed in reversed(_INDEXED.items()):
        drop_table(table, indexed)
