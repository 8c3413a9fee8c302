"""Analyses computed in the background: one row per requested run with its state and progress.

Existing databases have no jobs; their runs were computed in the request and stay as they are.

Revision ID: 0006_analysis_jobs
Revises: 0005_user_language
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bioparity.store.migrations._ops import create_table, identifier, timestamp

revision = "0006_analysis_jobs"
down_revision = "0005_user_language"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_table(
        "analysis_jobs",
        identifier("id"),
        identifier("study_id"),
        identifier("dataset_id"),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("options_json", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("progress", sa.Float(), nullable=False),
        sa.Column("message", sa.String(length=500), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        identifier("run_id", nullable=True),
        sa.Column("executor", sa.String(length=200), nullable=False),
        identifier("created_by"),
        timestamp("created_at"),
        timestamp("started_at", nullable=True),
        timestamp("finished_at", nullable=True),
        timestamp("heartbeat_at", nullable=True),
        references={"created_by": "users.id", "dataset_id": "datasets.id", "study_id": "studies.id"},
        indexed=("dataset_id", "status", "study_id"),
    )


def downgrade() -> None:
    op.drop_table("analysis_jobs")
