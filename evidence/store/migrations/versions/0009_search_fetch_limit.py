"""search fetch limit: how many records a search the tool ran set out to fetch

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 00:40:00

A re-run of a living search fetches as deep as the search it repeats: the limit the curator
gave, not the default, or every record past the first cut-off would come back as new.
Searches recorded before this revision keep it empty (a re-run then falls back on what they
fetched, or the default).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("evidence_search") as batch:
        batch.add_column(sa.Column("fetch_limit", sa.Integer(), nullable=True))


def downgrade() -> None:
    # in place (SQLite 3.35+ drops a column without rebuilding the table): a batch rebuild
    # drops the old table, and with foreign keys on that deletes its candidates (see 0007)
    op.drop_column("evidence_search", "fetch_limit")
