"""PubMed searches through E-utilities' history server: esearch keeps the hits
(``usehistory=y``) and answers their WebEnv and query key, efetch reads the records back
from there, ``retstart`` onwards, up to 10,000 a request (EFetch's ``retmax`` maximum), so
2,000 records take one esearch and one efetch.

E-utilities give at most the first 10,000 records of a PubMed search (``count`` still says
how many match). NCBI forgets a WebEnv after a while: efetch then answers
``<eFetchResult><ERROR>Unable to obtain query #1</ERROR>``. The search is then run once more
and the fetch goes on from the ``retstart`` it had reached; losing the history a second time
fails the search rather than return part of it.
"""

from __future__ import annotations

import asyncio
import io
import json
from dataclasses import dataclass
from typing import Any

import httpx
from lxml import etree

from evidence.domain.metadata import PaperMetadata
from evidence.errors import InvalidRecord, Retryable, ServiceFailure
from evidence.formats.citations import BrokenRecord
from evidence.formats.eutils_json import rate_limit_error
from evidence.formats.pubmed_xml import PubmedRecord, read_pubmed_xml
from evidence.remote.http import Http
from evidence.remote.limits import Host, Window
from evidence.remote.pubmed import TOOL
from evidence.remote.searching import (
    DEFAULT_LIMIT,
    Progress,
    SearchResult,
    Tally,
    check,
    names_its_service,
)
from evidence.settings import Settings

EFETCH_MAX = 10_000  # records one efetch may ask for (NCBI: retmax "up to a maximum of 10,000")
HISTORY_MAX = 10_000  # records of a PubMed search E-utilities give at all
_ERROR_ROOTS = (b"<eFetchResult", b"<eSearchResult")


class _HistoryLost(ServiceFailure):
    """Raised when efetch no longer finds the search on the history server."""

    def __init__(self, reason: str) -> None:
        super().__init__("PubMed", reason)


@dataclass(frozen=True)
class _History:
    webenv: str
    query_key: str
    count: int


def pubmed_host(settings: Settings) -> Host:
    """The pace of remote/pubmed.py: 3 requests a second without an API key, 10 with one."""
    per_second = 10 if settings.ncbi_api_key else 3
    return Host("pubmed", lanes={"default": Window(per_second, 1.0)}, concurrency=3)


def _common(settings: Settings) -> dict[str, str]:
    common = {"tool": TOOL}
    if settings.contact_email:
        common["email"] = settings.contact_email
    if settings.ncbi_api_key:
        common["api_key"] = settings.ncbi_api_key
    return common


def _snippet(response: httpx.Response) -> str:
    text = " ".join(response.text[:200].split())
    return f"HTTP {response.status_code}" + (f": {text}" if text else "")


def history_error(body: bytes) -> str | None:
    """The ``<ERROR>`` of an ``eFetchResult`` (or ``eSearchResult``) sent instead of records."""
    head = body.lstrip()[:2048]
    if head.startswith(b"<?xml"):
        head = head[head.find(b"?>") + 2 :].lstrip()
    if head.startswith(b"<!DOCTYPE"):
        head = head[head.find(b">") + 1 :].lstrip()
    if not head.startswith(_ERROR_ROOTS):
        return None
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        root = etree.fromstring(body, parser)
    except etree.XMLSyntaxError:
        return "an error answer that does not parse"
    found = root.findtext("ERROR")
    return " ".join(found.split()) if found and found.strip() else "an error without a message"


def _read_history(body: Any) -> _History:
    result = body.get("esearchresult") if isinstance(body, dict) else None
    if not isinstance(result, dict):
        raise ServiceFailure("PubMed", "a search answer without esearchresult")
    if "ERROR" in result:  # a malformed query: asking again would not help
        raise ServiceFailure("PubMed", f"PubMed refused the search: {result['ERROR']}")
    try:
        count = int(result["count"])
    except (KeyError, TypeError, ValueError) as exc:
        raise ServiceFailure("PubMed", "a search answer without a count") from exc
    webenv, query_key = result.get("webenv"), result.get("querykey")
    if count and not (isinstance(webenv, str) and webenv and query_key):
        raise ServiceFailure("PubMed", "a search answer without its WebEnv and query key")
    return _History(str(webenv or ""), str(query_key or ""), count)


async def _esearch(
    http: Http, host: Host, base: str, common: dict[str, str], query: str
) -> _History:
    # POST: a query may be longer than a URL should be (NCBI's advice for long requests);
    # retmax=0: the PMIDs stay on the history server, where efetch reads them
    data = {
        "db": "pubmed",
        "term": query,
        "usehistory": "y",
        "retmode": "json",
        "retmax": "0",
        **common,
    }

    def handle(response: httpx.Response) -> _History:
        if response.status_code != 200:
            raise ServiceFailure("PubMed", _snippet(response))
        limited = rate_limit_error(response.content)
        if limited:
            raise http.rate_limited(host, f"PubMed said {limited!r}", None)
        try:
            body = json.loads(response.content)
        except ValueError as exc:
            raise Retryable("unreadable search answer (not JSON)") from exc
        return _read_history(body)

    return await http.request(
        host, "POST", f"{base}/esearch.fcgi", handle=handle, endpoint="esearch", data=data
    )


