"""A signature's signing rules: the program's settings that decided who could sign it, as they were when it
was signed (canonical JSON, ``{"segregation_of_duties": true}``), sealed with the signature (GxP audit Q1:
the dashboard and reports judged an approval by the program's *current* segregation of duties, so changing
the setting re-labelled results signed under the other rule; 21 CFR 11.50, 11.70).

Signatures stored before this revision keep NULL: nothing about them changes (their seal and manifest hash
do not cover the column while it is NULL) and they are judged by the program's setting as before. The
downgrade drops the column; signatures made after the upgrade then fail their seal check (their MAC
covers the rules), so record the downgrade in change control.

Revision ID: 0011_signature_rules
Revises: 0010_share_scope
"""

from __future__ import annotations

import sqlalchemy as sa

from bioparity.store.migrations._ops import added_columns

revision = "0011_signature_rules"
down_revision = "0010_share_scope"
branch_labels = None
depends_on = None

upgrade, downgrade = added_columns("signatures", sa.Column("rules", sa.String(length=200), nullable=True))
