"""Resolve papers against every service at once, each batched and paced on its own.

PubMed is asked by PMID (efetch), or through esearch for a DOI or PMCID; Crossref (and
OpenAlex, with a key) by DOI: the DOIs the curator gave at once, and those PubMed reveals as
each efetch batch comes back, so the slowest service never waits for the others. Each
service's answer for each paper is kept apart, so one failure never hides another's answer;
:func:`merge` then makes one description per paper.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

from evidence.domain.identifiers import IdKind, parse_identifier
from evidence.domain.metadata import SERVICE_NAMES, PaperMetadata, merge
from evidence.errors import InvalidIdentifier
from evidence.remote.answers import Answer, Failed, chunks
from evidence.remote.cache import ResponseCache
from evidence.remote.crossref import Crossref
from evidence.remote.http import Http, Traffic, make_client
from evidence.remote.openalex import OpenAlex
from evidence.remote.pubmed import EFETCH_BATCH, PubMed
from evidence.settings import Settings

FOUND, NOT_FOUND, INVALID, ERROR = "found", "not_found", "invalid", "error"


@dataclass(frozen=True)
class Query:
    """A paper to resolve: what the user typed, and the identifiers known for it."""

    input: str
    pmid: str | None = None
    doi: str | None = None
    pmcid: str | None = None
    invalid: str | None = None  # why the input is not an identifier

    @classmethod
    def parse(cls, text: str) -> Query:
        try:
            ident = parse_identifier(text)
        except InvalidIdentifier as exc:
            return cls(text, invalid=exc.reason)
        return cls(text, **{ident.kind.value: ident.value})


@dataclass(frozen=True)
class Resolution:
    query: Query
    status: str  # found | not_found | invalid | error
    metadata: PaperMetadata | None = None
    problems: tuple[str, ...] = ()  # services that failed (with "found": the rest answered)

    @property
    def error(self) -> str | None:
        return "; ".join(self.problems) or None


@dataclass
class Report:
    resolutions: list[Resolution]
    traffic: Traffic
    seconds: float
    services: tuple[str, ...] = field(default=())


Progress = Callable[[int], None]  # called with the number of papers just finished


def resolve(
    queries: Sequence[Query],
    settings: Settings,
    *,
    offline: bool = False,
    refresh: bool = False,
    progress: Progress | None = None,
    backoff: float | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> Report:
    """Ask the services about these papers. ``transport`` stands in for the network (an
    ``httpx.MockTransport`` in a unit test); by default the requests go out."""
    started = time.monotonic()
    traffic = Traffic()
    resolutions = asyncio.run(
        _Run(queries, settings, traffic, offline, refresh, progress, backoff, transport).run()
    )
    services = ("pubmed", "crossref") + (("openalex",) if settings.openalex_api_key else ())
    return Report(resolutions, traffic, time.monotonic() - started, services)


class _Run:
    def __init__(
        self,
        queries: Sequence[Query],
        settings: Settings,
        traffic: Traffic,
        offline: bool,
        refresh: bool,
        progress: Progress | None,
        backoff: float | None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.transport = transport
        self.queries = list(queries)
        self.settings = settings
        self.traffic = traffic
        self.options = {"offline": offline, "refresh": refresh}
        self.progress = progress
        self.backoff = backoff
        self.by_pmid: dict[str, Answer] = {}
        self.by_search: dict[tuple[str, str], Answer] = {}  # (field, value) -> PubMed's record
        self.crossref_answers: dict[str, Answer] = {}
        self.openalex_answers: dict[str, Answer] = {}
        self.asked: set[str] = set()
        self.pending: list[asyncio.Task[None]] = []
        self.done: set[int] = set()

    async def run(self) -> list[Resolution]:
        cache = ResponseCache(self.settings.metadata_cache_dir)
        client = make_client(self.settings, self.transport)
        http = Http(self.settings, self.traffic, backoff=self.backoff, client=client)
        try:
            self.pubmed = PubMed(http, cache, self.settings, **self.options)
            self.crossref = Crossref(http, cache, self.settings, **self.options)
            self.openalex = (
                OpenAlex(http, cache, self.settings, **self.options)
                if self.settings.openalex_api_key
                else None
            )
            await self._gather()
        finally:
            await client.aclose()
            cache.close()
        return [self._resolution(q) for q in self.queries]

    async def _gather(self) -> None:
        valid = [q for q in self.queries if not q.invalid]
        self._check_dois([q.doi for q in valid if q.doi])
        pmids = list(dict.fromkeys(q.pmid for q in valid if q.pmid))
        by_doi = [q.doi for q in valid if not q.pmid and q.doi]
        by_pmcid = [q.pmcid for q in valid if not q.pmid and not q.doi and q.pmcid]
        await asyncio.gather(
            *(self._fetch(batch) for batch in chunks(pmids, EFETCH_BATCH)),
            self._search("doi", list(dict.fromkeys(by_doi))),
            self._search("pmcid", list(dict.fromkeys(by_pmcid))),
        )
        while self.pending:  # Crossref / OpenAlex batches, some started while PubMed ran
            tasks, self.pending = self.pending, []
            await asyncio.gather(*tasks)
        self._settle()

    async def _fetch(self, pmids: list[str]) -> None:
        try:
            self.by_pmid.update(await self.pubmed.fetch(pmids))
        except Exception as exc:  # one batch's surprise must not sink the run
            self.by_pmid.update({p: _surprise("PubMed", exc) for p in pmids})
        self._check_dois(
            [a.doi for p in pmids if isinstance(a := self.by_pmid[p], PaperMetadata) and a.doi]
        )
        self._settle()

    async def _search(self, field_name: str, values: list[str]) -> None:
        if not values:
            return
        try:
            found = await self.pubmed.find(field_name, values)
        except Exception as exc:
            found = {v: _surprise("PubMed", exc) for v in values}
        self.by_search.update({(field_name, v): a for v, a in found.items()})
        self._check_dois([a.doi for a in found.values() if isinstance(a, PaperMetadata) and a.doi])
        self._settle()

    def _check_dois(self, dois: list[str]) -> None:
        new = [d for d in dict.fromkeys(dois) if d not in self.asked]
        self.asked.update(new)
        if new:
            self.pending.append(asyncio.ensure_future(self._ask_by_doi(new)))

    async def _ask_by_doi(self, dois: list[str]) -> None:
        asks: list[Any] = [self.crossref.works(dois)]
        if self.openalex:
            asks.append(self.openalex.works(dois))
        answers = await asyncio.gather(*asks, return_exceptions=True)
        for name, store, answer in zip(
            ("Crossref", "OpenAlex"),
            (self.crossref_answers, self.openalex_answers),
            answers,
            strict=False,
        ):
            if isinstance(answer, BaseException):
                if not isinstance(answer, Exception):
                    raise answer  # cancellation, KeyboardInterrupt
                store.update({d: _surprise(name, answer) for d in dois})
            else:
                store.update(answer)
        self._settle()

    # -- per paper ------------------------------------------------------------------------

    def _pubmed_answer(self, q: Query) -> Answer | None:
        if q.pmid:
            return self.by_pmid.get(q.pmid)
        if q.doi:
            return self.by_search.get(("doi", q.doi))
        return self.by_search.get(("pmcid", q.pmcid or ""))

    def _doi(self, q: Query, pubmed: Answer | None) -> str | None:
        return q.doi or (pubmed.doi if isinstance(pubmed, PaperMetadata) else None)

    def _settle(self) -> None:
        """Report the papers every service has now answered for."""
        if self.progress is None:
            return
        finished = 0
        for i, q in enumerate(self.queries):
            if i in self.done:
                continue
            if not q.invalid:
                pubmed = self._pubmed_answer(q)
                if pubmed is None:
                    continue
                doi = self._doi(q, pubmed)
                if doi and (
                    doi not in self.crossref_answers
                    or (self.openalex and doi not in self.openalex_answers)
                ):
                    continue
            self.done.add(i)
            finished += 1
        if finished:
            self.progress(finished)

    def _resolution(self, q: Query) -> Resolution:
        if q.invalid:
            return Resolution(q, INVALID, problems=(q.invalid,))
        pubmed = self._pubmed_answer(q)
        doi = self._doi(q, pubmed)
        answers = [pubmed]
        if doi:
            answers += [self.crossref_answers.get(doi), self.openalex_answers.get(doi)]
        found = [a for a in answers if isinstance(a, PaperMetadata)]
        problems = tuple(a.reason for a in answers if isinstance(a, Failed))
        conflict = _conflict(q, found)
        if conflict:
            return Resolution(q, ERROR, problems=(conflict, *problems))
        metadata = merge(found)
        if metadata is not None:
            return Resolution(q, FOUND, metadata, problems)
        return Resolution(q, ERROR if problems else NOT_FOUND, problems=problems)


def _surprise(service: str, exc: Exception) -> Failed:
    return Failed(f"{service}: unexpected failure ({type(exc).__name__}: {exc})")


def _conflict(q: Query, found: list[PaperMetadata]) -> str | None:
    """Identifiers a service gives that contradict the ones the paper was asked by."""
    for record in found:
        if record.service == "openalex":  # its PMID links are the least sure: not a conflict
            continue
        for kind in IdKind:
            asked, given = getattr(q, kind.value), getattr(record, kind.value)
            if asked and given and asked != given:
                return (
                    f"{SERVICE_NAMES[record.service]} gives {kind.value}:{given} for this paper, "
                    f"not {kind.value}:{asked}: correct the stored identifier, then resolve again"
                )
    return None
