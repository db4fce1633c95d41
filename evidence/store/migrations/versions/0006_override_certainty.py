"""override certainty: the curator's certainty on an override, the computed one kept beside

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 04:00:00

An override used to keep the computed certainty, so "Unproven" showed beside "moderate". The
shown certainty now belongs to the shown verdict (the curator's, or one that fits it) and
claim_verdict keeps the grading's own in computed_certainty. Its default, 0, lasts only until
`evidence init` regrades: the rules version moved with this change (domain/grading.py).

Plain ADD COLUMN on SQLite (no table rebuild): claim_verdict's rowids feed its FTS5 index.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("override", sa.Column("certainty", sa.Integer(), nullable=True))
    op.add_column(
        "claim_verdict",
        sa.Column("computed_certainty", sa.Integer(), nullable=False, server_default="0"),
    )


def downgrade() -> None:
    with op.batch_alter_table("override") as batch:
        batch.drop_column("certainty")
    # SQLite 3.35+ drops a column in place, so the FTS5 rowids stay as they are
    op.drop_column("claim_verdict", "computed_certainty")
