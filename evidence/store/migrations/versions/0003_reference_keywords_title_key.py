"""reference: keywords, and the title key imports de-duplicate on

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21 18:00:00

Bibliographic files carry keywords. An imported record that shares no identifier with a
stored paper is matched on its normalised title, year and first author; the key is stored
(and indexed) so that the match is one indexed lookup, not a scan of every paper.
"""

from __future__ import annotations

import re
import unicodedata

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _folded(text: str) -> str:
    fold = str.maketrans(
        {
            "ø": "o",
            "Ø": "O",
            "æ": "ae",
            "Æ": "AE",
            "œ": "oe",
            "Œ": "OE",
            "ß": "ss",
            "ł": "l",
            "Ł": "L",
            "đ": "d",
            "Đ": "D",
            "ð": "d",
            "Ð": "D",
            "þ": "th",
            "Þ": "Th",
            "ı": "i",
        }
    )
    text = unicodedata.normalize("NFKD", text.translate(fold))
    return re.sub(r"[\W_]+", "", text.casefold())


def family_name(name: str) -> str:
    if "," in name:
        return name.partition(",")[0].strip()
    head, _, tail = name.rpartition(" ")
    letters = re.sub(r"[.-]", "", tail)
    if head and letters.isupper() and letters.isalpha() and len(letters) <= 4:
        return head
    return name


def title_key(title: str | None, year: int | None, authors: list[str]) -> str | None:
    """names.title_key as it was at this revision: a later change to the key comes with a
    migration of its own that recomputes the stored keys."""
    first = next(iter(authors or ()), None)
    folded = _folded(title or "")
    family = _folded(family_name(first)) if first else ""
    if not folded or not family:
        return None
    return f"{folded[:200]}|{year or ''}|{family[:60]}"


def upgrade() -> None:
    with op.batch_alter_table("reference") as batch:
        batch.add_column(sa.Column("keywords", sa.JSON(), nullable=False, server_default="[]"))
        batch.add_column(sa.Column("title_key", sa.String(length=300), nullable=True))
        batch.create_index("ix_reference_title_key", ["title_key"])
    reference = sa.table(
        "reference",
        sa.column("id", sa.Integer),
        sa.column("title", sa.Text),
        sa.column("year", sa.Integer),
        sa.column("authors", sa.JSON),
        sa.column("title_key", sa.String),
    )
    conn = op.get_bind()
    rows = conn.execute(
        sa.select(reference.c.id, reference.c.title, reference.c.year, reference.c.authors)
    ).all()
    keys = [
        {"rid": row.id, "key": title_key(row.title, row.year, row.authors or [])} for row in rows
    ]
    keys = [k for k in keys if k["key"]]
    if keys:
        conn.execute(
            reference.update()
            .where(reference.c.id == sa.bindparam("rid"))
            .values(title_key=sa.bindparam("key")),
            keys,
        )


def downgrade() -> None:
    with op.batch_alter_table("reference") as batch:
        batch.drop_index("ix_reference_title_key")
        batch.drop_column("title_key")
        batch.drop_column("keywords")
