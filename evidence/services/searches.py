"""Evidence searches done for a claim, so 'searched, found nothing' differs from 'not assessed'."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlmodel import Session

from evidence import clock
from evidence.domain.models import EvidenceSearch
from evidence.errors import InvalidValue
from evidence.services import history
from evidence.services.claims import get_claim


def parse_date(value: str | date | None) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidValue("date", value, "a date as YYYY-MM-DD") from None


def log_search(
    session: Session,
    *,
    claim_id: str,
    database: str,
    query: str,
    hits: int | None,
    actor: str,
    searched_on: str | date | None = None,
    notes: str | None = None,
    reason: str | None = None,
) -> EvidenceSearch:
    claim = get_claim(session, claim_id)
    if not (database or "").strip():
        raise InvalidValue("database", database, "the database searched, e.g. PubMed")
    if not (query or "").strip():
        raise InvalidValue("query", query, "the query as it was run")
    if hits is not None and hits < 0:
        raise InvalidValue("hits", hits, "a count of 0 or more")
    day = parse_date(searched_on)  # None: the date was not recorded (e.g. imported history)
    if day is not None and day > clock.now().date():
        raise InvalidValue("date", day.isoformat(), "a date that is not in the future")
    search = EvidenceSearch(
        claim_id=claim.id,
        database=database.strip(),
        query=query.strip(),
        searched_on=day,
        hits=hits,
        notes=notes,
        curator=actor,
        created_at=clock.now(),
    )
    session.add(search)
    session.flush()
    history.record(
        session,
        entity="search",
        key=f"{claim.id}#{search.id}",
        claim_id=claim.id,
        action="create",
        actor=actor,
        before=None,
        after=search_dict(search),
        reason=reason,
    )
    return search


def search_dict(search: EvidenceSearch) -> dict[str, object]:
    return {
        "database": search.database,
        "query": search.query,
        "date": search.searched_on.isoformat() if search.searched_on else None,
        "hits": search.hits,
        "notes": search.notes,
        "curator": search.curator,
    }


def searches_for(session: Session, claim_id: str) -> list[EvidenceSearch]:
    return list(
        session.scalars(
            select(EvidenceSearch)
            .where(EvidenceSearch.claim_id == claim_id)
            .order_by(EvidenceSearch.searched_on, EvidenceSearch.id)
        )
    )
