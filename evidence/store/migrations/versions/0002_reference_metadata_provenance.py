"""reference: suggested design and retraction notices from the metadata services

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21 15:10:00

A design suggested by PubMed's publication types is kept apart from the curator's (the
curator's always wins), and every notice a service reported is kept with the status.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("reference") as batch:
        batch.add_column(sa.Column("suggested_design", sa.String(length=40), nullable=True))
        batch.add_column(
            sa.Column("retraction_notices", sa.JSON(), nullable=False, server_default="[]")
        )


def downgrade() -> None:
    with op.batch_alter_table("reference") as batch:
        batch.drop_column("retraction_notices")
        batch.drop_column("suggested_design")
