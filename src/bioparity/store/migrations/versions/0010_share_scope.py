"""A program share's scope: None for the whole program, or the study kinds (comma-separated ``studies.kind``
codes) in which the partner may create studies, upload, run and sign (QA audit F11: a CMC partner's
analyst wrote into the developer's clinical PK study).

Every share stored before this revision keeps the whole program (NULL), as before: nothing changes for
them until an owner of the program narrows one. The downgrade drops the column, so every share is again
program-wide (a narrowed share widens: record that in change control before downgrading).

Revision ID: 0010_share_scope
Revises: 0009_audit_reason
"""

from __future__ import annotations

import sqlalchemy as sa

from bioparity.store.migrations._ops import added_columns

revision = "0010_share_scope"
down_revision = "0009_audit_reason"
branch_labels = None
depends_on = None

upgrade, downgrade = added_columns("program_shares", sa.Column("scope", sa.String(length=100), nullable=True))
