"""Keyed audit trail: MAC columns on audit rows, the chain head, signatures and datasets; the program
setting for segregation of duties.

The MACs need the audit key, which is never in the database: ``bioparity.store.upgrade`` seals the
existing trail, signatures and datasets with it right after this migration (see
``bioparity.workspace.integrity.seal``).

Revision ID: 0002_audit_keys
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bioparity.store.migrations._ops import drop_columns

revision = "0002_audit_keys"
down_revision = "0002"
branch_labels = None
depends_on = None

_MAC_TABLES = ("audit_events", "audit_head", "signatures", "datasets")


def upgrade() -> None:
    # ADD COLUMN touches no existing row, so the append-only triggers on audit_events stay in place.
    for table in _MAC_TABLES:
        op.add_column(table, sa.Column("mac", sa.String(length=64), nullable=True))
    op.add_column(
        "programs",
        sa.Column("segregation_of_duties", sa.Boolean(), server_default=sa.true(), nullable=False),
    )


# SQLite drops a column by copying the table, which loses its triggers: the append-only guard of
# audit_events (revision 0001) is put back afterwards.
_SQLITE_GUARD = [
    """CREATE TRIGGER IF NOT EXISTS audit_events_no_update BEFORE UPDATE ON audit_events
    BEGIN SELECT RAISE(ABORT, 'audit_events is append-only: UPDATE refused'); END""",
    """CREATE TRIGGER IF NOT EXISTS audit_events_no_delete BEFORE DELETE ON audit_events
    BEGIN SELECT RAISE(ABORT, 'audit_events is append-only: DELETE refused'); END""",
]


def downgrade() -> None:
    drop_columns("programs", "segregation_of_duties")
    for table in _MAC_TABLES:
        drop_columns(table, "mac")
    if op.get_bind().dialect.name == "sqlite":
        for statement in _SQLITE_GUARD:
            op.execute(sa.text(statement))
