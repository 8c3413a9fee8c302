"""Datasets derived from an analysis run's table (provenance column).

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from bioparity.store.migrations._ops import added_columns, identifier

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

upgrade, downgrade = added_columns("datasets", identifier("derived_from_run", nullable=True))
