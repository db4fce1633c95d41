"""initial ledger schema

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-21 13:38:03.412706
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "claim",
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim")),
    )
    op.create_table(
        "history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entity", sa.String(length=30), nullable=False),
        sa.Column("entity_key", sa.Text(), nullable=False),
        sa.Column("claim_id", sa.String(length=200), nullable=True),
        sa.Column("related_claim_id", sa.String(length=200), nullable=True),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_history")),
    )
    with op.batch_alter_table("history", schema=None) as batch_op:
        batch_op.create_index("ix_history_claim_id_at", ["claim_id", "at"], unique=False)
        batch_op.create_index("ix_history_related_claim_id", ["related_claim_id"], unique=False)

    op.create_table(
        "reference",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("doi", sa.String(length=300), nullable=True),
        sa.Column("pmid", sa.String(length=12), nullable=True),
        sa.Column("pmcid", sa.String(length=16), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("authors", sa.JSON(), nullable=False),
        sa.Column("journal", sa.Text(), nullable=True),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("publication_types", sa.JSON(), nullable=False),
        sa.Column("design", sa.String(length=40), nullable=True),
        sa.Column("review_of", sa.String(length=20), nullable=True),
        sa.Column("sample_size", sa.Integer(), nullable=True),
        sa.Column("abstract", sa.Text(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("retraction", sa.String(length=40), nullable=True),
        sa.Column("seen_at", sa.JSON(), nullable=False),
        sa.Column("metadata_source", sa.String(length=100), nullable=True),
        sa.Column("metadata_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reference")),
        sa.UniqueConstraint("doi", name=op.f("uq_reference_doi")),
        sa.UniqueConstraint("key", name=op.f("uq_reference_key")),
        sa.UniqueConstraint("pmcid", name=op.f("uq_reference_pmcid")),
        sa.UniqueConstraint("pmid", name=op.f("uq_reference_pmid")),
    )
    op.create_table(
        "source",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("origin", sa.Text(), nullable=True),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("conflicts_of_interest", sa.Text(), nullable=True),
        sa.Column("credibility_notes", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_source")),
        sa.UniqueConstraint("key", name=op.f("uq_source_key")),
    )
    op.create_table(
        "assertion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.String(length=200), nullable=False),
        sa.Column("quote", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claim.id"], name=op.f("fk_assertion_claim_id_claim"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["source.id"],
            name=op.f("fk_assertion_source_id_source"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assertion")),
        sa.UniqueConstraint(
            "source_id", "claim_id", "quote", name=op.f("uq_assertion_source_id_claim_id_quote")
        ),
    )
    with op.batch_alter_table("assertion", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assertion_claim_id"), ["claim_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_assertion_source_id"), ["source_id"], unique=False)

    op.create_table(
        "claim_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("from_claim_id", sa.String(length=200), nullable=False),
        sa.Column("to_claim_id", sa.String(length=200), nullable=False),
        sa.Column("relation", sa.String(length=20), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=True),
        sa.Column("curator", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["from_claim_id"],
            ["claim.id"],
            name=op.f("fk_claim_link_from_claim_id_claim"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["source.id"],
            name=op.f("fk_claim_link_source_id_source"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["to_claim_id"],
            ["claim.id"],
            name=op.f("fk_claim_link_to_claim_id_claim"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim_link")),
        sa.UniqueConstraint(
            "from_claim_id",
            "to_claim_id",
            "relation",
            name=op.f("uq_claim_link_from_claim_id_to_claim_id_relation"),
        ),
    )
    with op.batch_alter_table("claim_link", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_claim_link_from_claim_id"), ["from_claim_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_claim_link_to_claim_id"), ["to_claim_id"], unique=False
        )

    op.create_table(
        "evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.String(length=200), nullable=False),
        sa.Column("reference_id", sa.Integer(), nullable=False),
        sa.Column("stance", sa.String(length=20), nullable=False),
        sa.Column("downgrades", sa.JSON(), nullable=False),
        sa.Column("upgrades", sa.JSON(), nullable=False),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.Column("quote", sa.Text(), nullable=True),
        sa.Column("curator", sa.String(length=200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claim.id"], name=op.f("fk_evidence_claim_id_claim"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["reference_id"],
            ["reference.id"],
            name=op.f("fk_evidence_reference_id_reference"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence")),
        sa.UniqueConstraint(
            "claim_id", "reference_id", name=op.f("uq_evidence_claim_id_reference_id")
        ),
    )
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_evidence_claim_id"), ["claim_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_evidence_reference_id"), ["reference_id"], unique=False
        )

    op.create_table(
        "evidence_search",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.String(length=200), nullable=False),
        sa.Column("database", sa.String(length=200), nullable=False),
        sa.Column("query", sa.Text(), nullable=False),
        sa.Column("searched_on", sa.Date(), nullable=True),
        sa.Column("hits", sa.Integer(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("curator", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["claim.id"],
            name=op.f("fk_evidence_search_claim_id_claim"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_search")),
    )
    with op.batch_alter_table("evidence_search", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_evidence_search_claim_id"), ["claim_id"], unique=False)

    op.create_table(
        "override",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.String(length=200), nullable=False),
        sa.Column("verdict", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("curator", sa.String(length=200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claim.id"], name=op.f("fk_override_claim_id_claim"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_override")),
        sa.UniqueConstraint("claim_id", name=op.f("uq_override_claim_id")),
    )


def downgrade() -> None:
    op.drop_table("override")
    with op.batch_alter_table("evidence_search", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evidence_search_claim_id"))

    op.drop_table("evidence_search")
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evidence_reference_id"))
        batch_op.drop_index(batch_op.f("ix_evidence_claim_id"))

    op.drop_table("evidence")
    with op.batch_alter_table("claim_link", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_claim_link_to_claim_id"))
        batch_op.drop_index(batch_op.f("ix_claim_link_from_claim_id"))

    op.drop_table("claim_link")
    with op.batch_alter_table("assertion", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assertion_source_id"))
        batch_op.drop_index(batch_op.f("ix_assertion_claim_id"))

    op.drop_table("assertion")
    op.drop_table("source")
    op.drop_table("reference")
    with op.batch_alter_table("history", schema=None) as batch_op:
        batch_op.drop_index("ix_history_related_claim_id")
        batch_op.drop_index("ix_history_claim_id_at")

    op.drop_table("history")
    op.drop_table("claim")
