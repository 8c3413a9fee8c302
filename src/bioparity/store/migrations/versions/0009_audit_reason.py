"""The reason for a change on audit rows (EU GMP Annex 11 section 9: "for change or deletion of GMP-relevant
data the reason should be documented").

A nullable text column: rows written before this revision have none (the pages print "—"), and a row's
hash covers the reason only when it has one (``bioparity.audit.chain.OPTIONAL_HASHED_FIELDS``), so the
chain and the MACs of the existing trail verify unchanged. ADD COLUMN touches no existing row, so the
append-only triggers on audit_events stay in place.

Revision ID: 0009_audit_reason
Revises: 0008_study_name_unique
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bioparity.store.migrations._ops import drop_columns

revision = "0009_audit_reason"
down_revision = "0008_study_name_unique"
branch_labels = None
depends_on = None

# SQLite drops a column by copying the table, which loses its triggers: the append-only guard of
# audit_events (revision 0001) is put back afterwards, as revision 0002's downgrade does.
_SQLITE_GUARD = [
    """CREATE TRIGGER IF NOT EXISTS audit_events_no_update BEFORE UPDATE ON audit_events
    BEGIN SELECT RAISE(ABORT, 'audit_events is append-only: UPDATE refused'); END""",
    """CREATE TRIGGER IF NOT EXISTS audit_events_no_delete BEFORE DELETE ON audit_events
    BEGIN SELECT RAISE(ABORT, 'audit_events is append-only: DELETE refused'); END""",
]


def upgrade() -> None:
    op.add_column("audit_events", sa.Column("reason", sa.Text(), nullable=True))


def downgrade() -> None:
    drop_columns("audit_events", "reason")
    if op.get_bind().dialect.name == "sqlite":
        for statement in _SQLITE_GUARD:
            op.execute(sa.text(statement))
