"""Full-text search over the stored claims: SQLite FTS5 or PostgreSQL text search.

The text is ``claim_verdict.search_text`` (folded by domain.search_text, so both databases
see the same words). SQLite matches it through the FTS5 table ``claim_search`` that its
triggers keep in step; PostgreSQL through a GIN index on the generated column
``search_vector`` (``to_tsvector('simple', search_text)``).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import (
    ColumnClause,
    ColumnElement,
    Select,
    bindparam,
    func,
    literal_column,
    select,
    table,
    text,
)
from sqlmodel import col

from evidence.domain.models import ClaimVerdict

# what migration 0005 made outside the models: alembic's comparisons leave them alone
OUTSIDE_MODELS = frozenset(
    {
        "claim_search",
        "claim_search_data",
        "claim_search_idx",
        "claim_search_docsize",
        "claim_search_config",
        "claim_search_content",
        "ix_claim_verdict_search",
        "search_vector",
    }
)

_FTS = table("claim_search")


def sqlite_query(terms: Sequence[Sequence[str]]) -> str:
    """FTS5 syntax: every term a phrase whose last word may be a prefix, all required."""
    return " AND ".join('"' + " ".join(words) + '"*' for words in terms)


def postgres_query(terms: Sequence[Sequence[str]]) -> str:
    """to_tsquery syntax: the words of a term follow one another, the last a prefix."""
    return " & ".join("(" + " <-> ".join([*words[:-1], words[-1] + ":*"]) + ")" for words in terms)


def matches(dialect: str, terms: Sequence[Sequence[str]]) -> ColumnElement[bool]:
    """A condition on claim_verdict: its text has every term. ``terms`` come from
    domain.search_text.query_terms, so they hold letters and digits only."""
    if dialect == "postgresql":
        # a tsvector, which the driver would read as text
        vector: ColumnClause[str] = literal_column("claim_verdict.search_vector")
        wanted = func.to_tsquery(
            literal_column("'simple'::regconfig"), bindparam("search_terms", postgres_query(terms))
        )
        return vector.op("@@")(wanted)
    found: Select[int] = (
        select(literal_column("rowid"))
        .select_from(_FTS)
        .where(
            text("claim_search MATCH :search_terms").bindparams(search_terms=sqlite_query(terms))
        )
    )
    return col(ClaimVerdict.id).in_(found)
