"""Column mapping and units chosen at upload, stored with the dataset (JSON) and reused by its analyses.

Datasets stored before this revision have none (NULL): their files already carry the expected columns.

Revision ID: 0004_column_map
Revises: 0003_accounts
"""

from __future__ import annotations

import sqlalchemy as sa

from bioparity.store.migrations._ops import added_columns

revision = "0004_column_map"
down_revision = "0003_accounts"
branch_labels = None
depends_on = None

upgrade, downgrade = added_columns("datasets", sa.Column("column_map", sa.Text(), nullable=True))
