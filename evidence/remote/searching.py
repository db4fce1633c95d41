"""Literature searches run by the tool: a query to PubMed, Crossref or OpenAlex, and the
records it finds, fetched in the largest pages each service allows and paced as every other
request to that service is (remote/limits.py, remote/http.py).

The clients themselves are in ``pubmed_search.py``, ``crossref_search.py`` and
``openalex_search.py``; this module holds what they share and :func:`search`, which runs one
of them. A search either returns its records or raises :class:`ServiceFailure` naming the
service and what went wrong: it never comes back with part of its records and no word of it
(:attr:`SearchResult.complete` says whether every record asked for came).
"""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import ParamSpec

import httpx

from evidence.domain.metadata import SERVICE_NAMES, PaperMetadata
from evidence.errors import InvalidRecord, InvalidValue, MissingValue, ServiceFailure
from evidence.remote.http import Http, Traffic, make_client
from evidence.settings import Settings

DATABASES = ("pubmed", "crossref", "openalex")
DEFAULT_LIMIT = 2000
# E-utilities give at most the first 10,000 records of a PubMed search; the same ceiling for
# Crossref and OpenAlex keeps a mistyped --limit from paging through millions of works (a
# claim's screening list longer than that wants a narrower query, not more pages).
MAX_LIMIT = 10_000

Progress = Callable[[int, int], None]  # (records fetched so far, records to fetch)
# what reading one record of a page may raise: the record is counted as unreadable and the
# rest of the page kept (the readers were written for the records a lookup asks for, and a
# search's may be odder: a work without a DOI, a field of an unexpected type)
UNREADABLE = (InvalidRecord, AttributeError, KeyError, TypeError, ValueError)


@dataclass(frozen=True)
class SearchResult:
    """What one search found: ``total`` is the service's count of hits, ``records`` the
    first of them (at most ``limit``), in the service's order."""

    database: str  # pubmed | crossref | openalex
    query: str
    total: int
    records: list[PaperMetadata]
    requests: int  # HTTP requests the search sent, retries included
    limit: int
    unreadable: int = 0  # records the service sent that no reader could use
    seconds: float = 0.0

    @property
    def wanted(self) -> int:
        """How many records the search set out to fetch."""
        return min(self.limit, self.total)

    @property
    def complete(self) -> bool:
        """Whether every record asked for came (PubMed may have withdrawn a record between
        the search and the fetch; a service's duplicates are kept once)."""
        return len(self.records) + self.unreadable >= self.wanted


def check(database: str, query: str, limit: int) -> str:
    """The query, stripped, after checking the search can be run as asked."""
    if database not in DATABASES:
        raise InvalidValue("database", database, DATABASES)
    text = (query or "").strip()
    if not text:
        raise MissingValue("query", f"a {SERVICE_NAMES[database]} search needs its query")
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise InvalidValue("limit", limit, f"a whole number from 1 to {MAX_LIMIT:,}")
    return text


Search = Callable[..., Awaitable[SearchResult]]
P = ParamSpec("P")


def names_its_service(
    service: str,
) -> Callable[[Callable[P, Awaitable[SearchResult]]], Callable[P, Awaitable[SearchResult]]]:
    """For a search function: a failure remote/http.py raises under the host's name
    ("pubmed") is raised again under the service's ("PubMed"), as the lookups report it."""

    def wrap(run: Callable[P, Awaitable[SearchResult]]) -> Callable[P, Awaitable[SearchResult]]:
        @functools.wraps(run)
        async def named(*args: P.args, **kwargs: P.kwargs) -> SearchResult:
            try:
                return await run(*args, **kwargs)
            except ServiceFailure as exc:
                if exc.service != service:
                    raise
                raise ServiceFailure(SERVICE_NAMES[service], exc.reason) from exc

        return named

    return wrap


def _searches() -> dict[str, Search]:
    # imported here, not at the top: each of them imports SearchResult from this module
    from evidence.remote.crossref_search import search_crossref
    from evidence.remote.openalex_search import search_openalex
    from evidence.remote.pubmed_search import search_pubmed

    return {"pubmed": search_pubmed, "crossref": search_crossref, "openalex": search_openalex}


def search(
    database: str,
    query: str,
    settings: Settings,
    *,
    limit: int = DEFAULT_LIMIT,
    progress: Progress | None = None,
    backoff: float | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> SearchResult:
    """Run ``query`` on ``database`` (pubmed | crossref | openalex) and fetch up to ``limit``
    of its records. ``transport`` stands in for the network (an ``httpx.MockTransport`` in a
    unit test); by default the requests go out."""
    text = check(database, query, limit)

    async def run() -> SearchResult:
        client = make_client(settings, transport)
        http = Http(settings, Traffic(), backoff=backoff, client=client)
        try:
            return await _searches()[database](http, settings, text, limit=limit, progress=progress)
        finally:
            await client.aclose()

    return asyncio.run(run())


@dataclass
class Tally:
    """What one search has sent so far, for its :class:`SearchResult`: the requests are
    counted from the run's :class:`Traffic`, which other searches may share."""

    http: Http
    service: str

    def __post_init__(self) -> None:
        self.started = time.monotonic()
        self._sent = self.http.traffic.requests[self.service]
        self._retried = self.http.traffic.retries[self.service]
        self._limited = self.http.traffic.rate_limited[self.service]

    @property
    def requests(self) -> int:
        return self.http.traffic.requests[self.service] - self._sent

    @property
    def retries(self) -> int:
        return self.http.traffic.retries[self.service] - self._retried

    @property
    def refusals(self) -> int:
        """Rate-limit answers: requests the service turned away without serving them."""
        return self.http.traffic.rate_limited[self.service] - self._limited

    def result(
        self, query: str, total: int, records: list[PaperMetadata], limit: int, unreadable: int
    ) -> SearchResult:
        return SearchResult(
            self.service,
            query,
            total,
            records,
            self.requests,
            limit,
            unreadable,
            time.monotonic() - self.started,
        )
