"""The overview's search, filters, counts and pages, done in SQL over the stored verdicts.

A page reads the twenty claims it shows plus a count per verdict, however large the ledger:
the filters are WHERE clauses, the search is the database's full-text index (store/search),
and the order (strongest first, then by id) is an index's.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, func
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from evidence.domain.models import Assertion, Claim, ClaimTag, ClaimVerdict, Source
from evidence.domain.search_text import query_terms
from evidence.domain.vocab import Band, Certainty, Verdict, parse
from evidence.services.views.summaries import ClaimSummary, summary, summary_query
from evidence.store import search

_CERTAINTY_BY_LABEL = {c.label: c for c in Certainty}


@dataclass(frozen=True)
class Filters:
    """What the overview narrows the ledger to; every filter must hold (any value of a list)."""

    query: str = ""
    types: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    certainties: tuple[str, ...] = ()  # labels: "very low", "low", ...
    verdicts: tuple[str, ...] = ()

    @property
    def active(self) -> bool:
        return bool(query_terms(self.query)) or any(map(bool, self._lists()))

    def _lists(self) -> list[tuple[str, ...]]:
        return [self.types, self.tags, self.sources, self.certainties, self.verdicts]

    def describe(self) -> str:
        """The filters in words, for the title of an export of what is on screen."""
        parts = [f"search “{self.query.strip()}”"] if self.query.strip() else []
        names = ["type", "tag", "source", "certainty", "verdict"]
        for name, values in zip(names, self._lists(), strict=True):
            if values:
                parts.append(f"{name} {' or '.join(values)}")
        return "; ".join(parts) or "all claims"


def _conditions(session: Session, filters: Filters) -> list[ColumnElement[bool]]:
    v = ClaimVerdict
    out: list[ColumnElement[bool]] = []
    if filters.types:
        out.append(col(Claim.type).in_(filters.types))
    if filters.verdicts:
        out.append(
            col(v.verdict).in_([parse(Verdict, x, field="verdict").value for x in filters.verdicts])
        )
    if filters.certainties:
        levels = [
            _CERTAINTY_BY_LABEL[c].value for c in filters.certainties if c in _CERTAINTY_BY_LABEL
        ]
        out.append(col(v.certainty).in_(levels))
    # IN (subquery), not a correlated EXISTS: the database starts from the tag's or the
    # source's few rows through their index instead of probing for every claim
    if filters.tags:
        tagged = select(ClaimTag.claim_id).where(col(ClaimTag.tag).in_(filters.tags))
        out.append(col(v.claim_id).in_(tagged))
    if filters.sources:
        asserted = (
            select(Assertion.claim_id)
            .join(Source, col(Source.id) == Assertion.source_id)
            .where(col(Source.key).in_(filters.sources))
        )
        out.append(col(v.claim_id).in_(asserted))
    terms = query_terms(filters.query)
    if terms:
        out.append(search.matches(session.get_bind().dialect.name, terms))
    return out


def _filtered(query: Select, session: Session, filters: Filters) -> Select:
    conditions = _conditions(session, filters)
    return query.where(*conditions) if conditions else query


def verdict_counts(session: Session, filters: Filters | None = None) -> Counter[str]:
    """How many claims pass the filters, per verdict (one grouped query)."""
    filters = filters or Filters()
    query = select(ClaimVerdict.verdict, func.count()).group_by(ClaimVerdict.verdict)
    if filters.types:
        query = query.join(Claim, col(Claim.id) == ClaimVerdict.claim_id)
    return Counter(dict(session.execute(_filtered(query, session, filters)).all()))


def _ordered(session: Session, filters: Filters, band: str | None) -> Select:
    query = _filtered(summary_query(), session, filters)
    if band is not None:
        query = query.where(col(ClaimVerdict.band) == parse(Band, band, field="band").value)
    return query.order_by(col(ClaimVerdict.rank), col(ClaimVerdict.claim_id))


def claims_page(
    session: Session, filters: Filters, *, band: str | None, page: int, size: int
) -> list[ClaimSummary]:
    """One page (from 1) of the claims passing the filters, strongest first."""
    query = _ordered(session, filters, band).offset((max(page, 1) - 1) * size).limit(size)
    return [summary(row) for row in session.execute(query)]


def matching_claims(
    session: Session, filters: Filters, *, band: str | None = None, limit: int | None = None
) -> Iterator[ClaimSummary]:
    """Every claim passing the filters (up to ``limit``), strongest first, read in batches."""
    query = _ordered(session, filters, band)
    if limit is not None:
        query = query.limit(limit)
    for row in session.execute(query.execution_options(yield_per=2000)):
        yield summary(row)


def tags(session: Session) -> list[str]:
    """Every tag some claim has, in order.

    Read as a skip scan: the smallest tag, then the smallest one after it, and so on, each a
    seek in the tag's index. Neither SQLite nor PostgreSQL skips like this on its own: a
    plain DISTINCT reads every row of the index, 600,000 of them for 200,000 claims
    (20-150 ms, against well under 1 ms for the fifteen seeks).
    """
    tag = col(ClaimTag.tag)
    after = aliased(ClaimTag)
    walk = select(func.min(tag).label("tag")).cte("tags", recursive=True)
    nearest = select(func.min(col(after.tag))).where(col(after.tag) > walk.c.tag).scalar_subquery()
    walk = walk.union_all(select(nearest).where(walk.c.tag.is_not(None)))
    return list(session.scalars(select(walk.c.tag).where(walk.c.tag.is_not(None))))
