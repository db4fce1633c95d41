"""stored verdicts: claim_verdict, claim_tag, evidence link certainties, full-text search

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 07:00:00

Every reader used to grade the whole ledger. The grading's results are kept in the store
now, written in the same transaction as each change that moves them: one claim_verdict row
per claim (the verdict shown and the computed one, certainty, counts, explanations, the
text the overview searches), claim_tag rows (claim.tags as rows, for filtering in SQL) and
each link's starting and final certainty on evidence. Full-text search is FTS5 on SQLite
(an external-content table over claim_verdict.search_text, kept in step by triggers) and a
GIN index over a generated column, to_tsvector('simple', search_text), on PostgreSQL.

The rows are filled by `evidence init` right after this migration (store.migrate.upgrade
grades every claim whose row is missing or was graded by other rules), so an existing
database is graded by the upgrade that brings it here.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# The SQLite side of full-text search: FTS5 reads the text from claim_verdict (no second
# copy) and the triggers keep its index in step with every insert, update and delete,
# cascades from a removed claim included.
SQLITE_SEARCH = [
    "CREATE VIRTUAL TABLE claim_search USING fts5("
    "search_text, content='claim_verdict', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER claim_search_insert AFTER INSERT ON claim_verdict BEGIN "
    "INSERT INTO claim_search(rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER claim_search_delete AFTER DELETE ON claim_verdict BEGIN "
    "INSERT INTO claim_search(claim_search, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); END",
    "CREATE TRIGGER claim_search_update AFTER UPDATE OF search_text ON claim_verdict BEGIN "
    "INSERT INTO claim_search(claim_search, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO claim_search(rowid, search_text) VALUES (new.id, new.search_text); END",
]
# PostgreSQL: the words stored (a generated column) and indexed, so a match on a common
# word reads the index's answers without computing each row's words again
POSTGRES_SEARCH = [
    "ALTER TABLE claim_verdict ADD COLUMN search_vector tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, search_text)) STORED",
    "CREATE INDEX ix_claim_verdict_search ON claim_verdict USING gin (search_vector)",
]


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    claim_key = sa.String(length=200)
    if dialect == "postgresql":
        claim_key = sa.String(length=200, collation="C")
    op.create_table(
        "claim_verdict",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", claim_key, nullable=False),
        sa.Column("rules_version", sa.Integer(), nullable=False),
        sa.Column("verdict", sa.String(length=20), nullable=False),
        sa.Column("band", sa.String(length=20), nullable=False),
        sa.Column("certainty", sa.Integer(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("computed_verdict", sa.String(length=20), nullable=False),
        sa.Column("overridden", sa.Boolean(), nullable=False),
        sa.Column("supporting", sa.Integer(), nullable=False),
        sa.Column("refuting", sa.Integer(), nullable=False),
        sa.Column("mixed", sa.Integer(), nullable=False),
        sa.Column("insufficient", sa.Integer(), nullable=False),
        sa.Column("retracted", sa.Integer(), nullable=False),
        sa.Column("unproven_reason", sa.String(length=40), nullable=True),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("computed_explanation", sa.Text(), nullable=False),
        sa.Column("why_not_higher", sa.JSON(), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["claim.id"],
            name=op.f("fk_claim_verdict_claim_id_claim"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim_verdict")),
        sa.UniqueConstraint("claim_id", name=op.f("uq_claim_verdict_claim_id")),
    )
    op.create_index(
        "ix_claim_verdict_band_order",
        "claim_verdict",
        ["band", "rank", "claim_id"],
    )
    op.create_index("ix_claim_verdict_order", "claim_verdict", ["rank", "claim_id"])
    op.create_index("ix_claim_verdict_verdict_certainty", "claim_verdict", ["verdict", "certainty"])
    op.create_index("ix_claim_verdict_rules_version", "claim_verdict", ["rules_version"])
    op.create_table(
        "claim_tag",
        sa.Column("claim_id", sa.String(length=200), nullable=False),
        sa.Column("tag", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claim.id"], name=op.f("fk_claim_tag_claim_id_claim"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("claim_id", "tag", name=op.f("pk_claim_tag")),
    )
    op.create_index(op.f("ix_claim_tag_tag"), "claim_tag", ["tag"])
    with op.batch_alter_table("evidence") as batch:
        batch.add_column(sa.Column("start_certainty", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("certainty", sa.Integer(), nullable=True))
    for statement in SQLITE_SEARCH if dialect == "sqlite" else POSTGRES_SEARCH:
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for name in ("claim_search_insert", "claim_search_delete", "claim_search_update"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS claim_search")
    with op.batch_alter_table("evidence") as batch:
        batch.drop_column("certainty")
        batch.drop_column("start_certainty")
    op.drop_index(op.f("ix_claim_tag_tag"), table_name="claim_tag")
    op.drop_table("claim_tag")
    op.drop_table("claim_verdict")
