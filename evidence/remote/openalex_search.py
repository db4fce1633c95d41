"""OpenAlex searches: ``/works?search=...`` paged with a cursor (``cursor=*``, then
``meta.next_cursor``), 100 works a page (the most OpenAlex's per-page allows), only the fields
the ledger reads (``select``), with the API key and address remote/openalex.py sends.

OpenAlex's cursor is a bookmark (it holds where the last page ended): asking again with it,
as a retry does, gives the same page. The end is a null ``next_cursor`` with no results, or
``meta.count`` reached. Since February 2026 OpenAlex wants an API key for all but a few
requests a day, and a search costs more of the day's allowance than a lookup.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import httpx

from evidence.domain.metadata import PaperMetadata
from evidence.errors import InvalidRecord, ServiceFailure
from evidence.formats import openalex_json
from evidence.remote.http import Http, retry_after
from evidence.remote.limits import Host, Window
from evidence.remote.openalex import PER_PAGE, PER_SECOND
from evidence.remote.searching import (
    DEFAULT_LIMIT,
    UNREADABLE,
    Progress,
    SearchResult,
    Tally,
    check,
    names_its_service,
)
from evidence.remote.service import Service
from evidence.settings import Settings

# the root fields openalex_json.read_work reads: the rest of a work (its references, topics,
# locations ...) is most of its size
SELECT = (
    "id,doi,title,display_name,publication_year,ids,primary_location,authorships,"
    "is_retracted,abstract_inverted_index"
)
# a stand-in for the DOI a work does not have (see _read)
_NO_DOI = "10.0000/openalex-work-without-doi"


@dataclass(frozen=True)
class _Page:
    total: int
    results: list[Any]
    next_cursor: str | None


def openalex_host() -> Host:
    """The pace of remote/openalex.py."""
    return Host("openalex", lanes={"default": Window(PER_SECOND, 1.0)}, concurrency=5)


def _message(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return " ".join(response.text[:200].split())
    if isinstance(body, dict):
        return str(body.get("message") or body.get("error") or "")[:300]
    return ""


def _read_page(body: Any) -> _Page:
    meta = body.get("meta") if isinstance(body, dict) else None
    results = body.get("results") if isinstance(body, dict) else None
    if not isinstance(meta, dict) or not isinstance(results, list):
        raise ServiceFailure("OpenAlex", "an answer that is not a list of works")
    count, cursor = meta.get("count"), meta.get("next_cursor")
    if not isinstance(count, int):
        raise ServiceFailure("OpenAlex", "a list of works without meta.count")
    return _Page(count, results, cursor if isinstance(cursor, str) and cursor else None)


def _read(work: Any, position: int) -> PaperMetadata:
    """One work of the results. OpenAlex finds works without a DOI too (a thesis, a preprint,
    an old paper): the reader, written for works asked for by DOI, refuses those, so it reads
    them with a stand-in DOI that is then taken away again."""
    label = f"#{position}"
    try:
        return openalex_json.read_work(work, record=label)
    except InvalidRecord:
        if not isinstance(work, dict):
            raise
    given = work.get("ids")
    ids: dict[str, Any] = given if isinstance(given, dict) else {}
    stand_in = {**work, "doi": _NO_DOI, "ids": {**ids, "doi": _NO_DOI}}
    return replace(openalex_json.read_work(stand_in, record=label), doi=None)


async def _page(http: Http, host: Host, settings: Settings, params: dict[str, str]) -> _Page:
    def handle(response: httpx.Response) -> _Page:
        status = response.status_code
        if status == 401:
            key = "this API key" if settings.openalex_api_key else "an API key"
            raise ServiceFailure(
                "OpenAlex",
                f"refused the search (HTTP 401: {_message(response)}): a search needs {key} "
                "(EVIDENCE_OPENALEX_API_KEY) that OpenAlex accepts",
            )
        if status == 403 and "limit" in _message(response).lower():
            # OpenAlex's documented answer to too many requests a second, besides 429
            raise http.rate_limited(host, "rate limited (HTTP 403)", retry_after(response))
        if status != 200:
            raise ServiceFailure("OpenAlex", f"HTTP {status}: {_message(response)}")
        return _read_page(Service.json_body(response))

    return await http.request(
        host,
        "GET",
        f"{settings.openalex_url}/works",
        handle=handle,
        endpoint="works (search)",
        params=params,
    )


@names_its_service("openalex")
async def search_openalex(
    http: Http,
    settings: Settings,
    query: str,
    *,
    limit: int = DEFAULT_LIMIT,
    progress: Progress | None = None,
) -> SearchResult:
    """The first ``limit`` works OpenAlex finds for ``query`` (its full-text ``search``,
    ranked by relevance). Raises :class:`ServiceFailure` if the pages cannot all be had."""
    query = check("openalex", query, limit)
    tally = Tally(http, "openalex")
    host = openalex_host()
    common: dict[str, str] = {}
    if settings.openalex_api_key:
        common["api_key"] = settings.openalex_api_key
    if settings.contact_email:
        common["mailto"] = settings.contact_email
    per_page = min(PER_PAGE, limit)
    records: list[PaperMetadata] = []
    unreadable = 0
    consumed = 0
    total = 0
    cursor: str | None = "*"
    while cursor is not None:
        params = {
            "search": query,
            "per-page": str(per_page),
            "cursor": cursor,
            "select": SELECT,
            **common,
        }
        page = await _page(http, host, settings, params)
        total = page.total
        wanted = min(limit, total)
        for work in page.results[: max(0, wanted - consumed)]:
            consumed += 1
            try:
                records.append(_read(work, consumed))
            except UNREADABLE:
                unreadable += 1
        if progress is not None:
            progress(consumed, wanted)
        if consumed >= wanted or not page.results:
            break
        cursor = page.next_cursor
    return tally.result(query, total, records, limit, unreadable)
