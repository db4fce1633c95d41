"""candidates and run searches: the papers a search found for a claim, and their screening

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 21:10:00

A search the tool runs (PubMed, Crossref, OpenAlex or a database's export) records where it
ran and what became of its records; each new record is a candidate of the claim, screened
one at a time. Hand-logged searches keep their columns empty.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_SEARCH_COLUMNS = ("service", "identified", "duplicates", "added")


def upgrade() -> None:
    with op.batch_alter_table("evidence_search") as batch:
        batch.add_column(sa.Column("service", sa.String(20), nullable=True))
        batch.add_column(sa.Column("identified", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("duplicates", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("added", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("rerun_of", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_evidence_search_rerun_of_evidence_search",
            "evidence_search",
            ["rerun_of"],
            ["id"],
            ondelete="SET NULL",
        )
    op.create_table(
        "candidate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.String(200), nullable=False),
        sa.Column("reference_id", sa.Integer(), nullable=False),
        sa.Column("search_id", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column("reason", sa.String(20), nullable=True),
        sa.Column("reason_text", sa.Text(), nullable=True),
        sa.Column("decided_by", sa.String(200), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claim.id"], name="fk_candidate_claim_id_claim", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["reference_id"],
            ["reference.id"],
            name="fk_candidate_reference_id_reference",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["search_id"],
            ["evidence_search.id"],
            name="fk_candidate_search_id_evidence_search",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_candidate"),
        sa.UniqueConstraint("claim_id", "reference_id", name="uq_candidate_claim_id_reference_id"),
    )
    op.create_index("ix_candidate_claim_id", "candidate", ["claim_id"])
    op.create_index("ix_candidate_reference_id", "candidate", ["reference_id"])
    op.create_index("ix_candidate_search_id", "candidate", ["search_id"])
    op.create_index("ix_candidate_state", "candidate", ["state"])


def downgrade() -> None:
    op.drop_table("candidate")
    with op.batch_alter_table("evidence_search") as batch:
        batch.drop_constraint("fk_evidence_search_rerun_of_evidence_search", type_="foreignkey")
        for name in (*_SEARCH_COLUMNS, "rerun_of"):
            batch.drop_column(name)
