"""Column mapping and units chosen at upload, stored with the dataset (JSON) and reused by its analyses.

Datasets stored before this revision have none (NULL): their files already carry the expected columns.

Revision ID: 0004_column_map
Revises: 0003_accounts
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_column_map"
down_revision = "0003_accounts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("datasets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("column_map", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("datasets", schema=None) as batch_op:
        batch_op.drop_column("column_map")
