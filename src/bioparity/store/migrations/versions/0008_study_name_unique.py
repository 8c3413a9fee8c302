"""Study names unique in their program in the database too: the application's check (a taken name is
refused with 409) could be passed by two creations at the same moment on PostgreSQL.

A database that already holds two studies of one name in a program is not changed: the upgrade stops
with a message naming the organisation, the program and each study of the name (id and creation time),
and saying how to rename all but one before running the upgrade again. Nothing is renamed or dropped
here: which study keeps the name is a decision for the program's owners, recorded in their change
control.

Revision ID: 0008_study_name_unique
Revises: 0007_job_request_key
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

from bioparity.errors import InputError

revision = "0008_study_name_unique"
down_revision = "0007_job_request_key"
branch_labels = None
depends_on = None

INDEX = "uq_studies_program_name"

#: Every study whose name is used more than once in its program, with its organisation and program.
DUPLICATES = sa.text(
    "SELECT o.name, p.name, p.id, s.name, s.id, s.created_at FROM studies s "
    "JOIN (SELECT program_id, name FROM studies GROUP BY program_id, name HAVING COUNT(*) > 1) d "
    "ON d.program_id = s.program_id AND d.name = s.name "
    "JOIN programs p ON p.id = s.program_id JOIN organisations o ON o.id = p.org_id "
    "ORDER BY o.name, p.name, p.id, s.name, s.created_at, s.id"
)


def duplicate_names_message(rows: Sequence[Sequence[Any]]) -> str:
    """The refusal of the upgrade: each program's studies sharing a name, and how to rename one."""
    names: defaultdict[tuple[str, str, str, str], list[str]] = defaultdict(list)
    for org, program, program_id, study, study_id, created_at in rows:
        names[(org, program, program_id, study)].append(f"{study_id} (created {created_at})")
    lines = [
        f"- organisation {org!r}, program {program!r} (id {program_id}): {len(ids)} studies named "
        f"{study!r}: {'; '.join(ids)}"
        for (org, program, program_id, study), ids in names.items()
    ]
    renamed = (next(iter(names))[3] + " (2)").replace("'", "''")  # an SQL string literal
    return (
        f"cannot upgrade to {revision}: study names must be unique in their program, and "
        f"{len(names)} name(s) are used by more than one study of a program:\n"
        + "\n".join(lines)
        + "\nNothing was changed: the database stays at the revision it was at. Rename all but one "
        "study of each name (reports and the readiness evidence name a study by its name; record which "
        "one and why in your change control), e.g. "
        f"UPDATE studies SET name = '{renamed}' WHERE id = '<study id>'; "
        "then run `bioparity db upgrade` again."
    )


def upgrade() -> None:
    rows = list(op.get_bind().execute(DUPLICATES))
    if rows:
        raise InputError(duplicate_names_message(rows))
    op.create_index(INDEX, "studies", ["program_id", "name"], unique=True)


def downgrade() -> None:
    op.drop_index(INDEX, table_name="studies")
