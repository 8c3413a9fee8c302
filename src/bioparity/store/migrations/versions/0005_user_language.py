"""The user's preferred language of the pages (``en`` or ``zh-CN``), chosen on the account page.

Users that existed before this revision read English, as before (server default ``en``).

Revision ID: 0005_user_language
Revises: 0004_column_map
"""

from __future__ import annotations

import sqlalchemy as sa

from bioparity.store.migrations._ops import added_columns

revision = "0005_user_language"
down_revision = "0004_column_map"
branch_labels = None
depends_on = None

upgrade, downgrade = added_columns(
    "users", sa.Column("language", sa.String(length=20), nullable=False, server_default="en")
)
