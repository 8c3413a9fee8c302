"""A signature's signer role: the signer's role(s) on the program when they signed (canonical JSON, e.g.
``[{"role":"reviewer"}]``; a partner organisation's member ``[{"role":"analyst","share":"reviewer"}]``),
sealed with the signature (Part 11 audit, gap 1: a member later promoted or demoted left the record
ambiguous about the authority they signed under; 21 CFR 11.10(g), 11.50, 11.70; EU GMP Annex 11 §12.1).

Signatures stored before this revision keep NULL: nothing about them changes (their seal and manifest hash
do not cover the column while it is NULL) and pages say "not recorded". The downgrade drops the column;
signatures made after the upgrade then fail their seal check (their MAC covers the role), so record the
downgrade in change control.

Revision ID: 0012_signer_role
Revises: 0011_signature_rules
"""

from __future__ import annotations

import sqlalchemy as sa

from bioparity.store.migrations._ops import added_columns

revision = "0012_signer_role"
down_revision = "0011_signature_rules"
branch_labels = None
depends_on = None

upgrade, downgrade = added_columns(
    "signatures", sa.Column("signer_role", sa.String(length=200), nullable=True)
)
