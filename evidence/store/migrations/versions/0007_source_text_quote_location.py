"""source text and quote location: the documents kept whole, each assertion's quote found in it

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 21:00:00

A source keeps its document's text (with its SHA-256, size and the format it came in), and an
assertion where its quote is in that text. Existing assertions have no text to be found in
yet: their match is "no_text" until `evidence source text KEY FILE` gives their source one.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("source", sa.Column("text", sa.Text(), nullable=True))
    op.add_column("source", sa.Column("text_sha256", sa.String(64), nullable=True))
    op.add_column("source", sa.Column("text_size", sa.Integer(), nullable=True))
    op.add_column("source", sa.Column("text_format", sa.String(10), nullable=True))
    op.add_column("assertion", sa.Column("quote_start", sa.Integer(), nullable=True))
    op.add_column("assertion", sa.Column("quote_end", sa.Integer(), nullable=True))
    op.add_column("assertion", sa.Column("quote_match", sa.String(10), nullable=True))
    op.add_column("assertion", sa.Column("quote_score", sa.Float(), nullable=True))
    op.execute("UPDATE assertion SET quote_match = 'no_text'")


def downgrade() -> None:
    # In place (SQLite 3.35+ drops a column without rebuilding the table): a batch rebuild
    # drops the old source table, and with foreign keys on that deletes every assertion.
    for name in ("quote_start", "quote_end", "quote_match", "quote_score"):
        op.drop_column("assertion", name)
    for name in ("text", "text_sha256", "text_size", "text_format"):
        op.drop_column("source", name)
