"""Reads of the ledger's records that every kind of service needs: a claim by its id, its
links, assertions and searches, the ``leads_to`` graph. Plain queries, no writes, so the read
models (services/views) and the record writers (services/records) share them without
importing each other.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, TypedDict, cast

from sqlalchemy import func, or_, select
from sqlalchemy.orm import QueryableAttribute, defer
from sqlmodel import Session, col

from evidence.domain.models import (
    Assertion,
    Claim,
    ClaimLink,
    Evidence,
    EvidenceSearch,
    Reference,
    Source,
)
from evidence.domain.vocab import Relation
from evidence.errors import ClaimNotFound


class SearchRow(TypedDict):
    """A recorded search as ``claim show --json`` and the claim page give it."""

    database: str
    query: str
    date: str | None  # ISO date
    hits: int | None
    notes: str | None
    curator: str


def search_dict(search: EvidenceSearch) -> SearchRow:
    return {
        "database": search.database,
        "query": search.query,
        "date": search.searched_on.isoformat() if search.searched_on else None,
        "hits": search.hits,
        "notes": search.notes,
        "curator": search.curator,
    }


def searches_for(session: Session, claim_id: str) -> list[EvidenceSearch]:
    found = session.scalars(select(EvidenceSearch).where(col(EvidenceSearch.claim_id) == claim_id))
    # dated searches in date order, then those whose date was not recorded (the same order on
    # every database: they disagree on where NULLs sort)
    return sorted(found, key=lambda s: (s.searched_on is None, s.searched_on or date.min, s.id))


def links_with_references(
    session: Session, claim_ids: Sequence[str] | None = None
) -> list[tuple[Evidence, Reference]]:
    """Evidence links joined to their papers, in one query."""
    query = (
        select(Evidence, Reference)
        .join(Reference, col(Reference.id) == Evidence.reference_id)
        .order_by(col(Evidence.claim_id), col(Evidence.id))
    )
    if claim_ids is not None:
        query = query.where(col(Evidence.claim_id).in_(claim_ids))
    return [(e, r) for e, r in session.execute(query)]


def links_of(session: Session, claim_id: str) -> list[tuple[ClaimLink, Source | None]]:
    rows = session.execute(
        select(ClaimLink, Source)
        .outerjoin(Source, col(Source.id) == ClaimLink.source_id)
        .where(
            or_(col(ClaimLink.from_claim_id) == claim_id, col(ClaimLink.to_claim_id) == claim_id)
        )
    )
    # ordered here, not in SQL: database collations disagree on text (see verdicts.list_claims)
    return sorted(
        ((link, source) for link, source in rows),
        key=lambda r: (r[0].relation, r[0].from_claim_id, r[0].to_claim_id),
    )


def leads_to_edges(session: Session) -> list[tuple[str, str]]:
    return [
        (a, b)
        for a, b in session.execute(
            select(col(ClaimLink.from_claim_id), col(ClaimLink.to_claim_id)).where(
                col(ClaimLink.relation) == Relation.leads_to.value
            )
        )
    ]


def get_claim(session: Session, claim_id: str) -> Claim:
    claim = session.get(Claim, claim_id)
    if claim is None:
        raise ClaimNotFound(claim_id, "see `evidence claims list`")
    return claim


# the column as the ORM's loader options take it (SQLModel types it as a plain value)
SOURCE_TEXT = cast(QueryableAttribute[Any], Source.text)


def assertions_for(session: Session, claim_id: str) -> list[tuple[Source, Assertion]]:
    rows = session.execute(
        select(Source, Assertion)
        .join(Assertion, col(Assertion.source_id) == Source.id)
        .where(col(Assertion.claim_id) == claim_id)
        .options(defer(SOURCE_TEXT))  # a document may be megabytes: read where needed
    )
    return sorted(((s, a) for s, a in rows), key=lambda r: (r[0].key, r[1].id or 0))


def source_text_window(session: Session, source_id: int, start: int, end: int) -> str | None:
    """The characters ``start``..``end`` of a source's text (0-based, end excluded), read in
    SQL: a page showing a quote in its context reads the context, not the document."""
    return session.scalar(
        select(func.substr(col(Source.text), max(start, 0) + 1, max(end - max(start, 0), 0))).where(
            col(Source.id) == source_id
        )
    )
