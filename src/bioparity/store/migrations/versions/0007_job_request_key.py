"""Run requests made idempotent: a job may carry the SHA-256 of its requester's idempotency key (the
one-time token of a page's run form, or the API's ``Idempotency-Key`` header), unique per requester, so
that the same request sent twice (a double click, a browser resubmitting, a client retrying) finds the
first job instead of queueing a second identical run.

Jobs that existed before this revision have no key (NULL): a unique index counts NULLs as distinct on
SQLite and PostgreSQL alike, so they never collide.

Revision ID: 0007_job_request_key
Revises: 0006_analysis_jobs
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bioparity.store.migrations._ops import add_columns, drop_columns

revision = "0007_job_request_key"
down_revision = "0006_analysis_jobs"
branch_labels = None
depends_on = None

INDEX = "uq_analysis_jobs_request_key"


def upgrade() -> None:
    add_columns("analysis_jobs", sa.Column("request_key", sa.String(length=64), nullable=True))
    op.create_index(INDEX, "analysis_jobs", ["created_by", "request_key"], unique=True)


def downgrade() -> None:
    op.drop_index(INDEX, table_name="analysis_jobs")
    drop_columns("analysis_jobs", "request_key")
