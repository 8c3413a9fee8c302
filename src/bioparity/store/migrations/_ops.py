"""Operations shared by the revision scripts in ``versions/``: identifier and timestamp columns, a table with
its named constraints and indexes, columns added to a table and dropped again.

What a revision emits must never change once it is released (databases already at it were built by it):
change nothing here that a revision uses; add a new helper instead. The constraint and index names are
spelled out as revision 0001 named them (``bioparity.store.models.NAMING`` at the time), not read from the
models, for the same reason.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op


def identifier(name: str, *, nullable: bool = False) -> sa.Column[Any]:
    """A column holding an identifier (UUID text, 36 characters); NOT NULL unless ``nullable``."""
    return sa.Column(name, sa.String(length=36), nullable=nullable)


def timestamp(name: str, *, nullable: bool = False) -> sa.Column[Any]:
    """A column holding a time with its time zone (UTC); NOT NULL unless ``nullable``."""
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def create_table(
    table: str,
    *columns: sa.Column[Any],
    primary_key: str = "id",
    references: Mapping[str, str] | None = None,
    unique: Mapping[str, Sequence[str]] | None = None,
    indexed: Sequence[str] = (),
) -> None:
    """Create ``table`` with ``columns``, then an index ``ix_<table>_<column>`` on each column of ``indexed``.

    The constraints, in this order (SQLite keeps the order in the stored ``CREATE TABLE``): a foreign key
    ``fk_<table>_<column>_<referred table>`` for each ``column: "referred_table.column"`` of ``references``;
    the primary key ``pk_<table>`` on ``primary_key``; a unique constraint for each ``name: columns`` of
    ``unique``.
    """
    foreign_keys = [
        sa.ForeignKeyConstraint(
            [column], [target], name=op.f(f"fk_{table}_{column}_{target.split('.', 1)[0]}")
        )
        for column, target in (references or {}).items()
    ]
    op.create_table(
        table,
        *columns,
        *foreign_keys,
        sa.PrimaryKeyConstraint(primary_key, name=op.f(f"pk_{table}")),
        *(sa.UniqueConstraint(*names, name=op.f(name)) for name, names in (unique or {}).items()),
    )
    if indexed:
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in indexed:
                batch_op.create_index(batch_op.f(f"ix_{table}_{column}"), [column], unique=False)


def drop_table(table: str, indexed: Sequence[str] = ()) -> None:
    """Drop the indexes ``ix_<table>_<column>`` of ``indexed`` (the last created first), then ``table``."""
    if indexed:
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in reversed(indexed):
                batch_op.drop_index(batch_op.f(f"ix_{table}_{column}"))
    op.drop_table(table)


def add_columns(table: str, *columns: sa.Column[Any]) -> None:
    """Add ``columns`` to ``table``, in this order."""
    with op.batch_alter_table(table, schema=None) as batch_op:
        for column in columns:
            batch_op.add_column(column)


def drop_columns(table: str, *names: str) -> None:
    """Drop the columns ``names`` of ``table``, in this order (on SQLite: one copy of the table for all)."""
    with op.batch_alter_table(table, schema=None) as batch_op:
        for name in names:
            batch_op.drop_column(name)


def added_columns(table: str, *columns: sa.Column[Any]) -> tuple[Callable[[], None], Callable[[], None]]:
    """The ``upgrade`` and ``downgrade`` of a revision that only adds ``columns`` to ``table``: the
    downgrade drops them again, the last added first."""

    def upgrade() -> None:
        # Alembic adds a copy of a column that an earlier run already attached to a table.
        add_columns(table, *columns)

    def downgrade() -> None:
        drop_columns(table, *reversed([column.name for column in columns]))

    return upgrade, downgrade
