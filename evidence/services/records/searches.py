"""Evidence searches done for a claim, so 'searched, found nothing' differs from 'not assessed'."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from evidence import clock
from evidence.domain.models import EvidenceSearch
from evidence.errors import InvalidValue
from evidence.store import history, verdicts
from evidence.store.queries import get_claim, search_dict


def parse_date(value: str | date | None) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise InvalidValue("date", value, "a date as YYYY-MM-DD") from exc


MAX_DATABASE = 200


def check_search(
    *, database: str | None, query: str | None, hits: int | None, searched_on: str | date | None
) -> tuple[str, str, int | None, date | None]:
    """A search's fields, checked: where, what, how many hits, when (None: not recorded)."""
    name = " ".join((database or "").split())
    if not name or len(name) > MAX_DATABASE:
        raise InvalidValue(
            "database",
            database,
            f"where you searched, e.g. PubMed (at most {MAX_DATABASE} characters)",
        )
    text = (query or "").strip()
    if not text:
        raise InvalidValue("query", query, "the query as it was run")
    if hits is not None and (isinstance(hits, bool) or hits < 0):
        raise InvalidValue("hits", hits, "a count of 0 or more")
    day = parse_date(searched_on)
    if day is not None and day > clock.now().date():
        raise InvalidValue("date", day.isoformat(), "a date that is not in the future")
    return name, text, hits, day


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
    database, query, hits, day = check_search(
        database=database, query=query, hits=hits, searched_on=searched_on
    )
    verdicts.mark_claims(session, [claim.id])  # "searched, nothing found" is a verdict's reason
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
