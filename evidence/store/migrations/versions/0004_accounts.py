"""account: local logins for the dashboard, with roles

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21 16:30:00

Curation in the dashboard needs to know who is at the keyboard: a name for the history and
a role (viewer, curator, admin) the server checks. Passwords are stored as Argon2id hashes.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account")),
        sa.UniqueConstraint("username", name=op.f("uq_account_username")),
    )


def downgrade() -> None:
    op.drop_table("account")
