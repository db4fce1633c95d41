"""A search run for a claim and recorded as the claim's search, without typing it.

The database, the exact query, the date and the hits are recorded with what became of the
records (identified, duplicates, new: services/finding/candidates.py), all in the caller's
transaction. The records themselves come from a database's export read with the import's
readers, or from a service's search (remote/searching.py), fetched before the transaction
starts so a slow service holds no lock.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session, col, select

from evidence import clock
from evidence.domain.metadata import SERVICE_NAMES, Bibliographic
from evidence.domain.models import EvidenceSearch
from evidence.domain.vocab import SearchService
from evidence.errors import InvalidRecord
from evidence.formats.reading import OpenedFile, open_records
from evidence.remote.searching import DEFAULT_LIMIT, MAX_LIMIT, Progress, SearchResult, search
from evidence.services.finding.candidates import CandidateReport, add_candidates, opened_from
from evidence.services.records.searches import log_search
from evidence.settings import Settings

__all__ = [
    "DEFAULT_LIMIT",
    "MAX_LIMIT",
    "SearchResult",
    "fetch",
    "search_file",
    "search_records",
    "searches_to_rerun",
    "store_result",
]

# what a database's export is most likely from, when the curator does not say
_EXPORTED_BY = {"pubmed-xml": "PubMed", "medline": "PubMed"}


@dataclass(frozen=True)
class SearchRun:
    search: EvidenceSearch
    report: CandidateReport


def record_run(
    session: Session,
    *,
    claim_id: str,
    service: SearchService,
    database: str,
    query: str,
    hits: int | None,
    opened: OpenedFile,
    actor: str,
    rerun_of: int | None = None,
    notes: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> SearchRun:
    search = log_search(
        session,
        claim_id=claim_id,
        database=database,
        query=query,
        hits=hits,
        actor=actor,
        searched_on=clock.now().date(),
        notes=notes,
        reason=f"run by evidence search ({service.value})",
    )
    search.service = service.value
    search.rerun_of = rerun_of
    report = add_candidates(session, search, opened, actor=actor, progress=progress)
    return SearchRun(search, report)


def search_file(
    session: Session,
    *,
    claim_id: str,
    path: str | Path,
    actor: str,
    database: str | None = None,
    query: str | None = None,
    encoding: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> SearchRun:
    """A database's export (RIS, MEDLINE/.nbib, BibTeX, PubMed XML, CSL JSON) as a search."""
    opened = open_records(path, encoding=encoding)
    name = Path(path).name
    run = record_run(
        session,
        claim_id=claim_id,
        service=SearchService.file,
        database=database or _EXPORTED_BY.get(opened.format, f"export {name}"),
        query=query or f"the records exported to {name}",
        hits=None,
        opened=opened,
        actor=actor,
        notes=f"read from {name} ({opened.format})",
        progress=progress,
    )
    if run.report.identified <= len(run.report.unreadable):
        # raised inside the search's transaction: the search is not recorded either. A file
        # of which nothing could be read is no search that found nothing
        unreadable = run.report.unreadable
        raise InvalidRecord(
            str(path),
            None,
            "no record in it could be read"
            + (
                f" ({len(unreadable):,} unreadable, the first: {unreadable[0]})"
                if unreadable
                else ""
            ),
        )
    # an export holds every hit of its search: they are the records read
    run.search.hits = run.report.identified
    return run


def search_records(
    session: Session,
    *,
    claim_id: str,
    service: SearchService,
    database: str,
    query: str,
    total: int,
    records: Iterable[Bibliographic],
    actor: str,
    rerun_of: int | None = None,
) -> SearchRun:
    """A service's answer to a query (fetched already) as the claim's search."""
    return record_run(
        session,
        claim_id=claim_id,
        service=service,
        database=database,
        query=query,
        hits=total,
        opened=opened_from(records, f"{database} search", service.value),
        actor=actor,
        rerun_of=rerun_of,
    )


def fetch(
    service: SearchService,
    query: str,
    settings: Settings,
    *,
    limit: int = DEFAULT_LIMIT,
    progress: Progress | None = None,
) -> SearchResult:
    """Run the query on the service and fetch its first ``limit`` records (no database is
    touched: the caller stores them with :func:`store_result` in its own transaction)."""
    return search(service.value, query, settings, limit=limit, progress=progress)


def store_result(
    session: Session,
    *,
    claim_id: str,
    result: SearchResult,
    actor: str,
    rerun_of: int | None = None,
) -> SearchRun:
    service = SearchService(result.database)
    run = search_records(
        session,
        claim_id=claim_id,
        service=service,
        database=SERVICE_NAMES[service.value],
        query=result.query,
        total=result.total,
        records=result.records,
        actor=actor,
        rerun_of=rerun_of,
    )
    run.search.fetch_limit = result.limit
    notes = []
    if result.unreadable:
        notes.append(f"{result.unreadable} record(s) the service sent could not be read")
        run.report.unreadable.extend(
            f"{SERVICE_NAMES[service.value]} sent a record no reader could use"
            for _ in range(result.unreadable)
        )
    if not result.complete:
        run.report.missing = result.wanted - len(result.records) - result.unreadable
        notes.append(
            f"came back short: {run.report.missing:,} of the {result.wanted:,} records asked"
            " for never came"
        )
    run.search.notes = "; ".join(notes) or None
    return run


def rerun_limit(search: EvidenceSearch) -> int:
    """How deep a re-run of ``search`` fetches: as deep as the search did (its limit),
    or, for a search recorded before limits were kept, what it fetched or the default."""
    if search.fetch_limit:
        return search.fetch_limit
    return min(max(search.identified or 0, DEFAULT_LIMIT), MAX_LIMIT)


def searches_to_rerun(session: Session, claim_id: str | None) -> list[EvidenceSearch]:
    """The searches the tool ran, each once (a rerun runs the first of its line again)."""
    query = select(EvidenceSearch).where(
        col(EvidenceSearch.service).in_(
            [s.value for s in SearchService if s is not SearchService.file]
        ),
        col(EvidenceSearch.rerun_of).is_(None),
    )
    if claim_id is not None:
        query = query.where(EvidenceSearch.claim_id == claim_id)
    return list(session.scalars(query.order_by(col(EvidenceSearch.id))))