async def _efetch(
    http: Http,
    host: Host,
    base: str,
    common: dict[str, str],
    history: _History,
    start: int,
    size: int,
) -> tuple[list[PaperMetadata], int]:
    """Records ``start`` to ``start + size`` of the search, and how many were unreadable."""
    params = {
        "db": "pubmed",
        "WebEnv": history.webenv,
        "query_key": history.query_key,
        "retstart": str(start),
        "retmax": str(size),
        "retmode": "xml",
        **common,
    }
    where = f"records {start + 1:,}-{start + size:,}"

    def handle(response: httpx.Response) -> tuple[list[PaperMetadata], int]:
        body = response.content
        limited = rate_limit_error(body)
        if limited:
            raise http.rate_limited(host, f"PubMed said {limited!r}", None)
        lost = history_error(body) if response.status_code in (200, 400) else None
        if lost is not None:
            raise _HistoryLost(f"PubMed said {lost!r} for {where}")
        if response.status_code != 200:
            raise ServiceFailure("PubMed", _snippet(response))
        records, broken = [], 0
        try:
            # lenient: an article that is well-formed XML but not PubMed's is one unreadable
            # record, not a page asked for again and again; broken XML still is
            for item in read_pubmed_xml(io.BytesIO(body), name="efetch answer", lenient=True):
                if isinstance(item, PubmedRecord):
                    records.append(item.to_metadata())
                elif isinstance(item, BrokenRecord):
                    broken += 1
        except InvalidRecord as exc:  # cut short or garbled on the way: ask again
            raise Retryable(f"unreadable answer ({exc.problem})") from exc
        if not records and not broken:
            # records withdrawn since the search leave gaps, never a whole empty page: an
            # empty one is a history the server no longer holds as it should
            raise _HistoryLost(f"PubMed sent no records for {where}")
        return records, broken

    return await http.request(
        host, "GET", f"{base}/efetch.fcgi", handle=handle, endpoint="efetch", params=params
    )


@names_its_service("pubmed")
async def search_pubmed(
    http: Http,
    settings: Settings,
    query: str,
    *,
    limit: int = DEFAULT_LIMIT,
    progress: Progress | None = None,
    batch: int = EFETCH_MAX,
) -> SearchResult:
    """The first ``limit`` records PubMed finds for ``query`` (PubMed's own query syntax),
    fetched ``batch`` at a time. Raises :class:`ServiceFailure` if any of them cannot be."""
    query = check("pubmed", query, limit)
    if not 1 <= batch <= EFETCH_MAX:
        raise ValueError(f"batch must be 1 to {EFETCH_MAX}, not {batch}")
    tally = Tally(http, "pubmed")
    host, base, common = pubmed_host(settings), settings.pubmed_url, _common(settings)
    history = await _esearch(http, host, base, common, query)
    wanted = min(limit, history.count, HISTORY_MAX)
    pages: dict[int, tuple[list[PaperMetadata], int]] = {}
    fetched = 0

    async def page(start: int, kept: _History) -> tuple[list[PaperMetadata], int]:
        nonlocal fetched
        size = min(batch, wanted - start)
        records, broken = await _efetch(http, host, base, common, kept, start, size)
        fetched += len(records) + broken
        if progress is not None:
            progress(min(fetched, wanted), wanted)
        return records, broken

    pending = list(range(0, wanted, batch))
    searched_again = False
    while pending:
        # the pages at once: the host's pace and concurrency limit them, not a wait for each
        outcomes = await asyncio.gather(
            *(page(start, history) for start in pending), return_exceptions=True
        )
        lost: list[int] = []
        why = ""
        for start, outcome in zip(pending, outcomes, strict=True):
            if isinstance(outcome, _HistoryLost):
                lost.append(start)
                why = outcome.reason
            elif isinstance(outcome, BaseException):
                raise outcome
            else:
                pages[start] = outcome
        if lost and searched_again:
            first = min(lost)
            raise ServiceFailure(
                "PubMed",
                f"the search's history (WebEnv) was lost twice, at record {first + 1:,} of "
                f"{wanted:,} ({why}); nothing was kept: run the search again",
            )
        if lost:
            history = await _esearch(http, host, base, common, query)
            searched_again = True
            # a search run again may match fewer papers by now: the pages past its end go
            wanted = min(wanted, history.count)
            lost = [start for start in lost if start < wanted]
        pending = lost
    records: list[PaperMetadata] = []
    seen: set[str] = set()
    for start in sorted(pages):
        for record in pages[start][0]:
            # a search run again mid-fetch may have shifted by a paper: one record twice
            if record.pmid in seen:
                continue
            if record.pmid:
                seen.add(record.pmid)
            records.append(record)
    unreadable = sum(broken for _, broken in pages.values())
    return tally.result(query, history.count, records[:wanted], limit, unreadable)
